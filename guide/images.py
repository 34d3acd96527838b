"""The one gate every image passes, wherever it comes from: a file, a data: URI, an SVG's <image>, CSS url().

An image is checked from its bytes before anything decodes its pixels: its format, its size in
pixels, and, for SVG, its XML (no DTD, no entities, bounded depth). Pillow's own warnings
(DecompressionBombWarning among them) are turned into the reason returned, never printed.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from pathlib import Path
from urllib.parse import unquote_to_bytes

import lxml.etree
from PIL import Image, UnidentifiedImageError

from guide.errors import shown_address

MAX_PIXELS = 50_000_000
"""Largest image accepted, in pixels (a 50-megapixel photo is already far beyond print needs)."""
MAX_BOOK_PIXELS = 250_000_000
"""Most pixels the typesetter may decode in one build, all images together (about 1 GB of RGBA)."""
MAX_DECODE_BYTES = 256 * 1024 * 1024
"""Most memory one image may take while the typesetter decodes and re-encodes it, in bytes.

WeasyPrint converts a palette, 1-bit or 32-bit image to RGB, one with transparency to RGBA, and
splits the alpha channel out again when it writes the PDF: up to 8 bytes a pixel at once
(DECODED_BYTES). 256 MB is a 50-megapixel RGB photo, or 32 megapixels with transparency.
"""
DECODED_BYTES = {"1": 4, "L": 1, "P": 4, "LA": 4, "RGB": 3, "RGBA": 8, "CMYK": 4, "YCbCr": 3}
"""Bytes a pixel costs at the peak of WeasyPrint's handling, by Pillow mode; 7 for any other (I, F…)."""
SVG_NS = "{http://www.w3.org/2000/svg}"
MAX_IMAGE_BYTES = 32 * 1024 * 1024
"""Largest image file or data: URI payload, in bytes."""
MAX_SVG_DEPTH = 64
"""Deepest element nesting accepted in an SVG."""
RASTER_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"II*\x00", b"MM\x00*")
"""How the raster formats start: bytes that claim to be an image and fail to read are a damaged image."""
UNREADABLE = "is not an image WeasyPrint can read (PNG, JPEG, GIF, WebP or SVG)"
OVER_LIMIT = f"is over the limit of {MAX_PIXELS // 1_000_000} megapixels"

# Pillow's own bomb check then agrees with ours: it warns past the limit and refuses at twice it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def image_problem(abs_path: Path) -> str | None:
    """Return why the image file cannot go into a guide, or None if it can."""
    data = read_image(abs_path)
    if isinstance(data, str):
        return data
    # Told by content, as WeasyPrint tells it: a PNG named .svg is a PNG.
    return svg_problem(data) if _looks_like_svg(data) else raster_problem(data)


def read_image(abs_path: Path) -> bytes | str:
    """The bytes of an image file, or why they cannot be had ("is over the limit…", "cannot be read…")."""
    try:
        if abs_path.stat().st_size > MAX_IMAGE_BYTES:
            return f"is over the limit of {MAX_IMAGE_BYTES:,} bytes"
        return abs_path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"


def image_pixels(data: bytes) -> int:
    """Return the pixels a raster image decodes to (0 for SVG or anything Pillow cannot identify)."""
    try:
        with warnings.catch_warnings(), Image.open(io.BytesIO(data)) as image:
            warnings.simplefilter("ignore")
            width, height = image.size
            return int(width * height)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return 0


def raster_problem(data: bytes) -> str | None:
    """Return why raster image bytes cannot go into a guide, or None if they can."""
    try:
        with warnings.catch_warnings():
            # Pillow's DecompressionBombWarning and the like: a reason, not output
            warnings.simplefilter("error")
            with Image.open(io.BytesIO(data)) as image:
                problem = size_problem(image)
                if problem is None:
                    image.verify()
                return problem
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return OVER_LIMIT
    except UnidentifiedImageError:
        return UNREADABLE
    except Warning as warning:
        return f"is damaged ({warning})"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"is damaged ({exc})"


def size_problem(image: Image.Image) -> str | None:
    """Why an opened image is too costly to decode: over MAX_PIXELS or MAX_DECODE_BYTES; None if it is not."""
    width, height = image.size
    if width * height > MAX_PIXELS:
        return f"{OVER_LIMIT} ({width:,}×{height:,})"
    if (cost := decode_bytes(image)) > MAX_DECODE_BYTES:
        return (
            f"takes {cost / 2**20:,.0f} MB to decode ({width:,}×{height:,}, {image.mode}), over the limit "
            f"of {MAX_DECODE_BYTES // 2**20} MB; use a smaller image, or one without transparency"
        )
    return None


def decode_bytes(image: Image.Image) -> int:
    """Bytes the typesetter holds at once to decode and re-encode `image` (see MAX_DECODE_BYTES)."""
    per_pixel = DECODED_BYTES.get(image.mode, 7)
    if "transparency" in image.info:
        per_pixel = max(per_pixel, 1) + DECODED_BYTES["RGBA"]
    return int(image.size[0] * image.size[1] * per_pixel)


def svg_problem(data: bytes) -> str | None:
    """Return why SVG bytes cannot go into a guide: not XML, a DTD or entities, or nested too deep."""
    try:
        root = lxml.etree.fromstring(data, _svg_parser())
    except lxml.etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc.msg):  # libxml2's own limit, 256
            return f"is an SVG nested over {MAX_SVG_DEPTH} levels deep"
        return f"is not a readable SVG (line {exc.lineno}: {exc.msg})"
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.system_url or tree.docinfo.public_id:
        return "is an SVG with a DOCTYPE, which a guide does not load (entities, external files)"
    if not isinstance(root.tag, str) or lxml.etree.QName(root).localname != "svg":
        return UNREADABLE
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_SVG_DEPTH:
            return f"is an SVG nested over {MAX_SVG_DEPTH} levels deep"
        stack.extend((child, depth + 1) for child in element)
    return _svg_style_problem(root)


def _svg_style_problem(root: lxml.etree._Element) -> str | None:
    """Refuse an `@import` in an SVG's <style>: WeasyPrint fails the whole SVG on one, quoted or not."""
    from guide.cssimports import import_urls  # noqa: PLC0415 - tinycss2 only for SVGs with a style

    for style in root.iter(f"{SVG_NS}style"):
        for line, url in import_urls(style.text or ""):
            first = style.sourceline if isinstance(style.sourceline, int) else 1
            where = first + line - 1
            return (
                f"is an SVG whose <style> imports {shown_address(url)} (line {where}); an SVG in a guide "
                "loads no stylesheet: copy the rules into its <style>"
            )
    return None


def svg_root(data: bytes) -> lxml.etree._Element | None:
    """The root element of SVG bytes that passed `svg_problem`, parsed the same safe way; None if not XML."""
    try:
        return lxml.etree.fromstring(data, _svg_parser())
    except lxml.etree.XMLSyntaxError:
        return None


def _svg_parser() -> lxml.etree.XMLParser:
    """No entities, no DTD, no network, libxml2's default size limits."""
    return lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def looks_like_svg(data: bytes) -> bool:
    """Whether image bytes are SVG, told by content as WeasyPrint tells it (a PNG named .svg is a PNG)."""
    return _looks_like_svg(data)


def resource_problem(data: bytes) -> str | None:
    """Return why a loaded image cannot be used; None for an image that can, and for CSS or fonts."""
    if len(data) > MAX_IMAGE_BYTES:
        return f"is over the limit of {MAX_IMAGE_BYTES:,} bytes"
    if _looks_like_svg(data):
        return svg_problem(data)
    problem = raster_problem(data)
    if problem == UNREADABLE and not data.startswith(RASTER_MAGIC):
        return None  # a stylesheet or a font: not an image at all
    return problem


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<svg", b"<?xml", b"<!DOCTYPE svg", b"<!--")) and b"<svg" in data[:65536]


def data_uri_payload(url: str) -> tuple[str, bytes] | str:
    """Return (media type, payload) of a `data:` URI, or the reason it cannot be read."""
    header, comma, payload = url.partition(",")
    if not comma or not header.lower().startswith("data:"):
        return "is not a valid data: URI"
    if len(payload) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        return f"is over the limit of {MAX_IMAGE_BYTES:,} bytes"
    media_type = header[5:].split(";")[0].strip().lower() or "text/plain"
    if not header.lower().endswith(";base64"):
        return media_type, unquote_to_bytes(payload)
    try:
        return media_type, base64.b64decode(unquote_to_bytes(payload))
    except (binascii.Error, ValueError):
        return "is not a valid data: URI (bad base64)"


def data_image_problem(url: str) -> str | None:
    """Return why a `data:` URI shown as an image cannot go into a guide, or None if it can."""
    found = data_uri_payload(url)
    if isinstance(found, str):
        return found
    media_type, data = found
    if media_type == "image/svg+xml" or _looks_like_svg(data):
        return svg_problem(data)
    return raster_problem(data)
