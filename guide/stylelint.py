"""WeasyPrint's own CSS warnings for the author's stylesheets, each located at its file and line.

The `--style` text sits in the guide's HTML, so while typesetting WeasyPrint reports a declaration
it ignores at a line of the page's `<style>` element, or of whichever imported sheet it came from,
with nothing to tell which: `<pdf>:` at best. Parsing each author sheet on its own, with the same
parser, gives every warning its file and line before typesetting; the typesetting log then drops
the same warnings (guide.weasylog.ReportHandler).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from guide.cssimports import Sheet
from guide.errors import Diagnostic, Report
from guide.weasyload import import_weasyprint

CSS_POSITION = re.compile(r" at (?P<line>\d+):\d+")
"""Where WeasyPrint's CSS messages say they are: ' at LINE:COLUMN' (weasyprint/css/*.py)."""
PREFIX = "css: "
TYPESETTING_PATH = "<pdf>"
"""Where guide.weasylog puts what it cannot locate."""
TYPESETTING_PREFIX = "typesetting: "


def lint_author_sheets(sheets: Iterable[Sheet], report: Report) -> None:
    """Warn, at `sheet.shown` and the rule's line, for each CSS warning WeasyPrint gives a sheet.

    `sheets` come from guide.cssimports.author_sheets (already read, bounded by the style budget).
    Nothing is loaded: imports and fonts are each sheet's own business and are checked elsewhere.
    """
    for sheet in sheets:
        for message in _parse_warnings(sheet.text):
            position = CSS_POSITION.search(message)
            line = int(position["line"]) if position else None
            report.warn(sheet.shown, line, PREFIX + without_position(message))


def without_position(message: str) -> str:
    """A CSS message without its ' at LINE:COLUMN', as `lint_author_sheets` reports it."""
    return CSS_POSITION.sub("", message, count=1)


def not_yet_linted(logged: Iterable[Diagnostic], reported: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The typesetting log's diagnostics, less the CSS warnings `lint_author_sheets` already located."""
    linted = {d.message for d in reported if d.message.startswith(PREFIX)}
    return [
        d
        for d in logged
        if not (
            d.source_path == TYPESETTING_PATH
            and CSS_POSITION.search(d.message)
            and PREFIX + without_position(d.message.removeprefix(TYPESETTING_PREFIX)) in linted
        )
    ]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().splitlines()[0])


def _parse_warnings(css: str) -> list[str]:
    """The warnings WeasyPrint logs while parsing `css` alone (handler attached, levels untouched)."""
    import_weasyprint()  # WeasyPrint loads only when a style is given (`check` skips it otherwise)
    from weasyprint import CSS  # noqa: PLC0415
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415

    class LoadNothing(URLFetcher):  # type: ignore[misc] # WeasyPrint ships no type hints
        """Answer every load with an empty stylesheet: a lone sheet's parse reads no file."""

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            return URLFetcherResponse(url, body=b"", headers={"Content-Type": "text/css"})

    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        CSS(string=css, url_fetcher=LoadNothing(), base_url="file:///")
    finally:
        logger.removeHandler(collect)
    return collect.messages
