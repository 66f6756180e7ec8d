"""organisations: hospitals, police forces and services with their own administrators

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 03:30:00

Three new tables, nothing copied: who belongs to which organisation (and administers it), and
which organisation holds which cohort. On SQLite a foreign key added to `users` or `cohorts`
would copy the table, and dropping the old copy would cascade-delete everything pointing at it.
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'organisations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('country', sa.String(length=8), nullable=True),
        sa.Column('locale', sa.String(length=5), nullable=True),
        sa.Column('password_sign_in', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
        sa.UniqueConstraint('name', name=op.f('uq_organisations_name')),
    )
    op.create_table(
        'organisation_members',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('admin', sa.Boolean(), nullable=False),
        sa.Column('joined_at', trainer.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_organisation_members_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_organisation_members_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_organisation_members')),
    )
    op.create_index(op.f('ix_organisation_members_organisation_id'), 'organisation_members', ['organisation_id'],
                    unique=False)
    op.create_table(
        'organisation_cohorts',
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_organisation_cohorts_cohort_id_cohorts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_organisation_cohorts_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('cohort_id', name=op.f('pk_organisation_cohorts')),
    )
    op.create_index(op.f('ix_organisation_cohorts_organisation_id'), 'organisation_cohorts', ['organisation_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_organisation_cohorts_organisation_id'), table_name='organisation_cohorts')
    op.drop_table('organisation_cohorts')
    op.drop_index(op.f('ix_organisation_members_organisation_id'), table_name='organisation_members')
    op.drop_table('organisation_members')
    op.drop_table('organisations')
