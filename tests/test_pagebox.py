"""The one module that reads WeasyPrint's internal box tree: fails loudly when an upgrade moves it.

A tiny document with known geometry, rendered by real WeasyPrint; every expected value is a literal.
"""

from __future__ import annotations

from dataclasses import astuple

import pytest
import weasyprint

from guide import pagebox

MM = 72 / 25.4
SVG = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='4' height='1'/%3E"
HTML = """<!DOCTYPE html><html><head><style>
@page { size: 100mm 150mm; margin: 10mm 20mm; }
body { margin: 0; }
p { margin: 0; width: 30mm; height: 12mm; font-size: 10pt; }
img { display: block; width: 40mm; height: 10mm; }
.clip { overflow: hidden; width: 20mm; height: 10mm; }
</style></head><body>
<section data-source-path="chapters/a.md">
<p data-source-line="4" id="here">Hello <a href="#nowhere">there</a></p>
<img data-source-line="9" src="{SVG}">
<div class="clip"><p>x</p></div>
</section></body></html>""".replace("{SVG}", SVG)


@pytest.fixture(scope="module")
def document() -> weasyprint.Document:
    return weasyprint.HTML(string=HTML).render()


def test_the_page_box_gives_the_page_and_its_content_area_in_points(document: weasyprint.Document) -> None:
    (page,) = pagebox.pages(document)
    assert astuple(pagebox.page_edges(page)) == pytest.approx((0, 0, 100 * MM, 150 * MM))
    assert astuple(pagebox.page_area(page)) == pytest.approx((20 * MM, 10 * MM, 80 * MM, 140 * MM))


def test_boxes_come_parents_first_with_kind_tag_place_text_and_source(document: weasyprint.Document) -> None:
    (page,) = pagebox.pages(document)
    found = [(b.kind, b.tag, b.text, b.source_path, b.source_line) for b in pagebox.boxes_of(page)]
    assert found[:9] == [
        ("block", "html", "", None, None),
        ("block", "body", "", None, None),
        ("block", "section", "", "chapters/a.md", None),
        ("block", "p", "", "chapters/a.md", 4),
        ("line", "p", "", "chapters/a.md", 4),
        ("text", "p", "Hello ", "chapters/a.md", 4),
        ("inline", "a", "", "chapters/a.md", 4),
        ("text", "a", "there", "chapters/a.md", 4),
        ("image", "img", "", "chapters/a.md", 9),
    ]
    paragraph = next(b for b in pagebox.boxes_of(page) if b.tag == "p")
    assert astuple(paragraph.rect) == pytest.approx((20 * MM, 10 * MM, 50 * MM, 22 * MM))
    image = next(b for b in pagebox.boxes_of(page) if b.kind == "image")
    assert astuple(image.rect) == pytest.approx((20 * MM, 22 * MM, 60 * MM, 32 * MM))


def test_a_box_inside_overflow_hidden_carries_the_clip(document: weasyprint.Document) -> None:
    (page,) = pagebox.pages(document)
    clipped = [b for b in pagebox.boxes_of(page) if b.kind == "text" and b.text == "x"]
    assert [astuple(b.clip) for b in clipped] == [pytest.approx((20 * MM, 32 * MM, 40 * MM, 42 * MM))]


def test_internal_links_and_anchors(document: weasyprint.Document) -> None:
    (page,) = pagebox.pages(document)
    links = pagebox.internal_links(document, 0)
    assert [link.target for link in links] == ["nowhere"]
    assert pagebox.anchors(document) == {"here"}
    carriers = [b.tag for b in pagebox.boxes_of(page) if b.key == links[0].key]
    assert carriers == ["a"]
