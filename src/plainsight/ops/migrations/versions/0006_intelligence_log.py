"""The intelligence log (3x5x2 graded reports, and older 5x5x5 ones kept as graded).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``intel_reports`` and ``intel_revisions`` (see :mod:`plainsight.ops.intel`)."""
    op.create_table(
        "intel_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("subject_kind", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sensitive_terms", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheme", sa.String(10), nullable=True),
        sa.Column("source_grade", sa.String(2), nullable=True),
        sa.Column("intelligence_grade", sa.String(2), nullable=True),
        sa.Column("handling_code", sa.String(2), nullable=True),
        sa.Column("handling_conditions", sa.Text(), nullable=False),
        sa.Column("graded_by", sa.String(200), nullable=True),
        sa.Column("graded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sanitised_title", sa.Text(), nullable=True),
        sa.Column("sanitised_text", sa.Text(), nullable=True),
        sa.Column("sanitised_removed", sa.Text(), nullable=False),
        sa.Column("sanitised_by", sa.String(200), nullable=True),
        sa.Column("sanitised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("external_ref", sa.String(100), nullable=True),
        sa.Column("reported_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("imported_from", sa.Text(), nullable=False),
        sa.UniqueConstraint("external_ref", name="uq_intel_reports_external_ref"),
    )
    op.create_index("ix_intel_reports_subject", "intel_reports", ["subject_kind", "subject_id"])
    op.create_table(
        "intel_revisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("intel_reports.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(200), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.UniqueConstraint("report_id", "number", name="uq_intel_revisions_report_number"),
    )


def downgrade() -> None:
    """Drop what :func:`upgrade` creates."""
    op.drop_table("intel_revisions")
    op.drop_index("ix_intel_reports_subject", "intel_reports")
    op.drop_table("intel_reports")
