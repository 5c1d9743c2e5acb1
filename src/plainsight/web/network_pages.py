"""The network pages: networks ranked, and one network's score, graph, timeline and movement.

Analysts and up (with a line of enquiry named). Every page view and JSON fetch is audited
(channel "web"). A network is a lead for review: the pages show the evidence and the reasons
things were linked, never a verdict.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from plainsight.ops.users import User
from plainsight.web import audit, jsonable, network_data, workspace
from plainsight.web.auth import require
from plainsight.web.templating import render

router = APIRouter()
Analyst = Annotated[User, Depends(require("analyst"))]


@router.get("/networks")
def networks_page(
    request: Request, user: Analyst, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1
) -> Response:
    """Networks ranked by score, :data:`PAGE` to a page."""
    rows: list[dict[str, Any]] = []
    total = 0
    with workspace(request).reading() as engine:
        if engine.table_exists("network_scores"):
            total = network_data.network_count(engine)
            rows = network_data.networks(engine, limit=PAGE, offset=(page - 1) * PAGE)
    pages = max(1, -(-total // PAGE))
    return render(
        request, "networks.html.j2", user, networks=rows, total=total, page=page, pages=pages
    )


PAGE = 100
"""Networks listed on one page."""


@router.get("/network/{network_id}")
def network_page(request: Request, user: Analyst, network_id: str) -> Response:
    """A network's score part by part, its explanation, personas, graph, the timeline of
    its adverts, its movement between towns and the generic identifiers left out of it."""
    with workspace(request).reading() as engine:
        data = network_data.network(engine, network_id)
        if data is not None:
            spans = network_data.advert_spans(engine, network_id)
            moves = network_data.movement(network_data.town_visits(engine, network_id))
            generic = network_data.generic_identifiers(engine, network_id)
    if data is None:
        return render(
            request,
            "search.html.j2",
            user,
            status_code=404,
            q="",
            results=[],
            missing=f"network {network_id}",
        )
    return render(
        request,
        "network.html.j2",
        user,
        **data,
        timeline=network_data.timeline(spans),
        moves=moves["moves"],
        towns=moves["towns"],
        generic=generic,
    )


@router.get("/network/{network_id}/graph.json")
def network_graph(request: Request, user: Analyst, network_id: str) -> Response:
    """The network's personas and links as Cytoscape elements, and (under ``generic``) the
    generic identifiers its adverts carry, not used for linking."""
    with workspace(request).reading() as engine:
        data = network_data.network_graph(engine, network_id)
    audit.log(
        request,
        user,
        "view",
        f"/network/{network_id}/graph.json",
        generic=sum(1 for e in data["generic"] if e["group"] == "nodes"),
    )
    return JSONResponse(jsonable(data))


@router.get("/network/{network_id}/movement.json")
def network_movement(request: Request, user: Analyst, network_id: str) -> Response:
    """The towns the network's adverts name and each persona's moves between them, in time
    order (see :func:`plainsight.web.network_data.movement`)."""
    with workspace(request).reading() as engine:
        data = network_data.movement(network_data.town_visits(engine, network_id))
    audit.log(
        request,
        user,
        "view",
        f"/network/{network_id}/movement.json",
        towns=len(data["towns"]),
        moves=len(data["moves"]),
    )
    return JSONResponse(jsonable({"network_id": network_id, **data}))
