"""guide: compile a blog series into a PDF guide.

The public API: `build` writes the PDF, `make_html` returns the HTML it is typeset from.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from guide.errors import Diagnostic, GuideError
from guide.pipeline import BuildOptions, BuildResult, build, check, load_book, make_html

try:
    __version__ = version("guide")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"

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
