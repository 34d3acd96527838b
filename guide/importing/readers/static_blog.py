"""Read Markdown posts of static blogs (Jekyll, Hugo): their front matter mapped to ours."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from guide.errors import Diagnostic, GuideError, Report
from guide.importing.permalinks import CODE_RE, ENGINE_LINK_RE
from guide.importing.readers.article import Article, Source
from guide.importing.readers.dates import parse_date
from guide.post import Post
from guide.sources.frontmatter import load_yaml
from guide.sources.markdown import markdown_to_html

FILE_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
TEMPLATE_RE = re.compile(r"\{\{[<%].*?[%>]\}\}|\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
TOML_FENCE = "+++"


def read_static_post(text: str, source_path: str, report: Report) -> Source:
    """Read one Jekyll or Hugo post; its body stays the Markdown it was written in."""
    meta, body, body_line, dialect = _split(text, source_path)
    stem = _post_stem(PurePosixPath(source_path))
    file_date = FILE_DATE_RE.match(stem)
    title = _one_line(meta.get("title"))
    if not title:
        raise GuideError(Diagnostic(source_path, 1, "front matter has no 'title'"))
    published = parse_date(meta.get("date")) or parse_date(file_date.group(1) if file_date else None)
    own = Report()  # reported only if the post is imported
    # Jekyll (dated file names) runs Liquid over code too; Hugo runs no template in content.
    _warn_template_syntax(body, body_line, source_path, own, in_code=file_date is not None)
    url = _one_line(meta.get("url"))
    article = Article(
        post=Post(
            source_path=source_path,
            title=title,
            subtitle=_one_line(meta.get("subtitle")),
            body_html=markdown_to_html(body),
            date=published.date() if published else None,
            url=url if url and url.startswith(("http://", "https://")) else None,
            author=_author(meta.get("author") or meta.get("authors")),
            credits=tuple(_words(meta.get("credits"))),
        ),
        line=1,
        published=published,
        slug=_one_line(meta.get("slug")) or (file_date.group(2) if file_date else stem),
        categories=tuple(_words(meta.get("categories")) + _words(meta.get("category"))),
        tags=tuple(_words(meta.get("tags"))),
        skip_reason=_skip_reason(meta),
        body_markdown=body.strip("\n") + "\n",
        addresses=_addresses(meta),
        warnings=tuple(own.diagnostics),
    )
    return Source(source_path, f"{dialect} post", (article,))


def _post_stem(path: PurePosixPath) -> str:
    """The post's own name: a Hugo page bundle (`my-post/index.md`) is named by its folder."""
    if path.stem in ("index", "_index") and path.parent.name not in ("", ".", ".."):
        return path.parent.name
    return path.stem


def _addresses(meta: dict[str, Any]) -> tuple[str, ...]:
    """The site-relative addresses a post answers at: permalink, url, aliases, redirect_from."""
    found = []
    for key in ("permalink", "url", "aliases", "redirect_from"):
        value = meta.get(key)
        for entry in value if isinstance(value, list) else [value]:
            text = _one_line(entry)
            if text and text.startswith("/") and not text.startswith("//"):
                found.append(text)
    return tuple(dict.fromkeys(found))


def _split(text: str, source_path: str) -> tuple[dict[str, Any], str, int, str]:
    fence = TOML_FENCE if text.startswith(TOML_FENCE) else "---"
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (fence, "..." if fence == "---" else fence):
            raw, body = "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
            return (
                _load(raw, fence, source_path),
                body,
                index + 2,
                "Hugo" if fence == TOML_FENCE else "Jekyll/Hugo",
            )
    raise GuideError(Diagnostic(source_path, 1, f"front matter opened with '{fence}' is never closed"))


def _load(raw: str, fence: str, source_path: str) -> dict[str, Any]:
    if fence == "---":
        return load_yaml(raw, source_path)
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) + 1 if found else 1
        raise GuideError(Diagnostic(source_path, line, f"front matter: {str(exc).split(' (at')[0]}")) from exc


def _one_line(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _words(value: Any) -> list[str]:
    """Categories and tags: a list, or Jekyll's space-separated string."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, str):
        return value.split()
    return []


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        names = [str(v) for v in value if isinstance(v, str)]
        return ", ".join(names) or None
    if isinstance(value, dict):
        return _one_line(value.get("name"))
    return _one_line(value)


def _skip_reason(meta: dict[str, Any]) -> str | None:
    if str(meta.get("draft", "")).lower() == "true":
        return "draft"
    if str(meta.get("published", "")).lower() == "false":
        return "draft"
    return None


def _warn_template_syntax(
    body: str, first_line: int, source_path: str, report: Report, in_code: bool
) -> None:
    found = list(_template_tags(body, in_code))
    if not found:
        return
    line, tag = found[0]
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    report.warn(
        source_path,
        first_line + line - 1,
        f"template syntax {tag!r}{more} left as text: the guide prints it as written",
    )


def _template_tags(body: str, in_code: bool) -> Iterator[tuple[int, str]]:
    """Template tags the site would have run; inside code only if `in_code` (Jekyll's Liquid)."""
    code = [] if in_code else [(block.start(), block.end()) for block in CODE_RE.finditer(body)]
    for found in TEMPLATE_RE.finditer(body):
        if any(start <= found.start() < end for start, end in code):
            continue
        if ENGINE_LINK_RE.fullmatch(found.group(0)):
            continue  # a link to another post: the import resolves it, or says it cannot
        tag = " ".join(found.group(0).split())
        yield body.count("\n", 0, found.start()) + 1, tag[:60]
