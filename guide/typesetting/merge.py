"""Merge the PDFs of a book's parts into the one PDF the whole book would have made (pikepdf).

Pages in reading order; named destinations; the outline; links to other parts, made internal again;
the tag trees of every part under one Document element, numbered as WeasyPrint numbers them; one
font per face (`fontmerge`); the document's metadata, language and viewer settings from the first part.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from guide.typesetting.fontmerge import Subsetter, merge_fonts, subset_file
from guide.typesetting.parts import anchor_name

CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata")


class MergeError(RuntimeError):
    """The parts do not fit together (a link to an anchor no part has, an unknown font): a bug."""


@dataclass
class _OutlineItem:
    title: str
    page: int
    left: pikepdf.Object
    top: pikepdf.Object
    closed: bool
    children: list[_OutlineItem] = field(default_factory=list)


@dataclass
class _Merged:
    pdf: pikepdf.Pdf
    dests: dict[str, tuple[int, pikepdf.Object, pikepdf.Object]] = field(default_factory=dict)
    outline: list[_OutlineItem] = field(default_factory=list)
    trees: list[tuple[int, int, pikepdf.Object]] = field(default_factory=list)
    """(first page, page count, copied StructTreeRoot) per tagged part."""


def merge_parts(parts: Sequence[bytes], subset: Subsetter = subset_file) -> bytes:
    """Return one PDF holding every page of `parts` (PDF files, in reading order), linked and tagged.

    `subset` makes each face's program from its file and the glyphs the parts use (a cache may serve it).
    """
    sources = [pikepdf.open(io.BytesIO(data)) for data in parts]
    merged = _Merged(pikepdf.new())
    try:
        for source in sources:
            _append(merged, source)
        pdf = merged.pdf
        _write_dests(merged)
        _make_links_internal(merged)
        _write_outline(merged)
        _merge_tag_trees(merged)
        merge_fonts(pdf, subset)
        _copy_document_metadata(pdf, sources[0])
        out = io.BytesIO()
        pdf.save(
            out,
            min_version="1.7",
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return out.getvalue()
    finally:
        merged.pdf.close()
        for source in sources:
            source.close()


def _append(merged: _Merged, source: pikepdf.Pdf) -> None:
    pdf = merged.pdf
    first = len(pdf.pages)
    index_of = {page.obj.objgen: i for i, page in enumerate(source.pages)}
    names = source.Root.get("/Names")
    if names is not None and "/Dests" in names:
        flat = names.Dests.Names
        for i in range(0, len(flat), 2):
            target = flat[i + 1]
            merged.dests.setdefault(str(flat[i]), (first + index_of[target[0].objgen], target[2], target[3]))
    if "/Outlines" in source.Root:
        merged.outline += _outline_items(source.Root.Outlines, index_of, first)
    with warnings.catch_warnings():  # that extend() keeps no named destinations: _write_dests does
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        pdf.pages.extend(source.pages)
    if "/StructTreeRoot" in source.Root:  # copied after the pages: /Pg then points at the copies
        tree = pdf.copy_foreign(source.Root.StructTreeRoot)
        merged.trees.append((first, len(source.pages), tree))


def _outline_items(
    node: pikepdf.Object, index_of: dict[tuple[int, int], int], first: int
) -> list[_OutlineItem]:
    items = []
    item = node.get("/First")
    while item is not None:
        dest = item.Dest
        items.append(
            _OutlineItem(
                title=str(item.Title),
                page=first + index_of[dest[0].objgen],
                left=dest[2],
                top=dest[3],
                closed=int(item.get("/Count", 0)) < 0,
                children=_outline_items(item, index_of, first),
            )
        )
        item = item.get("/Next")
    return items


def _write_dests(merged: _Merged) -> None:
    """One flat, sorted name tree of every anchor, as WeasyPrint writes it."""
    pdf = merged.pdf
    flat = Array()
    for name in sorted(merged.dests):
        page, left, top = merged.dests[name]
        flat.append(String(name))
        flat.append(Array([pdf.pages[page].obj, Name.XYZ, left, top, 0]))
    if len(flat):
        pdf.Root.Names = Dictionary(Dests=Dictionary(Names=flat))


def _make_links_internal(merged: _Merged) -> None:
    """Turn each sentinel URI link into a link to its named destination."""
    for page in merged.pdf.pages:
        for annot in page.obj.get("/Annots", ()):
            action = annot.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            name = anchor_name(str(action.URI))
            if name is None:
                continue
            if name not in merged.dests:
                raise MergeError(f"a link points to #{name}, which no part of the book has")
            del annot["/A"]
            annot.Dest = String(name)
            if "/Contents" in annot:
                annot.Contents = String(name)


def _write_outline(merged: _Merged) -> None:
    if not merged.outline:
        return
    pdf = merged.pdf
    root = pdf.make_indirect(Dictionary())
    items, count = _outline_objects(pdf, merged.outline, root)
    root.Count = count
    root.First, root.Last = items[0], items[-1]
    pdf.Root.Outlines = root


def _outline_objects(
    pdf: pikepdf.Pdf, items: list[_OutlineItem], parent: pikepdf.Object
) -> tuple[list[pikepdf.Object], int]:
    """Write `items` under `parent`; return them and the count of open entries, as WeasyPrint counts."""
    objects: list[pikepdf.Object] = []
    count = len(items)
    for item in items:
        entry = pdf.make_indirect(
            Dictionary(
                Title=String(item.title),
                Dest=Array([pdf.pages[item.page].obj, Name.XYZ, item.left, item.top, 0]),
            )
        )
        children, child_count = _outline_objects(pdf, item.children, entry)
        entry.Count = -child_count if item.closed else child_count
        if not item.closed:
            count += child_count
        if objects:
            entry.Prev = objects[-1]
            objects[-1].Next = entry
        if children:
            entry.First, entry.Last = children[0], children[-1]
        entry.Parent = parent
        objects.append(entry)
    return objects, count


def _merge_tag_trees(merged: _Merged) -> None:
    """Put every part's tags under one Document element; key pages, then annotations, in book order."""
    if not merged.trees:
        return
    pdf = merged.pdf
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array(), P=root))
    root.K = Array([document])
    nums = Array()
    annotations: list[tuple[pikepdf.Object, pikepdf.Object]] = []
    for first, count, tree in merged.trees:
        old_document = tree.K[0].objgen
        for kid in tree.K[0].K:
            kid.P = document
            document.K.append(kid)
        _adopt_margin_elements(tree.ParentTree.Nums, old_document, document)
        by_key = {}
        for i in range(count):
            for annot in pdf.pages[first + i].obj.get("/Annots", ()):
                if "/StructParent" in annot:
                    by_key[int(annot.StructParent)] = annot
        old = tree.ParentTree.Nums
        for i in range(0, len(old), 2):
            key, value = int(old[i]), old[i + 1]
            if key < count:
                pdf.pages[first + key].obj.StructParents = first + key
                nums.extend(Array([first + key, value]))
            else:
                annotations.append((by_key[key], value))
    for key, (annot, value) in enumerate(annotations, start=len(pdf.pages)):
        annot.StructParent = key
        nums.extend(Array([key, value]))
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    pdf.Root.StructTreeRoot = root


def _adopt_margin_elements(nums: pikepdf.Object, old: tuple[int, int], document: pikepdf.Object) -> None:
    """Point the part's other children of its Document element (those of margin boxes) at the new one.

    WeasyPrint gives running heads and folios elements outside the tree, whose parent is the Document
    element: left pointing at a part's own, they would keep its whole old tree in the file.
    """
    seen: set[tuple[int, int]] = set()
    for i in range(1, len(nums), 2):
        values = nums[i]
        for element in values if isinstance(values, Array) else (values,):
            node = element
            while isinstance(node, Dictionary) and node.objgen not in seen and "/P" in node:
                seen.add(node.objgen)
                if node.P.objgen == old:
                    node.P = document
                    break
                node = node.P


def _copy_document_metadata(pdf: pikepdf.Pdf, first: pikepdf.Pdf) -> None:
    """Title, author, dates, language and XMP come from the first part: every part has the same head."""
    for key, value in first.docinfo.items():
        pdf.docinfo[key] = value
    for key in CATALOG_KEYS:
        if key in first.Root:
            value = first.Root[key]
            pdf.Root[key] = pdf.copy_foreign(value if value.is_indirect else first.make_indirect(value))
