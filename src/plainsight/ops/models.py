"""Tables of the operational database (SQLAlchemy 2 typed declarative models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every operational table."""


class AuditEvent(Base):
    """One consultation, export, alteration or erasure (DPA 2018 s62), hash-chained.

    ``hash`` is SHA-256 over the previous event's hash and this event's own fields, so an
    edited, removed or re-ordered entry breaks the chain (:func:`plainsight.ops.audit.verify`).
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)  # cli | web
    action: Mapped[str] = mapped_column(String(60), nullable=False)  # import, view, export...
    target: Mapped[str] = mapped_column(Text, nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON
    justification: Mapped[str] = mapped_column(Text, nullable=False, default="")
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


class IdentifierDecision(Base):
    """An analyst's word on whether an identifier is generic (kept out of linking) or not.

    It overrides what the data suggests; the latest decision for a (kind, value) stands.
    """

    __tablename__ = "identifier_decisions"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_identifier_decisions_kind_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # phone, email, image...
    value: Mapped[str] = mapped_column(Text, nullable=False)
    generic: Mapped[bool] = mapped_column(Boolean, nullable=False)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)


class CustodyEntry(Base):
    """One entry of the evidence custody log: a WARC file, a WARC record or an imported file.

    Append-only and hash-chained like :class:`AuditEvent`: ``hash`` is SHA-256 over the
    previous entry's hash and this entry's own fields, and ``prev_hash`` is unique, so the
    chain cannot fork and an edited, removed or re-ordered entry shows
    (:meth:`plainsight.capture.custody.CustodyLog.verify`). ``sha256`` is the file's hash
    for a file, and the payload's hash (as received on the wire) for a record.
    """

    __tablename__ = "custody_entries"
    __table_args__ = (
        Index("ix_custody_entries_crawl_kind", "crawl_id", "kind"),
        Index("ix_custody_entries_path", "path"),
        Index("ix_custody_entries_target_uri", "target_uri"),
        Index("ix_custody_entries_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # warc_file, warc_record...
    crawl_id: Mapped[str | None] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(Text, nullable=False)  # relative to the workspace
    record_id: Mapped[str | None] = mapped_column(String(100))  # WARC-Record-ID
    record_type: Mapped[str | None] = mapped_column(String(20))  # request, response...
    target_uri: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    captured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    operator: Mapped[str] = mapped_column(String(200), nullable=False)
    tool: Mapped[str] = mapped_column(Text, nullable=False)  # software and versions
    profile: Mapped[str] = mapped_column(Text, nullable=False, default="")
    profile_sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
