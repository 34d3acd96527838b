"""Tell what a source file is from its content, never its name."""

from __future__ import annotations

import re
from enum import StrEnum

from guide.errors import Diagnostic, GuideError
from guide.importing.readers.doctype import UTF32_SIGNS
from guide.limits import MAX_HTML_ATTRIBUTES

SNIFF_BYTES = 65536
PROLOG_RE = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.DOTALL | re.IGNORECASE
)
ROOT_RE = re.compile(r"\s*<([A-Za-z_][\w:.-]*)([^>]*)>?")
HTML_ROOTS = {"html", "head", "body", "article", "main", "div", "p", "meta", "title", "section"}
FEED_ROOTS = {"feed", "rdf:rdf", "rss"}


class Format(StrEnum):
    """The shapes of input `guide import` reads."""

    WORDPRESS = "WordPress export"
    FEED = "feed"
    HTML_PAGE = "saved web page"
    STATIC_BLOG = "static blog post"
    TEXT = "plain-text post"


def detect_format(data: bytes, source_path: str) -> Format:
    """Return the format of a source from its first bytes."""
    head = _sniff_text(data[:SNIFF_BYTES])
    if not head.strip():
        raise GuideError(Diagnostic(source_path, None, "source is empty"))
    stripped = head.lstrip()
    if stripped.startswith("<"):
        return _markup_format(stripped, source_path)
    if re.match(r"(---|\+\+\+)[ \t]*\n", stripped):
        return Format.STATIC_BLOG
    return Format.TEXT


TAG_START = re.compile(r"<[A-Za-z][^<>]*|&lt;[A-Za-z](?:[^&<>]|&(?![lg]t;))*")
"""A start tag up to its end, raw or escaped (a feed's description): matched once per character."""
ATTRIBUTE = re.compile(r"""\s[^\s"'<>/=&;]+\s*=""")


def crowded_element(data: bytes) -> int | None:
    """The line of the first element (raw or escaped) with over MAX_HTML_ATTRIBUTES attributes, or None.

    Read before any parser sees the source, whatever its encoding (UTF-16 and -32 told by their
    first bytes, any other as bytes).
    """
    text = _sniff_text(data)
    shortest = 3 * MAX_HTML_ATTRIBUTES  # ' a=' at least, each
    for found in TAG_START.finditer(text):
        if (
            found.end() - found.start() > shortest
            and len(ATTRIBUTE.findall(found.group())) > MAX_HTML_ATTRIBUTES
        ):
            return text.count("\n", 0, found.start()) + 1
    return None


def _sniff_text(head: bytes) -> str:
    for sign, codec in UTF32_SIGNS:
        if head.startswith(sign):
            return head.decode(codec, errors="replace")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if head.startswith((b"<\x00", b"\x00<")):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="replace")
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1").replace("\r\n", "\n")


def _markup_format(text: str, source_path: str) -> Format:
    if re.match(r"\s*<!DOCTYPE\s+html", text, re.IGNORECASE):
        return Format.HTML_PAGE
    position = 0
    while found := PROLOG_RE.match(text, position):
        if found.end() == position:
            break
        position = found.end()
    root = ROOT_RE.match(text, position)
    if root is None:
        raise GuideError(
            Diagnostic(source_path, 1, "cannot tell what this file is: markup without an element")
        )
    name = root.group(1).lower()
    if name == "rss" and "wordpress.org/export/" in root.group(2):
        return Format.WORDPRESS
    if name in FEED_ROOTS:
        return Format.FEED
    if name in HTML_ROOTS:
        return Format.HTML_PAGE
    line = text.count("\n", 0, root.start(1)) + 1
    raise GuideError(
        Diagnostic(
            source_path,
            line,
            f"cannot tell what this file is: XML whose root is <{root.group(1)}> "
            "(known: WordPress export, RSS, Atom, HTML page, Markdown or text post)",
        )
    )
