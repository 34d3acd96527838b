"""Make imported HTML fit for print: no scripts or forms, embeds as links, bare URLs as links.

Then the markup blog engines write is made plain (see `markup`): code gutters, stray nested
lists, galleries, Word-style footnotes, scheme-less links, titles standing in for alt text.
"""

from __future__ import annotations

import html
import re
from collections import Counter

import lxml.html
from lxml import etree

from guide.importing.readers.embeds import provider, titled_link
from guide.importing.readers.markup import (
    gallery_grids,
    nest_stray_lists,
    remove_keeping_tail,
    scheme_less_links,
    titles_as_alt,
    unify_gutter_code,
    word_footnotes,
)
from guide.slug import unique_slug

DROPPED = (
    "script", "style", "noscript", "template", "form", "input", "button", "select", "textarea", "svg", "math",
)  # fmt: skip
EMBEDS = ("iframe", "object", "embed", "video", "audio")
BARE_URL_RE = re.compile(r"^\s*(https?://\S+)\s*$")
URL_HOLDERS = ("p", "div", "figure")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
UNPRINTABLE_RE = re.compile(r"[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Control characters, lone surrogates and non-characters: lxml refuses them, and a post cannot hold them."""


def clean_html(fragment: str) -> tuple[str, list[str]]:
    """Return the cleaned fragment and one warning per kind of thing dropped or replaced."""
    fragment, unprintable = UNPRINTABLE_RE.subn("", fragment)
    if not fragment.strip():
        return "", []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    dropped: Counter[str] = Counter()
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            if isinstance(element, etree._Comment):
                remove_keeping_tail(element)
            continue
        if element.tag in DROPPED:
            dropped[element.tag] += 1
            remove_keeping_tail(element)
        elif element.tag in EMBEDS:
            dropped[element.tag] += 1
            _replace_with_link(element)
    unify_gutter_code(root)
    nest_stray_lists(root)
    gallery_grids(root)
    word_footnotes(root)
    scheme_less_links(root)
    titles_as_alt(root)
    _link_bare_urls(root)
    _retarget_fragment_links(root)
    warnings = [_warning(tag, count) for tag, count in sorted(dropped.items())]
    if unprintable:
        warnings.append(f"{unprintable} control or invalid characters removed: a guide cannot print them")
    return _inner_html(root), warnings


def _warning(tag: str, count: int) -> str:
    times = "" if count == 1 else f" ({count} times)"
    if tag in EMBEDS:
        return f"<{tag}> replaced by a link to what it showed{times}"
    if tag in ("svg", "math"):
        return f"inline <{tag}> drawing removed: the guide cannot print it{times}"
    return f"<{tag}> removed: a printed guide cannot run or fill it{times}"


def _replace_with_link(element: lxml.html.HtmlElement) -> None:
    """An iframe, video or other embed becomes a paragraph with a titled link to what it showed."""
    source = element.find(".//source")
    url = element.get("src") or element.get("data") or (source.get("src") if source is not None else None)
    parent = element.getparent()
    if parent is None:
        return
    title = " ".join((element.get("title") or "").split()) or None
    replacement = lxml.html.fragment_fromstring(titled_link(url or "", title))
    if parent.tag not in ("div", "figure", "body", "section", "article"):
        replacement.tag = "span"
    replacement.tail = element.tail
    parent.replace(element, replacement)


def _link_bare_urls(root: lxml.html.HtmlElement) -> None:
    """A block holding nothing but an address (an oEmbed in WordPress) becomes a link."""
    for element in list(root.iter(*URL_HOLDERS)):
        if len(element) == 0 and element.text and BARE_URL_RE.match(element.text):
            url = element.text.strip()
            if provider(url) is not None:  # an oEmbed: WordPress shows the video or post itself
                replacement = lxml.html.fragment_fromstring(titled_link(url))
                if element.tag == "p":
                    replacement.tail = element.tail
                    element.getparent().replace(element, replacement)
                else:
                    element.text = None
                    element.append(replacement)
                continue
            element.text = None
            link = etree.SubElement(element, "a", href=url)
            link.text = url


def _retarget_fragment_links(root: lxml.html.HtmlElement) -> None:
    """Point "#id" links at the ids the build gives headings; unlink the ones Markdown cannot keep.

    The chapter is written as Markdown, which keeps no ids: only headings get theirs back,
    from their text, as the Markdown reader gives them.
    """
    taken: set[str] = set()
    new_ids: dict[str, str] = {}
    for heading in root.iter(*HEADINGS):
        slug = unique_slug(heading.text_content(), taken)
        for element in (heading, *heading.iterdescendants()):
            for key in ("id", "name"):
                if element.get(key):
                    new_ids[element.get(key)] = slug
    for link in root.iter("a"):
        href = link.get("href") or ""
        if href.startswith("#") and len(href) > 1:
            target = new_ids.get(href[1:])
            if target is None:
                del link.attrib["href"]
            else:
                link.set("href", f"#{target}")


def _inner_html(root: lxml.html.HtmlElement) -> str:
    return html.escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


def first_words(fragment: str, count: int = 8) -> str:
    """The first words of a fragment's text, to title a post that has no title."""
    if not fragment.strip():
        return ""
    words = lxml.html.fragment_fromstring(fragment, create_parent="div").text_content().split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")
