"""Audit the laid-out pages: nothing crosses the text block, nothing is cut off, no link leads nowhere.

`audit_document` is a function of one rendered WeasyPrint document. A typesetter that lays a book out
in parts runs `find_problems` on each part, where the part's pages are numbered from 0 and a link may
point into another part, then `located` once it knows where each part starts and every anchor.
Each finding is a warning located by the source attributes the render stage puts on the HTML
(`data-source-path` on a chapter, `data-source-line` on its blocks), so `--strict` makes it fatal.
The box tree is read only through guide/pagebox.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from guide.errors import Diagnostic, Severity

if TYPE_CHECKING:  # the box tree is read where pages are laid out; `located` needs no WeasyPrint
    import weasyprint

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


@dataclass(frozen=True)
class Finding:
    """One problem on a laid-out page, before the page is numbered within the whole book."""

    source_path: str | None
    line: int | None
    problem: str
    """What is wrong, without the page: 'a table runs 12.3 mm past the right edge of the text area'."""
    page_index: int
    """0-based, within the document audited."""
    target: str | None = None
    """For a link: the anchor it needs, which another part of the book may hold."""

    def diagnostic(self, first_page_index: int = 0) -> Diagnostic:
        """The warning, for a document whose first page is page `first_page_index` (0-based) of the PDF."""
        message = f"{self.problem} on page {first_page_index + self.page_index + 1}"
        return Diagnostic(self.source_path or "<layout>", self.line, message, Severity.WARNING)


def audit_document(document: weasyprint.Document, other_anchors: Iterable[str] = ()) -> list[Diagnostic]:
    """Return a warning for each box that crosses its page's text block, each text cut off and
    each internal link whose target is missing, in page order, each reported once."""
    known = set(other_anchors)
    return located([(f, 0) for f in find_problems(document) if f.target is None or f.target not in known])


def find_problems(document: weasyprint.Document) -> list[Finding]:
    """Every box crossing the text block, text cut off, and link to an anchor this document lacks."""
    from guide import pagebox  # noqa: PLC0415 - WeasyPrint's box tree

    found: list[Finding] = []
    for index, page_box in enumerate(pagebox.pages(document)):
        found += _page_findings(page_box, index)
    return found + _missing_targets(document, pagebox.anchors(document))


def located(findings: Iterable[tuple[Finding, int]]) -> list[Diagnostic]:
    """The warnings for findings of documents that start on the given 0-based pages, each once."""
    return list(dict.fromkeys(finding.diagnostic(first) for finding, first in findings))


def _page_findings(page_box: object, index: int) -> list[Finding]:
    """The boxes of one page that cross its text block or are cut off.

    A box too wide is itself to blame (a block's width comes from its container), so what is
    inside it is not reported again. A box too tall usually grows with what it holds: it is
    reported only if nothing inside it is.
    """
    from guide import pagebox  # noqa: PLC0415

    area = pagebox.page_area(page_box)
    found: list[Finding] = []
    open_tall: list[tuple[Placed, str, list[bool]]] = []
    """Enclosing boxes that cross the bottom, with whether something inside them was reported."""

    def settle(depth: int) -> None:
        while open_tall and open_tall[-1][0].depth >= depth:
            placed, message, inner = open_tall.pop()
            if not inner[0]:
                report(placed, message)

    def report(placed: Placed, message: str) -> None:
        found.append(Finding(placed.source_path, placed.source_line, message, index))
        for _, _, inner in open_tall:
            inner[0] = True

    def visit(placed: Placed) -> bool:
        settle(placed.depth)
        problem = _problem(placed, area)
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


def _problem(placed: Placed, area: Rect) -> tuple[str, bool] | None:
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
        return f"{what} is cut off", True
    across = [(area.left - rect.left, "left edge"), (rect.right - area.right, "right edge")]
    down = [(area.top - rect.top, "top"), (rect.bottom - area.bottom, "bottom")]
    # A glyph's box may rise above its line (tall type, tight leading): lines are judged top and
    # bottom, the text in them left and right.
    sides = {"text": across, "line": down}.get(placed.kind, across + down)
    overshoot, side = max(sides)
    if overshoot <= TOLERANCE_PT:
        return None
    message = f"{what} runs {overshoot * MM_PER_PT:.1f} mm past the {side} of the text area"
    return message, side.endswith("edge")


def _describe(placed: Placed) -> str:
    if placed.kind == "text":
        text = " ".join(placed.text.replace("\u200b", "").replace("\u2060", "").split())
        shown = text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"
        return f"text '{shown}'"
    if placed.kind == "line":
        return "a line of text"
    return WHAT.get(placed.tag, f"a <{placed.tag or 'box'}>")


def _missing_targets(document: weasyprint.Document, known: set[str]) -> list[Finding]:
    from guide import pagebox  # noqa: PLC0415

    found: list[Finding] = []
    for index, page_box in enumerate(pagebox.pages(document)):
        broken = {link.key: link.target for link in pagebox.internal_links(document, index)}
        broken = {key: target for key, target in broken.items() if target not in known}
        if not broken:
            continue

        def visit(placed: Placed, broken: dict[int, str] = broken, index: int = index) -> bool:
            target = broken.pop(placed.key, None)
            if target is not None:
                problem = f"link to '#{target}' leads nowhere (no element has that id)"
                found.append(Finding(placed.source_path, placed.source_line, problem, index, target))
            return bool(broken)

        pagebox.walk(page_box, visit)
    return found
