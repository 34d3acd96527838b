"""Typeset the HTML into a PDF with WeasyPrint: sandboxed fetches, our fonts only, atomic write."""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
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
from guide.interrupt import stop_if_interrupted
from guide.resources import PACKAGE_DIR

FONTCONFIG_FILE = PACKAGE_DIR / "fonts.conf"
PDF_VARIANT = "pdf/ua-1"
"""Tagged, with document language, title shown and XMP metadata: what screen readers need."""
Progress = Callable[[str], None]
ALREADY_REPORTED = (
    "refused to load",  # the fetcher records its refusals, and the build names the post to blame
    "has no required alt description",  # the book stage warns with the post and line
)


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


def typeset_pdf(
    html: str,
    base_dir: Path,
    fetcher: SandboxedFetcher,
    report: Report,
    progress: Progress | None = None,
) -> TypesetResult:
    """Lay out the HTML and return the PDF bytes; WeasyPrint's log goes into `report`."""
    with (
        _captured_log(report, progress),
        _isolated_fonts() as fonts,
        objects_frozen(),
        _disk_errors(),
        warnings.catch_warnings(),
    ):
        # An image past Pillow's bomb limit fails to load (a located error) instead of printing a warning.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        document = weasyprint.HTML(
            string=html,
            base_url=base_dir.as_uri() + "/",
            url_fetcher=fetcher,
        ).render(font_config=fonts, pdf_variant=PDF_VARIANT)
        layout_warnings = tuple(audit_document(document))
        stop_if_interrupted()
        if progress:
            progress(f"Writing {len(document.pages)} pages")
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    assert isinstance(pdf, bytes)
    anchor_pages: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            anchor_pages.setdefault(anchor, index)
    return TypesetResult(
        pdf=pdf, pages=len(document.pages), anchor_pages=anchor_pages, layout_warnings=layout_warnings
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


@contextlib.contextmanager
def _isolated_fonts() -> Iterator[FontConfiguration]:
    """Make a font configuration that sees only the fonts our stylesheet declares."""
    previous = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(FONTCONFIG_FILE)
    try:
        fonts = FontConfiguration()
    finally:
        if previous is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = previous
    yield fonts


def log_handler(report: Report) -> logging.Handler:
    """The handler that turns WeasyPrint's log records into diagnostics in `report`."""
    return _ReportHandler(report)


class _ReportHandler(logging.Handler):
    """Turn WeasyPrint's log records into diagnostics."""

    def __init__(self, report: Report) -> None:
        super().__init__(logging.WARNING)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if any(known in text for known in ALREADY_REPORTED):
            return
        first = text.splitlines()[0] if text.strip() else "an unnamed problem"
        if first.rstrip().endswith(":"):  # WeasyPrint passes on an exception that carries no message
            first = first.rstrip() + " the file is damaged or not in a format it reads"
        message = "typesetting: " + first
        if record.levelno >= logging.ERROR:
            self.report.error("<pdf>", None, message)
        else:
            self.report.warn("<pdf>", None, message)


class _ProgressHandler(logging.Handler):
    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress(record.getMessage().split(" - ", 1)[-1])


@contextlib.contextmanager
def _captured_log(report: Report, progress: Progress | None) -> Iterator[None]:
    logger = logging.getLogger("weasyprint")
    progress_logger = logging.getLogger("weasyprint.progress")
    handler = _ReportHandler(report)
    progress_handler = _ProgressHandler(progress) if progress else None
    saved = (logger.propagate, logger.level, progress_logger.level, progress_logger.propagate)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    progress_logger.propagate = False
    if progress_handler:
        progress_logger.addHandler(progress_handler)
        progress_logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        if progress_handler:
            progress_logger.removeHandler(progress_handler)
        logger.propagate, logger.level, progress_logger.level, progress_logger.propagate = saved
