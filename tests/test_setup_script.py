"""scripts/system-deps.sh, run with stand-ins for apt-get, ldconfig and id on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "system-deps.sh"


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


def _run(tmp_path: Path, apt_body: str) -> subprocess.CompletedProcess[str]:
    """Run the script with only stand-ins and a few real tools on PATH, so every package looks missing."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for tool in ("grep", "mktemp", "cat", "rm"):
        real = shutil.which(tool)
        assert real, tool
        (stubs / tool).symlink_to(real)
    _stub(stubs, "ldconfig", "exit 0")
    _stub(stubs, "id", "echo 0")
    _stub(stubs, "apt-get", f'echo "apt-get $*" >> "{tmp_path}/calls"\n{apt_body}')
    env = {**os.environ, "PATH": str(stubs)}
    return subprocess.run(["/bin/bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=False)


def test_a_failed_install_shows_what_apt_get_said(tmp_path: Path) -> None:
    done = _run(tmp_path, 'echo "E: Unable to locate package libpango-1.0-0"; exit 100')
    assert done.returncode == 1
    assert "E: Unable to locate package libpango-1.0-0" in done.stderr
    assert done.stderr.splitlines()[0].startswith("installing system packages: libpango-1.0-0")


def test_apt_waits_for_the_package_manager_lock(tmp_path: Path) -> None:
    done = _run(tmp_path, "exit 0")
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls and all("-o DPkg::Lock::Timeout=300" in call for call in calls)
