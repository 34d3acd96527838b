"""Time one post's conversion (Markdown, then the HTML sanitizer) at each per-post budget of guide/limits.py.

Python-Markdown's inline processor and table reader grow with the square of a post's blocks
(`stack.pop(0)` and `list.index` per child in `InlineProcessor.run`), so the per-post counts are
what keep one post's conversion to seconds. This prints the time of a post just inside each
budget, and of one at twice it for comparison (a post past a budget is refused before it is
converted, so a build never pays the second figure).

Usage: `.venv/bin/python benchmarks/limits.py`. A report, not a test: it always exits 0.
"""

from __future__ import annotations

import time

from guide.errors import Report
from guide.limits import MAX_BLOCKS, MAX_FOOTNOTES, MAX_HEADINGS, MAX_TABLE_CELLS
from guide.sanitize import sanitize_html
from guide.sources.markdown import markdown_to_html

SHAPES = {
    "paragraphs": (MAX_BLOCKS, lambda n: "Paragraph text.\n\n" * n),
    "headings": (MAX_HEADINGS, lambda n: "# Heading\n\n" * n),
    "footnotes": (
        MAX_FOOTNOTES,
        lambda n: "".join(f"Text[^{i}].\n" for i in range(n)) + "".join(f"\n[^{i}]: note" for i in range(n)),
    ),
    "table cells": (MAX_TABLE_CELLS, lambda n: "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * (n // 3)),
}


def seconds(body: str) -> float:
    """Convert `body` as a post is converted and return the time taken."""
    start = time.perf_counter()
    sanitize_html(markdown_to_html(body), "post.md", body, Report())
    return time.perf_counter() - start


def main() -> None:
    """Print the conversion time at each budget and at twice it."""
    for name, (limit, make) in SHAPES.items():
        inside, twice = seconds(make(limit)), seconds(make(2 * limit))
        print(
            f"{name:12} at the limit ({limit:,}): {inside:6.2f} s   at twice it: {twice:6.2f} s", flush=True
        )


if __name__ == "__main__":
    main()
