"""The parallel typesetter behind the same interface as `guide.typeset.typeset_pdf`."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path

from guide.book import Book
from guide.errors import Report
from guide.fetcher import SandboxedFetcher, sandbox_roots
from guide.finish import Finish
from guide.options import BuildOptions
from guide.render import RenderOptions
from guide.typeset import FONTCONFIG_FILE, Progress, TypesetResult
from guide.typesetting.cache import PartCache
from guide.typesetting.merge import BookMerger, MergeError
from guide.typesetting.parallel import Setup, WorkerError, note_fallback, report_log, typeset_in_parts
from guide.typesetting.parts import unsupported_reason
from guide.typesetting.pool import Workers, start_workers
from guide.typesetting.weasy import InternalsChangedError
from guide.uptodate import cache_folder
from guide.weasylog import Locate, log_handler


def typeset_book(
    book: Book,
    options: RenderOptions,
    project: Path,
    fetcher: SandboxedFetcher,
    report: Report,
    *,
    jobs: int,
    progress: Progress | None = None,
    locate: Locate | None = None,
    known_chars: set[str] | None = None,
    finish: Callable[[dict[str, int]], Finish] | None = None,
) -> TypesetResult | None:
    """Typeset the book in parts with `jobs` workers; None when it must be one document after all.

    None comes with a warning in `report` when a worker failed; styles that depend on the whole
    book's page sequence (see `parts.unsupported_reason`) quietly take the one-document path.
    """
    if unsupported_reason(book, options) is not None:
        return None
    cache = part_cache(project)
    cache.new_build()
    try:
        workers, merger = (_kept[-1], _merger(project)) if _kept else (None, None)
        setup = Setup(FONTCONFIG_FILE, project, fetcher, jobs, cache, workers, merger, finish)
        typeset = typeset_in_parts(book, options, setup, progress)
    except WorkerError as failure:
        note_fallback(report, failure)
        return None
    except (MergeError, InternalsChangedError) as exc:
        note_fallback(report, WorkerError("<typesetting>", f"the parts could not be merged ({exc})"))
        return None
    handler = log_handler(report, locate, known_chars)
    report_log(typeset.log, handler)
    fetcher.refusals.extend(dict.fromkeys(typeset.refusals))  # every part loads the stylesheets
    fetcher.loaded.extend(typeset.loaded)  # the build's inputs, as the one-document path records them
    cache.trim()
    return TypesetResult(
        pdf=typeset.pdf,
        pages=typeset.pages,
        anchor_pages=typeset.anchor_pages,
        failed_images=tuple(handler.findings.failed_images),
        layout_warnings=tuple(typeset.layout_warnings),
        finished=typeset.finished,
    )


_kept: list[Workers] = []
"""The workers `keep_workers` started, while its block runs."""


@contextlib.contextmanager
def keep_workers(project: Path, options: BuildOptions) -> Iterator[None]:
    """Start the typesetting workers now and let every build of `project` in the block use them.

    For a process that starts threads (`guide watch`: the file watcher, the preview server): enter
    this first, so the workers are forked before any other thread runs. With one job, nothing.
    """
    if options.jobs <= 1:
        yield
        return
    project = project.resolve()
    roots = tuple(root.resolve() for root in sandbox_roots(project))
    remote = (options.allow_remote, options.allow_private_hosts)
    workers = start_workers(project, roots, remote, options.jobs, kept=True)
    _kept.append(workers)
    try:
        yield
    finally:
        _kept.remove(workers)
        for merger in _mergers.values():
            merger.close()
        _mergers.clear()
        workers.stop()


_mergers: dict[Path, BookMerger] = {}
"""The merged book of the project built last in a `keep_workers` block: the next build copies in only
the parts that changed."""


def _merger(project: Path) -> BookMerger:
    """The kept merger of `project`; a merger kept for another project is let go (one book in memory)."""
    if project not in _mergers:
        for other in _mergers.values():
            other.close()
        _mergers.clear()
        _mergers[project] = BookMerger(part_cache(project).subset)
    return _mergers[project]


def part_cache(project: Path) -> PartCache:
    """One cache per folder for the life of the process: a warm process rebuilds from memory."""
    return _cache(cache_folder(project), project)


@functools.cache
def _cache(folder: Path, project: Path) -> PartCache:
    return PartCache(folder, project)
