"""Markdown that cannot mean what the author wrote is a located warning (fatal with --strict)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from guide.cli import app
from guide.errors import Report
from guide.sources.markdown import read_markdown_post

runner = CliRunner()
FRONT = "---\ntitle: T\n---\n"  # the body starts on line 4


@pytest.mark.parametrize(
    ("body", "warnings"),
    [
        ("Text\n\n```\ncode\n\n# Heading\n",
         ["a.md:6: code fence '```' is never closed: close it with a line of '```'"]),
        ("Text\n\n- item\n\n  ~~~~\n  code\n",
         ["a.md:8: code fence '~~~~' is never closed: close it with a line of '~~~~'"]),
        ("Text[^zz] here.\n", ["a.md:4: footnote reference '[^zz]' has no definition"]),
        ("Text.\n\n[^unused]: Never cited.\n",
         ["a.md:6: footnote '[^unused]' is defined but never referenced: its text is left out"]),
        ("See [the chart][chart].\n\nAnd ![a pic][img].\n",
         ["a.md:4: reference link '[chart]' has no definition: add a '[chart]: URL' line",
          "a.md:6: reference image '[img]' has no definition: add a '[img]: URL' line"]),
        ("One line\nand *emphasis never closed.\n",
         ["a.md:4: unmatched '*' is printed as written: close the emphasis or escape it"]),
        ("Some **strong never closed.\n",
         ["a.md:4: unmatched '**' is printed as written: close the emphasis or escape it"]),
        ("A `code span never closed.\n",
         ["a.md:4: unmatched '`' is printed as written: close the code span or escape it"]),
        ("Fine\n\n<div class=\"box\">\nopen\n\nText\n", ["a.md:6: <div> is never closed: add </div>"]),
        ("Para with <span>open inline\n", ["a.md:4: <span> is never closed: add </span>"]),
    ],
    ids=["fence", "fence in list", "footnote ref", "footnote def", "reference link and image", "emphasis",
         "strong", "backtick", "html block", "inline html"],
)  # fmt: skip
def test_each_leftover_is_a_warning_at_its_line(body: str, warnings: list[str]) -> None:
    report = Report()
    read_markdown_post(FRONT + body, "a.md", report)
    assert [str(d).replace("warning: ", "") for d in report.diagnostics] == warnings


@pytest.mark.parametrize(
    "body",
    [
        "Fine *ok* and **bold**, `code`, 5 * 3, snake_case, https://a.test/x_y_z and me@a.test.\n",
        "Cited[^n] once.\n\n[^n]: The note.\n",
        "A [link][ref] and ![pic][ref].\n\n[ref]: https://a.test/\n",
        "```\n*not* `emphasis` [^here] [a][b]\n```\n",
        "- item\n\n    ```py\n    code\n    ```\n",
        "<div>\n<p>closed</p>\n</div>\n\n<br>\n",
    ],
    ids=[
        "clean prose",
        "used footnote",
        "defined references",
        "code is code",
        "closed fence in list",
        "html",
    ],
)
def test_what_converts_as_written_is_no_warning(body: str) -> None:
    report = Report()
    read_markdown_post(FRONT + body, "a.md", report)
    assert report.diagnostics == []


def test_guide_check_reports_them_and_strict_makes_them_fatal(tmp_path: Path) -> None:
    (tmp_path / "guide.toml").write_text('title = "N"\nauthor = "A"\nchapters = ["a.md"]\n')
    (tmp_path / "a.md").write_text(FRONT + "Text[^zz].\n")
    lenient = runner.invoke(app, ["check", str(tmp_path)])
    strict = runner.invoke(app, ["check", str(tmp_path), "--strict"])
    message = "a.md:4: warning: footnote reference '[^zz]' has no definition"
    assert (lenient.exit_code, strict.exit_code) == (0, 1)
    assert message in lenient.stderr.splitlines()
    assert strict.stderr.splitlines()[0] in (message, message.replace("warning: ", ""))
