"""the audit log names accounts by id; erased learners' certificates are withdrawn

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 10:00:00

The audit log kept the name of whoever acted (`actor_name`); it now keeps "user <id>" or
"system" (`actor`), and the names already recorded are replaced the same way ("removed account"
where the account is gone). Certificates of accounts deleted before now (no `user_id`) are
withdrawn as deletion now does: revoked, their name, sector and PDF removed, and the free text
of their audit entries dropped. Downgrading renames the column back; the names do not return.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    # 0015 stopped filling actor_name (NULL since); every row gets its id-based value first.
    op.execute("UPDATE audit_events SET actor_name = 'user ' || actor_id WHERE actor_id IS NOT NULL")
    op.execute("UPDATE audit_events SET actor_name = 'removed account' "
               "WHERE actor_id IS NULL AND (actor_name IS NULL OR actor_name <> 'system')")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('actor_name', new_column_name='actor', existing_type=sa.String(length=120),
                              nullable=False)
    # Certificates are named by id in the log, as everything else is, not by their public code.
    op.execute("UPDATE audit_events SET target = 'certificate ' || (SELECT c.id FROM certificates c "
               "WHERE 'certificate ' || c.code = audit_events.target) "
               "WHERE target IN (SELECT 'certificate ' || code FROM certificates)")
    op.execute("UPDATE audit_events SET details = '{}' WHERE target IN "
               "(SELECT 'certificate ' || id FROM certificates WHERE user_id IS NULL)")
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC, as UTCDateTime does
    op.execute(sa.text("UPDATE certificates SET name = '', sector = '', pdf = NULL, pdf_error = '', "
                       "revoked_reason = '', revoked_at = COALESCE(revoked_at, :now), "
                       "completion_key = 'withdrawn:' || id WHERE user_id IS NULL").bindparams(now=now))


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('actor', new_column_name='actor_name', existing_type=sa.String(length=120),
                              nullable=True)
