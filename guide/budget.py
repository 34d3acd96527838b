"""Refuse a rendered guide whose layout would overrun the time budget, before typesetting it.

The per-post limits (guide/sources/limits.py) bound what one post's Markdown costs to convert;
what typesetting costs is counted here, on the HTML every source becomes (a Markdown table, raw
HTML, an imported page) and after the print edition has turned addresses into footnotes; the
images, wherever they are asked for, by guide/imagebudget.py.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tinycss2

from guide.cssimports import Sheet, author_sheets
from guide.errors import Diagnostic, GuideError
from guide.limits import (
    BUDGET_SCALED,
    MAX_GUIDE_BLOCKS,
    MAX_GUIDE_ELEMENTS,
    MAX_GUIDE_FOOTNOTES,
    MAX_GUIDE_TABLE_CELLS,
    MAX_POST_ELEMENTS,
    MAX_STYLE_IMPORTS,
    MAX_STYLE_SELECTOR_PARTS,
)

MARK = re.compile(
    # The lookahead only skips the positions no alternative can start at (twice as fast on a long guide).
    r"(?=[<dc])(?:"
    r'data-source-path="(?P<path>[^"]*)"|data-source-line="(?P<line>\d+)"|(?P<note>class="footnote[\s"])'
    r'|<img\s[^>]*?\bsrc="(?P<src>[^"]*)"|(?P<cell><t[dh][\s>/])'
    r"|(?P<block><(?:p|li|h[1-6]|tr|pre|blockquote|div|dt|dd|figure)[\s>/])|(?P<element><[a-zA-Z]))"
)
BUDGETS = {
    "block": (MAX_GUIDE_BLOCKS, "the guide has over {:,} paragraphs, list items, headings and other blocks"),
    "cell": (MAX_GUIDE_TABLE_CELLS, "the guide's tables add up to over {:,} cells"),
    "note": (
        MAX_GUIDE_FOOTNOTES,
        "the guide has over {:,} footnotes (with the print edition's address notes)",
    ),
    "element": (MAX_GUIDE_ELEMENTS, "the guide has over {:,} elements (paragraphs, emphasis, links, cells…)"),
    "post element": (
        MAX_POST_ELEMENTS,
        "the post has over {:,} elements (paragraphs, emphasis, links, cells…)",
    ),
}
"""What is counted -> its limit and the message past it. All but "post element" are whole-guide budgets,
which guide.toml's `budget_scale` multiplies."""


def check_layout_budget(document: str, scale: int = 1) -> None:
    """Raise GuideError at the element that takes the guide past a budget: elements, blocks, cells, footnotes.

    `document` is the rendered guide; `scale` (1 to MAX_BUDGET_SCALE, guide.toml's `budget_scale`)
    multiplies the whole-guide counts. The images are counted by guide.imagebudget.
    """
    counts = dict.fromkeys(BUDGETS, 0)
    for kind, _, path, line in _marks(document):
        if kind == "path":
            counts["post element"] = 0
        for counted in _counted(kind):
            counts[counted] += 1
            limit, message = BUDGETS[counted]
            if counted == "post element":
                if counts[counted] > limit:
                    _refuse(path, line, message.format(limit) + "; shorten it or split it")
            elif counts[counted] > limit * scale:
                _refuse(path, line, message.format(limit * scale) + f"; shorten them, {BUDGET_SCALED}")


def shown_images(document: str) -> Iterator[tuple[str, str, int | None]]:
    """(src, post, line) of each <img> of the rendered guide, in order; before the first post, guide.toml."""
    for kind, src, path, line in _marks(document):
        if kind == "src" and src is not None:
            yield html.unescape(src), path, line


Mark = tuple[str | None, str | None, str, int | None]
"""A MARK match: its kind, the address of an <img>'s src (else None), the post and the line it lies in."""


@functools.lru_cache(maxsize=1)
def _marks(document: str) -> tuple[Mark, ...]:
    """Each MARK match with its kind and the post and line it lies in (from data-source-path and -line).

    Made once per rendered guide: the layout budget and the image budget walk the same one.
    """
    marks: list[Mark] = []
    path, line = "guide.toml", None
    for found in MARK.finditer(document):
        kind = found.lastgroup
        if kind == "path":
            path, line = html.unescape(found.group("path")), None
        elif kind == "line":
            line = int(found.group("line"))
        marks.append((kind, found.group("src") if kind == "src" else None, path, line))
    return tuple(marks)


def _counted(kind: str | None) -> tuple[str, ...]:
    """The budgets one match spends: every tag is an element; some are also a block or a cell."""
    if kind in ("block", "cell"):
        return (kind, "element", "post element")
    if kind in ("src", "element"):
        return ("element", "post element")
    return ("note",) if kind == "note" else ()


def _refuse(path: str, line: int | None, message: str) -> None:
    raise GuideError(Diagnostic(path, line, message))


SELECTOR_PART = re.compile(r"\s*[>+~]\s*|\s+|,")
"""What separates the compound selectors of a selector list: a combinator or a comma."""


def check_style_budget(css: str, source_path: str, project: Path) -> tuple[Sheet, ...]:
    """Return the author's sheets (guide.cssimports.author_sheets), read once; raise GuideError if
    the stylesheet and the files it imports have too many selector parts or imports.

    The cascade matches every selector against every element it may apply to, so the parts of
    the author's selectors multiply the guide's elements (MAX_STYLE_SELECTOR_PARTS). Imports are
    followed as the typesetter resolves them (guide.cssimports), at most MAX_STYLE_IMPORTS files.
    """
    parts = 0
    walked: list[Sheet] = []
    for number, sheet in enumerate(author_sheets(css, source_path, project)):
        walked.append(sheet)
        if number > MAX_STYLE_IMPORTS and sheet.imported_at is not None:
            _refuse(
                *sheet.imported_at,
                f"the stylesheet imports over {MAX_STYLE_IMPORTS} stylesheets; merge them",
            )
        for line, count in _selector_parts(tinycss2.parse_stylesheet(sheet.text, True, True)):
            parts += count
            if parts > MAX_STYLE_SELECTOR_PARTS:
                _refuse(
                    sheet.shown,
                    line,
                    f"the stylesheets' selectors have over {MAX_STYLE_SELECTOR_PARTS:,} parts "
                    "(each is matched against every element); simplify them",
                )
    return tuple(walked)


def _selector_parts(rules: list[Any]) -> Iterator[tuple[int, int]]:
    """(line, selector parts) of each style rule, nested @media and @supports rules too."""
    for rule in rules:
        if rule.type == "qualified-rule":
            prelude = tinycss2.serialize(rule.prelude).strip()
            yield rule.source_line, len([p for p in SELECTOR_PART.split(prelude) if p])
        elif rule.type == "at-rule" and rule.content is not None:
            yield from _selector_parts(tinycss2.parse_blocks_contents(rule.content, True, True))
