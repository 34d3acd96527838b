"""Check a metadata value (title, author, credit) that reaches the cover, the pages and the PDF's info."""

from __future__ import annotations

from guide.errors import INVISIBLE_FORMAT, Severity


def metadata_problem(key: str, value: str, max_chars: int) -> tuple[str, Severity] | None:
    """Return (message, severity) if `value` is too long (an error) or hides characters (a warning)."""
    if len(value) > max_chars:
        return f"'{key}' is {len(value):,} characters long (limit {max_chars:,})", Severity.ERROR
    hidden = sorted({f"U+{ord(char):04X}" for char in value if char in INVISIBLE_FORMAT})
    if hidden:
        return (
            f"'{key}' holds invisible or text-reversing characters ({', '.join(hidden)}); "
            "they reach the PDF's metadata as they are",
            Severity.WARNING,
        )
    return None
