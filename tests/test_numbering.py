"""One numbering scheme: a series' own numbers, or the book's."""

from __future__ import annotations

import re

import pytest

from guide.numbering import Numbered, number_chapters, series_number
from tests.pdf_reader import ReadPdf


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Part 3: Moderation Without Burnout", ("Part", 3, "Moderation Without Burnout")),
        ("Part 3 of 13: Moderation", ("Part", 3, "Moderation")),
        ("3/13: Moderation", ("Part", 3, "Moderation")),
        ("3/13 Moderation", ("Part", 3, "Moderation")),
        ("Chapter 3 – Moderation", ("Chapter", 3, "Moderation")),
        ("Lesson 12. Knots", ("Lesson", 12, "Knots")),
        ("Moderation (3/13)", ("Part", 3, "Moderation")),
        ("Moderation (Part 3 of 13)", ("Part", 3, "Moderation")),
        ("Series Recap: Community Building", None),
        ("2024: A Year of Members", None),
        ("Partners 3: Nope", None),
        ("3.10", None),
    ],
)
def test_series_number_in_a_title(title: str, expected: tuple[str, int, str] | None) -> None:
    assert series_number(title) == expected


def test_titles_with_series_numbers_use_them_and_an_unnumbered_recap_stays_unnumbered() -> None:
    assert number_chapters(["Part 1: Start", "Part 2: Grow", "Series Recap"]) == [
        Numbered("Part 1", "1", "Start"),
        Numbered("Part 2", "2", "Grow"),
        Numbered(None, "", "Series Recap"),
    ]


def test_titles_without_series_numbers_are_numbered_by_the_book() -> None:
    assert number_chapters(["Start", "Part 2: Grow", "Recap"]) == [
        Numbered("Chapter 1", "1", "Start"),
        Numbered("Chapter 2", "2", "Part 2: Grow"),
        Numbered("Chapter 3", "3", "Recap"),
    ]


def test_repeated_series_numbers_fall_back_to_the_book_numbering() -> None:
    assert [n.label for n in number_chapters(["Part 1: A", "Part 1: B"])] == ["Chapter 1", "Chapter 2"]


def test_no_chapter_label_is_printed_twice_in_the_sample(sample_pdf: ReadPdf) -> None:
    text = sample_pdf.text
    assert "CHAPTER" not in text  # the series' own numbers label the chapters
    for part in range(1, 13):
        opening = sample_pdf.page_texts[sample_pdf.page_starting_label(f"PART {part}")]
        assert f"Part {part}:" not in opening  # the label carries the number; the title does not repeat it
    contents = sample_pdf.page_texts[1]
    assert not re.search(r"\b(\d+)\s+Part \1\b", contents)  # "1  Part 1: ..." was the number twice
    assert "Part " not in contents
    credits = " ".join("\n".join(sample_pdf.page_texts[sample_pdf.page_starting("Credits") :]).split())
    assert not re.search(r"\b(\d+)\. Part \1\b", credits)
    assert credits.count("Part 8: Moderation Without Burnout") == 1
