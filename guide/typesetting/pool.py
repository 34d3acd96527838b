"""The typesetting worker processes: started for one build, or once for many (`guide watch`).

Workers are forked, and fork only copies the thread that calls it: a process that runs other
threads (watchfiles' watcher, the preview server) must fork its workers before it starts them.
`start_workers(..., kept=True)` does that: it launches every worker at once and keeps them, with
the memory they share with the parent, for every build until `close`. Each build resets the
shared values and numbers itself, so a worker knows when a new build begins.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guide.limits import MAX_BUDGET_SCALE, MAX_CHAPTERS
from guide.typeset import FONTCONFIG_FILE, objects_frozen
from guide.typesetting.worker import UNKNOWN, start_worker

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
        self.builds += 1
        return self.builds

    def note_processes(self) -> None:
        """Remember the executor's processes (it starts them on the first job)."""
        self.processes.update(getattr(self.executor, "_processes", None) or {})

    def stop(self) -> set[int]:
        """End every worker now (a hung one must not hold the build up); return the ids of those that died.

        A worker that died on its own (killed, crashed) has an exit status other than the SIGTERM and
        SIGKILL the executor and this method send.
        """
        self.broken = True
        died = {pid for pid, p in self.processes.items() if p.exitcode not in (None, -signal.SIGTERM)}
        for process in self.processes.values():
            if process.exitcode is None:
                process.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)
        return died

    def close(self) -> None:
        """Let the workers finish and end."""
        self.broken = True
        self.executor.shutdown(wait=True)


def start_workers(
    project: Path, roots: Sequence[Path], remote: tuple[bool, bool], jobs: int, kept: bool = False
) -> Workers:
    """Set up `jobs` workers for the project; with `kept`, fork them all now and keep them."""
    context = multiprocessing.get_context("fork")
    counts = context.RawArray("i", [UNKNOWN] * SLOTS)
    running = context.RawArray("i", SLOTS)
    starts = context.RawArray("i", [UNKNOWN] * SLOTS)
    marks = context.RawArray("i", [UNKNOWN] * MARKS)
    initargs = (FONTCONFIG_FILE, project, tuple(roots), remote, (counts, running, starts, marks))
    executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=start_worker, initargs=initargs)
    key = (project, tuple(roots), remote, jobs)
    workers = Workers(executor, counts, running, starts, marks, key, kept)
    if kept:
        with objects_frozen():  # a fork copies what a collection in the worker would touch
            executor.submit(_ready).result()  # a fork-context executor starts every process at once
        workers.note_processes()
    return workers


def _ready() -> None:
    """Nothing: the first job, which makes the executor start its processes."""
