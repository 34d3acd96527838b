"""Golden pages: the sample's PDF rendered to PNG for review by eye, and compared with reviewed thumbnails.

`make golden` builds the sample (chapters/, as `make pdf` does) and renders every page with
`pdftoppm` into build/golden/pages/ (not committed), with a contact sheet build/golden/sheet.png.
Each page is also reduced to a small grey thumbnail, stored as text in tests/golden/pages.txt (one
line a page, committed): the run reports each page whose thumbnail moved from the reviewed one and
draws build/golden/changed.png, the reviewed thumbnail beside the new page for each. Review the
PNGs, then commit the new pages.txt with the change that moved them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from guide import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).resolve().parent / "golden" / "pages.txt"
OUT = ROOT / "build" / "golden"
DPI = 50
THUMB = (30, 42)
"""Thumbnail size in pixels: an A5 page at about 5 dpi, enough to see blocks of text move."""
LEVELS = 16
"""Grey levels kept per thumbnail pixel: one hexadecimal digit."""
CHANGED = 2
"""Grey levels one thumbnail pixel must move for its page to count as changed (1 may be rounding)."""
EPOCH = "1717200000"
"""The Makefile's SOURCE_DATE_EPOCH."""


def render_pages(pdf: Path, folder: Path) -> list[Path]:
    """Render each page of `pdf` to folder/page-NN.png with pdftoppm; return the files in page order."""
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm (poppler-utils) is needed: run `make sysdeps`")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def thumbnail(page: Path) -> str:
    """The page as one line of hexadecimal grey levels, THUMB in size."""
    with Image.open(page) as image:
        small = image.convert("L").resize(THUMB, Image.Resampling.BOX)
    return "".join(f"{value * LEVELS // 256:x}" for value in small.getdata())


def from_thumbnail(line: str) -> Image.Image:
    """The reviewed thumbnail back as an image."""
    image = Image.new("L", THUMB)
    image.putdata([int(digit, 16) * 255 // (LEVELS - 1) for digit in line])
    return image


def difference(old: str, new: str) -> float:
    """The share of thumbnail pixels that moved by CHANGED grey levels or more (1.0 when sizes differ)."""
    if len(old) != len(new) or not old:
        return 1.0
    moved = sum(1 for a, b in zip(old, new, strict=True) if abs(int(a, 16) - int(b, 16)) >= CHANGED)
    return moved / len(old)


def contact_sheet(images: list[Image.Image], columns: int) -> Image.Image:
    """The images side by side, `columns` to a row, on grey."""
    width, height = max(i.width for i in images), max(i.height for i in images)
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * (width + 6), rows * (height + 6)), "#888")
    for index, image in enumerate(images):
        sheet.paste(image, ((index % columns) * (width + 6), (index // columns) * (height + 6)))
    return sheet


def compare(pages: list[Path], reviewed: list[str]) -> list[tuple[int, float]]:
    """The pages (1-based) whose thumbnails moved from the reviewed ones, with how much."""
    current = [thumbnail(page) for page in pages]
    changed = []
    for number in range(1, max(len(current), len(reviewed)) + 1):
        old = reviewed[number - 1] if number <= len(reviewed) else ""
        new = current[number - 1] if number <= len(current) else ""
        share = difference(old, new)
        if share > 0:
            changed.append((number, share))
    return changed


def changed_sheet(pages: list[Path], reviewed: list[str], changed: list[tuple[int, float]]) -> Image.Image:
    """For each changed page: the reviewed thumbnail, enlarged, beside the new page."""
    pairs: list[Image.Image] = []
    for number, share in changed:
        new = Image.open(pages[number - 1]).convert("RGB") if number <= len(pages) else None
        size = new.size if new else (THUMB[0] * 10, THUMB[1] * 10)
        old = (
            from_thumbnail(reviewed[number - 1]).resize(size, Image.Resampling.NEAREST).convert("RGB")
            if number <= len(reviewed)
            else Image.new("RGB", size, "white")
        )
        label = ImageDraw.Draw(old)
        label.text((4, 4), f"page {number}: {share:.0%}", fill="red")
        pairs += [old, new or Image.new("RGB", size, "white")]
    return contact_sheet(pairs, 4)


def golden_pages(update: bool) -> list[tuple[int, float]]:
    """Build the sample, render its pages, compare them; with `update`, record them as reviewed."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", EPOCH)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        pdf = Path(scratch) / "guide.pdf"
        build(ROOT, pdf, BuildOptions(strict=True))
        shutil.copyfile(pdf, OUT / "guide.pdf")
    pages = render_pages(OUT / "guide.pdf", OUT / "pages")
    contact_sheet([Image.open(page).convert("RGB") for page in pages], 8).save(OUT / "sheet.png")
    reviewed = REFERENCE.read_text(encoding="utf-8").split() if REFERENCE.exists() else []
    changed = compare(pages, reviewed)
    if changed:
        changed_sheet(pages, reviewed, changed).save(OUT / "changed.png")
    if update:
        REFERENCE.write_text("".join(thumbnail(page) + "\n" for page in pages), encoding="utf-8")
    return changed
