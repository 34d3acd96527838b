"""Read a built PDF the way a reader's tools do: poppler's pdftotext and pypdf, never our code."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pdfplumber
from pypdf import PdfReader

LABEL_LINE = re.compile(r"^[A-Z]+ \d+$")
CONTENTS_LINE = re.compile(r"^\s*(?:(\d+)\s+)?(.+?)\s*\.{3,}\s*(\d+)\s*$")


BODY_SIZE = 10.5
"""The body text's size in points (styles/type.css)."""


@dataclass(frozen=True)
class Line:
    """One line of body text as pdfplumber reads it: its words' positions on the page."""

    page_index: int
    top: float
    words: tuple[tuple[str, float, float], ...]
    """(text, x0, x1) of each word, left to right."""

    @property
    def mean_word_space(self) -> float:
        """The mean gap between the line's words, in points."""
        gaps = [b[1] - a[2] for a, b in zip(self.words, self.words[1:], strict=False)]
        return sum(gaps) / len(gaps)


@dataclass(frozen=True)
class OutlineEntry:
    """One bookmark: its title, depth and the 0-based page it opens."""

    title: str
    level: int
    page_index: int


@dataclass(frozen=True)
class Link:
    """One link annotation on a page."""

    page_index: int
    uri: str | None
    destination: str | None


class ReadPdf:
    """A PDF opened with independent readers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reader = PdfReader(path)

    @cached_property
    def page_texts(self) -> list[str]:
        """The text of each page, as pdftotext lays it out."""
        if shutil.which("pdftotext") is None:
            raise RuntimeError("pdftotext (poppler-utils) is needed: run `make test`, which installs it")
        out = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", str(self.path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return out.replace("\u00a0", " ").split("\f")[: len(self.reader.pages)]

    @property
    def text(self) -> str:
        """The whole document's text."""
        return "\n".join(self.page_texts)

    def printed_number(self, page_index: int) -> str | None:
        """The page number printed in the page's footer, if it has one."""
        lines = [line.strip() for line in self.page_texts[page_index].splitlines() if line.strip()]
        return lines[-1] if lines and lines[-1].isdigit() else None

    def contents(self) -> list[tuple[str, str]]:
        """(title, printed page number) of each entry on the contents page."""
        index = next(i for i, t in enumerate(self.page_texts) if t.strip().startswith("Contents"))
        entries = []
        for line in self.page_texts[index].splitlines():
            found = CONTENTS_LINE.match(line)
            if found:
                entries.append((found.group(2).strip(), found.group(3)))
        return entries

    def page_starting(self, title: str) -> int:
        """The 0-based index of the page that opens the chapter (or section) titled `title`.

        A chapter opens with its label ("CHAPTER N", or the series' own "PART N") and its title,
        which may wrap; an unnumbered chapter and other sections open with their title.
        """
        for index, text in enumerate(self.page_texts):
            lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
            if not lines:
                continue
            labelled = LABEL_LINE.match(lines[0]) and " ".join(lines[1:5]).startswith(title)
            if labelled or lines[0] == title or " ".join(lines[:4]).startswith(title + " "):
                return index
        raise AssertionError(f"no page opens with {title!r}")

    def page_starting_label(self, label: str) -> int:
        """The 0-based index of the page whose first line is a chapter label such as "PART 3"."""
        for index, text in enumerate(self.page_texts):
            lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
            if lines and lines[0] == label:
                return index
        raise AssertionError(f"no page opens with {label!r}")

    @cached_property
    def body_lines(self) -> list[Line]:
        """Every line of body-size serif text, page by page, top to bottom (pdfplumber)."""
        lines: list[Line] = []
        with pdfplumber.open(self.path) as pdf:
            for index, page in enumerate(pdf.pages):
                words = page.extract_words(extra_attrs=["fontname", "size"])
                rows: dict[int, list[tuple[str, float, float]]] = {}
                for word in words:
                    if "Serif" in word["fontname"] and abs(word["size"] - BODY_SIZE) < 0.2:
                        rows.setdefault(round(word["top"]), []).append((word["text"], word["x0"], word["x1"]))
                for top, row in sorted(rows.items()):
                    lines.append(Line(index, top, tuple(sorted(row, key=lambda w: w[1]))))
        return lines

    def footnote_words(self, page_index: int) -> list[tuple[str, float]]:
        """(text, x0) of the small words in the lower part of a page, above its footer: the footnotes."""
        with pdfplumber.open(self.path) as pdf:
            page = pdf.pages[page_index]
            return [
                (w["text"], w["x0"])
                for w in page.extract_words(extra_attrs=["size"])
                if w["size"] < 9 and page.height * 0.5 < w["top"] < page.height - 60
            ]

    def rules(self, page_index: int) -> list[tuple[float, float, float]]:
        """(x0, x1, top) of the horizontal rules in the lower half of a page."""
        with pdfplumber.open(self.path) as pdf:
            page = pdf.pages[page_index]
            return [
                (e["x0"], e["x1"], e["top"])
                for e in page.edges
                if e["orientation"] == "h" and e["top"] > page.height * 0.5
            ]

    @cached_property
    def destinations(self) -> dict[str, int]:
        """Named destinations and the 0-based page each points at."""
        return {
            str(name): self.reader.get_destination_page_number(dest)
            for name, dest in self.reader.named_destinations.items()
        }

    def outline(self) -> list[OutlineEntry]:
        """The bookmarks, depth first."""
        entries: list[OutlineEntry] = []

        def walk(items: list[Any], level: int) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                else:
                    page = self.reader.get_destination_page_number(item)
                    entries.append(OutlineEntry(str(item.title).replace("\u00a0", " "), level, page))

        walk(self.reader.outline, 1)
        return entries

    def links(self) -> list[Link]:
        """Every link annotation, with its external URI or internal destination name."""
        found = []
        for index, page in enumerate(self.reader.pages):
            for reference in page.get("/Annots") or []:
                annotation = reference.get_object()
                if annotation.get("/Subtype") != "/Link":
                    continue
                action = annotation.get("/A") or {}
                dest = annotation.get("/Dest")
                found.append(Link(index, action.get("/URI"), str(dest) if dest is not None else None))
        return found

    def font_names(self) -> set[str]:
        """Base names of every font used, and whether each has its file embedded."""
        names = set()
        for page in self.reader.pages:
            fonts = (page.get("/Resources") or {}).get("/Font") or {}
            for font in fonts.values():
                names.add(str(font.get_object()["/BaseFont"]))
        return names

    def fonts_without_file(self) -> set[str]:
        """Fonts whose program is not embedded."""
        missing = set()
        for page in self.reader.pages:
            fonts = (page.get("/Resources") or {}).get("/Font") or {}
            for reference in fonts.values():
                font = reference.get_object()
                descriptor = font.get("/FontDescriptor")
                if descriptor is None and "/DescendantFonts" in font:
                    descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    missing.add(str(font["/BaseFont"]))
        return missing
