"""The one place that reads WeasyPrint's laid-out page and box tree, which WeasyPrint keeps internal.

WeasyPrint's public API gives a rendered page's size, links and anchors; where each box landed is
internal (`Page._page_box`, each box's `element`, `style`, `border_box_x()`...). The layout audit reads
all of that through this module only, as plain values in points, so a WeasyPrint upgrade that moves
things breaks this module and tests/test_pagebox.py, and nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import weasyprint
from weasyprint.formatting_structure import boxes

PT_PER_PX = 0.75
"""WeasyPrint lays out in CSS pixels (1/96 in); points are 1/72 in."""
SOURCE_LINE = "data-source-line"
SOURCE_PATH = "data-source-path"
OUT_OF_FLOW = ("absolute", "fixed")
"""Positions that take a box out of its parent's flow: the parent's height does not hold it."""


@dataclass(frozen=True)
class Rect:
    """A rectangle on the page, in points from the page's top-left corner."""

    left: float
    top: float
    right: float
    bottom: float

    def clip(self, other: Rect) -> Rect:
        """Return the part of this rectangle inside `other` (possibly empty: right < left)."""
        return Rect(
            max(self.left, other.left),
            max(self.top, other.top),
            min(self.right, other.right),
            min(self.bottom, other.bottom),
        )


@dataclass(frozen=True)
class Placed:
    """One box as WeasyPrint placed it."""

    kind: str
    """'text', 'image', 'line', 'inline' or 'block' (tables and cells are blocks)."""
    tag: str
    """The element's tag ('p', 'td', 'img'; 'li::marker' for pseudo-elements), '' when anonymous."""
    rect: Rect
    """The border box."""
    text: str
    """The text a text box shows; '' for other boxes."""
    clip: Rect
    """What is visible of the page around this box: the page, cut by ancestors with overflow hidden."""
    source_path: str | None
    """The nearest `data-source-path` of the element or an ancestor."""
    source_line: int | None
    """The nearest `data-source-line` of the element or an ancestor."""
    key: int
    """Identifies the box, to match it with a page's links."""
    depth: int
    """How many boxes enclose this one (0 for the page's own children)."""


@dataclass(frozen=True)
class Link:
    """An internal link on a page: the anchor it points to, and the box that carries it."""

    target: str
    key: int


def pages(document: weasyprint.Document) -> list[Any]:
    """The laid-out page boxes of a rendered document."""
    return [page._page_box for page in document.pages]  # the one access, on purpose


def page_area(page_box: Any) -> Rect:
    """The page's content area (inside the @page margins), in points."""
    left, top = page_box.content_box_x(), page_box.content_box_y()
    return _points(left, top, left + page_box.width, top + page_box.height)


def page_edges(page_box: Any) -> Rect:
    """The page itself, in points."""
    return _points(0, 0, page_box.margin_width(), page_box.margin_height())


def anchors(document: weasyprint.Document) -> set[str]:
    """Every anchor name defined anywhere in the document."""
    return {name for page in document.pages for name in page.anchors}


def internal_links(document: weasyprint.Document, index: int) -> list[Link]:
    """The internal links on page `index`."""
    return [
        Link(target=str(target), key=id(box))
        for link_type, target, _rect, box in document.pages[index].links
        if link_type == "internal"
    ]


def walk(page_box: Any, visit: Callable[[Placed], bool]) -> None:
    """Call `visit` on every box of the page's flow and footnotes, parents first.

    `visit` returns whether to go on into the box's children. Page-margin boxes (running heads,
    page numbers) sit outside the content area by design and are skipped.
    """
    edges = page_edges(page_box)
    stack: list[tuple[Any, Rect, str | None, int | None, int]] = [
        (child, edges, None, None, 0)
        for child in reversed(page_box.children)
        if not isinstance(child, boxes.MarginBox)
    ]
    while stack:
        box, clip, path, line, depth = stack.pop()
        path, line = _source(box, path, line)
        placed = _placed(box, clip, path, line, depth)
        if visit(placed) and isinstance(box, boxes.ParentBox):
            inner = clip
            if box.style["overflow"] != "visible":
                inner = clip.clip(
                    _points(
                        box.padding_box_x(),
                        box.padding_box_y(),
                        box.padding_box_x() + box.padding_width(),
                        box.padding_box_y() + box.padding_height(),
                    )
                )
            stack.extend((child, inner, path, line, depth + 1) for child in reversed(box.children))


def boxes_of(page_box: Any) -> Iterator[Placed]:
    """Every box of the page's flow, parents first (for tests and inspection)."""
    found: list[Placed] = []

    def keep(placed: Placed) -> bool:
        found.append(placed)
        return True

    walk(page_box, keep)
    yield from found


def _source(box: Any, path: str | None, line: int | None) -> tuple[str | None, int | None]:
    element = box.element
    if element is None:
        return path, line
    own_path = element.get(SOURCE_PATH)
    own_line = element.get(SOURCE_LINE)
    if own_path is not None:
        path, line = own_path, None
    if own_line is not None and own_line.isdigit():
        line = int(own_line)
    return path, line


def _placed(box: Any, clip: Rect, path: str | None, line: int | None, depth: int) -> Placed:
    if isinstance(box, boxes.TextBox):
        kind, text = "text", box.text
    elif isinstance(box, boxes.ReplacedBox):
        kind, text = "image", ""
    elif isinstance(box, boxes.LineBox):
        kind, text = "line", ""
    elif isinstance(box, boxes.InlineBox):
        kind, text = "inline", ""
    else:
        kind, text = "block", ""
    left, top = box.border_box_x(), box.border_box_y()
    bottom = top + box.border_height()
    if kind == "block":
        bottom = min(bottom, _held_bottom(box))
    rect = _points(left, top, left + box.border_width(), bottom)
    return Placed(kind, box.element_tag or "", rect, text, clip, path, line, id(box), depth)


def _held_bottom(box: Any) -> float:
    """Where a block of automatic height ends without the bottom margins of its last children it holds.

    The root, like any block formatting context, keeps its last child's bottom margin inside its own
    height (CSS 2.1 §8.3.1, §10.6.7); at the end of a page that margin is truncated (CSS Fragmentation
    3 §5.2), so a box grown by it alone does not run off the page. In one document the root goes on to
    the next page; a part of the book (see `guide.typesetting`) ends there, its last page filled.
    Returns px from the page's top; +inf when the box's own height decides (a set height or minimum).
    """
    children = [child for child in getattr(box, "children", ()) if child.style["position"] not in OUT_OF_FLOW]
    minimum = box.style["min_height"]
    if not children or box.style["height"] != "auto" or getattr(minimum, "value", 0) != 0:
        return math.inf
    lowest = max(child.border_box_y() + child.border_height() for child in children)
    return float(lowest + box.padding_bottom + box.border_bottom_width)


def _points(left: float, top: float, right: float, bottom: float) -> Rect:
    return Rect(left * PT_PER_PX, top * PT_PER_PX, right * PT_PER_PX, bottom * PT_PER_PX)


@dataclass(frozen=True)
class Block:
    """One block of a chapter's flow on one page: a child of the chapter's element."""

    tag: str
    index: int
    """Its place among the chapter element's element children (comments and text not counted)."""
    top: float
    bottom: float
    """The border box's top and bottom, in points from the page's top edge."""
    classes: tuple[str, ...]
    images: tuple[Rect, ...]
    """The images inside it, as laid out, when it shows images and nothing else (else empty)."""
    only_images: bool
    """Whether it shows images and nothing else but a caption: a figure, or a paragraph of images."""
    continues: bool
    """Whether the block goes on past this page (the page cut it)."""
    margins: tuple[float, float] = (0.0, 0.0)
    """The top and bottom margins its style asks for, in points, even where a page break dropped them."""


@dataclass(frozen=True)
class ChapterOnPage:
    """The part of a chapter's flow laid out on one page."""

    chapter: str
    """The id of the chapter's element."""
    blocks: tuple[Block, ...]
    area: Rect
    """The page's content area."""
    flow_bottom: float
    """Where the flow must end on this page: the top of the footnotes, else the area's bottom."""


def chapters_on_page(page_box: Any, marker: str = SOURCE_PATH) -> list[ChapterOnPage]:
    """The chapters (elements carrying `marker`) laid out on the page, with their direct blocks."""
    area = page_area(page_box)
    flow_bottom = area.bottom
    found: list[ChapterOnPage] = []
    for child in page_box.children:
        if isinstance(child, boxes.FootnoteAreaBox) and child.children:
            flow_bottom = min(flow_bottom, child.position_y * PT_PER_PX)
    # Chapters are children of the body: html, body, then the chapter (and no deeper).
    stack = [(c, 0) for c in reversed(page_box.children) if type(c) is boxes.BlockBox]
    while stack:
        box, depth = stack.pop()
        element = box.element
        if element is not None and element.get(marker) is not None and box.element_tag == element.tag:
            blocks = _blocks(box, element)
            found.append(ChapterOnPage(str(element.get("id") or ""), blocks, area, area.bottom))
        elif isinstance(box, boxes.ParentBox) and depth < 2:
            stack.extend((c, depth + 1) for c in reversed(box.children) if isinstance(c, boxes.BlockBox))
    return [ChapterOnPage(c.chapter, c.blocks, c.area, flow_bottom) for c in found]


def _blocks(box: Any, element: Any) -> tuple[Block, ...]:
    children = {id(child): index for index, child in enumerate(c for c in element if isinstance(c.tag, str))}
    blocks: list[Block] = []
    for child in box.children:
        if child.element is None or child.element is element or child.element_tag != child.element.tag:
            continue  # anonymous boxes and pseudo-elements
        index = children.get(id(child.element))
        if index is None:
            continue
        top = child.border_box_y() * PT_PER_PX
        only_images = _only_images(child.element)
        images = (
            tuple(
                _points(
                    b.border_box_x(),
                    b.border_box_y(),
                    b.border_box_x() + b.border_width(),
                    b.border_box_y() + b.border_height(),
                )
                for b in _descendants(child)
                if isinstance(b, boxes.ReplacedBox)
            )
            if only_images
            else ()
        )
        blocks.append(
            Block(
                tag=child.element_tag,
                index=index,
                top=top,
                bottom=top + child.border_height() * PT_PER_PX,
                classes=tuple(str(child.element.get("class") or "").split()),
                images=images,
                only_images=bool(images),
                continues="bottom" in child.remove_decoration_sides,
                margins=(_length(child.style["margin_top"]), _length(child.style["margin_bottom"])),
            )
        )
    return tuple(blocks)


def _descendants(box: Any) -> Iterator[Any]:
    stack = [box]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, boxes.ParentBox):
            stack.extend(reversed(current.children))


def _only_images(element: Any) -> bool:
    """A figure (anything in it but images is its caption), or an element whose only content is images."""
    if element.tag == "figure":
        return True
    if (element.text or "").strip():
        return False
    for child in element:
        if not isinstance(child.tag, str) or (child.tail or "").strip():
            continue
        if child.tag not in ("img", "svg", "picture") and not (
            child.tag == "a" and len(child) and all(c.tag == "img" for c in child)
        ):
            return False
    return True


def _length(value: Any) -> float:
    """A computed length in points (0 for auto and percentages, which a block's margins rarely use)."""
    unit = getattr(value, "unit", None)
    return float(value.value) * PT_PER_PX if unit == "px" else 0.0
