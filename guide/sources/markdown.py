"""Read Markdown posts with YAML front matter."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET

import markdown
from markdown.extensions import Extension
from markdown.extensions.footnotes import NBSP_PLACEHOLDER
from markdown.treeprocessors import Treeprocessor

from guide.errors import Diagnostic, GuideError, Report
from guide.positions import SOURCE_LINE
from guide.post import Post
from guide.sanitize import sanitize_html
from guide.slug import unique_slug
from guide.sources.frontmatter import FrontMatter, parse_front_matter, split_front_matter
from guide.sources.limits import check_markdown_limits
from guide.sources.mdlines import SourceLinesExtension
from guide.sources.mdlint import lint_markdown, report_findings
from guide.sources.mdlists import ListAfterParagraphProcessor, ListIndentPreprocessor

EXTENSIONS = ["footnotes", "tables", "fenced_code", "attr_list", "smarty", "sane_lists"]
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def read_markdown_post(text: str, source_path: str, warnings: Report) -> Post:
    """Turn a Markdown post with front matter into a Post."""
    raw_meta, body, first_line = split_front_matter(text, source_path)
    meta = parse_front_matter(raw_meta, source_path, warnings) if raw_meta is not None else FrontMatter()
    if meta.title is None:
        raise GuideError(Diagnostic(source_path, 1, "front matter has no 'title'"))
    check_markdown_limits(body, source_path, first_line)
    html, unused_notes = convert_markdown(body, first_line)
    report_findings(lint_markdown(body, first_line, html, unused_notes), source_path, warnings)
    return Post(
        source_path=source_path,
        title=meta.title,
        subtitle=meta.subtitle,
        body_html=sanitize_html(html, source_path, warnings),
        date=meta.date,
        url=meta.url,
        author=meta.author,
        credits=meta.credits,
    )


def markdown_to_html(body: str, first_line: int = 1) -> str:
    """Convert a post body to an HTML fragment laid out for print.

    `first_line` is the body's line in the post file (after front matter): blocks are stamped
    with `data-source-line` counted from it.
    """
    return convert_markdown(body, first_line)[0]


def convert_markdown(body: str, first_line: int = 1) -> tuple[str, list[str]]:
    """Convert a post body; return the HTML and the labels of footnotes defined but never cited."""
    converter, lines = _converter()
    converter.reset()
    lines.state.first_line = first_line
    html = converter.convert(body)
    return html, list(_print_extension(converter).unused_notes)


def _print_extension(converter: markdown.Markdown) -> PrintExtension:
    return next(e for e in converter.registeredExtensions if isinstance(e, PrintExtension))


@functools.cache
def _converter() -> tuple[markdown.Markdown, SourceLinesExtension]:
    """One converter for every post: building it costs more than a short post's conversion."""
    lines = SourceLinesExtension()
    converter = markdown.Markdown(
        extensions=[*EXTENSIONS, PrintExtension(), lines],
        extension_configs={"footnotes": {"BACKLINK_TEXT": ""}},
        output_format="html",
    )
    return converter, lines


class PrintExtension(Extension):
    """Shape Python-Markdown's tree for paged media; read lists as CommonMark nests them."""

    def __init__(self) -> None:
        super().__init__()
        self.unused_notes: list[str] = []
        """Labels of the footnotes the last post defined and never cited."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        """Run after footnotes and inline patterns have done their work."""
        md.registerExtension(self)
        md.preprocessors.register(ListIndentPreprocessor(md), "guide-list-indent", 110)
        md.parser.blockprocessors.register(
            ListAfterParagraphProcessor(md.parser), "guide-list-after-para", 11
        )
        md.treeprocessors.register(PrintTreeprocessor(md, self.unused_notes), "guide-print", 5)

    def reset(self) -> None:
        """Forget the previous post."""
        self.unused_notes.clear()


class PrintTreeprocessor(Treeprocessor):
    """Footnotes inline where cited, images as figures, headings below the chapter title."""

    def __init__(self, md: markdown.Markdown, unused_notes: list[str]) -> None:
        super().__init__(md)
        self.unused_notes = unused_notes

    def run(self, root: ET.Element) -> None:
        """Rewrite the tree in place."""
        self.unused_notes.extend(_inline_footnotes(root))
        _images_to_figures(root)
        _stamp_table_rows(root)
        _demote_headings(root)


def _inline_footnotes(root: ET.Element) -> list[str]:
    """Move each footnote's text to its call site, where CSS floats it to the page foot.

    Return the labels of the notes no call site cites: they are left out.
    """
    container = next((div for div in root.iter("div") if div.get("class") == "footnote"), None)
    if container is None:
        return []
    notes = {li.get("id"): li for li in container.iter("li")}
    cited: set[str | None] = set()
    for parent in list(root.iter()):
        for index, child in enumerate(list(parent)):
            link = child.find("a") if child.tag == "sup" else None
            note = notes.get((link.get("href") or "")[1:]) if link is not None else None
            if note is not None:
                cited.add(note.get("id"))
                parent[index] = _footnote_span(note, child.tail)
    root.remove(container)
    return [str(key).split(":", 1)[-1] for key in notes if key not in cited]


def _footnote_span(note: ET.Element, tail: str | None) -> ET.Element:
    span = ET.Element("span", {"class": "footnote"})
    if note.get(SOURCE_LINE) is not None:
        span.set(SOURCE_LINE, note.get(SOURCE_LINE, ""))
    for paragraph in note:
        for backref in [a for a in paragraph.iter("a") if a.get("class") == "footnote-backref"]:
            _remove_keep_tail(paragraph, backref)
        if len(span) or span.text:
            _append_text(span, " ")
        _append_text(span, paragraph.text or "")
        for grandchild in list(paragraph):
            span.append(grandchild)
    _strip_placeholder(span)
    span.tail = tail
    return span


def _strip_placeholder(element: ET.Element) -> None:
    """Drop the no-break space Python-Markdown leaves where the back-link was."""
    last = element[-1] if len(element) else None
    if last is not None and last.tail:
        last.tail = last.tail.replace(NBSP_PLACEHOLDER, "").rstrip()
    elif element.text:
        element.text = element.text.replace(NBSP_PLACEHOLDER, "").rstrip()


def _append_text(element: ET.Element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _remove_keep_tail(root: ET.Element, target: ET.Element) -> None:
    for parent in root.iter():
        children = list(parent)
        if target in children:
            index = children.index(target)
            tail = target.tail or ""
            if index:
                children[index - 1].tail = (children[index - 1].tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
            parent.remove(target)
            return


def _images_to_figures(root: ET.Element) -> None:
    """A paragraph holding a single image becomes a figure, its title the caption."""
    for parent in list(root.iter()):
        for index, child in enumerate(list(parent)):
            if child.tag != "p" or len(child) != 1 or child[0].tag != "img":
                continue
            if (child.text or "").strip() or (child[0].tail or "").strip():
                continue
            image = child[0]
            figure = ET.Element("figure", {k: v for k, v in child.attrib.items() if k == SOURCE_LINE})
            figure.append(image)
            caption = image.attrib.pop("title", None)
            if caption:
                ET.SubElement(figure, "figcaption").text = caption
            image.tail = None
            figure.tail = child.tail
            parent[index] = figure


def _stamp_table_rows(root: ET.Element) -> None:
    """Give each table row its own line: the header's, then one per body row after the rule."""
    for table in root.iter("table"):
        first = int(table.get(SOURCE_LINE) or 0)
        if not first:
            continue
        for section, start in (("thead", first), ("tbody", first + 2)):
            for offset, row in enumerate(table.iterfind(f"{section}/tr")):
                row.set(SOURCE_LINE, str(start + offset))


def _demote_headings(root: ET.Element) -> None:
    """Shift headings so the post's highest is <h2>, and give each an id."""
    headings = [e for e in root.iter() if e.tag in HEADINGS]
    if not headings:
        return
    shift = 2 - min(int(h.tag[1]) for h in headings)
    taken: set[str] = set()
    for heading in headings:
        heading.tag = f"h{min(6, max(2, int(heading.tag[1]) + shift))}"
        if "id" not in heading.attrib:
            heading.set("id", unique_slug("".join(heading.itertext()), taken))
