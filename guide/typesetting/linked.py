"""Lay a cold book's parts out in one pass, each correcting its cross-references once all are paginated.

A part printing the page of an anchor in another part cannot know it before that part is laid out.
Rather than lay every part out twice (once to measure, once for real), each worker takes a batch of
parts and, for each, paginates it with guessed numbers and publishes its page count and the pages of
the anchors others print (the shared `counts` and `marks`). Each part waits, paused in a thread of
its own, until every part of the book has done so; then it prints the right numbers and WeasyPrint
lays out again only the pages that show them (`weasy.Paginated.renumber`), and the part gets its
folios and is written. No worker waits before all its own parts are paginated, so no part waits for
one that no worker has started.

The batches are a first plan, not a fixed one: a part's cost is guessed from its HTML, and a guess
can be off by a second (the contents' dot leaders cost more per character than chapters). So each
part is claimed before it is taken up (the shared `claims`): a worker whose batch is paginated
paginates the parts another has not started yet, shortest first, and one whose parts are
all written lays out afresh, with the right numbers written in, a part another worker paginated but
has not started finishing while that worker has two or more left. Laid out afresh or renumbered, a
part is the same PDF (the rounds of `parallel` rely on it too), so who took which part changes no
byte of the book.

The caller checks the result: a part whose page count changed when renumbered (so the parts after it
start elsewhere) is laid out again with the pages found. A part that may hold figures (laid out again
while a figure moves, see `guide.figures`) is laid out whole to learn its pages, then laid out again
with the right numbers written in, as the rounds of `parallel` would. A worker holds its whole batch
laid out at once, so books too long for that take those rounds instead.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from guide.audit import find_problems
from guide.figures import may_hold_figures, settle_figures
from guide.framestack import with_room
from guide.typesetting.common import PDF_VARIANT
from guide.typesetting.parts import GUESS_PAGES_PER_CHAPTER, Part, anchor_name
from guide.typesetting.pool import MARKS, SLOTS
from guide.typesetting.worker import (
    UNKNOWN,
    WAIT_LIMIT,
    WAIT_STEP,
    Links,
    PartJob,
    PartResult,
    _anchors,
    _Worker,
    _worker,
    tidied_when_idle,
)

if TYPE_CHECKING:  # WeasyPrint loads in the workers: the parent plans the batches without it
    import weasyprint

    from guide.typesetting import weasy

MAX_CHAPTERS_PER_WORKER = 110
"""A worker holds its whole batch laid out at once: past this many chapters a worker (a little over
half of a 200-post series in two workers: 236 MiB against WeasyPrint's 482 MiB for the whole series),
the book takes the rounds instead, so no process outgrows one WeasyPrint run."""
FRONT_COST = 2.5
"""The cover and contents cost this many times what a chapter part costs per character of HTML
(measured at 50 posts: 0.98 s of CPU for 23,600 characters against 0.55 s for 32,000; the contents'
dot leaders are drawn dot by dot), so the contents of a longer series weigh more."""
PAGINATE, FINISH = 0, 1
"""The two claims on a part (offsets of SLOTS in the shared `claims`): who paginates it, who finishes it."""
THREAD_STACK = 64 * 1024 * 1024
"""Bytes of stack for each part's thread: WeasyPrint's layout recurses deeply."""

_ID = re.compile(r'\sid="([^"]+)"')
_NUMBERED_LINK = re.compile(r'<a\s[^>]*\sdata-page="\d+"[^>]*>')
_HREF = re.compile(r'\shref="([^"]*)"')
_NUMBER = re.compile(r'(\sdata-page=")(\d+)(")')


def guessed_pages(chapter_ids: Sequence[str]) -> dict[str, int]:
    """A first guess at each chapter's page number, as wide as the true one is likely to be."""
    return {anchor: 1 + GUESS_PAGES_PER_CHAPTER * index for index, anchor in enumerate(chapter_ids)}


def plan(
    parts: Sequence[Part], front: Part, chapters: Sequence[str], jobs: int, build: int, *, keep: bool = False
) -> list[tuple[PartJob, ...]] | None:
    """One batch of jobs per worker (the front matter last), or None if the book cannot be laid out so.

    `front` prints the `guessed_pages` of `chapters`; each body part prints the guesses it was
    rendered with (`Part.references`).
    """
    if jobs < 2:
        return None
    owners = {name: index for index, part in enumerate(parts) for name in _ID.findall(part.html)}
    printed = [dict(part.references) for part in parts] + [dict.fromkeys(chapters, 0)]
    slots: dict[str, int] = {}
    for references in printed:
        for anchor in references:
            if anchor in owners:
                slots.setdefault(anchor, len(slots))
    if len(slots) > MARKS:
        return None
    jobs_by_part = []
    for index, part in enumerate((*parts, front)):
        targets = {a: (owners[a], slots[a]) for a in printed[index] if a in slots}
        marks = {a: slot for a, slot in slots.items() if owners[a] == index}
        links = Links(len(parts), targets, marks)
        starts = {anchor: chapters.index(anchor) for anchor in part.chapters}
        first = 1 if not part.numbered else None
        job = PartJob(index, part.html, part.numbered, first, starts, False, build, links, keep=keep)
        jobs_by_part.append(job)
    batches = _balanced(jobs_by_part, [len(part.chapters) for part in parts] + [0], jobs)
    return batches


def _cost(job: PartJob) -> float:
    """A guess at what laying `job` out costs, in characters of a chapter part's HTML."""
    return len(job.html) * (1.0 if job.numbered else FRONT_COST)


def _balanced(jobs: list[PartJob], chapters: list[int], count: int) -> list[tuple[PartJob, ...]] | None:
    """`count` batches of about the same work (longest first to the lightest), each in reading order."""
    sizes = [_cost(job) for job in jobs]
    bins: list[list[int]] = [[] for _ in range(min(count, len(jobs)))]
    loads = [0.0] * len(bins)
    for index in sorted(range(len(jobs)), key=lambda i: -sizes[i]):
        lightest = loads.index(min(loads))
        bins[lightest].append(index)
        loads[lightest] += sizes[index]
    if sum(chapters) > MAX_CHAPTERS_PER_WORKER * len(bins):
        return None
    return [tuple(jobs[i] for i in sorted(members)) for members in bins if members]


def misplaced(results: Sequence[PartResult], pages: Mapping[str, int]) -> list[bool]:
    """For each body result: whether it starts elsewhere or prints a page other than `pages` gives."""
    wrong = []
    first = 1
    for result in results:
        printed = any(pages.get(anchor, page) != page for anchor, page in result.printed.items())
        wrong.append(printed or result.first_page != first)
        first += result.pages
    return wrong


def target_of(href: str) -> str | None:
    """The anchor a part's link points to: in this part (`#name`) or in another (the sentinel)."""
    return href[1:] if href.startswith("#") else anchor_name(href)


def skeleton(html: str) -> str:
    """`html` with the numbers its cross-references print left out: what renumbering leaves alone."""
    return _NUMBER.sub(lambda found: f"{found.group(1)}{found.group(3)}", html)


def renumbered(html: str, numbers: Mapping[str, int]) -> tuple[str, dict[str, int]]:
    """`html` with each cross-reference printing `numbers[anchor]`, and what each prints."""
    printed: dict[str, int] = {}

    def number(link: re.Match[str]) -> str:
        tag = link.group(0)
        href = _HREF.search(tag)
        anchor = target_of(href.group(1)) if href else None
        if anchor is None:
            return tag
        page = numbers.get(anchor)
        if page is not None:
            tag = _NUMBER.sub(lambda found: f"{found.group(1)}{page}{found.group(3)}", tag, count=1)
        printed.setdefault(anchor, int(_NUMBER.search(tag).group(2)))  # type: ignore[union-attr]
        return tag

    return _NUMBERED_LINK.sub(number, html), printed


@tidied_when_idle
def typeset_batch(jobs: tuple[PartJob, ...], others: tuple[PartJob, ...] = ()) -> list[PartResult]:
    """Lay out this worker's batch `jobs` and what it takes over of `others` (the other batches' jobs);
    return a result for each part it wrote, in no particular order.

    Paginates each of its parts not taken by another worker yet, longest first, then each of
    `others` not taken yet, shortest first (as long as it holds at most MAX_CHAPTERS_PER_WORKER
    chapters); waits for every part's pages;
    finishes each part it holds that no other worker took over, longest first; then lays out afresh
    the parts another worker holds and has not started finishing, while that one has two or more left.
    """
    worker = _worker[-1]
    every = (*jobs, *others)
    if every and every[0].build != worker.build:
        worker.fetcher.pixels = 0
        worker.build = every[0].build
    worker.records.clear()
    worker.fetcher.refusals.clear()
    worker.fetcher.loaded.clear()
    own = {job.index for job in jobs}
    held: list[_Held] = []
    chapters = 0
    old_stack = threading.stack_size(THREAD_STACK)
    try:
        # Its own longest first, then the others' shortest first: the last pagination of each is short.
        for job in (*sorted(jobs, key=_paginate_order), *sorted(others, key=_paginate_order, reverse=True)):
            if job.index not in own and chapters + len(job.starts) > MAX_CHAPTERS_PER_WORKER:
                continue
            if not _claim(worker, PAGINATE, job.index):
                continue
            held.append(_Held(worker, job))
            chapters += len(job.starts)
            held[-1].paginate()
    finally:
        threading.stack_size(old_stack)
    parts = next((job.links.parts for job in every if job.links), 0)
    counts, marks = _wait_for_pages(worker, parts, tuple(part.job for part in held))
    results = []
    for part in sorted(held, key=lambda part: _finish_order(part.job)):
        if _claim(worker, FINISH, part.job.index):
            results.append(part.finish(counts, marks))
        else:
            part.abandon()
    while (taken := _take_over(worker, every)) is not None:
        _, marks = _wait_for_pages(worker, parts, (taken,))
        results.append(_Held(worker, taken, fresh=True).finish(counts, marks))
    return results


def _paginate_order(job: PartJob) -> tuple[int, int]:
    """The order a worker paginates its parts in: longest first (the contents' pages are few)."""
    return (-len(job.html), job.index)


def _finish_order(job: PartJob) -> tuple[float, int]:
    """The order a worker finishes the parts it holds in: longest first."""
    return (-_cost(job), job.index)


def _claim(worker: _Worker, kind: int, index: int) -> bool:
    """Take part `index` to paginate (PAGINATE) or finish (FINISH) it, unless a worker took it already."""
    slot = kind * SLOTS + index
    with worker.claims.get_lock():
        if worker.claims[slot]:
            return False
        worker.claims[slot] = os.getpid()
        return True


def _take_over(worker: _Worker, every: Sequence[PartJob]) -> PartJob | None:
    """Claim to finish the part another worker would finish last, if it has two or more not started."""
    me = os.getpid()
    with worker.claims.get_lock():
        waiting: dict[int, list[PartJob]] = {}
        for job in every:
            holder = worker.claims[PAGINATE * SLOTS + job.index]
            if holder not in (0, me) and not worker.claims[FINISH * SLOTS + job.index]:
                waiting.setdefault(holder, []).append(job)
        left = [sorted(jobs, key=_finish_order) for jobs in waiting.values() if len(jobs) > 1]
        if not left:
            return None
        job = max(left, key=len)[-1]
        worker.claims[FINISH * SLOTS + job.index] = me
        return job


def _wait_for_pages(
    worker: _Worker, parts: int, jobs: tuple[PartJob, ...]
) -> tuple[list[int], dict[int, int]]:
    """The page counts of the `parts` body parts and the marks `jobs` print, once all are published."""
    slots = {slot for job in jobs if job.links for _, slot in job.links.targets.values()}
    deadline = time.monotonic() + WAIT_LIMIT
    while True:
        counts = [int(value) for value in worker.counts[:parts]]
        marks = {slot: int(worker.marks[slot]) for slot in slots}
        if UNKNOWN not in counts and UNKNOWN not in marks.values():
            return counts, marks
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {WAIT_LIMIT:.0f} s for the page counts of other parts")
        time.sleep(WAIT_STEP)


class _AbandonedError(Exception):
    """Ends the layout of a part another worker took over."""


class _Held:
    """One part laid out in a thread of its own, paused between its pagination and its margin boxes."""

    def __init__(self, worker: _Worker, job: PartJob, *, fresh: bool = False) -> None:
        self.worker = worker
        self.job = job
        self.paused = threading.Event()
        self.hooked = False
        self.go = threading.Event()
        self.numbers: dict[str, int] = {}
        self.printed: dict[str, int] = {}
        self.first_page = 1
        self.document: weasyprint.Document | None = None
        self.error: BaseException | None = None
        self.log: list[tuple[int, str]] = []
        self.refusals: list[tuple[str, str]] = []
        self.loaded: list[str] = []
        self.thread = threading.Thread(target=self._run, name=f"part-{job.index}", daemon=True)
        self.settles = fresh or (may_hold_figures(job.html) and bool(job.links and job.links.targets))
        """Whether it is laid out whole once the numbers are known: taken over from another worker
        (`fresh`), or its figures may move and it prints pages (laid out whole to learn them first; a
        part printing none is paginated once, then goes through the figure pass)."""
        self.abandoned = False
        self.kept: list[Any] = []
        """What `weasy.keeping` kept of the document rendered last (with `job.keep`)."""

    def paginate(self) -> None:
        """Lay the part out up to its pagination (published), and leave it paused there."""
        self.worker.running[self.job.index] = os.getpid()
        if self.settles:
            self._logged(self._measure)
            return
        self._logged(self._start)
        if self.error is not None:
            raise self.error
        if not self.hooked:
            from guide.typesetting import weasy  # noqa: PLC0415 - loaded by the worker already

            raise weasy.InternalsChangedError("the pagination hook did not see the part's pages")

    def _measure(self) -> None:
        document = with_room(lambda: settle_figures(self.job.html, self._render))
        self._publish(len(document.pages), _anchors(document))

    def _settle(self) -> weasyprint.Document:
        from guide.typesetting import weasy  # noqa: PLC0415 - loaded by the worker already

        html, self.printed = renumbered(self.job.html, self.numbers)
        with weasy.page_offset(self._offset):
            return with_room(lambda: settle_figures(html, self._render))

    def _settled(self) -> weasyprint.Document:
        """The renumbered document, or what the figure pass makes of it (a table that cannot break moves)."""
        from guide.typesetting import weasy  # noqa: PLC0415 - loaded by the worker already

        html, _ = renumbered(self.job.html, self.printed)
        laid_out = [self.document]

        def lay_out(again: str) -> weasyprint.Document:
            if again == html and laid_out:
                document = laid_out.pop()
                assert document is not None
                return document
            return self._render(again)

        with weasy.page_offset(self._offset):
            return with_room(lambda: settle_figures(html, lay_out))

    def _render(self, html: str) -> weasyprint.Document:
        import weasyprint  # noqa: PLC0415 - loaded by the worker already

        from guide.typesetting import weasy  # noqa: PLC0415

        worker = self.worker
        document = weasyprint.HTML(string=html, base_url=worker.base_url, url_fetcher=worker.fetcher)
        with weasy.keeping(self.job.keep) as kept:
            rendered = document.render(font_config=worker.fonts, pdf_variant=PDF_VARIANT)
        self.kept = kept
        return rendered

    def _publish(self, pages: int, anchors: dict[str, int]) -> None:
        links = self.job.links
        assert links is not None
        self.hooked = True
        if self.job.numbered:
            self.worker.counts[self.job.index] = pages
        for anchor, slot in links.marks.items():
            self.worker.marks[slot] = anchors.get(anchor, 0)

    def _start(self) -> None:
        self.thread.start()
        self.paused.wait()

    def _resume(self) -> None:
        self.go.set()
        self.thread.join(WAIT_LIMIT)

    def abandon(self) -> None:
        """Let the part go unfinished (another worker lays it out afresh): its thread ends, its pages go."""
        self.abandoned = True
        self.go.set()
        if self.thread.is_alive():
            self.thread.join(WAIT_LIMIT)
        self.document = None

    def _run(self) -> None:
        from guide.typesetting import weasy  # noqa: PLC0415 - loaded by the worker already

        try:
            with weasy.page_offset(self._offset), weasy.paginated_hook(self._paginated):
                self.document = with_room(lambda: self._render(self.job.html))
        except BaseException as exc:  # handed to the batch's thread, which raises it
            self.error = exc
        finally:
            self.paused.set()

    def _paginated(self, paginated: weasy.Paginated) -> None:
        self._publish(paginated.page_count, paginated.anchors)
        self.paused.set()
        self.go.wait()
        if self.abandoned:
            raise _AbandonedError
        self.printed = paginated.renumber(self.numbers, target_of)

    def _offset(self, pages: int) -> int:
        return self.first_page - 1 if self.job.numbered else 0

    def finish(self, counts: list[int], marks: dict[int, int]) -> PartResult:
        """Print the right numbers, lay out again the pages that show them, add the folios, write."""
        job, links = self.job, self.job.links
        assert links is not None
        self.worker.running[job.index] = os.getpid()
        firsts = [1]
        for count in counts:
            firsts.append(firsts[-1] + count)
        self.first_page = firsts[job.index] if job.numbered else 1
        self.numbers = {name: firsts[owner] + marks[slot] for name, (owner, slot) in links.targets.items()}
        if self.settles:
            self.document = self._logged(self._settle)
        else:
            self._logged(self._resume)
        if self.error is not None:
            raise self.error
        if self.document is None:
            raise TimeoutError(f"laying out part {job.index} again took over {WAIT_LIMIT:.0f} s")
        document = self._logged(self._settled) if not self.settles else self.document
        found = find_problems(document)
        findings = [(f.source_path, f.line, f.problem, f.page_index, f.target) for f in found]
        anchors = _anchors(document)
        for name, slot in job.starts.items():  # before writing: the front matter may start now
            if name in anchors:
                self.worker.starts[slot] = self.first_page + anchors[name]
        pdf: bytes = self._logged(lambda: document.write_pdf(pdf_variant=PDF_VARIANT))
        self.worker.running[job.index] = 0
        self.document = None
        result = PartResult(
            index=job.index,
            pdf=pdf,
            pages=len(document.pages),
            first_page=self.first_page,
            anchors=anchors,
            log=self.log,
            refusals=self.refusals,
            findings=findings,
            loaded=list(dict.fromkeys(self.loaded)),
            printed=self.printed,
        )
        if job.keep:
            from guide.typesetting import weasy  # noqa: PLC0415
            from guide.typesetting.refolio import kept_parts  # noqa: PLC0415

            html, _ = renumbered(job.html, self.printed)
            result = kept_parts.keep(job, html, weasy.KeptLayout.of(document, self.kept), result)
        self.kept = []
        return result

    def _logged(self, call: Callable[[], Any]) -> Any:
        """Run `call`; keep what it logged, refused and loaded as this part's."""
        worker = self.worker
        since = (len(worker.records), len(worker.fetcher.refusals), len(worker.fetcher.loaded))
        try:
            return call()
        finally:
            self.log += [(r.levelno, r.getMessage()) for r in worker.records[since[0] :]]
            self.refusals += [(r.url, r.reason) for r in worker.fetcher.refusals[since[1] :]]
            self.loaded += [str(path) for path in worker.fetcher.loaded[since[2] :]]
