"""Nothing runs off the page and nothing a reader copies is altered: read back from a real PDF.

The fixture project `overflow` holds what used to run off the page: long URLs in prose and in links,
an e-mail address, a path, a 120-character token in a table cell, inline code, code lines too long
for the page, a code block and a table longer than a page, an eight-column table and an image 3000
pixels wide. It is built with --strict, so the layout audit must find nothing either.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from PIL import Image

from tests.conftest import FIXTURES, strict_build

MM = 72 / 25.4
A5_WIDTH, A5_HEIGHT = 148 * MM, 210 * MM
TEXT_LEFT, TEXT_RIGHT = 15 * MM, (148 - 15) * MM
"""The text block of styles/page.css: 15 mm side margins."""
TEXT_TOP, TEXT_BOTTOM = 18 * MM, (210 - 20) * MM
TOLERANCE = 0.5
URL = "https://docs.example.org/reference/configuration/advanced-options/networking-and-reverse-proxies.html"
TOKEN = "A" * 40 + "b" * 40 + "C" * 40
CODE_LINE = (
    "result = some_function_with_a_long_name(argument_one, argument_two, argument_three, "
    "argument_four_internationalization)"
)
COPIED_EXACTLY = [
    URL,
    "somebody.with.a.long.name@subdomain.example-university.edu",
    "/usr/local/share/applications/organization-internationalization/configuration.desktop",
    TOKEN,
    "https://example.org/terms/internationalization",
    "https://fixture-blog.test/2024/01/long-urls-paths-and-tokens-that-must-copy-exactly/",
]
RUNNING_HEADS = {"", "Long Code Lines and Blocks", "Wide and Long Tables and Images"}


@pytest.fixture(scope="module")
def overflow_pdf(tmp_path_factory: pytest.TempPathFactory, epoch: str) -> Path:
    output = tmp_path_factory.mktemp("overflow") / "overflow.pdf"
    strict_build(FIXTURES / "projects" / "overflow", output)
    return output


@pytest.fixture(scope="module")
def pdf(overflow_pdf: Path) -> Iterator[Any]:
    with pdfplumber.open(overflow_pdf) as opened:
        yield opened


def _pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_no_character_leaves_the_text_block_sideways(pdf: Any) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        assert (page.width, page.height) == pytest.approx((A5_WIDTH, A5_HEIGHT), abs=0.1)
        outside = [
            c["text"]
            for c in page.chars
            if not TEXT_LEFT - TOLERANCE <= c["x0"] <= c["x1"] <= TEXT_RIGHT + TOLERANCE
        ]
        assert outside == [], f"page {number}"


def test_only_the_running_head_and_page_number_sit_in_the_margins(pdf: Any) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        head = "".join(c["text"] for c in page.chars if c["bottom"] < TEXT_TOP)
        foot = "".join(c["text"] for c in page.chars if c["top"] > TEXT_BOTTOM)
        assert head in RUNNING_HEADS, f"page {number}"
        assert foot == "" or foot.isdigit(), f"page {number}"


def test_images_rules_and_backgrounds_fit_the_text_block(pdf: Any) -> None:
    cover, *pages = pdf.pages
    assert [(r["x0"], r["top"], r["width"], r["height"]) for r in cover.rects] == [
        pytest.approx((0, 0, A5_WIDTH, A5_HEIGHT))
    ]  # the cover's full-bleed background, the one shape meant to reach the edges
    assert sum(len(page.images) for page in pages) == 1
    shapes = [shape for page in pages for shape in page.images + page.lines + page.rects + page.curves]
    for shape in shapes:
        assert TEXT_LEFT - TOLERANCE <= shape["x0"] <= shape["x1"] <= TEXT_RIGHT + TOLERANCE
        assert TEXT_TOP - TOLERANCE <= shape["top"] <= shape["bottom"] <= TEXT_BOTTOM + TOLERANCE


@pytest.mark.parametrize("expected", COPIED_EXACTLY)
def test_addresses_paths_and_tokens_copy_out_exactly_with_pdftotext(
    overflow_pdf: Path, expected: str
) -> None:
    """Each wraps over lines; joined again, the copy is the text as written: no hyphen, no extra character."""
    joined = _pdftotext(overflow_pdf).replace("\n", "")
    assert expected in joined


@pytest.mark.parametrize(
    "expected",
    [
        *COPIED_EXACTLY,
        CODE_LINE,
        'path = "/srv/data/exports/2024/quarterly-reports/internationalization/'
        'configuration-backup-final.tar.gz"',
    ],
)
def test_the_characters_in_the_pdf_are_exactly_the_text_as_written(pdf: Any, expected: str) -> None:
    """A code block keeps the space where it wraps, so even its characters run on unchanged."""
    text = "".join(c["text"] for page in pdf.pages for c in page.chars)
    assert expected in text


def test_inline_code_copies_out_as_written_where_it_wraps_at_a_space(overflow_pdf: Path) -> None:
    """Prose drops the space it wraps at, as any text does: the copy has a line break there instead."""
    words = " ".join(_pdftotext(overflow_pdf).split())
    assert "some_module.some_function_with_a_long_name(argument_one, argument_two)" in words


def test_no_invisible_break_character_is_copied(overflow_pdf: Path, pdf: Any) -> None:
    text = _pdftotext(overflow_pdf) + "".join(c["text"] for page in pdf.pages for c in page.chars)
    assert "\u200b" not in text and "\u2060" not in text and "\u00ad" not in text


def test_every_line_of_a_code_block_longer_than_a_page_is_there_once(overflow_pdf: Path) -> None:
    lines = _pdftotext(overflow_pdf).splitlines()
    for number in range(1, 91):
        assert lines.count(f"line_{number:03d} = compute(value_{number:03d})") == 1, number


def test_code_and_tables_longer_than_a_page_break_across_pages(pdf: Any) -> None:
    def page_of(text: str) -> int:
        return next(i for i, page in enumerate(pdf.pages) if text in (page.extract_text() or ""))

    assert page_of("line_001 = compute") < page_of("line_090 = compute")
    assert page_of("row 1 note 1") < page_of("row 80 note 80")
    # The table's head repeats on each page it spans.
    for index in range(page_of("row 1 note 1"), page_of("row 80 note 80") + 1):
        assert "Number Row Note" in (pdf.pages[index].extract_text() or "")


def test_wrapped_code_lines_show_a_continuation_mark_in_their_indent(
    overflow_pdf: Path, pdf: Any, tmp_path: Path
) -> None:
    """The mark is drawn, not text (so it is never copied): look for ink in the hanging indent."""
    index = next(i for i, page in enumerate(pdf.pages) if "argument_three" in (page.extract_text() or ""))
    words = {w["text"]: w for w in pdf.pages[index].extract_words()}
    first, continued = words["result"], words["argument_three,"]
    assert continued["x0"] > first["x0"] + 5  # the continuation is indented
    dpi = 150
    scale = dpi / 72
    png = tmp_path / "page"
    page_number = str(index + 1)
    paths = [str(overflow_pdf), str(png)]
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", page_number, "-l", page_number, "-singlefile", *paths],
        check=True,
    )
    indent = (first["x0"], continued["top"], continued["x0"] - 1, continued["bottom"])
    region = Image.open(png.with_suffix(".png")).convert("L").crop(tuple(int(v * scale) for v in indent))
    assert min(region.get_flattened_data()) < 160  # grey ink on the light code background
