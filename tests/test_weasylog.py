"""WeasyPrint's log records: routed by what they carry; the wording still relied on is pinned."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import weasyprint
from weasyprint.urls import URLFetchingError

from guide.errors import Report
from guide.fetcher import FetchRefusedError
from guide.weasylog import IMAGE_FAILED, MISSING_GLYPH, NO_ALT, TEMPLATES, captured_log

WEASYPRINT = Path(weasyprint.__file__).parent.parent


@pytest.mark.parametrize(("source", "template"), sorted(TEMPLATES.items()))
def test_each_template_relied_on_is_still_in_weasyprint(source: str, template: str) -> None:
    """Fails when a WeasyPrint upgrade rewords a record this build tells apart by its template."""
    text = (WEASYPRINT / source).read_text(encoding="utf-8")
    joined = re.sub(r"'\s*\n\s*'", "", text)  # adjacent string literals, as Python joins them
    assert template in joined


def _refused() -> URLFetchingError:
    try:
        try:
            raise FetchRefusedError("refused to load file:///x: outside")
        except FetchRefusedError as exc:
            raise URLFetchingError(f"{type(exc).__name__}: {exc}")  # noqa: B904 - as WeasyPrint does
    except URLFetchingError as wrapped:
        return wrapped


def _emit(msg: str, *args: object, level: int = logging.ERROR) -> list[str]:
    report = Report()
    with captured_log(report, locate=lambda url: ("posts/a.md", 7) if url.endswith("a.png") else None,
                      known_chars={"★"}):  # fmt: skip
        logging.getLogger("weasyprint").log(level, msg, *args)
    return [str(d) for d in report.diagnostics]


@pytest.mark.parametrize(
    ("msg", "args", "level", "expected"),
    [
        (IMAGE_FAILED, ("file:///p/x.png", _refused()), logging.ERROR, []),
        (IMAGE_FAILED, ("file:///p/a.png", OSError("bad")), logging.ERROR,
         ["posts/a.md:7: typesetting: Failed to load image at 'file:///p/a.png': bad"]),
        (IMAGE_FAILED, ("file:///p/b.png", OSError("bad")), logging.ERROR,
         ["<pdf>: typesetting: Failed to load image at 'file:///p/b.png': bad"]),
        (NO_ALT, ("a.png",), logging.ERROR, []),
        ("Failed to load stylesheet at x.css : FetchRefusedError: refused", (), logging.ERROR, []),
        ("Failed to load image at 'file:///p/a.png': OSError: bad", (), logging.ERROR,
         ["posts/a.md:7: typesetting: Failed to load image at 'file:///p/a.png': OSError: bad"]),
        (MISSING_GLYPH, ("★", 0x2605), logging.WARNING, []),
        (MISSING_GLYPH, ("♞", 0x265E), logging.WARNING,
         ['<pdf>: warning: typesetting: .notdef glyph rendered for Unicode string unsupported by fonts: '
          '"♞" (U+265E)']),
        ("Ignored %s", ("x",), logging.WARNING, ["<pdf>: warning: typesetting: Ignored x"]),
    ],
    ids=["refused by type", "image located", "image unlocated", "alt already reported",
         "worker's refusal", "worker's image",
         "glyph already reported", "glyph not checked", "other"],
)  # fmt: skip
def test_records_are_routed_by_what_they_carry(
    msg: str, args: tuple[object, ...], level: int, expected: list[str]
) -> None:
    assert _emit(msg, *args, level=level) == expected
