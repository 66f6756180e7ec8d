"""course credit: the accrediting body, credit type, activity id and hours of a course version,
as printed on the certificates issued for it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 19:00:00

`course_versions.credit` holds the course's `credit:` ({body, type, activity_id, hours}) and
`certificates.credit` a copy taken at issue, so a certificate keeps saying what was true when it
was issued. Both are NULL for courses without credit and for everything issued before.

Both tables are referenced by others with ON DELETE CASCADE, so the columns are added and dropped
with plain ALTER TABLE statements (in place on SQLite 3.35 and later), never by copying a table.
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('course_versions', sa.Column('credit', sa.JSON(), nullable=True))
    op.add_column('certificates', sa.Column('credit', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('certificates', 'credit')
    op.drop_column('course_versions', 'credit')
