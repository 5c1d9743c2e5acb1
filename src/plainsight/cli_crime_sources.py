"""The national comparison and police.uk commands of ``plainsight crime``.

Registered by :mod:`plainsight.cli_crime`. Both read published files, not the workspace, so
they open no workspace and write no audit events: the files are public statistics.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from plainsight.cli import EXIT_SET_ASIDE, console, errors
from plainsight.cli_crime import crime_app
from plainsight.crime.records import Reject
from plainsight.errors import PlainsightError

_SHOW_REJECTS = 20


def _fail(exc: PlainsightError | OSError) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
    return typer.Exit(1)


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    try:
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as exc:
        raise _fail(exc) from exc
    console.print(f"Wrote {path}")


def _list_rejects(rejects: list[Reject], what: str) -> None:
    """Show set-aside rows as ``file:line: reason`` (the first few) and the total."""
    for r in rejects[:_SHOW_REJECTS]:
        where = escape(f"{r.file}:{r.line}:")
        errors.print(f"{where} [yellow]{escape(r.reason)}[/yellow]", soft_wrap=True)
    more = f" ({len(rejects) - _SHOW_REJECTS} more not shown)" if len(rejects) > 20 else ""
    errors.print(f"[yellow]{len(rejects)} {what} set aside[/yellow]{more}")


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share:.2f}%"


@crime_app.command("national")
def national(
    file: Annotated[
        Path,
        typer.Argument(
            help="The Home Office police recorded crime open data table (CSV/ODS/XLSX)."
        ),
    ],
    force: Annotated[
        str, typer.Option(help="The force, as the table names it (or 'City of London').")
    ] = "London, City of",
    year: Annotated[
        str | None, typer.Option(help="Financial year, e.g. 2022/23 [default: the latest].")
    ] = None,
    codes: Annotated[
        str, typer.Option(help="MDSHT offence codes, comma-separated (106 includes 106/..).")
    ] = "106,72",
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the comparison as JSON here.")
    ] = None,
) -> None:
    """A force's MDSHT share of crime against the other territorial forces' (pooled)."""
    from plainsight.crime.national import national_comparison
    from plainsight.crime.national_table import read_national_table

    mdsht_codes = tuple(c.strip() for c in codes.split(",") if c.strip())
    if not mdsht_codes:
        raise _fail(PlainsightError("--codes needs at least one offence code"))
    try:
        table = read_national_table(file)
        comparison = national_comparison(
            table, force=force, financial_year=year, mdsht_codes=mdsht_codes
        )
    except PlainsightError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise _fail(exc) from exc
    console.print(comparison.headline, soft_wrap=True)
    shown = Table(
        "rank",
        "force",
        "MDSHT",
        "all crime",
        "share",
        title=f"Territorial forces, {comparison.financial_year}, by MDSHT share",
    )
    for row in comparison.forces:
        style = "bold" if row.force == comparison.force else None
        shown.add_row(
            str(row.rank),
            escape(row.force),
            f"{row.mdsht:,}",
            f"{row.all_crime:,}",
            _pct(row.share),
            style=style,
        )
    console.print(shown)
    console.print(
        f"Other forces pooled: {_pct(comparison.others_pooled_share)} "
        f"(used in the headline); mean of their shares: {_pct(comparison.others_mean_share)}."
    )
    for name, why in comparison.excluded:
        console.print(f"Left out: {escape(name)} ({escape(why)})")
    if table.not_published:
        errors.print(
            f"[yellow]{len(table.not_published)} row(s) have no published number "
            "('..' or blank) and are not counted[/yellow]"
        )
    if json_out:
        payload = asdict(comparison)
        payload["source"] = table.source
        payload["rows_read"] = len(table.rows)
        payload["rows_set_aside"] = len(table.rejects)
        payload["rows_not_published"] = len(table.not_published)
        _write_json(json_out, payload)
    if table.rejects:
        _list_rejects(table.rejects, "row(s)")
        raise typer.Exit(EXIT_SET_ASIDE)


@crime_app.command("police-uk")
def police_uk(
    paths: Annotated[
        list[Path],
        typer.Argument(help="police.uk street/outcomes CSVs, folders of them, or .zip archives."),
    ],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write every count as JSON here.")
    ] = None,
    include_asb: Annotated[
        bool,
        typer.Option(
            "--include-asb", help="Count anti-social behaviour too (it is not recorded crime)."
        ),
    ] = False,
    financial: Annotated[
        bool, typer.Option("--financial-years", help="Years April to March (2023/24).")
    ] = False,
) -> None:
    """Counts from data.police.uk's street and outcomes files: by year, crime type and area."""
    from plainsight.crime.policeuk import read_police_uk, summary

    try:
        data = read_police_uk(paths)
    except PlainsightError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise _fail(exc) from exc
    s = summary(data, include_asb=include_asb, year="financial" if financial else "calendar")
    asb = (
        "including anti-social behaviour"
        if include_asb
        else f"not counting {s['anti_social_behaviour']:,} anti-social behaviour incidents"
    )
    console.print(f"Read {s['files']} file(s): {s['crimes']:,} crimes ({asb}).", soft_wrap=True)
    years = list(s["all_crimes_by_year"])
    by_year = Table(
        "year", "months", "crimes", "inside City", "outside", "no LSOA", title="By year"
    )
    areas = s["crimes_by_year_and_area"]
    for y in years:
        months = s["months_by_year"].get(y, 0)
        by_year.add_row(
            y,
            f"{months}" + ("" if months == 12 else " (part year)"),
            f"{s['all_crimes_by_year'][y]:,}",
            *(f"{areas.get(area, {}).get(y, 0):,}" for area in ("inside", "outside", "unknown")),
        )
    console.print(by_year)
    by_type = Table("crime type", *years, "all", title="By crime type")
    for crime_type, counts in s["crimes_by_year_and_type"].items():
        by_type.add_row(
            escape(crime_type),
            *(f"{counts.get(y, 0):,}" for y in years),
            f"{sum(counts.values()):,}",
        )
    console.print(by_type)
    notes = []
    if s["duplicate_crime_ids"]:
        notes.append(f"{s['duplicate_crime_ids']:,} Crime IDs appear on more than one row")
    if s["outcomes_without_crime"]:
        notes.append(
            f"{s['outcomes_without_crime']:,} crimes with outcomes are in no street file read"
        )
    if notes:
        console.print("Note: " + "; ".join(notes) + ".")
    if json_out:
        _write_json(json_out, s)
    if data.rejects:
        _list_rejects(data.rejects, "row(s) or file(s)")
        raise typer.Exit(EXIT_SET_ASIDE)
