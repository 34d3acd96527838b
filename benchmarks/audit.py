"""Time the layout audit (guide/audit.py) against the build it runs in.

The audit runs on every build, after layout and before the PDF is written; its budget is 3% of the
build's time on a 50-post guide. For a synthetic project (see `synthetic.py`) this script times, in
one process: a whole `guide.build` (reading, rendering, layout, audit, writing), then layout alone
(WeasyPrint's `render`) and the audit alone, several times each on one laid-out document. It
reports the best of each and the audit's share of the build. It is a report, not a test.

Usage: `.venv/bin/python benchmarks/audit.py [--posts 50] [--repeat 5]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import weasyprint
from synthetic import write_project

from guide import BuildOptions, build
from guide.audit import audit_document
from guide.errors import Report
from guide.pipeline import make_html
from guide.typeset import PDF_VARIANT

BUDGET = 0.03


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The shortest wall time of `repeat` runs of `work`, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    with tempfile.TemporaryDirectory(prefix="guide-audit-bench-") as folder:
        project = write_project(Path(folder) / "project", args.posts)
        output = Path(folder) / "guide.pdf"
        runs = max(1, args.repeat // 2)
        # One document (--jobs 1): the audit runs in the build's own process, on the whole book.
        build_seconds = best_of(runs, lambda: build(project, output, BuildOptions(jobs=1)))
        html = make_html(project, BuildOptions(), Report())
        base_url = project.as_uri() + "/"
        document = weasyprint.HTML(string=html, base_url=base_url).render(pdf_variant=PDF_VARIANT)
        render_seconds = best_of(
            1, lambda: weasyprint.HTML(string=html, base_url=base_url).render(pdf_variant=PDF_VARIANT)
        )
        audit_seconds = best_of(args.repeat, lambda: audit_document(document))
        findings = len(audit_document(document))
    pages = len(document.pages)
    python = sys.version.split()[0]
    print(f"{args.posts} posts, {pages} pages; best of {args.repeat} audit runs, python {python}")
    print(f"  guide build --jobs 1:    {build_seconds:7.3f} s")
    print(f"  layout alone (render):   {render_seconds:7.3f} s")
    print(f"  audit alone:             {audit_seconds:7.3f} s  ({findings} findings)")
    share = audit_seconds / build_seconds
    verdict = "within" if share <= BUDGET else "OVER"
    print(f"  audit / layout alone:    {audit_seconds / render_seconds:7.2%}")
    print(f"  audit / build:           {share:7.2%}  ({verdict} the {BUDGET:.0%} budget)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
