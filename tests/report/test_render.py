"""The report rendered: self-contained HTML, a Word document, and a PDF that is looked at.

The PDF is turned back into text (``pdftotext``) and into page images (``pdftoppm``), both
from poppler-utils, so the test sees what a reader would: the headings, key points and table
values on the page, and no blank page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from PIL import Image, ImageStat

from plainsight.report.model import Report
from plainsight.report.render import render_html, render_pdf, write_report
from plainsight.report.word import render_docx

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext) not installed")


def test_html_is_one_self_contained_file(report: Report) -> None:
    html = render_html(report)
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", html)
    assert "@import" not in html and "url(http" not in html
    images = re.findall(
        r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', html
    )
    assert len(images) == len(report.charts) == 4
    assert images[1].startswith("Bar chart of MDSHT crimes recorded each year, with 95% exact")
    assert "2019: 18 (interval 10.7 to 28.4)" in images[1]


def test_html_has_the_cover_and_says_the_data_are_synthetic(report: Report) -> None:
    html = render_html(report)
    assert "<h1>Modern Slavery and Human Trafficking: key data</h1>" in html
    assert '<p class="force">City of London Police</p>' in html
    assert "MDSHT crimes recorded from 1 January 2019 to 31 December 2023" in html
    assert "Produced by plainsight from the force's crime records on 12 February 2024" in html
    assert 'id="synthetic-notice"' in html
    assert "</style>" in html and "&#34;DejaVu Sans&#34;" not in html  # CSS not escaped


def test_html_escapes_what_it_is_given(report: Report) -> None:
    from dataclasses import replace

    hostile = replace(report, force_name="<script>alert(1)</script> Police", synthetic=False)
    html = render_html(hostile)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'id="synthetic-notice"' not in html


def test_docx_opens_and_holds_the_key_points_tables_and_charts(
    report: Report, tmp_path: Path
) -> None:
    path = render_docx(report, tmp_path / "report.docx")
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[1] == "Modern Slavery and Human Trafficking: key data"
    assert "Produced by plainsight from the force's crime records on 12 February 2024" in texts
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "More males report being a victim of MDSHT at 76% (n=31)." in bullets
    assert len(document.tables) == 5  # four key-data tables and the national comparison
    age = document.tables[0]
    assert [c.text for c in age.rows[0].cells] == [
        "AGE",
        "0-17",
        "18-25",
        "26-35",
        "36-45",
        "46-55",
        "56-65",
        "66+",
        "TOTAL",
    ]
    assert [c.text for c in age.rows[2].cells] == ["MALE", "8", "11", "7", "2", "2", "1", "0", "31"]
    header = age.rows[0]._tr.trPr
    assert (
        header is not None
        and header.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader")
        is not None
    )
    outcomes = document.tables[2]
    assert [c.text for c in outcomes.rows[-1].cells] == [
        "TOTAL",
        "18",
        "5",
        "3",
        "6",
        "9",
        "41",
        "",
    ]
    assert len(document.inline_shapes) == 4
    described = [s._inline.docPr.get("descr") for s in document.inline_shapes]
    assert all(d and d.startswith(("Bar chart", "Horizontal bar chart")) for d in described)
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


@needs_poppler
@pytest.mark.slow
def test_pdf_pages_show_the_report(report: Report, tmp_path: Path) -> None:
    pdf = render_pdf(report, tmp_path / "report.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    for heading in (
        "Modern Slavery and Human Trafficking: key data",
        "Summary",
        "Key data and analysis",
        "Key highlights",
        "Victims by sex and age band",
        "Outcomes of MDSHT crimes by the year the crime was recorded",
        "Methods note",
    ):
        assert heading in flat, heading
    assert "More males report being a victim of MDSHT at 76% (n=31)." in flat
    assert "There has been 1 charge since 2019." in flat
    assert re.search(r"MALE\s+8\s+11\s+7\s+2\s+2\s+1\s+0\s+31", text)
    assert re.search(r"TOTAL\s+18\s+5\s+3\s+6\s+9\s+41", text)
    assert re.search(r"Page 1 of (\d+)", text)

    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    pages_in_pdf = int(re.search(r"Page 1 of (\d+)", text).group(1))  # type: ignore[union-attr]
    assert len(pages) == pages_in_pdf >= 3
    for page in pages:
        with Image.open(page) as image:
            grey = image.convert("L")
            assert grey.size[0] < grey.size[1]  # portrait A4
            dark = sum(grey.histogram()[:128]) / (grey.size[0] * grey.size[1])
            assert dark > 0.003, f"{page.name} is blank"
            assert ImageStat.Stat(grey).stddev[0] > 5, f"{page.name} is flat"


@needs_poppler
@pytest.mark.slow
def test_public_pdf_shows_withheld_cells(public_report: Report, tmp_path: Path) -> None:
    pdf = write_report(public_report, tmp_path / "public.pdf", "pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"MALE(\s+\[c\]){6}\s+0\s+31", text)
    assert "Disclosure control (public version)" in text


def test_unknown_format_is_refused(report: Report, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown report format 'odt'"):
        write_report(report, tmp_path / "r.odt", "odt")
