"""Start a guide project: `guide new` writes one that builds at once, with CI ready to go."""

from __future__ import annotations

import json
import os
import shutil
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from guide.errors import Diagnostic, GuideError
from guide.manifest import MANIFEST_NAME
from guide.output import write_atomically
from guide.resources import PACKAGE_DIR

STARTER_DIR = PACKAGE_DIR / "starter"
WORKFLOW_PATH = ".github/workflows/guide.yml"
SAMPLE_CHAPTER = "chapters/01-welcome.md"


@dataclass(frozen=True)
class NewProject:
    """What the author asked `guide new` for."""

    folder: Path
    """The project folder to create (or fill, with `force`)."""
    title: str | None = None
    """The guide's title; defaults to the folder's name."""
    author: str | None = None
    """Who wrote the guide: --author, else git's user.name; "" writes `author = ""`, no name on purpose."""
    force: bool = False
    """Write into a folder that holds files already, overwriting the starter's own."""


def check_new_folder(options: NewProject) -> None:
    """Raise GuideError if `guide new` must not write into the folder."""
    folder = options.folder
    shown = str(folder)
    if folder.exists() and not folder.is_dir():
        raise GuideError(Diagnostic(shown, None, "exists and is not a folder"))
    if folder.is_dir() and any(folder.iterdir()) and not options.force:
        raise GuideError(
            Diagnostic(shown, None, "folder is not empty; use --force to write the starter files into it")
        )


def default_title(folder: Path) -> str:
    """A title from the folder's name: `my-field-guide` gives "My field guide"."""
    name = folder.resolve().name.replace("-", " ").replace("_", " ").strip()
    return name[:1].upper() + name[1:] if name else "My guide"


def git_author(folder: Path) -> str | None:
    """The name git signs the author's commits with ($GIT_AUTHOR_NAME, else `git config user.name`).

    Asked in the nearest existing folder above `folder`, so a repository's own identity counts.
    None when git is not installed or names no one.
    """
    named = os.environ.get("GIT_AUTHOR_NAME", "").strip()
    if named:
        return named
    git = shutil.which("git")
    if git is None:
        return None
    where = folder.resolve()
    while not where.is_dir():
        where = where.parent
    try:
        found = subprocess.run(
            [git, "config", "--get", "user.name"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found.stdout.strip() or None


def package_spec(direct_url: str | None, version: str) -> str | None:
    """What the CI workflow should pip-install to get this very guide; None if it cannot be told.

    `direct_url` is the installed distribution's direct_url.json (PEP 610), None when it came from a
    package index (then `guide==version`). A git checkout installs the same commit and an archive
    the same address; a local folder (an editable install, say) has no address CI could reach.
    """
    if direct_url is None:
        return f"guide=={version}"
    try:
        origin = json.loads(direct_url)
        url = str(origin["url"])
        vcs = origin.get("vcs_info")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if url.startswith("file:"):
        return None
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return f"git+{url}@{vcs['commit_id']}"
    return None if isinstance(vcs, dict) or "dir_info" in origin else url


def installed_package_spec() -> tuple[str, bool]:
    """What the new project's CI installs, and whether it is known to be this guide (see package_spec)."""
    from importlib import metadata  # noqa: PLC0415

    from guide import __version__  # noqa: PLC0415 - the version lookup is slow; only `new` pays for it

    try:
        spec = package_spec(metadata.distribution("guide").read_text("direct_url.json"), __version__)
    except metadata.PackageNotFoundError:
        spec = None  # run from a source tree without being installed
    return (spec, True) if spec is not None else (f"guide=={__version__}", False)


def write_starter(options: NewProject, sample: bool = True, package: str | None = None) -> list[str]:
    """Write guide.toml and a sample chapter (when `sample`), .gitignore and the CI workflow.

    `package` is what the workflow pip-installs (default: see installed_package_spec). Returns the
    written paths, relative to the project. Raises GuideError if a file cannot be written.
    """
    values = {
        "title": _toml_string(options.title or default_title(options.folder)),
        "author_line": _author_line(options.author),
        "package": package or installed_package_spec()[0],
    }
    files = {".gitignore": "gitignore", WORKFLOW_PATH: "workflow.yml"}
    if sample:
        files = {MANIFEST_NAME: "guide.toml", SAMPLE_CHAPTER: SAMPLE_CHAPTER, **files}
    written = []
    for relative, template in files.items():
        text = string.Template((STARTER_DIR / template).read_text(encoding="utf-8")).substitute(values)
        target = options.folder / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GuideError(Diagnostic(str(target.parent), None, f"cannot create: {exc.strerror}")) from exc
        write_atomically(text.encode("utf-8"), target)
        written.append(relative)
    return written


def untouched_sample(project: Path) -> str | None:
    """The sample chapter's path if it is in `project` as `guide new` wrote it, else None."""
    written = project / SAMPLE_CHAPTER
    try:
        return SAMPLE_CHAPTER if written.read_bytes() == (STARTER_DIR / SAMPLE_CHAPTER).read_bytes() else None
    except OSError:
        return None


def _toml_string(value: str) -> str:
    return tomlkit.string(value).as_string()


NO_AUTHOR_COMMENT = "none known when made (no --author, no git user.name): put yours here"
"""Beside `author = ""` in a new guide.toml: why it is empty and what to do."""


def _author_line(author: str | None) -> str:
    if author:
        return f"author = {_toml_string(author)}{' ' * 8}# on the cover and in the PDF's metadata"
    # "" and not a missing key: a missing author is a warning (`--strict` fails), so the new
    # project's own CI would fail before the author has written a word.
    return f'author = ""{" " * 29}# {NO_AUTHOR_COMMENT}'
