"""Verify an imported chapter: render its Markdown as the build does and compare with the source HTML.

The comparison reads the same features from both trees, in document order: the text, list nesting,
code blocks (exact text), inline code, tables and captions, figures and captions, definition lists,
sub- and superscripts, images with their alt text, and links. Each kind that differs is one
Difference, naming the element and its first differing item.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree

from guide.errors import GuideError, Report
from guide.sources.markdown import read_markdown_post

SMART_PUNCTUATION = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "--", "—": "---", "…": "...", "«": '"', "»": '"'}
)
"""What the build's smarty extension writes, mapped back to what an author types."""
LISTS = ("ul", "ol")
WORD_BREAKS = (
    "br", "p", "div", "li", "td", "th", "tr", "dt", "dd", "pre", "blockquote", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "caption", "section", "article", "hr",
)  # fmt: skip
IMAGE_BLOCKS = ("p", "div")
IMAGE_ALT = "\x00"
"""Separates an image's file name from its alt text in the image feature."""


@dataclass(frozen=True)
class Difference:
    """One kind of element that the written Markdown does not render as its source showed it."""

    element: str
    """The kind of element, e.g. "code block", "list nesting"."""
    expected: str
    """The first item of the source that the rendering lacks or changes ("" when there is none)."""
    found: str
    """What the rendering has in its place ("" when nothing)."""

    def __str__(self) -> str:
        if not self.found:
            return f"{self.element} lost: {_short(self.expected)!r}"
        if not self.expected:
            return f"{self.element} added: {_short(self.found)!r}"
        return f"{self.element} changed: {_short(self.expected)!r} became {_short(self.found)!r}"


def verify_chapter(source_html: str, chapter_text: str, source_path: str) -> list[Difference]:
    """Render `chapter_text` (front matter and Markdown) with the build's reader; compare with the source."""
    try:
        rendered = read_markdown_post(chapter_text, source_path, Report()).body_html
    except GuideError as exc:
        return [Difference("whole post", "the post", f"the build refuses it: {exc.diagnostics[0].message}")]
    return compare_html(source_html, rendered)


def compare_html(source_html: str, rendered_html: str) -> list[Difference]:
    """Every kind of element whose features differ between the two HTML fragments."""
    source, rendered = _tree(source_html), _tree(rendered_html)
    differences = []
    for element, feature in FEATURES:
        expected, found = list(feature(source)), list(feature(rendered))
        difference = _first_difference(element, expected, found)
        if difference is not None:
            differences.append(difference)
    return differences


def _first_difference(element: str, expected: list[str], found: list[str]) -> Difference | None:
    same = _same_image if element == "image" else str.__eq__
    for index, item in enumerate(expected):
        if index >= len(found):
            return Difference(element, _at(element, expected, index), "")
        if not same(item, found[index]):
            return Difference(element, _at(element, expected, index), _at(element, found, index))
    if len(found) > len(expected):
        return Difference(element, "", _at(element, found, len(expected)))
    return None


def _at(element: str, items: list[str], index: int) -> str:
    """The item at `index`; for text, the words from there on."""
    if element == "text":
        return " ".join(items[index : index + 8])
    return items[index].replace(IMAGE_ALT, " alt ")


def _same_image(expected: str, found: str) -> bool:
    """The same file, and the source's alt text kept when it had one."""
    name, _, alt = expected.partition(IMAGE_ALT)
    found_name, _, found_alt = found.partition(IMAGE_ALT)
    return name == found_name and (not alt or alt == found_alt)


def _tree(fragment: str) -> lxml.html.HtmlElement:
    root = lxml.html.fragment_fromstring(fragment or "", create_parent="div")
    for element in list(root.iter()):
        if not isinstance(element.tag, str) and element.getparent() is not None:
            _drop_keep_tail(element)  # comments and processing instructions show nothing
    return root


def _drop_keep_tail(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + (element.tail or "")
    else:
        parent.text = (parent.text or "") + (element.tail or "")
    parent.remove(element)


def _words(text: str) -> str:
    return " ".join(text.translate(SMART_PUNCTUATION).split())


def _text(root: lxml.html.HtmlElement) -> Iterator[str]:
    """The words of the post, with typographic punctuation undone; blocks and breaks part words."""
    root = copy.deepcopy(root)
    for element in root.iter(*WORD_BREAKS):
        element.tail = " " + (element.tail or "")
        if element.tag != "br":
            element.text = " " + (element.text or "")
    yield from _words(root.text_content()).split()


def _list_nesting(root: lxml.html.HtmlElement) -> Iterator[str]:
    """Each list item as its depth and list kind, e.g. "ul>ol"."""
    for item in root.iter("li"):
        kinds = [a.tag for a in item.iterancestors() if a.tag in LISTS]
        yield ">".join(reversed(kinds)) + ": " + "".join(_words(_own_text(item)).split())[:40]


def _own_text(item: lxml.html.HtmlElement) -> str:
    """An item's text without that of the lists nested in it."""
    parts = [item.text or ""]
    for child in item:
        if isinstance(child.tag, str) and child.tag not in LISTS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)


def _code_blocks(root: lxml.html.HtmlElement) -> Iterator[str]:
    """The exact text of each code block, as the build's Markdown reader can give it back.

    Python-Markdown expands tabs (by four columns) and empties lines of spaces in the whole
    source, code included; a code block cannot begin or end with a blank line.
    """
    for pre in root.iter("pre"):
        for line_break in pre.iter("br"):
            line_break.tail = "\n" + (line_break.tail or "")
        text = re.sub(r"(?m)^[ ]+$", "", pre.text_content().expandtabs(4)).strip("\n")
        if text:
            yield text


def _inline_code(root: lxml.html.HtmlElement) -> Iterator[str]:
    for code in root.iter("code", "kbd", "samp"):
        if not any(a.tag == "pre" for a in code.iterancestors()):
            text = " ".join(code.text_content().split())
            if text:
                yield text


def _tables(root: lxml.html.HtmlElement) -> Iterator[str]:
    """Each table's shape (rows x widest row) and caption."""
    for table in root.iter("table"):
        rows = [r for r in table.iter("tr") if _nearest(r, "table") is table]
        width = max((len([c for c in r if c.tag in ("td", "th")]) for r in rows), default=0)
        caption = table.find("caption")
        label = _words(caption.text_content()) if caption is not None else ""
        yield f"{len(rows)}x{width}" + (f" '{label}'" if label else "")


def _nearest(element: lxml.html.HtmlElement, tag: str) -> lxml.html.HtmlElement | None:
    return next((a for a in element.iterancestors() if a.tag == tag), None)


def _figures(root: lxml.html.HtmlElement) -> Iterator[str]:
    """Each figure (or block holding a lone image, which the build makes a figure) and its caption."""
    for element in root.iter("figure", *IMAGE_BLOCKS):
        if element.tag == "figure":
            caption = element.find("figcaption")
            images = len(list(element.iter("img")))
            if not images and caption is None:
                continue  # a figure around a table or quotation: the wrapper shows nothing
            label = _words(caption.text_content()) if caption is not None else ""
            yield f"{images} image{'s' if images != 1 else ''}" + (f" '{label}'" if label else "")
        elif _is_lone_image(element):
            yield "1 image"


def _is_lone_image(element: lxml.html.HtmlElement) -> bool:
    if _words(element.text_content()) or _nearest(element, "figure") is not None:
        return False
    children = [c for c in element if isinstance(c.tag, str) and c.tag != "br"]
    while len(children) == 1 and children[0].tag in ("a", "picture"):
        children = [c for c in children[0] if isinstance(c.tag, str) and c.tag != "source"]
    return len(children) == 1 and children[0].tag == "img"


def _definitions(root: lxml.html.HtmlElement) -> Iterator[str]:
    for term in root.iter("dt", "dd"):
        yield f"{term.tag}: {_words(term.text_content())}"


def _scripts(root: lxml.html.HtmlElement) -> Iterator[str]:
    for element in root.iter("sub", "sup"):
        yield f"<{element.tag}>{_words(element.text_content())}"


def _images(root: lxml.html.HtmlElement) -> Iterator[str]:
    """Each image's file name and alt text."""
    for image in root.iter("img"):
        name = posixpath.basename(unquote(urlsplit(image.get("src") or "").path))
        yield name + IMAGE_ALT + " ".join((image.get("alt") or "").split())


def _links(root: lxml.html.HtmlElement) -> Iterator[str]:
    """Each link's target and text; a link around nothing, which shows nothing, does not count."""
    for link in root.iter("a"):
        href = link.get("href")
        text = _words(link.text_content())
        if href and text:
            yield f"{unquote(href)} {text}"


Feature = Callable[[lxml.html.HtmlElement], Iterator[str]]

FEATURES: tuple[tuple[str, Feature], ...] = (
    ("text", _text),
    ("list nesting", _list_nesting),
    ("code block", _code_blocks),
    ("inline code", _inline_code),
    ("table", _tables),
    ("figure", _figures),
    ("definition list", _definitions),
    ("sub/superscript", _scripts),
    ("image", _images),
    ("link", _links),
)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split()) if "\n" not in text else text.replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"
