"""Read a saved web page of a post: the article alone, without navigation, comments or share buttons."""

from __future__ import annotations

import html
import re

import lxml.html
import trafilatura
from trafilatura.settings import Document

from guide.errors import Diagnostic, GuideError, Report, Severity
from guide.importing.readers.article import Article, Source
from guide.importing.readers.cleanup import clean_html
from guide.importing.readers.dates import parse_date
from guide.post import Post


def read_saved_page(data: bytes, source_path: str, report: Report) -> Source:
    """Extract the post a saved page shows, with its title, date and author."""
    document, body = _extract(data, source_path)
    title = " ".join((document.title or "").split())
    if not title:
        raise GuideError(Diagnostic(source_path, None, "the page's article has no title"))
    body, warnings = clean_html(_without_title(_body_of(_code_as_written(body, data)), title))
    published = parse_date(document.date)
    article = Article(
        post=Post(
            source_path=source_path,
            title=title,
            body_html=body,
            date=published.date() if published else None,
            url=document.url or None,
            author=document.author or None,
        ),
        published=published,
        categories=tuple(document.categories or ()),
        tags=tuple(document.tags or ()),
        warnings=tuple(Diagnostic(source_path, None, w, Severity.WARNING) for w in warnings),
    )
    return Source(
        source_path,
        "saved web page",
        (article,),
        blog_title=document.sitename or None,
        blog_author=document.author or None,
    )


def _extract(data: bytes, source_path: str) -> tuple[Document, str]:
    """Return the page's metadata and its article as HTML, both found by trafilatura."""
    options = {
        "include_comments": False,
        "include_images": True,
        "include_links": True,
        "include_formatting": True,
        "include_tables": True,
    }
    document = trafilatura.bare_extraction(data, with_metadata=True, **options)  # type: ignore[arg-type]
    body = trafilatura.extract(data, output_format="html", **options)  # type: ignore[arg-type]
    if not isinstance(document, Document) or not body:
        raise GuideError(Diagnostic(source_path, None, "no article found in this page"))
    return document, body


NESTED_PRE_RE = re.compile(r"<pre>\s*<pre>(.*?)</pre>\s*</pre>", re.DOTALL)
BARE_PRE_RE = re.compile(r"<pre>(?!<code)(.*?)</pre>", re.DOTALL)
INLINE_HOLDER_RE = re.compile(r"<(p|li|td|th|h[1-6]|figcaption)\b[^>]*>.*?</\1>", re.DOTALL)
LANGUAGE_CLASS_RE = re.compile(r"\b(?:language|lang)-([\w+#.-]+)")


def _code_as_written(extracted: str, page: bytes) -> str:
    """Undo what trafilatura does to code: <pre><pre> back to one code block with its language,
    and inline code (which it writes as <pre> inside a sentence) back to <code>."""
    languages = _code_languages(page)

    def block(found: re.Match[str]) -> str:
        language = languages.get(_key(html.unescape(found.group(1))))
        attribute = f' class="language-{html.escape(language)}"' if language else ""
        return f"<pre><code{attribute}>{found.group(1)}</code></pre>"

    extracted = NESTED_PRE_RE.sub(block, extracted)
    extracted = INLINE_HOLDER_RE.sub(
        lambda holder: BARE_PRE_RE.sub(
            lambda pre: f"<code>{pre.group(1)}</code>" if "\n" not in pre.group(1) else pre.group(0),
            holder.group(0),
        ),
        extracted,
    )
    return BARE_PRE_RE.sub(block, extracted)


def _code_languages(page: bytes) -> dict[str, str]:
    """The language each code block of the saved page names, keyed by its text."""
    try:
        root = lxml.html.document_fromstring(page)
    except (lxml.etree.ParserError, ValueError):
        return {}
    found = {}
    for pre in root.iter("pre"):
        classes = " ".join(e.get("class") or "" for e in (pre, *pre.iter("code")))
        language = LANGUAGE_CLASS_RE.search(classes)
        if language:
            found[_key("".join(str(t) for t in pre.itertext()))] = language.group(1).lower()
    return found


def _key(code: str) -> str:
    return "".join(code.split())


def _body_of(page: str) -> str:
    body = lxml.html.document_fromstring(page).find("body")
    if body is None:
        return ""
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in body)


def _without_title(body: str, title: str) -> str:
    """Drop the heading that repeats the title: the chapter prints its own."""
    if not body.strip():
        return body
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    first = next(iter(root), None)
    if first is not None and first.tag in ("h1", "h2") and " ".join(first.text_content().split()) == title:
        root.remove(first)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
