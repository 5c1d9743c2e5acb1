from __future__ import annotations

import pytest

from plainsight.ops import decisions
from plainsight.ops.db import OpsDatabase
from tests.conftest import TickingClock


def test_the_latest_decision_on_an_identifier_stands(ops_db: OpsDatabase) -> None:
    db = ops_db
    clock = TickingClock()
    with db.session() as s:
        decisions.decide(
            s,
            kind="phone",
            value="+448000121700",
            generic=True,
            who="a",
            reason="helpline",
            clock=clock,
        )
        decisions.decide(
            s,
            kind="phone",
            value="+447700900001",
            generic=True,
            who="a",
            reason="busy",
            clock=clock,
        )
    with db.session() as s:
        decisions.decide(
            s,
            kind="phone",
            value="+447700900001",
            generic=False,
            who="b",
            reason="one agency's line",
            clock=clock,
        )
    with db.session() as s:
        assert decisions.decisions(s) == {
            ("phone", "+448000121700"): True,
            ("phone", "+447700900001"): False,
        }
        latest = next(d for d in decisions.listed(s) if d.value == "+447700900001")
        assert (latest.decided_by, latest.reason) == ("b", "one agency's line")


@pytest.mark.parametrize(
    ("kind", "reason", "message"),
    [("fax", "x", "unknown identifier kind"), ("phone", " ", "say why")],
)
def test_decisions_need_a_known_kind_and_a_reason(
    ops_db: OpsDatabase, kind: str, reason: str, message: str
) -> None:
    db = ops_db
    with db.session() as s, pytest.raises(ValueError, match=message):
        decisions.decide(s, kind=kind, value="v", generic=True, who="a", reason=reason)
