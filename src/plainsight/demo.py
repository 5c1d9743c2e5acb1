"""``make demo``: make the synthetic worlds, import them, and show where to look next.

Run as ``python -m plainsight.demo --home DIR``. Re-running it is safe: the worlds are made
once, and importing the same files again changes nothing.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import orjson
from rich.console import Console

from plainsight.cli import app
from plainsight.crime.national_table import synthetic_national_table_path

console = Console()


WEB_PORT = 8080
DEMO_USER = ("demo", "synthetic-demo-only")
"""The demo's login (a supervisor: all the casework and the audit log), for the synthetic
worlds only."""
DEMO_ADMIN = ("demo-admin", "synthetic-demo-only")
"""The demo's administrator (users and settings, no casework)."""


def _demo_login(ws: Path) -> tuple[str, str]:
    """The demo logins, made (or put back to their roles) in the demo workspace."""
    from plainsight.ops.users import by_name
    from plainsight.settings import load_settings
    from plainsight.web.auth import add_user
    from plainsight.workspace import Workspace

    workspace = Workspace.open(load_settings(ws, operator="demo"))
    for (name, password), role in ((DEMO_USER, "supervisor"), (DEMO_ADMIN, "admin")):
        with workspace.ops.session() as session:
            found = by_name(session, name)
            if found is not None:  # made by an earlier run of the demo
                found.role, found.active = role, True
                continue
        add_user(workspace, name, password, role, by="demo")
    return DEMO_USER


def _cli(*args: str) -> None:
    try:
        app(list(args), standalone_mode=False)
    except SystemExit as stop:  # typer.Exit becomes SystemExit outside standalone mode
        if stop.code not in (None, 0, 3):
            raise


def _damaged_feed(world: Path, out: Path) -> Path:
    """A partner's feed with the faults real feeds have, to show what is set aside and why."""
    out.mkdir(parents=True, exist_ok=True)
    good = (world / "adverts.jsonl").read_bytes().split(b"\n")[:5]
    pictures = out / "images"
    pictures.mkdir(exist_ok=True)
    (pictures / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a picture")
    lines = [
        *good[:3],
        b'{"source": "partner-feed", "ad_id": "p-1", "captured_at": "2023-05-02T10:00:00Z",'
        b' "title": ',
        b'{"source": "partner-feed", "captured_at": "2023-05-02T10:00:00Z", "title": "no id"}',
        b'{"source": "partner-feed", "ad_id": "p-3", "captured_at": "2023-05-02T10:00:00Z",'
        b' "age": "22"}',
        b'{"source": "partner-feed", "ad_id": "p-4", "captured_at": "2 May 2023"}',
        b'{"source": "partner-feed", "ad_id": "p-5", "captured_at": "2023-05-02T10:00:00Z",'
        b' "images": ["images/broken.jpg"]}',
        b'{"source": "partner-feed", "ad_id": "p-6", "captured_at": "2023-05-02T10:00:00Z",'
        b' "title": "Caf\xe9 bar"}',
    ]
    path = out / "partner-feed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    # the contract's image paths are relative to the file's folder: copy the good ones
    for line in good[:3]:
        for rel in orjson.loads(line).get("images", []):
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(world / rel, target)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("demo-data"))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-serve", action="store_true", help="do not start the web app at the end"
    )
    args = parser.parse_args()
    home: Path = args.home
    worlds = home / "worlds"
    adverts, crime = worlds / "adverts", worlds / "crime"
    ws = home / "workspace"

    console.rule("1. A synthetic advert world")
    if not (adverts / "world.json").is_file():
        _cli(
            "synth",
            "adverts",
            "--out",
            str(adverts),
            "--scale",
            str(args.scale),
            "--seed",
            str(args.seed),
        )
    else:
        console.print(f"(already made: {adverts})")
    console.rule("2. A synthetic crime world (the seed committee report's figures)")
    if not (crime / "crimes.csv").is_file():
        _cli("synth", "crime", "--out", str(crime), "--seed", str(args.seed))
    else:
        console.print(f"(already made: {crime})")

    console.rule("3. Import the adverts, and a damaged partner feed")
    _cli("--home", str(ws), "--why", "demo", "import", "adverts", str(adverts / "adverts.jsonl"))
    damaged = _damaged_feed(adverts, worlds / "partner-feed")
    _cli("--home", str(ws), "--why", "demo", "import", "adverts", str(damaged))

    console.rule("4. Extract, link into personas and networks, and rank them")
    _cli("--home", str(ws), "--why", "demo", "run")
    _cli("--home", str(ws), "--why", "demo", "networks", "--limit", "5")

    console.rule("5. How good is the linking? (against the world's ground truth)")
    _cli("--home", str(ws), "evaluate", "--truth", str(adverts / "truth.jsonl"))

    console.rule("6. The crime side: import the force's records, audit them, the committee report")
    reports = home / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    national = synthetic_national_table_path()
    _cli("--home", str(ws), "--why", "demo", "crime", "import", str(crime))
    period = ("--from", "2019-01-01", "--to", "2023-12-31")
    _cli(
        "--home", str(ws), "--why", "demo", "crime", "stats", *period,
        "--json", str(reports / "stats.json"),
    )  # fmt: skip
    _cli(
        "--home", str(ws), "--why", "demo", "crime", "audit", "--as-of", "2024-10-01",
        "--limit", "12", "--csv", str(reports / "audit.csv"),
    )  # fmt: skip
    _cli("crime", "national", str(national))
    for fmt in ("html", "pdf", "docx"):
        _cli(
            "--home", str(ws), "--why", "demo", "crime", "report", *period,
            "--national", str(national), "--output", str(reports / f"key-data.{fmt}"),
        )  # fmt: skip

    console.rule("7. What the workspace holds")
    _cli("--home", str(ws), "status")

    console.rule("8. The analysts' web app")
    login = _demo_login(ws)

    console.rule("Where to look next")
    console.print(
        f"""\
  plainsight --home {ws} status        tables, sources, what was set aside
  plainsight --home {ws} rejects       every set-aside line, with file, line and reason
  plainsight --home {ws} networks      networks ranked for welfare checks
  plainsight --home {ws} explain network N-...   why a network scores as it does
  plainsight --home {ws} explain link A... A...  why two adverts are linked (or not)
  plainsight --home {ws} generic       identifiers kept out of linking, and why
  plainsight --home {ws} export adverts --output adverts.jsonl
  {adverts}/truth.jsonl    who posted each advert (persona, network): the ground truth
  {adverts}/world.json     what the world holds, and the generic identifiers planted in it
  {crime}/                 crimes.csv, victims.csv, outcomes.csv (synthetic)
  {home}/reports/          the committee report (key-data.html, .pdf, .docx), stats.json, audit.csv
  plainsight --home {ws} crime audit     crime records that need a second look, and why
  plainsight --home {ws} crime report --from 2019-01-01 --to 2023-12-31 --public --output public.pdf
  {ws}/evidence/           what was captured, as captured, by SHA-256
  {ws}/lake/               the Parquet tables (any Parquet reader, or DuckDB, can read them)

The CLI is at .venv/bin/plainsight (source .venv/bin/activate to put it on PATH).""",
        soft_wrap=True,
        highlight=False,
    )
    console.print(
        f"The web app: http://127.0.0.1:{WEB_PORT}/ - sign in as {login[0]!r}, password "
        f"{login[1]!r} (a supervisor; {DEMO_ADMIN[0]!r} with the same password administers "
        "users; demo logins for synthetic data only)."
    )
    if sys.stdin.isatty() and not args.no_serve:
        _cli("--home", str(ws), "serve", "--port", str(WEB_PORT))
    else:
        console.print(f"Start it with: plainsight --home {ws} serve --port {WEB_PORT}")


if __name__ == "__main__":
    main()
