"""Typesetting workers started before the book is read, so that a rebuild does not wait for them.

A rebuild in parts (the cache holds parts typeset by this code, see `pool.early_workers`) starts
its workers first thing: one loads WeasyPrint and lays out a few lines in the guide's fonts and the
book's language -- the fonts, the hyphenation dictionary, the text library's first calls -- while
the parent reads, checks and renders the book, which needs none of that. When one part is laid out
(one chapter edited), it goes to that worker, ready by then.

The others wait until a second job of the build goes out, so they do not take the cores the parent
and the first worker use; a worker still waiting when the workers are closed ends there. The warm-up
changes nothing a part's bytes depend on: a worker lays out many parts in turn, and a part's PDF is
the same whichever came before it.
"""

from __future__ import annotations

import html
import os
import time
from dataclasses import dataclass
from typing import Any

from guide.fonts import font_face_css

HOLD, GO, QUIT = 0, 1, 2
"""The held-back workers' signal: wait, set up now, or end (the workers are closing)."""
POLL = 0.005
"""Seconds between a held-back worker's looks at its signal."""
WARM_UP_CSS = """
body { font-family: "Guide Serif", serif; hyphens: auto; }
h1 { font-family: "Guide Sans", sans-serif; }
code { font-family: "Guide Mono", monospace; }
"""
TEXT = (
    "A paragraph of ordinary words, long enough to break into lines and to hyphenate extraordinarily "
    "comprehensive, incomprehensibility and characteristically, with <em>emphasis</em>, "
    "<strong>strong words</strong> and <code>code</code>."
)


@dataclass(frozen=True)
class WarmUp:
    """What the workers of one start warm up with, and the values that hold all but one back."""

    html: str
    """A small document in the guide's styles and the book's language."""
    order: Any
    """A shared counter: the first worker to set up warms up at once."""
    signal: Any
    """A shared HOLD, GO or QUIT for the others."""
    held: bool = True
    """False: every worker warms up at once (`guide watch`'s kept workers: any may get the edit)."""


def warm_up_html(language: str) -> str:
    """A few lines in the guide's faces (serif, sans, mono) and `language` (hyphenation is per language).

    The @font-face rules are the guide's own, so the worker's font configuration loads each font
    once, here; the rest of the guide's styles would only cost parsing (measured: a page in the
    whole stylesheet, or written as PDF too, costs more than it saves the first part).
    """
    css = font_face_css() + WARM_UP_CSS
    lang = html.escape(language, quote=True)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><style>{css}</style></head>'
        f"<body><h1>A chapter title</h1><p>{TEXT}</p></body></html>"
    )


def take_turn(warm_up: WarmUp) -> str:
    """In a worker: wait until this worker may set up; say how ('warm', 'set up' or 'end').

    The first worker sets up and warms up at once; the others wait for GO (a second job went out:
    set up, their parts warm them up), QUIT, or the end of the parent (killed: nobody will ever
    send either: end). Without `held`, every worker warms up at once.
    """
    parent = os.getppid()
    with warm_up.order.get_lock():
        first = warm_up.order.value == 0
        warm_up.order.value += 1
    if first or not warm_up.held:
        return "warm"
    while warm_up.signal.value == HOLD and os.getppid() == parent:
        time.sleep(POLL)
    return "set up" if warm_up.signal.value == GO else "end"


def end_held_back() -> None:
    """End this worker while it is held back: the workers are closing and it never set up."""
    os._exit(0)
