"""Typeset the HTML into a PDF with WeasyPrint: sandboxed fetches, our fonts only, atomic write."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import warnings
from collections.abc import Iterator
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
from guide.typesetting.common import FONTCONFIG_FILE, PDF_VARIANT, Progress, TypesetResult, objects_frozen
from guide.weasylog import Locate, captured_log, log_handler

__all__ = [
    "FONTCONFIG_FILE",
    "PDF_VARIANT",
    "Progress",
    "TypesetResult",
    "log_handler",
    "objects_frozen",
    "typeset_pdf",
]


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
