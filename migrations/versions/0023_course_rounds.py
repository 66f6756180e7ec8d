"""course rounds and evaluations: pre-test, confidence, testing out, attestation, evaluation

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 20:40:02

`course_versions.assessment` keeps a course's pre-test and evaluation settings. `course_rounds`
holds, per learner and course and each time they take it (recertifying starts a new round), the
pre-test and post-test attempts, the confidence ratings, whether they tested out, and the hours
they attested. `course_evaluations` holds the evaluations, reported only in aggregate.
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('relevance', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=False),
    sa.Column('change', sa.Text(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('submitted_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('confidence BETWEEN 1 AND 5', name=op.f('ck_course_evaluations_confidence_rated')),
    sa.CheckConstraint('relevance BETWEEN 1 AND 5', name=op.f('ck_course_evaluations_relevance_rated')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_evaluations_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_evaluations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_evaluations')),
    sa.UniqueConstraint('user_id', 'course_id', 'round', name=op.f('uq_course_evaluations_user_id'))
    )
    with op.batch_alter_table('course_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_evaluations_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_evaluations_user_id'), ['user_id'], unique=False)

    op.create_table('course_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.Column('pre_attempt_id', sa.Integer(), nullable=True),
    sa.Column('post_attempt_id', sa.Integer(), nullable=True),
    sa.Column('pre_confidence', sa.JSON(), nullable=True),
    sa.Column('post_confidence', sa.JSON(), nullable=True),
    sa.Column('tested_out', sa.Boolean(), nullable=False),
    sa.Column('attested_hours', sa.Double(), nullable=True),
    sa.Column('attested_at', trainer.models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_rounds_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_attempt_id'], ['quiz_attempts.id'], name=op.f('fk_course_rounds_post_attempt_id_quiz_attempts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pre_attempt_id'], ['quiz_attempts.id'], name=op.f('fk_course_rounds_pre_attempt_id_quiz_attempts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_rounds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_rounds')),
    sa.UniqueConstraint('user_id', 'course_id', 'number', name=op.f('uq_course_rounds_user_id'))
    )
    with op.batch_alter_table('course_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_rounds_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessment', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.drop_column('assessment')

    with op.batch_alter_table('course_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_rounds_user_id'))

    op.drop_table('course_rounds')
    with op.batch_alter_table('course_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_evaluations_user_id'))
        batch_op.drop_index(batch_op.f('ix_course_evaluations_course_id'))

    op.drop_table('course_evaluations')
