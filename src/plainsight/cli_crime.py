"""The crime-analytics commands of ``plainsight``: ``plainsight crime ...``.

Registered on the main app by :mod:`plainsight.cli`. Every crime command reads either the
workspace's imported crime records or, with ``--input DIR``, a folder in the crime-data
contract without a workspace.
"""

from __future__ import annotations

import typer

from plainsight.cli import app

crime_app = typer.Typer(
    help="Crime records: import, statistics, the recording audit and the committee report.",
    no_args_is_help=True,
)
app.add_typer(crime_app, name="crime")

# The other crime commands live in their own modules, one concept each.
from plainsight import cli_crime_audit, cli_crime_sources, cli_report  # noqa: E402, F401
