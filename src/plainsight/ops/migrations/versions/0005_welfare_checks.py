"""Welfare checks and their outcomes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``welfare_checks`` (see :class:`plainsight.ops.checks.WelfareCheck`)."""
    op.create_table(
        "welfare_checks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("subject_kind", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("officer", sa.String(200), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("tasked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tasked_by", sa.String(200), nullable=False),
        sa.Column("briefing", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("outcome_officer", sa.String(200), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_welfare_checks_subject", "welfare_checks", ["subject_kind", "subject_id"])
    op.create_index("ix_welfare_checks_outcome", "welfare_checks", ["outcome"])
    op.create_index("ix_welfare_checks_due", "welfare_checks", ["due"])


def downgrade() -> None:
    """Drop ``welfare_checks`` and its indexes."""
    for name in ("due", "outcome", "subject"):
        op.drop_index(f"ix_welfare_checks_{name}", "welfare_checks")
    op.drop_table("welfare_checks")
