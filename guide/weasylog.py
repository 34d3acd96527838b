"""WeasyPrint's log during a build, turned into diagnostics: the one place that knows its records.

WeasyPrint reports problems through logging, not exceptions. Records are routed by what they
carry (a refused fetch is our own exception type, an image failure carries its URL); where only
the message template tells records apart, the template is named here, once, and
tests/test_weasylog.py fails if an upgrade of WeasyPrint changes it.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from guide.errors import Report
from guide.sandbox import FetchRefusedError

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FontFace:
    """An `@font-face` rule WeasyPrint could not load, named by its family (all its record says)."""

    family: str


Locate = Callable[["str | FontFace"], tuple[str, int | None] | None]
"""Find where a resource is asked for: the post and line of the element that loads a URL, or the
stylesheet (or SVG) and line of an `@font-face` rule."""

IMAGE_FAILED = "Failed to load image at %r: %s"
"""args (url, exception): the url names the element to blame."""
NO_ALT = 'Image "%s" has no required alt description'
"""PDF/UA's alt check: the book stage has warned for it, with the post and line."""
MISSING_GLYPH = '.notdef glyph rendered for Unicode string unsupported by fonts: "%s" (U+%04X)'
"""args (char, codepoint): the glyph check has warned for each post before layout."""
FONT_FACE_FAILED = "Font-face %r cannot be loaded"
"""args (family,): none of the rule's sources loaded (refused, missing, not a font)."""
TEMPLATES = {
    "weasyprint/images.py": IMAGE_FAILED,
    "weasyprint/text/fonts.py": FONT_FACE_FAILED,
    "weasyprint/pdf/tags.py": NO_ALT,
    "weasyprint/draw/text.py": MISSING_GLYPH,
}
"""Where each template relied on is written in WeasyPrint's source, for the upgrade test."""
TEMPLATE_PATTERNS = {
    template: re.compile(
        re.escape(template).replace("%r", "'(.*)'").replace("%s", "(.*)").replace("%04X", "([0-9A-F]{4,6})")
    )
    for template in TEMPLATES.values()
}
"""The parallel typesetter's workers send formatted messages: each template read back."""


@dataclass
class Findings:
    """What the log told, besides diagnostics."""

    failed_images: list[str] = field(default_factory=list)
    """Addresses of images WeasyPrint failed to load, in order, once each."""


class ReportHandler(logging.Handler):
    """Turn WeasyPrint's warnings and errors into diagnostics, located where the record says."""

    def __init__(self, report: Report, locate: Locate | None, known_chars: set[str]) -> None:
        super().__init__(logging.WARNING)
        self.report = report
        self.findings = Findings()
        self.locate = locate
        self.known_chars = known_chars

    def emit(self, record: logging.LogRecord) -> None:
        template, args = _template_and_args(record)
        if template == IMAGE_FAILED and args and str(args[0]) not in self.findings.failed_images:
            self.findings.failed_images.append(str(args[0]))
        refused = f"{FetchRefusedError.__name__}: " in record.getMessage()  # a worker's text: our own name
        if refused or any(_refused(arg) for arg in args) or template == NO_ALT:
            return  # already reported by the fetcher's refusals or the book stage
        if template == MISSING_GLYPH and args and args[0] in self.known_chars:
            return
        where: tuple[str, int | None] | None = None
        if template == IMAGE_FAILED and args and self.locate is not None:
            where = self.locate(str(args[0]))
        if template == FONT_FACE_FAILED and args and self.locate is not None:
            where = self.locate(FontFace(str(args[0])))
        path, line = where or ("<pdf>", None)
        text = record.getMessage()
        first = text.splitlines()[0] if text.strip() else "an unnamed problem"
        if first.rstrip().endswith(":"):  # WeasyPrint passes on an exception that carries no message
            first = first.rstrip() + " the file is damaged or not in a format it reads"
        message = "typesetting: " + first
        if record.levelno >= logging.ERROR:
            self.report.error(path, line, message)
        else:
            self.report.warn(path, line, message)


def _template_and_args(record: logging.LogRecord) -> tuple[str, tuple[object, ...]]:
    """Return the record's template and arguments, reading them back from a formatted message."""
    if isinstance(record.args, tuple) and record.args:
        return str(record.msg), record.args
    message = record.getMessage()
    for template, pattern in TEMPLATE_PATTERNS.items():
        if found := pattern.fullmatch(message.splitlines()[0] if message else ""):
            return template, found.groups()
    return str(record.msg), ()


def _refused(arg: object) -> bool:
    """Whether `arg` is, or was raised while handling, a fetch our sandbox refused.

    A worker's formatted record carries the exception as text, named by our own class.
    """
    if isinstance(arg, str):
        return arg.startswith(f"{FetchRefusedError.__name__}: ")
    seen = 0
    while isinstance(arg, BaseException) and seen < 10:
        if isinstance(arg, FetchRefusedError):
            return True
        arg, seen = arg.__cause__ or arg.__context__, seen + 1
    return False


def log_handler(
    report: Report, locate: Locate | None = None, known_chars: set[str] | None = None
) -> ReportHandler:
    """The handler that turns WeasyPrint's log records into diagnostics in `report`."""
    return ReportHandler(report, locate, known_chars or set())


class _ProgressHandler(logging.Handler):
    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress(record.getMessage().split(" - ", 1)[-1])


@contextlib.contextmanager
def captured_log(
    report: Report,
    progress: Progress | None = None,
    locate: Locate | None = None,
    known_chars: set[str] | None = None,
) -> Iterator[Findings]:
    """Route WeasyPrint's log into `report` (and its progress into `progress`) while inside.

    `known_chars` are characters the glyph check already reported: their .notdef records are dropped.
    """
    logger = logging.getLogger("weasyprint")
    progress_logger = logging.getLogger("weasyprint.progress")
    handler = ReportHandler(report, locate, known_chars or set())
    progress_handler = _ProgressHandler(progress) if progress else None
    logger.addHandler(handler)  # levels and propagation stay as the application set them
    if progress_handler:
        progress_logger.addHandler(progress_handler)
        if not progress_logger.isEnabledFor(logging.INFO):
            # WeasyPrint announces its steps at INFO: let them through, once for the process.
            progress_logger.setLevel(logging.INFO)
    try:
        yield handler.findings
    finally:
        logger.removeHandler(handler)
        if progress_handler:
            progress_logger.removeHandler(progress_handler)
