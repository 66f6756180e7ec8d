"""course files version: which version a course's files are known to hold

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 21:00:00

`courses.files_version` is the version number that the course's Markdown files (kept under
version control) are known to hold, set by `courses import` and `courses export`. An import of
files that lack edits made in the browser after that version is refused unless forced.

Existing courses get the number of their latest version published from files (a version with no
publishing user: the command line); courses made in the browser keep NULL. `courses` is
referenced by other tables with ON DELETE CASCADE, so the column is added in place.
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('courses', sa.Column('files_version', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE courses SET files_version = (SELECT MAX(v.number) FROM course_versions v "
        "WHERE v.course_id = courses.id AND v.published_by_id IS NULL)")


def downgrade():
    op.drop_column('courses', 'files_version')
