"""A book despite dead images: `--missing-images placeholder` prints a framed box in their place."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from guide import BuildOptions, GuideError, build
from guide.cli import app
from guide.manifest import MissingImages, load_manifest
from tests.pdf_reader import ReadPdf

PLACEHOLDER = BuildOptions(missing_images=MissingImages.PLACEHOLDER)
POST = """---
title: Dead Hosts
credits: [Photo: Old Host]
---
Before the pictures.

![The harbour at dawn](https://farm1.staticflickr.example/123/harbour.jpg)

![A hand-drawn map of the bay](media/map.png)

After the pictures.
"""


def _project(tmp_path: Path, toml_extra: str = "") -> Path:
    project = tmp_path / "p"
    project.mkdir()
    (project / "guide.toml").write_text(f'title = "G"\nauthor = "A"\nchapters = ["post.md"]\n{toml_extra}')
    (project / "post.md").write_text(POST)
    return project


def test_default_stays_an_error_naming_each_image(tmp_path: Path) -> None:
    project = _project(tmp_path)
    with pytest.raises(GuideError) as caught:
        build(project, tmp_path / "out.pdf")
    assert [str(d) for d in caught.value.diagnostics] == [
        "post.md:7: remote image 'https://farm1.staticflickr.example/123/harbour.jpg' is not fetched "
        "during a build: save it into the project and use a relative path, or build with --allow-remote",
        "post.md:9: image 'media/map.png' not found (or build with --missing-images placeholder)",
    ]
    assert not (tmp_path / "out.pdf").exists()


def test_placeholder_prints_alt_text_and_address_with_one_warning_each(tmp_path: Path, epoch: str) -> None:
    project = _project(tmp_path)
    result = build(project, tmp_path / "out.pdf", PLACEHOLDER)
    assert [str(d) for d in result.warnings] == [
        "post.md:7: warning: remote image 'https://farm1.staticflickr.example/123/harbour.jpg' is not "
        "fetched during a build: save it into the project and use a relative path, or build with "
        "--allow-remote; printed as a placeholder",
        "post.md:9: warning: image 'media/map.png' not found; printed as a placeholder",
    ]
    text = " ".join(ReadPdf(tmp_path / "out.pdf").text.split())
    assert (
        "Before the pictures. IMAGE NOT AVAILABLE The harbour at dawn "
        "https://farm1.staticflickr.example/123/harbour.jpg IMAGE NOT AVAILABLE "
        "A hand-drawn map of the bay media/map.png After the pictures."
    ) in text


def test_guide_toml_asks_for_placeholders_and_the_option_overrides_it(tmp_path: Path, epoch: str) -> None:
    project = _project(tmp_path, 'missing_images = "placeholder"\n')
    assert load_manifest(project).missing_images is MissingImages.PLACEHOLDER
    result = build(project, tmp_path / "out.pdf")
    assert len(result.warnings) == 2
    with pytest.raises(GuideError, match="not found"):
        build(project, tmp_path / "again.pdf", BuildOptions(missing_images=MissingImages.ERROR))


def test_strict_makes_placeholders_fatal(tmp_path: Path) -> None:
    project = _project(tmp_path)
    with pytest.raises(GuideError, match="printed as a placeholder"):
        build(
            project, tmp_path / "out.pdf", BuildOptions(missing_images=MissingImages.PLACEHOLDER, strict=True)
        )


def test_unknown_missing_images_value_is_located(tmp_path: Path) -> None:
    project = _project(tmp_path, 'missing_images = "skip"\n')
    with pytest.raises(GuideError) as caught:
        load_manifest(project)
    assert [str(d) for d in caught.value.diagnostics] == [
        "guide.toml:4: 'missing_images' must be 'error' or 'placeholder' (got 'skip')"
    ]


def test_cli_option(tmp_path: Path, epoch: str) -> None:
    project = _project(tmp_path)
    output = tmp_path / "cli.pdf"
    result = CliRunner().invoke(
        app, ["build", str(project), "-o", str(output), "--missing-images", "placeholder"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("printed as a placeholder") == 2
    refused = CliRunner().invoke(app, ["build", str(project), "-o", str(output), "--missing-images", "skip"])
    assert refused.exit_code == 2
