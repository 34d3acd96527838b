"""The project stylesheets an author's stylesheet imports, resolved as the typesetter resolves them.

The `--style` file is read as text and placed in the guide's `<style>` element, so its `@import`
rules resolve against the document's base URL, the project folder, wherever the file itself lives;
an imported stylesheet's own rules resolve against that stylesheet (CSS Cascading 4, §2.1,
"Importing Style Sheets"; CSS Values 4, §4.5, "Relative URLs"). Only files inside the project are
followed: the sandbox refuses anything else while typesetting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import tinycss2

from guide.errors import Diagnostic, GuideError, shown_address
from guide.paths import file_within
from guide.textfile import read_text


@dataclass(frozen=True)
class Sheet:
    """One stylesheet of the author's: the `--style` text, or a project file it imports."""

    text: str
    shown: str
    """How messages name it: the `--style` path as given, or the project-relative path."""
    base: Path
    """The folder its relative URLs resolve against (the project for the `--style` text)."""
    path: Path | None = None
    """The resolved file inside the project; None for the `--style` text."""
    imported_at: tuple[str, int] | None = None
    """(importing sheet's name, line of its `@import`), None for the `--style` text."""


def author_sheets(css: str, shown: str, project: Path) -> Iterator[Sheet]:
    """Yield the `--style` text, then every project stylesheet it imports, each once, breadth first.

    Lazy: a caller that stops early (a budget refusal) reads no further file. A file is read with
    `read_text`, so an unreadable or oversized import raises GuideError naming it.
    """
    root = project.resolve()
    pending = [Sheet(text=css, shown=shown, base=root)]
    seen: set[Path] = set()
    imports: dict[Path | None, list[_Import]] = {}
    while pending:
        sheet = pending.pop(0)
        yield sheet
        for line, url in import_urls(sheet.text):
            target = resolve_url(url, sheet.base, root)
            if target is None:
                continue
            imports.setdefault(sheet.path, []).append(_Import(sheet.shown, line, url, target))
            if target in seen:
                continue
            seen.add(target)
            name = target.relative_to(root).as_posix()
            pending.append(
                Sheet(
                    text=read_text(target, name),
                    shown=name,
                    base=target.parent,
                    path=target,
                    imported_at=(sheet.shown, line),
                )
            )
    _refuse_loops(imports)


@dataclass(frozen=True)
class _Import:
    """One `@import` of a project file: where it is written, what it says, the file it loads."""

    shown: str
    line: int
    url: str
    target: Path


def _refuse_loops(imports: dict[Path | None, list[_Import]]) -> None:
    """Raise GuideError at an `@import` that leads back to a stylesheet importing it.

    The typesetter follows imports without a guard: a loop recurses until Python gives up.
    `imports` maps each sheet (None: the `--style` text) to its imports of project files.
    """
    state: dict[Path | None, str] = {}

    def visit(sheet: Path | None) -> None:  # as deep as the imports, which the budget bounds
        state[sheet] = "open"
        for found in imports.get(sheet, []):
            if state.get(found.target) == "open":
                message = (
                    f"@import {shown_address(found.url)} leads back to this stylesheet (a loop); remove it"
                )
                raise GuideError(Diagnostic(found.shown, found.line, message))
            if found.target not in state:
                visit(found.target)
        state[sheet] = "done"

    visit(None)


def import_urls(css: str) -> Iterator[tuple[int, str]]:
    """(line, URL) of each `@import` at the top level of `css`, in order (string or url() form)."""
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            url = import_url(rule.prelude)
            if url is not None:
                yield rule.source_line, url


def import_url(prelude: list[Any]) -> str | None:
    """The URL an `@import` rule's prelude names first (string or url() form), or None."""
    token = next((t for t in prelude if t.type not in ("whitespace", "comment")), None)
    if token is None:
        return None
    if token.type in ("string", "url"):
        return str(token.value)
    if token.type == "function" and token.lower_name == "url":
        return next((str(arg.value) for arg in token.arguments if arg.type == "string"), None)
    return None


def resolve_url(url: str, base: Path, root: Path) -> Path | None:
    """The project file a relative URL names from `base`, or None (another scheme, absolute, outside,
    or no readable regular file: missing, a folder, a pipe, a NUL or an over-long name)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    found = file_within(str(base / unquote(parts.path)), (root,))
    return None if isinstance(found, str) else found


@dataclass(frozen=True)
class CssUrl:
    """An address a stylesheet asks the typesetter to load."""

    kind: str
    """"import", "font-face" (in an `@font-face` rule: its `src`) or "image" (in any other declaration)."""
    address: str
    """As written."""
    line: int
    """The line of the stylesheet it is written on."""


def css_urls(css: str) -> Iterator[CssUrl]:
    """Every address of `css`: `@import`s, `@font-face` sources and `url()`s, nested rules and `@page` too."""
    yield from _urls(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def _urls(nodes: Any) -> Iterator[CssUrl]:
    for node in nodes:
        if node.type == "declaration":
            yield from (CssUrl("image", url, line) for url, line in _addresses(node.value))
        elif node.type == "at-rule" and node.lower_at_keyword == "import":
            url = import_url(node.prelude)
            if url is not None:
                yield CssUrl("import", url, node.source_line)
        elif node.type == "at-rule" and node.lower_at_keyword == "font-face":
            yield from (CssUrl("font-face", url, line) for url, line in _addresses(node.content))
        elif node.type in ("qualified-rule", "at-rule") and node.content is not None:
            yield from _urls(
                tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
            )


def _addresses(tokens: Any) -> Iterator[tuple[str, int]]:
    """(address, line) of each `url()` among `tokens`, inside their blocks and functions too."""
    for token in tokens or ():
        if token.type == "url":
            yield str(token.value), token.source_line
        elif token.type == "function" and token.lower_name == "url":
            yield from (
                (str(arg.value), token.source_line) for arg in token.arguments if arg.type == "string"
            )
        elif token.type == "function":
            yield from _addresses(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from _addresses(token.content)


def font_face_rules(css: str) -> Iterator[tuple[str, int]]:
    """(family, line) of each `@font-face` rule of `css`, nested in `@media` or `@supports` too."""
    yield from _font_faces(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def _font_faces(rules: Any) -> Iterator[tuple[str, int]]:
    for rule in rules:
        if rule.type != "at-rule" or rule.content is None:
            continue
        if rule.lower_at_keyword != "font-face":
            yield from _font_faces(tinycss2.parse_blocks_contents(rule.content, True, True))
            continue
        for declaration in tinycss2.parse_blocks_contents(rule.content, True, True):
            if declaration.type == "declaration" and declaration.lower_name == "font-family":
                family = tinycss2.serialize(declaration.value).strip().strip("'\"")
                yield family, rule.source_line
