"""The HTML stage against its reviewed golden file, and the properties the PDF relies on."""

from __future__ import annotations

import re

from tests.golden import GOLDEN, golden_html


def test_html_matches_the_reviewed_golden_file() -> None:
    assert golden_html() == GOLDEN.read_text(encoding="utf-8"), "run `make golden` and review the diff"


def test_every_id_is_unique_and_prefixed_by_its_chapter() -> None:

    html = golden_html()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    inner = [i for i in ids if "--" in i]
    assert inner and all(i.split("--")[0] in ids for i in inner)


def test_every_internal_link_has_a_target() -> None:

    html = golden_html()
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, target
