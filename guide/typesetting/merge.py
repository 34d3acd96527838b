"""Merge the PDFs of a book's parts into the one PDF the whole book would have made (pikepdf).

Pages in reading order; named destinations; the outline; links to other parts, made internal again;
the tag trees of every part under one Document element, numbered as WeasyPrint numbers them; one
font per face (`fontmerge`); the document's metadata, language and viewer settings from the first
part; then the finish (`guide.finish`: page labels, complete XMP) before the one save.

A `BookMerger` kept between builds (`guide watch`) keeps the merged document in memory and copies in
only the parts whose bytes changed; everything that depends on where a part sits (page numbers of
destinations, the outline, the tag tree's numbering, the fonts) is made again from what each part
holds. The bytes written depend on the parts alone, never on what was merged before.

What is written is a copy of the merged document, made part by part in reading order (see
`_Written`): while a kept merger waits for an edited part, it copies the parts before it already.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from guide.finish import Finish, complete_metadata, label_pages
from guide.typesetting.fontmerge import FontMerger, PartFonts, Subsetter, read_fonts, subset_file
from guide.typesetting.parts import anchor_name

CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata")
REBUILT_KEYS = ("/Names", "/Outlines", "/StructTreeRoot", "/PageLabels", *CATALOG_KEYS)
"""The catalog's entries each merge writes afresh."""
STALE_PAGES = 2.0
"""Start the kept document afresh once it holds this many times the book's pages in parts taken out:
what a merge drops stays in memory until then (and is never written)."""


class MergeError(RuntimeError):
    """The parts do not fit together (a link to an anchor no part has, an unknown font): a bug."""


@dataclass
class _OutlineItem:
    title: str
    page: int
    """0-based, within its part."""
    left: Any
    top: Any
    closed: bool
    children: list[_OutlineItem] = field(default_factory=list)


@dataclass
class _Part:
    """One part copied into the merged document, and what the merge needs of it, read once."""

    digest: bytes
    pages: list[pikepdf.Object]
    dests: list[tuple[str, int, Any, Any]] = field(default_factory=list)
    """Named destinations: name, 0-based page within the part, left, top."""
    outline: list[_OutlineItem] = field(default_factory=list)
    kids: list[pikepdf.Object] = field(default_factory=list)
    """The elements under the part's Document element, now children of the book's."""
    page_keys: list[tuple[int, pikepdf.Object]] = field(default_factory=list)
    """The parent tree's page entries: 0-based page within the part, marked-content elements."""
    annotations: list[tuple[pikepdf.Object, pikepdf.Object]] = field(default_factory=list)
    """The parent tree's annotation entries, in the part's order: annotation, its element."""
    links: list[str] = field(default_factory=list)
    """The anchors of other parts its links point to."""
    fonts: PartFonts = field(default_factory=PartFonts)
    tagged: bool = False


def merge_parts(
    parts: Sequence[bytes], subset: Subsetter = subset_file, finish: Finish | None = None
) -> bytes:
    """Return one PDF holding every page of `parts` (PDF files, in reading order), linked and tagged.

    `subset` makes each face's program from its file and the glyphs the parts use (a cache may serve
    it); `finish`, if given, is applied before the PDF is written (see `guide.finish`).
    """
    merger = BookMerger(subset)
    try:
        return merger.merge(parts, finish)
    finally:
        merger.close()


class BookMerger:
    """The merged book, kept in memory between merges; `merge` copies in only the parts that changed."""

    def __init__(self, subset: Subsetter = subset_file) -> None:
        self.subset = subset
        self._pdf: pikepdf.Pdf | None = None
        self._parts: list[_Part] = []
        self._dropped = 0
        """Pages taken out since the document was started."""
        self._assembled = False
        """Whether the parts held were assembled (fonts merged, tags numbered) by the last merge."""
        self._ahead: _Written | None = None
        """The next written copy, holding the parts before the one a merge waits for (see `hold`)."""
        self._spent: list[pikepdf.Pdf] = []
        """Copies written already, let go while the next build waits for its parts (freeing 30,000
        objects takes a while)."""

    def close(self) -> None:
        """Forget the kept document; the next merge starts afresh."""
        self._drop_ahead()
        self.let_go()
        if self._pdf is not None:
            self._pdf.close()
        self._pdf = None
        self._parts = []
        self._dropped = 0
        self._assembled = False

    def let_go(self) -> None:
        """Free the copies written before (a merge does it first if nothing did since)."""
        for spent in self._spent:
            spent.close()
        self._spent = []

    def _drop_ahead(self) -> None:
        if self._ahead is not None:
            self._spent.append(self._ahead.pdf)
            self._ahead = None

    def merge(self, parts: Sequence[bytes], finish: Finish | None = None) -> bytes:
        """The merged PDF of `parts` (PDF files, in reading order), finished with `finish` if given."""
        self.let_go()
        if self._pdf is None or self._stale():
            self._start()
        try:
            self._update(parts)
            return self._write(parts, finish)
        except BaseException:
            self.close()  # never merge into a document left half-changed
            raise

    def hold(
        self, parts: Sequence[bytes | None], finish: Finish | None = None, *, assemble: bool = False
    ) -> None:
        """Copy in the parts here (None for each part not here yet), without writing: the next merge
        copies only what changed.

        A merger that assembled the book before also copies the parts before the first one missing
        into the next written copy, as a merge would (guessing that the book keeps its page count;
        the merge checks that nothing they hold changed, else copies them again). With `assemble`,
        `parts` are the whole book and everything a merge makes of them besides the file
        (destinations, outline, tags, one font per face, `finish`) is made too: what the next merge
        of an edit makes afresh only where it changed (a font whose glyphs changed, the first part's
        metadata if that part changed), so it costs what every later one costs.
        """
        self.let_go()
        if self._pdf is None or self._stale():
            self._start()
        try:
            pages = sum(len(part.pages) for part in self._parts)
            self._update([part for part in parts if part is not None])
            if assemble:
                self._assemble([part for part in parts if part is not None], finish)
            elif self._assembled:
                leading = next((i for i, part in enumerate(parts) if part is None), len(parts))
                self._drop_ahead()
                if leading > 0:
                    self._ahead = _Written.ahead(self, self._parts[:leading], pages)
        except BaseException:
            self.close()
            raise

    def _stale(self) -> bool:
        return self._dropped > STALE_PAGES * max(1, sum(len(p.pages) for p in self._parts))

    def _start(self) -> None:
        self.close()
        pdf = self._pdf = pikepdf.new()
        self._fonts = FontMerger(self.subset)
        self._tree_root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self._document = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Document, K=Array(), P=self._tree_root)
        )
        self._tree_root.K = Array([self._document])
        self._parent_tree = pdf.make_indirect(Dictionary(Nums=Array()))
        self._names = pdf.make_indirect(Dictionary())
        self._outline_pool: list[pikepdf.Object] = []
        self._finished: dict[tuple[bytes, str], dict[str, pikepdf.Object]] = {}

    @property
    def pdf(self) -> pikepdf.Pdf:
        assert self._pdf is not None
        return self._pdf

    def _update(self, parts: Sequence[bytes]) -> None:
        """Take out the parts no longer in the book and copy in the new ones, in reading order."""
        digests = [hashlib.sha256(data).digest() for data in parts]
        old = [part.digest for part in self._parts]
        matcher = difflib.SequenceMatcher(a=old, b=digests, autojunk=False)
        kept: dict[int, _Part] = {}
        for block in matcher.get_matching_blocks():
            for offset in range(block.size):
                kept[block.b + offset] = self._parts[block.a + offset]
        kept_ids = {id(part) for part in kept.values()}
        first = 0
        spans = []
        for part in self._parts:
            spans.append((first, part))
            first += len(part.pages)
        for first, part in reversed(spans):
            if id(part) not in kept_ids:
                del self.pdf.pages[first : first + len(part.pages)]
                self._dropped += len(part.pages)
        merged: list[_Part] = []
        first = 0
        for index, data in enumerate(parts):
            part = kept.get(index) or self._copy_in(data, digests[index], first)
            merged.append(part)
            first += len(part.pages)
        self._parts = merged

    def _copy_in(self, data: bytes, digest: bytes, first: int) -> _Part:
        """Copy one part's pages to `first` and its tags, reading what the merge needs of it."""
        pdf = self.pdf
        with pikepdf.open(io.BytesIO(data)) as source:
            index_of = {page.obj.objgen: i for i, page in enumerate(source.pages)}
            part = _Part(digest, [])
            names = source.Root.get("/Names")
            if names is not None and "/Dests" in names:
                flat = names.Dests.Names
                for i in range(0, len(flat), 2):
                    target = flat[i + 1]
                    part.dests.append((str(flat[i]), index_of[target[0].objgen], target[2], target[3]))
            if "/Outlines" in source.Root:
                part.outline = _outline_items(source.Root.Outlines, index_of)
            with warnings.catch_warnings():  # those copies keep no named destinations: _write_dests does
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                if first == len(pdf.pages):
                    pdf.pages.extend(source.pages)
                else:
                    for offset, page in enumerate(source.pages):
                        pdf.pages.insert(first + offset, page)
            part.pages = [pdf.pages[first + i].obj for i in range(len(source.pages))]
            if "/StructTreeRoot" in source.Root:  # copied after the pages: /Pg then points at the copies
                self._read_tags(part, pdf.copy_foreign(source.Root.StructTreeRoot))
        part.links = _make_links_internal(part.pages)
        part.fonts = read_fonts(part.pages)
        return part

    def _read_tags(self, part: _Part, tree: pikepdf.Object) -> None:
        """Hang the part's elements under the book's Document element; read its parent tree."""
        part.tagged = True
        old_document = tree.K[0].objgen
        for kid in tree.K[0].K:
            kid.P = self._document
            part.kids.append(kid)
        _adopt_margin_elements(tree.ParentTree.Nums, old_document, self._document)
        by_key = {}
        for page in part.pages:
            for annot in page.get("/Annots", ()):
                if "/StructParent" in annot:
                    by_key[int(annot.StructParent)] = annot
        old = tree.ParentTree.Nums
        count = len(part.pages)
        for i in range(0, len(old), 2):
            key, value = int(old[i]), old[i + 1]
            if key < count:
                part.page_keys.append((key, value))
            else:
                part.annotations.append((by_key[key], value))

    def _write(self, parts: Sequence[bytes], finish: Finish | None) -> bytes:
        self._assemble(parts, finish)
        written, self._ahead = self._ahead, None
        if written is None or not written.fits(self):
            if written is not None:
                self._spent.append(written.pdf)
            written = _Written(pikepdf.new())
        self._spent.append(written.pdf)  # freed later: the bytes are what the build waits for
        written.copy_parts(self, self._parts[len(written.parts) :])
        written.copy_catalog(self)
        return written.saved()

    def _assemble(self, parts: Sequence[bytes], finish: Finish | None) -> None:
        """Make the catalog's entries, the tags' numbering and the fonts of the parts held."""
        pdf = self.pdf
        for key in REBUILT_KEYS:
            if key in pdf.Root:
                del pdf.Root[key]
        dests = self._write_dests()
        for part in self._parts:
            for name in part.links:
                if name not in dests:
                    raise MergeError(f"a link points to #{name}, which no part of the book has")
        self._write_outline()
        self._merge_tag_trees()
        self._fonts.merge(pdf, [part.fonts for part in self._parts])
        self._finish(parts, finish)
        self._assembled = True

    def _write_dests(self) -> set[str]:
        """One flat, sorted name tree of every anchor, as WeasyPrint writes it (the first part's wins)."""
        dests: dict[str, tuple[pikepdf.Object, Any, Any]] = {}
        for part in self._parts:
            for name, page, left, top in part.dests:
                dests.setdefault(name, (part.pages[page], left, top))
        flat: list[object] = []  # one Array made at the end: appending item by item is slower
        for name in sorted(dests):
            page_object, left, top = dests[name]
            flat.append(String(name))
            flat.append(Array([page_object, Name.XYZ, left, top, 0]))
        if flat:
            self._names.Dests = Dictionary(Names=Array(flat))
            self.pdf.Root.Names = self._names
        return set(dests)

    def _write_outline(self) -> None:
        items = [(part, item) for part in self._parts for item in part.outline]
        if not items:
            return
        pool = iter(self._outline_pool)
        used: list[pikepdf.Object] = []

        def entry() -> pikepdf.Object:
            """An outline entry, emptied: entries are reused so that a kept document does not grow."""
            found = next(pool, None)
            if found is None:
                found = self.pdf.make_indirect(Dictionary())
            for key in list(found.keys()):
                del found[key]
            used.append(found)
            return found

        root = entry()
        objects, count = _outline_objects(items, root, entry)
        root.Count = count
        root.First, root.Last = objects[0], objects[-1]
        self.pdf.Root.Outlines = root
        self._outline_pool = used + list(pool)

    def _merge_tag_trees(self) -> None:
        """Put every part's tags under one Document element; key pages, then annotations, in book order."""
        if not any(part.tagged for part in self._parts):
            return
        pages = sum(len(part.pages) for part in self._parts)
        _number_tags(self._parts, pages)
        nums: list[object] = []  # Arrays made at the end: appending item by item is slower
        kids: list[pikepdf.Object] = []
        annotations: list[object] = []
        first = 0
        for part in self._parts:
            kids += part.kids
            for key, value in part.page_keys:
                nums += (first + key, value)
            for _, value in part.annotations:
                annotations += (pages + len(annotations) // 2, value)
            first += len(part.pages)
        self._document.K = Array(kids)
        self._parent_tree.Nums = Array(nums + annotations)
        self._tree_root.ParentTree = self._parent_tree
        self.pdf.Root.StructTreeRoot = self._tree_root

    def _finish(self, parts: Sequence[bytes], finish: Finish | None) -> None:
        """The first part's metadata, finished; made once per first part and finish, then kept."""
        pdf = self.pdf
        if finish is not None:
            label_pages(pdf, finish.front_pages)
        key = (self._parts[0].digest if self._parts else b"", repr(finish))
        entries = self._finished.get(key)
        if entries is None:
            entries = self._finished_metadata(parts[0] if parts else None, finish)
            self._finished = {key: entries}
        for name, value in entries.items():
            if name == "/Info":
                pdf.trailer.Info = value
            else:
                pdf.Root[name] = value

    def _finished_metadata(self, first: bytes | None, finish: Finish | None) -> dict[str, pikepdf.Object]:
        """Title, author, dates, language and XMP from the first part (every part has the same head)."""
        pdf = self.pdf
        pdf.trailer.Info = pdf.make_indirect(Dictionary())
        if first is not None:
            with pikepdf.open(io.BytesIO(first)) as source:
                for key, value in source.docinfo.items():
                    pdf.docinfo[key] = value
                for key in CATALOG_KEYS:
                    if key in source.Root:
                        value = source.Root[key]
                        indirect = value if value.is_indirect else source.make_indirect(value)
                        pdf.Root[key] = pdf.copy_foreign(indirect)
        if finish is not None:
            complete_metadata(pdf, finish)
        entries = {key: pdf.Root[key] for key in CATALOG_KEYS if key in pdf.Root}
        entries["/Info"] = pdf.trailer.Info
        return entries


class _Written:
    """The copy of the merged document that is written, made in an order that depends on it alone.

    qpdf numbers the objects of an object stream in the order they were made, which differs between
    a kept document and a fresh one. So what is written is a copy, whose objects qpdf makes as it
    meets them: each part's pages, then its tags, in reading order; then the catalog's entries. A
    kept merger waiting for an edited part copies the parts before it ahead (`ahead`); the merge
    goes on from there if they still hold what they held then (`fits`), else starts again.
    """

    def __init__(self, pdf: pikepdf.Pdf, pages: int = 0, fonts: tuple[object, ...] = ()) -> None:
        self.pdf = pdf
        self.parts: list[_Part] = []
        """The parts copied, the book's first ones."""
        self.pages = pages
        """The book's page count the copied parts' annotations were keyed for (see `_number_tags`)."""
        self.fonts = fonts
        """The fonts the copied parts' resources named (see `_fonts_named`)."""

    @classmethod
    def ahead(cls, merger: BookMerger, parts: list[_Part], pages: int) -> _Written:
        """A copy of the book's first `parts`, tagged as in a book of `pages` pages."""
        _number_tags(parts, pages)
        written = cls(pikepdf.new(), pages, _fonts_named(parts))
        written.copy_parts(merger, parts)
        return written

    def fits(self, merger: BookMerger) -> bool:
        """Whether the parts copied are still the book's first ones, keyed and drawn as they were."""
        held = merger._parts[: len(self.parts)]
        return (
            len(held) == len(self.parts)
            and all(part is copied for part, copied in zip(held, self.parts, strict=True))
            and sum(len(part.pages) for part in merger._parts) == self.pages
            and _fonts_named(self.parts) == self.fonts
        )

    def copy_parts(self, merger: BookMerger, parts: list[_Part]) -> None:
        """Copy each part's pages, then its elements, in reading order.

        The Document element's kids and parent are taken off meanwhile: through an element's parent,
        copying one would copy the whole tree. `copy_catalog` gives the copy its kids and parent.
        """
        document = merger._document
        links = {key: document[key] for key in ("/K", "/P") if key in document}
        for key in links:
            del document[key]
        try:
            with warnings.catch_warnings():  # those copies keep no named destinations: the catalog's do
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                for part in parts:
                    self.pdf.pages.extend([pikepdf.Page(page) for page in part.pages])
                    for kid in part.kids:
                        self.pdf.copy_foreign(kid)
                    self.parts.append(part)
        finally:
            for key, value in links.items():
                document[key] = value

    def copy_catalog(self, merger: BookMerger) -> None:
        """Copy the catalog's entries (in the order of their keys) and the document information."""
        pdf, copy = merger.pdf, self.pdf
        for key in sorted(pdf.Root.keys()):
            if key in ("/Pages", "/Type"):
                continue
            value = pdf.Root[key]
            if isinstance(value, (String, Name)):
                copy.Root[key] = value  # a direct value stays one (/Lang)
            else:
                copy.Root[key] = copy.copy_foreign(value if value.is_indirect else pdf.make_indirect(value))
        if "/StructTreeRoot" in pdf.Root:
            document = copy.copy_foreign(merger._document)
            document.K = Array([copy.copy_foreign(kid) for kid in merger._document.K])
            document.P = copy.copy_foreign(merger._tree_root)
        if "/Info" in pdf.trailer:
            copy.trailer.Info = copy.copy_foreign(pdf.trailer.Info)

    def saved(self) -> bytes:
        """The copy's bytes."""
        out = io.BytesIO()
        self.pdf.save(
            out,
            min_version="1.7",
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return out.getvalue()


def _number_tags(parts: Sequence[_Part], pages: int) -> None:
    """Key the pages and annotations of `parts` (the book's first ones) in the parent tree as WeasyPrint
    does: the pages from 0 in reading order, then the annotations from `pages`, the book's page count."""
    first, key = 0, pages
    for part in parts:
        for page_key, _ in part.page_keys:
            page = part.pages[page_key]
            if page.get("/StructParents") != first + page_key:
                page.StructParents = first + page_key
        for annot, _ in part.annotations:
            if annot.get("/StructParent") != key:
                annot.StructParent = key
            key += 1
        first += len(part.pages)


def _fonts_named(parts: Sequence[_Part]) -> tuple[object, ...]:
    """The font each font resource of `parts` names now (a merge points them at the book's fonts)."""
    return tuple(
        resources[name].objgen
        for part in parts
        for resources, original in part.fonts.resources
        for name in original
    )


def _outline_items(node: pikepdf.Object, index_of: dict[tuple[int, int], int]) -> list[_OutlineItem]:
    items = []
    item = node.get("/First")
    while item is not None:
        dest = item.Dest
        items.append(
            _OutlineItem(
                title=str(item.Title),
                page=index_of[dest[0].objgen],
                left=dest[2],
                top=dest[3],
                closed=int(item.get("/Count", 0)) < 0,
                children=_outline_items(item, index_of),
            )
        )
        item = item.get("/Next")
    return items


def _make_links_internal(pages: list[pikepdf.Object]) -> list[str]:
    """Turn each sentinel URI link into a link to its named destination; return those names."""
    names = []
    for page in pages:
        for annot in page.get("/Annots", ()):
            action = annot.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            name = anchor_name(str(action.URI))
            if name is None:
                continue
            names.append(name)
            del annot["/A"]
            annot.Dest = String(name)
            if "/Contents" in annot:
                annot.Contents = String(name)
    return names


def _outline_objects(
    items: Sequence[tuple[_Part, _OutlineItem]], parent: pikepdf.Object, entry: Any
) -> tuple[list[pikepdf.Object], int]:
    """Write `items` under `parent`; return them and the count of open entries, as WeasyPrint counts."""
    objects: list[pikepdf.Object] = []
    count = len(items)
    for part, item in items:
        made = entry()
        made.Title = String(item.title)
        made.Dest = Array([part.pages[item.page], Name.XYZ, item.left, item.top, 0])
        children, child_count = _outline_objects([(part, child) for child in item.children], made, entry)
        made.Count = -child_count if item.closed else child_count
        if not item.closed:
            count += child_count
        if objects:
            made.Prev = objects[-1]
            objects[-1].Next = made
        if children:
            made.First, made.Last = children[0], children[-1]
        made.Parent = parent
        objects.append(made)
    return objects, count


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
