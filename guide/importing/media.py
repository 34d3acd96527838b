"""Bring a post's images into the project from a copy of the blog's uploads folder."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

from guide.paths import file_within

MEDIA_FOLDER = "media"
"""Images go to chapters/media/, beside the chapters that show them."""
UPLOADS_MARK = "/wp-content/uploads/"
RESIZED_RE = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")
MD_IMAGE_RE = re.compile(
    # Alt text may hold balanced brackets ("[site] $"), as Markdown allows.
    r"!\[(?P<alt>(?:\\.|\[(?:\\.|[^\]\\])*\]|[^\]\\\[])*)\]"
    r"\(\s*<?(?P<src>[^)\s>]+)>?(?P<title>\s+\"[^\"]*\")?\s*\)"
)
HTML_IMAGE_RE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"'](?P<src>[^\"']+)[\"'][^>]*>", re.IGNORECASE)
ALT_RE = re.compile(r"\balt\s*=\s*[\"'](?P<alt>[^\"']*)[\"']", re.IGNORECASE)


@dataclass(frozen=True)
class MediaCopy:
    """An image to copy into the project."""

    source: Path
    """The file in the --media folder."""
    target: str
    """Where it goes, relative to the project."""


@dataclass
class PostMedia:
    """What localising one post's images found."""

    copies: list[MediaCopy] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    """Images left on the web: the build refuses them until they are brought in."""
    missing: list[str] = field(default_factory=list)
    """Local images that are nowhere to be found: replaced by their description."""


@dataclass(frozen=True)
class MediaFolder:
    """A copy of the blog's uploads folder (WordPress) or of its site root (other blogs)."""

    root: Path

    def find(self, url_path: str) -> tuple[Path, str] | None:
        """Return the file for an image's URL path and its path inside the folder."""
        path = unquote(url_path)
        candidates = []
        if UPLOADS_MARK in path:
            candidates.append(path.split(UPLOADS_MARK, 1)[1])
        candidates.append(path.lstrip("/"))
        for candidate in list(candidates):
            original = RESIZED_RE.sub("", candidate)
            if original != candidate:
                candidates.append(original)
        for candidate in candidates:
            found = self._inside(candidate)
            if found is not None:
                return found, candidate
        return None

    def _inside(self, relative: str) -> Path | None:
        clean = posixpath.normpath(relative)
        if clean.startswith("..") or posixpath.isabs(clean):
            return None
        found = file_within(str(self.root.absolute() / clean), (self.root.resolve(),))
        return None if isinstance(found, str) else found


Resolve = Callable[[str], str | None]


@dataclass(frozen=True)
class PostFolder:
    """The folder a post file lives in, whose images (a Hugo page bundle's) come along with it."""

    folder: MediaFolder
    target: str
    """Where its images go, relative to the project: chapters/media/<chapter name>."""


def image_resolver(
    post_url: str | None, media: MediaFolder | None, found: PostMedia, beside: PostFolder | None = None
) -> Resolve:
    """Return a function mapping an image src to its new src, or None when it cannot be shown."""

    def resolve(src: str) -> str | None:
        src = src.strip()
        if src.startswith("data:"):
            return src
        near = beside.folder.find(src) if beside and not urlsplit(src).scheme and src[:1] != "/" else None
        if beside is not None and near is not None:
            path, relative = near
            found.copies.append(MediaCopy(path, posixpath.join(beside.target, relative)))
            return posixpath.join(beside.target.removeprefix("chapters/"), relative)
        absolute = urljoin(post_url, src) if post_url else src
        parts = urlsplit(absolute)
        local = media.find(parts.path) if media is not None else None
        if local is not None:
            path, relative = local
            target = posixpath.join(MEDIA_FOLDER, relative)
            found.copies.append(MediaCopy(path, posixpath.join("chapters", target)))
            return target
        if parts.scheme in ("http", "https"):
            found.remote.append(absolute)
            return absolute
        found.missing.append(src)
        return None

    return resolve


def localise_html(body_html: str, resolve: Resolve) -> str:
    """Point the images of an HTML body at their local copies; describe the ones that are lost."""
    if "<img" not in body_html:
        return body_html
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    for image in list(root.iter("img")):
        for attribute in ("srcset", "sizes", "title"):
            image.attrib.pop(attribute, None)
        new_src = resolve(image.get("src") or "")
        if new_src is None:
            _describe(image)
        else:
            image.set("src", new_src)
    return html.escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


def _describe(image: lxml.html.HtmlElement) -> None:
    description = lxml.html.Element("em")
    description.text = f"[image: {image.get('alt') or 'not included'}]"
    description.tail = image.tail
    parent = image.getparent()
    if parent is not None:
        parent.replace(image, description)


def localise_markdown(body: str, resolve: Resolve) -> str:
    """The same for a Markdown body: image syntax and raw <img> tags."""

    def markdown_image(found: re.Match[str]) -> str:
        new_src = resolve(found.group("src"))
        if new_src is None:
            return f"*\\[image: {found.group('alt') or 'not included'}\\]*"
        return found.group(0).replace(found.group("src"), new_src, 1)

    def html_image(found: re.Match[str]) -> str:
        new_src = resolve(html.unescape(found.group("src")))
        if new_src is None:
            alt = ALT_RE.search(found.group(0))
            return f"<em>[image: {alt.group('alt') if alt else 'not included'}]</em>"
        return found.group(0).replace(found.group("src"), html.escape(new_src), 1)

    return HTML_IMAGE_RE.sub(html_image, MD_IMAGE_RE.sub(markdown_image, body))
