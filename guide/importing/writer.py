"""The one place an import writes: chapter files, images and guide.toml, each atomically."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import tomlkit
import tomlkit.exceptions
from tomlkit.items import Array

from guide.errors import Diagnostic, GuideError
from guide.importing.plan import ImportPlan
from guide.manifest import MANIFEST_NAME
from guide.output import write_atomically
from guide.paths import resolved
from guide.starter import NO_AUTHOR_COMMENT, untouched_sample


@dataclass(frozen=True)
class ManifestPlan:
    """What guide.toml gets when the import creates it."""

    title: str
    author: str | None
    """None when nothing names one: guide.toml leaves it out; "" writes `author = ""` (none, on purpose)."""
    comment: str
    existing_dates: dict[str, dt.date | None] = field(default_factory=dict)
    """Publication dates of the chapters guide.toml lists already, to slot new ones between them."""
    newest_first: bool = False


@dataclass
class WriteOutcome:
    """What happened to each planned file."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    """Files that exist with other content, left alone without --force."""
    media: list[str] = field(default_factory=list)
    manifest: str = "unchanged"
    replaced_sample: str | None = None
    """The starter's sample chapter, unchanged since `guide new`, that the imported posts replaced."""


def write_import(project: Path, plan: ImportPlan, manifest: ManifestPlan, force: bool) -> WriteOutcome:
    """Write what the plan says, never overwriting a different file without `force`.

    A chapter whose file holds other content is left alone and is not listed in guide.toml, so an
    import never adopts a stranger's file. Raises GuideError before writing anything if guide.toml
    cannot be extended, or naming a planned path that exists and is not a file.
    """
    outcome = WriteOutcome()
    _check_inside(project, MANIFEST_NAME)
    manifest_path = project / MANIFEST_NAME
    if (manifest_path.exists() or manifest_path.is_symlink()) and not manifest_path.is_file():
        raise GuideError(Diagnostic(MANIFEST_NAME, None, "exists and is not a file"))
    chapters = [(c.path, c.text.encode("utf-8")) for c in plan.chapters]
    states = {path: _state(project, path, data, force, chapter=True) for path, data in chapters}
    # Every state before any write: a refusal (a folder in the way, a symlink out) writes nothing.
    copy_states = {
        copy.target: _state(project, copy.target, copy.source.read_bytes(), force) for copy in plan.copies
    }
    accepted = tuple(c for c in plan.chapters if states[c.path] != "conflict")
    # A project `guide new` just made: its untouched sample chapter gives way to the posts.
    sample = _only_sample(project) if accepted else None
    manifest_text = _manifest_text(project, replace(plan, chapters=accepted), manifest, sample)
    for path, data in chapters:
        _record(outcome, path, _write(project, path, data, states[path]))
    for copy in plan.copies:
        state = copy_states[copy.target]
        done = _write(project, copy.target, copy.source.read_bytes() if state == "write" else b"", state)
        _record(outcome, copy.target, done, media=True)
    outcome.manifest = _write_manifest(project, manifest_text)
    if sample is not None and manifest_text is not None:
        (project / sample).unlink(missing_ok=True)
        outcome.replaced_sample = sample
    return outcome


def _only_sample(project: Path) -> str | None:
    """The starter's sample chapter if guide.toml lists it alone and it is as `guide new` wrote it."""
    sample = untouched_sample(project)
    try:
        listed = tomllib.loads((project / MANIFEST_NAME).read_text(encoding="utf-8")).get("chapters")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return sample if sample is not None and listed == [sample] else None


def _record(outcome: WriteOutcome, relative: str, done: str, media: bool = False) -> None:
    if done == "unchanged":
        outcome.unchanged.append(relative)
    elif done == "conflict":
        outcome.conflicts.append(relative)
    else:
        (outcome.media if media else outcome.written).append(relative)


def _state(project: Path, relative: str, data: bytes, force: bool, chapter: bool = False) -> str:
    """Say what writing `data` at `relative` would do: "unchanged", "conflict" or "write"."""
    target = project / relative
    _check_inside(project, relative)
    for folder in reversed(Path(relative).parents[:-1]):  # chapters, then chapters/media...
        if (project / folder).exists() and not (project / folder).is_dir():
            message = "is not a folder, so nothing can be imported into it; move it away"
            raise GuideError(Diagnostic(folder.as_posix(), None, message))
    if target.is_file():
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return "unchanged"
        return "write" if force else "conflict"
    if target.exists() or target.is_symlink():
        raise GuideError(Diagnostic(relative, None, "exists and is not a file"))
    if chapter and (twin := _case_twin(target)) is not None:  # images may differ in case only
        message = f"differs only in case from the existing '{twin}' (a guide cannot list both); rename one"
        raise GuideError(Diagnostic(relative, None, message))
    return "write"


def _check_inside(project: Path, relative: str) -> None:
    """Raise GuideError if writing `relative` would land outside the project (a symlinked folder or file)."""
    found = resolved(project / relative)
    root = resolved(project)
    if found is None or root is None or not found.is_relative_to(root):
        message = "lies outside the project folder (through a symlink); an import writes only inside it"
        raise GuideError(Diagnostic(relative, None, message))


def _case_twin(target: Path) -> str | None:
    """The name of a file beside `target` that differs from it only in case, if there is one."""
    try:
        names = [entry.name for entry in os.scandir(target.parent)]
    except OSError:
        return None
    folded = target.name.casefold()
    return next((name for name in names if name != target.name and name.casefold() == folded), None)


def _write(project: Path, relative: str, data: bytes, state: str) -> str:
    """Write one file if its state says so; return what happened ("written" or the state)."""
    if state != "write":
        return state
    target = project / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GuideError(Diagnostic(relative, None, f"cannot create its folder: {exc.strerror}")) from exc
    write_atomically(data, target)
    return "written"


def _manifest_text(
    project: Path, plan: ImportPlan, manifest: ManifestPlan, sample: str | None = None
) -> str | None:
    """Return guide.toml's new text, or None if it stays as it is.

    `sample` (the starter's untouched sample chapter, the only one listed) is taken out.
    """
    entries = [chapter.path for chapter in plan.chapters]
    path = project / MANIFEST_NAME
    if not path.is_file():
        if not entries:
            return None
        document = tomlkit.document()
        document.add(tomlkit.comment(manifest.comment))
        document["title"] = manifest.title
        if manifest.author is not None:
            document["author"] = manifest.author
            if not manifest.author:
                document["author"].comment(NO_AUTHOR_COMMENT)
        document["chapters"] = _array(entries)
        return tomlkit.dumps(document)
    text = path.read_text(encoding="utf-8")
    document = _parse_manifest(text)
    chapters = document.get("chapters")
    if not isinstance(chapters, Array):
        raise GuideError(
            Diagnostic(MANIFEST_NAME, None, "'chapters' must be a list for the import to extend it")
        )
    if sample is not None:
        del chapters[0]
    listed = {os.path.normpath(str(entry)) for entry in chapters}
    new = [(c.path, c.article.post.date) for c in plan.chapters if os.path.normpath(c.path) not in listed]
    if not new:
        return None
    existing = [str(entry) for entry in chapters]
    for position, entry in reversed(insert_positions(existing, new, manifest)):
        chapters.insert(position, entry)
    chapters.multiline(True)
    return tomlkit.dumps(document)


def insert_positions(
    existing: list[str], new: list[tuple[str, dt.date | None]], manifest: ManifestPlan
) -> list[tuple[int, str]]:
    """Where each new chapter goes among the listed ones to keep publication order.

    A new chapter goes before the first listed chapter published after it (before it, with
    newest first); undated ones go last; new chapters keep their own order.
    """
    positions = []
    floor = 0
    for entry, day in new:
        position = len(existing)
        for index, listed in enumerate(existing):
            listed_day = manifest.existing_dates.get(listed)
            if day and listed_day and (listed_day < day if manifest.newest_first else listed_day > day):
                position = index
                break
        floor = max(position, floor)
        positions.append((floor, entry))
    return positions


def _parse_manifest(text: str) -> tomlkit.TOMLDocument:
    try:
        tomllib.loads(text)
        return tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, tomlkit.exceptions.ParseError) as exc:
        message = str(exc).split(" (at")[0]
        raise GuideError(Diagnostic(MANIFEST_NAME, None, f"invalid TOML: {message}")) from exc


def _array(entries: list[str]) -> Array:
    array = tomlkit.array()
    array.extend(entries)
    array.multiline(True)
    return array


def _write_manifest(project: Path, text: str | None) -> str:
    if text is None:
        return "unchanged"
    path = project / MANIFEST_NAME
    existed = path.is_file()
    project.mkdir(parents=True, exist_ok=True)
    write_atomically(text.encode("utf-8"), path)
    return "extended" if existed else "created"
