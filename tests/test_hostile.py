"""Hostile and mistaken inputs (../shared/realworld/HOSTILE.md and our own), one table row each.

Every row asserts the exit code, the exact diagnostic lines, that the sources are unchanged,
that a failed build leaves the previous PDF as it was, that no file beside the project was opened
(an audit hook, inherited by the typesetting workers, logs every open there), and that any PDF
written carries no embedded file and no text from outside the project.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from guide.cli import app
from tests.pdf_reader import ReadPdf

CANARY = "CANARY-OUTSIDE-THE-PROJECT"
WATCH: dict[str, str] = {}
"""While a row runs: 'folder' (opens under it are logged) and 'log' (the file they are logged to)."""


def _log_opens_outside(event: str, args: tuple[object, ...]) -> None:
    """Log each file opened under WATCH['folder'], in this process or a forked worker."""
    if event != "open" or not WATCH or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.path.abspath(os.fsdecode(args[0]))  # type: ignore[arg-type]
    if path.startswith(WATCH["folder"]) and path != WATCH["log"]:
        log = os.open(WATCH["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(log, (path + "\n").encode())
        os.close(log)


sys.addaudithook(_log_opens_outside)
OLD_PDF = b"%PDF-1.7\n% the previous build\n"
runner = CliRunner()


def _png(width: int, height: int) -> bytes:
    """A PNG header that claims the given size (enough for a reader to refuse it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def _real_png() -> bytes:
    raw = b"\x00\xff\x00\x00" * 1
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _post(body: str, front: str = "title: A Post\ncredits: [Photo: Test]") -> str:
    return f"---\n{front}\n---\n{body}\n"


@dataclass(frozen=True)
class Case:
    """One hostile input and what it must get."""

    name: str
    files: dict[str, str | bytes]
    """Project files besides guide.toml (which lists posts/a.md unless `manifest` is given)."""
    exit_code: int
    lines: list[str]
    """The exact diagnostic lines expected on stderr ({out} and {outside} are filled in)."""
    manifest: str | None = None
    args: list[str] = field(default_factory=list)
    pdf_contains: str | None = None
    setup: Callable[[Path, Path], None] | None = None
    """Extra preparation: (project, output) -> None."""


MANIFEST = 'title = "Hostile"\nauthor = "Tester"\nchapters = ["posts/a.md"]\n'


def _symlink_out(project: Path, output: Path) -> None:
    (project / "posts" / "a.md").symlink_to(project.parent / "outside" / "secret.md")


def _output_is_dir(project: Path, output: Path) -> None:
    output.unlink()
    output.mkdir()


def _output_read_only(project: Path, output: Path) -> None:
    output.chmod(0o444)


def _output_not_pdf(project: Path, output: Path) -> None:
    output.write_bytes(b"my notes, not a PDF\n")


CASES = [
    Case("yaml unclosed quote", {"posts/a.md": '---\ntitle: "abc\n---\nBody\n'}, 1,
         ["posts/a.md:2: front matter: while scanning a quoted scalar: found unexpected end of stream "
          "(a quote opened in the front matter is never closed)"]),
    Case("front matter never closed", {"posts/a.md": "---\ntitle: T\nBody\n"}, 1,
         ["posts/a.md:1: front matter opened with '---' is never closed"]),
    Case("missing title", {"posts/a.md": "---\ndate: 2024-01-01\n---\nBody\n"}, 1,
         ["posts/a.md:1: front matter has no 'title'"]),
    Case("duplicate key", {"posts/a.md": "---\ntitle: A\ntitle: B\n---\nBody\n"}, 1,
         ["posts/a.md:3: front matter: duplicate key 'title'"]),
    Case("python tag in yaml", {"posts/a.md": "---\ntitle: !!python/object/apply:os.system ['touch x']\n---\nB\n"},
         1, ["posts/a.md:2: front matter: could not determine a constructor for the tag "
             "'tag:yaml.org,2002:python/object/apply:os.system'"]),
    Case("jekyll date with time and zone is normalised",
         {"posts/a.md": _post("Body", "title: Dated\ndate: 2016-10-06 11:10:38 -0700")}, 0, [],
         pdf_contains="6 October 2016"),
    Case("number-like title stays as written", {"posts/a.md": _post("Body", "title: 3.10")}, 0, [],
         pdf_contains="3.10"),
    Case("latin-1 bytes", {"posts/a.md": b"---\ntitle: T\n---\nCaf\xe9\n"}, 1,
         ["posts/a.md:4: not valid UTF-8: byte 0xe9 at offset 20; save it as UTF-8"]),
    Case("utf-8 bom before front matter", {"posts/a.md": b"\xef\xbb\xbf" + _post("Body").encode()}, 0, [],
         pdf_contains="A Post"),
    Case("utf-16", {"posts/a.md": _post("Body").encode("utf-16")}, 1,
         ["posts/a.md:1: unsupported encoding UTF-16: save the file as UTF-8"]),
    Case("crlf line ends", {"posts/a.md": _post("Line one\r\n\r\nLine two").replace("\n", "\r\n")}, 0, [],
         pdf_contains="Line two"),
    Case("control character", {"posts/a.md": _post("Bad \x10 byte")}, 1,
         ["posts/a.md:5: control character U+0010 in text"]),
    Case("bidi override in title", {"posts/a.md": _post("Body", "title: Evil \u202eelif\u202c name")}, 0,
         ["posts/a.md:2: warning: 'title' holds invisible or text-reversing characters (U+202C, U+202E); "
          "they reach the PDF's metadata as they are"], pdf_contains="Evil"),
    Case("manifest entry missing", {}, 1, ["guide.toml:3: chapter 'posts/a.md' not found"]),
    Case("empty chapter file", {"posts/a.md": ""}, 1, ["posts/a.md: post is empty"]),
    Case("path traversal in manifest", {}, 1,
         ["guide.toml:3: chapter '../outside/secret.md' lies outside the project folder"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["../outside/secret.md"]\n'),
    Case("absolute path in manifest", {}, 1,
         ["guide.toml:3: chapter '{outside}/secret.md' is an absolute path; use a path inside the project"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["{outside}/secret.md"]\n'),
    Case("symlink out of the project", {}, 1,
         ["guide.toml:3: chapter 'posts/a.md' lies outside the project folder"], setup=_symlink_out),
    Case("same file listed twice", {"posts/a.md": _post("Body")}, 1,
         ["guide.toml:3: chapter './posts/a.md' is listed twice (same file as 'posts/a.md' on line 3)"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/a.md", "./posts/a.md"]\n'),
    Case("file url image", {"posts/a.md": _post('<img src="file:///etc/passwd" alt="p">')}, 1,
         ["posts/a.md:5: image 'file:///etc/passwd' lies outside the project folder"]),
    Case("relative image escaping the project", {"posts/a.md": _post("![s](../../outside/secret.png)")}, 1,
         ["posts/a.md:5: image '../../outside/secret.png' lies outside the project folder"]),
    Case("attachment link element", {"posts/a.md": _post('<link rel="attachment" href="file:///etc/hostname">')},
         0, ["posts/a.md:5: warning: removed <link> element"]),
    Case("attachment link element is fatal when strict",
         {"posts/a.md": _post('<link rel="attachment" href="file:///etc/hostname">')}, 1,
         ["posts/a.md:5: warning: removed <link> element"], args=["--strict"]),
    Case("attachment anchor", {"posts/a.md": _post('<a rel="attachment" href="../outside/secret.md">x</a>')}, 0,
         ["posts/a.md:5: warning: removed link to '../outside/secret.md': only web, mail and in-guide links "
          "work in a PDF"]),
    Case("remote image offline", {"posts/a.md": _post("![r](http://example.test/a.png)")}, 1,
         ["posts/a.md:5: remote image 'http://example.test/a.png' is not fetched during a build: save it into "
          "the project and use a relative path, or build with --allow-remote"]),
    Case("metadata address even with allow-remote", {"posts/a.md": _post("![m](http://169.254.169.254/a.png)")},
         1, ["posts/a.md:5: refused to load http://169.254.169.254/a.png: host '169.254.169.254' is a local or "
             "private address (169.254.169.254)"], args=["--allow-remote"]),
    Case("style url to a local file", {"posts/a.md": _post('<p style="background:url(file:///etc/passwd)">x</p>')},
         0, ["posts/a.md:5: warning: removed a style attribute with url() on <p>"]),
    Case("script", {"posts/a.md": _post("<script>document.write('SCRIPTRAN')</script>\n\nAfter.")}, 0,
         ["posts/a.md:5: warning: removed <script> element"]),
    Case("iframe object embed", {"posts/a.md": _post('<iframe src="x"></iframe>\n<object data="y"></object>\n'
                                                      '<embed src="z">')}, 0,
         ["posts/a.md:5: warning: removed <iframe> element", "posts/a.md:6: warning: removed <object> element",
          "posts/a.md:7: warning: removed <embed> element"]),
    Case("svg image with file href", {"posts/a.md": _post('<svg><image href="file:///etc/passwd"/></svg>')}, 0,
         ["posts/a.md:5: warning: removed <svg> element", "posts/a.md:5: warning: removed <image> element"]),
    Case("missing local image", {"posts/a.md": _post("Text\n\n![gone](img/gone.png)")}, 1,
         ["posts/a.md:7: image 'img/gone.png' not found (or build with --missing-images placeholder)"]),
    Case("text file named png", {"posts/a.md": _post("![t](fake.png)"), "posts/fake.png": "not an image"}, 1,
         ["posts/a.md:5: image 'fake.png' is not an image WeasyPrint can read (PNG, JPEG, GIF, WebP or SVG)"]),
    Case("decompression bomb", {"posts/a.md": _post("![b](bomb.png)"), "posts/bomb.png": _png(40000, 40000)}, 1,
         ["posts/a.md:5: image 'bomb.png' is over the limit of 50 megapixels"]),
    Case("image without alt text", {"posts/a.md": _post("![](ok.png)"), "posts/ok.png": _real_png()}, 0,
         ["posts/a.md:5: warning: image 'ok.png' has no alt text for readers who cannot see it"]),
    Case("image without credit", {"posts/a.md": _post("![i](ok.png)", "title: T"), "posts/ok.png": _real_png()},
         0, ["posts/a.md: warning: shows image 'posts/ok.png' but carries no credit for it"]),
    Case("100-level nested list", {"posts/a.md": _post("".join("  " * i + "- x\n" for i in range(100)))}, 1,
         ["posts/a.md:35: lists or quotes nested 31 levels deep (limit 30)"]),
    Case("10 MB paragraph", {"posts/a.md": _post("word " * 2_000_000)}, 1,
         ["posts/a.md: file is 10,000,046 bytes, over the limit of 196,608 bytes"]),
    Case("pathological emphasis", {"posts/a.md": _post("*a" * 50_000)}, 1,
         ["posts/a.md:5: paragraph has over 2,000 emphasis, link or HTML markers; split it or escape them"]),
    Case("template syntax is text", {"posts/a.md": _post("{{ 7*7 }} {% raw %} {{ ''.__class__ }}")}, 0, [],
         pdf_contains="{{ 7*7 }} {% raw %}"),
    Case("markup in title", {"posts/a.md": _post("Body", "title: 'Title <em>With</em> </title><script>'")}, 0,
         [], pdf_contains="Title <em>With</em>"),
    Case("unknown manifest key", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:4: unknown key 'theme' (known keys: title, author, chapters, subtitle, language, date, "
          "page_size, credits, missing_images, edition, cover_image, cover_credit, budget_scale)"], manifest=MANIFEST + 'theme = "dark"\n'),
    Case("unknown post format", {"posts/a.rst": "Title\n"}, 1,
         ["posts/a.rst: unknown post format '.rst' (known: .markdown, .md, .txt)"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/a.rst"]\n'),
    Case("output is a directory", {"posts/a.md": _post("B")}, 1,
         ["{out}: output path is a folder; name a PDF file"], setup=_output_is_dir),
    Case("output folder missing", {"posts/a.md": _post("B")}, 1,
         ["{out_missing}: output folder '{out_missing_parent}' does not exist"], args=["-o", "{out_missing}"]),
    Case("output read-only", {"posts/a.md": _post("B")}, 1, ["{out}: output path is not writable"],
         setup=_output_read_only),
    Case("output is a source", {"posts/a.md": _post("B")}, 1,
         ["{project}/posts/a.md: output path is one of the guide's sources"], args=["-o", "{project}/posts/a.md"]),
    Case("output holds another file", {"posts/a.md": _post("B")}, 1,
         ["{out}: output path holds a file guide did not write; use --force to overwrite it"], setup=_output_not_pdf),
    Case("style imports a file outside", {"posts/a.md": _post("B"), "extra.css": '@import url("file://{outside}/x.css");'},
         1, ["extra.css:1: refused to load file://{outside}/x.css: it is outside the project folder or does not exist"],
         args=["--style", "extra.css"]),
]  # fmt: skip


def _alias_bomb() -> str:
    """Nine levels of nine aliases each: a few hundred bytes that expand to 387 million strings."""
    lines = ["  a: &a [" + ",".join(["x"] * 9) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "title: T\ndate:\n" + "\n".join(lines)


def _manifest(extra: str) -> str:
    return MANIFEST + extra


# Issue 11: every input within the budgets of guide/limits.py, or one located line before the expensive step.
BUDGET_CASES = [
    Case("yaml alias bomb", {"posts/a.md": _post("Body", _alias_bomb())}, 1,
         ["posts/a.md:4: front matter: anchors and aliases are not allowed (quote a value that begins with '&' or '*')"]),
    Case("yaml anchor alone", {"posts/a.md": _post("Body", "title: &t T\nauthor: *t")}, 1,
         ["posts/a.md:2: front matter: anchors and aliases are not allowed (quote a value that begins with '&' or '*')"]),
    Case("yaml 30,000-deep flow list", {"posts/a.md": _post("B", "title: T\ndate: " + "[" * 30000 + "]" * 30000)},
         1, ["posts/a.md:3: front matter: lists or mappings nested over 16 levels deep"]),
    Case("front matter over 64 KB (a 100 KB title)", {"posts/a.md": _post("B", "title: " + "T" * 100_000)}, 1,
         ["posts/a.md:2: front matter is over the limit of 65,536 bytes"]),
    Case("title over 500 characters", {"posts/a.md": _post("B", "title: " + "T" * 600)}, 1,
         ["posts/a.md:2: 'title' is 600 characters long (limit 500)"]),
    Case("text post with a 100 KB title line", {"posts/a.txt": "T" * 100_000 + "\n\nBody\n"}, 1,
         ["posts/a.txt:1: title line is 100,000 characters long (limit 500)"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/a.txt"]\n'),
    Case("long value in a message is clipped and typed", {"posts/a.md": _post("B", "title: T\ndate: " + "x" * 3000)},
         1, ["posts/a.md:3: 'date' must be YYYY-MM-DD (got '" + "x" * 79 + "'… (a str of 3,000 characters))"]),
    Case("list value in a message is named by type", {"posts/a.md": _post("B", "title: T\ndate: [1, 2, 3]")}, 1,
         ["posts/a.md:3: 'date' must be YYYY-MM-DD (got a list of 3 items)"]),
    Case("6,000 footnotes", {"posts/a.md": _post("".join(f"[^{i}]: note\n" for i in range(6_000)))}, 1,
         ["posts/a.md:505: post has over 500 footnotes; split it"]),
    Case("5,000 headings", {"posts/a.md": _post("# Heading\n" * 5_000)}, 1,
         ["posts/a.md:1005: post has over 1,000 headings; split it"]),
    Case("one huge table block", {"posts/a.md": _post("| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 3_000)}, 1,
         ["posts/a.md:5: table has over 5,000 cells; split it"]),
    Case("20,000 paragraphs", {"posts/a.md": _post("Para.\n\n" * 20_000)}, 1,
         ["posts/a.md:10005: post has over 5,000 paragraphs, items and headings; split it"]),
    Case("toml 100,000-deep array", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:4: arrays, tables or dotted keys nested over 16 levels deep; flatten them"],
         manifest=_manifest("x = " + "[" * 100_000 + "]" * 100_000 + "\n")),
    Case("toml 100,000-deep inline table", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:4: arrays, tables or dotted keys nested over 16 levels deep; flatten them"],
         manifest=_manifest("x = " + "{a=" * 50_000 + "1" + "}" * 50_000 + "\n")),
    Case("toml dotted key of 100,000 parts", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:4: arrays, tables or dotted keys nested over 16 levels deep; flatten them"],
         manifest=_manifest(".".join(["a"] * 100_000) + " = 1\n")),
    Case("toml brackets inside strings are text", {"posts/a.md": _post("B")}, 0, [],
         manifest=_manifest('subtitle = "' + "[{." * 40 + '"\n'), pdf_contains="[{.[{."),
    Case("guide.toml over 256 KB", {"posts/a.md": _post("B")}, 1,
         ["guide.toml: file is 300,065 bytes, over the limit of 262,144 bytes"],
         manifest=_manifest("# " + "x" * 300_000 + "\n")),
    Case("301 chapters", {"posts/a.md": _post("B")}, 1, ["guide.toml:3: 'chapters' lists 301 posts (limit 300); split the guide or raise budget_scale in guide.toml"],
         manifest='title = "H"\nauthor = "T"\nchapters = [' + ", ".join(['"posts/a.md"'] * 301) + "]\n"),
    Case("budget_scale past 8", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: 'budget_scale' must be a whole number from 1 to 8 (got 9)"],
         manifest='title = "H"\nauthor = "T"\nbudget_scale = 9\nchapters = ["posts/a.md"]\n'),
    Case("budget_scale = 2 takes 601 chapters to the doubled limit", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:4: 'chapters' lists 601 posts (limit 600); split the guide or raise budget_scale in guide.toml"],
         manifest='title = "H"\nauthor = "T"\nbudget_scale = 2\nchapters = [' + ", ".join(['"posts/a.md"'] * 601) + "]\n"),
    Case("chapters over 512 KB together",
         {"posts/a.md": _post("word " * 36_000), "posts/b.md": _post("word " * 36_000),
          "posts/c.md": _post("word " * 36_000)}, 1,
         ["guide.toml:5: the chapters up to 'posts/c.md' add up to over 524,288 bytes; split the guide or raise budget_scale in guide.toml"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/a.md",\n"posts/b.md",\n"posts/c.md"]\n'),
    Case("post over 192 KB", {"posts/a.md": _post("word " * 40_000)}, 1,
         ["posts/a.md: file is 200,046 bytes, over the limit of 196,608 bytes"]),
]  # fmt: skip
CASES += BUDGET_CASES


def _tables(count: int, rows: int) -> str:
    """`count` Markdown tables of two columns and `rows` body rows each, a blank line between them."""
    return "\n\n".join("| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * rows for _ in range(count))


def _large_png() -> bytes:
    """A real 7,000 x 7,000 PNG: 49 megapixels, just inside the per-image limit, 6 KB on disk."""
    stream = io.BytesIO()
    Image.new("1", (7_000, 7_000)).save(stream, "PNG")
    return stream.getvalue()


LARGE_PNG = _large_png()
TWO_POSTS = 'title = "H"\nauthor = "T"\nchapters = ["posts/a.md", "posts/b.md"]\n'

# The budget promise: what typesetting pays for is counted over the whole guide, however it is written.
GUIDE_BUDGET_CASES = [
    Case("table cells over 5,000 across the guide",
         {"posts/a.md": _post(_tables(1, 1_999)), "posts/b.md": _post(_tables(1, 1_999))}, 1,
         ["posts/b.md:506: the guide's tables add up to over 5,000 cells; shorten them, split the guide or raise budget_scale in guide.toml"],
         manifest=TWO_POSTS),
    Case("footnotes over 500 across the guide",
         {"posts/a.md": _post("".join(f"x[^{i}]\n\n" for i in range(300)) + "".join(f"[^{i}]: n\n" for i in range(300))),
          "posts/b.md": _post("".join(f"x[^{i}]\n\n" for i in range(300)) + "".join(f"[^{i}]: n\n" for i in range(300)))},
         1, ["posts/b.md:405: the guide has over 500 footnotes (with the print edition's address notes); "
             "shorten them, split the guide or raise budget_scale in guide.toml"], manifest=TWO_POSTS),
    Case("print edition's address notes count as footnotes",
         {"posts/a.md": _post("".join(f"[l](https://e.test/{i})\n\n" for i in range(600)))}, 1,
         ["posts/a.md:1005: the guide has over 500 footnotes (with the print edition's address notes); "
          "shorten them, split the guide or raise budget_scale in guide.toml"], args=["--edition", "print"]),
    Case("blocks over 10,000 across the guide",
         {"posts/a.md": _post("Para.\n\n" * 4_000), "posts/b.md": _post("Para.\n\n" * 4_000),
          "posts/c.md": _post("Para.\n\n" * 4_000)}, 1,
         ["posts/c.md:3977: the guide has over 10,000 paragraphs, list items, headings and other blocks; shorten "
          "them, split the guide or raise budget_scale in guide.toml"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/a.md", "posts/b.md", "posts/c.md"]\n'),
    Case("elements over 15,000 in one post (emphasis)", {"posts/a.md": _post("\n\n".join(["*a* " * 400] * 40))}, 1,
         ["posts/a.md:79: the post has over 15,000 elements (paragraphs, emphasis, links, cells…); shorten it or split "
          "it"]),
    Case("elements over 30,000 across the guide",
         {f"posts/{name}.md": _post("\n\n".join(["*a* " * 400] * 30)) for name in "abc"}, 1,
         ["posts/c.md:33: the guide has over 30,000 elements (paragraphs, emphasis, links, cells…); shorten them, "
          "split the guide or raise budget_scale in guide.toml"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/a.md", "posts/b.md", "posts/c.md"]\n'),
    Case("author style of 3,400 sibling selectors (took 2 min 19 s of CPU on 2,000 paragraphs)",
         {"posts/a.md": _post("B"), "s.css": "".join(f"p ~ p ~ p ~ p ~ p ~ p:not(.c{i}) {{ color: red }}\n"
                                                   for i in range(3_400))}, 1,
         ["s.css:34: the stylesheets' selectors have over 200 parts (each is matched against every element); "
          "simplify them"], args=["--style", "s.css"]),
    Case("selectors of a stylesheet the author's imports count too",
         {"posts/a.md": _post("B"), "s.css": '@import "more.css";\np { color: red }\n',
          "more.css": "".join(f"p ~ p ~ p ~ p ~ p ~ p:not(.c{i}) {{ color: red }}\n" for i in range(40))}, 1,
         ["more.css:34: the stylesheets' selectors have over 200 parts (each is matched against every element); "
          "simplify them"], args=["--style", "s.css"]),
    Case("an import in a --style resolves against the project, as the typesetter loads it (not the style's folder)",
         {"posts/a.md": _post("B"), "posts/s.css": '@import "more.css";\n', "posts/more.css": "p { color: red }",
          "more.css": "".join(f"p ~ p ~ p ~ p ~ p ~ p:not(.c{i}) {{ color: red }}\n" for i in range(40))}, 1,
         ["more.css:34: the stylesheets' selectors have over 200 parts (each is matched against every element); "
          "simplify them"], args=["--style", "posts/s.css"]),
    Case("a declaration WeasyPrint ignores in the --style file or a file it imports is warned at its own file and line",
         {"posts/a.md": _post("B"), "s.css": '@import "more.css";\np { colr: red }\n',
          "more.css": "\n\nh2 { margin: banana }\n"}, 0,
         ["s.css:2: warning: css: Ignored `colr: red `, unknown property.",
          "more.css:3: warning: css: Ignored `margin: banana `, invalid value."], args=["--style", "s.css"]),
    Case("--strict: an ignored declaration in the author's style is an error",
         {"posts/a.md": _post("B"), "s.css": "p { colr: red }\n"}, 1,
         ["s.css:1: warning: css: Ignored `colr: red `, unknown property."], args=["--style", "s.css", "--strict"]),
    Case("a refusal of an address in a stylesheet the --style file imports names that file and line",
         {"posts/a.md": _post("B"), "s.css": '@import "posts/more.css";\n',
          "posts/more.css": '\n\nbody { background: url("../../outside/x.png") }\n'}, 1,
         ["posts/more.css:3: refused to load {outside_uri}/x.png: it is outside the project folder or does not exist"],
         args=["--style", "s.css"]),
    Case("author style importing 21 stylesheets",
         {"posts/a.md": _post("B"), "s.css": "".join(f'@import "i{i}.css";\n' for i in range(21)),
          **{f"i{i}.css": "p { color: red }" for i in range(21)}}, 1,
         ["s.css:21: the stylesheet imports over 20 stylesheets; merge them"], args=["--style", "s.css"]),
    Case("images over 250 megapixels across the guide (six of 49)",
         {"posts/a.md": _post("".join(f"![p](p{i}.png)\n\n" for i in range(3))),
          "posts/b.md": _post("".join(f"![p](p{i}.png)\n\n" for i in range(3, 6))),
          **{f"posts/p{i}.png": LARGE_PNG for i in range(6)}}, 1,
         ["posts/b.md:9: the guide's images add up to over 250 megapixels; use smaller images"], manifest=TWO_POSTS),
    Case("one image shown twice is counted once",
         {"posts/a.md": _post("".join("![p](p0.png)\n\n" for _ in range(6))), "posts/p0.png": LARGE_PNG}, 0, []),
]  # fmt: skip
CASES += GUIDE_BUDGET_CASES

# Issue 11 item 3: the per-table budget counts the cells the tables extension makes, nothing else.
TABLE_ROW = "| 1 | 2 |\n"
MARKDOWN_TABLE_CASES = [
    ("pipes in a closed fence are code", "```\n" + TABLE_ROW * 3_000 + "```\n", None),
    ("pipes in a tilde fence are code", "~~~~\n| a | b |\n|---|---|\n" + TABLE_ROW * 3_000 + "~~~~~\n", None),
    ("escaped pipes in a paragraph make no table", "a \\| b \\| c\n" * 2_000, None),
    ("pipes in code spans make no table", "`a|b|c|d`\n\n" * 2_000, None),
    ("5,000 cells exactly", "| a | b |\n|---|---|\n" + TABLE_ROW * 2_499, None),
    ("5,002 cells", "| a | b |\n|---|---|\n" + TABLE_ROW * 2_500, "a.md:1: table has over 5,000 cells; split it"),
    ("an escaped pipe in a cell is no column", "| a | b |\n|---|---|\n" + "| 1 \\| 2 | 3 |\n" * 2_499, None),
    ("a wide header makes every row wide", "|" * 600 + "\n" + "|---" * 599 + "|\n" + "| x |\n" * 9,
     "a.md:1: table has over 5,000 cells; split it"),
    ("a table in a list item", "- | a | b |\n  |---|---|\n" + "  " + TABLE_ROW * 2_600,
     "a.md:1: table has over 5,000 cells; split it"),
    ("a table in a quote", "> | a | b |\n> |---|---|\n" + "> " + TABLE_ROW * 2_600,
     "a.md:1: table has over 5,000 cells; split it"),
    ("an unclosed fence hides no table", "```\n\n| a | b |\n|---|---|\n" + TABLE_ROW * 2_600,
     "a.md:3: table has over 5,000 cells; split it"),
    ("a shorter fence does not close a longer one", "````\n```\n\n| a | b |\n|---|---|\n" + TABLE_ROW * 2_600,
     "a.md:4: table has over 5,000 cells; split it"),
    ("10 unclosed fences", "".join("~" * (20 - i) + "\n\n" for i in range(10)), None),
    ("11 unclosed fences (each costs the converter a scan of the rest)",
     "".join("~" * (20 - i) + "\n\n" for i in range(11)) + "\n" * 200_000,
     "a.md:21: post has over 10 code fences that are never closed; close them"),
]  # fmt: skip


@pytest.mark.parametrize("case", MARKDOWN_TABLE_CASES, ids=[c[0] for c in MARKDOWN_TABLE_CASES])
def test_markdown_table_cells(case: tuple[str, str, str | None]) -> None:
    from guide.errors import GuideError  # noqa: PLC0415
    from guide.sources.limits import check_markdown_limits  # noqa: PLC0415

    _, body, refusal = case
    if refusal is None:
        check_markdown_limits(body, "a.md")
        return
    with pytest.raises(GuideError) as raised:
        check_markdown_limits(body, "a.md")
    assert [str(d) for d in raised.value.diagnostics] == [refusal]


def _bomb_png() -> bytes:
    """A real 12,000 x 12,000 PNG (144 megapixels) of 17 KB: cheap to send, 1.3 GB to decode."""
    stream = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(stream, "PNG")
    return stream.getvalue()


BOMB_PNG = _bomb_png()
BOMB_URI = "data:image/png;base64," + base64.b64encode(BOMB_PNG).decode()
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">'
LAUGHS_SVG = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    + SVG_OPEN
    + "<text>&b;</text></svg>"
)

# Issue 11 item 2: a data: URI, an SVG's <image> and a stylesheet's url() pass the same gate as a file.
IMAGE_CASES = [
    Case("data: png of 144 megapixels", {"posts/a.md": _post(f"![bomb]({BOMB_URI})")}, 1,
         [f"posts/a.md:5: data: image ({len(BOMB_URI):,} characters) is over the limit of 50 megapixels"]),
    Case("data: uri with broken base64", {"posts/a.md": _post("![b](data:image/png;base64,iVBOR%%%)")}, 1,
         ["posts/a.md:5: data: image (30 characters) is not a valid data: URI (bad base64)"]),
    Case("data: uri that is not an image", {"posts/a.md": _post("![b](data:image/png;base64,aGVsbG8=)")}, 1,
         ["posts/a.md:5: data: image (30 characters) is not an image WeasyPrint can read "
          "(PNG, JPEG, GIF, WebP or SVG)"]),
    Case("svg embedding a data: bomb", {"posts/a.md": _post("![d](d.svg)"),
                                        "posts/d.svg": f'{SVG_OPEN}<image xlink:href="{BOMB_URI}"/></svg>'}, 1,
         [f"posts/d.svg:1: data: image ({len(BOMB_URI):,} characters) is over the limit of 50 megapixels"]),
    Case("svg embedding a bomb file", {"posts/a.md": _post("![d](d.svg)"), "posts/bomb.png": BOMB_PNG,
                                       "posts/d.svg": f'{SVG_OPEN}<image xlink:href="bomb.png"/></svg>'}, 1,
         ["posts/d.svg:1: image 'bomb.png' is over the limit of 50 megapixels"]),
    Case("svg with entities (billion laughs)", {"posts/a.md": _post("![d](d.svg)"), "posts/d.svg": LAUGHS_SVG},
         1, ["posts/a.md:5: image 'd.svg' is an SVG with a DOCTYPE, which a guide does not load "
             "(entities, external files)"]),
    Case("svg nested 100 deep", {"posts/a.md": _post("![d](d.svg)"),
                                 "posts/d.svg": SVG_OPEN + "<g>" * 100 + "</g>" * 100 + "</svg>"}, 1,
         ["posts/a.md:5: image 'd.svg' is an SVG nested over 64 levels deep"]),
    Case("svg nested 10,000 deep", {"posts/a.md": _post("![d](d.svg)"),
                                    "posts/d.svg": SVG_OPEN + "<g>" * 10_000 + "</g>" * 10_000 + "</svg>"}, 1,
         ["posts/a.md:5: image 'd.svg' is an SVG nested over 64 levels deep"]),
    Case("stylesheet url() bomb", {"posts/a.md": _post("B"), "extra.css": f'body {{ background: url("{BOMB_URI}") }}'},
         1, [f"extra.css:1: data: image ({len(BOMB_URI):,} characters) is over the limit of 50 megapixels"],
         args=["--style", "extra.css"]),
]  # fmt: skip
CASES += IMAGE_CASES


def _fifo_chapter(project: Path, output: Path) -> None:
    (project / "posts" / "a.md").unlink()
    os.mkfifo(project / "posts" / "a.md")


def _fifo_output(project: Path, output: Path) -> None:
    output.unlink()
    os.mkfifo(output)


def _style_outside(project: Path, output: Path) -> None:
    (project.parent / "outside" / "extra.css").write_text("p { color: black }")
    (project.parent / "outside" / "pic.svg").write_text(f"{SVG_OPEN}<text>{CANARY}</text></svg>")


SVG_PULLING_OUTSIDE = f'{SVG_OPEN}<image xlink:href="{{outside_uri}}/pic.svg" width="9" height="9"/></svg>'

# Issue 11 items 3 and 4: one sandbox door; paths and messages that stay one line.
SANDBOX_CASES = [
    Case("style outside the project adds no root", {"posts/a.md": _post("![d](d.svg)"),
                                                    "posts/d.svg": SVG_PULLING_OUTSIDE}, 1,
         ["posts/a.md:5: refused to load {outside_uri}/pic.svg: it is outside the project folder or does not exist"],
         args=["--style", "{outside}/extra.css"], setup=_style_outside),
    Case("style is never the output, even with --force", {"posts/a.md": _post("B")}, 1,
         ["{outside}/extra.css: output path is one of the guide's sources"],
         args=["--style", "{outside}/extra.css", "-o", "{outside}/extra.css", "--force"], setup=_style_outside),
    Case("an image is never the output, even with --force", {"posts/a.md": _post("![i](i.PDF)"),
                                                             "posts/i.PDF": _real_png()}, 1,
         ["{project}/posts/i.PDF: output path is one of the guide's sources"],
         args=["-o", "{project}/posts/i.PDF", "--force"]),
    Case("svg sub-resource refusal names the post showing that svg",
         {"posts/a.md": _post("![d](d.svg)\n\n![e](e.svg)"), "posts/d.svg": f"{SVG_OPEN}</svg>",
          "posts/e.svg": f'{SVG_OPEN}<image xlink:href="../../outside/secret.png"/></svg>'}, 1,
         ["posts/a.md:7: refused to load file://{outside}/secret.png: it is outside the project folder or does not "
          "exist"]),
    Case("failure inside an svg is located and has a reason",
         {"posts/a.md": _post("![d](d.svg)"),
          "posts/d.svg": f'{SVG_OPEN}<image xlink:href="data:image/png;base64,iVBORw0KGgo="/></svg>'}, 1,
         ["posts/d.svg:1: data: image (34 characters) is not an image WeasyPrint can read "
          "(PNG, JPEG, GIF, WebP or SVG)"]),
    Case("chapter path with NUL", {"posts/a.md": _post("B")}, 1,
         ['guide.toml:3: chapter "posts/a\\u0000.md" holds the control character U+0000'],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/a\\u0000.md"]\n'),
    Case("chapter path with a newline stays one line", {"posts/a.md": _post("B")}, 1,
         ['guide.toml:3: chapter "posts/a\\n.md" holds the control character U+000A'],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/a\\n.md"]\n'),
    Case("chapter name of 5,000 characters", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter '" + "x" * 79 + "'… (a string of 5,003 characters) is 5,003 characters long "
          "(limit 1,024)"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["' + "x" * 5000 + '.md"]\n'),
    Case("chapter name of 300 bytes", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter 'posts/" + "é" * 73 + "'… (a string of 159 characters) has a name of 303 bytes "
          "(limit 255)"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/' + "é" * 150 + '.md"]\n'),
    Case("chapter that is a pipe", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter 'posts/a.md' is not a regular file (a device, pipe or socket)"], setup=_fifo_chapter),
    Case("image path with an escaped NUL", {"posts/a.md": _post("![i](i%00.png)")}, 1,
         ["posts/a.md:5: image 'i%00.png' holds the control character U+0000"]),
    Case("image name of 5,000 characters", {"posts/a.md": _post("![i](" + "x" * 5000 + ".png)")}, 1,
         ["posts/a.md:5: image '" + "x" * 79 + "'… (a str of 5,004 characters) is 5,010 characters long (limit 1,024)"]),
    Case("output path with a newline stays one line", {"posts/a.md": _post("B")}, 1,
         ["{out_dir}/a\\nb.pdf: output path holds the control character U+000A"], args=["-o", "{out_dir}/a\nb.pdf"]),
    Case("output name of 300 characters", {"posts/a.md": _post("B")}, 1,
         ["{out_dir}/" + "x" * 300 + ".pdf: output path has a name of 304 bytes (limit 255)"],
         args=["-o", "{out_dir}/" + "x" * 300 + ".pdf"]),
    Case("output that is a pipe, even with --force", {"posts/a.md": _post("B")}, 1,
         ["{out}: output path is not a regular file (a device, pipe or socket)"], args=["--force"],
         setup=_fifo_output),
    Case("style that is a pipe", {"posts/a.md": _post("B")}, 1,
         ["{project}/s.css: is not a regular file (a device, pipe or socket)"], args=["--style", "{project}/s.css"],
         setup=lambda project, output: os.mkfifo(project / "s.css")),
    Case("zero-width space in the author", {"posts/a.md": _post("B", "title: T\nauthor: Jo\u200bhn")}, 0,
         ["posts/a.md:3: warning: 'author' holds invisible or text-reversing characters (U+200B); they reach the "
          "PDF's metadata as they are"]),
    Case("bidi override in the guide's title", {"posts/a.md": _post("B")}, 0,
         ["guide.toml:1: warning: 'title' holds invisible or text-reversing characters (U+202E); they reach the "
          "PDF's metadata as they are"], manifest='title = "H\u202eX"\nauthor = "T"\nchapters = ["posts/a.md"]\n'),
    Case("control character in a message is escaped", {"posts/a.md": _post("B", "title: T\ndate: \"2024\\e[31m\"")},
         1, ["posts/a.md:3: 'date' must be YYYY-MM-DD (got '2024\\x1b[31m')"]),
]  # fmt: skip
CASES += SANDBOX_CASES


def _link(name: str, target: str) -> Callable[[Path, Path], None]:
    """Setup: a symlink at `name` in the project to `target` beside it (in ../outside)."""
    return lambda project, output: (project / name).symlink_to(project.parent / "outside" / target)


def _style_link(project: Path, output: Path) -> None:
    (project.parent / "outside" / "style.css").write_text(
        '@import "x.css";\nbody { background: url("secret.png") }'
    )
    (project / "s.css").symlink_to(project.parent / "outside" / "style.css")


SVG_FILE_IMAGE = SVG_OPEN + '<image xlink:href="{outside_uri}/secret.png" width="9" height="9"/></svg>'

# Issue 11 item 4: side doors out of the project, each tried once.
SIDE_DOOR_CASES = [
    Case("image that is a symlink to a file outside", {"posts/a.md": _post("![i](i.png)")}, 1,
         ["posts/a.md:5: image 'i.png' lies outside the project folder"], setup=_link("posts/i.png", "secret.png")),
    Case("image through a folder symlinked outside", {"posts/a.md": _post("![i](d/secret.png)")}, 1,
         ["posts/a.md:5: image 'd/secret.png' lies outside the project folder"], setup=_link("posts/d", "")),
    Case("chapter through a folder symlinked outside", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter 'posts/d/secret.md' lies outside the project folder"], setup=_link("posts/d", ""),
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/d/secret.md"]\n'),
    Case("chapter through a symlinked folder and ..", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter 'posts/d/../outside/secret.md' lies outside the project folder"],
         setup=_link("posts/d", "secret.png"),
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/d/../outside/secret.md"]\n'),
    Case("chapter path leaving the project and coming back", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter '../project/posts/a.md' lies outside the project folder"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["../project/posts/a.md"]\n'),
    Case("chapter path with .. that stays inside", {"posts/a.md": _post("B")}, 0, [],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/../posts/./a.md"]\n', pdf_contains="A Post"),
    Case("image path leaving the project and coming back", {"posts/a.md": _post("![i](../../project/posts/i.png)"),
                                                            "posts/i.png": _real_png()}, 1,
         ["posts/a.md:5: image '../../project/posts/i.png' lies outside the project folder"]),
    Case("cover image leaving the project and coming back", {"posts/a.md": _post("B"), "c.png": _real_png()}, 1,
         ["guide.toml:3: cover image '../project/c.png' lies outside the project folder"],
         manifest='title = "H"\nauthor = "T"\ncover_image = "../project/c.png"\nchapters = ["posts/a.md"]\n'),
    Case("windows-style chapter path", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter 'posts\\a.md' not found; separate folders with '/', not '\\'"],
         manifest='title = "H"\nauthor = "T"\nchapters = [\'posts\\a.md\']\n'),
    Case("windows-style path out of the project", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter '..\\outside\\secret.md' not found; separate folders with '/', not '\\'"],
         manifest='title = "H"\nauthor = "T"\nchapters = [\'..\\outside\\secret.md\']\n'),
    Case("windows drive path", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter 'C:\\Windows\\win.ini' not found; separate folders with '/', not '\\'"],
         manifest='title = "H"\nauthor = "T"\nchapters = [\'C:\\Windows\\win.ini\']\n'),
    Case("windows-style image path out of the project", {"posts/a.md": _post('<img src="..\\..\\outside\\secret.png" alt="s">')},
         1, ["posts/a.md:5: image '..\\\\..\\\\outside\\\\secret.png' not found (or build with --missing-images placeholder)"]),
    Case("svg <style> @import of a file outside (url() of a string: refused too)",
         {"posts/a.md": _post("![s](s.svg)"),
          "posts/s.svg": SVG_OPEN + '<style>@import url("{outside_uri}/x.css");</style><text y="9">t</text></svg>'}, 1,
         ["posts/a.md:5: image 's.svg' is an SVG whose <style> imports '{outside_uri}/x.css' (line 1); an SVG in a "
          "guide loads no stylesheet: copy the rules into its <style>"]),
    Case("svg <style> @import of a file outside (bare: was 'the file is damaged')",
         {"posts/a.md": _post("![s](s.svg)"),
          "posts/s.svg": SVG_OPEN + "<style>@import url({outside_uri}/x.css);</style><text y=\"9\">t</text></svg>"}, 1,
         ["posts/a.md:5: image 's.svg' is an SVG whose <style> imports '{outside_uri}/x.css' (line 1); an SVG in a "
          "guide loads no stylesheet: copy the rules into its <style>"]),
    Case("svg <style> url() of a file outside",
         {"posts/a.md": _post("![s](s.svg)"), "posts/s.svg": SVG_OPEN + '<style>rect { fill: url("{outside_uri}/'
          'secret.png") }</style><rect width="9" height="9" style="fill: url({outside_uri}/secret.png)"/></svg>'},
         0, []),
    Case("svg <style> @font-face from outside",
         {"posts/a.md": _post("![s](s.svg)"), "posts/s.svg": SVG_OPEN + '<style>@font-face { font-family: X; src: '
          'url("{outside_uri}/secret.png") } text { font-family: X }</style><text y="9">t</text></svg>'}, 1,
         ["posts/s.svg:1: warning: typesetting: Font-face 'X' cannot be loaded",
          "posts/a.md:5: refused to load file://{outside}/secret.png: it is outside the project folder or does not "
          "exist"]),
    Case("svg xml-stylesheet from outside",
         {"posts/a.md": _post("![s](s.svg)"),
          "posts/s.svg": '<?xml-stylesheet href="{outside_uri}/x.css"?>' + SVG_OPEN + "<text>t</text></svg>"}, 0, []),
    Case("svg xlink:href to a file: url outside", {"posts/a.md": _post("![s](s.svg)"), "posts/s.svg": SVG_FILE_IMAGE},
         1, ["posts/a.md:5: refused to load file://{outside}/secret.png: it is outside the project folder or does not "
             "exist"]),
    Case("svg feImage from outside", {"posts/a.md": _post("![s](s.svg)"), "posts/s.svg": SVG_OPEN +
                                      '<filter id="f"><feImage xlink:href="{outside_uri}/secret.png"/></filter>'
                                      '<rect filter="url(#f)" width="9" height="9"/></svg>'}, 0, []),
    Case("font-face from outside in the author's style", {"posts/a.md": _post("B"),
                                                           "s.css": "@font-face { font-family: X; src: url("
                                                                    "'{outside_uri}/secret.png') } body { font-family: X }"},
         1, ["s.css:1: warning: typesetting: Font-face 'X' cannot be loaded",
             "s.css:1: refused to load file://{outside}/secret.png: it is outside the project folder or does not "
             "exist"], args=["--style", "s.css"]),
    Case("style that is a symlink to a file outside: read as text, its urls resolved beside the link",
         {"posts/a.md": _post("B")}, 1,
         ["s.css:1: refused to load file://{project}/x.css: it is outside the project folder or does not exist",
          "s.css:2: refused to load file://{project}/secret.png: it is outside the project folder or does not exist"],
         args=["--style", "s.css"], setup=_style_link),
]  # fmt: skip
CASES += SIDE_DOOR_CASES

# Issue 11 (budgets): a value from guide.toml is echoed as TOML spells it, never as Python does.
TOML_SPELLING_CASES = [
    Case("budget_scale = true (was 'got True')", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: 'budget_scale' must be a whole number from 1 to 8 (got true)"],
         manifest='title = "H"\nauthor = "T"\nbudget_scale = true\nchapters = ["posts/a.md"]\n'),
    Case("missing_images = false", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: 'missing_images' must be 'error' or 'placeholder' (got false)"],
         manifest='title = "H"\nauthor = "T"\nmissing_images = false\nchapters = ["posts/a.md"]\n'),
    Case("language as an array", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: 'language' must be a language tag like 'en' or 'pt-BR' (got an array of 2 items)"],
         manifest='title = "H"\nauthor = "T"\nlanguage = ["en", "de"]\nchapters = ["posts/a.md"]\n'),
    Case("page_size with a quote is a basic string", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: 'page_size' must be one of A4, A5, Letter (got \"A5'\")"],
         manifest='title = "H"\nauthor = "T"\npage_size = "A5\'"\nchapters = ["posts/a.md"]\n'),
    Case("chapter entry that is a table", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter entries must be file paths (got a table of 1 key)"],
         manifest='title = "H"\nauthor = "T"\nchapters = [{path = "posts/a.md"}]\n'),
]  # fmt: skip
CASES += TOML_SPELLING_CASES


def _rgba_png(width: int, height: int) -> bytes:
    stream = io.BytesIO()
    Image.new("RGBA", (width, height)).save(stream, "PNG")
    return stream.getvalue()


RGBA_36MP = _rgba_png(6_000, 6_000)
"""36 megapixels with transparency: under 50 megapixels, 275 MB as WeasyPrint decodes and splits it."""


def _svg_images(*hrefs: str) -> str:
    return (
        SVG_OPEN
        + "".join(f'\n<image xlink:href="{href}" width="9" height="9"/>' for href in hrefs)
        + "\n</svg>"
    )


SIX_LARGE = {f"posts/p{i}.png": LARGE_PNG for i in range(6)}
# Issue 11 (budgets): every image, whatever asks for it (a post, an SVG, the author's stylesheet or a project
# stylesheet it imports), passes one gate and counts once towards one guide-wide budget, before layout.
IMAGE_ROUTE_CASES = [
    Case("images inside svgs count towards the guide's 250 megapixels, even with --jobs 2",
         {"posts/a.md": _post("![d](d.svg)"), "posts/b.md": _post("![e](e.svg)"), **SIX_LARGE,
          "posts/d.svg": _svg_images("p0.png", "p1.png", "p2.png"),
          "posts/e.svg": _svg_images("p3.png", "p4.png", "p5.png")}, 1,
         ["posts/e.svg:4: the guide's images add up to over 250 megapixels; use smaller images"],
         manifest=TWO_POSTS, args=["--jobs", "2"]),
    Case("stylesheet url() images count towards the same budget",
         {"posts/a.md": _post("B"), **SIX_LARGE,
          "s.css": "".join(f"h{i + 1} {{ background: url(posts/p{i}.png) }}\n" for i in range(6))}, 1,
         ["s.css:6: the guide's images add up to over 250 megapixels; use smaller images"], args=["--style", "s.css"]),
    Case("a post's, an svg's and a stylesheet's images add up together",
         {"posts/a.md": _post("![p](p0.png)\n\n![p](p1.png)\n\n![d](d.svg)"), **SIX_LARGE,
          "posts/d.svg": _svg_images("p2.png", "p3.png"),
          "s.css": "p { background: url(posts/p4.png) }\nli { background: url('posts/p5.png') }\n"}, 1,
         ["s.css:2: the guide's images add up to over 250 megapixels; use smaller images"], args=["--style", "s.css"]),
    Case("the same image by three routes is counted once",
         {"posts/a.md": _post("![p](p0.png)\n\n![d](d.svg)"), "posts/p0.png": LARGE_PNG,
          "posts/d.svg": _svg_images("p0.png", "p0.png"), "s.css": "p { background: url(posts/p0.png) }"}, 0, [],
         args=["--style", "s.css"]),
    Case("image with transparency over the decode budget (36 megapixels, RGBA)",
         {"posts/a.md": _post("![p](p.png)"), "posts/p.png": RGBA_36MP}, 1,
         ["posts/a.md:5: image 'p.png' takes 275 MB to decode (6,000×6,000, RGBA), over the limit of 256 MB; use a "
          "smaller image, or one without transparency"]),
    Case("the decode budget holds in a stylesheet imported by the author's",
         {"posts/a.md": _post("B"), "s.css": '@import "more.css";', "more.css": "\n\nbody { background: url(p.png) }",
          "p.png": RGBA_36MP}, 1,
         ["more.css:3: image 'p.png' takes 275 MB to decode (6,000×6,000, RGBA), over the limit of 256 MB; use a "
          "smaller image, or one without transparency"], args=["--style", "s.css"]),
    Case("a data: svg in a post showing a data: bomb is located at the post",
         {"posts/a.md": _post("![s](data:image/svg+xml;base64,"
                              + base64.b64encode(_svg_images(BOMB_URI).encode()).decode() + ")")}, 1,
         [f"posts/a.md:5: data: image ({len(BOMB_URI):,} characters) is over the limit of 50 megapixels"]),
    Case("an svg showing an svg with a DOCTYPE names the inner one",
         {"posts/a.md": _post("![d](d.svg)"), "posts/d.svg": _svg_images("e.svg"), "posts/e.svg": LAUGHS_SVG}, 1,
         ["posts/d.svg:2: image 'e.svg' is an SVG with a DOCTYPE, which a guide does not load "
          "(entities, external files)"]),
    Case("svg <style> importing a project stylesheet (was 'the file is damaged')",
         {"posts/a.md": _post("![s](s.svg)"), "posts/x.css": "rect { fill: red }",
          "posts/s.svg": SVG_OPEN + '\n<style>\nrect { fill: blue }\n@import "x.css";\n</style><rect width="9" height="9"/></svg>'},
         1, ["posts/a.md:5: image 's.svg' is an SVG whose <style> imports 'x.css' (line 4); an SVG in a guide loads "
             "no stylesheet: copy the rules into its <style>"]),
]  # fmt: skip
CASES += IMAGE_ROUTE_CASES
FONT_FACE_CASES = [
    Case("font-face that cannot load is located in a stylesheet the author's imports, with --jobs 2",
         {"posts/a.md": _post("B"), "s.css": '@import "more.css";\nbody { font-family: X }',
          "more.css": "p { color: red }\n\n@media print {\n  @font-face { font-family: 'X'; src: url(bad.woff) }\n}",
          "bad.woff": "not a font"}, 0,
         ["more.css:4: warning: typesetting: Font-face 'X' cannot be loaded"], args=["--style", "s.css", "--jobs", "2"]),
    Case("font-face that cannot load is located in the svg's <style>",
         {"posts/a.md": _post("![s](s.svg)"), "posts/s.svg": SVG_OPEN + '\n<style>\ntext { font-family: Y }\n'
          '@font-face { font-family: Y; src: url(bad.woff) }</style>\n<text y="9">t</text></svg>',
          "posts/bad.woff": "not a font"}, 0,
         ["posts/s.svg:4: warning: typesetting: Font-face 'Y' cannot be loaded"]),
]  # fmt: skip
CASES += FONT_FACE_CASES

# Issue 11 (budgets): one fence scanner (guide/sources/fences.py, CommonMark's rules) serves the budget and the
# lint: (name, body of a post starting on line 4, the budget's refusal or None, the lint's warnings when none).
TABLE = "| a | b |\n|---|---|\n" + TABLE_ROW * 2_600
FENCE_CASES = [
    ("a fence indented four spaces is indented code, not an unclosed fence", "".join("    ~~~\n\n" * 11), None, []),
    ("a closing line with an info string closes nothing: the table is a table",
     "```\n" + TABLE + "``` x\n", "a.md:5: table has over 5,000 cells; split it", []),
    ("... and the fence it fails to close is a warning (it opens one of its own)", "```\ncode\n``` x\n", None,
     ["a.md:4: warning: code fence '```' is never closed: close it with a line of '```'",
      "a.md:6: warning: code fence '```' is never closed: close it with a line of '```'"]),
    ("a backtick in a backtick fence's info string: no fence", "``` a`b\n" + TABLE + "```\n",
     "a.md:5: table has over 5,000 cells; split it", []),
    ("a longer tilde line closes a tilde fence", "~~~\n" + TABLE + "~~~~~~\n", None, []),
    ("a quoted fence closes in the quote", "> ```\n> | a | b |\n> |---|---|\n" + "> " + TABLE_ROW * 2_600 + "> ```\n",
     None, []),
    ("each fence never closed is a warning, as each is printed as text",
     "````\ncode\n```\n", None,
     ["a.md:4: warning: code fence '````' is never closed: close it with a line of '````'",
      "a.md:6: warning: code fence '```' is never closed: close it with a line of '```'"]),
]  # fmt: skip


@pytest.mark.parametrize("case", FENCE_CASES, ids=[c[0] for c in FENCE_CASES])
def test_one_fence_scanner(case: tuple[str, str, str | None, list[str]]) -> None:
    from guide.errors import GuideError, Report  # noqa: PLC0415
    from guide.sources.limits import check_markdown_limits  # noqa: PLC0415
    from guide.sources.markdown import read_markdown_post  # noqa: PLC0415

    _, body, refusal, warnings = case
    if refusal is not None:
        with pytest.raises(GuideError) as raised:
            check_markdown_limits(body, "a.md", first_line=4)
        assert [str(d) for d in raised.value.diagnostics] == [refusal]
        return
    check_markdown_limits(body, "a.md", first_line=4)
    report = Report()
    read_markdown_post("---\ntitle: T\n---\n" + body, "a.md", report)
    assert [str(d) for d in report.diagnostics if "fence" in d.message] == warnings


def _tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"---\ntitle: Secret\n---\n{CANARY}\n")
    (outside / "secret.png").write_bytes(_real_png())
    (outside / "x.css").write_text(f'body::after {{ content: "{CANARY}" }}')
    project = tmp_path / "project"
    (project / "posts").mkdir(parents=True)
    names = {"outside": str(outside), "project": str(project), "outside_uri": outside.as_uri(),
             "out_dir": str(tmp_path / "out")}  # fmt: skip
    manifest = case.manifest or MANIFEST
    for name, value in names.items():
        manifest = manifest.replace("{" + name + "}", value)
    (project / "guide.toml").write_text(manifest)
    for name, content in case.files.items():
        data = content
        if isinstance(data, str):
            for key, value in names.items():
                data = data.replace("{" + key + "}", value)
        (project / name).write_bytes(data.encode() if isinstance(data, str) else data)
    output = tmp_path / "out" / "guide.pdf"
    output.parent.mkdir()
    output.write_bytes(OLD_PDF)
    if case.setup:
        case.setup(project, output)
    names |= {"out": str(output), "out_missing": str(tmp_path / "nope" / "g.pdf"),
              "out_missing_parent": str(tmp_path / "nope")}  # fmt: skip
    args = [arg.format(**names) for arg in case.args]
    before = _tree_hashes(project)
    monkeypatch.chdir(project)
    log = tmp_path / "opened-outside.log"
    WATCH.update(folder=f"{outside}/", log=str(log))
    try:
        result = runner.invoke(app, ["build", str(project), "-o", str(output), *args])
    finally:
        WATCH.clear()
    styles = {os.path.abspath(args[i + 1]) for i, arg in enumerate(args[:-1]) if arg == "--style"}
    opened = set(log.read_text().split("\n")) - {""} - styles if log.exists() else set()
    assert not opened, f"opened beside the project: {sorted(opened)}"

    assert result.exit_code == case.exit_code, result.output
    diagnostics = [line for line in result.stderr.splitlines() if not line.startswith("wrote ")]
    assert diagnostics == [line.format(**names) for line in case.lines]
    assert "Traceback" not in result.output
    assert _tree_hashes(project) == before
    assert not list(output.parent.glob(".*.tmp")), "a temporary file was left behind"
    if case.exit_code != 0:
        if output.is_file() and case.setup is None:
            assert output.read_bytes() == OLD_PDF
        return
    pdf = ReadPdf(output)
    assert CANARY not in pdf.text
    assert "/EmbeddedFiles" not in pdf.reader.trailer["/Root"].get("/Names", {})
    assert not any("/FileAttachment" in str(a.get_object().get("/Subtype")) for p in pdf.reader.pages
                   for a in p.get("/Annots") or [])  # fmt: skip
    if case.pdf_contains:
        assert case.pdf_contains in " ".join(pdf.text.split())


SVG_WITH_OUTSIDE_IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">'
    '<image xlink:href="file:///etc/hostname" width="20" height="20"/></svg>'
)


def _font_names(pdf: Path) -> set[str]:
    """The base names of the fonts a PDF's pages use, without their subset prefix."""
    names = set()
    for page in ReadPdf(pdf).reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_system_fonts_stay_out_even_when_the_style_asks_for_them(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "posts").mkdir(parents=True)
    (project / "guide.toml").write_text(MANIFEST)
    (project / "posts" / "a.md").write_text(_post("Body text."))
    (project / "s.css").write_text(
        '@font-face { font-family: X; src: local("DejaVu Sans"), local("Liberation Serif") }\n'
        'body, h1 { font-family: X, "DejaVu Sans", "Liberation Mono", monospace }'
    )
    output = tmp_path / "out.pdf"
    result = runner.invoke(app, ["build", str(project), "-o", str(output), "--style", str(project / "s.css")])
    assert result.exit_code == 0, result.output
    located = f"{project / 's.css'}:1: warning: typesetting: Font-face 'X' cannot be loaded"
    assert result.stderr.splitlines()[0] == located
    assert _font_names(output) and all(name.startswith("Guide-") for name in _font_names(output))


def test_a_hard_link_is_the_projects_own_file(tmp_path: Path) -> None:
    """Documented, not refused: a hard link has no "outside" to tell (same inode), and only someone
    who could read the target could make it; a symlink, which does point elsewhere, is refused."""
    outside = tmp_path / "outside.md"
    outside.write_text(_post("Linked text."))
    project = tmp_path / "p"
    (project / "posts").mkdir(parents=True)
    (project / "guide.toml").write_text(MANIFEST)
    os.link(outside, project / "posts" / "a.md")
    result = runner.invoke(app, ["build", str(project), "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code == 0, result.output
    assert "Linked text." in ReadPdf(tmp_path / "out.pdf").text


def test_svg_image_cannot_pull_in_a_file_from_outside(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "posts").mkdir(parents=True)
    (project / "guide.toml").write_text(MANIFEST)
    (project / "posts" / "a.md").write_text(_post("Text\n\n![Drawing](drawing.svg)"))
    (project / "posts" / "drawing.svg").write_text(SVG_WITH_OUTSIDE_IMAGE)
    result = runner.invoke(app, ["build", str(project), "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "posts/a.md:7: refused to load file:///etc/hostname: it is outside the project folder or does not exist"
    ]
    assert not (tmp_path / "out.pdf").exists()


# What `make fuzz` found, replayed the way it runs them: check and build in a capped subprocess with an
# audit hook watching for files opened outside the project (tests/fuzz.py).
FUZZ_FINDINGS = [
    ("chapter path with NUL (was a ValueError traceback)",
     {"guide.toml": b'title = "F"\nauthor = "F"\nchapters = ["a\\u0000.md", "a.md"]\n', "a.md": b"---\ntitle: T\n---\nB\n"},
     [], [1], 'guide.toml:3: chapter "a\\u0000.md" holds the control character U+0000'),
    ("stylesheet url() escaping the project by %2e%2e (the typeset cache hashed the file outside)",
     {"guide.toml": b'title = "F"\nauthor = "F"\nchapters = ["a.md"]\n', "a.md": b"---\ntitle: T\n---\nB\n",
      "style.css": b'body { background: url("%2e%2e/outside/secret.png") }'},
     ["--style", "style.css"], [0, 0, 1],
     "style.css:1: refused to load file://{project}/%2e%2e/outside/secret.png: it is outside the project folder or "
     "does not exist"),
]  # fmt: skip


@pytest.mark.parametrize("finding", FUZZ_FINDINGS, ids=[f[0] for f in FUZZ_FINDINGS])
def test_fuzz_finding(
    finding: tuple[str, dict[str, bytes], list[str], list[int], str], tmp_path: Path
) -> None:
    from tests.fuzz import Project, run_project  # noqa: PLC0415 - the fuzzer's own harness

    _, files, args, statuses, last_line = finding
    outcomes = run_project(Project(files, args), tmp_path / "run")
    assert [o.problems for o in outcomes] == [[] for _ in outcomes]
    assert [o.status for o in outcomes] == statuses
    shown = last_line.format(project=tmp_path / "run" / "project")
    assert outcomes[-1].stderr.strip().splitlines()[-1] == shown


CONTROL_FEED = (
    b'<rss version="2.0"><channel><title>F</title><item><title>T</title><link>http://blog.test/a</link>'
    b"<pubDate>Tue, 02 Jan 2024 03:04:05 +0000</pubDate>"
    b"<description><![CDATA[<p>a\x01b\x1b[31m c</p><script>x</script>tail\x02]]></description></item></channel></rss>"
)
UTF16_EXPORT = (
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>B</title><wp:wxr_version>1.2</wp:wxr_version>'
    "<item><title>T</title><content:encoded><![CDATA[<p>x\x01y</p>]]></content:encoded>"
    "<wp:post_date>2024-01-02 03:04:05</wp:post_date><wp:post_name>t</wp:post_name><wp:status>publish</wp:status>"
    "<wp:post_type>post</wp:post_type></item></channel></rss>"
)
# Imports `make fuzz` found failing: (name, files, sources, statuses of import/check/html/build, a line the
# import must print).
IMPORT_FINDINGS = [
    ("feed entry with control characters (was lxml's ValueError traceback)", {"src/feed.rss": CONTROL_FEED},
     ["src/feed.rss"], [0, 0, 0, 0],
     "{project}/src/feed.rss: warning: entry 'T': 3 control or invalid characters removed: a guide cannot print them"),
    ("feed description with a control character (was lxml's ValueError traceback)",
     {"src/feed.rss": b'<rss version="2.0"><channel><title>F</title><item><title>T</title><link>http://blog.test/a'
                      b"</link><description>Short \x01 text</description></item></channel></rss>"},
     ["src/feed.rss"], [0, 0, 0, 0], "read {project}/src/feed.rss: RSS feed (utf-8), 1 item"),
    ("utf-16 feed declaring gb2312 (was expat's ValueError traceback)",
     {"src/feed.rss": '<?xml version="1.0" encoding="gb2312"?>\n<rss version="2.0"><channel><title>F</title>'
                      "</channel></rss>".encode("utf-16")},
     ["src/feed.rss"], [1], "{project}/src/feed.rss:1: the XML declares an encoding that cannot be read "
                            "(multi-byte encodings are not supported); save it as UTF-8"),
    ("feed entry whose date cannot be read (was feedparser's DeprecationWarning, raw)",
     {"src/feed.rss": b'<rss version="2.0"><channel><title>F</title><item><title>T</title><link>http://blog.test/a'
                      b"</link><pubDate>never</pubDate><description>Body text.</description></item></channel></rss>"},
     ["src/feed.rss"], [0, 0, 0, 0], "read {project}/src/feed.rss: RSS feed (utf-8), 1 item"),
    ("utf-16 export without a byte order mark, with a control character (was an AttributeError traceback)",
     {"src/export.xml": UTF16_EXPORT.encode("utf-16-le")}, ["src/export.xml"], [0, 0, 0, 0],
     "{project}/src/export.xml:1: warning: mended a known defect of blog exports: 1 stray control character removed"),
]  # fmt: skip


@pytest.mark.parametrize("finding", IMPORT_FINDINGS, ids=[f[0] for f in IMPORT_FINDINGS])
def test_import_finding(
    finding: tuple[str, dict[str, bytes], list[str], list[int], str], tmp_path: Path
) -> None:
    from tests.fuzz import Project, run_project  # noqa: PLC0415 - the fuzzer's own harness

    _, files, sources, statuses, line = finding
    outcomes = run_project(Project(files, sources=sources), tmp_path / "run")
    assert [o.problems for o in outcomes] == [[] for _ in outcomes]
    assert [o.status for o in outcomes] == statuses
    assert line.format(project=tmp_path / "run" / "project") in outcomes[0].stderr.splitlines()


# Red team (issue 11 items 3-6): inputs no earlier row tried, each a fault found and fixed at its root.
def _cover(path: str) -> str:
    return f'title = "H"\nauthor = "T"\ncover_image = "{path}"\nchapters = ["posts/a.md"]\n'


def _in_project(make: Callable[[Path], None]) -> Callable[[Path, Path], None]:
    return lambda project, output: make(project)


def _hard_link_output(project: Path, output: Path) -> None:
    output.unlink()
    os.link(project / "posts" / "a.md", output)


SVG_IMAGE = SVG_OPEN + '<image xlink:href="{href}" width="9" height="9"/></svg>'
RED_TEAM_CASES = [
    Case("cover image with NUL (was a ValueError traceback)", {"posts/a.md": _post("B")}, 1,
         ['guide.toml:3: cover image "c\\u0000.png" holds the control character U+0000'], manifest=_cover("c\\u0000.png")),
    Case("cover image name of 5,000 characters (was an OSError traceback)", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: cover image '" + "x" * 79 + "'… (a string of 5,004 characters) is 5,004 characters long "
          "(limit 1,024)"], manifest=_cover("x" * 5000 + ".png")),
    Case("cover image in a symlink loop (was a RuntimeError traceback)", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: cover image 'c.png' cannot be resolved (a symlink loop?)"], manifest=_cover("c.png"),
         setup=_in_project(lambda project: (project / "c.png").symlink_to("c.png"))),
    Case("cover image that is a pipe (was 'not found')", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: cover image 'c.png' is not a regular file (a device, pipe or socket)"],
         manifest=_cover("c.png"), setup=_in_project(lambda project: os.mkfifo(project / "c.png"))),
    Case("cover image through a folder symlinked outside", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: cover image 'd/secret.png' lies outside the project folder"], manifest=_cover("d/secret.png"),
         setup=_link("d", "")),
    Case("svg image with an escaped NUL (was an unlocated ValueError)",
         {"posts/a.md": _post("![d](d.svg)"), "posts/d.svg": SVG_IMAGE.format(href="x%00.png")}, 1,
         ["posts/a.md:5: refused to load file://{project}/posts/x%00.png: its path holds the control character "
          "U+0000"]),
    Case("svg image with a 300-byte name (was an unlocated OSError)",
         {"posts/a.md": _post("![d](d.svg)"), "posts/d.svg": SVG_IMAGE.format(href="y" * 300 + ".png")}, 1,
         ["posts/a.md:5: refused to load file://{project}/posts/" + "y" * 300 + ".png: its path has a name of 304 "
          "bytes (limit 255)"]),
    Case("svg image that is a folder (was 'outside the project')",
         {"posts/a.md": _post("![d](d.svg)"), "posts/d.svg": SVG_IMAGE.format(href="dir.png")}, 1,
         ["posts/a.md:5: refused to load file://{project}/posts/dir.png: it is a folder"],
         setup=_in_project(lambda project: (project / "posts" / "dir.png").mkdir())),
    Case("svg image that is a pipe (was 'outside the project')",
         {"posts/a.md": _post("![d](d.svg)"), "posts/d.svg": SVG_IMAGE.format(href="p.png")}, 1,
         ["posts/a.md:5: refused to load file://{project}/posts/p.png: it is not a regular file (a device, pipe or "
          "socket)"], setup=_in_project(lambda project: os.mkfifo(project / "posts" / "p.png"))),
    Case("emoji codes in a path print as written (Rich made ':fire:' an emoji)", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: chapter 'posts/:fire:.md' not found"],
         manifest='title = "H"\nauthor = "T"\nchapters = ["posts/:fire:.md"]\n'),
    Case("output that is a hard link to a post, even with --force (was written)", {"posts/a.md": _post("B")}, 1,
         ["{out}: output path is one of the guide's sources"], args=["--force"], setup=_hard_link_output),
]  # fmt: skip


@pytest.mark.parametrize("case", RED_TEAM_CASES, ids=[c.name for c in RED_TEAM_CASES])
def test_red_team_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    test_hostile_input(case, tmp_path, monkeypatch)


def test_html_folder_never_overwrites_a_source_even_with_force(tmp_path: Path) -> None:
    """`guide html -o posts --force` wrote the image posts/x.png over the source posts/posts/x.png."""
    project = tmp_path / "p"
    (project / "posts" / "posts").mkdir(parents=True)
    (project / "guide.toml").write_text(MANIFEST)
    (project / "posts" / "a.md").write_text(_post("![a](x.png)\n\n![b](posts/x.png)"))
    (project / "posts" / "x.png").write_bytes(_real_png())
    other = io.BytesIO()
    Image.new("RGB", (2, 2), (0, 0, 255)).save(other, "PNG")
    (project / "posts" / "posts" / "x.png").write_bytes(other.getvalue())
    before = _tree_hashes(project)
    result = runner.invoke(app, ["html", str(project), "-o", str(project / "posts"), "--force"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"{project / 'posts'}: output folder would overwrite 'posts/x.png', one of the guide's sources; name another"
    )
    assert _tree_hashes(project) == before


EXPORT = (
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>B</title><wp:wxr_version>1.2</wp:wxr_version>'
    "<item><title>Hello</title><content:encoded><![CDATA[<p>Body text.</p>{image}]]></content:encoded>"
    "<wp:post_date>2024-01-02 03:04:05</wp:post_date><wp:post_name>hello</wp:post_name>"
    "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item></channel></rss>"
)


def _import_into(
    tmp_path: Path, make: Callable[[Path, Path], None], image: str = "", media: bool = False
) -> tuple[Any, Path, Path, dict[str, str]]:
    """Import EXPORT into tmp_path/p after `make(project, outside)`; return the result, the folders and
    the hashes of everything beside the project before."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(CANARY)
    project = tmp_path / "p"
    project.mkdir()
    source = tmp_path / "export.xml"
    source.write_text(EXPORT.format(image=image))
    make(project, outside)
    before = _tree_hashes(outside)
    args = ["import", str(source), "--into", str(project)]
    if media:
        (tmp_path / "uploads").mkdir(exist_ok=True)
        args += ["--media", str(tmp_path / "uploads")]
    return runner.invoke(app, args), project, outside, before


# (name, setup of (project, outside), the import's last line)
IMPORT_CLASHES = [
    ("the chapters folder is a symlink out of the project (was written through)",
     lambda project, outside: (project / "chapters").symlink_to(outside),
     "chapters/2024-01-02-hello.md: lies outside the project folder (through a symlink); an import writes only "
     "inside it"),
    ("the chapter file is a symlink to an equal file outside (was adopted: listed, and the build refused it)",
     lambda project, outside: ((project / "chapters").mkdir(), (project / "chapters" / "2024-01-02-hello.md")
                               .symlink_to(outside / "secret.md")),
     "chapters/2024-01-02-hello.md: lies outside the project folder (through a symlink); an import writes only "
     "inside it"),
    ("a file differing only in case is there (was a second chapter the build refused)",
     lambda project, outside: ((project / "chapters").mkdir(),
                               (project / "chapters" / "2024-01-02-Hello.md").write_text("mine")),
     "chapters/2024-01-02-hello.md: differs only in case from the existing '2024-01-02-Hello.md' (a guide cannot "
     "list both); rename one"),
    ("guide.toml is a symlink out of the project (was read and replaced)",
     lambda project, outside: (project / "guide.toml").symlink_to(outside / "secret.md"),
     "guide.toml: lies outside the project folder (through a symlink); an import writes only inside it"),
]  # fmt: skip


@pytest.mark.parametrize("case", IMPORT_CLASHES, ids=[c[0] for c in IMPORT_CLASHES])
def test_import_never_writes_or_adopts_outside_the_project(
    case: tuple[str, Callable[[Path, Path], None], str], tmp_path: Path
) -> None:
    _, make, line = case
    result, project, outside, before = _import_into(tmp_path, make)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [line]
    assert _tree_hashes(outside) == before
    assert not (project / "chapters" / "2024-01-02-hello.md").is_file() or (
        (project / "chapters" / "2024-01-02-hello.md").is_symlink()
    )


def test_import_checks_every_target_before_writing_any(tmp_path: Path) -> None:
    """A folder where an image goes was found after the chapters were written (a half import)."""

    def make(project: Path, outside: Path) -> None:
        (project / "chapters" / "media" / "2024" / "01" / "pic.png").mkdir(parents=True)
        (tmp_path / "uploads" / "2024" / "01").mkdir(parents=True)
        (tmp_path / "uploads" / "2024" / "01" / "pic.png").write_bytes(_real_png())

    image = '<img src="http://blog.test/wp-content/uploads/2024/01/pic.png" alt="p">'
    result, project, _, _ = _import_into(tmp_path, make, image=image, media=True)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == ["chapters/media/2024/01/pic.png: exists and is not a file"]
    assert not (project / "chapters" / "2024-01-02-hello.md").exists()


def test_import_media_lookup_with_a_nul_or_long_name(tmp_path: Path) -> None:
    """An upload's URL with %00 or a 300-byte name was a ValueError / OSError traceback with --media."""
    image = (
        '<img src="http://blog.test/wp-content/uploads/a%00.png" alt="n">'
        f'<img src="http://blog.test/wp-content/uploads/{"y" * 300}.png" alt="l">'
    )
    result, project, _, _ = _import_into(tmp_path, lambda project, outside: None, image=image, media=True)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "uploads/a%00.png" in (project / "chapters" / "2024-01-02-hello.md").read_text()


def _manifest_out(project: Path, output: Path) -> None:
    outside = project.parent / "outside"
    (outside / "guide.toml").write_text('title = "' + CANARY + '"\nchapters = ["posts/a.md"]\n')
    (project / "guide.toml").unlink()
    (project / "guide.toml").symlink_to(outside / "guide.toml")


RED_TEAM_CASES_2 = [
    Case("guide.toml that is a symlink out of the project (was read)", {"posts/a.md": _post("B")}, 1,
         ["guide.toml: lies outside the project folder (a symlink to a file elsewhere); copy it into the project"],
         setup=_manifest_out),
    Case("control character in a title, from a YAML escape (reached the PDF's metadata)",
         {"posts/a.md": _post("B", 'title: "Evil\\e[31mRed"')}, 1,
         ["posts/a.md:2: 'title' holds the control character U+001B; a guide cannot print it"]),
    Case("control character in the guide's subtitle, from a TOML escape", {"posts/a.md": _post("B")}, 1,
         ["guide.toml:3: 'subtitle' holds the control character U+0007; a guide cannot print it"],
         manifest='title = "H"\nauthor = "T"\nsubtitle = "a\\u0007b"\nchapters = ["posts/a.md"]\n'),
    Case("line separator in an author gets the warning", {"posts/a.md": _post("B", "title: T\nauthor: \"A\\LB\"")},
         0, ["posts/a.md:3: warning: 'author' holds invisible or text-reversing characters (U+2028); they reach the "
             "PDF's metadata as they are"]),
    Case("style importing itself (was a RecursionError, reported as a symlink loop)",
         {"posts/a.md": _post("B"), "s.css": '@import "s.css";\np { color: black }'}, 1,
         ["s.css:1: @import 's.css' leads back to this stylesheet (a loop); remove it"], args=["--style", "s.css"]),
    Case("styles importing each other through a shared one",
         {"posts/a.md": _post("B"), "s.css": '@import "a.css";\n@import "b.css";', "a.css": '@import "c.css";',
          "b.css": '@import "c.css";', "c.css": '@import "b.css";'}, 1,
         ["b.css:1: @import 'c.css' leads back to this stylesheet (a loop); remove it"], args=["--style", "s.css"]),
    Case("style importing a name with NUL (was a ValueError traceback)",
         {"posts/a.md": _post("B"), "s.css": '@import "a%00.css";\np { color: black }'}, 1,
         ["s.css:1: refused to load file://{project}/a%00.css: its path holds the control character U+0000"],
         args=["--style", "s.css"]),
    Case("style importing a 300-byte name (was an OSError traceback)",
         {"posts/a.md": _post("B"), "s.css": '@import "' + "z" * 300 + '.css";\np { color: black }'}, 1,
         ["s.css:1: refused to load file://{project}/" + "z" * 300 + ".css: its path has a name of 304 bytes "
          "(limit 255)"], args=["--style", "s.css"]),
]  # fmt: skip


@pytest.mark.parametrize("case", RED_TEAM_CASES_2, ids=[c.name for c in RED_TEAM_CASES_2])
def test_red_team_input_2(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    test_hostile_input(case, tmp_path, monkeypatch)


# What `make fuzz --kinds links` found: (name, link made in the project to import into, the import's line).
IMPORT_LINK_FINDINGS = [
    ("chapters is a pipe (was a FileExistsError traceback)", {"imported/chapters": "FIFO"},
     "chapters: is not a folder, so nothing can be imported into it; move it away"),
]  # fmt: skip


@pytest.mark.parametrize("finding", IMPORT_LINK_FINDINGS, ids=[f[0] for f in IMPORT_LINK_FINDINGS])
def test_import_link_finding(finding: tuple[str, dict[str, str], str], tmp_path: Path) -> None:
    from tests.fuzz import EXPORT, Project, run_project  # noqa: PLC0415 - the fuzzer's own harness

    _, links, line = finding
    project = Project({"src/export.xml": EXPORT.encode()}, sources=["src/export.xml"], links=links)
    outcomes = run_project(project, tmp_path / "run")
    assert [o.problems for o in outcomes] == [[]]
    assert [o.status for o in outcomes] == [1]
    assert outcomes[0].stderr.splitlines() == [line]


def _nested_svg(project: Path, output: Path) -> None:
    (project / "posts" / "b.svg").write_text(
        SVG_IMAGE.format(href=(project.parent / "outside" / "secret.png").as_uri())
    )


RED_TEAM_CASES_3 = [
    Case("refusal in an svg shown by an svg (was '<typesetting>:')",
         {"posts/a.md": _post("![d](a.svg)"), "posts/a.svg": SVG_IMAGE.format(href="b.svg")}, 1,
         ["posts/a.md:5: refused to load {outside_uri}/secret.png: it is outside the project folder or does not "
          "exist"], setup=_nested_svg),
    Case("refusal in an svg shown by an svg, with a --style (was blamed on the style)",
         {"posts/a.md": _post("![d](a.svg)"), "posts/a.svg": SVG_IMAGE.format(href="b.svg"),
          "s.css": "p { color: black }"}, 1,
         ["posts/a.md:5: refused to load {outside_uri}/secret.png: it is outside the project folder or does not "
          "exist"], args=["--style", "s.css"], setup=_nested_svg),
]  # fmt: skip


@pytest.mark.parametrize("case", RED_TEAM_CASES_3, ids=[c.name for c in RED_TEAM_CASES_3])
def test_red_team_input_3(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    test_hostile_input(case, tmp_path, monkeypatch)


def _crowded(count: int, escaped: bool = False) -> str:
    attributes = " ".join(f'a{i}="x"' for i in range(count))
    return f"&lt;p {attributes.replace(chr(34), '&quot;')}&gt;" if escaped else f"<p {attributes}>"


PAGE = "<!DOCTYPE html>\n<html><head><title>T</title></head><body><article><h1>T</h1>\n{p}{text}</p></article></body></html>"
# (name, file name, content, the import's expected status and last line)
CROWDED_SOURCES = [
    ("saved page with an element of 1,001 attributes (20,000 took 14 s, 200,000 over 20 minutes)", "page.html",
     PAGE.format(p=_crowded(1_001), text="Body text. " * 30).encode(), 1,
     "{src}:3: an element carries over 1,000 attributes; no post needs so many"),
    ("utf-16 saved page with an element of 1,001 attributes", "page.html",
     PAGE.format(p=_crowded(1_001), text="Body text. " * 30).encode("utf-16"), 1,
     "{src}:3: an element carries over 1,000 attributes; no post needs so many"),
    ("feed with an escaped element of 1,001 attributes", "feed.rss",
     ('<rss version="2.0"><channel><title>F</title><item><title>T</title><link>http://blog.test/a</link>\n'
      f"<description>{_crowded(1_001, escaped=True)}Body&lt;/p&gt;</description></item></channel></rss>").encode(), 1,
     "{src}:2: an element carries over 1,000 attributes; no post needs so many"),
    ("saved page with an element of 1,000 attributes is read", "page.html",
     PAGE.format(p=_crowded(1_000), text="Body text. " * 30).encode(), 0, "read {src}: saved web page, 1 item"),
]  # fmt: skip


@pytest.mark.parametrize("case", CROWDED_SOURCES, ids=[c[0] for c in CROWDED_SOURCES])
def test_import_refuses_crowded_elements_before_parsing(
    case: tuple[str, str, bytes, int, str], tmp_path: Path
) -> None:
    _, name, data, status, line = case
    source = tmp_path / name
    source.write_bytes(data)
    result = runner.invoke(app, ["import", str(source), "--into", str(tmp_path / "p")])
    assert result.exit_code == status, result.output
    assert line.format(src=source) in result.stderr.splitlines()


def test_watch_sees_saves_beside_an_output_among_the_posts(tmp_path: Path) -> None:
    """`guide watch -o posts/guide.pdf` ignored the whole posts/ folder: no save there rebuilt."""
    import watchfiles  # noqa: PLC0415

    from guide.watch import _OutputFilter  # noqa: PLC0415 - the filter the watcher uses

    project = tmp_path / "p"
    (project / "posts").mkdir(parents=True)
    seen = _OutputFilter(project, project / "posts" / "guide.pdf")
    assert seen(watchfiles.Change.modified, str(project / "posts" / "a.md"))
    assert not seen(watchfiles.Change.modified, str(project / "posts" / "guide.pdf"))
    assert not seen(watchfiles.Change.added, str(project / "posts" / ".guide.pdf.x1y2.tmp"))
    assert not seen(watchfiles.Change.modified, str(project / "build" / ".cache" / "k"))


def _cache_out(project: Path, output: Path) -> None:
    (project / "build").mkdir()
    (project / "build" / ".cache").symlink_to(project.parent / "outside")


RED_TEAM_CASES_4 = [
    Case("build/.cache that is a symlink out of the project (the build wrote and read its cache there)",
         {"posts/a.md": _post("B")}, 1,
         ["build/.cache: lies outside the project folder (a symlink); remove it, or set GUIDE_CACHE_DIR"],
         setup=_cache_out),
]  # fmt: skip


@pytest.mark.parametrize("case", RED_TEAM_CASES_4, ids=[c.name for c in RED_TEAM_CASES_4])
def test_red_team_input_4(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUIDE_CACHE_DIR", raising=False)  # the project's own cache folder
    test_hostile_input(case, tmp_path, monkeypatch)


def test_import_lets_images_differ_only_in_case(tmp_path: Path) -> None:
    """Only chapters must not differ in case (the guide lists them); uploads may, as WordPress keeps them."""

    def make(project: Path, outside: Path) -> None:
        (project / "chapters" / "media" / "2024" / "01").mkdir(parents=True)
        (project / "chapters" / "media" / "2024" / "01" / "Pic.png").write_bytes(_real_png())
        (tmp_path / "uploads" / "2024" / "01").mkdir(parents=True)
        (tmp_path / "uploads" / "2024" / "01" / "pic.png").write_bytes(_real_png())

    image = '<img src="http://blog.test/wp-content/uploads/2024/01/pic.png" alt="p">'
    result, project, _, _ = _import_into(tmp_path, make, image=image, media=True)
    assert result.exit_code == 0, result.output
    assert (project / "chapters" / "media" / "2024" / "01" / "pic.png").is_file()


def test_import_with_a_folder_for_guide_toml_writes_nothing(tmp_path: Path) -> None:
    """The chapters were written, then guide.toml failed ('cannot write: Is a directory'): a half import."""
    result, project, _, _ = _import_into(tmp_path, lambda project, outside: (project / "guide.toml").mkdir())
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == ["guide.toml: exists and is not a file"]
    assert not (project / "chapters").exists()


LONG = "q" * 300
# Paths given on the command line: (name, arguments; {tmp} is the test's folder, {src} a source to import)
COMMAND_LINE_PATHS = [
    ("import --into with a 300-byte name", ["import", "{src}", "--into", "{tmp}/" + LONG]),
    ("import source with a 300-byte name", ["import", "{tmp}/" + LONG + ".xml", "--into", "{tmp}/p"]),
    ("import --media with a 300-byte name", ["import", "{src}", "--into", "{tmp}/p", "--media", "{tmp}/" + LONG]),
    ("new with a 300-byte name", ["new", "{tmp}/" + LONG]),
    ("build of a project with a 300-byte name", ["build", "{tmp}/" + LONG]),
    ("check of a project with a 300-byte name", ["check", "{tmp}/" + LONG]),
    ("html of a project with a 300-byte name", ["html", "{tmp}/" + LONG]),
    ("watch of a project with a 300-byte name", ["watch", "{tmp}/" + LONG]),
    ("import --into with a newline", ["import", "{src}", "--into", "{tmp}/a\nb"]),
]  # fmt: skip


@pytest.mark.parametrize("case", COMMAND_LINE_PATHS, ids=[c[0] for c in COMMAND_LINE_PATHS])
def test_command_line_paths_are_checked_first(case: tuple[str, list[str]], tmp_path: Path) -> None:
    """Each was an OSError traceback (File name too long) from wherever the command first used it."""
    source = tmp_path / "export.xml"
    source.write_text(EXPORT.format(image=""))
    args = [arg.format(tmp=tmp_path, src=source) for arg in case[1]]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    bad = next(arg for arg in args if LONG in arg or "\n" in arg)
    problem = "holds the control character U+000A" if "\n" in bad else "has a name of 30"
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(bad.replace("\n", "\\n") + ": path " + problem)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.xml"]
