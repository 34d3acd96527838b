"""`guide new`: a project that builds at once, with a sample chapter, .gitignore and a CI workflow."""

from __future__ import annotations

import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from guide.cli import app
from guide.starter import package_spec
from tests.conftest import ROOT
from tests.pdf_reader import ReadPdf

runner = CliRunner()
SEEDS = ROOT.parent / "shared" / "seeds"
GUIDE = Path(sys.executable).parent / "guide"
"""The installed `guide` command, as the generated CI runs it."""


@pytest.fixture
def no_git_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine where git names no one: no user.name in any of git's configuration files."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "empty.gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_AUTHOR_NAME", raising=False)


def run_its_ci(project: Path) -> list[subprocess.CompletedProcess[str]]:
    """Run every `guide` command of the project's own CI workflow, in the project, as CI does."""
    workflow = yaml.safe_load((project / ".github" / "workflows" / "guide.yml").read_text())
    commands = [
        step["run"] for step in workflow["jobs"]["pdf"]["steps"] if step.get("run", "").startswith("guide ")
    ]
    assert commands == ["guide check --strict .", "guide build --strict . -o build/guide.pdf"]
    env = {**os.environ, "CI": "true"}
    return [
        subprocess.run(
            [str(GUIDE), *shlex.split(command)[1:]],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        for command in commands
    ]


@pytest.mark.e2e
def test_new_then_build_makes_a_pdf_with_no_other_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str, no_git_name: None
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
    # No author anywhere: said at once, and guide.toml says so on purpose, so no warning later.
    assert (
        "author: none known (no --author, no git user.name): the cover names no one; "
        "set 'author' in demo/guide.toml"
    ) in created.stderr
    assert 'author = ""' in (tmp_path / "demo" / "guide.toml").read_text()
    built = runner.invoke(app, ["build", "demo"])
    assert built.exit_code == 0, built.output
    assert built.stderr.splitlines() == ["wrote demo/build/guide.pdf (4 pages)"]
    pdf = ReadPdf(tmp_path / "demo" / "build" / "guide.pdf")
    assert "Welcome to your guide" in pdf.text
    assert pdf.page_texts[0].split() == ["Demo"]  # the title alone: never a placeholder author
    assert "Your Name" not in pdf.text
    assert "/Author" not in pdf.reader.metadata


@pytest.mark.e2e
def test_a_new_project_passes_its_own_ci_without_an_author(
    tmp_path: Path, epoch: str, no_git_name: None
) -> None:
    project = tmp_path / "plain"
    assert runner.invoke(app, ["new", str(project)]).exit_code == 0
    check, build = run_its_ci(project)
    assert (check.returncode, check.stderr) == (0, "ok: . (0 warnings)\n")
    assert build.returncode == 0, build.stderr
    assert build.stderr == "wrote build/guide.pdf (4 pages)\n"
    assert ReadPdf(project / "build" / "guide.pdf").page_texts[0].split() == ["Plain"]


@pytest.mark.e2e
def test_a_new_project_takes_the_author_from_git_and_passes_its_own_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str, no_git_name: None
) -> None:
    (tmp_path / "empty.gitconfig").write_text("[user]\n\tname = Grace Hopper\n")
    project = tmp_path / "notes"
    created = runner.invoke(app, ["new", str(project)])
    assert created.exit_code == 0, created.output
    assert (
        f"author: Grace Hopper (git's user.name; change 'author' in {project}/guide.toml)" in created.stderr
    )
    assert tomllib.loads((project / "guide.toml").read_text())["author"] == "Grace Hopper"
    check, build = run_its_ci(project)
    assert (check.returncode, check.stderr) == (0, "ok: . (0 warnings)\n")
    assert build.returncode == 0, build.stderr
    pdf = ReadPdf(project / "build" / "guide.pdf")
    assert "Grace Hopper" in pdf.page_texts[0]
    assert pdf.reader.metadata["/Author"] == "Grace Hopper"


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


@pytest.mark.e2e
@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_new_from_an_import_with_no_author_anywhere_passes_its_own_ci(
    tmp_path: Path, epoch: str, no_git_name: None
) -> None:
    project = tmp_path / "social"
    created = runner.invoke(app, ["new", str(project), "--from", str(SEEDS)])
    assert created.exit_code == 0, created.output
    assert "the sources name no author" not in created.stderr
    assert "author: none known (no --author, no git user.name)" in created.stderr
    assert tomllib.loads((project / "guide.toml").read_text())["author"] == ""
    check, build = run_its_ci(project)
    assert check.returncode == 0, check.stderr
    assert check.stderr.endswith("ok: . (0 warnings)\n")
    assert build.returncode == 0, build.stderr
    assert "Social Business" in ReadPdf(project / "build" / "guide.pdf").text


def _quick_start() -> list[str]:
    """The commands of the README's quick start, without their comments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Quick start\n") : text.index("## Using it\n")]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def _watch_until_built(args: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    """Run `guide watch` until its first build is done, then stop it as Ctrl-C does; return its lines."""
    watcher = subprocess.Popen(args, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watcher.stderr or ()], daemon=True).start()
    seen: list[str] = []
    try:
        while not seen or not seen[-1].startswith(("rebuilt", "build failed")):
            seen.append(lines.get(timeout=180).rstrip("\n"))
    finally:
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(timeout=60) == 130, seen
    return seen


@pytest.mark.e2e
@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_the_readme_quick_start_works_as_written(tmp_path: Path, epoch: str, no_git_name: None) -> None:
    commands = _quick_start()
    assert [command.split()[1] for command in commands] == ["new", "import", "watch", "build"]
    env = {**os.environ, "CI": "true"}
    for command in commands:
        args = [str(GUIDE), *shlex.split(command.replace("export.xml", str(SEEDS)))[1:]]
        if args[1] == "watch":  # it runs until Ctrl-C; any free port, as 8000 may be taken here
            assert _watch_until_built([*args, "--port", "0"], tmp_path, env)[-1].startswith("rebuilt ")
            continue
        done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, (command, done.stderr)
        if args[1] == "import":
            removed = "removed the sample chapter my-guide/chapters/01-welcome.md (unchanged since guide new)"
            assert removed in done.stderr.splitlines()
    project = tmp_path / "my-guide"
    assert not (project / "chapters" / "01-welcome.md").exists()
    assert len(tomllib.loads((project / "guide.toml").read_text())["chapters"]) == 2
    text = ReadPdf(project / "build" / "guide.pdf").text
    assert "Social Business" in text
    assert "Welcome to your guide" not in text


def test_an_edited_sample_chapter_stays_when_posts_are_imported(tmp_path: Path) -> None:
    project = tmp_path / "g"
    assert runner.invoke(app, ["new", str(project), "--author", "Ann Lee"]).exit_code == 0
    sample = project / "chapters" / "01-welcome.md"
    sample.write_text(sample.read_text().replace("first chapter", "opening chapter"))
    post = tmp_path / "post.md"
    post.write_text("---\ntitle: A post\ndate: 2024-07-01\n---\n\nText.\n")
    imported = runner.invoke(app, ["import", str(post), "--into", str(project)])
    assert imported.exit_code == 0, imported.output
    assert "removed the sample chapter" not in imported.stderr
    chapters = tomllib.loads((project / "guide.toml").read_text())["chapters"]
    assert chapters[0] == "chapters/01-welcome.md"
    assert len(chapters) == 2
    assert sample.is_file()


def test_new_from_a_source_takes_its_author_before_gits(tmp_path: Path, no_git_name: None) -> None:
    (tmp_path / "empty.gitconfig").write_text("[user]\n\tname = Grace Hopper\n")
    page = tmp_path / "knots.html"
    page.write_text(
        '<!DOCTYPE html><html><head><title>Knots | Rope Works</title><meta name="author" content="Rita Rope">'
        '<meta property="og:site_name" content="Rope Works"></head><body><article><h1>Knots</h1>'
        "<p>The reef knot ties two ends of one rope. It lies flat and is easy to undo.</p>"
        "<p>The bowline makes a loop that never slips, and it unties easily after a load.</p>"
        "</article></body></html>"
    )
    created = runner.invoke(app, ["new", str(tmp_path / "g"), "--from", str(page)])
    assert created.exit_code == 0, created.output
    assert tomllib.loads((tmp_path / "g" / "guide.toml").read_text())["author"] == "Rita Rope"
    assert "Grace Hopper" not in created.stderr


@pytest.mark.parametrize(
    ("direct_url", "spec"),
    [
        (None, "guide==1.2.0"),  # from a package index
        (
            '{"url": "https://git.test/you/guide.git", "vcs_info": {"vcs": "git", "commit_id": "ab12cd"}}',
            "git+https://git.test/you/guide.git@ab12cd",
        ),
        (
            '{"url": "https://example.org/guide-1.2.0.tar.gz", "archive_info": {}}',
            "https://example.org/guide-1.2.0.tar.gz",
        ),
        ('{"url": "file:///home/ann/guide", "dir_info": {"editable": true}}', None),  # nothing CI can reach
        ('{"url": "file:///home/ann/guide.git", "vcs_info": {"vcs": "git", "commit_id": "ab12cd"}}', None),
        ("not json", None),
    ],
)
def test_the_workflow_installs_the_guide_that_made_it(direct_url: str | None, spec: str | None) -> None:
    assert package_spec(direct_url, "1.2.0") == spec


def test_new_says_when_ci_cannot_know_where_to_get_guide(tmp_path: Path) -> None:
    created = runner.invoke(app, ["new", str(tmp_path / "g"), "--author", "Ann Lee"])
    assert created.exit_code == 0, created.output
    # This test suite runs from an editable install: a local folder CI cannot reach.
    assert (
        f"CI: this guide was installed from a local folder; set GUIDE_PACKAGE in "
        f"{tmp_path / 'g' / '.github' / 'workflows' / 'guide.yml'} to where pip gets guide"
        " (a git URL or a release)"
    ) in created.stderr.splitlines()
