"""What `guide import` makes of the sources on its own: title, author, and order when posts lack dates."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from guide.cli import app
from tests.conftest import FIXTURES, ROOT
from tests.pdf_reader import ReadPdf

runner = CliRunner()
IMPORT = FIXTURES / "import"
SEEDS = ROOT.parent / "shared" / "seeds"
RECAP = "000_147d694525d9d5c9.txt"
JOURNEY = "004_626137707a0e9bbc.txt"
CHECK_ORDER = "check the order of `chapters` in guide.toml"
SAVED_PAGE = """<!DOCTYPE html><html><head><title>Knots | Rope Works</title>
<meta property="og:site_name" content="Rope Works"><meta name="author" content="Rita Rope">
<meta property="og:title" content="Knots for Beginners"></head><body><nav>Home</nav>
<article><h1>Knots for Beginners</h1><p>The reef knot ties two ends of one rope. It lies flat and
is easy to undo, which makes it the knot for bundles and bandages.</p><p>The bowline makes a loop
that never slips, and it unties easily after a load.</p></article></body></html>"""


def _import(project: Path, *args: str) -> tuple[dict[str, object], str]:
    result = runner.invoke(app, ["import", *args, "--into", str(project)])
    assert result.exit_code == 0, result.output
    return tomllib.loads((project / "guide.toml").read_text()), result.stderr


def _post(folder: Path, name: str, title: str, body: str = "Some text of the post.") -> str:
    path = folder / name
    path.write_text(f"{title}\n\n{body}\n")
    return str(path)


def test_title_and_author_come_from_an_export_and_a_feed(tmp_path: Path) -> None:
    wxr, _ = _import(tmp_path / "w", str(IMPORT / "wxr_1_0_http_namespace.xml"))
    assert (wxr["title"], wxr["author"]) == ("Garden Notes", "Ada Gardener")
    atom, _ = _import(tmp_path / "a", str(IMPORT / "atom_full_content.xml"))
    assert (atom["title"], atom["author"]) == ("Night Sky", "Vera Stars")


def test_title_and_author_come_from_a_saved_pages_site_name_and_byline(tmp_path: Path) -> None:
    page = tmp_path / "knots.html"
    page.write_text(SAVED_PAGE)
    manifest, _ = _import(tmp_path / "p", str(page))
    assert (manifest["title"], manifest["author"]) == ("Rope Works", "Rita Rope")


def test_title_and_author_options_override_the_sources(tmp_path: Path) -> None:
    manifest, _ = _import(
        tmp_path / "w", str(IMPORT / "wxr_1_0_http_namespace.xml"), "--title", "Beds", "--author", "Bo Digs"
    )
    assert (manifest["title"], manifest["author"]) == ("Beds", "Bo Digs")


@pytest.mark.e2e
@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_seed_posts_make_a_book_without_a_placeholder_author_and_the_recap_last(
    tmp_path: Path, epoch: str
) -> None:
    project = tmp_path / "social-business"
    manifest, printed = _import(project, str(SEEDS / RECAP), str(SEEDS / JOURNEY))
    assert manifest["title"] == "Social business"
    assert "author" not in manifest
    chapters = manifest["chapters"]
    assert isinstance(chapters, list)
    assert len(chapters) == 2
    assert "social-business-is-not" in chapters[0]
    assert "recap" in chapters[1]
    warnings = [line for line in printed.splitlines() if ": warning: " in line]
    assert (
        "guide.toml: warning: the sources name no author: the book leaves it out (set 'author' or --author)"
        in warnings
    )
    assert (
        f"{SEEDS / RECAP}:1: warning: 'Social Business Explained Series Recap' reads as a recap: "
        f"placed last; {CHECK_ORDER}" in warnings
    )
    assert "Unknown" not in printed
    built = runner.invoke(app, ["build", str(project)])
    assert built.exit_code == 0, built.output
    assert (
        "guide.toml: warning: no 'author': the cover and the PDF's metadata leave the name out"
        in built.stderr
    )
    pdf = ReadPdf(project / "build" / "guide.pdf")
    assert "Unknown" not in pdf.text
    assert "/Author" not in pdf.reader.metadata
    strict = runner.invoke(app, ["check", "--strict", str(project)])
    assert strict.exit_code == 1
    assert "guide.toml: warning: no 'author'" in strict.stderr


def test_undated_posts_follow_their_series_numbers(tmp_path: Path) -> None:
    posts = [_post(tmp_path, "b.txt", "Part 2: Soil"), _post(tmp_path, "a.txt", "Part 1: Seeds")]
    posts.append(_post(tmp_path, "c.txt", "Watering (3/3)"))
    manifest, printed = _import(tmp_path / "g", posts[2], *posts[:2])
    assert manifest["chapters"] == [
        "chapters/part-1-seeds.md",
        "chapters/part-2-soil.md",
        "chapters/watering-3-3.md",
    ]
    assert (
        "guide.toml: warning: 3 posts have no date: ordered by the series number in their titles; "
        f"{CHECK_ORDER}" in printed
    )


def test_undated_posts_without_numbers_keep_the_command_line_order(tmp_path: Path) -> None:
    posts = [_post(tmp_path, "z.txt", "Zebras"), _post(tmp_path, "a.txt", "Aardvarks")]
    manifest, printed = _import(tmp_path / "g", *posts)
    assert manifest["chapters"] == ["chapters/zebras.md", "chapters/aardvarks.md"]
    assert (
        f"guide.toml: warning: 2 posts have no date: kept in the order the sources were named; {CHECK_ORDER}"
        in printed
    )


def test_a_post_linking_to_the_others_goes_last(tmp_path: Path) -> None:
    front = "---\ntitle: {1}\nurl: https://blog.example/{0}/\n---\n\nText."
    (tmp_path / "all.md").write_text(
        front.format("all", "Everything in one place")
        + " Read https://blog.example/one/ and https://blog.example/two/ first.\n"
    )
    (tmp_path / "one.md").write_text(front.format("one", "One"))
    (tmp_path / "two.md").write_text(front.format("two", "Two"))
    names = [str(tmp_path / n) for n in ("all.md", "one.md", "two.md")]
    manifest, _ = _import(tmp_path / "g", *names)
    assert manifest["chapters"] == [
        "chapters/one.md",
        "chapters/two.md",
        "chapters/all.md",
    ]
