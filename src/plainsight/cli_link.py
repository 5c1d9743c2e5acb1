"""The linking and assessment commands of ``plainsight``: networks, generic identifiers,
explanations, the adverts export and evaluation against a ground truth.

Registered on the main app by :mod:`plainsight.cli`; kept apart so each module stays one
concept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from plainsight.cli import _audit, _workspace, app, console, errors

explain_app = typer.Typer(help="Why plainsight linked what it linked.", no_args_is_help=True)
export_app = typer.Typer(help="Exports for other tools (public interfaces).", no_args_is_help=True)
generic_app = typer.Typer(
    help="Identifiers shared by many unrelated adverts, kept out of linking.",
    invoke_without_command=True,
)
app.add_typer(explain_app, name="explain")
app.add_typer(export_app, name="export")
app.add_typer(generic_app, name="generic")


def _rows(workspace: Any, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with workspace.reading() as engine:
        rows: list[dict[str, Any]] = engine.run(sql, params).to_pylist()
        return rows


@app.command()
def networks(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="Show the top N.")] = 20,
    everyone: Annotated[
        bool, typer.Option("--all", help="Include single personas (independents).")
    ] = False,
) -> None:
    """Networks ranked for welfare checks: a lead for review, never a finding."""
    workspace = _workspace(ctx)
    rows = _rows(
        workspace,
        "SELECT * FROM network_scores WHERE ? OR personas > 1 ORDER BY rank LIMIT ?",
        [everyone, limit],
    )
    _audit(ctx, workspace, "view", "networks", shown=len(rows))
    if not rows:
        console.print("No networks yet: run `plainsight run` after importing adverts.")
        return
    table = Table("rank", "score", "personas", "adverts", "sites", "towns", "seen")
    table.add_column("network", no_wrap=True)
    for r in rows:
        seen = f"{r['first_seen']:%b %Y} – {r['last_seen']:%b %Y}" if r["first_seen"] else ""
        table.add_row(
            str(r["rank"]),
            f"{r['score']:.2f}",
            str(r["personas"]),
            str(r["adverts"]),
            str(r["sites"]),
            ", ".join(r["towns"][:3]),
            seen,
            r["network_id"],
        )
    console.print(table)
    console.print("`plainsight explain network ID` says why each one scores as it does.")


@explain_app.command("network")
def explain_network(
    ctx: typer.Context, network_id: Annotated[str, typer.Argument(help="A network id (N-...).")]
) -> None:
    """A network's score, part by part, and the links between its personas, in words."""
    from plainsight.assess.explain import explain_network as explain

    workspace = _workspace(ctx)
    try:
        with workspace.reading() as engine:
            text = explain(engine, network_id)
    except KeyError:
        errors.print(f"[red]error:[/red] no network {escape(network_id)}")
        raise typer.Exit(1) from None
    _audit(ctx, workspace, "view", f"network {network_id}")
    console.print(text, markup=False, highlight=False)


@explain_app.command("link")
def explain_link(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="An advert id (A...) or persona id (P-...).")],
    b: Annotated[str, typer.Argument(help="Another advert or persona id.")],
) -> None:
    """How two adverts or personas are connected (or not), and on what evidence."""
    from plainsight.assess.explain import explain_link as explain

    workspace = _workspace(ctx)
    with workspace.reading() as engine:
        text = explain(engine, a, b)
    _audit(ctx, workspace, "view", f"link {a} {b}")
    console.print(text, markup=False, highlight=False)


@export_app.command("adverts")
def export_adverts(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(help="The JSON Lines file to write.")],
) -> None:
    """One line per advert: source, ad_id, persona_id, network_id, network_score, indicators."""
    from plainsight.act.export import export_adverts as export

    workspace = _workspace(ctx)
    with workspace.reading() as engine:
        count = export(engine, output)
    _audit(ctx, workspace, "export", "adverts", file=str(output), adverts=count)
    console.print(f"Wrote {count:,} adverts to {output}")


@generic_app.callback()
def generic(
    ctx: typer.Context,
    everything: Annotated[
        bool, typer.Option("--all", help="Also list identifiers judged not generic.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1)] = 50,
) -> None:
    """Identifiers kept out of linking, and why (with `mark` to decide one yourself)."""
    if ctx.invoked_subcommand:
        return
    workspace = _workspace(ctx)
    rows = _rows(
        workspace,
        "SELECT * FROM generic_identifiers WHERE generic OR ? "
        "ORDER BY generic DESC, adverts DESC, kind, value LIMIT ?",
        [everything, limit],
    )
    table = Table("kind", "value", "adverts", "sites", "generic", "decided by", "why")
    for r in rows:
        value = r["value"] if len(r["value"]) <= 40 else r["value"][:37] + "..."
        table.add_row(
            r["kind"],
            escape(value),
            str(r["adverts"]),
            str(r["sites"]),
            "yes" if r["generic"] else "no",
            r["decided_by"],
            escape(r["reason"]),
        )
    console.print(table)


@generic_app.command("mark")
def generic_mark(
    ctx: typer.Context,
    kind: Annotated[
        str, typer.Argument(help="phone, email, handle, image, image_phash or sentence.")
    ],
    value: Annotated[str, typer.Argument(help="The identifier, as `plainsight generic` shows it.")],
    is_generic: Annotated[
        bool, typer.Option("--generic/--not-generic", help="Keep it out of linking, or not.")
    ] = True,
    reason: Annotated[str, typer.Option("--reason", help="Why: it is recorded.")] = "",
) -> None:
    """Decide whether one identifier is generic; the next `plainsight run` follows it."""
    from plainsight.ops.decisions import decide

    workspace = _workspace(ctx)
    try:
        with workspace.ops.session() as session:
            decide(
                session,
                kind=kind,
                value=value,
                generic=is_generic,
                who=workspace.settings.operator,
                reason=reason,
                clock=workspace.clock,
            )
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    _audit(ctx, workspace, "alter", f"generic {kind} {value}", generic=is_generic, reason=reason)
    console.print(f"Recorded: {kind} {value} is {'' if is_generic else 'not '}generic.")


@app.command()
def evaluate(
    ctx: typer.Context,
    truth: Annotated[Path, typer.Option(help="Ground truth: truth.jsonl of a synthetic world.")],
) -> None:
    """Score the workspace's personas and networks against a ground truth."""
    from plainsight.link.evaluate import evaluate_workspace

    workspace = _workspace(ctx)
    with workspace.reading() as engine:
        result = evaluate_workspace(engine, truth)
    table = Table("level", "precision", "recall", "F1", "adjusted Rand", "adverts")
    for level, s in (("persona", result.persona), ("network", result.network)):
        table.add_row(
            level,
            f"{s.precision:.4f}",
            f"{s.recall:.4f}",
            f"{s.f1:.4f}",
            f"{s.ari:.4f}",
            str(s.items),
        )
    console.print(table)
    console.print(
        f"{result.truth_adverts:,} adverts in the truth; {result.without_persona} without a "
        f"persona, {result.not_in_truth} placed but not in the truth."
    )
