"""Every image the typesetter may decode, found before layout and held to one gate and one budget.

Whatever way an image is asked for -- a post's <img> (a file or a `data:` URI), an SVG's <image>
(a file, a `data:` URI, another SVG), a `url()` in the `--style` stylesheet or a project stylesheet
it imports -- its bytes pass the gate of guide/images.py (format, megapixels, decode cost, SVG
safety) and its pixels count once towards the guide's MAX_BOOK_PIXELS, in document order, before
layout starts. The first image that fails or tips the budget gets one located line: the post and
line of an <img>, the SVG file and line of an <image>, the stylesheet and line of a `url()`.
A parallel build's workers each see only their part, so this count is the one that holds; the
typesetter's fetcher still checks what it loads, and is the only one to see remote images
(`--allow-remote`), counted per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import lxml.etree

from guide.budget import shown_images
from guide.cssimports import Sheet, css_urls
from guide.errors import Diagnostic, GuideError, shown_address
from guide.images import (
    MAX_BOOK_PIXELS,
    SVG_NS,
    data_uri_payload,
    image_pixels,
    looks_like_svg,
    raster_problem,
    read_image,
    svg_problem,
    svg_root,
)
from guide.paths import file_within

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass(frozen=True)
class Asked:
    """One request for an image: where it is written, as written, and what it resolves to."""

    place: tuple[str, int | None]
    """The file (post, SVG or stylesheet) and line that ask for it."""
    address: str
    """As written: a path, a URL or a `data:` URI."""
    target: Path | str
    """The file inside the project, or the `data:` URI."""


def check_image_budget(document: str, project: Path, sheets: Iterable[Sheet] = ()) -> None:
    """Raise GuideError at the first image that fails the gate or takes the guide past MAX_BOOK_PIXELS.

    `document` is the rendered guide (image addresses relative to `project`); `sheets` the author's
    stylesheets (guide.cssimports.author_sheets). Images outside the project, missing or remote are
    left to the checks that report them (the book stage, the fetcher).
    """
    budget = _Budget(project)
    base = project.as_uri() + "/"
    for src, path, line in shown_images(document):
        budget.take((path, line), src, base)
    for sheet in sheets:
        sheet_base = sheet.path.as_uri() if sheet.path else base
        for found in css_urls(sheet.text):
            if found.kind == "image":
                budget.take((sheet.shown, found.line), found.address, sheet_base)


class _Budget:
    """The images met so far, each once, and their pixels."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.seen: set[Path | str] = set()
        self.pixels = 0

    def take(self, place: tuple[str, int | None], address: str, base: str) -> None:
        """Gate and count the image `address` (resolved against `base`), and the images inside it."""
        target = _target(address, base, self.project)
        if target is None or target in self.seen:
            return
        self.seen.add(target)
        asked = Asked(place, address, target)
        data = self._bytes(asked)
        if looks_like_svg(data):
            self._refuse_if(asked, svg_problem(data))
            self._take_svg(asked, data)
            return
        self._refuse_if(asked, raster_problem(data))
        self.pixels += image_pixels(data)
        if self.pixels > MAX_BOOK_PIXELS:
            over = f"the guide's images add up to over {MAX_BOOK_PIXELS // 1_000_000} megapixels"
            raise GuideError(Diagnostic(*place, over + "; use smaller images"))

    def _take_svg(self, asked: Asked, data: bytes) -> None:
        """Take each image the SVG shows, located in the SVG file (or where a `data:` SVG is asked for)."""
        root = svg_root(data)
        if root is None:
            return
        in_file = isinstance(asked.target, Path)
        shown = asked.target.relative_to(self.project).as_posix() if isinstance(asked.target, Path) else ""
        svg_url = asked.target.as_uri() if isinstance(asked.target, Path) else asked.target
        for href, base, line in _svg_images(root, svg_url):
            self.take((shown, line) if in_file else asked.place, href, base)

    def _bytes(self, asked: Asked) -> bytes:
        if isinstance(asked.target, str):
            found = data_uri_payload(asked.target)
            if isinstance(found, str):
                self._refuse_if(asked, found)
                return b""
            return found[1]
        data = read_image(asked.target)
        if isinstance(data, str):
            self._refuse_if(asked, data)
            return b""
        return data

    @staticmethod
    def _refuse_if(asked: Asked, problem: str | None) -> None:
        if problem is None:
            return
        if isinstance(asked.target, str):
            named = f"data: image ({len(asked.address):,} characters)"
        else:
            named = f"image {shown_address(asked.address)}"
        raise GuideError(Diagnostic(*asked.place, f"{named} {problem}"))


def _target(address: str, base: str, project: Path) -> Path | str | None:
    """The project file or `data:` URI an address names from `base`; None for anything else.

    None for a remote address, another scheme, a file outside the project, missing or with an odd
    path (guide.paths.file_within): the book stage or the fetcher reports those.
    """
    address = address.strip()
    if not address or address.startswith("#"):
        return None
    if urlsplit(address).scheme.lower() == "data":
        return address
    url = urljoin(base, address)
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    found = file_within(url2pathname(parts.path), (project,))
    return found if isinstance(found, Path) else None  # the fetcher refuses it, saying why


def _svg_images(root: lxml.etree._Element, svg_url: str) -> Iterator[tuple[str, str, int | None]]:
    """(href, base URL, line) of each <image> of an SVG, as WeasyPrint resolves them (xml:base first)."""
    for element in root.iter(f"{SVG_NS}image"):
        href = element.get(XLINK_HREF) or element.get("href")
        if href:
            base = urljoin(svg_url, element.get(XML_BASE) or "")
            line = element.sourceline if isinstance(element.sourceline, int) else None
            yield href, base or svg_url, line
