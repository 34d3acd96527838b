"""Decide what an import writes: one Markdown chapter per article, and the images they show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from guide.book import is_blog_upload
from guide.errors import GuideError, Report
from guide.importing.links import anchors_by_post, drop_dangling_fragments
from guide.importing.markdown import chapter_text, html_to_markdown
from guide.importing.media import (
    MEDIA_FOLDER,
    MediaCopy,
    MediaFolder,
    PostFolder,
    PostMedia,
    image_resolver,
    localise_html,
    localise_markdown,
)
from guide.importing.permalinks import absolute_links, link_posts, post_addresses
from guide.importing.readers.article import Article
from guide.importing.verify import verify_chapter
from guide.manifest import load_manifest
from guide.post import Post
from guide.slug import slugify
from guide.sources import read_post
from guide.sources.markdown import markdown_to_html

CHAPTERS_FOLDER = "chapters"


@dataclass(frozen=True)
class PlannedChapter:
    """A chapter file to write."""

    path: str
    """Relative to the project, e.g. chapters/2013-01-10-markup-image-alignment.md."""
    text: str
    """The whole file: front matter and Markdown body."""
    article: Article


@dataclass(frozen=True)
class ImportPlan:
    """Every file an import would write."""

    chapters: tuple[PlannedChapter, ...]
    copies: tuple[MediaCopy, ...]
    verified: frozenset[str] = frozenset()
    """Chapter paths whose Markdown the build renders as the source showed the post."""


def plan_import(articles: tuple[Article, ...], media: MediaFolder | None, report: Report) -> ImportPlan:
    """Name each chapter, convert its body to Markdown and localise its images."""
    taken: set[str] = set()
    chapters: list[PlannedChapter] = []
    copies: dict[str, MediaCopy] = {}
    verified: set[str] = set()
    anchors = anchors_by_post(articles)
    paths = [(article, _chapter_path(article, taken)) for article in articles]
    addresses = post_addresses(paths)
    found_by_post: list[tuple[Article, PostMedia]] = []
    for article, path in paths:
        found = PostMedia()
        body, source_html = _markdown_body(article, path, media, found, anchors)
        if article.body_markdown is not None:
            unresolved: list[str] = []
            body = link_posts(body, addresses, unresolved)
            _report_unresolved(article, unresolved, report)
            source_html = markdown_to_html(body)
        found_by_post.append((article, found))
        copies.update((copy.target, copy) for copy in found.copies)
        text = chapter_text(article.post, body)
        if _verify(article, source_html, text, path, report):
            verified.add(path)
        chapters.append(PlannedChapter(path, text, article))
    _report_media(found_by_post, report)
    return ImportPlan(tuple(chapters), tuple(copies.values()), frozenset(verified))


def _verify(article: Article, source_html: str, text: str, path: str, report: Report) -> bool:
    """Warn about each kind of element the written chapter does not render as its source did."""
    differences = verify_chapter(source_html, text, path)
    for difference in differences:
        report.warn(
            article.post.source_path,
            article.line,
            f"post '{article.post.title}': {difference} (in {path})",
        )
    return not differences


def _chapter_path(article: Article, taken: set[str]) -> str:
    name = slugify(unquote(article.slug or ""), fallback="") or slugify(article.post.title, fallback="post")
    if article.post.date:
        name = f"{article.post.date.isoformat()}-{name}"
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}-{number}", number + 1
    taken.add(candidate)
    return f"{CHAPTERS_FOLDER}/{candidate}.md"


def _markdown_body(
    article: Article, path: str, media: MediaFolder | None, found: PostMedia, anchors: dict[str, set[str]]
) -> tuple[str, str]:
    """The chapter's Markdown body, and the HTML it must render as."""
    beside = None
    if article.body_markdown is not None:
        folder = MediaFolder(Path(article.post.source_path).parent)
        beside = PostFolder(folder, f"{CHAPTERS_FOLDER}/{MEDIA_FOLDER}/{PurePosixPath(path).stem}")
    resolve = image_resolver(article.post.url, media, found, beside)
    if article.body_markdown is not None:
        markdown = localise_markdown(article.body_markdown, resolve)
        return markdown, markdown_to_html(markdown)
    body = absolute_links(article.post.body_html, article.post.url)
    body = localise_html(drop_dangling_fragments(body, anchors), resolve)
    return html_to_markdown(body), body


def _report_unresolved(article: Article, tags: list[str], report: Report) -> None:
    if tags:
        more = f" and {len(tags) - 1} more" if len(tags) > 1 else ""
        report.warn(
            article.post.source_path,
            None,
            f"link {tags[0]!r}{more} names no imported post: left as text; import that post too",
        )


def _report_media(found_by_post: list[tuple[Article, PostMedia]], report: Report) -> None:
    """One warning per kind of image trouble for the whole import, at the first post it touches."""
    kinds: dict[str, list[tuple[Article, str]]] = {kind: [] for kind in MEDIA_ADVICE}
    for article, found in found_by_post:
        for src in found.remote:
            kinds[_remote_kind(src, article)].append((article, src))
        kinds["missing"].extend((article, src) for src in found.missing)
    for kind, advice in MEDIA_ADVICE.items():
        if images := kinds[kind]:
            article, src = images[0]
            posts = len({id(a) for a, _ in images})
            report.warn(
                article.post.source_path,
                article.line,
                f"{_count(len(images), 'image')} in {_count(posts, 'post')} {advice[len(images) > 1]} "
                f"(first: '{src}' in post '{article.post.title}'){advice[2]}",
            )


def _remote_kind(src: str, article: Article) -> str:
    """Where a remote image lives: the blog's uploads, elsewhere on the blog's own site, or another site."""
    if is_blog_upload(src):
        return "uploads"
    own = urlsplit(article.post.url or "").netloc.lower().removeprefix("www.")
    return "site" if own and urlsplit(src).netloc.lower().removeprefix("www.") == own else "elsewhere"


MEDIA_ADVICE = {
    "uploads": (
        "stays in the blog's uploads folder on the web",
        "stay in the blog's uploads folder on the web",
        "; bring them in with a copy of that folder: import again with --media DIR --force",
    ),
    "site": (
        "stays on the blog's own site",
        "stay on the blog's own site",
        "; bring them in with a copy of the site's files: import again with --media DIR --force, "
        "DIR being the folder that holds the site's root",
    ),
    "elsewhere": (
        "lives on another site",
        "live on other sites",
        ": --media cannot bring those in; download each into the project (chapters/media/) and point "
        "the post at it, or build with --allow-remote while the site still serves it, or with "
        "--missing-images placeholder to print a framed placeholder in its place",
    ),
    "missing": (
        "is nowhere to be found (neither beside its post nor in a --media folder)",
        "are nowhere to be found (neither beside their posts nor in a --media folder)",
        "; each is replaced by its description",
    ),
}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def guide_chapters(project: Path, plan: ImportPlan) -> list[tuple[str, str, str | None]]:
    """(path, title, url) of every chapter guide.toml lists, in reading order, after the import."""
    planned = {chapter.path: chapter.article.post for chapter in plan.chapters}
    try:
        refs = load_manifest(project).chapters
    except GuideError:
        # A guide.toml the author still has to fix: check the imported chapters alone.
        return [(path, post.title, post.url) for path, post in planned.items()]
    found = []
    for ref in refs:
        post = planned.get(ref.source_path) or _read_quietly(ref.abs_path, ref.source_path)
        if post is not None:
            found.append((ref.source_path, post.title, post.url))
    return found


def _read_quietly(abs_path: Path, source_path: str) -> Post | None:
    """Read an existing chapter for its title and url; its problems are the build's to report."""
    try:
        return read_post(abs_path, source_path, Report())
    except GuideError:
        return None


def listed_dates(project: Path) -> dict[str, dt.date | None]:
    """The publication date of each chapter guide.toml lists already."""
    try:
        refs = load_manifest(project).chapters
    except GuideError:
        return {}
    dates = {}
    for ref in refs:
        post = _read_quietly(ref.abs_path, ref.source_path)
        dates[ref.source_path] = post.date if post else None
    return dates
