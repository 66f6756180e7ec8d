"""lti: LTI 1.3 platforms, the site's signing keys, launch state, and what launches leave behind

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05 03:05:00

A hospital's Canvas or Moodle registered by an administrator launches the site: its people are
mapped to accounts, its courses to cohorts, and grades go back to its line items.
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lti_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.Column('retired_at', trainer.models.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_lti_keys_kid'))
    )
    op.create_table('lti_platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('deployment_ids', sa.JSON(), nullable=False),
    sa.Column('auth_url', sa.String(length=500), nullable=False),
    sa.Column('token_url', sa.String(length=500), nullable=False),
    sa.Column('jwks_url', sa.String(length=500), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_platforms')),
    sa.UniqueConstraint('issuer', 'client_id', name=op.f('uq_lti_platforms_issuer'))
    )
    op.create_table('lti_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_accounts_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_accounts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_accounts')),
    sa.UniqueConstraint('platform_id', 'subject', name=op.f('uq_lti_accounts_platform_id'))
    )
    with op.batch_alter_table('lti_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_accounts_user_id'), ['user_id'], unique=False)

    op.create_table('lti_contexts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('memberships_url', sa.String(length=500), nullable=True),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_lti_contexts_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_contexts_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_contexts')),
    sa.UniqueConstraint('platform_id', 'context_id', name=op.f('uq_lti_contexts_platform_id'))
    )
    with op.batch_alter_table('lti_contexts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_contexts_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('lti_handoffs',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_handoffs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_lti_handoffs'))
    )
    with op.batch_alter_table('lti_handoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_handoffs_created_at'), ['created_at'], unique=False)

    op.create_table('lti_line_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('module', sa.String(length=64), nullable=True),
    sa.Column('lineitem_url', sa.String(length=500), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_lti_line_items_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_line_items_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_line_items_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_line_items')),
    sa.UniqueConstraint('user_id', 'course_id', 'module', 'lineitem_url', name=op.f('uq_lti_line_items_user_id'))
    )
    with op.batch_alter_table('lti_line_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_line_items_user_id'), ['user_id'], unique=False)

    op.create_table('lti_states',
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_states_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('state_hash', name=op.f('pk_lti_states'))
    )
    with op.batch_alter_table('lti_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_states_created_at'), ['created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('lti_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_states_created_at'))

    op.drop_table('lti_states')
    with op.batch_alter_table('lti_line_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_line_items_user_id'))

    op.drop_table('lti_line_items')
    with op.batch_alter_table('lti_handoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_handoffs_created_at'))

    op.drop_table('lti_handoffs')
    with op.batch_alter_table('lti_contexts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_contexts_cohort_id'))

    op.drop_table('lti_contexts')
    with op.batch_alter_table('lti_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_accounts_user_id'))

    op.drop_table('lti_accounts')
    op.drop_table('lti_platforms')
    op.drop_table('lti_keys')
