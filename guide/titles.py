"""Balanced title lines: a title that needs n lines is broken into n lines of near-equal width.

CSS `text-wrap: balance` does this in browsers; WeasyPrint does not support it. The cover title and
the chapter titles are measured here with the font files the stylesheet names (advance widths read
with fontTools, at the size styles/cover.css and styles/chapter.css use) and broken with `<br>`
where the most even lines result. A line the measure underrates simply wraps again: nothing can
run off the page. Without a break the last two words are kept together (`keep_last_words`).

Reading a font's character map costs about 40 ms, in every process that renders a title: given a
cache folder, the advance width of each character is kept there as JSON, named by a digest of the
font file, and read back (an entry that does not parse is made again).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont
from markupsafe import Markup, escape

from guide.fonts import SANS_DIR
from guide.resolution import PAGE_WIDTHS_MM, SIDE_MARGINS_MM
from guide.uptodate import write_atomically

PT_PER_MM = 72 / 25.4
SAFETY = 0.99
"""Share of the measure a line may fill as measured: kerning and rounding the sums leave out."""
DANGLING = 0.2
"""How much less even (a share of the measure) a line ending in a one-letter word counts."""
MOST_WORDS = 24
"""Past this many words a title is left to the typesetter (the search grows with the words)."""


@dataclass(frozen=True)
class TitleStyle:
    """How a kind of title is set: its font file and size, and how much of the page width it may fill."""

    font: Path
    size_pt: float
    width_share: float
    """The title's line width as a share of the page width."""
    side_mm: float
    """Millimetres taken from the page width besides the share: the page margins."""


COVER = TitleStyle(SANS_DIR / "SourceSansPro-Bold.otf", 26.0, 1 - 2 * 0.11, 0.0)
"""styles/cover.css: `.cover-title` 26pt bold Guide Sans, the cover page's padding 11vw a side."""
CHAPTER = TitleStyle(SANS_DIR / "SourceSansPro-Bold.otf", 19.0, 1.0, SIDE_MARGINS_MM)
"""styles/chapter.css: `.chapter h1` 19pt bold Guide Sans, across the text block."""
STYLES = {"cover": COVER, "chapter": CHAPTER}


def measure_pt(style: TitleStyle, page_size: str) -> float:
    """The width a title of this style may fill on `page_size` paper, in points."""
    return (PAGE_WIDTHS_MM[page_size] * style.width_share - style.side_mm) * PT_PER_MM


METRICS_FORMAT = b"guide-title-metrics-1"


@dataclass(frozen=True)
class Metrics:
    """What a title is measured with: each mapped character's advance width, in font units per em."""

    advances: dict[int, int]
    """Code point -> advance width."""
    units: int


@functools.cache
def _font(path: Path, cache: Path | None = None) -> Metrics:
    """The font's metrics, read from the font file or from `cache` (a folder) where they are kept."""
    digest = hashlib.sha256(METRICS_FORMAT + b"\0" + path.read_bytes()).hexdigest()
    kept = cache / f"{digest}.json" if cache is not None else None
    metrics = _read_metrics(kept) if kept is not None else None
    if metrics is None:
        metrics = _read_font(path)
        if kept is not None:
            record = {"units": metrics.units, "advances": sorted(metrics.advances.items())}
            with contextlib.suppress(OSError):  # a read-only cache: the next build reads the font again
                write_atomically(kept, json.dumps(record).encode())
    return metrics


def _read_font(path: Path) -> Metrics:
    with TTFont(path, lazy=True) as font:
        widths = font["hmtx"].metrics
        advances = {point: widths[name][0] for point, name in font.getBestCmap().items() if name in widths}
        return Metrics(advances, int(font["head"].unitsPerEm))


def _read_metrics(path: Path) -> Metrics | None:
    """The metrics kept at `path`, or None if missing or not {"units": n, "advances": [[point, width]...]}."""
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    units, pairs = record.get("units"), record.get("advances")
    if type(units) is not int or units <= 0 or not isinstance(pairs, list) or not pairs:
        return None
    if not all(isinstance(p, list) and len(p) == 2 and all(type(v) is int for v in p) for p in pairs):
        return None
    return Metrics({point: width for point, width in pairs}, units)


def text_width(text: str, style: TitleStyle, cache: Path | None = None) -> float:
    """The width of `text` set in the style's font and size, in points (kerning left out).

    `cache`: a folder keeping the font's metrics across processes.
    """
    metrics = _font(style.font, cache)
    fallback = metrics.advances.get(ord("n"), metrics.units // 2)
    total = sum(metrics.advances.get(ord(char), fallback) for char in text)
    return total * style.size_pt / metrics.units


def balanced_lines(
    widths: Sequence[float], space: float, measure: float, short: Sequence[bool] | None = None
) -> list[int]:
    """The indices of the words that start lines 2..n for the most even lines, n the fewest that fit.

    Lines of one word are avoided when the words allow (two a line or more); then the smallest
    difference between the longest and the shortest line wins, a line ending in one of the `short`
    words ("a") counting as DANGLING of the measure less even. Returns [] when one line fits.
    """
    count = len(widths)
    short = short or [False] * count

    def width(start: int, end: int) -> float:
        return sum(widths[start:end]) + space * (end - start - 1)

    for lines in range(1, count + 1):
        best: tuple[int, float, tuple[int, ...]] | None = None
        for breaks in itertools.combinations(range(1, count), lines - 1):
            edges = (0, *breaks, count)
            spans = list(itertools.pairwise(edges))
            sizes = [width(a, b) for a, b in spans]
            if max(sizes) > measure:
                continue
            lonely = sum(1 for a, b in spans if b - a == 1) if count >= 2 * lines else 0
            dangling = sum(1 for start in breaks if short[start - 1])
            key = (lonely, max(sizes) - min(sizes) + dangling * DANGLING * measure, breaks)
            if best is None or key < best:
                best = key
        if best is not None:
            return list(best[2])
    return []


def balance_title(text: str, kind: str, page_size: str, cache: Path | None = None) -> Markup:
    """The title as HTML broken into balanced lines (`kind`: 'cover' or 'chapter').

    `cache`: a folder keeping the title font's metrics across processes.
    """
    words = text.split()
    style = STYLES[kind]
    if len(words) < 2 or len(words) > MOST_WORDS or page_size not in PAGE_WIDTHS_MM:
        return keep_last_words(text)
    measure = measure_pt(style, page_size) * SAFETY
    widths = [text_width(word, style, cache) for word in words]
    short = [len(word) == 1 for word in words]
    starts = balanced_lines(widths, text_width(" ", style, cache), measure, short)
    if not starts:
        return keep_last_words(text)
    edges = (0, *starts, len(words))
    lines = [" ".join(words[a:b]) for a, b in itertools.pairwise(edges)]
    # The space stays before each break: copied text, bookmarks and running heads read one line.
    return Markup(" <br>").join(escape(line) for line in lines)


def keep_last_words(text: str) -> Markup:
    """Keep a title's last two words on one line, so no word stands alone on the last line.

    A `white-space: nowrap` span rather than a no-break space: copied text, bookmarks and
    searches keep a plain space.
    """
    words = text.split()
    if len(words) < 3 or len(" ".join(words[-2:])) > 24:
        return escape(text)
    return Markup('{} <span class="together">{}</span>').format(" ".join(words[:-2]), " ".join(words[-2:]))
