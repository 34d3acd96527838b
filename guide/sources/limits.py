"""Refuse Markdown whose shape would make the converter recurse or churn for minutes.

One pass over the lines counts what Python-Markdown and layout pay for: nesting, inline markers
per paragraph, footnotes, headings, blocks and table cells (limits in guide/limits.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from guide.errors import Diagnostic, GuideError
from guide.limits import (
    MAX_BLOCKS,
    MAX_FOOTNOTES,
    MAX_HEADINGS,
    MAX_MARKDOWN_NESTING,
    MAX_TABLE_CELLS,
)

MAX_NESTING = MAX_MARKDOWN_NESTING
MAX_MARKERS_PER_BLOCK = 2_000
"""Most inline markers (* _ [ ] < ` ) in one paragraph; Python-Markdown slows down quadratically past it."""
LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d+[.)])[ \t]")
QUOTE = re.compile(r"^(?:[ \t]*>)+")
MARKERS = re.compile(r"[*_\[\]<`]")
FOOTNOTE = re.compile(r"^ {0,3}\[\^[^\]]+\]:")
HEADING = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|(?:=+|-+)[ \t]*$)")


@dataclass
class _Counts:
    """What one post has used of each budget so far."""

    footnotes: int = 0
    headings: int = 0
    blocks: int = 0
    table_cells: int = 0
    """Cells of the table block being read (lines holding '|'); reset when the block ends."""
    table_start: int = 0


def check_markdown_limits(text: str, source_path: str, first_line: int = 1) -> None:
    """Raise GuideError at the first line past one of the budgets of a post."""
    block_start, markers, counts = first_line, 0, _Counts()
    previous_blank = True
    for number, line in enumerate(text.split("\n"), start=first_line):
        depth = _nesting(line)
        if depth > MAX_NESTING:
            _refuse(source_path, number, f"lists or quotes nested {depth} levels deep (limit {MAX_NESTING})")
        if not line.strip():
            block_start, markers, previous_blank = number + 1, 0, True
            counts.table_cells = 0
            continue
        _count_shapes(line, number, previous_blank or depth > 0, counts, source_path)
        previous_blank = False
        markers += len(MARKERS.findall(line))
        if markers > MAX_MARKERS_PER_BLOCK:
            _refuse(
                source_path,
                block_start,
                f"paragraph has over {MAX_MARKERS_PER_BLOCK:,} emphasis, link or HTML markers; "
                "split it or escape them",
            )


def _count_shapes(line: str, number: int, starts_block: bool, counts: _Counts, source_path: str) -> None:
    """Count the footnotes, headings, blocks and table cells `line` adds, refusing any past its budget."""
    if FOOTNOTE.match(line):
        counts.footnotes += 1
        if counts.footnotes > MAX_FOOTNOTES:
            _refuse(source_path, number, f"post has over {MAX_FOOTNOTES:,} footnotes; split it")
    if HEADING.match(line):
        counts.headings += 1
        if counts.headings > MAX_HEADINGS:
            _refuse(source_path, number, f"post has over {MAX_HEADINGS:,} headings; split it")
    if starts_block or HEADING.match(line):
        counts.blocks += 1
        if counts.blocks > MAX_BLOCKS:
            _refuse(
                source_path, number, f"post has over {MAX_BLOCKS:,} paragraphs, items and headings; split it"
            )
    if "|" in line:
        if not counts.table_cells:
            counts.table_start = number
        counts.table_cells += line.count("|") + 1
        if counts.table_cells > MAX_TABLE_CELLS:
            _refuse(
                source_path,
                counts.table_start,
                f"table or block has over {MAX_TABLE_CELLS:,} cells; split it",
            )
    else:
        counts.table_cells = 0


def _refuse(source_path: str, line: int, message: str) -> None:
    raise GuideError(Diagnostic(source_path, line, message))


def _nesting(line: str) -> int:
    quote = QUOTE.match(line)
    if quote:
        return quote.group(0).count(">")
    item = LIST_ITEM.match(line)
    if item:
        return len(item.group("indent").expandtabs(4)) // 2 + 1
    return 0
