"""Refuse XML whose DOCTYPE could expand entities or reach files, as the XML parser itself sees it.

The check is expat's (the parser behind defusedxml's `forbid_dtd`): its DOCTYPE handler says
whether an internal subset follows and which external DTD is named, before any declaration is
read. expat finds the DOCTYPE whatever precedes it in the prolog (processing instructions,
comments) and reads UTF-8, UTF-16 and one-byte encodings itself; UTF-32 and multi-byte
encodings are decoded first so that no encoding slips past it.
"""

from __future__ import annotations

import codecs
import re
from xml.parsers import expat

from guide.errors import Diagnostic, GuideError

UTF32_SIGNS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
)
"""A byte order mark, or the first character '<', in UTF-32 (XML 1.0, appendix F)."""
DECLARED_ENCODING_RE = re.compile(rb"^\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([A-Za-z][\w.:-]*)[\"']")
KNOWN_PUBLIC_DTDS = {
    "-//Netscape Communications//DTD RSS 0.91//EN",
    "-//Userland//DTD RSS 0.91//EN",
}
"""RSS 0.91 feeds name these; no parser here ever loads them."""


class _PrologReadError(Exception):
    """The prolog is read: stop before the document's content."""


class _UnreadableEncodingError(Exception):
    """Expat cannot read the encoding the document declares."""


def refuse_doctype(data: bytes, source_path: str) -> None:
    """Raise GuideError if the DOCTYPE has an internal subset or names an external DTD.

    A document whose declared encoding cannot be read is refused too: its DOCTYPE cannot be seen.
    """
    try:
        found = _doctype(*_expat_input(data, source_path))
    except _UnreadableEncodingError as exc:
        raise GuideError(
            Diagnostic(
                source_path, 1, f"the XML declares an encoding that cannot be read ({exc}); save it as UTF-8"
            )
        ) from exc
    if found is None:
        return
    line, system_id, public_id, internal = found
    if internal:
        problem = "has an internal subset (where entities are declared)"
    elif system_id and public_id not in KNOWN_PUBLIC_DTDS:
        problem = f"names an external DTD ('{system_id}')"
    else:
        return
    raise GuideError(
        Diagnostic(
            source_path,
            line,
            f"the XML's DOCTYPE {problem}; refused, as it could expand entities or read files",
        )
    )


def _doctype(data: bytes, encoding: str | None) -> tuple[int, str | None, str | None, bool] | None:
    """(line, system id, public id, has internal subset) of the DOCTYPE, or None if there is none."""
    parser = expat.ParserCreate(encoding)
    found: list[tuple[int, str | None, str | None, bool]] = []

    def doctype(name: str, system_id: str | None, public_id: str | None, internal: int) -> None:
        found.append((parser.CurrentLineNumber, system_id, public_id, bool(internal)))
        raise _PrologReadError

    def element(name: str, attributes: object) -> None:
        raise _PrologReadError

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = element
    try:
        parser.Parse(data, True)
    except _PrologReadError:
        pass
    except expat.ExpatError:
        return None  # not well-formed before its root: the reader's parser says where
    except ValueError as exc:  # expat read a declaration of an encoding it cannot read
        raise _UnreadableEncodingError(str(exc)) from exc
    return found[0] if found else None


def _expat_input(data: bytes, source_path: str) -> tuple[bytes, str | None]:
    """The bytes to give expat, and the encoding to make it read them in, if not their own."""
    for sign, codec in UTF32_SIGNS:
        if data.startswith(sign):
            return _as_utf8(data, codec, source_path), "UTF-8"
    declared = DECLARED_ENCODING_RE.match(data[:1024])
    if declared and _is_multibyte(declared.group(1).decode("ascii")):
        return _as_utf8(data, declared.group(1).decode("ascii"), source_path), "UTF-8"
    return data, None


def _is_multibyte(encoding: str) -> bool:
    """An encoding expat cannot read itself: neither UTF-8/16 nor one byte per character."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return True  # decoded below, which says it is unknown
    if name in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
        return False
    try:
        return len(bytes(range(256)).decode(name, errors="replace")) != 256
    except (UnicodeDecodeError, ValueError):
        return True


def _as_utf8(data: bytes, encoding: str, source_path: str) -> bytes:
    try:
        return data.decode(encoding, errors="replace").encode("utf-8")
    except LookupError as exc:
        raise GuideError(
            Diagnostic(source_path, 1, f"the XML declares encoding '{encoding}', which cannot be read")
        ) from exc
