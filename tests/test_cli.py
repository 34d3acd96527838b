"""The command line: version, usage errors, author errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from guide import __version__, cli
from guide.cli import app
from guide.manifest import Edition
from guide.options import BuildOptions, BuildResult

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


# Argument lists in the plain forms `main` reads before Typer does, to start a rebuild's workers first.
PLAIN_BUILDS = [
    ["build"],
    ["build", "proj", "-o", "x.pdf", "--jobs", "2"],
    ["build", "-j", "3", "proj", "--output=out/x.pdf", "--strict", "--force"],
    ["build", "proj", "--style", "s.css", "--allow-remote", "--edition", "print"],
    ["build", "--missing-images=placeholder", "--edition=screen", "--jobs=1", "proj"],
]


def test_plain_build_arguments_are_read_as_typer_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Path, Path, BuildOptions]] = []

    def recorded(project: Path, output: Path, options: BuildOptions) -> BuildResult:
        seen.append((project, output, options))
        return BuildResult(output=output, pages=1)  # up to date: the command stops here

    monkeypatch.setattr(cli, "unchanged_build", recorded)
    for args in PLAIN_BUILDS:
        assert runner.invoke(app, args).exit_code == 0
        assert cli.plain_build_args(args) == seen[-1], args
    assert seen[1] == (Path("proj"), Path("x.pdf"), BuildOptions(jobs=2))
    assert seen[3][2] == BuildOptions(style=Path("s.css"), allow_remote=True, edition=Edition.PRINT)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["watch", "proj"],
        ["build", "--help"],
        ["build", "proj", "other"],
        ["build", "-j2", "proj"],
        ["build", "--jobs", "0"],
        ["build", "--jobs", "two"],
        ["build", "--edition", "poster"],
        ["build", "-o", "a.pdf", "-o", "b.pdf"],
        ["build", "--strict=yes"],
        ["build", "--", "proj"],
        ["build", "proj", "-o"],
    ],
)
def test_other_arguments_are_left_to_typer(args: list[str]) -> None:
    assert cli.plain_build_args(args) is None
