"""Render a Book to the one HTML document the PDF is typeset from."""

from __future__ import annotations

import datetime as dt
import functools
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from guide.book import Book, Chapter
from guide.chapterstore import chapter_key, load_chapter, store_chapter
from guide.errors import Diagnostic, GuideError
from guide.fonts import font_face_css
from guide.resolution import print_width_css
from guide.resources import STYLES_DIR, STYLESHEETS, TEMPLATES_DIR
from guide.titles import balance_title, keep_last_words
from guide.wrapping import mark_wrapping


@dataclass(frozen=True)
class RenderOptions:
    """What the renderer takes besides the book."""

    created: dt.datetime
    """The date recorded in the PDF's metadata."""
    extra_css: str = ""
    """The author's own stylesheet, applied last."""
    cache: Path | None = None
    """A folder keeping each chapter's HTML across processes (see `guide.chapterstore`), or None."""
    fonts: Path | None = None
    """A folder keeping the title font's metrics across processes (see `guide.titles`), or None."""


@functools.cache
def _environment() -> jinja2.Environment:
    """One environment per process: it compiles each template once."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["longdate"] = _long_date
    env.filters["keep_last_words"] = keep_last_words
    env.filters["balanced"] = _balanced
    return env


@jinja2.pass_context
def _balanced(context: jinja2.runtime.Context, text: str, kind: str, page_size: str) -> Markup:
    """`titles.balance_title`, with the font metrics kept in the folder the context names (`fonts`)."""
    fonts = context.get("fonts")
    return balance_title(text, kind, page_size, fonts if isinstance(fonts, Path) else None)


def _long_date(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def stylesheet(book: Book) -> str:
    """Return the package's print stylesheet: fonts, page size, then one file per concern."""
    parts = [font_face_css(), f"@page {{ size: {book.page_size}; }}"]
    parts += [(STYLES_DIR / name).read_text(encoding="utf-8") for name in STYLESHEETS]
    parts.append(print_width_css([chapter.body_html for chapter in book.chapters]))
    return "\n".join(parts)


def _style_element_text(css: str) -> Markup:
    """Return CSS safe inside <style>: it cannot close the element early."""
    return Markup(css.replace("</", "<\\/"))  # noqa: S704 - stylesheets are CSS, never markup


@dataclass(frozen=True)
class RenderedBook:
    """The book as HTML parts: front matter, one part per chapter, back matter, and the shell."""

    front: str
    """Cover and contents."""
    chapters: tuple[str, ...]
    """One <article> per chapter, in reading order."""
    back: str
    """The credits."""


_rendered: list[tuple[Book, RenderedBook]] = []
"""The last book rendered (books are frozen): a build renders the whole book and then its parts."""


def render_parts(book: Book, cache: Path | None = None, fonts: Path | None = None) -> RenderedBook:
    """Render each part on its own, so a typesetter may lay them out separately.

    Chapters and credits are marked for wrapping (guide/wrapping.py): what a reader copies breaks
    without hyphens. The same book object is rendered once; `cache` keeps the chapters on disk,
    `fonts` the title font's metrics.
    """
    if _rendered and _rendered[0][0] is book:
        return _rendered[0][1]
    rendered = _render_parts(book, cache, fonts)
    _rendered[:] = [(book, rendered)]
    return rendered


def _render_parts(book: Book, cache: Path | None, fonts: Path | None) -> RenderedBook:
    env = _environment()
    chapters = [(c, Markup(c.body_html)) for c in book.chapters]  # noqa: S704 - sanitised in sources/
    context = {"book": book, "chapters": chapters, "fonts": fonts}
    return RenderedBook(
        front=_render(env, "front.html.j2", context),
        chapters=tuple(_chapter_html(env, context, chapter, body, cache) for chapter, body in chapters),
        back=_credits_html(env, context, book),
    )


_chapters_memo: OrderedDict[tuple[object, ...], str] = OrderedDict()


def _chapter_html(
    env: jinja2.Environment, context: dict[str, object], chapter: Chapter, body: Markup, cache: Path | None
) -> str:
    """One chapter's marked HTML, rendered once per distinct chapter in this process (and in `cache`).

    The key holds everything chapter.html.j2 prints: `guide watch` renders again only the chapters
    that changed (titles are balanced by measuring their words, which adds up over 200 chapters),
    and a new process only those not in the cache.
    """
    post = chapter.post
    book = context["book"]
    assert isinstance(book, Book)
    key = (
        chapter.slug,
        post.source_path,
        chapter.label,
        chapter.title,
        book.page_size,
        post.subtitle,
        post.date,
        post.author,
        chapter.body_html,
    )
    if key in _chapters_memo:
        _chapters_memo.move_to_end(key)
        return _chapters_memo[key]
    stored = chapter_key(key) if cache is not None else None
    html = load_chapter(cache, stored) if cache is not None and stored is not None else None
    if html is None:
        html = _wrapped(_render(env, "chapter.html.j2", {**context, "chapter": chapter, "body": body}))
        if cache is not None and stored is not None:
            store_chapter(cache, stored, html)
    _chapters_memo[key] = html
    if len(_chapters_memo) > WRAPPED_KEPT:
        _chapters_memo.popitem(last=False)
    return html


_credits_memo: dict[tuple[object, ...], str] = {}


def _credits_html(env: jinja2.Environment, context: dict[str, object], book: Book) -> str:
    """The credits' marked HTML, rendered again only when something credits.html.j2 prints changed."""
    key = (
        book.author,
        book.credits,
        book.cover_credit,
        tuple(
            (c.slug, c.post.title, c.post.date, c.post.url, c.post.author, c.post.credits)
            for c in book.chapters
        ),
    )
    if key not in _credits_memo:
        _credits_memo.clear()  # the latest book's only
        _credits_memo[key] = _wrapped(_render(env, "credits.html.j2", context))
    return _credits_memo[key]


WRAPPED_KEPT = 1024
"""Chapters whose marked HTML a long-lived process keeps (`guide watch` marks only what changed)."""
_wrapped_memo: OrderedDict[str, str] = OrderedDict()


def _wrapped(html: str) -> str:
    """`mark_wrapping(html)`, made once per distinct chapter HTML in this process."""
    if html in _wrapped_memo:
        _wrapped_memo.move_to_end(html)
        return _wrapped_memo[html]
    marked = _wrapped_memo[html] = mark_wrapping(html)
    if len(_wrapped_memo) > WRAPPED_KEPT:
        _wrapped_memo.popitem(last=False)
    return marked


def render_html(book: Book, options: RenderOptions) -> str:
    """Render the book as one self-contained HTML document."""
    parts = render_parts(book, options.cache, options.fonts)
    return render_document(book, options, (parts.front, *parts.chapters, parts.back))


def render_document(book: Book, options: RenderOptions, parts: Sequence[str], css: str | None = None) -> str:
    """Render `parts` (from `render_parts`) in the book's document shell: head, metadata, styles.

    `css` replaces the package stylesheet (the parallel typesetter passes an adjusted copy); the
    author's extra stylesheet still comes last.
    """
    return _render(
        _environment(),
        "book.html.j2",
        {
            "book": book,
            "parts": [Markup(p) for p in parts],  # noqa: S704 - rendered by our own templates
            "css": _style_element_text(stylesheet(book) if css is None else css),
            "extra_css": _style_element_text(options.extra_css),
            "created": options.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )


def _render(env: jinja2.Environment, name: str, context: dict[str, object]) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        message = exc.message or "syntax error"
        raise GuideError(Diagnostic(f"templates/{exc.name or name}", exc.lineno, message)) from exc
