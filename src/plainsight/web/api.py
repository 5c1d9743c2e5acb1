"""The JSON API (``/api/v1``): the analyst pages' data for other tools, with its own spec.

Every call needs a signed-in analyst (or higher casework role) who has named a line of
enquiry in the session, exactly as the pages do, and every call is written to the audit
log. Unlike the pages, a refusal is JSON: 401 when nobody is signed in or no enquiry is
named, 403 when the role does not allow casework. Unknown ids give 404, bad parameters 422.

The app itself publishes no OpenAPI document (its pages are HTML); the API's own is at
``GET /api/v1/openapi.json`` (analysts only), built from this module's routes alone.

Example::

    curl -b plainsight_session=... 'http://127.0.0.1:8000/api/v1/search?q=07700%20900123'
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from plainsight.ops.users import User
from plainsight.web import (
    advert_data,
    audit,
    network_data,
    pages_data,
    search_data,
    workspace,
)
from plainsight.web.auth import Forbidden, NoEnquiry, NotSignedIn, require

PREFIX = "/api/v1"
VERSION = "1.0"
QUERY_MAX = 200
"""The longest search accepted (characters)."""
LIMIT_DEFAULT = 50
LIMIT_MAX = 500
OFFSET_MAX = 10_000_000
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ANALYST = require("analyst")

NETWORKS_SQL = """
SELECT network_id, rank, score, personas, adverts, numbers, sites, towns, movement, summary,
       first_seen, last_seen
FROM network_scores ORDER BY rank, network_id LIMIT ? OFFSET ?
"""
NETWORKS_COUNT_SQL = "SELECT count(*) AS n FROM network_scores"


# -- response models ----------------------------------------------------------------------


class Problem(BaseModel):
    """Why a call was refused or found nothing."""

    detail: str


class SearchResult(BaseModel):
    kind: Literal["advert", "persona", "network"]
    id: str
    label: str
    why: str = Field(description="What matched: 'phone +447700900123', 'name Anna'...")
    href: str = Field(description="The analyst page showing it")


class SearchResponse(BaseModel):
    query: str
    count: int
    results: list[SearchResult]


class AdvertHead(BaseModel):
    advert_id: str
    source: str | None = None
    ad_id: str | None = None
    captures: int | None = None
    first_captured_at: datetime | None = None
    last_captured_at: datetime | None = None
    latest_capture_id: str | None = None


class Span(BaseModel):
    field: str | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None


class Capture(BaseModel):
    capture_id: str
    captured_at: datetime | None = None
    posted_at: datetime | None = None
    url: str | None = None
    title: str | None = None
    body: str | None = None
    location_text: str | None = None
    name: str | None = None
    age: int | None = None
    phone: str | None = None
    email: str | None = None
    image_sha256: list[str] | None = None


class Hit(BaseModel):
    capture_id: str | None = None
    indicator: str
    level: str | None = None
    weight: float | None = None
    note: str | None = None
    evidence: list[Span] | None = None


class Fact(BaseModel):
    kind: str
    value: str | None = None
    written: str | None = None


class AdvertResponse(BaseModel):
    advert: AdvertHead
    captures: list[Capture]
    hits: list[Hit]
    facts: list[Fact]
    persona_id: str | None
    network_id: str | None
    href: str


class PersonaAdvert(BaseModel):
    advert_id: str
    source: str | None = None
    ad_id: str | None = None
    first_captured_at: datetime | None = None
    last_captured_at: datetime | None = None


class PersonaLink(BaseModel):
    advert_a: str
    advert_b: str
    match_weight: float | None = None
    match_probability: float | None = None
    blocked_on: str | None = None
    reasons: list[str] = Field(description="Why the pair was linked, in plain English")


class PersonaResponse(BaseModel):
    persona_id: str
    adverts: list[PersonaAdvert]
    links: list[PersonaLink]
    network_id: str | None
    href: str


class NetworkSummary(BaseModel):
    network_id: str
    rank: int | None = None
    score: float | None = None
    personas: int | None = None
    adverts: int | None = None
    numbers: int | None = None
    sites: int | None = None
    towns: list[str] | None = None
    movement: str | None = None
    summary: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None


class NetworksResponse(BaseModel):
    total: int
    limit: int
    offset: int
    networks: list[NetworkSummary]


class ScorePart(BaseModel):
    name: str
    weight: float | None = None
    value: float | None = None
    contribution: float | None = None
    text: str = ""


class NetworkPersona(BaseModel):
    persona_id: str
    adverts: int


class NetworkResponse(BaseModel):
    network_id: str
    score: NetworkSummary | None
    parts: list[ScorePart]
    explanation: str
    personas: list[NetworkPersona]
    href: str


class AlertOut(BaseModel):
    id: int
    advert_id: str
    matched: str
    closeness: str
    raised_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    watch_kind: str
    watch_value: str
    watch_reason: str


class AlertsResponse(BaseModel):
    count: int
    alerts: list[AlertOut]


# -- who may call -------------------------------------------------------------------------


def api_analyst(request: Request) -> User:
    """The pages' analyst check, answered in JSON: 401 (nobody signed in, or no line of
    enquiry named) or 403 (role without casework, audited as refused)."""
    try:
        return _ANALYST(request)
    except NotSignedIn:
        raise HTTPException(401, "sign in first (POST /login)") from None
    except NoEnquiry:
        raise HTTPException(401, "name a line of enquiry first (POST /enquiry)") from None
    except Forbidden as refused:
        audit.log(request, refused.user, "refused", request.url.path, needed="analyst")
        raise HTTPException(403, "casework needs the analyst role or above") from None


api_analyst.needed = "analyst"  # type: ignore[attr-defined]  # read by the route tests
Analyst = Annotated[User, Depends(api_analyst)]
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Not signed in, or no line of enquiry named"},
    403: {"model": Problem, "description": "The role does not allow casework"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **REFUSALS,
    404: {"model": Problem, "description": "No such thing"},
}

router = APIRouter(prefix=PREFIX, tags=["api"])


def _known_id(kind: str, ident: str) -> None:
    if not _ID.match(ident):
        raise HTTPException(404, f"no {kind} {ident[:100]!r}")


def _view(request: Request, user: User) -> None:
    query = request.url.query
    audit.log(
        request, user, "view", request.url.path, via="api", **({"query": query} if query else {})
    )


# -- the calls ----------------------------------------------------------------------------


@router.get("/search", response_model=SearchResponse, responses=REFUSALS)
def search(
    request: Request,
    user: Analyst,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=QUERY_MAX,
            description="A phone (any writing), e-mail, name, advert, persona or network id",
        ),
    ],
) -> SearchResponse:
    """Adverts, personas and networks matching ``q``, as the search page finds them."""
    text = _CONTROL.sub(" ", q).strip()
    results: list[dict[str, str]] = []
    if text:
        with workspace(request).reading() as engine:
            results = search_data.search(engine, text)
    audit.log(request, user, "search", text, results=len(results), via="api")
    return SearchResponse(
        query=text,
        count=len(results),
        results=[SearchResult.model_validate(r) for r in results],
    )


@router.get("/adverts/{advert_id}", response_model=AdvertResponse, responses=NOT_FOUND)
def advert(request: Request, user: Analyst, advert_id: str) -> AdvertResponse:
    """An advert's evidence: its captures, indicator hits, facts, persona and network."""
    _view(request, user)
    _known_id("advert", advert_id)
    with workspace(request).reading() as engine:
        data = advert_data.advert(engine, advert_id)
    if data is None:
        raise HTTPException(404, f"no advert {advert_id!r}")
    return AdvertResponse(
        advert=AdvertHead.model_validate(data["advert"]),
        captures=[Capture.model_validate(c) for c in data["captures"]],
        hits=[Hit.model_validate(h) for h in data["hits"]],
        facts=[Fact.model_validate(f) for f in data["facts"]],
        persona_id=data["persona_id"],
        network_id=data["network_id"],
        href=f"/advert/{advert_id}",
    )


@router.get("/personas/{persona_id}", response_model=PersonaResponse, responses=NOT_FOUND)
def persona(request: Request, user: Analyst, persona_id: str) -> PersonaResponse:
    """A persona's adverts and the reasons they were linked."""
    _view(request, user)
    _known_id("persona", persona_id)
    with workspace(request).reading() as engine:
        data = pages_data.persona(engine, persona_id)
    if data is None:
        raise HTTPException(404, f"no persona {persona_id!r}")
    return PersonaResponse(
        persona_id=persona_id,
        adverts=[PersonaAdvert.model_validate(a) for a in data["adverts"]],
        links=[
            PersonaLink.model_validate({**link, "reasons": link.get("reason_list", [])})
            for link in data["links"]
        ],
        network_id=data["network_id"],
        href=f"/persona/{persona_id}",
    )


@router.get("/networks", response_model=NetworksResponse, responses=REFUSALS)
def networks(
    request: Request,
    user: Analyst,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = LIMIT_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
) -> NetworksResponse:
    """Networks ranked by score, highest first, ``limit`` at a time from ``offset``."""
    _view(request, user)
    with workspace(request).reading() as engine:
        total = int(engine.run(NETWORKS_COUNT_SQL).to_pylist()[0]["n"])
        rows = engine.run(NETWORKS_SQL, [limit, offset]).to_pylist()
    return NetworksResponse(
        total=total,
        limit=limit,
        offset=offset,
        networks=[NetworkSummary.model_validate(r) for r in rows],
    )


@router.get("/networks/{network_id}", response_model=NetworkResponse, responses=NOT_FOUND)
def network(request: Request, user: Analyst, network_id: str) -> NetworkResponse:
    """A network's score part by part, its explanation and its personas."""
    _view(request, user)
    _known_id("network", network_id)
    with workspace(request).reading() as engine:
        data = network_data.network(engine, network_id)
    if data is None:
        raise HTTPException(404, f"no network {network_id!r}")
    parts = data["parts"] if isinstance(data["parts"], list) else []
    return NetworkResponse(
        network_id=network_id,
        score=NetworkSummary.model_validate(data["score"]) if data["score"] else None,
        parts=[ScorePart.model_validate(p) for p in parts if isinstance(p, dict)],
        explanation=str(data["explanation"] or ""),
        personas=[NetworkPersona.model_validate(p) for p in data["personas"]],
        href=f"/network/{network_id}",
    )


@router.get("/alerts", response_model=AlertsResponse, responses=REFUSALS)
def alerts(
    request: Request,
    user: Analyst,
    all: Annotated[bool, Query(description="Include acknowledged alerts")] = False,
) -> AlertsResponse:
    """Alerts raised by watches, newest first; unacknowledged only unless ``all``."""
    _view(request, user)
    with workspace(request).ops.session() as session:
        rows = pages_data.alerts(session, include_acknowledged=all)
    return AlertsResponse(count=len(rows), alerts=[AlertOut.model_validate(r) for r in rows])


def spec() -> dict[str, Any]:
    """The API's OpenAPI document: this module's routes only, signed-in by session cookie."""
    from plainsight.web.app import SESSION_COOKIE

    document = get_openapi(
        title="plainsight API",
        version=VERSION,
        description=(__doc__ or "").split("\n\n")[1].replace("\n", " "),
        routes=[r for r in router.routes if getattr(r, "include_in_schema", True)],
    )
    document.setdefault("components", {})["securitySchemes"] = {
        "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE}
    }
    document["security"] = [{"session": []}]
    # round-trip so the document is plain JSON (what a client would read)
    loaded: dict[str, Any] = orjson.loads(orjson.dumps(document))
    return loaded


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, user: Analyst) -> dict[str, Any]:
    """This API's OpenAPI document."""
    _view(request, user)
    return spec()
