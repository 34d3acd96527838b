"""A content-addressed cache of typeset parts under build/.cache, safe to share between builds.

A part's key hashes everything its layout and PDF depend on: its whole HTML document (which carries
every stylesheet, the page size and the author's CSS), the project's address (relative URLs resolve
against it), the contents of the local files it loads (images, fonts), the guide's code and
WeasyPrint's and pydyf's versions, the PDF variant, and the first page number when its pages carry
folios. A second, smaller record keyed without the first page remembers the
part's page count, so the parts after an unchanged one know where they start. Both also record the
digest of every file the part's layout loaded (what an SVG loads, what a stylesheet's url() names,
which its HTML does not show): an entry one of whose files changed is not used.

Every file is written to a temporary name and renamed into place, so concurrent builds never see
half an entry; an entry whose PDF does not match its recorded digest is ignored and rebuilt. The
cache is bounded: `trim` removes the least recently used entries first. Entries read once stay in
memory for as long as the process lives (a `guide watch` process rebuilds from memory).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
from dataclasses import asdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from guide.fonts import FACES
from guide.paths import file_problem, resolved
from guide.typesetting.common import PDF_VARIANT, parts_stamp
from guide.typesetting.parts import Part
from guide.typesetting.worker import PartResult
from guide.uptodate import installed_version, write_atomically

FORMAT = "guide-parts-2"
"""Changes whenever what an entry holds or how keys are made changes."""
MAX_BYTES = 512 * 1024 * 1024
"""The cache's size bound; the least recently used entries go first."""
MAX_IN_MEMORY = 512
"""Parts a long-lived process keeps in memory (about 50 KiB each): a 200-post guide has about 60."""
_LOCAL_URL = re.compile(r"""(?:src="|url\(["']?)([^"')]+)""")


class PartCache:
    """Typeset parts on disk under `folder`, and in memory once read."""

    def __init__(self, folder: Path, project: Path, max_bytes: int = MAX_BYTES) -> None:
        self.folder = folder
        self.project = project
        self.max_bytes = max_bytes
        self._memory: dict[str, PartResult] = {}
        self._counts: dict[str, int] = {}
        self._loaded: dict[str, dict[str, str]] = {}
        """Each entry's (and page count's) loaded files, path -> digest, as they were when typeset."""
        self._blobs: dict[tuple[str, str], bytes] = {}
        self._targets: dict[str, Path | None] = {}
        """This build's project files, as a part's HTML names them -> resolved (see `new_build`)."""
        self._root: Path | None = None
        self._size: int | None = None
        """The folder's size at the last scan plus what this process wrote since, bytes; None: unknown."""
        self._stamped = False
        """Whether this process marked the folder as holding parts typeset by this code (`parts_stamp`)."""
        self._keys: dict[tuple[str, str, str], str] = {}
        """This build's keys: (kind, first page, HTML digest) -> key."""

    def new_build(self) -> None:
        """Forget what one build worked out once for all its parts: keys, where files resolve to.

        Within a build every part names the same stylesheets' fonts and images: each file is resolved
        and digested once, not once per part. A new build looks at the files again.
        """
        self._targets.clear()
        self._keys.clear()
        self._root = None

    def get(self, part: Part, first_page: int) -> PartResult | None:
        """The part as typeset before at `first_page`, or None (also for a damaged entry)."""
        key = self._key(part, first_page)
        result = self._memory.get(key)
        if result is None:
            result = self._read(key)
            if result is None:
                return None
            self._remember(key, result)
        return result if self._unchanged(key) else None

    def page_count(self, part: Part) -> int | None:
        """How many pages the part had when last typeset, wherever it started."""
        key = self._key(part, None)
        if key not in self._counts:
            try:
                record = json.loads(self._path("counts", key).read_text())
                self._counts[key] = int(record["pages"])
                self._loaded[key] = dict(record["loaded"])
            except (OSError, ValueError, KeyError, TypeError):
                return None
        return self._counts[key] if self._unchanged(key) else None

    def put(self, part: Part, result: PartResult) -> None:
        """Store a freshly typeset part; a cache that cannot be written is skipped, never an error."""
        key = self._key(part, result.first_page if part.numbered else 1)
        count_key = self._key(part, None)
        loaded = {path: _file_digest(Path(path)).hex() for path in result.loaded}
        self._remember(key, result)
        self._counts[count_key] = result.pages
        self._loaded[key] = self._loaded[count_key] = loaded
        meta = {k: v for k, v in asdict(result).items() if k != "pdf"}
        meta["sha256"] = hashlib.sha256(result.pdf).hexdigest()
        meta["loaded_digests"] = loaded
        count = {"pages": result.pages, "loaded": loaded}
        self._wrote(len(result.pdf) + 4096)
        with contextlib.suppress(OSError):
            write_atomically(self._path("parts", key + ".pdf"), result.pdf)
            write_atomically(self._path("parts", key + ".json"), json.dumps(meta).encode())
            write_atomically(self._path("counts", count_key), json.dumps(count).encode())
            if not self._stamped:
                write_atomically(self.folder / "parts" / parts_stamp(), b"")
                self._stamped = True

    def get_blob(self, kind: str, key: str) -> bytes | None:
        """A stored blob ('books': merged PDFs, 'fonts': subset programs), or None if absent or damaged."""
        memo = self._blobs.get((kind, key))
        if memo is not None:
            return memo
        path = self._path(kind, key)
        try:
            stored = path.read_bytes()
            os.utime(path)
        except OSError:
            return None
        digest, data = stored[:32], stored[32:]
        if hashlib.sha256(data).digest() != digest:
            return None
        self._remember_blob(kind, key, data)
        return data

    def put_blob(self, kind: str, key: str, data: bytes) -> None:
        """Store a blob under `key`, with its digest so damage is noticed."""
        self._remember_blob(kind, key, data)
        self._wrote(len(data) + 32)
        with contextlib.suppress(OSError):
            write_atomically(self._path(kind, key), hashlib.sha256(data).digest() + data)

    def _remember_blob(self, kind: str, key: str, data: bytes) -> None:
        if kind == "books":  # a whole PDF: keep only the latest in memory
            for old in [k for k in self._blobs if k[0] == kind]:
                del self._blobs[old]
        self._blobs[(kind, key)] = data

    def subset(self, path: Path, glyphs: list[int], family: str) -> bytes:
        """A font file subset to `glyphs`, as `fontmerge.subset_file` makes it, made once."""
        key = content_key(_file_digest(path), repr(glyphs).encode())
        program = self.get_blob("fonts", key)
        if program is None:
            from guide.typesetting.fontmerge import subset_file  # noqa: PLC0415 - WeasyPrint's HarfBuzz

            program = subset_file(path, glyphs, family)
            self.put_blob("fonts", key, program)
        return program

    def trim(self) -> None:
        """Remove the least recently used files until the cache fits its bound.

        The folder is scanned once per process, then again only once what this process wrote since
        may have taken it past the bound (other processes' writes are seen at that next scan).
        """
        if self._size is not None and self._size <= self.max_bytes:
            return
        files = _files(self.folder)
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                os.unlink(path)
            total -= size
        self._size = total

    def _wrote(self, size: int) -> None:
        if self._size is not None:
            self._size += size

    def _remember(self, key: str, result: PartResult) -> None:
        if len(self._memory) >= MAX_IN_MEMORY:
            self._memory.pop(next(iter(self._memory)))
        self._memory[key] = result

    def _read(self, key: str) -> PartResult | None:
        pdf_path, meta_path = self._path("parts", key + ".pdf"), self._path("parts", key + ".json")
        try:
            meta = json.loads(meta_path.read_text())
            pdf = pdf_path.read_bytes()
            if hashlib.sha256(pdf).hexdigest() != meta.pop("sha256"):
                return None
            self._loaded[key] = dict(meta.pop("loaded_digests"))
            result = PartResult(pdf=pdf, **meta)
            os.utime(pdf_path)  # used: the last to be evicted
            os.utime(meta_path)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return result

    def _unchanged(self, key: str) -> bool:
        """Whether every file the entry's part loaded still holds what it held then.

        The key covers the files the part's HTML names; this covers what those load in turn (an
        SVG's own images) and what a stylesheet's url() names.
        """
        return all(
            _file_digest(Path(path)).hex() == digest for path, digest in self._loaded.get(key, {}).items()
        )

    def _key(self, part: Part, first_page: int | None) -> str:
        html = part.html.encode("utf-8", "surrogateescape")
        first = str(first_page if part.numbered else None)
        memo = (part.kind, first, hashlib.sha256(html).hexdigest())
        key = self._keys.get(memo)
        if key is not None:
            return key
        digest = hashlib.sha256()
        # The project's address too: WeasyPrint names an image's resource after its absolute URL.
        for piece in (_environment(), self.project.as_uri(), part.kind, first):
            digest.update(piece.encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
        digest.update(html + b"\0")
        for path in sorted(set(self._local_files(part.html))):
            digest.update(path.encode("utf-8", "surrogateescape") + b"\0" + self._project_file_digest(path))
        key = self._keys[memo] = digest.hexdigest()
        return key

    def _project_file_digest(self, path: str) -> bytes:
        """A project file's digest; a file outside the project, or not a regular file, is never read.

        The sandboxed fetcher refuses those anyway (and the build fails); the key only needs to differ.
        """
        if path not in self._targets:
            target = resolved(Path(path) if Path(path).is_absolute() else self.project / path)
            if self._root is None:
                self._root = self.project.resolve()
            inside = target is not None and target.is_relative_to(self._root)
            self._targets[path] = target if inside and target and not file_problem(target) else None
        target = self._targets[path]
        return b"not a project file" if target is None else _file_digest(target)

    def _local_files(self, html: str) -> list[str]:
        """The project files the part loads: their bytes change the layout without changing the HTML."""
        found = []
        for url in _LOCAL_URL.findall(html):
            parts = urlsplit(url)
            if parts.scheme in ("", "file") and not url.startswith("#"):
                found.append(unquote(parts.path))
        return found

    def _path(self, kind: str, name: str) -> Path:
        return self.folder / kind / name[:2] / name


def content_key(*pieces: bytes) -> str:
    """A key for something made from `pieces` by this version of the code (a merged book, a subset font)."""
    digest = hashlib.sha256(_environment().encode())
    for piece in pieces:
        digest.update(hashlib.sha256(piece).digest())
    return digest.hexdigest()


@functools.cache
def _environment() -> str:
    """What changes every key: the format, the tools' versions and the fonts' bytes."""
    versions = [installed_version(name) or "missing" for name in ("weasyprint", "pydyf", "guide")]
    pieces = [FORMAT, PDF_VARIANT, *versions]
    pieces += [f"{face.path.name}:{_file_digest(face.path).hex()}" for face in FACES]
    package = Path(__file__).parent.parent  # the guide's code: what lays parts out, audits and merges them
    pieces += [_file_digest(path).hex() for path in sorted(package.rglob("*.py"))]
    return "|".join(pieces)


def file_digest(path: Path) -> bytes:
    """A file's digest (b"missing" if it cannot be read), read again only when its time or size changes."""
    return _file_digest(path)


def _file_digest(path: Path) -> bytes:
    try:
        stat = path.stat()
    except OSError:
        return b"missing"
    return _digest_of(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _digest_of(path: Path, mtime_ns: int, size: int) -> bytes:
    """A file's digest, read again only when its time or size changes."""
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return b"missing"


def _files(folder: Path) -> list[tuple[float, int, str]]:
    """Every file under `folder` (symlinks not followed): its modification time, size and path.

    One `stat` a file (`os.scandir` tells files from folders): at 50 posts the cache holds some
    200 files, and `Path.rglob` with `stat` and `is_file` took 10 ms where this takes 3.
    """
    found: list[tuple[float, int, str]] = []
    folders = [str(folder)]
    while folders:
        with contextlib.suppress(OSError), os.scandir(folders.pop()) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        stat = entry.stat(follow_symlinks=False)
                        found.append((stat.st_mtime, stat.st_size, entry.path))
    return found
