"""Keep links between imported posts buildable: the build makes them internal, fragment and all."""

from __future__ import annotations

import html
from urllib.parse import urlsplit, urlunsplit

import lxml.html

from guide.importing.readers.article import Article
from guide.slug import unique_slug

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def post_key(url: str) -> str:
    """Compare post addresses as the build does: no scheme, www., query or trailing slash."""
    parts = urlsplit(url.strip())
    return f"{parts.netloc.lower().removeprefix('www.')}{parts.path.rstrip('/')}"


def anchors_by_post(articles: tuple[Article, ...]) -> dict[str, set[str]]:
    """The ids each imported post's chapter will have: its headings', from their text."""
    anchors: dict[str, set[str]] = {}
    for article in articles:
        if article.post.url:
            taken: set[str] = set()
            body = article.post.body_html
            if body.strip():
                root = lxml.html.fragment_fromstring(body, create_parent="div")
                for heading in root.iter(*HEADINGS):
                    unique_slug(heading.text_content(), taken)
            anchors[post_key(article.post.url)] = taken
    return anchors


def drop_dangling_fragments(body_html: str, anchors: dict[str, set[str]]) -> str:
    """Link to the post itself where a link names a place in another imported post that will not exist."""
    if "#" not in body_html or not body_html.strip():
        return body_html
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    for link in root.iter("a"):
        parts = urlsplit(link.get("href") or "")
        if parts.scheme in ("http", "https") and parts.fragment:
            known = anchors.get(post_key(link.get("href") or ""))
            if known is not None and parts.fragment not in known:
                link.set("href", urlunsplit(parts._replace(fragment="")))
    return html.escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
