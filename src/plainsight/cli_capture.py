"""``plainsight crawl PROFILE``: crawl a site a profile describes into the workspace.

Registered on the main app by :mod:`plainsight.cli`; kept apart so each module stays one
concept. Scrapy is imported only when the command runs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from plainsight.cli import EXIT_SET_ASIDE, _audit, _progress, _workspace, app, console, errors

SHOWN_PROBLEMS = 20


@app.command("crawl")
def crawl_command(
    ctx: typer.Context,
    profile: Annotated[Path, typer.Argument(help="The site's crawl profile (TOML).")],
    resume: Annotated[
        bool,
        typer.Option(
            "--resume/--fresh",
            help="Continue this profile's unfinished crawl (default), or start a new one.",
        ),
    ] = True,
    warc: Annotated[
        bool,
        typer.Option("--warc/--no-warc", help="Write every response to WARC evidence."),
    ] = True,
    limit_pages: Annotated[
        int | None,
        typer.Option(min=1, help="Stop (resumably) after about this many pages this session."),
    ] = None,
) -> None:
    """Crawl the site a profile describes: captures imported, removals marked, evidence kept."""
    from plainsight.crawl.run import STOPPED, CrawlOptions, crawl, preflight

    workspace = _workspace(ctx)
    preflight(profile, CrawlOptions(warc=warc))  # refuse before any progress is drawn
    counts: Counter[str] = Counter()
    with _progress("items") as bar:
        task = bar.add_task("pages", total=None)

        def on_event(event: dict[str, Any]) -> None:
            counts[event["outcome"]] += 1
            bar.update(
                task,
                advance=1,
                description=(
                    f"pages: {counts['captured']} captured, {counts['unchanged']} unchanged, "
                    f"{counts['failed']} failed"
                ),
            )

        options = CrawlOptions(resume=resume, warc=warc, limit_pages=limit_pages, on_event=on_event)
        result = crawl(workspace, profile, options)
    tally = result.tally
    _audit(
        ctx,
        workspace,
        "capture",
        f"crawl {result.crawl_id}",
        profile=str(profile),
        session=result.session,
        finish_reason=result.finish_reason,
        captured=tally.captured,
        unchanged=tally.unchanged,
        removed=tally.removed,
        problems=len(tally.problems),
        warc=warc,
    )
    for crawl_id in result.settled_earlier:
        console.print(f"Settled the earlier crawl {crawl_id} first (its captures are imported).")
    if result.recovered:
        console.print("The last session was interrupted: listings were read again to resume.")
    table = Table(
        "listings read",
        "captured",
        "unchanged",
        "gone (404)",
        "marked removed",
        title=f"Crawl {result.crawl_id}, session {result.session}",
    )
    table.add_row(
        str(tally.listings),
        str(tally.captured),
        str(tally.unchanged),
        str(tally.gone),
        str(tally.removed),
    )
    console.print(table)
    if result.finished:
        state = "complete" if result.complete else "finished, but some listing pages failed"
        console.print(f"Crawl {state}. Files in {result.folder}")
    else:
        why = STOPPED.get(result.finish_reason, f"stopped ({result.finish_reason})")
        console.print(f"Crawl {why}; run the same command again to resume.")
    if not warc:
        errors.print("[yellow]No WARC evidence was written (--no-warc).[/yellow]")
    _show_problems(result.problems)
    set_aside = [p for p in result.problems if p["kind"] != "disallowed"]
    if result.imported is not None and result.imported.rejected:
        errors.print(
            f"[yellow]{result.imported.rejected} capture(s) set aside by the import[/yellow]; "
            "`plainsight rejects` lists them with the reason."
        )
    if set_aside or result.set_aside:
        raise typer.Exit(EXIT_SET_ASIDE)


def _show_problems(problems: list[dict[str, Any]]) -> None:
    if not problems:
        return
    table = Table("kind", "page", "reason", title=f"Pages not read whole ({len(problems)})")
    for row in sorted(problems, key=lambda r: (r["kind"], r["url"]))[:SHOWN_PROBLEMS]:
        table.add_row(row["kind"], escape(row["url"]), escape(row["reason"]))
    errors.print(table)
    if len(problems) > SHOWN_PROBLEMS:
        errors.print(f"… and {len(problems) - SHOWN_PROBLEMS} more in the lake's crawl_problems.")
