"""Cross-references print where they lead; the print edition prints addresses and page numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from guide import BuildOptions, build, load_book
from guide.errors import Report
from guide.manifest import Edition, load_manifest
from guide.render import RenderOptions
from guide.typesetting.parts import unsupported_reason
from tests.conftest import FIXTURES
from tests.pdf_reader import ReadPdf


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_link_showing_its_address_prints_the_chapter_title_and_page(sample_pdf: ReadPdf) -> None:
    page = sample_pdf.printed_number(sample_pdf.page_starting_label("PART 8"))
    chapters = _flat("\n".join(sample_pdf.page_texts[: sample_pdf.page_starting("Credits")]))
    assert f"Part 8: Moderation Without Burnout (page {page})" in chapters
    assert "part-8-moderation-without-" not in chapters  # the address is in the credits only
    credits = _flat("\n".join(sample_pdf.page_texts[sample_pdf.page_starting("Credits") :]))
    assert "part-8-moderation-without-burnout" in credits.replace(" ", "")


def test_a_link_with_its_own_text_keeps_it_and_adds_the_page(sample_pdf: ReadPdf) -> None:
    two = sample_pdf.printed_number(sample_pdf.page_starting_label("PART 2"))
    four = sample_pdf.printed_number(sample_pdf.page_starting_label("PART 4"))
    text = _flat(sample_pdf.text)
    assert f"you wrote down in part two (page {two})" in text
    assert f"house rules from part four (page {four})" in text


def test_outside_links_show_only_their_text_on_screen(basic_pdf: ReadPdf) -> None:
    recap = _flat(basic_pdf.page_texts[basic_pdf.page_starting("Recap")])
    assert "An outside link stays outside: WeasyPrint." in recap
    assert "weasyprint.org" not in recap


@pytest.fixture(scope="module")
def print_pdf(tmp_path_factory: pytest.TempPathFactory, epoch: str) -> ReadPdf:
    output = tmp_path_factory.mktemp("print") / "print.pdf"
    build(FIXTURES / "projects" / "basic", output, BuildOptions(strict=True, edition=Edition.PRINT))
    return ReadPdf(output)


def test_print_edition_prints_outside_addresses_as_footnotes_and_references_as_pages(
    print_pdf: ReadPdf,
) -> None:
    recap = _flat(print_pdf.page_texts[print_pdf.page_starting("Recap")])
    listening = print_pdf.printed_number(print_pdf.page_starting("Starting With Listening"))
    second = print_pdf.printed_number(print_pdf.page_starting("The Second Step"))
    assert f"We began by listening (page {listening}), took the second step (page {second})" in recap
    assert "An outside link stays outside: WeasyPrint1." in recap  # the footnote call
    assert "1. https://weasyprint.org/" in recap  # the footnote, at the foot of the same page


def test_edition_is_read_from_guide_toml(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "a.md").write_text("---\ntitle: A\n---\nBody\n")
    (project / "guide.toml").write_text('title = "T"\nauthor = "A"\nedition = "print"\nchapters = ["a.md"]\n')
    assert load_manifest(project).edition is Edition.PRINT


def test_a_book_with_cross_references_is_laid_out_in_parts_unless_its_own_css_prints_targets() -> None:
    book = load_book(FIXTURES / "projects" / "basic", Report())
    options = RenderOptions(created=dt.datetime(2024, 6, 1, tzinfo=dt.UTC))
    assert unsupported_reason(book, options) is None  # the parts print the pages as numbers written in
    own = "a::after { content: target-counter(attr(href), page) }"
    author = RenderOptions(options.created, extra_css=own)
    assert "targets" in (unsupported_reason(book, author) or "")
