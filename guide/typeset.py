"""Typeset the HTML into a PDF with WeasyPrint: sandboxed fetches, our fonts only, atomic write."""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import weasyprint
from PIL import Image
from weasyprint.text.fonts import FontConfiguration

from guide.audit import audit_document
from guide.errors import Diagnostic, GuideError, Report
from guide.fetcher import SandboxedFetcher
from guide.figures import settle_figures
from guide.framestack import with_room
from guide.interrupt import stop_if_interrupted
from guide.resources import PACKAGE_DIR
from guide.weasylog import Locate, captured_log, log_handler

__all__ = ["FONTCONFIG_FILE", "Progress", "TypesetResult", "log_handler", "typeset_pdf"]

FONTCONFIG_FILE = PACKAGE_DIR / "fonts.conf"
PDF_VARIANT = "pdf/ua-1"
"""Tagged, with document language, title shown and XMP metadata: what screen readers need."""
Progress = Callable[[str], None]


@dataclass(frozen=True)
class TypesetResult:
    """What a typesetting run produced."""

    pdf: bytes
    """The PDF file's bytes."""
    pages: int
    """Number of pages in the PDF."""
    anchor_pages: dict[str, int]
    """Each HTML id -> the 0-based page it lands on: where the chapters begin."""
    layout_warnings: tuple[Diagnostic, ...] = ()
    """What the layout audit found (guide/audit.py), located in the posts."""
    failed_images: tuple[str, ...] = ()
    """Addresses of images WeasyPrint failed to load (refused ones are in the fetcher's refusals)."""
    finished: bool = False
    """Whether the PDF has its page labels and metadata already (see `guide.finish`)."""


def typeset_pdf(
    html: str,
    base_dir: Path,
    fetcher: SandboxedFetcher,
    report: Report,
    progress: Progress | None = None,
    *,
    locate: Locate | None = None,
    known_chars: set[str] | None = None,
) -> TypesetResult:
    """Lay out the HTML and return the PDF bytes; WeasyPrint's log goes into `report`.

    `locate` names the post and line of an element loading a URL; `known_chars` are characters
    already reported as missing from the fonts (see guide.weasylog.captured_log).
    """
    with (
        captured_log(report, progress, locate, known_chars) as findings,
        objects_frozen(),
        _disk_errors(),
        warnings.catch_warnings(),
    ):
        # An image past Pillow's bomb limit fails to load (a located error) instead of printing a warning.
        warnings.simplefilter("error", Image.DecompressionBombWarning)

        def lay_out(source: str) -> weasyprint.Document:
            return weasyprint.HTML(
                string=source,
                base_url=base_dir.as_uri() + "/",
                url_fetcher=fetcher,
            ).render(font_config=font_configuration(), pdf_variant=PDF_VARIANT)

        document = with_room(lambda: settle_figures(html, lay_out))
        layout_warnings = tuple(audit_document(document))
        stop_if_interrupted()
        if progress:
            progress(f"Writing {len(document.pages)} pages")
        pdf = with_room(lambda: document.write_pdf(pdf_variant=PDF_VARIANT))
    assert isinstance(pdf, bytes)
    anchor_pages: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            anchor_pages.setdefault(anchor, index)
    return TypesetResult(
        pdf=pdf,
        pages=len(document.pages),
        anchor_pages=anchor_pages,
        layout_warnings=layout_warnings,
        failed_images=tuple(findings.failed_images),
    )


@contextlib.contextmanager
def _disk_errors() -> Iterator[None]:
    """Report a full disk or file-size limit hit by WeasyPrint's temporary font files as one line."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            raise
        raise GuideError(
            Diagnostic("<typesetting>", None, f"cannot write a temporary file: {exc.strerror}")
        ) from exc


@contextlib.contextmanager
def objects_frozen() -> Iterator[None]:
    """Keep every object alive now out of the cyclic collector's sight until the block ends.

    During layout: those objects (modules, the book) would otherwise count towards the threshold
    of full collections, making them rarer while WeasyPrint makes cyclic garbage (a 200-post
    guide then peaked 60 MiB higher than WeasyPrint alone). While forked workers live: a
    collection in a worker would touch, and so copy, every object the parent had.
    Uses `gc.freeze` (Python 3.7+); `gc.unfreeze` on the way out, whatever happens.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@functools.cache
def font_configuration() -> FontConfiguration:
    """The process's one font configuration, made on first use: it sees only the guide's fonts.

    Fontconfig reads FONTCONFIG_FILE when the configuration is made, and only then: it is set for
    that moment and put back, so the process's environment is as it was.
    """
    previous = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(FONTCONFIG_FILE)
    try:
        return FontConfiguration()
    finally:
        if previous is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = previous
