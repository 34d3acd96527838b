"""Hyphenation patterns parsed once per build cache, not in every process that typesets.

WeasyPrint hyphenates with pyphen, which parses a `hyph_*.dic` file (the LibreOffice/Hunspell
hyphenation format) the first time a process hyphenates in a language, and keeps the result in
`pyphen.hdcache`, by path: about 0.12 s for English's 14,000 patterns, in every worker of every
build, where a rebuild waits for its first worker. `cache_patterns` makes pyphen take them from
files in the build cache instead (about 30 ms): a header line (this module's format, pyphen's
version, the SHA-256 of the rest), then the patterns as JSON, named by the dictionary's own SHA-256.
A file whose header or digest does not match, or that does not read back, is parsed afresh and
written again. A dictionary with non-standard hyphenation (`hyph_*.dic` lines with `/`, which
pyphen reads into ints carrying replacement data: Catalan, Hungarian) is not written: JSON would
drop that data.

The parsed patterns are pyphen's own `HyphDict` attributes (`patterns`, `cache`, `maxlen`);
tests/test_hyphenation.py fails if a pyphen upgrade changes them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

import pyphen

from guide.uptodate import installed_version, write_atomically

FORMAT = "guide-hyphenation-1"
"""Changes whenever what a cached file holds changes."""
HYPHENATION_FOLDER = "hyphenation"
"""The patterns' folder in a project's build cache (`guide.uptodate.cache_folder`)."""
ATTRIBUTES = frozenset({"patterns", "cache", "maxlen"})
"""What `pyphen.HyphDict.__init__` sets (pyphen 0.18)."""

_folder: list[Path] = []


def cache_patterns(folder: Path) -> None:
    """From now on in this process, read and write parsed hyphenation patterns in `folder`.

    Idempotent; the folder is created when the first file is written. Writing is best effort: a
    folder that cannot be written leaves pyphen parsing as it always has.
    """
    if pyphen.HyphDict is not CachedHyphDict:
        pyphen.HyphDict = CachedHyphDict
    _folder[:] = [folder]


class CachedHyphDict(pyphen.HyphDict):  # type: ignore[misc] # pyphen has no types
    """`pyphen.HyphDict`, read from the cache folder when it holds this dictionary's patterns."""

    def __init__(self, path: Path) -> None:
        source = Path(path).read_bytes()
        cached = (
            _folder[0] / f"{Path(path).stem}-{hashlib.sha256(source).hexdigest()[:32]}.json"
            if _folder
            else None
        )
        patterns = _read(cached) if cached is not None else None
        if patterns is not None:
            self.patterns = patterns
            self.cache: dict[str, object] = {}
            self.maxlen = max(len(key) for key in patterns)
            return
        super().__init__(path)
        if cached is not None and _plain(self.patterns):
            with contextlib.suppress(OSError):
                cached.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(cached, _dumped(self.patterns))


def _stamp() -> dict[str, str | None]:
    return {"format": FORMAT, "pyphen": installed_version("pyphen")}


def _dumped(patterns: dict[str, tuple[int, tuple[int, ...]]]) -> bytes:
    """A header line (format, pyphen's version, the SHA-256 of what follows), then the patterns."""
    body = json.dumps(patterns, ensure_ascii=False, separators=(",", ":")).encode()
    header = json.dumps({**_stamp(), "sha256": hashlib.sha256(body).hexdigest()}).encode()
    return header + b"\n" + body


def _read(path: Path) -> dict[str, tuple[int, tuple[int, ...]]] | None:
    """The patterns cached at `path`, or None if it is missing, from another version, or damaged.

    The body's digest guards it: checking each of some 14,000 values as read would cost more
    than half of what the cache saves.
    """
    try:
        header, _, body = path.read_bytes().partition(b"\n")
        stamp = json.loads(header)
        if not isinstance(stamp, dict) or any(stamp.get(key) != value for key, value in _stamp().items()):
            return None
        if stamp.get("sha256") != hashlib.sha256(body).hexdigest():
            return None
        stored = json.loads(body)
        patterns = {str(key): (int(start), tuple(values)) for key, (start, values) in stored.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return patterns or None


def _plain(patterns: dict[str, tuple[int, tuple[int, ...]]]) -> bool:
    """Whether every value is a plain int (no non-standard hyphenation data to lose in JSON)."""
    return all(
        type(start) is int and all(type(v) is int for v in values) for start, values in patterns.values()
    )
