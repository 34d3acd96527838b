"""Every use of WeasyPrint's internals, in one module (tests/test_weasy_internals.py guards them).

What the public API cannot do, all needed to lay a book out in parts:

1. Number a part's pages from where it sits in the book. WeasyPrint lays out every page before it
   lays out the margin boxes; `page_offset_hook` runs between the two (it wraps
   `weasyprint.layout.make_margin_boxes`) and shifts the `page` counter of every page state in
   `LayoutContext.page_maker`. Only folios change: nothing in the flow depends on them.
2. Subset a font program exactly as WeasyPrint does, once over the glyphs of every part
   (`weasyprint.pdf.fonts.Font.subset`, fed a HarfBuzz face made from the font file: HarfBuzz's
   subsetter, or fontTools' where libharfbuzz-subset is missing, as WeasyPrint chooses).
3. Make the glyph arrays of that subsetting without a C parse each (`quick_arrays`): WeasyPrint
   writes each font's glyph count into the cffi type (`hb_codepoint_t[412]`), and cffi parses every
   new type string with pycparser (about 6 ms); a book in parts subsets each face once per part.
4. Parse a part's stylesheet once per worker (`kept_stylesheets`): every part holds the same `<style>`,
   which WeasyPrint parses again for each document (about 20 ms of a part's 0.5 s).
5. Correct the page numbers a part's cross-references print once the other parts are paginated, the
   way WeasyPrint resolves `target-counter()` within one document: `paginated_hook` runs after the
   first pagination (it wraps `weasyprint.layout.make_all_pages`); `Paginated.renumber` rewrites the
   literal numbers in the box tree and marks the pages that print them `content_changed`, and
   `layout_document`'s repagination loop lays out again those pages only (and the ones after them,
   while their breaks move).
6. Give a laid-out part margin boxes again at another first page, without laying it out again
   (`keeping`, `KeptLayout.refoliate`): `make_all_pages` (wrapped, as for 5) hands over each
   document's pages before their margin boxes; `refoliate` puts those pages back as they were, sets
   every page state's `page` counter from the new offset and runs `layout_document`'s last loop
   again (fixed boxes, `make_margin_boxes`, `layout_backgrounds`), then makes a `Document` of the
   pages as `Document._render` does (`Document.copy`). Pagination never reads the folios, so the
   pages are those of a fresh layout at that offset, and so are the bytes. `KeptLayout.renumber`
   prints other numbers in the kept pages as 5 does, and runs `layout_document`'s repagination and
   its collection of named strings and bookmarks again (`_collect_strings`) before that.

WeasyPrint's minor version is pinned in pyproject.toml for these.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import weasyprint
import weasyprint.css
import weasyprint.layout
import weasyprint.pdf.fonts
from weasyprint.formatting_structure.boxes import TextBox
from weasyprint.layout.background import layout_backgrounds
from weasyprint.text import ffi as weasy_ffi

SUPPORTED_SERIES = "70."
"""The WeasyPrint versions whose internals this module was written against."""

PageOffset = Callable[[int], int]
"""Given a part's page count once it is laid out, return how many pages come before it in the book."""

_original_margin_boxes = weasyprint.layout.make_margin_boxes
_original_make_all_pages = weasyprint.layout.make_all_pages
_hooks = threading.local()
"""This thread's `offset` (a list of PageOffset) and `paginated` (a list of hooks): parts laid out in
threads of one process (see `guide.typesetting.linked`) each keep their own."""
_harfbuzz_ready: list[bool] = []
_original_css = weasyprint.css.CSS
NOT_KEPT = re.compile(r"@(import|counter-style|color-profile|layer)\b", re.IGNORECASE)
"""Stylesheets that reach into the document's own collections (counter styles, colour profiles,
layers) or load other files as they are parsed: parsed for every document, as WeasyPrint does."""
MAX_KEPT = 8
_FIXED_ARRAY = re.compile(r"([A-Za-z_][A-Za-z0-9_ ]*?)\s*\[(\d+)\]")


class InternalsChangedError(RuntimeError):
    """WeasyPrint no longer has what this module relies on: a bug to fix here, never the author's."""


def check_version() -> None:
    """Raise InternalsChangedError if the installed WeasyPrint is not the series this module knows."""
    if not weasyprint.__version__.startswith(SUPPORTED_SERIES):
        raise InternalsChangedError(
            f"guide/typesetting/weasy.py was written for WeasyPrint {SUPPORTED_SERIES}x, "
            f"not {weasyprint.__version__}"
        )


@contextlib.contextmanager
def page_offset(offset: PageOffset) -> Iterator[None]:
    """Within this block, number each laid-out document's pages from `offset(page_count) + 1`."""
    if weasyprint.layout.make_margin_boxes is _original_margin_boxes:
        weasyprint.layout.make_margin_boxes = _margin_boxes_after_offset
    with _pushed("offset", offset):
        yield


@contextlib.contextmanager
def _pushed(name: str, value: object) -> Iterator[None]:
    stack = _stack(name)
    stack.append(value)
    try:
        yield
    finally:
        stack.pop()


def _stack(name: str) -> list[Any]:
    stack: list[Any] | None = getattr(_hooks, name, None)
    if stack is None:
        stack = []
        setattr(_hooks, name, stack)
    return stack


def _margin_boxes_after_offset(context: Any, page: Any, state: Any) -> Any:
    """Shift every page's `page` counter once, before the first margin box of a document is made."""
    offsets = _stack("offset")
    if offsets and not getattr(context, "_guide_pages_shifted", False):
        context._guide_pages_shifted = True
        entries = context.page_maker
        shift = offsets[-1](len(entries) - 1)
        if shift:
            for entry in entries:
                counters = entry[3][1]
                counters["page"] = [value + shift for value in counters.get("page", [0])]
    return _original_margin_boxes(context, page, state)


LITERAL_NUMBER = "data-page"
"""The attribute holding the page number a cross-reference prints (its `::after` shows it)."""


class Paginated:
    """A document between its first pagination and its margin boxes (given to a `paginated_hook`)."""

    def __init__(self, context: Any, root_box: Any, pages: list[Any]) -> None:
        self._context = context
        self._root_box = root_box
        self._pages = pages
        self.page_count = len(pages)
        self.anchors = _page_anchors(pages)
        """Each anchor -> the 0-based page it lands on."""

    def renumber(self, numbers: Mapping[str, int], target: Callable[[str], str | None]) -> dict[str, int]:
        """Print `numbers[anchor]` in each cross-reference to an anchor it holds; return what each prints.

        A cross-reference is an element with a `data-page` attribute whose `::after` prints that number;
        `target` gives the anchor of its `href`. Its number is rewritten in the box tree, and the pages
        that show it are laid out again by WeasyPrint's repagination. A reference whose anchor is not in
        `numbers`, or whose `::after` does not print its number exactly once, keeps the number it has.
        """
        printed: dict[str, int] = {}
        changed: set[Any] = set()
        for box in self._root_box.descendants():
            element = box.element
            if element is None or not box.element_tag.endswith("::after"):
                continue
            old = element.get(LITERAL_NUMBER)
            anchor = target(element.get("href") or "")
            if old is None or anchor is None:
                continue
            new = numbers.get(anchor)
            if new is not None and str(new) != old and _rewrite(box, old, str(new)):
                element.set(LITERAL_NUMBER, str(new))
                changed.add(element)
            printed.setdefault(anchor, int(element.get(LITERAL_NUMBER)))
        marked = [any(child.element in changed for child in page.descendants()) for page in self._pages]
        if any(marked) and any(_footnotes(page) for page in self._pages):
            # Laid out again alone, a page after one that is kept would place the kept one's
            # footnote a second time (the footnotes are all pending again in the repagination).
            marked = [True] * len(marked)
        for index, again in enumerate(marked):
            if again:
                self._context.page_maker[index][-1]["content_changed"] = True
        return printed


def _rewrite(after: Any, old: str, new: str) -> bool:
    """Replace the number `old` with `new` in the text of an `::after` box, if it prints it once."""
    number = re.compile(rf"(?<!\d){re.escape(old)}(?!\d)")
    texts = [child for child in after.children if isinstance(child, TextBox)]
    if sum(len(number.findall(child.text)) for child in texts) != 1:
        return False
    for child in texts:
        child.text = number.sub(new, child.text)
    return True


def _footnotes(page: Any) -> bool:
    """Whether a page (before its margin boxes) shows footnotes."""
    return any(area.children for area in page.children[1:2])


def _page_anchors(pages: list[Any]) -> dict[str, int]:
    anchors: dict[str, int] = {}
    for index, page in enumerate(pages):
        for child in page.descendants(placeholders=True):
            anchor = child.style["anchor"]
            if anchor:
                anchors.setdefault(anchor, index)
    return anchors


@contextlib.contextmanager
def paginated_hook(hook: Callable[[Paginated], None]) -> Iterator[None]:
    """Within this block (in this thread), call `hook` once per document, after its first pagination."""
    if weasyprint.layout.make_all_pages is _original_make_all_pages:
        weasyprint.layout.make_all_pages = _make_all_pages_then_hook
    with _pushed("paginated", hook):
        yield


def _make_all_pages_then_hook(context: Any, root_box: Any, html: Any, pages: list[Any]) -> Iterator[Any]:
    hooks, keeps = _stack("paginated"), _stack("keep")
    first = hooks and not getattr(context, "_guide_paginated", False)
    if not first and not keeps:
        yield from _original_make_all_pages(context, root_box, html, pages)
        return
    if keeps and not hasattr(context, "_guide_footnotes"):
        context._guide_footnotes = list(context.footnotes)  # as `layout_document` keeps them
    made = list(_original_make_all_pages(context, root_box, html, pages))
    if first:
        context._guide_paginated = True
        hooks[-1](Paginated(context, root_box, made))
    if keeps:  # each pagination (the repagination's last) replaces the one before
        keeps[-1][:] = [_Paginated(context, root_box, html, made)]
    yield from made


class _Paginated:
    """A document's pages as its last pagination left them, before its margin boxes."""

    def __init__(self, context: Any, root_box: Any, html: Any, pages: list[Any]) -> None:
        self.context = context
        self.root_box = root_box
        self.html = html
        self.pages = [(page, page.children, list(page.children[0].children)) for page in pages]
        self.folios = [list(entry[3][1].get("page", [0])) for entry in context.page_maker]
        """Each page state's `page` counter before any offset."""

    def restore(self, shift: int) -> list[Any]:
        """Put the pages back as the pagination left them, numbered from `shift + 1`; return them."""
        for entry, folio in zip(self.context.page_maker, self.folios, strict=True):
            entry[3][1]["page"] = [value + shift for value in folio]
        for page, children, flow in self.pages:
            page.children = children
            children[0].children = list(flow)
        return [page for page, _, _ in self.pages]


@contextlib.contextmanager
def keeping(active: bool = True) -> Iterator[list[Any]]:
    """Within this block (in this thread), keep what `KeptLayout.of` needs of each rendered document
    (unless not `active`: then nothing is kept)."""
    if not active:
        yield []
        return
    if weasyprint.layout.make_all_pages is _original_make_all_pages:
        weasyprint.layout.make_all_pages = _make_all_pages_then_hook
    kept: list[Any] = []
    with _pushed("keep", kept):
        yield kept


class KeptLayout:
    """A laid-out document that can be given its margin boxes again at another page offset."""

    def __init__(self, document: weasyprint.Document, paginated: _Paginated) -> None:
        self.document = document.copy([])
        """What a copy of the document takes (metadata, fetcher, fonts), without its pages: they would
        hold every page box the document was written with, also once `renumber` has replaced them."""
        self._paginated = paginated
        self.page_count = len(document.pages)
        self.anchors = _page_anchors([page for page, _, _ in paginated.pages])
        """Each anchor -> the 0-based page it lands on."""

    @classmethod
    def of(cls, document: weasyprint.Document, kept: list[Any]) -> KeptLayout | None:
        """The document rendered last in a `keeping` block (`kept`), or None if it cannot be refoliated.

        Not kept: fixed boxes (laid out again on every page) and running elements (margin boxes
        that show content boxes of the flow) make margin boxes from more than the page states.
        """
        if not kept:
            return None
        paginated = kept[-1]
        boxes = [page for page, _, _ in paginated.pages]
        if len(boxes) != len(document.pages) or any(
            page._page_box is not box for page, box in zip(document.pages, boxes, strict=True)
        ):
            return None
        context = paginated.context
        if any(page.fixed_boxes for page in boxes) or any(
            names for names in context.running_elements.values() if any(names.values())
        ):
            return None
        return cls(document, paginated)

    def refoliate(self, shift: int) -> weasyprint.Document:
        """The document with its pages numbered from `shift + 1`, as a layout at that offset makes it."""
        context = self._paginated.context
        pages = self._paginated.restore(shift)
        for index, page in enumerate(pages):  # `layout_document`'s last loop
            root, footnote_area, note_area = page.children
            context.current_page = index + 1
            state = context.page_maker[index + 1][3]
            made = [root, *(area for area in (footnote_area, note_area) if area.children)]
            made.extend(_original_margin_boxes(context, page, state))
            page.children = tuple(made)
            layout_backgrounds(page, context.get_image_from_uri)
        return self.document.copy([weasyprint.Page(page) for page in pages])

    def renumber(self, numbers: Mapping[str, int], target: Callable[[str], str | None]) -> dict[str, int]:
        """Print `numbers[anchor]` in each cross-reference (as `Paginated.renumber` does) and lay out
        again the pages that show them, as `layout_document`'s repagination does; return what each
        reference prints. The pages are then those of a layout with these numbers written in.
        """
        paginated = self._paginated
        context = paginated.context
        pages = paginated.restore(0)
        printed = Paginated(context, paginated.root_box, pages).renumber(numbers, target)
        total = len(pages)
        for _ in range(1, REPAGINATIONS):
            context.footnotes = list(context._guide_footnotes)
            before = total
            pages = list(_original_make_all_pages(context, paginated.root_box, paginated.html, pages))
            total = len(pages)
            again = False
            for _, _, _, page_state, remake_state in context.page_maker:
                page_state[1]["pages"] = [total]
                again |= remake_state["content_changed"] or (remake_state["pages_wanted"] and before != total)
            if not again:
                break
        _collect_strings(context, pages)
        self._paginated = _Paginated(context, paginated.root_box, paginated.html, pages)
        self.page_count = total
        self.anchors = _page_anchors(pages)
        return printed


REPAGINATIONS = 8
"""`layout_document`'s `max_loops`: its first pagination, then repaginations."""


def _collect_strings(context: Any, pages: list[Any]) -> None:
    """Collect the named strings (and drop repeated bookmarks) of paginated pages, as `layout_document`
    does once its repagination ends."""
    context.string_set = collections.defaultdict(lambda: collections.defaultdict(list))
    seen: dict[str, list[Any]] = {"::before": [], "::after": [], "": []}
    for index, page in enumerate(pages):
        counters = context.page_maker[index + 1][3][1]
        for child in page.descendants():
            if child.bookmark_label:
                tag = child.element_tag
                checklist = seen[next((end for end in ("::before", "::after") if tag.endswith(end)), "")]
                if child.element in checklist:
                    child.bookmark_label = ""
                else:
                    checklist.append(child.element)
            if child.missing_link:
                for (box, use), item in context.target_collector.counter_lookup_items.items():
                    if child.missing_link == box and use != "content":
                        if use == "bookmark-label" and not child.bookmark_label:
                            continue
                        item.parse_again(counters)
                        if use == "bookmark-label":
                            child.bookmark_label = box.bookmark_label
            if child.string_set and child.string_set != "none":
                for name, text in child.string_set:
                    context.string_set[name][index + 1].append(text)


def kept_stylesheets() -> None:
    """Parse each `<style>` element's text once in this process and use it for every document after.

    WeasyPrint's `find_stylesheets` makes a `weasyprint.CSS` of a `<style>` element's text for every
    document (`weasyprint.css.CSS`, replaced here by `_kept_css`). The parsed sheet holds its
    selectors, declarations and `@page` rules (here in lists of its own rather than the document's,
    which only its sheets read), and `@font-face` rules register their fonts in the font
    configuration (one per worker, which keeps them); so the same text, base URL, fetcher and font
    configuration make the same sheet, and the same boxes and bytes. Not kept: a sheet whose parsing
    logged a warning (logged again for each document, as before) or that `NOT_KEPT` names. Once per
    process; idempotent.
    """
    if weasyprint.css.CSS is not _kept_css:
        weasyprint.css.CSS = _kept_css


_kept: dict[tuple[object, ...], tuple[Any, object, object]] = {}
"""(text, base URL, media type, ids of the fetcher and font configuration) -> (the sheet, the fetcher,
the font configuration): held, so that no other object takes their ids while the sheet is kept."""


def _kept_css(*args: Any, **kwargs: Any) -> Any:
    """`weasyprint.CSS`, made once for the text of a `<style>` element (the only call giving `string`)."""
    text = kwargs.get("string")
    if args or not isinstance(text, str) or kwargs.get("matcher") is not None or NOT_KEPT.search(text):
        return _original_css(*args, **kwargs)
    key = (
        text,
        kwargs.get("base_url"),
        kwargs.get("media_type"),
        id(kwargs.get("url_fetcher")),
        id(kwargs.get("font_config")),
    )
    kept = _kept.get(key)
    if kept is not None:
        return kept[0]
    private = {**kwargs, "page_rules": [], "layers": [], "counter_style": {}, "color_profiles": {}}
    warned = _Warned()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(warned)
    try:
        sheet = _original_css(**private)
    finally:
        logger.removeHandler(warned)
    if warned.seen:  # parsed again for the next document, which logs the warning again
        return sheet
    if len(_kept) >= MAX_KEPT:
        _kept.pop(next(iter(_kept)))
    _kept[key] = (sheet, kwargs.get("url_fetcher"), kwargs.get("font_config"))
    return sheet


class _Warned(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = True


def quick_arrays() -> None:
    """Let WeasyPrint's font subsetting (`weasyprint.pdf.fonts`) make its arrays without a C parse each.

    Its module-level `ffi` becomes `_OpenArrays` over the same FFI: an array of a fixed length given
    as many initial values (`ffi.new('hb_codepoint_t[412]', glyphs)`) is made as the open array of
    the same values (`'hb_codepoint_t[]'`), whose type is parsed once. The same memory, the same
    subset, the same bytes: about 6 ms less per font and part. Once per process; idempotent.
    """
    fonts = weasyprint.pdf.fonts
    if not isinstance(fonts.ffi, _OpenArrays):
        fonts.ffi = _OpenArrays(fonts.ffi)


class _OpenArrays:
    """A cffi FFI whose `new` makes a fixed-length array with that many initial values as an open one."""

    def __init__(self, ffi: Any) -> None:
        self._ffi = ffi

    def new(self, cdecl: Any, init: Any = None) -> Any:
        if isinstance(cdecl, str) and isinstance(init, (list, tuple)):
            fixed = _FIXED_ARRAY.fullmatch(cdecl.strip())
            if fixed is not None and int(fixed.group(2)) == len(init):
                cdecl = f"{fixed.group(1)}[]"
        return self._ffi.new(cdecl, init)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ffi, name)


def ready_subsetting() -> None:
    """Make the first `subset_font` of this process as quick as the next: declare the HarfBuzz calls
    it makes and parse the C types it uses (some 25 ms, taken while the workers lay the parts out)."""
    quick_arrays()
    if _harfbuzz_ready:
        return
    ffi = weasy_ffi.ffi
    ffi.cdef(
        "hb_blob_t * hb_blob_create (const char *data, unsigned int length, int mode,"
        " void *user_data, void *destroy);"
        "hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);",
        override=True,
    )
    for ctype in ("char[]", "hb_codepoint_t[]", "unsigned int *"):
        ffi.typeof(ctype)
    _harfbuzz_ready.append(True)


def subset_font(program: bytes, index: int, glyphs: Iterable[int], family: str) -> bytes:
    """Subset the font `program` to `glyphs` (ids kept) the way WeasyPrint subsets what it embeds.

    `family` only names the font in WeasyPrint's own warning, should HarfBuzz fail.
    """
    ready_subsetting()
    ffi, harfbuzz = weasy_ffi.ffi, weasy_ffi.harfbuzz
    data = ffi.new("char[]", program)
    blob = ffi.gc(
        harfbuzz.hb_blob_create(data, len(program), 1, ffi.NULL, ffi.NULL),  # 1: read-only, no copy
        harfbuzz.hb_blob_destroy,
    )
    face = ffi.gc(harfbuzz.hb_face_create(blob, index), harfbuzz.hb_face_destroy)
    stand_in = _FontStandIn(face, program, index, family, data, blob)
    weasyprint.pdf.fonts.Font.subset(stand_in, dict.fromkeys(sorted(glyphs), ""), False)  # hinting off
    return stand_in.file_content


class _FontStandIn(weasyprint.pdf.fonts.Font):  # type: ignore[misc] # WeasyPrint has no types
    """A `Font` made from a font file, not a Pango font: only what `Font.subset` reads and writes
    (HarfBuzz's way or fontTools')."""

    def __init__(self, face: Any, program: bytes, index: int, family: str, *keep_alive: Any) -> None:
        self.hb_face = face
        self.file_content = program
        self.index = index
        self.family = family
        self.missing: dict[int, int] = {}
        self._keep_alive = keep_alive
