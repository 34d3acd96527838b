"""Lists as CommonMark nests them, rewritten to the four-space indents Python-Markdown reads.

Bloggers nest lists by two or three spaces (kramdown, goldmark and GitHub accept it); Python-Markdown
wants four per level. No maintained extension does this for any indent (mdx_truly_sane_lists
fixes one indent width for the whole post), so this preprocessor re-indents each item and its
continuation lines from where CommonMark puts its content to four spaces per level.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from markdown.blockprocessors import BlockProcessor
from markdown.preprocessors import Preprocessor

ITEM_RE = re.compile(r"^(?P<indent> *)(?P<marker>[-*+]|(?P<number>\d{1,9})[.)])(?P<space> +|$)(?P<rest>.*)$")
FENCE_RE = re.compile(r"^ *(?P<fence>`{3,}|~{3,})")
HR_RE = re.compile(r"^ {0,3}([-*_])( *\1){2,} *$")
STEP = 4
"""Python-Markdown nests a list, or continues an item, four spaces in."""


@dataclass
class _Item:
    """An open list item: where its content starts as written."""

    content: int
    marker: int = 0
    """Where its marker starts."""
    ordered: bool = False

    def holds_item(self, indent: int) -> bool:
        """Whether an item marker `indent` spaces in nests inside this item.

        CommonMark wants it under the content (3 spaces for '1. '); kramdown and most bloggers
        nest a numbered sub-list by two, so two past the number's start is enough.
        """
        return indent >= (min(self.content, self.marker + 2) if self.ordered else self.content)


@dataclass
class _Fence:
    """An open fenced code block, and the item column its lines are shifted from."""

    mark: str
    written: int
    shift_to: int
    indented: bool = False
    """Rewritten as an indented code block: Python-Markdown reads no fence inside a list item."""


def normalize_lists(lines: list[str]) -> list[str]:
    """Re-indent list items and their contents so each nesting level is four spaces deeper.

    Keeps the number of lines: a later stage maps lines back to the post.
    """
    rewriter = _Rewriter()
    return [rewriter.line(line.expandtabs(STEP)) for line in lines]  # tabs: as Python-Markdown


@dataclass
class _Rewriter:
    """Walk the post line by line, knowing which list items and which fence are open."""

    items: list[_Item] = field(default_factory=list)
    fence: _Fence | None = None
    previous_blank: bool = True

    def line(self, line: str) -> str:
        """Return `line` rewritten for Python-Markdown."""
        if self.fence is not None:
            return self._fenced(line, self.fence)
        if not line.strip():
            self.previous_blank = True
            return line
        indent = len(line) - len(line.lstrip(" "))
        if not self.items and indent >= STEP and self.previous_blank:
            return line  # an indented code block
        after_blank, self.previous_blank = self.previous_blank, False
        item = ITEM_RE.match(line) if not HR_RE.match(line) else None
        if item is not None and (self.items or indent < STEP):
            return self._item(item, indent)
        if self.items:
            return self._continuation(line, indent, after_blank)
        self.fence = _opens(line.lstrip(" "), indent, 0) if indent < STEP else None
        return _fence_line(line.lstrip(" ")) if self.fence is not None else line

    def _fenced(self, line: str, fence: _Fence) -> str:
        closing = _closes(line, fence)
        if closing:
            self.fence = None
        if fence.indented:
            return "" if closing else _shift(line, fence.written, fence.shift_to + STEP)
        if closing:
            return " " * fence.shift_to + fence.mark  # Python-Markdown closes on the same fence only
        return _shift(line, fence.written, fence.shift_to)

    def _item(self, item: re.Match[str], indent: int) -> str:
        while self.items and not self.items[-1].holds_item(indent):
            self.items.pop()
        depth = len(self.items)
        space = item.group("space")
        width = len(item.group("marker")) + (len(space) if 0 < len(space) <= STEP else 1)
        self.items.append(_Item(indent + width, indent, item.group("number") is not None))
        rest = item.group("rest")
        self.fence = _opens(rest, indent + width, STEP * depth + width)
        marker = item.group("marker").replace(")", ".")  # Python-Markdown knows only '1.'
        return " " * (STEP * depth) + marker + " " + rest

    def _continuation(self, line: str, indent: int, after_blank: bool) -> str:
        if after_blank:
            while self.items and indent < self.items[-1].content:
                self.items.pop()
        if not self.items or indent < self.items[-1].content:
            return line  # a lazy continuation line, or back at the top level
        content = self.items[-1].content
        target = STEP * len(self.items)
        self.fence = _opens(line.lstrip(" "), content, target)
        if self.fence is not None and indent - content < STEP:
            self.fence.indented = True
            return ""
        return _shift(line, content, target)


def _shift(line: str, written: int, target: int) -> str:
    """Move a line from under column `written` to under column `target`, keeping deeper indent."""
    indent = len(line) - len(line.lstrip(" "))
    kept = max(indent - written, 0)
    return " " * (target + kept) + line.lstrip(" ") if line.strip() else line


def _opens(text: str, written: int, target: int) -> _Fence | None:
    """The fence `text` opens, if it does, its lines moved from column `written` to `target`."""
    found = FENCE_RE.match(text)
    if not found:
        return None
    return _Fence(found.group("fence"), written, target)


def _fence_line(text: str) -> str:
    """An opening fence with its info string cut to the language, as Python-Markdown reads it."""
    found = FENCE_RE.match(text)
    if found is None:
        return text
    info = text[found.end() :].strip()
    language = re.match(r"[\w#.+-]*", info)
    kept = info if info.startswith("{") else (language.group(0) if language else "")
    return found.group("fence") + kept


def _closes(line: str, fence: _Fence) -> bool:
    """Whether `line` closes `fence`: the same character, as long or longer, under 4 spaces in."""
    stripped = line.strip()
    indent = len(line) - len(line.lstrip(" "))
    mark = fence.mark
    return len(stripped) >= len(mark) and set(stripped) == {mark[0]} and indent - fence.written < STEP


class ListIndentPreprocessor(Preprocessor):
    """Run `normalize_lists` before any other preprocessor: line numbers stay those of the post."""

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with lists re-indented."""
        return normalize_lists(lines)


INTERRUPTING_ITEM = re.compile(r"^ {0,3}(?:[-*+]|1[.)]) +\S")
"""A list item that may start right after a paragraph line (CommonMark: not empty, numbered 1)."""


class ListAfterParagraphProcessor(BlockProcessor):
    """Start a list on the line after a paragraph line, as CommonMark does, without a blank line."""

    def test(self, parent: ET.Element, block: str) -> bool:
        """A block whose later line starts a list, and which is not itself a list."""
        lines = block.split("\n")
        return not ITEM_RE.match(lines[0]) and any(_interrupts(line) for line in lines[1:])

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        """Parse the lines before the list as their own block, and put the list back in front."""
        lines = blocks.pop(0).split("\n")
        cut = next(index for index, line in enumerate(lines) if index and _interrupts(line))
        blocks.insert(0, "\n".join(lines[cut:]))
        self.parser.parseBlocks(parent, ["\n".join(lines[:cut])])


def _interrupts(line: str) -> bool:
    return bool(INTERRUPTING_ITEM.match(line)) and not HR_RE.match(line)
