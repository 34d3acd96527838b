"""One font per face in a merged PDF, its program subset once over the glyphs every part used.

Each part embeds its own subset of a face under the same resource name (WeasyPrint names a font by a
hash of its description, and keeps glyph ids when subsetting). Here the parts' fonts of one name
become one: the union of their widths and Unicode maps, and the face's full program, found among the
guide's fonts by its PostScript name, subset by `weasy.subset_font` as WeasyPrint subsets a whole book.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name

from guide.fonts import FACES
from guide.typesetting.weasy import subset_font

FIXED_PITCH = 1
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


@dataclass
class _Face:
    fonts: list[pikepdf.Object] = field(default_factory=list)
    mergeable: bool = True
    """False when a part lacks glyphs: WeasyPrint numbers those per document, so each part keeps its own."""
    widths: dict[int, pikepdf.Object] = field(default_factory=dict)
    unicode: dict[int, bytes] = field(default_factory=dict)


Subsetter = Callable[[Path, list[int], str], bytes]
"""(font file, glyph ids, family) -> the subset program."""


def subset_file(path: Path, glyphs: list[int], family: str) -> bytes:
    """Subset the font file at `path` to `glyphs` as WeasyPrint would."""
    return subset_font(path.read_bytes(), 0, glyphs, family)


def merge_fonts(pdf: pikepdf.Pdf, subset: Subsetter = subset_file) -> None:
    """Make every font resource of the same name point at one font, embedded once."""
    font_dicts = _font_resources(pdf)
    faces: dict[str, _Face] = {}
    seen: set[tuple[int, int]] = set()
    for fonts in font_dicts:
        for name, font in fonts.items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            _add(faces.setdefault(name, _Face()), font)
    canonical = {}
    for name, face in faces.items():
        merged = _merge_face(pdf, face, subset) if face.mergeable else None
        if merged is not None:
            canonical[name] = merged
    for fonts in font_dicts:
        for name in list(fonts.keys()):
            if name in canonical:
                fonts[name] = canonical[name]


def _font_resources(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    """Every /Font resource dictionary of the pages and of the forms they draw, once each."""
    found: dict[tuple[int, int], pikepdf.Object] = {}
    stack = [page.obj.get("/Resources") for page in pdf.pages]
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
            found[fonts.objgen if fonts.is_indirect else (id(fonts), -1)] = fonts
        for xobject in resources.get("/XObject", Dictionary()).values():
            stack.append(xobject.get("/Resources"))
        for pattern in resources.get("/Pattern", Dictionary()).values():
            stack.append(pattern.get("/Resources"))
    return list(found.values())


def _add(face: _Face, font: pikepdf.Object) -> None:
    face.fonts.append(font)
    if font.get("/Subtype") != Name.Type0 or font.get("/Encoding") != Name("/Identity-H"):
        face.mergeable = False  # a bitmap font, or one with glyphs it lacks (a CMap maps them to .notdef)
        return
    face.widths.update(_widths(font.DescendantFonts[0].W))
    for glyph, text in _BFCHAR.findall(font.ToUnicode.read_bytes()):
        face.unicode[int(glyph, 16)] = text


def _widths(array: pikepdf.Object) -> dict[int, pikepdf.Object]:
    """Read a /W array of the form WeasyPrint writes: first-id [w w w] first-id [w ...] ..."""
    widths = {}
    items = list(array)
    for i in range(0, len(items), 2):
        first = int(items[i])
        for offset, width in enumerate(items[i + 1]):
            widths[first + offset] = width
    return widths


def _merge_face(pdf: pikepdf.Pdf, face: _Face, subset: Subsetter) -> pikepdf.Object | None:
    """Rewrite the first of the face's fonts to cover every glyph used; return it.

    None when the face is not one of the guide's fonts (an author's @font-face): each part keeps its own.
    """
    font = face.fonts[0]
    if len(face.fonts) == 1:
        return font
    cid_font = font.DescendantFonts[0]
    descriptor = cid_font.FontDescriptor
    key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
    program_stream = descriptor[key]
    full_path = _face_file(program_stream.read_bytes())
    if full_path is None:
        return None
    program = subset(full_path, sorted(face.widths), str(descriptor.get("/FontFamily", "")))
    stream = pikepdf.Stream(pdf, program)
    for extra in ("/Subtype", "/Length1"):
        if extra in program_stream:
            stream[extra] = len(program) if extra == "/Length1" else program_stream[extra]
    descriptor[key] = pdf.make_indirect(stream)
    cid_font.W = _width_array(face.widths)
    widest = max((float(width) for width in face.widths.values()), default=0)
    bbox = descriptor.FontBBox
    descriptor.FontBBox = Array([bbox[0], bbox[1], _number(widest), bbox[3]])
    flags = int(descriptor.Flags) & ~FIXED_PITCH
    if len(face.widths) > 1 and len({float(w) for w in face.widths.values()}) == 1:
        flags |= FIXED_PITCH
    descriptor.Flags = flags
    font.ToUnicode = pdf.make_indirect(pikepdf.Stream(pdf, _to_unicode(face.unicode)))
    return font


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


@functools.cache
def _faces_by_name() -> dict[str, Path]:
    return {_postscript_name(face.path.read_bytes()): face.path for face in FACES}


def _postscript_name(program: bytes) -> str:
    font = TTFont(io.BytesIO(program), lazy=True)
    try:
        return str(font["name"].getDebugName(6))
    finally:
        font.close()
