"""incidents: alert acknowledgements, incidents and their notes (issue 14)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 22:50:00

Types are spelled out here (no imports of fumidai.store.models) so this file keeps
describing the same schema when the models change later.
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NOT_CLOSED = sa.text("status <> 'closed'")


def upgrade() -> None:
    op.create_table(
        "alert_acks",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name=op.f("fk_alert_acks_alert_id_alerts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_alert_acks")),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account", sa.String(length=320), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index("uq_incidents_not_closed_account", "incidents", ["account"], unique=True,
                    sqlite_where=NOT_CLOSED, postgresql_where=NOT_CLOSED)
    op.create_index("ix_incidents_status", "incidents", ["status", "id"], unique=False)
    op.create_index("ix_incidents_account", "incidents", ["account", "id"], unique=False)
    op.create_table(
        "incident_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_incident_notes_incident_id_incidents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_notes")),
    )
    op.create_index("ix_incident_notes_incident", "incident_notes", ["incident_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_incident_notes_incident", table_name="incident_notes")
    op.drop_table("incident_notes")
    op.drop_index("ix_incidents_account", table_name="incidents")
    op.drop_index("ix_incidents_status", table_name="incidents")
    op.drop_index("uq_incidents_not_closed_account", table_name="incidents")
    op.drop_table("incidents")
    op.drop_table("alert_acks")
