"""The evidence commands of ``plainsight``: verify the evidence, export an exhibit.

Registered on the main app by :mod:`plainsight.cli`; kept apart so each module stays one
concept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from plainsight.cli import EXIT_SET_ASIDE, _audit, _progress, _workspace, app, console, errors

EXIT_EVIDENCE_FAILED = 4

evidence_app = typer.Typer(
    help="Evidence: re-check it against custody, export exhibits.", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence")


@evidence_app.command("verify")
def verify(
    ctx: typer.Context,
    crawl: Annotated[
        str | None, typer.Option(help="Only this crawl's WARC files (the chain is always whole).")
    ] = None,
) -> None:
    """Re-hash every WARC file, record and evidence file and compare with the custody log."""
    from plainsight.capture.crawlwarcs import CRAWL_ID
    from plainsight.capture.verify import verify_evidence

    if crawl is not None and not CRAWL_ID.match(crawl):
        raise typer.BadParameter("a crawl id holds only letters, digits, '.', '_', '-'")
    workspace = _workspace(ctx)
    with _progress() as bar:
        task = bar.add_task("verifying", total=None)

        def report(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        result = verify_evidence(workspace, crawl, progress=report)
    _audit(
        ctx,
        workspace,
        "verify",
        "evidence" + (f" crawl {crawl}" if crawl else ""),
        ok=result.ok,
        problems=len(result.problems),
        warc_files=result.warc_files,
        records=result.records,
        evidence_files=result.evidence_files,
    )
    console.print(
        f"Checked the custody chain ({result.chain.events:,} entries), "
        f"{result.warc_files:,} WARC file(s) with {result.records:,} record(s) and "
        f"{result.evidence_files:,} content-addressed file(s): {result.bytes:,} bytes."
    )
    if result.ok and crawl and not result.warc_files:
        errors.print(f"[yellow]no WARC files of crawl {escape(crawl)}[/yellow] in custody")
        raise typer.Exit(EXIT_SET_ASIDE)
    if result.ok:
        console.print("[green]All evidence matches its custody record.[/green]")
        return
    for problem in result.problems:
        console.print(f"[red]{escape(problem.what)}[/red]: {escape(problem.path)}", soft_wrap=True)
        console.print(f"    expected {escape(problem.expected)}", soft_wrap=True, highlight=False)
        console.print(f"    found    {escape(problem.found)}", soft_wrap=True, highlight=False)
    errors.print(
        f"[red]{len(result.problems)} mismatch(es)[/red]: this evidence fails verification"
    )
    raise typer.Exit(EXIT_EVIDENCE_FAILED)


@evidence_app.command("export")
def export(
    ctx: typer.Context,
    ad: Annotated[str, typer.Argument(help="An advert id (A...) or source:ad_id.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="A new folder, or a file ending .zip.")
    ],
) -> None:
    """An exhibit bundle for one advert: captures, pictures, WARC records, hashes, custody."""
    from plainsight.capture.exhibit import export_exhibit

    workspace = _workspace(ctx)
    with console.status("exporting"):
        exhibit = export_exhibit(workspace, ad, output)
    details: dict[str, Any] = {
        "output": str(output),
        "captures": exhibit.captures,
        "pictures": exhibit.pictures,
        "records": exhibit.records,
        "sha256sums": exhibit.sums_sha256,
    }
    _audit(ctx, workspace, "export", f"advert {exhibit.advert_id}", **details)
    console.print(
        f"Wrote the exhibit for advert {escape(exhibit.ad_id)} on {escape(exhibit.source)} "
        f"({exhibit.advert_id}) to {escape(str(output))}: {exhibit.captures} capture(s), "
        f"{exhibit.pictures} picture(s), {exhibit.records} WARC record(s). "
        f"SHA256SUMS has SHA-256 {exhibit.sums_sha256}."
    )
