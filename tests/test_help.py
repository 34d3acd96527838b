"""Help: commands in the order an author meets them, an example in each, no placeholder noise."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from guide.cli import app
from tests.conftest import FIXTURES, ROOT

BASIC = FIXTURES / "projects" / "basic"

runner = CliRunner()
COMMANDS = ["new", "import", "check", "build", "watch", "html"]


def _help(*args: str) -> str:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    return result.output


def test_commands_are_listed_in_the_order_an_author_meets_them() -> None:
    panel = _help().split("Commands")[1]
    listed = re.findall(r"^│ (\w+) ", panel, flags=re.MULTILINE)
    assert listed == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_an_example_and_no_value_placeholders(command: str) -> None:
    text = _help(command)
    assert re.search(rf"Examples?:\s+guide {command} ", text)
    assert "<bool>" not in text
    assert "<str>" not in text


def test_top_level_help_shows_flags_without_placeholders() -> None:
    text = _help()
    assert "<bool>" not in text
    assert "guide new DIR" in text


def _build_on_a_terminal(tmp_path: Path, name: str = "g.pdf", **env: str) -> str:
    """Run `guide build` with its stderr on a pseudo-terminal; return what the terminal showed."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    environment.update({"PYTHONPATH": str(ROOT), "TERM": "xterm", "COLUMNS": "120", **env})
    command = [sys.executable, "-m", "guide", "build", str(BASIC), "-o", str(tmp_path / name)]
    process = subprocess.Popen(command, stderr=follower, stdout=follower, env=environment)
    os.close(follower)
    shown = bytearray()
    with contextlib.suppress(OSError):  # EIO once the child has closed the terminal
        while chunk := os.read(leader, 65536):
            shown += chunk
    assert process.wait(timeout=120) == 0, shown.decode(errors="replace")
    os.close(leader)
    return shown.decode(errors="replace")


@pytest.mark.e2e
def test_a_terminal_shows_stages_and_the_page_count_and_ci_shows_only_the_summary(tmp_path: Path) -> None:
    shown = _build_on_a_terminal(tmp_path)
    assert "Reading posts" in shown
    assert "Laying out pages" in shown
    assert re.search(r"stage \d/9", shown)
    assert re.search(r"\d+ pages", shown)
    quiet = _build_on_a_terminal(tmp_path, "quiet.pdf", CI="true")  # another PDF: this one is built
    assert quiet.strip() == f"wrote {tmp_path / 'quiet.pdf'} (7 pages)"
