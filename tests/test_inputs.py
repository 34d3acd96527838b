"""A build knows every file it read, in one process and in parts (cold or cached), so a change to
any of them rebuilds: an SVG's own image and a --style file's url() image included."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from guide import BuildOptions, build
from guide.cli import app
from guide.typesetting.book import _cache

pytestmark = pytest.mark.e2e
runner = CliRunner()
RED, BLUE, GREEN = (220, 20, 20), (20, 20, 220), (20, 160, 20)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
    '<image href="photo.png" width="200" height="100"/></svg>'
)
READ = [
    "guide.toml",
    "chapters/one.md",
    "chapters/two.md",
    "chapters/img/diagram.svg",
    "chapters/img/photo.png",  # loaded by the SVG, named by no post
    "art/leaf.png",  # loaded by the --style file's url()
    "extra.css",
]


def _project(folder: Path) -> Path:
    (folder / "chapters" / "img").mkdir(parents=True)
    (folder / "art").mkdir()
    Image.new("RGB", (200, 100), RED).save(folder / "chapters" / "img" / "photo.png")
    Image.new("RGB", (40, 40), GREEN).save(folder / "art" / "leaf.png")
    (folder / "chapters" / "img" / "diagram.svg").write_text(SVG)
    (folder / "extra.css").write_text('h1 { background: url("art/leaf.png") no-repeat right top; }\n')
    (folder / "guide.toml").write_text(
        'title = "Inputs"\nauthor = "Ann Lee"\ncredits = ["Test images"]\n'
        'chapters = ["chapters/one.md", "chapters/two.md"]\n'
    )
    (folder / "chapters" / "one.md").write_text(
        "---\ntitle: One\n---\n\n![A diagram](img/diagram.svg)\n\nText.\n"
    )
    (folder / "chapters" / "two.md").write_text("---\ntitle: Two\n---\n\nMore text.\n")
    return folder


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_inputs_hold_what_the_typesetter_loaded(tmp_path: Path, epoch: str, jobs: int) -> None:
    project = _project(tmp_path / "p")
    options = BuildOptions(strict=True, style=project / "extra.css", jobs=jobs)
    expected = {(project / path).resolve() for path in READ}
    cold = build(project, tmp_path / "cold.pdf", options)
    assert expected <= cold.inputs
    warm = build(project, tmp_path / "warm.pdf", options)  # with --jobs 2: every part from memory
    assert expected <= warm.inputs
    _cache.cache_clear()  # a new process: the parts come from the cache on disk
    again = build(project, tmp_path / "again.pdf", options)
    assert expected <= again.inputs


def _image_colours(pdf: Path, page: int) -> set[tuple[int, ...]]:
    """The colour at the centre of each image on the page."""
    colours = set()
    for image in PdfReader(pdf).pages[page].images:
        picture = image.image.convert("RGB")
        colours.add(picture.getpixel((picture.width // 2, picture.height // 2)))
    return colours


def test_a_changed_image_of_an_svg_is_typeset_again_not_taken_from_the_cache(
    tmp_path: Path, epoch: str
) -> None:
    project = _project(tmp_path / "p")
    command = ["build", str(project), "--strict", "--jobs", "2", "--style", str(project / "extra.css")]
    first = runner.invoke(app, command)
    assert first.exit_code == 0, first.output
    pdf = project / "build" / "guide.pdf"
    page = next(i for i, text in enumerate(p.extract_text() for p in PdfReader(pdf).pages) if "Text." in text)
    assert RED in _image_colours(pdf, page)
    Image.new("RGB", (200, 100), BLUE).save(project / "chapters" / "img" / "photo.png")
    second = runner.invoke(app, command)
    assert second.exit_code == 0, second.output
    colours = _image_colours(pdf, page)
    assert BLUE in colours
    assert RED not in colours
