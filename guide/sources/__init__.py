"""Readers: one per input shape, each turning a file into the same Post."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from guide.errors import Diagnostic, GuideError, Report
from guide.limits import parser_limits
from guide.post import Post
from guide.sources.markdown import read_markdown_post
from guide.sources.text import read_text_post
from guide.textfile import read_text

Reader = Callable[[str, str, Report], Post]

READERS: dict[str, Reader] = {
    ".md": read_markdown_post,
    ".markdown": read_markdown_post,
    ".txt": read_text_post,
}


CACHE_SIZE = 4096
"""Posts kept in memory between builds of one process (`guide watch`)."""
_cache: OrderedDict[tuple[Path, str, int, int], tuple[Post, tuple[Diagnostic, ...]]] = OrderedDict()


def read_post(abs_path: Path, source_path: str, warnings: Report) -> Post:
    """Read one post file with the reader its suffix names; unchanged files come from the cache.

    A file counts as unchanged while its path, modification time (ns) and size stay the same; its
    warnings are reported again each time it is read.
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
    own = Report()
    post = _read_post(abs_path, source_path, own)
    warnings.diagnostics.extend(own.diagnostics)
    _cache[key] = (post, tuple(own.diagnostics))
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return post


def _read_post(abs_path: Path, source_path: str, warnings: Report) -> Post:
    reader = READERS.get(abs_path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise GuideError(
            Diagnostic(source_path, None, f"unknown post format '{abs_path.suffix}' (known: {known})")
        )
    text = read_text(abs_path, source_path)
    if not text.strip():
        raise GuideError(Diagnostic(source_path, None, "post is empty"))
    with parser_limits(source_path, None, "post"):
        return reader(text, source_path, warnings)
