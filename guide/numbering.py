"""One numbering scheme: the series' own numbers when the titles carry them, else the book's.

"Part 3: Moderation", "3/13 Moderation", "Chapter 3 – Moderation" and "Moderation (3/13)" name
their number; printing "Chapter 3" above "Part 3: Moderation" says it twice. When most titles
carry one, the label takes the number and the title keeps the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DASHES = r"[:.\-\u2013\u2014|]"
PREFIX_PATTERNS = (
    # "Part 3: Title", "Chapter 3 - Title", "Lesson 3. Title", "Part 3 of 13: Title"
    re.compile(
        rf"^(?P<word>part|chapter|lesson|step|day|week|episode|module|session)\s+(?P<number>\d+)"
        rf"(?:\s*(?:of|/)\s*\d+)?\s*{_DASHES}\s*(?P<rest>\S.*)$",
        re.IGNORECASE,
    ),
    # "3/13: Title", "3/13 Title", "(3/13) Title"
    re.compile(rf"^\(?(?P<number>\d+)\s*/\s*\d+\)?\s*{_DASHES}?\s*(?P<rest>\S.*)$"),
    # "Title (3/13)", "Title (Part 3 of 13)", "Title, part 3"
    re.compile(
        r"^(?P<rest>.*\S)\s*[,:\-\u2013\u2014]?\s*[(\[]\s*(?:(?P<word>part)\s+)?(?P<number>\d+)"
        r"\s*(?:of|/)\s*\d+\s*[)\]]$",
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True)
class Numbered:
    """How one chapter is labelled."""

    label: str | None
    """The line above the title ("Part 3", "Chapter 3"), or None for an unnumbered chapter."""
    number: str
    """The number shown beside the contents entry ("3"), or "" for an unnumbered chapter."""
    title: str
    """The title as printed: without the series prefix when the label carries it."""


def series_number(title: str) -> tuple[str, int, str] | None:
    """Return (word, number, rest) when `title` carries a series number, else None."""
    for pattern in PREFIX_PATTERNS:
        found = pattern.match(title.strip())
        if found:
            word = (found.groupdict().get("word") or "part").capitalize()
            return word, int(found.group("number")), found.group("rest").strip()
    return None


def number_chapters(titles: list[str]) -> list[Numbered]:
    """Label every chapter with one scheme: the titles' own numbers if most carry one, else 1, 2, 3."""
    found = [series_number(title) for title in titles]
    numbers = [f[1] for f in found if f is not None]
    if len(numbers) >= 2 and 2 * len(numbers) >= len(titles) and len(set(numbers)) == len(numbers):
        return [
            Numbered(f"{f[0]} {f[1]}", str(f[1]), f[2]) if f else Numbered(None, "", title)
            for f, title in zip(found, titles, strict=True)
        ]
    return [Numbered(f"Chapter {n}", str(n), title) for n, title in enumerate(titles, start=1)]
