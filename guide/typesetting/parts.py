"""Cut a book into documents that can be laid out apart: chapter chunks, the credits, the front matter.

Chapters start on a new page, so a run of whole chapters laid out on its own breaks every line and
page exactly as the whole book does. What a chunk cannot know on its own is fixed elsewhere:

* its folios: the worker shifts the page counter once the page counts before it are known (`weasy`);
* links to other parts: written as a sentinel URI here, turned back into named destinations when the
  parts are merged (`merge`);
* the page numbers cross-references print: written in as literal numbers (`data-page`), from the
  pages the caller expects; the caller checks them once every part is laid out, and lays out again
  the parts that printed a wrong one (`parallel`);
* the contents' page numbers: the front matter is typeset last, with the numbers written in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from guide.book import Book
from guide.render import RenderOptions, render_document, render_parts, stylesheet

PART_LINK_PREFIX = "https://guide-part.invalid/#"
"""Links to an anchor in another part carry this prefix until the merge makes them internal."""
TARGET_PAGE = "target-counter(attr(href), page)"
"""The contents' page numbers in styles/contents.css, replaced by the literal number in the front matter."""
LITERAL_PAGE = "attr(data-page)"
UNSUPPORTED_CSS = re.compile(
    r"counter\(\s*pages|@page[^{]*:(left|right|blank|first)|break-(before|after)\s*:\s*(left|right|recto|verso)"
)
"""Styles whose result depends on where a part sits in the whole book: such books stay one document."""
AUTHOR_TARGETS = re.compile(r"target-(counter|counters|text)\s*\(")
"""An author's stylesheet printing targets' counters or text: only the whole book knows them."""
GUESS_PAGES_PER_CHAPTER = 3
"""For a cross-reference whose target's page is not known yet, a first guess (checked later)."""
MAX_CHAPTERS_PER_CHUNK = 2
"""An edit lays out its chunk again: two chapters, not four, halve that (a 50-post watch rebuild:
0.87 -> 0.55 s; new-process edits 1.32-1.46 -> 1.16-1.30 s wall, in 3 interleaved rounds), while a
cold build's CPU time stayed within the noise (9.9-11.7 s user both ways)."""
MIN_CHUNKS = 8
"""Enough chunks that a slow one does not leave the other workers idle at the end (four per worker on
two cores). Fixed, not taken from `--jobs`: how the book is cut decides the PDF's bytes (each part has
its own resource names), so the same inputs make the same PDF on every machine, whatever its cores."""

EDGE_CSS = (
    "html, body {{ margin-{0}: 0 !important; padding-{0}: 0 !important; border-{0}-width: 0 !important; }}"
)
"""The root boxes open on the book's first page and close on its last: a part in between has neither edge."""

_ID = re.compile(r'\sid="([^"]+)"')
_LOCAL_HREF = re.compile(r'href="#([^"]*)"')


@dataclass(frozen=True)
class Part:
    """One document of the book, laid out on its own."""

    kind: str
    """'chapters' (a chunk of whole chapters), 'back' (the credits) or 'front' (cover and contents)."""
    html: str
    """The whole HTML document, styles included: the cache key starts from it."""
    where: str
    """The sources it comes from, for messages: 'chapters/a.md to chapters/c.md'."""
    numbered: bool = True
    """Whether its pages carry folios that continue the book's numbering."""
    chapters: tuple[str, ...] = ()
    """The anchors of the chapters (or the credits) it holds, whose page numbers the contents lists."""
    references: tuple[tuple[str, int], ...] = ()
    """The anchors its cross-references print the page of, with the page number written in."""
    measure: bool = False
    """Lay it out only to learn its pages and anchors (its printed numbers are guesses): no PDF."""

    def misprints(self, pages: Mapping[str, int]) -> bool:
        """Whether a cross-reference printed a page other than where its target is in `pages`."""
        return self.measure or any(pages.get(anchor, page) != page for anchor, page in self.references)


@dataclass(frozen=True)
class BookParts:
    """The body of the book in reading order; the front matter needs page numbers, so it comes later."""

    body: tuple[Part, ...]
    """Chapter chunks, then the credits."""
    chapter_ids: tuple[str, ...]
    """Each chapter's anchor, in order (plus 'credits'): the front matter lists their pages."""


def unsupported_reason(book: Book, options: RenderOptions) -> str | None:
    """Why this book's styles cannot be laid out in parts, or None when they can."""
    css = stylesheet(book) + options.extra_css
    found = UNSUPPORTED_CSS.search(css)
    if found:
        return f"its styles use '{found.group(0)}', which depends on the whole book's page sequence"
    if AUTHOR_TARGETS.search(options.extra_css):
        return "its extra stylesheet prints targets' counters or text, known from the whole book only"
    return None


def chunk_sizes(chapters: int) -> list[int]:
    """Split `chapters` into near-equal runs: at least MIN_CHUNKS of them (or one per chapter), at most
    MAX_CHAPTERS_PER_CHUNK chapters each, earlier runs one longer when they cannot all be equal.

    Depends on the chapter count only, never on the workers: `[2, 2, 2, 2, 2, 1, 1, 1]` for 13.
    """
    if chapters == 0:
        return []
    count = max(math.ceil(chapters / MAX_CHAPTERS_PER_CHUNK), min(chapters, MIN_CHUNKS))
    base, extra = divmod(chapters, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def body_parts(book: Book, options: RenderOptions, pages: Mapping[str, int] | None = None) -> BookParts:
    """Render the chapter chunks and the credits as documents of their own.

    Cross-references print the page `pages` gives their target (anchor -> page number); a target it
    lacks gets a guess, and its part is marked to be measured first (see `Part.misprints`).
    """
    rendered = render_parts(book)
    guesses = _guessed_pages(book)
    known = guesses if pages is None else {**guesses, **pages}
    css = stylesheet(book).replace(TARGET_PAGE, LITERAL_PAGE) + "\n" + EDGE_CSS.format("top") + "\n"
    parts: list[Part] = []
    start = 0
    for size in chunk_sizes(len(book.chapters)):
        chapters = book.chapters[start : start + size]
        html = render_document(
            book, options, rendered.chapters[start : start + size], css + EDGE_CSS.format("bottom")
        )
        first, last = chapters[0].post.source_path, chapters[-1].post.source_path
        where = first if size == 1 else f"{first} to {last}"
        slugs = tuple(chapter.slug for chapter in chapters)
        parts.append(_numbered(Part("chapters", html, where, chapters=slugs), known, pages))
        start += size
    back = render_document(book, options, (rendered.back,), css)
    parts.append(_numbered(Part("back", back, "the credits", chapters=("credits",)), known, pages))
    return BookParts(tuple(parts), (*(c.slug for c in book.chapters), "credits"))


def _guessed_pages(book: Book) -> dict[str, int]:
    """A first guess at each chapter's page, so a guessed number is about as wide as the true one."""
    guesses = {c.slug: 1 + GUESS_PAGES_PER_CHAPTER * i for i, c in enumerate(book.chapters)}
    guesses["credits"] = 1 + GUESS_PAGES_PER_CHAPTER * len(book.chapters)
    return guesses


_XREF_TAG = re.compile(r'<a\s[^>]*\bclass="(?:[^"]*\s)?xref[\s"][^>]*>')


def _numbered(part: Part, known: Mapping[str, int], pages: Mapping[str, int] | None) -> Part:
    """Write each cross-reference's page into its link; point links to other parts at the sentinel."""
    references: dict[str, int] = {}
    guessed = False

    def number(tag: re.Match[str]) -> str:
        nonlocal guessed
        found = _LOCAL_HREF.search(tag.group(0))
        if found is None:
            return tag.group(0)
        target = found.group(1)
        page = known.get(target) or known.get(target.split("--")[0], 1)
        guessed |= pages is None or target not in pages
        references[target] = page
        return tag.group(0)[:-1] + f' data-page="{page}">'

    html = _links_to_other_parts(_XREF_TAG.sub(number, part.html))
    return replace(part, html=html, references=tuple(references.items()), measure=guessed)


def front_part(book: Book, options: RenderOptions, pages: Mapping[str, int]) -> Part:
    """Render the cover and contents with each entry's page number written in: `pages` maps anchors."""
    rendered = render_parts(book)
    css = stylesheet(book).replace(TARGET_PAGE, LITERAL_PAGE) + "\n" + EDGE_CSS.format("bottom")

    def numbered(match: re.Match[str]) -> str:
        target = match.group(1)
        page = f' data-page="{pages[target]}"' if target in pages else ""
        return f'href="#{target}"{page}'

    front = _LOCAL_HREF.sub(numbered, rendered.front)
    html = render_document(book, options, (front,), css)
    return Part("front", _links_to_other_parts(html), "the contents", numbered=False)


def _links_to_other_parts(html: str) -> str:
    """Point links whose anchor is not in this document at the sentinel address."""
    ids = set(_ID.findall(html))

    def outward(match: re.Match[str]) -> str:
        target = match.group(1)
        return match.group(0) if target in ids else f'href="{PART_LINK_PREFIX}{target}"'

    return _LOCAL_HREF.sub(outward, html)


def anchor_name(uri: str) -> str | None:
    """The anchor a sentinel link points to, or None for a real external link."""
    return uri[len(PART_LINK_PREFIX) :] if uri.startswith(PART_LINK_PREFIX) else None


def part_sources(parts: Sequence[Part]) -> list[str]:
    """The sources of each part, for messages."""
    return [part.where for part in parts]
