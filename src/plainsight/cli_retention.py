"""The retention and analysts' exports commands of ``plainsight``.

Registered by :mod:`plainsight.cli`. ``retention`` reviews and erases records under MoPI;
``export i2|graphml|xlsx`` write networks and tables for the analysts' own tools. Every
view, export and erasure is written to the audit log with the operator and ``--why``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from plainsight.cli import _audit, _state, _workspace, app, console, errors
from plainsight.cli_link import export_app

retention_app = typer.Typer(
    help="MoPI retention: review dates, what is due, and erasure.", no_args_is_help=True
)
app.add_typer(retention_app, name="retention")


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


def _as_of(text: str | None, workspace: Any) -> datetime:
    from plainsight.act.retention import as_of_end

    if not text:
        now: datetime = workspace.clock()
        return now
    try:
        return as_of_end(date.fromisoformat(text))
    except ValueError:
        raise _fail(f"--as-of wants a date like 2031-04-30, not {text!r}", 2) from None


@retention_app.command("review")
def retention_review(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day to review as of (default today).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most N.")] = 200,
) -> None:
    """List the records whose MoPI review date has come, with why, for an analyst to decide."""
    from plainsight.act.retention import review

    workspace = _workspace(ctx)
    when = _as_of(as_of, workspace)
    with workspace.reading() as engine, workspace.ops.session() as session:
        due = review(engine, session, when)
    _audit(ctx, workspace, "view", "retention review", as_of=when.isoformat(), due=len(due))
    if not due:
        console.print(f"Nothing is due for review by {when:%d %b %Y}.")
        return
    table = Table()
    widest = max(len(item.record) for item in due[:limit])
    table.add_column("record", no_wrap=True, min_width=widest)  # copied into `apply`: whole
    for heading in ("group", "last activity", "review due", "why"):
        table.add_column(heading)
    for item in due[:limit]:
        table.add_row(
            item.record,
            str(item.mopi_group),
            f"{item.last_activity:%d %b %Y}",
            f"{item.review_due:%d %b %Y}",
            escape(item.why),
        )
    console.print(table)
    console.print(
        f"{len(due):,} due by {when:%d %b %Y}"
        + (f" ({limit} shown)" if len(due) > limit else "")
        + ". Review each; `plainsight --why REF retention apply --confirm RECORD` erases one."
    )


@retention_app.command("apply")
def retention_apply(
    ctx: typer.Context,
    confirm: Annotated[
        list[str],
        typer.Option("--confirm", help="A record you reviewed and confirm for erasure (repeat)."),
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day the review was as of (default today).")
    ] = None,
) -> None:
    """Erase the records an analyst confirmed after review; each erasure is audited."""
    from plainsight.act.retention import apply

    workspace = _workspace(ctx)
    when = _as_of(as_of, workspace)
    try:
        entries = apply(
            workspace,
            confirm,
            as_of=when,
            who=workspace.settings.operator,
            why=_state(ctx).why,
        )
    except ValueError as exc:
        raise _fail(str(exc), 2) from None
    kept: set[str] = set()
    deleted: set[str] = set()
    for entry in entries:
        console.print(f"Erased {entry.record} (MoPI group {entry.mopi_group}).")
        detail = orjson.loads(entry.detail)
        kept.update(detail.get("evidence_kept", {}))
        deleted.update(detail.get("evidence_deleted", []))
    if deleted or kept:
        console.print(
            f"Evidence: {len(deleted)} file(s) deleted; {len(kept)} kept because other "
            "records still need them (see `docs/retention.md`)."
        )


@retention_app.command("group")
def retention_group(
    ctx: typer.Context,
    record: Annotated[str, typer.Argument(help="A record id as the review lists it.")],
    group: Annotated[int, typer.Option("--group", min=1, max=3, help="MoPI group 1, 2 or 3.")],
    reason: Annotated[str, typer.Option("--reason", help="Why: it is recorded.")] = "",
) -> None:
    """Put one record in a MoPI group other than its kind's default."""
    from plainsight.act.retention import set_group

    workspace = _workspace(ctx)
    try:
        with workspace.ops.session() as session:
            set_group(
                session,
                record=record,
                mopi_group=group,
                who=workspace.settings.operator,
                reason=reason,
                clock=workspace.clock,
            )
    except ValueError as exc:
        raise _fail(str(exc), 2) from None
    _audit(ctx, workspace, "alter", f"retention group {record}", group=group, reason=reason)
    console.print(f"Recorded: {record} is in MoPI group {group}.")


def _networks(workspace: Any, network: list[str] | None, top: int | None) -> list[str]:
    from plainsight.act.i2 import choose_networks

    if not network and not top:
        raise _fail("say which networks: --network ID (repeat) or --top N", 2)
    try:
        with workspace.reading() as engine:
            return choose_networks(engine, network or [], top)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from None


Networks = Annotated[
    list[str] | None, typer.Option("--network", help="A network id (N-...); repeat for more.")
]
Top = Annotated[int | None, typer.Option("--top", min=1, help="The N highest-ranked networks.")]


@export_app.command("i2")
def export_i2(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(help="The CSV file to write.")],
    network: Networks = None,
    top: Top = None,
) -> None:
    """Networks as i2 Analyst's Notebook link rows (CSV): one row per link, both ends."""
    from plainsight.act.i2 import write_i2

    workspace = _workspace(ctx)
    chosen = _networks(workspace, network, top)
    with workspace.reading() as engine:
        links = write_i2(engine, chosen, output)
    _audit(ctx, workspace, "export", "i2", file=str(output), networks=chosen, links=links)
    console.print(f"Wrote {links:,} links of {len(chosen)} network(s) to {output}")


@export_app.command("graphml")
def export_graphml(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(help="The GraphML file to write.")],
    network: Networks = None,
    top: Top = None,
) -> None:
    """Networks as a GraphML graph (Gephi, yEd, Cytoscape): entities and their links."""
    from plainsight.act.graphml import write_graphml

    workspace = _workspace(ctx)
    chosen = _networks(workspace, network, top)
    with workspace.reading() as engine:
        nodes, edges = write_graphml(engine, chosen, output)
    _audit(
        ctx,
        workspace,
        "export",
        "graphml",
        file=str(output),
        networks=chosen,
        nodes=nodes,
        edges=edges,
    )
    console.print(f"Wrote {nodes:,} entities and {edges:,} links to {output}")


@export_app.command("xlsx")
def export_xlsx(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(help="The Excel workbook (.xlsx) to write.")],
) -> None:
    """Networks, personas, adverts and generic identifiers as sheets of an Excel workbook."""
    from plainsight.act.xlsx import write_xlsx

    workspace = _workspace(ctx)
    if output.suffix.lower() != ".xlsx":
        raise _fail(f"{output} must end in .xlsx", 2)
    with workspace.reading() as engine:
        sheets = write_xlsx(engine, output)
    _audit(ctx, workspace, "export", "xlsx", file=str(output), rows=sheets)
    shown = ", ".join(f"{name} {count:,}" for name, count in sheets.items())
    console.print(f"Wrote {output}: {shown}")
