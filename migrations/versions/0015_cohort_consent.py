"""cohort consent: invitations can be declined, cohorts have an owner, audit rows carry ids only

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 10:00:00

The owner is a flag on `cohort_trainers`, not a column of `cohorts`: on SQLite, adding a foreign
key to `cohorts` means copying the table, and dropping the old copy would cascade-delete every
member, assignment and invitation. For existing cohorts the owner is known only when one trainer
remains (nobody could remove a trainer before); cohorts with several trainers get no owner, and
only administrators remove their co-trainers.

`audit_events.actor_name` stops being filled (the log shows the account's current name by id);
names already recorded stay.
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cohort_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declined_at', trainer.models.types.UTCDateTime(), nullable=True))

    with op.batch_alter_table('cohort_trainers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.Boolean(), nullable=False, server_default='0'))
    trainers = sa.table('cohort_trainers', sa.column('cohort_id', sa.Integer()), sa.column('owner', sa.Boolean()))
    only_one = sa.select(trainers.c.cohort_id).group_by(trainers.c.cohort_id).having(sa.func.count() == 1)
    op.execute(trainers.update().where(trainers.c.cohort_id.in_(only_one)).values(owner=True))

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('actor_name', existing_type=sa.String(length=120), nullable=True)


def downgrade():
    audit = sa.table('audit_events', sa.column('actor_name', sa.String()))
    op.execute(audit.update().where(audit.c.actor_name.is_(None)).values(actor_name=''))
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('actor_name', existing_type=sa.String(length=120), nullable=False)

    with op.batch_alter_table('cohort_trainers', schema=None) as batch_op:
        batch_op.drop_column('owner')

    with op.batch_alter_table('cohort_invitations', schema=None) as batch_op:
        batch_op.drop_column('declined_at')
