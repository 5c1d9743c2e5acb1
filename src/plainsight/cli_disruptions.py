"""The disruptions register commands of ``plainsight``: groups, operations, claims, figures.

Registered by :mod:`plainsight.cli`. Every listing (which may show nominals or narratives) is
written to the audit log as a view, every change as an alteration, the JSON figures as an
export, each with the operator and ``--why``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from plainsight.act.disruption_rules import (
    APPROVAL_RANK,
    CATEGORIES,
    CRIME_TYPES,
    OUTCOME_STAGES,
    RANKS,
    STRANDS,
)
from plainsight.cli import _audit, _workspace, app, console, errors

_DEFINITIONS = "\n\n".join(f"{k.upper()}: {v}" for k, v in CATEGORIES.items())
_RULES = (
    "One claim per activity (its reference is unique); no double counting: an activity "
    "already claimed under one crime type is refused under another; Major only at "
    "sentencing (--outcome sentenced with its date). Approval: Major by an "
    f"{APPROVAL_RANK['major']} or above, Moderate and Minor by a {APPROVAL_RANK['minor']} or "
    "above, never by the claimant."
)

disruptions_app = typer.Typer(
    help="The disruptions register: organised crime groups, operations, claims and figures.",
    no_args_is_help=True,
)
groups_app = typer.Typer(help="Organised crime groups and their nominals.", no_args_is_help=True)
operations_app = typer.Typer(help="Operations, live or closed.", no_args_is_help=True)
claims_app = typer.Typer(
    help=f"Disruption claims and their approval.\n\n{_DEFINITIONS}\n\n{_RULES}",
    no_args_is_help=True,
)
app.add_typer(disruptions_app, name="disruptions")
disruptions_app.add_typer(groups_app, name="groups")
disruptions_app.add_typer(operations_app, name="operations")
disruptions_app.add_typer(claims_app, name="claims")

Day = Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="A date, YYYY-MM-DD.")]
OutcomeStage = Annotated[
    str | None, typer.Option(help=f"Outcome stage: {', '.join(OUTCOME_STAGES)}.")
]
OutcomeDate = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="When the outcome came.")
]
Types = Annotated[
    list[str], typer.Option("--crime-type", help=f"Repeatable: {', '.join(CRIME_TYPES)}.")
]
Year = Annotated[
    str | None, typer.Option("--year", help="A financial year (April to March): 2023/24.")
]


def _run(ctx: typer.Context, action: str, target: str, work: Any, **detail: Any) -> Any:
    """Run ``work(session, operator, clock)`` in one transaction; a refusal is one line."""
    workspace = _workspace(ctx)
    try:
        with workspace.ops.session() as session:
            result = work(session, workspace.settings.operator, workspace.clock)
    except ValueError as exc:
        errors.print(f"[red]refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    _audit(ctx, workspace, action, target, **detail)
    return result


@groups_app.command("add")
def groups_add(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The OCG reference, e.g. OCG-0412.")],
    name: Annotated[str, typer.Option(help="The group's name as the force knows it.")],
    crime_type: Types,
    status: Annotated[str, typer.Option(help="active, dormant or archived.")] = "active",
) -> None:
    """Record an organised crime group with its crime types."""
    from plainsight.act.disruptions import add_group

    said = _run(
        ctx,
        "alter",
        f"disruptions group {reference}",
        lambda s, who, clock: (
            add_group(
                s,
                reference=reference,
                name=name,
                types=crime_type,
                who=who,
                status=status,
                clock=clock,
            ).reference
        ),
        crime_types=crime_type,
    )
    console.print(f"Recorded group {escape(said)}.")


@groups_app.command("nominal")
def groups_nominal(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="The OCG reference.")],
    reference: Annotated[str, typer.Option(help="The nominal's reference.")],
    name: Annotated[str, typer.Option(help="The nominal's name (no more than is needed).")],
    role: Annotated[str, typer.Option(help="Their role in the group, if known.")] = "",
) -> None:
    """Link a nominal to a group: minimal personal data (reference, name, role)."""
    from plainsight.act.disruptions import add_nominal

    _run(
        ctx,
        "alter",
        f"disruptions nominal {reference}",
        lambda s, who, clock: add_nominal(
            s,
            group_reference=group,
            reference=reference,
            name=name,
            role=role,
            who=who,
            clock=clock,
        ),
        group=group,
    )
    console.print(f"Linked nominal {escape(reference.upper())} to {escape(group.upper())}.")


@groups_app.command("list")
def groups_list(
    ctx: typer.Context,
    nominals: Annotated[bool, typer.Option(help="Also list each group's nominals.")] = False,
) -> None:
    """The organised crime groups, their crime types and status (and nominals, if asked)."""
    from plainsight.act.disruptions import groups

    def rows(s: Any, _who: str, _clock: Any) -> list[list[str]]:
        return [
            [
                g.reference,
                g.name,
                g.crime_types.replace(",", ", "),
                g.status,
                str(len(g.nominals)),
                "; ".join(
                    f"{n.reference} {n.name} ({n.role or 'role not known'})" for n in g.nominals
                )
                if nominals
                else "",
            ]
            for g in groups(s)
        ]

    found = _run(ctx, "view", "disruptions groups", rows, nominals=nominals)
    table = Table("reference", "name", "crime types", "status", "nominals")
    if nominals:
        table.add_column("who")
    for row in found:
        table.add_row(*(escape(c) for c in (row if nominals else row[:5])))
    console.print(table if found else "No organised crime groups recorded yet.")


@operations_app.command("add")
def operations_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The operation's name, e.g. 'Op Sun'.")],
    opened: Day,
    crime_type: Types,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="Repeatable: an OCG it targets.")
    ] = None,
) -> None:
    """Record a live operation; it has an MDSHT link when `mdsht` is among its crime types."""
    from plainsight.act.disruptions import add_operation

    _run(
        ctx,
        "alter",
        f"disruptions operation {name}",
        lambda s, who, clock: add_operation(
            s,
            name=name,
            types=crime_type,
            opened_on=opened.date(),
            who=who,
            group_references=group,
            clock=clock,
        ),
        crime_types=crime_type,
        groups=group or [],
    )
    console.print(f"Recorded live operation {escape(name)}.")


@operations_app.command("close")
def operations_close(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The operation's name.")],
    closed: Day,
) -> None:
    """Close a live operation; its claims stay in the figures."""
    from plainsight.act.disruptions import close_operation

    _run(
        ctx,
        "alter",
        f"disruptions operation {name}",
        lambda s, _who, _clock: close_operation(s, name=name, closed_on=closed.date()),
        closed=closed.date().isoformat(),
    )
    console.print(f"Closed operation {escape(name)} on {closed.date()}.")


@operations_app.command("list")
def operations_list(
    ctx: typer.Context,
    live: Annotated[bool, typer.Option("--live", help="Only live operations.")] = False,
) -> None:
    """Operations with their dates, crime types, groups and MDSHT link."""
    from plainsight.act.disruption_rules import MDSHT, split_types
    from plainsight.act.disruptions import operations

    def rows(s: Any, _who: str, _clock: Any) -> list[list[str]]:
        return [
            [
                o.name,
                "live" if o.live else "closed",
                str(o.opened_on),
                str(o.closed_on or ""),
                o.crime_types.replace(",", ", "),
                "yes" if MDSHT in split_types(o.crime_types) else "no",
                ", ".join(g.reference for g in o.groups),
            ]
            for o in operations(s, live_only=live)
        ]

    found = _run(ctx, "view", "disruptions operations", rows, live_only=live)
    table = Table("operation", "status", "opened", "closed", "crime types", "MDSHT link", "OCGs")
    for row in found:
        table.add_row(*(escape(c) for c in row))
    console.print(table if found else "No operations recorded yet.")


@claims_app.command(
    "add", help=f"Claim one disruption for one activity.\n\n{_DEFINITIONS}\n\n{_RULES}"
)
def claims_add(
    ctx: typer.Context,
    activity: Annotated[str, typer.Argument(help="The activity's reference, unique per claim.")],
    date: Day,
    strand: Annotated[str, typer.Option(help=f"4P strand: {', '.join(STRANDS)}.")],
    category: Annotated[str, typer.Option(help="major, moderate or minor (see above).")],
    crime_type: Annotated[
        str, typer.Option(help=f"The one primary crime type: {', '.join(CRIME_TYPES)}.")
    ],
    narrative: Annotated[str, typer.Option(help="The evidence of the disruptive impact.")],
    rank: Annotated[str, typer.Option(help=f"The claimant's rank: {', '.join(RANKS)}.")],
    claimant: Annotated[
        str | None, typer.Option(help="Who claims it (default: the operator).")
    ] = None,
    operation: Annotated[str | None, typer.Option(help="The operation it belongs to.")] = None,
    group: Annotated[str | None, typer.Option(help="The OCG it disrupted.")] = None,
    outcome: OutcomeStage = None,
    outcome_date: OutcomeDate = None,
) -> None:
    from plainsight.act.disruptions import add_claim

    said = _run(
        ctx,
        "alter",
        f"disruptions claim {activity}",
        lambda s, who, clock: (
            add_claim(
                s,
                activity=activity,
                claimed_on=date.date(),
                strand=strand,
                category=category,
                crime_type=crime_type,
                narrative=narrative,
                claimant=claimant or who,
                claimant_rank=rank,
                operation_name=operation,
                group_reference=group,
                outcome_stage=outcome,
                outcome_on=outcome_date.date() if outcome_date else None,
                clock=clock,
            ).id
        ),
        category=category,
        crime_type=crime_type,
    )
    console.print(f"Recorded claim {said}; it counts once a supervisor approves it.")


@claims_app.command("approve")
def claims_approve(
    ctx: typer.Context,
    claim: Annotated[int, typer.Argument(help="The claim's number, as `claims list` shows.")],
    rank: Annotated[str, typer.Option(help=f"The approver's rank: {', '.join(RANKS)}.")],
    approver: Annotated[
        str | None, typer.Option(help="Who approves it (default: the operator).")
    ] = None,
) -> None:
    """A supervisor's approval: Major needs an inspector or above, the others a sergeant."""
    from plainsight.act.disruptions import approve_claim, describe

    said = _run(
        ctx,
        "alter",
        f"disruptions claim {claim}",
        lambda s, who, clock: describe(
            approve_claim(s, claim_id=claim, approver=approver or who, rank=rank, clock=clock)
        ),
        approved=True,
        rank=rank,
    )
    console.print(f"Approved {escape(said)}.")


@claims_app.command("regrade")
def claims_regrade(
    ctx: typer.Context,
    claim: Annotated[int, typer.Argument(help="The claim's number, as `claims list` shows.")],
    category: Annotated[str, typer.Option(help="major, moderate or minor.")],
    outcome: OutcomeStage = None,
    outcome_date: OutcomeDate = None,
) -> None:
    """Regrade a claim as its outcome moves on; a new category needs approval again."""
    from plainsight.act.disruptions import describe, regrade_claim

    said = _run(
        ctx,
        "alter",
        f"disruptions claim {claim}",
        lambda s, _who, _clock: describe(
            regrade_claim(
                s,
                claim_id=claim,
                category=category,
                outcome_stage=outcome,
                outcome_on=outcome_date.date() if outcome_date else None,
            )
        ),
        category=category,
        outcome=outcome,
    )
    console.print(f"Regraded {escape(said)}; approve it again if its category changed.")


@claims_app.command("list")
def claims_list(
    ctx: typer.Context,
    year: Year = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only claims awaiting approval.")] = (
        False
    ),
    narratives: Annotated[bool, typer.Option(help="Also print each evidence narrative.")] = False,
) -> None:
    """Claims by date, with their category, strand, crime type and approval."""
    from plainsight.act.disruptions import claims

    def rows(s: Any, _who: str, _clock: Any) -> list[list[str]]:
        return [
            [
                str(c.id),
                str(c.claimed_on),
                c.activity,
                f"{c.category}, {c.strand}, {c.crime_type}",
                c.operation.name if c.operation else "",
                f"{c.claimant} ({c.claimant_rank})",
                f"{c.approved_by} ({c.approver_rank})" if c.approved else "awaiting approval",
                c.narrative,
            ]
            for c in claims(s, financial_year=year, pending_only=pending)
        ]

    found = _run(ctx, "view", "disruptions claims", rows, year=year, pending=pending)
    table = Table("claim", "date", "activity", "claimed as", "operation", "claimant", "approval")
    table.columns[1].no_wrap = True
    for row in found:
        table.add_row(*(escape(c) for c in row[:-1]))
    console.print(table if found else "No claims match.")
    for row in found if narratives else []:
        console.print(f"[bold]claim {row[0]}[/bold]: {escape(row[-1])}")


@disruptions_app.command("figures")
def figures(
    ctx: typer.Context,
    year: Year = None,
    json: Annotated[Path | None, typer.Option("--json", help="Also write them as JSON.")] = None,
) -> None:
    """Approved claims per financial year, category, strand and crime type; MDSHT-linked jobs."""
    from plainsight.act.disruption_figures import disruption_figures

    if json is not None and not json.parent.is_dir():
        errors.print(f"[red]error:[/red] no folder {escape(str(json.parent))} to write into")
        raise typer.Exit(1)
    found: dict[str, Any] = _run(
        ctx,
        "export" if json else "view",
        "disruptions figures",
        lambda s, _who, _clock: disruption_figures(s, financial_year=year),
        year=year,
        file=str(json) if json else None,
    )
    if json is not None:
        try:
            json.write_bytes(orjson.dumps(found, option=orjson.OPT_INDENT_2))
        except OSError as exc:
            errors.print(f"[red]error:[/red] cannot write {escape(str(json))}: {exc.strerror}")
            raise typer.Exit(1) from None
    per = Counter[tuple[str, str]]()
    for row in found["rows"]:
        per[row["financial_year"], row["category"]] += row["claims"]
    by_year = Table("financial year", *(k.capitalize() for k in CATEGORIES), "total")
    for fy, total in found["by_year"].items():
        by_year.add_row(fy, *(str(per[fy, k]) for k in CATEGORIES), str(total))
    console.print(by_year)
    console.print("4P strands: " + ", ".join(f"{k} {n}" for k, n in found["by_strand"].items()))
    kinds = [f"{CRIME_TYPES[k]} {n}" for k, n in found["by_crime_type"].items() if n]
    console.print("Crime types: " + (", ".join(kinds) or "none"))
    live, ocgs = found["live_operations"], found["groups"]
    console.print(
        f"Live operations with an MDSHT link: {live['mdsht_link']} of {live['total']}"
        + (f" ({escape(', '.join(live['mdsht_names']))})" if live["mdsht_names"] else "")
        + f". Groups linked to MDSHT: {ocgs['mdsht_link']} of {ocgs['total']}. "
        f"Claims awaiting approval (not counted): {found['claims']['awaiting_approval']}."
    )
    if json is not None:
        console.print(f"Wrote the figures to {json}")
