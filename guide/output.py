"""Where output may go, checked before any rendering, and the one way it is written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from guide.errors import Diagnostic, GuideError
from guide.manifest import MANIFEST_NAME
from guide.paths import path_text_problem, resolved

GENERATOR_MARK = b'<meta name="generator" content="guide">'
"""Present in every HTML document guide writes, so a rebuild may replace it."""
SOURCE_SUFFIXES = {".md", ".markdown", ".txt", ".toml", ".css", ".html", ".htm", ".png", ".jpg", ".jpeg",
                   ".gif", ".webp", ".svg"}  # fmt: skip


def check_output_path(
    project: Path, output: Path, force: bool, kind: str = "PDF", inputs: frozenset[Path] = frozenset()
) -> None:
    """Raise GuideError if writing `output` would fail, lose work or touch a source.

    `inputs` are the resolved files the build reads (guide.toml, posts, images, the --style file):
    none of them is ever an output, even with --force.
    """
    shown = str(output)
    if problem := path_text_problem(shown):
        raise GuideError(Diagnostic(shown, None, f"output path {problem}"))
    try:
        _check_output_path(project, output, force, kind, inputs)
    except OSError as exc:
        raise GuideError(Diagnostic(shown, None, f"output path cannot be used: {exc.strerror}")) from exc


def _check_output_path(project: Path, output: Path, force: bool, kind: str, inputs: frozenset[Path]) -> None:
    shown = str(output)
    target = output.resolve()
    if is_input(target, inputs):
        raise GuideError(Diagnostic(shown, None, "output path is one of the guide's sources"))
    if target.exists() and not target.is_dir() and not target.is_file():
        raise GuideError(
            Diagnostic(shown, None, "output path is not a regular file (a device, pipe or socket)")
        )
    if target.is_dir():
        raise GuideError(Diagnostic(shown, None, f"output path is a folder; name a {kind} file"))
    parent = target.parent
    if not parent.exists() and _may_create(project, parent):
        return  # a fresh folder under the project or here: nothing in it to lose
    if not parent.is_dir():
        raise GuideError(Diagnostic(shown, None, f"output folder '{output.parent}' does not exist"))
    exists = target.exists()
    read_only = exists and not target.stat().st_mode & 0o222  # respected even by root
    if not os.access(parent, os.W_OK) or read_only or (exists and not os.access(target, os.W_OK)):
        raise GuideError(Diagnostic(shown, None, "output path is not writable"))
    previous = exists and _is_previous_output(target)
    if target == project / MANIFEST_NAME or (exists and _in_sources(project, target) and not previous):
        raise GuideError(Diagnostic(shown, None, "output path is one of the guide's sources"))
    if exists and not force and not previous:
        raise GuideError(
            Diagnostic(
                shown, None, "output path holds a file guide did not write; use --force to overwrite it"
            )
        )


def is_input(target: Path, inputs: frozenset[Path]) -> bool:
    """Whether the resolved `target` is one of the build's `inputs`: the same path, or a hard link to one."""
    if target in inputs:
        return True
    try:
        found = target.stat()
    except OSError:
        return False
    for path in inputs:
        with contextlib.suppress(OSError):
            known = path.stat()
            if (known.st_dev, known.st_ino) == (found.st_dev, found.st_ino):
                return True
    return False


def _may_create(project: Path, folder: Path) -> bool:
    """Whether a build may create `folder`: only under the project or the current folder."""
    return folder.is_relative_to(project) or folder.is_relative_to(Path.cwd().resolve())


def create_output_folder(project: Path, output: Path) -> None:
    """Create the output's missing parent folders, if `check_output_path` allowed them.

    Raises GuideError naming `output` if the folder cannot be made (a file in the way, no permission).
    """
    parent = output.resolve().parent
    if parent.is_dir() or not _may_create(project, parent):
        return
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GuideError(
            Diagnostic(str(output), None, f"cannot create output folder '{output.parent}': {exc.strerror}")
        ) from exc


def _in_sources(project: Path, target: Path) -> bool:
    """A file of the project that is, or could be, a post, a stylesheet or an image."""
    return target.is_relative_to(project) and target.suffix.lower() in SOURCE_SUFFIXES


def _is_previous_output(target: Path) -> bool:
    """A PDF, or an HTML document guide wrote: what a rebuild is expected to replace."""
    with target.open("rb") as stream:
        head = stream.read(2048)
    return head.startswith(b"%PDF-") or GENERATOR_MARK in head


def write_atomically(data: bytes, target: Path) -> None:
    """Write an output: a temporary file beside `target`, synced, then moved into place in one step.

    On any failure (a full disk, Ctrl-C) the temporary file is removed and `target` keeps
    whatever it held before. Raises GuideError naming `target` when the folder or disk refuses.
    """
    try:
        replace_file(target, data, durable=True)
    except _TemporaryFileError as exc:
        raise GuideError(Diagnostic(str(target), None, f"cannot write here: {exc.strerror}")) from exc
    except OSError as exc:
        raise GuideError(Diagnostic(str(target), None, f"cannot write: {exc.strerror}")) from exc


class _TemporaryFileError(OSError):
    """The temporary file beside the target could not even be made (a read-only or missing folder)."""


def replace_file(target: Path, data: bytes, *, durable: bool = False) -> None:
    """Replace `target` by `data` in one step (a temporary file beside it, renamed); mode 0644.

    The one atomic write of the package: outputs (through `write_atomically`), the typesetting cache
    and the build records. `durable` syncs the data to disk before the rename (outputs; a cache can
    lose an entry to a crash). Raises OSError; the temporary file never outlives a failure.
    """
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _TemporaryFileError(exc.errno, exc.strerror) from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        _remove(temp_name)
        raise


def _remove(temp_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp_name)


def check_output_folder(
    project: Path, folder: Path, force: bool, inputs: frozenset[Path], names: Iterable[str] = ()
) -> None:
    """Raise GuideError if `guide html` must not write its folder here.

    The folder may not hold the project; one that holds files guide did not write (no index.html
    of guide's) needs `force`, and even then only guide's own files in it are replaced. None of the
    files it will write (`names`, relative to the folder) may be one of the build's `inputs`.
    """
    shown = str(folder)
    target = folder.resolve()
    if project.is_relative_to(target) or target in inputs:
        raise GuideError(Diagnostic(shown, None, "output folder holds the guide's sources; name another"))
    if target.exists() and not target.is_dir():
        raise GuideError(
            Diagnostic(shown, None, "output path is a file; name a folder (or use --self-contained)")
        )
    if target.is_dir() and any(target.iterdir()) and not force:
        index = target / "index.html"
        if not (index.is_file() and _is_previous_output(index)):
            raise GuideError(
                Diagnostic(shown, None, "output folder holds files guide did not write; use --force")
            )
    check_output_path(project, folder / "index.html", True, kind="HTML", inputs=inputs)
    for name in names:
        written = resolved(target / name)
        if written is None or is_input(written, inputs):
            message = f"output folder would overwrite '{name}', one of the guide's sources; name another"
            raise GuideError(Diagnostic(shown, None, message))


def write_folder(project: Path, folder: Path, files: Mapping[str, Path | bytes]) -> None:
    """Write each file (relative path -> a file to copy, or bytes) into `folder`, index.html last."""
    create_output_folder(project, folder / "index.html")
    for relative in sorted(files, key=lambda name: name == "index.html"):
        source = files[relative]
        target = folder / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GuideError(Diagnostic(str(target.parent), None, f"cannot create: {exc.strerror}")) from exc
        write_atomically(source if isinstance(source, bytes) else source.read_bytes(), target)
