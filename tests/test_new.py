"""`guide new`: a project that builds at once, with a sample chapter, .gitignore and a CI workflow."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from guide.cli import app
from tests.conftest import ROOT
from tests.pdf_reader import ReadPdf

runner = CliRunner()
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.mark.e2e
def test_new_then_build_makes_a_pdf_with_no_other_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    monkeypatch.chdir(tmp_path)
    created = runner.invoke(app, ["new", "demo"])
    assert created.exit_code == 0, created.output
    assert sorted(
        str(p.relative_to(tmp_path / "demo")) for p in (tmp_path / "demo").rglob("*") if p.is_file()
    ) == [
        ".github/workflows/guide.yml",
        ".gitignore",
        "chapters/01-welcome.md",
        "guide.toml",
    ]
    built = runner.invoke(app, ["build", "demo"])
    assert built.exit_code == 0, built.output
    assert "wrote demo/build/guide.pdf (" in built.stderr
    pdf = ReadPdf(tmp_path / "demo" / "build" / "guide.pdf")
    assert "Welcome to your guide" in pdf.text
    assert "Demo" in pdf.page_texts[0]
    # No author given: a warning, never a placeholder on the cover.
    assert "guide.toml: warning: no 'author'" in built.stderr
    assert "Your Name" not in pdf.text


@pytest.mark.e2e
def test_new_project_with_an_author_passes_its_own_strict_ci_steps(tmp_path: Path, epoch: str) -> None:
    project = tmp_path / "field-notes"
    created = runner.invoke(app, ["new", str(project), "--title", "Field Notes", "--author", "Ann Lee"])
    assert created.exit_code == 0, created.output
    manifest = tomllib.loads((project / "guide.toml").read_text())
    assert (manifest["title"], manifest["author"]) == ("Field Notes", "Ann Lee")
    assert runner.invoke(app, ["check", "--strict", str(project)]).exit_code == 0
    built = runner.invoke(app, ["build", "--strict", str(project)])
    assert built.exit_code == 0, built.output
    cover = ReadPdf(project / "build" / "guide.pdf").page_texts[0]
    assert "Field Notes" in cover
    assert "Ann Lee" in cover


def test_the_sample_chapter_shows_every_front_matter_key(tmp_path: Path) -> None:
    runner.invoke(app, ["new", str(tmp_path / "g")])
    text = (tmp_path / "g" / "chapters" / "01-welcome.md").read_text()
    for key in ("title:", "date:", "url:", "author:", "credits:"):
        assert key in text.split("---")[1]
    manifest = (tmp_path / "g" / "guide.toml").read_text()
    for key in (
        "title =",
        "subtitle =",
        "author =",
        "language =",
        "date =",
        "page_size =",
        "credits =",
        "chapters",
    ):
        assert key in manifest


def test_gitignore_and_the_ci_workflow_check_build_and_keep_the_pdf(tmp_path: Path) -> None:
    runner.invoke(app, ["new", str(tmp_path / "g")])
    assert "build/" in (tmp_path / "g" / ".gitignore").read_text().splitlines()
    workflow = yaml.safe_load((tmp_path / "g" / ".github" / "workflows" / "guide.yml").read_text())
    steps = workflow["jobs"]["pdf"]["steps"]
    commands = [step.get("run", "") for step in steps]
    assert any("pip install" in c for c in commands)
    assert "guide check --strict ." in commands
    assert "guide build --strict . -o build/guide.pdf" in commands
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "build/guide.pdf"
    assert workflow["env"]["GUIDE_PACKAGE"].startswith("guide==")


def test_a_folder_with_files_is_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    refused = runner.invoke(app, ["new", str(tmp_path)])
    assert refused.exit_code == 1
    assert (
        refused.stderr.strip()
        == f"{tmp_path}: folder is not empty; use --force to write the starter files into it"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    forced = runner.invoke(app, ["new", str(tmp_path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert (tmp_path / "guide.toml").is_file()


@pytest.mark.e2e
@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_new_from_an_import_takes_title_and_author_and_builds_strictly(tmp_path: Path, epoch: str) -> None:
    project = tmp_path / "social"
    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    command = ["new", str(project), "--title", "Social Business", "--author", "Jane Roe"]
    created = runner.invoke(app, [*command, *(arg for seed in seeds for arg in ("--from", seed))])
    assert created.exit_code == 0, created.output
    manifest = tomllib.loads((project / "guide.toml").read_text())
    assert (manifest["title"], manifest["author"]) == ("Social Business", "Jane Roe")
    assert (project / ".gitignore").is_file()
    assert (project / ".github" / "workflows" / "guide.yml").is_file()
    assert not (project / "chapters" / "01-welcome.md").exists()
    built = runner.invoke(app, ["build", "--strict", str(project)])
    assert built.exit_code == 0, built.output
