"""The disruptions register in the web app: groups, operations, claims, approvals and figures.

``GET /disruptions`` shows the register (analyst and up): the figures of
:func:`plainsight.act.disruption_figures.disruption_figures` per financial year and category,
the organised crime groups, the operations live and closed, and every claim with its
approval and the rule that applies to it. Investigators and up record groups, operations and
claims and regrade claims; supervisors approve them, stating their rank, so the register's
own rules (:mod:`plainsight.act.disruption_rules`) decide: Major needs an inspector or above,
never the claimant. A claim the register refuses (a second claim for one activity, Major
before sentencing...) comes back on its form with the reason (422), naming the existing
claim. Every view is audited by :func:`~plainsight.web.templating.render`, every change here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from plainsight.act import disruptions as register
from plainsight.act.disruption_figures import disruption_figures
from plainsight.act.disruption_rules import (
    APPROVAL_RANK,
    CATEGORIES,
    CRIME_TYPES,
    MDSHT,
    OCG_STATUSES,
    OUTCOME_STAGES,
    RANKS,
    STRANDS,
    split_types,
    year_bounds,
    year_of,
)
from plainsight.ops.disruptions import DisruptionClaim
from plainsight.ops.users import User, role_allows
from plainsight.web import audit, workspace
from plainsight.web.auth import require
from plainsight.web.templating import render

router = APIRouter()
Analyst = Annotated[User, Depends(require("analyst"))]
Investigator = Annotated[User, Depends(require("investigator"))]
Supervisor = Annotated[User, Depends(require("supervisor"))]

CHART_WIDTH, CHART_HEIGHT, BAR = 240, 220, 18
"""The bar chart of approved claims by year and category (least width, height, bar width),
in SVG user units; the chart widens with the years shown."""


def _day(what: str, value: str, *, optional: bool = False) -> date | None:
    value = value.strip()
    if not value and optional:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a date; write it as YYYY-MM-DD") from None


def _rank_words(rank: str) -> str:
    return "police staff" if rank == "staff" else rank.replace("-", " ")


def _a(rank: str) -> str:
    """A rank in words with its article: 'an inspector', 'a sergeant'."""
    words = _rank_words(rank)
    return words if rank == "staff" else ("an " if words[0] in "aeiou" else "a ") + words


def rule_for(claim: DisruptionClaim) -> str:
    """The approval rule that applies to the claim's category, in words."""
    needed = _a(APPROVAL_RANK[claim.category])
    rule = f"{claim.category.capitalize()}: approval by {needed} or above, not the claimant"
    if claim.category == "major":
        rule += "; recorded only at sentencing"
    return rule


def _claim_row(claim: DisruptionClaim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "described": register.describe(claim),
        "activity": claim.activity,
        "claimed_on": claim.claimed_on.isoformat(),
        "year": year_of(claim.claimed_on),
        "category": claim.category,
        "strand": claim.strand,
        "crime_type": CRIME_TYPES[claim.crime_type],
        "narrative": claim.narrative,
        "operation": claim.operation.name if claim.operation else "",
        "group": claim.group.reference if claim.group else "",
        "outcome": (
            f"{claim.outcome_stage} on {claim.outcome_on.isoformat()}"
            if claim.outcome_stage and claim.outcome_on
            else ""
        ),
        "claimant": f"{claim.claimant} ({_rank_words(claim.claimant_rank)})",
        "approved": claim.approved,
        "status": (
            f"approved by {claim.approved_by} ({_rank_words(claim.approver_rank or '')}) "
            f"on {claim.approved_at:%Y-%m-%d}"
            if claim.approved and claim.approved_at
            else "awaiting approval"
        ),
        "rule": rule_for(claim),
    }


def _chart(per: Counter[tuple[str, str]], years: list[str]) -> dict[str, Any]:
    """Bars of approved claims per year and category, laid out for an inline SVG."""
    top = max(per.values(), default=0)
    left, bottom, gap = 40, CHART_HEIGHT - 30, 14
    step = (len(CATEGORIES) * BAR) + gap
    bars, labels = [], []
    for i, fy in enumerate(years):
        x0 = left + i * step
        labels.append({"x": x0 + (len(CATEGORIES) * BAR) / 2, "y": bottom + 18, "text": fy})
        for j, category in enumerate(CATEGORIES):
            n = per[fy, category]
            height = round((bottom - 20) * n / top) if top else 0
            bars.append(
                {
                    "x": x0 + j * BAR,
                    "y": bottom - height,
                    "width": BAR - 2,
                    "height": height,
                    "category": category,
                    "n": n,
                    "title": f"{fy}: {n} {category.capitalize()}",
                }
            )
    width = max(CHART_WIDTH, left + len(years) * step + 20)
    return {
        "width": width,
        "height": CHART_HEIGHT,
        "bottom": bottom,
        "left": left,
        "top": top,
        "bars": bars,
        "labels": labels,
    }


def register_view(session: Session, financial_year: str | None) -> dict[str, Any]:
    """Everything the register page shows, for one financial year or for every year.

    Raises:
        ValueError: ``financial_year`` is not a financial year.
    """
    figures = disruption_figures(session, financial_year=financial_year)
    per = Counter[tuple[str, str]]()
    for row in figures["rows"]:
        per[row["financial_year"], row["category"]] += row["claims"]
    claims = register.claims(session, financial_year=financial_year)
    rows = [_claim_row(c) for c in claims]
    waiting = Counter(r["year"] for r in rows if not r["approved"])
    years = sorted(set(figures["by_year"]) | set(waiting))
    by_year = [
        {
            "year": fy,
            **{k: per[fy, k] for k in CATEGORIES},
            "total": figures["by_year"].get(fy, 0),
            "awaiting": waiting[fy],
            "claims": [r for r in rows if r["year"] == fy],
        }
        for fy in years
    ]
    groups = [
        {
            "reference": g.reference,
            "name": g.name,
            "crime_types": ", ".join(CRIME_TYPES[t] for t in split_types(g.crime_types)),
            "mdsht": MDSHT in split_types(g.crime_types),
            "status": g.status,
            "nominals": len(g.nominals),
        }
        for g in register.groups(session)
    ]
    operations = [
        {
            "id": o.id,
            "name": o.name,
            "live": o.live,
            "opened_on": o.opened_on.isoformat(),
            "closed_on": o.closed_on.isoformat() if o.closed_on else "",
            "crime_types": ", ".join(CRIME_TYPES[t] for t in split_types(o.crime_types)),
            "mdsht": MDSHT in split_types(o.crime_types),
            "groups": ", ".join(g.reference for g in o.groups),
        }
        for o in register.operations(session)
    ]
    return {
        "figures": figures,
        "by_year": by_year,
        "chart": _chart(per, sorted(figures["by_year"])),
        "groups": groups,
        "operations": operations,
        "claim_count": len(rows),
    }


def _page(
    request: Request,
    user: User,
    *,
    year: str = "",
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    given: dict[str, dict[str, str]] | None = None,
) -> Response:
    errors = dict(errors or {})
    chosen: str | None = None
    if year.strip():
        try:
            chosen = year_bounds(year)[0]
        except ValueError as exc:
            errors["year"] = str(exc)
            status_code = max(status_code, 422)
    with workspace(request).ops.session() as session:
        view = register_view(session, chosen)
    return render(
        request,
        "disruptions.html.j2",
        user,
        status_code=status_code,
        year=chosen or "",
        year_asked=year,
        errors=errors,
        given=given or {},
        may_record=role_allows(user.role, "investigator"),
        may_approve=role_allows(user.role, "supervisor"),
        categories=CATEGORIES,
        strands=STRANDS,
        crime_types=CRIME_TYPES,
        statuses=OCG_STATUSES,
        stages=OUTCOME_STAGES,
        ranks={r: _rank_words(r) for r in RANKS},
        approval_rank={k: _a(v) for k, v in APPROVAL_RANK.items()},
        approval_code=APPROVAL_RANK,
        **view,
    )


@router.get("/disruptions")
def disruptions_page(request: Request, user: Analyst, year: str = "") -> Response:
    """The register: figures per financial year, groups, operations and claims."""
    return _page(request, user, year=year)


Work = Callable[[Session, str, Any], str]


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {
        k: v.strip() if isinstance(v, str) else "" for k, v in form.items() if k != "csrf_token"
    }


def _change(
    request: Request,
    user: User,
    *,
    form_name: str,
    given: dict[str, str],
    action: str,
    target: str,
    work: Work,
    anchor: str,
    **detail: Any,
) -> Response:
    """Run ``work(session, user name, clock)`` in one transaction, audit it, go back to the
    register; a refusal by the register comes back on its form (422), audited as refused."""
    ws = workspace(request)
    try:
        with ws.ops.session() as session:
            done = work(session, user.name, ws.clock)
    except ValueError as exc:
        reason = str(exc)
        audit.log(request, user, "refused", target, form=form_name, reason=reason)
        return _page(
            request,
            user,
            status_code=422,
            errors={form_name: reason},
            given={form_name: given},
        )
    audit.log(request, user, action, target, done=done, **detail)
    return RedirectResponse(f"/disruptions#{anchor}", status_code=303)


@router.post("/disruptions/groups")
async def add_group(request: Request, user: Investigator) -> Response:
    """Record an organised crime group (investigator and up)."""
    given = await _form(request)
    form = await request.form()
    types = [str(t) for t in form.getlist("crime_types")]

    def work(session: Session, who: str, clock: Any) -> str:
        return register.add_group(
            session,
            reference=given.get("reference", ""),
            name=given.get("name", ""),
            types=types,
            status=given.get("status", "active"),
            who=who,
            clock=clock,
        ).reference

    return await run_in_threadpool(
        _change,
        request,
        user,
        form_name="group",
        given=given,
        action="create",
        target=f"disruptions group {given.get('reference', '')}",
        work=work,
        anchor="groups",
        crime_types=types,
    )


@router.post("/disruptions/operations")
async def add_operation(request: Request, user: Investigator) -> Response:
    """Record a live operation with its crime types and target groups (investigator and up)."""
    given = await _form(request)
    form = await request.form()
    types = [str(t) for t in form.getlist("crime_types")]
    targets = [str(g) for g in form.getlist("groups") if str(g).strip()]

    def work(session: Session, who: str, clock: Any) -> str:
        opened = _day("the opening date", given.get("opened_on", ""))
        assert opened is not None
        return register.add_operation(
            session,
            name=given.get("name", ""),
            types=types,
            opened_on=opened,
            group_references=targets,
            who=who,
            clock=clock,
        ).name

    return await run_in_threadpool(
        _change,
        request,
        user,
        form_name="operation",
        given=given,
        action="create",
        target=f"disruptions operation {given.get('name', '')}",
        work=work,
        anchor="operations",
        crime_types=types,
        groups=targets,
    )


@router.post("/disruptions/operations/{operation_id}/close")
async def close_operation(request: Request, user: Investigator, operation_id: int) -> Response:
    """Close a live operation (investigator and up); its claims stay in the figures."""
    given = await _form(request)

    def work(session: Session, _who: str, _clock: Any) -> str:
        from plainsight.ops.disruptions import Operation

        op = session.get(Operation, operation_id)
        if op is None:
            raise ValueError(f"no operation {operation_id}")
        closed = _day("the closing date", given.get("closed_on", ""))
        assert closed is not None
        return register.close_operation(session, name=op.name, closed_on=closed).name

    return await run_in_threadpool(
        _change,
        request,
        user,
        form_name=f"close-{operation_id}",
        given=given,
        action="update",
        target=f"disruptions operation {operation_id}",
        work=work,
        anchor="operations",
        closed=given.get("closed_on", ""),
    )


@router.post("/disruptions/claims")
async def add_claim(request: Request, user: Investigator) -> Response:
    """Claim one disruption for one activity (investigator and up), as the signed-in user."""
    given = await _form(request)

    def work(session: Session, who: str, clock: Any) -> str:
        claimed_on = _day("the activity date", given.get("claimed_on", ""))
        assert claimed_on is not None
        claim = register.add_claim(
            session,
            activity=given.get("activity", ""),
            claimed_on=claimed_on,
            strand=given.get("strand", ""),
            category=given.get("category", ""),
            crime_type=given.get("crime_type", ""),
            narrative=given.get("narrative", ""),
            claimant=who,
            claimant_rank=given.get("rank", ""),
            operation_name=given.get("operation") or None,
            group_reference=given.get("group") or None,
            outcome_stage=given.get("outcome_stage") or None,
            outcome_on=_day("the outcome date", given.get("outcome_on", ""), optional=True),
            clock=clock,
        )
        return register.describe(claim)

    return await run_in_threadpool(
        _change,
        request,
        user,
        form_name="claim",
        given=given,
        action="create",
        target=f"disruptions claim {given.get('activity', '').upper()}",
        work=work,
        anchor="claims",
        category=given.get("category", ""),
        crime_type=given.get("crime_type", ""),
    )


@router.post("/disruptions/claims/{claim_id}/approve")
async def approve_claim(request: Request, user: Supervisor, claim_id: int) -> Response:
    """A supervisor's approval, at the rank they state; the register's rank rules decide."""
    given = await _form(request)

    def work(session: Session, who: str, clock: Any) -> str:
        claim = register.approve_claim(
            session, claim_id=claim_id, approver=who, rank=given.get("rank", ""), clock=clock
        )
        return register.describe(claim)

    return await run_in_threadpool(
        _change,
        request,
        user,
        form_name=f"claim-{claim_id}",
        given=given,
        action="approve",
        target=f"disruptions claim {claim_id}",
        work=work,
        anchor=f"claim-{claim_id}",
        rank=given.get("rank", ""),
    )


@router.post("/disruptions/claims/{claim_id}/regrade")
async def regrade_claim(request: Request, user: Investigator, claim_id: int) -> Response:
    """Regrade a claim as its outcome moves on (investigator and up); a new category needs
    approval again."""
    given = await _form(request)

    def work(session: Session, _who: str, _clock: Any) -> str:
        claim = register.regrade_claim(
            session,
            claim_id=claim_id,
            category=given.get("category", ""),
            outcome_stage=given.get("outcome_stage") or None,
            outcome_on=_day("the outcome date", given.get("outcome_on", ""), optional=True),
        )
        return register.describe(claim)

    return await run_in_threadpool(
        _change,
        request,
        user,
        form_name=f"claim-{claim_id}",
        given=given,
        action="update",
        target=f"disruptions claim {claim_id}",
        work=work,
        anchor=f"claim-{claim_id}",
        category=given.get("category", ""),
        outcome=given.get("outcome_stage", ""),
    )
