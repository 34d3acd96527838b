"""Decide what an import writes: one Markdown chapter per article, and the images they show."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from guide.errors import Report
from guide.importing.links import anchors_by_post, drop_dangling_fragments
from guide.importing.markdown import chapter_text, html_to_markdown
from guide.importing.media import (
    MediaCopy,
    MediaFolder,
    PostMedia,
    image_resolver,
    localise_html,
    localise_markdown,
)
from guide.importing.series import Part, check_series, series_part
from guide.slug import slugify
from guide.sources.article import Article

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


def plan_import(articles: tuple[Article, ...], media: MediaFolder | None, report: Report) -> ImportPlan:
    """Name each chapter, convert its body to Markdown and localise its images."""
    taken: set[str] = set()
    chapters: list[PlannedChapter] = []
    copies: dict[str, MediaCopy] = {}
    anchors = anchors_by_post(articles)
    for article in articles:
        path = _chapter_path(article, taken)
        found = PostMedia()
        body = _markdown_body(article, media, found, anchors)
        _report_media(article, found, report)
        copies.update((copy.target, copy) for copy in found.copies)
        chapters.append(PlannedChapter(path, chapter_text(article.post, body), article))
    _check_series(chapters, report)
    return ImportPlan(tuple(chapters), tuple(copies.values()))


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
    article: Article, media: MediaFolder | None, found: PostMedia, anchors: dict[str, set[str]]
) -> str:
    resolve = image_resolver(article.post.url, media, found)
    if article.body_markdown is not None:
        return localise_markdown(article.body_markdown, resolve)
    body = drop_dangling_fragments(article.post.body_html, anchors)
    return html_to_markdown(localise_html(body, resolve))


def _report_media(article: Article, found: PostMedia, report: Report) -> None:
    where, title = article.post.source_path, article.post.title
    if found.remote:
        count = len(found.remote)
        report.warn(
            where,
            article.line,
            f"post '{title}': {count} image{'s stay' if count > 1 else ' stays'} on the web "
            f"(first: {found.remote[0]}); the build refuses them until you copy the blog's uploads "
            "folder and import again with --media DIR --force",
        )
    for src in found.missing:
        report.warn(
            where,
            article.line,
            f"post '{title}': image '{src}' is not in the --media folder; replaced by its description",
        )


def _check_series(chapters: list[PlannedChapter], report: Report) -> None:
    parts = []
    for chapter in chapters:
        found = series_part(chapter.article.post.title, chapter.article.post.url)
        if found:
            parts.append(Part(chapter.path, *found))
    check_series(parts, report)
