"""Check a numbered series ("Part 3 of 13", "(3/13)"): missing, duplicated or misplaced parts."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from guide.errors import Report

TITLE_PATTERNS = (
    re.compile(r"\bpart\s+(\d+)\s*(?:of|/)\s*(\d+)\b", re.IGNORECASE),
    re.compile(r"\(\s*(\d+)\s*/\s*(\d+)\s*\)"),
    re.compile(r"\[\s*(\d+)\s*/\s*(\d+)\s*\]"),
)
URL_PATTERN = re.compile(r"part-(\d+)-of-(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """One chapter that names its place in a series."""

    chapter: str
    """The chapter file, relative to the project."""
    number: int
    total: int


def series_part(title: str, url: str | None) -> tuple[int, int] | None:
    """Return (part, total) a title or URL names, if any."""
    for pattern in TITLE_PATTERNS:
        found = pattern.search(title)
        if found:
            return int(found.group(1)), int(found.group(2))
    if url:
        found = URL_PATTERN.search(unquote(urlsplit(url).path))
        if found:
            return int(found.group(1)), int(found.group(2))
    return None


def check_series(parts: list[Part], report: Report) -> None:
    """Warn about every missing, duplicated or out-of-order part, series by series."""
    by_total: dict[int, list[Part]] = defaultdict(list)
    for part in parts:
        by_total[part.total].append(part)
    for total, series in sorted(by_total.items()):
        _check_one(total, series, report)


def _check_one(total: int, series: list[Part], report: Report) -> None:
    where: dict[int, str] = {}
    for part in series:
        if part.number in where:
            report.warn(
                part.chapter, None, f"part {part.number} of {total} again (also {where[part.number]})"
            )
        elif part.number < 1 or part.number > total:
            report.warn(part.chapter, None, f"part {part.number} of {total} is outside the series")
        else:
            where[part.number] = part.chapter
    missing = [n for n in range(1, total + 1) if n not in where]
    if missing:
        names = ", ".join(str(n) for n in missing)
        plural = "s" if len(missing) > 1 else ""
        report.warn(series[0].chapter, None, f"series of {total} parts is missing part{plural} {names}")
    for earlier, later in itertools.pairwise(series):
        if later.number < earlier.number:
            report.warn(
                later.chapter,
                None,
                f"part {later.number} of {total} comes after part {earlier.number} ({earlier.chapter}): "
                "parts are out of order",
            )


def check_guide_series(chapters: list[tuple[str, str, str | None]], report: Report) -> None:
    """Check the series in a guide's chapters, given as (path, title, url) in reading order."""
    parts = []
    for path, title, url in chapters:
        found = series_part(title, url)
        if found:
            parts.append(Part(path, *found))
    check_series(parts, report)
