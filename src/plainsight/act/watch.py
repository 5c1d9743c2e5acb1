"""Watchlists and markers: set a watch, match it against the adverts, raise alerts once.

A watch is normalised as it is set, the way extraction normalises adverts, so it matches
however an advert writes the thing: a number in any form becomes E.164 (so ``07700 900123``
matches an advert's ``o7700 9OO 123``), an e-mail is lower-cased, a picture is
fingerprinted (so a re-encoded or resized copy still matches), and a network watch records
the adverts already in it (only a *new* advert joining it raises an alert).

:func:`check_watches` runs the matching over the lake and stores an :class:`Alert` for each
(watch, advert) not alerted before; it is what ``plainsight alerts`` runs first, and what
``plainsight run`` should call after linking. An alert is a lead for review, never a finding.

Example::

    add_watch(ws, kind="phone", value="07700 900123", owner="DC Lee", reason="Op Sun",
              review_date=date(2027, 3, 1))
    for alert in check_watches(ws):
        print(alert.advert_id, alert.closeness)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plainsight.act.watch_match import find_matches, network_members
from plainsight.errors import PlainsightError, Rejected
from plainsight.extract.contacts import ContactExtractor
from plainsight.extract.facts import AdvertText
from plainsight.extract.fingerprints import fingerprint
from plainsight.extract.phones import PhoneExtractor
from plainsight.ops.watch import Alert, Watch
from plainsight.workspace import Workspace

__all__ = [
    "Alert",
    "Watch",
    "WatchError",
    "WatchRequest",
    "acknowledge",
    "add_watch",
    "alerts",
    "check_watches",
    "remove_watch",
    "watches",
]


class WatchError(PlainsightError):
    """A watch that cannot be set, found or changed, with the reason in plain words."""


@dataclass(frozen=True)
class WatchRequest:
    """What an analyst asks to watch; exactly one of the subject fields is given."""

    owner: str
    reason: str
    review_date: date
    phone: str | None = None
    email: str | None = None
    name: str | None = None
    age: int | None = None
    dob: date | None = None
    picture: Path | None = None
    picture_sha256: str | None = None
    network: str | None = None
    marker: str = ""


def normal_phone(text: str) -> str:
    """The one E.164 number written in ``text`` (any form the extractor reads)."""
    found = {f.e164 for f in PhoneExtractor().find(text)}
    if len(found) != 1:
        what = "no phone number" if not found else f"{len(found)} numbers"
        raise WatchError(f"{text!r} holds {what}; give one number, e.g. 07700 900123")
    return found.pop()


def normal_email(text: str) -> str:
    """The one e-mail address written in ``text``, lower-cased as extraction stores it."""
    facts = ContactExtractor().extract(AdvertText("watch", "0", {"email": text}))
    found = {f.value for f in facts if f.kind == "email"}
    if len(found) != 1:
        raise WatchError(f"{text!r} is not one e-mail address")
    return found.pop()


def _subject(request: WatchRequest) -> list[tuple[str, str]]:
    given = [
        ("phone", request.phone),
        ("email", request.email),
        ("name", request.name),
        ("picture", str(request.picture) if request.picture else None),
        ("picture", request.picture_sha256),
        ("network", request.network),
    ]
    return [(kind, value) for kind, value in given if value]


def _picture(workspace: Workspace, request: WatchRequest) -> tuple[str, dict[str, object]]:
    from plainsight.act.watch_match import fingerprint_of

    if request.picture is not None:
        try:
            data = request.picture.read_bytes()
        except OSError as exc:
            raise WatchError(f"cannot read the picture {request.picture}: {exc}") from exc
        try:
            fp = fingerprint(data)
        except Rejected as exc:
            raise WatchError(f"{request.picture} is not a picture plainsight reads: {exc}") from exc
    else:
        sha = (request.picture_sha256 or "").lower()
        with workspace.reading() as engine:
            rows = engine.run(
                "SELECT * FROM image_fingerprints WHERE sha256 = ? AND coalesce(error, '') = ''",
                [sha],
            ).to_pylist()
        if not rows:
            raise WatchError(f"no fingerprinted picture {sha} in the lake (run `plainsight run`)")
        fp = fingerprint_of(rows[0])
    fields: dict[str, object] = dict(fp.__dict__)
    fields["pdq_dihedral"] = list(fp.pdq_dihedral)
    return fp.sha256, {"fingerprint": fields}


def add_watch(workspace: Workspace, request: WatchRequest, *, who: str) -> Watch:
    """Set a watch (or a marker, when ``request.marker`` names one) and return it.

    Raises:
        WatchError: no subject or more than one, a value that does not normalise, a name
            without an age or date of birth, a missing picture or network, no reason or
            owner, a review date already past.
    """
    subject = _subject(request)
    if len(subject) != 1:
        raise WatchError("give exactly one of --phone, --email, --name, --picture, --network")
    kind, written = subject[0]
    if not request.reason.strip():
        raise WatchError("say why: a watch needs a reason (--reason)")
    if not request.owner.strip():
        raise WatchError("a watch needs an owner (--owner)")
    if request.review_date < workspace.clock().date():
        raise WatchError(f"the review date {request.review_date} has already passed")
    detail: dict[str, object] = {}
    value = written
    if kind == "phone":
        value = normal_phone(written)
    elif kind == "email":
        value = normal_email(written)
    elif kind == "name":
        value = written.strip()
        if request.age is None and request.dob is None:
            raise WatchError("a name is watched with an age (--age) or a date of birth (--dob)")
    elif kind == "picture":
        value, detail = _picture(workspace, request)
    elif kind == "network":
        with workspace.reading() as engine:
            members = network_members(engine, written)
        if not members:
            raise WatchError(f"no network {written} in the lake (`plainsight networks` lists them)")
        detail = {"baseline": members}
    now = workspace.clock()
    watch = Watch(
        kind=kind,
        category="marker" if request.marker.strip() else "watch",
        label=request.marker.strip(),
        value=value,
        written=written,
        age=request.age,
        age_on=now.date() if request.age is not None else None,
        dob=request.dob,
        detail=json.dumps(detail, sort_keys=True),
        owner=request.owner.strip(),
        reason=request.reason.strip(),
        review_date=request.review_date,
        created_by=who,
        created_at=now,
    )
    with workspace.ops.session() as session:
        session.add(watch)
        session.flush()
    return watch


def watches(session: Session, *, removed: bool = False) -> list[Watch]:
    """The watches in force (with ``removed``, the removed ones too), oldest first."""
    query = select(Watch).order_by(Watch.id)
    if not removed:
        query = query.where(Watch.removed_at.is_(None))
    return list(session.scalars(query))


def remove_watch(workspace: Workspace, watch_id: int, *, who: str) -> Watch:
    """Stop a watch. It is kept, marked removed, so its past alerts still say who watched."""
    with workspace.ops.session() as session:
        watch = session.get(Watch, watch_id)
        if watch is None or watch.removed_at is not None:
            raise WatchError(f"no watch {watch_id} in force (`plainsight watch list`)")
        watch.removed_at = workspace.clock()
        watch.removed_by = who
        return watch


def check_watches(workspace: Workspace) -> list[Alert]:
    """Match every watch in force against the lake; store and return the new alerts.

    An alert is raised once per (watch, advert): pairs already alerted are left out, and the
    unique constraint on the table holds it even if two checks race (the loser of the race
    reads what the winner stored and tries once more).
    """
    for attempt in (1, 2):
        try:
            return _check_once(workspace)
        except IntegrityError:
            if attempt == 2:
                raise
    return []  # pragma: no cover - the loop returns or raises


def _check_once(workspace: Workspace) -> list[Alert]:
    with workspace.ops.session() as session:
        active = watches(session)
        done = {(a.watch_id, a.advert_id) for a in session.scalars(select(Alert))}
    if not active:
        return []
    with workspace.reading() as engine:
        found = find_matches(engine, active, done)
    raised = []
    with workspace.ops.session() as session:
        for m in found:
            alert = Alert(
                watch_id=m.watch_id,
                advert_id=m.advert_id,
                capture_id=m.capture_id,
                matched=m.matched,
                closeness=m.closeness,
                raised_at=workspace.clock(),
            )
            session.add(alert)
            raised.append(alert)
        session.flush()
    return raised


def alerts(session: Session, *, everything: bool = False) -> list[tuple[Alert, Watch]]:
    """Alerts with their watch, newest first; only those not yet acknowledged by default."""
    query = select(Alert, Watch).join(Watch, Watch.id == Alert.watch_id)
    if not everything:
        query = query.where(Alert.acknowledged_at.is_(None))
    rows = session.execute(query.order_by(Alert.id.desc())).all()
    return [(a, w) for a, w in rows]


def acknowledge(workspace: Workspace, alert_id: int, *, who: str) -> Alert:
    """Mark an alert as seen by ``who``; it stays in ``plainsight alerts --all``."""
    with workspace.ops.session() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise WatchError(f"no alert {alert_id} (`plainsight alerts --all` lists them)")
        if alert.acknowledged_at is None:
            alert.acknowledged_at = workspace.clock()
            alert.acknowledged_by = who
        return alert
