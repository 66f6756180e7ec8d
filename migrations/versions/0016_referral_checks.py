"""referral checks and translated descriptions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 18:30:00

Who recorded the last check of a directory entry in the browser, and descriptions in the other
interface languages. Existing entries start with none of either.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('descriptions', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('checked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_referrals_checked_by_id_users'), 'users',
                                    ['checked_by_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.alter_column('descriptions', server_default=None)


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referrals_checked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('checked_by_id')
        batch_op.drop_column('descriptions')
