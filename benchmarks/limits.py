"""Measure the worst shapes guide/limits.py lets through, so the budget promise holds.

The promise (README, "Limits"): any input within the limits builds in at most 60 s and 2 GB on
2 cores, or is refused before the expensive step. Two parts:

- `convert` times one post's conversion (Markdown, then the HTML sanitizer) at each per-post
  budget, and at twice it for comparison (a post past a budget is refused before it is converted).
- `build` writes projects of the worst shapes at the limits (many chapters, one post at the
  per-file limit, long paragraphs, tables, footnotes, headings, lists, code, and every budget
  used at once, in one post and across the guide), runs `guide build` on each with its default
  parallel typesetting, and prints the pages, the wall time, the CPU time of all its processes,
  that of the busiest one, the 2-core floor (the larger of the busiest process and half the
  total: no 2-core schedule is faster) and the peak memory of the whole process tree (sampled
  every 0.1 s). With `--scale 0.25 0.5` it builds smaller versions instead and extrapolates.

The machine is shared: `uptime`'s load is printed with each row. Run it at a quiet moment, or
compare throughputs, never raw times from a loaded spell.

Usage: `.venv/bin/python benchmarks/limits.py [convert|build] [--scale 0.25 0.5] [--shape NAME...]`.
A report, not a test: it exits 0 unless a build fails.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from synthetic import WORDS

from guide.errors import Report
from guide.limits import (
    MAX_BLOCKS,
    MAX_CHAPTERS,
    MAX_FILE_BYTES,
    MAX_FOOTNOTES,
    MAX_GUIDE_BLOCKS,
    MAX_GUIDE_ELEMENTS,
    MAX_GUIDE_FOOTNOTES,
    MAX_GUIDE_TABLE_CELLS,
    MAX_HEADINGS,
    MAX_POST_ELEMENTS,
    MAX_PROJECT_BYTES,
    MAX_STYLE_SELECTOR_PARTS,
    MAX_TABLE_CELLS,
)
from guide.sanitize import sanitize_html
from guide.sources.markdown import markdown_to_html

BUDGET_SECONDS = 60.0
BUDGET_BYTES = 2 * 1024**3

SHAPES = {
    "paragraphs": (MAX_BLOCKS, lambda n: "Paragraph text.\n\n" * n),
    "headings": (MAX_HEADINGS, lambda n: "# Heading\n\n" * n),
    "footnotes": (
        MAX_FOOTNOTES,
        lambda n: "".join(f"Text[^{i}].\n" for i in range(n)) + "".join(f"\n[^{i}]: note" for i in range(n)),
    ),
    "table cells": (MAX_TABLE_CELLS, lambda n: "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * (n // 3)),
}


def seconds(body: str) -> float:
    """Convert `body` as a post is converted and return the time taken."""
    start = time.perf_counter()
    sanitize_html(markdown_to_html(body), "post.md", body, Report())
    return time.perf_counter() - start


def convert() -> None:
    """Print the conversion time at each per-post budget and at twice it."""
    for name, (limit, make) in SHAPES.items():
        inside, twice = seconds(make(limit)), seconds(make(2 * limit))
        print(
            f"{name:12} at the limit ({limit:,}): {inside:6.2f} s   at twice it: {twice:6.2f} s", flush=True
        )


# ---- Whole builds -------------------------------------------------------------------------------


def _prose(rng: random.Random, size: int) -> str:
    """About `size` bytes of sentences."""
    out: list[str] = []
    length = 0
    while length < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))).capitalize() + "."
        out.append(sentence)
        length += len(sentence) + 1
    return " ".join(out)


def _fill(size: int, block: Callable[[int], str]) -> str:
    """Blocks made by `block(i)` joined by blank lines, up to about `size` bytes."""
    parts: list[str] = []
    length, index = 0, 0
    rng = random.Random(index)
    if size <= 0:
        return ""
    while True:
        text = block(index)
        if parts and length + len(text) + 2 > size:
            if size - length > 200:  # top up with one paragraph, so the post is as long as asked
                parts.append(_prose(rng, size - length - 120))
            return "\n\n".join(parts)
        parts.append(text)
        length += len(text) + 2
        index += 1


def _post(title: str, body: str) -> str:
    return f"---\ntitle: {title}\ncredits: [Photo by Bench]\n---\n\n{body}\n"


def _prose_post(rng: random.Random, size: int, chapters: int) -> str:
    """Paragraphs of 400-1,000 bytes, a heading every eight."""
    return _fill(size, lambda i: f"## Section {i}" if i % 8 == 7 else _prose(rng, rng.randint(400, 1000)))


def _tables(rng: random.Random, cells: int, compact: bool = False) -> str:
    """Tables of four columns of words, each at most MAX_TABLE_CELLS cells, `cells` in all."""
    tables = []
    while cells >= 8:
        rows = min(MAX_TABLE_CELLS, cells) // 4 - 1
        lines = ["| Place | Miles | Note | Kind |", "|---|---:|---|---|"]
        for _ in range(rows):
            note = rng.choice(WORDS) if compact else _prose(rng, 20)
            lines.append(f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} | {note} | x |")
        tables.append("\n".join(lines))
        cells -= (rows + 1) * 4
    return "\n\n".join(tables)


def _footnotes(rng: random.Random, count: int, compact: bool = False) -> str:
    """`count` short paragraphs with a footnote each, the notes at the end."""

    def say() -> str:
        return rng.choice(WORDS).capitalize() + "." if compact else _prose(rng, 60)

    text = "\n\n".join(say() + f"[^{i}]" for i in range(count))
    return text + "\n\n" + "\n".join(f"[^{i}]: {say()}" for i in range(count))


def _lists(rng: random.Random, size: int) -> str:
    """Lists nested four deep, items of one sentence, up to about `size` bytes."""
    return _fill(size, lambda i: "\n".join("  " * (j % 4) + f"- {_prose(rng, 60)}" for j in range(40)))


def _table_post(rng: random.Random, size: int, chapters: int) -> str:
    """This post's share of the guide's table cells, then prose."""
    text = _tables(rng, MAX_GUIDE_TABLE_CELLS // chapters)
    return text + "\n\n" + _prose_post(rng, size - len(text), chapters)


def _footnote_post(rng: random.Random, size: int, chapters: int) -> str:
    """This post's share of the guide's footnotes (at most MAX_FOOTNOTES), then prose."""
    text = _footnotes(rng, min(MAX_FOOTNOTES, MAX_GUIDE_FOOTNOTES // chapters))
    return _prose_post(rng, size - len(text), chapters) + "\n\n" + text


def _everything_post(rng: random.Random, size: int, chapters: int) -> str:
    """Every costly shape at once: its share of the table cells and footnotes (short), then nested lists."""
    text = _tables(rng, MAX_GUIDE_TABLE_CELLS // chapters, compact=True)
    notes = _footnotes(rng, min(MAX_FOOTNOTES, MAX_GUIDE_FOOTNOTES // chapters), compact=True)
    return text + "\n\n" + _lists(rng, size - len(text) - len(notes) - 2_000) + "\n\n" + notes


def _heading_post(rng: random.Random, size: int, chapters: int) -> str:
    """A heading and a short paragraph, MAX_HEADINGS times, then prose."""
    return _fill(
        size, lambda i: f"## {_prose(rng, 20)}\n\n{_prose(rng, 40)}" if i < MAX_HEADINGS else _prose(rng, 600)
    )


def _long_paragraph_post(rng: random.Random, size: int, chapters: int) -> str:
    """Paragraphs of 100 KB each (a post pasted without a blank line)."""
    return _fill(size, lambda _: _prose(rng, min(size, 100_000)))


def _one_paragraph_post(rng: random.Random, size: int, chapters: int) -> str:
    """The whole post one paragraph."""
    return _prose(rng, size)


def _list_post(rng: random.Random, size: int, chapters: int) -> str:
    """Nested lists, items of one sentence."""
    return _lists(rng, size)


def _code_post(rng: random.Random, size: int, chapters: int) -> str:
    """Fenced code of long lines."""
    return _fill(size, lambda _: "```\n" + "\n".join(_prose(rng, 120) for _ in range(40)) + "\n```")


def _short_paragraph_post(rng: random.Random, size: int, chapters: int) -> str:
    """One-line paragraphs, this post's share of the guide's blocks (at most MAX_BLOCKS)."""
    count = min(MAX_BLOCKS, MAX_GUIDE_BLOCKS // chapters) - 10
    return "\n\n".join(rng.choice(WORDS).capitalize() + "." for _ in range(count))


def _emphasis_post(rng: random.Random, size: int, chapters: int) -> str:
    """Paragraphs of 300 emphasised words: this post's share of the guide's elements."""
    paragraphs = min(MAX_POST_ELEMENTS, MAX_GUIDE_ELEMENTS // chapters) // 301 - 1
    return "\n\n".join(" ".join(f"*{rng.choice(WORDS)}*" for _ in range(300)) for _ in range(paragraphs))


STYLE = "".join(
    f"p ~ p ~ p ~ p ~ p:not(.c{i}) {{ color: #{i:03d} }}\n" for i in range(MAX_STYLE_SELECTOR_PARTS // 5)
)
"""An author's stylesheet at its budget, of the selectors that cost the cascade most."""


@dataclass(frozen=True)
class Shape:
    """One worst case: how many chapters, each written by `write(rng, bytes, chapters)`, in how many bytes."""

    chapters: int
    write: Callable[[random.Random, int, int], str]
    total: int
    """Bytes of all the chapters at the limit."""
    style: str = ""
    """The --style stylesheet the build gets, if any."""


BUILD_SHAPES = {
    "many chapters": Shape(MAX_CHAPTERS, _prose_post, MAX_PROJECT_BYTES),
    "prose at the total": Shape(3, _prose_post, MAX_PROJECT_BYTES),
    "one post": Shape(1, _prose_post, MAX_FILE_BYTES),
    "one paragraph": Shape(1, _one_paragraph_post, MAX_FILE_BYTES),
    "long paragraphs": Shape(1, _long_paragraph_post, MAX_FILE_BYTES),
    "tables": Shape(1, _table_post, MAX_FILE_BYTES),
    "tables at the total": Shape(3, _table_post, MAX_PROJECT_BYTES),
    "footnotes": Shape(1, _footnote_post, MAX_FILE_BYTES),
    "footnotes at the total": Shape(3, _footnote_post, MAX_PROJECT_BYTES),
    "headings": Shape(1, _heading_post, MAX_FILE_BYTES),
    "lists": Shape(1, _list_post, MAX_FILE_BYTES),
    "lists at the total": Shape(3, _list_post, MAX_PROJECT_BYTES),
    "code": Shape(1, _code_post, MAX_FILE_BYTES),
    "code at the total": Shape(3, _code_post, MAX_PROJECT_BYTES),
    "short paragraphs": Shape(1, _short_paragraph_post, MAX_FILE_BYTES),
    "short paragraphs total": Shape(2, _short_paragraph_post, MAX_PROJECT_BYTES),
    "emphasis": Shape(1, _emphasis_post, MAX_FILE_BYTES),
    "emphasis at the total": Shape(2, _emphasis_post, MAX_PROJECT_BYTES),
    "style on paragraphs": Shape(2, _short_paragraph_post, MAX_PROJECT_BYTES, STYLE),
    "everything in one post": Shape(1, _everything_post, MAX_FILE_BYTES),
    "everything at the total": Shape(3, _everything_post, MAX_PROJECT_BYTES),
}


def write_project(folder: Path, shape: Shape, scale: float) -> int:
    """Write `shape` at `scale` of its limit into `folder`; return the chapters' total bytes."""
    rng = random.Random(20261130)
    # Chapters keep their size at the limit; a smaller scale has fewer of them (or a shorter one).
    chapters = max(1, round(shape.chapters * scale))
    each = shape.total // shape.chapters if shape.chapters > 1 else int(shape.total * scale)
    (folder / "chapters").mkdir(parents=True, exist_ok=True)
    names = []
    for number in range(chapters):
        name = f"chapters/{number:04d}.md"
        body = shape.write(rng, each - 220, chapters)  # room for the front matter and a last sentence
        (folder / name).write_text(_post(f"Chapter {number}", body), encoding="utf-8")
        names.append(name)
    listed = ",\n".join(f'  "{name}"' for name in names)
    (folder / "guide.toml").write_text(f'title = "Limits"\nauthor = "Bench"\nchapters = [\n{listed},\n]\n')
    return sum((folder / name).stat().st_size for name in names)


def _tree_sample(pgid: int, cpu: dict[int, float]) -> int:
    """Bytes resident in every process of the group `pgid`; note each one's CPU seconds in `cpu`."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[2]) == pgid:
                total += int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
                cpu[int(entry.name)] = (int(stat[11]) + int(stat[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


@dataclass(frozen=True)
class Run:
    """One build: wall and CPU seconds, peak bytes of the process tree, pages, status."""

    seconds: float
    cpu: float
    busiest: float
    """CPU seconds of the busiest process (sampled): no schedule on any number of cores beats it."""
    peak: int
    pages: int
    status: int
    stderr: str


def build(project: Path, pdf: Path, style: str = "") -> Run:
    """Run `guide build` as a user does (default jobs), sampling the tree's memory every 0.1 s."""
    guide = str(Path(sys.executable).parent / "guide")
    start = time.perf_counter()
    child = subprocess.Popen(
        [
            guide,
            "build",
            str(project),
            "-o",
            str(pdf),
            *(["--style", str(project / "s.css")] if style else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    peak = [0]
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_sample(child.pid, cpu))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    stderr = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
    pages = 0
    if pdf.exists():
        from pypdf import PdfReader  # noqa: PLC0415

        pages = len(PdfReader(pdf).pages)
    return Run(
        seconds,
        usage.ru_utime + usage.ru_stime,
        max(cpu.values(), default=0.0),
        peak[0],
        pages,
        os.waitstatus_to_exitcode(status),
        stderr,
    )


def measure_builds(names: list[str], scales: list[float]) -> int:
    """Print one row per shape and scale, and each shape's extrapolation to its limit."""
    failed = 0
    print(
        f"{'shape':24} {'KB':>5} {'pages':>5} {'s':>5} {'cpu s':>5} {'busy':>5} {'floor':>5} {'MB':>5}  load"
    )
    for name in names:
        shape = BUILD_SHAPES[name]
        points: list[tuple[int, Run]] = []
        for scale in scales:
            with tempfile.TemporaryDirectory(prefix="guide-limits-") as work:
                size = write_project(Path(work) / "p", shape, scale)
                (Path(work) / "p" / "s.css").write_text(shape.style)
                run = build(Path(work) / "p", Path(work) / "g.pdf", shape.style)
            load = os.getloadavg()[0]
            print(
                f"{name[:24]:24} {size / 1024:5.0f} {run.pages:5} {run.seconds:5.1f} {run.cpu:5.1f}"
                f" {run.busiest:5.1f} {max(run.busiest, run.cpu / 2):5.1f}"
                f" {run.peak / 1024**2:5.0f}  {load:.2f}",
                flush=True,
            )
            if run.status != 0:
                failed += 1
                print(f"  exit {run.status}: {run.stderr.strip()[:300]}")
            else:
                points.append((size, run))
        if points and max(scales) < 1:
            print(f"{name:20} {_extrapolate(points, shape.total)}", flush=True)
    return failed


def _extrapolate(points: list[tuple[int, Run]], total: int) -> str:
    """Time and memory at `total` bytes: the line through the two largest runs, or through the origin."""
    points = sorted(points, key=lambda p: p[0])
    (small, first), (large, last) = points[0], points[-1]
    if large > small:
        time_slope = max((last.seconds - first.seconds) / (large - small), last.seconds / large)
        memory_slope = (last.peak - first.peak) / (large - small)
    else:
        time_slope, memory_slope = last.seconds / large, last.peak / large
    seconds = last.seconds + time_slope * (total - large)
    memory = last.peak + max(0.0, memory_slope) * (total - large)
    return (
        f"at the limit ({total / 1024:,.0f} KB): about {seconds:.0f} s ({seconds / BUDGET_SECONDS:.0%} of"
        f" {BUDGET_SECONDS:.0f} s), {memory / 1024**2:,.0f} MB ({memory / BUDGET_BYTES:.0%} of 2 GB)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", choices=["convert", "build", "all"], default="all")
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0])
    parser.add_argument("--shape", nargs="+", choices=sorted(BUILD_SHAPES), default=list(BUILD_SHAPES))
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    if options.part in ("convert", "all"):
        convert()
    if options.part in ("build", "all"):
        return 1 if measure_builds(options.shape, options.scale) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
