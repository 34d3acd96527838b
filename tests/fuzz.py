"""`make fuzz`: throw generated pathological inputs at `guide import`, `check`, `html` and `build`.

Each input is a whole project (guide.toml, posts, images, a stylesheet) drawn by Hypothesis from
shapes that have hurt before: deep nesting, huge counts, random bytes, odd encodings, and real
files from ../shared/realworld with bytes flipped, cut or repeated; or sources to import
(generated and mutated WordPress exports, RSS and Atom feeds, saved web pages: tests/fuzz_sources.py),
whose imported guide is then checked, written as HTML and built. Every command runs in a
subprocess under `nice`, with a CPU-time cap and an address-space cap (resource.setrlimit), and
an audit hook that notes any file opened outside the project and the package. A run passes if:

- the exit status is 0 or 1 (2 only for a usage error we caused on purpose, never here);
- stderr has no traceback, no raw Python warning, and every line is one diagnostic;
- nothing outside the project was opened, and the canary never reaches the PDF;
- no file of the project changed (an import writes only into its folder, and never over a file
  that was there but its guide.toml);
- no output (PDF, HTML folder) holds the canary.

Anything else is a finding: its project is kept under build/fuzz/findings/N/ with the command,
status and stderr, so it can be replayed and turned into a row of tests/test_hostile.py.

    python -m tests.fuzz --minutes 20 [--seed N]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz_sources import Mutations, import_sources, mutate

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = Path(os.environ.get("GUIDE_REALWORLD", ROOT.parent / "shared" / "realworld"))
FINDINGS = ROOT / "build" / "fuzz" / "findings"
CANARY = "CANARY-OUTSIDE-THE-PROJECT"
CPU_SECONDS = 120
"""CPU cap per command: a build within the budgets of guide/limits.py needs far less."""
MEMORY_BYTES = 3 * 1024**3
"""Address-space cap per command (2 GB of heap plus the libraries' mappings)."""
WALL_SECONDS = 600
"""Wall-clock cap per command, for a machine shared with others."""
# Runs inside the child: cap it, watch its opens, then run the command line.
CHILD = r"""
import os, resource, sys
resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
resource.setrlimit(resource.RLIMIT_AS, ({mem}, {mem}))
outside = {outside!r}
allowed = {allowed!r}  # the --style file the author named: read as text, by design
def watch(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if path.startswith(outside) and path not in allowed:
            os.write(2, ("FUZZ: opened outside the project: " + path + "\n").encode())
sys.addaudithook(watch)
sys.argv = ["guide", *sys.argv[1:]]
from guide.cli import main
main()
"""
DIAGNOSTIC_RE = re.compile(
    r"^(\S.*?: .+|ok: .+|wrote .+|interrupted"  # check, build, html
    r"|(?:read|imported|skipped|copied|created|extended|updated) .+|\S+ unchanged|\d+ warnings?:)$"  # import
)


@dataclass
class Project:
    """One generated input: the files of a project, relative path -> bytes, and the build's options."""

    files: dict[str, bytes]
    args: list[str] = field(default_factory=list)
    kind: str = ""
    sources: list[str] = field(default_factory=list)
    """Files to `guide import` into the folder `imported/` first; that folder is then the guide."""
    import_args: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    """Special files made after `files`: name -> "FIFO", "DIR" or a symlink's target (OUTSIDE: beside)."""


# ---- Generators -------------------------------------------------------------------------------

MANIFEST = 'title = "Fuzz"\nauthor = "F"\nchapters = [{chapters}]\n'


def manifest(*chapters: str) -> bytes:
    return MANIFEST.format(chapters=", ".join(json.dumps(c) for c in chapters)).encode()


def post(body: str, front: str = "title: T\ncredits: [Photo: F]") -> bytes:
    return f"---\n{front}\n---\n{body}\n".encode()


@st.composite
def deep_nesting(draw: st.DrawFn) -> Project:
    depth = draw(st.sampled_from([10, 29, 31, 63, 65, 200, 1000, 5000, 20000]))
    shape = draw(
        st.sampled_from(["list", "quote", "html", "emphasis", "yaml", "toml", "svg", "link", "table"])
    )
    files = {"guide.toml": manifest("a.md")}
    if shape == "list":
        files["a.md"] = post("".join("  " * i + "- x\n" for i in range(depth)))
    elif shape == "quote":
        files["a.md"] = post(">" * depth + " x")
    elif shape == "html":
        tag = draw(st.sampled_from(["div", "span", "b", "table", "ul", "p", "svg"]))
        files["a.md"] = post(f"<{tag}>" * depth + "x" + f"</{tag}>" * depth)
    elif shape == "emphasis":
        files["a.md"] = post("*" * depth + "x" + "*" * depth)
    elif shape == "yaml":
        files["a.md"] = post("B", "title: T\ncredits: " + "[" * depth + "]" * depth)
    elif shape == "toml":
        files["guide.toml"] = manifest("a.md") + b"x = " + b"[" * depth + b"]" * depth + b"\n"
        files["a.md"] = post("B")
    elif shape == "svg":
        files["a.md"] = post("![s](s.svg)")
        files["s.svg"] = (
            b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * depth + b"</g>" * depth + b"</svg>"
        )
    elif shape == "link":
        files["a.md"] = post("[" * depth + "x" + "](y)" * depth)
    else:
        files["a.md"] = post("| a |\n|---|\n" + "| " + "<b>" * min(depth, 2000) + "x |\n")
    return Project(files, kind=f"deep {shape} {depth}")


@st.composite
def huge_counts(draw: st.DrawFn) -> Project:
    count = draw(st.sampled_from([999, 1001, 5000, 20000, 60000]))
    shape = draw(
        st.sampled_from(
            ["footnotes", "headings", "rows", "paragraphs", "images", "links", "chapters", "credits", "cells"]
        )
    )
    files = {"guide.toml": manifest("a.md"), "i.png": _png()}
    if shape == "footnotes":
        files["a.md"] = post(
            "".join(f"x[^{i}]" for i in range(count)) + "\n\n" + "".join(f"[^{i}]: n\n" for i in range(count))
        )
    elif shape == "headings":
        files["a.md"] = post("# H\n" * count)
    elif shape == "rows":
        files["a.md"] = post("| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * count)
    elif shape == "cells":
        files["a.md"] = post("|" * count + "\n" + "|---" * 3 + "|\n")
    elif shape == "paragraphs":
        files["a.md"] = post("P.\n\n" * count)
    elif shape == "images":
        files["a.md"] = post("![i](i.png) " * min(count, 5000))
    elif shape == "links":
        files["a.md"] = post("[l](#x) " * count)
    elif shape == "credits":
        files["a.md"] = post("B", "title: T\ncredits:\n" + "  - c\n" * count)
    else:
        names = [f"p{i}.md" for i in range(min(count, 1200))]
        files["guide.toml"] = manifest(*names)
        files.update({name: post("B", f"title: P{i}") for i, name in enumerate(names[:50])})
    return Project(files, kind=f"many {shape} {count}")


@st.composite
def random_bytes(draw: st.DrawFn) -> Project:
    data = draw(st.binary(min_size=0, max_size=4096))
    target = draw(st.sampled_from(["a.md", "guide.toml", "i.png", "s.svg", "style.css", "a.txt"]))
    files = {
        "guide.toml": manifest("a.md" if target != "a.txt" else "a.txt"),
        "a.md": post("![i](i.png) ![s](s.svg)"),
        "i.png": _png(),
        "s.svg": _svg(),
    }
    files[target] = data if target != "a.md" else post(data.decode("utf-8", "replace"))
    if draw(st.booleans()):
        files[target] = data
    args = ["--style", "style.css"] if target == "style.css" else []
    return Project(files, args, kind=f"random bytes in {target}")


@st.composite
def odd_encodings(draw: st.DrawFn) -> Project:
    text = draw(st.text(min_size=0, max_size=300))
    body = f"---\ntitle: {text[:40] or 'T'}\n---\n{text}\n"
    encoding = draw(
        st.sampled_from(
            [
                "utf-8",
                "utf-8-sig",
                "utf-16",
                "utf-16-le",
                "utf-16-be",
                "utf-32",
                "latin-1",
                "cp1252",
                "mac-roman",
            ]
        )
    )
    data = body.encode(encoding, "replace")
    if draw(st.booleans()):
        data = data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\x85", b"\x0b", b"\x00"])))
    files = {"guide.toml": manifest("a.md"), "a.md": data}
    if draw(st.booleans()):
        files["guide.toml"] = (
            "title = " + json.dumps(text or "T") + '\nauthor = "A"\nchapters = ["a.md"]\n'
        ).encode(encoding, "replace")
    return Project(files, kind=f"encoding {encoding}")


def _realworld_files() -> list[Path]:
    if not REALWORLD.is_dir():
        return []
    suffixes = {".md", ".markdown", ".txt", ".html"}
    return sorted(
        p for p in REALWORLD.rglob("*") if p.is_file() and p.suffix in suffixes and p.stat().st_size < 300_000
    )


REAL = _realworld_files()


@st.composite
def mutated_real(draw: st.DrawFn) -> Project:
    if not REAL:
        return draw(random_bytes())
    source = draw(st.sampled_from(REAL))
    data = bytearray(source.read_bytes())
    mutate(draw, data, list(SNIPPETS), Mutations(steps=12, cut=500, chunk=200, repeats=200))
    name = "a.md" if source.suffix in (".md", ".markdown") else "a.txt"
    if name == "a.md" and not data.startswith(b"---"):
        data[0:0] = b"---\ntitle: T\n---\n"
    return Project(
        {"guide.toml": manifest(name), name: bytes(data)}, kind=f"mutated {source.relative_to(REALWORLD)}"
    )


SNIPPETS = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    "\u202e".encode(),
    b"\r",
    b"\x1b[31m",
    b"![x](file:///etc/passwd)",
    b"![x](../../outside/secret.png)",
    b'<img src="data:image/png;base64,AAAA">',
    b'<svg><image href="file:///etc/hostname"/></svg>',
    b"&a",
    b"*a",
    b"[^1]",
    b"[^1]: n\n",
    b"{{ 7*7 }}",
    b"<script>x</script>",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b'<link rel="attachment" href="/etc/hostname">',
    b"\n---\n",
    b"\n```\n",
    b"| a | b |\n|---|---|\n",
    b"\n# H\n",
    b"<style>@import url(/etc/x.css)</style>",
    b'<p style="background:url(file:///etc/passwd)">',
    b"\n    code\n",
    b"%00",
    b"![a](%2e%2e/%2e%2e/outside/secret.png)",
]


@st.composite
def odd_paths(draw: st.DrawFn) -> Project:
    name = draw(
        st.sampled_from(
            [
                "a\x00.md",
                "a\n.md",
                "a\u202e.md",
                "x" * 300 + ".md",
                "/".join(["d"] * 600) + "/a.md",
                "../outside/secret.md",
                "/etc/hostname",
                "a.md/",
                ".",
                "",
                "~/a.md",
                "a.md\r",
                "CON.md",
                "a" * 5000 + ".md",
                "\\\\server\\a.md",
            ]
        )
    )
    image = draw(
        st.sampled_from(
            [
                "i%00.png",
                "i%0A.png",
                "x" * 5000 + ".png",
                "../outside/secret.png",
                "/etc/hostname",
                "i.png?x",
                "i.png#x",
                "%2F%2Fetc%2Fhostname",
                "i\u202e.png",
            ]
        )
    )
    files = {"guide.toml": manifest(name, "a.md"), "a.md": post(f"![i]({image})"), "i.png": _png()}
    return Project(files, kind=f"odd path {name[:20]!r} image {image[:20]!r}")


@st.composite
def side_doors(draw: st.DrawFn) -> Project:
    """Resources that try to load the canary beside the project: through an SVG, a stylesheet, a post."""
    target = draw(
        st.sampled_from(
            [
                "../outside/secret.md",
                "../../outside/secret.png",
                "OUTSIDE/secret.png",
                "file://OUTSIDE/secret.png",
                "%2e%2e/outside/secret.png",
                "/proc/self/environ",
            ]
        )
    )
    door = draw(st.sampled_from(["svg image", "svg use", "css import", "css url", "post img", "post link"]))
    files = {"guide.toml": manifest("a.md"), "a.md": post("![s](s.svg)"), "s.svg": _svg()}
    args: list[str] = []
    if door.startswith("svg"):
        attribute = "xlink:href" if door == "svg image" else "href"
        tag = "image" if door == "svg image" else "use"
        files["s.svg"] = (
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            f'<{tag} {attribute}="{target}" width="9" height="9"/></svg>'
        ).encode()
    elif door.startswith("css"):
        rule = (
            f'@import url("{target}");' if door == "css import" else f'body {{ background: url("{target}") }}'
        )
        files["style.css"] = rule.encode()
        args = ["--style", draw(st.sampled_from(["style.css", "../outside/style.css"]))]
    elif door == "post img":
        files["a.md"] = post(f'<img src="{target}" alt="x">')
    else:
        files["a.md"] = post(f'<a href="{target}">x</a> <link rel="attachment" href="{target}">')
    return Project(files, args, kind=f"side door {door} {target}")


LINKED = {
    "chapter": "OUTSIDE/secret.md",
    "cover": "OUTSIDE/secret.png",
    "image": "OUTSIDE/secret.png",
    "svg image": "OUTSIDE/secret.png",
    "style import": "OUTSIDE/secret.css",
    "guide.toml": "OUTSIDE/guide.toml",
    "import chapter": "OUTSIDE/secret.md",
    "import folder": "OUTSIDE",
}
"""Where a link may stand, and the file beside the project it points at."""
EXPORT = (
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>B</title><wp:wxr_version>1.2</wp:wxr_version>'
    "<item><title>T</title><content:encoded><![CDATA[<p>Body text.</p>]]></content:encoded>"
    "<wp:post_date>2024-01-02 03:04:05</wp:post_date><wp:post_name>t</wp:post_name>"
    "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item></channel></rss>"
)


@st.composite
def links(draw: st.DrawFn) -> Project:
    """A symlink (outside, looping, dangling, to a device), a pipe or a folder where a file is expected."""
    place = draw(st.sampled_from(sorted(LINKED)))
    kinds = ["outside", "loop", "FIFO", "DIR", "dangling", "/dev/zero", "folder outside"]
    what = draw(st.sampled_from(kinds))
    name = {
        "chapter": "b.md",
        "cover": "c.png",
        "image": "i.png",
        "svg image": "i.png",
        "style import": "i.css",
        "guide.toml": "guide.toml",
        "import chapter": "imported/chapters/2024-01-02-t.md",
        "import folder": "imported/chapters",
    }[place]
    target = {
        "outside": LINKED[place],
        "loop": name.rsplit("/", 1)[-1],
        "FIFO": "FIFO",
        "DIR": "DIR",
        "dangling": "nowhere/x",
        "/dev/zero": "/dev/zero",
        "folder outside": "OUTSIDE",
    }[what]
    files = {"guide.toml": manifest("a.md"), "a.md": post("B")}
    args: list[str] = []
    sources: list[str] = []
    if place == "chapter":
        files["guide.toml"] = manifest("a.md", name)
    elif place == "cover":
        files["guide.toml"] = b'title = "Fuzz"\nauthor = "F"\ncover_image = "c.png"\nchapters = ["a.md"]\n'
    elif place == "image":
        files["a.md"] = post(f"![i]({name})")
    elif place == "svg image":
        files["a.md"] = post("![s](s.svg)")
        files["s.svg"] = (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="9" '
            f'height="9"><image xlink:href="{name}" width="9" height="9"/></svg>'
        ).encode()
    elif place == "style import":
        files["style.css"] = f'@import "{name}";\nbody {{ color: black }}'.encode()
        args = ["--style", "style.css"]
    elif place == "guide.toml":
        del files["guide.toml"]
    else:
        files = {"src/export.xml": EXPORT.encode()}
        sources = ["src/export.xml"]
    return Project(files, args, kind=f"link {place} -> {what}", sources=sources, links={name: target})


@st.composite
def imports(draw: st.DrawFn) -> Project:
    files, sources, options, kind = draw(import_sources())
    return Project(files, kind=kind, sources=sources, import_args=options)


KINDS = {
    "nesting": deep_nesting(),
    "counts": huge_counts(),
    "bytes": random_bytes(),
    "encodings": odd_encodings(),
    "real": mutated_real(),
    "paths": odd_paths(),
    "doors": side_doors(),
    "links": links(),
    "import": imports(),
}
"""The generators by name, for --kinds."""


def _png() -> bytes:
    import io  # noqa: PLC0415

    from PIL import Image  # noqa: PLC0415

    stream = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(stream, "PNG")
    return stream.getvalue()


def _svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'


# ---- Running ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    command: str
    status: int
    stderr: str
    problems: list[str]


def run_project(project: Project, scratch: Path) -> list[Outcome]:
    """Write the project beside an outside folder with a canary, run check and build, and judge them."""
    if scratch.exists():
        shutil.rmtree(scratch)
    outside = scratch / "outside"
    outside.mkdir(parents=True)
    (outside / "secret.md").write_text(f"---\ntitle: S\n---\n{CANARY}\n")
    (outside / "secret.png").write_bytes(_png())
    root = scratch / "project"
    root.mkdir()
    (scratch / "out").mkdir()
    (outside / "style.css").write_text('@import url("secret.css"); body { background: url("secret.png") }')
    (outside / "secret.css").write_text(f'body::after {{ content: "{CANARY}" }}')
    (outside / "guide.toml").write_text(f'title = "{CANARY}"\nchapters = ["a.md"]\n')
    for name, content in project.files.items():
        try:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.replace(b"OUTSIDE", str(outside).encode()))
        except (OSError, ValueError):
            continue  # a name the file system refuses: the manifest still names it
    for name, link in project.links.items():
        _make_link(root / name, link.replace("OUTSIDE", str(outside)))
    outcomes = []
    guide = root
    if project.sources:
        guide = root / "imported"
        before = _hashes(root)
        sources = [str(root / name) for name in project.sources]
        outcomes.append(
            _run(["import", *sources, "--into", str(guide), *project.import_args], root, outside, scratch)
        )
        after = _hashes(root)
        kept = {name: digest for name, digest in after.items() if name in before}
        if any(before[name] != digest for name, digest in kept.items() if name != str(guide / "guide.toml")):
            outcomes[-1].problems.append("the import changed a file that was there")
        if set(before) - set(after):
            outcomes[-1].problems.append("the import removed a file")
        if outcomes[-1].status not in (0, 1) or not (guide / "guide.toml").is_file():
            return outcomes
    before = _hashes(root)
    args = [arg.replace("OUTSIDE", str(outside)) for arg in project.args]
    out = scratch / "out"
    (out / "html").mkdir(exist_ok=True)
    html = ["html", str(guide), "-o", str(out / "html"), *args]
    build = ["build", str(guide), "-o", str(out / "g.pdf"), *args]
    for command in (["check", str(guide), *args], html, build):
        outcomes.append(_run(command, root, outside, scratch))
        after = _hashes(root)
        if after != before:
            changed = sorted(set(before.items()) ^ set(after.items()))
            outcomes[-1].problems.append(f"files of the project changed: {[name for name, _ in changed][:5]}")
        if outcomes[-1].status != 0:
            break  # a build runs every check first: what check refused, build refuses the same way
    return outcomes


def _make_link(path: Path, link: str) -> None:
    """Make a pipe, a folder or a symlink at `path` (see Project.links)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    if link == "FIFO":
        os.mkfifo(path)
    elif link == "DIR":
        path.mkdir()
    else:
        path.symlink_to(link)


def _run(command: list[str], root: Path, outside: Path, scratch: Path) -> Outcome:
    styles = [command[i + 1] for i, arg in enumerate(command[:-1]) if arg == "--style"]
    allowed = [os.path.abspath(root / style) for style in styles]
    child = CHILD.format(cpu=CPU_SECONDS, mem=MEMORY_BYTES, outside=str(outside), allowed=allowed)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SOURCE_DATE_EPOCH": "1700000000",
        "PYTHONWARNINGS": "default",
    }
    try:
        done = subprocess.run(
            ["nice", "-n", "15", sys.executable, "-c", child, *command],
            cwd=root,
            env=env,
            capture_output=True,
            timeout=WALL_SECONDS,
            check=False,
        )
        status, stderr = done.returncode, done.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as exc:
        status, stderr = (
            -999,
            (exc.stderr or b"").decode("utf-8", "replace") + f"\n(timed out after {WALL_SECONDS} s)",
        )
    return Outcome(" ".join(command[:1]), status, stderr, _problems(status, stderr, scratch))


def _problems(status: int, stderr: str, scratch: Path) -> list[str]:
    problems = []
    if status not in (0, 1):
        problems.append(f"exit status {status}")
    if "Traceback" in stderr or "Exception ignored" in stderr:
        problems.append("traceback")
    if re.search(r"\b\w+Warning\b:", stderr):
        problems.append("raw Python warning")
    if "FUZZ: opened outside" in stderr:
        problems.append("read a file outside the project")
    lines = [line for line in stderr.splitlines() if line.strip()]
    if not any(p in problems for p in ("traceback", "raw Python warning")) and not all(
        DIAGNOSTIC_RE.match(line) for line in lines
    ):
        problems.append("a line of stderr that is not one diagnostic")
    pdf = scratch / "out" / "g.pdf"
    if pdf.exists() and CANARY.encode() in _pdf_text(pdf):
        problems.append("the canary reached the PDF")
    html = scratch / "out" / "html"
    if html.is_dir() and any(CANARY.encode() in p.read_bytes() for p in html.rglob("*") if p.is_file()):
        problems.append("the canary reached the HTML")
    return problems


def _pdf_text(pdf: Path) -> bytes:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=False, timeout=120)
    return done.stdout


def _hashes(root: Path) -> dict[str, str]:
    """Hash every file under `root` but a build's own cache (build/.cache), which a build may write."""
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and "build/.cache/" not in p.relative_to(root).as_posix()
    }


def save_finding(project: Project, outcomes: list[Outcome]) -> Path:
    FINDINGS.mkdir(parents=True, exist_ok=True)
    number = len(list(FINDINGS.iterdir())) + 1
    folder = FINDINGS / f"{number:03}"
    folder.mkdir()
    for name, data in project.files.items():
        safe = re.sub(r"[^\w.-]", "_", name)[:100] or "_"
        (folder / safe).write_bytes(data)
    report = {
        "kind": project.kind,
        "files": list(project.files),
        "args": project.args,
        "sources": project.sources,
        "import_args": project.import_args,
        "links": project.links,
        "outcomes": [o.__dict__ for o in outcomes],
    }
    encoded = {name: base64.b64encode(data).decode() for name, data in project.files.items()}
    (folder / "project.json").write_text(json.dumps(encoded))
    (folder / "finding.json").write_text(json.dumps(report, indent=1))
    return folder


def load_finding(folder: Path) -> Project:
    """The project a finding kept, to run again."""
    report = json.loads((folder / "finding.json").read_text())
    files = {
        name: base64.b64decode(data)
        for name, data in json.loads((folder / "project.json").read_text()).items()
    }
    return Project(
        files,
        report["args"],
        report["kind"],
        report.get("sources", []),
        report.get("import_args", []),
        report.get("links", {}),
    )


def replay(folder: Path) -> int:
    """Run a kept finding again and print what each command did."""
    scratch = Path(tempfile.mkdtemp(prefix="guide-fuzz-replay-"))
    for outcome in run_project(load_finding(folder), scratch / "run"):
        print(f"{outcome.command}: exit {outcome.status} {outcome.problems}\n{outcome.stderr}")
    print(f"kept in {scratch}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    parser.add_argument("--replay", type=Path, help="run a kept finding (build/fuzz/findings/N) again")
    parser.add_argument(
        "--kinds", nargs="+", choices=sorted(KINDS), default=sorted(KINDS), help="generators to use"
    )
    options = parser.parse_args()
    if options.replay:
        return replay(options.replay)
    deadline = time.monotonic() + options.minutes * 60
    scratch = Path(tempfile.mkdtemp(prefix="guide-fuzz-"))
    stats = {"inputs": 0, "runs": 0, "findings": 0, "exit 0": 0, "exit 1": 0}
    print(f"fuzz: seed {options.seed}, {options.minutes} minutes, findings in {FINDINGS}", flush=True)

    @settings(
        max_examples=10**9,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],  # never shrink the time-up "failure"
    )
    @given(project=st.one_of(*(KINDS[kind] for kind in options.kinds)))
    def throw(project: Project) -> None:
        if time.monotonic() > deadline:
            raise TimeUpError
        outcomes = run_project(project, scratch / "run")
        stats["inputs"] += 1
        stats["runs"] += len(outcomes)
        for outcome in outcomes:
            stats[f"exit {outcome.status}"] = stats.get(f"exit {outcome.status}", 0) + 1
        if any(o.problems for o in outcomes):
            stats["findings"] += 1
            folder = save_finding(project, outcomes)
            print(f"FINDING {folder.name}: {project.kind}: {[o.problems for o in outcomes]}", flush=True)
        else:
            print(f"ok: {project.kind}: {[o.status for o in outcomes]}", flush=True)

    try:
        seed(options.seed)(throw)()
    except* TimeUpError:
        pass  # Hypothesis may report the stop more than once, as a group
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"fuzz: done: {json.dumps(stats)}", flush=True)
    return 1 if stats["findings"] else 0


class TimeUpError(Exception):
    """The time budget is spent."""


if __name__ == "__main__":
    sys.exit(main())
