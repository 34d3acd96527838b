"""Where output may go, checked before any rendering, and the one way it is written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from guide.errors import Diagnostic, GuideError
from guide.manifest import MANIFEST_NAME


def check_output_path(project: Path, output: Path, force: bool) -> None:
    """Raise GuideError if writing `output` would fail, lose work or touch a source."""
    shown = str(output)
    target = output.resolve()
    if target.is_dir():
        raise GuideError(Diagnostic(shown, None, "output path is a folder; name a .pdf file"))
    parent = target.parent
    if not parent.is_dir():
        raise GuideError(Diagnostic(shown, None, f"output folder '{output.parent}' does not exist"))
    read_only = target.exists() and not target.stat().st_mode & 0o222  # respected even by root
    if not os.access(parent, os.W_OK) or read_only or (target.exists() and not os.access(target, os.W_OK)):
        raise GuideError(Diagnostic(shown, None, "output path is not writable"))
    if _is_source(project, target):
        raise GuideError(Diagnostic(shown, None, "output path is one of the guide's sources"))
    if target.exists() and not force and not _is_pdf(target):
        raise GuideError(
            Diagnostic(shown, None, "output path holds a file that is not a PDF; use --force to overwrite it")
        )


def _is_source(project: Path, target: Path) -> bool:
    if target == project / MANIFEST_NAME:
        return True
    source_suffixes = {".md", ".markdown", ".txt", ".toml", ".css", ".html", ".png", ".jpg", ".jpeg", ".svg"}
    return target.is_relative_to(project) and target.suffix.lower() in source_suffixes


def _is_pdf(target: Path) -> bool:
    with target.open("rb") as stream:
        return stream.read(5) == b"%PDF-"


def write_atomically(data: bytes, target: Path) -> None:
    """Write to a temporary file beside `target`, then move it into place in one step.

    On any failure (a full disk, Ctrl-C) the temporary file is removed and `target` keeps
    whatever it held before.
    """
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise GuideError(Diagnostic(str(target), None, f"cannot write here: {exc.strerror}")) from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except OSError as exc:
        _remove(temp_name)
        raise GuideError(Diagnostic(str(target), None, f"cannot write: {exc.strerror}")) from exc
    except BaseException:
        _remove(temp_name)
        raise


def _remove(temp_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp_name)
