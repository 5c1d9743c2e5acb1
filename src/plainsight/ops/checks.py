"""Tables of welfare checks: a check tasked to an officer and the outcome they record.

A welfare check is a safeguarding visit to someone advertised online who may be exploited,
never an enforcement action. The check keeps a snapshot of what the officer was told (the
briefing as JSON), so what was known at tasking time can be shown later even after the lake
has been rebuilt and persona or network ids have moved on.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plainsight.ops.models import Base


class Outcome(StrEnum):
    """What came of a welfare check (the force's recording categories)."""

    NOT_FOUND = "not_found"
    NO_ANSWER = "no_answer"
    ENGAGED_DECLINED = "engaged_declined"
    ENGAGED_SUPPORTED = "engaged_supported"
    SAFEGUARDED = "safeguarded"
    NRM_REFERRAL = "nrm_referral"
    CRIME_RECORDED = "crime_recorded"


OUTCOME_TEXT: dict[Outcome, str] = {
    Outcome.NOT_FOUND: "not found",
    Outcome.NO_ANSWER: "no answer",
    Outcome.ENGAGED_DECLINED: "engaged and declined support",
    Outcome.ENGAGED_SUPPORTED: "engaged and supported",
    Outcome.SAFEGUARDED: "safeguarded",
    Outcome.NRM_REFERRAL: "referred to the National Referral Mechanism",
    Outcome.CRIME_RECORDED: "crime recorded",
}

SUBJECT_KINDS = ("persona", "network")


class WelfareCheck(Base):
    """One welfare check on a persona or a network, and its outcome once recorded.

    ``outcome`` is null while the check is open. ``briefing`` is the JSON snapshot of the
    briefing the officer was given (see :mod:`plainsight.act.briefing`).
    """

    __tablename__ = "welfare_checks"
    __table_args__ = (
        Index("ix_welfare_checks_subject", "subject_kind", "subject_id"),
        Index("ix_welfare_checks_outcome", "outcome"),
        Index("ix_welfare_checks_due", "due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(20), nullable=False)  # persona | network
    subject_id: Mapped[str] = mapped_column(String(40), nullable=False)  # P-... | N-...
    officer: Mapped[str] = mapped_column(String(200), nullable=False)
    due: Mapped[date] = mapped_column(Date, nullable=False)
    tasked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    tasked_by: Mapped[str] = mapped_column(String(200), nullable=False)
    briefing: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON
    outcome: Mapped[str | None] = mapped_column(String(30))
    notes: Mapped[str | None] = mapped_column(Text)
    outcome_officer: Mapped[str | None] = mapped_column(String(200))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(200))
