"""How low a rebuild in a new process can go: the start-up floor, as ratios to bare WeasyPrint.

Issue 12 asks for a one-chapter edit rebuilt from the disk cache, in a new process, in at most
0.15 x bare WeasyPrint's time. At 13 posts bare WeasyPrint takes about 3 s, so that is under half
a second for a process that must start Python, load WeasyPrint, lay at least one part out and
merge. This script measures, interleaved, each as a fresh child process (under launch.py):

* bare:   WeasyPrint alone on guide's HTML (PDF/UA-1), as in run.py;
* import: Python, then WeasyPrint loaded as guide loads it (`guide.weasyload.import_weasyprint`);
* page:   the same, then one paragraph in the guide's serif face, hyphenated, written as PDF/UA-1;
* edit:   one more sentence in a chapter in the middle, then `guide build` from the disk cache.

`page` is a floor no rebuild in a new process can go under: it reads no book, lays out one line
instead of a part and merges nothing. Each figure is the median over the rounds of (time / that
round's bare time). A report, not a test.

Usage: `.venv/bin/python benchmarks/floor.py [--posts 13] [--rounds 5]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from run import bare_command, run_child, tool, write_html
from synthetic import write_project

ONE_PAGE = """
import sys
from guide.weasyload import import_weasyprint
import_weasyprint()
import weasyprint
from guide.fonts import font_face_css
css = font_face_css() + 'p { font: 10pt "Guide Serif"; hyphens: auto; }'
html = f'<html lang="en"><style>{css}</style><p>One paragraph of hyphenated, extraordinary words.</p></html>'
weasyprint.HTML(string=html).write_pdf(sys.argv[1], pdf_variant="pdf/ua-1")
"""
BARE_ARGS = ("--pdf-variant", "pdf/ua-1")
IMPORT = "from guide.weasyload import import_weasyprint; import_weasyprint()"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=13)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        project = write_project(work / "project", args.posts)
        html = work / "html"
        write_html(project, html)
        guide = [tool("guide"), "build", str(project), "-o", str(work / "guide.pdf"), "--force"]
        run_child(guide)  # the cache the edits rebuild from
        chapter = sorted((project / "chapters").glob("*.md"))[args.posts // 2]
        ratios: dict[str, list[float]] = {"import": [], "page": [], "edit": []}
        for round_number in range(args.rounds):
            bare = run_child(bare_command(project, html, work / "bare.pdf", BARE_ARGS)).seconds
            ratios["import"].append(run_child([sys.executable, "-c", IMPORT]).seconds / bare)
            page = run_child([sys.executable, "-c", ONE_PAGE, str(work / "page.pdf")])
            ratios["page"].append(page.seconds / bare)
            with chapter.open("a", encoding="utf-8") as text:
                text.write(f"\n\nOne more sentence, round {round_number}.\n")
            ratios["edit"].append(run_child(guide).seconds / bare)
            print(f"  .. round {round_number + 1}: bare {bare:.2f} s", file=sys.stderr, flush=True)
    print(f"{args.posts} posts, {args.rounds} rounds, medians of time / bare WeasyPrint's:")
    for name, values in ratios.items():
        print(f"  {name:7s} {statistics.median(values):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
