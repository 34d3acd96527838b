"""Cross-references: links between chapters print where they lead; outside links, in print, their address.

The page number is CSS's (`target-counter`, styles/type.css), so it is the page the reader
turns to. The target's title is written into the text itself, not generated: it is then real
text for copying, searching and screen readers.
"""

from __future__ import annotations

import re

import lxml.html

from guide.manifest import Edition
from guide.post import address_key

XREF_CLASS = re.compile(r'\sclass="(?:[^"]*\s)?xref[\s"]')


def mark_cross_reference(element: lxml.html.HtmlElement, href: str, title: str, edition: Edition) -> None:
    """Turn a link to another chapter into a reference that prints its page.

    A link whose text is its own address prints the target's title instead ("Part 8: Moderation
    (page 15)"); in print, just "page 15". A link with its own text keeps it and adds the page.
    """
    element.set("class", " ".join(filter(None, [element.get("class"), "xref"])))
    if not _shows_its_address(element, href):
        return
    for child in list(element):
        element.remove(child)
    if edition is Edition.PRINT:
        element.text = "page"
        element.set("class", element.get("class", "") + " xref-page")
    else:
        element.text = title


def has_cross_references(body_html: str) -> bool:
    """Whether a chapter's body prints another chapter's page (a typesetter laying out parts must know)."""
    return XREF_CLASS.search(body_html) is not None


def add_address_note(element: lxml.html.HtmlElement, href: str) -> None:
    """In print, follow an outside link with a footnote giving its address, unless its text shows it."""
    if _shows_its_address(element, href) or href.startswith(("mailto:", "tel:")):
        return
    note = lxml.html.Element("span")
    note.set("class", "footnote address-note")
    note.text = href
    note.tail = element.tail
    element.tail = None
    element.addnext(note)


def _shows_its_address(element: lxml.html.HtmlElement, href: str) -> bool:
    text = element.text_content().strip()
    if not text or " " in text:
        return False
    if "://" not in text:
        text = "https://" + text
    return address_key(text) == address_key(href)
