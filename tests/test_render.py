"""The HTML stage against its reviewed golden file, and the properties the PDF relies on."""

from __future__ import annotations

import re
from dataclasses import replace

from guide.errors import Report
from guide.pipeline import load_book
from guide.render import render_parts
from tests.golden import GOLDEN, PROJECT, golden_html


def test_html_matches_the_reviewed_golden_file() -> None:
    assert golden_html() == GOLDEN.read_text(encoding="utf-8"), "run `make golden` and review the diff"


def test_every_id_is_unique_and_prefixed_by_its_chapter() -> None:

    html = golden_html()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    inner = [i for i in ids if "--" in i]
    assert inner and all(i.split("--")[0] in ids for i in inner)


def test_every_internal_link_has_a_target() -> None:

    html = golden_html()
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, target


def test_a_chapter_rendered_before_is_rendered_again_once_anything_it_prints_changed() -> None:
    book = load_book(PROJECT, Report())
    first = render_parts(book).chapters
    chapter = book.chapters[0]
    post = replace(chapter.post, author="Another Author", subtitle="A new subtitle")
    changed = replace(
        book, chapters=(replace(chapter, title="A Retitled Chapter", post=post), *book.chapters[1:])
    )
    again = render_parts(changed).chapters
    assert "By Another Author" in render_parts(changed).back
    assert "By Another Author" not in render_parts(book).back
    assert again[1:] == first[1:]
    assert "Retitled" in again[0] and "Another Author" in again[0] and "A new subtitle" in again[0]
    assert "Retitled" not in first[0]
    assert render_parts(replace(book)).chapters == first  # the same chapters, from the memo
