"""initial schema: every table of docs/internals.md "The store"

Revision ID: 0001
Revises:
Create Date: 2026-11-27 21:21:18

Types are spelled out here (no imports of fumidai.store.models) so this file keeps
describing the same schema when the models change later.
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('name', sa.String(length=320), nullable=False),
    sa.Column('contact', sa.String(length=320), nullable=True),
    sa.Column('owner_name', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('home_countries', sa.JSON(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_accounts'))
    )
    op.create_index('ix_accounts_contact', 'accounts', ['contact'], unique=False)
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account', sa.String(length=320), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    op.create_index('ix_alerts_account', 'alerts', ['account', 'id'], unique=False)
    op.create_index('ix_alerts_kind_at', 'alerts', ['kind', 'at'], unique=False)
    op.create_table('audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('account', sa.String(length=320), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit'))
    )
    op.create_index('ix_audit_account', 'audit', ['account', 'id'], unique=False)
    op.create_table('buckets',
    sa.Column('account', sa.String(length=320), nullable=False),
    sa.Column('minute', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('accepted_messages', sa.Integer(), nullable=False),
    sa.Column('accepted_recipients', sa.Integer(), nullable=False),
    sa.Column('refused_messages', sa.Integer(), nullable=False),
    sa.Column('refused_recipients', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('account', 'minute', 'country', name=op.f('pk_buckets'))
    )
    op.create_index('ix_buckets_minute', 'buckets', ['minute'], unique=False)
    op.create_table('notices',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account', sa.String(length=320), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('staff', sa.String(length=64), nullable=False),
    sa.Column('to_address', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_notices_idempotency_key'))
    )
    op.create_index('ix_notices_account', 'notices', ['account', 'id'], unique=False)
    op.create_index('ix_notices_due', 'notices', ['status', 'next_attempt_at'], unique=False)
    op.create_table('overrides',
    sa.Column('account', sa.String(length=320), nullable=False),
    sa.Column('limits', sa.JSON(), nullable=True),
    sa.Column('home_countries', sa.JSON(), nullable=True),
    sa.Column('abroad', sa.JSON(), nullable=True),
    sa.Column('countries', sa.JSON(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('account', name=op.f('pk_overrides'))
    )
    op.create_index('ix_overrides_expires_at', 'overrides', ['expires_at'], unique=False)
    op.create_table('staff',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_token_hash'))
    )
    op.create_index('uq_staff_active_name', 'staff', ['name'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
    op.create_table('suspensions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account', sa.String(length=320), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by', sa.String(length=64), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suspensions'))
    )
    op.create_index('ix_suspensions_account', 'suspensions', ['account', 'since'], unique=False)
    op.create_index('ix_suspensions_unreleased', 'suspensions', ['account'], unique=False, sqlite_where=sa.text('released_at IS NULL'), postgresql_where=sa.text('released_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_suspensions_unreleased', table_name='suspensions', sqlite_where=sa.text('released_at IS NULL'), postgresql_where=sa.text('released_at IS NULL'))
    op.drop_index('ix_suspensions_account', table_name='suspensions')
    op.drop_table('suspensions')
    op.drop_index('uq_staff_active_name', table_name='staff', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
    op.drop_table('staff')
    op.drop_index('ix_overrides_expires_at', table_name='overrides')
    op.drop_table('overrides')
    op.drop_index('ix_notices_due', table_name='notices')
    op.drop_index('ix_notices_account', table_name='notices')
    op.drop_table('notices')
    op.drop_index('ix_buckets_minute', table_name='buckets')
    op.drop_table('buckets')
    op.drop_index('ix_audit_account', table_name='audit')
    op.drop_table('audit')
    op.drop_index('ix_alerts_kind_at', table_name='alerts')
    op.drop_index('ix_alerts_account', table_name='alerts')
    op.drop_table('alerts')
    op.drop_index('ix_accounts_contact', table_name='accounts')
    op.drop_table('accounts')
