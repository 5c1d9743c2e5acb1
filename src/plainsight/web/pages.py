"""The analyst pages: search, an advert's evidence, personas, networks, the map, alerts, checks.

Every page needs a signed-in user; every view, search and picture served is written to the
audit log (channel "web") through :func:`plainsight.web.audit.log`. Pages show evidence and
the reasons things were linked, never a verdict.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from plainsight.errors import Rejected
from plainsight.ops.users import User
from plainsight.web import advert_data, audit, jsonable, pages_data, search_data, workspace
from plainsight.web.auth import require
from plainsight.web.pictures import UnsafePictureError, safe_picture
from plainsight.web.templating import render

router = APIRouter()
Analyst = Annotated[User, Depends(require("analyst"))]


def _missing(request: Request, user: User, what: str) -> Response:
    return render(request, "search.html.j2", user, status_code=404, q="", results=[], missing=what)


@router.get("/search")
def search_page(request: Request, user: Analyst, q: str = "") -> Response:
    """Search by phone (any writing), e-mail, name, place or postcode, words in the text,
    advert, persona or network id; or upload a picture (:func:`picture_search`)."""
    results: list[dict[str, str]] = []
    if q.strip():
        with workspace(request).reading() as engine:
            results = search_data.search(engine, q)
        audit.log(request, user, "search", q.strip(), results=len(results))
    return render(request, "search.html.j2", user, q=q, results=results)


@router.post("/search/picture")
def picture_search(
    request: Request,
    user: Analyst,
    picture: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Adverts carrying the uploaded picture or a near-identical copy (resized, re-encoded,
    cropped, mirrored), each with the hash distance as the reason. The upload is read,
    hashed and dropped: it is never stored. Non-pictures (415), decompression bombs and
    oversized files (413) and pictures too small to fingerprint (422) are refused."""
    data = picture.file.read(search_data.MAX_UPLOAD + 1) if picture is not None else b""
    if picture is not None:
        picture.file.close()
    sha = hashlib.sha256(data).hexdigest()
    refused, status = "", 200
    found: list[dict[str, str]] = []
    if not data:
        refused, status = "No picture was uploaded.", 422
    elif len(data) > search_data.MAX_UPLOAD:
        limit = search_data.MAX_UPLOAD // (1024 * 1024)
        refused, status = f"The file is larger than {limit} MB.", 413
    else:
        try:
            with workspace(request).reading() as engine:
                found = search_data.search_picture(engine, data).results
        except UnsafePictureError as error:
            too_big = "too large" in str(error)
            refused = f"Not searched: {str(error).rstrip('.')}."
            status = 413 if too_big else 415
        except Rejected as error:
            refused, status = f"Not searched: {error.reason.rstrip('.')}.", 422
    detail: dict[str, Any] = {"kind": "picture", "sha256": sha, "bytes": len(data)}
    if refused:
        detail["refused"] = refused
    audit.log(request, user, "search", "picture", **detail, results=len(found))
    del data
    return render(
        request,
        "search.html.j2",
        user,
        status_code=status,
        q="",
        results=found,
        picture_sha256=sha if not refused else "",
        refused=refused,
        searched_picture=True,
    )


@router.get("/advert/{advert_id}")
def advert_page(
    request: Request, user: Analyst, advert_id: str, left: str = "", right: str = ""
) -> Response:
    """An advert's evidence: two captures side by side with the changes marked (``left``
    and ``right`` name them; else the previous and the latest), every capture with its
    indicator evidence highlighted, pictures, facts, links and the custody record."""
    ws = workspace(request)
    with ws.reading() as engine:
        data = advert_data.advert(engine, advert_id, left or None, right or None)
    if data is None:
        return _missing(request, user, f"advert {advert_id}")
    record = advert_data.custody(ws, data["captures"])
    return render(request, "advert.html.j2", user, custody=record, **data)


@router.get("/evidence/{sha256}")
def evidence_file(request: Request, user: Analyst, sha256: str) -> Response:
    """A picture from evidence, only when a capture refers to it, re-encoded as PNG
    (:mod:`plainsight.web.pictures`); each view is audited."""
    ws = workspace(request)
    with ws.reading() as engine:
        known = pages_data.picture_referenced(engine, sha256)
        fmt = ""
        if known:
            rows = engine.run("SELECT format FROM images WHERE sha256 = ?", [sha256]).to_pylist()
            fmt = str(rows[0]["format"] or "") if rows else ""
    if not known or not ws.evidence.has(sha256):
        return Response("Not found", status_code=404, media_type="text/plain")
    audit.log(request, user, "view", f"/evidence/{sha256}", kind="picture", format=fmt)
    try:
        shown = safe_picture(ws.evidence.path_for(sha256).read_bytes())
    except UnsafePictureError as refused:
        return Response(f"Not shown: {refused}", status_code=415, media_type="text/plain")
    return Response(
        shown,
        media_type="image/png",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/persona/{persona_id}")
def persona_page(request: Request, user: Analyst, persona_id: str) -> Response:
    """A persona's adverts and why they were put together."""
    with workspace(request).reading() as engine:
        data = pages_data.persona(engine, persona_id)
    if data is None:
        return _missing(request, user, f"persona {persona_id}")
    return render(request, "persona.html.j2", user, **data)


@router.get("/map")
def map_page(request: Request, user: Analyst) -> Response:
    """The City of London and the places adverts mention (no tiles: nothing leaves)."""
    return render(request, "map.html.j2", user)


@router.get("/map/data.json")
def map_json(request: Request, user: Analyst) -> Response:
    """The boundary GeoJSON and the mentioned places with coordinates (the same for everyone
    until the lake changes, so made once per lake version)."""
    ws = workspace(request)
    version = ws.lake.snapshot().version
    key = (str(ws.home), version)
    body = _MAP_CACHE.get(key)
    if body is None:
        with ws.reading() as engine:
            data = pages_data.map_data(engine)
        body = (len(data["places"]), orjson.dumps(jsonable(data)))
        _MAP_CACHE.clear()
        _MAP_CACHE[key] = body
    audit.log(request, user, "view", "/map/data.json", places=body[0], lake_version=version)
    return Response(body[1], media_type="application/json")


_MAP_CACHE: dict[tuple[str, int], tuple[int, bytes]] = {}
"""The map's data by workspace and lake version: the latest only."""


@router.get("/alerts")
def alerts_page(request: Request, user: Analyst, all: bool = False) -> Response:
    """Alerts raised by watches, unacknowledged first (all of them with ``?all=1``)."""
    with workspace(request).ops.session() as session:
        rows = pages_data.alerts(session, include_acknowledged=all)
    return render(request, "alerts.html.j2", user, alerts=rows, show_all=all)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge_alert(
    request: Request, user: Analyst, alert_id: int, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Acknowledge one alert (the CSRF token is checked by the app's middleware)."""
    ws = workspace(request)
    with ws.ops.session() as session:
        done = pages_data.acknowledge(session, alert_id, user.name, ws.clock())
    if done:
        audit.log(request, user, "acknowledge", f"alert {alert_id}")
    return RedirectResponse("/alerts", status_code=303)


@router.get("/checks")
def checks_page(request: Request, user: Analyst) -> Response:
    """Welfare checks with no outcome yet."""
    with workspace(request).ops.session() as session:
        rows = pages_data.open_checks(session)
    return render(request, "checks.html.j2", user, checks=rows)
