"""Where the package's own templates and styles live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
# A wheel carries the styles inside the package; a checkout keeps them at the top level.
STYLES_DIR = next(
    (d for d in (PACKAGE_DIR / "_styles", PACKAGE_DIR.parent / "styles") if d.is_dir()),
    PACKAGE_DIR.parent / "styles",
)
STYLESHEETS = (
    "page.css",
    "type.css",
    "overflow.css",
    "cover.css",
    "contents.css",
    "chapter.css",
    "credits.css",
)
