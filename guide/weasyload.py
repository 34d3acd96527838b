"""Import WeasyPrint without ctypes' library search, which runs ldconfig, gcc and ld on Linux.

WeasyPrint 70 loads GObject, Pango, HarfBuzz, Fontconfig and PangoFT2 trying several names for
each, the Windows and macOS spellings first. cffi hands every name dlopen cannot load as written
to `ctypes.util.find_library`, which on Linux runs `ldconfig -p`, then `gcc` and `ld`, for each
of them: about twenty searches, 0.2 s of CPU and more of waiting, in every process that imports
WeasyPrint. Each of WeasyPrint's lists also holds the library's Linux file name
(`libpango-1.0.so.0`), which dlopen finds by itself. So while WeasyPrint is imported, the search
answers "not found" at once -- but only after checking that dlopen finds every one of those file
names; otherwise WeasyPrint is imported with the real search.

tests/test_weasy_internals.py fails if a WeasyPrint upgrade changes the names.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

LINUX_LIBRARIES = (
    "libgobject-2.0.so.0",
    "libpango-1.0.so.0",
    "libharfbuzz.so.0",
    "libfontconfig.so.1",
    "libpangoft2-1.0.so.0",
)
"""The file names WeasyPrint 70's lists end with (weasyprint/text/ffi.py), for the libraries it needs."""


def import_weasyprint() -> None:
    """Import WeasyPrint in this process, on Linux without running a library search."""
    if "weasyprint" in sys.modules:
        return
    if not sys.platform.startswith("linux") or not _loadable(LINUX_LIBRARIES):
        import weasyprint  # noqa: PLC0415 - the library search as WeasyPrint does it

        return
    search = ctypes.util.find_library
    ctypes.util.find_library = _not_searched
    try:
        import weasyprint  # noqa: F401, PLC0415
    finally:
        ctypes.util.find_library = search


def _loadable(names: tuple[str, ...]) -> bool:
    """Whether dlopen finds every one of `names` as written (loading them now, as WeasyPrint would)."""
    try:
        for name in names:
            ctypes.CDLL(name)
    except OSError:
        return False
    return True


def _not_searched(name: str) -> str | None:
    """ctypes.util.find_library's answer for a library dlopen did not find as written: not found."""
    return None
