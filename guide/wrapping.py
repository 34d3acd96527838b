"""Mark what a reader copies (URLs, e-mail addresses, paths, code) so it wraps without being altered.

The print stylesheet (styles/overflow.css) wraps long words anywhere and hyphenates prose. Text a reader
copies must break only where breaking adds no character, so the render stage marks it in the HTML:

- zero-width break opportunities (U+200B) after `/`, `\\` and `,` and before `.`, `-`, `_`, `?`, `#`, `&`,
  `=`, `@`, `%`, `~` and `+`, in URLs, e-mail addresses, paths and runs of 30 or more characters without
  a space (keys, hashes) in prose and link text, and in inline code; a word joiner (U+2060) after
  each `-` so a line never ends in a hyphen that a reader would take for hyphenation. Both are
  default-ignorable: copying from the PDF (poppler, pdfminer) gives the text without them, as the
  tests check.
- those URLs, addresses, paths and runs are wrapped in `<span class="copyable">`, which the stylesheet
  never hyphenates and lets break anywhere as a last resort.
- each line of a code block becomes `<span class="code-line">line\\n</span>`: a block with a hanging
  indent, where the stylesheet draws a continuation marker on every wrapped line.

Everything else is re-emitted byte for byte: the markup is parsed only to know where text sits.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ZWSP = "\u200b"
"""A break opportunity that adds no character."""
WORD_JOINER = "\u2060"
"""Forbids the break a line breaker would otherwise take after a hyphen."""
BREAK_BEFORE = frozenset(".-_?#&=@%~+")
BREAK_AFTER = frozenset("/\\,")
MIN_CODE_TOKEN = 12
"""Shorter inline code always fits a line: leave it as written."""

_URL = r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.)[^\s<>\"'“”‘’]+"
_EMAIL = r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"
_PATH = r"(?<![\w/:.])(?:~|\.{1,2})?/[\w.~+-]+(?:/[\w.~+-]*)+|\b[A-Za-z]:\\[^\s<>]+|\b[\w.-]+(?:/[\w.-]+){2,}"
LONG_TOKEN = 30
"""Longer runs without a space are never words to hyphenate: keys, hashes, identifiers."""
_LONG = rf"[^\s<>]{{{LONG_TOKEN},}}"
COPYABLE = re.compile(f"{_URL}|{_EMAIL}|{_PATH}|{_LONG}")
TRAILING_PUNCTUATION = ".,;:!?'\"”’)]}"
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
CODE = frozenset({"code", "kbd", "samp", "tt"})
LEFT_ALONE = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "title"})
"""Headings feed bookmarks and running heads, which must not carry invisible characters."""


def mark_wrapping(fragment: str) -> str:
    """Return the HTML fragment with copyable text marked for wrapping (see the module docstring)."""
    marker = _Marker()
    marker.feed(fragment)
    marker.close()
    return marker.result()


def breakable(token: str) -> str:
    """Return `token` with zero-width break opportunities at its punctuation."""
    out: list[str] = []
    last = len(token) - 1
    for i, ch in enumerate(token):
        if ch in BREAK_BEFORE and i > 0 and token[i - 1] not in BREAK_BEFORE | BREAK_AFTER:
            out.append(ZWSP)
        out.append(ch)
        if i < last and ch == "-":
            out.append(WORD_JOINER)
        elif i < last and ch in BREAK_AFTER and token[i + 1] not in BREAK_AFTER:
            out.append(ZWSP)
    return "".join(out)


def _escape(text: str) -> str:
    """Escape text for HTML, writing the invisible marks as character references a reader can see."""
    return html.escape(text, quote=False).replace(ZWSP, "&#8203;").replace(WORD_JOINER, "&#8288;")


def copyable_span(text: str) -> str:
    """Return escaped HTML for prose `text`, each URL, e-mail address or path in a breakable span."""
    out: list[str] = []
    end = 0
    for match in COPYABLE.finditer(text):
        token = _trim(match.group())
        if not token:
            continue
        out.append(html.escape(text[end : match.start()], quote=False))
        out.append(f'<span class="copyable">{_escape(breakable(token))}</span>')
        end = match.start() + len(token)
    out.append(html.escape(text[end:], quote=False))
    return "".join(out)


def _trim(token: str) -> str:
    """Drop the sentence punctuation a URL is followed by, keeping a closing bracket it opened."""
    while token and token[-1] in TRAILING_PUNCTUATION:
        if token[-1] == ")" and token.count("(") >= token.count(")"):
            break
        token = token[:-1]
    return token


def _break_tokens(text: str) -> str:
    """Return escaped HTML for inline code's `text` with break opportunities in its long tokens."""
    tokens = re.split(r"(\s+)", text)
    return "".join(_escape(breakable(t)) if len(t) >= MIN_CODE_TOKEN else _escape(t) for t in tokens)


def code_lines(text: str) -> str:
    """Return escaped HTML for a code block's text, each line a `code-line` span keeping its newline."""
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    return "".join(f'<span class="code-line">{html.escape(line, quote=False)}</span>' for line in lines)


class _Marker(HTMLParser):
    """Re-emit HTML unchanged except for the text runs `mark_wrapping` rewrites."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.open: list[str] = []
        self.run: list[tuple[str, str]] = []
        """The text since the last tag: (as written, as decoded) pieces."""
        self.pre: list[tuple[str, str, str]] | None = None
        """Inside a <pre>: its (kind, as written, decoded) pieces, held until it closes."""

    def result(self) -> str:
        self._flush()
        return "".join(self.out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, self.get_starttag_text() or "", opening=True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, self.get_starttag_text() or "", opening=False)

    def handle_endtag(self, tag: str) -> None:
        self._flush()
        raw = f"</{tag}>"
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]
        if self.pre is not None:
            if tag == "pre" and "pre" not in self.open:
                self.out.append(_code_block(self.pre))
                self.pre = None
                self.out.append(raw)
            else:
                self.pre.append(("tag", raw, tag))
            return
        self.out.append(raw)

    def handle_data(self, data: str) -> None:
        self.run.append((data, data))

    def handle_entityref(self, name: str) -> None:
        raw = f"&{name};"
        self.run.append((raw, html.unescape(raw)))

    def handle_charref(self, name: str) -> None:
        raw = f"&#{name};"
        self.run.append((raw, html.unescape(raw)))

    def handle_comment(self, data: str) -> None:
        self._raw(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._raw(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._raw(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._raw(f"<![{data}]>")

    def _tag(self, tag: str, raw: str, opening: bool) -> None:
        self._flush()
        if self.pre is not None:
            self.pre.append(("tag", raw, tag))
        else:
            self.out.append(raw)
            if tag == "pre" and opening:
                self.pre = []
        if opening and tag not in VOID:
            self.open.append(tag)

    def _raw(self, raw: str) -> None:
        self._flush()
        if self.pre is None:
            self.out.append(raw)
        else:
            self.pre.append(("tag", raw, "#"))

    def _flush(self) -> None:
        if not self.run:
            return
        written = "".join(raw for raw, _ in self.run)
        text = "".join(decoded for _, decoded in self.run)
        self.run = []
        if self.pre is not None:
            self.pre.append(("text", written, text))
        else:
            self.out.append(self._marked(written, text))

    def _marked(self, written: str, text: str) -> str:
        if LEFT_ALONE.intersection(self.open):
            return written
        marked = _break_tokens(text) if CODE.intersection(self.open) else copyable_span(text)
        return written if marked == html.escape(text, quote=False) else marked


def _code_block(pieces: list[tuple[str, str, str]]) -> str:
    """A <pre>'s content: its lines as code-line spans when it is plain text, else as written."""
    tags = [(raw, name) for kind, raw, name in pieces if kind == "tag"]
    texts = [(raw, text) for kind, raw, text in pieces if kind == "text"]
    plain = [name for _, name in tags] in ([], ["code", "code"])
    if not plain or (tags and (pieces[0][0] != "tag" or pieces[-1][0] != "tag")):
        return "".join(raw for _, raw, _ in pieces)
    body = code_lines("".join(text for _, text in texts))
    return f"{tags[0][0]}{body}{tags[1][0]}" if tags else body
