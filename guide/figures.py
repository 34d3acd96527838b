"""Let text fill the space a figure would leave empty: no figure leaves over a third of a page blank.

WeasyPrint has no page floats: a figure taller than what is left of a page goes to the next one and
leaves the rest of the page empty. After a layout, `plan` finds each such figure (its chapter's flow
stops early on one page, and the next opens with the figure, perhaps after a heading or a lead-in)
and `settle_figures` lays the document out again with the figure moved after the paragraphs that
fill the space, as a float would be, or with its image made a little smaller when that is enough,
when a lead-in must stay with it, or when no text may move (a heading or the chapter's end follows).
A table too short to break across pages is moved the same way, never shrunk.

A chapter starts on a new page, so the moves in one chapter depend on that chapter alone: a book
laid out as one document and the same book laid out in parts move the same figures. The box tree is
read through guide/pagebox.py; the HTML is rewritten with lxml, the figure keeping its id, caption
and source line.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import lxml.html

if TYPE_CHECKING:  # the box tree is read where pages are laid out: `may_hold_figures` needs neither
    import weasyprint

    from guide.pagebox import Block, ChapterOnPage

MOST_EMPTY = 1 / 3
"""Most of a page's text block a figure may leave empty above it."""
SLACK_PT = 6.0
"""Margins that collapse or vanish at a page break, and rounding."""
GENTLE_SHRINK = 0.85
"""An image this much of its size or more is made smaller rather than moved away from its text."""
SMALLEST_SHRINK = 0.6
"""When no text may fill in, an image is made no smaller than this."""
MAX_LAYOUTS = 3
"""Layouts of one document at most: the first, and two with figures moved."""
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
MOST_LEADING = 2
"""Blocks (headings, a lead-in) that may go with a figure to the next page before it."""

LayOut = Callable[[str], "weasyprint.Document"]


@dataclass(frozen=True)
class Change:
    """What to do with one figure for the next layout."""

    chapter: str
    """The id of the chapter's element."""
    index: int
    """The figure's place among the chapter element's element children."""
    tag: str
    after: int = 0
    """How many following blocks to put before the figure."""
    image_size: tuple[float, float] | None = None
    """The image's new width and height in points, when it is made smaller instead."""


def settle_figures(html: str, lay_out: LayOut) -> weasyprint.Document:
    """Lay `html` out; while a figure leaves too much of a page empty, move or shrink it and lay out again."""
    document = lay_out(html)
    for _ in range(MAX_LAYOUTS - 1):
        changes = plan(document)
        if not changes:
            break
        changed = apply_changes(html, changes)
        if changed == html:
            break
        html = changed
        document = lay_out(html)
    return document


def may_hold_figures(html: str) -> bool:
    """Whether the document has any image a figure pass could move (a cheap test on its text)."""
    return "<img" in html or "<svg" in html


def plan(document: weasyprint.Document) -> list[Change]:
    """The figures of a laid-out document that leave over a third of the page before them empty."""
    from guide import pagebox  # noqa: PLC0415 - WeasyPrint's box tree

    on_pages = [pagebox.chapters_on_page(page) for page in pagebox.pages(document)]
    changes: list[Change] = []
    for before, after in itertools.pairwise(on_pages):
        if before and after and before[-1].chapter and before[-1].chapter == after[0].chapter:
            change = _change(before[-1], after[0])
            if change is not None:
                changes.append(change)
    return changes


@dataclass(frozen=True)
class _Gap:
    """A figure that went to the next page and the space it left at the foot of the one before."""

    leading: list[Block]
    """Headings or a lead-in that went with it."""
    figure: Block
    following: list[Block]
    """The text after it, up to a heading or another figure."""
    too_tall: float
    """How many points the leading blocks and the figure would have to lose to fit."""
    to_fill: float
    """How many points of text must come before it to leave no more than a third empty."""


def _change(before: ChapterOnPage, page: ChapterOnPage) -> Change | None:
    """How to fill the space left at the foot of `before`, if a figure opening `page` left it."""
    gap = _gap(before, page)
    if gap is None:
        return None
    base = Change(before.chapter, gap.figure.index, gap.figure.tag)
    shrunk = _shrunk(gap.figure, gap.too_tall + SLACK_PT)
    if shrunk is not None and shrunk[0] >= GENTLE_SHRINK:
        return replace(base, image_size=shrunk[1])
    lead_in = any("lead-in" in block.classes for block in gap.leading)
    after = 0 if lead_in else _blocks_to_fill(gap.figure, gap.following, gap.to_fill)
    if after:
        return replace(base, after=after)
    if shrunk is not None and shrunk[0] >= SMALLEST_SHRINK:
        return replace(base, image_size=shrunk[1])
    return None


def _gap(before: ChapterOnPage, page: ChapterOnPage) -> _Gap | None:
    if not before.blocks or not page.blocks or before.blocks[-1].continues:
        return None
    empty = before.flow_bottom - before.blocks[-1].bottom
    allowed = (page.area.bottom - page.area.top) * MOST_EMPTY
    found = _pushed_figure(page.blocks)
    if empty <= allowed or found is None:
        return None
    leading, figure, following = found
    first = (leading or [figure])[0]
    # Their space above was dropped at the top of the page, but counts at the foot of the one before.
    needed = figure.bottom - first.top + max(first.margins[0], before.blocks[-1].margins[1])
    if figure.continues or needed <= empty:
        return None  # it would have fitted: something else ended the page
    return _Gap(leading, figure, following, needed - empty, empty - allowed - (figure.top - first.top))


def _pushed_figure(blocks: Sequence[Block]) -> tuple[list[Block], Block, list[Block]] | None:
    """The blocks before the figure opening a page (headings, a lead-in), it, and the text after it."""
    for index, block in enumerate(blocks[: MOST_LEADING + 1]):
        if _floats(block):
            following: list[Block] = []
            for later in blocks[index + 1 :]:
                if later.tag in HEADINGS or _floats(later):
                    break
                following.append(later)
            return list(blocks[:index]), block, following
        if block.tag not in HEADINGS and "lead-in" not in block.classes:
            return None
    return None


def _floats(block: Block) -> bool:
    """Whether a block may move below the text after it: a figure, images alone, or a table."""
    return block.only_images or block.tag == "table"


def _blocks_to_fill(figure: Block, following: Sequence[Block], needed: float) -> int:
    """How many of the blocks after `figure` to put before it so that they fill `needed` points."""
    for count, block in enumerate(following, start=1):
        if block.continues or block.bottom - figure.bottom >= needed + SLACK_PT:
            return count
    return len(following)


def _shrunk(figure: Block, too_tall: float) -> tuple[float, tuple[float, float]] | None:
    """The scale at which the figure's one image makes it `too_tall` points shorter, and the new size."""
    if len(figure.images) != 1:
        return None
    image = figure.images[0]
    width, height = image.right - image.left, image.bottom - image.top
    if height <= too_tall or width <= 0:
        return None
    scale = (height - too_tall) / height
    return scale, (round(width * scale, 1), round(height * scale, 1))


def apply_changes(html: str, changes: Sequence[Change]) -> str:
    """Return the document with each change made; a change that no longer matches is left out."""
    parser = lxml.html.HTMLParser(huge_tree=True)
    root = lxml.html.document_fromstring(html, parser=parser)
    for change in sorted(changes, key=lambda c: (c.chapter, -c.index)):
        found = next((e for e in root.iter() if e.get("id") == change.chapter), None)
        if isinstance(found, lxml.html.HtmlElement):
            _apply(found, change)
    return str(lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>"))


def _apply(chapter: lxml.html.HtmlElement, change: Change) -> None:
    children = [child for child in chapter if isinstance(child.tag, str)]
    if change.index + change.after >= len(children) or children[change.index].tag != change.tag:
        return
    figure = children[change.index]
    if change.image_size is not None:
        images = [e for e in figure.iter("img", "svg")] if figure.tag not in ("img", "svg") else [figure]
        if len(images) == 1:
            width, height = change.image_size
            style = (images[0].get("style") or "").rstrip().rstrip(";")
            sized = f"width: {width}pt; height: {height}pt; max-width: none; max-height: none"
            images[0].set("style", f"{style}; {sized}" if style else sized)
        return
    children[change.index + change.after].addnext(figure)
