"""Each chapter's rendered HTML is kept on disk: a new process renders only the chapters that changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from guide import render
from guide.book import Book
from guide.errors import Report
from guide.pipeline import load_book
from guide.render import RenderOptions, render_html
from tests.conftest import FIXTURES

CREATED = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


def _new_process() -> None:
    """Forget what this process rendered, as a new process would."""
    render._rendered.clear()
    render._chapters_memo.clear()
    render._wrapped_memo.clear()


@pytest.fixture
def book() -> Book:
    _new_process()
    return load_book(FIXTURES / "projects" / "basic", Report())


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.json"))


def test_a_chapter_is_rendered_once_then_read_back_the_same(book: Book, tmp_path: Path) -> None:
    plain = render_html(book, RenderOptions(CREATED))
    _new_process()
    cached = RenderOptions(CREATED, cache=tmp_path)
    assert render_html(book, cached) == plain
    entries = _entries(tmp_path)
    assert len(entries) == len(book.chapters) == 4
    htmls = [json.loads(entry.read_bytes())["html"] for entry in entries]
    assert all(html.startswith('<article class="chapter"') for html in htmls)
    _new_process()
    for entry in entries:  # read back, not rendered again: what is read is what the PDF gets
        record = json.loads(entry.read_bytes())
        record["html"] = record["html"].replace("</article>", "<p>from the cache</p></article>")
        entry.write_text(json.dumps(record))
    assert render_html(book, cached).count("<p>from the cache</p>") == 4


@pytest.mark.parametrize("damage", ["", "{", "[]", '{"key": "other", "html": "<p>x</p>"}', '{"html": 3}'])
def test_a_damaged_entry_is_rendered_again(damage: str, book: Book, tmp_path: Path) -> None:
    plain = render_html(book, RenderOptions(CREATED))
    _new_process()
    cached = RenderOptions(CREATED, cache=tmp_path)
    render_html(book, cached)
    for entry in _entries(tmp_path):
        entry.write_text(damage)
    _new_process()
    assert render_html(book, cached) == plain
    assert all(json.loads(entry.read_bytes())["html"] for entry in _entries(tmp_path))


def test_a_changed_chapter_gets_an_entry_of_its_own(book: Book, tmp_path: Path) -> None:
    cached = RenderOptions(CREATED, cache=tmp_path)
    render_html(book, cached)
    first = book.chapters[0]
    edited = dataclasses.replace(first, body_html=first.body_html + "<p>One more paragraph.</p>")
    _new_process()
    html = render_html(dataclasses.replace(book, chapters=(edited, *book.chapters[1:])), cached)
    assert "<p>One more paragraph.</p>" in html
    assert len(_entries(tmp_path)) == 5
