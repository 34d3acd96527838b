"""Read RSS and Atom feeds with feedparser: full content where the feed has it, else the summary."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import feedparser
import lxml.html
from lxml import etree

from guide.errors import Diagnostic, GuideError, Report
from guide.importing.readers.article import Article, Source
from guide.importing.readers.cleanup import UNPRINTABLE_RE, clean_html, first_words
from guide.importing.readers.dates import parse_date
from guide.importing.readers.doctype import refuse_doctype
from guide.post import Post

ESCAPED_CDATA_RE = re.compile(r"<!\[CDATA\[(.*)\]\]>", re.DOTALL)
BODY_ELEMENTS = ("description", "encoded", "content", "summary")
SAFE_RECOVERING_PARSER = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)
ESCAPED_CDATA_BODY_RE = re.compile(r"^\s*(?:&lt;|<)!\[CDATA\[(.*?)\]\](?:&gt;|>)\s*$", re.DOTALL)
"""A body that is one escaped CDATA section, as feedparser gives it when it keeps it."""
EMAIL_NAME_RE = re.compile(r"^[^\s@]+@[^\s@]+\s*\((.+)\)$")
SUMMARY_CHARACTERS = 600
"""A description shorter than this, in characters of text, is taken for a teaser."""
CUT_OFF_RE = re.compile(
    r"(?:\.\.\.|\u2026|\[(?:\.\.\.|\u2026)\]|read more|continue reading[^.]*)\W{0,3}$", re.IGNORECASE
)


def read_feed(data: bytes, source_path: str, report: Report) -> Source:
    """Read every entry of a feed given as bytes (never a URL: the import stays offline)."""
    refuse_doctype(data, source_path)
    # Not feedparser's sanitiser: it drops <script> and <svg> silently; clean_html removes them
    # with a warning each, and the build sanitises what is left.
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=True)
    if parsed.get("bozo") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        line = problem.getLineNumber() if hasattr(problem, "getLineNumber") else None
        raise GuideError(Diagnostic(source_path, line, f"feed cannot be read: {problem}"))
    feed = parsed.feed
    _unwrap_escaped_cdata(parsed.entries, data)
    articles = tuple(_article(entry, source_path) for entry in parsed.entries)
    return Source(
        source_path=source_path,
        format=f"{_version_name(parsed.get('version', ''))} feed ({parsed.get('encoding', 'utf-8')})",
        articles=articles,
        blog_title=feed.get("title") or None,
        blog_author=feed.get("author") or _main_author(articles),
    )


def _unwrap_escaped_cdata(entries: list[Any], data: bytes) -> None:
    """Give back the body of entries whose only body is an escaped CDATA section.

    `<description>&lt;![CDATA[<p>text</p>]]&gt;</description>` is HTML that feedparser drops
    whole; the feed's own element holds it, by the entry's position.
    """
    if all(_has_body(entry) for entry in entries):
        return
    try:
        root = etree.fromstring(data, SAFE_RECOVERING_PARSER)
    except etree.XMLSyntaxError:
        return
    if root is None:
        return
    items = [
        e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname in ("item", "entry")
    ]
    if len(items) != len(entries):
        return
    for entry, item in zip(entries, items, strict=True):
        if _has_body(entry):
            continue
        for child in item:
            if isinstance(child.tag, str) and etree.QName(child).localname in BODY_ELEMENTS:
                found = ESCAPED_CDATA_RE.fullmatch((child.text or "").strip())
                if found:
                    entry["summary"] = found.group(1)
                    break


def _has_body(entry: Any) -> bool:
    contents = [c for c in entry.get("content", []) if c.get("value", "").strip()]
    return bool(contents) or bool(str(entry.get("summary", "")).strip())


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
        return _unwrap_cdata(str((html_contents or contents)[0]["value"]))
    summary = _unwrap_cdata(str(entry.get("summary", "")))
    label = entry.get("title") or entry.get("link") or "untitled entry"
    if not summary.strip():
        report.warn(
            source_path, None, f"entry '{label}' has no content in the feed: the chapter is its title alone"
        )
    elif teaser := _teaser(summary):
        report.warn(
            source_path,
            None,
            f"entry '{label}': the feed gives only a description ({teaser}); "
            "the chapter holds it, which may be just the post's summary",
        )
    return summary if "<" in summary else "".join(f"<p>{p}</p>" for p in summary.split("\n\n") if p)


def _unwrap_cdata(value: str) -> str:
    """The markup of a body written as an escaped CDATA section (`&lt;![CDATA[...]]&gt;`)."""
    found = ESCAPED_CDATA_BODY_RE.match(value)
    return found.group(1) if found else value


def _teaser(description: str) -> str | None:
    """Say why an RSS description looks like a teaser, or None if it may be the whole post.

    Many blogs (Jekyll's feeds) put the whole post there; a teaser is short, or ends cut off.
    """
    printable = UNPRINTABLE_RE.sub("", description)  # lxml refuses control characters
    text = " ".join(lxml.html.fragment_fromstring(printable, create_parent="div").text_content().split())
    if CUT_OFF_RE.search(text):
        return f"it ends cut off: '{text[-20:]}'"
    if len(text) < SUMMARY_CHARACTERS:
        return f"{len(text.split())} words"
    return None


def _published(entry: Any) -> dt.datetime | None:
    # dict.get, not entry.get: feedparser maps a missing 'updated' to 'published' with a DeprecationWarning.
    for key in ("published", "updated", "created"):
        found = parse_date(dict.get(entry, key))
        if found:
            return found
    for key in ("published_parsed", "updated_parsed"):
        parsed = dict.get(entry, key)
        if isinstance(parsed, time.struct_time):
            return dt.datetime(*parsed[:6])
    return None
