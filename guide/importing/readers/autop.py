"""Give classic WordPress posts their paragraphs back, following the rules of WordPress's autop.

Classic posts are stored without <p>: WordPress adds paragraphs when it shows them, a blank
line ending a paragraph and a single line end becoming <br />, never inside block elements
or <pre>.
"""

from __future__ import annotations

import re

BLOCKS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|"
    "blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|"
    "nav|figure|figcaption|details|menu|summary|math"
)
OPEN_BLOCK_RE = re.compile(rf"(<(?:{BLOCKS})[\s/>])")
CLOSE_BLOCK_RE = re.compile(rf"(</(?:{BLOCKS})>)")
ANY_BLOCK_TAG = rf"</?(?:{BLOCKS})[^>]*>"
PRE_RE = re.compile(r"<pre[\s>].*?</pre>", re.DOTALL | re.IGNORECASE)
TAG_RE = re.compile(r"<[^<>]+>")
KEEP_NEWLINES_RE = re.compile(r"<(script|style|svg)[^>]*>.*?</\1>", re.DOTALL)
NEWLINE_MARK = "<!-- guide-nl -->"
PLACEHOLDER = "<pre guide-protected-{}></pre>"


def autop(text: str, protected: dict[str, str] | None = None) -> str:
    """Wrap double-line-break-separated text in <p> and turn single line ends into <br />.

    `protected` maps placeholders (shaped like PLACEHOLDER, a block) to HTML left untouched.
    """
    if not text.strip():
        return ""
    kept = dict(protected or {})
    text = PRE_RE.sub(lambda m: _protect(m.group(0), kept), text + "\n")
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = OPEN_BLOCK_RE.sub(r"\n\n\1", text)
    text = CLOSE_BLOCK_RE.sub(r"\1\n\n", text)
    text = re.sub(r"<hr\s*?/?>", "<hr />\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = TAG_RE.sub(lambda m: m.group(0).replace("\n", f" {NEWLINE_MARK} "), text)
    text = re.sub(r"\s*<option", "<option", text)
    text = re.sub(r"</option>\s*", "</option>", text)
    text = re.sub(r"\s*(</?(?:param|embed|source|track)[^>]*>)\s*", r"\1", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    text = _paragraphs(text)
    text = _tidy_paragraphs(text)
    text = _line_breaks(text)
    for placeholder, original in reversed(kept.items()):
        text = text.replace(placeholder, original)
    return text.replace(f" {NEWLINE_MARK} ", "\n").replace(NEWLINE_MARK, "\n")


def _protect(html: str, kept: dict[str, str]) -> str:
    placeholder = PLACEHOLDER.format(len(kept))
    kept[placeholder] = html
    return placeholder


def _paragraphs(text: str) -> str:
    pieces = re.split(r"\n\s*\n", text)
    return "".join(f"<p>{piece.strip()}</p>\n" for piece in pieces if piece.strip())


def _tidy_paragraphs(text: str) -> str:
    """Undo the paragraphs the split put around block tags, as WordPress does."""
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*({ANY_BLOCK_TAG})\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*({ANY_BLOCK_TAG})", r"\1", text)
    return re.sub(rf"({ANY_BLOCK_TAG})\s*</p>", r"\1", text)


def _line_breaks(text: str) -> str:
    """Turn the line ends left inside paragraphs into <br />, except in script, style and svg."""
    text = KEEP_NEWLINES_RE.sub(lambda m: m.group(0).replace("\n", NEWLINE_MARK), text)
    text = re.sub(r"<br\s*/?>", "<br />", text)
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = re.sub(rf"({ANY_BLOCK_TAG})\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    return re.sub(r"\n</p>$", "</p>", text)
