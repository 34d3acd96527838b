"""Hints that turn a bare complaint into advice: a likely intended name, a date that cannot exist."""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Iterable
from pathlib import Path

ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})\b")

YAML_HINTS = (
    (
        "mapping values are not allowed",
        "a value containing ': ' must be quoted, as in title: \"Part 1: Why\"",
    ),
    ("found character '\\t'", "indent with spaces: YAML does not allow tabs"),
    (
        "could not find expected ':'",
        "each line of front matter is 'key: value'; a long value may need quotes",
    ),
    ("found unexpected end of stream", "a quote opened in the front matter is never closed"),
    ("found undefined alias", "'*' starts a YAML alias: quote a value that begins with '*'"),
    ("expected alphabetic or numeric character", "'&' or '*' starts a YAML anchor or alias: quote the value"),
    ("found character '@'", "a value starting with '@' or '`' must be quoted"),
    ("found character '`'", "a value starting with '@' or '`' must be quoted"),
)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return the one choice `word` is most likely a misspelling of, or None.

    Uses difflib's ratio with a 0.6 cutoff (difflib.get_close_matches' default), comparing case-folded.
    """
    options = list(choices)
    folded = {option.casefold(): option for option in options}
    found = difflib.get_close_matches(word.casefold(), list(folded), n=1)
    return folded[found[0]] if found else None


def unknown_key_message(kind: str, key: str, known: Iterable[str]) -> str:
    """Return "unknown KIND key 'K' (did you mean 'X'?)", or the list of known keys when none is close."""
    known = list(known)
    guess = did_you_mean(key, known)
    if guess:
        return f"unknown {kind} '{key}' (did you mean '{guess}'?)"
    return f"unknown {kind} '{key}' (known keys: {', '.join(known)})"


def impossible_date(text: str) -> str | None:
    """Say why a YYYY-MM-DD string names no day ("month 13 does not exist"), or None if it names one.

    Months are 1-12; a month's last day follows the Gregorian calendar (`calendar.monthrange`).
    """
    found = ISO_DATE_RE.match(text.strip())
    if not found:
        return None
    year, month, day = (int(part) for part in found.groups())
    if not 1 <= month <= 12:
        return f"month {month} does not exist"
    last = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= last:
        return f"{calendar.month_name[month]} {year} has no day {day}"
    return None


def yaml_hint(problem: str, source_line: str = "") -> str | None:
    """Return advice for a PyYAML problem message, or None when there is none worth giving.

    `source_line` is the text of the line the parser stopped on: libyaml reports a tab only as
    "found character that cannot start any token", so the line itself tells a tab apart.
    """
    if "cannot start any token" in problem and "\t" in source_line:
        return "indent with spaces: YAML does not allow tabs"
    for needle, hint in YAML_HINTS:
        if needle in problem:
            return hint
    return None


def similar_file(folder: Path, name: str) -> str | None:
    """Return the name of a file in `folder` the author probably meant by `name`, or None.

    A name without an extension matches the one file with that stem; otherwise the closest name.
    Raises nothing: an unreadable folder gives None.
    """
    try:
        names = sorted(entry.name for entry in folder.iterdir() if entry.is_file())
    except OSError:
        return None
    stems = [candidate for candidate in names if Path(candidate).stem == name]
    if len(stems) == 1:
        return stems[0]
    return did_you_mean(name, names)
