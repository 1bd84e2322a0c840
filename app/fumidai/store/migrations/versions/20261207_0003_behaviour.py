"""baselines and permissions: behaviour analysis (issue 11)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 21:40:00

Types are spelled out here (no imports of fumidai.store.models) so this file keeps
describing the same schema when the models change later.
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "baselines",
        sa.Column("account", sa.String(length=320), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_baselines")),
    )
    op.create_index("ix_baselines_updated_at", "baselines", ["updated_at"], unique=False)
    op.create_table(
        "permissions",
        sa.Column("account", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", "kind", name=op.f("pk_permissions")),
    )
    op.create_index("ix_permissions_expires_at", "permissions", ["expires_at"], unique=False)
    op.create_table(
        "installation_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_installation_secrets")),
    )
    op.create_table(
        "imported_submissions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_submissions")),
    )
    op.create_index("ix_imported_submissions_imported_at", "imported_submissions", ["imported_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_imported_submissions_imported_at", table_name="imported_submissions")
    op.drop_table("imported_submissions")
    op.drop_table("installation_secrets")
    op.drop_index("ix_permissions_expires_at", table_name="permissions")
    op.drop_table("permissions")
    op.drop_index("ix_baselines_updated_at", table_name="baselines")
    op.drop_table("baselines")
