"""module progress percent: how far through a started module the learner is, so the course's
progress counts lessons partly read and scenarios partly played

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 21:00:00

`module_progress.percent` (0-100) is kept up to date as a learner reads a lesson or plays a
scenario; a completed module counts as 100 whatever it holds. Rows from before start at 0 and
move on at the learner's next step. Added in place with ALTER TABLE, never by copying the table.
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('module_progress', sa.Column('percent', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    op.drop_column('module_progress', 'percent')
