"""The parallel typesetter makes the PDF the one-document build makes, from the cache too.

Each project is built once per session with one process (`jobs=1`, the whole book as one WeasyPrint
document) and once with two workers; the two PDFs are read back and compared page by page.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.synthetic import write_project
from guide import BuildOptions, build
from guide.cli import app
from guide.finish import Finish
from guide.typesetting import book as typesetting_book
from guide.typesetting import linked, merge, parallel, parts, worker
from guide.typesetting.book import _cache, cache_folder, keep_workers
from tests import pdf_compare
from tests.conftest import ROOT, copy_sample

pytestmark = pytest.mark.e2e
SYNTHETIC_POSTS = 30


@dataclass(frozen=True)
class Pair:
    """One project built both ways."""

    project: Path
    single: Path
    parallel: Path


FOOTNOTE = re.compile(r"\[\^\d+\](?::[^\n]*)?")


def _without_footnotes(project: Path) -> Path:
    """Drop the footnotes: WeasyPrint 70's one document repeats one on the next page (see below)."""
    for post in (project / "chapters").glob("*.md"):
        post.write_text(FOOTNOTE.sub("", post.read_text(encoding="utf-8")), encoding="utf-8")
    return project


def _build_both(project: Path, out: Path) -> Pair:
    single, parted = out / "single.pdf", out / "parallel.pdf"
    build(project, single, BuildOptions(strict=True, jobs=1))
    build(project, parted, BuildOptions(strict=True, jobs=2))
    return Pair(project, single, parted)


@pytest.fixture(scope="session")
def sample_pair(tmp_path_factory: pytest.TempPathFactory, epoch: str) -> Pair:
    """The sample series, in a copy so its cache stays out of the checkout."""
    folder = tmp_path_factory.mktemp("parallel-sample")
    return _build_both(copy_sample(folder), folder)


@pytest.fixture(scope="session")
def synthetic_pair(tmp_path_factory: pytest.TempPathFactory, epoch: str) -> Pair:
    """A 30-post synthetic series: many parts, cross-references between them, tables."""
    folder = tmp_path_factory.mktemp("parallel-synthetic")
    return _build_both(_without_footnotes(write_project(folder / "project", SYNTHETIC_POSTS)), folder)


@pytest.fixture(params=["sample", "synthetic"])
def pair(request: pytest.FixtureRequest) -> Pair:
    return request.getfixturevalue(f"{request.param}_pair")  # type: ignore[no-any-return]


def test_every_page_is_pixel_identical(pair: Pair) -> None:
    single = pdf_compare.page_images(pair.single)
    assert len(single) > 10
    assert pdf_compare.page_images(pair.parallel) == single


def test_outline_and_links_go_to_the_same_places(pair: Pair) -> None:
    assert pdf_compare.outline(pair.parallel) == pdf_compare.outline(pair.single)
    links = pdf_compare.links(pair.single)
    assert any(kind == "internal" and page > 2 for page, _, kind, _ in links)  # between chapters
    assert pdf_compare.links(pair.parallel) == links
    assert pdf_compare.named_destinations(pair.parallel) == pdf_compare.named_destinations(pair.single)


def test_tags_alt_text_and_language_are_the_same(pair: Pair) -> None:
    language, tree = pdf_compare.tags(pair.single)
    assert language == "en"
    assert "Figure" in repr(tree) or "/Figure" in repr(tree) or pair.project.name != "sample"
    assert pdf_compare.tags(pair.parallel) == (language, tree)


def test_each_face_is_embedded_once_subset_as_the_whole_book_would_be(pair: Pair) -> None:
    fonts = pdf_compare.fonts(pair.parallel)
    assert fonts == pdf_compare.fonts(pair.single)
    assert {count for count, _ in fonts.values()} == {1}


def test_the_pdf_is_about_the_size_of_the_one_document_build(pair: Pair) -> None:
    assert pair.parallel.stat().st_size <= 1.05 * pair.single.stat().st_size


def test_two_cold_builds_and_a_cached_one_are_byte_identical(sample_pair: Pair, tmp_path: Path) -> None:
    _forget_cache(sample_pair.project)
    cold, cached = tmp_path / "cold.pdf", tmp_path / "cached.pdf"
    build(sample_pair.project, cold, BuildOptions(strict=True, jobs=2))
    build(sample_pair.project, cached, BuildOptions(strict=True, jobs=2))
    assert cold.read_bytes() == sample_pair.parallel.read_bytes()
    assert cached.read_bytes() == sample_pair.parallel.read_bytes()


def test_the_pdf_does_not_depend_on_how_many_workers_typeset_it(synthetic_pair: Pair, tmp_path: Path) -> None:
    """The book is cut the same way whatever `--jobs` (or the machine's cores) is: the same bytes.
    (30 chapters were 8 parts with two workers and 12 with three.)"""
    _forget_cache(synthetic_pair.project)
    three = tmp_path / "three.pdf"
    build(synthetic_pair.project, three, BuildOptions(strict=True, jobs=3))
    assert three.read_bytes() == synthetic_pair.parallel.read_bytes()


def test_chapters_are_cut_into_runs_by_their_count_alone() -> None:
    assert parts.chunk_sizes(0) == []
    assert parts.chunk_sizes(5) == [1, 1, 1, 1, 1]
    assert parts.chunk_sizes(13) == [2, 2, 2, 2, 2, 1, 1, 1]
    assert parts.chunk_sizes(50) == [2] * 25
    assert parts.chunk_sizes(200) == [2] * 100
    assert parts.chunk_sizes(51) == [2] * 25 + [1]


def test_the_default_is_never_the_one_document_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert BuildOptions().jobs == 2


def _forget_cache(project: Path) -> None:
    """Empty the cache on disk and in this process's memory: the next build is cold."""
    shutil.rmtree(cache_folder(project), ignore_errors=True)
    _cache.cache_clear()


def _cached_parts(project: Path) -> set[Path]:
    return set((cache_folder(project) / "parts").rglob("*.pdf"))


def test_editing_one_chapter_lays_out_only_its_part(tmp_path: Path, epoch: str) -> None:
    project = copy_sample(tmp_path)
    build(project, tmp_path / "first.pdf", BuildOptions(strict=True, jobs=2))
    post = sorted((project / "chapters").glob("*.md"))[5]
    post.write_text(post.read_text(encoding="utf-8").replace("community", "communities", 1), encoding="utf-8")
    shown: list[str] = []
    build(project, tmp_path / "edited.pdf", BuildOptions(strict=True, jobs=2), progress=shown.append)
    laid_out = [message for message in shown if message.startswith("Typeset ")]
    assert len(laid_out) == 1  # the same page count: the contents and the later parts come from the cache
    assert laid_out[0].startswith("Typeset chapters/")  # its chunk, not the contents or the credits
    build(project, tmp_path / "single.pdf", BuildOptions(strict=True, jobs=1))
    single = pdf_compare.page_images(tmp_path / "single.pdf")
    assert pdf_compare.page_images(tmp_path / "edited.pdf") == single


def _plain_series(folder: Path, posts: int) -> Path:
    """A series without cross-references: one round of layout, the contents sent out first."""
    chapters = folder / "chapters"
    chapters.mkdir(parents=True)
    for number in range(1, posts + 1):
        text = f"Paragraph {number} of a plain series, with no links to the other posts. " * 12
        body = "\n\n".join([text] * 6)
        (chapters / f"{number:02d}.md").write_text(f"---\ntitle: Post {number}\n---\n\n{body}\n")
    listed = ", ".join(f'"chapters/{number:02d}.md"' for number in range(1, posts + 1))
    (folder / "guide.toml").write_text(f'title = "Plain"\nauthor = "Ann Lee"\nchapters = [{listed}]\n')
    return folder


@pytest.mark.parametrize("cross_references", [False, True])
def test_an_edit_that_moves_the_later_chapters_renumbers_the_contents(
    cross_references: bool, tmp_path: Path, epoch: str
) -> None:
    project = copy_sample(tmp_path) if cross_references else _plain_series(tmp_path / "plain", 8)
    build(project, tmp_path / "first.pdf", BuildOptions(strict=True, jobs=2))
    post = sorted((project / "chapters").glob("*.md"))[2]
    longer = "\n\n".join(["A paragraph added to push the later chapters two pages on. " * 8] * 12)
    post.write_text(post.read_text(encoding="utf-8") + "\n\n" + longer + "\n", encoding="utf-8")
    shown: list[str] = []
    edited = tmp_path / "edited.pdf"
    build(project, edited, BuildOptions(strict=True, jobs=2), progress=shown.append)
    # The contents sent out early printed the last build's pages: it is laid out again with the new ones.
    assert "Typeset the contents" in shown
    build(project, tmp_path / "single.pdf", BuildOptions(strict=True, jobs=1))
    pages = pdf_compare.page_images(edited)
    assert len(pages) > len(pdf_compare.page_images(tmp_path / "first.pdf"))
    assert pages == pdf_compare.page_images(tmp_path / "single.pdf")
    assert pdf_compare.outline(edited) == pdf_compare.outline(tmp_path / "single.pdf")


def test_a_cold_build_with_a_figure_lays_out_each_part_once(sample_pair: Pair, tmp_path: Path) -> None:
    """The part holding the figure is laid out whole to learn its pages, then again in the same job."""
    _forget_cache(sample_pair.project)
    shown: list[str] = []
    output = tmp_path / "cold.pdf"
    build(sample_pair.project, output, BuildOptions(strict=True, jobs=2), progress=shown.append)
    laid_out = [message for message in shown if message.startswith("Typeset ")]
    assert len(laid_out) == len(set(laid_out)) > 3
    assert "Typeset the contents" in laid_out and "Typeset the credits" in laid_out
    assert output.read_bytes() == sample_pair.parallel.read_bytes()


def _laid_out(shown: list[str]) -> list[str]:
    return [message for message in shown if message.startswith("Typeset ")]


def test_a_cold_book_without_figures_lays_out_each_part_once(synthetic_pair: Pair, tmp_path: Path) -> None:
    """Each part corrects the page numbers it printed in place (see guide/typesetting/linked.py)."""
    _forget_cache(synthetic_pair.project)
    shown: list[str] = []
    output = tmp_path / "cold.pdf"
    build(synthetic_pair.project, output, BuildOptions(strict=True, jobs=2), progress=shown.append)
    laid_out = _laid_out(shown)
    assert len(laid_out) == len(set(laid_out)) > 8  # every chunk, the credits and the contents: once
    assert "Typeset the contents" in laid_out
    assert output.read_bytes() == synthetic_pair.parallel.read_bytes()
    shown.clear()
    build(
        synthetic_pair.project, output, BuildOptions(strict=True, jobs=2, force=True), progress=shown.append
    )
    assert _laid_out(shown) == []  # stored in the cache under the numbers it printed
    assert output.read_bytes() == synthetic_pair.parallel.read_bytes()


def _second_part_misplaced(results: list[worker.PartResult], pages: dict[str, int]) -> list[bool]:
    return [result.index == 1 for result in results]


def test_a_part_misplaced_after_the_one_pass_is_laid_out_again_alone(
    synthetic_pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if renumbering changed its page count: it is laid out again with the pages found."""
    _forget_cache(synthetic_pair.project)
    monkeypatch.setattr(linked, "misplaced", _second_part_misplaced)
    shown: list[str] = []
    output = tmp_path / "again.pdf"
    build(synthetic_pair.project, output, BuildOptions(strict=True, jobs=2), progress=shown.append)
    laid_out = _laid_out(shown)
    twice = [message for message in set(laid_out) if laid_out.count(message) == 2]
    assert len(twice) == 1 and twice[0].startswith("Typeset chapters/")
    assert len(laid_out) == len(set(laid_out)) + 1
    assert pdf_compare.page_images(output) == pdf_compare.page_images(synthetic_pair.single)


def _batch_dies_on_second_part(
    jobs: tuple[worker.PartJob, ...], others: tuple[worker.PartJob, ...] = ()
) -> list[worker.PartResult]:
    if any(job.index == 1 for job in jobs):
        os.kill(os.getpid(), signal.SIGKILL)
    return linked.typeset_batch(jobs, others)


def test_a_worker_dying_in_the_one_pass_falls_back_to_one_process(
    synthetic_pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forget_cache(synthetic_pair.project)
    monkeypatch.setattr(linked, "typeset_batch", _batch_dies_on_second_part)
    output = tmp_path / "fallback.pdf"
    result = build(synthetic_pair.project, output, BuildOptions(jobs=2))
    messages = [str(w) for w in result.warnings]
    assert len(messages) == 1
    assert messages[0].startswith("chapters/")
    assert "in one process instead" in messages[0]
    assert output.read_bytes() == synthetic_pair.single.read_bytes()


def _all_but_the_credits_in_one_batch(
    jobs: list[worker.PartJob], chapters: list[int], count: int
) -> list[tuple[worker.PartJob, ...]]:
    return [(*jobs[:-2], jobs[-1]), (jobs[-2],)]  # the chapter parts and the contents; the credits


def test_a_worker_takes_over_parts_another_has_not_started_and_the_bytes_stay(
    synthetic_pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lopsided plan and a slow worker: the other paginates what the first has not started, then
    lays out afresh what the slow one has not started finishing. The PDF is the same, each part once."""
    _forget_cache(synthetic_pair.project)
    noted = tmp_path / "noted"
    noted.mkdir()
    paginate, finish = linked._Held.paginate, linked._Held.finish

    def noting_paginate(self: linked._Held) -> None:
        (noted / f"paginated-{self.job.index}-{os.getpid()}").touch()
        paginate(self)

    def slow_finish(self: linked._Held, counts: list[int], marks: dict[int, int]) -> worker.PartResult:
        fresh = self.settles and not self.hooked
        (noted / f"{'fresh' if fresh else 'finished'}-{self.job.index}-{os.getpid()}").touch()
        if not fresh and self.worker.claims[linked.PAGINATE * linked.SLOTS + 0] == os.getpid():
            time.sleep(1.0)  # the worker holding the first part finishes slowly
        return finish(self, counts, marks)

    monkeypatch.setattr(linked, "_balanced", _all_but_the_credits_in_one_batch)
    monkeypatch.setattr(linked._Held, "paginate", noting_paginate)
    monkeypatch.setattr(linked._Held, "finish", slow_finish)  # the workers are forked: they see it too
    shown: list[str] = []
    output = tmp_path / "taken-over.pdf"
    build(synthetic_pair.project, output, BuildOptions(strict=True, jobs=2), progress=shown.append)
    assert output.read_bytes() == synthetic_pair.parallel.read_bytes()
    laid_out = _laid_out(shown)
    assert len(laid_out) == len(set(laid_out)) > 8  # each part once
    events = [name.split("-") for name in os.listdir(noted)]
    credits = str(len(laid_out) - 2)
    second = next(pid for kind, index, pid in events if kind == "paginated" and index == credits)
    assert len([pid for kind, _, pid in events if kind == "paginated" and pid == second]) > 1
    fresh = [index for kind, index, _ in events if kind == "fresh"]
    assert fresh, events
    done = sorted(int(index) for kind, index, _ in events if kind in ("fresh", "finished"))
    assert done == list(range(len(laid_out)))


def test_a_damaged_cache_entry_is_typeset_again_not_merged(sample_pair: Pair, tmp_path: Path) -> None:
    build(sample_pair.project, tmp_path / "warm.pdf", BuildOptions(strict=True, jobs=2))
    for entry in _cached_parts(sample_pair.project):
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    _cache.cache_clear()  # a new process: it reads the damaged entries from disk
    output = tmp_path / "again.pdf"
    build(sample_pair.project, output, BuildOptions(strict=True, jobs=2))
    assert output.read_bytes() == sample_pair.parallel.read_bytes()


def _dies_on_second_part(job: worker.PartJob) -> worker.PartResult:
    if job.index == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return worker.typeset_part(job)


def _hangs_on_second_part(job: worker.PartJob) -> worker.PartResult:
    if job.index == 1:
        time.sleep(3600)
    return worker.typeset_part(job)


@pytest.mark.parametrize("failing", [_dies_on_second_part, _hangs_on_second_part])
def test_a_dead_or_hung_worker_is_named_and_the_book_is_typeset_in_one_process(
    failing: object, sample_pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forget_cache(sample_pair.project)
    monkeypatch.setattr(linked, "MAX_CHAPTERS_PER_WORKER", 0)  # the rounds, as for a book too long
    monkeypatch.setattr(parallel, "typeset_part", failing)  # the workers are forked: they see it too
    monkeypatch.setattr(parallel, "PART_TIME_LIMIT", 5.0)
    output = tmp_path / "fallback.pdf"
    result = build(sample_pair.project, output, BuildOptions(jobs=2))
    messages = [str(w) for w in result.warnings]
    assert len(messages) == 1
    assert messages[0].startswith("chapters/")
    assert "in one process instead" in messages[0]
    assert output.read_bytes() == sample_pair.single.read_bytes()


def test_styles_that_need_the_whole_page_sequence_take_the_one_document_path(
    sample_pair: Pair, tmp_path: Path
) -> None:
    style = tmp_path / "total.css"
    style.write_text("@page { @bottom-right { content: counter(pages); } }", encoding="utf-8")
    _forget_cache(sample_pair.project)
    output = tmp_path / "total.pdf"
    build(sample_pair.project, output, BuildOptions(strict=True, jobs=2, style=style))
    assert not cache_folder(sample_pair.project).exists()
    assert pdf_compare.page_images(output)[0]


def test_the_command_line_takes_jobs(sample_pair: Pair, tmp_path: Path) -> None:
    output = tmp_path / "cli.pdf"
    result = CliRunner().invoke(app, ["build", str(sample_pair.project), "-o", str(output), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == sample_pair.parallel.read_bytes()
    refused = CliRunner().invoke(app, ["build", str(sample_pair.project), "--jobs", "0"])
    assert refused.exit_code == 2


def test_parts_print_each_footnote_once(tmp_path: Path, epoch: str) -> None:
    """WeasyPrint 70 lays a page out again when a cross-reference's page becomes known, and in one
    document then repeats that page's footnote on the next page (the synthetic series shows it on
    page 29); the parts print the numbers as they are, so each footnote appears once."""
    project = write_project(tmp_path / "project", SYNTHETIC_POSTS)
    notes = [
        line.split(":", 1)[1].strip()
        for post in sorted((project / "chapters").glob("*.md"))
        for line in post.read_text(encoding="utf-8").splitlines()
        if FOOTNOTE.match(line) and ":" in line
    ]
    assert len(notes) >= 3
    output = tmp_path / "parts.pdf"
    build(project, output, BuildOptions(strict=True, jobs=2))
    shown = subprocess.run(["pdftotext", str(output), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(shown.split())
    assert [text.count(note) for note in notes] == [1] * len(notes)


def test_two_builds_at_once_sharing_one_cache_make_the_same_pdf(
    sample_pair: Pair, tmp_path: Path, epoch: str
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GUIDE_CACHE_DIR": str(tmp_path / "cache")}
    outputs = [tmp_path / "first.pdf", tmp_path / "second.pdf"]
    builds = [
        subprocess.Popen(
            [sys.executable, "-m", "guide", "build", str(sample_pair.project), "-o", str(out), "--jobs", "2"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in outputs
    ]
    for process in builds:
        _, printed = process.communicate(timeout=600)
        assert process.returncode == 0, printed
    assert [out.read_bytes() == sample_pair.parallel.read_bytes() for out in outputs] == [True, True]
    assert list((tmp_path / "cache" / "parts").rglob("*.pdf"))  # both wrote their parts there


def test_kept_workers_serve_every_build_in_their_block(tmp_path: Path, epoch: str) -> None:
    project = copy_sample(tmp_path)
    options = BuildOptions(strict=True, jobs=2)
    with keep_workers(project, options):
        workers = typesetting_book._kept[-1]
        started = set(workers.processes)
        build(project, tmp_path / "first.pdf", options)
        post = sorted((project / "chapters").glob("*.md"))[5]
        text = post.read_text(encoding="utf-8")
        post.write_text(text.replace("community", "communities", 1), encoding="utf-8")
        shown: list[str] = []
        build(project, tmp_path / "edited.pdf", options, progress=shown.append)
        assert set(workers.processes) == started and len(started) == 2  # forked once, before both builds
        assert len([message for message in shown if message.startswith("Typeset ")]) == 1
    assert workers.broken  # ended with the block
    build(project, tmp_path / "single.pdf", BuildOptions(strict=True, jobs=1))
    single = pdf_compare.page_images(tmp_path / "single.pdf")
    assert pdf_compare.page_images(tmp_path / "edited.pdf") == single


LONG_PARAGRAPH = "\n\n" + "A long new paragraph of words. " * 150
NEW_GLYPH = "One more letter: \u0127."
"""An edit with a letter no post of the sample has (h with stroke): the fonts are subset again."""


@pytest.mark.parametrize("added", ["One more sentence.", LONG_PARAGRAPH, NEW_GLYPH])
def test_a_kept_merge_copies_in_the_edited_part_and_writes_what_a_fresh_merge_writes(
    added: str, tmp_path: Path, epoch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_sample(tmp_path)
    options = BuildOptions(strict=True, jobs=2)
    build(project, tmp_path / "first.pdf", options)
    copied: list[bytes] = []
    copy_in = merge.BookMerger._copy_in

    def counted(self: merge.BookMerger, data: bytes, digest: bytes, first: int) -> object:
        copied.append(digest)
        return copy_in(self, data, digest, first)

    monkeypatch.setattr(merge.BookMerger, "_copy_in", counted)
    kept = tmp_path / "kept.pdf"
    with keep_workers(project, options):
        build(project, tmp_path / "again.pdf", options)  # the merged book from the disk cache: held
        parts = len(copied)
        post = sorted((project / "chapters").glob("*.md"))[5]
        text = post.read_text(encoding="utf-8").rstrip("\n") + " " + added + "\n"
        post.write_text(text, encoding="utf-8")
        build(project, kept, options)
    assert 1 <= len(copied) - parts < parts  # the edited part (and if its page count changed, later ones)
    shutil.rmtree(cache_folder(project) / "books")
    _cache.cache_clear()
    fresh = tmp_path / "fresh.pdf"
    build(project, fresh, options)  # not kept: merged afresh
    assert len(copied) - parts > parts
    assert kept.read_bytes() == fresh.read_bytes()


@dataclass(frozen=True)
class Merges:
    """The parts a cold build of the sample merged, and those of three builds after an edit of its post 6."""

    before: tuple[list[bytes], Finish | None]
    edits: dict[str, tuple[list[bytes], Finish | None]]


@pytest.fixture(scope="module")
def merges(tmp_path_factory: pytest.TempPathFactory, epoch: str) -> Merges:
    project = copy_sample(tmp_path_factory.mktemp("merges"))
    made: list[tuple[list[bytes], Finish | None]] = []
    merge_parts = merge.BookMerger.merge

    def recorded(self: merge.BookMerger, parts: list[bytes], finish: Finish | None = None) -> bytes:
        made.append((list(parts), finish))
        return merge_parts(self, parts, finish)

    options = BuildOptions(strict=True, jobs=2)
    post = sorted((project / "chapters").glob("*.md"))[5]
    text = post.read_text(encoding="utf-8").rstrip("\n")
    edits = {"a sentence": "One more sentence.", "a page": LONG_PARAGRAPH, "a glyph": NEW_GLYPH}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merge.BookMerger, "merge", recorded)
        build(project, project / "first.pdf", options)
        for added in edits.values():
            post.write_text(f"{text} {added}\n", encoding="utf-8")
            build(project, project / "edited.pdf", options)
    assert len(made) == 1 + len(edits)
    return Merges(made[0], dict(zip(edits, made[1:], strict=True)))


@pytest.mark.parametrize(("edit", "ahead"), [("a sentence", True), ("a page", False), ("a glyph", False)])
def test_a_kept_merger_copies_the_parts_before_the_edited_one_while_it_waits_for_it(
    merges: Merges, edit: str, ahead: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a watch holds while the edited part is laid out: the book before, that part missing.

    After a page more, the contents print other numbers and the annotations are keyed anew; after a
    new letter, the face is subset again: the parts copied ahead no longer fit and are copied again.
    """
    before, finish = merges.before
    parts, edited_finish = merges.edits[edit]
    edited = next(
        i
        for i, (old, new) in enumerate(zip(before, merges.edits["a sentence"][0], strict=True))
        if old != new
    )
    fitted: list[bool] = []
    fits = merge._Written.fits

    def checked(self: merge._Written, merger: merge.BookMerger) -> bool:
        fitted.append(fits(self, merger))
        return fitted[-1]

    monkeypatch.setattr(merge._Written, "fits", checked)
    kept = merge.BookMerger()
    try:
        kept.hold(before, finish, assemble=True)
        kept.hold([None if i == edited else part for i, part in enumerate(before)])
        written = kept.merge(parts, edited_finish)
    finally:
        kept.close()
    assert fitted == [ahead]
    assert written == merge.merge_parts(parts, finish=edited_finish)


def test_a_kept_merger_that_failed_merges_afresh(merges: Merges, monkeypatch: pytest.MonkeyPatch) -> None:
    before, finish = merges.before
    parts, edited_finish = merges.edits["a sentence"]
    kept = merge.BookMerger()
    copy_catalog = merge._Written.copy_catalog
    failures = [merge.MergeError("a failure half-way through a merge")]

    def failing(self: merge._Written, merger: merge.BookMerger) -> None:
        if failures:
            raise failures.pop()
        copy_catalog(self, merger)

    monkeypatch.setattr(merge._Written, "copy_catalog", failing)
    try:
        kept.hold(before, finish, assemble=True)
        with pytest.raises(merge.MergeError):
            kept.merge(parts, edited_finish)
        written = kept.merge(parts, edited_finish)
    finally:
        kept.close()
    assert written == merge.merge_parts(parts, finish=edited_finish)


@pytest.mark.e2e
def test_a_series_past_300_chapters_is_typeset_in_parts(tmp_path: Path, epoch: str) -> None:
    """budget_scale raises the chapter limit: the workers' shared tables must hold every chapter.

    At 500 posts a worker failed with IndexError (the tables held 303 values) and the build fell
    back to one process, which --strict turns into an error.
    """
    project = tmp_path / "long"
    (project / "chapters").mkdir(parents=True)
    count = 310
    for number in range(1, count + 1):
        (project / "chapters" / f"{number:03d}.md").write_text(
            f"---\ntitle: Post {number}\n---\n\nShort post {number}.\n"
        )
    listed = ", ".join(f'"chapters/{number:03d}.md"' for number in range(1, count + 1))
    (project / "guide.toml").write_text(
        f'title = "Long"\nauthor = "Ann Lee"\nbudget_scale = 2\nchapters = [{listed}]\n'
    )
    shown: list[str] = []
    build(project, tmp_path / "long.pdf", BuildOptions(strict=True, jobs=2), progress=shown.append)
    assert any(message.startswith("Typeset chapters/") for message in shown)  # in parts, not one document
    outline = pdf_compare.outline(tmp_path / "long.pdf")
    assert [title for _, title, _, _ in outline if title.endswith("Post 310")] == ["Post 310"]
