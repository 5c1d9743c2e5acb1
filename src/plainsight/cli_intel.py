"""The intelligence log commands of ``plainsight``: ``plainsight intel ...``.

Draft a report from a persona or network, edit it, grade it 3x5x2, make a sanitised copy,
export it as PDF or DOCX, import older 5x5x5 entries, list and show. Every view, export and
alteration is written to the audit log with the operator and ``--why``.

Registered by :mod:`plainsight.cli`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from plainsight.cli import _audit, _workspace, app, console, errors

intel_app = typer.Typer(
    help="The intelligence log: draft, edit, grade (3x5x2), sanitise, export, import.",
    no_args_is_help=True,
)
app.add_typer(intel_app, name="intel")

T = TypeVar("T")
ReportId = Annotated[int, typer.Argument(help="The report's number (INTEL-N), as listed.")]


def _run(work: Callable[[], T]) -> T:
    """Run ``work``; a refused request becomes a one-line message and exit code 1."""
    from plainsight.act.intel import IntelError

    try:
        return work()
    except IntelError as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None


def _in_session(workspace: Any, work: Callable[[Any], T]) -> T:
    def run() -> T:
        with workspace.ops.session() as session:
            return work(session)

    return _run(run)


def _edit(text: str) -> str | None:
    """Open ``text`` in the analyst's editor ($VISUAL, $EDITOR, else vi); None if unchanged."""
    import os
    import shlex
    import subprocess
    import tempfile

    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="plainsight-intel-") as folder:
        path = Path(folder) / "report.txt"
        path.write_text(text, encoding="utf-8")
        try:
            subprocess.run([*shlex.split(command), str(path)], check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            errors.print(f"[red]error:[/red] the editor {escape(command)} failed: {exc}")
            raise typer.Exit(1) from None
        edited = path.read_text(encoding="utf-8")
    return None if edited == text else edited


@intel_app.command("draft")
def draft(
    ctx: typer.Context,
    persona: Annotated[str, typer.Option(help="Draft from this persona (P-...).")] = "",
    network: Annotated[str, typer.Option(help="Draft from this network (N-...).")] = "",
) -> None:
    """Draft a report from the evidence on a persona or network, stored for the analyst to edit."""
    from plainsight.act.intel import create
    from plainsight.act.intel_draft import SubjectNotFoundError, draft_report

    if bool(persona) == bool(network):
        errors.print("[red]error:[/red] give one of --persona or --network")
        raise typer.Exit(2)
    kind, ident = ("persona", persona) if persona else ("network", network)
    workspace = _workspace(ctx)
    try:
        with workspace.reading() as engine:
            written = draft_report(engine, kind, ident)
    except SubjectNotFoundError as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    who = workspace.settings.operator
    report_id = _in_session(
        workspace, lambda s: create(s, written, who=who, clock=workspace.clock).id
    )
    _audit(ctx, workspace, "create", f"intel {report_id}", subject=f"{kind} {ident}")
    console.print(
        f"Drafted intelligence report {report_id} on {kind} {escape(ident)}: read it with "
        f"`plainsight intel show {report_id}`, edit it with `plainsight intel edit "
        f"{report_id} --editor`, then grade it."
    )


@intel_app.command("show")
def show(
    ctx: typer.Context,
    report_id: ReportId,
    sanitised: Annotated[bool, typer.Option(help="Show the sanitised copy.")] = False,
    history: Annotated[bool, typer.Option(help="List the text's revisions.")] = False,
) -> None:
    """Show a report: its grading, its text (or sanitised copy) and, on request, its history."""
    from plainsight.act.intel import describe_grading, get, revisions

    workspace = _workspace(ctx)

    def read(session: Any) -> tuple[list[str], str, list[str]]:
        report = get(session, report_id)
        head = [f"INTEL-{report_id}: {report.title} [{report.status}]", *describe_grading(report)]
        text = report.text
        if sanitised:
            if report.sanitised_text is None:
                from plainsight.act.intel import IntelError

                raise IntelError(f"report {report_id} has no sanitised copy yet")
            head[0] = f"INTEL-{report_id}: {report.sanitised_title} [sanitised copy]"
            text = report.sanitised_text
        revs = [
            f"{r.number}. {r.note} by {r.written_by}, {r.written_at:%d %b %Y %H:%M}"
            for r in revisions(session, report_id)
        ]
        return head, text, revs

    head, text, revs = _in_session(workspace, read)
    _audit(ctx, workspace, "view", f"intel {report_id}", sanitised=sanitised)
    console.print("\n".join(head), markup=False, highlight=False)
    console.print()
    console.print(text, markup=False, highlight=False)
    if history:
        console.print("Revisions:\n" + "\n".join(revs), markup=False, highlight=False)


@intel_app.command("edit")
def edit(
    ctx: typer.Context,
    report_id: ReportId,
    text_file: Annotated[
        Path | None, typer.Option(help="Replace the text with this UTF-8 file's.")
    ] = None,
    editor: Annotated[bool, typer.Option("--editor", help="Edit the text in $EDITOR.")] = False,
) -> None:
    """Replace a report's text (a graded report goes back to draft; re-grade it)."""
    from plainsight.act.intel import edit as change
    from plainsight.act.intel import get

    if (text_file is None) == (not editor):
        errors.print("[red]error:[/red] give one of --text-file or --editor")
        raise typer.Exit(2)
    workspace = _workspace(ctx)
    if text_file is not None:
        try:
            text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.print(f"[red]error:[/red] cannot read {escape(str(text_file))}: {exc}")
            raise typer.Exit(1) from None
    else:
        current = _in_session(workspace, lambda s: get(s, report_id).text)
        _audit(ctx, workspace, "view", f"intel {report_id}", via="editor")
        edited = _edit(current)
        if edited is None:
            console.print("Not saved: nothing changed.")
            return
        text = edited
    who = workspace.settings.operator
    was = _in_session(
        workspace,
        lambda s: (get(s, report_id).status, change(s, report_id, text, who=who).status),
    )
    _audit(ctx, workspace, "alter", f"intel {report_id}", change="text", characters=len(text))
    note = " It was graded: grade it again." if was[0] == "graded" else ""
    console.print(f"Saved a new revision of report {report_id}.{note}")


@intel_app.command("grade")
def grade(
    ctx: typer.Context,
    report_id: ReportId,
    source: Annotated[str, typer.Option(help="Source evaluation: 1, 2 or 3.")],
    intelligence: Annotated[str, typer.Option(help="Intelligence assessment: A to E.")],
    handling: Annotated[str, typer.Option(help="Handling code: P, or C with --conditions.")],
    conditions: Annotated[str, typer.Option(help="The conditions of handling code C.")] = "",
) -> None:
    """Grade a report with 3x5x2 (source 1–3, intelligence A–E, handling P or C)."""
    from plainsight.act.intel import grade as give

    workspace = _workspace(ctx)
    who = workspace.settings.operator
    grading = _in_session(
        workspace,
        lambda s: (
            give(
                s,
                report_id,
                source=source,
                intelligence=intelligence,
                handling=handling,
                conditions=conditions,
                who=who,
                clock=workspace.clock,
            ).grading
        ),
    )
    _audit(ctx, workspace, "alter", f"intel {report_id}", change="grade", grading=grading)
    console.print(f"Report {report_id} graded {grading}.")


@intel_app.command("sanitise")
def sanitise(
    ctx: typer.Context,
    report_id: ReportId,
    name: Annotated[
        list[str] | None, typer.Option(help="Another name to remove (repeatable).")
    ] = None,
    address: Annotated[
        list[str] | None, typer.Option(help="An exact address to remove (repeatable).")
    ] = None,
) -> None:
    """Make the sanitised copy for wider sharing (phones, e-mails, ids, names, addresses out)."""
    from plainsight.act.intel import sanitise as clean

    workspace = _workspace(ctx)
    who = workspace.settings.operator
    removed = _in_session(
        workspace,
        lambda s: (
            clean(
                s,
                report_id,
                names=name or [],
                addresses=address or [],
                who=who,
                clock=workspace.clock,
            ).sanitised_removed
        ),
    )
    counts: dict[str, int] = orjson.loads(removed)
    _audit(ctx, workspace, "alter", f"intel {report_id}", change="sanitise", removed=counts)
    words = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing"
    console.print(
        f"Sanitised copy of report {report_id} made; removed: {words}. Read it before it goes "
        f"(`plainsight intel show {report_id} --sanitised`)."
    )


@intel_app.command("export")
def export(
    ctx: typer.Context,
    report_id: ReportId,
    output: Annotated[Path, typer.Option(help="The file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="pdf or docx.")] = "pdf",
    sanitised: Annotated[bool, typer.Option(help="Export the sanitised copy.")] = False,
) -> None:
    """Export a graded report (or its sanitised copy) as PDF or DOCX."""
    from plainsight.act.intel import get
    from plainsight.act.intel_render import export as write

    workspace = _workspace(ctx)
    _in_session(workspace, lambda s: write(get(s, report_id), fmt, output, sanitised=sanitised))
    _audit(
        ctx,
        workspace,
        "export",
        f"intel {report_id}",
        file=str(output),
        format=fmt,
        sanitised=sanitised,
    )
    console.print(
        f"Wrote {'the sanitised copy of ' if sanitised else ''}report {report_id} "
        f"to {escape(str(output))}"
    )


@intel_app.command("import")
def import_(
    ctx: typer.Context,
    csv_file: Annotated[Path, typer.Argument(help="Older entries graded 5x5x5, as CSV.")],
) -> None:
    """Import older reports graded 5x5x5, kept as graded (never converted to 3x5x2)."""
    from plainsight.act.intel import import_csv

    workspace = _workspace(ctx)
    who = workspace.settings.operator
    done = _in_session(workspace, lambda s: import_csv(s, csv_file, who=who, clock=workspace.clock))
    _audit(
        ctx,
        workspace,
        "import",
        f"intel {csv_file.name}",
        added=len(done.added),
        skipped=done.skipped,
    )
    console.print(f"Imported {len(done.added)} report(s) graded 5x5x5 from {csv_file.name}.")
    if done.skipped:
        console.print(f"Already in the log, skipped: {', '.join(done.skipped)}.")


@intel_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every report, newest first: subject, grading with its scheme (or not graded), copy."""
    from plainsight.act.intel import listed

    workspace = _workspace(ctx)

    def rows(session: Any) -> list[tuple[str, ...]]:
        return [
            (
                f"INTEL-{r.id}",
                r.external_ref or "",
                r.subject_id,
                r.grading,
                "yes" if r.sanitised_text is not None else "no",
                f"{r.updated_at:%d %b %Y}",
            )
            for r in listed(session)
        ]

    found = _in_session(workspace, rows)
    _audit(ctx, workspace, "view", "intel list", shown=len(found))
    if not found:
        console.print("The intelligence log is empty: `plainsight intel draft --network ID`.")
        return
    table = Table("report", "was", "subject", "grading", "copy", "updated")
    for row in found:
        table.add_row(*(escape(x) for x in row))
    table.caption = "was: the old log's reference; copy: a sanitised copy exists."
    console.print(table)
