"""private wellbeing self-checks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 11:56:36.724750

"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wellbeing_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wellbeing_checks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellbeing_checks'))
    )
    with op.batch_alter_table('wellbeing_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wellbeing_checks_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('wellbeing_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wellbeing_checks_user_id'))

    op.drop_table('wellbeing_checks')
