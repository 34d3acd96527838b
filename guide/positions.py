"""Where an element of a post's HTML came from: the attributes the readers stamp, and reading them.

Readers stamp block elements with `data-source-line` (1-based line in the post file); the
renderer stamps each chapter's element with `data-source-path`. Later stages (the Markdown lint,
the book's image and link checks, the sanitizer, WeasyPrint's log) read a position from the
element itself. Both attributes are harmless in the PDF: WeasyPrint ignores them.
"""

from __future__ import annotations

import lxml.html

SOURCE_LINE = "data-source-line"
SOURCE_PATH = "data-source-path"
LINE_ITEMS = {"table", "thead", "tbody", "tfoot", "tr", "ul", "ol", "dl"}
"""Containers whose serialisation adds line breaks the post never had: a child takes their line."""


def element_line(element: lxml.html.HtmlElement) -> int | None:
    """Return the post line of `element`: its own stamp, or its stamped ancestor's plus the lines between.

    Text blocks keep the post's line breaks in the HTML, so an image on the third line of a
    paragraph stamped 7 is on line 9.
    """
    stamped = element
    while stamped is not None and stamped.get(SOURCE_LINE) is None:
        stamped = stamped.getparent()
    if stamped is None:
        return None
    line = _int(stamped.get(SOURCE_LINE))
    if line is None or stamped is element or stamped.tag in LINE_ITEMS:
        return line
    if element.sourceline is None or stamped.sourceline is None:
        return line
    offset: int = element.sourceline - stamped.sourceline
    return line + max(offset, 0)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
