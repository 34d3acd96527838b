"""guide: compile a blog series into a PDF guide.

The public API: `build` writes the PDF, `make_html` returns the HTML it is typeset from.
"""

from __future__ import annotations

from guide.errors import Diagnostic, GuideError
from guide.pipeline import BuildOptions, BuildResult, build, check, load_book, make_html


def __getattr__(name: str) -> str:
    """Look the version up only when asked: importlib.metadata costs start-up time."""
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("guide")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0"


__all__ = [
    "BuildOptions",
    "BuildResult",
    "Diagnostic",
    "GuideError",
    "__version__",
    "build",
    "check",
    "load_book",
    "make_html",
]
