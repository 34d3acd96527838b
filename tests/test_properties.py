"""Property-based: whatever an author types, readers and renderer end in a Post or a GuideError."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide.book import build_book
from guide.errors import GuideError, Report
from guide.manifest import ChapterRef, Manifest
from guide.post import Post
from guide.render import RenderOptions, render_html
from guide.sources import read_post

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MARKDOWN_ALPHABET = st.sampled_from(
    [*list("ab *_[]()!#>-`|:\n\t<>/\"'{}%=&;.0123456789^"), "<p>", "</p>", "<script>", "](", "[^1]", "\u202e"]
)
markdown_text = st.lists(MARKDOWN_ALPHABET, max_size=300).map("".join)
yaml_scalars = st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=False), st.booleans(),
                         st.none(), st.dates())  # fmt: skip
front_matter = st.dictionaries(
    st.sampled_from(["title", "date", "url", "author", "credits", "tags", "layout"]),
    st.one_of(
        yaml_scalars,
        st.lists(yaml_scalars, max_size=3),
        st.dictionaries(st.text(max_size=5), yaml_scalars, max_size=2),
    ),
    max_size=6,
)


def _read(tmp_path: Path, name: str, data: str) -> Post | None:
    path = tmp_path / name
    path.write_text(data, encoding="utf-8", newline="")
    try:
        return read_post(path, name, Report())
    except GuideError:
        return None


@SETTINGS
@given(meta=front_matter, body=markdown_text)
def test_markdown_reader_returns_a_post_or_a_guide_error(
    tmp_path: Path, meta: dict[str, object], body: str
) -> None:
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    post = _read(tmp_path, "p.md", text)
    assert post is None or isinstance(post.title, str)


@SETTINGS
@given(raw=st.text(max_size=200), body=markdown_text)
def test_any_front_matter_text_is_a_post_or_a_guide_error(tmp_path: Path, raw: str, body: str) -> None:
    _read(tmp_path, "p.md", f"---\n{raw}\n---\n{body}")


@SETTINGS
@given(text=st.text(max_size=400))
def test_plain_text_reader_returns_a_post_or_a_guide_error(tmp_path: Path, text: str) -> None:
    _read(tmp_path, "p.txt", text)


@SETTINGS
@given(
    bodies=st.lists(markdown_text, min_size=1, max_size=3), titles=st.lists(st.text(min_size=1), min_size=3)
)
def test_renderer_takes_any_posts_the_readers_accept(
    tmp_path: Path, bodies: list[str], titles: list[str]
) -> None:
    posts = []
    for index, body in enumerate(bodies):
        title = yaml.safe_dump(titles[index % len(titles)]).removesuffix("\n...\n").strip()
        post = _read(
            tmp_path, f"p{index}.md", f"---\ntitle: {title}\nurl: https://b.test/{index}/\n---\n{body}"
        )
        if post is not None:
            posts.append(post)
    manifest = Manifest(
        project_dir=tmp_path, title="T", author="A",
        chapters=tuple(ChapterRef(p.source_path, tmp_path / p.source_path, 1) for p in posts),
    )  # fmt: skip
    try:
        book = build_book(manifest, posts, Report())
    except GuideError:
        return
    html = render_html(book, RenderOptions(created=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)))
    assert html.count('<article class="chapter"') == len(posts)
