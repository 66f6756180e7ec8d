"""course reviews: who reviewed a course version, and when

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 21:00:00

`course_versions.reviewed` holds the course's `reviewed:` list ([{by, date, lived_experience}]),
shown on the course page. NULL for versions published before.

course_versions is referenced by other tables with ON DELETE CASCADE, so the column is added and
dropped with plain ALTER TABLE statements (in place on SQLite 3.35 and later), never by copying
the table.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('course_versions', sa.Column('reviewed', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('course_versions', 'reviewed')
