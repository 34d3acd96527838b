"""Read plain-text posts as a blog gives them when copied: title line, paragraphs, credits."""

from __future__ import annotations

import html
import re

from guide.errors import Diagnostic, GuideError, Report, Severity
from guide.limits import MAX_TITLE_CHARS
from guide.metadata import metadata_problem
from guide.positions import SOURCE_LINE
from guide.post import Post
from guide.sources.frontmatter import FrontMatter, parse_front_matter, split_front_matter

CREDIT_RE = re.compile(r"^\s*(?P<kind>photo|image)?\s*credits?\s*:\s*(?P<credits>.*)$", re.IGNORECASE)
LEFTOVER_RE = re.compile(
    r"^\s*(leave a reply|leave a comment|share this:?|like this:?|related|like loading\.\.\.|"
    r"\d+ (comments?|responses?)|cancel reply)\s*$",
    re.IGNORECASE,
)
URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def read_text_post(text: str, source_path: str, warnings: Report) -> Post:
    """Turn a plain-text post into a Post: title, paragraphs, and its credit lines."""
    raw_meta, body, first_line = split_front_matter(text, source_path)
    meta = parse_front_matter(raw_meta, source_path, warnings) if raw_meta is not None else FrontMatter()
    lines = _drop_leftovers(list(enumerate(body.split("\n"), start=first_line)))
    credits = [c for _, line in lines for c in _credits_of(line)]
    lines = [(number, line) for number, line in lines if not CREDIT_RE.match(line)]
    title, paragraphs = _title_and_paragraphs(lines)
    if meta.title is None and title is None:
        raise GuideError(Diagnostic(source_path, first_line, "post has no title line"))
    if meta.title is None and title is not None:
        problem = metadata_problem("title", title[1], MAX_TITLE_CHARS)
        if problem is not None:
            diagnostic = Diagnostic(
                source_path, title[0], problem[0].replace("'title'", "title line"), problem[1]
            )
            if diagnostic.severity is Severity.ERROR:
                raise GuideError(diagnostic)
            warnings.diagnostics.append(diagnostic)
    if meta.title is not None and title is not None:
        paragraphs.insert(0, title)
    body_html = "\n".join(f'<p {SOURCE_LINE}="{number}">{_linkify(p)}</p>' for number, p in paragraphs)
    return Post(
        source_path=source_path,
        title=meta.title or (title[1] if title else ""),
        body_html=body_html,
        date=meta.date,
        url=meta.url,
        author=meta.author,
        credits=meta.credits + tuple(credits),
    )


NumberedLine = tuple[int, str]
"""A line of the post file and its 1-based number."""


def _drop_leftovers(lines: list[NumberedLine]) -> list[NumberedLine]:
    """Cut the comment form and sharing buttons a copied page carries at its end."""
    for index, (_, line) in enumerate(lines):
        if LEFTOVER_RE.match(line):
            tail = lines[index:]
            return lines[:index] + [t for t in tail if CREDIT_RE.match(t[1])]
    return lines


def _credits_of(line: str) -> list[str]:
    found = CREDIT_RE.match(line)
    if not found:
        return []
    label = f"{found.group('kind').capitalize()}: " if found.group("kind") else ""
    return [label + " ".join(part.split()) for part in found.group("credits").split(";") if part.strip()]


def _title_and_paragraphs(
    lines: list[NumberedLine],
) -> tuple[NumberedLine | None, list[NumberedLine]]:
    """Split off the first non-empty line as the title; blank lines separate paragraphs.

    Each paragraph comes with the number of its first line.
    """
    filled = [index for index, (_, line) in enumerate(lines) if line.strip()]
    if not filled:
        return None, []
    number, text = lines[filled[0]]
    title = (number, " ".join(text.split()))
    paragraphs: list[NumberedLine] = []
    current: list[str] = []
    start = 0
    for number, line in [*lines[filled[0] + 1 :], (0, "")]:
        if line.strip():
            start = start if current else number
            current.append(" ".join(line.split()))
        elif current:
            paragraphs.append((start, " ".join(current)))
            current = []
    return title, paragraphs


def _linkify(paragraph: str) -> str:
    """Escape a paragraph and turn its bare web addresses into links."""
    parts: list[str] = []
    position = 0
    for found in URL_RE.finditer(paragraph):
        parts.append(html.escape(paragraph[position : found.start()], quote=False))
        url = html.escape(found.group(0))
        parts.append(f'<a href="{url}">{url}</a>')
        position = found.end()
    parts.append(html.escape(paragraph[position:], quote=False))
    return "".join(parts)
