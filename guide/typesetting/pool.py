"""The typesetting worker processes: started for one build, or once for many (`guide watch`).

Workers are forked, and fork only copies the thread that calls it: a process that runs other
threads (watchfiles' watcher, the preview server) must fork its workers before it starts them.
`start_workers(..., kept=True)` does that: it launches every worker at once and keeps them, with
the memory they share with the parent, for every build until `close`. Each build resets the
shared values and numbers itself, so a worker knows when a new build begins.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guide.errors import GuideError
from guide.limits import MAX_BUDGET_SCALE, MAX_CHAPTERS
from guide.manifest import load_manifest
from guide.options import BuildOptions
from guide.sandbox import sandbox_roots
from guide.typesetting.common import FONTCONFIG_FILE, objects_frozen, parts_stamp
from guide.typesetting.warmup import GO, HOLD, QUIT, WarmUp, warm_up_html
from guide.typesetting.worker import UNKNOWN, start_worker
from guide.uptodate import cache_folder

SLOTS = MAX_CHAPTERS * MAX_BUDGET_SCALE + 3
"""Shared values per kind: a part per chapter at most (as many as budget_scale allows), plus the
credits and the front matter (twice: the one sent out early with the pages expected, and the one
laid out at the end if they moved)."""
MARKS = 8 * SLOTS
"""Shared values for the anchors parts laid out together print the pages of (see `linked`)."""


@dataclass
class Workers:
    """Worker processes and the values they share with the parent."""

    executor: ProcessPoolExecutor
    counts: Any
    """Each part's page count, published as soon as it is laid out (UNKNOWN before)."""
    running: Any
    """The process id laying out each part, 0 when none: how a dead worker is traced to its part."""
    starts: Any
    """The page number of each chapter, published by the part that holds it (UNKNOWN before)."""
    marks: Any
    """The 0-based page of each anchor within its part, for parts laid out together (see `linked`)."""
    claims: Any
    """Which worker took each part, to paginate it and to finish it, for parts laid out together
    (see `linked`): a process id, 0 while none has; with its own lock."""
    key: tuple[object, ...]
    """What the workers were set up for: the project, the sandbox's roots and remote access, how many."""
    kept: bool = False
    """True when the workers outlive a build (`guide watch`)."""
    processes: dict[int, Any] = field(default_factory=dict)
    """The worker processes by id (the executor's own table, which it offers no public way to read)."""
    builds: int = 0
    """How many builds have used the workers: each job carries it."""
    broken: bool = False
    """True once stopped: the next build starts new workers."""
    warm_up: WarmUp | None = None
    """How the workers warm up, and the signal that lets the held-back ones set up (see `warmup`)."""
    sent: int = 0
    """Jobs sent in this build."""
    on_first_send: Callable[[], None] | None = None
    """Called once the build's first job is out (the parent then has time until its result)."""
    held: dict[int, tuple[str, str, int, int]] = field(default_factory=dict)
    """Each part whose layout a kept worker keeps (see `refolio`) -> (the digest of its HTML, that of
    its `linked.skeleton`, the worker's process id, its page count)."""

    @property
    def jobs(self) -> int:
        """How many worker processes there are."""
        jobs = self.key[-1]
        assert isinstance(jobs, int)
        return jobs

    def new_build(self) -> int:
        """Reset the shared values for a build; return its number."""
        shared = ((self.counts, UNKNOWN), (self.running, 0), (self.starts, UNKNOWN), (self.marks, UNKNOWN))
        for values, empty in shared:
            values[:] = [empty] * len(values)
        with self.claims.get_lock():
            self.claims[:] = [0] * len(self.claims)
        self.builds += 1
        self.sent = 0
        return self.builds

    def note_processes(self) -> None:
        """Remember the executor's processes (it starts them on the first job)."""
        self.processes.update(getattr(self.executor, "_processes", None) or {})

    def note_sent(self) -> None:
        """Note a job sent: the second of a build lets the held-back workers set up (more than one
        part is laid out); remember the executor's processes."""
        self.sent += 1
        if self.sent == 1 and self.on_first_send is not None:
            self.on_first_send()
        if self.sent > 1 and self.warm_up is not None and self.warm_up.signal.value == HOLD:
            self.warm_up.signal.value = GO
        self.note_processes()

    def stop(self) -> set[int]:
        """End every worker now (a hung one must not hold the build up); return the ids of those that died.

        A worker that died on its own (killed, crashed) has an exit status other than the SIGTERM and
        SIGKILL the executor and this method send.
        """
        self.broken = True
        self._end_held_back()
        died = {pid for pid, p in self.processes.items() if p.exitcode not in (None, -signal.SIGTERM)}
        for process in self.processes.values():
            if process.exitcode is None:
                process.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)
        return died

    def close(self) -> None:
        """Let the workers finish and end."""
        self.broken = True
        self._end_held_back()
        self.executor.shutdown(wait=True)

    def _end_held_back(self) -> None:
        """Tell workers still held back to end: they have no set-up to finish."""
        if self.warm_up is not None and self.warm_up.signal.value == HOLD:
            self.warm_up.signal.value = QUIT


def start_workers(
    project: Path,
    roots: Sequence[Path],
    remote: tuple[bool, bool],
    jobs: int,
    *,
    kept: bool = False,
    warm_up: tuple[str, bool] | None = None,
) -> Workers:
    """Set up `jobs` workers for the project; with `kept`, fork them all now and keep them.

    With `warm_up` (a document, and whether to hold all workers but one back), fork them now and
    return at once: they set up and lay the document out while the caller goes on (`warmup`).
    """
    context = multiprocessing.get_context("fork")
    counts = context.RawArray("i", [UNKNOWN] * SLOTS)
    running = context.RawArray("i", SLOTS)
    starts = context.RawArray("i", [UNKNOWN] * SLOTS)
    marks = context.RawArray("i", [UNKNOWN] * MARKS)
    claims = context.Array("i", 2 * SLOTS)
    warming = None
    if warm_up is not None:
        warming = WarmUp(warm_up[0], context.Value("i", 0), context.RawValue("i", HOLD), held=warm_up[1])
    shared = (counts, running, starts, marks, claims)
    initargs = (FONTCONFIG_FILE, project, tuple(roots), remote, shared, warming)
    executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=start_worker, initargs=initargs)
    key = (project, tuple(roots), remote, jobs)
    workers = Workers(executor, counts, running, starts, marks, claims, key, kept, warm_up=warming)
    if kept or warming is not None:
        with objects_frozen():  # a fork copies what a collection in the worker would touch
            ready = executor.submit(_ready)  # a fork-context executor starts every process at once
        if kept:
            ready.result()
        workers.note_processes()
    return workers


def _ready() -> None:
    """Nothing: the first job, which makes the executor start its processes."""


_early: list[Workers] = []
"""The workers `early_workers` started for the build under way."""


@contextlib.contextmanager
def early_workers(project: Path, options: BuildOptions) -> Iterator[None]:
    """Start the workers of a rebuild in parts, so that they set up while the book is read.

    Only when the cache holds parts typeset by this code (a rebuild lays out few parts): one worker
    loads WeasyPrint and warms up in the book's language (see `guide.typesetting.warmup`), the
    others wait until a second part goes out. A cold build starts its workers once the book is
    rendered, forked from a parent that loaded WeasyPrint once for all of them (and for the font
    subsets it makes). Nothing with one job, when workers were started early for this project
    already, or when the manifest has a problem (the build reports it). Workers the build did not
    end end with the block.
    """
    project = project.resolve()
    roots = tuple(root.resolve() for root in sandbox_roots(project))
    remote = (options.allow_remote, options.allow_private_hosts)
    key = (project, roots, remote, options.jobs)
    rebuild = options.jobs > 1 and early_started(key) is None and _holds_parts(project)
    language = _language(project) if rebuild else None
    if language is None:
        yield
        return
    workers = start_workers(project, roots, remote, options.jobs, warm_up=(warm_up_html(language), True))
    _early.append(workers)
    try:
        yield
    finally:
        _early.remove(workers)
        if not workers.broken:
            workers.stop()


def early_started(key: tuple[object, ...]) -> Workers | None:
    """The workers `early_workers` started for the build under way, if they were set up for `key`."""
    found = [workers for workers in _early if workers.key == key and not workers.broken]
    return found[-1] if found else None


def _language(project: Path) -> str | None:
    """The book's language, or None if its manifest has a problem."""
    try:
        return load_manifest(project).language
    except GuideError:
        return None


def _holds_parts(project: Path) -> bool:
    """Whether the cache holds parts typeset by this code: a build then most likely lays out few."""
    with contextlib.suppress(OSError, GuideError):
        return (cache_folder(project) / "parts" / parts_stamp()).is_file()
    return False
