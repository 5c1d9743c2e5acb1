"""The intelligence log in the web app: list, raise a report from the evidence, grade, export.

An analyst raises a report from an advert, a persona or a network: ``/intel/new`` shows the
draft plainsight writes from the evidence (:func:`plainsight.act.intel_draft.draft_report`;
an advert is drafted through the persona it belongs to), the analyst edits it and saves it.
The draft plainsight wrote is kept as revision 1 and the analyst's changes as revision 2, so
the log shows who wrote what.

Who may do what (the CLI runs as one operator, so the split is the web app's own):

- analyst and up: read the log and its reports, raise a report, edit its text, and download a
  graded report (or its sanitised copy) as PDF or DOCX;
- investigator and up: grade a report (3x5x2) and make its sanitised copy for wider sharing;
- viewer and admin: none of it (403).

Every view, creation, edit, grading, sanitised copy and export is written to the audit log
with the line of enquiry named in the session. A request the log refuses (handling code C
without conditions, an imported report, empty text) is shown on the form, with status 422.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from plainsight.act import intel
from plainsight.act.intel import IntelError
from plainsight.act.intel_draft import Draft, SubjectNotFoundError, draft_report
from plainsight.lake.engine import Engine
from plainsight.ops.intel import IntelReport
from plainsight.ops.users import User, role_allows
from plainsight.web import audit, workspace
from plainsight.web.auth import require
from plainsight.web.templating import render

router = APIRouter()
Analyst = Annotated[User, Depends(require("analyst"))]
Investigator = Annotated[User, Depends(require("investigator"))]


def _report_number(report_id: str) -> int:
    """The report number in the path (``/intel/12``); anything else is not found."""
    if not report_id.isdigit() or len(report_id) > 12:
        raise HTTPException(status_code=404, detail="no such intelligence report")
    return int(report_id)


ReportId = Annotated[int, Depends(_report_number)]
KINDS = ("advert", "persona", "network")
"""What a report may be raised from."""
GRADERS = "investigator"
"""The least role that may grade a report and make its sanitised copy."""
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _text(value: str) -> str:
    """A textarea's value with the browser's CRLF line ends made plain newlines."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _lines(value: str) -> list[str]:
    return [x.strip() for x in _text(value).split("\n") if x.strip()]


def draft_for(engine: Engine, kind: str, ident: str) -> Draft:
    """plainsight's draft on an advert, persona or network.

    An advert is drafted through its persona (all the persona's adverts are the evidence),
    with a line saying which advert the report was raised from.

    Raises:
        SubjectNotFoundError: an unknown kind, no such subject, or nothing linked yet.
    """
    ident = ident.strip()
    if kind not in KINDS:
        raise SubjectNotFoundError(f"cannot raise a report from {kind!r}: use {', '.join(KINDS)}")
    if not ident:
        raise SubjectNotFoundError(f"say which {kind} the report is on")
    if kind != "advert":
        return draft_report(engine, kind, ident)
    if not engine.table_exists("adverts") or not engine.table_exists("personas"):
        raise SubjectNotFoundError("nothing is linked yet: run `plainsight run` first")
    rows = engine.run(
        "SELECT a.source, a.ad_id, p.persona_id FROM adverts a "
        "LEFT JOIN personas p ON p.advert_id = a.advert_id WHERE a.advert_id = ? LIMIT 1",
        [ident],
    ).to_pylist()
    if not rows:
        raise SubjectNotFoundError(f"no advert {ident}")
    persona = rows[0]["persona_id"]
    if not persona:
        raise SubjectNotFoundError(f"advert {ident} is in no persona yet: run `plainsight run`")
    draft = draft_report(engine, "persona", str(persona))
    lines = draft.text.split("\n")
    note = (
        f"Raised from advert {ident} ({rows[0]['source']} ad {rows[0]['ad_id']}); the evidence "
        f"is every advert of its persona {persona}."
    )
    return replace(draft, text="\n".join([*lines[:3], note, *lines[3:]]))


def _reference(report: IntelReport) -> str:
    ref = f"INTEL-{report.id}"
    return f"{ref} (was {report.external_ref})" if report.external_ref else ref


def _status(report: IntelReport) -> str:
    return "sanitised" if report.sanitised_text is not None else report.status


def _when(value: Any) -> str:
    return f"{value:%d %b %Y %H:%M}" if value is not None else ""


def _row(report: IntelReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "reference": _reference(report),
        "title": report.title,
        "subject_kind": report.subject_kind,
        "subject_id": report.subject_id,
        "created_by": report.created_by,
        "created_at": _when(report.created_at),
        "grading": report.grading,
        "status": _status(report),
    }


def _details(session: Session, report_id: int) -> dict[str, Any]:
    report = intel.get(session, report_id)
    removed: dict[str, int] = orjson.loads(report.sanitised_removed or "{}")
    return {
        **_row(report),
        "origin": report.origin,
        "text": report.text,
        "describe": intel.describe_grading(report),
        "graded": bool(report.scheme),
        "graded_by": report.graded_by or "",
        "graded_at": _when(report.graded_at),
        "source": report.source_grade or "",
        "intelligence": report.intelligence_grade or "",
        "handling": report.handling_code or "",
        "conditions": report.handling_conditions,
        "imported_from": report.imported_from,
        "sanitised_title": report.sanitised_title,
        "sanitised_text": report.sanitised_text,
        "sanitised_by": report.sanitised_by or "",
        "sanitised_at": _when(report.sanitised_at),
        "removed": ", ".join(f"{n} {kind}" for kind, n in removed.items()) or "nothing",
        "revisions": [
            {
                "number": r.number,
                "note": r.note,
                "by": r.written_by,
                "at": _when(r.written_at),
                "text": r.text,
            }
            for r in intel.revisions(session, report_id)
        ],
    }


def _missing(request: Request, user: User, report_id: int) -> Response:
    audit.log(request, user, "view", f"/intel/{report_id}", found=False)
    return render(
        request,
        "intel_list.html.j2",
        user,
        status_code=404,
        reports=[],
        missing=f"There is no intelligence report {report_id}.",
    )


def _report_page(
    request: Request,
    user: User,
    report_id: int,
    *,
    error: str = "",
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    """The report page (also after a refused form, with its error and what was sent)."""
    try:
        with workspace(request).ops.session() as session:
            report = _details(session, report_id)
    except IntelError:
        return _missing(request, user, report_id)
    audit.log(request, user, "view", f"/intel/{report_id}")
    return render(
        request,
        "intel_report.html.j2",
        user,
        status_code=status_code,
        report=report,
        error=error,
        form=form or {},
        schemes=intel.SCHEMES["3x5x2"],
        can_grade=role_allows(user.role, GRADERS),
    )


@router.get("/intel")
def log_page(request: Request, user: Analyst) -> Response:
    """The intelligence log, newest first: reference, subject, author, grading and status."""
    with workspace(request).ops.session() as session:
        rows = [_row(r) for r in intel.listed(session)]
    return render(request, "intel_list.html.j2", user, reports=rows, missing="")


def _new_form(
    request: Request,
    user: User,
    kind: str,
    ident: str,
    *,
    draft: Draft | None,
    text: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    audit.log(request, user, "view", "/intel/new", kind=kind, id=ident, drafted=draft is not None)
    return render(
        request,
        "intel_new.html.j2",
        user,
        status_code=status_code,
        kind=kind,
        ident=ident,
        draft=draft,
        text=text or (draft.text if draft else ""),
        error=error,
        kinds=KINDS,
    )


@router.get("/intel/new")
def new_report(request: Request, user: Analyst, kind: str = "", id: str = "") -> Response:
    """The form to raise a report on an advert, persona or network, filled with the draft."""
    try:
        with workspace(request).reading() as engine:
            draft = draft_for(engine, kind, id)
    except SubjectNotFoundError as exc:
        return _new_form(request, user, kind, id, draft=None, error=str(exc), status_code=422)
    return _new_form(request, user, kind, id, draft=draft)


@router.post("/intel")
def create_report(
    request: Request,
    user: Analyst,
    kind: Annotated[str, Form()] = "",
    id: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    """Store the report: plainsight's draft as revision 1, the analyst's text (if changed) as
    revision 2. Audited as "create"; then to the report's page."""
    ws = workspace(request)
    text = _text(text)
    try:
        with ws.reading() as engine:
            draft = draft_for(engine, kind, id)
    except SubjectNotFoundError as exc:
        return _new_form(
            request, user, kind, id, draft=None, text=text, error=str(exc), status_code=422
        )
    if not text.strip():
        error = "The report's text is empty: write the report (or keep plainsight's draft)."
        return _new_form(request, user, kind, id, draft=draft, error=error, status_code=422)
    with ws.ops.session() as session:
        report = intel.create(session, draft, who=user.name, clock=ws.clock)
        if text != draft.text:
            intel.edit(session, report.id, text, who=user.name, clock=ws.clock)
        report_id = report.id
    audit.log(
        request,
        user,
        "create",
        f"intel {report_id}",
        subject=f"{draft.subject_kind} {draft.subject_id}",
        raised_from=f"{kind} {id.strip()}",
        edited=text != draft.text,
    )
    return RedirectResponse(f"/intel/{report_id}", status_code=303)


def _not_exportable(report: IntelReport, *, sanitised: bool) -> str:
    """Why the report cannot be exported as asked ("" if it can)."""
    if not report.scheme:
        return f"Report INTEL-{report.id} is not graded: it can be downloaded once graded."
    if sanitised and report.sanitised_text is None:
        return f"Report INTEL-{report.id} has no sanitised copy: make one first."
    return ""


@router.get("/intel/{report_id}.{fmt}")
def export_report(
    request: Request, user: Analyst, report_id: ReportId, fmt: str, sanitised: bool = False
) -> Response:
    """The graded report (or, with ``?sanitised=1``, its sanitised copy) as PDF or DOCX."""
    from plainsight.act.intel_render import export

    if fmt not in MEDIA:
        return Response("Not found", status_code=404, media_type="text/plain")
    try:
        with workspace(request).ops.session() as session:
            report = intel.get(session, report_id)
            refused = _not_exportable(report, sanitised=sanitised)
            if not refused:
                with tempfile.TemporaryDirectory(prefix="plainsight-intel-") as folder:
                    out = Path(folder) / f"report.{fmt}"
                    content = export(report, fmt, out, sanitised=sanitised).read_bytes()
    except IntelError:
        return _missing(request, user, report_id)
    if refused:
        return _report_page(request, user, report_id, error=refused, status_code=422)
    audit.log(
        request,
        user,
        "export",
        f"intel {report_id}",
        format=fmt,
        sanitised=sanitised,
        size=len(content),
    )
    name = f"INTEL-{report_id}{'-sanitised' if sanitised else ''}.{fmt}"
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/intel/{report_id}")
def report_page(request: Request, user: Analyst, report_id: ReportId) -> Response:
    """A report: its grading in words, text, sanitised copy, revisions, and what may be done."""
    return _report_page(request, user, report_id)


@router.post("/intel/{report_id}/edit")
def edit_report(
    request: Request, user: Analyst, report_id: ReportId, text: Annotated[str, Form()] = ""
) -> Response:
    """Replace the text (a new revision; a graded report goes back to draft)."""
    ws = workspace(request)
    text = _text(text)
    try:
        with ws.ops.session() as session:
            intel.edit(session, report_id, text, who=user.name, clock=ws.clock)
    except IntelError as exc:
        form = {"text": text}
        return _report_page(request, user, report_id, error=str(exc), status_code=422, form=form)
    audit.log(request, user, "update", f"intel {report_id}", change="text", characters=len(text))
    return RedirectResponse(f"/intel/{report_id}", status_code=303)


@router.post("/intel/{report_id}/grade")
def grade_report(
    request: Request,
    user: Investigator,
    report_id: ReportId,
    source: Annotated[str, Form()] = "",
    intelligence: Annotated[str, Form()] = "",
    handling: Annotated[str, Form()] = "",
    conditions: Annotated[str, Form()] = "",
) -> Response:
    """Grade the report 3x5x2 (handling code C needs its conditions)."""
    ws = workspace(request)
    try:
        with ws.ops.session() as session:
            grading = intel.grade(
                session,
                report_id,
                source=source,
                intelligence=intelligence,
                handling=handling,
                conditions=conditions,
                who=user.name,
                clock=ws.clock,
            ).grading
    except IntelError as exc:
        message = str(exc).replace("give --conditions", "write them in Conditions")
        form = {
            "source": source,
            "intelligence": intelligence,
            "handling": handling,
            "conditions": conditions,
        }
        return _report_page(request, user, report_id, error=message, status_code=422, form=form)
    audit.log(request, user, "update", f"intel {report_id}", change="grade", grading=grading)
    return RedirectResponse(f"/intel/{report_id}", status_code=303)


@router.post("/intel/{report_id}/sanitise")
def sanitise_report(
    request: Request,
    user: Investigator,
    report_id: ReportId,
    names: Annotated[str, Form()] = "",
    addresses: Annotated[str, Form()] = "",
) -> Response:
    """Make (or remake) the sanitised copy, removing also the names and addresses given
    (one a line)."""
    ws = workspace(request)
    try:
        with ws.ops.session() as session:
            removed = intel.sanitise(
                session,
                report_id,
                names=_lines(names),
                addresses=_lines(addresses),
                who=user.name,
                clock=ws.clock,
            ).sanitised_removed
    except IntelError as exc:
        form = {"names": names, "addresses": addresses}
        return _report_page(request, user, report_id, error=str(exc), status_code=422, form=form)
    audit.log(
        request,
        user,
        "update",
        f"intel {report_id}",
        change="sanitise",
        removed=orjson.loads(removed),
    )
    return RedirectResponse(f"/intel/{report_id}#sanitised", status_code=303)
