"""How a build is asked for (BuildOptions) and what it made (BuildResult): light, so the command line
can read its options and decide a build is up to date without loading the pipeline."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from guide.errors import Diagnostic
from guide.manifest import Edition, MissingImages

__all__ = ["BuildOptions", "BuildResult", "default_jobs", "default_output"]


def default_jobs() -> int:
    """How many worker processes typeset by default: the cores this process may run on, at least 2.

    Never 1 by default: one job typesets the book as one document, whose PDF has the same pages but
    not the same bytes as the parts' merge, and the same inputs must make the same PDF on every machine.
    """
    if hasattr(os, "sched_getaffinity"):
        return max(2, len(os.sched_getaffinity(0)))
    return max(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class BuildOptions:
    """How to build, as the author asked."""

    strict: bool = False
    """Treat every warning as an error."""
    style: Path | None = None
    """An extra stylesheet applied after the package's own."""
    force: bool = False
    """Overwrite an output file that is not a previous build."""
    allow_remote: bool = False
    """Let http(s) images through, with a short timeout."""
    missing_images: MissingImages | None = None
    """What to do with images that cannot be had; None takes guide.toml's (default: error)."""
    edition: Edition | None = None
    """Screen or print; None takes guide.toml's (default: screen)."""
    allow_private_hosts: bool = False
    """Test-only: let --allow-remote reach loopback and private addresses (a test's own server)."""
    jobs: int = field(default_factory=default_jobs)
    """Worker processes that typeset the book in parts (1: the whole book as one document)."""


@dataclass
class BuildResult:
    """What a build made, and what it warned about."""

    output: Path | None
    pages: int = 0
    warnings: list[Diagnostic] = field(default_factory=list)
    inputs: frozenset[Path] = frozenset()
    """Every file the build read: guide.toml, the posts, their images, the --style file and what the
    typesetter loaded through the sandbox (the package's own styles and fonts among them)."""
    html: str = ""
    """The HTML the PDF was typeset from (`guide watch --serve` shows it)."""
    images: tuple[str, ...] = ()
    """The project-relative paths of the images the HTML shows."""
    up_to_date: bool = False
    """True when nothing was built: the output was already made from the very same inputs."""


def default_output(project: Path, suffix: str = ".pdf") -> Path:
    """Where a build writes when not told: PROJECT/build/guide.pdf (or .html)."""
    return project / "build" / f"guide{suffix}"
