"""Typed, layered settings: defaults < ``plainsight.toml`` in the workspace < environment < flags.

The settings object is built once, in the entry point, and passed down; nothing reads the
environment at import time. Every setting is documented in ``docs/settings.md`` (a test
checks that), and ``plainsight settings`` shows the values in force and where each came from.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from plainsight.errors import SettingsError

SETTINGS_FILE = "plainsight.toml"
DEFAULT_HOME = Path("plainsight-data")


def _default_operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return "unknown"


class Settings(BaseSettings):
    """Everything configurable about a plainsight workspace."""

    model_config = SettingsConfigDict(env_prefix="PLAINSIGHT_", extra="forbid")

    home: Path = Field(
        default=DEFAULT_HOME, description="The workspace folder: evidence/, lake/ and ops.db."
    )
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb", description="The analytical engine that runs stage SQL."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the operational database; default: SQLite at ops.db.",
    )
    operator: str = Field(
        default_factory=_default_operator,
        description="Who is running plainsight, written into custody and audit records.",
    )
    import_batch_lines: int = Field(
        default=20_000,
        ge=1,
        description="Lines an import commits at a time (smaller loses less work to a crash).",
    )
    duckdb_threads: int = Field(
        default=0, ge=0, description="Threads DuckDB may use; 0 lets DuckDB decide."
    )
    duckdb_memory_limit: str = Field(
        default="", description="DuckDB memory limit such as '4GB'; empty lets DuckDB decide."
    )
    crime_no_outcome_after_days: int = Field(
        default=90,
        ge=0,
        description="Days after recording an MDSHT crime may stay without an outcome before "
        "the recording audit lists it for a second look.",
    )

    force_name: str = Field(
        default="City of London Police",
        description="The force's name, on its reports and as written in the national table.",
    )
    national_table: Path | None = Field(
        default=None,
        description="The Home Office police recorded crime table (CSV or ODS) the web app's "
        "statistics compare the force with; unset: no comparison (the shipped synthetic "
        "table for a synthetic world).",
    )

    @property
    def database(self) -> str:
        """The operational database URL in force."""
        return self.database_url or f"sqlite:///{(self.home / 'ops.db').resolve()}"


def _from_file(home: Path) -> dict[str, Any]:
    path = home / SETTINGS_FILE
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise SettingsError(f"{path}: {exc}") from exc


def _from_env() -> dict[str, str]:
    values: dict[str, str] = {}
    for name in Settings.model_fields:
        raw = os.environ.get(f"PLAINSIGHT_{name.upper()}")
        if raw is not None and raw != "":
            values[name] = raw
    return values


def load_settings(home: Path | str | None = None, **flags: Any) -> Settings:
    """Build the settings in force: defaults < workspace file < environment < flags.

    ``home`` comes from the ``--home`` flag, else ``PLAINSIGHT_HOME``, else the default; the
    workspace's own ``plainsight.toml`` is then read from it. Flags given as ``None`` are
    treated as not given.

    Raises:
        SettingsError: a value fails validation; the message names the setting and its source.
    """
    env = _from_env()
    resolved_home = Path(home) if home else Path(env.get("home", DEFAULT_HOME))
    layers: list[tuple[str, dict[str, Any]]] = [
        (f"{resolved_home / SETTINGS_FILE}", _from_file(resolved_home)),
        ("the environment", env),
        ("a command-line flag", {k: v for k, v in flags.items() if v is not None}),
    ]
    merged: dict[str, Any] = {}
    for source, layer in layers:
        unknown = sorted(set(layer) - set(Settings.model_fields))
        if unknown:
            raise SettingsError(f"unknown setting(s) in {source}: {', '.join(unknown)}")
        merged.update(layer)
    merged["home"] = resolved_home
    try:
        # Validate without letting pydantic-settings read the environment a second time.
        return Settings.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"invalid settings: {problems}") from exc
