"""certificate reminders

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 12:44:37.807870

"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('sent_at', trainer.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_reminders_certificate_id_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_reminders')),
    sa.UniqueConstraint('certificate_id', 'kind', name=op.f('uq_certificate_reminders_certificate_id'))
    )


def downgrade():
    op.drop_table('certificate_reminders')
