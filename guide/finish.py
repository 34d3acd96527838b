"""Finish a written PDF: page labels and XMP metadata, applied to the final PDF bytes.

WeasyPrint cannot write page labels, and its XMP lacks the language and the date. Whatever
typeset the pages (one WeasyPrint run, or parts laid out apart and joined), this step runs last
on the bytes, so every typesetter gets the same finish. Output is deterministic: the same bytes
and the same `Finish` give the same PDF (pikepdf's /ID is derived from the content).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf

PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"


@dataclass(frozen=True)
class Finish:
    """What the finish adds to a PDF."""

    front_pages: int
    """Pages before the first chapter (cover, contents): labelled i, ii, ...; the rest 1, 2, ..."""
    title: str
    """The guide's title: dc:title."""
    authors: tuple[str, ...]
    """dc:creator, in order."""
    language: str
    """A BCP 47 tag: dc:language and the catalog's /Lang."""
    date: dt.datetime
    """When the guide was made (its `date`, else SOURCE_DATE_EPOCH, else the build time): dc:date."""


def finish_pdf(pdf: bytes, finish: Finish) -> bytes:
    """Return `pdf` with page labels and complete XMP metadata."""
    import pikepdf  # noqa: PLC0415 - loaded when a PDF is written, not when the command starts

    with pikepdf.open(io.BytesIO(pdf)) as document:
        label_pages(document, finish.front_pages)
        complete_metadata(document, finish)
        out = io.BytesIO()
        document.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def label_pages(document: pikepdf.Pdf, front_pages: int) -> None:
    """Label the front matter in lower-case roman numerals and the chapters onwards from 1.

    The printed numbers restart at 1 on the first chapter and run on through the back matter,
    so one arabic range from there matches what every page prints.
    """
    import pikepdf  # noqa: PLC0415

    nums: list[object] = []
    if front_pages > 0:
        nums += [0, pikepdf.Dictionary(S=pikepdf.Name.r)]
    if front_pages < len(document.pages):
        nums += [front_pages, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)]
    document.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(nums))


def complete_metadata(document: pikepdf.Pdf, finish: Finish) -> None:
    """Write dc:title, dc:creator, dc:language and dc:date; keep WeasyPrint's PDF/UA-1 identification."""
    import pikepdf  # noqa: PLC0415

    document.Root.Lang = pikepdf.String(finish.language)
    stamp = finish.date.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["dc:title"] = finish.title
        if finish.authors:  # a guide without an author names none, not an empty one
            meta["dc:creator"] = list(finish.authors)
        meta["dc:language"] = {finish.language}
        meta["dc:date"] = [stamp]
        meta["xmp:CreateDate"] = stamp
        meta["xmp:ModifyDate"] = stamp
        meta["xmp:MetadataDate"] = stamp
        if f"{{{PDFUA_NS}}}part" not in meta:
            meta[f"{{{PDFUA_NS}}}part"] = "1"
