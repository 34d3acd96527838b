"""Refuse Markdown whose shape would make the converter recurse or churn for minutes.

One pass over the lines counts what Python-Markdown and layout pay for: nesting, inline markers
per paragraph, footnotes, headings, blocks and table cells (limits in guide/limits.py). Table
cells are counted as the tables extension makes them: a header row followed by a delimiter row of
as many cells starts a table, and every row of it has that many cells; pipes in code spans, after
a backslash and inside closed code fences are text.
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
from guide.sources.fences import code_lines, find_fences

MAX_NESTING = MAX_MARKDOWN_NESTING
MAX_MARKERS_PER_BLOCK = 2_000
"""Most inline markers (* _ [ ] < ` ) in one paragraph; Python-Markdown slows down quadratically past it."""
LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d+[.)])[ \t]")
QUOTE = re.compile(r"^(?:[ \t]*>)+")
MARKERS = re.compile(r"[*_\[\]<`]")
FOOTNOTE = re.compile(r"^ {0,3}\[\^[^\]]+\]:")
HEADING = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|(?:=+|-+)[ \t]*$)")
MAX_UNCLOSED_FENCES = 10
"""Most code fences never closed in one post: the converter scans the rest of the post for each."""
CODE_SPAN = re.compile(r"(?<!\\)(`+)(?!`).*?(?<!`)\1(?!`)")
LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+")
DELIMITER_CELL = re.compile(r"^\s*:?-+:?\s*$")


@dataclass
class _Counts:
    """What one post has used of each budget so far."""

    footnotes: int = 0
    headings: int = 0
    blocks: int = 0
    table_cells: int = 0
    """Cells of the table being read; reset when its block ends."""
    table_columns: int = 0
    """Cells per row of the table being read, 0 outside a table."""
    table_start: int = 0


def check_markdown_limits(text: str, source_path: str, first_line: int = 1) -> None:
    """Raise GuideError at the first line past one of the budgets of a post."""
    block_start, markers, counts = first_line, 0, _Counts()
    previous_blank = True
    lines = text.split("\n")
    fences = find_fences(lines)
    code = code_lines(fences)
    unclosed = [fence.opened for fence in fences if fence.closed is None]
    if len(unclosed) > MAX_UNCLOSED_FENCES:
        _refuse(
            source_path,
            first_line + unclosed[MAX_UNCLOSED_FENCES],
            f"post has over {MAX_UNCLOSED_FENCES} code fences that are never closed; close them",
        )
    for index, line in enumerate(lines):
        number = first_line + index
        depth = _nesting(line)
        if depth > MAX_NESTING:
            _refuse(source_path, number, f"lists or quotes nested {depth} levels deep (limit {MAX_NESTING})")
        if not line.strip():
            block_start, markers, previous_blank = number + 1, 0, True
            counts.table_cells = counts.table_columns = 0
            continue
        _count_shapes(line, number, previous_blank or depth > 0, counts, source_path)
        if index not in code:
            following = lines[index + 1] if index + 1 < len(lines) and index + 1 not in code else ""
            _count_table(line, following, number, counts, source_path)
        previous_blank = False
        markers += len(MARKERS.findall(line))
        if markers > MAX_MARKERS_PER_BLOCK:
            _refuse(
                source_path,
                block_start,
                f"paragraph has over {MAX_MARKERS_PER_BLOCK:,} emphasis, link or HTML markers; "
                "split it or escape them",
            )


def _count_table(line: str, following: str, number: int, counts: _Counts, source_path: str) -> None:
    """Count the cells `line` adds to the table it starts or continues, refusing a table past its budget."""
    if not counts.table_columns:
        columns = len(_cells(line))
        if columns < 1 or "|" not in _unquoted(line) or not _is_delimiter_row(following, columns):
            return
        counts.table_columns, counts.table_start = columns, number
    elif number == counts.table_start + 1:
        return  # the delimiter row makes no cells
    counts.table_cells += counts.table_columns
    if counts.table_cells > MAX_TABLE_CELLS:
        _refuse(source_path, counts.table_start, f"table has over {MAX_TABLE_CELLS:,} cells; split it")


def _unquoted(line: str) -> str:
    """The line without its quote and list markers, code spans and escaped pipes."""
    return CODE_SPAN.sub("", LIST_MARKER.sub("", QUOTE.sub("", line)).replace("\\|", ""))


def _cells(line: str) -> list[str]:
    row = _unquoted(line).strip()
    row = row.removeprefix("|")
    row = row.removesuffix("|") if not row.endswith("\\|") else row
    return row.split("|")


def _is_delimiter_row(line: str, columns: int) -> bool:
    cells = _cells(line)
    return "-" in line and len(cells) == columns and all(DELIMITER_CELL.match(cell) for cell in cells)


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
