"""The disruptions register: groups, nominals, operations, claims.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _recorded() -> list[sa.Column[object]]:
    return [
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    """Create the tables of the disruptions register (``plainsight.ops.disruptions``)."""
    op.create_table(
        "crime_groups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(60), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("crime_types", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        *_recorded(),
    )
    op.create_table(
        "crime_group_nominals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("crime_groups.id"), nullable=False),
        sa.Column("reference", sa.String(60), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        *_recorded(),
    )
    op.create_table(
        "operations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("crime_types", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        *_recorded(),
    )
    op.create_table(
        "operation_groups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("operation_id", sa.Integer(), sa.ForeignKey("operations.id"), nullable=False),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("crime_groups.id"), nullable=False),
        sa.UniqueConstraint("operation_id", "group_id", name="uq_operation_groups"),
    )
    op.create_table(
        "disruption_claims",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("activity", sa.String(100), nullable=False, unique=True),
        sa.Column("claimed_on", sa.Date(), nullable=False),
        sa.Column("strand", sa.String(20), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("crime_type", sa.String(40), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("operation_id", sa.Integer(), sa.ForeignKey("operations.id"), nullable=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("crime_groups.id"), nullable=True),
        sa.Column("outcome_stage", sa.String(20), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("claimant", sa.String(200), nullable=False),
        sa.Column("claimant_rank", sa.String(40), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=True),
        sa.Column("approver_rank", sa.String(40), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_disruption_claims_claimed_on", "disruption_claims", ["claimed_on"])


def downgrade() -> None:
    """Drop what :func:`upgrade` creates, dependants first."""
    op.drop_index("ix_disruption_claims_claimed_on", "disruption_claims")
    for table in (
        "disruption_claims",
        "operation_groups",
        "operations",
        "crime_group_nominals",
        "crime_groups",
    ):
        op.drop_table(table)
