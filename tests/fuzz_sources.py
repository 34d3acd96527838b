"""`make fuzz`'s inputs for `guide import`: generated and mutated exports, feeds and saved pages.

Each draws a Project (tests/fuzz.py) whose `sources` are files under `src/` to import into the
folder `imported/` (which may already hold a guide, and a stranger's file at the path a post would
take). The harness then checks, builds and writes the HTML of what was imported.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

REALWORLD = Path(
    os.environ.get("GUIDE_REALWORLD", Path(__file__).resolve().parent.parent.parent / "shared" / "realworld")
)


def _exports() -> list[Path]:
    if not REALWORLD.is_dir():
        return []
    suffixes = {".xml", ".rss", ".atom"}
    return sorted(p for p in REALWORLD.rglob("*") if p.is_file() and p.suffix in suffixes)


EXPORTS = _exports()

HOSTILE_HTML = [
    '<img src="file:///etc/passwd" alt="x">',
    '<img src="../../outside/secret.png" alt="x">',
    '<img src="OUTSIDE/secret.png" alt="x">',
    '<img src="file://OUTSIDE/secret.png" alt="x">',
    '<img src="data:image/png;base64,AAAA" alt="x">',
    '<link rel="attachment" href="file:///etc/hostname">',
    '<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/hostname"/></svg>',
    "<script>alert(1)</script>",
    "<iframe src='http://127.0.0.1/'></iframe>",
    '<p style="background:url(file:///etc/passwd)">x</p>',
    "<style>@import url(file:///etc/x.css);</style>",
    '[caption id="a" width="300"]<img src="i.png" alt="c"> caption[/caption]',
    "[gallery ids='1,2']",
    "[embed]http://127.0.0.1/[/embed]",
    "{{ 7*7 }} {% raw %}",
    "\u202etxt.exe",
    "\x00\x01\x1b[31m",
    "<div>" * 300 + "deep" + "</div>" * 300,
    "<ul><li>" * 80 + "x" + "</li></ul>" * 80,
    "<table>" + "<tr><td>c</td></tr>" * 3000 + "</table>",
    "<h2>h</h2>" * 1500,
    "<p>*a</p>" * 2000,
    "<pre><code>| a | b |\n|---|---|</code></pre>",
    "<a href='javascript:alert(1)'>j</a>",
    "<!--more--><!-- x --!>",
    "<![CDATA[x]]>",
    "<math><mi>x</mi></math>",
    "&#0;&#xD800;&#x110000;",
]
SLUGS = [
    "a",
    "../../outside/x",
    "a/b",
    "CON",
    "x" * 400,
    "a\x00b",
    "a%2F..%2Fb",
    "\u202eslug",
    ".",
    "",
    "-",
    "ünï",
]
DATES = [
    "2024-01-02 03:04:05",
    "0000-00-00 00:00:00",
    "9999-12-31 23:59:59",
    "2024-13-45 99:99:99",
    "yesterday",
    "",
    "-2024-01-01 00:00:00",
]
STATUSES = ["publish", "draft", "future", "private", "trash", "inherit", ""]
TYPES = ["post", "page", "attachment", "nav_menu_item", "revision", ""]


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@st.composite
def _content(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(HOSTILE_HTML), st.text(max_size=80)), max_size=6))
    return "\n\n".join(parts)


@st.composite
def generated_wxr(draw: st.DrawFn) -> tuple[str, bytes]:
    """A WordPress export of hostile items, in one of the encodings XML allows."""
    count = draw(st.sampled_from([0, 1, 3, 40, 1200]))
    items = []
    for number in range(count):
        if number < 8 or number == count - 1:
            title, content = draw(st.text(max_size=60)), draw(_content())
            slug, date = draw(st.sampled_from(SLUGS)), draw(st.sampled_from(DATES))
            status, kind = draw(st.sampled_from(STATUSES)), draw(st.sampled_from(TYPES))
        else:
            title, content, slug, date, status, kind = (
                f"P{number}",
                "<p>B</p>",
                f"p{number}",
                DATES[0],
                "publish",
                "post",
            )
        items.append(
            f"<item><title>{html.escape(title)}</title><link>http://blog.test/{html.escape(slug)}/</link>"
            f"<dc:creator>{_cdata(title[:9])}</dc:creator>"
            f"<category domain='category' nicename='c'>{_cdata('c')}</category>"
            f"<content:encoded>{_cdata(content)}</content:encoded><wp:post_id>{number}</wp:post_id>"
            f"<wp:post_date>{date}</wp:post_date><wp:post_name>{html.escape(slug)}</wp:post_name>"
            f"<wp:status>{status}</wp:status><wp:post_type>{kind}</wp:post_type>"
            f"<wp:attachment_url>file://OUTSIDE/secret.png</wp:attachment_url></item>"
        )
    version = draw(st.sampled_from(["1.0", "1.1", "1.2"]))
    scheme = draw(st.sampled_from(["http", "https"]))
    prolog = draw(
        st.sampled_from(
            [
                "",
                "<!DOCTYPE rss>",
                "<!DOCTYPE rss [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>",
                '<!DOCTYPE rss SYSTEM "file:///etc/passwd">',
                "<?pi x?><!DOCTYPE rss [<!ENTITY e SYSTEM 'file://OUTSIDE/secret.md'>]>",
                "<!-- c -->",
            ]
        )
    )
    body = (
        f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{scheme}://wordpress.org/export/{version}/">'
        f"<channel><title>{html.escape(draw(st.text(max_size=40)))}</title><link>http://blog.test</link>"
        f"<wp:wxr_version>{version}</wp:wxr_version>{''.join(items)}</channel></rss>"
    )
    return "export.xml", _encode(draw, prolog, body)


@st.composite
def generated_feed(draw: st.DrawFn) -> tuple[str, bytes]:
    """An RSS or Atom feed of hostile entries."""
    count = draw(st.sampled_from([0, 1, 5, 600]))
    atom = draw(st.booleans())
    entries = []
    for number in range(count):
        title = draw(st.text(max_size=40)) if number < 5 else f"E{number}"
        content = draw(_content()) if number < 5 else "<p>B</p>"
        date = draw(st.sampled_from(["2024-01-02T03:04:05Z", "Tue, 02 Jan 2024 03:04:05 +0000", "", "never"]))
        link = draw(st.sampled_from(["http://blog.test/a", "file:///etc/passwd", "../../x", "javascript:x"]))
        if atom:
            entries.append(
                f'<entry><title type="html">{html.escape(title)}</title><link href="{link}"/>'
                f"<id>urn:{number}</id><updated>{date}</updated>"
                f'<content type="html">{html.escape(content)}</content></entry>'
            )
        else:
            entries.append(
                f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
                f"<pubDate>{date}</pubDate><description>{_cdata(content)}</description></item>"
            )
    if atom:
        body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>{"".join(entries)}</feed>'
    else:
        body = f'<rss version="2.0"><channel><title>F</title>{"".join(entries)}</channel></rss>'
    prolog = draw(st.sampled_from(["", "<!DOCTYPE x [<!ENTITY a 'b'>]>", "<!-- c -->"]))
    return "feed.atom" if atom else "feed.rss", _encode(draw, prolog, body)


@st.composite
def generated_page(draw: st.DrawFn) -> tuple[str, bytes]:
    """A saved web page: head metadata and an article of hostile markup."""
    title = html.escape(draw(st.text(max_size=60)))
    content = draw(_content())
    meta = draw(
        st.sampled_from(
            [
                "",
                '<meta property="article:published_time" content="2024-01-02T00:00:00Z">',
                '<meta name="author" content="' + "A" * 5000 + '">',
                '<base href="file:///etc/">',
                '<link rel="stylesheet" href="file://OUTSIDE/secret.css">',
                '<meta charset="utf-16">',
            ]
        )
    )
    page = (
        f"<!DOCTYPE html><html><head><title>{title}</title>{meta}</head>"
        f"<body><article><h1>{title}</h1>{content}</article></body></html>"
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252"]))
    return draw(st.sampled_from(["page.html", "page.htm"])), page.encode(encoding, "replace")


def _encode(draw: st.DrawFn, prolog: str, body: str) -> bytes:
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1"]))
    label = {"utf-8-sig": "utf-8", "utf-16-le": "utf-16", "utf-32": "utf-32"}.get(encoding, encoding)
    declaration = draw(
        st.sampled_from([f'<?xml version="1.0" encoding="{label}"?>', "", '<?xml version="1.0"?>'])
    )
    return (declaration + prolog + body).encode(encoding, "replace")


@dataclass(frozen=True)
class Mutations:
    """How hard `mutate` shakes a file: at most `steps` edits, cuts of `cut` bytes, `chunk`s repeated."""

    steps: int
    cut: int
    chunk: int
    repeats: int


def mutate(draw: st.DrawFn, data: bytearray, snippets: list[bytes], how_hard: Mutations) -> None:
    """Edit `data` in place: flip a byte, cut, repeat a chunk, insert a snippet or truncate, a few times."""
    for _ in range(draw(st.integers(0, how_hard.steps))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        how = draw(st.sampled_from(["flip", "cut", "repeat", "insert", "truncate"]))
        if how == "flip":
            data[at] = draw(st.integers(0, 255))
        elif how == "cut":
            del data[at : at + draw(st.integers(1, how_hard.cut))]
        elif how == "repeat":
            chunk = data[at : at + draw(st.integers(1, how_hard.chunk))]
            data[at:at] = chunk * draw(st.integers(1, how_hard.repeats))
        elif how == "insert":
            data[at:at] = draw(st.sampled_from(snippets))
        else:
            del data[at:]


@st.composite
def mutated_export(draw: st.DrawFn) -> tuple[str, bytes]:
    """A real export or feed with bytes flipped, cut, repeated, or hostile text put in."""
    if not EXPORTS:
        return draw(generated_wxr())
    source = draw(st.sampled_from(EXPORTS))
    data = bytearray(source.read_bytes())
    snippets = [s.encode() for s in HOSTILE_HTML[:12]] + [
        b"<!DOCTYPE rss [<!ENTITY a 'b'>]>",
        b"]]>",
        b"<![CDATA[",
        b"&a;",
        b"\x00",
        b"\xff\xfe",
        b"</item><item>",
        b"<wp:post_name>../../outside/x</wp:post_name>",
        b"<wp:status>publish</wp:status>",
    ]
    mutate(draw, data, snippets, Mutations(steps=8, cut=2000, chunk=400, repeats=50))
    if draw(st.integers(0, 5)) == 0:
        data = bytearray(
            bytes(data).decode("utf-8", "replace").encode(draw(st.sampled_from(["utf-16", "utf-32"])))
        )
    return source.name, bytes(data)


IMPORT_OPTIONS = [
    [],
    ["--category", "c"],
    ["--tag", "\u202e"],
    ["--since", "2024-01-01"],
    ["--order", "newest"],
    ["--media", "src"],
    ["--title", "T" * 600],
    ["--force"],
]


@st.composite
def import_sources(draw: st.DrawFn) -> tuple[dict[str, bytes], list[str], list[str], str]:
    """Files (src/… and perhaps an existing imported/ guide), the sources, import options, a kind."""
    sources = draw(
        st.lists(
            st.one_of(mutated_export(), generated_wxr(), generated_feed(), generated_page()),
            min_size=1,
            max_size=3,
        )
    )
    files = {f"src/{index}-{name}": data for index, (name, data) in enumerate(sources)}
    if draw(st.booleans()):
        # A guide is there already, with a stranger's file where an imported post may go.
        files["imported/guide.toml"] = b'title = "Old"\nauthor = "O"\nchapters = ["chapters/old.md"]\n'
        files["imported/chapters/old.md"] = b"---\ntitle: Old\n---\nOld.\n"
        files["imported/chapters/2024-01-02-a.md"] = b"---\ntitle: Stranger\n---\nMine.\n"
    options = draw(st.sampled_from(IMPORT_OPTIONS))
    kind = "import " + json.dumps([name for name, _ in sources]) + " " + " ".join(options)[:40]
    return files, list(files)[: len(sources)], options, kind
