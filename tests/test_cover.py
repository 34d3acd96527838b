"""A cover photo: full-bleed under the title, credited on the credits page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from guide import GuideError, check
from tests.conftest import FIXTURES, strict_build
from tests.pdf_reader import ReadPdf


def _project(folder: Path, extra: str) -> Path:
    project = folder / "basic"
    shutil.copytree(FIXTURES / "projects" / "basic", project)
    manifest = project / "guide.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("chapters = [", extra + "chapters = ["))
    return project


def test_cover_photo_bleeds_under_the_title_and_is_credited(tmp_path: Path, epoch: str) -> None:
    project = _project(tmp_path, 'cover_image = "cover.png"\ncover_credit = "Photo: Cora Camera"\n')
    Image.new("RGB", (1200, 900), "darkolivegreen").save(project / "cover.png")
    strict_build(project, tmp_path / "cover.pdf")
    pdf = ReadPdf(tmp_path / "cover.pdf")
    with pdfplumber.open(pdf.path) as document:
        cover = document.pages[0]
        (photo,) = cover.images
        # Full bleed: the photo reaches the left, right and bottom edges of the page.
        assert (
            photo["x0"] <= 0.01
            and photo["x1"] >= cover.width - 0.01
            and photo["bottom"] >= cover.height - 0.01
        )
        title_bottom = max(w["bottom"] for w in cover.extract_words() if w["text"] in ("Fixture", "Guide"))
        assert title_bottom < photo["top"]  # the title stands above the photo
    credits = " ".join("\n".join(pdf.page_texts[pdf.page_starting("Credits") :]).split())
    assert "Cover: Photo: Cora Camera" in credits


def test_a_missing_cover_image_is_a_located_error(tmp_path: Path) -> None:
    project = _project(tmp_path, 'cover_image = "nowhere.jpg"\n')
    with pytest.raises(GuideError) as raised:
        check(project)
    assert [str(d) for d in raised.value.diagnostics] == ["guide.toml:9: cover image 'nowhere.jpg' not found"]
