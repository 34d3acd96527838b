"""Print size of images: never wider than the text block, never finer than 150 ppi can carry.

A photo 600 pixels wide spread over a 118 mm text block prints at 129 ppi and looks soft; at
150 ppi it prints 102 mm wide. Unless the post sets a width, each raster image gets the width
its pixels carry at 150 ppi (the stylesheet's max-width keeps it within the text block); one the
post sizes so that it prints below 150 ppi is a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from PIL import Image

PRINT_PPI = 150
PRINT_WIDTH_ATTRIBUTE = "data-print-width"
"""Set on an image the post gives no width: its 150 ppi width, e.g. "101.6mm"."""
PRINT_WIDTH_VALUE = re.compile(r'data-print-width="([\d.]+mm)"')


def print_width_css(bodies: list[str]) -> str:
    """Return one zero-specificity rule per 150 ppi width the bodies use: any stylesheet overrides it."""
    widths = sorted({width for body in bodies for width in PRINT_WIDTH_VALUE.findall(body)})
    return "\n".join(f':where(img[{PRINT_WIDTH_ATTRIBUTE}="{w}"]) {{ width: {w}; }}' for w in widths)


MM_PER_INCH = 25.4
CSS_PX_PER_INCH = 96
PAGE_WIDTHS_MM = {"A4": 210.0, "A5": 148.0, "Letter": 215.9}
TALLEST_MM = 110.0
"""styles/type.css's `img { max-height: 110mm }`."""
SIDE_MARGINS_MM = 30.0
"""Left plus right page margin: styles/page.css's `@page { margin: 18mm 15mm 20mm 15mm }`."""
WIDTH_STYLE = re.compile(r"(?:^|;)\s*width\s*:\s*([\d.]+)\s*(px|mm|cm|in|pt)\s*(?:;|$)", re.IGNORECASE)
UNIT_MM = {
    "px": MM_PER_INCH / CSS_PX_PER_INCH,
    "mm": 1.0,
    "cm": 10.0,
    "in": MM_PER_INCH,
    "pt": MM_PER_INCH / 72,
}


@dataclass(frozen=True)
class PrintSize:
    """How wide an image prints, and how fine."""

    width_mm: float
    """The printed width."""
    ppi: float
    """Image pixels per printed inch."""
    set_by_post: bool
    """The post gave the width (attribute or style); otherwise it is the 150 ppi width."""


def text_block_mm(page_size: str) -> float:
    """Return the width of the text block on `page_size` paper, in millimetres."""
    return PAGE_WIDTHS_MM[page_size] - SIDE_MARGINS_MM


def pixel_size(abs_path: Path) -> tuple[int, int] | None:
    """Return a raster image's width and height in pixels; None for vector images."""
    if abs_path.suffix.lower() == ".svg":
        return None
    with Image.open(abs_path) as image:
        return int(image.size[0]), int(image.size[1])


def print_size(
    pixels: int, width: str | None, style: str | None, block_mm: float, pixel_height: int | None = None
) -> PrintSize:
    """Work out the printed width from the post's own width (attribute or style), else 150 ppi.

    Given the `pixel_height`, the 150 ppi width is narrowed so that the image is no taller than
    TALLEST_MM: a tall image then keeps its proportions under the stylesheet's max-height.
    """
    asked = _asked_width_mm(width, style)
    natural = pixels / PRINT_PPI * MM_PER_INCH
    if pixel_height:
        natural = min(natural, TALLEST_MM * pixels / pixel_height)
    printed = min(asked if asked is not None else natural, block_mm)
    return PrintSize(printed, pixels / (printed / MM_PER_INCH), asked is not None)


def source_line(element: lxml.html.HtmlElement) -> int | None:
    """Return the post line an element came from: its own or its nearest ancestor's data-source-line."""
    for node in (element, *element.iterancestors()):
        line = node.get("data-source-line")
        if line and line.isdigit():
            return int(line)
    return None


def _asked_width_mm(width: str | None, style: str | None) -> float | None:
    if width and width.strip().removesuffix("px").strip().replace(".", "", 1).isdigit():
        return float(width.strip().removesuffix("px")) * UNIT_MM["px"]
    found = WIDTH_STYLE.search(style or "")
    return float(found.group(1)) * UNIT_MM[found.group(2).lower()] if found else None
