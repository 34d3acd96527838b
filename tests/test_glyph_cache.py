"""Which characters the guide's fonts have is read from the fonts once, then from the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from guide import glyphs
from guide.fonts import FACES


@pytest.fixture(autouse=True)
def _fresh() -> None:
    glyphs.covered.cache_clear()  # the answer is kept in the process too


def _from_the_fonts() -> frozenset[int]:
    points: set[int] = set()
    for face in FACES:
        with TTFont(face.path, lazy=True) as font:
            points |= set(font.getBestCmap())
    return frozenset(points)


def test_the_coverage_is_kept_and_read_back_as_the_fonts_have_it(tmp_path: Path) -> None:
    made = glyphs.covered(tmp_path)
    [entry] = list(tmp_path.iterdir())
    assert entry.suffix == ".json"
    glyphs.covered.cache_clear()
    read = glyphs.covered(tmp_path)
    assert read == made == _from_the_fonts()
    assert ord("é") in read and ord("—") in read and ord("★") not in read


@pytest.mark.parametrize("damage", [b"", b"[]", b"{", b"[[1, 2, 3]]", b'[["a", "b"]]', b"{}", b"[[65, 90]"])
def test_a_damaged_entry_is_made_again_from_the_fonts(damage: bytes, tmp_path: Path) -> None:
    glyphs.covered(tmp_path)
    [entry] = list(tmp_path.iterdir())
    entry.write_bytes(damage)
    glyphs.covered.cache_clear()
    assert glyphs.covered(tmp_path) == _from_the_fonts()
    assert entry.read_bytes() not in (damage, b"")


def test_a_cache_that_cannot_be_written_is_read_past(tmp_path: Path) -> None:
    blocked = tmp_path / "glyphs"
    blocked.write_text("a file where the folder would go")
    assert glyphs.covered(blocked) == _from_the_fonts()
