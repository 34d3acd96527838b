"""Check before layout that the shipped fonts have a glyph for every character of every post."""

from __future__ import annotations

import functools
import re
import unicodedata

import lxml.html
from fontTools.ttLib import TTFont

from guide.book import Book, Chapter
from guide.errors import Report
from guide.fonts import FACES
from guide.positions import element_line

NOT_DRAWN = {"Cc", "Cf", "Zl", "Zp"}
"""Unicode categories that need no glyph: controls, format characters (soft hyphen, joiners)."""


@functools.cache
def covered() -> frozenset[int]:
    """Return the code points some shipped face can draw: WeasyPrint falls back across all of them."""
    points: set[int] = set()
    for face in FACES:
        with TTFont(face.path, lazy=True) as font:  # closes the file: no ResourceWarning
            points |= set(font.getBestCmap())
    return frozenset(points)


def check_glyphs(book: Book, report: Report) -> set[str]:
    """Warn once per post and character the fonts lack, at its first line; return those characters."""
    missing: set[str] = set()
    for chapter in book.chapters:
        for char, line in _uncovered(chapter).items():
            missing.add(char)
            report.warn(
                chapter.post.source_path,
                line,
                f"the guide's fonts have no glyph for {char!r} (U+{ord(char):04X}); "
                "it would print as a blank box",
            )
    return missing


def _uncovered(chapter: Chapter) -> dict[str, int | None]:
    """Map each character the fonts lack to the first line of the chapter that holds it."""
    found: dict[str, int | None] = {char: None for char in _lacking(chapter.post.title)}
    if not chapter.body_html.strip() or _all_covered(chapter.body_html):
        return found
    root = lxml.html.fragment_fromstring(chapter.body_html, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for text in (element.text, element.tail if element is not root else None):
            for char in _lacking(text or ""):
                found.setdefault(char, element_line(element))
    return found


_CHARACTER_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)")


def _all_covered(html: str) -> bool:
    """Whether every character of the markup itself is drawn: then no element's text needs a look.

    Character references other than the five of XML could stand for any character: those need it.
    """
    return not _lacking(html) and _CHARACTER_REFERENCE.search(html) is None


def _lacking(text: str) -> list[str]:
    points = covered()
    return [
        char
        for char in dict.fromkeys(text)
        if ord(char) not in points and not char.isspace() and unicodedata.category(char) not in NOT_DRAWN
    ]
