"""Run the stages in order: manifest -> posts -> book -> HTML -> PDF."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from guide.book import Book, build_book
from guide.errors import Diagnostic, GuideError, Report
from guide.fetcher import SandboxedFetcher
from guide.fonts import FONT_DIRS
from guide.manifest import Manifest, load_manifest
from guide.output import check_output_path
from guide.post import Post
from guide.render import RenderOptions, render_html
from guide.resources import STYLES_DIR
from guide.sources import read_post
from guide.textfile import read_text
from guide.typeset import Progress, typeset_pdf, write_atomically


@dataclass(frozen=True)
class BuildOptions:
    """How to build, as the author asked."""

    strict: bool = False
    """Treat every warning as an error."""
    style: Path | None = None
    """An extra stylesheet applied after the package's own."""
    force: bool = False
    """Overwrite an output file that is not a previous build."""


@dataclass
class BuildResult:
    """What a build made, and what it warned about."""

    output: Path | None
    pages: int = 0
    warnings: list[Diagnostic] = field(default_factory=list)


def build_date() -> dt.datetime:
    """Return the time recorded in the PDF: SOURCE_DATE_EPOCH when set, so builds reproduce."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except ValueError as exc:
            raise GuideError(
                Diagnostic("SOURCE_DATE_EPOCH", None, f"must be whole seconds (got {epoch!r})")
            ) from exc
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def load_book(project: Path, report: Report, progress: Progress | None = None) -> Book:
    """Read the manifest and every post; raise GuideError with every problem found."""
    manifest = load_manifest(project)
    posts = _read_posts(manifest, report, progress)
    book = build_book(manifest, posts, report)
    report.raise_if_errors()
    return book


def _read_posts(manifest: Manifest, report: Report, progress: Progress | None) -> list[Post]:
    posts: list[Post] = []
    for index, ref in enumerate(manifest.chapters, start=1):
        if progress:
            progress(f"Reading {ref.source_path} ({index}/{len(manifest.chapters)})")
        try:
            posts.append(read_post(ref.abs_path, ref.source_path, report))
        except GuideError as exc:
            report.diagnostics.extend(exc.diagnostics)
    report.raise_if_errors()
    return posts


def make_html(project: Path, options: BuildOptions, report: Report, progress: Progress | None = None) -> str:
    """Return the HTML document the PDF is typeset from."""
    book = load_book(project, report, progress)
    extra_css = ""
    if options.style is not None:
        extra_css = read_text(options.style, str(options.style))
    report.raise_if_errors(options.strict)
    return render_html(book, RenderOptions(created=build_date(), extra_css=extra_css))


def build(
    project: Path,
    output: Path,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the guide in `project` into the PDF at `output`."""
    options = options or BuildOptions()
    project = project.resolve()
    check_output_path(project, output, options.force)
    report = Report()
    html = make_html(project, options, report, progress)
    roots: tuple[Path, ...] = (project, STYLES_DIR, *FONT_DIRS)
    if options.style is not None:
        roots += (options.style.resolve().parent,)
    fetcher = SandboxedFetcher(roots)
    result = typeset_pdf(html, project, fetcher, report, progress)
    for refusal in fetcher.refusals:
        report.error("<pdf>", None, f"refused to load {refusal.url}: {refusal.reason}")
    report.raise_if_errors(options.strict)
    write_atomically(result.pdf, output)
    return BuildResult(output=output, pages=result.pages, warnings=report.warnings)
