"""author roles: authors (courses and the referral directory) and reviewers (who may approve)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 22:10:00

The CHECK constraint on `user_roles.role` learns the two new roles. On SQLite the small
`user_roles` table is rebuilt with the new constraint (no table refers to it, so no cascade is
set off); PostgreSQL changes the constraint in place. A downgrade removes the two roles first.
"""
import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

OLD = "role IN ('learner', 'trainer', 'admin')"
NEW = "role IN ('learner', 'trainer', 'author', 'reviewer', 'admin')"


def _user_roles(check: str) -> sa.Table:
    return sa.Table(
        'user_roles', sa.MetaData(),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('granted_at', trainer.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(check, name=op.f('ck_user_roles_role_known')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles')),
    )


def _set_check(old: str, new: str) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('user_roles', copy_from=_user_roles(old), recreate='always') as batch:
            batch.drop_constraint(op.f('ck_user_roles_role_known'), type_='check')
            batch.create_check_constraint(op.f('ck_user_roles_role_known'), new)
    else:
        op.drop_constraint(op.f('ck_user_roles_role_known'), 'user_roles', type_='check')
        op.create_check_constraint(op.f('ck_user_roles_role_known'), 'user_roles', new)


def upgrade():
    _set_check(OLD, NEW)


def downgrade():
    op.execute("DELETE FROM user_roles WHERE role IN ('author', 'reviewer')")
    _set_check(NEW, OLD)
