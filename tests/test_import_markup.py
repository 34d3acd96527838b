"""The markup real blog engines write, in fixtures shaped like the issue's examples (no real blog's text).

Each import is checked on the Markdown it writes, its warnings, and its verification against the source.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from guide import BuildOptions, build
from guide.importing.options import ImportOptions
from guide.importing.run import ImportResult, import_sources
from tests.conftest import FIXTURES
from tests.pdf_reader import ReadPdf

IMPORT = FIXTURES / "import"


def _import(name: str, project: Path) -> tuple[ImportResult, dict[str, str]]:
    result = import_sources([IMPORT / name], ImportOptions(project=project))
    chapters = {p.name: p.read_text() for p in sorted((project / "chapters").glob("*.md"))}
    return result, chapters


def _body(text: str) -> str:
    return text.split("---\n", 2)[2].strip("\n") + "\n"


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportResult, dict[str, str]]:
    return _import("wxr_blog_markup.xml", tmp_path_factory.mktemp("wxr"))


def _warnings(result: ImportResult) -> list[str]:
    return [w.message for w in result.warnings]


def test_brackets_in_code_are_kept_and_an_unknown_shortcode_stays_as_text(
    wordpress: tuple[ImportResult, dict[str, str]],
) -> None:
    result, chapters = wordpress
    assert _body(chapters["2015-02-01-desktop-file.md"]) == (
        "Save this as `viewer.desktop`:\n\n"
        "```\n[Desktop Entry]\nName=Viewer\n  Exec=viewer %f\n\n[application/pdf - 1]\n```\n\n"
        'Then log in again with `[ssh]` enabled. The form \\[contact-form id="2"\\] is not shown here.\n\n'
        "The build file, as WP-Syntax shows it:\n\n"
        '```xml\n<project name="lamp">\n  <property name="out" value="build" />\n</project>\n```\n'
    )
    assert "post 'A Desktop File for the Viewer': [contact-form] is not supported; kept as text" in _warnings(
        result
    )


def test_a_list_directly_inside_a_list_stays_nested_and_youtube_becomes_a_titled_link(
    wordpress: tuple[ImportResult, dict[str, str]],
) -> None:
    _, chapters = wordpress
    body = _body(chapters["2015-03-01-packing-list.md"])
    assert "-   Lamps\n    -   the brass one\n    -   the paper one\n-   Wicks\n" in body
    assert (
        "And here is a video:\n\n*YouTube video Qw3rTy8uIo0*: <https://www.youtube.com/watch?v=Qw3rTy8uIo0>\n"
    ) in body


def test_scheme_less_links_get_https_and_an_image_title_serves_as_alt(
    wordpress: tuple[ImportResult, dict[str, str]],
) -> None:
    _, chapters = wordpress
    body = _body(chapters["2015-03-01-packing-list.md"])
    assert "[the guild's page](https://www.lantern-guild.example/wicks)" in body
    assert "![A trimmed wick](https://lantern.example/wp-content/uploads/2015/03/wick.jpg)" in body


def test_a_nine_photo_gallery_is_a_grid_three_to_a_row(
    wordpress: tuple[ImportResult, dict[str, str]],
) -> None:
    result, chapters = wordpress
    body = _body(chapters["2015-04-01-fair-photos.md"])
    assert body.startswith('<table class="gallery gallery-3"><tbody><tr><td><img alt="fair-1" ')
    assert body.count("<tr>") == 3 and body.count("<td>") == 9
    assert body.endswith("</table>\n\nThe fair ran for three days.\n")
    assert "post 'Photos from the Fair': [gallery] shown as a grid of its 9 images" in _warnings(result)


def test_word_style_footnotes_become_real_footnotes(wordpress: tuple[ImportResult, dict[str, str]]) -> None:
    _, chapters = wordpress
    assert _body(chapters["2015-05-01-wick-notes.md"]) == (
        "Cotton wicks burn cleaner[^1] than linen ones.\n\n"
        "Trim them to a quarter inch.[^2]\n\n"
        "[^1]: In our own tests, over forty hours.\n\n"
        "[^2]: About six millimetres.\n"
    )


def test_every_post_of_the_export_is_verified(wordpress: tuple[ImportResult, dict[str, str]]) -> None:
    result, _ = wordpress
    assert result.verified == len(result.written) == 4


def test_octopress_gutter_code_is_one_fenced_block_and_feed_removals_are_warned(tmp_path: Path) -> None:
    result, chapters = _import("octopress_gutter_code.atom", tmp_path)
    assert _body(chapters["2016-06-01-recording-slides-from-the-shell.md"]) == (
        "Start the recorder:\n\n*record.sh*\n\n"
        "```bash\nrecorder \\\n  --rate $rate \\\n  --out slides.mkv > log.txt 2>&1\n```\n\n"
        "The chart below shows the rates.\n\n"
        "Pygments writes its own table:\n\n"
        "```\ndef rate():\n    return 30\n```\n"
    )
    assert _warnings(result) == [
        "entry 'Recording Slides from the Shell': <script> removed: a printed guide cannot run or fill it",
        "entry 'Recording Slides from the Shell': inline <svg> drawing removed: the guide cannot print it",
    ]
    assert result.verified == 1


def test_jekyll_rouge_table_is_one_block_and_escaped_cdata_is_content(tmp_path: Path) -> None:
    result, chapters = _import("jekyll_rouge_escaped.rss", tmp_path)
    assert _body(chapters["2017-11-30-cheaper-by-the-line.md"]) == (
        "Compare two prices:\n\n"
        "```ruby\ndef cheaper(a, b)\n  a < b ? a : b\nend\n```\n\n"
        "Use `cheaper` everywhere.\n"
    )
    assert _body(chapters["2017-12-01-a-note-kept-in-cdata.md"]).startswith(
        "The whole note sits in an escaped CDATA section, and it is *all* the post"
    )
    assert result.verified == 2


def test_saved_page_code_stays_one_block_and_inline_code_stays_inline(tmp_path: Path) -> None:
    result, chapters = _import("saved_page_code.html", tmp_path)
    (text,) = chapters.values()
    assert _body(text) == (
        "Call `load_settings()` once at start-up, before any other module reads the file.\n\n"
        "The loader is short:\n\n"
        "```python\n"
        "def load_settings(path):\n"
        "    with open(path) as handle:\n"
        "        for line in handle:\n"
        "            if line.strip():\n"
        '                yield line.split("=", 1)\n'
        "```\n\n"
        "Each pair it yields is a `(key, value)` tuple, and nothing else is kept.\n\n"
        "That is all there is to it; the rest of the program only ever sees the pairs.\n"
    )
    assert result.verified == 1


def test_the_gallery_grid_prints_on_one_page_before_the_first_paragraph(tmp_path: Path, epoch: str) -> None:
    media = tmp_path / "uploads"
    for name in [*(f"2015/04/fair-{n}.jpg" for n in range(1, 10)), "2015/03/wick.jpg"]:
        target = media / "wp-content" / "uploads" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (1200, 900), (120, 90, 60)).save(target, "JPEG")
    project = tmp_path / "guide"
    import_sources([IMPORT / "wxr_blog_markup.xml"], ImportOptions(project=project, media=media))
    build(project, tmp_path / "g.pdf", BuildOptions(strict=False, jobs=1))
    pages = ReadPdf(tmp_path / "g.pdf").page_texts
    gallery = [i for i, text in enumerate(pages) if "Photos from the Fair" in text and "fair ran" in text]
    assert gallery, "the gallery and the paragraph after it share the chapter's first page"


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        (
            "wp-block-gallery columns-1",
            '<figure><img src="a.jpg" alt="A"></figure><figure><img src="b.jpg" alt="B"></figure>'
            '<figure><img src="c.jpg" alt="C"></figure>',
        ),
        ("wp-block-gallery columns-2", '<table class="gallery gallery-2">'),
        ("wp-block-gallery columns-7", '<table class="gallery gallery-3">'),
        ("gallery gallery-columns-1", '<figure><img src="a.jpg" alt="A"></figure><figure>'),
    ],
)
def test_a_gallery_keeps_the_blogs_own_column_count_up_to_three(classes: str, expected: str) -> None:
    import lxml.html  # noqa: PLC0415

    from guide.importing.readers.markup import gallery_grids  # noqa: PLC0415

    images = '<img src="a.jpg" alt="A"><img src="b.jpg" alt="B"><img src="c.jpg" alt="C">'
    gallery = f'<figure class="{classes}">{images}</figure>'
    root = lxml.html.fromstring(f"<div><p>x</p>{gallery}after<p>y</p></div>")
    assert gallery_grids(root) == 1
    html = lxml.html.tostring(root, encoding="unicode")
    assert html.startswith(f"<div><p>x</p>{expected}")
    assert html.endswith("after<p>y</p></div>")
