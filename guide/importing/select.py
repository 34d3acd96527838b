"""Choose the articles to import: the sources' verdicts, the filters, one copy of each post."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import lxml.html

from guide.importing.options import ImportOptions
from guide.importing.readers.article import Article, Source
from guide.post import address_key


@dataclass(frozen=True)
class Skipped:
    """An article left out, and why."""

    source_path: str
    line: int | None
    title: str
    reason: str


@dataclass(frozen=True)
class Selection:
    """The articles to import, in chapter order, and the ones left out."""

    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]


def select_articles(sources: list[Source], options: ImportOptions) -> Selection:
    """Apply the source's own verdicts, the filters and de-duplication; keep source order."""
    chosen: list[tuple[int, Article]] = []
    skipped: list[Skipped] = []
    seen: dict[str, Article] = {}
    for article in (a for source in sources for a in source.articles):
        reason = article.skip_reason or _filter_reason(article, options)
        # The same post read twice (an export and a feed) has the same address and title; link
        # posts of different titles may share the address they point at.
        key = f"{address_key(article.post.url)} {article.post.title.casefold()}" if article.post.url else None
        if reason is None and key in seen:
            earlier = seen[key]
            reason = f"same post as one in {earlier.post.source_path}"
        if reason is not None:
            skipped.append(Skipped(article.post.source_path, article.line, article.post.title, reason))
            continue
        if key is not None:
            seen[key] = article
        chosen.append((len(chosen), article))
    return Selection(tuple(article for _, article in chosen), tuple(skipped))


def _filter_reason(article: Article, options: ImportOptions) -> str | None:
    if options.category and not _has_term(article.categories, options.category):
        return f"not in category '{options.category}'"
    if options.tag and not _has_term(article.tags, options.tag):
        return f"not tagged '{options.tag}'"
    if options.search and options.search.casefold() not in _searchable(article):
        return f"does not mention '{options.search}'"
    return _date_reason(article.post.date, options)


def _date_reason(day: dt.date | None, options: ImportOptions) -> str | None:
    if not (options.since or options.until):
        return None
    if day is None:
        return "has no date to compare with --since/--until"
    if options.since and day < options.since:
        return f"published before {options.since.isoformat()}"
    if options.until and day > options.until:
        return f"published after {options.until.isoformat()}"
    return None


def _has_term(terms: tuple[str, ...], wanted: str) -> bool:
    return wanted.casefold() in {term.casefold() for term in terms}


def _searchable(article: Article) -> str:
    text = article.body_markdown or ""
    if not text and article.post.body_html.strip():
        text = lxml.html.fragment_fromstring(article.post.body_html, create_parent="div").text_content()
    return f"{article.post.title}\n{text}".casefold()
