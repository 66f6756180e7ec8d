"""cohort invitations record when they were last sent again

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 21:00:00

Trainers can send a pending invitation again; the time of the last sending is kept so that the
same person is not mailed again and again (at most once a day).
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cohort_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resent_at', trainer.models.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('cohort_invitations', schema=None) as batch_op:
        batch_op.drop_column('resent_at')
