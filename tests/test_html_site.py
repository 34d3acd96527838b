"""`guide html`: a folder (or one file) that shows the guide's fonts and images in a real browser."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from guide.cli import app
from guide.fonts import FACES

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium: run `make test` as root to install it (scripts/system-deps.sh)"
)
RED = (220, 20, 20)
BLUE = (20, 20, 220)


def _project(folder: Path) -> Path:
    (folder / "chapters" / "media").mkdir(parents=True)
    Image.new("RGB", (400, 200), RED).save(folder / "chapters" / "media" / "red block.png")
    (folder / "guide.toml").write_text(
        'title = "Browser Test"\nauthor = "Ann Lee"\nchapters = ["chapters/one.md"]\n'
    )
    (folder / "chapters" / "one.md").write_text(
        "---\ntitle: One\ncredits: [Red block by the test]\n---\n\n"
        "![A red block](media/red%20block.png)\n\nThe quick brown fox jumps over the lazy dog. " * 3 + "\n"
    )
    return folder


def _style(folder: Path, project: Path) -> Path:
    """A --style file outside the project whose url()s load an image and a font from the project."""
    (project / "art").mkdir()
    Image.new("RGB", (300, 150), BLUE).save(project / "art" / "blue tile.png")
    shutil.copy(
        next(face.path for face in FACES if face.path.name.startswith("Inconsolata")),
        project / "art" / "face.otf",
    )
    style = folder / "look.css"
    style.write_text(
        '@font-face { font-family: "Test Face"; src: url("art/face.otf"); }\n'
        '.chapter h1 { font-family: "Test Face"; }\n'
        ".chapter header::after { content: ''; display: block; width: 300px; height: 150px;"
        " background: url('./art/blue%20tile.png'); }\n"
    )
    return style


def _screenshot(page: Path, shot: Path) -> Image.Image:
    assert CHROMIUM is not None
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--screenshot={shot}", "--window-size=900,2400", "--virtual-time-budget=3000", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return Image.open(shot).convert("RGB")


def _pixels(image: Image.Image, colour: tuple[int, int, int]) -> int:
    return dict((color, count) for count, color in image.getcolors(maxcolors=1 << 24) or []).get(colour, 0)


def _red_pixels(image: Image.Image) -> int:
    return _pixels(image, RED)


def test_html_writes_a_folder_with_its_fonts_and_images(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    result = runner.invoke(app, ["html", str(project)])
    assert result.exit_code == 0, result.output
    folder = project / "build" / "html"
    assert result.stderr.strip().splitlines()[-1] == f"wrote {folder / 'index.html'}"
    html = (folder / "index.html").read_text()
    assert "file:" not in html
    assert 'src="chapters/media/red%20block.png"' in html
    assert (folder / "chapters" / "media" / "red block.png").is_file()
    assert sorted(p.suffix for p in (folder / "fonts").iterdir()) == [".otf"] * 10


def test_the_guide_fonts_are_copied_even_if_the_project_has_a_fonts_folder(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    face = FACES[0].path
    (project / "fonts").mkdir()
    (project / "fonts" / face.name).write_bytes(b"not a font")
    result = runner.invoke(app, ["html", str(project)])
    assert result.exit_code == 0, result.output
    assert (project / "build" / "html" / "fonts" / face.name).read_bytes() == face.read_bytes()


def test_a_foreign_folder_is_refused_without_force(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me\n")
    result = runner.invoke(app, ["html", str(project), "-o", str(tmp_path / "mine")])
    assert result.exit_code == 1
    assert "holds files guide did not write; use --force" in result.stderr
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]
    refused = runner.invoke(app, ["html", str(project), "-o", str(project)])
    assert refused.exit_code == 1


@pytest.mark.e2e
@needs_chromium
def test_the_folder_and_the_single_file_show_fonts_and_image_from_anywhere(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    style = _style(tmp_path, project)
    (tmp_path / "site").mkdir()
    made = runner.invoke(app, ["html", str(project), "-o", str(tmp_path / "site"), "--style", str(style)])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "site" / "art" / "blue tile.png").is_file()
    assert (tmp_path / "site" / "art" / "face.otf").is_file()
    single = tmp_path / "one.html"
    command = ["html", str(project), "--self-contained", "-o", str(single), "--style", str(style)]
    assert runner.invoke(app, command).exit_code == 0
    assert "fonts/" not in single.read_text()
    assert "art/" not in single.read_text()

    # Moved away from the project: it must carry everything it shows.
    moved = tmp_path / "elsewhere" / "site"
    shutil.copytree(tmp_path / "site", moved)
    shutil.rmtree(project)
    full = _screenshot(moved / "index.html", tmp_path / "full.png")
    assert _red_pixels(full) > 20_000  # the 400x200 image shows
    assert _pixels(full, BLUE) > 20_000  # and the 300x150 one the stylesheet loads

    without_face = tmp_path / "no-face"
    shutil.copytree(moved, without_face)
    (without_face / "art" / "face.otf").unlink()
    assert _screenshot(without_face / "index.html", tmp_path / "no-face.png").tobytes() != full.tobytes()

    without_fonts = tmp_path / "no-fonts"
    shutil.copytree(moved, without_fonts)
    shutil.rmtree(without_fonts / "fonts")
    fallback = _screenshot(without_fonts / "index.html", tmp_path / "fallback.png")
    assert full.tobytes() != fallback.tobytes()  # the guide's own fonts set the text

    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.move(single, alone / "guide.html")
    inlined = _screenshot(alone / "guide.html", tmp_path / "inlined.png")
    assert _red_pixels(inlined) > 20_000
    assert _pixels(inlined, BLUE) > 20_000
    assert inlined.tobytes() != fallback.tobytes()


@pytest.mark.e2e
@needs_chromium
def test_what_the_style_imports_shows_in_the_folder_and_the_single_file(tmp_path: Path) -> None:
    """An @import (string form, with media) of a project sheet whose url() is relative to itself."""
    project = _project(tmp_path / "p")
    (project / "art").mkdir()
    Image.new("RGB", (300, 150), BLUE).save(project / "art" / "blue tile.png")
    (project / "styles").mkdir()
    (project / "styles" / "tiles.css").write_text(
        ".chapter header::after { content: ''; display: block; width: 300px; height: 150px;"
        " background: url('../art/blue%20tile.png'); }\n"
    )
    style = tmp_path / "look.css"
    style.write_text('@import "styles/tiles.css" screen;\n')
    site, single = tmp_path / "site", tmp_path / "alone" / "guide.html"
    site.mkdir()
    single.parent.mkdir()
    for command in (["-o", str(site)], ["--self-contained", "-o", str(single)]):
        made = runner.invoke(app, ["html", str(project), *command, "--style", str(style)])
        assert made.exit_code == 0, made.output
    moved = tmp_path / "elsewhere"
    shutil.copytree(site, moved)
    shutil.rmtree(project)
    assert _pixels(_screenshot(moved / "index.html", tmp_path / "folder.png"), BLUE) > 20_000
    assert _pixels(_screenshot(single, tmp_path / "single.png"), BLUE) > 20_000
