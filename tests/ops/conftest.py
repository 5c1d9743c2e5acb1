"""The operational database on every backend it is deployed on: SQLite and a real PostgreSQL.

The PostgreSQL server comes from ``scripts/test-postgres.sh`` (``make test`` starts it and
sets ``PLAINSIGHT_TEST_DATABASE_URL``). Without one the PostgreSQL cases are skipped, except
in CI, where they fail: CI must run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from plainsight.ops.db import OpsDatabase


@pytest.fixture(params=["sqlite", "postgresql"])
def ops_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpsDatabase]:
    if request.param == "sqlite":
        db = OpsDatabase(f"sqlite:///{tmp_path / 'ops.db'}")
        db.migrate()
        yield db
        db.close()
        return
    admin_url = os.environ.get("PLAINSIGHT_TEST_DATABASE_URL", "")
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail("CI must test the operational database on PostgreSQL")
        pytest.skip("no PostgreSQL server (make test starts one)")
    name = f"plainsight_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    db = OpsDatabase(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    db.migrate()
    try:
        yield db
    finally:
        db.close()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()
