"""cases: runs keep a case's facts and hand-offs; cohorts play cases together

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 00:30:00

A case is played like a scenario, and its run also keeps the facts its choices set, what each
hand-off passed on (both empty for a scenario) and the one chapter a learner plays when the
platform plays the others. No other table refers to scenario_runs. A cohort
plays a case together in cohort_cases, each member in the chapter of cohort_case_roles.
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenario_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('handoffs', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('own_chapter', sa.String(length=64), nullable=True))
    op.create_table(
        'cohort_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('module', sa.String(length=64), nullable=False),
        sa.Column('version_number', sa.Integer(), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=True),
        sa.Column('started_at', trainer.models.types.UTCDateTime(), nullable=False),
        sa.Column('turn_started_at', trainer.models.types.UTCDateTime(), nullable=False),
        sa.Column('current_node', sa.String(length=64), nullable=False),
        sa.Column('path', sa.JSON(), nullable=False),
        sa.Column('facts', sa.JSON(), nullable=True),
        sa.Column('handoffs', sa.JSON(), nullable=True),
        sa.Column('ending', sa.String(length=64), nullable=True),
        sa.Column('grade', sa.String(length=12), nullable=True),
        sa.Column('finished_at', trainer.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_cases_cohort_id_cohorts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_cohort_cases_course_id_courses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_cohort_cases_started_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_cases')),
    )
    op.create_index(op.f('ix_cohort_cases_cohort_id'), 'cohort_cases', ['cohort_id'], unique=False)
    op.create_table(
        'cohort_case_roles',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('chapter', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cohort_cases.id'], name=op.f('fk_cohort_case_roles_case_id_cohort_cases'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cohort_case_roles_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id', 'user_id', name=op.f('pk_cohort_case_roles')),
    )
    op.create_index(op.f('ix_cohort_case_roles_user_id'), 'cohort_case_roles', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_cohort_case_roles_user_id'), table_name='cohort_case_roles')
    op.drop_table('cohort_case_roles')
    op.drop_index(op.f('ix_cohort_cases_cohort_id'), table_name='cohort_cases')
    op.drop_table('cohort_cases')
    with op.batch_alter_table('scenario_runs', schema=None) as batch_op:
        batch_op.drop_column('own_chapter')
        batch_op.drop_column('handoffs')
        batch_op.drop_column('facts')
