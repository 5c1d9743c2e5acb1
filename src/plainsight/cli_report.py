"""The committee report command of ``plainsight crime``: ``plainsight crime report``.

Registered by :mod:`plainsight.cli_crime`. Reads the workspace's imported crime records or,
with ``--input DIR``, a folder in the crime-data contract, and writes the report's key-data
section as HTML, PDF or Word (:mod:`plainsight.report`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from plainsight.cli import _audit, _workspace, console, errors
from plainsight.cli_crime import _day, crime_app, records_for
from plainsight.errors import PlainsightError

_FORMATS = {"html": "html", "htm": "html", "pdf": "pdf", "docx": "docx"}
_SYNTHETIC_MARK = "SYNTHETIC DATA"


@crime_app.command("report")
def crime_report(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First recorded day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last recorded day, YYYY-MM-DD.")],
    output: Annotated[Path, typer.Option(help="The report file to write.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="docx, pdf or html [default: from the --output file's suffix]."
        ),
    ] = None,
    input_dir: Annotated[
        Path | None,
        typer.Option("--input", help="Read this folder instead of the imported records."),
    ] = None,
    public: Annotated[
        bool,
        typer.Option(
            "--public", help="Disclosure control for publication: small counts shown as [c]."
        ),
    ] = False,
    threshold: Annotated[
        int, typer.Option(min=1, help="With --public, counts under this are withheld.")
    ] = 10,
    national: Annotated[
        Path | None,
        typer.Option(
            help="The Home Office police recorded crime open data table, for the national "
            "comparison (CSV, ODS or XLSX)."
        ),
    ] = None,
    force: Annotated[
        str, typer.Option(help="The force's name, on the report and in the national table.")
    ] = "City of London Police",
) -> None:
    """The committee report's key data on MDSHT, as Word, PDF or HTML."""
    from plainsight.report.build import build_report
    from plainsight.report.render import write_report

    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise typer.BadParameter(f"the period ends ({last}) before it starts", param_hint="--to")
    chosen = _format(fmt, output)
    if not output.parent.exists():
        raise typer.BadParameter(f"no such folder: {output.parent}", param_hint="--output")
    comparison = None
    if national is not None:
        from plainsight.crime.national import national_comparison
        from plainsight.crime.national_table import read_national_table

        comparison = national_comparison(read_national_table(national), force=force)
    records = records_for(ctx, input_dir)
    synthetic = _is_synthetic(ctx, input_dir)
    response = _disruptions(ctx) if input_dir is None else None
    with console.status(f"writing the {chosen.upper()} report"):
        report = build_report(
            records,
            first,
            last,
            public=public,
            threshold=threshold,
            national=comparison,
            force_name=force,
            synthetic=synthetic,
            disruptions=response,
        )
        write_report(report, output, chosen)
    if input_dir is None:
        _audit(
            ctx,
            _workspace(ctx),
            "export",
            "crime report",
            period={"from": first.isoformat(), "to": last.isoformat()},
            format=chosen,
            public=public,
            file=str(output),
        )
    what = "public version, " if public else ""
    console.print(
        f"Wrote {escape(str(output))} ({what}{report.table('crimes-by-year').rows[-1][1].text} "
        f"MDSHT crimes, {first:%d %b %Y} to {last:%d %b %Y})"
    )
    if not public:
        errors.print(
            "This report shows small counts; for publication make it with --public.",
            style="yellow",
        )
    if records.rejects:
        errors.print(
            f"{len(records.rejects)} row(s) could not be read and are not counted "
            "(the methods note says so; `plainsight crime rejects` lists them)."
        )


def _format(fmt: str | None, output: Path) -> str:
    if fmt is not None:
        key = fmt.lower().lstrip(".")
        if key not in _FORMATS:
            raise typer.BadParameter(f"{fmt!r}: use docx, pdf or html", param_hint="--format")
        return _FORMATS[key]
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in _FORMATS:
        raise typer.BadParameter(
            f"cannot tell the format from {output.name!r}: give --format docx, pdf or html",
            param_hint="--format",
        )
    return _FORMATS[suffix]


def _is_synthetic(ctx: typer.Context, input_dir: Path | None) -> bool:
    """Whether the records are a synthetic world (``plainsight synth crime`` marks its folder)."""
    folder: Any = input_dir
    if folder is None:
        try:
            with _workspace(ctx).reading() as engine:
                imports = engine.read_table("crime_imports").to_pylist()
            folder = imports[0]["folder"] if imports else None
        except (PlainsightError, OSError, LookupError):  # a hint only: no hint, no claim
            folder = None
    if folder is None:
        return False
    readme = Path(folder) / "README.txt"
    try:
        return readme.is_file() and readme.read_text("utf-8")[:200].startswith(_SYNTHETIC_MARK)
    except (OSError, UnicodeDecodeError):
        return False


def _disruptions(ctx: typer.Context) -> dict[str, Any] | None:
    """The workspace's disruptions register, counted (``None`` when it is empty)."""
    from plainsight.act.disruption_figures import disruption_figures

    with _workspace(ctx).ops.session() as session:
        figures = disruption_figures(session)
    empty = not figures["rows"] and not figures["live_operations"]["total"]
    return None if empty else figures
