"""The command line: version, usage errors, author errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from guide import __version__
from guide.cli import app

runner = CliRunner()


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"guide {__version__}"


def test_build_of_a_folder_without_manifest_is_an_author_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(tmp_path), "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code == 1
    assert "no guide.toml here" in result.output
    assert not (tmp_path / "out.pdf").exists()


def test_unknown_option_is_a_usage_error() -> None:
    result = runner.invoke(app, ["build", "--no-such-option"])
    assert result.exit_code == 2
