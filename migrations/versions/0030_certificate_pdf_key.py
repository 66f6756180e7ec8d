"""certificate pdf key: where a certificate's PDF is kept in object storage

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 03:20:00

With `CERTIFICATE_STORAGE=s3` a certificate's PDF goes to S3-compatible object storage and the
row keeps the object's key instead of the file. PDFs already in the database stay there and are
still served.
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('certificates', sa.Column('pdf_key', sa.String(length=300), nullable=True))


def downgrade():
    # Not in batch mode: on SQLite a batch would copy the table, and its reminders would go with it.
    op.drop_column('certificates', 'pdf_key')
