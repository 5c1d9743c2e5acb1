"""Retention under MoPI: each personal record's review date, what is due, and erasure.

Every personal record gets a review date from its MoPI group (see ``docs/retention.md`` for
the groups and their sources) and its last activity: an advert's latest capture, an
operational record's latest date. ``review`` lists what is due on a day and why; ``erase``
removes what an analyst confirmed after reviewing it: operational rows are deleted (with rows
that refer to them), lake rows are dropped by publishing a new lake version without them, and
evidence files no remaining capture needs are deleted; each erasure is registered and written
to the audit log. Nothing is erased that is not due.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from plainsight.lake.catalog import Transaction
from plainsight.lake.engine import Engine
from plainsight.ops import audit
from plainsight.ops.retention import (
    Erasure,
    RetentionGroup,
    erase_ops,
    ops_activity,
)


@dataclass(frozen=True)
class MopiGroup:
    """A MoPI retention group: what it holds and how long until its review."""

    number: int
    label: str
    review_years: int
    on_review: str


GROUPS = {
    1: MopiGroup(
        1,
        "certain public protection matters",
        10,
        "review: keep while still needed for public protection (to the subject's 100th year)",
    ),
    2: MopiGroup(2, "other sexual, violent or serious offences", 10, "erase unless still needed"),
    3: MopiGroup(3, "all other offences and information", 6, "erase unless still needed"),
}

ADVERT = "advert"
OPS_TABLES = (
    "watches",
    "welfare_checks",
    "intel_reports",
    "disruption_claims",
    "crime_group_nominals",
)
"""Operational tables of issue 7 holding personal data, read only if they exist."""

DEFAULT_GROUP = {ADVERT: 3, "watches": 3, "welfare_checks": 2, "intel_reports": 2}
"""Each kind's group unless an analyst says otherwise; anything unlisted is group 2.

Adverts are open-source material most of which never concerns an offence (group 3); welfare
checks, intelligence and disruptions record suspected modern slavery, a serious offence
(group 2). Public protection matters (group 1) are an analyst's call, record by record.
"""


@dataclass(frozen=True)
class Scheduled:
    """One personal record with its group, last activity and review date."""

    record: str
    mopi_group: int
    last_activity: datetime
    review_due: datetime
    why: str


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def add_years(when: datetime, years: int) -> datetime:
    """``when`` plus whole years; 29 February becomes 28 February in a common year."""
    try:
        return when.replace(year=when.year + years)
    except ValueError:
        return when.replace(year=when.year + years, day=28)


def kind_of(record: str) -> str:
    """The kind of a record id (``advert:A...`` is ``advert``, ``watches:7`` is ``watches``)."""
    kind, sep, key = record.partition(":")
    if not sep or not key:
        raise ValueError(f"{record!r} is not a record id: write KIND:ID, as the review lists it")
    return kind


def set_group(
    session: Session,
    *,
    record: str,
    mopi_group: int,
    who: str,
    reason: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RetentionGroup:
    """Record (or replace) an analyst's decision on one record's MoPI group.

    Raises:
        ValueError: a malformed record id, a group other than 1-3, or no reason.
    """
    kind_of(record)
    if mopi_group not in GROUPS:
        raise ValueError(f"MoPI group must be 1, 2 or 3, not {mopi_group}")
    if not reason.strip():
        raise ValueError("say why: a MoPI group decision needs a reason")
    found = session.scalars(select(RetentionGroup).where(RetentionGroup.record == record)).first()
    decision = found or RetentionGroup(record=record)
    decision.mopi_group = mopi_group
    decision.decided_by = who
    decision.decided_at = clock()
    decision.reason = reason
    session.add(decision)
    session.flush()
    return decision


def _lake_activity(engine: Engine) -> Iterable[tuple[str, datetime]]:
    if not engine.table_exists("adverts"):
        return []
    rows = engine.run("SELECT advert_id, last_captured_at FROM adverts ORDER BY advert_id")
    return [
        (f"{ADVERT}:{r['advert_id']}", _utc(r["last_captured_at"]))
        for r in rows.to_pylist()
        if r["last_captured_at"] is not None
    ]


def schedule(
    engine: Engine, session: Session, tables: Sequence[str] = OPS_TABLES
) -> list[Scheduled]:
    """Every personal record plainsight holds, with its MoPI group and review date.

    ``tables`` are the operational tables holding personal records (read if they exist).
    """
    chosen = {g.record: g for g in session.scalars(select(RetentionGroup))}
    word = {ADVERT: "capture"}
    out: list[Scheduled] = []
    for record, last in [*_lake_activity(engine), *ops_activity(session.connection(), tables)]:
        kind = kind_of(record)
        decision = chosen.get(record)
        number = decision.mopi_group if decision else DEFAULT_GROUP.get(kind, 2)
        group = GROUPS[number]
        due = add_years(last, group.review_years)
        basis = (
            f"set by {decision.decided_by}: {decision.reason}"
            if decision
            else f"the default for {kind}"
        )
        why = (
            f"MoPI group {number} ({group.label}; {basis}); last {word.get(kind, 'change')} "
            f"{last:%d %b %Y}, review {group.review_years} years on, due {due:%d %b %Y}: "
            f"{group.on_review}"
        )
        out.append(Scheduled(record, number, last, due, why))
    return sorted(out, key=lambda s: (s.review_due, s.record))


def as_of_end(day: date) -> datetime:
    """The last instant of ``day`` in UTC: what is due "as of" a day includes that day."""
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=UTC)


def review(
    engine: Engine, session: Session, as_of: datetime, tables: Sequence[str] = OPS_TABLES
) -> list[Scheduled]:
    """The records whose review date has come by ``as_of``, oldest first."""
    return [s for s in schedule(engine, session, tables) if s.review_due <= _utc(as_of)]


@dataclass
class LakeErasure:
    """What removing adverts from the lake did: rows dropped, evidence deleted and kept."""

    version: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    evidence_deleted: list[str] = field(default_factory=list)
    evidence_kept: dict[str, str] = field(default_factory=dict)


def _read(tx: Transaction, table: str) -> pa.Table | None:
    files = tx.base.files(tx.lake_dir, table)
    if not files:
        return None
    return pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")


def _values(data: pa.Table | None, column: str, where: pa.Array | None = None) -> set[str]:
    if data is None or column not in data.column_names:
        return set()
    col = data[column] if where is None else data.filter(where)[column]
    if pa.types.is_list(col.type):
        col = pc.list_flatten(col)
    return {str(v) for v in col.to_pylist() if v is not None}


KEYS = {
    "advert_id": "adverts",
    "advert_a": "adverts",
    "advert_b": "adverts",
    "capture_id": "captures",
    "latest_capture_id": "captures",
    "persona_id": "personas",
    "persona_a": "personas",
    "persona_b": "personas",
    "network_id": "networks",
    "sha256": "files",
    "file_sha256": "files",
}
"""Lake columns that name a record, and which erased set a row is dropped for."""


def erase_from_lake(
    tx: Transaction, advert_ids: set[str], has_evidence: Callable[[str], bool]
) -> LakeErasure:
    """Drop every lake row about the adverts, and say which evidence files went with them.

    Rows naming an erased advert or capture go; personas left without adverts and networks
    left without personas go too. A picture or import file is erased only when no remaining
    capture (nor set-aside line) refers to it; otherwise it is kept, and the result says why.
    Derived totals of what remains (``network_scores``, ``generic_identifiers``,
    ``price_medians``) are recomputed by the next ``plainsight run``.
    """
    captures = _read(tx, "captures")
    gone_mask = None
    if captures is not None:
        gone_mask = pc.is_in(captures["advert_id"], pa.array(sorted(advert_ids), pa.string()))
    erased: dict[str, set[str]] = {"adverts": set(advert_ids), "captures": set()}
    erased["captures"] = _values(captures, "capture_id", gone_mask)
    files = _values(captures, "image_sha256", gone_mask) | _values(
        captures, "file_sha256", gone_mask
    )
    kept: dict[str, str] = {}
    if captures is not None and gone_mask is not None:
        remaining = pc.invert(gone_mask)
        still = _values(captures, "image_sha256", remaining)
        still |= _values(captures, "file_sha256", remaining)
        still_rejects = _values(_read(tx, "rejects"), "file_sha256")
        for sha in sorted(files):
            if sha in still:
                kept[sha] = "still part of captures of other adverts"
            elif sha in still_rejects:
                kept[sha] = "holds lines set aside at import (rejects)"
    personas = _read(tx, "personas")
    if personas is not None:
        ids = pa.array(sorted(advert_ids), pa.string())
        had = _values(personas, "persona_id", pc.is_in(personas["advert_id"], ids))
        left = _values(personas, "persona_id", pc.invert(pc.is_in(personas["advert_id"], ids)))
        erased["personas"] = had - left
    networks = _read(tx, "networks")
    if networks is not None:
        gone = pa.array(sorted(erased.get("personas", set())), pa.string())
        had = _values(networks, "network_id", pc.is_in(networks["persona_id"], gone))
        left = _values(networks, "network_id", pc.invert(pc.is_in(networks["persona_id"], gone)))
        erased["networks"] = had - left
    erased["files"] = {sha for sha in files if sha not in kept}
    result = LakeErasure(version=tx.base.version + 1, evidence_kept=kept)
    for table in sorted(tx.tables):
        data = _read(tx, table)
        if data is None:
            continue
        drop = pa.array([False] * data.num_rows, pa.bool_())
        for column, kind in KEYS.items():
            if column in data.column_names and erased.get(kind):
                if table == "captures" and kind == "files":
                    continue  # a capture goes with its advert, never for a shared file
                values = pa.array(sorted(erased[kind]), pa.string())
                hit = pc.fill_null(pc.is_in(data[column].cast(pa.string()), values), False)
                drop = pc.or_(drop, hit)
        dropped = pc.sum(drop.cast(pa.int64())).as_py() or 0
        if dropped:
            tx.replace(table, data.filter(pc.invert(drop)))
            result.rows[table] = int(dropped)
    result.evidence_deleted = sorted(sha for sha in erased["files"] if has_evidence(sha))
    return result


def register(
    session: Session,
    item: Scheduled,
    *,
    who: str,
    why: str,
    detail: Mapping[str, Any],
    clock: Callable[[], datetime],
) -> Erasure:
    """Enter one erasure in the register and the audit log (the caller commits)."""
    body = orjson.dumps(dict(detail), option=orjson.OPT_SORT_KEYS).decode()
    entry = Erasure(
        record=item.record,
        mopi_group=item.mopi_group,
        last_activity=item.last_activity,
        review_due=item.review_due,
        erased_at=clock(),
        erased_by=who,
        justification=why,
        detail=body,
    )
    session.add(entry)
    audit.record(
        session,
        actor=who,
        action="erase",
        target=item.record,
        detail={"mopi_group": item.mopi_group, **detail},
        justification=why,
        clock=clock,
    )
    session.flush()
    return entry


def confirmable(due: list[Scheduled], records: list[str], as_of: datetime) -> list[Scheduled]:
    """The due items the analyst named, in the order named.

    Raises:
        ValueError: a record is malformed, unknown, or not yet due (nothing is erased then).
    """
    by_record = {s.record: s for s in due}
    chosen: list[Scheduled] = []
    for record in dict.fromkeys(records):
        kind_of(record)
        if record not in by_record:
            raise ValueError(
                f"{record} is not due for review by {as_of:%d %b %Y} (or does not exist): "
                "only what `plainsight retention review` lists can be erased"
            )
        chosen.append(by_record[record])
    return chosen


def apply(
    workspace: Any,
    records: list[str],
    *,
    as_of: datetime,
    who: str,
    why: str,
    tables: Sequence[str] = OPS_TABLES,
) -> list[Erasure]:
    """Erase the records named, all due by ``as_of``, in one go; return the register entries.

    The operational deletions, the register and the audit events commit together; the lake
    version without the adverts is published inside that transaction (so a failed lake write
    erases nothing), and evidence files are deleted only once both have committed.

    Raises:
        ValueError: no justification, or a record not due (then nothing is erased).
    """
    if not why.strip():
        raise ValueError("say why (--why): every erasure is recorded with its justification")
    with workspace.reading() as engine, workspace.ops.session() as session:
        chosen = confirmable(review(engine, session, as_of, tables), records, as_of)
    adverts = {s.record.partition(":")[2] for s in chosen if kind_of(s.record) == ADVERT}
    ops = [s.record for s in chosen if kind_of(s.record) != ADVERT]
    lake = LakeErasure()
    entries: list[Erasure] = []
    with workspace.ops.session() as session:
        ops_rows = erase_ops(session.connection(), ops)
        batch = [s.record for s in chosen]
        if adverts:
            with workspace.lake.transaction(note=f"retention: erase {len(adverts)} adverts") as tx:
                lake = erase_from_lake(tx, adverts, workspace.evidence.has)
                for item in chosen:
                    if kind_of(item.record) == ADVERT:
                        detail = {
                            "erased_with": batch,
                            "lake_version": lake.version,
                            "lake_rows": lake.rows,
                            "evidence_deleted": lake.evidence_deleted,
                            "evidence_kept": lake.evidence_kept,
                        }
                        entries.append(
                            register(
                                session,
                                item,
                                who=who,
                                why=why,
                                detail=detail,
                                clock=workspace.clock,
                            )
                        )
        for item in chosen:
            if kind_of(item.record) != ADVERT:
                detail = {"erased_with": batch, "ops_rows": ops_rows[item.record]}
                entries.append(
                    register(session, item, who=who, why=why, detail=detail, clock=workspace.clock)
                )
    for sha in lake.evidence_deleted:
        workspace.evidence.path_for(sha).unlink(missing_ok=True)
    return entries
