"""Start a guide project: `guide new` writes one that builds at once, with CI ready to go."""

from __future__ import annotations

import string
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
    """Who wrote the guide; left as a comment in guide.toml when not given."""
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


def write_starter(options: NewProject, sample: bool = True) -> list[str]:
    """Write guide.toml and a sample chapter (when `sample`), .gitignore and the CI workflow.

    Returns the written paths, relative to the project. Raises GuideError if a file cannot be written.
    """
    from guide import __version__  # noqa: PLC0415 - the version lookup is slow; only `new` pays for it

    values = {
        "title": _toml_string(options.title or default_title(options.folder)),
        "author_line": _author_line(options.author),
        "package": f"guide=={__version__}",
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


def _toml_string(value: str) -> str:
    return tomlkit.string(value).as_string()


def _author_line(author: str | None) -> str:
    if author:
        return f"author = {_toml_string(author)}{' ' * 8}# on the cover and in the PDF's metadata"
    return (
        '# author = "Your Name"                # on the cover and in the metadata; without it the\n'
        "#                                     # book leaves the name out and `--strict` fails"
    )
