"""pending mail is claimed by one delivery at a time

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 10:00:00

Mail is now written in the request's transaction and sent after the response; a delivery claims
each message first, so two deliveries that overlap (after a response, `flask mail retry`) never
send the same message twice.
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pending_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', trainer.models.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('pending_mail', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
