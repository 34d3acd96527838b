"""What runs in a typesetting worker process: one-time set-up, then one part at a time.

Set up once per process by `start_worker` (the pool's initializer): the font configuration that
sees only the guide's fonts, a handler that collects WeasyPrint's log records (the `weasyprint`
loggers' level and propagation are left alone), the page-numbering hook, and `gc.freeze` of
everything alive after set-up (the parent froze its own objects before forking, see `parallel`),
so the cyclic collector neither scans them on every pass nor copies the parent's memory. Then the
worker's collector runs less often (`GC_THRESHOLDS`): a laid-out part is a few hundred thousand
objects that live until it is written, and each young collection went over them again.

A kept worker (`guide watch`) holds laid-out parts between builds (`refolio`), and each edit
leaves the layouts it replaced as garbage in cycles, which those thresholds let pile up (about
10 MiB a worker an edit, measured on a 50-post series). So a job (`tidied_when_idle`) that leaves
such a worker idle for `TIDY_AFTER` seconds is followed by one full collection, while the author reads.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from guide.framestack import with_room
from guide.typesetting.common import PDF_VARIANT
from guide.typesetting.warmup import WarmUp, end_held_back, take_turn
from guide.weasyload import import_weasyprint

if TYPE_CHECKING:  # WeasyPrint loads in the worker (`start_worker`): the parent need not load it
    import weasyprint

    from guide.fetcher import SandboxedFetcher

WAIT_STEP = 0.002
"""Seconds between looks at the page counts the parts before this one have published."""
WAIT_LIMIT = 600.0
"""A part waits this long at most for the parts before it: past that, one of them is lost."""
UNKNOWN = -1
GC_THRESHOLDS = (20_000, 10, 10)
"""The cyclic collector's thresholds in a worker (Python's default: 700, 10, 10), set per process.

Measured in the two workers of a cold build (benchmarks: a 50-post series, then 200 posts), time in
the collector and each worker's peak memory: the default 0.21-0.26 s and 123-132 MiB (200 posts:
1.4-1.6 s, 221-246 MiB); these 0.04-0.05 s and 124-132 MiB (200 posts: 0.5-0.6 s, 236-267 MiB).
"""


@dataclass(frozen=True)
class Links:
    """What a part laid out in a batch prints and publishes."""

    parts: int
    """How many body parts number the book: their page counts give each part's first page."""
    targets: dict[str, tuple[int, int]]
    """Each anchor whose page it prints -> (the body part holding it, its slot in the shared marks)."""
    marks: dict[str, int]
    """Each of its anchors another part prints the page of -> its slot in the shared marks."""


@dataclass(frozen=True)
class PartJob:
    """One part to lay out: its place in the book, its document, and its first page if known."""

    index: int
    html: str
    numbered: bool
    first_page: int | None
    """None: wait for the page counts of the parts before it (published as they are laid out)."""
    starts: dict[str, int] = field(default_factory=dict)
    """Anchors whose page numbers this part publishes once laid out: anchor -> slot in the shared array."""
    measure: bool = False
    """Lay out only, to learn the page count and anchors: no folios, no PDF (the result's pdf is empty)."""
    build: int = 0
    """Which build of the parent's the part belongs to: a kept worker starts each build afresh."""
    links: Links | None = None
    """Set when the part is laid out in a batch that corrects its cross-references (see `linked`)."""
    keep: bool = False
    """Keep its layout in the worker, to give it other folios in a later build (see `refolio`)."""


@dataclass(frozen=True)
class PartResult:
    """A laid-out part, as PDF bytes and what the book needs to know about it."""

    index: int
    pdf: bytes
    pages: int
    first_page: int
    anchors: dict[str, int]
    """Each anchor's page, 0-based within the part."""
    log: list[tuple[int, str]] = field(default_factory=list)
    """WeasyPrint's log records (level, message)."""
    refusals: list[tuple[str, str]] = field(default_factory=list)
    """What the sandboxed fetcher refused (url, reason)."""
    findings: list[tuple[str | None, int | None, str, int, str | None]] = field(default_factory=list)
    """The layout audit's findings (see `guide.audit.Finding`): path, line, problem, page, link target."""
    loaded: list[str] = field(default_factory=list)
    """The absolute paths of the local files the part's fetcher loaded (its images, an SVG's own
    images, a stylesheet's url()s, the fonts): inputs of the build, checked before a cached part is used."""
    printed: dict[str, int] = field(default_factory=dict)
    """Each anchor whose page a part laid out in a batch (see `linked`) printed -> that page number."""
    refoliated: bool = False
    """Whether only its margin boxes were made again, on a layout the worker kept (see `refolio`)."""
    renumbered: bool = False
    """Whether only the pages printing other numbers were laid out again, on a kept layout (`refolio`)."""
    keeper: int = 0
    """The process id of the worker keeping its layout (see `refolio`), 0 when none does."""
    kept_html: str = ""
    """The digest of the HTML whose layout that worker keeps (its cross-references' numbers written in)."""


@dataclass
class _Worker:
    fonts: Any
    fetcher: SandboxedFetcher
    base_url: str
    counts: Any
    """Each part's page count, published as soon as it is laid out (UNKNOWN before)."""
    running: Any
    """The process id laying out each part, 0 when none: how a dead worker is traced to its part."""
    starts: Any
    """The page number of each chapter, published by the part that holds it (UNKNOWN before)."""
    marks: Any
    """The 0-based page of each anchor within its part, for parts laid out together (see `linked`)."""
    claims: Any
    """Which worker took each part laid out together, to paginate it, then to finish it (see `linked`)."""
    records: list[logging.LogRecord]
    build: int = 0
    """The build of the last part laid out."""


TIDY_AFTER = 0.5
"""Seconds a kept worker stays idle after a job before it collects the garbage of that job."""

_P = ParamSpec("_P")
_R = TypeVar("_R")
_busy: list[int] = [0]
_tidy: list[threading.Timer] = []


def tidied_when_idle(job: Callable[_P, _R]) -> Callable[_P, _R]:
    """`job`, a worker's entry point: once it ends and this worker keeps laid-out parts (`refolio`),
    a full collection runs after `TIDY_AFTER` seconds with no other job started (a daemon timer)."""

    @functools.wraps(job)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        while _tidy:
            _tidy.pop().cancel()
        _busy[0] += 1
        try:
            return job(*args, **kwargs)
        finally:
            _busy[0] -= 1
            refolio = sys.modules.get("guide.typesetting.refolio")
            if not _busy[0] and refolio is not None and len(refolio.kept_parts):
                timer = threading.Timer(TIDY_AFTER, gc.collect)
                timer.daemon = True
                timer.start()
                _tidy.append(timer)

    return run


_worker: list[_Worker] = []


class _Collector(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def start_worker(  # noqa: PLR0917 - the executor passes its initializer's arguments by position
    fontconfig_file: Path,
    project: Path,
    roots: Sequence[Path],
    remote: tuple[bool, bool],
    shared: tuple[Any, Any, Any, Any, Any],
    warm_up: WarmUp | None = None,
) -> None:
    """Set this worker process up once: fonts, log capture, page-numbering hook, frozen heap.

    With `warm_up`, the worker may first wait its turn, and lays a small document out once set up
    (see `guide.typesetting.warmup`).
    """
    # Ctrl-C reaches every process of the terminal's group: the parent stops the build and ends the
    # workers, which must not each print their own KeyboardInterrupt. SIGTERM ends them at once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    turn = take_turn(warm_up) if warm_up is not None else "set up"
    if turn == "end":
        end_held_back()
    import_weasyprint()  # first, without ctypes' library search
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

    from guide.fetcher import SandboxedFetcher  # noqa: PLC0415
    from guide.typesetting import weasy  # noqa: PLC0415
    from guide.typesetting.hyphenation import HYPHENATION_FOLDER, cache_patterns  # noqa: PLC0415
    from guide.uptodate import cache_folder  # noqa: PLC0415

    weasy.check_version()
    weasy.quick_arrays()
    weasy.kept_stylesheets()
    cache_patterns(cache_folder(project) / HYPHENATION_FOLDER)
    # This process only, once, before its first (and only) FontConfiguration reads it.
    os.environ["FONTCONFIG_FILE"] = str(fontconfig_file)
    records: list[logging.LogRecord] = []
    logging.getLogger("weasyprint").addHandler(_Collector(records))
    fetcher = SandboxedFetcher(tuple(roots), *remote)
    _worker.append(_Worker(FontConfiguration(), fetcher, project.as_uri() + "/", *shared, records))
    gc.freeze()  # the parent froze its own objects before forking; these are the worker's set-up
    gc.set_threshold(*GC_THRESHOLDS)
    if warm_up is not None and turn == "warm":
        _warm_up(_worker[-1], warm_up.html)


def _warm_up(worker: _Worker, html: str) -> None:
    """Lay `html` out once: the fonts, hyphenation and text library's first calls are made."""
    import weasyprint  # noqa: PLC0415 - loaded by `start_worker` already

    weasyprint.HTML(string=html, base_url=worker.base_url, url_fetcher=worker.fetcher).render(
        font_config=worker.fonts, pdf_variant=PDF_VARIANT
    )
    worker.records.clear()


def load_layout() -> None:
    """Load WeasyPrint and what lays a part out: before forking, for workers to share (a cold build)."""
    import_weasyprint()  # first, without ctypes' library search
    import weasyprint.text.fonts  # noqa: F401, PLC0415

    import guide.audit  # noqa: PLC0415
    import guide.fetcher  # noqa: PLC0415
    import guide.figures  # noqa: PLC0415
    import guide.pagebox  # noqa: F401, PLC0415
    from guide.typesetting import weasy  # noqa: F401, PLC0415


@tidied_when_idle
def typeset_part(job: PartJob) -> PartResult:
    """Lay out and write one part; publish its page count as soon as it is known."""
    worker = _worker[-1]
    worker.running[job.index] = os.getpid()
    try:
        return with_room(lambda: _typeset(worker, job))
    finally:
        worker.running[job.index] = 0


def _typeset(worker: _Worker, job: PartJob) -> PartResult:
    import weasyprint  # noqa: PLC0415 - loaded by `start_worker` already

    from guide.audit import find_problems  # noqa: PLC0415
    from guide.figures import may_hold_figures, settle_figures  # noqa: PLC0415
    from guide.typesetting import weasy  # noqa: PLC0415

    worker.records.clear()
    worker.fetcher.refusals.clear()
    worker.fetcher.loaded.clear()
    if job.build != worker.build:  # the images of one build count towards its pixel budget
        worker.fetcher.pixels = 0
        worker.build = job.build
    if job.keep:
        refoliated = _refoliated(worker, job)
        if refoliated is not None:
            return refoliated
    first_page: list[int] = []
    # A part whose figures may move publishes its page count only once they have settled.
    settles = may_hold_figures(job.html)

    def offset(pages: int) -> int:
        if not settles:
            worker.counts[job.index] = pages
        if job.measure:
            if not first_page:
                first_page.append(job.first_page or 1)
            return 0
        if not first_page:
            first = (
                job.first_page if job.first_page is not None else _wait_first_page(worker.counts, job.index)
            )
            first_page.append(first)
        return first_page[0] - 1 if job.numbered else 0

    kept: list[Any] = []

    def lay_out(html: str) -> weasyprint.Document:
        with weasy.page_offset(offset), weasy.keeping(job.keep) as last:
            document = weasyprint.HTML(string=html, base_url=worker.base_url, url_fetcher=worker.fetcher)
            laid_out = document.render(font_config=worker.fonts, pdf_variant=PDF_VARIANT)
        kept[:] = last
        return laid_out

    document = settle_figures(job.html, lay_out)
    pages = len(document.pages)
    if settles:
        worker.counts[job.index] = pages
    if job.measure:
        return PartResult(job.index, b"", pages, first_page[0] if first_page else 1, _anchors(document))
    findings = [(f.source_path, f.line, f.problem, f.page_index, f.target) for f in find_problems(document)]
    if not first_page or worker.counts[job.index] != pages:
        raise weasy.InternalsChangedError("the page-numbering hook did not see the part's pages")
    anchors = _anchors(document)
    for name, slot in job.starts.items():  # before writing: the front matter may start now
        if name in anchors:
            worker.starts[slot] = first_page[0] + anchors[name]
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    result = PartResult(
        index=job.index,
        pdf=pdf,
        pages=pages,
        first_page=first_page[0],
        anchors=anchors,
        log=[(r.levelno, r.getMessage()) for r in worker.records],
        refusals=[(r.url, r.reason) for r in worker.fetcher.refusals],
        findings=findings,
        loaded=list(dict.fromkeys(map(str, worker.fetcher.loaded))),
    )
    if job.keep:
        from guide.typesetting.refolio import kept_parts  # noqa: PLC0415

        return kept_parts.keep(job, job.html, weasy.KeptLayout.of(document, kept), result)
    return result


def _refoliated(worker: _Worker, job: PartJob) -> PartResult | None:
    """The part as this worker laid it out before, with the folios of where it starts now (or None)."""
    from guide.typesetting.refolio import kept_parts  # noqa: PLC0415

    def first_page(kept: PartResult) -> int:
        worker.counts[job.index] = kept.pages
        first = job.first_page if job.first_page is not None else _wait_first_page(worker.counts, job.index)
        for name, slot in job.starts.items():  # before writing: the front matter may start now
            if name in kept.anchors:
                worker.starts[slot] = first + kept.anchors[name]
        return first

    return kept_parts.refoliated(job, first_page)


def _anchors(document: Any) -> dict[str, int]:
    """Each anchor of a laid-out document -> its 0-based page."""
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
    return anchors


def _wait_first_page(counts: Any, index: int) -> int:
    """1 plus the pages of every numbered part before `index`, once all of them are known."""
    return 1 + sum(_wait_known(counts, index))


def _wait_known(values: Any, length: int) -> list[int]:
    """The first `length` shared values, once none of them is UNKNOWN any more."""
    deadline = time.monotonic() + WAIT_LIMIT
    while True:
        known = [int(value) for value in values[:length]]
        if UNKNOWN not in known:
            return known
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {WAIT_LIMIT:.0f} s for the page counts of other parts")
        time.sleep(WAIT_STEP)
