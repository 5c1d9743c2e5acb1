"""Retention tables of the operational database: MoPI groups set by analysts, and erasures.

A record's MoPI group decides when it is next reviewed (:mod:`plainsight.act.retention`).
Most records take their kind's default group; ``retention_groups`` holds the analysts'
word where a record belongs elsewhere (say, an advert tied to a sexual-offence
investigation). ``retention_erasures`` is the register of what was erased, when, by whom and
why; it names records by their id only, so it holds no personal data itself.

The operational side of retention sits here too: reading any operational table's rows with
their latest date (through the database's own metadata, since other parts own those tables)
and deleting rows together with the rows that refer to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from plainsight.ops.models import Base


class RetentionGroup(Base):
    """An analyst's decision that one record belongs to MoPI group 1, 2 or 3."""

    __tablename__ = "retention_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)  # advert:A...
    mopi_group: Mapped[int] = mapped_column(Integer, nullable=False)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)


class Erasure(Base):
    """One record erased after its review: what went, what was kept, and on whose word."""

    __tablename__ = "retention_erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    mopi_group: Mapped[int] = mapped_column(Integer, nullable=False)
    last_activity: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    review_due: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    erased_by: Mapped[str] = mapped_column(String(200), nullable=False)
    justification: Mapped[str] = mapped_column(Text, nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def reflect(connection: Connection) -> MetaData:
    meta = MetaData()
    meta.reflect(bind=connection)
    return meta


def _tables(meta: MetaData, tables: Iterable[str]) -> list[Table]:
    return [
        meta.tables[name]
        for name in tables
        if name in meta.tables and len(meta.tables[name].primary_key.columns) == 1
    ]


def ops_activity(connection: Connection, tables: Sequence[str]) -> Iterable[tuple[str, datetime]]:
    """Each operational row's id and its latest date (rows without any date are skipped)."""
    present = set(inspect(connection).get_table_names())
    if not present & set(tables):
        return []
    found: list[tuple[str, datetime]] = []
    for table in _tables(reflect(connection), tables):
        key = next(iter(table.primary_key.columns))
        dated = [c for c in table.columns if isinstance(c.type, DateTime)]
        if not dated:
            continue
        for row in connection.execute(select(key, *dated).order_by(key)):
            dates = [_utc(v) for v in row[1:] if isinstance(v, datetime)]
            if dates:
                found.append((f"{table.name}:{row[0]}", max(dates)))
    return found


def _delete_with_dependants(
    connection: Connection, meta: MetaData, table: Table, where: Any, depth: int = 0
) -> dict[str, int]:
    """Delete rows and, first, every row that refers to them by a foreign key."""
    counts: dict[str, int] = {}
    if depth < 5:
        for child in meta.sorted_tables:
            for fk in child.foreign_keys:
                if fk.column.table is table and child is not table:
                    keys = select(fk.column).where(where)
                    for name, n in _delete_with_dependants(
                        connection, meta, child, fk.parent.in_(keys), depth + 1
                    ).items():
                        counts[name] = counts.get(name, 0) + n
    n = connection.execute(delete(table).where(where)).rowcount
    if n:
        counts[str(table.name)] = counts.get(str(table.name), 0) + n
    return counts


def erase_ops(connection: Connection, records: list[str]) -> dict[str, dict[str, int]]:
    """Delete the operational rows named (``table:id``), with rows that refer to them."""
    meta = reflect(connection)
    out: dict[str, dict[str, int]] = {}
    for record in records:
        name, _, key = record.partition(":")
        table = meta.tables[name]
        column = next(iter(table.primary_key.columns))
        value: Any = int(key) if column.type.python_type is int else key
        out[record] = _delete_with_dependants(connection, meta, table, column == value)
    return out


def erased(session: Session) -> list[Erasure]:
    """The register of erasures, oldest first."""
    return list(session.scalars(select(Erasure).order_by(Erasure.id)))
