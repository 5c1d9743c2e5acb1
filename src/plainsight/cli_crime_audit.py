"""``plainsight crime audit``: the recording-integrity audit, on screen or exported for review.

Registered by :mod:`plainsight.cli_crime`. The audit itself is :func:`plainsight.crime.audit.
audit`; this module parses the options, shows the leads grouped by rule and writes the export
for the review team. As the other crime commands do, it reads the workspace's imported
records, logging the consultation or export in the audit log (victim references are personal
data), or, with ``--input DIR``, a folder directly, without a workspace.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from plainsight.cli import EXIT_SET_ASIDE, _audit, _state, _workspace, console, errors
from plainsight.cli_crime import crime_app, records_for

if TYPE_CHECKING:
    from plainsight.crime.audit import Finding

DEFAULT_NO_OUTCOME_AFTER_DAYS = 90
EXPORT_COLUMNS = ("rule", "title", "crime_ref", "victim_ref", "file", "line", "reason", "related")

_DAY = ["%Y-%m-%d"]


@crime_app.command("audit")
def crime_audit(
    ctx: typer.Context,
    input_dir: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="A folder of crime records (crimes.csv, victims.csv, outcomes.csv); "
            "default: the records imported into the workspace.",
        ),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=_DAY, help="The day the audit speaks for [default: today]."),
    ] = None,
    start: Annotated[
        datetime | None,
        typer.Option("--from", formats=_DAY, help="Only crimes recorded on or after this day."),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option("--to", formats=_DAY, help="Only crimes recorded on or before this day."),
    ] = None,
    rule: Annotated[
        list[str] | None,
        typer.Option(help="Only this rule (repeat for several); see docs/crime-audit.md."),
    ] = None,
    no_outcome_after: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Days a modern slavery crime may stay pending before it is a lead "
            f"[default: the crime_no_outcome_after_days setting, {DEFAULT_NO_OUTCOME_AFTER_DAYS}].",
        ),
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write every lead to this CSV file.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write every lead to this JSON file.")
    ] = None,
    limit: Annotated[int, typer.Option(min=0, help="Show at most N leads on screen.")] = 200,
) -> None:
    """Crime records that need a second look: leads for review, never findings."""
    from plainsight.crime.audit import RULE_IDS, RULES, audit

    if csv_out is not None and json_out is not None:
        raise typer.BadParameter("give --csv or --json, not both", param_hint="--csv/--json")
    unknown = sorted(set(rule or ()) - set(RULE_IDS))
    if unknown:
        raise typer.BadParameter(
            f"unknown rule {', '.join(unknown)}; the rules are {', '.join(RULE_IDS)}",
            param_hint="--rule",
        )
    if start is not None and end is not None and start > end:
        raise typer.BadParameter("--from is after --to", param_hint="--from")
    days = no_outcome_after
    if days is None:
        days = _state(ctx).settings().crime_no_outcome_after_days
    records = records_for(ctx, input_dir)
    today = as_of.date() if as_of is not None else date.today()
    findings = audit(
        records,
        as_of=today,
        no_outcome_after_days=int(days),
        start=start.date() if start else None,
        end=end.date() if end else None,
        rules=rule or None,
    )
    out = csv_out or json_out
    if input_dir is None:  # the workspace's records: a consultation or export to log
        _audit(
            ctx,
            _workspace(ctx),
            "export" if out else "view",
            "crime audit",
            as_of=today.isoformat(),
            rules=list(rule or RULE_IDS),
            leads=len(findings),
            file=str(out) if out else None,
        )
    titles = {r.id: r.title for r in RULES}
    counts = Counter(f.rule for f in findings)
    chosen = [r for r in RULE_IDS if not rule or r in rule]
    summary = Table("rule", "what", "leads", title=f"Recording audit as of {today}")
    for rule_id in chosen:
        summary.add_row(rule_id, titles[rule_id], str(counts[rule_id]))
    console.print(summary)
    console.print(
        f"{len(findings)} lead(s) that need a second look; each is for a person to review, "
        "not a finding.",
        soft_wrap=True,
    )
    if csv_out is not None:
        _write_csv(csv_out, findings, titles)
        console.print(f"Wrote {len(findings)} lead(s) to {csv_out}")
    elif json_out is not None:
        meta = {
            "as_of": today.isoformat(),
            "period": {
                "from": start.date().isoformat() if start else None,
                "to": end.date().isoformat() if end else None,
            },
            "no_outcome_after_days": int(days),
            "rules": [{"id": r.id, "title": r.title, "why": r.why} for r in RULES],
            "counts": {rule_id: counts[rule_id] for rule_id in chosen},
        }
        _write_json(json_out, findings, meta)
        console.print(f"Wrote {len(findings)} lead(s) to {json_out}")
    else:
        _show(findings, titles, limit)
    if input_dir is not None and records.rejects:
        errors.print(
            f"[yellow]{len(records.rejects)} row(s) of the crime records were set aside on "
            "reading and are not audited[/yellow]; `plainsight crime rejects --input "
            f"{escape(str(input_dir))}` lists them.",
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_SET_ASIDE)


def _show(findings: Sequence[Finding], titles: dict[str, str], limit: int) -> None:
    """The leads under a heading per rule: reference, row, and why, as wide as the text."""
    by_rule: dict[str, list[Finding]] = {}
    for f in findings[:limit]:
        by_rule.setdefault(f.rule, []).append(f)
    for rule_id, leads in by_rule.items():
        console.print(f"\n[bold]{rule_id}[/bold]: {escape(titles[rule_id])}")
        for f in leads:
            who = f"{f.crime_ref} victim {f.victim_ref}" if f.victim_ref else f.crime_ref
            where = f"{f.where.file}:{f.where.line}"
            console.print(
                f"  [cyan]{escape(who)}[/cyan] ({escape(where)}): {escape(f.reason)}",
                soft_wrap=True,
                highlight=False,
            )
    if len(findings) > limit:
        console.print(f"\n... and {len(findings) - limit} more: --csv or --json writes them all.")


def _write_csv(path: Path, findings: Sequence[Finding], titles: dict[str, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for f in findings:
            writer.writerow(
                [
                    f.rule,
                    titles[f.rule],
                    f.crime_ref,
                    f.victim_ref,
                    f.where.file,
                    f.where.line,
                    f.reason,
                    ";".join(f.related),
                ]
            )


def _write_json(path: Path, findings: Sequence[Finding], meta: dict[str, Any]) -> None:
    leads = [
        {
            "rule": f.rule,
            "crime_ref": f.crime_ref,
            "victim_ref": f.victim_ref,
            "file": f.where.file,
            "line": f.where.line,
            "reason": f.reason,
            "related": list(f.related),
        }
        for f in findings
    ]
    path.write_text(
        json.dumps({**meta, "leads": leads}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
