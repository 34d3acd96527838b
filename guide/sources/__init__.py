"""Readers: one per input shape, each turning a file into the same Post."""

from __future__ import annotations

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


def read_post(abs_path: Path, source_path: str, warnings: Report) -> Post:
    """Read one post file with the reader its suffix names."""
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
