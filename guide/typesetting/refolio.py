"""Keep the parts a watch's worker laid out, and give them other folios without laying them out again.

An edit that adds a page to a chapter moves the first page of every part after it: their folios
change, and the numbers the cross-references to them print. A kept worker (`guide watch`) holds each
part it laid out, paginated, by its HTML. Asked for the same HTML at another first page, it makes
only the margin boxes again (`weasy.KeptLayout.refoliate`, WeasyPrint's own `make_margin_boxes`);
asked for HTML that differs only in the numbers its cross-references print, it prints those and lays
out again only the pages that show them (`weasy.KeptLayout.renumber`, WeasyPrint's repagination, as
`linked` does within one layout). Either way it writes the bytes of a fresh layout of that HTML at
that first page. The parent sends each such part to the worker keeping it (`typeset_refolios`).

Held per process, one layout per part of the book, and no more than `MAX_KEPT_CHAPTERS` chapters'
worth (about what a worker holds while it lays a cold book out in batches, see `linked`). Dropped
when the book's styles change (every part's head), and not used when a file the part loaded changed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guide.typesetting.common import PDF_VARIANT
from guide.typesetting.parts import EDGE_CSS
from guide.typesetting.worker import tidied_when_idle

if TYPE_CHECKING:
    from guide.typesetting.weasy import KeptLayout
    from guide.typesetting.worker import PartJob, PartResult

MAX_KEPT_CHAPTERS = 110
"""Chapters' layouts a worker keeps at most (`linked.MAX_CHAPTERS_PER_WORKER` holds as many at once)."""


@dataclass(frozen=True)
class _Kept:
    html: str
    """The part's HTML (its cross-references' numbers written in)."""
    digest: bytes
    """The part's HTML, hashed: what the parent asks for."""
    layout: KeptLayout
    result: PartResult
    """The part as written when laid out (its PDF dropped): log, anchors, findings, loaded files."""
    files: dict[str, bytes]
    """Each file the part loaded -> its digest then."""
    chapters: int


class KeptParts:
    """The parts this process laid out, by their index in the book."""

    def __init__(self) -> None:
        self._parts: dict[int, _Kept] = {}
        self._style: bytes | None = None

    def keep(self, job: PartJob, html: str, layout: KeptLayout | None, result: PartResult) -> PartResult:
        """Hold `layout`, the part `job` laid out from `html` (its cross-references' numbers written in);
        return `result`, naming this process as its keeper if it is held."""
        self._parts.pop(job.index, None)
        if layout is None or not job.numbered:
            return result
        self._restyle(html)
        files = {path: _file_digest(path) for path in result.loaded}
        chapters = max(len(job.starts), 1)
        digest = _digest(html)
        result = replace(result, keeper=os.getpid(), kept_html=digest.hex())
        self._parts[job.index] = _Kept(html, digest, layout, replace(result, pdf=b""), files, chapters)
        while sum(kept.chapters for kept in self._parts.values()) > MAX_KEPT_CHAPTERS:
            self._parts.pop(next(iter(self._parts)))
        return result if job.index in self._parts else replace(result, keeper=0, kept_html="")

    def refoliated(self, job: PartJob, first_page: Callable[[PartResult], int]) -> PartResult | None:
        """The part `job` asks for, if held, written from the page `first_page` gives for it (given the
        part without its PDF: it publishes its page count and anchors); else None.

        A part held with other numbers in its cross-references gets them printed first, and the pages
        that show them laid out again (`weasy.KeptLayout.renumber`).
        """
        kept = self._parts.get(job.index)
        if kept is None or not job.numbered or job.measure:
            return None
        self._restyle(job.html)
        if self._parts.get(job.index) is not kept:
            return None
        if any(_file_digest(path) != digest for path, digest in kept.files.items()):
            self._parts.pop(job.index)
            return None
        digest = _digest(job.html)
        renumber = kept.digest != digest
        result = self._renumbered(kept, job) if renumber else kept.result
        if result is None:
            return None
        first = first_page(result)
        document = kept.layout.refoliate(first - 1)
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
        if renumber:
            from guide.audit import find_problems  # noqa: PLC0415 - loaded by the worker already

            found = find_problems(document)
            findings = [(f.source_path, f.line, f.problem, f.page_index, f.target) for f in found]
            result = replace(result, findings=findings, anchors=_anchors(document), kept_html=digest.hex())
            self._parts[job.index] = replace(kept, html=job.html, digest=digest, result=result)
        return replace(result, pdf=pdf, first_page=first, refoliated=not renumber, renumbered=renumber)

    def _renumbered(self, kept: _Kept, job: PartJob) -> PartResult | None:
        """The kept part with the numbers `job`'s cross-references print, if those are all that differ."""
        from guide.typesetting.linked import renumbered, target_of  # noqa: PLC0415 - the worker's modules

        _, numbers = renumbered(job.html, {})
        if not numbers or renumbered(kept.html, numbers)[0] != job.html:
            return None
        self._parts.pop(job.index)  # changed from here on: kept again once written
        printed = kept.layout.renumber(numbers, target_of)
        if printed != numbers:
            return None
        pages, anchors = kept.layout.page_count, kept.layout.anchors
        return replace(kept.result, pages=pages, anchors=anchors, printed=printed)

    def _restyle(self, html: str) -> None:
        """Drop every part if the book's styles (a part's head) changed."""
        style = _digest(html.partition("</head>")[0].replace(EDGE_CSS.format("bottom"), ""))
        if style != self._style:
            self._parts.clear()
            self._style = style

    def __len__(self) -> int:
        return len(self._parts)


def _anchors(document: Any) -> dict[str, int]:
    from guide.typesetting.worker import _anchors as anchors  # noqa: PLC0415 - the worker's module

    return anchors(document)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()


def _file_digest(path: str) -> bytes:
    from guide.typesetting.cache import file_digest  # noqa: PLC0415 - the cache imports the worker's module

    return file_digest(Path(path))


kept_parts = KeptParts()
"""This process's kept parts (a worker's)."""


@tidied_when_idle
def typeset_refolios(jobs: tuple[tuple[int, PartJob], ...]) -> list[PartResult]:
    """Write the parts of `jobs` (each with the process id of the worker that keeps it) that this worker
    keeps, then wait until the others are taken; return a result for each part it wrote.

    The parent sends one such batch per worker; a worker that takes a batch writes its own parts
    (claimed, as in `linked`), and lays out afresh one whose keeper has ended. It returns once every
    part is taken: while a keeper's parts are not, each other worker holds one batch at most, so a
    batch is left for that keeper.
    """
    from guide.typesetting.linked import FINISH, _claim  # noqa: PLC0415 - the worker's modules
    from guide.typesetting.pool import SLOTS  # noqa: PLC0415
    from guide.typesetting.worker import WAIT_LIMIT, WAIT_STEP, _worker, typeset_part  # noqa: PLC0415

    worker, me = _worker[-1], os.getpid()
    results = []
    for holder, job in jobs:
        if holder == me and _claim(worker, FINISH, job.index):
            results.append(typeset_part(job))
    deadline = time.monotonic() + WAIT_LIMIT
    for holder, job in jobs:
        while not worker.claims[FINISH * SLOTS + job.index]:
            if not _alive(holder) and _claim(worker, FINISH, job.index):
                results.append(typeset_part(job))
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {WAIT_LIMIT:.0f} s for another worker's kept parts")
            time.sleep(WAIT_STEP)
    return results


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
