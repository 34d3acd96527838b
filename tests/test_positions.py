"""Positions travel with the content: each block carries the line of the post it came from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from guide import check
from guide.errors import Report
from guide.sources.markdown import markdown_to_html
from guide.sources.text import read_text_post

LINE = re.compile(r'<(\w+)[^>]*?data-source-line="(\d+)"')


def _stamps(html: str) -> list[tuple[str, int]]:
    return [(tag, int(line)) for tag, line in LINE.findall(html)]


@pytest.mark.parametrize(
    ("body", "first_line", "stamps"),
    [
        ("One\n\nTwo\nstill two\n\nThree\n", 1, [("p", 1), ("p", 3), ("p", 6)]),
        ("One\n\nTwo\n", 5, [("p", 5), ("p", 7)]),
        ("# Head\n\nText\n", 1, [("h2", 1), ("p", 3)]),
        ("Title\n=====\n\nText\n", 1, [("h2", 1), ("p", 4)]),
        ("- a\n- b\n\n- c\n", 1, [("ul", 1), ("li", 1), ("li", 2), ("li", 4), ("p", 4)]),
        ("1. a\n2. b\n", 1, [("ol", 1), ("li", 1), ("li", 2)]),
        ("Text\n\n```py\nx = 1\ny = 2\n```\n\nAfter\n", 1, [("p", 1), ("pre", 3), ("p", 8)]),
        ("```\na\n```\n\n```\nb\n```\n\nEnd\n", 1, [("pre", 1), ("pre", 5), ("p", 9)]),
        ("> quote\n> more\n\nAfter\n", 1, [("blockquote", 1), ("p", 1), ("p", 4)]),
        ("| a |\n|---|\n| 1 |\n| 2 |\n", 1, [("table", 1), ("tr", 1), ("tr", 3), ("tr", 4)]),
        ('<div class="x">\nraw\n</div>\n\nText\n', 1, [("div", 1), ("p", 5)]),
        ("<iframe></iframe>\n<object></object>\n", 3, [("iframe", 3), ("object", 4)]),
        ("Text\n\n---\n\nMore\n", 1, [("p", 1), ("hr", 3), ("p", 5)]),
        ("    code\n    more\n\nText\n", 1, [("pre", 1), ("p", 4)]),
        ("Para\n\n![alt](a.png)\n", 1, [("p", 1), ("figure", 3)]),
    ],
    ids=[
        "paragraphs", "front matter offset", "atx heading", "setext heading", "loose list", "ordered list",
        "fence", "two fences", "quote", "table rows", "raw html block", "raw html lines", "rule",
        "indented code", "figure",
    ],
)  # fmt: skip
def test_markdown_blocks_carry_their_line(body: str, first_line: int, stamps: list[tuple[str, int]]) -> None:
    assert _stamps(markdown_to_html(body, first_line)) == stamps


def test_plain_text_paragraphs_carry_their_first_line() -> None:
    post = read_text_post("Title\n\nOne\nstill one\n\n\nTwo\nPhoto Credit: X\n\nThree\n", "a.txt", Report())
    assert _stamps(post.body_html) == [("p", 3), ("p", 7), ("p", 10)]


def _project(tmp_path: Path, post: str, name: str = "a.md") -> Path:
    (tmp_path / "guide.toml").write_text(f'title = "T"\nauthor = "A"\nchapters = ["{name}"]\n')
    (tmp_path / name).write_text(post)
    Image.new("RGB", (4, 3), (90, 120, 150)).save(tmp_path / "pic.png")
    return tmp_path


@pytest.mark.parametrize(
    ("post", "warnings"),
    [
        (
            "---\ntitle: T\ncredits: [Photo: X]\n---\nThe file pic.png is named here.\n\n"
            "Text\n\nMore\n\n![](pic.png)\n",
            ["a.md:11: warning: image 'pic.png' has no alt text for readers who cannot see it"],
        ),
        (
            "---\ntitle: T\ncredits: [Photo: X]\n---\nA paragraph\nover lines\nwith ![](pic.png) here.\n",
            ["a.md:7: warning: image 'pic.png' has no alt text for readers who cannot see it"],
        ),
        (
            "---\ntitle: T\n---\nSee <a href='#nowhere'>x</a>.\n\nAnd [again](#nowhere).\n",
            [
                "a.md:4: warning: link to '#nowhere' matches no heading or anchor in this post",
                "a.md:6: warning: link to '#nowhere' matches no heading or anchor in this post",
            ],
        ),
        (
            '---\ntitle: T\n---\nMentions onclick= in prose.\n\n<div>\n<p onclick="x()">y</p>\n</div>\n',
            ["a.md:7: warning: removed event handler 'onclick' on <p>"],
        ),
        (
            "---\ntitle: T\n---\nIn code: `<script>`.\n\n<script>x()</script>\n",
            ["a.md:6: warning: removed <script> element"],
        ),
    ],
    ids=["alt after a mention", "image inside a paragraph", "same link twice", "handler", "script"],
)
def test_checks_name_the_line_of_the_element_not_of_the_first_mention(
    tmp_path: Path, post: str, warnings: list[str]
) -> None:
    assert [str(d) for d in check(_project(tmp_path, post))] == warnings
