"""Generate deterministic synthetic guide projects for the benchmark.

A project of N posts is a folder with `guide.toml` and `chapters/NNN.md` or `chapters/NNN.txt`. The
prose is word salad from a fixed word list, drawn from a `random.Random` seeded with the seed and the
post count, so the same arguments always write byte-identical files. The posts exercise what real
series carry: YAML front matter (title, date, url, credits), plain-text posts with a title line and a
`Photo Credit:` line, `##` section headings, links from one post to another by its url, and on every
fifth post (when it is Markdown) a footnote and a small table.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

from guide.limits import MAX_CHAPTERS, MAX_PROJECT_BYTES

DEFAULT_SEED = 20240601
BLOG = "https://synthetic.example.blog"
FIRST_DATE = dt.date(2021, 1, 4)
TEXT_EVERY = 3
"""Every third post is a plain-text post; the rest are Markdown."""
EXTRAS_EVERY = 5
"""Every fifth post carries a footnote and a table."""
WORDS_PER_POST = (400, 700)
WORDS_PER_PARAGRAPH = (35, 90)
PEOPLE = (
    "Ana Ruiz",
    "Ben Okafor",
    "Chen Wei",
    "Dara Nolan",
    "Eli Hart",
    "Farah Haddad",
    "Gus Lindqvist",
    "Hana Sato",
    "Ivo Petrov",
    "Jade Moreau",
    "Kofi Mensah",
    "Lena Brandt",
)
WORD_LIST = """
    about above across after again against almost along already also always among ancient another
    answer around autumn balance basket beach before behind below beside between beyond bicycle bread
    bridge bright broken building busy cabin calm candle canyon careful carry castle center certain
    chapter cheese church city clear cliff climb close cloud coast coffee cold corner country courage
    crowd daily dawn deep desert distant dinner door drift during early east easy echo edge empty
    engine evening every face fall family far farm field final fire first flower follow forest fresh
    friend garden gentle glass golden grain green ground guide harbor heavy hidden high hill history
    home honest horizon hour house island journey kitchen lake lantern late leaf light little local
    long lunch market meadow memory middle mile mirror morning mountain museum narrow near never night
    north ocean often old open orchard other outside paper path pattern people pepper pine place plain
    quiet rain ready river road rock room rough round salt sand season shadow shelter short silver
    simple slow small snow soft south spring square station stone storm street strong summer sunlight
    table tall tea thin through tide timber together tower town trail train travel under valley
    village walk wall warm water weather west wide wild window winter wood yellow young
"""
WORDS = tuple(WORD_LIST.split())


@dataclass(frozen=True)
class PostPlan:
    """What one synthetic post is: its file, its metadata and the posts it links to."""

    number: int
    """1-based position in the guide."""
    title: str
    date: dt.date
    url: str
    credits: tuple[str, ...]
    links: tuple[str, ...]
    """The urls of other posts this post links to (Markdown posts: only they declare a url)."""

    @property
    def is_text(self) -> bool:
        """Whether the post is written as a plain-text file rather than Markdown."""
        return _is_text(self.number)

    @property
    def has_extras(self) -> bool:
        """Whether the post carries a footnote and a table."""
        return self.number % EXTRAS_EVERY == 0

    @property
    def path(self) -> str:
        """The post's path relative to the project, as listed in guide.toml."""
        return f"chapters/{self.number:03d}.{'txt' if self.is_text else 'md'}"


def write_project(folder: Path, posts: int, seed: int = DEFAULT_SEED) -> Path:
    """Write a guide project of `posts` posts into `folder` (created if needed) and return it."""
    rng = random.Random(f"{seed}-{posts}")
    plans = _plan_posts(rng, posts)
    (folder / "chapters").mkdir(parents=True, exist_ok=True)
    total = 0
    for plan in plans:
        text = _text_post(rng, plan) if plan.is_text else _markdown_post(rng, plan)
        total += (folder / plan.path).write_bytes(text.encode())
    (folder / "guide.toml").write_text(_manifest(plans, _budget_scale(total, len(plans))), encoding="utf-8")
    return folder


def _plan_posts(rng: random.Random, count: int) -> list[PostPlan]:
    titles = [_title(rng) for _ in range(count)]
    dates = [FIRST_DATE + dt.timedelta(days=7 * index + rng.randrange(3)) for index in range(count)]
    urls = [f"{BLOG}/{d:%Y/%m}/{_slug(t)}/" for d, t in zip(dates, titles, strict=True)]
    plans = []
    for index in range(count):
        targets = [url for other, url in enumerate(urls) if other != index and not _is_text(other + 1)]
        links = tuple(rng.sample(targets, k=min(len(targets), rng.randint(1, 3))))
        credits = tuple(f"Photo by {name}" for name in rng.sample(PEOPLE, k=rng.randint(1, 2)))
        plans.append(PostPlan(index + 1, titles[index], dates[index], urls[index], credits, links))
    return plans


def _is_text(number: int) -> bool:
    return number % TEXT_EVERY == 0


def _budget_scale(total_bytes: int, chapters: int) -> int:
    """The smallest `budget_scale` a series this long needs (guide/limits.py), as its author would set it."""
    return max(1, math.ceil(total_bytes / MAX_PROJECT_BYTES), math.ceil(chapters / MAX_CHAPTERS))


def _manifest(plans: list[PostPlan], budget_scale: int = 1) -> str:
    chapters = ",\n".join(f'    "{plan.path}"' for plan in plans)
    scale = f"budget_scale = {budget_scale}\n" if budget_scale > 1 else ""
    return (
        f'title = "Synthetic Series ({len(plans)} posts)"\n'
        'author = "Bench Author"\n'
        "date = 2024-06-01\n"
        f"{scale}chapters = [\n{chapters},\n]\n"
    )


def _markdown_post(rng: random.Random, plan: PostPlan) -> str:
    credits = "\n".join(f'  - "{credit}"' for credit in plan.credits)
    front = (
        f'---\ntitle: "{plan.title}"\ndate: {plan.date.isoformat()}\nurl: {plan.url}\n'
        f"credits:\n{credits}\n---\n"
    )
    paragraphs = _paragraphs(rng)
    for url in plan.links:
        index = rng.randrange(len(paragraphs))
        paragraphs[index] += f" As [a related post]({url}) showed, {_phrase(rng, 6)}."
    if plan.has_extras:
        paragraphs[0] += f" {_phrase(rng, 5).capitalize()}.[^1]"
        paragraphs.insert(len(paragraphs) // 2, _table(rng))
    for heading_at in _heading_positions(rng, len(paragraphs)):
        paragraphs.insert(heading_at, f"## {_title(rng)}")
    if plan.has_extras:
        paragraphs.append(f"[^1]: {_sentence(rng)}")
    return front + "\n" + "\n\n".join(paragraphs) + "\n"


def _text_post(rng: random.Random, plan: PostPlan) -> str:
    paragraphs = _paragraphs(rng)
    for url in plan.links:
        index = rng.randrange(len(paragraphs))
        paragraphs[index] += f" More at {url} on this."
    credit = "Photo Credit: " + "; ".join(credit.removeprefix("Photo by ") for credit in plan.credits)
    return "\n\n".join([plan.title, *(_wrap(p) for p in paragraphs), credit]) + "\n"


def _paragraphs(rng: random.Random) -> list[str]:
    budget = rng.randint(*WORDS_PER_POST)
    paragraphs = []
    while budget > 0:
        words = min(budget, rng.randint(*WORDS_PER_PARAGRAPH))
        paragraphs.append(_prose(rng, words))
        budget -= words
    return paragraphs


def _prose(rng: random.Random, words: int) -> str:
    sentences = []
    while words > 0:
        length = min(words, rng.randint(6, 18))
        sentences.append(_phrase(rng, length).capitalize() + ".")
        words -= length
    return " ".join(sentences)


def _sentence(rng: random.Random) -> str:
    return _phrase(rng, rng.randint(6, 14)).capitalize() + "."


def _phrase(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))).title()


def _slug(title: str) -> str:
    return title.lower().replace(" ", "-")


def _heading_positions(rng: random.Random, paragraphs: int) -> list[int]:
    """Where to put one or two `##` headings, highest index first so inserting keeps them valid."""
    count = min(rng.randint(1, 2), max(1, paragraphs - 1))
    return sorted(rng.sample(range(1, max(2, paragraphs)), k=count), reverse=True)


def _table(rng: random.Random) -> str:
    rows = [f"| {rng.choice(WORDS).title()} | {rng.randint(1, 99)} | {rng.choice(WORDS)} |" for _ in range(3)]
    return "\n".join(["| Place | Miles | Note |", "|---|---:|---|", *rows])


def _wrap(paragraph: str, width: int = 78) -> str:
    """Break a paragraph into lines as a copied web page would; the reader joins them again."""
    lines: list[str] = []
    current = ""
    for word in paragraph.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "\n".join(lines)
