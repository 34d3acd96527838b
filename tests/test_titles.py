"""Balanced title lines on the cover and at each chapter opening, measured in the PDF with pdfplumber."""

from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pytest

from guide import BuildOptions, build, titles
from guide.titles import balance_title, balanced_lines
from tests.pdf_reader import ReadPdf

MOST_UNEVEN = 1.35
"""The longest line of a balanced title over its shortest (greedy filling gave up to 3.35 in the sample)."""
LONG_TITLE = "The Quiet Work of Building a Community Around a Very Small Handmade Business"
LONG_CHAPTER = "What We Learned When Our Forum Grew From Twelve Members to Several Thousand"


def title_lines(path: Path, smallest_pt: float) -> dict[int, list[tuple[str, float]]]:
    """Each page's lines set at `smallest_pt` or larger: their text and width in points."""
    found: dict[int, list[tuple[str, float]]] = {}
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            lines: dict[int, list[dict[str, float | str]]] = {}
            for word in page.extract_words(extra_attrs=["size"]):
                if float(word["size"]) >= smallest_pt:
                    lines.setdefault(round(float(word["top"])), []).append(word)
            found[page.page_number] = [
                (
                    " ".join(str(w["text"]) for w in words),
                    max(float(w["x1"]) for w in words) - min(float(w["x0"]) for w in words),
                )
                for _top, words in sorted(lines.items())
            ]
    return found


def assert_balanced(lines: list[tuple[str, float]]) -> None:
    assert len(lines) >= 2, lines
    widths = [width for _text, width in lines]
    assert max(widths) / min(widths) <= MOST_UNEVEN, lines
    assert all(len(text.split()) >= 2 for text, _width in lines), lines  # no line holds one word


@pytest.fixture(scope="module")
def long_titles(tmp_path_factory: pytest.TempPathFactory, epoch: str) -> Path:
    project = tmp_path_factory.mktemp("titles")
    (project / "chapters").mkdir()
    (project / "chapters" / "one.md").write_text(
        f"---\ntitle: {LONG_CHAPTER}\n---\n\nText.\n", encoding="utf-8"
    )
    (project / "guide.toml").write_text(
        f'title = "{LONG_TITLE}"\nauthor = "Ann Lee"\nchapters = ["chapters/one.md"]\n', encoding="utf-8"
    )
    output = project / "build" / "guide.pdf"
    build(project, output, BuildOptions(strict=True, jobs=1))
    return output


def test_a_long_cover_title_breaks_into_even_lines(long_titles: Path) -> None:
    lines = title_lines(long_titles, 25)[1]
    assert " ".join(text for text, _ in lines) == LONG_TITLE
    assert len(lines) == 3  # as many lines as greedy filling needs, no more
    assert_balanced(lines)


def test_a_long_chapter_title_breaks_into_even_lines(long_titles: Path) -> None:
    opening = next(
        lines for lines in title_lines(long_titles, 18.5).values() if lines and "Learned" in lines[0][0]
    )
    assert " ".join(text for text, _ in opening) == LONG_CHAPTER
    assert_balanced(opening)


def test_the_sample_titles_are_balanced(sample_pdf: ReadPdf) -> None:
    pages = title_lines(sample_pdf.path, 18.5)
    broken = {page: lines for page, lines in pages.items() if len(lines) >= 2}
    assert 1 in broken  # the cover
    assert len(broken) >= 6  # the cover and the chapter titles that take two lines
    for lines in broken.values():
        assert_balanced(lines)


def test_the_title_reads_as_one_line_in_the_outline(long_titles: Path) -> None:
    titles = [item.title for item in ReadPdf(long_titles).reader.outline if not isinstance(item, list)]
    assert LONG_CHAPTER in titles


def test_breaks_avoid_one_word_lines_and_lines_ending_in_a_short_word() -> None:
    # Widths of "a b c d" as if each word were 10 wide: two lines of two words.
    assert balanced_lines([10, 10, 10, 10], 2, 30) == [2]
    assert balanced_lines([10, 10, 10, 10], 2, 60) == []  # one line fits
    # "A Weekly Rhythm a Small Team Can Keep": never end a line on the lone "a".
    widths = [9, 48, 50, 7, 34, 28, 25, 28]
    short = [True, False, False, True, False, False, False, False]
    assert balanced_lines(widths, 4, 240, short) == [3]


def test_the_title_fonts_metrics_are_kept_in_the_cache_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = "The Quiet Work of Building <br>a Community Around a Very <br>Small Handmade Business"
    titles._font.cache_clear()
    assert balance_title(LONG_TITLE, "cover", "A5", tmp_path) == broken
    [entry] = tmp_path.iterdir()
    titles._font.cache_clear()  # a new process reads the entry, not the font file

    def unread(*args: object, **kwargs: object) -> None:
        raise AssertionError("the font file was read")

    monkeypatch.setattr(titles, "TTFont", unread)
    assert balance_title(LONG_TITLE, "cover", "A5", tmp_path) == broken
    record = json.loads(entry.read_bytes())
    record["advances"] = [[point, 1] for point, _width in record["advances"]]  # what is read is used:
    entry.write_text(json.dumps(record))  # so narrow a font that the title fits on one line
    titles._font.cache_clear()
    one_line = LONG_TITLE.replace("Handmade Business", '<span class="together">Handmade Business</span>')
    assert balance_title(LONG_TITLE, "cover", "A5", tmp_path) == one_line
    titles._font.cache_clear()


@pytest.mark.parametrize(
    "damage", ["", "{", "[]", '{"units": 0, "advances": [[65, 500]]}', '{"units": 1000, "advances": [[65]]}']
)
def test_a_damaged_metrics_entry_is_made_again_from_the_font(damage: str, tmp_path: Path) -> None:
    titles._font.cache_clear()
    fresh = balance_title(LONG_CHAPTER, "chapter", "A5")
    titles._font.cache_clear()
    balance_title(LONG_CHAPTER, "chapter", "A5", tmp_path)
    [entry] = tmp_path.iterdir()
    entry.write_text(damage)
    titles._font.cache_clear()
    assert balance_title(LONG_CHAPTER, "chapter", "A5", tmp_path) == fresh
    assert json.loads(entry.read_bytes())["units"] == 1000  # written again
    titles._font.cache_clear()
