"""The threat profile in the web app: the six intelligence requirements, on screen and to file.

``GET /threat`` answers the requirements with
:func:`plainsight.act.threat.build_threat_profile` for an optional period (``?start=`` and
``?end=``, YYYY-MM-DD), each with its figures, evidence tables, definitions and what the data
cannot say (analyst and up; the view is audited). ``GET /threat.pdf`` and ``/threat.docx``
write the same profile with :mod:`plainsight.act.threat_render` and are audited as exports.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from plainsight.act.threat import ThreatProfile, build_threat_profile
from plainsight.act.threat_render import MARKING, TITLE, write_profile
from plainsight.ops.users import User
from plainsight.web import audit, workspace
from plainsight.web.auth import require
from plainsight.web.templating import render

router = APIRouter()
Analyst = Annotated[User, Depends(require("analyst"))]

DOWNLOADS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
"""The formats the profile downloads in, and their media types."""


def period(start: str, end: str) -> tuple[date | None, date | None]:
    """The period asked for: either day may be blank (open-ended).

    Raises:
        ValueError: a day is not YYYY-MM-DD, or the period ends before it starts.
    """
    days: list[date | None] = []
    for what, value in (("start", start), ("end", end)):
        value = value.strip()
        if not value:
            days.append(None)
            continue
        try:
            days.append(date.fromisoformat(value))
        except ValueError:
            raise ValueError(
                f"the {what} {value!r} is not a date; write it as YYYY-MM-DD"
            ) from None
    first, last = days
    if first is not None and last is not None and last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    return first, last


def _profile(request: Request, first: date | None, last: date | None) -> ThreatProfile:
    ws = workspace(request)
    return build_threat_profile(ws, start=first, end=last, clock=ws.clock)


def _query(first: date | None, last: date | None) -> str:
    parts = [f"start={first.isoformat()}"] if first else []
    parts += [f"end={last.isoformat()}"] if last else []
    return ("?" + "&".join(parts)) if parts else ""


@router.get("/threat")
def threat_page(request: Request, user: Analyst, start: str = "", end: str = "") -> Response:
    """The six intelligence requirements answered for the period, with evidence and limits."""
    try:
        first, last = period(start, end)
    except ValueError as exc:
        return render(
            request,
            "threat.html.j2",
            user,
            status_code=422,
            profile=None,
            error=str(exc),
            start=start,
            end=end,
            query="",
            title=TITLE,
            marking=MARKING,
        )
    profile = _profile(request, first, last)
    return render(
        request,
        "threat.html.j2",
        user,
        profile=profile,
        error="",
        start=start.strip(),
        end=end.strip(),
        query=_query(first, last),
        title=TITLE,
        marking=MARKING,
        produced=f"{profile.produced_at:%-d %B %Y at %H:%M} UTC",
    )


def _download(request: Request, user: User, fmt: str, start: str, end: str) -> Response:
    try:
        first, last = period(start, end)
    except ValueError as exc:
        return Response(str(exc), status_code=422, media_type="text/plain")
    profile = _profile(request, first, last)
    with tempfile.TemporaryDirectory(prefix="plainsight-threat-") as folder:
        path = write_profile(profile, Path(folder) / f"threat-profile.{fmt}", fmt)
        body = path.read_bytes()
    audit.log(
        request,
        user,
        "export",
        "threat profile",
        format=fmt,
        period={
            "from": first.isoformat() if first else None,
            "to": last.isoformat() if last else None,
        },
        sources=list(profile.sources),
        bytes=len(body),
    )
    stamp = profile.produced_at.strftime("%Y%m%d")
    return Response(
        body,
        media_type=DOWNLOADS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="threat-profile-{stamp}.{fmt}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/threat.pdf")
def threat_pdf(request: Request, user: Analyst, start: str = "", end: str = "") -> Response:
    """The threat profile as an A4 PDF (audited as an export)."""
    return _download(request, user, "pdf", start, end)


@router.get("/threat.docx")
def threat_docx(request: Request, user: Analyst, start: str = "", end: str = "") -> Response:
    """The threat profile as a Word document (audited as an export)."""
    return _download(request, user, "docx", start, end)
