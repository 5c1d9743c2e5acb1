"""Tables of watchlists, markers and the alerts they raise (operational database).

A :class:`Watch` names something to look out for in new adverts (a phone number, an e-mail,
a name with an age or date of birth, a picture, a whole network), who owns it, why, and
when it must be reviewed. A *marker* is the same object with ``category = "marker"`` and a
``label`` ("juvenile, Op Sun"): the report's Op Sun marked juveniles so they would be picked
up again. An :class:`Alert` is raised once per (watch, advert): a unique constraint holds it,
so running the matching again raises nothing new.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plainsight.ops.models import Base

KINDS = ("phone", "email", "name", "picture", "network")
"""What a watch can look out for."""

CATEGORIES = ("watch", "marker")


class Watch(Base):
    """One entry of the watchlist (or a marker): what to match, and who is watching."""

    __tablename__ = "watches"
    __table_args__ = (Index("ix_watches_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # phone, email, name...
    category: Mapped[str] = mapped_column(String(20), nullable=False, default="watch")
    label: Mapped[str] = mapped_column(Text, nullable=False, default="")  # a marker's words
    value: Mapped[str] = mapped_column(Text, nullable=False)  # E.164, e-mail, name, sha256, N-..
    written: Mapped[str] = mapped_column(Text, nullable=False)  # as the analyst gave it
    age: Mapped[int | None] = mapped_column(Integer)  # stated age on ``age_on``
    age_on: Mapped[date | None] = mapped_column(Date)
    dob: Mapped[date | None] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON
    owner: Mapped[str] = mapped_column(String(200), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    review_date: Mapped[date] = mapped_column(Date, nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[str | None] = mapped_column(String(200))


class Alert(Base):
    """A watched thing seen in an advert: which advert, what matched and how closely."""

    __tablename__ = "watch_alerts"
    __table_args__ = (
        UniqueConstraint("watch_id", "advert_id", name="uq_watch_alerts_watch_advert"),
        Index("ix_watch_alerts_acknowledged_at", "acknowledged_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"), nullable=False)
    advert_id: Mapped[str] = mapped_column(String(40), nullable=False)
    capture_id: Mapped[str] = mapped_column(String(64), nullable=False)
    matched: Mapped[str] = mapped_column(Text, nullable=False)  # what matched
    closeness: Mapped[str] = mapped_column(Text, nullable=False)  # how closely, in words
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
