"""Hyphenation patterns come from the build cache as pyphen parses them; a bad entry is parsed again."""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Iterator
from pathlib import Path

import pyphen
import pytest

from guide.typesetting import hyphenation

WORDS = ("extraordinarily", "incomprehensibility", "characteristically", "hyphenation", "typesetting", "a")


@pytest.fixture
def patterns_cache(tmp_path: Path) -> Iterator[Path]:
    """A cache folder for this test; pyphen's own class and per-process cache put back afterwards."""
    original, kept = pyphen.HyphDict, dict(pyphen.hdcache)
    folder = tmp_path / "hyphenation"
    hyphenation.cache_patterns(folder)
    pyphen.hdcache.clear()
    yield folder
    pyphen.HyphDict = original
    pyphen.hdcache.clear()
    pyphen.hdcache.update(kept)
    hyphenation._folder.clear()


def _parsed(lang: str) -> pyphen.HyphDict:
    """The dictionary as pyphen parses it itself."""
    return hyphenation.CachedHyphDict.__bases__[0](pyphen.LANGUAGES[pyphen.language_fallback(lang)])


def _hyphenated(lang: str) -> list[str]:
    pyphen.hdcache.clear()
    dictionary = pyphen.Pyphen(lang=lang)
    return [dictionary.inserted(word) for word in WORDS]


def test_pyphen_still_parses_into_the_attributes_the_cache_holds() -> None:
    assert set(vars(_parsed("en"))) == hyphenation.ATTRIBUTES
    # The seam: Pyphen looks the class up in its module when it first meets a dictionary.
    assert "HyphDict(path)" in inspect.getsource(pyphen.Pyphen.__init__)


def test_patterns_read_back_from_the_cache_hyphenate_as_parsed_ones(
    patterns_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _hyphenated("en")
    [written] = patterns_cache.glob("hyph_en*.json")
    parsed = _parsed("en")
    # Read back, not parsed: pyphen's parser may not run.
    monkeypatch.setattr(hyphenation.CachedHyphDict.__bases__[0], "__init__", _refuse)
    again = _hyphenated("en")
    assert again == first
    assert "-" in "".join(again)
    read = pyphen.hdcache[next(iter(pyphen.hdcache))]
    assert read.patterns == parsed.patterns
    assert read.maxlen == parsed.maxlen
    assert written.stat().st_size > 100_000


def _refuse(*_: object) -> None:
    raise AssertionError("parsed, not read from the cache")


def _signed(body: bytes, **header: str) -> bytes:
    """A cache file holding `body` with a true digest, and the header's fields replaced by `header`."""
    stamp = {
        "format": hyphenation.FORMAT,
        "pyphen": pyphen.__version__,
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    return json.dumps({**stamp, **header}).encode() + b"\n" + body


@pytest.mark.parametrize(
    "damage",
    [
        lambda good: b"{ not json\n" + good.partition(b"\n")[2],
        lambda good: good[: len(good) // 2],
        lambda good: good.replace(b'"ab":[', b'"ab":[9', 1).replace(b'"ab":[9', b'"ab":[8', 1),
        lambda good: _signed(good.partition(b"\n")[2], format="guide-hyphenation-0"),
        lambda good: _signed(good.partition(b"\n")[2], pyphen="0.0.1"),
        lambda good: _signed(b'{"ab": [0]}'),
        lambda good: _signed(b'{"ab": ["x", [1]]}'),
        lambda good: _signed(b"{}"),
        lambda good: _signed(b"[1, 2]"),
    ],
    ids=["header", "truncated", "altered", "format", "pyphen", "shape", "type", "empty", "not-an-object"],
)
def test_a_damaged_or_foreign_cache_entry_is_parsed_again_and_rewritten(
    patterns_cache: Path, damage: object
) -> None:
    expected = _hyphenated("en")
    [written] = patterns_cache.glob("hyph_en*.json")
    good = written.read_bytes()
    assert callable(damage)
    damaged = damage(good)
    assert damaged != good
    written.write_bytes(damaged)
    assert _hyphenated("en") == expected
    assert written.read_bytes() == good


def test_an_unwritable_cache_folder_leaves_pyphen_parsing(tmp_path: Path, patterns_cache: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    hyphenation.cache_patterns(blocked / "hyphenation")
    assert _hyphenated("en") == [pyphen.Pyphen(lang="en", cache=False).inserted(word) for word in WORDS]
