"""Watchlists, markers and alerts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The watchlist (watches and markers) and the alerts it raises, once per advert."""
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("written", sa.Text(), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("age_on", sa.Date(), nullable=True),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_watches_kind_value", "watches", ["kind", "value"])
    op.create_table(
        "watch_alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("watch_id", sa.Integer(), sa.ForeignKey("watches.id"), nullable=False),
        sa.Column("advert_id", sa.String(40), nullable=False),
        sa.Column("capture_id", sa.String(64), nullable=False),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.Column("closeness", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
        sa.UniqueConstraint("watch_id", "advert_id", name="uq_watch_alerts_watch_advert"),
    )
    op.create_index("ix_watch_alerts_acknowledged_at", "watch_alerts", ["acknowledged_at"])


def downgrade() -> None:
    """Drops the alerts, then the watchlist."""
    op.drop_index("ix_watch_alerts_acknowledged_at", "watch_alerts")
    op.drop_table("watch_alerts")
    op.drop_index("ix_watches_kind_value", "watches")
    op.drop_table("watches")
