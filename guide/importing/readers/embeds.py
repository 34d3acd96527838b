"""Print-ready markup for what a blog embeds: code blocks, galleries as grids, videos as titled links."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

PROVIDERS = {
    "youtube.com": "YouTube video",
    "youtu.be": "YouTube video",
    "vimeo.com": "Vimeo video",
    "twitter.com": "Post on Twitter",
    "x.com": "Post on X",
    "instagram.com": "Instagram post",
    "soundcloud.com": "SoundCloud audio",
    "spotify.com": "Spotify audio",
    "flickr.com": "Flickr photo",
    "videopress.com": "VideoPress video",
    "slideshare.net": "SlideShare slides",
    "gist.github.com": "GitHub gist",
    "codepen.io": "CodePen demo",
    "tiktok.com": "TikTok video",
    "dailymotion.com": "Dailymotion video",
}
"""The hosts WordPress embeds from a bare address (oEmbed), and what each shows."""
YOUTUBE_EMBED_RE = re.compile(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)")
LANGUAGE_RE = re.compile(r"^[\w+#.-]{1,30}$")


def provider(url: str) -> str | None:
    """What the embedding site shows ("YouTube video"), or None for an unknown site."""
    host = (urlsplit(url).hostname or "").lower()
    for domain, label in PROVIDERS.items():
        if host == domain or host.endswith("." + domain):
            return label
    return None


def watch_url(url: str) -> str:
    """The page a reader can open for an embedded player's address (YouTube's /embed/ID -> watch)."""
    found = YOUTUBE_EMBED_RE.match(url)
    if found:
        return f"https://www.youtube.com/watch?v={found.group(1)}"
    return url


def titled_link(url: str, title: str | None = None) -> str:
    """A paragraph linking to what was embedded, titled by the embed's own title or its site."""
    if not url:
        return "<p><em>(Embedded content of the original post is not included.)</em></p>"
    url = watch_url(url)
    label = provider(url) or "Embedded content"
    text = f"{label}: {title}" if title else label
    video_id = parse_qs(urlsplit(url).query).get("v", [""])[0]
    if not title and video_id and label == "YouTube video":
        text = f"{label} {video_id}"
    escaped = html.escape(url)
    return f'<p><em>{html.escape(text)}</em>: <a href="{escaped}">{escaped}</a></p>'


def code_block(code: str, language: str = "") -> str:
    """A <pre><code> block holding `code` as text, with its language when it names one."""
    language = language.strip().lower()
    attribute = f' class="language-{html.escape(language)}"' if LANGUAGE_RE.match(language) else ""
    return f"<pre><code{attribute}>{html.escape(code, quote=False)}</code></pre>"


PRINT_COLUMNS = 3
"""Most images a printed gallery row holds: on an A5 text block a fourth would print under 25 mm wide."""


def gallery_grid(images: list[tuple[str, str, str]], columns: int | None = None, caption: str = "") -> str:
    """A gallery's images (src, alt, caption) as HTML: one figure each in one column, else a table grid.

    `columns` is the blog's own setting (WordPress `columns="N"`, `columns-N`): 1 keeps one image to a
    row, 2 and 3 are kept, more are set 3 to a row (`PRINT_COLUMNS`). Unset, 2 or 4 images go 2 to a row
    and others 3.
    """
    if len(images) == 1 or columns == 1:
        figures = "".join(_figure(src, alt, text) for src, alt, text in images)
        if caption:
            return (
                f'<figure class="gallery">{figures}<figcaption>{html.escape(caption)}</figcaption></figure>'
            )
        return figures
    if columns is None or columns < 2:
        columns = 2 if len(images) in (2, 4) else PRINT_COLUMNS
    columns = min(columns, PRINT_COLUMNS)
    rows = [images[i : i + columns] for i in range(0, len(images), columns)]
    cells = "".join(
        "<tr>" + "".join(_cell(*image) for image in row) + "<td></td>" * (columns - len(row)) + "</tr>"
        for row in rows
    )
    table = f'<table class="gallery gallery-{columns}"><tbody>{cells}</tbody></table>'
    if caption:
        return f'<figure class="gallery">{table}<figcaption>{html.escape(caption)}</figcaption></figure>'
    return table


def _figure(src: str, alt: str, caption: str) -> str:
    figcaption = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{html.escape(src)}" alt="{html.escape(alt or caption)}">{figcaption}</figure>'


def _cell(src: str, alt: str, caption: str) -> str:
    text = f"<br>{html.escape(caption)}" if caption else ""
    return f'<td><img src="{html.escape(src)}" alt="{html.escape(alt or caption)}">{text}</td>'
