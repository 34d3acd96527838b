"""One font per face in a merged PDF, its program subset once over the glyphs every part used.

Each part embeds its own subset of a face under the same resource name (WeasyPrint names a font by a
hash of its description, and keeps glyph ids when subsetting). Here the parts' fonts of one name
become one: a copy of the first part's font with the union of their widths and Unicode maps, and the
face's full program, found among the guide's fonts by its PostScript name, subset by
`weasy.subset_font` as WeasyPrint subsets a whole book. The parts' own fonts are left as they were
(no longer used, they are not written), so a kept merge can take the parts apart again.
"""

from __future__ import annotations

import functools
import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name

from guide.fonts import FACES

FIXED_PITCH = 1
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


@dataclass(frozen=True)
class _Use:
    """One part's font of one resource name, read once when the part is copied into the book."""

    font: pikepdf.Object
    mergeable: bool
    """False for a bitmap font, or one with glyphs it lacks (a CMap maps them to .notdef):
    WeasyPrint numbers those per document, so each part keeps its own."""
    widths: dict[int, pikepdf.Object]
    unicode: dict[int, bytes]


@dataclass
class PartFonts:
    """The fonts one part's pages use, as the part was typeset (before any merge rewrote them)."""

    resources: list[tuple[pikepdf.Object, dict[str, pikepdf.Object]]] = field(default_factory=list)
    """Each /Font resource dictionary of the part, with the fonts it named originally."""
    uses: dict[str, list[_Use]] = field(default_factory=dict)
    """Resource name -> the part's distinct fonts of that name, in the order found."""


Subsetter = Callable[[Path, list[int], str], bytes]
"""(font file, glyph ids, family) -> the subset program."""


def subset_file(path: Path, glyphs: list[int], family: str) -> bytes:
    """Subset the font file at `path` to `glyphs` as WeasyPrint would."""
    from guide.typesetting.weasy import subset_font  # noqa: PLC0415 - WeasyPrint only for a new subset

    return subset_font(path.read_bytes(), 0, glyphs, family)


def read_fonts(pages: list[pikepdf.Object]) -> PartFonts:
    """Read the fonts of one part's pages (already copied into the book): widths, Unicode maps."""
    fonts = PartFonts()
    seen: set[tuple[int, int]] = set()
    for resources in _font_resources(pages):
        fonts.resources.append((resources, dict(resources.items())))
        for name, font in resources.items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            fonts.uses.setdefault(name, []).append(_read(font))
    return fonts


class FontMerger:
    """Makes every font resource of the same name point at one font, embedded once.

    Kept between merges of the same book, it makes a face's font again only when the glyphs the
    parts use changed; what it writes depends only on the parts, never on earlier merges.
    """

    def __init__(self, subset: Subsetter = subset_file) -> None:
        self.subset = subset
        self._made: dict[tuple[object, ...], pikepdf.Object] = {}
        self._files: dict[tuple[int, int], Path | None] = {}

    def merge(self, pdf: pikepdf.Pdf, parts: list[PartFonts]) -> None:
        """Point every part's font resources at the one font of their name."""
        faces: dict[str, list[_Use]] = {}
        for part in parts:
            for name, uses in part.uses.items():
                faces.setdefault(name, []).extend(uses)
        canonical: dict[str, pikepdf.Object] = {}
        made: dict[tuple[object, ...], pikepdf.Object] = {}
        for name, uses in faces.items():
            if not all(use.mergeable for use in uses):
                continue
            if len(uses) == 1:
                canonical[name] = uses[0].font
                continue
            merged = self._merged_face(pdf, uses, made)
            if merged is not None:
                canonical[name] = merged
        self._made = made
        for part in parts:
            for resources, original in part.resources:
                for name, font in original.items():
                    resources[name] = canonical.get(name, font)

    def _merged_face(
        self, pdf: pikepdf.Pdf, uses: list[_Use], made: dict[tuple[object, ...], pikepdf.Object]
    ) -> pikepdf.Object | None:
        """One font covering every glyph `uses` use, made from the first; None if not the guide's font."""
        widths: dict[int, pikepdf.Object] = {}
        unicode: dict[int, bytes] = {}
        for use in uses:
            widths.update(use.widths)
            unicode.update(use.unicode)
        first = uses[0].font
        key = (first.objgen, tuple(sorted(widths.items())), tuple(sorted(unicode.items())))
        if key in self._made:
            made[key] = self._made[key]
            return made[key]
        descriptor = first.DescendantFonts[0].FontDescriptor
        program_key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
        if first.objgen not in self._files:
            self._files[first.objgen] = _face_file(descriptor[program_key].read_bytes())
        full_path = self._files[first.objgen]
        if full_path is None:
            return None
        program = self.subset(full_path, sorted(widths), str(descriptor.get("/FontFamily", "")))
        made[key] = _merged_font(pdf, first, (program_key, program), widths, unicode)
        return made[key]


def _merged_font(
    pdf: pikepdf.Pdf,
    first: pikepdf.Object,
    embedded: tuple[str, bytes],
    widths: dict[int, pikepdf.Object],
    unicode: dict[int, bytes],
) -> pikepdf.Object:
    """A copy of the font `first` with `embedded` (key, subset program) and every glyph's width and text."""
    program_key, program = embedded
    cid_font = _copy(pdf, first.DescendantFonts[0])
    descriptor = _copy(pdf, cid_font.FontDescriptor)
    old_stream = descriptor[program_key]
    # Compressed once, when the face is made: a kept merge writes it many times, unchanged.
    stream = pikepdf.Stream(pdf, zlib.compress(program))
    stream.Filter = Name.FlateDecode
    for extra in ("/Subtype", "/Length1"):
        if extra in old_stream:
            stream[extra] = len(program) if extra == "/Length1" else old_stream[extra]
    descriptor[program_key] = pdf.make_indirect(stream)
    widest = max((float(width) for width in widths.values()), default=0)
    bbox = descriptor.FontBBox
    descriptor.FontBBox = Array([bbox[0], bbox[1], _number(widest), bbox[3]])
    flags = int(descriptor.Flags) & ~FIXED_PITCH
    if len(widths) > 1 and len({float(w) for w in widths.values()}) == 1:
        flags |= FIXED_PITCH
    descriptor.Flags = flags
    cid_font.FontDescriptor = descriptor
    cid_font.W = _width_array(widths)
    font = _copy(pdf, first)
    font.DescendantFonts = Array([cid_font])
    font.ToUnicode = pdf.make_indirect(pikepdf.Stream(pdf, _to_unicode(unicode)))
    return font


def _copy(pdf: pikepdf.Pdf, dictionary: pikepdf.Object) -> pikepdf.Object:
    """A new indirect dictionary with the same entries (the values shared, not copied)."""
    return pdf.make_indirect(Dictionary({key: value for key, value in dictionary.items()}))


def _font_resources(pages: list[pikepdf.Object]) -> list[pikepdf.Object]:
    """Every /Font resource dictionary of the pages and of the forms they draw, once each."""
    found: dict[tuple[int, int], pikepdf.Object] = {}
    stack = [page.get("/Resources") for page in reversed(pages)]
    visited: set[tuple[int, int]] = set()
    while stack:
        resources = stack.pop()
        if resources is None:
            continue
        if resources.is_indirect:
            if resources.objgen in visited:
                continue
            visited.add(resources.objgen)
        fonts = resources.get("/Font")
        if fonts is not None:
            found.setdefault(fonts.objgen if fonts.is_indirect else (id(fonts), -1), fonts)
        for xobject in reversed(list(resources.get("/XObject", Dictionary()).values())):
            stack.append(xobject.get("/Resources"))
        for pattern in reversed(list(resources.get("/Pattern", Dictionary()).values())):
            stack.append(pattern.get("/Resources"))
    return list(found.values())


def _read(font: pikepdf.Object) -> _Use:
    if font.get("/Subtype") != Name.Type0 or font.get("/Encoding") != Name("/Identity-H"):
        return _Use(font, False, {}, {})
    widths = _widths(font.DescendantFonts[0].W)
    unicode = {int(glyph, 16): text for glyph, text in _BFCHAR.findall(font.ToUnicode.read_bytes())}
    return _Use(font, True, widths, unicode)


def _widths(array: pikepdf.Object) -> dict[int, pikepdf.Object]:
    """Read a /W array of the form WeasyPrint writes: first-id [w w w] first-id [w ...] ..."""
    widths = {}
    items = list(array)
    for i in range(0, len(items), 2):
        first = int(items[i])
        for offset, width in enumerate(items[i + 1]):
            widths[first + offset] = width
    return widths


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _width_array(widths: dict[int, pikepdf.Object]) -> pikepdf.Object:
    array = Array()
    run = Array()
    previous = None
    for glyph in sorted(widths):
        if previous is None or glyph != previous + 1:
            run = Array()
            array.append(glyph)
            array.append(run)
        run.append(widths[glyph])
        previous = glyph
    return array


def _to_unicode(mapping: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap laid out as WeasyPrint writes one."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (glyph, text) for glyph, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _face_file(subset_program: bytes) -> Path | None:
    """The guide's font file a subset came from, found by PostScript name; None if it is not one."""
    return _faces_by_name().get(_postscript_name(subset_program))


def load_face_names() -> None:
    """Read the PostScript names of the guide's font files now (about 40 ms of CPU), which a merge
    needs to tell their subsets apart: the parent of the workers does it while it waits for them."""
    _faces_by_name()


@functools.cache
def _faces_by_name() -> dict[str, Path]:
    return {_postscript_name(face.path.read_bytes()): face.path for face in FACES}


def _postscript_name(program: bytes) -> str:
    font = TTFont(io.BytesIO(program), lazy=True)
    try:
        return str(font["name"].getDebugName(6))
    finally:
        font.close()
