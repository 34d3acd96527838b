"""Typesetting workers started before the book is read, so that their start-up is not waited for.

A build in parts starts its workers first thing (`pool.early_workers`): each one loads WeasyPrint
and lays out a few lines in the guide's fonts and the book's language -- the fonts, the hyphenation
dictionary, the text library's first calls -- while the parent reads, checks and renders the book,
which needs none of that. When only one part is laid out (one chapter edited), it goes to a worker
that is ready, instead of one that has still to load everything.

One worker warms up at once; the others wait until a second job of the build goes out (an edit
needs one), so they do not take the cores the parent and the first worker use. A worker still
waiting when the workers are closed ends there. The warm-up changes nothing a part's bytes depend
on: a worker lays out many parts in turn, and a part's PDF is the same whichever came before it.
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
    """False: every worker warms up at once (a build with nothing in the cache lays out every part)."""


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


def take_turn(warm_up: WarmUp) -> bool:
    """In a worker: wait until this worker may set up; False if it is to end instead.

    The first worker goes at once; the others wait for GO (a second job went out), QUIT, or the
    end of the parent (killed: nobody will ever send either).
    """
    parent = os.getppid()
    with warm_up.order.get_lock():
        first = warm_up.order.value == 0
        warm_up.order.value += 1
    if first or not warm_up.held:
        return True
    while warm_up.signal.value == HOLD and os.getppid() == parent:
        time.sleep(POLL)
    return bool(warm_up.signal.value == GO)


def end_held_back() -> None:
    """End this worker while it is held back: the workers are closing and it never set up."""
    os._exit(0)
