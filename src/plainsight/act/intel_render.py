"""An intelligence report as PDF (WeasyPrint, from HTML) or DOCX (python-docx).

The same approach as :mod:`plainsight.report`: one view model, rendered to self-contained
HTML from a Jinja2 template and laid out as an A4 PDF by WeasyPrint (with a URL fetcher that
refuses everything but ``data:`` URIs, so an export never reaches the network), and written
to Word with python-docx from the same model. The report's text is plain text: a line in
capitals on its own starts a section, lines starting ``- `` are bullets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plainsight.act.intel import SCHEMES, IntelError
from plainsight.ops.intel import IntelReport
from plainsight.report.documents import stylesheet, templates
from plainsight.report.documents import write_pdf as html_to_pdf

FORMATS = ("pdf", "docx")


@dataclass(frozen=True)
class Line:
    """A paragraph, or a run of bullets."""

    text: str = ""
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """A section: its heading (if any) and its lines."""

    heading: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class IntelView:
    """What an export shows, full or sanitised."""

    reference: str
    title: str
    subject: str
    status: str
    marking: str
    facts: tuple[tuple[str, str], ...]
    blocks: tuple[Block, ...]
    footer: str


def _heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and line == line.upper() and len(line) <= 60


def blocks_of(text: str) -> tuple[Block, ...]:
    """Split plain text into sections (capitals line = heading; ``- `` = bullet)."""
    blocks: list[Block] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        raw = [x.rstrip() for x in chunk.split("\n") if x.strip()]
        if not raw:
            continue
        heading = ""
        if _heading(raw[0].strip()):
            heading, raw = raw[0].strip().title(), raw[1:]
        lines: list[Line] = []
        for x in raw:
            if set(x.strip()) <= {"=", "-"}:
                continue  # an underline
            if x.lstrip().startswith("- "):
                item = x.lstrip()[2:]
                if lines and lines[-1].bullets:
                    lines[-1] = Line(bullets=(*lines[-1].bullets, item))
                else:
                    lines.append(Line(bullets=(item,)))
            else:
                lines.append(Line(text=x.strip()))
        blocks.append(Block(heading, tuple(lines)))
    return tuple(blocks)


def view_of(report: IntelReport, *, sanitised: bool = False) -> IntelView:
    """The view of ``report`` for export.

    Raises:
        IntelError: the report is not graded, or a sanitised copy is asked for and none
            has been made since the text last changed.
    """
    if not report.scheme:
        raise IntelError(
            f"report {report.id} is not graded: grade it (plainsight intel grade) before export"
        )
    title, text = report.title, report.text
    if sanitised:
        if report.sanitised_text is None or report.sanitised_title is None:
            raise IntelError(
                f"report {report.id} has no sanitised copy: make one with plainsight intel sanitise"
            )
        title, text = report.sanitised_title, report.sanitised_text
    handling = SCHEMES[report.scheme]["handling"][report.handling_code or ""]
    if sanitised:
        marking = f"SANITISED COPY for wider sharing. Handling {report.handling_code}: {handling}"
    else:
        marking = f"FULL REPORT: holds personal data. Handling {report.handling_code}: {handling}"
    words = SCHEMES[report.scheme]
    facts = [
        ("Reference", _reference(report)),
        ("Grading scheme", report.scheme),
        (
            "Source evaluation",
            f"{report.source_grade}: {words['source'][report.source_grade or '']}",
        ),
        (
            "Intelligence assessment",
            f"{report.intelligence_grade}: "
            f"{words['intelligence'][report.intelligence_grade or '']}",
        ),
        ("Handling code", f"{report.handling_code}: {handling}"),
    ]
    if report.handling_conditions:
        facts.append(("Handling conditions", report.handling_conditions))
    facts.append(("Graded by", f"{report.graded_by}, {report.graded_at:%d %b %Y}"))
    facts.append(("Written by", f"{report.created_by}, {report.created_at:%d %b %Y}"))
    if report.origin == "imported":
        facts.append(("Imported from", report.imported_from))
    subject = report.subject_id or "no subject given"
    if report.subject_kind in ("persona", "network"):
        subject = f"{report.subject_kind} {report.subject_id}"
    footer = (
        "Drafted by plainsight from the evidence and edited by an analyst: it describes leads "
        "for review, not findings."
    )
    if report.origin == "imported":
        footer = f"Imported from an older log and kept as graded ({report.scheme})."
    return IntelView(
        reference=_reference(report),
        title=title,
        subject=subject,
        status=report.status,
        marking=marking,
        facts=tuple(facts),
        blocks=blocks_of(text.removeprefix(title).lstrip("=\n")),
        footer=footer,
    )


def _reference(report: IntelReport) -> str:
    ref = f"INTEL-{report.id}"
    return f"{ref} (was {report.external_ref})" if report.external_ref else ref


def render_html(view: IntelView) -> str:
    """The report as one self-contained HTML document."""
    template = templates("plainsight.act").get_template("intel.html.j2")
    return template.render(v=view, css=stylesheet("plainsight.act", "intel.css"))


def write_pdf(view: IntelView, path: Path) -> Path:
    """Write the view as an A4 PDF."""
    return html_to_pdf(render_html(view), path)


def write_docx(view: IntelView, path: Path) -> Path:
    """Write the view as a Word document."""
    from docx import Document
    from docx.shared import Cm, Pt

    document: Any = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.header.paragraphs[0].add_run(view.marking).bold = True
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)
    document.add_paragraph().add_run(view.marking).bold = True
    document.add_heading(view.title, level=0)
    document.add_paragraph(f"{view.reference} · {view.subject} · {view.status}")
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in view.facts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    for block in view.blocks:
        if block.heading:
            document.add_heading(block.heading, level=1)
        for line in block.lines:
            if line.bullets:
                for item in line.bullets:
                    document.add_paragraph(item, style="List Bullet")
            else:
                document.add_paragraph(line.text)
    document.add_paragraph(view.footer)
    document.core_properties.title = view.title
    document.core_properties.author = "plainsight"
    document.save(str(path))
    return path


def export(report: IntelReport, fmt: str, path: Path, *, sanitised: bool = False) -> Path:
    """Write ``report`` (or its sanitised copy) to ``path`` as ``pdf`` or ``docx``.

    Raises:
        IntelError: an unknown format, an ungraded report or a missing sanitised copy.
    """
    if fmt not in FORMATS:
        raise IntelError(f"unknown format {fmt!r}: use pdf or docx")
    view = view_of(report, sanitised=sanitised)
    return write_pdf(view, path) if fmt == "pdf" else write_docx(view, path)
