"""Check before layout that the shipped fonts have a glyph for every character of every post."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import unicodedata
from pathlib import Path

import lxml.html
from fontTools.ttLib import TTFont

from guide.book import Book, Chapter
from guide.errors import Report
from guide.fonts import FACES
from guide.positions import element_line
from guide.uptodate import write_atomically

NOT_DRAWN = {"Cc", "Cf", "Zl", "Zp"}
"""Unicode categories that need no glyph: controls, format characters (soft hyphen, joiners)."""
COVERAGE_FORMAT = b"guide-coverage-1"


@functools.cache
def covered(cache: Path | None = None) -> frozenset[int]:
    """Return the code points some shipped face can draw: WeasyPrint falls back across all of them.

    Reading the fonts' character maps costs more than the rest of the check: with `cache` (a
    folder), the answer is kept there under a digest of the font files, and read back (an entry
    that does not parse is made again).
    """
    digest = hashlib.sha256(COVERAGE_FORMAT)
    for face in FACES:
        digest.update(hashlib.sha256(face.path.read_bytes()).digest())
    path = cache / f"{digest.hexdigest()}.json" if cache is not None else None
    points = _read_coverage(path) if path is not None else None
    if points is None:
        points = _coverage()
        if path is not None:
            with contextlib.suppress(OSError):  # a read-only cache: the next build reads the fonts again
                write_atomically(path, json.dumps(_ranges(points)).encode())
    return points


def _coverage() -> frozenset[int]:
    points: set[int] = set()
    for face in FACES:
        with TTFont(face.path, lazy=True) as font:  # closes the file: no ResourceWarning
            points |= set(font.getBestCmap())
    return frozenset(points)


def _ranges(points: frozenset[int]) -> list[list[int]]:
    """`points` as sorted [first, last] runs."""
    runs: list[list[int]] = []
    for point in sorted(points):
        if runs and runs[-1][1] == point - 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return runs


def _read_coverage(path: Path) -> frozenset[int] | None:
    """The code points kept at `path`, or None if it is missing or not a non-empty list of [first, last]
    runs."""
    try:
        runs = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    points: set[int] = set()
    for run in runs if isinstance(runs, list) else [None]:
        if not (isinstance(run, list) and len(run) == 2 and all(type(v) is int for v in run)):
            return None
        points.update(range(run[0], run[1] + 1))
    return frozenset(points) or None


def check_glyphs(book: Book, report: Report, cache: Path | None = None) -> set[str]:
    """Warn once per post and character the fonts lack, at its first line; return those characters.

    `cache` is a folder keeping which characters the fonts have (see `covered`).
    """
    points = covered(cache)
    missing: set[str] = set()
    for chapter in book.chapters:
        for char, line in _uncovered(chapter, points).items():
            missing.add(char)
            report.warn(
                chapter.post.source_path,
                line,
                f"the guide's fonts have no glyph for {char!r} (U+{ord(char):04X}); "
                "it would print as a blank box",
            )
    return missing


def _uncovered(chapter: Chapter, points: frozenset[int]) -> dict[str, int | None]:
    """Map each character the fonts lack to the first line of the chapter that holds it."""
    found: dict[str, int | None] = {char: None for char in _lacking(chapter.post.title, points)}
    if not chapter.body_html.strip() or _all_covered(chapter.body_html, points):
        return found
    root = lxml.html.fragment_fromstring(chapter.body_html, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for text in (element.text, element.tail if element is not root else None):
            for char in _lacking(text or "", points):
                found.setdefault(char, element_line(element))
    return found


_CHARACTER_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)")


def _all_covered(html: str, points: frozenset[int]) -> bool:
    """Whether every character of the markup itself is drawn: then no element's text needs a look.

    Character references other than the five of XML could stand for any character: those need it.
    """
    return not _lacking(html, points) and _CHARACTER_REFERENCE.search(html) is None


def _lacking(text: str, points: frozenset[int]) -> list[str]:
    return [
        char
        for char in dict.fromkeys(text)
        if ord(char) not in points and not char.isspace() and unicodedata.category(char) not in NOT_DRAWN
    ]
