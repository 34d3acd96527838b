"""Stamp the blocks Python-Markdown builds with the line of the post they came from.

Python-Markdown splits the text into blocks and forgets where they were. This extension keeps
count: preprocessors are diffed line by line (fences and raw HTML become one-line placeholders),
and the block parser's loop is rerun with a tally of the lines still ahead, so every element a
block processor adds is stamped `data-source-line="N"` (1-based, in the post file).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import markdown
from markdown.blockparser import BlockParser
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER

from guide.positions import SOURCE_LINE

PLACEHOLDER_RE = re.compile(HTML_PLACEHOLDER % r"(\d+)")
FIRST_TAG_RE = re.compile(r"^(\s*<[A-Za-z][\w:-]*)")
LOOKAHEAD = 2000
"""How far past its block a nested chunk (a footnote's later paragraphs) is looked for, in lines."""


@dataclass
class _Frame:
    """One parseBlocks call: where its current block starts and ends, and how far nested calls got."""

    start: int = 0
    end: int = 0
    cursor: int = 0


@dataclass
class _State:
    """What one conversion has learnt about lines: index in the parsed text -> index in the post."""

    first_line: int = 1
    source: list[str] = field(default_factory=list)
    parsed: list[str] = field(default_factory=list)
    line_map: list[int] = field(default_factory=list)
    frames: list[_Frame] = field(default_factory=list)

    def source_line(self, parsed_index: int) -> int:
        """Return the 1-based line in the post file of a line of the parsed text."""
        if not self.line_map:
            return self.first_line
        index = self.line_map[min(max(parsed_index, 0), len(self.line_map) - 1)]
        return index + self.first_line


class SourceLinesExtension(Extension):
    """Stamp each block element with `data-source-line`; set `first_line` before converting."""

    def __init__(self) -> None:
        super().__init__()
        self.state = _State()
        self.md: markdown.Markdown | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        """Hook the first preprocessor, the parser and a late treeprocessor."""
        md.registerExtension(self)
        self.md = md
        md.preprocessors.register(_KeepSource(md, self.state), "guide-keep-source", 100)
        parser = md.parser
        original_document = parser.parseDocument

        def parse_document(lines: Iterable[str]) -> ET.ElementTree:
            self._map_lines(list(lines))
            return original_document(self.state.parsed)

        parser.parseDocument = parse_document  # type: ignore[method-assign]
        parser.parseBlocks = lambda parent, blocks: _parse_blocks(parser, self.state, parent, blocks)  # type: ignore[method-assign]
        md.treeprocessors.register(_PlaceholderLines(md), "guide-placeholder-lines", 1)

    def reset(self) -> None:
        """Forget the previous post (Markdown.reset calls this)."""
        first_line = self.state.first_line
        self.state.__init__()  # type: ignore[misc]
        self.state.first_line = first_line

    def _map_lines(self, parsed: list[str]) -> None:
        """Align the text after preprocessing with the post's own lines."""
        self.state.parsed = parsed
        self.state.line_map = align_lines(self.state.source, parsed, self.stash_sizes())

    def stash_sizes(self) -> list[int]:
        """How many lines of the post each stashed block (raw HTML, a fence) stands for."""
        sizes = []
        for html in self.md.htmlStash.rawHtmlBlocks if self.md else []:
            text = html if isinstance(html, str) else ""
            sizes.append(text.strip("\n").count("\n") + (2 if text.startswith("<pre") else 1))
        return sizes


def align_lines(source: list[str], parsed: list[str], stash_sizes: list[int]) -> list[int]:
    """Map each parsed line's index to the index of the post line it came from.

    Preprocessors keep lines, insert blank ones, and replace a fence or an HTML block with one
    placeholder line standing for `stash_sizes[n]` lines.
    """
    line_map = [0] * len(parsed)
    i = 0
    last = max(len(source) - 1, 0)
    for j, line in enumerate(parsed):
        placeholder = PLACEHOLDER_RE.search(line)
        if i < len(source) and line == source[i]:
            line_map[j], i = i, i + 1
        elif placeholder and line.strip() == placeholder.group(0):
            start = _first_filled(source, i, len(source))
            key = int(placeholder.group(1))
            line_map[j] = start
            i = start + (stash_sizes[key] if key < len(stash_sizes) else 1)
        elif not line.strip():
            line_map[j] = min(i, last)
        else:
            found = _find(source, line, i)
            line_map[j] = min(i if found is None else found, last)
            i = i if found is None else found + 1
    return line_map


def _find(source: list[str], line: str, start: int) -> int | None:
    """Find `line` in the post from `start` on (a preprocessor may have reworded it: then None)."""
    for index in range(max(start - 3, 0), min(len(source), start + LOOKAHEAD)):
        if source[index] == line or source[index].expandtabs(4).rstrip() == line.rstrip():
            return index
    return None


def _first_filled(lines: list[str], start: int, end: int) -> int:
    for index in range(start, min(end, len(lines))):
        if lines[index].strip():
            return index
    return min(start, max(len(lines) - 1, 0))


class _KeepSource(Preprocessor):
    """Remember the lines as written, before any preprocessor changes them."""

    def __init__(self, md: markdown.Markdown, state: _State) -> None:
        super().__init__(md)
        self.state = state

    def run(self, lines: list[str]) -> list[str]:
        self.state.source = list(lines)
        return lines


def _parse_blocks(parser: BlockParser, state: _State, parent: ET.Element, blocks: list[str]) -> None:
    """Python-Markdown's BlockParser.parseBlocks, stamping what each block processor adds."""
    base = _chunk_start(state, blocks)
    total = sum(block.count("\n") + 2 for block in blocks) - 2
    tail = deque(block.count("\n") + 2 for block in blocks[1:])
    tail_sum = sum(tail)
    if parent is not getattr(parser, "root", None) and parent.get(SOURCE_LINE) is None:
        parent.set(SOURCE_LINE, str(state.source_line(base)))
    frame = _Frame()
    state.frames.append(frame)
    try:
        while blocks:
            line = base + total - (blocks[0].count("\n") + tail_sum)
            frame.start = frame.cursor = line
            frame.end = line + blocks[0].count("\n")
            before = len(parent)
            for processor in parser.blockprocessors:
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break
            for child in list(parent)[before:]:
                if child.get(SOURCE_LINE) is None:
                    child.set(SOURCE_LINE, str(state.source_line(line)))
            tail_sum = _update_tail(tail, tail_sum, blocks)
    finally:
        state.frames.pop()


def _update_tail(tail: deque[int], tail_sum: int, blocks: list[str]) -> int:
    """Recount the lines after the first block: processors only pop and insert at the front."""
    survivors = min(len(blocks), len(tail))
    while len(tail) > survivors:
        tail_sum -= tail.popleft()
    for block in reversed(blocks[1 : len(blocks) - survivors]):
        size = block.count("\n") + 2
        tail.appendleft(size)
        tail_sum += size
    if len(blocks) - survivors == 0 and tail:  # the old second block is now the first
        tail_sum -= tail.popleft()
    return tail_sum


def _chunk_start(state: _State, blocks: list[str]) -> int:
    """Find where a nested chunk (a list item, a quote) starts, within the block being parsed."""
    if not state.frames:
        return 0
    frame = state.frames[-1]
    first = next((block for block in blocks if block.strip()), "")
    lines = first.split("\n")
    offset = next((i for i, text in enumerate(lines) if text.strip()), 0)
    needle = lines[offset].strip() if lines else ""
    if needle:
        stop = min(len(state.parsed), frame.end + LOOKAHEAD)
        for index in range(frame.cursor, stop):
            if needle in state.parsed[index]:
                frame.cursor = index + 1
                return max(index - offset, 0)
    return frame.cursor


class _PlaceholderLines(Treeprocessor):
    """Move a stashed block's line (a fence, raw HTML) from its placeholder <p> onto its first tag.

    Python-Markdown swaps `<p>placeholder</p>` for the stashed HTML only when the <p> is bare.
    """

    def run(self, root: ET.Element) -> None:
        stash = self.md.htmlStash
        for element in root.iter("p"):
            found = PLACEHOLDER_RE.fullmatch(element.text or "")
            if not found or len(element) or element.get(SOURCE_LINE) is None:
                continue
            line = element.attrib.pop(SOURCE_LINE)
            key = int(found.group(1))
            html = stash.rawHtmlBlocks[key]
            if isinstance(html, str) and SOURCE_LINE not in html[:200]:
                stash.rawHtmlBlocks[key] = FIRST_TAG_RE.sub(rf'\1 {SOURCE_LINE}="{line}"', html, count=1)
