"""Read any source `guide import` accepts, whatever its shape, into a Source of Articles."""

from __future__ import annotations

from pathlib import Path

from guide.errors import Diagnostic, GuideError, Report
from guide.importing.readers.article import Article, Source
from guide.importing.readers.detect import Format, crowded_element, detect_format
from guide.importing.readers.feed import read_feed
from guide.importing.readers.html_page import read_saved_page
from guide.importing.readers.static_blog import read_static_post
from guide.importing.readers.wordpress import read_wordpress_export
from guide.limits import MAX_HTML_ATTRIBUTES
from guide.sources.text import read_text_post
from guide.textfile import decode_text, read_bytes

MAX_SOURCE_BYTES = 256 * 1024 * 1024
"""Largest source accepted: a big blog's export is tens of megabytes."""
POST_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".html", ".htm", ".txt")
"""The files a folder of posts contributes; anything else (images, data) stays out."""


def source_files(path: Path) -> list[Path]:
    """The files to read for one named source: the file itself, or every post in a folder.

    A folder is a static blog's posts (Jekyll's `_posts`, Hugo's `content/posts` with page
    bundles `my-post/index.md`): its post files at any depth, in name order. Names starting with
    `_` or `.` are left out, below the folder itself: Hugo's section page `_index.md`, `_drafts`,
    hidden folders.
    """
    if not path.is_dir():
        return [path]
    found = []
    for candidate in sorted(path.rglob("*")):
        parts = candidate.relative_to(path).parts
        if any(part.startswith(("_", ".")) for part in parts):
            continue
        if candidate.suffix.lower() in POST_SUFFIXES and candidate.is_file():
            found.append(candidate)
    if not found:
        known = ", ".join(POST_SUFFIXES)
        raise GuideError(Diagnostic(str(path), None, f"folder holds no posts ({known} files)"))
    return found


def read_source(abs_path: Path, source_path: str, report: Report) -> Source:
    """Detect the source's format from its content and read every article in it."""
    data = read_bytes(abs_path, source_path, MAX_SOURCE_BYTES)
    if (line := crowded_element(data)) is not None:
        message = f"an element carries over {MAX_HTML_ATTRIBUTES:,} attributes; no post needs so many"
        raise GuideError(Diagnostic(source_path, line, message))
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
