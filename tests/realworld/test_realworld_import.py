"""The real corpus in ../shared/realworld: each file imports without a traceback, malformed ones
with a located error, and every imported project builds. Run by `make realworld`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image

from guide import BuildOptions, build, load_book
from guide.errors import GuideError, Report
from guide.importing.options import ImportOptions
from guide.importing.run import ImportResult, import_sources
from guide.manifest import MissingImages
from tests.conftest import ROOT
from tests.pdf_reader import ReadPdf

REALWORLD = Path(os.environ.get("GUIDE_REALWORLD", ROOT.parent / "shared" / "realworld"))
pytestmark = [
    pytest.mark.realworld,
    pytest.mark.skipif(not REALWORLD.is_dir(), reason=f"{REALWORLD} not found"),
]
REMOTE_IMAGE_RE = re.compile(r"!\[[^\]]*\]\((https?://[^)\s]+)|<img [^>]*src=\"(https?://[^\"]+)\"")
IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF"}


def _wxr(name: str) -> Path:
    return REALWORLD / "wxr" / name


def _uploads_for(sources: list[Path], scratch: Path) -> Path:
    """Stand in for the blog's uploads folder: a small image at every path the posts show."""
    import_sources(sources, ImportOptions(project=scratch / "first"))
    media = scratch / "uploads"
    media.mkdir()
    for chapter in (scratch / "first").rglob("*.md"):
        for url in (a or b for a, b in REMOTE_IMAGE_RE.findall(chapter.read_text())):
            target = media / unquote(urlsplit(url).path).lstrip("/")
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                Image.new("RGB", (40, 30), (90, 120, 150)).save(
                    target, IMAGE_FORMATS.get(target.suffix.lower(), "PNG")
                )
    return media


def _import_and_build(sources: list[Path], tmp_path: Path) -> tuple[ImportResult, Path]:
    media = _uploads_for(sources, tmp_path)
    project = tmp_path / "guide"
    result = import_sources(sources, ImportOptions(project=project, media=media))
    if result.written:
        output = tmp_path / "guide.pdf"
        built = build(project, output, BuildOptions(strict=False))
        assert built.pages > 0
        titles = [chapter.post.title for chapter in load_book(project, Report()).chapters]
        assert len(titles) == len(result.written)
    return result, project


WXR = [
    "importer-cdata-edge.xml",
    "importer-crazy-cdata-escaped.xml",
    "importer-crazy-cdata.xml",
    "importer-multiple-cdata.xml",
    "importer-namespace-edge-cases.xml",
    "importer-slashes.xml",
    "importer-valid-wxr-1.0.xml",
]


@pytest.mark.parametrize("name", WXR)
def test_importer_edge_case_imports_and_builds(name: str, tmp_path: Path, epoch: str) -> None:
    result, _ = _import_and_build([_wxr(name)], tmp_path)
    assert result.written


def test_malformed_export_is_refused_with_its_line_and_column(tmp_path: Path) -> None:
    source = _wxr("importer-malformed-simple.xml")
    with pytest.raises(GuideError) as caught:
        import_sources([source], ImportOptions(project=tmp_path / "p"))
    assert [str(d) for d in caught.value.diagnostics] == [
        f"{source}:14: XML is not well-formed (column 1): Premature end of data in <item> opened on line 9"
    ]
    assert not (tmp_path / "p").exists()


def test_crazy_cdata_content_is_read_as_wordpress_reads_it(tmp_path: Path) -> None:
    import_sources([_wxr("importer-crazy-cdata.xml")], ImportOptions(project=tmp_path))
    assert (tmp_path / "chapters/2012-01-05-hello-world.md").read_text().endswith("Content with nested :)\n")


def test_namespace_edge_cases_ignore_fake_wp_namespaces(tmp_path: Path) -> None:
    result = import_sources([_wxr("importer-namespace-edge-cases.xml")], ImportOptions(project=tmp_path))
    assert [s.title for s in result.skipped] == ["Hijacked Namespace"]
    assert len(result.written) == 5


@pytest.fixture(scope="module")
def theme_import(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ImportResult, Path, ReadPdf]]:
    """The WordPress theme unit test export, imported with its uploads and built once."""
    tmp_path = tmp_path_factory.mktemp("theme")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        result, project = _import_and_build([_wxr("themeunittestdata.wordpress.xml")], tmp_path)
    yield result, project, ReadPdf(tmp_path / "guide.pdf")


def test_theme_unit_test_export_imports_every_published_post(
    theme_import: tuple[ImportResult, Path, ReadPdf],
) -> None:
    result, _, _ = theme_import
    assert len(result.written) == 55
    assert result.skip_counts() == [
        ("menu item", 70),
        ("attachment", 37),
        ("page", 21),
        ("scheduled (future)", 1),
        ("draft", 1),
        ("password-protected", 1),
    ]


def test_theme_unit_test_export_builds_with_its_titles_in_the_contents(
    theme_import: tuple[ImportResult, Path, ReadPdf],
) -> None:
    _, project, pdf = theme_import
    titles = [chapter.post.title for chapter in load_book(project, Report()).chapters]
    assert "Markup: Title With Markup" in titles
    assert "Markup: Image Alignment" in pdf.text
    assert "Edge Case: Nested And Mixed Lists" in pdf.text


def test_theme_unit_test_export_imports_again_without_change(
    theme_import: tuple[ImportResult, Path, ReadPdf],
) -> None:
    result, project, _ = theme_import
    media = project.parent / "uploads"
    again = import_sources(
        [_wxr("themeunittestdata.wordpress.xml")], ImportOptions(project=project, media=media)
    )
    assert again.written == ()
    assert len(again.unchanged) == len(result.written)
    assert again.manifest == "unchanged"


@pytest.mark.parametrize("name", ["DaringFireball.atom", "manton.rss", "kc0011.rss"])
def test_real_feed_imports_and_builds(name: str, tmp_path: Path, epoch: str) -> None:
    result, _ = _import_and_build([REALWORLD / "feeds" / name], tmp_path)
    assert result.written


def test_gb2312_feed_is_decoded(tmp_path: Path) -> None:
    import_sources([REALWORLD / "feeds" / "kc0011.rss"], ImportOptions(project=tmp_path))
    text = "".join(p.read_text() for p in (tmp_path / "chapters").glob("*.md"))
    assert "纪念" in text


def test_jekyll_posts_import_together_and_build(tmp_path: Path, epoch: str) -> None:
    posts = sorted((REALWORLD / "posts" / "jekyll").iterdir())
    result, _ = _import_and_build(posts, tmp_path)
    assert len(result.written) == 5
    liquid = [w for w in result.warnings if "template syntax" in w.message]
    assert len(liquid) == 4


def test_plain_text_seed_posts_import_with_their_credits_and_build(tmp_path: Path, epoch: str) -> None:
    seeds = sorted((REALWORLD.parent / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("no seed posts beside the corpus")
    result, project = _import_and_build(seeds, tmp_path)
    assert len(result.written) == len(seeds)
    credits = [c for chapter in load_book(project, Report()).chapters for c in chapter.post.credits]
    assert credits


def test_hugo_content_folder_imports_its_bundles_and_builds(tmp_path: Path, epoch: str) -> None:
    folder = REALWORLD / "hugo" / "runtimeterror" / "content" / "posts"
    result, _ = _import_and_build([folder], tmp_path)
    assert len(result.written) == 8  # the section page _index.md is no post
    assert [(s.source_path, s.format, s.articles) for s in result.sources] == [
        (str(folder), "folder of 8 files (Jekyll/Hugo post)", 8)
    ]


REAL_BLOGS = [
    ("wxr/codeaweso-me-selfhosted.wordpress.xml", 59),
    ("wxr/bowlabs-wordpresscom.wordpress.xml", 31),
    ("feeds/markmims-octopress.atom", 20),
    ("feeds/markmorga-jekyll.rss", 10),
]


@pytest.mark.parametrize(("name", "posts"), REAL_BLOGS)
def test_real_blog_imports_and_builds(name: str, posts: int, tmp_path: Path, epoch: str) -> None:
    result, _ = _import_and_build([REALWORLD / name], tmp_path)
    assert len(result.written) == posts


def test_jekyll_feed_with_escaped_html_in_description_keeps_the_posts(tmp_path: Path) -> None:
    import_sources([REALWORLD / "feeds" / "markmorga-jekyll.rss"], ImportOptions(project=tmp_path))
    chapter = (tmp_path / "chapters" / "2017-11-30-ruby-enumerable-functional-readability.md").read_text()
    assert "```" in chapter or "\n    " in chapter  # its Rouge code blocks are code, not escaped text
    assert "&lt;" not in chapter.replace("&amp;lt;", "")


def test_wordpress_com_export_without_its_uploads_builds_with_placeholders(
    tmp_path: Path, epoch: str
) -> None:
    project = tmp_path / "guide"
    import_sources([_wxr("bowlabs-wordpresscom.wordpress.xml")], ImportOptions(project=project))
    result = build(project, tmp_path / "guide.pdf", BuildOptions(missing_images=MissingImages.PLACEHOLDER))
    placeholders = [w for w in result.warnings if w.message.endswith("printed as a placeholder")]
    assert len(placeholders) >= 80
    assert ReadPdf(tmp_path / "guide.pdf").text.count("IMAGE NOT AVAILABLE") == len(placeholders)
