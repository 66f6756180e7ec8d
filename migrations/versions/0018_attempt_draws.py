"""quiz draws: the questions each attempt drew, and the open quiz form of each learner

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 10:00:00

`quiz_draws` holds the form a learner has open for a quiz (its token and the questions drawn
for it), one per learner and quiz, so a reload shows the same form. `quiz_attempts.questions`
records which questions a submitted attempt drew; attempts made before stay NULL (they had every
question of their version).
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quiz_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('module', sa.String(length=64), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('form_token', sa.String(length=64), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_quiz_draws_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_draws_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_draws')),
    sa.UniqueConstraint('form_token', name=op.f('uq_quiz_draws_form_token')),
    sa.UniqueConstraint('user_id', 'course_id', 'module', name=op.f('uq_quiz_draws_user_id'))
    )
    # Adding a nullable column: SQLite does it in place, no copy of the table.
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('questions', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('questions')
    op.drop_table('quiz_draws')
