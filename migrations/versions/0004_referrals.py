"""referral directory

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 11:50:21.443072

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=60), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('hours', sa.String(length=120), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('checked', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('from_file', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_country'), ['country'], unique=False)



def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_country'))

    op.drop_table('referrals')
