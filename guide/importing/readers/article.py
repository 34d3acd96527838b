"""What an import reader returns: a Post plus what the importer needs to choose and place it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from guide.errors import Diagnostic
from guide.post import Post


@dataclass(frozen=True)
class Article:
    """One article found in an export, feed, page or post file."""

    post: Post
    """The post as the build will read it back (title, date, url, author, credits, body)."""
    line: int | None = None
    """Where the article starts in its source, for diagnostics."""
    published: dt.datetime | None = None
    """Publication time, finer than Post.date, to order posts of the same day."""
    slug: str | None = None
    """The name the blog gave the post (WordPress post_name, the file's slug), for file names."""
    categories: tuple[str, ...] = ()
    """Category names and slugs, for --category."""
    tags: tuple[str, ...] = ()
    """Tag names and slugs, for --tag."""
    skip_reason: str | None = None
    """Why the article is not imported (draft, page, ...), or None to import it."""
    body_markdown: str | None = None
    """The body as Markdown when the source was Markdown already; written as is."""
    warnings: tuple[Diagnostic, ...] = ()
    """What reading this article alone found: reported only if the article is imported."""
    addresses: tuple[str, ...] = ()
    """Other addresses the blog served the post at, site-relative (`/how-to-x-pt-2`): Jekyll's
    `permalink` and `redirect_from`, Hugo's `url` and `aliases`. Links to them become in-guide links."""


@dataclass(frozen=True)
class Source:
    """Everything one source file gave: its articles and what it says about the blog."""

    source_path: str
    """The file as the author named it."""
    format: str
    """The detected format, shown in the summary."""
    articles: tuple[Article, ...]
    """Every article found, imported or skipped, in source order."""
    blog_title: str | None = None
    """The blog's own title, used when a new guide.toml needs one."""
    blog_author: str | None = None
    """The blog's main author, used when a new guide.toml needs one."""
