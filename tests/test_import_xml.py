"""XML sources: DTDs refused as the parser sees them, whatever the encoding and prolog; known export
defects mended aloud; anything else a located error; never an entity expanded."""

from __future__ import annotations

from pathlib import Path

import pytest

from guide.errors import GuideError, Report
from guide.importing.options import ImportOptions
from guide.importing.readers.importable import read_source
from guide.importing.run import import_sources
from tests.conftest import FIXTURES

IMPORT = FIXTURES / "import"
WXR = (
    '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
    "<wp:wxr_version>1.2</wp:wxr_version><item><title>&a;</title></item></channel></rss>"
)
FEED = '<rss version="2.0"><channel><title>T</title><item><title>&a;</title></item></channel></rss>'
INTERNAL = '<!DOCTYPE rss [<!ENTITY a "{}">]>'.format("x" * 50)
SYSTEM = '<!DOCTYPE rss SYSTEM "file:///etc/passwd">'
PUBLIC = '<!DOCTYPE rss PUBLIC "-//Evil//DTD//EN" "http://169.254.169.254/x.dtd">'
PROLOGS = {
    "bare": "",
    "declaration": '<?xml version="1.0" encoding="{encoding}"?>\n',
    "pi and comment": (
        '<?xml version="1.0" encoding="{encoding}"?>\n<?xml-stylesheet href="a.xsl"?>\n<!-- x -->\n'
    ),
}
ENCODINGS = {
    "UTF-8": ("UTF-8", "utf-8"),
    "UTF-8 BOM": ("UTF-8", "utf-8-sig"),
    "UTF-16 BOM": ("UTF-16", "utf-16"),
    "UTF-16BE": ("UTF-16BE", "utf-16-be"),
    "UTF-32 BOM": ("UTF-32", "utf-32"),
    "UTF-32LE": ("UTF-32LE", "utf-32-le"),
    "gb2312": ("gb2312", "gb2312"),
}


def _document(prolog: str, doctype: str, body: str, encoding: str) -> str:
    return PROLOGS[prolog].format(encoding=encoding) + doctype + "\n" + body


def _rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for encoding in ENCODINGS:
        for prolog in PROLOGS:
            if prolog == "bare" and encoding in ("UTF-16BE", "UTF-32LE", "gb2312"):
                continue  # without a BOM these encodings must be declared
            for kind, body in (("export", WXR), ("feed", FEED)):
                rows.append((encoding, prolog, kind, body))
    return rows


@pytest.mark.parametrize("doctype", [INTERNAL, SYSTEM, PUBLIC], ids=["internal subset", "SYSTEM", "PUBLIC"])
@pytest.mark.parametrize(("encoding", "prolog", "kind", "body"), _rows())
def test_a_dtd_is_refused_whatever_the_encoding_and_prolog(
    tmp_path: Path, doctype: str, encoding: str, prolog: str, kind: str, body: str
) -> None:
    declared, codec = ENCODINGS[encoding]
    source = tmp_path / "source.xml"
    source.write_bytes(_document(prolog, doctype, body, declared).encode(codec))
    with pytest.raises(GuideError) as caught:
        import_sources([source], ImportOptions(project=tmp_path / "p"))
    (diagnostic,) = caught.value.diagnostics
    line = 1 + PROLOGS[prolog].count("\n")
    assert str(diagnostic).startswith(f"{source}:{line}: the XML's DOCTYPE ")
    assert str(diagnostic).endswith("; refused, as it could expand entities or read files")
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("encoding", ["UTF-8 BOM", "UTF-16 BOM", "UTF-32 BOM"])
def test_a_bare_doctype_and_other_encodings_still_import(tmp_path: Path, encoding: str) -> None:
    declared, codec = ENCODINGS[encoding]
    body = WXR.replace("<item><title>&a;</title></item>", "") + "\n"
    source = tmp_path / "export.xml"
    source.write_bytes(_document("declaration", "<!DOCTYPE rss>", body, declared).encode(codec))
    found = read_source(source, "export.xml", Report())
    assert found.format == "WordPress export (WXR 1.2)"


def test_rss_091_names_its_public_dtd_and_is_read_without_loading_it(tmp_path: Path) -> None:
    source = tmp_path / "old.rss"
    source.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        '<rss version="0.91"><channel><title>Old</title>'
        "<item><title>One</title><link>http://old.example/1</link><description>Hi.</description></item>"
        "</channel></rss>\n"
    )
    found = read_source(source, "old.rss", Report())
    assert [a.post.title for a in found.articles] == ["One"]


def test_undeclared_wordpress_com_prefixes_are_declared_with_one_warning() -> None:
    report = Report()
    found = read_source(IMPORT / "wxr_wordpress_com_undeclared_prefixes.xml", "kiln.xml", report)
    (article,) = found.articles
    assert (article.post.title, article.post.author, article.skip_reason) == (
        "First Firing",
        "Ash Glaze",
        None,
    )
    assert article.post.body_html == "<p>The kiln reached cone 6 by noon.</p>\n<p>Nothing cracked.</p>\n"
    assert [str(d) for d in report.diagnostics] == [
        "kiln.xml:11: warning: mended a known defect of blog exports: "
        "undeclared prefixes atom:, content:, dc: declared"
    ]


def test_stray_control_characters_are_removed_with_one_warning() -> None:
    report = Report()
    found = read_source(IMPORT / "wxr_with_stray_control_characters.xml", "glaze.xml", report)
    (article,) = found.articles
    assert article.post.title == "Glaze Tests"
    assert article.post.body_html == "<p>Pasted from a word processor: celadon, tenmoku and shino.</p>\n"
    assert [str(d) for d in report.diagnostics] == [
        "glaze.xml:7: warning: mended a known defect of blog exports: 3 stray control characters removed"
    ]


def test_an_unknown_undeclared_prefix_stays_a_located_error() -> None:
    with pytest.raises(GuideError) as caught:
        read_source(IMPORT / "wxr_with_unknown_undeclared_prefix.xml", "foo.xml", Report())
    assert [str(d) for d in caught.value.diagnostics] == [
        "foo.xml:11: XML is not well-formed (column 143): Namespace prefix foo on link is not defined"
    ]


def test_entities_are_refused_before_any_is_expanded() -> None:
    with pytest.raises(GuideError) as caught:
        read_source(IMPORT / "wxr_with_entity_expansion.xml", "lol.xml", Report())
    assert [str(d) for d in caught.value.diagnostics] == [
        "lol.xml:2: the XML's DOCTYPE has an internal subset (where entities are declared); "
        "refused, as it could expand entities or read files"
    ]
