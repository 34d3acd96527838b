"""Typographic care for a chapter's body: lead-ins kept with what they introduce, no lone last words.

Works on the parsed body (lxml) before it is serialised; the CSS in styles/type.css acts on the
classes set here.
"""

from __future__ import annotations

import lxml.html

NBSP = "\u00a0"
INTRODUCED = ("table", "ul", "ol", "pre", "figure", "blockquote", "dl")
"""Blocks a lead-in paragraph ending in a colon introduces."""
BOUND = ("h2", "h3", "h4", "h5", "h6", "th", "td", "figcaption")
"""Elements whose last two words stay on one line."""
LONGEST_BOUND = 24
"""Characters beyond which two words are left free to part (they could not fit a narrow cell)."""


def set_typography(root: lxml.html.HtmlElement) -> None:
    """Mark lead-ins and bind the last two words of headings, table cells and captions."""
    for element in root.iter(*BOUND):
        _bind_last_words(element)
    for paragraph in root.iter("p"):
        following = paragraph.getnext()
        text = paragraph.text_content().rstrip()
        if following is not None and following.tag in INTRODUCED and text.endswith(":"):
            classes = paragraph.get("class")
            paragraph.set("class", f"{classes} lead-in" if classes else "lead-in")


def _bind_last_words(element: lxml.html.HtmlElement) -> None:
    """Replace the space before the last word with a no-break space, when the two words are short."""
    words = element.text_content().split()
    if len(words) < 2 or len(words[-2]) + len(words[-1]) + 1 > LONGEST_BOUND:
        return
    # The last space lies in the last text node that holds one before some text: an element's
    # text or a child's tail.
    seen_text = False
    for node, attribute in reversed(_text_nodes(element)):
        value = getattr(node, attribute) or ""
        search = value if seen_text else value.rstrip()
        cut = search.rfind(" ")
        if cut >= 0 and (seen_text or search[cut + 1 :].strip()):
            setattr(node, attribute, value[:cut] + NBSP + value[cut + 1 :])
            return
        seen_text = seen_text or bool(value.strip())


def _text_nodes(element: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, str]]:
    """Every (node, 'text' | 'tail') pair inside `element`, in document order."""
    nodes = [(element, "text")]
    for child in element:
        if isinstance(child.tag, str):
            nodes += _text_nodes(child)
        nodes.append((child, "tail"))
    return nodes
