"""Retention review dates and erasures.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The analysts' MoPI group decisions and the register of erasures."""
    op.create_table(
        "retention_groups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("record", sa.String(200), nullable=False, unique=True),
        sa.Column("mopi_group", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_table(
        "retention_erasures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("record", sa.String(200), nullable=False),
        sa.Column("mopi_group", sa.Integer(), nullable=False),
        sa.Column("last_activity", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_by", sa.String(200), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_retention_erasures_record", "retention_erasures", ["record"])


def downgrade() -> None:
    """Drops what :func:`upgrade` creates."""
    op.drop_index("ix_retention_erasures_record", "retention_erasures")
    op.drop_table("retention_erasures")
    op.drop_table("retention_groups")
