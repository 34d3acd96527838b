"""Readers: plain text and Markdown posts into the same Post, and every mistake located."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from guide.errors import GuideError, Report
from guide.sources import read_post
from guide.sources.markdown import markdown_to_html

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "posts"


def _read(tmp_path: Path, name: str, data: bytes | str) -> tuple[object, Report]:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    report = Report()
    return read_post(path, name, report), report


def test_plain_text_post_in_the_shape_a_blog_gives() -> None:
    report = Report()
    post = read_post(FIXTURES / "post_with_photo_credit.txt", "post_with_photo_credit.txt", report)
    assert post.title == "A Title Line Copied From The Blog"
    assert post.credits == ("Photo: Jo Lens", "Photo: City Archive")
    starts = [line.split(">", 1)[0] + ">" for line in post.body_html.split("\n")]
    assert starts == ['<p data-source-line="3">', '<p data-source-line="6">', '<p data-source-line="8">']
    assert "copied with the odd double space and a “curly quote”. It carries on" in post.body_html
    assert '<a href="https://fixture-blog.test/2024/01/other-post/">' in post.body_html
    for leftover in ("Leave a Reply", "Share this", "Like this", "Related", "Twitter", "Photo Credit"):
        assert leftover not in post.body_html
    assert report.diagnostics == []


@pytest.mark.parametrize(
    ("line", "credits"),
    [
        ("Photo Credit: A; B", ("Photo: A", "Photo: B")),
        ("photo credit: A; B", ("Photo: A", "Photo: B")),
        ("Image credit: A;B", ("Image: A", "Image: B")),
        ("CREDIT: A ; B", ("A", "B")),
    ],
)
def test_credit_lines_in_any_case_split_on_semicolons(
    tmp_path: Path, line: str, credits: tuple[str, ...]
) -> None:
    post, _ = _read(tmp_path, "p.txt", f"Title\n\nBody.\n\n{line}\n")
    assert post.credits == credits  # type: ignore[attr-defined]


def test_text_is_escaped_not_interpreted(tmp_path: Path) -> None:
    post, _ = _read(tmp_path, "p.txt", "Title\n\n<b>bold?</b> *not emphasis* {{ 7*7 }}\n")
    assert "&lt;b&gt;bold?&lt;/b&gt; *not emphasis* {{ 7*7 }}" in post.body_html  # type: ignore[attr-defined]


def test_markdown_post_reads_front_matter(tmp_path: Path) -> None:
    text = (
        "---\ntitle: '3.10'\ndate: 2024-03-05\nurl: https://b.test/x/\nauthor: Guest\n"
        "credits:\n  - Photo: P\n  - Source: S\n---\nBody *text*.\n"
    )
    post, report = _read(tmp_path, "p.md", text)
    assert post.title == "3.10"  # type: ignore[attr-defined]
    assert post.date == dt.date(2024, 3, 5)  # type: ignore[attr-defined]
    assert post.url == "https://b.test/x/"  # type: ignore[attr-defined]
    assert post.author == "Guest"  # type: ignore[attr-defined]
    assert post.credits == ("Photo: P", "Source: S")  # type: ignore[attr-defined]
    assert report.diagnostics == []


def test_unquoted_number_title_stays_as_written(tmp_path: Path) -> None:
    post, _ = _read(tmp_path, "p.md", "---\ntitle: 3.10\n---\nBody.\n")
    assert post.title == "3.10"  # type: ignore[attr-defined]


def test_a_misspelt_front_matter_key_gets_a_suggestion(tmp_path: Path) -> None:
    _, report = _read(tmp_path, "p.md", "---\ntitle: T\nAuthr: Jo\n---\nBody.\n")
    assert [str(d) for d in report.diagnostics] == [
        "p.md:3: warning: unknown front matter key 'Authr' (did you mean 'author'?)"
    ]


def test_unknown_front_matter_key_is_a_warning(tmp_path: Path) -> None:
    _, report = _read(tmp_path, "p.md", "---\ntitle: T\ntags: [a]\n---\nBody.\n")
    assert [str(d) for d in report.diagnostics] == [
        "p.md:3: warning: unknown front matter key 'tags' "
        "(known keys: title, subtitle, date, url, author, credits)"
    ]


MISTAKES = [
    (
        "p.md",
        '---\ntitle: "abc\n---\nBody\n',
        "p.md:2: front matter: while scanning a quoted scalar: found unexpected end of stream "
        "(a quote opened in the front matter is never closed)",
    ),
    (
        "p.md",
        "---\ntitle: Part 1: Why\n---\nBody\n",
        "p.md:2: front matter: mapping values are not allowed in this context "
        "(a value containing ': ' must be quoted, as in title: \"Part 1: Why\")",
    ),
    (
        "p.md",
        "---\ntitle: T\ndate: 2024-13-02\n---\nBody\n",
        "p.md:3: 'date' '2024-13-02' is impossible: month 13 does not exist",
    ),
    (
        "p.md",
        "---\ntitle: T\ndate: 2023-02-29\n---\nBody\n",
        "p.md:3: 'date' '2023-02-29' is impossible: February 2023 has no day 29",
    ),
    ("p.md", "---\ntitle: T\nBody\n", "p.md:1: front matter opened with '---' is never closed"),
    (
        "p.md",
        "---\n\ttitle: T\n---\nBody\n",
        "p.md:2: front matter: while scanning for the next token: "
        "found character that cannot start any token (indent with spaces: YAML does not allow tabs)",
    ),
    (
        "p.md",
        '+++\ntitle = "T"\n+++\nBody\n',
        "p.md:1: front matter between '+++' lines is TOML (Hugo); write YAML between '---' lines",
    ),
    ("p.md", "---\ndate: 2024-01-01\n---\nBody\n", "p.md:1: front matter has no 'title'"),
    ("p.md", "---\ntitle: A\ntitle: B\n---\nBody\n", "p.md:3: front matter: duplicate key 'title'"),
    (
        "p.md",
        "---\ntitle: !!python/object/apply:os.system ['true']\n---\nBody\n",
        "p.md:2: front matter: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    (
        "p.md",
        "---\ntitle: T\ndate: 3rd May\n---\nBody\n",
        "p.md:3: 'date' must be YYYY-MM-DD (got '3rd May')",
    ),
    ("p.md", "---\ntitle: T\ncredits: {a: b}\n---\nBody\n", "p.md:3: 'credits' must be a list of text lines"),
    ("p.md", "---\n- a\n- b\n---\nBody\n", "p.md:2: front matter must be 'key: value' lines"),
    ("p.md", "", "p.md: post is empty"),
    ("p.txt", "\n\n  \n", "p.txt: post is empty"),
    ("p.txt", b"Title\n\nCaf\xe9\n", "p.txt:3: not valid UTF-8: byte 0xe9 at offset 10; save it as UTF-8"),
    ("p.txt", "\ufeff".encode("utf-16"), "p.txt:1: unsupported encoding UTF-16: save the file as UTF-8"),
    ("p.txt", "Title\n\nA\x10B\n", "p.txt:3: control character U+0010 in text"),
    ("p.rst", "Title\n", "p.rst: unknown post format '.rst' (known: .markdown, .md, .txt)"),
]


@pytest.mark.parametrize(("name", "data", "message"), MISTAKES)
def test_each_post_mistake_names_file_and_line(
    tmp_path: Path, name: str, data: str | bytes, message: str
) -> None:
    with pytest.raises(GuideError) as caught:
        _read(tmp_path, name, data)
    assert [str(d) for d in caught.value.diagnostics] == [message]


def test_bom_crlf_and_cr_read_like_lf(tmp_path: Path) -> None:
    text = "---\ntitle: T\n---\nOne\nline.\n\nTwo.\n"
    expected, _ = _read(tmp_path, "lf.md", text)
    for name, variant in [
        ("bom.md", b"\xef\xbb\xbf" + text.encode()),
        ("crlf.md", text.replace("\n", "\r\n").encode()),
        ("cr.md", text.replace("\n", "\r").encode()),
    ]:
        post, _ = _read(tmp_path, name, variant)
        assert post.body_html == expected.body_html  # type: ignore[attr-defined]
        assert post.title == "T"  # type: ignore[attr-defined]


def test_footnotes_move_to_their_call_site() -> None:
    html = markdown_to_html("Text.[^n] More.\n\n[^n]: The note.\n")
    assert '<span class="footnote">The note.</span> More.' in html
    assert 'class="footnote-backref"' not in html
    assert "<hr" not in html


def test_lone_image_becomes_a_figure_with_its_title_as_caption() -> None:
    html = markdown_to_html('![Alt words](x.png "Cap words")\n')
    assert html == (
        '<figure data-source-line="1"><img alt="Alt words" src="x.png">'
        "<figcaption>Cap words</figcaption></figure>"
    )


def test_headings_are_demoted_below_the_chapter_title_and_get_ids() -> None:
    html = markdown_to_html("# One\n\n## Two\n\n# One\n")
    assert html.split("\n") == [
        '<h2 data-source-line="1" id="one">One</h2>',
        '<h3 data-source-line="3" id="two">Two</h3>',
        '<h2 data-source-line="5" id="one-2">One</h2>',
    ]


def test_smart_quotes_tables_and_fenced_code() -> None:
    html = markdown_to_html('"Quoted" -- yes\n\n| a |\n|---|\n| 1 |\n\n```\n{{ x }}\n```\n')
    assert "&ldquo;Quoted&rdquo; &ndash; yes" in html
    assert '<table data-source-line="3">' in html
    assert '<pre data-source-line="7"><code>{{ x }}\n</code></pre>' in html
