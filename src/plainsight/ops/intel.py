"""Tables of the intelligence log: reports, their revisions, their grading and sanitised copy.

A report is drafted by plainsight from a persona or network (``origin`` ``drafted``) or
imported from an older log (``origin`` ``imported``). Its grading is kept in the scheme it
was given in: ``3x5x2`` (source 1–3, intelligence A–E, handling P or C) for reports graded
here, ``5x5x5`` (source A–E, intelligence 1–5, handling 1–5) for imported ones, and never
converted from one to the other, because the two scales do not map one to one.

Every change of the text is kept as an :class:`IntelRevision`, so the draft plainsight wrote
and each edit an analyst made can be shown later (who changed what, and when).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plainsight.ops.models import Base


class IntelReport(Base):
    """One intelligence report of the log."""

    __tablename__ = "intel_reports"
    __table_args__ = (
        UniqueConstraint("external_ref", name="uq_intel_reports_external_ref"),
        Index("ix_intel_reports_subject", "subject_kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin: Mapped[str] = mapped_column(String(20), nullable=False)  # drafted | imported
    subject_kind: Mapped[str] = mapped_column(String(20), nullable=False)  # persona, network, ...
    subject_id: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    title: Mapped[str] = mapped_column(Text, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    # Names, ad ids and places the draft found in the evidence, as JSON {kind: [terms]}:
    # what sanitising removes besides what its patterns find.
    sensitive_terms: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(200), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # Grading: null until graded; scheme is 3x5x2 or 5x5x5.
    scheme: Mapped[str | None] = mapped_column(String(10))
    source_grade: Mapped[str | None] = mapped_column(String(2))
    intelligence_grade: Mapped[str | None] = mapped_column(String(2))
    handling_code: Mapped[str | None] = mapped_column(String(2))
    handling_conditions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    graded_by: Mapped[str | None] = mapped_column(String(200))
    graded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The sanitised copy for wider sharing: null until made, cleared when the text changes.
    sanitised_title: Mapped[str | None] = mapped_column(Text)
    sanitised_text: Mapped[str | None] = mapped_column(Text)
    sanitised_removed: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON
    sanitised_by: Mapped[str | None] = mapped_column(String(200))
    sanitised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Imports: the old log's reference, date and author, and the file it came from.
    external_ref: Mapped[str | None] = mapped_column(String(100))
    reported_on: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    imported_from: Mapped[str] = mapped_column(Text, nullable=False, default="")

    @property
    def status(self) -> str:
        """``draft`` until graded, then ``graded``."""
        return "graded" if self.scheme else "draft"

    @property
    def grading(self) -> str:
        """The grading as an analyst writes it, with its scheme: ``2/B/C (3x5x2)``."""
        if not self.scheme:
            return "not graded"
        return f"{self.source_grade}/{self.intelligence_grade}/{self.handling_code} ({self.scheme})"


class IntelRevision(Base):
    """One version of a report's text: the draft (1), then each edit."""

    __tablename__ = "intel_revisions"
    __table_args__ = (
        UniqueConstraint("report_id", "number", name="uq_intel_revisions_report_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("intel_reports.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    written_by: Mapped[str] = mapped_column(String(200), nullable=False)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")  # draft, edit, import
