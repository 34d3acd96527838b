"""Read any source `guide import` accepts, whatever its shape, into a Source of Articles."""

from __future__ import annotations

from pathlib import Path

from guide.errors import Report
from guide.importing.readers.article import Article, Source
from guide.importing.readers.detect import Format, detect_format
from guide.importing.readers.feed import read_feed
from guide.importing.readers.html_page import read_saved_page
from guide.importing.readers.static_blog import read_static_post
from guide.importing.readers.wordpress import read_wordpress_export
from guide.sources.text import read_text_post
from guide.textfile import decode_text, read_bytes

MAX_SOURCE_BYTES = 256 * 1024 * 1024
"""Largest source accepted: a big blog's export is tens of megabytes."""


def read_source(abs_path: Path, source_path: str, report: Report) -> Source:
    """Detect the source's format from its content and read every article in it."""
    data = read_bytes(abs_path, source_path, MAX_SOURCE_BYTES)
    found = detect_format(data, source_path)
    if found is Format.WORDPRESS:
        return read_wordpress_export(data, source_path, report)
    if found is Format.FEED:
        return read_feed(data, source_path, report)
    if found is Format.HTML_PAGE:
        return read_saved_page(data, source_path, report)
    text = decode_text(data, source_path)
    if found is Format.STATIC_BLOG:
        return read_static_post(text, source_path, report)
    post = read_text_post(text, source_path, report)
    return Source(source_path, str(Format.TEXT), (Article(post=post, line=1),))
