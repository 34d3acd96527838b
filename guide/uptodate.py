"""Leave a PDF alone when it was made from the very same inputs: a no-op rebuild costs start-up only.

After `guide build` writes a PDF, a record of that build is kept in the project's cache folder
(`build/.cache/builds/`, or under $GUIDE_CACHE_DIR), named by a digest of the project's and the
output's paths. It holds:

* the SHA-256 of every file the build read: guide.toml, the posts, their images (a missing one
  recorded as missing), the --style file, and the package's styles and fonts the typesetter loaded;
* a digest of what else shapes the PDF: the options that change it, SOURCE_DATE_EPOCH, WeasyPrint's
  and pydyf's versions, and the guide's own package files (names, sizes and times);
* the SHA-256 of the PDF written, its page count, the images it shows and the warnings it printed.

A later build whose record matches in every point, with the PDF still as written, writes nothing and
reports the same warnings again (as a compiler's build tool replays a cached unit's warnings). Only
this module and the command line know about it; `guide.build` always builds. Light on purpose: it
loads neither the pipeline nor WeasyPrint.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guide.errors import Diagnostic, GuideError, Severity
from guide.fonts import FACES
from guide.options import BuildOptions, BuildResult
from guide.output import replace_file
from guide.paths import resolved
from guide.resources import STYLES_DIR

FORMAT = "guide-build-1"
"""Changes whenever what a record holds changes."""
CACHE_FOLDER = Path("build") / ".cache"
"""Under the project, unless GUIDE_CACHE_DIR names another folder."""
CACHE_ENV = "GUIDE_CACHE_DIR"
PACKAGE_DIR = Path(__file__).resolve().parent
VERSIONED = ("weasyprint", "pydyf")
"""Libraries whose version changes the PDF (the guide's own code is covered file by file)."""


def cache_folder(project: Path) -> Path:
    """Where a project's caches live: build/.cache in the project, or $GUIDE_CACHE_DIR (shared safely).

    Raises GuideError if build/.cache (or build/) is a symlink out of the project: a cloned project
    must not make a build write, or read its PDF's parts, wherever it points.
    """
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    folder = project / CACHE_FOLDER
    found = resolved(folder)
    if found is None or not found.is_relative_to(project.resolve()):
        message = f"lies outside the project folder (a symlink); remove it, or set {CACHE_ENV}"
        raise GuideError(Diagnostic(CACHE_FOLDER.as_posix(), None, message))
    return folder


@dataclass(frozen=True)
class Started:
    """A build about to run: when it started, to record it only if no input changed meanwhile."""

    project: Path
    output: Path
    options: BuildOptions
    time_ns: int


def unchanged_build(project: Path, output: Path, options: BuildOptions) -> BuildResult | None:
    """The last build's result if it made `output` from the very same inputs, else None."""
    project = project.resolve()
    record = _read(_record_path(project, output))
    if record is None or record.get("key") != _key(project, output, options):
        return None
    try:
        if _digest(output) != record["pdf"]:
            return None
        inputs = {Path(path): digest for path, digest in record["inputs"].items()}
        if any(_digest(path) != digest for path, digest in inputs.items()):
            return None
        warnings = [Diagnostic(p, line, text, Severity(kind)) for p, line, text, kind in record["warnings"]]
        return BuildResult(
            output=output,
            pages=int(record["pages"]),
            warnings=warnings,
            inputs=frozenset(inputs),
            images=tuple(record["images"]),
            up_to_date=True,
        )
    except (KeyError, TypeError, ValueError):  # a record from another version, or damaged: build
        return None


def build_started(project: Path, output: Path, options: BuildOptions) -> Started:
    """Note the time before a build reads anything."""
    return Started(project.resolve(), output, options, time.time_ns())


def record_build(started: Started, result: BuildResult) -> None:
    """Remember the build `started` made; skip it if an input changed while it ran, or on any OS error."""
    if result.output is None:
        return
    inputs = {}
    for path in sorted(result.inputs):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime_ns >= started.time_ns:
                return  # saved during the build: the PDF may show the older text
        inputs[str(path)] = _digest(path)
    record = {
        "key": _key(started.project, started.output, started.options),
        "pdf": _digest(result.output),
        "pages": result.pages,
        "inputs": inputs,
        "images": list(result.images),
        "warnings": [[d.source_path, d.line, d.message, str(d.severity)] for d in result.warnings],
    }
    with contextlib.suppress(OSError):
        write_atomically(_record_path(started.project, started.output), json.dumps(record).encode())


def _key(project: Path, output: Path, options: BuildOptions) -> str:
    """A digest of everything but the input files that shapes the PDF."""
    style = options.style.resolve() if options.style is not None else None
    shaping: dict[str, Any] = {
        "format": FORMAT,
        "project": str(project),
        "output": str(output.resolve()),
        "strict": options.strict,
        "style": str(style) if style else None,
        "allow_remote": options.allow_remote,
        "allow_private_hosts": options.allow_private_hosts,
        "missing_images": options.missing_images,
        "edition": options.edition,
        "in_parts": options.jobs > 1,
        "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "python": sys.version,
        "versions": _versions(),
        "code": code_stamp(),
    }
    return hashlib.sha256(json.dumps(shaping, sort_keys=True, default=str).encode()).hexdigest()


def _versions() -> list[str]:
    return [f"{name} {installed_version(name) or 'missing'}" for name in VERSIONED]


@functools.cache
def installed_version(name: str) -> str | None:
    """The version of the distribution `name` installed for this Python (None if there is none).

    Read from the name of its `NAME-VERSION.dist-info` folder, the first on sys.path as
    importlib.metadata finds it: loading importlib.metadata and looking a distribution up with it
    costs about 15 ms (more from a crowded current folder) before a rebuild can start its workers.
    It answers when no single such folder is found first (an egg, a name it normalises differently).
    """
    prefix = f"{name.lower()}-"
    for entry in sys.path:
        names = [
            n
            for n in _listing(entry)
            if n.lower().startswith(prefix) and n.endswith((".dist-info", ".egg-info"))
        ]
        if not names:
            continue
        found = names[0][len(prefix) :].removesuffix(".dist-info")
        if len(names) == 1 and names[0].endswith(".dist-info") and found and "-" not in found:
            return found
        break  # an egg, or several: importlib.metadata knows which it takes
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - seldom needed

    try:
        return version(name)
    except PackageNotFoundError:
        return None


@functools.cache
def _listing(folder: str) -> tuple[str, ...]:
    """The names in a sys.path entry ("" is the current folder); none if it is no folder."""
    try:
        return tuple(os.listdir(folder or "."))
    except OSError:
        return ()


@functools.cache
def code_stamp() -> str:
    """The guide's package files, styles and fonts, by name, size and time: a changed one changes the PDF."""
    files = [face.path for face in FACES]
    for root in dict.fromkeys((PACKAGE_DIR, STYLES_DIR)):
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(name for name in dirs if name != "__pycache__")
            files += [Path(folder) / name for name in sorted(names)]
    digest = hashlib.sha256()
    for path in files:
        with contextlib.suppress(OSError):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _record_path(project: Path, output: Path) -> Path:
    name = hashlib.sha256(f"{project}\0{output.resolve()}".encode()).hexdigest()
    return cache_folder(project) / "builds" / f"{name}.json"


def _read(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _digest(path: Path) -> str:
    """A file's SHA-256, or 'missing' when it cannot be read."""
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return "missing"


def write_atomically(path: Path, data: bytes) -> None:
    """Write a cache file in one step, making its folder (`guide.output.replace_file`); raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, data)
