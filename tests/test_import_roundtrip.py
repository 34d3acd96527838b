"""Imports verified, not trusted: the written Markdown, read back by the build, shows what the source did."""

from __future__ import annotations

import html
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide.importing.markdown import html_to_markdown
from guide.importing.options import ImportOptions
from guide.importing.run import import_sources
from guide.importing.verify import Difference, compare_html, verify_chapter

CHAPTER = "---\ntitle: T\n---\n"


def _round_trip(source: str) -> list[Difference]:
    return verify_chapter(source, CHAPTER + html_to_markdown(source), "chapters/t.md")


def test_code_keeps_blank_lines_trailing_spaces_indentation_and_language() -> None:
    source = '<pre><code class="language-ini">[Desktop Entry]\n\n\n  Name=Viewer  \nExec=x</code></pre>'
    assert html_to_markdown(source) == "```ini\n[Desktop Entry]\n\n\n  Name=Viewer  \nExec=x\n```\n"
    assert _round_trip(source) == []


def test_code_in_a_list_item_is_an_indented_block() -> None:
    source = "<ol><li>Run:<pre>make\n  all</pre></li><li>Done</li></ol>"
    assert html_to_markdown(source) == "1.  Run:\n\n        make\n          all\n\n2.  Done\n"
    assert _round_trip(source) == []


def test_a_line_break_in_code_is_a_line_end() -> None:
    source = "<pre>one<br>two<br />three</pre>"
    assert html_to_markdown(source) == "```\none\ntwo\nthree\n```\n"
    assert _round_trip(source) == []


def test_definition_lists_and_headerless_tables_stay_html() -> None:
    source = (
        "<dl><dt>Term</dt><dd>Its <em>meaning</em></dd></dl>"
        "<table><caption>Prices</caption><tr><td>a</td><td>1</td></tr></table>"
    )
    assert html_to_markdown(source) == (
        "<dl><dt>Term</dt><dd>Its <em>meaning</em></dd></dl>\n\n"
        "<table><caption>Prices</caption><tbody><tr><td>a</td><td>1</td></tr></tbody></table>\n"
    )
    assert _round_trip(source) == []


def test_a_table_with_a_header_row_is_a_pipe_table() -> None:
    source = "<table><tr><th>Name</th><th>Size</th></tr><tr><td>a</td><td><code>1</code></td></tr></table>"
    assert html_to_markdown(source) == "| Name | Size |\n| --- | --- |\n| a | `1` |\n"
    assert _round_trip(source) == []


def test_a_line_of_dashes_stays_text() -> None:
    source = "<p>Notes<br>----------<br>=====</p>"
    assert _round_trip(source) == []


def test_compare_names_the_element_and_its_first_difference() -> None:
    differences = compare_html(
        '<p>See <a href="https://a.example/x">x</a></p><pre>a\n  b</pre><p><img src="m/p.png" alt="A"></p>',
        '<p>See x</p><pre>a\nb</pre><figure><img src="p.png" alt="B"></figure>',
    )
    assert [str(d) for d in differences] == [
        "code block changed: 'a⏎  b' became 'a⏎b'",
        "image changed: 'p.png alt A' became 'p.png alt B'",
        "link lost: 'https://a.example/x x'",
    ]


def test_an_import_counts_verified_posts_and_warns_about_a_loss(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    lossy = html.escape('<p>Get it from <a href="ftp://ftp.example.org/pub/">our FTP server</a>.</p>')
    feed.write_text(
        '<rss version="2.0"><channel><title>B</title>'
        f"<item><title>Lossy</title><link>https://b.example/l</link><description>{lossy}</description></item>"
        "<item><title>Fine</title><link>https://b.example/f</link><description>Fine.</description></item>"
        "</channel></rss>"
    )
    result = import_sources([feed], ImportOptions(project=tmp_path / "p"))
    assert result.verified == 1
    lost = [str(w) for w in result.warnings if "lost" in w.message]
    assert lost == [
        f"{feed}: warning: post 'Lossy': link lost: 'ftp://ftp.example.org/pub/ our FTP server' "
        "(in chapters/lossy.md)"
    ]


WORDS = st.text(alphabet="abcXYZ019 *_[]#<>&`-+.!|", min_size=1, max_size=12).filter(str.strip)
CODE_LINE = st.text(alphabet="abc xyz019<>&*_[]#`-{}()=/\\\"'\t", max_size=20)
INLINE = st.one_of(
    WORDS.map(html.escape),
    WORDS.map(lambda w: f"<code>{html.escape(w)}</code>"),
    WORDS.map(lambda w: f"<em>{html.escape(w)}</em>"),
    WORDS.map(lambda w: f"<sub>{html.escape(w)}</sub>"),
    WORDS.map(lambda w: f"<sup>{html.escape(w)}</sup>"),
    WORDS.map(lambda w: f'<a href="https://example.org/{abs(hash(w)) % 97}">{html.escape(w)}</a>'),
)


def _sentence(parts: list[str]) -> str:
    return " ".join(parts)


SENTENCE = st.lists(INLINE, min_size=1, max_size=5).map(_sentence)
PARAGRAPH = SENTENCE.map(lambda s: f"<p>{s}</p>")
CODE = st.lists(CODE_LINE, min_size=1, max_size=6).map(
    lambda lines: "<pre><code>" + html.escape("\n".join(lines)) + "</code></pre>"
)
IMAGE = st.tuples(st.integers(1, 9), WORDS, st.booleans()).map(
    lambda t: (
        f'<figure><img src="media/p{t[0]}.png" alt="{html.escape(t[1].strip())}">'
        + (f"<figcaption>{html.escape(t[1])}</figcaption>" if t[2] else "")
        + "</figure>"
    )
)
DEFINITIONS = st.lists(st.tuples(SENTENCE, SENTENCE), min_size=1, max_size=3).map(
    lambda pairs: "<dl>" + "".join(f"<dt>{t}</dt><dd>{d}</dd>" for t, d in pairs) + "</dl>"
)


def _table(rows: list[list[str]], header: bool, caption: str | None) -> str:
    cell = "th" if header else "td"
    first = "<tr>" + "".join(f"<{cell}>{c}</{cell}>" for c in rows[0]) + "</tr>"
    rest = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows[1:])
    label = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{label}{first}{rest}</table>"


TABLE = (
    st.integers(1, 3)
    .flatmap(
        lambda width: st.tuples(
            st.lists(st.lists(SENTENCE, min_size=width, max_size=width), min_size=1, max_size=3),
            st.booleans(),
            st.one_of(st.none(), WORDS),
        )
    )
    .map(lambda t: _table(*t))
)


def _list(items: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(["ul", "ol"]), st.lists(items, min_size=1, max_size=3)).map(
        lambda t: f"<{t[0]}>" + "".join(f"<li>{item}</li>" for item in t[1]) + f"</{t[0]}>"
    )


LIST = st.recursive(
    SENTENCE, lambda inner: _list(st.one_of(inner, st.tuples(SENTENCE, inner).map(" ".join))), max_leaves=6
).filter(lambda markup: markup.startswith(("<ul>", "<ol>")))
BLOCK = st.one_of(PARAGRAPH, CODE, IMAGE, DEFINITIONS, TABLE, LIST)
ARTICLE = st.lists(BLOCK, min_size=1, max_size=6).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARTICLE)
def test_round_trip_keeps_the_structure_of_generated_articles(source: str) -> None:
    assert _round_trip(source) == [], html_to_markdown(source)
