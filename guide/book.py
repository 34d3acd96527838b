"""Assemble posts into a Book: ordered chapters with ids, internal links and credits."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import lxml.html

from guide.errors import Report
from guide.manifest import Manifest
from guide.post import Post
from guide.slug import unique_slug

RESERVED_IDS = {"cover", "contents", "credits"}


@dataclass(frozen=True)
class Chapter:
    """A post placed in the book: its number, its id and its body ready to render."""

    number: int
    """1-based position in reading order."""
    slug: str
    """The chapter's HTML id; every id inside the chapter starts with it."""
    post: Post
    """The post as read."""
    body_html: str
    """The post's body with ids prefixed, links between posts made internal, images resolved."""
    images: tuple[str, ...] = ()
    """Project-relative paths of the local images the chapter shows."""


@dataclass(frozen=True)
class Book:
    """Everything the renderer needs: front matter plus one part per chapter."""

    title: str
    author: str
    language: str
    page_size: str
    chapters: tuple[Chapter, ...]
    subtitle: str | None = None
    date: dt.date | None = None
    credits: tuple[str, ...] = ()
    """Guide-level credits, printed after the chapters' own."""


def build_book(manifest: Manifest, posts: list[Post], report: Report) -> Book:
    """Order posts as chapters, give them ids and make their links internal."""
    taken = set(RESERVED_IDS)
    slugs = [unique_slug(post.title, taken, fallback="chapter") for post in posts]
    url_map = {_url_key(p.url): slug for p, slug in zip(posts, slugs, strict=True) if p.url}
    chapters = []
    for number, (post, slug) in enumerate(zip(posts, slugs, strict=True), start=1):
        body, images = _link_body(post, slug, url_map, manifest, report)
        chapters.append(Chapter(number=number, slug=slug, post=post, body_html=body, images=images))
    return Book(
        title=manifest.title,
        subtitle=manifest.subtitle,
        author=manifest.author,
        language=manifest.language,
        date=manifest.date,
        page_size=manifest.page_size,
        credits=manifest.credits,
        chapters=tuple(chapters),
    )


def _url_key(url: str) -> str:
    """Compare post addresses without scheme, www., query or trailing slash."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"


def _link_body(
    post: Post, slug: str, url_map: dict[str, str], manifest: Manifest, report: Report
) -> tuple[str, tuple[str, ...]]:
    if not post.body_html.strip():
        return "", ()
    root = lxml.html.fragment_fromstring(post.body_html, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("id"):
            element.set("id", f"{slug}--{element.get('id')}")
        if element.tag == "a" and element.get("href"):
            element.set("href", _resolve_href(element.get("href"), slug, url_map))
    images = tuple(_resolve_images(root, post, manifest, report))
    inner = (root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return inner, images


def _resolve_href(href: str, slug: str, url_map: dict[str, str]) -> str:
    if href.startswith("#"):
        return f"#{slug}--{href[1:]}" if len(href) > 1 else f"#{slug}"
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https"):
        return href
    target = url_map.get(_url_key(href))
    if target is None:
        return href
    return f"#{target}--{parts.fragment}" if parts.fragment else f"#{target}"


def _resolve_images(root: lxml.html.HtmlElement, post: Post, manifest: Manifest, report: Report) -> list[str]:
    """Point local images at their project-relative path; report the missing ones."""
    found = []
    post_dir = posixpath.dirname(post.source_path)
    for image in root.iter("img"):
        src = image.get("src") or ""
        if not src or urlsplit(src).scheme:
            continue
        relative = posixpath.normpath(posixpath.join(post_dir, unquote(src)))
        abs_path = (manifest.project_dir / relative).resolve()
        if not abs_path.is_relative_to(manifest.project_dir):
            report.error(post.source_path, None, f"image '{src}' lies outside the project folder")
        elif not abs_path.is_file():
            report.error(post.source_path, None, f"image '{src}' not found")
        else:
            image.set("src", relative)
            found.append(relative)
    return found
