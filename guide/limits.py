"""The budget every input is held to, and the guard that turns a parser's exhaustion into one line.

Each limit is checked before the step it protects (reading, parsing, converting, typesetting),
so an input past it costs milliseconds and gets one located message. The per-post counts keep
one post's conversion to seconds; the sizes, the chapter count and the guide's table cells and
footnotes bound typesetting, so that any guide within them builds in under 60 s and 2 GB on 2
cores. benchmarks/limits.py measures the worst shapes at these limits (README, "Limits"): per CPU
second, typesetting does about 30 KB of prose, 14 KB of nested lists, 300 paragraphs, 750
emphases, 360 table cells or 35 footnotes, and a chapter costs about 0.08 s. The worst shape,
every budget used at once, takes 50 s of CPU over 2 processes, 29 s in the busiest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from guide.errors import Diagnostic, GuideError

MAX_FILE_BYTES = 192 * 1024
"""Largest post or stylesheet, in bytes; a blog post is a few kilobytes, and one is typeset in one process."""
MAX_PROJECT_BYTES = 512 * 1024
"""Largest sum of the posts' sizes, in bytes (about 280 A5 pages of prose)."""
MAX_CHAPTERS = 300
"""Most chapters a guide lists (each starts a page and has a line in the contents)."""
MAX_MANIFEST_BYTES = 256 * 1024
"""Largest guide.toml, in bytes."""
MAX_TOML_DEPTH = 16
"""Deepest nesting of arrays, inline tables and dotted keys in guide.toml."""
MAX_FRONT_MATTER_BYTES = 64 * 1024
"""Largest front matter block, in bytes."""
MAX_YAML_DEPTH = 16
"""Deepest nesting of lists and mappings in front matter (a post's needs 2)."""
MAX_TITLE_CHARS = 500
"""Longest title, subtitle or author name, in characters (they go on the cover and in metadata)."""
MAX_METADATA_CHARS = 2_000
"""Longest other metadata value (a url, one credit line), in characters."""
MAX_CREDITS = 500
"""Most credit lines one post or the guide carries."""
MAX_FOOTNOTES = 500
"""Most footnotes in one post (the guide as a whole has the same budget)."""
MAX_HEADINGS = 1_000
"""Most headings in one post."""
MAX_BLOCKS = 5_000
"""Most blocks (paragraphs, list items, quotes, headings, table rows) in one post; one costs about 3.5 ms."""
MAX_POST_ELEMENTS = 15_000
"""Most HTML elements one post becomes (an emphasis, a link, a cell each); one costs about 1.3 ms."""
MAX_GUIDE_ELEMENTS = 30_000
"""Most HTML elements in the whole guide."""
MAX_GUIDE_BLOCKS = 10_000
"""Most block elements (p, li, h1-h6, tr, pre, blockquote, div, dt, dd, figure) in the whole guide."""
MAX_TABLE_CELLS = 5_000
"""Most cells in one Markdown table; Python-Markdown's table reader slows down quadratically with its rows."""
MAX_GUIDE_TABLE_CELLS = 5_000
"""Most table cells (td, th) in the whole guide, however written; a cell costs about 2.8 ms of layout."""
MAX_GUIDE_FOOTNOTES = 500
"""Most footnotes in the whole guide, with the print edition's address notes; one costs about 28 ms."""
MAX_BUDGET_SCALE = 8
"""Most an author may multiply the whole-guide budgets by (`budget_scale` in guide.toml).

The chapters' total size, the chapter count and the guide's blocks, elements, table cells and
footnotes are set so any guide within them builds in 60 s; a longer series raises them knowingly,
its build time growing with them (about linearly: benchmarks/run.py at 200 and 500 posts). The
per-post limits, the image budgets and the nesting limits never scale: they guard the parsers, not
the length of the book.
"""
BUDGET_SCALED = "split the guide or raise budget_scale in guide.toml"
"""How a whole-guide budget's refusal ends: the two ways out."""
MAX_STYLE_SELECTOR_PARTS = 200
"""Most compound selectors in the author's stylesheet and the project files it imports; each is matched
against every element it may apply to (about 3 µs each time)."""
MAX_STYLE_IMPORTS = 20
"""Most project stylesheets the author's stylesheet imports, directly or not."""
MAX_MARKDOWN_NESTING = 30
"""Deepest list or quote nesting accepted; real posts rarely pass 4."""
MAX_HTML_NESTING = 64
"""Deepest element nesting accepted in a post's HTML."""
MAX_HTML_ATTRIBUTES = 1_000
"""Most attributes one element of a source to import may carry; real pages stay under 50. libxml2's
HTML parser checks each against the others: a saved page whose element had 20,000 took 14 s to
import on this machine, one with 200,000 over 20 minutes."""


@contextlib.contextmanager
def parser_limits(source_path: str, line: int | None, what: str) -> Iterator[None]:
    """Turn a parser's RecursionError or MemoryError into one located GuideError naming `what`."""
    try:
        yield
    except RecursionError as exc:
        raise GuideError(
            Diagnostic(source_path, line, f"{what} is nested too deeply to read; flatten it")
        ) from exc
    except MemoryError as exc:
        raise GuideError(Diagnostic(source_path, line, f"{what} is too large to read")) from exc
