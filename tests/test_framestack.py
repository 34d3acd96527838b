"""with_room runs a call in a frame-stack chunk of its own (guide/framestack.py)."""

from __future__ import annotations

import resource

import pytest

from guide.framestack import with_room


def _oscillate(depth: int) -> int:
    """Recurse `depth` frames deep and back, many times: how layout goes up and down its boxes."""
    return 0 if depth == 0 else 1 + _oscillate(depth - 1)


def _faults_oscillating_from(base: int, roomy: bool) -> int:
    """Minor page faults while recursing 80 frames deep 300 times, `base` frames below."""

    def work() -> None:
        for _ in range(300):
            _oscillate(80)

    def at(depth: int) -> None:
        if depth:
            at(depth - 1)
        elif roomy:
            with_room(work)
        else:
            work()

    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    at(base)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_with_room_returns_the_value_and_lets_exceptions_through() -> None:
    assert with_room(lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        with_room(lambda: 1 / 0)


def test_deep_recursion_under_with_room_maps_no_chunk_at_any_depth() -> None:
    # Wherever the call starts, no chunk edge falls inside the recursion: CPython 3.11 and 3.12 would
    # map and unmap a chunk on every crossing (two page faults or more each, 600 crossings here).
    # Without it, 300 to 900 faults from some depths here; with it, the new chunk's pages once (about 35).
    with_room(lambda: None)  # made once per process
    faults = [_faults_oscillating_from(base, roomy=True) for base in range(0, 160, 4)]
    assert max(faults) < 150, faults
