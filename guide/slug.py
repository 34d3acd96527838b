"""Turn titles into stable, readable HTML ids."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str, fallback: str = "section") -> str:
    """Return a lowercase ASCII slug of `text`, or `fallback` if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or fallback


def unique_slug(text: str, taken: set[str], fallback: str = "section") -> str:
    """Return a slug of `text` not in `taken`, and add it there."""
    base = slugify(text, fallback)
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug
