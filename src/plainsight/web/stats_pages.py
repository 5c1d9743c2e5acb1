"""The crime statistics pages: the committee report's figures, tables and charts, and its
downloads (HTML, PDF, Word and the statistics JSON), full or public.

Statistics are aggregate, so the viewer role may see them without naming a line of enquiry.
Everything comes from :mod:`plainsight.web.stats_data`, which builds the report exactly as
``plainsight crime report`` does; the page never computes a figure of its own. Every
download is audited as an ``export`` with its format and version.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from plainsight.ops.users import User
from plainsight.report.keypoints import latest_share_year
from plainsight.report.model import long_date
from plainsight.web import audit, stats_data, workspace
from plainsight.web.auth import require
from plainsight.web.stats_charts import charts_for
from plainsight.web.templating import render

router = APIRouter()
Viewer = Annotated[User, Depends(require("viewer"))]
From = Annotated[str, Query(alias="from")]

MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}
IMPORT_COMMAND = "plainsight crime import DIR"


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _period(request: Request, start: str, end: str) -> tuple[date, date]:
    _, found = stats_data.records(workspace(request))
    return stats_data.parse_period(start, end, stats_data.default_period(found))


def _no_records(request: Request, user: User, status_code: int = 200) -> Response:
    return render(
        request, "stats_empty.html.j2", user, status_code=status_code, command=IMPORT_COMMAND
    )


def _query(start: date, end: date, public: bool) -> str:
    return f"from={start}&to={end}" + ("&public=1" if public else "")


@router.get("/stats", response_class=HTMLResponse)
def stats_page(
    request: Request,
    user: Viewer,
    start: From = "",
    to: str = "",
    public: str = "",
) -> Response:
    """The force's MDSHT statistics for a period (default: the whole years recorded)."""
    ws = workspace(request)
    if not stats_data.has_records(ws):
        return _no_records(request, user)
    try:
        first, last = _period(request, start, to)
    except stats_data.PeriodError as exc:
        return render(
            request, "stats_empty.html.j2", user, status_code=400, problem=str(exc), command=""
        )
    shown = _flag(public)
    built = stats_data.build(ws, first, last, public=shown)
    report, figures, national = built.report, built.figures, built.national
    share_year = latest_share_year(figures)
    reference = None
    if national is not None and national.others_pooled_share is not None:
        reference = (
            f"Other forces together, {national.financial_year}",
            national.others_pooled_share,
        )
    headline: dict[str, Any] = {
        "crimes": report.table("crimes-by-year").cell("total", "crimes").text,
        "victims": report.table("victims-sex-age").cell("total", "total").text,
        "share_year": share_year,
        "share": figures.share_by_year.get(share_year) if share_year else None,
        "share_n": figures.crimes_by_year.get(share_year) if share_year else None,
        "share_all": figures.all_crimes_by_year.get(share_year) if share_year else None,
        "national": national,
    }
    return render(
        request,
        "stats.html.j2",
        user,
        r=report,
        headline=headline,
        charts=charts_for(report, figures, reference),
        period={"from": first.isoformat(), "to": last.isoformat()},
        period_words=f"{long_date(first)} to {long_date(last)}",
        query=_query(first, last, shown),
        other_query=_query(first, last, not shown),
        rejects=len(built.records.rejects),
        lake_version=built.lake_version,
    )


def _download(
    request: Request, user: User, fmt: str, start: str, end: str, public: str
) -> Response:
    ws = workspace(request)
    if not stats_data.has_records(ws):
        return _no_records(request, user, status_code=404)
    try:
        first, last = _period(request, start, end)
    except stats_data.PeriodError as exc:
        return Response(str(exc), status_code=400, media_type="text/plain")
    shown = _flag(public)
    built = stats_data.build(ws, first, last, public=shown)
    if fmt == "json":
        data = stats_data.public_stats(built.stats, built.report) if shown else built.stats
        body = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
        name = stats_data.filename("stats", first, last, shown, "json")
    else:
        body = _report_bytes(built.report, fmt)
        name = stats_data.filename("report", first, last, shown, fmt)
    audit.log(
        request,
        user,
        "export",
        request.url.path,
        format=fmt,
        public=shown,
        period={"from": first.isoformat(), "to": last.isoformat()},
        file=name,
    )
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _report_bytes(report: Any, fmt: str) -> bytes:
    """The report as the CLI writes it, in ``fmt``."""
    from plainsight.report.render import render_html, write_report

    if fmt == "html":
        return render_html(report).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="plainsight-report-") as folder:
        path = Path(folder) / f"report.{fmt}"
        write_report(report, path, fmt)
        return path.read_bytes()


def _route(fmt: str, path: str) -> None:
    def download(
        request: Request, user: Viewer, start: From = "", to: str = "", public: str = ""
    ) -> Response:
        return _download(request, user, fmt, start, to, public)

    download.__name__ = f"stats_download_{fmt}"
    download.__doc__ = f"The statistics as {fmt.upper()} (``public=1``: the public version)."
    router.add_api_route(path, download, methods=["GET"], response_class=Response)


for _fmt in ("html", "pdf", "docx"):
    _route(_fmt, f"/stats/report.{_fmt}")
_route("json", "/stats/stats.json")
