"""Import readers other than WordPress: format detection, feeds, saved pages, static blogs, text."""

from __future__ import annotations

import pytest

from guide.errors import GuideError, Report
from guide.importing.readers.dates import parse_date
from guide.importing.readers.detect import Format, detect_format
from guide.importing.readers.feed import read_feed
from guide.importing.readers.html_page import read_saved_page
from guide.importing.readers.importable import read_source
from guide.importing.readers.static_blog import read_static_post
from tests.conftest import FIXTURES

IMPORT = FIXTURES / "import"

DETECTED = [
    ("wxr_1_0_http_namespace.xml", Format.WORDPRESS),
    ("wxr_with_caption_shortcode.xml", Format.WORDPRESS),
    ("wxr_malformed_truncated.xml", Format.WORDPRESS),
    ("atom_full_content.xml", Format.FEED),
    ("rss_summary_only_latin1.xml", Format.FEED),
    ("saved_post_page.html", Format.HTML_PAGE),
    ("jekyll_post_with_liquid.md", Format.STATIC_BLOG),
]


@pytest.mark.parametrize(("name", "expected"), DETECTED)
def test_format_is_detected_from_content(name: str, expected: Format) -> None:
    assert detect_format((IMPORT / name).read_bytes(), name) is expected


def test_format_does_not_depend_on_the_file_name(tmp_path: pytest.TempPathFactory) -> None:
    data = (IMPORT / "atom_full_content.xml").read_bytes()
    assert detect_format(data, "notes.txt") is Format.FEED
    assert detect_format(b"A title\n\nA paragraph.\n", "post.xml") is Format.TEXT
    assert detect_format(b"+++\ntitle = 'Hugo'\n+++\nBody\n", "x") is Format.STATIC_BLOG


def test_unknown_xml_is_an_error_naming_its_root() -> None:
    with pytest.raises(GuideError) as caught:
        detect_format(b'<?xml version="1.0"?>\n<svg/>', "x.svg")
    assert [str(d) for d in caught.value.diagnostics] == [
        "x.svg:2: cannot tell what this file is: XML whose root is <svg> "
        "(known: WordPress export, RSS, Atom, HTML page, Markdown or text post)"
    ]


def test_atom_feed_gives_full_content_without_scripts() -> None:
    report = Report()
    source = read_feed((IMPORT / "atom_full_content.xml").read_bytes(), "a.xml", report)
    assert source.blog_title == "Night Sky"
    assert source.blog_author == "Vera Stars"
    first = source.articles[0]
    assert first.post.title == "Orion (2/2)"
    assert first.post.url == "https://sky.example/orion-2"
    assert first.post.date is not None
    assert first.post.date.isoformat() == "2023-01-20"
    assert first.post.body_html == "<p>The belt has <em>three</em> stars.</p>"
    assert report.diagnostics == []


def test_summary_only_feed_warns_and_decodes_the_encoding_it_declares() -> None:
    report = Report()
    source = read_feed((IMPORT / "rss_summary_only_latin1.xml").read_bytes(), "r.xml", report)
    assert source.blog_title == "Café Notes"
    post = source.articles[0].post
    assert post.title == "Crème brûlée"
    assert post.author == "Noël"
    assert post.body_html == "<p>A short summary of the crème.</p>"
    assert report.diagnostics == []
    assert [str(d) for d in source.articles[0].warnings] == [
        "r.xml: warning: entry 'Crème brûlée': the feed gives only a description (6 words); "
        "the chapter holds it, which may be just the post's summary"
    ]


def test_saved_page_yields_the_article_without_navigation_comments_or_share_buttons() -> None:
    report = Report()
    source = read_saved_page((IMPORT / "saved_post_page.html").read_bytes(), "p.html", report)
    post = source.articles[0].post
    assert post.title == "Knots for Beginners"
    assert post.author == "Rita Rope"
    assert post.date is not None
    assert post.date.isoformat() == "2022-08-14"
    assert post.url == "https://rope.example/2022/08/knots-for-beginners/"
    assert "<h2>The reef knot</h2>" in post.body_html
    assert "<li>Use it for bundles.</li>" in post.body_html
    for leftover in ("Knots for Beginners</h1>", "Home", "Great post", "Share this", "Copyright"):
        assert leftover not in post.body_html


def test_jekyll_post_maps_front_matter_and_warns_about_liquid() -> None:
    report = Report()
    text = (IMPORT / "jekyll_post_with_liquid.md").read_text()
    source = read_static_post(text, "2021-06-05-release.md", report)
    article = source.articles[0]
    assert article.post.title == "Release 2.0 is out"
    assert article.post.date is not None
    assert article.post.date.isoformat() == "2021-06-05"
    assert article.post.author == "kim"
    assert article.categories == ("release", "news")
    assert article.tags == ("jekyll",)
    assert article.slug == "release"
    assert article.body_markdown is not None
    assert "{{ site.baseurl }}" in article.body_markdown
    assert [str(d) for d in article.warnings] == [
        "2021-06-05-release.md:10: warning: template syntax '{{ site.baseurl }}' and 2 more left as text: "
        "the guide prints it as written"
    ]


def test_static_post_takes_its_date_from_the_file_name_when_front_matter_has_none() -> None:
    source = read_static_post("---\ntitle: T\n---\nBody\n", "posts/2019-02-03-t.md", Report())
    assert source.articles[0].post.date is not None
    assert source.articles[0].post.date.isoformat() == "2019-02-03"


def test_hugo_toml_front_matter_and_draft_flag() -> None:
    source = read_static_post('+++\ntitle = "Draft"\ndraft = true\n+++\nBody\n', "d.md", Report())
    assert source.articles[0].skip_reason == "draft"


def test_plain_text_post_keeps_its_credits() -> None:
    path = FIXTURES / "posts" / "post_with_photo_credit.txt"
    source = read_source(path, "post_with_photo_credit.txt", Report())
    assert source.format == "plain-text post"
    assert source.articles[0].post.credits


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-10-06 11:10:38 -0700", "2016-10-06T11:10:38"),
        ("2020/1/10 14:33:00", "2020-01-10T14:33:00"),
        ("Fri, 25 Sep 2015 14:26:40 +0000", "2015-09-25T14:26:40"),
        ("0000-00-00 00:00:00", None),
        ("3rd May", None),
    ],
)
def test_blog_date_forms(value: str, expected: str | None) -> None:
    found = parse_date(value)
    assert (found.isoformat() if found else None) == expected


def test_escaped_cdata_description_gives_the_body_back() -> None:
    report = Report()
    data = (IMPORT / "rss_with_escaped_cdata_description.xml").read_bytes()
    source = read_feed(data, "loom.rss", report)
    assert [a.post.body_html for a in source.articles] == [
        "<p>Wind the warp on a <em>board</em> first.</p>",
        "<p>Just text here.</p>",
    ]
    assert [str(w) for w in source.articles[0].warnings] == [
        "loom.rss: warning: entry 'Warping the Loom': the feed gives only a description (7 words); "
        "the chapter holds it, which may be just the post's summary"
    ]
