"""The crime-analytics commands of ``plainsight``: ``plainsight crime ...``.

Registered on the main app by :mod:`plainsight.cli`. Every crime command reads either the
workspace's imported crime records or, with ``--input DIR``, a folder in the crime-data
contract without a workspace.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from plainsight.cli import EXIT_SET_ASIDE, _audit, _workspace, app, console, errors

if TYPE_CHECKING:
    from plainsight.crime.records import CrimeRecords, Reject

#: How many set-aside rows an import or a stats run prints before pointing at `crime rejects`.
FIRST_REJECTS = 5

crime_app = typer.Typer(
    help="Crime records: import, statistics, the recording audit and the committee report.",
    no_args_is_help=True,
)
app.add_typer(crime_app, name="crime")


def records_for(ctx: typer.Context, input_dir: Path | None) -> CrimeRecords:
    """The crime records a command works on: ``input_dir`` read as the contract's CSV folder,
    or, without it, the records last imported into the workspace.

    Raises :class:`plainsight.errors.PlainsightError` (a clear message, exit 1) when the
    folder is not in the contract or the workspace holds no imported records.
    """
    if input_dir is not None:
        from plainsight.crime.importer import load_records

        return load_records(input_dir)
    from plainsight.crime.store import load_workspace_records

    return load_workspace_records(_workspace(ctx))


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


def _show_rejects(rejects: list[Reject], limit: int = FIRST_REJECTS) -> None:
    """The first few rows set aside, as ``file:line: reason`` and the row itself."""
    for reject in rejects[:limit]:
        where = escape(f"{reject.file}:{reject.line}:")
        errors.print(f"{where} [yellow]{escape(reject.reason)}[/yellow]", soft_wrap=True)
        errors.print(f"    {reject.raw[:160]}", markup=False, highlight=False, soft_wrap=True)
    if len(rejects) > limit:
        errors.print(f"... and {len(rejects) - limit} more: `plainsight crime rejects` lists them.")


@crime_app.command("import")
def crime_import(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(help="Folder with crimes.csv, victims.csv and outcomes.csv.")
    ],
    mdsht_code: Annotated[
        list[str] | None,
        typer.Option(
            "--mdsht-code",
            help="Offence code that makes a crime MDSHT (repeat; default 106 and 72). "
            "A code also covers its sub-codes (106 covers 106/01).",
        ),
    ] = None,
) -> None:
    """Import a force's crime records: a whole snapshot that replaces the previous one."""
    from plainsight.crime.records import MDSHT_CODES_DEFAULT
    from plainsight.crime.store import import_records

    codes = tuple(c.strip().upper() for c in mdsht_code) if mdsht_code else MDSHT_CODES_DEFAULT
    workspace = _workspace(ctx)
    done = import_records(workspace, folder, mdsht_codes=codes, progress=True)
    records = done.records
    _audit(
        ctx,
        workspace,
        "import",
        "crime records",
        folder=str(folder),
        files=done.files,
        crimes=len(records.crimes),
        victims=len(records.victims),
        outcomes=len(records.outcomes),
        rejected=len(records.rejects),
    )
    table = Table("file", "read", "set aside", title=f"Imported crime records from {folder}")
    read = {
        "crimes.csv": len(records.crimes),
        "victims.csv": len(records.victims),
        "outcomes.csv": len(records.outcomes),
    }
    for name in done.files:
        aside = sum(1 for r in records.rejects if r.file == name)
        table.add_row(name, f"{read[name]:,}", f"{aside:,}")
    console.print(table)
    console.print(
        f"{done.mdsht_crimes:,} recorded MDSHT crimes (offence codes {', '.join(codes)}); "
        f"lake version {done.lake_version}."
    )
    if records.rejects:
        errors.print(
            f"[yellow]{len(records.rejects)} row(s) set aside[/yellow]; the rest was imported."
        )
        _show_rejects(records.rejects)
        raise typer.Exit(EXIT_SET_ASIDE)


@crime_app.command("stats")
def crime_stats_command(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First recorded day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last recorded day, YYYY-MM-DD.")],
    input_dir: Annotated[
        Path | None,
        typer.Option("--input", help="Read this folder instead of the imported records."),
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Write the statistics (contract JSON) here.")
    ] = None,
) -> None:
    """MDSHT statistics for crimes recorded from --from to --to (inclusive)."""
    from plainsight.stats.counts import crime_stats

    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise typer.BadParameter(f"the period ends ({last}) before it starts", param_hint="--to")
    records = records_for(ctx, input_dir)
    stats = crime_stats(records, first, last)
    if json_file is not None:
        json_file.write_text(json.dumps(stats, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if input_dir is None:
        detail: dict[str, Any] = {"period": stats["period"], "crimes": stats["crimes"]}
        if json_file is not None:
            detail["file"] = str(json_file)
        _audit(ctx, _workspace(ctx), "export" if json_file else "view", "crime stats", **detail)
    _print_stats(stats)
    if json_file is not None:
        console.print(f"Wrote {json_file}")
    if records.rejects and input_dir is not None:
        errors.print(f"[yellow]{len(records.rejects)} row(s) set aside[/yellow] and not counted.")
        _show_rejects(records.rejects)
        raise typer.Exit(EXIT_SET_ASIDE)
    if records.rejects:
        errors.print(
            f"{len(records.rejects)} row(s) were set aside at import and are not counted "
            "(`plainsight crime rejects`)."
        )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _print_stats(stats: dict[str, Any]) -> None:
    """A readable summary of the statistics: the headline figures and the report's tables."""
    from plainsight.crime.codes import IC_NAMES, SEX_NAMES, SEXES

    period = stats["period"]
    console.print(
        f"[bold]{stats['crimes']} MDSHT crimes[/bold] and [bold]{stats['victims']} victims[/bold]"
        f" recorded {period['from']} to {period['to']}"
    )
    years = Table(title="Crimes by year recorded")
    years.add_column("year")
    years.add_column("MDSHT", justify="right")
    years.add_column("all crime", justify="right")
    years.add_column("share", justify="right")
    for year, count in stats["crimes_by_year"].items():
        total = stats["all_crimes_by_year"].get(year)
        share = stats["share_of_all_crime_by_year"].get(year)
        years.add_row(
            year,
            str(count),
            "–" if total is None else f"{total:,}",
            "–" if share is None else f"{share:.2f}%",
        )
    console.print(years)

    ages = Table(title="Victims by sex and age")
    ages.add_column("sex")
    for band in stats["victims_by_sex_age"]["bands"]:
        ages.add_column(band, justify="right")
    ages.add_column("total", justify="right")
    for sex in SEXES:
        row = stats["victims_by_sex_age"][sex]
        ages.add_row(SEX_NAMES[sex], *map(str, row), str(sum(row)))
    console.print(ages)

    ethnicity = Table(title="Victims by sex and ethnicity (officer-observed IC code)")
    ethnicity.add_column("sex")
    codes = stats["victims_by_sex_ethnicity"]["codes"]
    for code in codes:
        ethnicity.add_column(code, justify="right")
    for sex in SEXES:
        ethnicity.add_row(SEX_NAMES[sex], *map(str, stats["victims_by_sex_ethnicity"][sex]))
    ethnicity.caption = "; ".join(f"{code} {IC_NAMES[code]}" for code in codes)
    console.print(ethnicity)

    outcomes = Table(title="Outcomes (latest per crime) by year recorded")
    outcomes.add_column("outcome")
    for year in stats["crimes_by_year"]:
        outcomes.add_column(year, justify="right")
    outcomes.add_column("total", justify="right")
    outcomes.add_column("share", justify="right")
    for code, per_year in stats["outcomes_by_year"].items():
        share = stats["outcome_shares"].get(code)
        name = share["name"] if share else "Pending (no outcome yet)"
        label = name if code == "pending" else f"{code}: {name}"
        outcomes.add_row(
            label,
            *(str(per_year.get(year, 0)) for year in stats["crimes_by_year"]),
            str(sum(per_year.values())),
            _pct(share["share"]) if share else "–",
        )
    console.print(outcomes)

    profile = stats["monthly_profile"]
    months = Table(title="Crimes by month (committed, else recorded)")
    for month in profile["months"]:
        months.add_column(month, justify="right")
    months.add_row(*map(str, profile["counts"]))
    months.add_row(*(_pct(p) for p in profile["share"]))
    console.print(months)


@crime_app.command("rejects")
def crime_rejects(
    ctx: typer.Context,
    input_dir: Annotated[
        Path | None,
        typer.Option("--input", help="Read this folder instead of the imported records."),
    ] = None,
    file: Annotated[
        str | None, typer.Option(help="Only rows from this file (e.g. victims.csv).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 200,
) -> None:
    """Rows of the crime records set aside: file, line, reason, and the row as written."""
    records = records_for(ctx, input_dir)
    rejects = [r for r in records.rejects if file is None or r.file == file]
    if input_dir is None:
        _audit(ctx, _workspace(ctx), "view", "crime rejects", file=file, rows=len(rejects))
    console.print(
        f"[bold]{len(rejects)} row(s) set aside[/bold]"
        + (f" (showing the first {limit})" if len(rejects) > limit else "")
    )
    for reject in rejects[:limit]:
        where = escape(f"{reject.file}:{reject.line}:")
        console.print(f"{where} [yellow]{escape(reject.reason)}[/yellow]", soft_wrap=True)
        console.print(f"    {reject.raw}", markup=False, highlight=False, soft_wrap=True)


# The other crime commands live in their own modules, one concept each.
from plainsight import cli_crime_audit, cli_crime_sources, cli_report  # noqa: E402, F401
