"""background jobs, and an outbox that retries with growing pauses and keeps dead letters

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 12:00:00

`jobs` holds slow work done outside the request (a cohort's certificate zip, bulk PDF rendering,
reminders): its state, progress, owner and result file, whichever queue carries it. Mail waiting
in `pending_mail` gets a state ("pending", or "dead" once every try failed, for an administrator
to see and send again) and the time of its next try. `pending_mail` is copied on SQLite to add
its CHECK constraint; no other table refers to it.
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('not_before', trainer.models.types.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', trainer.models.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.Column('finished_at', trainer.models.types.UTCDateTime(), nullable=True),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=False),
    sa.Column('result', sa.LargeBinary(), nullable=True),
    sa.Column('result_name', sa.String(length=200), nullable=False),
    sa.Column('result_type', sa.String(length=100), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_jobs_state')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_jobs_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_state_not_before', ['state', 'not_before'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_owner_id'), ['owner_id'], unique=False)

    with op.batch_alter_table('pending_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=10), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', trainer.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), server_default='', nullable=False))
        batch_op.create_check_constraint(op.f('ck_pending_mail_state'), "state IN ('pending', 'dead')")
        batch_op.create_index('ix_pending_mail_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_pending_mail_state_next_attempt_at')
        batch_op.drop_constraint(op.f('ck_pending_mail_state'), type_='check')
        batch_op.drop_column('request_id')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('state')

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_owner_id'))
        batch_op.drop_index('ix_jobs_state_not_before')

    op.drop_table('jobs')
