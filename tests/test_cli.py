"""The command line: version, usage errors, author errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from guide import __version__, cli, commands
from guide.cli import app
from guide.manifest import Edition
from guide.options import BuildOptions, BuildResult, default_output
from tests.conftest import ROOT

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


# Argument lists in the plain forms `main` reads itself: Typer's parsing loads pydantic (about 0.1 s).
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

    monkeypatch.setattr(commands, "unchanged_build", recorded)
    for args in PLAIN_BUILDS:
        assert runner.invoke(app, args).exit_code == 0
        plain = cli.plain_build_args(args)
        assert plain is not None, args
        project, output, options = plain
        assert (project, output or default_output(project), options) == seen[-1], args
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


def test_a_plain_build_fails_as_typer_runs_it(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cases = [
        ["build", str(tmp_path)],  # no guide.toml
        ["build", str(tmp_path), "-o", str(tmp_path / "a\nb.pdf")],
        ["build", str(tmp_path / "bad\x01name"), "--jobs", "2"],
        ["build", str(tmp_path), "--style", str(tmp_path / "s\x7f.css")],
    ]
    for args in cases:
        assert cli.plain_build_args(args) is not None, args
        done = subprocess.run(
            [sys.executable, "-m", "guide", *args], env=env, capture_output=True, text=True, check=False
        )
        typer_run = runner.invoke(app, args)
        assert (done.returncode, done.stderr) == (typer_run.exit_code, typer_run.output) == (1, done.stderr)
        assert len(done.stderr.splitlines()) == 1, done.stderr


FREEZE_NOTED = """
import gc, sys
from guide.cli import main
sys.argv = ["guide", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    print(done.code, gc.get_freeze_count() > 0)
"""


@pytest.mark.parametrize("command", ["build", "check"])
def test_the_command_line_freezes_what_it_made_before_the_process_exits(command: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-c", FREEZE_NOTED, command, str(tmp_path)]
    done = subprocess.run(run, env=env, capture_output=True, text=True, check=False)
    assert done.stdout.split() == ["1", "True"]  # no guide.toml: an error, and the exit collection skipped
