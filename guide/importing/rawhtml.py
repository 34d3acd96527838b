"""What Markdown cannot say, kept as HTML: which elements, and their sanitised markup.

Python-Markdown passes a block of raw HTML through untouched when it starts a line at the top
level of the document, so an element Markdown has no syntax for (a definition list, a table
with a caption or merged cells, a figure around a table, a gallery) is written as the HTML the
build would keep of it anyway: cleaned with the build's own sanitiser rules.
"""

from __future__ import annotations

from typing import Any

import nh3

from guide.sanitize import ALLOWED_TAGS, ATTRIBUTES, DROPPED_WITH_CONTENT, STYLE_PROPERTIES, URL_SCHEMES

BLOCK_IN_CELL = ("p", "ul", "ol", "pre", "table", "blockquote", "div", "dl", "br", "h1", "h2", "h3", "h4")
CONTAINERS = ("li", "blockquote", "dd", "td", "th")
"""Elements inside which Markdown cannot hold a raw HTML block."""


def sanitised(markup: str) -> str:
    """`markup` cleaned as the build cleans a post's HTML (so keeping it changes nothing)."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        filter_style_properties=STYLE_PROPERTIES,
        strip_comments=True,
    )


def needs_raw(el: Any) -> bool:
    """Whether Markdown has no syntax for this element (a bs4 Tag)."""
    name = el.name
    if name == "dl":
        return True
    if name == "table":
        return not is_simple_table(el)
    if name == "figure":
        return not is_image_figure(el) and el.find("figcaption") is not None
    if name == "li":
        return _starts_with_list(el)
    return False


def holds_raw(el: Any) -> bool:
    """Whether some element inside this one needs raw HTML (so this one must be written as HTML)."""
    return any(needs_raw(inner) for inner in el.find_all(("dl", "table", "figure", "li")))


def _starts_with_list(item: Any) -> bool:
    """A list item whose first content is a list: Markdown's `- - x` is no nested list."""
    for child in item.children:
        if getattr(child, "name", None):
            return bool(child.name in ("ul", "ol"))
        if str(child).strip():
            return False
    return False


def is_image_figure(el: Any) -> bool:
    """A figure holding one image (maybe in a link) and at most a caption: Markdown's image."""
    if len(el.find_all("img")) != 1 or el.find(("figure", "table", "ul", "ol", "pre")) is not None:
        return False
    caption = el.find("figcaption")
    if caption is not None and caption.find(lambda tag: tag.name != "br") is not None:
        return False  # a caption with links or emphasis: an image's title cannot hold them
    rest = el.get_text(" ", strip=True)
    caption_text = caption.get_text(" ", strip=True) if caption is not None else ""
    return bool(rest == caption_text)


def is_simple_table(el: Any) -> bool:
    """A table Markdown's pipe syntax writes without loss: one header row, plain cells, no caption."""
    if el.find("caption") is not None or el.find("table") is not None:
        return False
    rows = el.find_all("tr")
    if len(rows) < 2:
        return False  # Python-Markdown gives a header-only table an empty row
    cells = [row.find_all(("td", "th")) for row in rows]
    widths = {len(row) for row in cells}
    if len(widths) != 1 or not all(cell.name == "th" for cell in cells[0]):
        return False
    if any(c.name == "th" for row in cells[1:] for c in row):
        return False
    return not any(_complex_cell(cell) for row in cells for cell in row)


def _complex_cell(cell: Any) -> bool:
    if cell.get("colspan") not in (None, "1") or cell.get("rowspan") not in (None, "1"):
        return True
    return "|" in cell.get_text() or cell.find(BLOCK_IN_CELL) is not None
