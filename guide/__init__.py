"""guide: compile a blog series into a PDF guide.

The public API: `build` writes the PDF, `make_html` returns the HTML it is typeset from. Each name is
imported when first used, so `guide --version` and `guide --help` load none of the pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guide.errors import Diagnostic, GuideError
    from guide.options import BuildOptions, BuildResult
    from guide.pipeline import build, check, load_book, make_html

_HOMES = {
    "Diagnostic": "guide.errors",
    "GuideError": "guide.errors",
    "BuildOptions": "guide.options",
    "BuildResult": "guide.options",
    **dict.fromkeys(("build", "check", "load_book", "make_html"), "guide.pipeline"),
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use; look the version up only when asked."""
    if name == "__version__":
        return _version()
    if name not in _HOMES:
        raise AttributeError(name)
    return getattr(importlib.import_module(_HOMES[name]), name)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - costs start-up time

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
