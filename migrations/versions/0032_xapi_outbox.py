"""xAPI outbox: statements waiting for the Learning Record Store, and each learner's pseudonym there

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 03:00:00

`xapi_statements` holds the statements written with the learning events they report until a
background job has delivered them (or the LRS refused one); `xapi_actors` holds the random name
that stands for a learner in the LRS. Both go with the account (ON DELETE CASCADE).
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xapi_actors',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=36), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_xapi_actors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_xapi_actors')),
    sa.UniqueConstraint('name', name=op.f('uq_xapi_actors_name'))
    )
    op.create_table('xapi_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('statement', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', trainer.models.types.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.Column('sent_at', trainer.models.types.UTCDateTime(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'sent', 'rejected')", name=op.f('ck_xapi_statements_state')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_xapi_statements_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statements')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_statements_statement_id'))
    )
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_statements_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statements_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_statements_user_id'))
        batch_op.drop_index('ix_xapi_statements_state_next_attempt_at')
    op.drop_table('xapi_statements')
    op.drop_table('xapi_actors')
