"""Refuse Markdown that would make the converter recurse or churn for minutes."""

from __future__ import annotations

import re

from guide.errors import Diagnostic, GuideError

MAX_NESTING = 30
"""Deepest list or quote nesting accepted; real posts rarely pass 4."""
MAX_MARKERS_PER_BLOCK = 2_000
"""Most inline markers (* _ [ ] < ` ) in one paragraph; Python-Markdown slows down quadratically past it."""
LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d+[.)])[ \t]")
QUOTE = re.compile(r"^(?:[ \t]*>)+")
MARKERS = re.compile(r"[*_\[\]<`]")


def check_markdown_limits(text: str, source_path: str, first_line: int = 1) -> None:
    """Raise GuideError at the first line nested too deep or paragraph too dense to convert."""
    block_start, markers = first_line, 0
    for number, line in enumerate(text.split("\n"), start=first_line):
        depth = _nesting(line)
        if depth > MAX_NESTING:
            raise GuideError(
                Diagnostic(
                    source_path, number, f"lists or quotes nested {depth} levels deep (limit {MAX_NESTING})"
                )
            )
        if not line.strip():
            block_start, markers = number + 1, 0
            continue
        markers += len(MARKERS.findall(line))
        if markers > MAX_MARKERS_PER_BLOCK:
            raise GuideError(
                Diagnostic(
                    source_path,
                    block_start,
                    f"paragraph has over {MAX_MARKERS_PER_BLOCK:,} emphasis, link or HTML markers; "
                    "split it or escape them",
                )
            )


def _nesting(line: str) -> int:
    quote = QUOTE.match(line)
    if quote:
        return quote.group(0).count(">")
    item = LIST_ITEM.match(line)
    if item:
        return len(item.group("indent").expandtabs(4)) // 2 + 1
    return 0
