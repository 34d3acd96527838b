"""Parse XML from the author's exports safely: no entity expansion, no DTD, no network."""

from __future__ import annotations

import re

from lxml import etree

from guide.errors import Diagnostic, GuideError, Report

ENTITY_DECLARATION_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)
COMMENT_RE = re.compile(rb"<!--.*?-->", re.DOTALL)
ROOT_START_RE = re.compile(rb"<[A-Za-z_]")
# A CDATA section right inside an element, up to the "]]>" that closes that element: how
# WordPress's fallback regex parser reads an export whose content nests CDATA sections.
CDATA_ELEMENT_RE = re.compile(
    rb"(<(?P<tag>[\w:.-]+)(?:\s[^<>]*)?>\s*<!\[CDATA\[)(?P<body>.*?)(?P<end>\]\]>\s*</(?P=tag)>)", re.DOTALL
)
ESCAPED_CDATA_END = b"]]]]><![CDATA[>"


def refuse_entity_declarations(data: bytes, source_path: str) -> None:
    """Raise GuideError if the document declares entities (expansion bombs, external files)."""
    prolog = _prolog(data)
    found = ENTITY_DECLARATION_RE.search(prolog)
    if found:
        line = prolog.count(b"\n", 0, found.start()) + 1
        raise GuideError(
            Diagnostic(
                source_path,
                line,
                "XML declares entities (<!ENTITY>); refused, as it could expand or read files",
            )
        )


def _prolog(data: bytes) -> bytes:
    """Return what comes before the root element, where a DTD and its entities live."""
    without_comments = COMMENT_RE.sub(lambda m: b"\n" * m.group(0).count(b"\n"), data[:1_000_000])
    root = ROOT_START_RE.search(without_comments)
    return without_comments[: root.start()] if root else without_comments


def _safe_parser(recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
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
    """Parse an export; repair nested CDATA as WordPress does, or raise with line and column."""
    refuse_entity_declarations(data, source_path)
    parser = _safe_parser()
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        original = exc
    # The exception's own log also holds earlier parses' errors; the parser's is this one's.
    if _only_warnings(parser.error_log):
        return _parse_despite_warnings(data, source_path, report)
    root = _parse_repaired(data)
    if root is None:
        raise GuideError(_syntax_diagnostic(original, source_path)) from original
    report.warn(
        source_path,
        original.position[0],
        "a CDATA section is nested in another (not well-formed XML); "
        "read as WordPress's own importer reads it",
    )
    return root


def _only_warnings(log: etree._ListErrorLog) -> bool:
    """libxml2 raises for what it files as warnings, such as a namespace URI with accents."""
    return len(log) > 0 and all(entry.type_name.startswith("WAR_") for entry in log)


def _parse_despite_warnings(data: bytes, source_path: str, report: Report) -> etree._Element:
    parser = _safe_parser(recover=True)
    root = etree.fromstring(data, parser)
    for entry in parser.error_log:
        if not entry.type_name.startswith("WAR_"):
            raise GuideError(Diagnostic(source_path, entry.line, f"XML is not well-formed: {entry.message}"))
        report.warn(source_path, entry.line, f"XML: {entry.message}")
    return root


def _parse_repaired(data: bytes) -> etree._Element | None:
    repaired = repair_nested_cdata(data)
    if repaired == data:
        return None
    try:
        return etree.fromstring(repaired, _safe_parser())
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
