"""Assemble posts into a Book: ordered chapters with ids, internal links and credits."""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import lxml.html

from guide.errors import Report, shown_address
from guide.images import data_image_problem, image_problem
from guide.manifest import MANIFEST_NAME, Edition, Manifest
from guide.numbering import number_chapters
from guide.paths import project_file
from guide.positions import element_line
from guide.post import Post, address_key
from guide.resolution import (
    PRINT_PPI,
    PRINT_WIDTH_ATTRIBUTE,
    pixel_size,
    print_size,
    text_block_mm,
)
from guide.slug import unique_slug
from guide.typography import set_typography
from guide.xref import add_address_note, mark_cross_reference

RESERVED_IDS = {"cover", "contents", "credits"}
BLOG_UPLOADS = ("/wp-content/uploads/", ".files.wordpress.com/")
"""Where a blog keeps its images: `guide import --media` brings those in."""


def is_blog_upload(src: str) -> bool:
    """Whether an image address lies in a blog's own uploads folder (WordPress, WordPress.com)."""
    return any(mark in src for mark in BLOG_UPLOADS)


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
    label: str | None = None
    """The line above the title ("Chapter 3", or the series' own "Part 3"); None when unnumbered."""
    marker: str = ""
    """The number beside the contents entry ("3"), empty when unnumbered."""
    title: str = ""
    """The title as the book prints it: without a series prefix the label already carries."""


@dataclass(frozen=True)
class Book:
    """Everything the renderer needs: front matter plus one part per chapter."""

    title: str
    author: str | None
    language: str
    page_size: str
    chapters: tuple[Chapter, ...]
    subtitle: str | None = None
    date: dt.date | None = None
    credits: tuple[str, ...] = ()
    """Guide-level credits, printed after the chapters' own."""
    edition: Edition = Edition.SCREEN
    """Screen or print: how links and cross-references print."""
    cover_image: str | None = None
    """The cover photo's project-relative path, URL-quoted, or None."""
    cover_credit: str | None = None
    """Whom the cover photo is by."""
    budget_scale: int = 1
    """guide.toml's `budget_scale`: what the whole-guide layout budgets are multiplied by."""


@dataclass(frozen=True)
class ImagePolicy:
    """What the build does with images, as the author asked."""

    allow_remote: bool = False
    """Let http(s) images through to the typesetter."""
    placeholders: bool = False
    """Print an image that cannot be had as a framed box (alt text, address) with a warning, not an error."""
    unavailable: Mapping[str, str] = field(default_factory=dict)
    """Image address -> why the typesetter could not load it: placeholders on a second pass."""


def build_book(
    manifest: Manifest, posts: list[Post], report: Report, images: ImagePolicy | None = None
) -> Book:
    """Order posts as chapters, give them ids and make their links internal."""
    policy = images or ImagePolicy()
    taken = set(RESERVED_IDS)
    slugs = [unique_slug(post.title, taken, fallback="chapter") for post in posts]
    roots = [_parse_body(post, slug) for post, slug in zip(posts, slugs, strict=True)]
    links = SeriesLinks(
        chapters={address_key(p.url): slug for p, slug in zip(posts, slugs, strict=True) if p.url},
        hosts={urlsplit(p.url).netloc.lower().removeprefix("www.") for p in posts if p.url},
        files={p.source_path: slug for p, slug in zip(posts, slugs, strict=True)},
        ids={slug: _ids(root) for slug, root in zip(slugs, roots, strict=True)},
        titles={slug: p.title for p, slug in zip(posts, slugs, strict=True)},
    )
    if manifest.author is None:  # author = "" says the same on purpose: no warning
        report.warn(MANIFEST_NAME, None, "no 'author': the cover and the PDF's metadata leave the name out")
    chapters = []
    numbering = number_chapters([post.title for post in posts])
    for number, (post, slug, root, numbered) in enumerate(
        zip(posts, slugs, roots, numbering, strict=True), start=1
    ):
        context = _PostContext(
            post, slug, links, manifest.project_dir, report, policy, manifest.edition, manifest.page_size
        )
        body, shown = _link_body(root, context)
        chapters.append(
            Chapter(
                number=number,
                slug=slug,
                post=post,
                body_html=body,
                images=shown,
                label=numbered.label,
                marker=numbered.number,
                title=numbered.title,
            )
        )
    if not manifest.credits:
        _warn_uncredited(chapters, report)
    return Book(
        title=manifest.title,
        subtitle=manifest.subtitle,
        author=manifest.author or None,
        language=manifest.language,
        date=manifest.date,
        page_size=manifest.page_size,
        credits=manifest.credits,
        chapters=tuple(chapters),
        edition=manifest.edition,
        cover_image=quote(manifest.cover_image) if manifest.cover_image else None,
        cover_credit=manifest.cover_credit,
        budget_scale=manifest.budget_scale,
    )


def _warn_uncredited(chapters: list[Chapter], report: Report) -> None:
    """Say once which posts show the project's images without crediting them.

    They are usually the blogger's own photos, brought in by `guide import --media`: one line
    for all of them, not one per post, and none when guide.toml has credits of its own.
    """
    uncredited = [c for c in chapters if c.images and not c.post.credits]
    if len(uncredited) == 1:
        only = uncredited[0]
        report.warn(
            only.post.source_path, None, f"shows image '{only.images[0]}' but carries no credit for it"
        )
    elif uncredited:
        first, *rest = (c.post.source_path for c in uncredited)
        report.warn(
            first,
            None,
            f"{len(uncredited)} posts show images but carry no credit for them (this one, "
            f"{_listed(rest)}): add a 'credits:' line to each post, or one to 'credits' in "
            "guide.toml if the photos are your own",
        )


def _listed(paths: list[str], shown: int = 3) -> str:
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more


@dataclass(frozen=True)
class SeriesLinks:
    """Where the series' posts live, to turn links between them into internal ones."""

    chapters: dict[str, str]
    """Normalised post address -> chapter id."""
    hosts: set[str]
    """Hosts the series was published on: a page link there that matches no chapter is suspicious."""
    files: dict[str, str]
    """Project-relative post file -> chapter id, for relative links between post files."""
    ids: dict[str, set[str]]
    """Chapter id -> the ids inside it, so a link lands only on an anchor that exists."""
    titles: dict[str, str]
    """Chapter id -> the post's title, printed by a cross-reference that showed an address."""

    def target(self, slug: str, fragment: str) -> str:
        """Return the in-guide href for a chapter and a fragment, falling back to the chapter."""
        anchor = f"{slug}--{fragment}"
        return f"#{anchor}" if fragment and anchor in self.ids.get(slug, set()) else f"#{slug}"


@dataclass(frozen=True)
class _PostContext:
    """What linking one post's body needs, and where its problems are reported."""

    post: Post
    slug: str
    links: SeriesLinks
    project_dir: Path
    report: Report
    images: ImagePolicy
    edition: Edition = Edition.SCREEN
    page_size: str = "A5"

    def warn(self, element: lxml.html.HtmlElement | None, message: str) -> None:
        """Warn at the line `element` carries (None: the post as a whole)."""
        line = element_line(element) if element is not None else None
        self.report.warn(self.post.source_path, line, message)

    def error(self, element: lxml.html.HtmlElement, message: str) -> None:
        """Report an error at the line `element` carries."""
        self.report.error(self.post.source_path, element_line(element), message)


def _parse_body(post: Post, slug: str) -> lxml.html.HtmlElement | None:
    """Parse a post's body and prefix its ids with the chapter's, so ids never collide."""
    if not post.body_html.strip():
        return None
    root = lxml.html.fragment_fromstring(post.body_html, create_parent="div")
    for element in root.iter():
        if isinstance(element.tag, str) and element is not root and element.get("id"):
            element.set("id", f"{slug}--{element.get('id')}")
    return root


def _ids(root: lxml.html.HtmlElement | None) -> set[str]:
    return (
        set()
        if root is None
        else {str(e.get("id")) for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    )


def _link_body(root: lxml.html.HtmlElement | None, context: _PostContext) -> tuple[str, tuple[str, ...]]:
    if root is None:
        return "", ()
    for element in root.iter("a"):
        if element.get("href"):
            _resolve_link(element, context)
    set_typography(root)
    images = tuple(_check_images(root, context))
    inner = (root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return inner, images


PAGE_SUFFIXES = ("", ".html", ".htm", ".php", ".aspx")


def _resolve_link(element: lxml.html.HtmlElement, context: _PostContext) -> None:
    """Make links to the series' own posts internal; drop links a PDF cannot follow."""
    href = element.get("href") or ""
    parts = urlsplit(href)
    links = context.links
    if href.startswith("#"):
        element.set("href", links.target(context.slug, href[1:]))
        if len(href) > 1 and element.get("href") == f"#{context.slug}":
            context.warn(element, f"link to {shown_address(href)} matches no heading or anchor in this post")
    elif parts.scheme in ("http", "https"):
        target = links.chapters.get(address_key(href))
        if target is not None:
            element.set("href", links.target(target, parts.fragment))
            mark_cross_reference(element, href, links.titles[target], context.edition)
        elif _looks_like_series_page(parts.netloc, parts.path, links):
            context.warn(
                element,
                f"link to {shown_address(href)} looks like a post of this series but matches no chapter",
            )
        elif context.edition is Edition.PRINT:
            add_address_note(element, href)
    elif not parts.scheme and not parts.netloc and parts.path:
        relative = posixpath.normpath(
            posixpath.join(posixpath.dirname(context.post.source_path), unquote(parts.path))
        )
        if relative in links.files:
            target = links.files[relative]
            element.set("href", links.target(target, parts.fragment))
            mark_cross_reference(element, href, links.titles[target], context.edition)
        else:
            _drop_link(element, href, context)
    elif parts.scheme not in ("mailto", "tel"):
        _drop_link(element, href, context)


def _looks_like_series_page(netloc: str, path: str, links: SeriesLinks) -> bool:
    """A page (not a file) on the series' own host."""
    suffix = posixpath.splitext(path.rstrip("/"))[1].lower()
    return (
        netloc.lower().removeprefix("www.") in links.hosts
        and bool(path.strip("/"))
        and suffix in PAGE_SUFFIXES
    )


def _drop_link(element: lxml.html.HtmlElement, href: str, context: _PostContext) -> None:
    context.warn(
        element, f"removed link to {shown_address(href)}: only web, mail and in-guide links work in a PDF"
    )
    del element.attrib["href"]


def _check_images(root: lxml.html.HtmlElement, context: _PostContext) -> list[str]:
    """Point local images at their project-relative path; report the ones a build cannot show."""
    found = []
    for image in list(root.iter("img")):
        src = image.get("src") or ""
        if not (image.get("alt") or "").strip():
            context.warn(image, f"image {shown_address(src)} has no alt text for readers who cannot see it")
        problem = _unavailable(src, context)
        if problem is None:
            relative = _image_path(image, src, context)
            if relative is not None:
                image.set("src", quote(relative))
                _size_for_print(image, src, context.project_dir / relative, context)
                found.append(relative)
        elif context.images.placeholders:
            context.warn(image, f"{problem}; printed as a placeholder")
            _replace_with_placeholder(image)
        else:
            context.error(
                image, f"{problem}{_PLACEHOLDER_HINT}" if problem.endswith(" not found") else problem
            )
    return found


_PLACEHOLDER_HINT = " (or build with --missing-images placeholder)"
"""Said once per missing image: the switch that prints the rest of the guide without them."""


def _size_for_print(image: lxml.html.HtmlElement, src: str, abs_path: Path, context: _PostContext) -> None:
    """Print a raster image no wider than 150 ppi allows; warn when the post's own width prints it coarser."""
    found = pixel_size(abs_path)
    if found is None:
        return
    pixels, height = found
    size = print_size(
        pixels, image.get("width"), image.get("style"), text_block_mm(context.page_size), height
    )
    if not size.set_by_post:
        # Not a style attribute: render.stylesheet turns it into a rule any stylesheet may override.
        image.set(PRINT_WIDTH_ATTRIBUTE, f"{size.width_mm:.1f}mm")
    elif size.ppi < PRINT_PPI:
        context.warn(
            image,
            f"image {shown_address(unquote(src))} prints at {size.ppi:.0f} ppi, below {PRINT_PPI}: "
            f"its {pixels} pixels over {size.width_mm:.0f} mm; use a larger file or a smaller width",
        )


def _unavailable(src: str, context: _PostContext) -> str | None:
    """Say why an image cannot be had (no source, missing, remote, refused), or None if it can."""
    scheme = urlsplit(src).scheme.lower()
    if not src:
        return "image without a source"
    if src in context.images.unavailable:
        return f"image {shown_address(src)} could not be loaded ({context.images.unavailable[src]})"
    if scheme in ("http", "https"):
        return None if context.images.allow_remote else _remote_problem(src)
    if scheme:
        return _scheme_problem(src, scheme)
    return _local_problem(src, context)


def _local_problem(src: str, context: _PostContext) -> str | None:
    """Say why a local image cannot be had (odd path, outside the project, missing, not a file), or None."""
    found = project_file(context.project_dir, _relative_image(src, context))
    return f"image {shown_address(src)} {found}" if isinstance(found, str) else None


def _scheme_problem(src: str, scheme: str) -> str | None:
    if scheme == "file":
        return f"image {shown_address(src)} lies outside the project folder"
    if scheme == "data":
        problem = data_image_problem(src)
        return None if problem is None else f"data: image ({len(src):,} characters) {problem}"
    return f"image {shown_address(src)} uses an unsupported scheme '{scheme}:'"


def _remote_problem(src: str) -> str:
    how = (
        "import the post again with --media pointing at a copy of the uploads folder"
        if is_blog_upload(src)
        else "save it into the project and use a relative path"
    )
    address = shown_address(src)
    return f"remote image {address} is not fetched during a build: {how}, or build with --allow-remote"


def _relative_image(src: str, context: _PostContext) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(context.post.source_path), unquote(src)))


def _image_path(image: lxml.html.HtmlElement, src: str, context: _PostContext) -> str | None:
    """Return the project-relative path of a local image that can be had, or None for a remote one."""
    if urlsplit(src).scheme:
        return None
    relative = _relative_image(src, context)
    if problem := image_problem((context.project_dir / relative).resolve()):
        context.error(image, f"image {shown_address(src)} {problem}")
        return None
    return relative


PLACEHOLDER_LABEL = "Image not available"


def _replace_with_placeholder(image: lxml.html.HtmlElement) -> None:
    """Put a framed box in the image's place: what it showed (alt text) and where it lived."""
    alt = " ".join((image.get("alt") or "").split())
    box = lxml.html.Element("span", {"class": "missing-image"})
    for name, text in (("label", PLACEHOLDER_LABEL), ("alt", alt), ("src", image.get("src") or "")):
        if text:
            part = lxml.html.Element("span", {"class": f"missing-image-{name}"})
            part.text = text
            box.append(part)
    box.tail = image.tail
    parent = image.getparent()
    if parent is not None:
        parent.replace(image, box)
