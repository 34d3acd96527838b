"""Time `guide watch`'s rebuilds as it prints them, after editing one chapter of a synthetic guide.

For each post count, this script writes a synthetic project (see `synthetic.py`), starts
`guide watch PROJECT` in a subprocess, waits for its first build, then edits one chapter (the middle
one) `--edits` times, waiting for each rebuild, and reports the times the watch printed
("rebuilt ... in X s"): the first build's and each rebuild's, with the machine's load average. It
is a report, not a test.

Usage: `.venv/bin/python benchmarks/watch.py [--posts 13 50] [--edits 3]`.
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

from synthetic import write_project

REBUILT = re.compile(r"^rebuilt .* in (?P<seconds>\d+\.\d) s \((?P<pages>\d+) pages\)$")


def watch_times(project: Path, edits: int) -> tuple[float, list[float], int]:
    """The first build's time, each rebuild's, as `guide watch` printed them, and the page count."""
    env = {**os.environ, "CI": "true"}
    command = [sys.executable, "-m", "guide", "watch", str(project)]
    watcher = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert watcher.stderr is not None
    chapters = sorted((project / "chapters").iterdir())
    chapter = chapters[len(chapters) // 2]
    times: list[float] = []
    pages = 0
    try:
        for line in watcher.stderr:
            found = REBUILT.match(line.strip())
            if found is None:
                if line.startswith(("build failed", "guide")) or ": error" in line:
                    raise RuntimeError(line)
                continue
            times.append(float(found["seconds"]))
            pages = int(found["pages"])
            if len(times) > edits:
                break
            time.sleep(1)
            text = chapter.read_text(encoding="utf-8")
            chapter.write_text(text.replace("\n\n", f"\n\nEdit {len(times)}.\n\n", 1), encoding="utf-8")
    finally:
        watcher.terminate()
        watcher.wait(timeout=60)
    return times[0], times[1:], pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[13, 50])
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    for posts in args.posts:
        with tempfile.TemporaryDirectory(prefix="guide-watch-bench-") as folder:
            project = write_project(Path(folder) / "guide", posts)
            load = os.getloadavg()
            first, rebuilds, pages = watch_times(project, args.edits)
            shown = ", ".join(f"{t:.1f}" for t in rebuilds)
            print(
                f"{posts} posts ({pages} pages): first build {first:.1f} s,"
                f" rebuilds after one edit: {shown} s"
                f" (load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
