"""Find what Python-Markdown could not mean as written, and say where.

Python-Markdown never fails: what it cannot parse it prints literally or swallows. After
conversion this pass looks for the leftovers (an unclosed fence, a footnote or reference link
with no definition, a definition never used, emphasis and backtick markers left in the text, raw
HTML left open) and warns at the line of the element that holds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import lxml.html

from guide.errors import Report
from guide.positions import SOURCE_LINE, element_line
from guide.sources.fences import find_fences

FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
REFERENCE = re.compile(r"(?P<image>!?)\[(?P<text>[^\]\n]*)\]\[(?P<label>[^\]\n]*)\]")
EMPHASIS = re.compile(r"(?<![\w*\\])\*{1,3}(?=[^\s*])|(?<=[^\s*\\])\*{1,3}(?![\w*])|(?<![\w_\\])_{1,3}(?=\w)")
BACKTICK = re.compile(r"(?<!\\)`+")
ADDRESS = re.compile(r"\S*(?:://|www\.|@|/)\S*")
"""Web addresses, e-mail addresses and paths: their underscores and stars are no emphasis."""
CODE = {"code", "pre", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup"}


@dataclass(frozen=True)
class Finding:
    """One place the output cannot be what the author wrote."""

    line: int | None
    message: str


def lint_markdown(body: str, first_line: int, html: str, unused_notes: list[str]) -> list[Finding]:
    """Return every leftover of a failed parse in a post, in line order.

    `body` is the Markdown after front matter, starting at `first_line` of the file; `html` is
    its conversion (blocks stamped `data-source-line`); `unused_notes` are the labels of
    footnote definitions no reference used.
    """
    fences = list(_unclosed_fences(body, first_line))
    findings = [*fences, *_open_html(html), *_unused_notes(body, first_line, unused_notes)]
    if html.strip():
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        fenced = {f.line for f in fences}
        findings += [f for f in _leftover_markers(root) if not (f.line in fenced and "'`'" in f.message)]
    return sorted(dict.fromkeys(findings), key=lambda f: (f.line or 0, f.message))


def report_findings(findings: list[Finding], source_path: str, report: Report) -> None:
    """Warn for each finding: survivable, fatal with --strict."""
    for finding in findings:
        report.warn(source_path, finding.line, finding.message)


def _unused_notes(body: str, first_line: int, labels: list[str]) -> Iterator[Finding]:
    """Each unused footnote definition, at the line that defines it."""
    for label in labels:
        pattern = re.compile(rf"^ {{0,3}}\[\^{re.escape(label)}\]:")
        line = next(
            (n for n, text in enumerate(body.split("\n"), start=first_line) if pattern.match(text)), None
        )
        yield Finding(line, f"footnote '[^{label}]' is defined but never referenced: its text is left out")


def _unclosed_fences(body: str, first_line: int) -> Iterator[Finding]:
    """Each fence no later fence line closes (guide/sources/fences.py): Python-Markdown prints it as text."""
    for fence in find_fences(body.split("\n")):
        if fence.closed is None:
            marker = fence.marker
            line = first_line + fence.opened
            yield Finding(line, f"code fence '{marker}' is never closed: close it with a line of '{marker}'")


def _leftover_markers(root: lxml.html.HtmlElement) -> Iterator[Finding]:
    """Footnote and reference syntax, emphasis and backticks left as text outside code."""
    for element, text in _texts(root):
        line = element_line(element)
        for found in FOOTNOTE_REF.finditer(text):
            yield Finding(line, f"footnote reference '{found.group(0)}' has no definition")
        for found in REFERENCE.finditer(text):
            kind = "image" if found.group("image") else "link"
            label = found.group("label") or found.group("text")
            yield Finding(
                line, f"reference {kind} '[{label}]' has no definition: add a '[{label}]: URL' line"
            )
        stripped = ADDRESS.sub("", REFERENCE.sub("", FOOTNOTE_REF.sub("", text)))
        for found in EMPHASIS.finditer(stripped):
            marker = found.group(0)
            yield Finding(
                line, f"unmatched '{marker}' is printed as written: close the emphasis or escape it"
            )
        if BACKTICK.search(stripped):
            yield Finding(line, "unmatched '`' is printed as written: close the code span or escape it")


def _texts(root: lxml.html.HtmlElement) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """Each text node outside code, with the element it sits in."""
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in CODE:
            continue
        if any(ancestor.tag in CODE for ancestor in element.iterancestors()):
            continue
        if element.text:
            yield element, element.text
        for child in element:
            if child.tail and isinstance(child.tag, str):
                yield element, child.tail


def _open_html(html: str) -> list[Finding]:
    """Raw HTML elements a post opens and never closes."""
    parser = _OpenTags()
    parser.feed(html)
    parser.close()
    return [
        Finding(line, f"<{tag}> is never closed: add </{tag}>")
        for tag, line in parser.stack
        if tag not in OPTIONAL_END
    ]


class _OpenTags(HTMLParser):
    """Track start and end tags; what is left on the stack was never closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        stamped = dict(attrs).get(SOURCE_LINE)
        line = int(stamped) if stamped and stamped.isdigit() else (self.stack[-1][1] if self.stack else None)
        self.stack.append((tag, line))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                unclosed = [t for t in self.stack[index + 1 :] if t[0] not in OPTIONAL_END]
                del self.stack[index:]
                self.stack.extend(unclosed)  # reported at the end, where they are still open
                return
