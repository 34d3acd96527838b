"""What the readers made of each post, kept on disk by content: a new process need not parse it again.

An entry is named by the SHA-256 of the post file's bytes, its project-relative path and the guide's
code (`uptodate.code_stamp`), and holds the Post and the diagnostics its reader reported, as JSON
(never pickle: the cache folder is as trusted as the project, not more). A damaged or unreadable
entry is read as absent; one that cannot be written is skipped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from guide.errors import Diagnostic, Severity
from guide.post import Post
from guide.uptodate import code_stamp, write_atomically

FORMAT = "guide-posts-1"


def post_key(data: bytes, source_path: str) -> str:
    """The entry name for a post file with these bytes at this path."""
    digest = hashlib.sha256(f"{FORMAT}\0{code_stamp()}\0{source_path}\0".encode("utf-8", "surrogateescape"))
    digest.update(data)
    return digest.hexdigest()


def load_post(folder: Path, key: str) -> tuple[Post, tuple[Diagnostic, ...]] | None:
    """The stored Post and its reader's diagnostics, or None."""
    try:
        stored = json.loads((folder / key[:2] / f"{key}.json").read_bytes())
        fields = {name: _tuples(value) for name, value in stored["post"].items()}
        if fields.get("date") is not None:
            fields["date"] = dt.date.fromisoformat(fields["date"])
        post = Post(**fields)
        diagnostics = tuple(Diagnostic(p, n, m, Severity(s)) for p, n, m, s in stored["diagnostics"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return post, diagnostics


def store_post(folder: Path, key: str, post: Post, diagnostics: tuple[Diagnostic, ...]) -> None:
    """Keep what the reader made of the post."""
    fields = dataclasses.asdict(post)
    if post.date is not None:
        fields["date"] = post.date.isoformat()
    record = {
        "post": fields,
        "diagnostics": [[d.source_path, d.line, d.message, str(d.severity)] for d in diagnostics],
    }
    with contextlib.suppress(OSError):
        write_atomically(folder / key[:2] / f"{key}.json", json.dumps(record).encode())


def _tuples(value: Any) -> Any:
    """JSON's lists back into the tuples a frozen Post holds."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value
