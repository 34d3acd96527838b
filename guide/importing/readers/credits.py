"""Find the credit a caption carries ("Photo: Jo Smith", "Image by ...", "© ...")."""

from __future__ import annotations

import re

import lxml.html

CREDIT_RE = re.compile(
    r"(?:^|(?<=[\s.;,(\u2013\u2014-]))\(?\s*"
    r"(?P<credit>(?:(?:photo(?:graph)?|image|picture|illustration|graphic)s?\s*(?:credits?\s*)?(?::|by\b)"
    r"|credits?\s*:|courtesy\s+of\b|\u00a9|\(c\)\s)[^()]*?)\)?\s*$",
    re.IGNORECASE,
)


def split_credit(caption_html: str) -> tuple[str, str | None]:
    """Return the caption without its credit, and the credit as one plain-text line."""
    found = CREDIT_RE.search(caption_html)
    if not found:
        return caption_html, None
    credit = _plain(found.group("credit"))
    rest = caption_html[: found.start()].rstrip(" \t\n(;,\u2013\u2014-")
    return (rest if _plain(rest) else ""), credit or None


def _plain(fragment: str) -> str:
    if not fragment.strip():
        return ""
    text = lxml.html.fragment_fromstring(fragment, create_parent="div").text_content()
    return " ".join(text.split())
