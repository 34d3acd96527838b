"""A watch's workers give the parts after an edit that adds a page other folios without laying them out.

Every PDF here is built by real WeasyPrint in real worker processes; a watch's build after the edit
must write the bytes a cold build of the same inputs writes.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import time
from pathlib import Path

import pdfplumber
import pytest

from guide import BuildOptions, build
from guide.typesetting import refolio, worker
from guide.typesetting.book import _cache, cache_folder, keep_workers
from tests.conftest import copy_sample

pytestmark = pytest.mark.e2e
PAGE_MORE = "\n\n" + "A long new paragraph of words. " * 150
"""More than a page of text, added to the sample's sixth post."""


def _add_a_page(project: Path, number: int) -> None:
    post = sorted((project / "chapters").glob("*.md"))[5]
    text = post.read_text(encoding="utf-8").rstrip("\n")
    post.write_text(f"{text} Edit {number}.{PAGE_MORE}\n", encoding="utf-8")


def _cold(project: Path, output: Path) -> bytes:
    """The PDF a build with no cache writes, in a process of its own as far as the cache goes."""
    shutil.rmtree(cache_folder(project), ignore_errors=True)
    _cache.cache_clear()
    build(project, output, BuildOptions(strict=True, jobs=2))
    return output.read_bytes()


def _folios(pdf: bytes) -> list[str]:
    """The last word of each page as pdfplumber reads it (the folio, on a numbered page)."""
    with pdfplumber.open(io.BytesIO(pdf)) as read:
        return [(page.extract_words() or [{"text": ""}])[-1]["text"] for page in read.pages]


def test_an_edit_adding_a_page_refoliates_later_parts_and_writes_a_cold_builds_bytes(
    tmp_path: Path, epoch: str
) -> None:
    project = copy_sample(tmp_path)
    options = BuildOptions(strict=True, jobs=2)
    shown: list[list[str]] = []
    with keep_workers(project, options):
        build(project, tmp_path / "first.pdf", options)
        for number in (1, 2):
            _add_a_page(project, number)
            shown.append([])
            build(project, tmp_path / f"edit{number}.pdf", options, progress=shown[-1].append)
    for messages in shown:  # the four chunks after the edited one and the credits, by their keepers
        refoliated = [m for m in messages if m.endswith("(folios only)")]
        assert len(refoliated) == 5 and all(m.startswith("Typeset ") for m in refoliated), messages
        assert refoliated[-1] == "Typeset the credits (folios only)"
        # Laid out whole: the edited part and the contents; those printing pages that moved, renumbered.
        typeset = [m for m in messages if m.startswith("Typeset ") and not m.endswith(")")]
        assert len(typeset) == 2 and typeset[-1] == "Typeset the contents", messages
        assert any(m.endswith("(renumbered)") for m in messages), messages
    watched = (tmp_path / "edit2.pdf").read_bytes()
    cold = _cold(project, tmp_path / "cold.pdf")
    assert watched == cold
    first = _folios((tmp_path / "first.pdf").read_bytes())
    assert len(_folios(cold)) >= len(first) + 2  # each edit added a page at least
    assert _folios(cold)[-1] == str(len(_folios(cold)) - len(first) + int(first[-1]))  # the credits moved


def test_a_worker_dying_as_it_refoliates_falls_back_to_one_process(
    tmp_path: Path, epoch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    refoliated = refolio.KeptParts.refoliated

    def dies(self: refolio.KeptParts, *args: object, **kwargs: object) -> object:
        result = refoliated(self, *args, **kwargs)  # type: ignore[arg-type]
        if result is not None:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    monkeypatch.setattr(refolio.KeptParts, "refoliated", dies)  # before the workers are forked
    project = copy_sample(tmp_path)
    options = BuildOptions(strict=True, jobs=2)
    with keep_workers(project, options):
        build(project, tmp_path / "first.pdf", options)
        _add_a_page(project, 1)
        result = build(project, tmp_path / "edit.pdf", BuildOptions(jobs=2))
    messages = [str(w) for w in result.warnings]
    assert len(messages) == 1 and "in one process instead" in messages[0]
    build(project, tmp_path / "single.pdf", BuildOptions(strict=True, jobs=1))
    assert (tmp_path / "edit.pdf").read_bytes() == (tmp_path / "single.pdf").read_bytes()


def test_a_worker_keeping_parts_collects_its_garbage_once_idle_after_its_last_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each edit in a watch leaves the layouts it replaced as cyclic garbage that the worker's raised
    # thresholds let pile up; a worker that keeps parts collects once a job leaves it idle.
    collected: list[float] = []
    monkeypatch.setattr(worker, "TIDY_AFTER", 0.05)
    monkeypatch.setattr(worker.gc, "collect", lambda: collected.append(time.monotonic()))

    def settle() -> None:
        time.sleep(0.3)  # six times TIDY_AFTER: a timer armed by now has run

    @worker.tidied_when_idle
    def outer() -> None:
        inner()
        settle()  # still inside a job: the inner one's end must not have armed a timer

    @worker.tidied_when_idle
    def inner() -> None:
        pass

    inner()
    settle()
    assert collected == []  # this process keeps no part: nothing to tidy
    monkeypatch.setattr(refolio.kept_parts, "_parts", {0: object()})
    outer()
    assert collected == []
    settle()
    assert len(collected) == 1
    inner()
    inner()  # a job within TIDY_AFTER of the last: the first's timer is cancelled
    settle()
    assert len(collected) == 2
