"""WordPress exports: what is imported, what is skipped, and how stored content becomes HTML."""

from __future__ import annotations

import pytest

from guide.errors import GuideError, Report
from guide.importing.readers.article import Source
from guide.importing.readers.autop import autop
from guide.importing.readers.shortcodes import Attachment, Expansion, expand_shortcodes
from guide.importing.readers.wordpress import read_wordpress_export, wordpress_html
from guide.importing.readers.xml import parse_xml, repair_nested_cdata
from tests.conftest import FIXTURES

IMPORT = FIXTURES / "import"


def _read(name: str) -> tuple[Source, Report]:
    report = Report()
    return read_wordpress_export((IMPORT / name).read_bytes(), name, report), report


def _wxr(items: str, namespace: str = "http://wordpress.org/export/1.2/") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:wp="{namespace}" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        f"<channel><wp:wxr_version>1.2</wp:wxr_version>{items}</channel></rss>\n"
    ).encode()


def test_wxr_1_0_http_namespace_imports_published_posts_and_says_why_the_rest_are_skipped() -> None:
    source, _ = _read("wxr_1_0_http_namespace.xml")
    assert source.format == "WordPress export (WXR 1.0)"
    assert source.blog_title == "Garden Notes"
    assert source.blog_author == "Ada Gardener"
    verdicts = {a.post.title: a.skip_reason for a in source.articles}
    assert verdicts == {
        "Second Bed": None,
        "First Bed": None,
        "Compost Tea": None,
        "Unfinished": "draft",
        "Members Only": "private",
        "Locked": "password-protected",
        "Next Month": "scheduled (future)",
        "About": "page",
        "photo": "attachment",
        "Home": "menu item",
    }


def test_published_post_carries_date_url_author_and_terms() -> None:
    source, _ = _read("wxr_1_0_http_namespace.xml")
    second = source.articles[0]
    assert second.post.date is not None
    assert second.post.date.isoformat() == "2020-04-02"
    assert second.post.url == "http://garden.example/2020/04/second-bed/"
    assert second.post.author == "Ada Gardener"
    assert second.categories == ("Beds", "beds")
    assert second.tags == ("Spring", "spring")
    assert second.slug == "second-bed"


def test_classic_post_gets_its_paragraphs_and_line_breaks_back() -> None:
    source, _ = _read("wxr_1_0_http_namespace.xml")
    assert source.articles[0].post.body_html == (
        '<p>The second bed went in after <a href="http://garden.example/2020/03/first-bed/">'
        "the first one</a>.<br>\nIt took a day.</p>\n<p><strong>Lesson:</strong> water first.</p>\n"
    )


def test_https_namespace_is_a_wordpress_export_too() -> None:
    source, _ = _read("wxr_with_caption_shortcode.xml")
    assert source.format == "WordPress export (WXR 1.2)"
    assert [a.post.title for a in source.articles if a.skip_reason is None] == [
        "Harbour Walks, Part 1 of 3",
        "Harbour Walks, Part 3 of 3",
    ]


def test_caption_shortcode_becomes_a_figure_and_its_photo_credit_a_credit() -> None:
    source, _ = _read("wxr_with_caption_shortcode.xml")
    post = source.articles[0].post
    assert (
        '<figure><a href="https://harbour.example/wp-content/uploads/2024/03/harbour.png">'
        '<img src="https://harbour.example/wp-content/uploads/2024/03/harbour-300x200.png" '
        'alt="The harbour at dawn" width="300" height="200"></a>'
        "<figcaption>The harbour at dawn.</figcaption></figure>"
    ) in post.body_html
    assert post.credits == ("Photo: Lee Marsh",)


def test_other_shortcodes_leave_a_readable_fallback_and_a_warning_naming_post_and_shortcode() -> None:
    source, report = _read("wxr_with_caption_shortcode.xml")
    body = source.articles[0].post.body_html
    assert '<em>Embedded content</em>: <a href="https://video.example/watch?v=42">' in body
    assert "<em>Video:</em>" in body
    assert "<em>Audio:</em>" in body
    assert '<p>[tide-table station="north"]</p>' in body  # as WordPress shows an unknown shortcode
    assert report.diagnostics == []  # each post's warnings travel with it, reported if it is imported
    assert [str(d) for d in source.articles[0].warnings] == [
        "wxr_with_caption_shortcode.xml:12: warning: post 'Harbour Walks, Part 1 of 3': "
        "[gallery] shown as its image",
        "wxr_with_caption_shortcode.xml:12: warning: post 'Harbour Walks, Part 1 of 3': "
        "[embed] of https://video.example/watch?v=42 replaced by a link",
        "wxr_with_caption_shortcode.xml:12: warning: post 'Harbour Walks, Part 1 of 3': "
        "[video] of https://harbour.example/wp-content/uploads/2024/03/waves.mp4 replaced by a link",
        "wxr_with_caption_shortcode.xml:12: warning: post 'Harbour Walks, Part 1 of 3': "
        "[audio] of https://harbour.example/wp-content/uploads/2024/03/gulls.mp3 replaced by a link",
        "wxr_with_caption_shortcode.xml:12: warning: post 'Harbour Walks, Part 1 of 3': "
        "[tide-table] is not supported; kept as text",
    ]


def test_more_and_nextpage_comments_join_the_post_into_one_chapter() -> None:
    source, _ = _read("wxr_with_caption_shortcode.xml")
    body = source.articles[0].post.body_html
    assert "<p>We start at the pier.</p>" in body
    assert "more" not in body
    assert "nextpage" not in body
    assert "<p>The second page goes on to" in body


def test_block_editor_post_loses_its_block_comments_and_keeps_its_markup() -> None:
    source, _ = _read("wxr_with_caption_shortcode.xml")
    body = source.articles[1].post.body_html
    assert "wp:" not in body
    assert '<h2 class="wp-block-heading">The lighthouse</h2>' in body
    assert "<p>A block-editor post: its paragraphs are already there.</p>" in body
    assert "<br>" not in body  # no autop on block posts


def test_gallery_without_ids_shows_the_images_attached_to_its_post() -> None:
    expansion = Expansion(
        "5", {"7": Attachment("https://x.example/a.png", "5", "A"), "8": Attachment("b", "9")}
    )
    html = wordpress_html("[gallery]", expansion)
    assert html == '<figure><img src="https://x.example/a.png" alt="A"></figure>\n'


def test_words_in_brackets_are_not_shortcodes_but_escaped_shortcodes_print_as_written() -> None:
    expansion = Expansion(None, {})
    text = expand_shortcodes("See [this note] and [[gallery]] here.", expansion)
    assert text == "See [this note] and [gallery] here."
    assert expansion.warnings == []


def test_unknown_shortcode_stays_as_written_with_a_warning_and_known_ones_inside_expand() -> None:
    expansion = Expansion(None, {})
    text = expand_shortcodes('[pullquote]Stay [gallery ids=""] curious.[/pullquote]', expansion)
    assert text.startswith("[pullquote]Stay \n\n<pre guide-protected-0></pre>\n\n curious.[/pullquote]")
    assert expansion.warnings == [
        "[pullquote] is not supported; kept as text",
        "[gallery] left out: its images are not in the export",
    ]


def test_autop_leaves_pre_and_block_elements_alone() -> None:
    assert autop("One\ntwo\n\n<pre>a\n\nb</pre>\n\n<blockquote>Q</blockquote>") == (
        "<p>One<br />\ntwo</p>\n<pre>a\n\nb</pre>\n<blockquote><p>Q</p></blockquote>\n"
    )


def test_scripts_and_iframes_are_removed_or_linked_with_a_warning() -> None:
    content = (
        "<item><title>Embeds</title><wp:post_id>1</wp:post_id><wp:status>publish</wp:status>"
        "<wp:post_type>post</wp:post_type><content:encoded><![CDATA[Text.\n\n"
        '<iframe src="https://tube.example/embed/1"></iframe>\n\n<script>alert(1)</script>]]>'
        "</content:encoded></item>"
    )
    report = Report()
    source = read_wordpress_export(_wxr(content), "e.xml", report)
    body = source.articles[0].post.body_html
    assert "<script" not in body
    assert "alert" not in body
    assert '<a href="https://tube.example/embed/1">' in body
    assert [d.message for d in source.articles[0].warnings] == [
        "post 'Embeds': <iframe> replaced by a link to what it showed",
        "post 'Embeds': <script> removed: a printed guide cannot run or fill it",
    ]


def test_a_look_alike_wp_prefix_is_not_a_wordpress_namespace() -> None:
    item = (
        '<item xmlns:wp="http://malicious.example/"><title>Fake</title>'
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>"
    )
    source = read_wordpress_export(_wxr(item), "f.xml", Report())
    assert source.articles[0].skip_reason == "no WordPress post type"


def test_post_without_title_is_titled_from_its_first_words() -> None:
    item = (
        "<item><title></title><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        "<content:encoded><![CDATA[A post that forgot its title but not its words, which go on.]]>"
        "</content:encoded></item>"
    )
    report = Report()
    source = read_wordpress_export(_wxr(item), "t.xml", report)
    assert source.articles[0].post.title == "A post that forgot its title but not…"
    assert [str(d) for d in source.articles[0].warnings] == [
        "t.xml:3: warning: post has no title; "
        "titled 'A post that forgot its title but not…' from its first words"
    ]


def test_title_markup_and_entities_become_plain_text() -> None:
    item = (
        "<item><title>Markup: &lt;em&gt;With&lt;/em&gt; &amp;amp; more</title>"
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>"
    )
    source = read_wordpress_export(_wxr(item), "t.xml", Report())
    assert source.articles[0].post.title == "Markup: With & more"


def test_malformed_export_is_an_error_with_line_and_column() -> None:
    with pytest.raises(GuideError) as caught:
        _read("wxr_malformed_truncated.xml")
    assert [str(d) for d in caught.value.diagnostics] == [
        "wxr_malformed_truncated.xml:7: XML is not well-formed (column 1): "
        "Premature end of data in <item> opened on line 5"
    ]


def test_entity_declarations_are_refused_before_any_expansion() -> None:
    with pytest.raises(GuideError) as caught:
        _read("wxr_with_entity_expansion.xml")
    assert [str(d) for d in caught.value.diagnostics] == [
        "wxr_with_entity_expansion.xml:2: the XML's DOCTYPE has an internal subset "
        "(where entities are declared); refused, as it could expand entities or read files"
    ]


NESTED_CDATA = (
    b'<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.1/" '
    b'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
    b"<wp:wxr_version>1.1</wp:wxr_version><item><title>N</title>"
    b"<content:encoded><![CDATA[Nested <![CDATA[ tags ]]> :)]]></content:encoded>"
    b"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item></channel></rss>"
)


def test_nested_cdata_is_read_as_wordpress_reads_it_with_a_warning() -> None:
    report = Report()
    root = parse_xml(NESTED_CDATA, "n.xml", report)
    assert root.findtext(".//{http://purl.org/rss/1.0/modules/content/}encoded") == (
        "Nested <![CDATA[ tags ]]> :)"
    )
    assert [str(d) for d in report.diagnostics] == [
        "n.xml:1: warning: a CDATA section is nested in another (not well-formed XML); "
        "read as WordPress's own importer reads it"
    ]


def test_cdata_repair_keeps_the_escaped_closing_sequence_wordpress_exports() -> None:
    escaped = b"<a><![CDATA[x ]]]]><![CDATA[> y]]></a>"
    assert repair_nested_cdata(escaped) == escaped
    assert parse_xml(escaped, "e.xml", Report()).text == "x ]]> y"


def test_wp_syntax_blocks_keep_their_raw_code_as_text() -> None:
    content = (
        "<item><title>Build Script</title><wp:post_id>1</wp:post_id><wp:status>publish</wp:status>"
        "<wp:post_type>post</wp:post_type><content:encoded><![CDATA[Run this:\n\n"
        '<pre lang="xml" line="1">\n<target name="dist">\n    <copy todir="out"/>\n</target>\n</pre>\n\n'
        'And in Java:\n\n<pre lang="java5">List<String> names = new ArrayList<String>();</pre>\n\n'
        'Escaped already:\n\n<pre lang="java" escaped="true">Map&lt;K, V&gt; m;</pre>]]>'
        "</content:encoded></item>"
    )
    body = read_wordpress_export(_wxr(content), "c.xml", Report()).articles[0].post.body_html
    assert '&lt;target name="dist"&gt;\n    &lt;copy todir="out"/&gt;\n&lt;/target&gt;' in body
    assert "List&lt;String&gt; names = new ArrayList&lt;String&gt;();" in body
    assert "Map&lt;K, V&gt; m;" in body
