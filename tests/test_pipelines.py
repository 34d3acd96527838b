"""The two pipelines stay apart: `guide build` loads none of the import-only readers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, ROOT

# Runs `guide build` in a fresh interpreter, then lists the modules it loaded.
BUILD_THEN_LIST_MODULES = """
import sys
from guide.cli import app
try:
    app(["build", sys.argv[1], "-o", sys.argv[2]])
except SystemExit as done:
    assert not done.code, done.code
print("\\n".join(sorted(sys.modules)))
"""


def test_a_build_imports_no_import_only_reader(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [
        sys.executable,
        "-c",
        BUILD_THEN_LIST_MODULES,
        str(FIXTURES / "projects" / "basic"),
        str(tmp_path / "basic.pdf"),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "guide.sources.markdown" in loaded  # the build did read its posts
    assert (tmp_path / "basic.pdf").read_bytes().startswith(b"%PDF-")
    import_only = sorted(
        name
        for name in loaded
        if name.startswith("guide.importing.readers")
        or name.split(".")[0] in {"trafilatura", "markdownify", "feedparser"}
    )
    assert import_only == []
    # The CLI only needs the import options to declare `guide import`; nothing else of that pipeline.
    assert sorted(n for n in loaded if n.startswith("guide.importing")) == [
        "guide.importing",
        "guide.importing.options",
    ]


def test_the_build_readers_are_the_post_file_readers() -> None:
    modules = sorted(p.stem for p in (ROOT / "guide" / "sources").glob("*.py"))
    assert modules == [
        "__init__",
        "fences",
        "frontmatter",
        "limits",
        "markdown",
        "mdlines",
        "mdlint",
        "mdlists",
        "text",
    ]
