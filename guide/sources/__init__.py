"""Readers: one per input shape, each turning a file into the same Post."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from guide.errors import Diagnostic, GuideError, Report
from guide.limits import MAX_FILE_BYTES, parser_limits
from guide.post import Post
from guide.poststore import load_post, post_key, store_post
from guide.sources.markdown import read_markdown_post
from guide.sources.text import read_text_post
from guide.textfile import decode_text, read_bytes, read_text

Reader = Callable[[str, str, Report], Post]

READERS: dict[str, Reader] = {
    ".md": read_markdown_post,
    ".markdown": read_markdown_post,
    ".txt": read_text_post,
}


CACHE_SIZE = 4096
"""Posts kept in memory between builds of one process (`guide watch`)."""
_cache: OrderedDict[tuple[Path, str, int, int], tuple[Post, tuple[Diagnostic, ...]]] = OrderedDict()


def read_post(abs_path: Path, source_path: str, warnings: Report, stored: Path | None = None) -> Post:
    """Read one post file with the reader its suffix names; unchanged files come from the cache.

    A file counts as unchanged while its path, modification time (ns) and size stay the same; its
    warnings are reported again each time it is read. With `stored`, a folder (see guide.poststore),
    a post whose bytes were read before, in any process, comes from there.
    """
    try:
        stat = abs_path.stat()
    except OSError:
        return _read_post(abs_path, source_path, warnings)  # reports the problem with its location
    key = (abs_path, source_path, stat.st_mtime_ns, stat.st_size)
    if key in _cache:
        _cache.move_to_end(key)
        post, diagnostics = _cache[key]
        warnings.diagnostics.extend(diagnostics)
        return post
    post, diagnostics = _read_or_load(abs_path, source_path, stored)
    warnings.diagnostics.extend(diagnostics)
    _cache[key] = (post, diagnostics)
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return post


def _read_or_load(
    abs_path: Path, source_path: str, stored: Path | None
) -> tuple[Post, tuple[Diagnostic, ...]]:
    """Read the post, or load what its reader made of the same bytes before."""
    if stored is None or abs_path.suffix.lower() not in READERS:
        own = Report()
        return _read_post(abs_path, source_path, own), tuple(own.diagnostics)
    data = read_bytes(abs_path, source_path, MAX_FILE_BYTES)
    key = post_key(data, source_path)
    found = load_post(stored, key)
    if found is not None:
        return found
    own = Report()
    post = _read_post(abs_path, source_path, own, data)
    store_post(stored, key, post, tuple(own.diagnostics))
    return post, tuple(own.diagnostics)


def _read_post(abs_path: Path, source_path: str, warnings: Report, data: bytes | None = None) -> Post:
    reader = READERS.get(abs_path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise GuideError(
            Diagnostic(source_path, None, f"unknown post format '{abs_path.suffix}' (known: {known})")
        )
    text = read_text(abs_path, source_path) if data is None else decode_text(data, source_path)
    if not text.strip():
        raise GuideError(Diagnostic(source_path, None, "post is empty"))
    with parser_limits(source_path, None, "post"):
        return reader(text, source_path, warnings)
