"""The HTML a PDF is typeset from, made to open in a browser: its fonts and images beside it."""

from __future__ import annotations

import base64
import mimetypes
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import tinycss2

from guide.cssimports import import_url, resolve_url
from guide.fonts import FACES
from guide.textfile import read_text

INDEX = "index.html"
FONTS_FOLDER = "fonts"
ATTRIBUTE_URL = re.compile(r'(?P<name>src|href)="(?P<url>[^"]*)"')
STYLE_ELEMENT = re.compile(
    r"(?P<open><style\b[^>]*>)(?P<css>.*?)(?P<close></style>)", re.DOTALL | re.IGNORECASE
)
CSS_URL = re.compile(r"""url\(\s*(?P<quote>["']?)(?P<url>[^"')]*)(?P=quote)\s*\)""", re.IGNORECASE)


@dataclass(frozen=True)
class Site:
    """One HTML page and the files it refers to by relative URL."""

    html: str
    """The page, its font and image URLs relative to itself."""
    files: Mapping[str, Path]
    """Each file the page loads: its path relative to the page (unquoted) -> the file on disk."""


def make_site(html: str, project: Path, images: Iterable[str]) -> Site:
    """Point the page's fonts at `fonts/` beside it; its images keep their project-relative paths.

    `html` is the HTML the PDF is typeset from: its @font-face rules name the package's font files
    by file: URI and its images are relative to `project`. `images` are those project-relative paths.
    """
    files: dict[str, Path] = {}
    for face in FACES:
        relative = f"{FONTS_FOLDER}/{face.path.name}"
        html = html.replace(face.path.as_uri(), quote(relative))
        files[relative] = face.path
    for image in images:
        files[image] = project / image
    root = project.resolve()

    def flatten_style(found: re.Match[str]) -> str:
        css = _flatten_imports(found["css"], root, root, set())
        for match in CSS_URL.finditer(css):
            target = resolve_url(match["url"], root, root)
            if target is not None and target.is_file():
                # fonts/ is the guide's, whatever the project holds there
                files.setdefault(target.relative_to(root).as_posix(), target)
        return found["open"] + css + found["close"]

    html = STYLE_ELEMENT.sub(flatten_style, html)
    return Site(html=html, files=MappingProxyType(files))


def _flatten_imports(css: str, base: Path, root: Path, seen: set[Path]) -> str:
    """The stylesheet with each `@import` of a project file replaced by that file's rules.

    A browser opening the page resolves the `--style` file's imports as the typesetter does
    (guide.cssimports), and a self-contained page has nowhere to import from, so the imported
    rules are written in place: wrapped in `@media` when the import names media, their relative
    URLs rebased to the project folder. An import with other conditions (layer, supports) or of
    a file outside the project is left as it is. How many files are imported is bounded before
    this runs (guide.budget.check_style_budget).
    """
    if "@import" not in css.lower():
        return css if base == root else _rebase(css, base, root)
    out: list[str] = []
    for rule in tinycss2.parse_stylesheet(css):
        text = tinycss2.serialize([rule])
        inlined = None
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            inlined = _inline_import(rule, base, root, seen)
        if inlined is None:
            inlined = text if base == root else _rebase(text, base, root)
        out.append(inlined)
    return "".join(out)


def _inline_import(rule: Any, base: Path, root: Path, seen: set[Path]) -> str | None:
    """The rules one `@import` brings in, flattened, or None to keep the rule as written."""
    first = next((n for n, t in enumerate(rule.prelude) if t.type not in ("whitespace", "comment")), 0)
    url = import_url(rule.prelude[first : first + 1])
    rest = rule.prelude[first + 1 :]
    conditional = any(t.type == "function" or (t.type == "ident" and t.lower_value == "layer") for t in rest)
    target = resolve_url(url, base, root) if url is not None else None
    if target is None or not target.is_file() or conditional:
        return None
    if target in seen:
        return ""  # imported already (or a cycle): its rules are in place
    seen.add(target)
    inner = _flatten_imports(
        read_text(target, target.relative_to(root).as_posix()), target.parent, root, seen
    )
    media = tinycss2.serialize(rest).strip()
    return f"@media {media} {{\n{inner}\n}}\n" if media else f"{inner}\n"


def _rebase(css: str, base: Path, root: Path) -> str:
    """Rewrite the relative url()s of a stylesheet at `base` relative to the project folder."""

    def rebase(found: re.Match[str]) -> str:
        target = resolve_url(found["url"], base, root)
        if target is None:
            return found[0]
        return f'url("{quote(target.relative_to(root).as_posix())}")'

    return CSS_URL.sub(rebase, css)


def _relative(url: str) -> str | None:
    """A relative URL as a normalised, unquoted path; None for anything else (data:, http:, #id, /x)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    return posixpath.normpath(unquote(parts.path))


def self_contained(site: Site) -> str:
    """Return the page with every font and image inlined as a data: URI: one file that opens anywhere."""

    def inline_url(found: re.Match[str]) -> str:
        relative = _relative(found["url"])
        path = site.files.get(relative) if relative is not None else None
        return found[0] if path is None else f'url("{data_uri(path)}")'

    def inline_css(found: re.Match[str]) -> str:
        return found["open"] + CSS_URL.sub(inline_url, found["css"]) + found["close"]

    html = STYLE_ELEMENT.sub(inline_css, site.html)  # fonts and the --style file's images
    by_url = {quote(relative): path for relative, path in site.files.items()}

    def inline(found: re.Match[str]) -> str:
        path = by_url.get(found["url"])
        return found[0] if path is None else f'{found["name"]}="{data_uri(path)}"'

    return ATTRIBUTE_URL.sub(inline, html)


def data_uri(path: Path) -> str:
    """Return the file as a base64 data: URI."""
    kind = media_type(path.name)
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def media_type(name: str) -> str:
    """The media type a browser expects for a file of this name."""
    if name.endswith(".otf"):
        return "font/otf"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
