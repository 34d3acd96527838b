"""Write an imported post as Markdown with our front matter (HTML to Markdown with markdownify)."""

from __future__ import annotations

import html
import re
from typing import Any

import yaml
from markdownify import MarkdownConverter

from guide.importing.rawhtml import CONTAINERS, holds_raw, is_image_figure, needs_raw, sanitised
from guide.post import Post

LINE_START_RE = re.compile(r"(^|\n)([ \t]*)(#|>|[-+](?=\s))")
NUMBERED_RE = re.compile(r"(^|\n)([ \t]*\d+)([.)])(?=\s)")
RULE_LINE_RE = re.compile(r"(^|\n)([ \t]*)([-=])(?=[-= \t]*(?:\n|$))")
"""A line of dashes or equals signs, which Markdown reads as a rule or a heading underline."""
RULE_ESCAPES = {"-": "\\-", "=": "&#61;"}
ADJACENT_INLINE_RE = re.compile(r"</(em|strong|b|i)><\1>")
LIST_INDENT = 4
"""Python-Markdown nests lists by four spaces."""
IMAGE_FILE_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?)(?:[?#].*)?$", re.IGNORECASE)
KEPT_RE = re.compile(r"^(?P<prefix>[^\n\x02]*?)\x02(?P<index>\d+)\x03[ \t]*$", re.MULTILINE)
"""A placeholder line for a kept block (code, raw HTML), after whatever indents it."""
LANGUAGE_CLASS_RE = re.compile(r"^(?:language|lang|highlight|source)-([\w+#.-]+)$")
BRUSH_RE = re.compile(r"brush:\s*([\w+#.-]+)")
LANGUAGE_RE = re.compile(r"^[\w+#.-]{1,30}$")


def code_language(el: Any) -> str:
    """The language a <pre> (or its <code>) names: class language-x, WP-Syntax lang=, brush: x."""
    for element in (el, el.find("code")):
        if element is None:
            continue
        for value in (element.get("lang"), element.get("data-lang")):
            if value and LANGUAGE_RE.match(value):
                return str(value).lower()
        classes = element.get("class") or []
        for name in classes:
            found = LANGUAGE_CLASS_RE.match(name)
            if found and found.group(1).lower() not in ("none", "plaintext", "text", "nohighlight"):
                return found.group(1).lower()
        brush = BRUSH_RE.search(" ".join(classes))
        if brush:
            return brush.group(1).lower()
    return ""


class PrintMarkdownConverter(MarkdownConverter):
    """markdownify, escaping for Python-Markdown and keeping figures, captions and super/subscripts.

    Code blocks and raw HTML are kept aside as placeholders while the rest is tidied, so no
    whitespace inside them is touched; `finish` puts them back, indented as their place needs.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.kept: list[str] = []
        self.notes: list[str] = []

    def keep(self, block: str) -> str:
        """A placeholder line for `block`, which the tidying after conversion leaves alone."""
        self.kept.append(block)
        return f"\n\n\x02{len(self.kept) - 1}\x03\n\n"

    def finish(self, markdown: str) -> str:
        """Put the kept blocks back, each line indented like its placeholder."""

        def restore(found: re.Match[str]) -> str:
            prefix = found.group("prefix")
            indent = prefix if not prefix.strip(" >") else " " * len(prefix)
            lines = self.kept[int(found.group("index"))].split("\n")
            first = prefix + lines[0]
            return "\n".join([first, *((indent + line) if line else indent.rstrip() for line in lines[1:])])

        markdown = KEPT_RE.sub(restore, markdown)
        return re.sub(r"\x02(\d+)\x03", lambda m: self.kept[int(m.group(1))], markdown)

    def convert_pre(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A fenced block with its language; indented where fences do not work (lists, quotes)."""
        code = text.strip("\n")
        if not code.strip():
            return ""
        if parent_tags & {"li", "blockquote", "dd"}:
            return self.keep("\n".join("    " + line if line else "" for line in code.split("\n")))
        runs = [len(run) for run in re.findall(r"^[ \t]*(`{3,}|~{3,})", code, re.MULTILINE)]
        fence = "`" * max(3, max(runs, default=0) + 1)
        return self.keep(f"{fence}{code_language(el)}\n{code}\n{fence}")

    def convert_code(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Inline code; as HTML right after other code, where two backtick spans would merge."""
        previous = el.previous_sibling
        if "_noformat" not in parent_tags and getattr(previous, "name", None) in ("code", "kbd", "samp"):
            return f"<code>{html.escape(text, quote=False)}</code>" if text else ""
        return str(super().convert_code(el, text, parent_tags))  # type: ignore[misc] # not in the stub

    def convert_span(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A footnote (as the readers and the build write them) becomes a Markdown footnote."""
        if "footnote" not in (el.get("class") or []) or "_noformat" in parent_tags or not text.strip():
            return text
        self.notes.append(" ".join(text.split()))
        return f"[^{len(self.notes)}]"

    def convert_br(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A line break; inside code, a plain line end."""
        if "pre" in parent_tags:
            return "\n"
        return str(super().convert_br(el, text, parent_tags))  # type: ignore[misc] # not in the stub

    def convert_dl(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Python-Markdown has no definition lists: keep the HTML."""
        return self.raw(el, text, parent_tags)

    def convert_table(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A pipe table when Markdown can say all of it; else the table's HTML."""
        if needs_raw(el) or holds_raw(el):
            return self.raw(el, text, parent_tags)
        return f"\n\n{text.strip()}\n\n"

    def convert_ul(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A list; written as HTML when it holds what Markdown cannot say."""
        if not parent_tags & set(CONTAINERS) and holds_raw(el):
            return self.raw(el, text, parent_tags)
        return str(self.convert_list(el, text, parent_tags))  # type: ignore[attr-defined] # not in the stub

    convert_ol = convert_ul

    def convert_blockquote(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A quotation; written as HTML when it holds what Markdown cannot say."""
        if not parent_tags & set(CONTAINERS) and holds_raw(el):
            return self.raw(el, text, parent_tags)
        return str(super().convert_blockquote(el, text, parent_tags))  # type: ignore[misc] # not in the stub

    def raw(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """The element as sanitised HTML, where a raw HTML block can stand; else markdownify's text."""
        if parent_tags & set(CONTAINERS) or "_inline" in parent_tags:
            return f"\n\n{text.strip()}\n\n"
        return self.keep(sanitised(str(el)).strip())

    def escape(self, text: str, parent_tags: set[str]) -> str:
        """Escape what Python-Markdown would read as markup; `<` and `&` as entities."""
        if not text:
            return ""
        text = text.replace("\\", "\\\\")
        text = re.sub(r"([`*_\[\]])", r"\\\1", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        text = NUMBERED_RE.sub(r"\1\2\\\3", text)
        text = RULE_LINE_RE.sub(lambda m: m.group(1) + m.group(2) + RULE_ESCAPES[m.group(3)], text)
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
        # An item of several blocks ends with a blank line, or the next item is read as its text.
        return "\n".join(lines) + ("\n\n" if "\n\n" in text else "\n")

    def convert_figure(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A figure with one image becomes a lone image whose title is the caption.

        Any other figure with a caption (a table, a quotation, a gallery) stays HTML.
        """
        if not is_image_figure(el):
            if needs_raw(el) or holds_raw(el):
                return self.raw(el, text, parent_tags)
            return f"\n\n{text.strip()}\n\n"
        caption_element = el.find("figcaption")
        caption = " ".join(caption_element.get_text().split()) if caption_element else ""
        return f"\n\n{_image(el.find('img'), caption)}\n\n"

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """An image without the title attribute, which the build would print as a caption."""
        return _image(el, "")

    def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A link around nothing but an image (a click to enlarge) is just the image.

        Characters Markdown would read in the address (spaces, parentheses, backticks) are escaped.
        """
        children = [c for c in el.children if getattr(c, "name", None) or str(c).strip()]
        only_image = len(children) == 1 and getattr(children[0], "name", None) == "img"
        if only_image and IMAGE_FILE_RE.search(el.get("href", "")):
            return text
        href = el.get("href")
        if href:
            el["href"] = re.sub(r"[ ()`<>]", lambda m: f"%{ord(m.group(0)):02X}", href.strip())
        return str(super().convert_a(el, _edge_spaces(text), parent_tags))  # type: ignore[misc] # not in stub

    def convert_em(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Emphasis; a no-break space at its edge stays outside the markers, as a space."""
        return str(super().convert_em(el, _edge_spaces(text), parent_tags))  # type: ignore[misc] # not in stub

    def convert_strong(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Strong emphasis; edge spaces as for emphasis."""
        return str(super().convert_strong(el, _edge_spaces(text), parent_tags))  # type: ignore[misc] # not in stub

    convert_i = convert_em
    convert_b = convert_strong

    def convert_sup(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Keep superscripts as inline HTML: Python-Markdown passes it through."""
        return _inline_html("sup", text, parent_tags)

    def convert_sub(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Keep subscripts as inline HTML."""
        return _inline_html("sub", text, parent_tags)

    def convert_del(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Python-Markdown has no ~~strike~~: keep the HTML."""
        return _inline_html("del", text, parent_tags)

    convert_s = convert_del

    def convert_q(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Keep inline quotations as HTML: the stylesheet gives them their quotation marks."""
        return _inline_html("q", text, parent_tags)

    def convert_hr(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A rule that can never be mistaken for front matter."""
        return "\n\n* * *\n\n"


def _edge_spaces(text: str) -> str:
    """Any whitespace at the edges as one plain space: markdownify moves only spaces out of markers."""
    return re.sub(r"^\s+", " ", re.sub(r"\s+$", " ", text))


def _inline_html(tag: str, text: str, parent_tags: set[str]) -> str:
    if "_noformat" in parent_tags or not text.strip():
        return text
    return f"<{tag}>{text}</{tag}>"


def _image(el: Any, caption: str) -> str:
    # A tagged PDF needs every image described; the caption is the next best description.
    alt = _escape_alt(el.get("alt") or caption or "Image")
    src = (el.get("src") or "").replace(" ", "%20").replace(")", "%29")
    title = f' "{_escape_title(caption)}"' if caption else ""
    return f"![{alt}]({src}{title})"


def _escape_title(title: str) -> str:
    title = re.sub(r'([\\"`*_\[\]()])', r"\\\1", title)
    return title.replace("&", "&amp;").replace("<", "&lt;")


def _escape_alt(alt: str) -> str:
    alt = re.sub(r"([\[\]\\`*_])", r"\\\1", alt).replace("&", "&amp;").replace("<", "&lt;")
    return " ".join(alt.split())


def html_to_markdown(html: str) -> str:
    """Convert a post body from HTML to Markdown the build reads back the same."""
    converter = PrintMarkdownConverter(
        heading_style="ATX",
        bullets="-",
        strong_em_symbol="*",
        code_language="",
        keep_inline_images_in=["a", "p", "li", "td", "th", "span", "em", "strong", "b", "i", "div"],
    )
    # <em>a</em><em>b</em> would be *a**b*: one emphasis, as it reads.
    markdown = str(converter.convert(ADJACENT_INLINE_RE.sub("", html)))
    markdown = re.sub(r"[ \t]+\n", lambda m: "  \n" if m.group(0).startswith("  ") else "\n", markdown)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    notes = "".join(f"\n[^{number}]: {note}\n" for number, note in enumerate(converter.notes, 1))
    return converter.finish(markdown + notes)


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
