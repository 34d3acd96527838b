"""Refuse paths no file of a guide should have: control characters, over-long names, special files.

One check for every path an author names (chapters, images, the stylesheet, the output), so
each refusal is one located line instead of a ValueError or OSError from the operating system.
"""

from __future__ import annotations

import os
import posixpath
import stat
import unicodedata
from pathlib import Path

MAX_PATH_CHARS = 1_024
"""Longest path accepted, in characters."""
MAX_NAME_BYTES = 255
"""Longest file or folder name accepted, in UTF-8 bytes (what Linux and macOS allow)."""


def path_text_problem(text: str) -> str | None:
    """Say what is wrong with a path as written (control characters, length), or None."""
    bad = next((char for char in text if unicodedata.category(char) == "Cc"), None)
    if bad is not None:
        return f"holds the control character U+{ord(bad):04X}"
    if len(text) > MAX_PATH_CHARS:
        return f"is {len(text):,} characters long (limit {MAX_PATH_CHARS:,})"
    for name in text.replace("\\", "/").split("/"):
        size = len(name.encode("utf-8", "surrogatepass"))
        if size > MAX_NAME_BYTES:
            return f"has a name of {size:,} bytes (limit {MAX_NAME_BYTES})"
    return None


def climbs_out(relative: str) -> bool:
    """Whether a project-relative path, as written, passes above the project folder (`../p/x` too).

    Such a path depends on the folder's own name and surroundings even when it comes back in, so
    it is refused like one that stays outside.
    """
    parts = posixpath.normpath(relative).split("/")
    return parts[0] == ".."


def file_problem(abs_path: Path) -> str | None:
    """Say why `abs_path` is not a regular file that can be read ("not found", "is a folder"...), or None."""
    try:
        mode = abs_path.stat().st_mode
    except FileNotFoundError:
        return "not found"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISDIR(mode):
        return "is a folder"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a device, pipe or socket)"
    if not os.access(abs_path, os.R_OK):
        return "cannot be read (permission denied)"
    return None


def project_file(project_dir: Path, written: str) -> Path | str:
    """Resolve a project-relative path as an author wrote it to a readable regular file in the project.

    Returns the resolved path, or what is wrong as a phrase to follow the quoted path ("lies outside
    the project folder", "not found", "is a folder", "holds the control character U+0000"...). The
    one check of chapters, the cover image and the posts' images: text, climbing out, symlinks out
    or in a loop, special files. `project_dir` must be resolved.
    """
    if problem := path_text_problem(written):
        return problem
    if climbs_out(written) or posixpath.isabs(written):
        return "lies outside the project folder"
    abs_path = resolved(project_dir / written)
    if abs_path is None:
        return "cannot be resolved (a symlink loop?)"
    if not abs_path.is_relative_to(project_dir):
        return "lies outside the project folder"
    return file_problem(abs_path) or abs_path


def file_within(abs_path: str, roots: tuple[Path, ...]) -> Path | str:
    """Resolve an absolute path (a file: URL's) to a readable regular file under one of `roots`.

    Returns the resolved path, or why not as a clause ("it is a folder", "its path holds the control
    character U+0000"...): the typesetter's sandbox, which says the same of a file outside and one
    that does not exist. `roots` must be resolved.
    """
    if problem := path_text_problem(abs_path):
        return f"its path {problem}"
    found = resolved(Path(abs_path))
    if found is None:
        return "it cannot be resolved (a symlink loop?)"
    problem = file_problem(found)
    if problem == "not found" or not any(found.is_relative_to(root) for root in roots):
        return "it is outside the project folder or does not exist"
    return found if problem is None else f"it {problem}"


def resolved(abs_path: Path) -> Path | None:
    """Return the path with symlinks resolved, or None if it cannot be (a loop, a name too long)."""
    try:
        return abs_path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None
