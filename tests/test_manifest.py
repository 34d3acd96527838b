"""guide.toml: every key checked, every mistake reported with its line, all at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from guide.cli import app
from guide.errors import GuideError
from guide.manifest import load_manifest

runner = CliRunner()
GOOD = 'title = "T"\nauthor = "A"\nchapters = ["posts/a.md"]\n'


def _project(tmp_path: Path, manifest: str) -> Path:
    (tmp_path / "posts").mkdir(exist_ok=True)
    (tmp_path / "posts" / "a.md").write_text("---\ntitle: A\n---\nBody.\n")
    (tmp_path / "guide.toml").write_text(manifest)
    return tmp_path


def test_defaults_fill_the_optional_keys(tmp_path: Path) -> None:
    manifest = load_manifest(_project(tmp_path, GOOD))
    assert (manifest.language, manifest.page_size, manifest.subtitle, manifest.date) == (
        "en",
        "A5",
        None,
        None,
    )
    assert [c.source_path for c in manifest.chapters] == ["posts/a.md"]


def test_every_key_is_read(tmp_path: Path) -> None:
    text = (
        'title = "T"\nsubtitle = "S"\nauthor = "A"\nlanguage = "pt-BR"\ndate = 2024-06-01\n'
        'page_size = "letter"\ncredits = ["C1", "C2"]\nchapters = ["posts/a.md"]\n'
    )
    manifest = load_manifest(_project(tmp_path, text))
    assert manifest.subtitle == "S"
    assert manifest.language == "pt-BR"
    assert manifest.date == dt.date(2024, 6, 1)
    assert manifest.page_size == "Letter"
    assert manifest.credits == ("C1", "C2")


MISTAKES = [
    (GOOD + 'page-size = "A4"\n', "guide.toml:4: unknown key 'page-size' (did you mean 'page_size'?)"),
    (GOOD + 'Title = "X"\n', "guide.toml:4: unknown key 'Title' (did you mean 'title'?)"),
    (
        GOOD + 'date = "2024-13-01"\n',
        "guide.toml:4: 'date' '2024-13-01' is impossible: month 13 does not exist",
    ),
    (
        GOOD + 'date = "2024-04-31"\n',
        "guide.toml:4: 'date' '2024-04-31' is impossible: April 2024 has no day 31",
    ),
    (
        'title = "T"\nauthor = "A"\nchapters = ["posts/a"]\n',
        "guide.toml:3: chapter 'posts/a' not found; did you mean 'posts/a.md'?",
    ),
    (
        'title = "T"\nauthor = "A"\nchapters = ["posts/aa.md"]\n',
        "guide.toml:3: chapter 'posts/aa.md' not found; did you mean 'posts/a.md'?",
    ),
    ('author = "A"\nchapters = ["posts/a.md"]\n', "guide.toml: missing required key 'title'"),
    ('title = "T"\nauthor = "A"\n', "guide.toml: missing required key 'chapters'"),
    (
        GOOD + 'colour = "red"\n',
        "guide.toml:4: unknown key 'colour' (known keys: title, author, chapters, "
        "subtitle, language, date, page_size, credits, missing_images, edition, cover_image, cover_credit, "
        "budget_scale)",
    ),
    (
        'title = "T"\nauthor = "A"\nchapters = [\n  "posts/a.md",\n  "posts/missing.md",\n]\n',
        "guide.toml:5: chapter 'posts/missing.md' not found",
    ),
    (
        'title = "T"\nauthor = "A"\nchapters = ["../outside.md"]\n',
        "guide.toml:3: chapter '../outside.md' lies outside the project folder",
    ),
    (
        'title = "T"\nauthor = "A"\nchapters = ["/etc/passwd"]\n',
        "guide.toml:3: chapter '/etc/passwd' is an absolute path; use a path inside the project",
    ),
    (
        'title = "T"\nauthor = "A"\nchapters = ["posts/a.md", "posts/../posts/a.md"]\n',
        "guide.toml:3: chapter 'posts/../posts/a.md' is listed twice (same file as 'posts/a.md' on line 3)",
    ),
    (
        'title = "T"\nauthor = "A"\nchapters = [\n  "posts/a.md",\n  "posts/a.md",\n]\n',
        "guide.toml:5: chapter 'posts/a.md' is listed twice (same file as 'posts/a.md' on line 4)",
    ),
    (
        'title = "T"\nauthor = "A"\nchapters = []\n',
        "guide.toml:3: 'chapters' must be a non-empty list of post files",
    ),
    (GOOD + 'date = "3rd May"\n', "guide.toml:4: 'date' must be YYYY-MM-DD (got '3rd May')"),
    (GOOD + 'page_size = "B5"\n', "guide.toml:4: 'page_size' must be one of A4, A5, Letter (got 'B5')"),
    (
        GOOD + 'language = "english!"\n',
        "guide.toml:4: 'language' must be a language tag like 'en' or 'pt-BR' (got 'english!')",
    ),
    (GOOD + "credits = [1, 2]\n", "guide.toml:4: 'credits' must be a list of non-empty strings"),
    (
        'title = ""\nauthor = "A"\nchapters = ["posts/a.md"]\n',
        "guide.toml:1: 'title' must be a non-empty string",
    ),
    ('title = "T\nauthor = "A"\n', "guide.toml:1: invalid TOML: Illegal character '\\n'"),
]


@pytest.mark.parametrize(("manifest", "message"), MISTAKES)
def test_each_mistake_gets_one_located_line_and_exit_1(tmp_path: Path, manifest: str, message: str) -> None:
    project = _project(tmp_path, manifest)
    result = runner.invoke(app, ["build", str(project), "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [message]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.pdf").exists()


def test_chapters_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    project = _project(tmp_path, 'title = "T"\nauthor = "A"\nchapters = ["posts/a.md", "posts/A.md"]\n')
    (project / "posts" / "A.md").write_text("---\ntitle: B\n---\nBody.\n")
    with pytest.raises(GuideError) as caught:
        load_manifest(project)
    assert [str(d) for d in caught.value.diagnostics] == [
        "guide.toml:3: chapter 'posts/A.md' differs only in case from 'posts/a.md' on line 3"
    ]


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    text = 'title = "T"\nauthor = "A"\ndate = "soon"\npage_size = "B5"\nchapters = ["nope.md"]\n'
    with pytest.raises(GuideError) as caught:
        load_manifest(_project(tmp_path, text))
    assert [d.line for d in caught.value.diagnostics] == [3, 4, 5]


def test_symlink_pointing_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: X\n---\nsecret\n")
    (tmp_path / "p").mkdir()
    project = _project(tmp_path / "p", 'title = "T"\nauthor = "A"\nchapters = ["posts/link.md"]\n')
    (project / "posts" / "link.md").symlink_to(outside)
    with pytest.raises(GuideError, match="lies outside the project folder"):
        load_manifest(project)


def test_budget_scale_raises_the_whole_guide_budgets_only_when_the_author_says_so(tmp_path: Path) -> None:
    project = _project(tmp_path, GOOD)
    names = [f"posts/p{i:03}.md" for i in range(301)]
    for name in names:
        (project / name).write_text(f"---\ntitle: P {name}\n---\nBody.\n")
    listed = "chapters = [" + ", ".join(f'"{n}"' for n in names) + "]\n"
    (project / "guide.toml").write_text(f'title = "T"\nauthor = "A"\n{listed}')
    refused = runner.invoke(app, ["check", str(project)])
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "guide.toml:3: 'chapters' lists 301 posts (limit 300); "
        "split the guide or raise budget_scale in guide.toml"
    ]
    (project / "guide.toml").write_text(f'title = "T"\nauthor = "A"\nbudget_scale = 2\n{listed}')
    accepted = runner.invoke(app, ["check", str(project), "--strict"])
    assert accepted.exit_code == 0, accepted.stderr
    assert load_manifest(project).budget_scale == 2
