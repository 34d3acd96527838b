"""Check a metadata value (title, author, credit) that reaches the cover, the pages and the PDF's info."""

from __future__ import annotations

import unicodedata

from guide.errors import INVISIBLE_FORMAT, Severity

LINE_BREAKS = ("Zl", "Zp")
"""U+2028 and U+2029: invisible on a cover, they break the line of a viewer's title bar."""


def metadata_problem(key: str, value: str, max_chars: int) -> tuple[str, Severity] | None:
    """Return (message, severity) if `value` is too long (an error) or hides characters (a warning)."""
    if len(value) > max_chars:
        return f"'{key}' is {len(value):,} characters long (limit {max_chars:,})", Severity.ERROR
    control = next((char for char in value if unicodedata.category(char) == "Cc" and char != "\t"), None)
    if control is not None:
        return (
            f"'{key}' holds the control character U+{ord(control):04X}; a guide cannot print it",
            Severity.ERROR,
        )
    hidden = sorted(
        {
            f"U+{ord(char):04X}"
            for char in value
            if char in INVISIBLE_FORMAT or unicodedata.category(char) in LINE_BREAKS
        }
    )
    if hidden:
        return (
            f"'{key}' holds invisible or text-reversing characters ({', '.join(hidden)}); "
            "they reach the PDF's metadata as they are",
            Severity.WARNING,
        )
    return None
