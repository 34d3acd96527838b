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

WeasyPrint also imports, from fontTools, what only two rare cases use: `subset` (its fallback when
HarfBuzz's subsetter is missing or older than 4.1) and `varLib.instancer` (for variable fonts; the
guide's are static), which loads most of `varLib`: 0.08 s of CPU, over a quarter of the import, in
every process that typesets. So `fontTools.subset` loads on its first use
(`importlib.util.LazyLoader`), and while WeasyPrint is imported, `fontTools.varLib.instancer` is a
stand-in whose `instantiateVariableFont` imports the real one when first called.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib.util
import logging
import sys
import types
from collections.abc import Iterator
from typing import Any

LINUX_LIBRARIES = (
    "libgobject-2.0.so.0",
    "libpango-1.0.so.0",
    "libharfbuzz.so.0",
    "libfontconfig.so.1",
    "libpangoft2-1.0.so.0",
)
"""The file names WeasyPrint 70's lists end with (weasyprint/text/ffi.py), for the libraries it needs."""


LAZY_MODULE = "fontTools.subset"
"""A module WeasyPrint imports for its fallback subsetter: executed when first used."""
INSTANCER = "fontTools.varLib.instancer"
"""The module WeasyPrint takes `instantiateVariableFont` from (weasyprint/pdf/fonts.py)."""


def import_weasyprint() -> None:
    """Import WeasyPrint in this process, on Linux without running a library search."""
    if "weasyprint" in sys.modules:
        return
    # fontTools remarks on font programs it subsets for WeasyPrint (where HarfBuzz's subsetter is
    # missing) at WARNING, with no handler: Python's last resort printed them raw on stderr. They
    # are about a font's inner tables, which fontTools goes on with; the library's own NullHandler
    # is what the logging HOWTO asks of a library (levels and propagation are left alone).
    logging.getLogger("fontTools").addHandler(logging.NullHandler())
    with _rare_cases_deferred():
        if not sys.platform.startswith("linux") or not _loadable(LINUX_LIBRARIES):
            import weasyprint  # noqa: PLC0415 - the library search as WeasyPrint does it

            return
        search = ctypes.util.find_library
        ctypes.util.find_library = _not_searched
        try:
            import weasyprint  # noqa: F401, PLC0415
        finally:
            ctypes.util.find_library = search


@contextlib.contextmanager
def _rare_cases_deferred() -> Iterator[None]:
    """Within the block, fontTools' subsetter and variable-font instancer cost nothing to import.

    `fontTools.subset` stays lazy for the life of the process. The instancer's stand-in leaves
    sys.modules with the block: a later import (of its own, or fontTools' through another module)
    gets the real module, and WeasyPrint keeps only the stand-in's function.
    """
    _import_lazily(LAZY_MODULE)
    if INSTANCER in sys.modules:
        yield
        return
    stand_in = types.ModuleType(INSTANCER)
    stand_in.instantiateVariableFont = instantiate_variable_font  # type: ignore[attr-defined]
    sys.modules[INSTANCER] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(INSTANCER) is stand_in:
            del sys.modules[INSTANCER]


def instantiate_variable_font(*args: Any, **kwargs: Any) -> Any:
    """fontTools' `instantiateVariableFont`, imported when WeasyPrint first calls it (for a variable font)."""
    from fontTools.varLib.instancer import instantiateVariableFont  # noqa: PLC0415 - rarely needed

    return instantiateVariableFont(*args, **kwargs)


def _import_lazily(name: str) -> None:
    """Put module `name` in sys.modules (and on its package), to be executed on its first attribute use."""
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except ImportError:
        spec = None
    if spec is None or spec.loader is None:
        return  # WeasyPrint's own import of it reports it
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    package, _, child = name.rpartition(".")
    setattr(sys.modules[package], child, module)


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
