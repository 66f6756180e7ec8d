"""email addresses are verified

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:10:00

Existing accounts start unverified: a link sent to the address (or a password reset) proves it.
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', trainer.models.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
