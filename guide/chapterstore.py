"""Each chapter's rendered, wrap-marked HTML, kept on disk: a new process renders only what changed.

Marking where copied text may wrap (guide/wrapping.py) parses every chapter's HTML: for a book of
many chapters that is a good part of a rebuild's preparation. An entry is named by the SHA-256 of
everything the chapter template prints (see `render._chapter_html`) and the guide's code
(`uptodate.code_stamp`: the templates, the marking and the fonts that balance titles), and holds
that name and the HTML, as JSON: a damaged entry or one of another name is read as absent, one
that cannot be written is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Hashable
from pathlib import Path

from guide.uptodate import code_stamp, write_atomically

FORMAT = "guide-chapters-1"


def chapter_key(printed: tuple[Hashable, ...]) -> str:
    """The entry name for a chapter whose template prints `printed` (strings, dates, None)."""
    text = f"{FORMAT}\0{code_stamp()}\0{printed!r}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def load_chapter(folder: Path, key: str) -> str | None:
    """The stored HTML, or None."""
    try:
        stored = json.loads((folder / key[:2] / f"{key}.json").read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key or not isinstance(stored.get("html"), str):
        return None
    return str(stored["html"])


def store_chapter(folder: Path, key: str, html: str) -> None:
    """Keep the chapter's HTML."""
    with contextlib.suppress(OSError):
        write_atomically(folder / key[:2] / f"{key}.json", json.dumps({"key": key, "html": html}).encode())
