"""Time `guide watch`'s rebuilds as it prints them, after editing one chapter of a synthetic guide.

For each post count, this script writes a synthetic project (see `synthetic.py`), starts
`guide watch PROJECT` in a subprocess, waits for its first build, then edits one chapter (the middle
one) `--edits` times, waiting for each rebuild, and reports the times the watch printed
("rebuilt ... in X s"): the first build's and each rebuild's, with the machine's load average. It
is a report, not a test.

With `--grow`, each edit adds a paragraph long enough to add a page to the chapter, so every later
part starts elsewhere (and every cross-reference to a later chapter prints another number): what an
author who writes on, rather than corrects, waits for.

Usage: `.venv/bin/python benchmarks/watch.py [--posts 13 50] [--edits 3] [--grow]`.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import WORDS, write_project

GROW_WORDS = 450
"""Words of the paragraph a --grow edit adds: more than a page of the default page size."""
REBUILT = re.compile(r"^rebuilt .* in (?P<seconds>\d+\.\d) s \((?P<pages>\d+) pages\)$")


def watch_times(project: Path, edits: int, grow: bool = False) -> tuple[float, list[float], list[int]]:
    """The first build's time, each rebuild's, as `guide watch` printed them, and each build's pages."""
    env = {**os.environ, "CI": "true"}
    command = [sys.executable, "-m", "guide", "watch", str(project)]
    watcher = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert watcher.stderr is not None
    chapters = sorted((project / "chapters").iterdir())
    chapter = chapters[len(chapters) // 2]
    times: list[float] = []
    pages: list[int] = []
    try:
        for line in watcher.stderr:
            found = REBUILT.match(line.strip())
            if found is None:
                if line.startswith(("build failed", "guide")) or ": error" in line:
                    raise RuntimeError(line)
                continue
            times.append(float(found["seconds"]))
            pages.append(int(found["pages"]))
            if len(times) > edits:
                break
            time.sleep(1)
            text = chapter.read_text(encoding="utf-8")
            edited = text.replace("\n\n", f"\n\n{_edit(len(times), grow)}\n\n", 1)
            chapter.write_text(edited, encoding="utf-8")
    finally:
        watcher.terminate()
        watcher.wait(timeout=60)
    return times[0], times[1:], pages


def _edit(number: int, grow: bool) -> str:
    """The text one edit inserts: a sentence, or with `grow` a paragraph of more than a page."""
    if not grow:
        return f"Edit {number}."
    words = " ".join(WORDS[(number * 7 + i) % len(WORDS)] for i in range(GROW_WORDS))
    return f"Edit {number}: {words}."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[13, 50])
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--grow", action="store_true", help="each edit adds a page to the chapter")
    args = parser.parse_args(argv)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    for posts in args.posts:
        with tempfile.TemporaryDirectory(prefix="guide-watch-bench-") as folder:
            project = write_project(Path(folder) / "guide", posts)
            load = os.getloadavg()
            first, rebuilds, pages = watch_times(project, args.edits, args.grow)
            shown = ", ".join(f"{t:.1f} s ({n} pages)" for t, n in zip(rebuilds, pages[1:], strict=True))
            edit = "one edit adding a page" if args.grow else "one edit"
            print(
                f"{posts} posts ({pages[0]} pages): first build {first:.1f} s,"
                f" rebuilds after {edit}: {shown}"
                f" (load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
