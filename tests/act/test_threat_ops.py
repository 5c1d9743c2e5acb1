"""The threat profile's reads of the operational database, on SQLite and a real PostgreSQL.

The PostgreSQL server comes from ``scripts/test-postgres.sh`` (``make test`` starts it and
sets ``PLAINSIGHT_TEST_DATABASE_URL``); without one those cases are skipped, except in CI.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from plainsight.act.threat import checks_figures, disruptions_figures
from plainsight.ops.checks import WelfareCheck
from plainsight.ops.db import OpsDatabase


def _check(day: date, outcome: str | None = None) -> WelfareCheck:
    return WelfareCheck(
        subject_kind="persona",
        subject_id="P-000000000001",
        officer="PC 1",
        due=day,
        tasked_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        tasked_by="test",
        outcome=outcome,
    )


def test_empty_registers_hold_nothing(ops_db: OpsDatabase) -> None:
    with ops_db.session() as session:
        assert checks_figures(session, None, None) is None
        assert disruptions_figures(session) is None


def test_welfare_checks_are_counted_in_the_period(ops_db: OpsDatabase) -> None:
    with ops_db.session() as session:
        session.add_all(
            [
                _check(date(2023, 3, 1), "not_found"),
                _check(date(2023, 8, 9)),
                _check(date(2024, 2, 2), "not_found"),
            ]
        )
    with ops_db.session() as session:
        figures = checks_figures(session, date(2023, 1, 1), date(2023, 12, 31))
        assert figures is not None
        assert (figures["tasked"], figures["completed"]) == (2, 1)
        assert checks_figures(session, date(2025, 1, 1), None) is None
