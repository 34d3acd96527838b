"""Figures never leave more than a third of a page empty above them: the text fills in, or they shrink.

A constructed project: chapter 1 has two paragraphs, then a tall photo (the foot of its first page
would stay half empty); chapter 2 has a page and a half of text, then the same photo, which nearly
fits. Built by real WeasyPrint in one document and in parts, read back with pdfplumber.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from PIL import Image, ImageDraw

from guide import BuildOptions, build, figures

PT_PER_MM = 72 / 25.4
BLOCK_TOP = 18 * PT_PER_MM
BLOCK_FOOT = (210 - 20) * PT_PER_MM
"""A5 with styles/page.css's margins: the text block runs from 18 mm to 190 mm down the page."""
THIRD = (BLOCK_FOOT - BLOCK_TOP) / 3
FULL_HEIGHT = 110 * PT_PER_MM
"""The photo's height at full size: styles/type.css caps images at 110 mm."""
PARAGRAPH = (
    "Small teams build communities one conversation at a time, and the habits that make a "
    "conversation worth joining are the same ones that keep a shop worth visiting. "
) * 2
CAPTION = "A tall photo of a disc."


def _chapter(title: str, before: int, after: int) -> str:
    """Each paragraph starts with a mark, 'R1.' to 'R7.' in a chapter titled 'Room...'."""
    body = "\n\n".join(f"{title[0]}{n}. {PARAGRAPH}" for n in range(1, before + 1))
    rest = "\n\n".join(f"{title[0]}{n}. {PARAGRAPH}" for n in range(before + 1, before + after + 1))
    return (
        f"---\ntitle: {title}\ncredits: ['Photo: Ann Lee']\n---\n\n{body}\n\n"
        f'![A yellow disc on blue](images/tall.png "{CAPTION}")\n\n{rest}\n'
    )


def _table_chapter() -> str:
    """Two paragraphs, then a table of five tall rows that cannot break (three rows stay together)."""
    cell = "A long cell that wraps over several lines of the narrow column so the row grows tall. " * 2
    rows = "\n".join(f"| Step {n} | {cell} |" for n in range(1, 6))
    body = "\n\n".join(f"T{n}. {PARAGRAPH}" for n in range(1, 3))
    rest = "\n\n".join(f"T{n}. {PARAGRAPH}" for n in range(3, 8))
    return f"---\ntitle: Table Pushed\n---\n\n{body}\n\n| Step | What |\n|---|---|\n{rows}\n\n{rest}\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("figures")
    (root / "chapters" / "images").mkdir(parents=True)
    image = Image.new("RGB", (600, 800), "#3a6ea5")
    ImageDraw.Draw(image).ellipse((100, 100, 500, 700), fill="#f0c040")
    image.save(root / "chapters" / "images" / "tall.png")
    (root / "chapters" / "01-short-lead.md").write_text(_chapter("Room to Fill", 2, 5), encoding="utf-8")
    (root / "chapters" / "02-nearly-fits.md").write_text(_chapter("Nearly Fits", 7, 5), encoding="utf-8")
    (root / "chapters" / "03-table.md").write_text(_table_chapter(), encoding="utf-8")
    (root / "guide.toml").write_text(
        'title = "Figures"\nauthor = "Ann Lee"\n'
        'chapters = ["chapters/01-short-lead.md", "chapters/02-nearly-fits.md", "chapters/03-table.md"]\n',
        encoding="utf-8",
    )
    return root


def _build(project: Path, name: str, jobs: int) -> Path:
    output = project / "build" / name
    build(project, output, BuildOptions(strict=True, jobs=jobs, force=True))
    return output


def _empty_above_figures(pdf_path: Path) -> list[float]:
    """For each image opening a page: the points left empty at the foot of the page before."""
    found: list[float] = []
    with pdfplumber.open(pdf_path) as pdf:
        for index, page in enumerate(pdf.pages):
            for image in page.images:
                above = [  # the running head, in the margin, does not count
                    w
                    for w in page.extract_words()
                    if w["top"] > BLOCK_TOP - 2 and w["bottom"] <= image["top"]
                ]
                if index and not above and image["top"] < BLOCK_TOP + 20:
                    words = pdf.pages[index - 1].extract_words()
                    last = max(w["bottom"] for w in words if w["bottom"] < BLOCK_FOOT)
                    found.append(BLOCK_FOOT - last)
    return found


def _images(pdf_path: Path) -> list[tuple[int, float, float, bool]]:
    """Each image: its page, width and height in points, and whether its caption is just below it."""
    found = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for image in page.images:
                below = page.crop((0, image["bottom"], page.width, min(page.height, image["bottom"] + 30)))
                found.append(
                    (page.page_number, image["width"], image["height"], CAPTION in below.extract_text())
                )
    return found


def _text(pdf_path: Path) -> list[str]:
    with pdfplumber.open(pdf_path) as pdf:
        return [" ".join((page.extract_text() or "").split()) for page in pdf.pages]


def test_the_project_leaves_a_gap_without_the_figure_pass(
    project: Path, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    monkeypatch.setattr(figures, "MAX_LAYOUTS", 1)
    gaps = _empty_above_figures(_build(project, "unsettled.pdf", jobs=1))
    assert len(gaps) == 2
    assert min(gaps) > THIRD
    with pdfplumber.open(project / "build" / "unsettled.pdf") as pdf:
        opening = next(page for page in pdf.pages if "T1." in (page.extract_text() or ""))
        assert "T3." not in (opening.extract_text() or "")  # the table went on, leaving the page half empty


@pytest.mark.parametrize("jobs", [1, 2])
def test_no_figure_leaves_a_third_of_a_page_empty(project: Path, jobs: int, epoch: str) -> None:
    pdf = _build(project, f"jobs-{jobs}.pdf", jobs)
    assert all(gap <= THIRD for gap in _empty_above_figures(pdf))
    images = _images(pdf)
    assert len(images) == 2
    for _page, width, height, captioned in images:
        assert captioned
        assert width / height == pytest.approx(600 / 800, abs=0.01)  # never distorted
        assert height >= FULL_HEIGHT * figures.SMALLEST_SHRINK
    marks = [
        word for page in _text(pdf) for word in page.split() if word[:1] in "RNT" and word[1:-1].isdigit()
    ]
    chapters = {"R": 7, "N": 12, "T": 7}
    assert marks == [f"{mark}{n}." for mark, count in chapters.items() for n in range(1, count + 1)]


def test_the_text_fills_in_before_a_table_that_cannot_break(project: Path, epoch: str) -> None:
    with pdfplumber.open(_build(project, "table.pdf", jobs=1)) as pdf:
        opening = next(page for page in pdf.pages if "T1." in (page.extract_text() or ""))
        words = [w for w in opening.extract_words() if w["top"] > BLOCK_TOP - 2 and w["bottom"] < BLOCK_FOOT]
        text = opening.extract_text() or ""
    assert "T3." in text  # written after the table, it fills the page the table left
    assert BLOCK_FOOT - max(w["bottom"] for w in words) <= THIRD


def test_the_text_fills_in_before_a_figure_far_too_tall(project: Path, epoch: str) -> None:
    """Chapter 1: the photo moves below the next paragraphs at full size, as a float would."""
    pdf = _build(project, "moved.pdf", jobs=1)
    first = _images(pdf)[0]
    assert first[2] == pytest.approx(FULL_HEIGHT, abs=1)
    opening = next(page for page in _text(pdf) if "R1." in page)
    assert "R3." in opening  # more than the two paragraphs written before the photo


def test_a_figure_that_nearly_fits_is_made_a_little_smaller(project: Path, epoch: str) -> None:
    """Chapter 2: the photo stays after the paragraph it follows, scaled down a little to fit."""
    pdf = _build(project, "shrunk.pdf", jobs=1)
    page, _width, height, _captioned = _images(pdf)[1]
    assert FULL_HEIGHT * figures.GENTLE_SHRINK <= height < FULL_HEIGHT - 1
    with pdfplumber.open(pdf) as read:
        photo_page = read.pages[page - 1]
        image = photo_page.images[0]
        above = photo_page.crop((0, BLOCK_TOP - 2, photo_page.width, image["top"])).extract_text()
    assert "N7." in above  # the paragraph written before it
    assert "N8." not in above


def test_both_typesetters_place_figures_alike(project: Path, epoch: str) -> None:
    assert _text(_build(project, "one.pdf", 1)) == _text(_build(project, "parts.pdf", 2))
