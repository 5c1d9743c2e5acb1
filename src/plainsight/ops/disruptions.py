"""Tables of the disruptions register: organised crime groups, nominals, operations, claims.

Crime types are stored as sorted comma-separated codes (:mod:`plainsight.act.disruption_rules`)
so the schema stays portable between SQLite and PostgreSQL. Nominals carry the least personal
data that lets a claim be tied to a person: a reference, a name and a role in the group.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plainsight.ops.models import Base


class CrimeGroup(Base):
    """An organised crime group (OCG) as the force maps it."""

    __tablename__ = "crime_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    crime_types: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # active, dormant, archived
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    nominals: Mapped[list[Nominal]] = relationship(
        back_populates="group", order_by="Nominal.reference"
    )


class Nominal(Base):
    """A person linked to a group: minimal personal data (reference, name, role)."""

    __tablename__ = "crime_group_nominals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("crime_groups.id"), nullable=False)
    reference: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    group: Mapped[CrimeGroup] = relationship(back_populates="nominals")


class Operation(Base):
    """A police operation, live or closed, with its crime types and the groups it targets."""

    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    crime_types: Mapped[str] = mapped_column(Text, nullable=False)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    closed_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    groups: Mapped[list[CrimeGroup]] = relationship(
        secondary="operation_groups", order_by="CrimeGroup.reference"
    )

    @property
    def live(self) -> bool:
        return self.closed_on is None


class OperationGroup(Base):
    """Which groups an operation targets."""

    __tablename__ = "operation_groups"
    __table_args__ = (UniqueConstraint("operation_id", "group_id", name="uq_operation_groups"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), nullable=False)
    group_id: Mapped[int] = mapped_column(ForeignKey("crime_groups.id"), nullable=False)


class DisruptionClaim(Base):
    """One disruption claimed for one activity, under one primary crime type.

    ``activity`` is unique: an activity is claimed once, so it cannot be counted again under
    another crime type. A claim counts in the figures once a supervisor of the rank its
    category needs has approved it.
    """

    __tablename__ = "disruption_claims"
    __table_args__ = (Index("ix_disruption_claims_claimed_on", "claimed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    activity: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    claimed_on: Mapped[date] = mapped_column(Date, nullable=False)  # date of the activity
    strand: Mapped[str] = mapped_column(String(20), nullable=False)  # pursue, prevent...
    category: Mapped[str] = mapped_column(String(20), nullable=False)  # major, moderate, minor
    crime_type: Mapped[str] = mapped_column(String(40), nullable=False)
    narrative: Mapped[str] = mapped_column(Text, nullable=False)
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("crime_groups.id"))
    outcome_stage: Mapped[str | None] = mapped_column(String(20))  # arrested ... sentenced
    outcome_on: Mapped[date | None] = mapped_column(Date)
    claimant: Mapped[str] = mapped_column(String(200), nullable=False)
    claimant_rank: Mapped[str] = mapped_column(String(40), nullable=False)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approver_rank: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    operation: Mapped[Operation | None] = relationship()
    group: Mapped[CrimeGroup | None] = relationship()

    @property
    def approved(self) -> bool:
        return self.approved_at is not None
