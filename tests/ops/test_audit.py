from __future__ import annotations

from sqlalchemy import text

from plainsight.ops import audit
from plainsight.ops.db import OpsDatabase
from tests.conftest import TickingClock


def record_three(db: OpsDatabase) -> None:
    clock = TickingClock()
    with db.session() as s:
        audit.record(
            s,
            actor="a.analyst",
            action="search",
            target="07700900123",
            justification="Op Sun",
            clock=clock,
        )
        audit.record(s, actor="a.analyst", action="view", target="advert A1", clock=clock)
        audit.record(
            s, actor="b.super", action="export", target="rejects", detail={"lines": 4}, clock=clock
        )


def test_an_untouched_chain_verifies(ops_db: OpsDatabase) -> None:
    db = ops_db
    db.migrate()  # idempotent
    record_three(db)
    with db.session() as s:
        check = audit.verify(s)
    assert check.ok and check.events == 3


def test_editing_an_entry_breaks_the_chain_at_that_entry(ops_db: OpsDatabase) -> None:
    db = ops_db
    record_three(db)
    with db.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET justification = 'nothing to see' WHERE id = 1"))
    with db.session() as s:
        check = audit.verify(s)
    assert (check.ok, check.broken_at) == (False, 1)
    assert "content" in check.reason


def test_deleting_an_entry_breaks_the_chain_after_it(ops_db: OpsDatabase) -> None:
    db = ops_db
    record_three(db)
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_events WHERE id = 2"))
    with db.session() as s:
        check = audit.verify(s)
    assert (check.ok, check.broken_at) == (False, 3)
    assert "link" in check.reason
