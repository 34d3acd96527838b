"""Keep the parts a watch's worker laid out, and give them other folios without laying them out again.

An edit that adds a page to a chapter moves the first page of every part after it: their folios
change and nothing else (a cross-reference printing a page that moved changes the part's HTML, which
is then another part). A kept worker (`guide watch`) holds each part it laid out, paginated, by its
HTML; asked for the same HTML at another first page, it makes only the margin boxes again
(`weasy.KeptLayout.refoliate`, WeasyPrint's own `make_margin_boxes`) and writes the PDF: the bytes
of a fresh layout at that first page.

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
from typing import TYPE_CHECKING

from guide.typesetting.common import PDF_VARIANT
from guide.typesetting.parts import EDGE_CSS

if TYPE_CHECKING:
    from guide.typesetting.weasy import KeptLayout
    from guide.typesetting.worker import PartJob, PartResult

MAX_KEPT_CHAPTERS = 110
"""Chapters' layouts a worker keeps at most (`linked.MAX_CHAPTERS_PER_WORKER` holds as many at once)."""


@dataclass(frozen=True)
class _Kept:
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
        self._parts[job.index] = _Kept(digest, layout, replace(result, pdf=b""), files, chapters)
        while sum(kept.chapters for kept in self._parts.values()) > MAX_KEPT_CHAPTERS:
            self._parts.pop(next(iter(self._parts)))
        return result if job.index in self._parts else replace(result, keeper=0, kept_html="")

    def holds(self, job: PartJob) -> bool:
        """Whether this process keeps the layout `job` asks for (its files are checked when used)."""
        kept = self._parts.get(job.index)
        return kept is not None and kept.digest == _digest(job.html)

    def refoliated(self, job: PartJob, first_page: Callable[[PartResult], int]) -> PartResult | None:
        """The part `job` asks for, if held, written from the page `first_page` gives for it (given the
        part as laid out before, without its PDF: it publishes its page count and anchors); else None."""
        kept = self._parts.get(job.index)
        if kept is None or not job.numbered or job.measure:
            return None
        self._restyle(job.html)
        if self._parts.get(job.index) is not kept or kept.digest != _digest(job.html):
            return None
        if any(_file_digest(path) != digest for path, digest in kept.files.items()):
            self._parts.pop(job.index)
            return None
        first = first_page(kept.result)
        document = kept.layout.refoliate(first - 1)
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
        return replace(kept.result, pdf=pdf, first_page=first, refoliated=True)

    def _restyle(self, html: str) -> None:
        """Drop every part if the book's styles (a part's head) changed."""
        style = _digest(html.partition("</head>")[0].replace(EDGE_CSS.format("bottom"), ""))
        if style != self._style:
            self._parts.clear()
            self._style = style

    def __len__(self) -> int:
        return len(self._parts)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()


def _file_digest(path: str) -> bytes:
    from guide.typesetting.cache import file_digest  # noqa: PLC0415 - the cache imports the worker's module

    return file_digest(Path(path))


kept_parts = KeptParts()
"""This process's kept parts (a worker's)."""


def typeset_refolios(jobs: tuple[tuple[int, PartJob], ...]) -> list[PartResult]:
    """Write the parts of `jobs` (each with the process id of the worker that keeps it) that this worker
    keeps, then wait until the others are taken; return a result for each part it wrote.

    The parent sends one such batch per keeping worker; a worker that takes a batch writes its own
    parts (claimed, as in `linked`), and one whose keeper has ended lays it out afresh. Its wait
    ends once every part is taken: the keeper it waits for takes the next batch.
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
