"""Links between static-blog posts by their site addresses become links between chapter files.

Jekyll and Hugo posts link to each other by the address the site served them at (`permalink:`,
`aliases:`, a slug at the end of the path) or by engine tags (`{% post_url %}`, `{{< ref >}}`).
None of those is a chapter's address, so the importer rewrites them to the chapter's file name,
which the build turns into an in-guide link. Code (fenced blocks, code spans) is never touched.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

from guide.importing.readers.article import Article

CODE_RE = re.compile(
    r"^([ \t]*)(`{3,}|~{3,})[^\n]*\n.*?^[ \t]*\2[`~]*[ \t]*$|`+[^`\n]+`+", re.MULTILINE | re.DOTALL
)
LINK_DEST_RE = re.compile(r"(?<=\]\()(\s*)(<[^>\n]*>|[^)\s]+)")
REFERENCE_RE = re.compile(r"^([ \t]{0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)", re.MULTILINE)
HREF_RE = re.compile(r"(\bhref\s*=\s*)([\"'])([^\"'\n]*)\2", re.IGNORECASE)
ENGINE_LINK_RE = re.compile(
    r"\{%-?\s*(?:post_url|link)\s+([^\s%]+)\s*-?%\}"  # Jekyll
    r"|\{\{[<%]\s*(?:rel)?ref\s+\"?([^\"\s>%]+)\"?\s*[>%]\}\}"  # Hugo
)
RELATIVE_HREF_RE = re.compile(r"\bhref\s*=\s*[\"']?(?![a-zA-Z][a-zA-Z0-9+.-]*:|#)", re.IGNORECASE)
PAGE_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".php")


@dataclass(frozen=True)
class PostAddresses:
    """Where each imported static post lived, and the chapter file it becomes."""

    by_address: dict[str, str]
    """Normalised site path (`/how-to-x-pt-2`) -> chapter file name."""
    by_name: dict[str, str]
    """A post's slug or file stem -> chapter file name (names two posts share are left out)."""

    def target(self, href: str) -> str | None:
        """Return the chapter file (with the link's fragment) a link points at, or None."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        path = unquote(parts.path)
        found = self.by_address.get(_normalise(path)) if path.startswith("/") else None
        found = found or self.by_name.get(_last_name(path))
        if found is None:
            return None
        return found + (f"#{parts.fragment}" if parts.fragment else "")


def post_addresses(chapters: list[tuple[Article, str]]) -> PostAddresses:
    """Index the static posts among (article, chapter path) by their addresses and names."""
    by_address: dict[str, str] = {}
    names: dict[str, set[str]] = {}
    for article, path in chapters:
        if article.body_markdown is None:
            continue
        file_name = posixpath.basename(path)
        for address in article.addresses:
            by_address.setdefault(_normalise(address), file_name)
        stem = PurePosixPath(article.post.source_path).stem
        for name in {article.slug or "", stem, _last_name(stem)} - {"", "index"}:
            names.setdefault(name, set()).add(file_name)
    by_name = {name: next(iter(files)) for name, files in names.items() if len(files) == 1}
    return PostAddresses(by_address, by_name)


def link_posts(markdown: str, addresses: PostAddresses, unresolved: list[str]) -> str:
    """Point the body's links to other imported posts at their chapter files, outside code.

    Engine link tags that match no imported post are left as they are and added to `unresolved`.
    """
    return _outside_code(markdown, lambda text: _link_text(text, addresses, unresolved))


def _link_text(text: str, addresses: PostAddresses, unresolved: list[str]) -> str:
    def destination(found: re.Match[str]) -> str:
        raw = found.group(2)
        bracketed = raw.startswith("<")
        target = addresses.target(raw[1:-1] if bracketed else raw)
        if target is None:
            return found.group(0)
        return found.group(1) + (f"<{target}>" if bracketed else target)

    def href(found: re.Match[str]) -> str:
        target = addresses.target(found.group(3))
        return (
            found.group(0) if target is None else f"{found.group(1)}{found.group(2)}{target}{found.group(2)}"
        )

    def engine(found: re.Match[str]) -> str:
        target = addresses.by_name.get(_last_name(found.group(1) or found.group(2)))
        if target is None:
            unresolved.append(found.group(0))
        return target or found.group(0)

    text = ENGINE_LINK_RE.sub(engine, text)
    text = LINK_DEST_RE.sub(destination, text)
    text = REFERENCE_RE.sub(destination, text)
    return HREF_RE.sub(href, text)


def absolute_links(body_html: str, post_url: str | None) -> str:
    """Resolve an HTML body's site-relative links (`/2009/02/other-post/`) against the post's address.

    The build then makes the ones to imported posts internal, and keeps the rest as web links
    to the blog, where a relative link would be removed.
    """
    if not post_url or not RELATIVE_HREF_RE.search(body_html):
        return body_html
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        if href and not href.startswith("#") and not urlsplit(href).scheme:
            link.set("href", urljoin(post_url, href))
    return html.escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


def _outside_code(markdown: str, change: Callable[[str], str]) -> str:
    """Apply `change` to everything but fenced code blocks and code spans."""
    pieces = []
    position = 0
    for code in CODE_RE.finditer(markdown):
        pieces.append(change(markdown[position : code.start()]))
        pieces.append(code.group(0))
        position = code.end()
    pieces.append(change(markdown[position:]))
    return "".join(pieces)


def _normalise(path: str) -> str:
    """Compare site paths without a trailing slash, `index.html` or a page suffix."""
    path = path.split("#", maxsplit=1)[0].split("?", maxsplit=1)[0]
    path = re.sub(r"/index\.html?$", "/", path).rstrip("/")
    for suffix in PAGE_SUFFIXES:
        path = path.removesuffix(suffix)
    return path or "/"


def _last_name(path: str) -> str:
    """The last segment of a path, without a page suffix: a post's slug in most permalink styles."""
    return _normalise(path).rsplit("/", 1)[-1]
