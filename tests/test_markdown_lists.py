"""Lists as bloggers nest them: by two, three or four spaces; ordered sub-lists; fences in items;
a list right after a paragraph line. Structure is asserted, not loose or tight <p>."""

from __future__ import annotations

import lxml.html
import pytest

from guide.sources.markdown import markdown_to_html


def _shape(html: str) -> list[object]:
    """Lists as (tag, [item shapes]); code as ('code', text); other text as 'text'."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return _children(root)


def _children(element: lxml.html.HtmlElement) -> list[object]:
    shape: list[object] = ["text"] if (element.text or "").strip() else []
    for child in element:
        if child.tag in ("ul", "ol"):
            shape.append((child.tag, [_children(li) for li in child]))
        elif child.tag == "pre":
            shape.append(("code", child.text_content()))
        elif child.tag == "p":
            shape.extend(_children(child) or ["text"])
        elif shape[-1:] != ["text"]:
            shape.append("text")
        if (child.tail or "").strip() and shape[-1:] != ["text"]:
            shape.append("text")
    return shape


@pytest.mark.parametrize(
    ("markdown", "shape"),
    [
        ("* Documents\n  * Passport\n  * Visa\n* Money\n",
         [("ul", [["text", ("ul", [["text"], ["text"]])], ["text"]])]),
        ("- a\n   - b\n      - c\n",
         [("ul", [["text", ("ul", [["text", ("ul", [["text"]])]])]])]),
        ("- a\n    - b\n        - c\n",
         [("ul", [["text", ("ul", [["text", ("ul", [["text"]])]])]])]),
        ("1. Book the train\n  1. Compare fares\n  2. Pay\n2. Pack\n",
         [("ol", [["text", ("ol", [["text"], ["text"]])], ["text"]])]),
        ("1. Book\n   - a ticket\n   - a seat\n2. Go\n",
         [("ol", [["text", ("ul", [["text"], ["text"]])], ["text"]])]),
        ("- Install:\n\n  ```sh\n  make pdf\n  ```\n\n- Done\n",
         [("ul", [["text", ("code", "make pdf\n")], ["text"]])]),
        ("1. Run\n\n   ```\n   guide build\n     --strict\n   ```\n",
         [("ol", [["text", ("code", "guide build\n  --strict\n")]])]),
        ("We need:\n- bread\n- milk\n", ["text", ("ul", [["text"], ["text"]])]),
        ("Steps:\n1. one\n2. two\n", ["text", ("ol", [["text"], ["text"]])]),
        ("The year was\n1984. A good one.\n", ["text"]),
        ("```\n- not\n  - a list\n```\n", [("code", "- not\n  - a list\n")]),
        ("  ```\n  indented fence\n  ```\n", [("code", "indented fence\n")]),
    ],
    ids=["two spaces", "three spaces", "four spaces", "ordered sub-list", "bullets under a number",
         "fence in an item", "fence in a numbered item", "list after a paragraph line",
         "numbered list after a paragraph line", "a number that starts no list", "list in a fence",
         "indented fence"],
)  # fmt: skip
def test_list_structure_as_commonmark_reads_it(markdown: str, shape: list[object]) -> None:
    assert _shape(markdown_to_html(markdown)) == shape


def test_lines_stay_those_of_the_post() -> None:
    html = markdown_to_html("Intro\n\n* a\n  * b\n    more\n* c\n", 10)
    assert [line.split('"')[1] for line in html.split("data-source-line=")[1:]] == [
        "10", "12", "12", "13", "13", "15",
    ]  # fmt: skip
