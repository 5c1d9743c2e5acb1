"""The watchlists, markers and alerts commands of ``plainsight``: ``watch add|list|remove``
and ``alerts``.

Registered by :mod:`plainsight.cli`. Setting, listing and removing a watch, and every view
or acknowledgement of alerts, is written to the audit log with the operator and ``--why``.
``plainsight alerts`` first matches the watchlist against the lake
(:func:`plainsight.act.watch.check_watches`), so it shows what is new since the last run.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from plainsight.cli import _audit, _workspace, app, console, errors

watch_app = typer.Typer(
    help="Watchlists and markers: numbers, e-mails, names, pictures and networks to look out for.",
    no_args_is_help=True,
)
app.add_typer(watch_app, name="watch")


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(1)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} {value!r} is not a date; write it as YYYY-MM-DD") from None


def _watching(watch: Any, *, short: bool = False) -> str:
    """What a watch looks out for, in a few words."""
    value = watch.value[:16] if short and watch.kind == "picture" else watch.value
    if watch.kind == "name":
        value += f", born {watch.dob}" if watch.dob else f", aged {watch.age} on {watch.age_on}"
    return f"{watch.kind} {value}"


@watch_app.command("add")
def add(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Why it is watched (operation, reference).")],
    review_date: Annotated[str, typer.Option(help="Review the watch by this date (YYYY-MM-DD).")],
    owner: Annotated[str, typer.Option(help="Who owns the watch and is told of its alerts.")],
    phone: Annotated[str | None, typer.Option(help="A phone number, written any way.")] = None,
    email: Annotated[str | None, typer.Option(help="An e-mail address.")] = None,
    name: Annotated[str | None, typer.Option(help="A working name; needs --age or --dob.")] = None,
    age: Annotated[
        int | None, typer.Option(min=0, max=120, help="The person's age today (with --name).")
    ] = None,
    dob: Annotated[str | None, typer.Option(help="Date of birth, YYYY-MM-DD (with --name).")] = (
        None
    ),
    picture: Annotated[
        Path | None, typer.Option(help="A picture file: matches re-encoded and resized copies.")
    ] = None,
    picture_sha256: Annotated[
        str | None, typer.Option(help="A picture already in the lake, by its SHA-256.")
    ] = None,
    network: Annotated[
        str | None, typer.Option(help="A network id (N-...): alerts on new adverts joining it.")
    ] = None,
    marker: Annotated[
        str, typer.Option(help='Make it a marker with this label, e.g. "juvenile, Op Sun".')
    ] = "",
) -> None:
    """Watch a number, e-mail, name with age, picture or network; alerts come once per advert."""
    from plainsight.act.watch import WatchError, WatchRequest, add_watch

    review = _date(review_date, "--review-date")
    assert review is not None
    request = WatchRequest(
        owner=owner,
        reason=reason,
        review_date=review,
        phone=phone,
        email=email,
        name=name,
        age=age,
        dob=_date(dob, "--dob"),
        picture=picture,
        picture_sha256=picture_sha256,
        network=network,
        marker=marker,
    )
    workspace = _workspace(ctx)
    who = workspace.settings.operator
    try:
        watch = add_watch(workspace, request, who=who)
    except WatchError as exc:
        raise _fail(str(exc)) from None
    _audit(
        ctx,
        workspace,
        "alter",
        f"watch {watch.id}",
        kind=watch.kind,
        value=watch.value,
        category=watch.category,
        owner=watch.owner,
        reason=watch.reason,
    )
    what = f"{watch.category} {watch.id}: {_watching(watch)}"
    if watch.label:
        what += f" ({watch.label})"
    console.print(f"Set {escape(what)}, owned by {escape(watch.owner)}, review by {review}.")
    console.print("`plainsight alerts` matches it against the adverts.")


@watch_app.command("list")
def list_watches(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option("--all", help="Include removed watches.")] = False,
) -> None:
    """The watches and markers in force: what, why, whose, and when to review them."""
    from plainsight.act.watch import watches

    workspace = _workspace(ctx)
    with workspace.ops.session() as session:
        rows = watches(session, removed=everything)
    _audit(ctx, workspace, "view", "watches", shown=len(rows))
    if not rows:
        console.print("No watches: `plainsight watch add` sets one.")
        return
    today = workspace.clock().date()
    table = Table("id", "kind", "watching", "marker", "owner", "reason", "review by", "set by")
    for w in rows:
        watching = _watching(w)
        review = str(w.review_date) + (" (due)" if w.review_date <= today else "")
        if w.removed_at is not None:
            review = f"removed {w.removed_at:%Y-%m-%d}"
        table.add_row(str(w.id), w.kind, watching, w.label, w.owner, w.reason, review, w.created_by)
    console.print(table, markup=False)


@watch_app.command("remove")
def remove(
    ctx: typer.Context, watch_id: Annotated[int, typer.Argument(help="The watch's id.")]
) -> None:
    """Stop a watch; it and its alerts are kept, marked removed."""
    from plainsight.act.watch import WatchError, remove_watch

    workspace = _workspace(ctx)
    try:
        watch = remove_watch(workspace, watch_id, who=workspace.settings.operator)
    except WatchError as exc:
        raise _fail(str(exc)) from None
    _audit(ctx, workspace, "alter", f"watch {watch_id}", removed=True)
    console.print(f"Removed watch {watch.id} ({escape(watch.kind)} {escape(watch.value)}).")


def _adverts(workspace: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    with workspace.reading() as engine:
        rows = engine.run(
            f"SELECT advert_id, source, ad_id FROM adverts WHERE advert_id IN ({marks})", ids
        ).to_pylist()
    return {r["advert_id"]: r for r in rows}


@app.command("alerts")
def alerts_command(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option("--all", help="Include acknowledged alerts.")] = False,
    ack: Annotated[int | None, typer.Option(help="Acknowledge the alert with this id.")] = None,
) -> None:
    """Match the watchlist against the adverts, then show the alerts (leads for review)."""
    from plainsight.act.watch import WatchError, acknowledge, alerts, check_watches

    workspace = _workspace(ctx)
    who = workspace.settings.operator
    if ack is not None:
        try:
            acknowledge(workspace, ack, who=who)
        except WatchError as exc:
            raise _fail(str(exc)) from None
        _audit(ctx, workspace, "alter", f"alert {ack}", acknowledged=True)
        console.print(f"Alert {ack} acknowledged by {escape(who)}.")
        return
    new = check_watches(workspace)
    with workspace.ops.session() as session:
        rows = alerts(session, everything=everything)
    _audit(ctx, workspace, "view", "alerts", new=len(new), shown=len(rows))
    if new:
        console.print(f"{len(new)} new alert(s).")
    if not rows:
        console.print("No alerts" + ("" if everything else " waiting") + ".")
        return
    found = _adverts(workspace, sorted({a.advert_id for a, _ in rows}))
    table = Table("alert", "raised", "advert", "watch", "how closely", "watched by", title="Alerts")
    for alert, watch in rows:
        ad = found.get(alert.advert_id)
        where = f"{ad['source']} {ad['ad_id']}\n{alert.advert_id}" if ad else alert.advert_id
        what = f"{watch.category} {watch.id}: {_watching(watch, short=True)}"
        if watch.label:
            what += f"\n{watch.label}"
        whose = f"{watch.owner} ({watch.reason})"
        if alert.acknowledged_at is not None:
            whose += f"\nacknowledged by {alert.acknowledged_by}"
        table.add_row(
            str(alert.id), f"{alert.raised_at:%Y-%m-%d %H:%M}", where, what, alert.closeness, whose
        )
    console.print(table, markup=False)
    console.print("Each alert is a lead for review, not a finding. `--ack ID` marks one seen.")
