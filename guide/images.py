"""Check a local image before layout: readable, and not a decompression bomb."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 50_000_000
"""Largest image accepted, in pixels (a 50-megapixel photo is already far beyond print needs)."""
VECTOR_SUFFIXES = {".svg"}


def image_problem(abs_path: Path) -> str | None:
    """Return why the image cannot go into a guide, or None if it can."""
    if abs_path.suffix.lower() in VECTOR_SUFFIXES:
        return None
    try:
        with Image.open(abs_path) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return f"is over the limit of {MAX_PIXELS // 1_000_000} megapixels"
            image.verify()
    except Image.DecompressionBombError:
        return f"is over the limit of {MAX_PIXELS // 1_000_000} megapixels"
    except UnidentifiedImageError:
        return "is not an image WeasyPrint can read (PNG, JPEG, GIF, WebP or SVG)"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"is damaged ({exc})"
    return None
