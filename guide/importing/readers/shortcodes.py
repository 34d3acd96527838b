"""Expand WordPress shortcodes into print-ready HTML, or a readable fallback and a warning."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from guide.importing.readers.credits import split_credit
from guide.importing.readers.embeds import gallery_grid, titled_link

# Shaped like WordPress's own shortcode pattern: [name attrs], [name attrs /], [name]content[/name],
# and [[name]] for a shortcode written out as text.
SHORTCODE_RE = re.compile(
    r"\[(?P<open>\[?)(?P<name>[A-Za-z][\w-]*)(?![\w-])(?P<attrs>[^\]/]*(?:/(?!\])[^\]/]*)*?)"
    r"(?:(?P<closed>/)\]|\](?:(?P<content>[^\[]*+(?:\[(?!/(?P=name)\])[^\[]*+)*+)\[/(?P=name)\])?)"
    r"(?P<close>\]?)"
)
ATTR_RE = re.compile(
    r"(?P<key>[\w-]+)\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"']+))"
    r"|\"(?P<pdq>[^\"]*)\"|(?P<pos>[^\s\"']+)"
)
CAPTION_IMAGE_RE = re.compile(
    r"^\s*((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)$", re.DOTALL | re.IGNORECASE
)
MEDIA_KEYS = ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mp3", "ogg", "oga", "m4a", "wav")


@dataclass(frozen=True)
class Attachment:
    """A media item of the export, for galleries."""

    url: str
    parent_id: str | None = None
    title: str = ""


@dataclass
class Expansion:
    """The state of expanding one post's shortcodes."""

    post_id: str | None
    attachments: dict[str, Attachment]
    blocks: dict[str, str] = field(default_factory=dict)
    """Placeholders (blocks autop leaves alone) and the HTML they stand for."""
    warnings: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)

    def block(self, markup: str) -> str:
        """Return a block placeholder for `markup`, restored after autop."""
        placeholder = f"<pre guide-protected-{len(self.blocks)}></pre>"
        self.blocks[placeholder] = markup
        return f"\n\n{placeholder}\n\n"

    def inline(self, markup: str) -> str:
        """Return an inline placeholder for `markup` (inline code), restored after autop."""
        placeholder = f"<code guide-protected-{len(self.blocks)}></code>"
        self.blocks[placeholder] = markup
        return placeholder

    def restore(self, text: str) -> str:
        """Put back every protected block and inline markup."""
        for placeholder, markup in reversed(self.blocks.items()):
            text = text.replace(placeholder, markup)
        return text


Handler = Callable[[dict[str, str], str | None, Expansion], str]


def expand_shortcodes(text: str, expansion: Expansion) -> str:
    """Replace every shortcode in `text`; warnings and credits go into `expansion`."""

    def replace(found: re.Match[str]) -> str:
        if found.group("open") and found.group("close"):
            return found.group(0)[1:-1]
        name = found.group("name").lower()
        attrs = parse_attributes(found.group("attrs"))
        content = found.group("content")
        handler = HANDLERS.get(name)
        if handler is not None:
            return found.group("open") + handler(attrs, content, expansion) + found.group("close")
        if content is None and not _looks_like_shortcode(found, name, attrs):
            return found.group(0)  # words in brackets, not a shortcode
        return found.group("open") + _unknown(found, name, content, expansion) + found.group("close")

    return SHORTCODE_RE.sub(replace, text)


def _looks_like_shortcode(found: re.Match[str], name: str, attrs: dict[str, str]) -> bool:
    """Tell `[contact-form id="2"]` from words an author put in brackets."""
    if "_" in name or "-" in name or any(not key.isdigit() for key in attrs):
        return True
    text = found.string
    line_start = text.rfind("\n", 0, found.start()) + 1
    line_end = text.find("\n", found.end())
    line = text[line_start : None if line_end < 0 else line_end]
    return re.sub(r"<[^>]*>", "", line).strip() == found.group(0)


def parse_attributes(text: str) -> dict[str, str]:
    """Parse shortcode attributes; positional ones are keyed "0", "1", ..."""
    attrs: dict[str, str] = {}
    position = 0
    for found in ATTR_RE.finditer(html.unescape(text)):
        if found.group("key"):
            value = next(
                v for v in (found.group("dq"), found.group("sq"), found.group("bare")) if v is not None
            )
            attrs[found.group("key").lower()] = value
        else:
            attrs[str(position)] = (
                found.group("pdq") if found.group("pdq") is not None else found.group("pos")
            )
            position += 1
    return attrs


def _caption(attrs: dict[str, str], content: str | None, expansion: Expansion) -> str:
    inner = expand_shortcodes(content or "", expansion)
    caption = attrs.get("caption", "")
    if not caption:
        found = CAPTION_IMAGE_RE.match(inner)
        if found:
            inner, caption = found.group(1), found.group(2).strip()
    caption, credit = split_credit(caption)
    if credit:
        expansion.credits.append(credit)
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return expansion.block(f"<figure>{inner.strip()}{figcaption}</figure>")


def _gallery(attrs: dict[str, str], content: str | None, expansion: Expansion) -> str:
    ids = [i.strip() for i in attrs.get("ids", attrs.get("include", "")).split(",") if i.strip()]
    if ids:
        images = [expansion.attachments[i] for i in ids if i in expansion.attachments]
    else:
        images = [a for a in expansion.attachments.values() if a.parent_id == expansion.post_id]
    if not images:
        expansion.warnings.append("[gallery] left out: its images are not in the export")
        return expansion.block("<p><em>(A gallery of the original post is not included.)</em></p>")
    shown = "its image" if len(images) == 1 else f"a grid of its {len(images)} images"
    expansion.warnings.append(f"[gallery] shown as {shown}")
    columns = attrs.get("columns", "")
    cells = [(image.url, image.title, "") for image in images]
    return expansion.block(gallery_grid(cells, int(columns) if columns.isdigit() else None))


def _embed(attrs: dict[str, str], content: str | None, expansion: Expansion) -> str:
    url = (content or attrs.get("src", "") or attrs.get("url", "") or attrs.get("0", "")).strip()
    expansion.warnings.append(f"[embed] of {url or 'nothing'} replaced by a link")
    return expansion.block(titled_link(url))


def _youtube(attrs: dict[str, str], content: str | None, expansion: Expansion) -> str:
    """WordPress.com's [youtube URL&w=..&h=..]: a titled link to the video."""
    url = (content or attrs.get("0", "") or attrs.get("url", "")).strip()
    url = re.sub(r"&(?:amp;)?[wh]=\d+", "", url)
    expansion.warnings.append(f"[youtube] of {url or 'nothing'} replaced by a link")
    return expansion.block(titled_link(url))


def _media(kind: str) -> Handler:
    def handler(attrs: dict[str, str], content: str | None, expansion: Expansion) -> str:
        url = next((attrs[key] for key in MEDIA_KEYS if attrs.get(key)), (content or "").strip())
        expansion.warnings.append(f"[{kind}] of {url or 'nothing'} replaced by a link")
        return expansion.block(_link_paragraph(kind.capitalize(), url))

    return handler


def _link_paragraph(label: str, url: str) -> str:
    if not url:
        return f"<p><em>({label} content of the original post is not included.)</em></p>"
    escaped = html.escape(url)
    return f'<p><em>{label}:</em> <a href="{escaped}">{escaped}</a></p>'


def _unknown(found: re.Match[str], name: str, content: str | None, expansion: Expansion) -> str:
    """An unknown shortcode stays as written, as WordPress shows it; shortcodes inside it expand."""
    expansion.warnings.append(f"[{name}] is not supported; kept as text")
    start, end = found.start() + len(found.group("open")), found.end() - len(found.group("close"))
    if content is None:
        return found.string[start:end]
    closing = f"[/{found.group('name')}]"
    return found.string[start : found.start("content")] + expand_shortcodes(content, expansion) + closing


HANDLERS: dict[str, Handler] = {
    "caption": _caption,
    "wp_caption": _caption,
    "gallery": _gallery,
    "embed": _embed,
    "youtube": _youtube,
    "video": _media("video"),
    "audio": _media("audio"),
}
