"""The report as HTML (the source) and PDF (WeasyPrint, from that HTML).

The HTML is one self-contained file: the stylesheet inline and the charts as SVG data URIs,
so it opens anywhere and nothing is fetched, then or later. The PDF is the same HTML laid
out on A4 with page numbers; WeasyPrint is given a URL fetcher that refuses everything but
``data:`` URIs, so a report can never reach the network.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from plainsight.errors import MissingExtra
from plainsight.report.model import Chart, Report, long_date

FORMATS = ("html", "pdf", "docx")


@cache
def _environment() -> jinja2.Environment:
    folder = resources.files("plainsight.report").joinpath("templates")
    loader = jinja2.FunctionLoader(lambda name: folder.joinpath(name).read_text(encoding="utf-8"))
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _css() -> str:
    return (
        resources.files("plainsight.report")
        .joinpath("templates", "report.css")
        .read_text(encoding="utf-8")
    )


def _svg(chart: Chart) -> str:
    return base64.b64encode(chart.svg).decode("ascii")


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    template = _environment().get_template("report.html.j2")
    return template.render(r=report, css=_css(), svg=_svg, produced=long_date(report.produced_on))


def render_pdf(report: Report, path: Path) -> Path:
    """Write the report as an A4 PDF to ``path`` (laid out from :func:`render_html`)."""
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise MissingExtra("report", "weasyprint") from exc
    document = weasyprint.HTML(string=render_html(report), url_fetcher=_data_only_fetcher())
    document.write_pdf(str(path))
    return path


def _data_only_fetcher() -> Any:
    """WeasyPrint's fetcher limited to ``data:`` URIs: a report never fetches anything."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint 68 and later

        return URLFetcher(allowed_protocols={"data"})
    except ImportError:  # pragma: no cover - older WeasyPrint: a fetcher is a function
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"the report refers to {url}; reports embed all they show")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch


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
