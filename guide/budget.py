"""Refuse a rendered guide whose layout would overrun the time budget, before typesetting it.

The per-post limits (guide/sources/limits.py) bound what one post's Markdown costs to convert;
what typesetting costs is counted here, on the HTML every source becomes (a Markdown table, raw
HTML, an imported page) and after the print edition has turned addresses into footnotes. The
guide's images are summed here too, once each, before any is decoded: the typesetter's fetcher
also counts, but each worker process of a parallel build only sees its own part.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from guide.errors import Diagnostic, GuideError
from guide.images import MAX_BOOK_PIXELS, data_uri_payload, image_pixels
from guide.limits import BUDGET_SCALED, MAX_GUIDE_BLOCKS, MAX_GUIDE_FOOTNOTES, MAX_GUIDE_TABLE_CELLS

MARK = re.compile(
    r'data-source-path="(?P<path>[^"]*)"|data-source-line="(?P<line>\d+)"'
    r'|(?P<cell><t[dh][\s>/])|(?P<note>class="footnote[\s"])|<img\s[^>]*?\bsrc="(?P<src>[^"]*)"'
    r"|(?P<block><(?:p|li|h[1-6]|tr|pre|blockquote|div|dt|dd|figure)[\s>/])"
)


def check_layout_budget(document: str, project: Path, scale: int = 1) -> None:
    """Raise GuideError at the element that takes the guide past a budget: blocks, cells, footnotes, pixels.

    `document` is the rendered guide, its image addresses relative to `project`; `scale` (1 to
    MAX_BUDGET_SCALE, guide.toml's `budget_scale`) multiplies the whole-guide counts, not pixels.
    """
    max_cells, max_notes = MAX_GUIDE_TABLE_CELLS * scale, MAX_GUIDE_FOOTNOTES * scale
    path, line = "guide.toml", None
    cells = notes = pixels = blocks = 0
    seen: set[str] = set()
    for found in MARK.finditer(document):
        if found.group("path") is not None:
            path, line = html.unescape(found.group("path")), None
        elif found.group("line") is not None:
            line = int(found.group("line"))
        elif found.group("src") is not None:
            src = html.unescape(found.group("src"))
            if src not in seen:
                seen.add(src)
                pixels += _pixels(src, project)
                if pixels > MAX_BOOK_PIXELS:
                    _refuse(
                        path,
                        line,
                        f"the guide's images add up to over {MAX_BOOK_PIXELS // 1_000_000} "
                        "megapixels; use smaller images",
                    )
        elif found.group("block"):
            blocks += 1
            if blocks > MAX_GUIDE_BLOCKS * scale:
                _refuse(
                    path,
                    line,
                    f"the guide has over {MAX_GUIDE_BLOCKS * scale:,} paragraphs, list items, headings "
                    f"and other blocks; shorten them, {BUDGET_SCALED}",
                )
        elif found.group("cell"):
            cells += 1
            if cells > max_cells:
                _refuse(
                    path,
                    line,
                    f"the guide's tables add up to over {max_cells:,} cells; shorten them, {BUDGET_SCALED}",
                )
        else:
            notes += 1
            if notes > max_notes:
                _refuse(
                    path,
                    line,
                    f"the guide has over {max_notes:,} footnotes (with the print "
                    f"edition's address notes); shorten them, {BUDGET_SCALED}",
                )


def _pixels(src: str, project: Path) -> int:
    """The pixels a local or data: image decodes to; 0 for a remote one (the fetcher counts those)."""
    scheme = urlsplit(src).scheme.lower()
    if scheme == "data":
        payload = data_uri_payload(src)
        return 0 if isinstance(payload, str) else image_pixels(payload[1])
    if scheme:
        return 0
    try:
        return image_pixels((project / unquote(src)).read_bytes())
    except OSError:
        return 0  # reported by the image check


def _refuse(path: str, line: int | None, message: str) -> None:
    raise GuideError(Diagnostic(path, line, message))
