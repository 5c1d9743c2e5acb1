"""The welfare check commands of ``plainsight``: task a check, record its outcome, list them.

Registered by :mod:`plainsight.cli`. A welfare check is for safeguarding, never enforcement;
every tasking (which reads personal data from the lake), outcome and listing is written to
the audit log with the operator and ``--why``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from plainsight.cli import _audit, _workspace, app, console, errors
from plainsight.ops.checks import OUTCOME_TEXT, Outcome

checks_app = typer.Typer(
    help="Welfare checks: safeguarding visits tasked from a persona or network.",
    no_args_is_help=True,
)
app.add_typer(checks_app, name="checks")


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(1)


def _date(value: str | None, option: str, default: date) -> date:
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} {value!r} is not a date; write it as YYYY-MM-DD") from None


def _subject(persona: str | None, network: str | None) -> tuple[str, str]:
    if (persona is None) == (network is None):
        raise _fail("give one of --persona ID or --network ID")
    return ("persona", persona) if persona is not None else ("network", network or "")


def _check_briefing_path(path: Path | None) -> None:
    """Refuse a briefing file that cannot be written, before anything is tasked."""
    if path is None:
        return
    if path.suffix.lower() not in (".pdf", ".html"):
        raise _fail(f"the briefing is written as .pdf or .html, not {path.name!r}")
    if not path.parent.is_dir():
        raise _fail(f"no folder {path.parent} to write the briefing in")


def _write_briefing(briefing: dict[str, Any], path: Path, produced: date) -> None:
    from plainsight.act.briefing import render_html, render_pdf

    if path.suffix.lower() == ".pdf":
        render_pdf(briefing, path, produced=produced)
    else:
        path.write_text(render_html(briefing, produced=produced), encoding="utf-8")


@checks_app.command("task")
def task(
    ctx: typer.Context,
    officer: Annotated[str, typer.Option(help="The officer the check is tasked to.")],
    due: Annotated[str, typer.Option(help="To be done by this date (YYYY-MM-DD).")],
    persona: Annotated[str | None, typer.Option(help="A persona id (P-...).")] = None,
    network: Annotated[str | None, typer.Option(help="A network id (N-...).")] = None,
    briefing: Annotated[
        Path | None, typer.Option(help="Write the printable briefing here (.pdf or .html).")
    ] = None,
) -> None:
    """Task a welfare check on a persona or network, with a briefing for the officer."""
    from plainsight.act import checks
    from plainsight.act.briefing import build_briefing

    kind, subject = _subject(persona, network)
    _check_briefing_path(briefing)
    workspace = _workspace(ctx)
    today = workspace.clock().date()
    due_on = _date(due, "--due", today)
    try:
        with workspace.reading() as engine:
            brief = build_briefing(engine, kind, subject)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from None
    brief.officer = officer.strip()
    brief.due = f"{due_on:%d %B %Y}"
    try:
        with workspace.ops.session() as session:
            still_open = checks.history(session, persona=persona, network=network, open_only=True)
            already = [c.id for c in still_open]
            check = checks.task_check(
                session,
                subject_kind=kind,
                subject_id=subject,
                officer=officer,
                due=due_on,
                tasked_by=workspace.settings.operator,
                briefing={},
                clock=workspace.clock,
            )
            brief.check_id = check.id
            check.briefing = checks.dumps(brief.as_dict())
            check_id = check.id
    except ValueError as exc:
        raise _fail(str(exc)) from None
    _audit(ctx, workspace, "task", f"welfare check {check_id}", subject=subject, officer=officer)
    console.print(
        f"Tasked welfare check {check_id} on {kind} {subject} to {escape(officer)}, "
        f"due {due_on.isoformat()}."
    )
    if already:
        listed = ", ".join(str(x) for x in already)
        console.print(f"Note: check(s) {listed} on this {kind} are still open.")
    if briefing is not None:
        _write_briefing(brief.as_dict(), briefing, today)
        _audit(ctx, workspace, "export", f"welfare check {check_id}", file=str(briefing))
        console.print(f"Wrote the briefing to {briefing}")


@checks_app.command("outcome")
def outcome(
    ctx: typer.Context,
    check_id: Annotated[int, typer.Argument(help="The check's number.")],
    result: Annotated[
        str,
        typer.Option("--outcome", help=f"One of: {', '.join(o.value for o in Outcome)}."),
    ],
    notes: Annotated[str, typer.Option(help="What happened, in the officer's words.")],
    officer: Annotated[
        str | None, typer.Option(help="Who attended [default: the officer tasked].")
    ] = None,
    on: Annotated[str | None, typer.Option(help="When (YYYY-MM-DD) [default: today].")] = None,
) -> None:
    """Record what came of a welfare check (once: an outcome is not overwritten)."""
    from plainsight.act import checks
    from plainsight.ops.checks import WelfareCheck

    try:
        chosen = checks.parse_outcome(result)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    workspace = _workspace(ctx)
    on_day = _date(on, "--on", workspace.clock().date())
    try:
        with workspace.ops.session() as session:
            found = session.get(WelfareCheck, check_id)
            attended = officer if officer is not None else (found.officer if found else "")
            check = checks.record_outcome(
                session,
                check_id,
                outcome=chosen,
                notes=notes,
                officer=attended,
                on=on_day,
                recorded_by=workspace.settings.operator,
                clock=workspace.clock,
            )
            subject = f"{check.subject_kind} {check.subject_id}"
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    _audit(ctx, workspace, "alter", f"welfare check {check_id}", outcome=chosen.value)
    console.print(f"Check {check_id} on {subject}: {OUTCOME_TEXT[chosen]} ({on_day.isoformat()}).")


@checks_app.command("list")
def list_checks(
    ctx: typer.Context,
    persona: Annotated[str | None, typer.Option(help="Only checks on this persona.")] = None,
    network: Annotated[str | None, typer.Option(help="Only checks on this network.")] = None,
    still_open: Annotated[
        bool, typer.Option("--open", help="Only checks without an outcome yet.")
    ] = False,
) -> None:
    """Welfare checks, newest first: the history of a persona or network, or every check."""
    from plainsight.act import checks

    workspace = _workspace(ctx)
    today = workspace.clock().date()
    with workspace.ops.session() as session:
        rows = checks.history(session, persona=persona, network=network, open_only=still_open)
        shown = [
            (
                str(c.id),
                c.subject_id,
                c.officer,
                c.due.isoformat(),
                _state_of(c.outcome, c.outcome_on, c.due, today),
                c.notes or "",
            )
            for c in rows
        ]
    target = persona or network or ("open checks" if still_open else "all checks")
    _audit(ctx, workspace, "view", f"welfare checks {target}", shown=len(shown))
    if not shown:
        console.print("No welfare checks yet: `plainsight checks task` tasks one.")
        return
    table = Table("check")
    table.add_column("on", no_wrap=True, min_width=14)
    table.add_column("officer")
    table.add_column("due", no_wrap=True, min_width=10)
    table.add_column("outcome")
    table.add_column("notes")
    for row in shown:
        table.add_row(*(escape(x) for x in row))
    console.print(table)


def _state_of(outcome: str | None, on: date | None, due: date, today: date) -> str:
    if outcome is not None:
        return f"{OUTCOME_TEXT[Outcome(outcome)]}, {on.isoformat() if on else ''}"
    return "open, overdue" if due < today else "open"
