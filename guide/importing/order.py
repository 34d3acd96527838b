"""Put the imported posts in reading order: by date, else by series number, else as named; recaps last."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote, urlsplit

from guide.errors import Report
from guide.importing.options import Order
from guide.importing.readers.article import Article
from guide.manifest import MANIFEST_NAME

TITLE_NUMBER = re.compile(r"\bpart\s+(\d+)\b|[(\[]\s*(\d+)\s*/\s*\d+\s*[)\]]", re.IGNORECASE)
URL_NUMBER = re.compile(r"\bpart-(\d+)\b", re.IGNORECASE)
RECAP_TITLE = re.compile(r"\b(recap|summary|wrap[- ]?up|round[- ]?up|in review)\b", re.IGNORECASE)
CHECK_ORDER = f"check the order of `chapters` in {MANIFEST_NAME}"


def order_articles(articles: list[Article], order: Order, report: Report) -> list[Article]:
    """Dated posts by time (source order breaks ties); undated ones after them, in a guessed order.

    The guess: by the series number in the title or address ("Part 3", "(3/13)"), else in the order
    the sources were named; a recap goes last. Each guess is a warning naming guide.toml's chapters.
    """
    dated = [(when, article) for article in articles if (when := _when(article)) is not None]
    dated.sort(key=lambda entry: entry[0], reverse=order is Order.NEWEST)  # stable: ties keep source order
    undated = [article for article in articles if _when(article) is None]
    guessed = _guess_order(undated, report) if undated else []
    if order is Order.NEWEST:
        guessed.reverse()
    return [article for _, article in dated] + guessed


def _guess_order(undated: list[Article], report: Report) -> list[Article]:
    recaps = [a for a in undated if _is_recap(a, undated)]
    rest = [a for a in undated if a not in recaps]
    numbers = {id(a): n for a in rest if (n := series_number(a.post.title, a.post.url)) is not None}
    count = f"{len(undated)} post{'s have' if len(undated) > 1 else ' has'} no date"
    if len(rest) > 1 and len(numbers) == len(rest):
        rest.sort(key=lambda a: numbers[id(a)])
        report.warn(
            MANIFEST_NAME, None, f"{count}: ordered by the series number in their titles; {CHECK_ORDER}"
        )
    elif len(rest) > 1:
        report.warn(MANIFEST_NAME, None, f"{count}: kept in the order the sources were named; {CHECK_ORDER}")
    for recap in recaps:
        report.warn(
            recap.post.source_path,
            recap.line,
            f"'{recap.post.title}' reads as a recap: placed last; {CHECK_ORDER}",
        )
    return rest + recaps


def series_number(title: str, url: str | None) -> int | None:
    """The part number a title ("Part 3", "(3/13)") or an address (.../part-3-...) gives, if any."""
    found = TITLE_NUMBER.search(title)
    if found:
        return int(found.group(1) or found.group(2))
    found = URL_NUMBER.search(unquote(urlsplit(url).path)) if url else None
    return int(found.group(1)) if found else None


def _is_recap(article: Article, others: list[Article]) -> bool:
    """A post titled as a recap, or one whose text links to two or more of the other posts."""
    if len(others) < 2:
        return False
    if RECAP_TITLE.search(article.post.title):
        return True
    text = article.body_markdown or article.post.body_html
    named = [o for o in others if o is not article and o.post.url and o.post.url in text]
    return len(named) >= 2


def _when(article: Article) -> dt.datetime | None:
    if article.published is not None:
        return article.published
    return dt.datetime.combine(article.post.date, dt.time()) if article.post.date else None
