"""Run an import: read the sources, select and order articles, plan and write the files."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from guide.errors import Diagnostic, GuideError, Report
from guide.importing.media import MediaFolder
from guide.importing.options import ImportOptions, Order
from guide.importing.order import order_articles
from guide.importing.plan import ImportPlan, guide_chapters, listed_dates, plan_import
from guide.importing.readers.article import Source
from guide.importing.readers.importable import read_source, source_files
from guide.importing.select import Skipped, select_articles
from guide.importing.series import check_guide_series
from guide.importing.writer import ManifestPlan, write_import
from guide.limits import parser_limits
from guide.manifest import MANIFEST_NAME
from guide.starter import default_title

__all__ = ["ImportOptions", "ImportResult", "Order", "SourceSummary", "import_sources"]


@dataclass(frozen=True)
class SourceSummary:
    """One source as read."""

    source_path: str
    format: str
    articles: int


@dataclass(frozen=True)
class ImportResult:
    """What an import did, for the summary."""

    sources: tuple[SourceSummary, ...]
    written: tuple[str, ...]
    """Chapter files written (new, or overwritten with --force)."""
    unchanged: tuple[str, ...]
    """Chapter files already there with the same content."""
    skipped: tuple[Skipped, ...]
    """Articles not imported, and why (conflicting files among them)."""
    media: tuple[str, ...]
    """Images copied into the project."""
    manifest: str
    """What happened to guide.toml: created, extended or unchanged."""
    warnings: tuple[Diagnostic, ...]
    clashes: tuple[Diagnostic, ...] = ()
    """Files left alone because they hold other content: errors, though the rest was written."""
    verified: int = 0
    """Imported chapters whose Markdown the build renders as their source showed them."""
    replaced_sample: str | None = None
    """The starter's sample chapter (untouched since `guide new`) that the posts replaced."""

    def skip_counts(self) -> list[tuple[str, int]]:
        """How many articles were skipped for each reason, most common first."""
        return Counter(_reason_kind(s.reason) for s in self.skipped).most_common()


def _reason_kind(reason: str) -> str:
    return "already read from another source" if reason.startswith("same post as") else reason


def import_sources(paths: list[Path], options: ImportOptions) -> ImportResult:
    """Import every article of `paths` into the project; raise GuideError if a source is unreadable."""
    report = Report()
    _check_options(options)
    sources = _read_sources(paths, report)
    selection = select_articles(sources, options)
    report.diagnostics.extend(w for article in selection.articles for w in article.warnings)
    articles = tuple(order_articles(list(selection.articles), options.order, report))
    media = MediaFolder(options.media) if options.media else None
    plan = plan_import(articles, media, report)
    manifest = _manifest_plan(sources, plan, paths, options, report)
    manifest = replace(
        manifest, existing_dates=listed_dates(options.project), newest_first=options.order is Order.NEWEST
    )
    outcome = write_import(options.project, plan, manifest, options.force)
    check_guide_series(guide_chapters(options.project, plan), report)
    return ImportResult(
        sources=_summaries(paths, sources),
        written=tuple(outcome.written),
        unchanged=tuple(p for p in outcome.unchanged if p.endswith(".md")),
        skipped=selection.skipped + _conflicts(plan, outcome.conflicts),
        media=tuple(outcome.media),
        manifest=outcome.manifest,
        warnings=tuple(report.warnings),
        clashes=tuple(
            Diagnostic(path, None, "exists with other content and was not imported; --force overwrites it")
            for path in outcome.conflicts
        ),
        verified=len(plan.verified & {*outcome.written, *outcome.unchanged}),
        replaced_sample=outcome.replaced_sample,
    )


def _summaries(paths: list[Path], sources: list[Source]) -> tuple[SourceSummary, ...]:
    """One summary per source named: a folder's posts are summed up as the folder."""
    folders = [path for path in paths if path.is_dir()]
    by_folder: dict[Path, list[Source]] = {}
    order: list[Path | Source] = []
    for source in sources:
        folder = next((f for f in folders if Path(source.source_path).is_relative_to(f)), None)
        if folder is None:
            order.append(source)
            continue
        if folder not in by_folder:
            by_folder[folder] = []
            order.append(folder)
        by_folder[folder].append(source)
    summaries = []
    for entry in order:
        if isinstance(entry, Source):
            summaries.append(SourceSummary(entry.source_path, entry.format, len(entry.articles)))
            continue
        posts = by_folder[entry]
        formats = ", ".join(sorted({p.format for p in posts}))
        count = sum(len(p.articles) for p in posts)
        summaries.append(SourceSummary(str(entry), f"folder of {len(posts)} files ({formats})", count))
    return tuple(summaries)


def _conflicts(plan: ImportPlan, conflicts: list[str]) -> tuple[Skipped, ...]:
    """The chapters left alone because their file holds something else."""
    return tuple(
        Skipped(
            c.article.post.source_path,
            c.article.line,
            c.article.post.title,
            f"{c.path} exists and differs; --force overwrites it",
        )
        for c in plan.chapters
        if c.path in conflicts
    )


def _check_options(options: ImportOptions) -> None:
    if options.project.exists() and not options.project.is_dir():
        raise GuideError(Diagnostic(str(options.project), None, "--into must name a folder"))
    if options.media is not None and not options.media.is_dir():
        raise GuideError(
            Diagnostic(str(options.media), None, "--media must name a folder (a copy of the uploads)")
        )
    if options.since and options.until and options.since > options.until:
        raise GuideError(Diagnostic("--since", None, "--since is after --until: no post can match"))


def _read_sources(paths: list[Path], report: Report) -> list[Source]:
    """Read every source; if any cannot be read, report them all and import nothing."""
    sources = []
    seen: set[Path] = set()
    for path in _source_files(paths, report):
        if path.resolve() in seen:
            continue  # named twice on the command line
        seen.add(path.resolve())
        try:
            with parser_limits(str(path), None, "source"):
                sources.append(read_source(path, str(path), report))
        except GuideError as exc:
            report.diagnostics.extend(exc.diagnostics)
    report.raise_if_errors()
    return sources


def _source_files(paths: list[Path], report: Report) -> list[Path]:
    """Every file to read: the named ones, and the posts of each named folder."""
    files = []
    for path in paths:
        try:
            files.extend(source_files(path))
        except GuideError as exc:
            report.diagnostics.extend(exc.diagnostics)
    return files


def _manifest_plan(
    sources: list[Source], plan: ImportPlan, paths: list[Path], options: ImportOptions, report: Report
) -> ManifestPlan:
    """Title and author for a new guide.toml: --title/--author, else what the sources say."""
    posts = [chapter.article.post for chapter in plan.chapters]
    title = options.title or next((s.blog_title for s in sources if s.blog_title), None)
    author = options.author or next((s.blog_author for s in sources if s.blog_author), None)
    authors = {post.author for post in posts if post.author}
    if author is None and len(authors) == 1:
        author = authors.pop()
    if author is None:
        author = options.fallback_author
    creating = bool(posts) and not (options.project / MANIFEST_NAME).is_file()
    title = title or default_title(options.project)  # never the first post's title
    if author is None and creating:
        report.warn(
            MANIFEST_NAME,
            None,
            "the sources name no author: the book leaves it out (set 'author' or --author)",
        )
    names = ", ".join(path.name for path in paths)
    return ManifestPlan(title, author, f"Made by `guide import` from {names}.")
