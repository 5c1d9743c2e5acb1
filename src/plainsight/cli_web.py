"""The web app commands of ``plainsight``: ``serve`` and ``users``.

Registered by :mod:`plainsight.cli`. ``serve`` runs the analysts' web app (on 127.0.0.1 by
default: put it behind a TLS-terminating proxy to reach it from elsewhere); ``users`` adds
and lists who may sign in to it. Adding a user is written to the audit log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from plainsight.cli import _audit, _state, _workspace, app, console, errors

users_app = typer.Typer(help="Who may sign in to the web app.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(users_app, name="user", help="The same as `users`.", hidden=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    https_only: Annotated[
        bool,
        typer.Option(
            "--https-only/--no-https-only",
            help="Mark the session cookie Secure (set it when served over HTTPS).",
        ),
    ] = False,
) -> None:
    """Run the analysts' web app over this workspace until stopped (Ctrl+C)."""
    import uvicorn

    from plainsight.lake import serving
    from plainsight.web.app import create_app

    workspace = _workspace(ctx)
    behind = serving.stale(workspace.lake) if workspace.settings.engine == "duckdb" else []
    if behind:  # pages would read whole Parquet tables for every lookup until it is made
        console.print(f"Making the serving copy first ({', '.join(behind)})…")
        serving.build(workspace.lake, memory_limit=workspace.settings.duckdb_memory_limit)
    application = create_app(workspace.home, https_only=https_only, workspace=workspace)
    _audit(ctx, workspace, "serve", f"http://{host}:{port}", https_only=https_only)
    console.print(f"Serving {workspace.home} at http://{host}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(application, host=host, port=port, log_level="info", server_header=False)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name they sign in with.")],
    role: Annotated[
        str,
        typer.Option(help="viewer, analyst, investigator, supervisor or admin."),
    ],
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file",
            exists=True,
            dir_okay=False,
            help="Read the password from this file's first line (else asked for).",
        ),
    ] = None,
) -> None:
    """Add a user of the web app with a role and a password (12 characters or more)."""
    from plainsight.web.auth import UserError, add_user

    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    workspace = _workspace(ctx)
    try:
        user = add_user(workspace, name, password, role, by=_state(ctx).settings().operator)
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    _audit(ctx, workspace, "add-user", f"user {user.name}", role=user.role)
    console.print(f"Added {escape(user.name)} ({user.role}).")


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """List the users of the web app with their roles (never their password hashes)."""
    from plainsight.ops.users import all_users

    workspace = _workspace(ctx)
    with workspace.ops.session() as session:
        found = [(u.name, u.role, u.active, u.created_at, u.created_by) for u in all_users(session)]
    _audit(ctx, workspace, "view", "users", users=len(found))
    if not found:
        console.print("No users yet: add one with plainsight users add NAME --role ROLE.")
        return
    table = Table("Name", "Role", "Active", "Added", "By")
    for name, role, active, created_at, created_by in found:
        table.add_row(
            escape(name),
            role,
            "yes" if active else "no",
            created_at.date().isoformat(),
            escape(created_by),
        )
    console.print(table)


audit_app = typer.Typer(help="The audit log of who looked at what (DPA 2018 s62).")
app.add_typer(audit_app, name="audit", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Re-hash the audit log's chain: exit 4 when an entry was edited, removed or re-ordered."""
    from plainsight.ops.audit import verify

    workspace = _workspace(ctx)
    with workspace.ops.session() as session:
        check = verify(session)
    _audit(ctx, workspace, "verify", "audit log", events=check.events, ok=check.ok)
    if check.ok:
        console.print(f"The audit log's chain of {check.events:,} events is intact.")
        return
    errors.print(
        f"[red]The audit log has been altered:[/red] event {check.broken_at}: "
        f"{escape(check.reason)}."
    )
    raise typer.Exit(4)


@audit_app.command("search")
def audit_search(
    ctx: typer.Context,
    actor: Annotated[str, typer.Option(help="Only this user's events.")] = "",
    action: Annotated[str, typer.Option(help="Only this action (search, view, export…).")] = "",
    containing: Annotated[
        str, typer.Option(help="Text in the target, detail or justification.")
    ] = "",
    justification: Annotated[str, typer.Option(help="Text in the justification.")] = "",
    since: Annotated[str, typer.Option(help="From this date (YYYY-MM-DD).")] = "",
    until: Annotated[str, typer.Option(help="To this date, inclusive (YYYY-MM-DD).")] = "",
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="Most events shown.")] = 50,
) -> None:
    """Search the audit log, newest first; the search itself is audited."""
    from plainsight.ops.audit import AuditQuery, search

    try:
        query = AuditQuery.typed(actor, action, containing, justification, since, until)
    except ValueError as exc:
        raise _fail(f"{exc} (--since and --until take YYYY-MM-DD)", 2) from None
    workspace = _workspace(ctx)
    with workspace.ops.session() as session:
        total, events = search(session, query, limit=limit)
        rows = [
            (
                str(e.id),
                e.at.isoformat(timespec="seconds"),
                e.actor,
                e.channel,
                e.action,
                e.target,
                e.justification,
            )
            for e in events
        ]
    _audit(
        ctx,
        workspace,
        "search",
        "audit log",
        matched=total,
        for_actor=actor,
        for_action=action,
        text=containing,
        for_justification=justification,
        since=since,
        until=until,
    )
    table = Table(
        "#",
        "When (UTC)",
        "Who",
        "Channel",
        "Action",
        "Target",
        "Justification",
        title=f"{total:,} matching events (newest {len(rows):,} shown)",
    )
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
