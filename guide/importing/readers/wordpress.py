"""Read WordPress exports (WXR 1.0 to 1.2): published posts, as WordPress would show them."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from dataclasses import dataclass

import lxml.html
from lxml import etree

from guide.errors import Diagnostic, GuideError, Report
from guide.importing.readers.article import Article, Source
from guide.importing.readers.autop import autop
from guide.importing.readers.cleanup import clean_html, first_words
from guide.importing.readers.dates import parse_date
from guide.importing.readers.embeds import code_block
from guide.importing.readers.shortcodes import Attachment, Expansion, expand_shortcodes
from guide.importing.readers.xml import parse_xml
from guide.post import Post

WP_NAMESPACES = frozenset(
    f"{scheme}://wordpress.org/export/{version}/"
    for scheme in ("http", "https")
    for version in ("1.0", "1.1", "1.2")
)
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
BLOCK_COMMENT_RE = re.compile(r"<!--\s+/?wp:.*?-->", re.DOTALL)
BREAK_COMMENT_RE = re.compile(r"<!--\s*(?:more|nextpage|noteaser)\b.*?-->", re.DOTALL)
CODE_SHORTCODE_RE = re.compile(
    r"\[(?P<name>code|sourcecode)(?P<attrs>[^\]]*)\](?P<code>.*?)\[/(?P=name)\]", re.DOTALL | re.IGNORECASE
)
"""SyntaxHighlighter's [code lang="x"]...[/code] and WordPress.com's [sourcecode language="x"]."""
CODE_LANGUAGE_RE = re.compile(r"""(?:lang|language)\s*=\s*["']?([\w+#.-]+)""")
WP_SYNTAX_RE = re.compile(
    r"""<pre\b[^>]*?\blang\s*=\s*["']?(?P<lang>[\w+#.-]+)["']?[^>]*>(?P<code>.*?)</pre>""",
    re.DOTALL | re.IGNORECASE,
)
"""WP-Syntax's <pre lang="x">: its code is stored raw, markup and all, and shown as text."""
PRE_RE = re.compile(r"<pre\b[^>]*>.*?</pre>", re.DOTALL | re.IGNORECASE)
INLINE_CODE_RE = re.compile(r"<code\b[^>]*>.*?</code>", re.DOTALL | re.IGNORECASE)
SKIPPED_TYPES = {"page": "page", "attachment": "attachment", "nav_menu_item": "menu item"}
SKIPPED_STATUSES = {
    "draft": "draft",
    "auto-draft": "draft",
    "pending": "pending review",
    "private": "private",
    "future": "scheduled (future)",
    "trash": "in the trash",
}


@dataclass(frozen=True)
class _Export:
    """What every item of one export needs to know about the whole export."""

    source_path: str
    authors: dict[str, str]
    attachments: dict[str, Attachment]


def read_wordpress_export(data: bytes, source_path: str, report: Report) -> Source:
    """Read every item of a WXR file; the ones that are not published posts say why."""
    root = parse_xml(data, source_path, report)
    channel = root.find("channel")
    if etree.QName(root).localname != "rss" or channel is None:
        raise GuideError(Diagnostic(source_path, _line(root), "not a WordPress export: no <rss><channel>"))
    version = wp_text(channel, "wxr_version")
    if not version:
        raise GuideError(
            Diagnostic(source_path, _line(channel), "not a WordPress export: no <wp:wxr_version>")
        )
    items = channel.findall("item")
    export = _Export(source_path, _authors(channel), _attachments(items))
    articles = tuple(_article(item, export, report) for item in items)
    return Source(
        source_path=source_path,
        format=f"WordPress export (WXR {version})",
        articles=articles,
        blog_title=_plain_text(channel.findtext("title") or "") or None,
        blog_author=_main_author(articles) or next(iter(export.authors.values()), None),
    )


def wp_children(element: etree._Element, name: str) -> list[etree._Element]:
    """Children named wp:`name` in a real WordPress namespace (never a look-alike prefix)."""
    return [
        child
        for child in element
        if isinstance(child.tag, str)
        and etree.QName(child).localname == name
        and etree.QName(child).namespace in WP_NAMESPACES
    ]


def wp_text(element: etree._Element, name: str) -> str | None:
    """The text of the first wp:`name` child, stripped, or None."""
    found = wp_children(element, name)
    return (found[0].text or "").strip() if found else None


def _child_text(element: etree._Element, namespace: str, name: str) -> str:
    found = element.find(f"{{{namespace}}}{name}")
    return (found.text or "") if found is not None else ""


def _authors(channel: etree._Element) -> dict[str, str]:
    authors = {}
    for author in wp_children(channel, "author"):
        login = wp_text(author, "author_login")
        if login:
            authors[login] = wp_text(author, "author_display_name") or login
    return authors


def _attachments(items: list[etree._Element]) -> dict[str, Attachment]:
    found = {}
    for item in items:
        post_id, url = wp_text(item, "post_id"), wp_text(item, "attachment_url")
        if wp_text(item, "post_type") == "attachment" and post_id and url:
            parent = wp_text(item, "post_parent")
            found[post_id] = Attachment(url, parent, _plain_text(item.findtext("title") or ""))
    return found


def _main_author(articles: tuple[Article, ...]) -> str | None:
    counts = Counter(a.post.author for a in articles if a.skip_reason is None and a.post.author)
    return counts.most_common(1)[0][0] if counts else None


def _skip_reason(item: etree._Element) -> str | None:
    post_type = wp_text(item, "post_type")
    if not post_type:
        return "no WordPress post type"
    if post_type != "post":
        return SKIPPED_TYPES.get(post_type, f"not a post ({post_type})")
    if wp_text(item, "post_password"):
        return "password-protected"
    status = wp_text(item, "status") or ""
    if status != "publish":
        return SKIPPED_STATUSES.get(status, f"not published ({status or 'no status'})")
    return None


def _article(item: etree._Element, export: _Export, report: Report) -> Article:
    title = _plain_text(item.findtext("title") or "")
    skip = _skip_reason(item)
    post_id = wp_text(item, "post_id")
    body = ""
    credits: tuple[str, ...] = ()
    own = Report()
    if skip is None:
        body, credits = _body(item, post_id, title, export, own)
        title = title or _untitled(item, body, export, own)
    login = _child_text(item, DC_NS, "creator").strip()
    published = _published(item)
    terms = _terms(item)
    return Article(
        post=Post(
            source_path=export.source_path,
            title=title,
            body_html=body,
            date=published.date() if published else None,
            url=(item.findtext("link") or "").strip() or None,
            author=export.authors.get(login, login) or None,
            credits=credits,
        ),
        line=_line(item),
        published=published,
        slug=wp_text(item, "post_name") or None,
        categories=terms.get("category", ()),
        tags=terms.get("post_tag", ()),
        skip_reason=skip,
        warnings=tuple(own.diagnostics),
    )


def _body(
    item: etree._Element, post_id: str | None, title: str, export: _Export, report: Report
) -> tuple[str, tuple[str, ...]]:
    expansion = Expansion(post_id, export.attachments)
    body = wordpress_html(_child_text(item, CONTENT_NS, "encoded"), expansion)
    body, cleanup_warnings = clean_html(body)
    for warning, count in Counter([*expansion.warnings, *cleanup_warnings]).items():
        times = f" ({count} times)" if count > 1 else ""
        report.warn(export.source_path, _line(item), f"post '{title}': {warning}{times}")
    return body, tuple(expansion.credits)


def _line(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def _untitled(item: etree._Element, body: str, export: _Export, report: Report) -> str:
    title = first_words(body) or (wp_text(item, "post_name") or "").replace("-", " ") or "Untitled"
    report.warn(export.source_path, _line(item), f"post has no title; titled '{title}' from its first words")
    return title


def wordpress_html(content: str, expansion: Expansion) -> str:
    """Turn stored post content into the HTML WordPress shows: blocks, breaks, shortcodes, autop.

    Code is literal: code shortcodes, WP-Syntax blocks, <pre> and <code> are set aside before
    shortcodes and autop run, and put back unchanged.
    """
    has_blocks = "<!-- wp:" in content
    content = BLOCK_COMMENT_RE.sub("", content)
    content = BREAK_COMMENT_RE.sub("\n\n" if not has_blocks else "", content)
    content = protect_code(content, expansion)
    content = expand_shortcodes(content, expansion)
    if has_blocks:
        return expansion.restore(content)
    return autop(content, expansion.blocks)


def protect_code(content: str, expansion: Expansion) -> str:
    """Set code aside as placeholders: [code] shortcodes and WP-Syntax blocks become code blocks."""
    content = CODE_SHORTCODE_RE.sub(
        lambda m: expansion.block(
            code_block(html.unescape(m.group("code")).strip("\n"), _code_language(m.group("attrs")))
        ),
        content,
    )
    content = WP_SYNTAX_RE.sub(
        lambda m: expansion.block(code_block(html.unescape(m.group("code")).strip("\n"), m.group("lang"))),
        content,
    )
    content = PRE_RE.sub(lambda m: expansion.block(m.group(0)), content)
    return INLINE_CODE_RE.sub(lambda m: expansion.inline(m.group(0)), content)


def _code_language(attrs: str) -> str:
    found = CODE_LANGUAGE_RE.search(attrs)
    return found.group(1) if found else ""


def _published(item: etree._Element) -> dt.datetime | None:
    return parse_date(wp_text(item, "post_date")) or parse_date(item.findtext("pubDate"))


def _terms(item: etree._Element) -> dict[str, tuple[str, ...]]:
    terms: dict[str, list[str]] = {}
    for category in item.findall("category"):
        domain = category.get("domain") or "category"
        names = [_plain_text(category.text or ""), category.get("nicename") or ""]
        terms.setdefault(domain, []).extend(name for name in names if name)
    return {domain: tuple(dict.fromkeys(names)) for domain, names in terms.items()}


def _plain_text(fragment: str) -> str:
    """Text of a title that may carry markup or entities."""
    if not fragment.strip():
        return ""
    text = lxml.html.fragment_fromstring(fragment, create_parent="div").text_content()
    return " ".join(text.split())
