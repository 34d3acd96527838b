"""End to end: real WeasyPrint builds, read back with pypdf and pdftotext."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pikepdf
import pytest
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, TextStringObject

from guide.pipeline import build_date
from tests.conftest import FIXTURES, ROOT, strict_build
from tests.pdf_reader import ReadPdf

BASIC = FIXTURES / "projects" / "basic"
BASIC_TITLES = ["Starting With Listening", "The Second Step", "A Guest Voice", "Recap"]
SAMPLE_TITLES = [
    "Why a Small Business Needs a Community",
    "Know Who You Are Building For",
    "Choosing a Home for Your Community",
    "Writing House Rules People Will Actually Read",
    "Your First Fifty Members",
    "A Weekly Rhythm a Small Team Can Keep",
    "Starting Conversations Without Forcing Them",
    "Moderation Without Burnout",
    "Finding and Thanking Your Champions",
    "Measuring What Matters",
    "When Things Go Wrong in Public",
    "Making It Last Beyond You",
    "Series Recap: Community Building for Small Teams",
]
BASIC_CREDITS = [
    "Two circles: drawn for the fixture",
    "Source: the fixture notebook",
    "Photo: Lens Person",
    "Photo: Another Archive",
    "Interview notes: Gale Guest",
    "Cover idea: the fixture team",
    "fixture-blog.test/2024/01/starting-with-listening/",
    "fixture-blog.test/2024/01/recap/",
    "Typeset for the test suite",
]
SAMPLE_CREDITS = [
    "Photo: Ines Marlow, used with permission",
    "Thanks to the Fernside Yarns staff for sharing their customer notes",
    "Photo: Bram de Wit",
    "Thanks to our first fifty members, who know who they are",
    "Photo: Maggie Fenwick",
    "Diagram: drawn for this guide",
    "Figures from the Fernside Yarns forum, 2021 to 2024",
    "Image: Ines Marlow",
    "Thanks to every reader who commented on the series and shaped its later parts",
    "example-blog.test/2024/03/part-1-why-community/",
    "example-blog.test/2024/04/series-recap/",
    "Typeset with WeasyPrint",
    "First published as a blog series at example-blog.test",
]
METADATA = {
    "basic": ("The Fixture Guide", "Fern Fixture", "en"),
    "sample": ("Community Building for Small Teams", "Nora Castell", "en"),
}


@pytest.fixture(params=["basic_pdf", "sample_pdf"])
def built(request: pytest.FixtureRequest) -> tuple[Path, ReadPdf]:
    """Each built project with the PDF it gave."""
    project = BASIC if request.param == "basic_pdf" else ROOT
    return project, request.getfixturevalue(request.param)


def _titles(project: Path) -> list[str]:
    """Each chapter's title as the book prints it (a series prefix moves into the label)."""
    return BASIC_TITLES if project == BASIC else SAMPLE_TITLES


def test_contents_lists_every_chapter_in_manifest_order(built: tuple[Path, ReadPdf]) -> None:
    project, pdf = built
    listed = [title for title, _ in pdf.contents()]
    assert listed == [*_titles(project), "Credits"]


def test_each_contents_number_is_the_printed_number_of_the_chapter_first_page(
    built: tuple[Path, ReadPdf],
) -> None:
    _, pdf = built
    for title, number in pdf.contents():
        start = pdf.page_starting(title)
        assert pdf.printed_number(start) == number, title


def test_chapter_one_opens_on_printed_page_one_after_unnumbered_front_matter(
    built: tuple[Path, ReadPdf],
) -> None:
    project, pdf = built
    first = pdf.page_starting(_titles(project)[0])
    assert pdf.printed_number(first) == "1"
    assert all(pdf.printed_number(index) is None for index in range(first))


def test_contents_entries_link_to_the_page_their_chapter_starts_on(built: tuple[Path, ReadPdf]) -> None:
    project, pdf = built
    contents_page = next(i for i, t in enumerate(pdf.page_texts) if t.strip().startswith("Contents"))
    links = [link for link in pdf.links() if link.page_index == contents_page and link.destination]
    # Links in reading order, one run of annotations per entry: collapse repeats of the same target.
    targets = [
        name
        for i, name in enumerate(link.destination for link in links)
        if i == 0 or name != links[i - 1].destination
    ]
    titles = [title for title, _ in pdf.contents()]
    assert len(targets) == len(titles) == len(_titles(project)) + 1
    for title, target in zip(titles, targets, strict=True):
        assert pdf.destinations[str(target)] == pdf.page_starting(title), title


def test_outline_has_every_chapter_and_the_credits_at_top_level(built: tuple[Path, ReadPdf]) -> None:
    project, pdf = built
    top = [entry for entry in pdf.outline() if entry.level == 1]
    titles = [entry.title for entry in top]
    assert titles == ["Contents", *_titles(project), "Credits"]
    for entry in top[1:]:
        assert pdf.page_starting(entry.title) == entry.page_index


def test_every_chapter_starts_a_new_page(built: tuple[Path, ReadPdf]) -> None:
    project, pdf = built
    starts = [pdf.page_starting(title) for title in _titles(project)]
    assert starts == sorted(set(starts))


def test_no_credit_line_or_comment_leftovers_remain_in_chapters(built: tuple[Path, ReadPdf]) -> None:
    _, pdf = built
    credits_page = pdf.page_starting("Credits")
    chapters_text = "\n".join(pdf.page_texts[:credits_page]).lower()
    lines = {line.strip() for line in chapters_text.splitlines()}
    assert "photo credit:" not in chapters_text
    assert "image credit:" not in chapters_text
    for leftover in ("leave a reply", "share this:", "like this:", "related"):
        assert leftover not in lines


def test_every_post_credit_is_on_the_credits_pages(built: tuple[Path, ReadPdf]) -> None:
    project, pdf = built
    credits_text = " ".join("\n".join(pdf.page_texts[pdf.page_starting("Credits") :]).split())
    for credit in BASIC_CREDITS if project == BASIC else SAMPLE_CREDITS:
        assert credit in credits_text or credit in credits_text.replace(" ", ""), credit


def test_copied_text_keeps_plain_hyphens(built: tuple[Path, ReadPdf]) -> None:
    _, pdf = built
    assert "\u2010" not in pdf.text
    assert "-blog.test/" in pdf.text


def test_metadata_names_title_author_language_and_date(built: tuple[Path, ReadPdf], epoch: str) -> None:
    project, pdf = built
    title, author, language = METADATA["basic" if project == BASIC else "sample"]
    info = pdf.reader.metadata
    assert info is not None
    assert (info.title, info.author) == (title, author)
    assert info["/CreationDate"].startswith("D:20240601")  # the guide's date = 2024-06-01, not the epoch
    assert info["/ModDate"].startswith("D:20240601")
    assert pdf.reader.trailer["/Root"]["/Lang"] == language


def test_pdf_is_tagged_for_screen_readers(built: tuple[Path, ReadPdf]) -> None:
    _, pdf = built
    root = pdf.reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp


def test_only_the_guide_fonts_are_used_and_all_are_embedded(built: tuple[Path, ReadPdf]) -> None:
    _, pdf = built
    names = pdf.font_names()
    assert names
    for name in (n.lstrip("/") for n in names):
        tag, _, family = name.partition("+")
        assert family.startswith("Guide-"), name
        assert len(tag) == 6 and tag.isupper(), f"{name} is not a subset"
    assert pdf.fonts_without_file() == set()


def test_links_between_posts_are_internal_and_outside_links_stay_outside(basic_pdf: ReadPdf) -> None:
    recap = basic_pdf.page_starting("Recap")
    links = [link for link in basic_pdf.links() if link.page_index == recap]
    uris = {link.uri for link in links if link.uri}
    assert "https://weasyprint.org/" in uris
    assert not any("fixture-blog.test" in uri for uri in uris)
    landed = {basic_pdf.destinations[link.destination] for link in links if link.destination}
    for title in BASIC_TITLES[:3]:
        assert basic_pdf.page_starting(title) in landed


def test_text_post_link_to_an_earlier_post_becomes_internal(basic_pdf: ReadPdf) -> None:
    second = basic_pdf.page_starting("The Second Step")
    destinations = [link.destination for link in basic_pdf.links() if link.page_index == second]
    assert "starting-with-listening" in destinations


def test_footnote_sits_at_the_foot_of_the_page_that_cites_it(basic_pdf: ReadPdf) -> None:
    page = basic_pdf.page_texts[basic_pdf.page_starting("Starting With Listening")]
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    note = next(i for i, line in enumerate(lines) if "Listening first is cheaper" in line)
    assert note >= len(lines) - 3
    assert "while.1" in page.replace(" ", "")


def test_figure_keeps_caption_and_alt_text(basic_pdf: ReadPdf) -> None:
    assert "Two ideas, one line between them" in basic_pdf.text
    structure = basic_pdf.reader.trailer["/Root"]["/StructTreeRoot"]
    assert "Two circles joined by a line" in _all_strings(structure)


def test_post_text_is_printed_as_written_never_run_as_a_template(basic_pdf: ReadPdf) -> None:
    assert "{{ 7*7 }}" in basic_pdf.text


def test_guest_author_is_credited_and_level_one_heading_becomes_a_section(basic_pdf: ReadPdf) -> None:
    page = basic_pdf.page_texts[basic_pdf.page_starting("A Guest Voice")]
    assert "Gale Guest" in page
    sections = [e for e in basic_pdf.outline() if e.level == 2]
    assert "A heading written as level one" in [e.title for e in sections]


def test_cover_shows_title_subtitle_author_and_date(basic_pdf: ReadPdf) -> None:
    cover = basic_pdf.page_texts[0]
    for text in ("The Fixture Guide", "Three posts and a recap", "Fern Fixture", "1 June 2024"):
        assert text in cover


def test_same_inputs_and_source_date_epoch_give_identical_bytes(tmp_path: Path, epoch: str) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    strict_build(BASIC, first)
    strict_build(BASIC, second)
    assert hashlib.sha256(first.read_bytes()).hexdigest() == hashlib.sha256(second.read_bytes()).hexdigest()


def test_viewer_page_labels_match_the_printed_page_numbers(built: tuple[Path, ReadPdf]) -> None:
    project, pdf = built
    labels = pdf.reader.page_labels
    first = pdf.page_starting(_titles(project)[0])
    assert labels[:first] == ["i", "ii", "iii", "iv"][:first]
    assert labels[first] == "1"
    for index in range(first, len(labels)):
        printed = pdf.printed_number(index)
        if printed is not None:
            assert labels[index] == printed, f"page {index + 1}"
    assert labels[-1] == str(len(labels) - first)  # the credits run on from the chapters


def test_xmp_carries_language_date_creator_and_title_and_pdfua_identification(
    built: tuple[Path, ReadPdf],
) -> None:
    project, pdf = built
    title, author, _ = METADATA["basic" if project == BASIC else "sample"]
    with pikepdf.open(pdf.path) as document:
        meta = document.open_metadata()
        assert meta["dc:title"] == title
        assert meta["dc:creator"] == [author]
        assert meta["dc:language"] == {"en"}
        assert meta["dc:date"] == ["2024-06-01T00:00:00Z"]
        assert meta["xmp:CreateDate"] == "2024-06-01T00:00:00Z"
        # ISO 14289-1 (PDF/UA-1): identification schema part 1, a dc:title, the title shown, tagged.
        assert meta["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
        assert document.Root.Metadata.Type == "/Metadata" and document.Root.Metadata.Subtype == "/XML"
        assert bool(document.Root.ViewerPreferences.DisplayDocTitle)
        assert bool(document.Root.MarkInfo.Marked)
        assert str(document.Root.Lang) == "en"


def test_without_a_guide_date_the_pdf_date_is_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717200000")
    assert build_date(None).isoformat() == "2024-06-01T00:00:00+00:00"
    assert build_date(dt.date(2024, 5, 2)).isoformat() == "2024-05-02T00:00:00+00:00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_date(None).year >= 2026


def test_make_pdf_epoch_is_no_earlier_than_the_newest_post() -> None:
    epoch = re.search(r"SOURCE_DATE_EPOCH \?= (\d+)", (ROOT / "Makefile").read_text())
    assert epoch is not None
    made = dt.datetime.fromtimestamp(int(epoch.group(1)), tz=dt.UTC).date()
    dates = [
        dt.date.fromisoformat(found.group(1))
        for post in (ROOT / "chapters").glob("*.*")
        if post.is_file() and (found := re.search(r"^date: (\d{4}-\d\d-\d\d)", post.read_text(), re.M))
    ]
    assert len(dates) == 13
    assert made >= max(dates)


def _all_strings(obj: object, depth: int = 0) -> str:
    """Every text string in a PDF object tree (bounded depth)."""
    if depth > 60:
        return ""
    if isinstance(obj, IndirectObject):
        obj = obj.get_object()
    if isinstance(obj, TextStringObject):
        return str(obj)
    if isinstance(obj, DictionaryObject):
        return " ".join(
            _all_strings(v, depth + 1) for k, v in obj.items() if k not in ("/P", "/Pg", "/Parent")
        )
    if isinstance(obj, ArrayObject):
        return " ".join(_all_strings(v, depth + 1) for v in obj)
    return ""


def test_credits_take_at_most_a_page_per_eight_chapters(sample_pdf: ReadPdf) -> None:
    start = sample_pdf.page_starting("Credits")
    assert len(sample_pdf.page_texts) - start <= 2  # 13 chapters


def test_credits_name_an_author_only_where_it_differs_from_the_guide(basic_pdf: ReadPdf) -> None:
    credits = " ".join("\n".join(basic_pdf.page_texts[basic_pdf.page_starting("Credits") :]).split())
    assert "By Gale Guest" in credits
    assert "Fern Fixture" not in credits
