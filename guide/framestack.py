"""Run a call with room on the frame stack, so deep recursion does not map and unmap it on and on.

CPython keeps Python frames in chunks of 16 KiB and, up to 3.12, unmaps a chunk as soon as the
call that opened it returns (python/cpython#142183; 3.13 and 3.14 keep a spare chunk). WeasyPrint's
layout and drawing recurse up and down thousands of times; when the depth they run at puts a chunk
edge inside that range, every crossing maps a fresh chunk and unmaps it again. For a 41-page guide
that was 20,000 page faults and 0.3 s of system time more than WeasyPrint alone, depending only on
how deep the command line happened to call it (this is what made `--jobs 1` cost 1.2x and more).

`with_room(call)` calls `call` from a frame with 15,600 empty local slots, so CPython opens a
256 KiB chunk for it and about 135 KiB stay free above it: the whole layout runs in that chunk,
which is unmapped once, when the call returns.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

SLOTS = 15_600
"""Empty locals of the calling frame: 8 bytes each, just over 120 KiB, so the chunk doubles to 256 KiB."""


def _call(call: Callable[[], object]) -> object:
    return call()


@functools.cache
def _roomy() -> Callable[[Callable[[], object]], object]:
    """`_call`, given SLOTS more (unused, empty) local variables."""
    names = ("call", *map("_{}".format, range(SLOTS)))
    code = _call.__code__.replace(co_varnames=names, co_nlocals=len(names))
    return types.FunctionType(code, globals(), "roomy")


def with_room(call: Callable[[], T]) -> T:
    """Return `call()`, run with about 135 KiB of frame stack to itself (exceptions pass through)."""
    return _roomy()(call)  # type: ignore[return-value]
