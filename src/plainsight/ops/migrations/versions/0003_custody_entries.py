"""The evidence custody log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "custody_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("crawl_id", sa.String(100), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("record_id", sa.String(100), nullable=True),
        sa.Column("record_type", sa.String(20), nullable=True),
        sa.Column("target_uri", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(200), nullable=False),
        sa.Column("tool", sa.Text(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("profile_sha256", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_custody_entries_crawl_kind", "custody_entries", ["crawl_id", "kind"])
    op.create_index("ix_custody_entries_path", "custody_entries", ["path"])
    op.create_index("ix_custody_entries_target_uri", "custody_entries", ["target_uri"])
    op.create_index("ix_custody_entries_sha256", "custody_entries", ["sha256"])


def downgrade() -> None:
    for name in ("sha256", "target_uri", "path", "crawl_kind"):
        op.drop_index(f"ix_custody_entries_{name}", "custody_entries")
    op.drop_table("custody_entries")
