"""Run the stages in order: manifest -> posts -> book -> HTML -> PDF."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

from guide.book import Book, build_book
from guide.errors import Diagnostic, GuideError, Report
from guide.fetcher import SandboxedFetcher
from guide.fonts import FONT_DIRS
from guide.manifest import Manifest, load_manifest
from guide.output import check_output_path, create_output_folder, write_atomically
from guide.post import Post
from guide.render import RenderOptions, render_html
from guide.resources import STYLES_DIR
from guide.sources import read_post
from guide.textfile import line_of, read_text
from guide.typeset import Progress, typeset_pdf


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
    allow_private_hosts: bool = False
    """Test-only: let --allow-remote reach loopback and private addresses (a test's own server)."""


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


def load_book(
    project: Path, report: Report, progress: Progress | None = None, allow_remote: bool = False
) -> Book:
    """Read the manifest and every post; raise GuideError with every problem found."""
    manifest = load_manifest(project)
    posts = _read_posts(manifest, report, progress)
    book = build_book(manifest, posts, report, allow_remote)
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


@dataclass(frozen=True)
class Prepared:
    """A book checked and rendered, ready to typeset."""

    book: Book
    html: str


def prepare(
    project: Path, options: BuildOptions, report: Report, progress: Progress | None = None
) -> Prepared:
    """Run every stage before typesetting; raise GuideError if any reported an error."""
    book = load_book(project, report, progress, options.allow_remote)
    extra_css = ""
    if options.style is not None:
        extra_css = read_text(options.style, str(options.style))
    report.raise_if_errors(options.strict)
    html = render_html(book, RenderOptions(created=build_date(), extra_css=extra_css))
    return Prepared(book=book, html=html)


def make_html(project: Path, options: BuildOptions, report: Report, progress: Progress | None = None) -> str:
    """Return the HTML document the PDF is typeset from."""
    return prepare(project.resolve(), options, report, progress).html


def write_html(project: Path, output: Path, options: BuildOptions, report: Report) -> None:
    """Write the HTML document the PDF is typeset from to `output`; raise GuideError on any error."""
    project = project.resolve()
    html = make_html(project, options, report)
    check_output_path(project, output, options.force, kind="HTML")
    create_output_folder(project, output)
    write_atomically(html.encode("utf-8"), output)


def check(project: Path, options: BuildOptions | None = None) -> list[Diagnostic]:
    """Run every check of a build without typesetting; return the warnings or raise GuideError."""
    options = options or BuildOptions()
    report = Report()
    prepare(project.resolve(), options, report)
    return report.warnings


def build(
    project: Path,
    output: Path,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the guide in `project` into the PDF at `output`."""
    options = options or BuildOptions()
    project = project.resolve()
    report = Report()
    prepared = prepare(project, options, report, progress)  # the project's own errors come first
    check_output_path(project, output, options.force)
    roots: tuple[Path, ...] = (project, STYLES_DIR, *FONT_DIRS)
    if options.style is not None:
        roots += (options.style.resolve().parent,)
    fetcher = SandboxedFetcher(roots, options.allow_remote, options.allow_private_hosts)
    typesetting = Report()
    result = typeset_pdf(prepared.html, project, fetcher, typesetting, progress)
    for diagnostic in dict.fromkeys(typesetting.diagnostics):  # WeasyPrint repeats itself per box
        quoted = re.findall(r"[\"']([^\"']+)[\"']", diagnostic.message)
        path, line = _where(prepared.book, quoted) or (diagnostic.source_path, None)
        report.diagnostics.append(replace(diagnostic, source_path=path, line=line))
    for refusal in fetcher.refusals:
        needles = [
            refusal.url,
            unquote(refusal.url),
            unquote(refusal.url.removeprefix(project.as_uri() + "/")),
        ]
        # Not in any post: an SVG image's own sub-resource, or the author's stylesheet.
        path, line = (
            _where(prepared.book, needles)
            or _where(prepared.book, _svg_images(prepared.book))
            or (str(options.style or "<typesetting>"), None)
        )
        report.error(path, line, f"refused to load {refusal.url}: {refusal.reason}")
    report.raise_if_errors(options.strict)
    create_output_folder(project, output)
    write_atomically(result.pdf, output)
    return BuildResult(output=output, pages=result.pages, warnings=report.warnings)


def _where(book: Book, needles: list[str]) -> tuple[str, int | None] | None:
    """Find the post (and line) whose text holds one of `needles`: the source of a typesetting problem."""
    for chapter in book.chapters:
        for needle in needles:
            if needle and needle in chapter.body_html:
                text = chapter.post.source_text
                return chapter.post.source_path, line_of(text, needle) or line_of(
                    text, posixpath.basename(needle)
                )
    return None


def _svg_images(book: Book) -> list[str]:
    """The SVG images the chapters show: their own sub-resources go through the fetcher too."""
    return [image for chapter in book.chapters for image in chapter.images if image.endswith(".svg")]
