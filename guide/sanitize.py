"""Keep a post's HTML to what an article needs: nh3 cleans it, and every removal is a warning."""

from __future__ import annotations

import re

import lxml.html
import nh3

from guide.errors import Diagnostic, GuideError, Report
from guide.limits import MAX_HTML_NESTING
from guide.positions import SOURCE_LINE, SOURCE_PATH, element_line

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "u", "ul", "var",
}  # fmt: skip
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "form", "svg", "math", "template"}
COMMON_ATTRIBUTES = {"id", "class", "title", "lang", "dir", "style", SOURCE_LINE, SOURCE_PATH}
ATTRIBUTES = {
    "*": COMMON_ATTRIBUTES,
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "abbr": {"title"},
    "col": {"span"},
    "colgroup": {"span"},
}
STYLE_PROPERTIES = {
    "color", "background-color", "text-align", "font-style", "font-weight", "text-decoration",
    "vertical-align", "text-transform", "font-variant",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto", "data", "file"}
MAX_DEPTH = MAX_HTML_NESTING
URL_IN_STYLE = re.compile(r"url\s*\(|expression\s*\(|@import", re.IGNORECASE)


def sanitize_html(html: str, source_path: str, report: Report) -> str:
    """Return `html` cleaned for print, warning once for each thing removed, at the element's line."""
    if not html.strip():
        return html
    _warn_removals(html, source_path, report)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        filter_style_properties=STYLE_PROPERTIES,
        strip_comments=True,
    )


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "style" and URL_IN_STYLE.search(value):
        return None
    return value


def _warn_removals(html: str, source_path: str, report: Report) -> None:
    """Name each element, event handler and style url() the sanitizer is about to drop."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    _check_depth(root, source_path)
    seen: set[str] = set()
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else None
        if tag is None or element is root:
            continue
        where = element_line(element)
        if tag not in ALLOWED_TAGS:
            _warn_once(report, seen, source_path, where, f"removed <{tag}> element")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                _warn_once(report, seen, source_path, where, f"removed event handler '{name}' on <{tag}>")
            elif name == "style" and URL_IN_STYLE.search(value):
                _warn_once(
                    report, seen, source_path, where, f"removed a style attribute with url() on <{tag}>"
                )


def _check_depth(root: lxml.html.HtmlElement, source_path: str) -> None:
    """Refuse markup nested deeper than any article needs, before layout recurses into it."""
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise GuideError(
                Diagnostic(source_path, None, f"HTML nested over {MAX_DEPTH} levels deep; flatten the markup")
            )
        stack.extend((child, depth + 1) for child in element)


def _warn_once(report: Report, seen: set[str], source_path: str, line: int | None, message: str) -> None:
    key = f"{line}:{message}"
    if key not in seen:
        seen.add(key)
        report.warn(source_path, line, message)
