"""The audit log: append-only, hash-chained records of who did what, when and why."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from plainsight.ops.models import AuditEvent

GENESIS = "0" * 64


def _digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
    body = orjson.dumps(dict(fields), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode() + b"\n" + body).hexdigest()


def _fields(event: AuditEvent) -> dict[str, Any]:
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    return {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "channel": event.channel,
        "action": event.action,
        "target": event.target,
        "detail": event.detail,
        "justification": event.justification,
    }


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    detail: Mapping[str, Any] | None = None,
    justification: str = "",
    channel: str = "cli",
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> AuditEvent:
    """Append one event to the chain (the caller commits the session)."""
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    event = AuditEvent(
        at=clock(),
        actor=actor,
        channel=channel,
        action=action,
        target=target,
        detail=orjson.dumps(dict(detail or {}), option=orjson.OPT_SORT_KEYS).decode(),
        justification=justification,
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = _digest(event.prev_hash, _fields(event))
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    """What :func:`verify` found: events read and the first broken one, if any."""

    events: int
    broken_at: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> ChainCheck:
    """Re-hash the whole chain; report the first event whose hash or link is wrong."""
    prev = GENESIS
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        count += 1
        if event.prev_hash != prev:
            return ChainCheck(count, event.id, "its link to the previous event is wrong")
        if _digest(prev, _fields(event)) != event.hash:
            return ChainCheck(count, event.id, "its content does not match its hash")
        prev = event.hash
    return ChainCheck(count, None)


@dataclass(frozen=True)
class AuditQuery:
    """What to look for in the audit log; empty fields match everything.

    ``text`` is looked for (case-insensitively) in the target, the detail and the
    justification; ``since`` and ``until`` bound the time (``until`` excluded).
    """

    actor: str = ""
    action: str = ""
    text: str = ""
    justification: str = ""
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def typed(
        cls,
        actor: str = "",
        action: str = "",
        text: str = "",
        justification: str = "",
        since: str = "",
        until: str = "",
    ) -> AuditQuery:
        """The query from what a person typed: dates as YYYY-MM-DD, ``until`` inclusive.

        Raises:
            ValueError: a date that is not one, saying which.
        """
        bounds: list[datetime | None] = []
        for label, value, extra in (("from", since, 0), ("to", until, 1)):
            if not value.strip():
                bounds.append(None)
                continue
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(
                    f"the {label} date {value!r} is not a date like 2026-11-29"
                ) from None
            bounds.append(datetime.combine(day + timedelta(days=extra), time(), tzinfo=UTC))
        return cls(actor.strip(), action.strip(), text.strip(), justification.strip(), *bounds)


def search(
    session: Session, query: AuditQuery, *, limit: int = 200, offset: int = 0
) -> tuple[int, list[AuditEvent]]:
    """How many events match ``query``, and ``limit`` of them from ``offset``, newest first."""
    from sqlalchemy import func, or_

    where = []
    if query.actor:
        where.append(AuditEvent.actor == query.actor)
    if query.action:
        where.append(AuditEvent.action == query.action)
    if query.text:
        pattern = f"%{_like(query.text.lower())}%"
        where.append(
            or_(
                func.lower(AuditEvent.target).like(pattern, escape="\\"),
                func.lower(AuditEvent.detail).like(pattern, escape="\\"),
                func.lower(AuditEvent.justification).like(pattern, escape="\\"),
            )
        )
    if query.justification:
        pattern = f"%{_like(query.justification.lower())}%"
        where.append(func.lower(AuditEvent.justification).like(pattern, escape="\\"))
    if query.since is not None:
        where.append(AuditEvent.at >= query.since)
    if query.until is not None:
        where.append(AuditEvent.at < query.until)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    events = session.scalars(
        select(AuditEvent).where(*where).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    )
    return int(total), list(events)


def _like(text: str) -> str:
    """``text`` with LIKE's wildcards escaped, so they match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
