"""Code fences, found once for every pass that must know where a post's code is.

The fence lines follow CommonMark (§4.5): three or more backticks or tildes, indented at most
three spaces inside their container (a quote, a list item); a backtick fence's info string holds
no backtick; a fence closes on a later line of the same character, at least as long, indented
at most three spaces, with nothing after it but spaces. A fence with no such line is never
closed: Python-Markdown then reads it as no code at all (its lines stay Markdown, and the next
fence line may open a fence of its own), after scanning the rest of the post for a closing line.
guide/sources/mdlists.py rewrites a closing line to the opening one so that Python-Markdown,
which wants the same fence again, reads what CommonMark reads.

Used by the budget (guide/sources/limits.py: code is no table, unclosed fences are costly) and
the lint (guide/sources/mdlint.py: an unclosed fence is a warning).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

CONTAINER = re.compile(r"^(?P<quote>(?: {0,3}>[ \t]?)*)(?P<item> *(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))?")
"""Quote markers, then a list item's marker, before a line's content."""
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass(frozen=True)
class Fence:
    """One fence line that opens a code block, and the line that closes it."""

    opened: int
    """Index of the opening line."""
    closed: int | None
    """Index of the closing line; None when none follows (then no code, to Python-Markdown)."""
    marker: str
    """The opening run of backticks or tildes."""


@dataclass(frozen=True)
class _Line:
    index: int
    marker: str
    closes: bool
    """Whether it may close a fence (no info string)."""
    opens: bool
    """Whether it may open one (a backtick fence's info string has no backtick)."""


def find_fences(lines: Sequence[str]) -> list[Fence]:
    """Every fence the post opens, in order, each with its closing line or None (see the module docstring)."""
    candidates = _fence_lines(lines)
    longest_after = _longest_closers_after(candidates)
    fences: list[Fence] = []
    position = 0
    while position < len(candidates):
        line = candidates[position]
        position += 1
        if not line.opens:
            continue
        char, length = line.marker[0], len(line.marker)
        if longest_after[position - 1].get(char, 0) < length:
            fences.append(Fence(line.index, None, line.marker))
            continue
        while not _closes(candidates[position], line.marker):
            position += 1
        fences.append(Fence(line.index, candidates[position].index, line.marker))
        position += 1
    return fences


def code_lines(fences: Sequence[Fence]) -> set[int]:
    """Indexes of the lines of closed fences, their fence lines included."""
    closed = [(fence.opened, fence.closed) for fence in fences if fence.closed is not None]
    return {index for opened, closed_at in closed for index in range(opened, closed_at + 1)}


def _closes(line: _Line, marker: str) -> bool:
    return line.closes and line.marker[0] == marker[0] and len(line.marker) >= len(marker)


def _longest_closers_after(candidates: list[_Line]) -> list[dict[str, int]]:
    """For each candidate, the longest closing line of each character that follows it."""
    longest: dict[str, int] = {}
    after: list[dict[str, int]] = [{}] * len(candidates)
    for position in range(len(candidates) - 1, -1, -1):
        after[position] = dict(longest)
        line = candidates[position]
        if line.closes:
            longest[line.marker[0]] = max(longest.get(line.marker[0], 0), len(line.marker))
    return after


def _fence_lines(lines: Sequence[str]) -> list[_Line]:
    """The lines that may open or close a fence, with the content column of the list item they are in."""
    found: list[_Line] = []
    item_column = 0
    for index, raw in enumerate(lines):
        line = raw.expandtabs(4)
        container = CONTAINER.match(line)
        prefix = container.group(0) if container else ""
        if container and container.group("item"):
            item_column = len(prefix)
        content = line[len(prefix) :]
        indent = len(content) - len(content.lstrip(" "))
        if not prefix and line.strip() and not line[0].isspace():
            item_column = 0  # a line at the margin ends the list
        if not container or not container.group("item"):
            indent -= item_column if indent >= item_column else 0
        fence = FENCE.match(content.lstrip(" "))
        if fence is None or indent > 3:
            continue
        marker, info = fence.group("fence"), fence.group("info")
        opens = not (marker[0] == "`" and "`" in info)
        found.append(_Line(index, marker, closes=not info.strip(), opens=opens))
    return found
