"""Typeset a book in parts, in worker processes and from the cache, and merge them into one PDF.

The body (chapter chunks, then the credits) goes to the workers in reading order. A part whose first
page is known (every part before it is cached, or was laid out before and kept its page count) is
looked up in the cache at that page; otherwise it is laid out, and its worker waits for the page
counts of the parts before it only once its own pages exist. The front matter (the chapters' page
numbers written in) goes out first when those numbers can be expected (from the round before, or
the last build): a worker lays it out while the body is laid out, and it is laid out again at the
end only if a chapter moved after all. Then everything is merged.

A worker that dies, hangs or fails is a `WorkerError` naming the part: the caller typesets the book
in one process instead. Nothing half-merged is ever returned.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, CancelledError, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from guide.book import Book
from guide.errors import Diagnostic, Report
from guide.finish import Finish
from guide.render import RenderOptions
from guide.sandbox import Refusal, Sandbox
from guide.typesetting import linked
from guide.typesetting.cache import PartCache, content_key
from guide.typesetting.common import objects_frozen
from guide.typesetting.parts import BookParts, Part, body_parts, front_part
from guide.typesetting.pool import Workers, start_workers
from guide.typesetting.worker import UNKNOWN, PartJob, PartResult, typeset_part

if TYPE_CHECKING:  # pikepdf, fontTools and WeasyPrint load once the parts are out (see `_merged`)
    from guide.typesetting.merge import BookMerger

MAX_ROUNDS = 4
"""Rounds of laying out again the parts whose cross-references printed a wrong page, at most."""
PART_TIME_LIMIT = 600.0
"""Seconds one part may take in a worker before the worker counts as hung."""
POLL = 0.005

Progress = Callable[[str], None]


class WorkerError(RuntimeError):
    """A worker died, hung or raised while typesetting a part."""

    def __init__(self, where: str, what: str, died: bool = False) -> None:
        super().__init__(f"{where}: {what}")
        self.where = where
        self.what = what
        self.died = died
        """True when a worker process ended abruptly: `where` is then found from the process id."""


@dataclass(frozen=True)
class Typeset:
    """The merged PDF and what the workers reported."""

    pdf: bytes
    pages: int
    anchor_pages: dict[str, int]
    """Each anchor -> the 0-based page of the merged PDF it lands on."""
    log: list[tuple[int, str]]
    refusals: list[Refusal]
    layout_warnings: list[Diagnostic]
    """The layout audit's warnings, with the merged PDF's page numbers."""
    laid_out: int
    """How many parts were laid out (the others came from the cache)."""
    parts: int
    loaded: tuple[Path, ...] = ()
    """The local files the parts loaded (recorded with each cached part too)."""
    finished: bool = False
    """Whether `pdf` is finished already (`Setup.finish` was given)."""


@dataclass(frozen=True)
class Setup:
    """What every worker needs, fixed for one build."""

    fontconfig_file: Path
    project: Path
    fetcher: Sandbox
    jobs: int
    cache: PartCache | None = None
    workers: Workers | None = None
    """Workers kept for many builds (`guide watch`); None starts them for this build."""
    merger: BookMerger | None = None
    """The merged book kept from the last build (in this process), or None to merge afresh."""
    finish: Callable[[dict[str, int]], Finish] | None = None
    """What to finish the merged PDF with, from the anchors' pages (see `guide.finish`)."""


def typeset_in_parts(book: Book, options: RenderOptions, setup: Setup, progress: Progress | None) -> Typeset:
    """Lay the book out in parts and merge them; raise WorkerError if a worker fails.

    `setup.workers`, if set up for this project and sandbox, are used and kept; else workers are
    started for this build and ended after it.
    """
    memo = _memo_key(book, setup.project)
    pages = _remembered_pages(setup.cache, memo)
    body = body_parts(book, options, pages)
    fetcher = setup.fetcher
    remote = (fetcher.allow_remote, fetcher.allow_private_hosts)
    workers = setup.workers
    if workers is None or workers.broken or workers.key != (setup.project, fetcher.roots, remote, setup.jobs):
        workers = start_workers(setup.project, fetcher.roots, remote, setup.jobs)
    if progress:
        progress(f"Creating layout: {len(body.body) + 1} parts in {setup.jobs} processes")
    # Workers forked already (kept for a watch, or started before the book was read): no fork to
    # protect, and a full collection of the parent's heap costs more than the parent's garbage.
    forked = workers.kept or bool(workers.processes)
    merging = _Merging(setup)
    with contextlib.nullcontext() if forked else objects_frozen(), merging:
        run = _Run(body, setup.cache, workers, progress, hold=merging.hold)
        front = _Front(book, options)
        renumbered = functools.partial(body_parts, book, options)
        run = _lay_out(run, front, pages, renumbered)
        _front(run, front)
        results = [run.front_result, *run.results]
        if setup.cache is not None:
            setup.cache.put_blob("pages", memo, json.dumps(run.anchor_numbers()).encode())
        anchor_pages = _anchor_pages(results)
        finish = setup.finish(anchor_pages) if setup.finish is not None else None
        pdf = _merged(results, setup, finish, progress, merging)
    return Typeset(
        pdf=pdf,
        pages=sum(r.pages for r in results),
        anchor_pages=anchor_pages,
        log=[record for r in results for record in r.log],
        refusals=[Refusal(url, reason) for r in results for url, reason in r.refusals],
        layout_warnings=_layout_warnings(results),
        laid_out=run.laid_out,
        parts=len(results),
        loaded=tuple(dict.fromkeys(Path(path) for r in results for path in r.loaded)),
        finished=finish is not None,
    )


def _memo_key(book: Book, project: Path) -> str:
    """Where the last build of this book keeps its anchors' page numbers."""
    chapters = "\0".join(chapter.slug for chapter in book.chapters)
    return content_key(project.as_uri().encode(), chapters.encode())


def _remembered_pages(cache: PartCache | None, key: str) -> dict[str, int] | None:
    """The anchors' page numbers of the last build, the best guess for cross-references; None if unknown."""
    stored = cache.get_blob("pages", key) if cache is not None else None
    if stored is None:
        return None
    try:
        pages = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(pages, dict):
        return None
    return {str(anchor): int(page) for anchor, page in pages.items() if isinstance(page, int)}


def _layout_warnings(results: list[PartResult]) -> list[Diagnostic]:
    """The parts' audit findings, on the merged PDF's pages; a link is missing if no part has its target."""
    from guide.audit import Finding, located  # noqa: PLC0415 - the audit's module loads WeasyPrint

    anchors = {name for result in results for name in result.anchors}
    findings: list[tuple[Finding, int]] = []
    first = 0
    for result in results:
        for path, line, problem, page, target in result.findings:
            if target is None or target not in anchors:
                findings.append((Finding(path, line, problem, page, target), first))
        first += result.pages
    return located(findings)


def _lay_out(
    run: _Run,
    front: _Front,
    remembered: dict[str, int] | None,
    renumbered: Callable[[dict[str, int]], BookParts],
) -> _Run:
    """Lay the body out until every cross-reference prints its target's page; return the last round.

    A round whose parts print no cross-reference needs no check: the contents may be laid out while
    the last parts are written. Otherwise the parts that printed a wrong (or guessed) page are laid
    out again with the pages the round found, until none does. Each round first sends out the front
    matter with the chapter pages it expects (`remembered` ones in the first round), if any.
    """
    expected = remembered
    with _stopping_on_failure(run):
        if expected is None:  # cold: one pass, each part correcting its numbers (see `linked`)
            batched = run.lay_out_linked(front, renumbered)
            if batched is run:
                return run
            if batched is not None:
                run, expected = batched, batched.expected
        for _ in range(MAX_ROUNDS):
            if expected is not None:
                run.speculate_front(front, expected)
            run.lay_out_body()
            if not any(part.references for part in run.parts):
                return run
            run.collect_body()
            pages = run.anchor_numbers()
            if not any(part.misprints(pages) for part in run.parts) and not run.moved():
                return run
            run = run.again(renumbered(pages))
            expected = pages
        raise WorkerError("<typesetting>", f"cross-references' pages still moved after {MAX_ROUNDS} rounds")


@dataclass(frozen=True)
class _Front:
    """What the front matter is rendered from; its page numbers come later."""

    book: Book
    options: RenderOptions

    def part(self, pages: dict[str, int]) -> Part:
        """The cover and contents with `pages` (chapter anchor -> page number) written in."""
        return front_part(self.book, self.options, pages)


def _front(run: _Run, front: _Front) -> None:
    """Lay out the contents, wait for every part; end the workers unless they are kept."""
    with _stopping_on_failure(run):
        run.start_front(front)
        run.collect_body()
        run.collect_front()
    if not run.workers.kept:
        run.workers.close()


@contextlib.contextmanager
def _stopping_on_failure(run: _Run) -> Iterator[None]:
    """End every worker if the block fails; a dead worker's error names the part it was laying out."""
    try:
        yield
    except WorkerError as failure:
        dead = run.workers.stop()
        parts = [*run.parts, run.front, run.guess[1] if run.guess else None]
        running = run.workers.running[: len(parts)]
        culprit = next((parts[i] for i, pid in enumerate(running) if pid and pid in dead), None)
        if culprit is not None and failure.died:
            raise WorkerError(culprit.where, failure.what, died=True) from failure
        raise
    except BaseException:
        run.workers.stop()
        raise


def _merged(
    results: list[PartResult],
    setup: Setup,
    finish: Finish | None,
    progress: Progress | None,
    merging: _Merging,
) -> bytes:
    """The merged (and finished) PDF of `results`, from the cache when the same parts were merged before."""
    cache = setup.cache
    if cache is None:
        return merging.merger().merge([r.pdf for r in results], finish)
    key = content_key(repr(finish).encode(), *(r.pdf for r in results))
    pdf = cache.get_blob("books", key)
    if pdf is None:
        if progress:
            progress(f"Merging {len(results)} parts")
        pdf = merging.merger().merge([r.pdf for r in results], finish)
        cache.put_blob("books", key, pdf)
    elif setup.merger is not None:
        # A kept merger: assembled as a merge would, so that the next edit's merge costs no more.
        setup.merger.hold([r.pdf for r in results], finish, assemble=True)
    return pdf


class _Merging:
    """This build's merger, made when first needed: by the parent waiting for a part (it copies in
    the parts already here meanwhile) or by the merge. Closed with the block unless kept (`Setup.merger`)."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self._merger = setup.merger

    def merger(self) -> BookMerger:
        if self._merger is None:
            from guide.typesetting.fontmerge import subset_file  # noqa: PLC0415 - pikepdf, fontTools
            from guide.typesetting.merge import BookMerger  # noqa: PLC0415

            cache = self.setup.cache
            self._merger = BookMerger(cache.subset if cache is not None else subset_file)
        return self._merger

    def hold(self, parts: list[bytes | None]) -> None:
        """Copy `parts` (the book's parts in reading order, None for those not laid out yet) in while
        the rest are out."""
        self.merger().hold(parts)

    def __enter__(self) -> _Merging:
        return self

    def __exit__(self, *_: object) -> None:
        if self.setup.merger is None and self._merger is not None:
            self._merger.close()


def _anchor_pages(results: list[PartResult]) -> dict[str, int]:
    """Where each anchor lands in the merged PDF: the first part's page wins, as in one document."""
    pages: dict[str, int] = {}
    first = 0
    for result in results:
        for anchor, page in result.anchors.items():
            pages.setdefault(anchor, first + page)
        first += result.pages
    return pages


class _Run:
    """One build's parts: which came from the cache, which went to a worker, and their results."""

    def __init__(
        self,
        body: BookParts,
        cache: PartCache | None,
        workers: Workers,
        progress: Progress | None,
        laid_out: int = 0,
        *,
        kept: dict[int, tuple[str, PartResult]] | None = None,
        hold: Callable[[list[bytes | None]], None] | None = None,
    ) -> None:
        self.parts = body.body
        self.slots = {anchor: slot for slot, anchor in enumerate(body.chapter_ids)}
        self.cache = cache
        self.workers = workers
        self.build = workers.new_build()
        self.counts, self.starts = workers.counts, workers.starts
        self.progress = progress
        self.found: dict[int, PartResult] = {}
        self.futures: dict[int, Future[PartResult]] = {}
        self.results: list[PartResult] = []
        self.front: Part | None = None
        self.front_future: Future[PartResult] | None = None
        self.front_result: PartResult
        self.laid_out = laid_out
        self.guess: tuple[dict[str, int], Part, PartResult | Future[PartResult]] | None = None
        """The front matter sent out early: the chapter pages it prints, it, and its result or future."""
        self.kept = kept or {}
        """The round before's parts that printed the right pages: index -> (their HTML, their result)."""
        self.reused: set[int] = set()
        """The parts of this round taken from the round before without knowing where they start."""
        self.routed: set[int] = set()
        """The parts of this round sent to the worker keeping them (see `refolio`), their page counts
        taken as those they had: renumbered, a part may have another."""
        self.hold = hold
        """Given the parts here (in reading order) when the parent starts waiting for the others."""
        self.expected: dict[str, int] | None = None
        """The anchors' pages the round before found (set on a round that follows a linked one)."""

    def lay_out_linked(self, front: _Front, renumbered: Callable[[dict[str, int]], BookParts]) -> _Run | None:
        """Lay the body and front matter out in batches that correct their own numbers (see `linked`).

        Returns this round if every part came out right, the next round (the right ones kept) if some
        did not, or None if the book cannot be laid out so.
        """
        chapters = tuple(self.slots)
        guessed = front.part(linked.guessed_pages(chapters))
        keep = self.workers.kept
        batches = linked.plan(self.parts, guessed, chapters, self.workers.jobs, self.build, keep=keep)
        if batches is None:
            return None
        results = self._batch_results(batches)
        self.results = [results[index] for index in range(len(self.parts))]
        self.found = dict(enumerate(self.results))
        pages = self.anchor_numbers()
        right = renumbered(pages)
        wrong = linked.misplaced(self.results, pages)
        for index, part in enumerate(right.body):
            if self.cache and not wrong[index]:
                self.cache.put(part, self.results[index])
        self._guessed_front(front, results.get(len(self.parts)))
        if not any(wrong):
            return self
        kept = {i: (part.html, self.results[i]) for i, part in enumerate(right.body) if not wrong[i]}
        following = _Run(
            right, self.cache, self.workers, self.progress, self.laid_out, kept=kept, hold=self.hold
        )
        following.expected = pages
        return following

    def _batch_results(self, batches: list[tuple[PartJob, ...]]) -> dict[int, PartResult]:
        """Send each batch to a worker; every part's result by index (a failure is a WorkerError)."""
        html = {job.index: job.html for batch in batches for job in batch}
        futures = []
        for batch in batches:
            others = tuple(job for other in batches if other is not batch for job in other)
            futures.append(self.workers.executor.submit(linked.typeset_batch, batch, others))
            self.workers.note_sent()  # each batch needs a worker of its own: the second lets them all set up
        done, _ = wait(futures, timeout=PART_TIME_LIMIT * sum(map(len, batches)), return_when=FIRST_EXCEPTION)
        results: dict[int, PartResult] = {}
        where = [*(part.where for part in self.parts), "the contents"]
        for batch, future in zip(batches, futures, strict=True):
            if future not in done:
                raise WorkerError(
                    where[batch[0].index], f"typesetting took over {PART_TIME_LIMIT:.0f} s a part"
                )
            try:
                batch_results = future.result()
            except BrokenProcessPool as exc:
                raise WorkerError(
                    where[batch[0].index], "a typesetting worker process died", died=True
                ) from exc
            except Exception as exc:
                what = f"a typesetting worker failed ({type(exc).__name__}: {exc})"
                raise WorkerError(where[batch[0].index], what) from exc
            for result in batch_results:
                results[result.index] = result
                self._note_held(result, html[result.index])
                self.laid_out += 1
                if self.progress:
                    self.progress(f"Typeset {where[result.index]}")
        return results

    def _guessed_front(self, front: _Front, result: PartResult | None) -> None:
        """Offer the front matter laid out in a batch to `start_front`, with the pages it printed."""
        if result is None:
            return
        pages = {anchor: result.printed.get(anchor, UNKNOWN) for anchor in self.slots}
        part = front.part(pages)
        self.guess = (pages, part, result)
        if self.cache and pages == self.chapter_pages():
            self.cache.put(part, result)

    def again(self, body: BookParts) -> _Run:
        """A new round over `body` (the same parts, renumbered), in the same workers.

        A front matter sent out early in this round is let finish first: the next round's uses its slot.
        """
        if self.guess is not None and isinstance(self.guess[2], Future):
            wait([self.guess[2]])
        firsts = self._first_pages()
        kept = {
            index: (part.html, result)
            for index, (part, result) in enumerate(zip(self.parts, self.results, strict=True))
            if not part.measure and result.first_page == firsts[index]
        }
        return _Run(body, self.cache, self.workers, self.progress, self.laid_out, kept=kept, hold=self.hold)

    def _first_pages(self) -> list[int]:
        """Where each collected part starts, from the page counts before it."""
        firsts = []
        first = 1
        for result in self.results:
            firsts.append(first)
            first += result.pages
        return firsts

    def moved(self) -> bool:
        """Whether a part taken from the round before starts elsewhere now (its folios are wrong)."""
        firsts = self._first_pages()
        moved = self.reused | self.routed
        return any(self.results[index].first_page != firsts[index] for index in moved)

    def speculate_front(self, front: _Front, anchors: dict[str, int]) -> None:
        """Send the front matter out now, with the chapter pages `anchors` (anchor -> page) expects.

        Taken from the cache if it is there; otherwise a worker lays it out before the body, so it
        is not left alone at the end. `start_front` uses it only if the chapters start where expected.
        """
        pages = {anchor: anchors[anchor] for anchor in self.slots if anchor in anchors}
        if len(pages) != len(self.slots):
            return
        part = front.part(pages)
        cached = self.cache.get(part, 1) if self.cache else None
        if cached is not None:
            self.guess = (pages, part, cached)
            return
        # Its own slot in the shared values: the front matter laid out at the end may run beside it.
        job = PartJob(len(self.parts) + 1, part.html, False, 1, build=self.build)
        self.guess = (pages, part, self._submit(job))

    def anchor_numbers(self) -> dict[str, int]:
        """Each anchor of the body (once collected) -> the page number it lands on."""
        pages: dict[str, int] = {}
        first = 1
        for result in self.results:
            for anchor, page in result.anchors.items():
                pages.setdefault(anchor, first + page)
            first += result.pages
        return pages

    def _submit(self, job: PartJob) -> Future[PartResult]:
        try:
            future = self.workers.executor.submit(typeset_part, job)
        except BrokenProcessPool as exc:
            # A worker died before this part went out: its result says so when collected, in order.
            future = Future()
            future.set_exception(exc)
            return future
        self.workers.note_sent()
        return future

    def lay_out_body(self) -> None:
        """Take each body part from the cache, or send it to a worker (without waiting for it).

        Parts laid out only to be measured wait for no other part: once one is met whose first page
        is unknown, they go out longest first, so no worker is left alone with a long one at the end
        of the round, and the parts that do wait follow them in reading order.
        """
        first: int | None = 1
        later: list[PartJob] = []
        refolios: list[tuple[int, PartJob]] = []
        for index, part in enumerate(self.parts):
            cached = self.cache.get(part, first) if self.cache and first is not None else None
            if cached is not None and first is not None:
                self._publish(cached, first)
                self.found[index] = cached
                first += cached.pages
                continue
            kept = self.kept.get(index)
            if kept is not None and kept[0] == part.html and first in (None, kept[1].first_page):
                # Laid out in the round before with the right pages: where it starts is checked later.
                result = kept[1]
                self._publish(result, result.first_page)
                self.found[index] = result
                if first is None:
                    self.reused.add(index)
                else:
                    first += result.pages
                continue
            starts = {anchor: self.slots[anchor] for anchor in part.chapters}
            job = PartJob(
                index,
                part.html,
                part.numbered,
                first,
                starts,
                part.measure,
                self.build,
                keep=self.workers.kept,
            )
            keeper = self._keeper(index, part)
            if keeper is not None:  # its page count is known: the parts after it need not wait for it
                refolios.append((keeper[0], job))
                self.counts[index] = keeper[1]
                first = None if first is None else first + keeper[1]
                continue
            if later or (first is None and part.measure):
                later.append(job)  # its first page is unknown: _next_first_page needs no future
                continue
            self.futures[index] = self._submit(job)
            first = self._next_first_page(index, first, self.futures[index])
        measured = sorted((job for job in later if job.measure), key=lambda job: -len(job.html))
        for job in [*measured, *(job for job in later if not job.measure)]:
            self.futures[job.index] = self._submit(job)
        self.futures.update(self._refolios(refolios))
        self.futures = dict(sorted(self.futures.items()))  # collected in reading order

    def _keeper(self, index: int, part: Part) -> tuple[int, int] | None:
        """The live worker keeping `part`'s layout and its page count (see `refolio`), or None."""
        held = self.workers.held.get(index)
        if held is None or part.measure or not part.numbered:
            return None
        digest, skeleton, pid, pages = held
        process = self.workers.processes.get(pid)
        if process is None or process.exitcode is not None:
            return None
        if digest != _digest(part.html) and skeleton != _digest(linked.skeleton(part.html)):
            return None
        self.routed.add(index)  # renumbered, its page count may change: checked by `moved`
        return pid, pages

    def _refolios(self, jobs: list[tuple[int, PartJob]]) -> dict[int, Future[PartResult]]:
        """Send the parts kept by workers out in one batch per worker (`refolio.typeset_refolios`)."""
        if not jobs:
            return {}
        from guide.typesetting.refolio import typeset_refolios  # noqa: PLC0415 - no WeasyPrint

        batch = tuple(jobs)
        parts: dict[int, Future[PartResult]] = {job.index: Future() for _, job in jobs}
        batches: list[Future[list[PartResult]]] = []
        # One a worker: one that takes a batch and waits holds it, so every keeper gets one.
        for _ in range(self.workers.jobs):
            try:
                batches.append(self.workers.executor.submit(typeset_refolios, batch))
            except BrokenProcessPool as exc:
                batches.append(Future())
                batches[-1].set_exception(exc)
            self.workers.note_sent()
        _share_out(batches, parts)
        return parts

    def _publish(self, result: PartResult, first: int) -> None:
        self.counts[result.index] = result.pages
        for anchor, page in result.anchors.items():
            if anchor in self.slots:
                self.starts[self.slots[anchor]] = first + page

    def start_front(self, front: _Front) -> None:
        """Take the cover and contents from the cache, or send them to a worker, once the pages are known.

        The chapters' page numbers are published by the workers as soon as their parts are laid out
        (before they are written), so the contents may be laid out while the last parts are written.
        The front matter sent out early is used if it printed those very numbers.
        """
        index = len(self.parts)
        known = self._published_starts()
        if UNKNOWN in known:  # a part ended without publishing: take the numbers from the results
            self.collect_body()
            pages = self.chapter_pages()
        else:
            pages = dict(zip(self.slots, known, strict=True))
        if self.guess is not None and self.guess[0] == pages:
            _, self.front, early = self.guess
            if isinstance(early, PartResult):
                self.front_result = early
            else:
                self.front_future = early
            return
        self.front = front.part(pages)
        cached = self.cache.get(self.front, 1) if self.cache else None
        if cached is not None:
            self.front_result = cached
            return
        self.front_future = self._submit(PartJob(index, self.front.html, False, 1, build=self.build))

    def _published_starts(self) -> list[int]:
        """Every chapter's page number, once published; UNKNOWN left only if a part ended without it."""
        deadline = time.monotonic() + PART_TIME_LIMIT
        while True:
            known = [int(page) for page in self.starts[: len(self.slots)]]
            if UNKNOWN not in known:
                return known
            for index, future in self.futures.items():
                if future.done() and future.exception() is not None:
                    self._result(self.parts[index], future)  # raises WorkerError naming the part
            if all(future.done() for future in self.futures.values()) or time.monotonic() > deadline:
                return known
            time.sleep(POLL)

    def collect_body(self) -> None:
        """Wait for the parts sent to workers, in reading order (once); meanwhile hold those here."""
        if self.results:
            return
        if self.hold is not None and not all(future.done() for future in self.futures.values()):
            self.hold(self._here())
        for index, future in self.futures.items():
            self.found[index] = self._result(self.parts[index], future)
            if self.progress:
                found = self.found[index]
                how = " (folios only)" if found.refoliated else " (renumbered)" if found.renumbered else ""
                self.progress(f"Typeset {self.parts[index].where}{how}")
        self.results = [self.found[index] for index in range(len(self.parts))]

    def _here(self) -> list[bytes | None]:
        """The PDFs of the merged book's parts (the front matter, the body), None for each not here yet."""
        front = self.__dict__.get("front_result")
        if front is None and self.guess is not None and isinstance(self.guess[2], PartResult):
            front = self.guess[2]
        here = [front, *(self.found.get(index) for index in range(len(self.parts)))]
        return [result.pdf if result is not None and result.pdf else None for result in here]

    def collect_front(self) -> None:
        """Wait for the front matter, if a worker is laying it out."""
        if self.front_future is not None and self.front is not None:
            self.front_result = self._result(self.front, self.front_future)
            if self.progress:
                self.progress(f"Typeset {self.front.where}")

    def chapter_pages(self) -> dict[str, int]:
        """The page number each chapter (and the credits) starts on."""
        pages: dict[str, int] = {}
        first = 1
        for result in self.results:
            for anchor, page in result.anchors.items():
                if anchor in self.slots:
                    pages.setdefault(anchor, first + page)
            first += result.pages
        return pages

    def _next_first_page(self, index: int, first: int | None, future: Future[PartResult]) -> int | None:
        """The first page of the part after `index`, if it can be known without waiting for layout."""
        if first is None:
            return None
        known = self.cache.page_count(self.parts[index]) if self.cache else None
        if known is not None:
            return first + known
        following = self.parts[index + 1] if index + 1 < len(self.parts) else None
        if self.cache and following is not None and self.cache.page_count(following) is not None:
            # An edited part before cached ones: learn its page count, then take the rest from the cache.
            return first + self._published_count(index, future)
        return None

    def _published_count(self, index: int, future: Future[PartResult]) -> int:
        deadline = time.monotonic() + PART_TIME_LIMIT
        while self.counts[index] == UNKNOWN:
            if future.done() or time.monotonic() > deadline:
                return self._result(self.parts[index], future).pages
            time.sleep(POLL)
        return int(self.counts[index])

    def _result(self, part: Part, future: Future[PartResult]) -> PartResult:
        try:
            result = future.result(timeout=PART_TIME_LIMIT)
        except TimeoutError as exc:
            raise WorkerError(part.where, f"typesetting took over {PART_TIME_LIMIT:.0f} s") from exc
        except BrokenProcessPool as exc:
            raise WorkerError(part.where, "a typesetting worker process died", died=True) from exc
        except Exception as exc:
            what = f"a typesetting worker failed ({type(exc).__name__}: {exc})"
            raise WorkerError(part.where, what) from exc
        self.laid_out += 1
        self._note_held(result, part.html)
        if self.cache and not part.measure:
            self.cache.put(part, result)
        return result

    def _note_held(self, result: PartResult, html: str) -> None:
        """Remember which worker keeps the part laid out from `html` (numbers aside), if one does."""
        if result.keeper:
            skeleton = _digest(linked.skeleton(html))
            self.workers.held[result.index] = (result.kept_html, skeleton, result.keeper, result.pages)
        else:
            self.workers.held.pop(result.index, None)


def _digest(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8", "surrogateescape")).hexdigest()


def _share_out(batches: list[Future[list[PartResult]]], parts: dict[int, Future[PartResult]]) -> None:
    """Complete each part's future with its result from whichever batch wrote it, or the batch's error."""
    lock = threading.Lock()
    left = [len(batches)]

    def done(batch: Future[list[PartResult]]) -> None:
        with lock:
            left[0] -= 1
            error = CancelledError() if batch.cancelled() else batch.exception()
            for result in batch.result() if error is None else []:
                parts[result.index].set_result(result)
            for future in parts.values():
                if not future.done() and (error is not None or not left[0]):
                    future.set_exception(error or RuntimeError("no worker wrote the part"))

    for batch in batches:
        batch.add_done_callback(done)


def report_log(log: list[tuple[int, str]], handler: logging.Handler) -> None:
    """Feed the workers' WeasyPrint records to the same handler the one-process path uses."""
    for level, message in log:
        handler.handle(logging.makeLogRecord({"name": "weasyprint", "levelno": level, "msg": message}))


def note_fallback(report: Report, failure: WorkerError) -> None:
    """Record why the book was typeset in one process after all."""
    report.warn(failure.where, None, f"{failure.what}; typeset the whole book in one process instead")
