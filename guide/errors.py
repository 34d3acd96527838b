"""The one error type an author can act on, and the diagnostics it carries."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SHOWN_CHARS = 80
"""Longest value a message quotes: an author's value is clipped, never printed whole."""
URL_CHARS = 400
"""Longest address a message names whole (a file path in the project fits; a data: URI does not)."""
INVISIBLE_FORMAT = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
"""Bidirectional controls and zero-width characters: they reorder or hide what a line shows."""


class Severity(StrEnum):
    """How bad a diagnostic is: warnings are survivable, errors are not."""

    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the author's files."""

    source_path: str
    """Path relative to the project (or as the author gave it)."""
    line: int | None
    """1-based line number, when the format gives one."""
    message: str
    """What is wrong, phrased so the author can fix it."""
    severity: Severity = Severity.ERROR
    """Whether the build can go on."""

    def __str__(self) -> str:
        """One line, `path:line: message`, whatever characters the path or message carry."""
        where = self.source_path if self.line is None else f"{self.source_path}:{self.line}"
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return escape_controls(f"{where}: {prefix}{self.message}")


def escape_controls(text: str) -> str:
    """Show control, bidi-override and zero-width characters as `\\uXXXX`, so text stays on one line."""
    if text.isprintable() and not INVISIBLE_FORMAT.intersection(text):
        return text
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    if char.isprintable() and char not in INVISIBLE_FORMAT:
        return char
    if char == "\n":
        return "\\n"
    if unicodedata.category(char) == "Zs":  # a no-break or other space: printable enough
        return char
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def clip(text: str, limit: int = SHOWN_CHARS) -> str:
    """Return `text` whole if it is at most `limit` characters, else its start and its length."""
    if len(text) <= limit:
        return text
    return f"{text[: SHOWN_CHARS - 1]}… ({len(text):,} characters)"


def shown(value: Any, *, toml: bool = False) -> str:
    """Quote an author's value for a message: at most 80 characters, its type named when clipped or not text.

    Spelled as the author's file spells it: `'3rd May'`, `'xxxxx…' (a str of 1,048,576 characters)`,
    `a list of 3 items`, `2024`, `true`; with `toml`, as TOML does (`"it's"`, `an array of 3 items`,
    `a table of 2 keys`, `'xxxxx…' (a string of 1,048,576 characters)`).
    """
    if isinstance(value, str):
        quoted = toml_string if toml else repr
        if len(value) <= SHOWN_CHARS:
            return quoted(value)
        kind = "string" if toml else "str"
        return f"{quoted(value[: SHOWN_CHARS - 1])}… (a {kind} of {len(value):,} characters)"
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int):
        return repr(value) if value.bit_length() < 200 else f"an int of {value.bit_length():,} bits"
    if isinstance(value, (list, tuple, dict, set)):
        return _collection(value, toml)
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else f"a {type(value).__name__}"


def _collection(value: list[Any] | tuple[Any, ...] | dict[Any, Any] | set[Any], toml: bool) -> str:
    """Name a collection and its size, as TOML names it (array, table) where it came from TOML."""
    if toml and isinstance(value, dict):
        return f"a table of {_count(len(value), 'key')}"
    kind = "array" if toml and isinstance(value, list) else type(value).__name__
    return f"a{'n' if kind == 'array' else ''} {kind} of {_count(len(value), 'item')}"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def toml_string(text: str) -> str:
    """Spell `text` as TOML does: a literal string `'...'` where one can hold it, else a basic `"..."`."""
    if "'" not in text and text.isprintable() and not INVISIBLE_FORMAT.intersection(text):
        return f"'{text}'"
    return '"' + "".join(_toml_escaped(char) for char in text) + '"'


def _toml_escaped(char: str) -> str:
    if char in '"\\':
        return "\\" + char
    if char.isprintable() and char not in INVISIBLE_FORMAT:
        return char
    if char in TOML_ESCAPES:
        return TOML_ESCAPES[char]
    return f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}"


TOML_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
"""TOML's short escapes in basic strings."""


def shown_address(address: str, *, toml: bool = False) -> str:
    """Quote a path or URL for a message whole, so it can be copied, up to 400 characters; clip it beyond.

    A file path in the project fits whole (`'media/2024/05/harbour-at-dawn-from-the-north-pier.jpg'`);
    a `data:` URI or a 1 MB address is clipped like any other value (see `shown`).
    """
    if len(address) > URL_CHARS:
        return shown(address, toml=toml)
    return toml_string(address) if toml else repr(address)


class GuideError(Exception):
    """An author mistake: one or more diagnostics, every one fixable in the sources."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        # The same problem found twice on one line is said once.
        self.diagnostics = (
            [diagnostics] if isinstance(diagnostics, Diagnostic) else list(dict.fromkeys(diagnostics))
        )
        super().__init__("\n".join(str(d) for d in self.diagnostics))


@dataclass
class Report:
    """Collects the diagnostics of a stage so all of them are reported at once."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, source_path: str, line: int | None, message: str) -> None:
        """Record an error."""
        self.diagnostics.append(Diagnostic(source_path, line, message))

    def warn(self, source_path: str, line: int | None, message: str) -> None:
        """Record a warning."""
        self.diagnostics.append(Diagnostic(source_path, line, message, Severity.WARNING))

    @property
    def distinct(self) -> list[Diagnostic]:
        """Every diagnostic once, in order: the same problem found twice on one line is one line."""
        return list(dict.fromkeys(self.diagnostics))

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics that stop a build."""
        return [d for d in self.distinct if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The diagnostics a build survives."""
        return [d for d in self.distinct if d.severity is Severity.WARNING]

    def raise_if_errors(self, strict: bool = False) -> None:
        """Raise GuideError with every diagnostic if any is fatal (every warning is, when strict)."""
        if self.errors or (strict and self.diagnostics):
            raise GuideError(self.distinct)
