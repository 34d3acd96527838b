"""The parallel typesetter behind the same interface as `guide.typeset.typeset_pdf`."""

from __future__ import annotations

import contextlib
import functools
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from guide.book import Book
from guide.errors import GuideError, Report
from guide.finish import Finish
from guide.manifest import load_manifest
from guide.options import BuildOptions
from guide.render import RenderOptions
from guide.sandbox import Sandbox, sandbox_roots
from guide.typesetting.cache import PartCache
from guide.typesetting.common import FONTCONFIG_FILE, Progress, TypesetResult
from guide.typesetting.parallel import Setup, WorkerError, note_fallback, report_log, typeset_in_parts
from guide.typesetting.parts import unsupported_reason
from guide.typesetting.pool import Workers, early_started, start_workers
from guide.typesetting.warmup import warm_up_html
from guide.typesetting.worker import load_layout
from guide.uptodate import cache_folder
from guide.weasyload import import_weasyprint
from guide.weasylog import Locate, log_handler

if TYPE_CHECKING:  # pikepdf, fontTools and WeasyPrint load only once the parts are laid out
    from guide.typesetting.merge import BookMerger


def typeset_book(
    book: Book,
    options: RenderOptions,
    project: Path,
    fetcher: Sandbox,
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
    workers, merger = (_kept[-1], _merger(project)) if _kept else (_started(project, fetcher, jobs), None)
    if workers is None:  # a cold build: the workers share what this process loads for them first
        load_layout()
        remote = (fetcher.allow_remote, fetcher.allow_private_hosts)
        workers = start_workers(project, fetcher.roots, remote, jobs)
    # A rebuild finds its font subsets in the cache; a cold build makes them with WeasyPrint's HarfBuzz.
    rebuild = workers.warm_up is not None and workers.warm_up.held
    preload = _Preload(subsetting=not rebuild)
    workers.on_first_send = preload.start
    try:
        setup = Setup(FONTCONFIG_FILE, project, fetcher, jobs, cache, workers, merger, finish)
        typeset = typeset_in_parts(book, options, setup, progress)
    except WorkerError as failure:
        note_fallback(report, failure)
        return None
    except Exception as exc:
        if not _unmergeable(exc):
            raise
        note_fallback(report, WorkerError("<typesetting>", f"the parts could not be merged ({exc})"))
        return None
    finally:
        workers.on_first_send = None
        preload.join()
    if workers.kept and "weasyprint" not in sys.modules:
        _ready_for_edits()
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


def _unmergeable(exc: Exception) -> bool:
    """Whether `exc` says the parts cannot be merged: a merge bug, or WeasyPrint's internals changed."""
    from guide.typesetting.merge import MergeError  # noqa: PLC0415 - loaded already if it was raised
    from guide.typesetting.weasy import InternalsChangedError  # noqa: PLC0415

    return isinstance(exc, (MergeError, InternalsChangedError))


_kept: list[Workers] = []
"""The workers `keep_workers` started, while its block runs."""


def _started(project: Path, sandbox: Sandbox, jobs: int) -> Workers | None:
    """The workers `pool.early_workers` started for this very build, if they fit it."""
    return early_started((project, sandbox.roots, (sandbox.allow_remote, sandbox.allow_private_hosts), jobs))


def kept_workers() -> bool:
    """Whether `keep_workers` keeps workers for every build now (`guide watch`)."""
    return bool(_kept)


class _Preload:
    """Load what merging the parts needs (pikepdf, fontTools, the guide's font names; with `subsetting`,
    WeasyPrint too) while the parent waits for the workers.

    Started once the first part is out, so it takes no time from sending the parts: the workers
    are forked by then (a fork while another thread imports could leave a module's lock taken in
    the child).
    """

    def __init__(self, *, subsetting: bool) -> None:
        self.thread: threading.Thread | None = None
        self.subsetting = subsetting

    def start(self) -> None:
        self.thread = threading.Thread(target=_load_merge, args=(self.subsetting,), name="guide-preload")
        self.thread.daemon = True
        self.thread.start()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()


def _ready_for_edits() -> None:
    """Load what an edit's merge may need and collect the garbage: in a watch's first build.

    A merge needs WeasyPrint when a face's glyphs changed (to subset it again). Loaded while the
    first edit is laid out, it took CPU from that part and brought on a full collection (about
    0.3 s of CPU at 200 posts); the first build, from the cache, has the time.
    """
    _load_merge(subsetting=True)
    gc.collect()


def _load_merge(subsetting: bool) -> None:
    import guide.typesetting.merge  # noqa: F401, PLC0415
    from guide.typesetting.fontmerge import load_face_names  # noqa: PLC0415

    load_face_names()

    if subsetting:
        import_weasyprint()  # first, without ctypes' library search
        from guide.typesetting import weasy  # noqa: PLC0415

        weasy.ready_subsetting()


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
    workers = start_workers(project, roots, remote, options.jobs, kept=True, warm_up=_kept_warm_up(project))
    _kept.append(workers)
    try:
        yield
    finally:
        _kept.remove(workers)
        for merger in _mergers.values():
            merger.close()
        _mergers.clear()
        workers.stop()


def _kept_warm_up(project: Path) -> tuple[str, bool] | None:
    """What every kept worker lays out as it starts, in the book's language; None if guide.toml has a problem.

    A watch's first build may take every part from the cache and leave the workers cold: the first
    edit would then wait for its worker to load the fonts, hyphenation and text library (about a
    quarter of a second). Not held back: any worker may get that edit.
    """
    try:
        language = load_manifest(project).language
    except GuideError:
        return None  # the first build reports it
    return warm_up_html(language), False


_mergers: dict[Path, BookMerger] = {}
"""The merged book of the project built last in a `keep_workers` block: the next build copies in only
the parts that changed."""


def tidy_kept() -> None:
    """Free what the kept merger no longer needs (the copy it wrote): between a watch's builds."""
    for merger in _mergers.values():
        merger.let_go()


def _merger(project: Path) -> BookMerger:
    """The kept merger of `project`; a merger kept for another project is let go (one book in memory)."""
    if project not in _mergers:
        for other in _mergers.values():
            other.close()
        _mergers.clear()
        from guide.typesetting.merge import BookMerger  # noqa: PLC0415 - pikepdf loads only to merge

        _mergers[project] = BookMerger(part_cache(project).subset)
    return _mergers[project]


def part_cache(project: Path) -> PartCache:
    """One cache per folder for the life of the process: a warm process rebuilds from memory."""
    return _cache(cache_folder(project), project)


@functools.cache
def _cache(folder: Path, project: Path) -> PartCache:
    return PartCache(folder, project)
