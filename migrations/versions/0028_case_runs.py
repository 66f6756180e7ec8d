"""scenario runs keep a case's facts and hand-offs

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 00:30:00

A case is played like a scenario, and its run also keeps the facts its choices set and what each
hand-off passed on (both empty for a scenario). No other table refers to scenario_runs.
"""
import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenario_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('handoffs', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('scenario_runs', schema=None) as batch_op:
        batch_op.drop_column('handoffs')
        batch_op.drop_column('facts')
