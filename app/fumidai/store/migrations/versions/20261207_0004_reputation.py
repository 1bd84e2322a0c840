"""reputation: complaints, kept-aside reports, egress blocklist state and events

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 21:40:00

Types are spelled out here (no imports of fumidai.store.models) so this file keeps
describing the same schema when the models change later.
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account", sa.String(length=320), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("feedback_type", sa.String(length=32), nullable=False),
        sa.Column("reporter", sa.String(length=320), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.Column("report_message_id", sa.String(length=998), nullable=False),
        sa.Column("report_key", sa.String(length=64), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("original_message_id", sa.String(length=998), nullable=True),
        sa.Column("original_key", sa.String(length=64), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("original_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_ip", sa.String(length=45), nullable=True),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("report_key", name=op.f("uq_complaints_report_key")),
    )
    op.create_index("uq_complaints_original", "complaints", ["original_key", "account"], unique=True)
    op.create_index("ix_complaints_account", "complaints", ["account", "id"], unique=False)
    op.create_index("ix_complaints_account_received", "complaints", ["account", "received_at"], unique=False)
    op.create_table(
        "kept_aside_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("head", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_aside_reports")),
        sa.UniqueConstraint("sha256", name=op.f("uq_kept_aside_reports_sha256")),
    )
    op.create_table(
        "blocklist_state",
        sa.Column("egress", sa.String(length=45), nullable=False),
        sa.Column("zone", sa.String(length=253), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("meaning", sa.Text(), nullable=True),
        sa.Column("txt", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("egress", "zone", name=op.f("pk_blocklist_state")),
    )
    op.create_table(
        "blocklist_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("egress", sa.String(length=45), nullable=False),
        sa.Column("zone", sa.String(length=253), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status_before", sa.String(length=16), nullable=True),
        sa.Column("status_after", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("meaning", sa.Text(), nullable=True),
        sa.Column("txt", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocklist_events")),
    )
    op.create_index("ix_blocklist_events_egress", "blocklist_events", ["egress", "zone", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_blocklist_events_egress", table_name="blocklist_events")
    op.drop_table("blocklist_events")
    op.drop_table("blocklist_state")
    op.drop_table("kept_aside_reports")
    op.drop_index("ix_complaints_account_received", table_name="complaints")
    op.drop_index("ix_complaints_account", table_name="complaints")
    op.drop_index("uq_complaints_original", table_name="complaints")
    op.drop_table("complaints")
