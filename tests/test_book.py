"""The book stage: ids, links between posts, anchors that exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from guide.book import build_book
from guide.errors import Report
from guide.manifest import ChapterRef, Manifest
from guide.post import Post


def _book(tmp_path: Path, *posts: Post) -> tuple[list[str], Report]:
    manifest = Manifest(
        project_dir=tmp_path, title="T", author="A",
        chapters=tuple(ChapterRef(p.source_path, tmp_path / p.source_path, 1) for p in posts),
    )  # fmt: skip
    report = Report()
    book = build_book(manifest, list(posts), report)
    return [c.body_html for c in book.chapters], report


ONE = Post("posts/one.md", "One", '<h2 id="setup">Setup</h2><p>x</p>', url="https://b.test/one/")


def test_links_land_on_anchors_that_exist_or_on_the_chapter(tmp_path: Path) -> None:
    two = Post(
        "posts/two.md", "Two",
        '<p data-source-line="4"><a href="https://b.test/one#setup">a</a> '
        '<a href="https://b.test/one/#comments">b</a> '
        '<a href="#missing">c</a> <a href="one.md#setup">d</a>\n<a href="../elsewhere.html">e</a></p>',
    )  # fmt: skip
    (body_one, body_two), report = _book(tmp_path, ONE, two)
    assert 'id="one--setup"' in body_one
    assert body_two == (
        '<p data-source-line="4"><a href="#one--setup" class="xref">a</a> <a href="#one" class="xref">b</a> '
        '<a href="#two">c</a> <a href="#one--setup" class="xref">d</a>\n<a>e</a></p>'
    )
    assert [str(d) for d in report.diagnostics] == [
        "posts/two.md:4: warning: link to '#missing' matches no heading or anchor in this post",
        "posts/two.md:5: warning: removed link to '../elsewhere.html': "
        "only web, mail and in-guide links work in a PDF",
    ]


def test_a_page_on_the_series_host_that_is_no_chapter_is_flagged_but_files_are_not(tmp_path: Path) -> None:
    two = Post(
        "posts/two.md", "Two",
        '<p data-source-line="6">\n<a href="https://b.test/three/">x</a> <a href="https://b.test/files/clip.mp4">y</a></p>',
    )  # fmt: skip
    _, report = _book(tmp_path, ONE, two)
    assert [str(d) for d in report.diagnostics] == [
        "posts/two.md:7: warning: link to 'https://b.test/three/' "
        "looks like a post of this series but matches no chapter"
    ]


def test_same_titles_get_distinct_chapter_ids(tmp_path: Path) -> None:
    twin = Post("posts/twin.md", "One", '<h2 id="setup">Setup</h2>')
    (first, second), _ = _book(tmp_path, ONE, twin)
    assert 'id="one--setup"' in first and 'id="one-2--setup"' in second


@pytest.mark.parametrize(
    "src",
    ["https://b.files.wordpress.com/2024/03/pic.jpg", "https://b.test/wp-content/uploads/2024/03/pic.jpg"],
)
def test_remote_uploads_image_says_how_to_bring_it_in(tmp_path: Path, src: str) -> None:
    body = f'<p data-source-line="2"><img src="{src}" alt="a"></p>'
    post = Post("posts/p.md", "P", body, credits=("Photo: X",))
    _, report = _book(tmp_path, post)
    assert [str(d) for d in report.diagnostics] == [
        f"posts/p.md:2: remote image '{src}' is not fetched during a build: "
        "import the post again with --media pointing at a copy of the uploads folder, "
        "or build with --allow-remote"
    ]


def test_remote_image_elsewhere_says_to_save_it_into_the_project(tmp_path: Path) -> None:
    src = "https://cdn.example/pic.jpg"
    post = Post(
        "posts/p.md",
        "P",
        f'<figure data-source-line="1"><img src="{src}" alt="a"></figure>',
        credits=("Photo: X",),
    )
    _, report = _book(tmp_path, post)
    assert [str(d) for d in report.diagnostics] == [
        f"posts/p.md:1: remote image '{src}' is not fetched during a build: "
        "save it into the project and use a relative path, or build with --allow-remote"
    ]


def test_plain_permalinks_that_differ_only_in_their_query_are_different_posts(tmp_path: Path) -> None:
    first = Post("posts/1.md", "First", "<p>x</p>", url="http://localhost/?p=1")
    second = Post("posts/4.md", "Fourth", "<p>y</p>", url="http://localhost/?p=4")
    recap = Post(
        "posts/r.md", "Recap",
        '<p><a href="http://localhost/?p=1">one</a> <a href="http://localhost/?p=4#top">four</a></p>',
    )  # fmt: skip
    (*_, body), report = _book(tmp_path, first, second, recap)
    assert body == '<p><a href="#first" class="xref">one</a> <a href="#fourth" class="xref">four</a></p>'
    assert report.diagnostics == []


def _photos(tmp_path: Path, count: int) -> list[Post]:
    (tmp_path / "chapters" / "media").mkdir(parents=True)
    posts = []
    for number in range(1, count + 1):
        Image.new("RGB", (4, 3)).save(tmp_path / f"chapters/media/p{number}.png")
        body = f'<img src="media/p{number}.png" alt="Photo {number}">'
        posts.append(Post(f"chapters/{number}.md", f"Post {number}", body))
    return posts


def test_uncredited_own_photos_are_one_summary_warning(tmp_path: Path) -> None:
    _, report = _book(tmp_path, *_photos(tmp_path, 5))
    assert [str(d) for d in report.diagnostics] == [
        "chapters/1.md: warning: 5 posts show images but carry no credit for them (this one, "
        "chapters/2.md, chapters/3.md, chapters/4.md and 1 more): add a 'credits:' line to each post, "
        "or one to 'credits' in guide.toml if the photos are your own"
    ]


def test_guide_level_credits_cover_the_posts_photos(tmp_path: Path) -> None:
    posts = _photos(tmp_path, 2)
    manifest = Manifest(
        project_dir=tmp_path, title="T", author="A", credits=("Photos by the author",),
        chapters=tuple(ChapterRef(p.source_path, tmp_path / p.source_path, 1) for p in posts),
    )  # fmt: skip
    report = Report()
    build_book(manifest, posts, report)
    assert report.diagnostics == []


def test_the_same_problem_twice_on_one_line_is_said_once(tmp_path: Path) -> None:
    post = Post(
        "posts/p.md", "P",
        '<p data-source-line="1"><a href="../x.jar">a</a> and <a href="../x.jar">b</a></p>',
    )  # fmt: skip
    _, report = _book(tmp_path, post)
    assert [str(d) for d in report.warnings] == [
        "posts/p.md:1: warning: removed link to '../x.jar': only web, mail and in-guide links work in a PDF"
    ]
