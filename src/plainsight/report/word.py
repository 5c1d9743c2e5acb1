"""The report as a Word document (python-docx): committee papers are Word documents.

Headings, the key points as bullets, the tables with a header row that repeats across
pages, the charts as PNG pictures with their alt text, A4 pages numbered in the footer.
Everything comes from the same :class:`~plainsight.report.model.Report` as the HTML.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from plainsight.report.model import Report, Table, long_date

_HEADER_FILL = "DFE6F2"
_TOTAL_FILL = "F2F2F2"


def render_docx(report: Report, path: Path) -> Path:
    """Write ``report`` to ``path`` as a .docx file."""
    document: Any = Document()
    _page_setup(document, report)
    _styles(document)

    if report.public:
        marking = (
            f"Public version: counts of people and outcomes under {report.threshold} are "
            "withheld ([c])."
        )
    else:
        marking = (
            "Not for publication as it stands: it contains small counts. Make the public "
            "version with --public."
        )
    _small(document.add_paragraph(), marking)
    document.add_heading(report.title, level=0)
    force = document.add_paragraph()
    force.add_run(report.force_name).bold = True
    document.add_paragraph(f"MDSHT crimes recorded from {report.period_words}")
    document.add_paragraph(
        f"Produced by plainsight from the force's crime records on {long_date(report.produced_on)}"
    )
    if report.synthetic:
        note = document.add_paragraph()
        note.add_run("Synthetic data. ").bold = True
        note.add_run(
            "These figures come from a synthetic world made by plainsight (plainsight synth "
            "crime) for demonstration and testing. No real person or crime is described."
        )

    document.add_heading("Summary", level=1)
    document.add_paragraph("Key points:")
    _bullets(document, report.summary)

    document.add_heading("Key data and analysis", level=1)
    for paragraph in report.key_data:
        document.add_paragraph(paragraph)
    document.add_heading("Key highlights", level=2)
    _bullets(document, report.highlights)
    for table in report.tables:
        _table(document, table)

    if report.charts or report.omitted_charts:
        document.add_heading("Charts", level=1)
        for chart in report.charts:
            document.add_picture(io.BytesIO(chart.png), width=Cm(15.5))
            picture = document.paragraphs[-1]
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _alt_text(document, chart.title, chart.alt)
            caption = document.add_paragraph(chart.title, style="Caption")
            caption.paragraph_format.keep_with_next = False
        if report.omitted_charts:
            document.add_paragraph(
                "Not drawn in the public version (they would show withheld counts): "
                + ", ".join(report.omitted_charts)
                + "."
            )

    if report.trends:
        document.add_heading("Changes from year to year", level=1)
        _bullets(document, report.trends)
    if report.national:
        document.add_heading("National comparison", level=1)
        for table in report.national:
            _table(document, table)

    if report.disruptions or report.disruption_points:
        document.add_heading("Disruptions", level=1)
        _bullets(document, report.disruption_points)
        for table in report.disruptions:
            _table(document, table)

    document.add_heading("Methods note", level=1)
    for section in report.methods:
        document.add_heading(section.title, level=2)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        _bullets(document, section.bullets)

    document.core_properties.title = f"{report.title}: {report.force_name}"
    document.core_properties.author = "plainsight"
    document.core_properties.comments = f"Crimes recorded from {report.period_words}"
    document.save(str(path))
    return path


def _page_setup(document: Any, report: Report) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(2.0)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _small(footer, f"{report.title}: {report.force_name}. Page ")
    _field(footer, "PAGE")
    _small(footer, " of ")
    _field(footer, "NUMPAGES")


def _styles(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)


def _small(paragraph: Any, text: str) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)


def _field(paragraph: Any, name: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the document out."""
    run = paragraph.add_run()
    run.font.size = Pt(8)
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = name
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instruction)
    run._r.append(end)


def _bullets(document: Any, items: Any) -> None:
    for item in items:
        document.add_paragraph(item, style="List Bullet")


def _table(document: Any, table: Table) -> None:
    caption = document.add_paragraph()
    caption.add_run(table.caption).bold = True
    caption.paragraph_format.keep_with_next = True
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, table.columns, strict=True):
        _cell(cell, text, bold=True, fill=_HEADER_FILL, align=WD_ALIGN_PARAGRAPH.CENTER)
    for r, row in enumerate(table.rows, start=1):
        total = table.total_row and r == len(table.rows)
        for cell, value in zip(grid.rows[r].cells, row, strict=True):
            _cell(
                cell,
                value.text,
                bold=total,
                fill=_TOTAL_FILL if total else None,
                align=WD_ALIGN_PARAGRAPH.LEFT if value.header else WD_ALIGN_PARAGRAPH.RIGHT,
            )
        _keep_row_together(grid.rows[r])
    for note in table.notes:
        _small(document.add_paragraph(), note)


def _cell(cell: Any, text: str, *, bold: bool, fill: str | None, align: Any) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(8.5)
    if fill:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row: Any) -> None:
    """Mark a table's first row as its header: Word repeats it on every page."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _keep_row_together(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _alt_text(document: Any, title: str, alt: str) -> None:
    """Set the last picture's alt text (``descr``), which screen readers read out."""
    inline = document.inline_shapes[-1]._inline
    properties = inline.docPr
    properties.set("title", title)
    properties.set("descr", alt)
