"""Load guide.toml into a Manifest: the guide's metadata and its chapters in order."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from guide.errors import Diagnostic, GuideError, Report, shown, shown_address
from guide.hints import impossible_date, similar_file, unknown_key_message
from guide.limits import (
    BUDGET_SCALED,
    MAX_BUDGET_SCALE,
    MAX_CHAPTERS,
    MAX_CREDITS,
    MAX_FILE_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_METADATA_CHARS,
    MAX_PROJECT_BYTES,
    MAX_TITLE_CHARS,
    MAX_TOML_DEPTH,
    parser_limits,
)
from guide.metadata import metadata_problem
from guide.paths import path_text_problem, project_file, resolved
from guide.textfile import read_text

MANIFEST_NAME = "guide.toml"
PAGE_SIZES = ("A4", "A5", "Letter")
REQUIRED_KEYS = ("title", "chapters")
OPTIONAL_KEYS = (
    "author",
    "subtitle",
    "language",
    "date",
    "page_size",
    "credits",
    "missing_images",
    "edition",
    "cover_image",
    "cover_credit",
    "budget_scale",
)
KNOWN_KEYS = ("title", "author", "chapters", *OPTIONAL_KEYS[1:])


Choice = TypeVar("Choice", bound=StrEnum)


class Edition(StrEnum):
    """Who the PDF is for: a screen (links to click) or paper (addresses and pages to read)."""

    SCREEN = "screen"
    PRINT = "print"


class MissingImages(StrEnum):
    """What a build does with an image it cannot have: stop, or print a framed placeholder."""

    ERROR = "error"
    PLACEHOLDER = "placeholder"


LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TOML_TOKEN = re.compile(
    r'"""(?:\\.|[^\\])*?"""|\'\'\'.*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}.=,\n]',
    re.DOTALL,
)
"""TOML's strings and comments (skipped whole) and the characters that open, close or split a key."""


@dataclass(frozen=True)
class ChapterRef:
    """One entry of the manifest's chapter list."""

    source_path: str
    """The path as written in guide.toml, relative to the project."""
    abs_path: Path
    """The resolved file on disk."""
    line: int | None
    """The line of guide.toml that lists it."""


@dataclass(frozen=True)
class Manifest:
    """What guide.toml says about the guide."""

    project_dir: Path
    """Absolute, resolved project folder."""
    title: str
    chapters: tuple[ChapterRef, ...]
    author: str | None = None
    """Who wrote the guide; None (no key) leaves the name out with a warning, "" leaves it out on purpose."""
    subtitle: str | None = None
    language: str = "en"
    date: dt.date | None = None
    page_size: str = "A5"
    credits: tuple[str, ...] = ()
    cover_image: str | None = None
    """A photo printed full-bleed under the cover's title: a path inside the project."""
    cover_credit: str | None = None
    """Whom the cover photo is by, printed on the credits page."""
    missing_images: MissingImages = MissingImages.ERROR
    edition: Edition = Edition.SCREEN
    """`print` prints outside addresses as footnotes and cross-references as page numbers."""
    budget_scale: int = 1
    """What the whole-guide budgets of guide/limits.py are multiplied by, 1 to MAX_BUDGET_SCALE."""
    warnings: tuple[Diagnostic, ...] = ()
    """What guide.toml holds that a build survives (a title with bidi overrides, say)."""
    """`guide build --missing-images` overrides it."""


def load_manifest(project_dir: Path) -> Manifest:
    """Read and check PROJECT/guide.toml; raise GuideError listing every problem."""
    project_dir = project_dir.resolve()
    abs_path = project_dir / MANIFEST_NAME
    if not abs_path.is_file():
        raise GuideError(_missing_manifest(project_dir))
    found = resolved(abs_path)
    if found is None or not found.is_relative_to(project_dir):
        message = "lies outside the project folder (a symlink to a file elsewhere); copy it into the project"
        raise GuideError(Diagnostic(MANIFEST_NAME, None, message))
    text = read_text(abs_path, MANIFEST_NAME, MAX_MANIFEST_BYTES)
    _check_toml_depth(text)
    try:
        with parser_limits(MANIFEST_NAME, None, "guide.toml"):
            data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = f"invalid TOML: {str(exc).split(' (at')[0]}"
        raise GuideError(Diagnostic(MANIFEST_NAME, _toml_error_line(str(exc)), message)) from exc
    return _check_manifest(project_dir, text, data)


def _check_toml_depth(text: str) -> None:
    """Refuse arrays, inline tables or dotted keys nested past MAX_TOML_DEPTH, before tomllib recurses."""
    brackets = dots = 0
    for token in TOML_TOKEN.finditer(text):
        char = token.group()
        if char in "[{":
            brackets, dots = brackets + 1, 0
        elif char in "]}":
            brackets = max(0, brackets - 1)
        elif char == ".":
            dots += 1
        elif char in "=,\n":
            dots = 0
        if brackets + dots > MAX_TOML_DEPTH:
            line = text.count("\n", 0, token.start()) + 1
            raise GuideError(
                Diagnostic(
                    MANIFEST_NAME,
                    line,
                    f"arrays, tables or dotted keys nested over {MAX_TOML_DEPTH} levels deep; flatten them",
                )
            )


def _missing_manifest(project_dir: Path) -> Diagnostic:
    if project_dir.is_file():
        return Diagnostic(
            str(project_dir), None, "is a file; name the guide's folder, the one holding guide.toml"
        )
    if not project_dir.exists():
        return Diagnostic(str(project_dir), None, "no such folder (`guide new` creates a guide project)")
    return Diagnostic(
        str(project_dir / MANIFEST_NAME),
        None,
        "no guide.toml here: is this a guide project? (`guide new` or `guide import` creates one)",
    )


def _toml_error_line(message: str) -> int | None:
    found = re.search(r"at line (\d+)", message)
    return int(found.group(1)) if found else None


def key_line(text: str, key: str) -> int | None:
    """Return the line where a top-level TOML key is set, if it can be found."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _entry_lines(text: str, entries: list[Any], key_line_number: int | None) -> list[int | None]:
    """Return the line of each list entry, in order, so an entry listed twice gets its own line."""
    offset = sum(len(line) + 1 for line in text.split("\n")[: (key_line_number or 1) - 1])
    lines: list[int | None] = []
    for entry in entries:
        found = -1
        if isinstance(entry, str):
            found = min(
                (i for q in ('"', "'") if (i := text.find(f"{q}{entry}{q}", offset)) >= 0), default=-1
            )
        if found < 0:
            lines.append(key_line_number)
            continue
        offset = found + len(entry) + 2
        lines.append(text.count("\n", 0, found) + 1)
    return lines


def _check_manifest(project_dir: Path, text: str, data: dict[str, Any]) -> Manifest:
    report = Report()
    for key in sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)):
        message = unknown_key_message("key", key, KNOWN_KEYS)
        report.error(MANIFEST_NAME, key_line(text, key), message)
    for key in REQUIRED_KEYS:
        if key not in data:
            report.error(MANIFEST_NAME, None, f"missing required key '{key}'")
    fields: dict[str, Any] = {}
    for key in ("title", "author", "subtitle"):
        if key in data:
            # author = "": no name, on purpose (`guide new` writes it when it knows none).
            fields[key] = _string(data[key], key, text, report, may_be_empty=key == "author")
    if "language" in data:
        fields["language"] = _language(data["language"], text, report)
    if "date" in data:
        fields["date"] = _date(data["date"], text, report)
    if "page_size" in data:
        fields["page_size"] = _page_size(data["page_size"], text, report)
    if "credits" in data:
        fields["credits"] = _string_list(data["credits"], "credits", text, report)
    if "missing_images" in data:
        fields["missing_images"] = _choice(
            data["missing_images"], "missing_images", MissingImages, text, report
        )
    if "edition" in data:
        fields["edition"] = _choice(data["edition"], "edition", Edition, text, report)
    fields.update(_cover(project_dir, data, text, report))
    scale = _budget_scale(data["budget_scale"], text, report) if "budget_scale" in data else 1
    fields["budget_scale"] = scale
    if "chapters" in data:
        fields["chapters"] = _chapters(project_dir, data["chapters"], text, report, scale)
    report.raise_if_errors()
    return Manifest(project_dir=project_dir, warnings=tuple(report.warnings), **fields)


def _string(value: Any, key: str, text: str, report: Report, may_be_empty: bool = False) -> str:
    if may_be_empty and value == "":
        return ""
    if not isinstance(value, str) or not value.strip():
        report.error(MANIFEST_NAME, key_line(text, key), f"'{key}' must be a non-empty string")
        return ""
    problem = metadata_problem(key, value, MAX_TITLE_CHARS)
    if problem is not None:
        report.diagnostics.append(Diagnostic(MANIFEST_NAME, key_line(text, key), *problem))
    return value.strip()


def _language(value: Any, text: str, report: Report) -> str:
    if not isinstance(value, str) or not LANGUAGE_RE.match(value):
        report.error(
            MANIFEST_NAME,
            key_line(text, "language"),
            f"'language' must be a language tag like 'en' or 'pt-BR' (got {shown(value, toml=True)})",
        )
        return "en"
    return value


def _date(value: Any, text: str, report: Report) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
        if reason := impossible_date(value):
            report.error(
                MANIFEST_NAME,
                key_line(text, "date"),
                f"'date' {shown(value, toml=True)} is impossible: {reason}",
            )
            return None
    report.error(
        MANIFEST_NAME, key_line(text, "date"), f"'date' must be YYYY-MM-DD (got {shown(value, toml=True)})"
    )
    return None


def _page_size(value: Any, text: str, report: Report) -> str:
    for size in PAGE_SIZES:
        if isinstance(value, str) and value.lower() == size.lower():
            return size
    report.error(
        MANIFEST_NAME,
        key_line(text, "page_size"),
        f"'page_size' must be one of {', '.join(PAGE_SIZES)} (got {shown(value, toml=True)})",
    )
    return "A5"


def _choice(value: Any, key: str, choices: type[Choice], text: str, report: Report) -> Choice:
    """Return the enum member `value` names, or report the choices and return the first."""
    if value not in tuple(choices):
        named = " or ".join(f"'{choice}'" for choice in choices)
        report.error(
            MANIFEST_NAME, key_line(text, key), f"'{key}' must be {named} (got {shown(value, toml=True)})"
        )
        return next(iter(choices))
    return choices(value)


def _string_list(value: Any, key: str, text: str, report: Report) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        report.error(MANIFEST_NAME, key_line(text, key), f"'{key}' must be a list of non-empty strings")
        return ()
    if len(value) > MAX_CREDITS:
        report.error(
            MANIFEST_NAME, key_line(text, key), f"'{key}' has {len(value):,} lines (limit {MAX_CREDITS:,})"
        )
        return ()
    for entry in value:
        problem = metadata_problem(key, entry, MAX_METADATA_CHARS)
        if problem is not None:
            report.diagnostics.append(Diagnostic(MANIFEST_NAME, key_line(text, key), *problem))
    return tuple(v.strip() for v in value)


def _budget_scale(value: Any, text: str, report: Report) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_BUDGET_SCALE:
        return value
    report.error(
        MANIFEST_NAME,
        key_line(text, "budget_scale"),
        f"'budget_scale' must be a whole number from 1 to {MAX_BUDGET_SCALE} (got {shown(value, toml=True)})",
    )
    return 1


def _chapters(
    project_dir: Path, value: Any, text: str, report: Report, scale: int = 1
) -> tuple[ChapterRef, ...]:
    line = key_line(text, "chapters")
    if not isinstance(value, list) or not value:
        report.error(MANIFEST_NAME, line, "'chapters' must be a non-empty list of post files")
        return ()
    if len(value) > MAX_CHAPTERS * scale:
        limit = MAX_CHAPTERS * scale
        message = f"'chapters' lists {len(value):,} posts (limit {limit:,}); {BUDGET_SCALED}"
        report.error(MANIFEST_NAME, line, message)
        return ()
    refs: list[ChapterRef] = []
    seen: dict[Path, tuple[str, int | None]] = {}
    total = 0
    for entry, entry_line in zip(value, _entry_lines(text, value, line), strict=True):
        ref = _chapter_ref(project_dir, entry, entry_line, report)
        if ref is None:
            continue
        size = ref.abs_path.stat().st_size
        total += size if size <= MAX_FILE_BYTES else 0  # an oversized file has its own message
        if total > MAX_PROJECT_BYTES * scale:
            limit = MAX_PROJECT_BYTES * scale
            message = f"the chapters up to {_path(entry)} add up to over {limit:,} bytes; {BUDGET_SCALED}"
            report.error(MANIFEST_NAME, entry_line, message)
            break
        key = Path(str(ref.abs_path).lower())
        if key in seen:
            first, first_line = seen[key]
            where = f" on line {first_line}" if first_line else ""
            if ref.abs_path == (project_dir / first).resolve():
                problem = f"is listed twice (same file as {_path(first)}{where})"
            else:
                problem = f"differs only in case from {_path(first)}{where}"
            report.error(MANIFEST_NAME, entry_line, f"chapter {_path(entry)} {problem}")
            continue
        seen[key] = (entry, entry_line)
        refs.append(ref)
    return tuple(refs)


def _path(entry: str) -> str:
    """A chapter path as guide.toml spells it, for a message."""
    return shown_address(entry, toml=True)


def _chapter_ref(project_dir: Path, entry: Any, line: int | None, report: Report) -> ChapterRef | None:
    if not isinstance(entry, str) or not entry.strip():
        report.error(
            MANIFEST_NAME, line, f"chapter entries must be file paths (got {shown(entry, toml=True)})"
        )
        return None
    found = _chapter_file(project_dir, entry)
    if isinstance(found, str):
        report.error(MANIFEST_NAME, line, found)
        return None
    return ChapterRef(source_path=Path(entry).as_posix(), abs_path=found, line=line)


def _chapter_file(project_dir: Path, entry: str) -> Path | str:
    """Return the chapter's resolved file inside the project, or the message saying what is wrong."""
    if Path(entry).is_absolute() and not path_text_problem(entry):
        return f"chapter {_path(entry)} is an absolute path; use a path inside the project"
    found = project_file(project_dir, entry)
    if not isinstance(found, str):
        return found
    if found == "not found":
        candidate = Path(entry)
        guess = similar_file((project_dir / candidate).parent, candidate.name)
        hint = f"; did you mean '{(candidate.parent / guess).as_posix()}'?" if guess else ""
        if not guess and "\\" in entry:
            hint = "; separate folders with '/', not '\\'"
        return f"chapter {_path(entry)} not found{hint}"
    quoted = shown(entry, toml=True) if path_text_problem(entry) else _path(entry)
    return f"chapter {quoted} {found}"


def _cover(project_dir: Path, data: dict[str, Any], text: str, report: Report) -> dict[str, Any]:
    """The cover photo and its credit, checked."""
    fields: dict[str, Any] = {}
    if "cover_credit" in data:
        fields["cover_credit"] = _string(data["cover_credit"], "cover_credit", text, report)
    if "cover_image" in data:
        fields["cover_image"] = _cover_image(project_dir, data["cover_image"], text, report)
    return fields


def _cover_image(project_dir: Path, value: Any, text: str, report: Report) -> str | None:
    """Check the cover photo: a readable image inside the project; return its project-relative path."""
    line = key_line(text, "cover_image")
    if not isinstance(value, str) or not value.strip():
        report.error(MANIFEST_NAME, line, "'cover_image' must be a path inside the project")
        return None
    found = project_file(project_dir, value)
    if isinstance(found, str):
        report.error(MANIFEST_NAME, line, f"cover image {shown(value, toml=True)} {found}")
        return None
    from guide.images import image_problem  # noqa: PLC0415 - Pillow: not for `guide --version`

    if problem := image_problem(found):
        report.error(MANIFEST_NAME, line, f"cover image {shown(value, toml=True)} {problem}")
        return None
    return found.relative_to(project_dir).as_posix()
