"""The layout audit: each box crossing the text block, each text cut off, each link leading nowhere.

Documents with known geometry, rendered by real WeasyPrint; the expected warnings are literals. The
page is 100 x 150 mm with 10 mm margins, so the text block is 80 x 130 mm.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import weasyprint

from guide import BuildOptions, build
from guide.audit import audit_document
from guide.errors import GuideError
from tests.conftest import FIXTURES

PAGE = """<!DOCTYPE html><html><head><style>
@page { size: 100mm 150mm; margin: 10mm; }
body { margin: 0; font-size: 10pt; }
p { margin: 0; }
</style></head><body><section data-source-path="chapters/a.md">{body}</section></body></html>"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<p data-source-line="3">Fits.</p>', []),
        (
            '<div data-source-line="5" style="width: 120mm; height: 5mm"></div>',
            ["chapters/a.md:5: warning: a <div> runs 40.0 mm past the right edge of the text area on page 1"],
        ),
        (
            '<table data-source-line="7" style="width: 100mm"><tr><td>x</td></tr></table>',
            ["chapters/a.md:7: warning: a table runs 20.0 mm past the right edge of the text area on page 1"],
        ),
        (
            '<p data-source-line="2" style="margin-left: -15mm">Pulled left.</p>',
            ["chapters/a.md:2: warning: a <p> runs 15.0 mm past the left edge of the text area on page 1"],
        ),
        (  # an image taller than the page cannot break: it runs off the bottom
            '<p>Intro.</p><img data-source-line="9" style="display: block; width: 10mm; height: 200mm" '
            "src=\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='20'/%3E\">",
            ["chapters/a.md:9: warning: an image runs 70.0 mm past the bottom of the text area on page 2"],
        ),
        (  # the alt text of an image that failed to load shows in full
            '<p data-source-line="4"><img src="missing.png" alt="A photo"></p>',
            [],
        ),
        (  # text below the bottom of a block that hides its overflow
            '<div style="overflow: hidden; height: 5mm"><p data-source-line="6">One</p>'
            '<p data-source-line="7">Two</p><p>Three</p></div>',
            [
                "chapters/a.md:7: warning: text 'Two' is cut off on page 1",
                "chapters/a.md: warning: text 'Three' is cut off on page 1",
            ],
        ),
        (  # text inside a block that hides its overflow
            '<div style="overflow: hidden; width: 10mm; white-space: nowrap">'
            '<p data-source-line="11">Hidden beyond the edge</p></div>',
            ["chapters/a.md:11: warning: text 'Hidden beyond the edge' is cut off on page 1"],
        ),
        (  # the line comes from the nearest element that carries one; past the page edge is cut off
            '<ul data-source-line="20"><li style="white-space: nowrap">' + "word " * 40 + "</li></ul>",
            [f"chapters/a.md:20: warning: text '{'word ' * 7}word…' is cut off on page 1"],
        ),
        (  # the last block's bottom margin at the document's end runs past the page: truncated, not a fault
            '<p data-source-line="3" style="height: 125mm; margin-bottom: 20mm">Ends the book.</p>',
            [],
        ),
        (  # but a box as tall as its style asks still runs off the bottom
            '<div data-source-line="8" style="height: 140mm; margin-bottom: 20mm"></div>',
            ["chapters/a.md:8: warning: a <div> runs 10.0 mm past the bottom of the text area on page 1"],
        ),
        (
            '<p data-source-line="13">Go <a href="#missing">there</a> and <a href="#ok" id="ok">it</a>.</p>',
            [
                "chapters/a.md:13: warning: link to '#missing' leads nowhere (no element has that id)"
                " on page 1"
            ],
        ),
    ],
)
def test_audit_warns_at_the_source_of_each_problem(body: str, expected: list[str]) -> None:
    document = weasyprint.HTML(string=PAGE.replace("{body}", body)).render()
    found = [str(d) for d in audit_document(document)]
    assert found == expected


def test_a_box_outside_any_post_is_blamed_on_the_layout() -> None:
    html = PAGE.replace('<section data-source-path="chapters/a.md">', "<section>").replace(
        "{body}", '<div style="width: 90mm; height: 1mm"></div>'
    )
    found = [str(d) for d in audit_document(weasyprint.HTML(string=html).render())]
    assert found == ["<layout>: warning: a <div> runs 10.0 mm past the right edge of the text area on page 1"]


def test_a_link_to_an_anchor_in_another_chunk_is_not_missing() -> None:
    html = PAGE.replace("{body}", '<p><a href="#elsewhere">there</a></p>')
    assert audit_document(weasyprint.HTML(string=html).render(), other_anchors={"elsewhere"}) == []


STYLE_THAT_OVERFLOWS = "img { max-width: none; width: 200mm; }\n"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_warns_with_the_post_and_strict_makes_it_fatal(tmp_path: Path, epoch: str, jobs: int) -> None:
    """The audit runs on every build, in one document or in parts: an author's stylesheet that undoes
    the wrapping is caught, on the page of the whole PDF."""
    style = tmp_path / "wide.css"
    style.write_text(STYLE_THAT_OVERFLOWS, encoding="utf-8")
    project = FIXTURES / "projects" / "overflow"
    result = build(project, tmp_path / "guide.pdf", BuildOptions(style=style, jobs=jobs))
    assert [str(w) for w in result.warnings] == [
        "posts/wide_and_long_tables_and_images.md:14: warning: an image runs 82.0 mm past the right edge"
        " of the text area on page 7"
    ]
    with pytest.raises(GuideError) as raised:
        build(project, tmp_path / "strict.pdf", BuildOptions(style=style, strict=True, jobs=jobs))
    assert [str(d) for d in raised.value.diagnostics] == [str(w) for w in result.warnings]
    assert not (tmp_path / "strict.pdf").exists()
