"""Read the many ways blogs write a publication time."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

NUMERIC_RE = re.compile(
    r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)


def parse_date(value: object) -> dt.datetime | None:
    """Return the naive local time a date value names, or None if it names none."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    found = NUMERIC_RE.match(text)
    if found:
        return _numeric(found)
    try:
        return email.utils.parsedate_to_datetime(text).replace(tzinfo=None)
    except (TypeError, ValueError, IndexError):
        return None


def _numeric(found: re.Match[str]) -> dt.datetime | None:
    parts = {key: int(found.group(key) or 0) for key in ("y", "m", "d", "H", "M", "S")}
    try:
        return dt.datetime(parts["y"], parts["m"], parts["d"], parts["H"], parts["M"], parts["S"])
    except ValueError:
        return None
