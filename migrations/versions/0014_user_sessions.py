"""signed-in sessions kept on the server

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 10:00:00

A row per signed-in session replaces the session version on the account: signing out deletes the
row, so a copy of the cookie stops working too. Everyone signs in again after the upgrade (older
cookies name no session).
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_user_sessions'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    # Not batch mode: on SQLite that copies `users`, and dropping the old copy with foreign keys
    # on would cascade-delete every row that refers to an account. SQLite (3.35+) and PostgreSQL
    # both drop a plain column in place.
    op.drop_column('users', 'session_version')


def downgrade():
    # Everyone signs in again after a downgrade too: the older code reads no session version here.
    # In place, as above (the default stays: altering it would copy `users` on SQLite).
    op.add_column('users', sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_sessions_created_at'))

    op.drop_table('user_sessions')
