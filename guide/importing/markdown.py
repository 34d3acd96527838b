"""Write an imported post as Markdown with our front matter (HTML to Markdown with markdownify)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from markdownify import MarkdownConverter

from guide.post import Post

LINE_START_RE = re.compile(r"(^|\n)([ \t]*)(#|>|[-+](?=\s))")
NUMBERED_RE = re.compile(r"(^|\n)([ \t]*\d+)([.)])(?=\s)")
LIST_INDENT = 4
"""Python-Markdown nests lists by four spaces."""
IMAGE_FILE_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?)(?:[?#].*)?$", re.IGNORECASE)


class PrintMarkdownConverter(MarkdownConverter):
    """markdownify, escaping for Python-Markdown and keeping figures, captions and super/subscripts."""

    def escape(self, text: str, parent_tags: set[str]) -> str:
        """Escape what Python-Markdown would read as markup; `<` and `&` as entities."""
        if not text:
            return ""
        text = text.replace("\\", "\\\\")
        text = re.sub(r"([`*_\[\]])", r"\\\1", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        text = NUMBERED_RE.sub(r"\1\2\\\3", text)
        return LINE_START_RE.sub(r"\1\2\\\3", text)

    def convert_li(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A list item indented by four spaces, as Python-Markdown needs for nesting."""
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        bullet = "-"
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start") or "1")
            number = (int(start) if start.isdigit() else 1) + len(el.find_previous_siblings("li"))
            bullet = f"{number}."
        first, *rest = text.split("\n")
        indent = " " * LIST_INDENT
        lines = [bullet.ljust(LIST_INDENT - 1) + " " + first] + [
            indent + line if line else "" for line in rest
        ]
        return "\n".join(lines) + "\n"

    def convert_figure(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A figure with one image becomes a lone image whose title is the caption."""
        images = el.find_all("img")
        if len(images) != 1 or el.find("figure") is not None:
            return f"\n\n{text.strip()}\n\n"
        caption_element = el.find("figcaption")
        caption = " ".join(caption_element.get_text().split()) if caption_element else ""
        return f"\n\n{_image(images[0], caption)}\n\n"

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """An image without the title attribute, which the build would print as a caption."""
        return _image(el, "")

    def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A link around nothing but an image (a click to enlarge) is just the image."""
        children = [c for c in el.children if getattr(c, "name", None) or str(c).strip()]
        only_image = len(children) == 1 and getattr(children[0], "name", None) == "img"
        if only_image and IMAGE_FILE_RE.search(el.get("href", "")):
            return text
        return str(super().convert_a(el, text, parent_tags))  # type: ignore[misc] # not in markdownify's stub

    def convert_sup(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Keep superscripts as inline HTML: Python-Markdown passes it through."""
        return f"<sup>{text}</sup>" if text.strip() else text

    def convert_sub(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Keep subscripts as inline HTML."""
        return f"<sub>{text}</sub>" if text.strip() else text

    def convert_del(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Python-Markdown has no ~~strike~~: keep the HTML."""
        return f"<del>{text}</del>" if text.strip() else text

    convert_s = convert_del

    def convert_hr(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A rule that can never be mistaken for front matter."""
        return "\n\n* * *\n\n"


def _image(el: Any, caption: str) -> str:
    # A tagged PDF needs every image described; the caption is the next best description.
    alt = _escape_alt(el.get("alt") or caption or "Image")
    src = (el.get("src") or "").replace(" ", "%20").replace(")", "%29")
    title = ' "' + caption.replace("\\", "\\\\").replace('"', '\\"') + '"' if caption else ""
    return f"![{alt}]({src}{title})"


def _escape_alt(alt: str) -> str:
    return " ".join(re.sub(r"([\[\]\\])", r"\\\1", alt).split())


def html_to_markdown(html: str) -> str:
    """Convert a post body from HTML to Markdown the build reads back the same."""
    converter = PrintMarkdownConverter(
        heading_style="ATX",
        bullets="-",
        strong_em_symbol="*",
        code_language="",
        keep_inline_images_in=["a", "p", "li", "td", "th", "span", "em", "strong", "b", "i", "div"],
    )
    markdown = str(converter.convert(html))
    markdown = re.sub(r"[ \t]+\n", lambda m: "  \n" if m.group(0).startswith("  ") else "\n", markdown)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


def front_matter(post: Post) -> str:
    """Return the post's metadata as our front matter block."""
    data: dict[str, Any] = {"title": post.title}
    if post.subtitle:
        data["subtitle"] = post.subtitle
    if post.date:
        data["date"] = post.date.isoformat()
    if post.url:
        data["url"] = post.url
    if post.author:
        data["author"] = post.author
    if post.credits:
        data["credits"] = list(post.credits)
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False)
    return f"---\n{dumped}---\n"


def chapter_text(post: Post, body_markdown: str) -> str:
    """The whole chapter file: front matter, a blank line, the body."""
    body = body_markdown.strip("\n")
    return front_matter(post) + ("\n" + body + "\n" if body else "")
