"""The parallel typesetter's targets (issue 12), measured as ratios to bare WeasyPrint, interleaved.

For each project size, every round runs in turn, each as a fresh child process:

* bare:  WeasyPrint alone on guide's HTML (PDF/UA-1), the reference of the round;
* cold:  `guide build --jobs N` with build/.cache removed first;
* edit:  one chapter in the middle gets one more sentence, then `guide build --jobs N` from the disk cache;
* noop:  the same build again, nothing changed;
* warm:  what `guide watch` would do: one process builds (from the cache), then the chapter is
         edited again and the same process rebuilds; only that rebuild is timed;
* one:   `guide build --jobs 1` (the whole book as one document), for reference (not with --quick).

Each figure is the median over the rounds of (that run's time / the same round's bare time), so a
slow spell of the shared machine hits both sides of a ratio alike. Memory is the peak resident set
of the largest process (the child or any worker it waited for; see launch.py), over bare's; size is the
PDF's size over bare's PDF.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

WARM_REBUILD = """
import sys, time
from pathlib import Path
from guide import BuildOptions, build
from guide.typesetting.book import keep_workers
project, pdf, post = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
text, jobs = sys.argv[4], int(sys.argv[5])
options = BuildOptions(jobs=jobs, force=True)
with keep_workers(project, options):
    build(project, pdf, options)
    post.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    build(project, pdf, options)
    print(time.perf_counter() - start)
"""
"""A warm process, as `guide watch` keeps: workers started once, the second build timed from inside."""

TARGETS = {
    "cold": "<=0.65 at 50, <=0.55 at 200",
    "edit": "<=0.15",
    "warm": "<=0.05 at 200, under 1 s",
    "noop": "<=0.10",
    "mem": "<=1.0 at 200",
    "size": "<=1.05",
}


@dataclass(frozen=True)
class Ratios:
    """One project size's medians."""

    posts: int
    pages: int
    rounds: int
    bare_seconds: float
    cold: float
    edit: float
    warm: float
    warm_seconds: float
    noop: float
    one: float | None
    """None when not measured (--quick)."""
    memory: float
    peak_mib: float
    """The cold build's largest process, MiB."""
    bare_mib: float
    size: float
    edit_pages_changed: bool
    seconds: dict[str, float]
    """Median wall seconds of each build: cold, edit, noop, warm."""


def measure_parallel(
    posts: int,
    project: Path,
    html: Path,
    work: Path,
    rounds: int,
    jobs: int,
    run_child: Callable[[Sequence[str]], object],
    commands: dict[str, Callable[..., list[str]]],
    page_count: Callable[[Path], int],
    with_one: bool = True,
) -> Ratios:
    """Time the cold, edit and no-op builds against bare WeasyPrint, `rounds` rounds in turn."""
    stem = work / f"parallel-{posts:03d}"
    bare_pdf, pdf, one_pdf = Path(f"{stem}-bare.pdf"), Path(f"{stem}.pdf"), Path(f"{stem}-one.pdf")
    guide = commands["guide"]
    parallel_build = [*guide(project, pdf), "--jobs", str(jobs)]
    posts_md = sorted((project / "chapters").glob("*.md"))
    post = posts_md[len(posts_md) // 2]
    original = post.read_text(encoding="utf-8")
    figures: dict[str, list[float]] = {name: [] for name in ("cold", "edit", "noop", "one", "mem", "warm")}
    warm_seconds = []
    seconds: dict[str, list[float]] = {name: [] for name in ("cold", "edit", "noop")}
    peaks: list[tuple[float, float]] = []
    bare_times = []
    pages_changed = False
    for round_number in range(rounds):
        bare = run_child(commands["bare"](project, html, bare_pdf))
        bare_times.append(bare.seconds)  # type: ignore[attr-defined]
        shutil.rmtree(project / "build" / ".cache", ignore_errors=True)
        post.write_text(original, encoding="utf-8")
        cold = run_child(parallel_build)
        cold_pages = page_count(pdf)
        post.write_text(
            original.rstrip("\n") + f" One more sentence, edit {round_number}.\n", encoding="utf-8"
        )
        edit = run_child(parallel_build)
        pages_changed |= page_count(pdf) != cold_pages
        noop = run_child(parallel_build)
        warm_text = original.rstrip("\n") + f" One more sentence, warm edit {round_number}.\n"
        warm = float(
            subprocess.run(
                [sys.executable, "-c", WARM_REBUILD, str(project), str(pdf), str(post), warm_text, str(jobs)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()[-1]
        )
        warm_seconds.append(warm)
        figures["warm"].append(warm / bare.seconds)  # type: ignore[attr-defined]
        runs = [("cold", cold), ("edit", edit), ("noop", noop)]
        if with_one:
            runs.append(("one", run_child([*guide(project, one_pdf), "--jobs", "1"])))
        for name, run in runs:
            figures[name].append(run.seconds / bare.seconds)  # type: ignore[attr-defined]
            seconds.setdefault(name, []).append(run.seconds)  # type: ignore[attr-defined]
        figures["mem"].append(cold.peak_kib / bare.peak_kib)  # type: ignore[attr-defined]
        peaks.append((cold.peak_kib / 1024, bare.peak_kib / 1024))  # type: ignore[attr-defined]
    post.write_text(original, encoding="utf-8")
    return Ratios(
        posts=posts,
        pages=page_count(bare_pdf),
        rounds=rounds,
        bare_seconds=statistics.median(bare_times),
        cold=statistics.median(figures["cold"]),
        edit=statistics.median(figures["edit"]),
        warm=statistics.median(figures["warm"]),
        warm_seconds=statistics.median(warm_seconds),
        noop=statistics.median(figures["noop"]),
        one=statistics.median(figures["one"]) if figures["one"] else None,
        memory=max(figures["mem"]),
        peak_mib=max(cold for cold, _ in peaks),
        bare_mib=max(bare for _, bare in peaks),
        size=os.path.getsize(pdf) / os.path.getsize(bare_pdf),
        edit_pages_changed=pages_changed,
        seconds={name: statistics.median(times) for name, times in seconds.items() if name != "one"}
        | {"warm": statistics.median(warm_seconds)},
    )


def print_parallel_table(rows: Sequence[Ratios], jobs: int) -> None:
    """One line per size: the issue's ratios, then its targets."""
    print(f"\nparallel typesetting, --jobs {jobs}: ratios to bare WeasyPrint (median of interleaved rounds)")
    header = (
        f"{'posts':>5} {'pages':>5} {'rounds':>6} {'bare s':>7} {'cold':>6} {'edit':>6} {'warm':>6} "
        f"{'warm s':>6} {'noop':>6} "
        f"{'mem':>6} {'MiB':>5} {'bare':>5} {'size':>6} {'jobs 1':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        mark = "*" if row.edit_pages_changed else ""
        print(
            f"{row.posts:>5} {row.pages:>5} {row.rounds:>6} {row.bare_seconds:>7.2f} {row.cold:>6.3f} "
            f"{row.edit:>5.3f}{mark:1} {row.warm:>6.3f} {row.warm_seconds:>6.2f} {row.noop:>6.3f} "
            f"{row.memory:>6.3f} {row.peak_mib:>5.0f} {row.bare_mib:>5.0f} {row.size:>6.3f} "
            + (f"{row.one:>7.3f}" if row.one is not None else f"{'-':>7}")
        )
    print(
        "seconds (median wall): "
        + "; ".join(
            f"{row.posts} posts: bare {row.bare_seconds:.1f}, "
            + ", ".join(f"{name} {value:.2f}" for name, value in row.seconds.items())
            for row in rows
        )
    )
    print("targets: " + "; ".join(f"{name} {target}" for name, target in TARGETS.items()))
    if any(row.edit_pages_changed for row in rows):
        print("* the edit changed the PDF's page count: later parts were typeset again")
