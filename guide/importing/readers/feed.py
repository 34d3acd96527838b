"""Read RSS and Atom feeds with feedparser: full content where the feed has it, else the summary."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import feedparser
import lxml.html

from guide.errors import Diagnostic, GuideError, Report
from guide.importing.readers.article import Article, Source
from guide.importing.readers.cleanup import clean_html, first_words
from guide.importing.readers.dates import parse_date
from guide.importing.readers.doctype import refuse_doctype
from guide.post import Post

EMAIL_NAME_RE = re.compile(r"^[^\s@]+@[^\s@]+\s*\((.+)\)$")
SUMMARY_CHARACTERS = 600
"""A description shorter than this, in characters of text, is taken for a teaser."""
CUT_OFF_RE = re.compile(
    r"(?:\.\.\.|\u2026|\[(?:\.\.\.|\u2026)\]|read more|continue reading[^.]*)\W{0,3}$", re.IGNORECASE
)


def read_feed(data: bytes, source_path: str, report: Report) -> Source:
    """Read every entry of a feed given as bytes (never a URL: the import stays offline)."""
    refuse_doctype(data, source_path)
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    if parsed.get("bozo") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        line = problem.getLineNumber() if hasattr(problem, "getLineNumber") else None
        raise GuideError(Diagnostic(source_path, line, f"feed cannot be read: {problem}"))
    feed = parsed.feed
    articles = tuple(_article(entry, source_path) for entry in parsed.entries)
    return Source(
        source_path=source_path,
        format=f"{_version_name(parsed.get('version', ''))} feed ({parsed.get('encoding', 'utf-8')})",
        articles=articles,
        blog_title=feed.get("title") or None,
        blog_author=feed.get("author") or _main_author(articles),
    )


def _version_name(version: str) -> str:
    if version.startswith("atom"):
        return "Atom"
    if version.startswith("rss"):
        return "RSS"
    return version or "unknown"


def _main_author(articles: tuple[Article, ...]) -> str | None:
    authors = [a.post.author for a in articles if a.post.author]
    return max(set(authors), key=authors.count) if authors else None


def _article(entry: Any, source_path: str) -> Article:
    report = Report()  # this entry's own warnings, reported if it is imported
    body = _body(entry, source_path, report)
    body, warnings = clean_html(body)
    title = " ".join((entry.get("title") or "").split())
    label = title or entry.get("link") or "untitled entry"
    if not title:
        title = first_words(body) or "Untitled"
        report.warn(source_path, None, f"entry '{label}' has no title; titled '{title}' from its first words")
    for warning in warnings:
        report.warn(source_path, None, f"entry '{label}': {warning}")
    published = _published(entry)
    terms = tuple(t.get("term", "") for t in entry.get("tags", []) if t.get("term"))
    return Article(
        post=Post(
            source_path=source_path,
            title=title,
            body_html=body,
            date=published.date() if published else None,
            url=entry.get("link") or None,
            author=_author(entry),
        ),
        published=published,
        categories=terms,
        tags=terms,
        warnings=tuple(report.diagnostics),
    )


def _author(entry: Any) -> str | None:
    """The author's name; RSS writes it as 'email (Name)'."""
    raw = " ".join(str(entry.get("author") or "").split())
    found = EMAIL_NAME_RE.match(raw)
    return (found.group(1).strip() if found else raw) or None


def _body(entry: Any, source_path: str, report: Report) -> str:
    contents = [c for c in entry.get("content", []) if c.get("value", "").strip()]
    html_contents = [c for c in contents if "html" in c.get("type", "")]
    if html_contents or contents:
        return str((html_contents or contents)[0]["value"])
    summary = str(entry.get("summary", ""))
    label = entry.get("title") or entry.get("link") or "untitled entry"
    if _looks_like_a_summary(summary):
        report.warn(
            source_path,
            None,
            f"entry '{label}' has only a summary in the feed; the chapter holds the summary",
        )
    return summary if "<" in summary else "".join(f"<p>{p}</p>" for p in summary.split("\n\n") if p)


def _looks_like_a_summary(description: str) -> bool:
    """Whether an RSS description is a teaser, not the whole post many blogs (Jekyll's) put there.

    A teaser is short, or ends cut off: an ellipsis or a "read more" link.
    """
    text = " ".join(lxml.html.fragment_fromstring(description, create_parent="div").text_content().split())
    return len(text) < SUMMARY_CHARACTERS or bool(CUT_OFF_RE.search(text))


def _published(entry: Any) -> dt.datetime | None:
    for key in ("published", "updated", "created"):
        found = parse_date(entry.get(key))
        if found:
            return found
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if isinstance(parsed, time.struct_time):
            return dt.datetime(*parsed[:6])
    return None
