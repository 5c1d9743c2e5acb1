"""The threat profile as HTML (Jinja2), PDF (WeasyPrint, from that HTML) or Word (python-docx).

The same approach as :mod:`plainsight.report`: the HTML is one self-contained file with its
stylesheet inline; the PDF is that HTML laid out on A4 by WeasyPrint with a fetcher that
refuses everything but ``data:`` URIs, so the profile never reaches the network; the Word
document is built from the same :class:`~plainsight.act.threat.ThreatProfile`, with table
headers that repeat across pages and numbered pages. The evidence tables the answers carry
are made here too (:func:`count_table` and friends), so every figure is formatted one way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plainsight.act.threat import CrimeFigures, EvidenceTable, LakeFigures, ThreatProfile
from plainsight.report.documents import stylesheet, templates, write_pdf

FORMATS = ("html", "pdf", "docx")
TITLE = "MSHT threat profile: the six intelligence requirements"
MARKING = "OFFICIAL-SENSITIVE: derived from personal data. Leads for review, not findings."


def _produced(profile: ThreatProfile) -> str:
    return f"{profile.produced_at:%-d %B %Y at %H:%M} UTC"


def render_html(profile: ThreatProfile) -> str:
    """The threat profile as one self-contained HTML document."""
    template = templates("plainsight.act").get_template("threat.html.j2")
    return template.render(
        p=profile,
        title=TITLE,
        css=stylesheet("plainsight.act", "threat.css"),
        produced=_produced(profile),
    )


def render_pdf(profile: ThreatProfile, path: Path) -> Path:
    """Write the profile as an A4 PDF to ``path``, laid out from :func:`render_html`."""
    return write_pdf(render_html(profile), path)


def render_docx(profile: ThreatProfile, path: Path) -> Path:
    """Write the profile to ``path`` as a Word document."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from plainsight.report.word import _field, _small

    document: Any = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _small(footer, f"{TITLE}. Page ")
    _field(footer, "PAGE")
    _small(footer, " of ")
    _field(footer, "NUMPAGES")
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)

    _small(document.add_paragraph(), MARKING)
    document.add_heading(TITLE, level=0)
    document.add_paragraph(
        f"Period: {profile.period_words}. Produced by plainsight on {_produced(profile)}."
    )
    held = ", ".join(profile.sources) if profile.sources else "none"
    document.add_paragraph(f"Sources holding data: {held}.")
    for number, answer in enumerate(profile.answers, start=1):
        document.add_heading(f"{number}. {answer.question}", level=1)
        document.add_heading("Answer", level=2)
        _bullets(document, answer.statements)
        document.add_heading("Evidence", level=2)
        for table in answer.tables:
            _table(document, table)
        document.add_heading("Definitions", level=2)
        _bullets(document, answer.definitions)
        document.add_heading("What the data cannot say", level=2)
        _bullets(document, answer.limits)
    document.core_properties.title = TITLE
    document.core_properties.author = "plainsight"
    document.core_properties.comments = f"Period: {profile.period_words}"
    document.save(str(path))
    return path


def _bullets(document: Any, items: Any) -> None:
    for item in items:
        document.add_paragraph(item, style="List Bullet")


def _table(document: Any, table: EvidenceTable) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from plainsight.report.word import _HEADER_FILL, _cell, _repeat_header

    caption = document.add_paragraph()
    caption.add_run(table.title).bold = True
    caption.paragraph_format.keep_with_next = True
    rows = table.rows or (("none",) + ("",) * (len(table.columns) - 1),)
    grid = document.add_table(rows=1 + len(rows), cols=len(table.columns))
    grid.style = "Table Grid"
    _repeat_header(grid.rows[0])
    for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
        _cell(cell, text, bold=True, fill=_HEADER_FILL, align=WD_ALIGN_PARAGRAPH.LEFT)
    for r, row in enumerate(rows, start=1):
        for cell, text in zip(grid.rows[r].cells, row, strict=True):
            _cell(cell, text, bold=False, fill=None, align=WD_ALIGN_PARAGRAPH.LEFT)


# Evidence tables: the answers' figures as rows of text.


def evidence_table(title: str, columns: tuple[str, ...], rows: Any) -> EvidenceTable:
    """A table of evidence, every cell as text."""
    return EvidenceTable(title, columns, tuple(tuple(str(c) for c in row) for row in rows))


def count_table(title: str, heading: str, pairs: list[tuple[str, int]], unit: str) -> EvidenceTable:
    """A two-column table of counts (``pairs`` of label and count), counts with separators."""
    return evidence_table(title, (heading, unit), [(k, f"{n:,}") for k, n in pairs])


def exploitation_table(crime: CrimeFigures) -> EvidenceTable:
    """Recorded victims by exploitation type (rows) and sex (columns)."""
    sexes = ("F", "M", "U")
    rows = [
        (kind, *(f"{c.get(sex, 0):,}" for sex in sexes), f"{c.total():,}")
        for kind, c in crime.exploitation_by_sex.items()
    ]
    return evidence_table(
        "Recorded victims by exploitation type and sex",
        ("Exploitation type", "Female", "Male", "Unknown", "All"),
        rows,
    )


def top_networks_table(lake: LakeFigures) -> EvidenceTable:
    """The highest-scoring networks in the period, as leads: rank, size, numbers, towns."""
    rows = [
        (
            r["rank"],
            r["network_id"],
            f"{r['score']:.2f}",
            r["personas"],
            r["adverts"],
            r["numbers"],
            ", ".join(r["towns"] or []),
        )
        for r in lake.top_networks
    ]
    return evidence_table(
        "Highest-scoring networks (leads for review)",
        ("Rank", "Network", "Score", "Personas", "Adverts", "Numbers", "Towns"),
        rows,
    )


def write_profile(profile: ThreatProfile, path: Path, fmt: str) -> Path:
    """Write ``profile`` to ``path`` as ``html``, ``pdf`` or ``docx``."""
    if fmt == "html":
        path.write_text(render_html(profile), encoding="utf-8")
        return path
    if fmt == "pdf":
        return render_pdf(profile, path)
    if fmt == "docx":
        return render_docx(profile, path)
    raise ValueError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
