"""Run the stages in order: manifest -> posts -> book -> HTML -> PDF."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

from guide.book import Book, ImagePolicy, build_book
from guide.budget import check_layout_budget, check_style_budget
from guide.cssimports import Sheet, author_sheets, css_urls
from guide.errors import URL_CHARS, Diagnostic, GuideError, Report, clip
from guide.finish import Finish, finish_pdf
from guide.fontfaces import locate_font_face
from guide.glyphs import check_glyphs
from guide.imagebudget import check_image_budget
from guide.interrupt import stop_if_interrupted
from guide.limits import MAX_FILE_BYTES
from guide.manifest import MANIFEST_NAME, Manifest, MissingImages, load_manifest
from guide.options import BuildOptions, BuildResult
from guide.output import (
    check_output_folder,
    check_output_path,
    create_output_folder,
    write_atomically,
    write_folder,
)
from guide.paths import file_problem, file_within
from guide.positions import element_line
from guide.post import Post
from guide.render import RenderOptions, render_html
from guide.sandbox import Refusal, Sandbox, sandbox_roots
from guide.site import INDEX, make_site
from guide.site import self_contained as inline_site
from guide.sources import read_post
from guide.stylelint import lint_author_sheets, not_yet_linted
from guide.textfile import read_text
from guide.uptodate import cache_folder
from guide.weasyload import import_weasyprint

if TYPE_CHECKING:  # WeasyPrint loads only when a build typesets: `check` and an up-to-date build skip it
    from guide.typesetting.common import Progress, TypesetResult


def build_date(guide_date: dt.date | None = None) -> dt.datetime:
    """Return the time recorded in the PDF: the guide's `date`, else SOURCE_DATE_EPOCH, else now."""
    if guide_date is not None:
        return dt.datetime(guide_date.year, guide_date.month, guide_date.day, tzinfo=dt.UTC)
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
    project: Path,
    report: Report,
    progress: Progress | None = None,
    options: BuildOptions | None = None,
    unavailable: Mapping[str, str] = MappingProxyType({}),
    *,
    posts_cache: Path | None = None,
) -> Book:
    """Read the manifest and every post; raise GuideError with every problem found.

    `unavailable` maps image addresses a first typesetting pass could not load to the reason;
    `posts_cache` is a folder keeping what the readers made of each post's content (see sources).
    """
    options = options or BuildOptions()
    manifest = load_manifest(project)
    report.diagnostics.extend(manifest.warnings)
    if options.edition is not None:
        manifest = replace(manifest, edition=options.edition)
    posts = _read_posts(manifest, report, progress, posts_cache)
    images = ImagePolicy(
        allow_remote=options.allow_remote,
        placeholders=(options.missing_images or manifest.missing_images) is MissingImages.PLACEHOLDER,
        unavailable=unavailable,
    )
    book = build_book(manifest, posts, report, images)
    report.raise_if_errors()
    return book


def _read_posts(
    manifest: Manifest, report: Report, progress: Progress | None, cache: Path | None
) -> list[Post]:
    posts: list[Post] = []
    for index, ref in enumerate(manifest.chapters, start=1):
        if progress:
            progress(f"Reading {ref.source_path} ({index}/{len(manifest.chapters)})")
        try:
            posts.append(read_post(ref.abs_path, ref.source_path, report, cache))
        except GuideError as exc:
            report.diagnostics.extend(exc.diagnostics)
    report.raise_if_errors()
    return posts


@dataclass(frozen=True)
class Prepared:
    """A book checked and rendered, ready to typeset."""

    book: Book
    html: str
    """The whole book as one HTML document."""
    created: dt.datetime
    """The date the PDF records."""
    render_options: RenderOptions
    """What the HTML was rendered with: the parallel typesetter renders the parts with the same."""
    missing_chars: frozenset[str] = frozenset()
    """Characters the fonts lack, already reported per post by the glyph check."""


def prepare(
    project: Path,
    options: BuildOptions,
    report: Report,
    progress: Progress | None = None,
    unavailable: Mapping[str, str] = MappingProxyType({}),
    *,
    cache: Path | None = None,
) -> Prepared:
    """Run every stage before typesetting; raise GuideError if any reported an error.

    `cache` is the project's cache folder: what the readers made of each post, which characters
    the fonts have, the chapters' HTML, the title font's metrics.
    """
    posts_cache = cache / "posts" if cache is not None else None
    book = load_book(project, report, progress, options, unavailable, posts_cache=posts_cache)
    missing_chars = check_glyphs(book, report, cache / "glyphs" if cache is not None else None)
    extra_css = ""
    sheets: tuple[Sheet, ...] = ()
    if options.style is not None:
        extra_css = read_text(options.style, str(options.style))
        sheets = check_style_budget(extra_css, str(options.style), project)
        lint_author_sheets(sheets, report)
    report.raise_if_errors(options.strict)
    created = build_date(book.date)
    chapters = cache / "chapters" if cache is not None else None
    fonts = cache / "fonts" if cache is not None else None
    render_options = RenderOptions(created=created, extra_css=extra_css, cache=chapters, fonts=fonts)
    html = render_html(book, render_options)
    check_layout_budget(html, book.budget_scale)
    check_image_budget(html, project, sheets)
    return Prepared(
        book=book,
        html=html,
        created=created,
        render_options=render_options,
        missing_chars=frozenset(missing_chars),
    )


def make_html(project: Path, options: BuildOptions, report: Report, progress: Progress | None = None) -> str:
    """Return the HTML document the PDF is typeset from."""
    return prepare(project.resolve(), options, report, progress).html


def write_html(
    project: Path, output: Path, options: BuildOptions, report: Report, self_contained: bool = False
) -> None:
    """Write the HTML the PDF is typeset from, to open in a browser; raise GuideError on any error.

    `output` is a folder (index.html, fonts/ and the images at their project-relative paths), or
    with `self_contained` one .html file with every font and image inlined as a data: URI.
    """
    project = project.resolve()
    prepared = prepare(project, options, report)
    inputs = build_inputs(prepared.book, project, options)
    images = tuple(dict.fromkeys(image for chapter in prepared.book.chapters for image in chapter.images))
    site = make_site(prepared.html, project, images)
    if self_contained:
        check_output_path(project, output, options.force, kind="HTML", inputs=inputs)
        stop_if_interrupted()
        create_output_folder(project, output)
        write_atomically(inline_site(site).encode("utf-8"), output)
        return
    files: dict[str, Path | bytes] = {**site.files, INDEX: site.html.encode("utf-8")}
    check_output_folder(project, output, options.force, inputs, names=files)
    stop_if_interrupted()
    write_folder(project, output, files)


def build_inputs(book: Book, project: Path, options: BuildOptions) -> frozenset[Path]:
    """The resolved files a build reads: guide.toml, the posts, their images and the --style file."""
    files = {project / MANIFEST_NAME}
    for chapter in book.chapters:
        files.add(project / chapter.post.source_path)
        files.update(project / image for image in chapter.images)
    if options.style is not None:
        files.add(options.style)
    return frozenset(path.resolve() for path in files)


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
    cache = cache_folder(project)
    with _early_workers(project, options):
        prepared = prepare(project, options, report, progress, cache=cache)  # errors come first
        inputs = build_inputs(prepared.book, project, options)
        check_output_path(project, output, options.force, inputs=inputs)
        typeset = _typeset(prepared, project, options, progress)
    failed = bool(typeset.refusals or typeset.result.failed_images)  # else nothing to print as a placeholder
    placeholders = failed and _placeholders(project, options)
    unavailable = _unloaded_images(prepared.book, typeset) if placeholders else {}
    if unavailable:
        # Print the images the typesetter could not load as placeholders, and lay out again.
        report = Report()
        prepared = prepare(project, options, report, progress, unavailable, cache=cache)
        inputs = build_inputs(prepared.book, project, options)
        typeset = _typeset(prepared, project, options, progress)
    _report_typesetting(prepared.book, typeset, project, options, report)
    report.raise_if_errors(options.strict)
    result = typeset.result
    pdf = result.pdf if result.finished else finish_pdf(result.pdf, _finish(prepared, result.anchor_pages))
    stop_if_interrupted()
    create_output_folder(project, output)
    write_atomically(pdf, output)
    return BuildResult(
        output=output,
        pages=typeset.result.pages,
        warnings=report.warnings,
        inputs=inputs | typeset.loaded,
        html=prepared.html,
        images=tuple(dict.fromkeys(image for chapter in prepared.book.chapters for image in chapter.images)),
    )


@contextlib.contextmanager
def _early_workers(project: Path, options: BuildOptions) -> Iterator[None]:
    """Start the typesetting workers before the book is read, when it is typeset in parts.

    They load WeasyPrint and warm up while this process prepares the book (`pool.early_workers`);
    not while `guide watch` keeps its own.
    """
    if options.jobs <= 1:
        yield
        return
    from guide.typesetting.book import kept_workers  # noqa: PLC0415 - only for a build in parts
    from guide.typesetting.pool import early_workers  # noqa: PLC0415

    with contextlib.nullcontext() if kept_workers() else early_workers(project, options):
        yield


@dataclass(frozen=True)
class _Typeset:
    """One typesetting run: the PDF, WeasyPrint's log and what the sandbox refused."""

    result: TypesetResult
    log: Report
    refusals: tuple[Refusal, ...]
    loaded: frozenset[Path] = frozenset()
    """The local files the typesetter loaded."""


def _typeset(prepared: Prepared, project: Path, options: BuildOptions, progress: Progress | None) -> _Typeset:
    from guide.weasylog import FontFace  # noqa: PLC0415

    log = Report()

    def locate(wanted: str | FontFace) -> tuple[str, int | None] | None:
        if isinstance(wanted, FontFace):
            return _locate_font_face(prepared, project, options, wanted.family)
        return _locate_url(prepared.book, project, wanted)

    known_chars = set(prepared.missing_chars)
    roots = sandbox_roots(project)
    if options.jobs > 1:
        # The parent of the workers never loads WeasyPrint: each worker does, while this process prepares.
        from guide.typesetting.book import typeset_book  # noqa: PLC0415 - pikepdf and fontTools load only here

        sandbox = Sandbox.of(roots, options.allow_remote, options.allow_private_hosts)
        result = typeset_book(
            prepared.book,
            prepared.render_options,
            project,
            sandbox,
            log,
            jobs=options.jobs,
            progress=progress,
            locate=locate,
            known_chars=known_chars,
            finish=lambda anchor_pages: _finish(prepared, anchor_pages),
        )
        if result is not None:
            return _Typeset(result, log, tuple(sandbox.refusals), frozenset(sandbox.loaded))
    import_weasyprint()  # first, without ctypes' library search
    from guide.fetcher import SandboxedFetcher  # noqa: PLC0415 - WeasyPrint loads only here
    from guide.typeset import typeset_pdf  # noqa: PLC0415
    from guide.typesetting.hyphenation import HYPHENATION_FOLDER, cache_patterns  # noqa: PLC0415

    cache_patterns(cache_folder(project) / HYPHENATION_FOLDER)
    fetcher = SandboxedFetcher(roots, options.allow_remote, options.allow_private_hosts)
    result = typeset_pdf(
        prepared.html, project, fetcher, log, progress, locate=locate, known_chars=known_chars
    )
    return _Typeset(result, log, tuple(fetcher.refusals), frozenset(fetcher.loaded))


def _placeholders(project: Path, options: BuildOptions) -> bool:
    """Whether images that cannot be had become placeholders: the option, else guide.toml."""
    return (options.missing_images or load_manifest(project).missing_images) is MissingImages.PLACEHOLDER


def _unloaded_images(book: Book, typeset: _Typeset) -> dict[str, str]:
    """The chapters' image addresses the typesetter refused or failed to load, and why."""
    failed = {refusal.url: f"refused: {refusal.reason}" for refusal in typeset.refusals}
    for url in typeset.result.failed_images:
        failed.setdefault(url, "failed to load")
    shown = {
        str(image.get("src"))
        for chapter in book.chapters
        if chapter.body_html
        for image in lxml.html.fragment_fromstring(chapter.body_html, create_parent="div").iter("img")
    }
    return {url: reason for url, reason in failed.items() if url in shown}


def _report_typesetting(
    book: Book, typeset: _Typeset, project: Path, options: BuildOptions, report: Report
) -> None:
    """Name the post behind each typesetting problem and sandbox refusal."""
    report.diagnostics.extend(typeset.result.layout_warnings)  # the audit located its own
    logged = dict.fromkeys(typeset.log.diagnostics)  # WeasyPrint repeats itself per box
    report.diagnostics.extend(not_yet_linted(logged, report.diagnostics))
    for refusal in dict.fromkeys(typeset.refusals):
        # Not in any post: an SVG image's own sub-resource, or the author's stylesheet.
        path, line = (
            _locate_url(book, project, refusal.url)
            or _svg_showing(book, project, refusal.url)
            or _style_naming(project, options, refusal.url)
            or (str(options.style or "<typesetting>"), None)
        )
        report.error(path, line, f"refused to load {clip(refusal.url, URL_CHARS)}: {refusal.reason}")


def _locate_font_face(
    prepared: Prepared, project: Path, options: BuildOptions, family: str
) -> tuple[str, int] | None:
    """The stylesheet (or SVG) and line of the `@font-face` rule for `family` that could not be loaded."""
    css = prepared.render_options.extra_css
    sheets = author_sheets(css, str(options.style), project) if options.style is not None else ()
    images = dict.fromkeys(project / image for chapter in prepared.book.chapters for image in chapter.images)
    return locate_font_face(family, sheets, images, project)


def _style_naming(project: Path, options: BuildOptions, url: str) -> tuple[str, int] | None:
    """The author stylesheet (the `--style` file or a project file it imports) and line that loads `url`.

    Relative addresses resolve as the typesetter resolves them (guide.cssimports): the `--style`
    text against the project, an imported file against itself. Read only when a refusal is left
    unlocated.
    """
    if options.style is None:
        return None
    wanted = {url, unquote(url)}
    css = read_text(options.style, str(options.style))
    for sheet in author_sheets(css, str(options.style), project):
        for found in css_urls(sheet.text):
            address = found.address
            if not urlsplit(address).scheme:
                address = urljoin(sheet.base.as_uri() + "/", address)
            if address in wanted or unquote(address) in wanted:
                return sheet.shown, found.line
    return None


def _needles(url: str, project: Path) -> set[str]:
    """The forms an address may take in a post or an SVG: as loaded, unquoted, relative to the project."""
    return {url, unquote(url), unquote(url.removeprefix(project.as_uri() + "/"))}


def _locate_url(book: Book, project: Path, url: str) -> tuple[str, int | None] | None:
    """Return the post and line of the element whose src or href loads `url`."""
    wanted = _needles(url, project)
    return _find_element(book, lambda value: value in wanted or unquote(value) in wanted)


def _svg_showing(book: Book, project: Path, url: str) -> tuple[str, int | None] | None:
    """Find the image element showing the SVG whose text names `url` (its own image, say), or that
    shows, through SVGs it loads in turn, an SVG naming it."""
    names = {n for needle in _needles(url, project) for n in (needle, posixpath.basename(needle)) if n}
    for chapter in book.chapters:
        for image in chapter.images:
            if _svg_names(project / image, names, project, set()):
                return _locate_url(book, project, (project / image).as_uri())
    return None


SVG_HREF = re.compile(r"""\bhref\s*=\s*["']([^"'#]+)""")
"""An SVG's reference to another file (`href` or `xlink:href`), up to any fragment."""
MAX_SVG_NESTING = 8
"""How deep the search for a refusal's SVG follows SVGs that show SVGs."""


def _svg_names(svg: Path, names: set[str], project: Path, seen: set[Path]) -> bool:
    """Whether the SVG file names one of `names`, itself or in a project SVG it shows, at most 8 deep."""
    if svg in seen or len(seen) >= MAX_SVG_NESTING or file_problem(svg) is not None:
        return False
    seen.add(svg)
    text = svg.read_bytes()[:MAX_FILE_BYTES].decode("utf-8", errors="replace")
    if not text.lstrip().startswith("<"):
        return False  # a raster image: nothing in it names a file
    if any(name in text for name in names):
        return True
    for href in SVG_HREF.findall(text):
        if urlsplit(href).scheme:
            continue
        found = file_within(str(svg.parent / unquote(href)), (project,))
        if isinstance(found, Path) and _svg_names(found, names, project, seen):
            return True
    return False


def _find_element(book: Book, matches: Callable[[str], bool]) -> tuple[str, int | None] | None:
    for chapter in book.chapters:
        if not chapter.body_html.strip():
            continue
        root = lxml.html.fragment_fromstring(chapter.body_html, create_parent="div")
        for element in root.iter("img", "a", "source", "image"):
            value = element.get("src") or element.get("href")
            if value and matches(value):
                return chapter.post.source_path, element_line(element)
    return None


def _finish(prepared: Prepared, anchor_pages: Mapping[str, int]) -> Finish:
    """What the written PDF is finished with: page labels and metadata (`anchor_pages`: id -> page)."""
    book = prepared.book
    first = book.chapters[0].slug if book.chapters else None
    return Finish(
        front_pages=anchor_pages.get(first, 0) if first else 0,
        title=book.title,
        authors=(book.author,) if book.author else (),
        language=book.language,
        date=prepared.created,
    )
