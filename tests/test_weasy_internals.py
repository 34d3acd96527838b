"""The WeasyPrint internals guide/typesetting/weasy.py relies on still behave as it expects.

These fail loudly when a WeasyPrint upgrade moves or changes them: fix weasy.py, then the pin.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
import weasyprint
import weasyprint.text.ffi
from pypdf import PdfReader
from weasyprint.text.fonts import FontConfiguration

from guide import weasyload
from guide.fonts import FACES, font_face_css
from guide.typesetting import weasy
from tests import pdf_compare

pytestmark = pytest.mark.e2e
SANS = next(face for face in FACES if face.family == "Guide Sans" and face.weight == 400)
PAGES_CSS = """
@page { size: A6; margin: 10mm; @bottom-center { content: counter(page); font: 9pt "Guide Sans"; } }
p { break-after: page; font: 10pt "Guide Sans"; }
"""


def _pdf(html: str) -> bytes:
    document = weasyprint.HTML(string=html).render()
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def _folios(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "folios.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.findall(r"^\d+$", text, re.M)


def test_the_installed_weasyprint_is_the_series_weasy_py_was_written_for() -> None:
    weasy.check_version()
    assert weasyprint.layout.make_margin_boxes is not None
    assert callable(weasyprint.pdf.fonts.Font._harfbuzz_subset)


def test_the_page_offset_hook_numbers_pages_from_where_the_part_starts(tmp_path: Path) -> None:
    html = f"<style>{font_face_css()}{PAGES_CSS}</style><p>a</p><p>b</p><p>c</p>"
    seen: list[int] = []

    def offset(pages: int) -> int:
        seen.append(pages)
        return 40

    with weasy.page_offset(offset):
        shifted = _pdf(html)
    assert seen == [3]  # called once, with the laid-out page count, before any folio is made
    assert _folios(shifted, tmp_path) == ["41", "42", "43"]
    assert _folios(_pdf(html), tmp_path) == ["1", "2", "3"]  # outside the block: untouched


def test_subset_font_embeds_the_program_weasyprint_embeds_for_the_same_glyphs() -> None:
    html = f'<style>{font_face_css()} p {{ font: 10pt "Guide Sans"; }}</style><p>Subset me, 1234!</p>'
    with pikepdf.open(io.BytesIO(_pdf(html))) as pdf:
        font = next(f for f in pdf.pages[0].Resources.Font.values())
        descriptor = font.DescendantFonts[0].FontDescriptor
        embedded = descriptor.FontFile3.read_bytes()
        widths = font.DescendantFonts[0].W
        glyphs = [int(widths[i]) + k for i in range(0, len(widths), 2) for k in range(len(widths[i + 1]))]
    assert len(glyphs) > 8
    assert weasy.subset_font(SANS.path.read_bytes(), 0, glyphs, "Guide Sans") == embedded


def test_subset_font_subsets_as_weasyprint_does_where_harfbuzz_subset_is_missing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # WeasyPrint runs without libharfbuzz-subset (a machine without the package): it subsets with
    # fontTools then, and so must the merge of a book in parts (it raised AttributeError before).
    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    html = f'<style>{font_face_css()} p {{ font: 10pt "Guide Sans"; }}</style><p>Without HarfBuzz, 5678.</p>'
    embedded, glyphs = _embedded_sans(html)
    assert weasy.subset_font(SANS.path.read_bytes(), 0, glyphs, "Guide Sans") == embedded
    assert "Using fontTools instead of HarfBuzz-Subset" in caplog.text  # WeasyPrint's own warning


def _embedded_sans(html: str) -> tuple[bytes, list[int]]:
    """The Guide Sans program WeasyPrint embeds for `html`, and the glyph ids it kept."""
    with pikepdf.open(io.BytesIO(_pdf(html))) as pdf:
        font = next(f for f in pdf.pages[0].Resources.Font.values())
        descriptor = font.DescendantFonts[0].FontDescriptor
        widths = font.DescendantFonts[0].W
        glyphs = [int(widths[i]) + k for i in range(0, len(widths), 2) for k in range(len(widths[i + 1]))]
        return descriptor.FontFile3.read_bytes(), glyphs


def test_quick_arrays_subset_what_weasyprint_subsets_without_a_c_parse_per_glyph_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    html = f'<style>{font_face_css()} p {{ font: 10pt "Guide Sans"; }}</style><p>Quick arrays: xyz 789?</p>'
    monkeypatch.setattr(weasyprint.pdf.fonts, "ffi", weasyprint.text.ffi.ffi)  # WeasyPrint as released
    embedded, glyphs = _embedded_sans(html)
    monkeypatch.undo()
    weasy.quick_arrays()
    weasy.quick_arrays()  # idempotent: wrapped once
    assert isinstance(weasyprint.pdf.fonts.ffi, weasy._OpenArrays)
    assert not isinstance(weasyprint.pdf.fonts.ffi._ffi, weasy._OpenArrays)
    assert weasy.subset_font(SANS.path.read_bytes(), 0, glyphs, "Guide Sans") == embedded
    parsed = weasyprint.text.ffi.ffi._parsed_types
    count = 3 + 2 * 211  # a glyph count, and a highest glyph id + 1, no other test subsets
    weasy.subset_font(SANS.path.read_bytes(), 0, [3 + 2 * k for k in range(count)], "Guide Sans")
    assert f"hb_codepoint_t[{count}]" not in parsed
    assert f"hb_codepoint_t[{3 + 2 * (count - 1) + 1}]" not in parsed
    assert "hb_codepoint_t[]" in parsed


KEPT_CSS = """
@page { size: A6; margin: 10mm; @bottom-center { content: counter(page); font: 8pt "Guide Sans"; } }
p { font: 10pt "Guide Sans"; break-after: page; }
.x::after { content: " (" attr(data-n) ")"; }
"""


def _kept_html(body: str, css: str = KEPT_CSS) -> str:
    return f"<html><head><style>{font_face_css()}{css}</style></head><body>{body}</body></html>"


def test_a_kept_stylesheet_is_parsed_once_and_lays_out_what_parsing_it_again_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fonts, fetcher = FontConfiguration(), weasyprint.URLFetcher()

    def pdf(html: str) -> bytes:
        document = weasyprint.HTML(string=html, url_fetcher=fetcher).render(font_config=fonts)
        return document.write_pdf()  # type: ignore[no-any-return]

    first = _kept_html('<p>One page.</p><p class="x" data-n="7">Two.</p>')
    second = _kept_html("<p>Another document, the same styles.</p><p>And its second page.</p>")
    plain = [pdf(first), pdf(second)]
    monkeypatch.setattr(weasyprint.css, "CSS", weasyprint.css.CSS)  # put back after the test
    monkeypatch.setattr(weasy, "_kept", {})
    parsed: list[str] = []
    original = weasy._original_css

    def counting(*args: object, **kwargs: object) -> object:
        parsed.append(str(kwargs.get("string", ""))[:20])
        return original(*args, **kwargs)

    monkeypatch.setattr(weasy, "_original_css", counting)
    weasy.kept_stylesheets()
    weasy.kept_stylesheets()  # idempotent
    assert [pdf(first), pdf(second), pdf(first)] == [*plain, plain[0]]
    assert len(parsed) == 1 and len(weasy._kept) == 1
    counter = "@counter-style dots { system: cyclic; symbols: '*'; suffix: ' '; } ol { list-style: dots; }"
    for css in (KEPT_CSS + counter, KEPT_CSS + "p { colour: red; }"):  # its own counter style; a warning
        html = _kept_html("<ol><li>a</li><li>b</li></ol><p>text</p>", css)
        assert pdf(html) == pdf(html)
    assert len(weasy._kept) == 1  # neither was kept: each document parses them again


IMPORT_QUIETLY = """
import ctypes.util, subprocess, sys
from guide.weasyload import import_weasyprint
searched, spawned = ctypes.util.find_library, []
real_init = subprocess.Popen.__init__
def noting(self, *args, **kwargs):
    spawned.append(args[0] if args else kwargs.get("args"))
    real_init(self, *args, **kwargs)
subprocess.Popen.__init__ = noting
import_weasyprint()
from weasyprint.text import ffi
print(spawned, ctypes.util.find_library is searched, ffi.harfbuzz_subset is not None)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is for Linux")
def test_weasyprint_is_imported_without_a_library_search_and_loads_every_library() -> None:
    source = Path(weasyprint.text.ffi.__file__).read_text(encoding="utf-8")
    for name in weasyload.LINUX_LIBRARIES:  # still the names WeasyPrint tries
        assert f"'{name}'" in source, name
    shown = subprocess.run(
        [sys.executable, "-c", IMPORT_QUIETLY], capture_output=True, text=True, check=True
    ).stdout.split()
    assert shown == ["[]", "True", "True"]  # no ldconfig/gcc/ld, the search put back, HarfBuzz's subsetter


XREF_CSS = """
@page { size: A7; margin: 8mm; }
body { font: 9pt "Guide Sans"; }
a::after { content: " (page " attr(data-page) ")"; }
"""


def _xref_html(numbers: dict[str, int]) -> str:
    """Cross-references over two pages, then text: much wider numbers push it onto a third."""
    words = " ".join(["text"] * 12)
    links = " ".join(
        f'<a href="#{name}" data-page="{numbers[name]}">see</a> {words}' for name in ("far", "near") * 8
    )
    tail = " ".join(["text"] * 100)
    return (
        f'<style>{font_face_css()}{XREF_CSS}</style><p>{links}</p><p id="far">{tail}</p><p id="near">end</p>'
    )


def _pages(tmp_path: Path, name: str, pdf: bytes) -> list[str]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return pdf_compare.page_images(path)


def test_renumbering_after_pagination_lays_out_what_printing_the_numbers_lays_out(tmp_path: Path) -> None:
    guessed = _xref_html({"far": 4, "near": 7})
    right = {"far": 123456789012345, "near": 9}
    seen: list[tuple[int, dict[str, int], dict[str, int]]] = []

    def renumber(paginated: weasy.Paginated) -> None:
        printed = paginated.renumber(right, lambda href: href[1:])
        seen.append((paginated.page_count, paginated.anchors, printed))

    with weasy.paginated_hook(renumber):
        corrected = _pages(tmp_path, "corrected", _pdf(guessed))
    fresh = _pages(tmp_path, "fresh", _pdf(_xref_html(right)))
    assert len(seen) == 1  # once, after the first pagination
    pages, anchors, printed = seen[0]
    assert printed == right
    assert pages == 2 and anchors["near"] == 1
    assert len(fresh) == 3  # the pages after the wider numbers were laid out again, one added
    assert corrected == fresh
    assert _pages(tmp_path, "plain", _pdf(_xref_html(right))) == fresh  # outside the block: no hook


IMPORT_NOTING_FONTTOOLS = """
import sys
from fontTools.ttLib import TTFont
from guide.weasyload import import_weasyprint
import_weasyprint()
import weasyprint.pdf.fonts
loaded = [name for name in ("fontTools.varLib", "fontTools.subset.cff") if name in sys.modules]
try:  # what WeasyPrint calls for a variable font, given a static one
    weasyprint.pdf.fonts.instantiateVariableFont(TTFont(sys.argv[1]), {"wght": 700}, static=True)
except ValueError as error:
    refused = str(error)
from fontTools.varLib.instancer import instantiateVariableFont
print(loaded, weasyprint.pdf.fonts.subset.Options.__module__, instantiateVariableFont.__module__)
print(refused)
"""


def test_weasyprint_loads_fonttools_subsetter_and_instancer_only_when_used() -> None:
    source = Path(weasyprint.pdf.fonts.__file__).read_text(encoding="utf-8")
    assert "from fontTools import subset\n" in source  # still the imports weasyload defers
    assert "from fontTools.varLib.instancer import instantiateVariableFont\n" in source
    lines = subprocess.run(
        [sys.executable, "-c", IMPORT_NOTING_FONTTOOLS, str(SANS.path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    # Neither loaded with WeasyPrint; each is the real module once used.
    assert lines[0].split() == ["[]", "fontTools.subset", "fontTools.varLib.instancer"]
    assert lines[1] == "Missing required table fvar"  # fontTools' own answer


REFOLIO_CSS = """
@page { size: A6; margin: 12mm;
  @bottom-center { content: counter(page); font: 9pt "Guide Sans"; }
  @top-center { content: string(title, first-except); font: 8pt "Guide Sans"; } }
h1 { string-set: title content(); bookmark-level: 1; font: 14pt "Guide Sans"; }
p { font: 10pt "Guide Sans"; }
.note { float: footnote; }
"""


def _refolio_html() -> str:
    """Chapters over several pages each, with a running head, a bookmark and a footnote apiece."""
    text = "words of a chapter that runs on " * 90
    chapters = (
        f'<h1 id="c{n}">Chapter {n}</h1><p>{text}<span class="note">Note {n}.</span></p>' for n in range(3)
    )
    return f"<style>{font_face_css()}{REFOLIO_CSS}</style>{''.join(chapters)}"


def _at_offset(html: str, shift: int) -> weasyprint.Document:
    with weasy.page_offset(lambda pages: shift):
        return weasyprint.HTML(string=html).render()


def _folio_words(pdf: bytes) -> list[str]:
    """The last word of each page, as pdfplumber reads it: the folio at the bottom."""
    with pdfplumber.open(io.BytesIO(pdf)) as read:
        return [page.extract_words()[-1]["text"] for page in read.pages]


def test_a_kept_layout_refoliated_writes_what_a_layout_at_that_offset_writes() -> None:
    html = _refolio_html()
    with weasy.keeping() as kept:
        document = _at_offset(html, 0)
    layout = weasy.KeptLayout.of(document, kept)
    assert layout is not None and layout.page_count == len(document.pages) > 3
    for shift in (40, 7, 0, 40):  # again and back: the kept pages are put back each time
        refoliated = layout.refoliate(shift).write_pdf()
        assert refoliated == _at_offset(html, shift).write_pdf(), shift
        assert _folio_words(refoliated) == [str(shift + n) for n in range(1, layout.page_count + 1)]
        assert len(PdfReader(io.BytesIO(refoliated)).outline) == 3  # the bookmarks, once each
    with weasy.keeping(active=False) as nothing:
        _at_offset(html, 0)
    assert nothing == []


def test_a_layout_with_running_elements_or_fixed_boxes_is_not_kept() -> None:
    running = "<style>.head { position: running(head); } @page { @top-center { content: element(head); } }"
    fixed = "<style>.mark { position: fixed; top: 0; }</style><p class='mark'>draft</p>"
    for extra in (running + "</style><p class='head'>head</p>", fixed):
        with weasy.keeping() as kept:
            document = _at_offset(_refolio_html() + extra, 0)
        assert weasy.KeptLayout.of(document, kept) is None


def test_a_kept_layout_renumbered_writes_what_a_layout_with_those_numbers_writes() -> None:
    guessed, right = {"far": 4, "near": 7}, {"far": 123456789012345, "near": 9}
    with weasy.keeping() as kept:
        document = _at_offset(_xref_html(guessed), 0)
    layout = weasy.KeptLayout.of(document, kept)
    assert layout is not None and layout.page_count == 2
    for numbers, shift in ((right, 3), (guessed, 0), (right, 0)):
        printed = layout.renumber(numbers, lambda href: href[1:])
        fresh = _at_offset(_xref_html(numbers), shift)
        assert printed == numbers
        assert layout.page_count == len(fresh.pages)  # the wider numbers add a page, the narrow drop it
        anchors: dict[str, int] = {}
        for index, page in enumerate(fresh.pages):
            for name in page.anchors:
                anchors.setdefault(name, index)
        assert layout.anchors == anchors
        assert layout.refoliate(shift).write_pdf() == fresh.write_pdf(), (numbers, shift)
