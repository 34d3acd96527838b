"""What the one-document typesetter (`guide.typeset`) and the parallel one share, without WeasyPrint.

The parent of the typesetting workers imports only this: WeasyPrint loads in the workers. The
one-document typesetter imports WeasyPrint first and these names after, so that at the end of a
process its font configuration goes before the WeasyPrint module it cleans up with.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from guide.errors import Diagnostic
from guide.resources import PACKAGE_DIR
from guide.uptodate import code_stamp

FONTCONFIG_FILE = PACKAGE_DIR / "fonts.conf"
PDF_VARIANT = "pdf/ua-1"
"""Tagged, with document language, title shown and XMP metadata: what screen readers need."""
Progress = Callable[[str], None]


def parts_stamp() -> str:
    """The name of the file in the cache's `parts` folder that marks it as holding parts typeset by
    this code: checked before the book is read (`uptodate.code_stamp`: the package's files by name,
    size and time), it tells a rebuild, which lays out few parts, from a cold build."""
    return f"stamp-{code_stamp()[:32]}"


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
    failed_images: tuple[str, ...] = ()
    """Addresses of images WeasyPrint failed to load (refused ones are in the fetcher's refusals)."""
    finished: bool = False
    """Whether the PDF has its page labels and metadata already (see `guide.finish`)."""


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
