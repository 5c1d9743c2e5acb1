"""The ``plainsight`` command: a thin layer that parses, calls a stage, and shows the result.

Exit status: 0 done; 1 an error plainsight explains; 2 a usage error; 3 done, but some input
was set aside (see ``plainsight rejects``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from plainsight.errors import PlainsightError
from plainsight.settings import Settings, load_settings

EXIT_SET_ASIDE = 3

app = typer.Typer(
    name="plainsight",
    help="Find and act on modern slavery and human trafficking hidden in plain sight.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
import_app = typer.Typer(help="Bring data into the workspace.", no_args_is_help=True)
synth_app = typer.Typer(help="Make synthetic worlds for demos, tests and benchmarks.")
gazetteer_app = typer.Typer(help="The places plainsight knows.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(gazetteer_app, name="gazetteer")
app.add_typer(synth_app, name="synth", no_args_is_help=True)

console = Console()
errors = Console(stderr=True)


@dataclass
class State:
    """What the global options said, for the commands to build settings from."""

    home: Path | None = None
    flags: dict[str, Any] = field(default_factory=dict)
    why: str = ""

    def settings(self) -> Settings:
        return load_settings(self.home, **self.flags)


def _state(ctx: typer.Context) -> State:
    state = ctx.obj
    assert isinstance(state, State)
    return state


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(help="Workspace folder [env PLAINSIGHT_HOME; default ./plainsight-data]."),
    ] = None,
    engine: Annotated[
        str | None, typer.Option(help="Analytical engine: duckdb (default) or spark.")
    ] = None,
    operator: Annotated[
        str | None, typer.Option(help="Who is running this, for custody and audit records.")
    ] = None,
    why: Annotated[
        str, typer.Option(help="Justification for the audit log: operation name or reference.")
    ] = "",
) -> None:
    """Global options, before the command: plainsight --home DIR COMMAND ..."""
    ctx.obj = State(home=home, flags={"engine": engine, "operator": operator}, why=why)


def _workspace(ctx: typer.Context) -> Any:
    from plainsight.workspace import Workspace

    return Workspace.open(_state(ctx).settings())


def _audit(ctx: typer.Context, workspace: Any, action: str, target: str, **detail: Any) -> None:
    from plainsight.ops import audit

    with workspace.ops.session() as session:
        audit.record(
            session,
            actor=workspace.settings.operator,
            action=action,
            target=target,
            detail=detail,
            justification=_state(ctx).why,
            clock=workspace.clock,
        )


def _progress(counting: str = "bytes") -> Progress:
    """A progress bar on stderr; ``counting`` is "bytes" or "items"."""
    amount = DownloadColumn() if counting == "bytes" else MofNCompleteColumn()
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        amount,
        TimeRemainingColumn(),
        console=errors,
        transient=False,
    )


@import_app.command("adverts")
def import_adverts(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="Interchange files (.jsonl, .jsonl.gz) or folders.")
    ],
) -> None:
    """Import adverts in the interchange format; bad lines are set aside with the reason."""
    from plainsight.capture.importer import AdvertImport

    workspace = _workspace(ctx)
    with _progress() as bar:
        tasks: dict[str, Any] = {}

        def report(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done)

        result = AdvertImport(workspace, progress=report).run(paths)
    _audit(
        ctx,
        workspace,
        "import",
        "adverts",
        files=[f.file_sha256 for f in result.files],
        new=result.new,
        rejected=result.rejected,
    )
    table = Table("file", "lines", "new", "seen before", "set aside", title="Imported")
    for f in result.files:
        table.add_row(f.file, str(f.lines), str(f.new), str(f.seen_before), str(f.rejected))
    console.print(table)
    for path in result.missing:
        errors.print(f"[red]not found:[/red] {path}")
    if result.rejected:
        errors.print(
            f"[yellow]{result.rejected} line(s) set aside[/yellow]; "
            "`plainsight rejects` lists them with the reason."
        )
    if not result.clean:
        raise typer.Exit(EXIT_SET_ASIDE)


@app.command()
def status(ctx: typer.Context) -> None:
    """What the workspace holds: tables, sources and what was set aside."""
    from plainsight.status import workspace_status

    workspace = _workspace(ctx)
    s = workspace_status(workspace)
    console.print(
        f"Workspace [bold]{workspace.home}[/bold]: lake version {s.lake_version}"
        + (f", committed {s.committed_at}" if s.committed_at else " (empty)")
    )
    console.print(f"Evidence: {s.evidence_files} files, {s.evidence_bytes:,} bytes")
    tables = Table("table", "rows", title="Tables")
    for name, rows in s.tables.items():
        tables.add_row(name, f"{rows:,}")
    console.print(tables)
    if s.sources:
        sources = Table("source", "adverts", "captures", "first", "last", title="Sources")
        for row in s.sources:
            sources.add_row(
                row["source"],
                f"{row['adverts']:,}",
                f"{row['captures']:,}",
                str(row["first_captured_at"])[:16],
                str(row["last_captured_at"])[:16],
            )
        console.print(sources)
    if s.reject_reasons:
        rejects = Table("why", "lines", "files", title="Set aside")
        for row in s.reject_reasons:
            rejects.add_row(row["kind"], str(row["lines"]), str(row["files"]))
        console.print(rejects)
    else:
        console.print("Nothing set aside.")


@app.command()
def rejects(
    ctx: typer.Context,
    file: Annotated[
        str | None, typer.Option(help="Only lines from files whose path contains this.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many lines.")] = 200,
    export: Annotated[
        Path | None, typer.Option(help="Write the set-aside lines, exactly as read, to this file.")
    ] = None,
) -> None:
    """Lines set aside by imports: file, line, reason, and the line itself."""
    from plainsight.status import list_rejects

    workspace = _workspace(ctx)
    rows = list_rejects(workspace, file, limit)
    _audit(ctx, workspace, "export" if export else "view", "rejects", file=file, lines=len(rows))
    if export:
        with export.open("wb") as fh:
            for row in rows:
                fh.write(row["raw"] + b"\n")
        console.print(f"Wrote {len(rows)} line(s) to {export}")
        return
    console.print(
        f"[bold]{len(rows)} line(s) set aside[/bold]"
        + (" (limit reached)" if len(rows) == limit else "")
    )
    for row in rows:
        preview = row["raw"][:160].decode("utf-8", errors="backslashreplace")
        where = escape(f"{row['file']}:{row['line']}:")
        console.print(f"{where} [yellow]{escape(row['reason'])}[/yellow]", soft_wrap=True)
        console.print(f"    {preview}", markup=False, highlight=False, soft_wrap=True)


@synth_app.command("adverts")
def synth_adverts(
    out: Annotated[Path, typer.Option(help="Folder to write the world into.")],
    scale: Annotated[float, typer.Option(min=0.01, help="1 is a few thousand adverts.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same world.")] = 0,
    images: Annotated[bool, typer.Option(help="Draw pictures (slow at large scales).")] = True,
) -> None:
    """A synthetic advert world: interchange file, pictures and the ground truth."""
    from plainsight.synth.adverts import generate_adverts

    with _progress("items") as bar:
        task = bar.add_task("personas", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = generate_adverts(out, scale=scale, seed=seed, images=images, on_progress=report)
    console.print(
        f"Wrote {summary.captures:,} captures of {summary.adverts:,} adverts by "
        f"{summary.personas:,} personas in {summary.networks:,} networks and agencies, "
        f"{summary.images:,} pictures, to {out}"
    )


@synth_app.command("crime")
def synth_crime(
    out: Annotated[
        Path, typer.Option(help="Folder to write crimes.csv, victims.csv, outcomes.csv.")
    ],
    seed: Annotated[int, typer.Option(help="Random seed for the incidental detail.")] = 0,
) -> None:
    """A synthetic crime world that reproduces every table of the seed committee report."""
    from plainsight.synth.crime import generate_crime

    summary = generate_crime(out, seed=seed)
    console.print(
        f"Wrote {summary.crimes:,} crimes ({summary.mdsht_crimes} MDSHT), "
        f"{summary.victims} victims and {summary.outcomes} outcomes to {out}"
    )


@synth_app.command("site")
def synth_site(
    world: Annotated[Path, typer.Option(help="An advert world made by 'synth adverts'.")],
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any).")] = 8765,
    round_: Annotated[
        int, typer.Option("--round", min=1, max=2, help="1: first captures; 2: edits, removals.")
    ] = 1,
    seed: Annotated[int, typer.Option(help="Chooses the removals and the faults.")] = 0,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Show only the world's first N adverts.")
    ] = None,
    faults: Annotated[bool, typer.Option(help="Slow, failing, hanging, cut pages.")] = True,
    log: Annotated[Path | None, typer.Option(help="Append every request here (JSONL).")] = None,
) -> None:
    """Serve an advert world as a website on 127.0.0.1 for the crawler (Ctrl-C stops)."""
    from plainsight.synth.site import serve_site

    site = serve_site(
        world, port=port, round=round_, seed=seed, limit=limit, faults=faults, log=log
    )
    with site:
        for skipped in site.skipped:
            errors.print(f"skipped {escape(f'{skipped.file}:{skipped.line}: {skipped.reason}')}")
        shown = len(site.plan.visible[round_])
        console.print(
            f"Serving {shown:,} adverts (round {round_}) at {site.url}/ ; Ctrl-C stops.",
            soft_wrap=True,
        )
        console.file.flush()
        try:
            while not site.wait(0.5):
                pass
        except KeyboardInterrupt:
            console.print("Stopped.")
    if site.skipped:
        raise typer.Exit(EXIT_SET_ASIDE)


@app.command()
def extract(
    input_file: Annotated[
        Path, typer.Option("--input", help="An interchange file (.jsonl or .jsonl.gz).")
    ],
    output: Annotated[Path, typer.Option(help="Where to write one JSON line per advert.")],
) -> None:
    """Extract contacts, persona details, places, pictures and indicators, without a workspace."""
    from plainsight.extract.standalone import extract_file

    def rejected(file: str, line: int, reason: str) -> None:
        errors.print(f"{escape(file)}:{line}: [yellow]{escape(reason)}[/yellow]", soft_wrap=True)

    with console.status("extracting"):
        report = extract_file(input_file, output, on_reject=rejected)
    console.print(f"Extracted {report.adverts:,} adverts from {report.lines:,} lines to {output}")
    if report.rejected:
        errors.print(f"[yellow]{report.rejected} line(s) set aside[/yellow] (listed above)")
        raise typer.Exit(EXIT_SET_ASIDE)


@app.command()
def run(
    ctx: typer.Context,
    full: Annotated[
        bool, typer.Option(help="Score every candidate pair again instead of reusing scores.")
    ] = False,
) -> None:
    """Run the stages: extraction (incremental), then linking and assessment, then the
    serving copy the web app looks things up in."""
    from plainsight.act.watch import check_watches
    from plainsight.extract.stage import ExtractStage
    from plainsight.lake import serving
    from plainsight.link.stage import LinkStage

    workspace = _workspace(ctx)
    with _progress("items") as bar:
        tasks: dict[str, Any] = {}

        def report(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done, total=total)

        result = ExtractStage(workspace, progress=report).run()
        linked = LinkStage(workspace, progress=report, incremental=not full).run()
        if workspace.settings.engine == "duckdb":  # the web app's sorted, indexed lookups
            serving.build(
                workspace.lake,
                progress=report,
                memory_limit=workspace.settings.duckdb_memory_limit,
            )
    raised = check_watches(workspace)
    _audit(
        ctx,
        workspace,
        "process",
        "run",
        captures=result.captures,
        adverts=linked.adverts,
        alerts=len(raised),
    )
    console.print(
        f"Extracted {result.captures:,} captures: {result.facts:,} facts, "
        f"{result.hits:,} indicator hits, {result.price_hits:,} price hits; "
        f"fingerprinted {result.images:,} pictures ({result.image_errors} could not be)"
        + (" (extractors changed: everything re-extracted)" if result.rebuilt else "")
    )
    console.print(
        f"Linked {linked.adverts:,} adverts into {linked.personas:,} personas and "
        f"{linked.networks:,} networks ({linked.generic:,} generic identifiers kept out; "
        f"{linked.pairs_scored:,} pairs scored, {linked.pairs_reused:,} reused). "
        "`plainsight networks` ranks them."
    )
    if raised:
        console.print(
            f"{len(raised)} new watchlist alert(s) (each raised once): `plainsight alerts` lists "
            "them."
        )


@gazetteer_app.command("import")
def gazetteer_import(
    ctx: typer.Context,
    source: Annotated[
        Path, typer.Argument(help="Code-Point Open as published: the folder or its CSV files.")
    ],
) -> None:
    """Import Ordnance Survey's Code-Point Open postcodes (all of Great Britain)."""
    from plainsight.extract.gazetteer import import_codepoint

    workspace = _workspace(ctx)
    with _progress("items") as bar:
        task = bar.add_task("files", total=None)
        count = import_codepoint(
            source,
            workspace.home / "gazetteer",
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(f"Imported {count:,} postcodes into {workspace.home / 'gazetteer'}")


@app.command("settings")
def show_settings(ctx: typer.Context) -> None:
    """The settings in force (file < environment < flags)."""
    values = _state(ctx).settings()
    table = Table("setting", "value", "meaning", title="Settings")
    for name, info in Settings.model_fields.items():
        table.add_row(name, str(getattr(values, name)), info.description or "")
    console.print(table)


def main() -> None:
    """Entry point: run the app, turning plainsight's errors into a message and exit 1."""
    try:
        app()
    except PlainsightError as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(1)
    except OSError as exc:  # disk full, permissions: the environment, not the input
        errors.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(1)


# The command groups in their own modules register themselves on ``app``.
from plainsight import (  # noqa: E402, F401
    cli_capture,
    cli_checks,
    cli_crime,
    cli_disruptions,
    cli_evidence,
    cli_intel,
    cli_link,
    cli_retention,
    cli_threat,
    cli_watch,
    cli_web,
)
