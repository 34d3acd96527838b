"""Page flow and line quality, measured in the sample's PDF with pdfplumber."""

from __future__ import annotations

import statistics

import lxml.html

from guide.typography import set_typography
from tests.pdf_reader import ReadPdf


def _typeset(html: str) -> str:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    set_typography(root)
    return lxml.html.tostring(root, encoding="unicode").replace("\u00a0", "~")


def test_a_lead_in_ending_in_a_colon_is_kept_with_what_it_introduces() -> None:
    html = _typeset("<p>Ours looked like this:</p><table></table><p>Then:</p><p>no</p><p>A</p><ul></ul>")
    assert html == (
        '<div><p class="lead-in">Ours looked like this:</p><table></table><p>Then:</p><p>no</p>'
        "<p>A</p><ul></ul></div>"
    )


def test_last_two_words_of_headings_and_cells_are_bound() -> None:
    html = _typeset(
        "<h2>Look after yourself </h2><table><tr><td>4. Remove</td><td><em>a b</em> c</td>"
        "<td>single</td><td>a remarkably-long-compound unbreakable</td></tr></table>"
        "<h3>Use <code>x</code>\n</h3>"
    )
    assert "<h2>Look after~yourself </h2>" in html
    assert "<td>4.~Remove</td><td><em>a b</em>~c</td><td>single</td>" in html
    assert "<td>a remarkably-long-compound unbreakable</td>" in html  # too long to keep together
    assert "<h3>Use~<code>x</code>" in html


def test_word_spaces_stay_even(sample_pdf: ReadPdf) -> None:
    spaces = sorted(line.mean_word_space for line in sample_pdf.body_lines if len(line.words) >= 3)
    assert len(spaces) > 300
    median = statistics.median(spaces)
    p95 = spaces[int(0.95 * (len(spaces) - 1))]
    assert p95 < 1.4 * median, (median, p95, spaces[-1])  # justified type gave 1.63


def test_no_more_than_two_hyphenated_lines_in_a_row(sample_pdf: ReadPdf) -> None:
    run = longest = 0
    for line in sample_pdf.body_lines:
        last = line.words[-1][0]
        run = run + 1 if last.endswith("-") and last[-2:-1].isalpha() else 0
        longest = max(longest, run)
    assert longest <= 2


def test_a_chapter_last_page_carries_at_least_three_lines(sample_pdf: ReadPdf) -> None:
    starts = [sample_pdf.page_starting_label(f"PART {n}") for n in range(1, 13)]
    starts += [sample_pdf.page_starting("Series Recap: Community Building for Small Teams")]
    starts += [sample_pdf.page_starting("Credits")]
    for last_page in (start - 1 for start in sorted(starts)[1:]):
        lines = [line for line in sample_pdf.body_lines if line.page_index == last_page]
        assert len(lines) >= 3, f"page {last_page + 1}"


def test_a_lead_in_shares_its_page_with_the_table_it_introduces(sample_pdf: ReadPdf) -> None:
    page = next(i for i, text in enumerate(sample_pdf.page_texts) if "Ours looked like this:" in text)
    assert "What they want" in sample_pdf.page_texts[page]


def test_footnotes_align_with_the_text_block(sample_pdf: ReadPdf) -> None:
    pages = [i for i, text in enumerate(sample_pdf.page_texts) if "Nora calls this" in text]
    assert pages
    text_left = min(line.words[0][1] for line in sample_pdf.body_lines)
    for page in pages:
        words = sample_pdf.footnote_words(page)
        assert words and abs(min(x0 for _, x0 in words) - text_left) < 0.5
        assert all(abs(x0 - text_left) < 0.5 for x0, _, _ in sample_pdf.rules(page))
