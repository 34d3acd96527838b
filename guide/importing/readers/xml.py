"""Parse XML from the author's exports safely: no entity expansion, no DTD, no network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from guide.errors import Diagnostic, GuideError, Report
from guide.importing.readers.doctype import KNOWN_PUBLIC_DTDS, UTF32_SIGNS, refuse_doctype

KNOWN_PREFIXES = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "wp": "http://wordpress.org/export/1.2/",
}
"""Prefixes blog exports use without declaring them (WordPress.com's `atom:link`), and their URIs."""
UNDEFINED_PREFIX_RE = re.compile(r"Namespace prefix (\S+) (?:on|for) \S+ is not defined")
CONTROL_RE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
    r"|&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])|[xX]0*(?:[0-8bBcCeEfF]|1[\da-fA-F]));"
)
"""C0 control characters XML 1.0 forbids, raw or as character references."""
# A CDATA section right inside an element, up to the "]]>" that closes that element: how
# WordPress's fallback regex parser reads an export whose content nests CDATA sections.
CDATA_ELEMENT_RE = re.compile(
    rb"(<(?P<tag>[\w:.-]+)(?:\s[^<>]*)?>\s*<!\[CDATA\[)(?P<body>.*?)(?P<end>\]\]>\s*</(?P=tag)>)", re.DOTALL
)
ESCAPED_CDATA_END = b"]]]]><![CDATA[>"


def _safe_parser(recover: bool = False, encoding: str | None = None) -> etree.XMLParser:
    return etree.XMLParser(
        encoding=encoding,
        recover=recover,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        strip_cdata=True,
    )


def parse_xml(data: bytes, source_path: str, report: Report) -> etree._Element:
    """Parse an export; mend its well-known defects aloud, or raise with line and column.

    Never with a DTD: a DOCTYPE with an internal subset or an external DTD is refused first.
    """
    refuse_doctype(data, source_path)
    data = _with_utf16_bom(data)
    parser = _safe_parser()
    try:
        return _checked(etree.fromstring(data, parser), source_path)
    except etree.XMLSyntaxError as exc:
        original = exc
    # The exception's own log also holds earlier parses' errors; the parser's is this one's.
    log = parser.error_log
    if _only_warnings(log):
        return _parse_despite_warnings(data, source_path, report)
    mended = mend_known_defects(data, log)
    if mended is not None:
        data = mended.data
        try:
            root = _checked(etree.fromstring(data, _safe_parser(encoding="utf-8")), source_path)
        except etree.XMLSyntaxError as exc:
            original = exc
        else:
            report.warn(source_path, mended.line, f"mended a known defect of blog exports: {mended.what}")
            return root
    repaired = _parse_repaired(data, "utf-8" if mended else None)
    if repaired is None:
        raise GuideError(_syntax_diagnostic(original, source_path)) from original
    report.warn(
        source_path,
        original.position[0],
        "a CDATA section is nested in another (not well-formed XML); "
        "read as WordPress's own importer reads it",
    )
    if mended is not None:
        report.warn(source_path, mended.line, f"mended a known defect of blog exports: {mended.what}")
    return _checked(repaired, source_path)


def _with_utf16_bom(data: bytes) -> bytes:
    """Give UTF-16 without a byte order mark one, told by its first '<' as the XML spec's appendix F does.

    libxml2 reads such a file only with a declaration it cannot read yet.
    """
    if data.startswith(b"<\x00") and not data.startswith(b"<\x00\x00\x00"):
        return b"\xff\xfe" + data
    if data.startswith(b"\x00<") and not data.startswith(b"\x00\x00"):
        return b"\xfe\xff" + data
    return data


def _encoding(data: bytes, root: etree._Element) -> str:
    """The document's codec: its byte order mark (lxml's docinfo then says UTF-8), else its declaration."""
    signs = (*UTF32_SIGNS, (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"\xef\xbb\xbf", "utf-8-sig"))
    for sign, codec in signs:
        if data.startswith(sign):
            return codec
    return str(root.getroottree().docinfo.encoding or "utf-8")


@dataclass(frozen=True)
class Mended:
    """An export with its known defects mended, and what was done, for the one warning."""

    data: bytes
    """The document, re-encoded as UTF-8."""
    what: str
    line: int | None
    """Where the first mended defect was."""


def mend_known_defects(data: bytes, log: etree._ListErrorLog) -> Mended | None:
    """Declare the well-known prefixes and drop the stray control characters the parser reports.

    Return None when the parser reported neither: any other error is not ours to mend.
    """
    prefixes = sorted(
        {
            found.group(1)
            for entry in log
            if entry.type_name == "NS_ERR_UNDEFINED_NAMESPACE"
            and (found := UNDEFINED_PREFIX_RE.search(entry.message))
            and found.group(1) in KNOWN_PREFIXES
        }
    )
    controls = any(entry.type_name == "ERR_INVALID_CHAR" for entry in log)
    mendable = [e for e in log if e.type_name in ("NS_ERR_UNDEFINED_NAMESPACE", "ERR_INVALID_CHAR")]
    if not (prefixes or controls):
        return None
    recovered = etree.fromstring(data, _safe_parser(recover=True))
    if recovered is None:
        return None  # nothing the recovering parser could read: the syntax error stands
    text = data.decode(_encoding(data, recovered), errors="replace")
    done = []
    if controls:
        text, count = CONTROL_RE.subn("", text)
        if count:
            done.append(f"{count} stray control character{'s' if count != 1 else ''} removed")
    if prefixes:
        text = _declare(text, recovered, prefixes)
        names = ", ".join(f"{prefix}:" for prefix in prefixes)
        done.append(f"undeclared prefix{'es' if len(prefixes) > 1 else ''} {names} declared")
    if not done:
        return None
    return Mended(text.encode("utf-8"), "; ".join(done), mendable[0].line if mendable else None)


def _declare(text: str, root: etree._Element, prefixes: list[str]) -> str:
    """Add namespace declarations for `prefixes` to the root element's start tag."""
    qname = etree.QName(root)
    name = qname.localname if root.prefix is None else f"{root.prefix}:{qname.localname}"
    line = root.sourceline if isinstance(root.sourceline, int) else 1
    offset = sum(len(part) + 1 for part in text.split("\n")[: line - 1])
    start_tag = re.compile(rf"<{re.escape(name)}(?=[\s/>])")
    found = start_tag.search(text, offset) or start_tag.search(text)
    if found is None:
        return text
    declarations = "".join(f' xmlns:{prefix}="{KNOWN_PREFIXES[prefix]}"' for prefix in prefixes)
    return text[: found.end()] + declarations + text[found.end() :]


def _checked(root: etree._Element, source_path: str) -> etree._Element:
    """Refuse, as libxml2 saw the prolog, what the DOCTYPE check before parsing could not read."""
    docinfo: Any = root.getroottree().docinfo  # lxml's stubs lack system_url and iterentities
    subset = docinfo.internalDTD
    external = docinfo.system_url and docinfo.public_id not in KNOWN_PUBLIC_DTDS
    if external or (subset is not None and any(True for _ in subset.iterentities())):
        raise GuideError(
            Diagnostic(
                source_path, 1, "the XML declares a DTD; refused, as it could expand entities or read files"
            )
        )
    return root


def _only_warnings(log: etree._ListErrorLog) -> bool:
    """libxml2 raises for what it files as warnings, such as a namespace URI with accents."""
    return len(log) > 0 and all(entry.type_name.startswith("WAR_") for entry in log)


def _parse_despite_warnings(data: bytes, source_path: str, report: Report) -> etree._Element:
    parser = _safe_parser(recover=True)
    root = etree.fromstring(data, parser)
    if root is None:
        raise GuideError(Diagnostic(source_path, None, "XML has no element the parser could read"))
    for entry in parser.error_log:
        if not entry.type_name.startswith("WAR_"):
            raise GuideError(Diagnostic(source_path, entry.line, f"XML is not well-formed: {entry.message}"))
        report.warn(source_path, entry.line, f"XML: {entry.message}")
    return root


def _parse_repaired(data: bytes, encoding: str | None) -> etree._Element | None:
    repaired = repair_nested_cdata(data)
    if repaired == data:
        return None
    try:
        return etree.fromstring(repaired, _safe_parser(encoding=encoding))
    except etree.XMLSyntaxError:
        return None


def repair_nested_cdata(data: bytes) -> bytes:
    """Escape every "]]>" inside an element's CDATA, as WordPress's regex parser reads it."""

    def escape(found: re.Match[bytes]) -> bytes:
        body = found.group("body").replace(ESCAPED_CDATA_END, b"]]>").replace(b"]]>", ESCAPED_CDATA_END)
        return found.group(1) + body + found.group("end")

    return CDATA_ELEMENT_RE.sub(escape, data)


def _syntax_diagnostic(exc: etree.XMLSyntaxError, source_path: str) -> Diagnostic:
    line, column = exc.position
    message = re.sub(r",? line \d+, column \d+$", "", exc.msg or "not well-formed").strip()
    message = re.sub(r"in tag (\S+) line (\d+)", r"in <\1> opened on line \2", message)
    return Diagnostic(source_path, line, f"XML is not well-formed (column {column}): {message}")
