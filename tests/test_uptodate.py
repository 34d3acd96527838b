"""Commands that do not typeset load no typesetting library, and an up-to-date build writes nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from guide import uptodate
from guide.cli import app
from tests.conftest import FIXTURES

pytestmark = pytest.mark.e2e

LOADED = """
import sys
from guide.cli import main
sys.argv = ["guide", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"weasyprint", "pikepdf", "fontTools", "PIL"})
print("loaded:", *heavy, file=sys.stderr)
"""
"""Run the command line, then say which heavy libraries the process had loaded."""


def _loaded(*args: str) -> tuple[str, list[str]]:
    """The command's stderr, and the heavy libraries it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *args], capture_output=True, text=True, check=False, timeout=300
    )
    *printed, last = done.stderr.strip().splitlines()
    assert last.startswith("loaded:"), done.stderr
    return "\n".join(printed), last.split()[1:]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "basic"
    shutil.copytree(FIXTURES / "projects" / "basic", folder)
    return folder


def test_version_help_and_check_load_no_typesetting_library(project: Path) -> None:
    assert _loaded("--version")[1] == []
    assert _loaded("--help")[1] == []
    printed, loaded = _loaded("check", str(project))
    assert "ok:" in printed
    assert "weasyprint" not in loaded
    assert "pikepdf" not in loaded


def test_an_unchanged_build_writes_nothing_and_repeats_its_warnings(project: Path, epoch: str) -> None:
    output = project / "build" / "guide.pdf"
    post = project / "posts" / "post_with_own_author.md"
    post.write_text(post.read_text(encoding="utf-8").replace("author:", "mood: calm\nauthor:", 1), "utf-8")
    first = CliRunner().invoke(app, ["build", str(project), "--jobs", "1"])
    assert first.exit_code == 0, first.output
    assert "wrote" in first.output
    written = output.read_bytes()
    warnings = [line for line in first.output.splitlines() if "warning:" in line]
    assert len(warnings) == 1  # the unknown front matter key
    printed, loaded = _loaded("build", str(project), "--jobs", "1")
    assert "is up to date" in printed
    assert [line for line in printed.splitlines() if "warning:" in line] == warnings
    assert loaded == []
    assert output.read_bytes() == written


def test_a_changed_input_option_or_output_builds_again(project: Path, epoch: str) -> None:
    output = project / "build" / "guide.pdf"

    def build(*extra: str) -> str:
        done = CliRunner().invoke(app, ["build", str(project), "--jobs", "1", *extra])
        assert done.exit_code == 0, done.output
        return done.output

    assert "wrote" in build()
    assert "up to date" in build()
    post = project / "posts" / "post_with_own_author.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert "wrote" in build()
    assert "up to date" in build()
    assert "wrote" in build("--edition", "print")
    assert "wrote" in build()  # back to the screen edition: the record is of the print one
    image = next((project / "posts" / "img").iterdir())
    image.write_bytes(image.read_bytes() + b"\0")
    assert "wrote" in build()
    output.write_bytes(output.read_bytes() + b"\n")  # the PDF is not what guide wrote any more
    assert "wrote" in build("--force")
    assert "up to date" in build()


def _clear_versions() -> None:
    uptodate.installed_version.cache_clear()
    uptodate._listing.cache_clear()


def test_installed_versions_are_importlib_metadatas_without_loading_it() -> None:
    for name in ("weasyprint", "pydyf", "guide"):
        assert uptodate.installed_version(name) == version(name)
    script = "import sys\nfrom guide import uptodate\nuptodate._versions()\n"
    script += "print('importlib.metadata' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "False"


@pytest.mark.parametrize(
    ("folders", "wanted"),
    [
        (["weasyprint-9.9.dist-info"], "9.9"),  # the first on sys.path, as importlib.metadata takes
        (["WeasyPrint-9.8.egg-info"], "9.8"),  # an egg: importlib.metadata reads it
        (["weasyprint-9.7.dist-info", "weasyprint-9.6.dist-info"], None),  # several: as it decides
    ],
)
def test_a_version_is_the_one_importlib_metadata_finds_first(
    folders: list[str], wanted: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in folders:
        info = tmp_path / folder
        info.mkdir()
        name = "PKG-INFO" if folder.endswith(".egg-info") else "METADATA"
        number = folder.rsplit(".", 1)[0].split("-")[1]
        (info / name).write_text(f"Metadata-Version: 2.1\nName: weasyprint\nVersion: {number}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _clear_versions()
    try:
        found = uptodate.installed_version("weasyprint")
        assert found == version("weasyprint")
        assert wanted is None or found == wanted
    finally:
        monkeypatch.undo()
        _clear_versions()
