"""Static blogs come in whole: a folder of posts, links by permalink, slug or alias, subtitles, bundles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guide import build
from guide.errors import GuideError
from guide.importing.options import ImportOptions
from guide.importing.permalinks import PostAddresses, link_posts
from guide.importing.run import ImportResult, import_sources
from tests.conftest import FIXTURES
from tests.pdf_reader import ReadPdf

JEKYLL = FIXTURES / "import" / "jekyll_series_with_permalinks" / "_posts"
HUGO = FIXTURES / "import" / "hugo_posts_with_bundles" / "content" / "posts"


def _import(project: Path, *sources: Path) -> ImportResult:
    return import_sources(list(sources), ImportOptions(project=project))


@pytest.fixture(scope="module")
def jekyll(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportResult, Path]:
    project = tmp_path_factory.mktemp("jekyll")
    return _import(project, JEKYLL), project


def test_a_posts_folder_imports_every_post_but_drafts_folders(jekyll: tuple[ImportResult, Path]) -> None:
    result, _ = jekyll
    assert result.written == (
        "chapters/2019-03-01-how-to-brew-part-1.md",
        "chapters/2019-03-08-how-to-brew-part-2.md",
        "chapters/2019-03-15-how-to-brew-part-3.md",
        "chapters/2019-03-22-how-to-brew-part-4.md",
    )
    assert result.warnings == ()
    assert [(s.source_path, s.format, s.articles) for s in result.sources] == [
        (str(JEKYLL), "folder of 4 files (Jekyll/Hugo post)", 4)
    ]


def test_permalinks_redirects_post_url_and_dated_paths_become_chapter_links(
    jekyll: tuple[ImportResult, Path],
) -> None:
    _, project = jekyll
    last = (project / "chapters/2019-03-22-how-to-brew-part-4.md").read_text()
    assert "Last time: [part 3](2019-03-15-how-to-brew-part-3.md)." in last
    assert "Back to [the start](2019-03-01-how-to-brew-part-1.md) or the [boil][boil]." in last
    assert "[boil]: 2019-03-15-how-to-brew-part-3.md" in last
    assert "The old address still works: [mash](2019-03-08-how-to-brew-part-2.md)." in last
    assert "subtitle: Bottling day\n" in last


def test_links_inside_code_stay_as_written(jekyll: tuple[ImportResult, Path]) -> None:
    _, project = jekyll
    third = (project / "chapters/2019-03-15-how-to-brew-part-3.md").read_text()
    assert "Next: [part 4](2019-03-22-how-to-brew-part-4.md)." in third
    assert "```yaml\nnext: [part 4](/how-to-brew-pt-4)\n```" in third


def test_the_series_builds_with_in_guide_links_and_subtitles_in_the_contents(
    jekyll: tuple[ImportResult, Path], tmp_path: Path, epoch: str
) -> None:
    _, project = jekyll
    result = build(project, tmp_path / "brew.pdf")
    assert [w for w in result.warnings if "link" in w.message] == []
    pdf = ReadPdf(tmp_path / "brew.pdf")
    contents = " ".join(pdf.page_texts[1].split())
    assert "How to Brew – Part 2 Mashing at the right heat" in contents
    opening = " ".join(pdf.page_texts[pdf.page_starting("How to Brew – Part 4")].split())
    assert opening.startswith("CHAPTER 4 How to Brew – Part 4 Bottling day")
    body_links = [link for link in pdf.links() if link.page_index > 1]
    assert {link.uri for link in body_links} == {None}
    assert {link.destination for link in body_links} == {f"how-to-brew-part-{n}" for n in range(1, 5)}


def test_a_hugo_folder_skips_the_section_page_and_brings_bundle_images(tmp_path: Path, epoch: str) -> None:
    result = _import(tmp_path, HUGO)
    assert result.written == (
        "chapters/2021-02-06-first-loaf.md",
        "chapters/2021-02-13-better-loaf.md",
    )
    assert result.media == ("chapters/media/2021-02-06-first-loaf/crumb.png",)
    first = (tmp_path / "chapters/2021-02-06-first-loaf.md").read_text()
    assert "![A crumb shot of the first loaf](media/2021-02-06-first-loaf/crumb.png)" in first
    second = (tmp_path / "chapters/2021-02-13-better-loaf.md").read_text()
    assert (
        "Better than [the first](2021-02-06-first-loaf.md), "
        "as the [old post](2021-02-06-first-loaf.md) promised."
    ) in second
    assert "Compare the [first loaf](2021-02-06-first-loaf.md) with this one." in second
    assert [re.sub(r"^.*?: warning: ", "", str(w)) for w in result.warnings] == [
        "template syntax '{{% notice note \"Oven\" %}}' and 1 more left as text: "
        "the guide prints it as written"
    ]
    built = build(tmp_path, tmp_path / "bread.pdf")
    assert [w for w in built.warnings if "link" in w.message] == []
    assert "Flour, water, salt and patience" in ReadPdf(tmp_path / "bread.pdf").text


def test_an_empty_folder_is_refused_with_what_it_looks_for(tmp_path: Path) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "logo.png").write_bytes(b"")
    with pytest.raises(GuideError) as caught:
        _import(tmp_path / "p", tmp_path / "_posts")
    assert [d.message for d in caught.value.diagnostics] == [
        "folder holds no posts (.md, .markdown, .mdown, .mkd, .html, .htm, .txt files)"
    ]


def test_an_engine_link_to_a_post_not_imported_is_left_with_a_warning() -> None:
    unresolved: list[str] = []
    text = link_posts("See {% post_url 2010-01-01-gone %}.", PostAddresses({}, {}), unresolved)
    assert text == "See {% post_url 2010-01-01-gone %}."
    assert unresolved == ["{% post_url 2010-01-01-gone %}"]
