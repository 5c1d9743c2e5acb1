"""The small vocabulary of errors plainsight raises.

Every error a user can see derives from :class:`PlainsightError`; the CLI (and later the web
app) maps them to messages and exit codes in one place.
"""

from __future__ import annotations


class PlainsightError(Exception):
    """Base class: a problem plainsight can explain to its user."""


class Rejected(PlainsightError):  # noqa: N818 - a verdict on input, like Scrapy's DropItem
    """A piece of input set aside whole, with the reason an analyst will read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WorkspaceError(PlainsightError):
    """The workspace is missing, unreadable or locked by another writer."""


class SettingsError(PlainsightError):
    """A setting is invalid (in plainsight.toml, the environment or a flag)."""


class EngineError(PlainsightError):
    """An engine failed to run a statement; carries the SQL that failed."""

    def __init__(self, message: str, sql: str) -> None:
        super().__init__(f"{message}\n-- while running:\n{sql}")
        self.sql = sql


class MissingExtra(PlainsightError, ImportError):  # noqa: N818 - named for what is missing
    """An optional part needs an extra that is not installed."""

    def __init__(self, extra: str, module: str) -> None:
        super().__init__(
            f"this needs the '{extra}' extra ({module} is not installed): "
            f"pip install 'plainsight[{extra}]'"
        )
        self.extra = extra
