"""Images print no wider than the text block and no finer than 150 ppi allows."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from PIL import Image

from guide import check
from guide.resolution import print_size
from tests.pdf_reader import ReadPdf


def test_an_image_without_a_width_prints_at_150_ppi_or_finer() -> None:
    assert print_size(600, None, None, 118.0).width_mm == 101.6  # 4 in
    assert print_size(3000, None, None, 118.0).width_mm == 118.0  # the text block
    assert print_size(300, "400", None, 118.0).ppi == 72.0  # the post's own 400 px (4 1/6 in)
    assert print_size(300, None, "width: 50mm", 118.0).set_by_post


def test_a_tall_image_is_narrowed_to_keep_its_proportions_under_the_height_cap() -> None:
    # 600 x 800 px: 101.6 mm wide at 150 ppi would be 135.5 mm tall; the cap is 110 mm.
    assert print_size(600, None, None, 118.0, 800).width_mm == 82.5
    assert print_size(600, None, None, 118.0, 400).width_mm == 101.6


def test_the_sample_photo_prints_at_150_ppi(sample_pdf: ReadPdf) -> None:
    with pdfplumber.open(sample_pdf.path) as pdf:
        images = [image for page in pdf.pages for image in page.images]
    assert len(images) == 1
    width_in = (images[0]["x1"] - images[0]["x0"]) / 72
    assert round(images[0]["srcsize"][0] / width_in) == 150  # 600 px over 4 in (was 134 ppi)


def test_an_image_the_post_sizes_below_150_ppi_is_a_warning_naming_post_and_line(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    Image.new("RGB", (300, 200), "teal").save(tmp_path / "posts" / "small.png")
    (tmp_path / "posts" / "a.md").write_text(
        '---\ntitle: A\ncredits: [Photo by me]\n---\nIntro.\n\n![A teal square](small.png){: width="400"}\n',
        encoding="utf-8",
    )
    (tmp_path / "guide.toml").write_text('title = "T"\nauthor = "A"\nchapters = ["posts/a.md"]\n')
    warnings = [str(w) for w in check(tmp_path)]
    assert warnings == [
        "posts/a.md:7: warning: image 'small.png' prints at 72 ppi, below 150: "
        "its 300 pixels over 106 mm; use a larger file or a smaller width"
    ]
