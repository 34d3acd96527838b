"""Shared fixtures: real builds with WeasyPrint, once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from guide import BuildOptions, BuildResult, build
from tests.pdf_reader import ReadPdf

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_sample(folder: Path) -> Path:
    """A copy of the sample series (guide.toml and chapters/) in `folder`/sample, so its build/ and
    cache stay out of the checkout."""
    project = folder / "sample"
    project.mkdir()
    shutil.copy(ROOT / "guide.toml", project)
    shutil.copytree(ROOT / "chapters", project / "chapters")
    return project


EPOCH = "1700000000"

# `make test` replays the same examples on every machine, so a red run is a real change, not luck;
# `HYPOTHESIS_PROFILE=explore` draws new ones (make fuzz and by hand).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session", autouse=True)
def typeset_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the parallel typesetter's cache out of the fixture projects: one folder for the session."""
    folder = tmp_path_factory.mktemp("typeset-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUIDE_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def epoch() -> Iterator[str]:
    """Pin the build date so builds reproduce."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        yield EPOCH


def strict_build(project: Path, output: Path) -> BuildResult:
    """Build with every warning fatal: a test build must raise no WeasyPrint log record."""
    return build(project, output, BuildOptions(strict=True))


@pytest.fixture(scope="session")
def basic_pdf(tmp_path_factory: pytest.TempPathFactory, epoch: str) -> ReadPdf:
    """The fixture project, built once."""
    output = tmp_path_factory.mktemp("basic") / "basic.pdf"
    strict_build(FIXTURES / "projects" / "basic", output)
    return ReadPdf(output)


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory, epoch: str) -> ReadPdf:
    """The sample series in chapters/, built once, as `make pdf` builds it."""
    output = tmp_path_factory.mktemp("sample") / "guide.pdf"
    strict_build(ROOT, output)
    return ReadPdf(output)
