"""The one record every reader returns, whatever the post's original shape."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Post:
    """A post as read from its source file, before it becomes a chapter."""

    source_path: str
    """Path relative to the project, as shown to the author."""
    title: str
    """The post's title, plain text."""
    subtitle: str | None = field(default=None, kw_only=True)
    """A line under the title (Jekyll's `subtitle:`), shown in the contents and the chapter opening."""
    body_html: str
    """The post's body as an HTML fragment (no <h1> title), its blocks stamped `data-source-line`."""
    date: dt.date | None = None
    """When the post was published."""
    url: str | None = None
    """Where the post was published, used to turn links between posts into internal links."""
    author: str | None = None
    """The post's author, when it differs from or spells out the guide's."""
    credits: tuple[str, ...] = ()
    """Photo credits, sources and thanks the post carries, one line each."""


def address_key(url: str) -> str:
    """Compare post addresses without scheme, `www.`, fragment or trailing slash.

    The query stays: WordPress's plain permalinks tell posts apart by it (`/?p=12`).
    """
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{parts.path.rstrip('/')}{query}"
