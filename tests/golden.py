"""Golden HTML: the render stage's output for the fixture project, reviewed as a diff.

Regenerate with `make golden`, then read `git diff tests/golden/` before committing.
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
    GOLDEN.write_text(golden_html(), encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(HERE.parent)}: review it with git diff")
