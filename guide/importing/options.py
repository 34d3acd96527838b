"""What the author asked `guide import` for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Order(StrEnum):
    """Chapter order: oldest post first (reading order of a series) or newest first."""

    OLDEST = "oldest"
    NEWEST = "newest"


@dataclass(frozen=True)
class ImportOptions:
    """Filters, order and where to write."""

    project: Path
    """The guide project to create or extend."""
    category: str | None = None
    """Import only posts in this category (name or slug, any case)."""
    tag: str | None = None
    """Import only posts with this tag (name or slug, any case)."""
    search: str | None = None
    """Import only posts whose title or text contains this, any case."""
    since: dt.date | None = None
    """Import only posts published on or after this day."""
    until: dt.date | None = None
    """Import only posts published on or before this day."""
    order: Order = Order.OLDEST
    """Chapter order in guide.toml."""
    media: Path | None = None
    """A copy of the blog's uploads folder, to bring its images into the project."""
    force: bool = False
    """Overwrite chapter files that differ from what this import would write."""
    title: str | None = None
    """The guide's title for a new guide.toml, instead of the one the sources give."""
    author: str | None = None
    """The guide's author for a new guide.toml, instead of the one the sources give."""
    fallback_author: str | None = None
    """The author for a new guide.toml when neither --author nor the sources name one (`guide new`:
    git's user.name, else "" for no name on purpose); None leaves the key out, with a warning."""
