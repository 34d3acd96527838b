"""A rebuild's typesetting workers start before the book is read, and warm up, without changing a byte.

When the cache holds parts typeset by this code, `guide build` in parts forks its workers first
thing: one loads WeasyPrint and lays a few lines out while the parent reads and renders the book,
the others wait for a second job, and the parent loads no WeasyPrint. A cold build forks its
workers from a parent that loaded WeasyPrint once for all of them.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guide import BuildOptions, build
from guide.fonts import FACES
from guide.typesetting import book, fontmerge, pool, worker
from guide.typesetting.book import _cache, keep_workers
from tests.conftest import ROOT, copy_sample
from tests.pdf_reader import ReadPdf

pytestmark = pytest.mark.e2e

# `guide build --jobs 2` in a fresh interpreter; prints which heavy libraries the parent had loaded
# when its first part went out to a worker, then whether it loaded WeasyPrint at all.
BUILD_NOTING_MODULES = """
import sys
from guide.cli import app
from guide.typesetting import pool

seen = []
note_sent = pool.Workers.note_sent


def noting(self):
    seen.append(sorted(m for m in ("weasyprint", "pikepdf", "fontTools.subset") if m in sys.modules))
    note_sent(self)


pool.Workers.note_sent = noting
try:
    app(["build", sys.argv[1], "-o", sys.argv[2], "--jobs", "2"])
except SystemExit as done:
    assert not done.code, done.code
print(seen[0] if seen else "no part went out", "weasyprint" in sys.modules)
"""


# `guide build --jobs 2` as the command line runs it; prints whether the pipeline and Typer were loaded
# when each set of workers was started, whether Typer's parsing loaded pydantic, and the exit status.
MAIN_NOTING_WORKERS = """
import sys
from guide import cli
from guide.typesetting import pool

started = []
start_workers = pool.start_workers


def noting(*args, **kwargs):
    started.append(("guide.pipeline" in sys.modules, "typer" in sys.modules))
    return start_workers(*args, **kwargs)


pool.start_workers = noting
sys.argv = ["guide", "build", sys.argv[1], "-o", sys.argv[2], "--jobs", "2"]
try:
    cli.main()
except SystemExit as done:
    print(started, "pydantic" in sys.modules, done.code)
"""


def _edit(project: Path) -> None:
    """One more word in a chapter: its part is laid out again, the page count stays."""
    post = sorted((project / "chapters").glob("*.md"))[5]
    post.write_text(post.read_text(encoding="utf-8").replace("community", "communities", 1), encoding="utf-8")


def _run(project: Path, output: Path, cache: Path, script: str | None = None) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GUIDE_CACHE_DIR": str(cache),
        "SOURCE_DATE_EPOCH": "1700000000",
    }
    args = ["-c", script, str(project), str(output)] if script else ["-m", "guide", "build", str(project)]
    if not script:
        args += ["-o", str(output), "--jobs", "2"]
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_rebuilds_parent_loads_no_weasyprint(tmp_path: Path) -> None:
    project = copy_sample(tmp_path)
    cold = _run(project, tmp_path / "cold.pdf", tmp_path / "cache", BUILD_NOTING_MODULES)
    assert cold == "['fontTools.subset', 'weasyprint'] True"  # loaded once, for the forked workers
    _edit(project)
    edited = _run(project, tmp_path / "edited.pdf", tmp_path / "cache", BUILD_NOTING_MODULES)
    assert edited == "[] False"  # the same glyphs: their subsets came from the cache
    assert len(ReadPdf(tmp_path / "edited.pdf").reader.pages) == len(
        ReadPdf(tmp_path / "cold.pdf").reader.pages
    )


def test_an_edit_rebuilt_in_a_new_process_is_the_cold_build_of_the_same_posts(tmp_path: Path) -> None:
    project = copy_sample(tmp_path)
    _run(project, tmp_path / "first.pdf", tmp_path / "cache")
    parts = set((tmp_path / "cache" / "parts").rglob("*.pdf"))
    _edit(project)
    _run(project, tmp_path / "edited.pdf", tmp_path / "cache")
    assert len(set((tmp_path / "cache" / "parts").rglob("*.pdf")) - parts) == 1  # its part alone
    _run(project, tmp_path / "cold.pdf", tmp_path / "empty-cache")
    assert (tmp_path / "edited.pdf").read_bytes() == (tmp_path / "cold.pdf").read_bytes()
    assert "communities" in ReadPdf(tmp_path / "edited.pdf").text


def test_a_rebuild_starts_its_workers_first_thing_and_no_build_parses_with_typer(tmp_path: Path) -> None:
    project = copy_sample(tmp_path)
    output, cache = tmp_path / "out.pdf", tmp_path / "cache"
    cold = _run(project, output, cache, MAIN_NOTING_WORKERS)
    assert cold == "[(True, True)] False 0"  # cold: once rendered
    assert _run(project, output, cache, MAIN_NOTING_WORKERS) == "[] False 0"  # up to date: none
    _edit(project)
    edited = _run(project, output, cache, MAIN_NOTING_WORKERS)
    assert edited == "[(False, False)] False 0"  # an edit: first thing, before Typer and rich load
    _run(project, tmp_path / "cold.pdf", tmp_path / "empty-cache")
    assert output.read_bytes() == (tmp_path / "cold.pdf").read_bytes()


def _noting_warm_ups(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """Make each worker's warm-up leave a file named by its process id (workers fork after this)."""
    folder.mkdir()
    warm_up = worker._warm_up

    def noted(*args: object) -> None:
        (folder / str(os.getpid())).touch()
        warm_up(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(worker, "_warm_up", noted)
    return folder


def test_warmed_up_workers_make_the_bytes_fresh_ones_make(
    tmp_path: Path, epoch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_sample(tmp_path)
    options = BuildOptions(strict=True, jobs=2)
    warm_ups = _noting_warm_ups(monkeypatch, tmp_path / "warm-ups")
    monkeypatch.setenv("GUIDE_CACHE_DIR", str(tmp_path / "cache"))
    build(project, tmp_path / "warmed.pdf", options)
    assert list(warm_ups.iterdir()) == []  # nothing in the cache: no worker started early
    _edit(project)
    build(project, tmp_path / "edited.pdf", options)
    assert len(list(warm_ups.iterdir())) == 1  # parts in the cache: the first worker warmed up
    monkeypatch.setenv("GUIDE_CACHE_DIR", str(tmp_path / "other-cache"))
    _cache.cache_clear()
    with keep_workers(project, options):  # `guide watch`: each kept worker warms up as it starts
        build(project, tmp_path / "fresh.pdf", options)
    assert len(list(warm_ups.iterdir())) == 3  # and both kept workers, at once
    assert (tmp_path / "fresh.pdf").read_bytes() == (tmp_path / "edited.pdf").read_bytes()


def test_parts_typeset_by_other_code_hold_no_worker_back(
    tmp_path: Path, epoch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_sample(tmp_path)
    options = BuildOptions(strict=True, jobs=2)
    monkeypatch.setenv("GUIDE_CACHE_DIR", str(tmp_path / "cache"))
    build(project, tmp_path / "first.pdf", options)
    [stamp] = (tmp_path / "cache" / "parts").glob("stamp-*")
    stamp.rename(stamp.with_name("stamp-of-another-version"))  # as after an upgrade of the guide
    _cache.cache_clear()  # and in a new process
    warm_ups = _noting_warm_ups(monkeypatch, tmp_path / "warm-ups")
    _edit(project)
    build(project, tmp_path / "edited.pdf", options)
    assert list(warm_ups.iterdir()) == []  # as for a cold build: no worker started early
    assert stamp.is_file()  # parts of this code are there now


def test_a_manifest_with_a_problem_starts_no_worker_and_is_reported(tmp_path: Path) -> None:
    project = copy_sample(tmp_path)
    (project / "guide.toml").write_text('title = "Broken"\nchapters = [\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GUIDE_CACHE_DIR": str(tmp_path / "cache")}
    command = [
        sys.executable,
        "-m",
        "guide",
        "build",
        str(project),
        "-o",
        str(tmp_path / "x.pdf"),
        "--jobs",
        "2",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("guide.toml:")
    assert not (tmp_path / "x.pdf").exists()


def test_a_worker_freezes_its_set_up_and_collects_less_often_than_the_parent(tmp_path: Path) -> None:
    """The collector's settings are the worker's own: the parent keeps Python's defaults."""
    parent = gc.get_threshold()
    workers = pool.start_workers(tmp_path, (tmp_path,), (False, False), 1)
    try:
        threshold = workers.executor.submit(gc.get_threshold).result(timeout=120)
        frozen = workers.executor.submit(gc.get_freeze_count).result(timeout=120)
    finally:
        workers.close()
    assert threshold == (20_000, 10, 10)
    assert frozen > 10_000  # WeasyPrint and the worker's set-up
    assert gc.get_threshold() == parent == (700, 10, 10)


def test_the_parent_reads_the_guides_font_names_while_it_waits_for_its_workers() -> None:
    fontmerge._faces_by_name.cache_clear()
    book._load_merge(subsetting=False)  # what the preload thread runs once the first part is out
    assert fontmerge._faces_by_name.cache_info().currsize == 1  # the merge's first call finds them
    assert sorted(fontmerge._faces_by_name().values()) == sorted(face.path for face in FACES)


# Fetches each of the guide's fonts, then the same bytes as a project's file, with the sandbox's
# fetcher in a fresh interpreter; prints whether Pillow had loaded all its format plugins after each.
FETCHING_FONTS = """
import shutil, sys
from pathlib import Path
from PIL import Image
from guide.fetcher import SandboxedFetcher, sandbox_roots
from guide.fonts import FACES

project = Path(sys.argv[1])
fetcher = SandboxedFetcher(sandbox_roots(project))
served = [fetcher.fetch(face.path.as_uri()).read() == face.path.read_bytes() for face in FACES]
print(all(served), Image._initialized == 2, end=" ")
shutil.copy(FACES[0].path, project / "font.otf")
fetcher.fetch((project / "font.otf").as_uri())
print(Image._initialized == 2)
"""


def test_the_guides_own_fonts_skip_the_image_gate(tmp_path: Path) -> None:
    """A worker loads the fonts first: had they gone through Pillow, it would import every plugin."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-c", FETCHING_FONTS, str(tmp_path.resolve())]
    done = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False", "True"]  # an author's file still goes through it
