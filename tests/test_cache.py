"""The typesetting cache keeps to its size bound, least recently used entries first."""

from __future__ import annotations

import os
from pathlib import Path

from guide.typesetting.cache import PartCache


def _stored(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_size for path in folder.rglob("*") if path.is_file()}


def test_the_cache_keeps_to_its_bound_oldest_first_and_notices_later_writes(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cache = PartCache(folder, tmp_path, max_bytes=10_000)
    names = [f"{i:02d}" + "0" * 62 for i in range(7)]
    for age, name in enumerate(names[:5]):
        cache.put_blob("fonts", name, bytes(3000))
        path = folder / "fonts" / name[:2] / name
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    cache.trim()
    assert sorted(_stored(folder)) == names[2:5]  # 3 x 3032 bytes fit; the two oldest went
    for name in names[5:]:  # written by this process after the scan: counted, so the next trim looks again
        cache.put_blob("fonts", name, bytes(3000))
    cache.trim()
    assert sum(_stored(folder).values()) <= 10_000
    assert set(names[5:]) <= set(_stored(folder))
