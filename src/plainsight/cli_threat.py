"""The threat profile command of ``plainsight``: ``plainsight threat-profile``.

Registered by :mod:`plainsight.cli`. Answers the seed report's six intelligence requirements
from the workspace (adverts, personas, networks, crime records, welfare checks, disruptions)
and writes them as Word, PDF or HTML (:mod:`plainsight.act.threat_render`). The profile is
derived from personal data, so every export is written to the audit log with the operator
and ``--why``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from plainsight.cli import _audit, _workspace, app, console, errors

_FORMATS = {"html": "html", "htm": "html", "pdf": "pdf", "docx": "docx"}


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(1)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} {value!r} is not a date; write it as YYYY-MM-DD") from None


def _format(fmt: str | None, output: Path) -> str:
    key = (fmt if fmt is not None else output.suffix).lower().lstrip(".")
    if key not in _FORMATS:
        if fmt is None:
            raise _fail(f"cannot tell the format from {output.name!r}: give --format docx|pdf|html")
        raise _fail(f"unknown format {fmt!r}: use docx, pdf or html")
    return _FORMATS[key]


@app.command("threat-profile")
def threat_profile(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(help="The file to write.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="docx, pdf or html (default: from the --output file's suffix)."
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day of the period, YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day of the period, YYYY-MM-DD.")
    ] = None,
) -> None:
    """The six intelligence requirements answered from the data, with evidence and limits."""
    from plainsight.act.threat import build_threat_profile
    from plainsight.act.threat_render import write_profile

    first, last = _day(start, "--from"), _day(end, "--to")
    if first is not None and last is not None and last < first:
        raise _fail(f"the period ends ({last}) before it starts ({first})")
    chosen = _format(fmt, output)
    if not output.parent.is_dir():
        raise _fail(f"no folder {output.parent} to write the profile in")
    workspace = _workspace(ctx)
    with console.status(f"writing the {chosen.upper()} threat profile"):
        profile = build_threat_profile(workspace, start=first, end=last, clock=workspace.clock)
        write_profile(profile, output, chosen)
    _audit(
        ctx,
        workspace,
        "export",
        "threat profile",
        period={
            "from": first.isoformat() if first else None,
            "to": last.isoformat() if last else None,
        },
        format=chosen,
        file=str(output),
        sources=list(profile.sources),
    )
    held = ", ".join(profile.sources) if profile.sources else "no data"
    console.print(f"Wrote {escape(str(output))} ({profile.period_words}; from {escape(held)})")
