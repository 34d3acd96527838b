"""Golden HTML: the render stage's output for the fixture project, reviewed as a diff.

Regenerate with `make golden`, then read `git diff tests/golden/` before committing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from guide.errors import Report
from guide.fonts import FONT_DIRS
from guide.pipeline import load_book
from guide.render import RenderOptions, render_html

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "fixtures" / "projects" / "basic"
GOLDEN = HERE / "golden" / "basic.html"
CREATED = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def golden_html() -> str:
    """Render the fixture project with machine-specific font paths replaced by placeholders."""
    html = render_html(load_book(PROJECT, Report()), RenderOptions(created=CREATED))
    for index, folder in enumerate(FONT_DIRS):
        html = html.replace(folder.as_uri(), f"file:///FONTS{index}")
    return html


if __name__ == "__main__":
    GOLDEN.write_text(golden_html(), encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(HERE.parent)}: review it with git diff")
