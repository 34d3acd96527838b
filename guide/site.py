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
from urllib.parse import quote, unquote, urlsplit

from guide.fonts import FACES

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
    for css in STYLE_ELEMENT.finditer(html):
        for relative, path in _style_files(css["css"], project).items():
            files.setdefault(relative, path)  # fonts/ is the guide's, whatever the project holds there
    return Site(html=html, files=MappingProxyType(files))


def _style_files(css: str, project: Path) -> dict[str, Path]:
    """The project files a stylesheet's relative url()s load (the --style file's images and fonts).

    The PDF resolves them against the project, as the page beside its copies does; what is not a
    file inside the project is left out (the sandbox refuses it during a build anyway).
    """
    found: dict[str, Path] = {}
    root = project.resolve()
    for match in CSS_URL.finditer(css):
        relative = _relative(match["url"])
        if relative is None:
            continue
        target = (root / relative).resolve()
        if target.is_relative_to(root) and target.is_file():
            found[target.relative_to(root).as_posix()] = target
    return found


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
