"""Golden HTML and pages: the render stage's output for the fixture project, reviewed as a diff,
and the sample's pages rendered to PNG, reviewed by eye (tests/golden_pages.py).

Regenerate with `make golden`, then read `git diff tests/golden/` and look at the PNGs it names
before committing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from guide.errors import Report
from guide.pipeline import load_book
from guide.render import RenderOptions, render_html

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "fixtures" / "projects" / "basic"
GOLDEN = HERE / "golden" / "basic.html"
CREATED = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def golden_html() -> str:
    """Render the fixture project, its stylesheet left out."""
    html = render_html(load_book(PROJECT, Report()), RenderOptions(created=CREATED))
    # The stylesheets are reviewed as themselves in styles/; the golden file is about structure.
    return re.sub(r"<style>.*?</style>", "<style><!-- styles/*.css --></style>", html, count=1, flags=re.S)


if __name__ == "__main__":
    from tests.golden_pages import OUT, REFERENCE, golden_pages

    GOLDEN.write_text(golden_html(), encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(HERE.parent)}: review it with git diff")
    changed = golden_pages(update=True)
    out = OUT.relative_to(HERE.parent)
    print(f"wrote {out}/pages/page-NN.png and {out}/sheet.png: look at every page")
    for number, share in changed:
        print(f"page {number} changed ({share:.1%} of its thumbnail pixels)")
    if changed:
        print(
            f"wrote {out}/changed.png (reviewed thumbnail | new page), "
            f"and {REFERENCE.relative_to(HERE.parent)}"
        )
    else:
        print("no page changed from the reviewed thumbnails")
