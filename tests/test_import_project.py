"""`guide import` end to end: files written, guide.toml, idempotence, filters, order, series, images."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from guide import BuildOptions, build, load_book
from guide.cli import app
from guide.errors import GuideError, Report
from guide.importing.media import MediaFolder
from guide.importing.options import ImportOptions, Order
from guide.importing.run import ImportResult, import_sources
from guide.importing.series import Part, check_series, series_part
from guide.manifest import MissingImages
from tests.conftest import FIXTURES, strict_build
from tests.pdf_reader import ReadPdf

IMPORT = FIXTURES / "import"
GARDEN = IMPORT / "wxr_1_0_http_namespace.xml"
HARBOUR = IMPORT / "wxr_with_caption_shortcode.xml"
runner = CliRunner()


def _import(project: Path, *sources: Path, **options: Any) -> ImportResult:
    return import_sources(list(sources), ImportOptions(project=project, **options))


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_export_becomes_chapters_in_publication_order_and_a_new_guide_toml(tmp_path: Path) -> None:
    project = tmp_path / "garden"
    result = _import(project, GARDEN)
    chapters = [
        "chapters/2020-03-01-first-bed.md",
        "chapters/2020-04-02-second-bed.md",
        "chapters/2020-05-10-compost-tea.md",
    ]
    assert result.written == tuple(chapters)
    assert result.manifest == "created"
    assert result.skip_counts() == [
        ("draft", 1),
        ("private", 1),
        ("password-protected", 1),
        ("scheduled (future)", 1),
        ("page", 1),
        ("attachment", 1),
        ("menu item", 1),
    ]
    assert (project / "guide.toml").read_text() == (
        "# Made by `guide import` from wxr_1_0_http_namespace.xml.\n"
        'title = "Garden Notes"\n'
        'author = "Ada Gardener"\n'
        "chapters = [\n" + "".join(f'    "{c}",\n' for c in chapters) + "]\n"
    )


def test_chapter_file_has_our_front_matter_and_a_markdown_body(tmp_path: Path) -> None:
    _import(tmp_path, GARDEN)
    assert (tmp_path / "chapters/2020-04-02-second-bed.md").read_text() == (
        "---\n"
        "title: Second Bed\n"
        "date: '2020-04-02'\n"
        "url: http://garden.example/2020/04/second-bed/\n"
        "author: Ada Gardener\n"
        "---\n"
        "\n"
        "The second bed went in after [the first one](http://garden.example/2020/03/first-bed/).  \n"
        "It took a day.\n"
        "\n"
        "**Lesson:** water first.\n"
    )


def test_importing_the_same_posts_again_changes_nothing(tmp_path: Path) -> None:
    _import(tmp_path, GARDEN, HARBOUR, media=IMPORT / "uploads")
    before = _tree(tmp_path)
    again = _import(tmp_path, GARDEN, HARBOUR, media=IMPORT / "uploads")
    assert _tree(tmp_path) == before
    assert again.written == ()
    assert len(again.unchanged) == 5
    assert again.manifest == "unchanged"


def test_an_edited_chapter_is_never_overwritten_without_force(tmp_path: Path) -> None:
    _import(tmp_path, GARDEN)
    edited = tmp_path / "chapters/2020-03-01-first-bed.md"
    edited.write_text("---\ntitle: Mine now\n---\nEdited.\n")
    result = _import(tmp_path, GARDEN)
    assert edited.read_text() == "---\ntitle: Mine now\n---\nEdited.\n"
    assert [s.reason for s in result.skipped if "exists" in s.reason] == [
        "chapters/2020-03-01-first-bed.md exists and differs; --force overwrites it"
    ]
    forced = _import(tmp_path, GARDEN, force=True)
    assert forced.written == ("chapters/2020-03-01-first-bed.md",)
    assert "We dug the first bed." in edited.read_text()


def test_a_strangers_file_at_a_chapter_path_is_never_adopted(tmp_path: Path) -> None:
    project = tmp_path / "garden"
    stranger = project / "chapters" / "2020-04-02-second-bed.md"
    stranger.parent.mkdir(parents=True)
    stranger.write_text("---\ntitle: My own notes\n---\nNot from the blog.\n")
    result = runner.invoke(app, ["import", str(GARDEN), "--into", str(project)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "chapters/2020-04-02-second-bed.md: exists with other content and was not imported; "
        "--force overwrites it"
    )
    manifest = (project / "guide.toml").read_text()
    assert '"chapters/2020-03-01-first-bed.md"' in manifest
    assert '"chapters/2020-05-10-compost-tea.md"' in manifest
    assert "second-bed" not in manifest
    assert stranger.read_text() == "---\ntitle: My own notes\n---\nNot from the blog.\n"
    forced = runner.invoke(app, ["import", str(GARDEN), "--into", str(project), "--force"])
    assert forced.exit_code == 0, forced.output
    assert '"chapters/2020-04-02-second-bed.md"' in (project / "guide.toml").read_text()


def test_an_existing_guide_toml_is_extended_and_keeps_what_the_author_wrote(tmp_path: Path) -> None:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters/intro.md").write_text("---\ntitle: Intro\n---\nHello.\n")
    (tmp_path / "guide.toml").write_text(
        '# My guide\ntitle = "Mine"\nauthor = "Me"\nchapters = ["chapters/intro.md"]  # first\n'
    )
    result = _import(tmp_path, GARDEN, category="soil")
    assert result.manifest == "extended"
    text = (tmp_path / "guide.toml").read_text()
    assert text.startswith('# My guide\ntitle = "Mine"\nauthor = "Me"\n')
    assert '"chapters/intro.md"' in text
    assert text.index("intro.md") < text.index("2020-05-10-compost-tea.md")
    assert [c.post.title for c in load_book(tmp_path, Report()).chapters] == ["Intro", "Compost Tea"]


@pytest.mark.parametrize(
    ("options", "titles"),
    [
        ({"category": "beds"}, ["First Bed", "Second Bed"]),
        ({"category": "BEDS"}, ["First Bed", "Second Bed"]),
        ({"tag": "Spring"}, ["Second Bed"]),
        ({"search": "COMPOST"}, ["First Bed", "Compost Tea"]),
        ({"since": dt.date(2020, 4, 2)}, ["Second Bed", "Compost Tea"]),
        ({"until": dt.date(2020, 4, 1)}, ["First Bed"]),
        ({"order": Order.NEWEST}, ["Compost Tea", "Second Bed", "First Bed"]),
    ],
)
def test_filters_and_order(tmp_path: Path, options: dict[str, Any], titles: list[str]) -> None:
    _import(tmp_path, GARDEN, **options)
    assert [c.post.title for c in load_book(tmp_path, Report()).chapters] == titles


def test_filtered_out_posts_are_counted_with_the_reason(tmp_path: Path) -> None:
    result = _import(tmp_path, GARDEN, category="soil")
    assert ("not in category 'soil'", 2) in result.skip_counts()


def test_links_between_imported_posts_become_internal_links(tmp_path: Path) -> None:
    _import(tmp_path, GARDEN)
    second = load_book(tmp_path, Report()).chapters[1]
    assert '<a href="#first-bed" class="xref">the first one</a>' in second.body_html


def test_uploads_images_are_copied_from_media_and_the_caption_credit_kept(tmp_path: Path) -> None:
    result = _import(tmp_path, HARBOUR, media=IMPORT / "uploads")
    assert sorted(result.media) == [
        "chapters/media/2024/03/harbour-300x200.png",
        "chapters/media/2024/03/harbour.png",
    ]
    text = (tmp_path / "chapters/2024-03-01-walks-part-1.md").read_text()
    assert "credits:\n- 'Photo: Lee Marsh'\n" in text
    assert '![The harbour at dawn](media/2024/03/harbour-300x200.png "The harbour at dawn.")' in text


def test_without_media_uploads_images_stay_remote_with_a_warning_saying_how_to_bring_them_in(
    tmp_path: Path,
) -> None:
    result = _import(tmp_path, HARBOUR)
    assert result.media == ()
    text = (tmp_path / "chapters/2024-03-01-walks-part-1.md").read_text()
    assert "(https://harbour.example/wp-content/uploads/2024/03/harbour-300x200.png" in text
    assert (
        "wxr_with_caption_shortcode.xml:12: warning: 2 images in 1 post stay in the blog's uploads folder "
        "on the web (first: 'https://harbour.example/wp-content/uploads/2024/03/harbour-300x200.png' in "
        "post 'Harbour Walks, Part 1 of 3'); bring them in with a copy of that folder: import again with "
        "--media DIR --force"
    ) in [str(w).replace(str(IMPORT) + "/", "") for w in result.warnings]


def test_missing_part_of_a_series_is_a_warning(tmp_path: Path) -> None:
    result = _import(tmp_path, HARBOUR, media=IMPORT / "uploads")
    assert "chapters/2024-03-01-walks-part-1.md: warning: series of 3 parts is missing part 2" in [
        str(w) for w in result.warnings
    ]


def test_series_check_finds_duplicates_and_parts_out_of_order() -> None:
    report = Report()
    check_series([Part("a.md", 2, 3), Part("b.md", 1, 3), Part("c.md", 3, 3), Part("d.md", 3, 3)], report)
    assert [str(d) for d in report.diagnostics] == [
        "d.md: warning: part 3 of 3 again (also c.md)",
        "b.md: warning: part 1 of 3 comes after part 2 (a.md): parts are out of order",
    ]


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        ("Social Business, Part 3 of 13", None, (3, 13)),
        ("Social Business (3/13)", None, (3, 13)),
        ("Untitled", "https://b.example/2012/05/social-business-part-4-of-13/", (4, 13)),
        ("Chapter 3", None, None),
    ],
)
def test_series_part_is_read_from_title_or_url(
    title: str, url: str | None, expected: tuple[int, int] | None
) -> None:
    assert series_part(title, url) == expected


def test_an_unreadable_source_imports_nothing(tmp_path: Path) -> None:
    with pytest.raises(GuideError):
        _import(tmp_path / "p", GARDEN, IMPORT / "wxr_malformed_truncated.xml")
    assert not (tmp_path / "p").exists()


def test_cli_prints_a_summary(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(GARDEN), "--into", str(tmp_path), "--category", "beds"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"read {GARDEN}: WordPress export (WXR 1.0), 10 items",
        f"imported 2 posts into {tmp_path}/chapters: 2 written, 0 unchanged, 2 verified against their source",
        "skipped 8: 1 not in category 'beds', 1 draft, 1 private, 1 password-protected, "
        "1 scheduled (future), 1 page, 1 attachment, 1 menu item",
        f"created {tmp_path}/guide.toml",
    ]


def test_cli_reports_malformed_xml_with_its_line_and_exit_1(tmp_path: Path) -> None:
    source = IMPORT / "wxr_malformed_truncated.xml"
    result = runner.invoke(app, ["import", str(source), "--into", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert result.output == (
        f"{source}:7: XML is not well-formed (column 1): Premature end of data in <item> opened on line 5\n"
    )


def test_cli_rejects_a_date_that_is_not_yyyy_mm_dd(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(GARDEN), "--into", str(tmp_path), "--since", "May 3"])
    assert result.exit_code == 2


@pytest.mark.e2e
def test_imported_project_builds_with_every_chapter_in_the_pdf(tmp_path: Path, epoch: str) -> None:
    project = tmp_path / "guide"
    sources = [
        HARBOUR,
        GARDEN,
        IMPORT / "atom_full_content.xml",
        IMPORT / "rss_summary_only_latin1.xml",
        IMPORT / "saved_post_page.html",
        IMPORT / "jekyll_post_with_liquid.md",
        FIXTURES / "posts" / "post_with_photo_credit.txt",
    ]
    _import(project, *sources, media=IMPORT / "uploads")
    result = build(project, tmp_path / "guide.pdf")
    # The one thing a PDF cannot keep: a site-relative Liquid link, which the import already warned about.
    assert [str(w) for w in result.warnings] == [
        "chapters/2021-06-05-jekyll-post-with-liquid.md:7: warning: removed link to "
        "'{{ site.baseurl }}/docs/upgrading/': only web, mail and in-guide links work in a PDF"
    ]
    pdf = ReadPdf(tmp_path / "guide.pdf")
    titles = [c.post.title for c in load_book(project, Report()).chapters]
    assert len(titles) == 11
    assert [title for title, _ in pdf.contents()] == [*titles, "Credits"]
    assert "Photo: Lee Marsh" in pdf.text
    assert "{% highlight ruby %}" in pdf.text  # Liquid is printed, never run


def test_in_post_links_follow_their_heading_and_dangling_ones_lose_their_fragment(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    body = (
        '&lt;h2 id="start"&gt;Getting started&lt;/h2&gt;&lt;p&gt;&lt;a href="#start"&gt;up&lt;/a&gt; '
        '&lt;a href="#gone"&gt;gone&lt;/a&gt; &lt;a href="https://b.example/one#nowhere"&gt;one&lt;/a&gt;&lt;/p&gt;'
    )
    feed.write_text(
        '<rss version="2.0"><channel><title>B</title>'
        f"<item><title>Two</title><link>https://b.example/two</link><description>{body}</description></item>"
        "<item><title>One</title><link>https://b.example/one</link><description>First.</description></item>"
        "</channel></rss>"
    )
    _import(tmp_path / "p", feed, author="Bea Writer")  # the feed names none
    text = (tmp_path / "p/chapters/two.md").read_text()
    assert "[up](#getting-started) gone [one](https://b.example/one)" in text
    strict_build(tmp_path / "p", tmp_path / "p.pdf")


def test_feed_declaring_entities_is_refused(tmp_path: Path) -> None:
    feed = tmp_path / "bomb.xml"
    feed.write_text('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaa">]>\n<rss><channel/></rss>\n')
    with pytest.raises(GuideError) as caught:
        _import(tmp_path / "p", feed)
    assert [str(d) for d in caught.value.diagnostics] == [
        f"{feed}:2: the XML's DOCTYPE has an internal subset (where entities are declared); "
        "refused, as it could expand entities or read files"
    ]


def test_media_lookup_never_leaves_the_media_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(b"x")
    media = tmp_path / "uploads"
    media.mkdir()
    assert MediaFolder(media).find("/wp-content/uploads/../../secret.png") is None
    assert MediaFolder(media).find("/../secret.png") is None


def test_a_later_import_slots_its_chapters_into_publication_order(tmp_path: Path) -> None:
    _import(tmp_path, GARDEN, until=dt.date(2020, 3, 31))
    _import(tmp_path, GARDEN, since=dt.date(2020, 5, 1))
    result = _import(tmp_path, GARDEN)
    assert result.written == ("chapters/2020-04-02-second-bed.md",)
    assert [c.post.title for c in load_book(tmp_path, Report()).chapters] == [
        "First Bed",
        "Second Bed",
        "Compost Tea",
    ]


def test_series_check_counts_the_parts_the_guide_already_has(tmp_path: Path) -> None:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters/part-2.md").write_text(
        "---\ntitle: Harbour Walks, Part 2 of 3\ndate: 2024-03-08\n---\nThe middle walk.\n"
    )
    (tmp_path / "guide.toml").write_text('title = "W"\nauthor = "S"\nchapters = ["chapters/part-2.md"]\n')
    result = _import(tmp_path, HARBOUR, media=IMPORT / "uploads")
    assert [c.post.title for c in load_book(tmp_path, Report()).chapters] == [
        "Harbour Walks, Part 1 of 3",
        "Harbour Walks, Part 2 of 3",
        "Harbour Walks, Part 3 of 3",
    ]
    assert not [w for w in result.warnings if "part" in w.message and "series" in w.message]


def test_a_source_named_twice_is_read_once(tmp_path: Path) -> None:
    result = _import(tmp_path, GARDEN, GARDEN)
    assert len(result.sources) == 1
    assert len(result.written) == 3


def test_the_same_post_in_two_sources_is_imported_once(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>G</title><item><title>First Bed</title>'
        "<link>https://garden.example/2020/03/first-bed</link><description>Dug.</description></item>"
        "</channel></rss>"
    )
    result = _import(tmp_path / "p", GARDEN, feed)
    assert len(result.written) == 3
    assert [(s.title, s.reason) for s in result.skipped if "same" in s.reason] == [
        ("First Bed", "same post as one in " + str(GARDEN))
    ]
    assert ("already read from another source", 1) in result.skip_counts()


def test_third_party_images_get_advice_that_works(tmp_path: Path, epoch: str) -> None:
    source = IMPORT / "rss_with_third_party_images.xml"
    result = _import(tmp_path, source)
    assert [str(w) for w in result.warnings] == [
        f"{source}: warning: 2 images in 2 posts live on other sites (first: "
        "'https://farm9.staticflickr.example/8123/raised-bed_b.jpg' in post 'Raised Beds'): --media cannot "
        "bring those in; download each into the project (chapters/media/) and point the post at it, or build "
        "with --allow-remote while the site still serves it, or with --missing-images placeholder to print "
        "a framed placeholder in its place"
    ]
    built = build(tmp_path, tmp_path / "out.pdf", BuildOptions(missing_images=MissingImages.PLACEHOLDER))
    assert [w.message.endswith("; printed as a placeholder") for w in built.warnings] == [True, True]
    assert "Seedling trays on a windowsill" in ReadPdf(tmp_path / "out.pdf").text


def test_warnings_are_only_about_imported_posts_and_said_once(tmp_path: Path) -> None:
    source = IMPORT / "wxr_with_warnings_in_posts_left_out.xml"
    result = _import(tmp_path, source, category="spring")
    assert [s.title for s in result.skipped] == ["Ice", ""]
    (warning,) = result.warnings  # the unknown shortcode's wording is the shortcode reader's
    assert str(warning).startswith(f"{source}:11: warning: post 'Frogspawn': [depth-gauge]")
    assert str(warning).endswith(" (2 times)")


def test_images_on_the_blogs_own_site_say_to_bring_a_copy_of_the_site(tmp_path: Path) -> None:
    source = IMPORT / "atom_octopress_own_site_images.xml"
    result = _import(tmp_path, source)
    assert [str(w) for w in result.warnings] == [
        f"{source}: warning: 1 image in 1 post stays on the blog's own site (first: "
        "'http://racknotes.example/images/patch-panel.svg' in post 'Labelling Every Cable'); bring them in "
        "with a copy of the site's files: import again with --media DIR --force, DIR being the folder that "
        "holds the site's root"
    ]


def test_site_relative_links_between_exported_posts_become_internal(tmp_path: Path, epoch: str) -> None:
    item = (
        "<item><title>{title}</title><link>https://kiln.example/2013/0{n}/{slug}/</link>"
        "<wp:post_id>{n}</wp:post_id><wp:post_date>2013-0{n}-01 09:00:00</wp:post_date>"
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        "<content:encoded><![CDATA[{body}]]></content:encoded></item>"
    )
    items = item.format(title="Clay", n=1, slug="clay", body="Wedge it well.") + item.format(
        title="Glaze", n=2, slug="glaze", body='After <a href="/2013/01/clay/">the clay</a>, the glaze.'
    )
    export = tmp_path / "kiln.xml"
    export.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Kiln</title><wp:wxr_version>1.2</wp:wxr_version>{items}</channel></rss>\n"
    )
    _import(tmp_path / "p", export)
    glaze = (tmp_path / "p" / "chapters" / "2013-02-01-glaze.md").read_text()
    assert "After [the clay](https://kiln.example/2013/01/clay/), the glaze." in glaze
    body = load_book(tmp_path / "p", Report()).chapters[1].body_html
    assert '<a href="#clay" class="xref">the clay</a>' in body
