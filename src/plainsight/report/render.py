"""The report as HTML (the source) and PDF (WeasyPrint, from that HTML).

The HTML is one self-contained file: the stylesheet inline and the charts as SVG data URIs,
so it opens anywhere and nothing is fetched, then or later. The PDF is the same HTML laid
out on A4 with page numbers; WeasyPrint is given a URL fetcher that refuses everything but
``data:`` URIs, so a report can never reach the network.
"""

from __future__ import annotations

import base64
from pathlib import Path

from plainsight.report.documents import stylesheet, templates, write_pdf
from plainsight.report.model import Chart, Report, long_date

FORMATS = ("html", "pdf", "docx")


def _svg(chart: Chart) -> str:
    return base64.b64encode(chart.svg).decode("ascii")


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    template = templates("plainsight.report").get_template("report.html.j2")
    return template.render(
        r=report,
        css=stylesheet("plainsight.report", "report.css"),
        svg=_svg,
        produced=long_date(report.produced_on),
    )


def render_pdf(report: Report, path: Path) -> Path:
    """Write the report as an A4 PDF to ``path`` (laid out from :func:`render_html`)."""
    return write_pdf(render_html(report), path)


def write_report(report: Report, path: Path, fmt: str) -> Path:
    """Write ``report`` to ``path`` as ``html``, ``pdf`` or ``docx``."""
    if fmt == "html":
        path.write_text(render_html(report), encoding="utf-8")
        return path
    if fmt == "pdf":
        return render_pdf(report, path)
    if fmt == "docx":
        from plainsight.report.word import render_docx

        render_docx(report, path)
        return path
    raise ValueError(f"unknown report format {fmt!r}: use {', '.join(FORMATS)}")
