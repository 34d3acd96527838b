"""Read back what two PDFs show and carry, to compare a parallel build with the one-document build.

Every function reads a PDF file with pypdf, pikepdf or poppler and returns plain values, so a test
compares them with `==` and a failure shows the first difference.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pikepdf
from pypdf import PdfReader
from pypdf.generic import Destination


def page_images(pdf: Path, dpi: int = 50) -> list[str]:
    """A digest of each page rendered by pdftoppm at `dpi`."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{folder}/p"], check=True)
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).iterdir())]


def outline(pdf: Path) -> list[tuple[int, str, int, float]]:
    """(depth, title, page index, top) of every bookmark, in order."""
    reader = PdfReader(pdf)

    def walk(items: list[Any], depth: int) -> list[tuple[int, str, int, float]]:
        found = []
        for item in items:
            if isinstance(item, list):
                found += walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item), _round(item.top)))
        return found

    return walk(reader.outline, 0)


def links(pdf: Path) -> list[tuple[int, tuple[float, ...], str, Any]]:
    """(page, rectangle, kind, target) of every link: internal targets as (page, top)."""
    reader = PdfReader(pdf)
    names = reader.named_destinations
    found = []
    for number, page in enumerate(reader.pages):
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            rect = tuple(_round(v) for v in annot["/Rect"])
            if "/Dest" in annot:
                dest = names[str(annot["/Dest"])]
                found.append(
                    (number, rect, "internal", (reader.get_destination_page_number(dest), _round(dest.top)))
                )
            else:
                found.append((number, rect, "external", str(annot["/A"]["/URI"])))
    return found


def named_destinations(pdf: Path) -> dict[str, tuple[int, float]]:
    """Each anchor's page index and top."""
    reader = PdfReader(pdf)
    return {
        name: (reader.get_destination_page_number(dest), _round(dest.top))
        for name, dest in reader.named_destinations.items()
        if isinstance(dest, Destination)
    }


def tags(pdf: Path) -> tuple[str, Any]:
    """The document language and the structure tree: each element's type, alt text and children."""
    with pikepdf.open(pdf) as doc:
        pages = {page.obj.objgen: i for i, page in enumerate(doc.pages)}

        def element(node: Any) -> Any:
            if isinstance(node, int):
                return "mcid"
            if not isinstance(node, pikepdf.Dictionary):
                return repr(node)
            if node.get("/Type") == "/OBJR":
                return ("OBJR", pages.get(node.Pg.objgen))
            kids = node.get("/K", pikepdf.Array())
            kids = kids if isinstance(kids, pikepdf.Array) else [kids]
            page = pages.get(node.Pg.objgen) if "/Pg" in node else None
            return (str(node.get("/S")), str(node.get("/Alt", "")), page, [element(kid) for kid in kids])

        return str(doc.Root.get("/Lang", "")), element(doc.Root.StructTreeRoot.K[0])


def fonts(pdf: Path) -> dict[str, tuple[int, str]]:
    """Each embedded font program by face name (without its subset tag): how many, and a digest."""
    found: dict[str, tuple[int, str]] = {}
    with pikepdf.open(pdf) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                program = obj.get("/FontFile3") or obj.get("/FontFile2")
                face = str(obj.FontName).split("+", 1)[-1]
                count, _ = found.get(face, (0, ""))
                digest = hashlib.sha256(program.read_bytes()).hexdigest() if program is not None else ""
                found[face] = (count + 1, digest)
    return found


def _round(value: Any) -> float:
    return round(float(value), 1)
