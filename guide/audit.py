"""Audit the laid-out pages: nothing crosses the text block, nothing is cut off, no link leads nowhere.

`audit_document` is a function of one rendered WeasyPrint document, so a typesetter that lays a book
out in chunks can run it on each chunk (a link into another chunk then needs that chunk's anchors:
pass them as `other_anchors`). Each finding is a warning located by the source attributes the render
stage puts on the HTML (`data-source-path` on a chapter, `data-source-line` on its blocks), so
`--strict` makes it fatal. The box tree is read only through guide/pagebox.py.
"""

from __future__ import annotations

from collections.abc import Iterable

import weasyprint

from guide import pagebox
from guide.errors import Diagnostic, Severity
from guide.pagebox import Placed, Rect

TOLERANCE_PT = 0.5
"""Rounding in layout: a box this close to the edge of the text block is inside it."""
MM_PER_PT = 25.4 / 72
QUOTED = 40
"""Characters of a text shown in a message."""
WHAT = {
    "table": "a table",
    "thead": "a table",
    "tbody": "a table",
    "tr": "a table row",
    "td": "a table cell",
    "th": "a table cell",
    "pre": "a code block",
    "img": "an image",
    "svg": "an image",
    "figure": "a figure",
}


def audit_document(document: weasyprint.Document, other_anchors: Iterable[str] = ()) -> list[Diagnostic]:
    """Return a warning for each box that crosses its page's text block, each text cut off and
    each internal link whose target is missing, in page order, each reported once."""
    findings: dict[tuple[str | None, int | None, str], Diagnostic] = {}
    for number, page_box in enumerate(pagebox.pages(document), start=1):
        for diagnostic in _page_findings(page_box, number):
            findings.setdefault((diagnostic.source_path, diagnostic.line, diagnostic.message), diagnostic)
    known = pagebox.anchors(document) | set(other_anchors)
    for diagnostic in _missing_targets(document, known):
        findings.setdefault((diagnostic.source_path, diagnostic.line, diagnostic.message), diagnostic)
    return list(findings.values())


def _page_findings(page_box: object, number: int) -> list[Diagnostic]:
    """The boxes of one page that cross its text block or are cut off.

    A box too wide is itself to blame (a block's width comes from its container), so what is
    inside it is not reported again. A box too tall usually grows with what it holds: it is
    reported only if nothing inside it is.
    """
    area = pagebox.page_area(page_box)
    found: list[Diagnostic] = []
    open_tall: list[tuple[Placed, str, list[bool]]] = []
    """Enclosing boxes that cross the bottom, with whether something inside them was reported."""

    def settle(depth: int) -> None:
        while open_tall and open_tall[-1][0].depth >= depth:
            placed, message, inner = open_tall.pop()
            if not inner[0]:
                report(placed, message)

    def report(placed: Placed, message: str) -> None:
        found.append(_warning(placed, message))
        for _, _, inner in open_tall:
            inner[0] = True

    def visit(placed: Placed) -> bool:
        settle(placed.depth)
        problem = _problem(placed, area, number)
        if problem is None:
            return True
        message, sideways = problem
        if sideways or placed.kind == "text":
            report(placed, message)
            return False
        open_tall.append((placed, message, [False]))
        return True

    pagebox.walk(page_box, visit)
    settle(0)
    return found


def _problem(placed: Placed, area: Rect, number: int) -> tuple[str, bool] | None:
    """What is wrong with where `placed` landed, if anything, and whether it is too wide."""
    rect = placed.rect
    if placed.kind == "inline" or rect.right - rect.left <= 0 or rect.bottom - rect.top <= 0:
        return None  # an inline box is judged by the text and images inside it
    what = _describe(placed)
    seen = rect.clip(placed.clip)
    # A line's box is taller than its glyphs (leading): text counts as cut off at the top or bottom
    # only when less than half of that box shows.
    visible_height = max(0.0, seen.bottom - seen.top)
    cut = seen.right < rect.right - TOLERANCE_PT or visible_height < (rect.bottom - rect.top) / 2
    if placed.kind == "text" and cut:
        return f"{what} is cut off on page {number}", True
    across = [(area.left - rect.left, "left edge"), (rect.right - area.right, "right edge")]
    down = [(area.top - rect.top, "top"), (rect.bottom - area.bottom, "bottom")]
    # A glyph's box may rise above its line (tall type, tight leading): lines are judged top and
    # bottom, the text in them left and right.
    sides = {"text": across, "line": down}.get(placed.kind, across + down)
    overshoot, side = max(sides)
    if overshoot <= TOLERANCE_PT:
        return None
    message = f"{what} runs {overshoot * MM_PER_PT:.1f} mm past the {side} of the text area on page {number}"
    return message, side.endswith("edge")


def _describe(placed: Placed) -> str:
    if placed.kind == "text":
        text = " ".join(placed.text.replace("\u200b", "").replace("\u2060", "").split())
        shown = text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"
        return f"text '{shown}'"
    if placed.kind == "line":
        return "a line of text"
    return WHAT.get(placed.tag, f"a <{placed.tag or 'box'}>")


def _warning(placed: Placed, message: str) -> Diagnostic:
    return Diagnostic(placed.source_path or "<layout>", placed.source_line, message, Severity.WARNING)


def _missing_targets(document: weasyprint.Document, known: set[str]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for index, page_box in enumerate(pagebox.pages(document)):
        broken = {link.key: link.target for link in pagebox.internal_links(document, index)}
        broken = {key: target for key, target in broken.items() if target not in known}
        if not broken:
            continue

        def visit(placed: Placed, broken: dict[int, str] = broken, number: int = index + 1) -> bool:
            target = broken.pop(placed.key, None)
            if target is not None:
                message = f"link to '#{target}' on page {number} leads nowhere: no element has that id"
                found.append(_warning(placed, message))
            return bool(broken)

        pagebox.walk(page_box, visit)
    return found
