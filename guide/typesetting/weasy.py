"""Every use of WeasyPrint's internals, in one module (tests/test_weasy_internals.py guards them).

Two things the public API cannot do, both needed to lay a book out in parts:

1. Number a part's pages from where it sits in the book. WeasyPrint lays out every page before it
   lays out the margin boxes; `page_offset_hook` runs between the two (it wraps
   `weasyprint.layout.make_margin_boxes`) and shifts the `page` counter of every page state in
   `LayoutContext.page_maker`. Only folios change: nothing in the flow depends on them.
2. Subset a font program exactly as WeasyPrint does, once over the glyphs of every part
   (`weasyprint.pdf.fonts.Font._harfbuzz_subset`, fed a HarfBuzz face made from the font file).

WeasyPrint's minor version is pinned in pyproject.toml for these.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import weasyprint
import weasyprint.layout
import weasyprint.pdf.fonts
from weasyprint.text import ffi as weasy_ffi

SUPPORTED_SERIES = "70."
"""The WeasyPrint versions whose internals this module was written against."""

PageOffset = Callable[[int], int]
"""Given a part's page count once it is laid out, return how many pages come before it in the book."""

_original_margin_boxes = weasyprint.layout.make_margin_boxes
_offset: list[PageOffset] = []
_harfbuzz_ready: list[bool] = []


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
    _offset.append(offset)
    try:
        yield
    finally:
        _offset.pop()


def _margin_boxes_after_offset(context: Any, page: Any, state: Any) -> Any:
    """Shift every page's `page` counter once, before the first margin box of a document is made."""
    if _offset and not getattr(context, "_guide_pages_shifted", False):
        context._guide_pages_shifted = True
        entries = context.page_maker
        shift = _offset[-1](len(entries) - 1)
        if shift:
            for entry in entries:
                counters = entry[3][1]
                counters["page"] = [value + shift for value in counters.get("page", [0])]
    return _original_margin_boxes(context, page, state)


def subset_font(program: bytes, index: int, glyphs: Iterable[int], family: str) -> bytes:
    """Subset the font `program` to `glyphs` (ids kept) the way WeasyPrint subsets what it embeds.

    `family` only names the font in WeasyPrint's own warning, should HarfBuzz fail.
    """
    ffi, harfbuzz = weasy_ffi.ffi, weasy_ffi.harfbuzz
    if not _harfbuzz_ready:
        ffi.cdef(
            "hb_blob_t * hb_blob_create (const char *data, unsigned int length, int mode,"
            " void *user_data, void *destroy);"
            "hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);",
            override=True,
        )
        _harfbuzz_ready.append(True)
    data = ffi.new("char[]", program)
    blob = ffi.gc(
        harfbuzz.hb_blob_create(data, len(program), 1, ffi.NULL, ffi.NULL),  # 1: read-only, no copy
        harfbuzz.hb_blob_destroy,
    )
    face = ffi.gc(harfbuzz.hb_face_create(blob, index), harfbuzz.hb_face_destroy)
    stand_in = _FontStandIn(face, program, family, data, blob)
    weasyprint.pdf.fonts.Font._harfbuzz_subset(stand_in, dict.fromkeys(sorted(glyphs), ""), False)
    return stand_in.file_content


class _FontStandIn:
    """The attributes `Font._harfbuzz_subset` reads and writes."""

    def __init__(self, face: Any, program: bytes, family: str, *keep_alive: Any) -> None:
        self.hb_face = face
        self.file_content = program
        self.family = family
        self.missing: dict[int, int] = {}
        self._keep_alive = keep_alive
