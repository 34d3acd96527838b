"""The markup blog engines write, rewritten to plain HTML the Markdown writer can keep.

Each function takes the parsed fragment and changes it in place:
highlighted code with line-number gutters (Octopress, Jekyll's Rouge and Pygments tables) becomes
one <pre><code class="language-x">; a list nested straight in a list moves into the item before
it; galleries become a grid; Word-style footnotes become the build's footnotes; scheme-less
`www.` links get https://; an image's title stands in for missing alt text.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from guide.importing.readers.embeds import LANGUAGE_RE, gallery_grid

GUTTER_CLASSES = {"gutter", "linenos", "lineno", "line-numbers", "rouge-gutter", "gl", "line-number"}
CODE_CELL_CLASSES = {"code", "rouge-code"}
WRAPPER_CLASSES = {"code", "highlight", "highlighter-rouge", "codehilite", "wp-block-code"}
LANGUAGE_CLASS_RE = re.compile(r"^(?:language|lang|highlight|source)-([\w+#.-]+)$")
NOT_LANGUAGES = {"code", "highlight", "highlighter-rouge", "line", "plaintext", "text", "none", "nohighlight"}
LISTS = ("ul", "ol")
FOOTNOTE_MARK_RE = re.compile(r"^\s*\[?\s*(\d+|[ivx]+|\*)\s*\]?\s*$")


def _classes(element: lxml.html.HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def _replace(old: lxml.html.HtmlElement, new: lxml.html.HtmlElement) -> None:
    parent = old.getparent()
    if parent is not None:
        new.tail = old.tail
        parent.replace(old, new)


def _replace_with_all(old: lxml.html.HtmlElement, news: list[lxml.html.HtmlElement]) -> None:
    """Put the elements `news` where `old` was, keeping the text that followed it."""
    parent = old.getparent()
    if parent is None or not news:
        return
    news[-1].tail = old.tail
    index = parent.index(old)
    parent.remove(old)
    for offset, new in enumerate(news):
        parent.insert(index + offset, new)


def unify_gutter_code(root: lxml.html.HtmlElement) -> int:
    """Turn each line-numbered code table into one code block; return how many."""
    count = 0
    for table in list(root.iter("table")):
        cells = [c for c in table.iter("td", "th")]
        gutter = next((c for c in cells if _classes(c) & GUTTER_CLASSES), None)
        code = next((c for c in cells if c is not gutter and c.find(".//pre") is not None), None)
        if gutter is None or code is None:
            continue
        pre = code.find(".//pre")
        assert pre is not None
        outer = _wrapper(table)
        language = _language([pre, *pre.iter("code"), *code.iterancestors()], outer)
        block = lxml.html.fromstring("<pre><code></code></pre>")
        block[0].text = _code_text(pre)
        if language:
            block[0].set("class", f"language-{language}")
        caption = outer.find("figcaption") if outer.tag == "figure" else None
        _replace(outer, block)
        if caption is not None and caption.text_content().strip():
            title = lxml.html.Element("p")
            etree.SubElement(title, "em").text = " ".join(caption.text_content().split())
            block.addprevious(title)
        count += 1
    return count


def _wrapper(table: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The outermost element that holds nothing but this code table (figure.code, div.highlight)."""
    outer = table
    for ancestor in table.iterancestors():
        if ancestor.tag not in ("figure", "div", "pre", "code") or ancestor.getparent() is None:
            break
        others = [c for c in ancestor if c is not outer and c.tag != "figcaption"]
        if others or (ancestor.text or "").strip():
            break
        outer = ancestor
    return outer


def _language(elements: list[lxml.html.HtmlElement], outer: lxml.html.HtmlElement) -> str:
    for element in [*elements, outer, *outer.iter("code")]:
        value = element.get("data-lang") or element.get("lang")
        if value and LANGUAGE_RE.match(value):
            return str(value).lower()
        for name in _classes(element):
            found = LANGUAGE_CLASS_RE.match(name)
            if found and found.group(1).lower() not in NOT_LANGUAGES:
                return found.group(1).lower()
    for code in outer.iter("code"):  # Octopress: <code class="ruby">
        bare = [n for n in _classes(code) if n.lower() not in NOT_LANGUAGES and LANGUAGE_RE.match(n)]
        if len(bare) == 1:
            return str(bare[0]).lower()
    return ""


def _code_text(pre: lxml.html.HtmlElement) -> str:
    """The code of a highlighted block: one line per `.line` element when lines are spans."""
    lines = [e for e in pre.iter() if "line" in _classes(e) and e is not pre]
    text = str(pre.text_content())
    if lines and "\n" not in text.strip("\n"):
        return "\n".join(line.text_content().rstrip("\n") for line in lines)
    return text.strip("\n")


def nest_stray_lists(root: lxml.html.HtmlElement) -> None:
    """Move a list written straight inside a list (classic WordPress) into the item before it."""
    for inner in list(root.iter(*LISTS)):
        parent = inner.getparent()
        if parent is None or parent.tag not in LISTS:
            continue
        previous = inner.getprevious()
        while previous is not None and previous.tag != "li":
            previous = previous.getprevious()
        if previous is None:
            item = lxml.html.Element("li")
            inner.addprevious(item)
            previous = item
        tail, inner.tail = inner.tail, None
        previous.append(inner)
        if tail and tail.strip():
            inner.tail = tail


def _gallery_columns(classes: set[str]) -> int | None:
    """The gallery's column count from its classes: block editor `columns-N`, classic `gallery-columns-N`."""
    for name in classes:
        prefix, _, number = name.rpartition("-")
        if prefix in ("columns", "gallery-columns") and number.isdigit():
            return int(number)
    return None


def gallery_grids(root: lxml.html.HtmlElement) -> int:
    """Block-editor and classic galleries as a grid of images; return how many."""
    count = 0
    for element in list(root.iter("figure", "div", "ul")):
        classes = _classes(element)
        is_gallery = "wp-block-gallery" in classes or "gallery" in classes or "tiled-gallery" in classes
        if not is_gallery or not _attached(element, root):
            continue
        images = [_gallery_item(image) for image in element.iter("img")]
        if len(images) < 2:
            continue
        caption = next(
            (c for c in element.iter("figcaption") if "blocks-gallery-caption" in _classes(c)), None
        )
        label = " ".join(caption.text_content().split()) if caption is not None else ""
        grid = lxml.html.fragment_fromstring(gallery_grid(images, _gallery_columns(classes), label), "div")
        _replace_with_all(element, list(grid))
        count += 1
    return count


def _attached(element: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> bool:
    return any(ancestor is root for ancestor in element.iterancestors())


def _gallery_item(image: lxml.html.HtmlElement) -> tuple[str, str, str]:
    """An image of a gallery: its address, alt text and the caption of its own figure or item."""
    holder = next((a for a in image.iterancestors() if a.tag in ("figure", "li", "dl")), None)
    caption = holder.find(".//figcaption") if holder is not None else None
    if caption is None and holder is not None:
        caption = holder.find(".//dd")
    text = " ".join(caption.text_content().split()) if caption is not None else ""
    return image.get("src") or "", image.get("alt") or image.get("title") or "", text


def word_footnotes(root: lxml.html.HtmlElement) -> int:
    """Word's and kramdown's numbered notes as the build's footnotes, each at its call; return how many."""
    order = {element: index for index, element in enumerate(root.iter())}
    named = {e.get("id") or e.get("name"): e for e in root.iter() if e.get("id") or e.get("name")}
    count = 0
    for link in list(root.iter("a")):
        href = link.get("href") or ""
        target = named.get(href[1:]) if href.startswith("#") else None
        if target is None or not FOOTNOTE_MARK_RE.match(link.text_content()) or not _attached(link, root):
            continue
        if order.get(target, -1) < order[link] or not _attached(target, root):
            continue  # a note comes after its call; a back-link points up
        note = _note_of(target, link)
        if note is None:
            continue
        span = lxml.html.Element("span", {"class": "footnote"})
        _move_content(note, span, skip=_back_links(note, link))
        call = link.getparent() if link.getparent() is not None and link.getparent().tag == "sup" else link
        _replace(call, span)
        container = note.getparent()
        remove_keeping_tail(note)
        _drop_if_empty(container)
        count += 1
    return count


def _note_of(target: lxml.html.HtmlElement, call: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The paragraph or list item holding a note, if it links back to its call."""
    call_ids = {call.get("id"), call.get("name")}
    sup = call.getparent()
    if sup is not None:
        call_ids |= {sup.get("id"), sup.get("name")}
    call_ids.discard(None)
    for holder in (target, *target.iterancestors()):
        if holder.tag in ("p", "li", "div") and holder.getparent() is not None:
            backs = [a for a in holder.iter("a") if (a.get("href") or "")[1:] in call_ids]
            return holder if backs else None
    return None


def _back_links(note: lxml.html.HtmlElement, call: lxml.html.HtmlElement) -> set[lxml.html.HtmlElement]:
    ids = {call.get("id"), call.get("name")}
    if call.getparent() is not None:
        ids |= {call.getparent().get("id"), call.getparent().get("name")}
    ids.discard(None)
    return {a for a in note.iter("a") if (a.get("href") or "")[1:] in ids}


def _move_content(
    note: lxml.html.HtmlElement, span: lxml.html.HtmlElement, skip: set[lxml.html.HtmlElement]
) -> None:
    """The note's text and inline markup, without its back-links and number, into `span`."""
    for back in skip:
        parent = back.getparent()
        lone_in_sup = parent is not None and parent.tag == "sup" and len(parent) == 1
        remove_keeping_tail(parent if lone_in_sup and not (parent.text or "").strip() else back)
    for paragraph in list(note.iter("p")) or [note]:
        if len(span) or (span.text or "").strip():
            _append_text(span, " ")
        _append_text(span, paragraph.text or "")
        for child in list(paragraph):
            if child.tag in ("ul", "ol", "p", "div"):
                continue
            span.append(child)
    span.text = (span.text or "").lstrip(" \u00a0.")
    if len(span):
        span[-1].tail = (span[-1].tail or "").rstrip()
    else:
        span.text = span.text.rstrip()


def _append_text(element: lxml.html.HtmlElement, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def remove_keeping_tail(element: etree._Element) -> None:
    """Remove an element but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _drop_if_empty(element: lxml.html.HtmlElement | None) -> None:
    while element is not None and element.getparent() is not None:
        if element.text_content().strip() or element.find(".//img") is not None:
            return
        parent = element.getparent()
        remove_keeping_tail(element)
        element = parent


def scheme_less_links(root: lxml.html.HtmlElement) -> None:
    """A link to `www.example.org` means https://www.example.org."""
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        if href.lower().startswith("www."):
            link.set("href", "https://" + href)


def titles_as_alt(root: lxml.html.HtmlElement) -> None:
    """An image with a title and no alt text is described by its title."""
    for image in root.iter("img"):
        title = " ".join((image.get("title") or "").split())
        if title and not (image.get("alt") or "").strip():
            image.set("alt", title)
