"""lti learners invited: learners a launch or a roster put in a course's cohort are asked instead

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05 10:00:00

Membership is consent: trainers see a member's learning only once the member accepted an
invitation or joined by link, after seeing what the trainers will see. Launches and rosters from
a learning system (LTI) made members directly. Those memberships become invitations waiting for
an answer, which each learner gets on their next launch. Members who accepted an invitation to
the cohort or joined it by its link stay. The downgrade cannot tell who would have been a member,
so it leaves the invitations as they are.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import trainer.models.types

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None

invitations = sa.table('cohort_invitations', sa.column('id', sa.Integer), sa.column('cohort_id', sa.Integer),
                       sa.column('email', sa.String), sa.column('name', sa.String),
                       sa.column('created_at', trainer.models.types.UTCDateTime()))
members = sa.table('cohort_members', sa.column('cohort_id', sa.Integer), sa.column('user_id', sa.Integer))


def upgrade():
    connection = op.get_bind()
    launched = connection.execute(sa.text("""
        SELECT DISTINCT m.cohort_id, m.user_id, u.email, u.name
        FROM cohort_members m
        JOIN lti_contexts c ON c.cohort_id = m.cohort_id
        JOIN lti_accounts a ON a.user_id = m.user_id AND a.platform_id = c.platform_id
        JOIN users u ON u.id = m.user_id
        WHERE NOT EXISTS (SELECT 1 FROM cohort_invitations i WHERE i.cohort_id = m.cohort_id
                          AND i.email = u.email AND i.accepted_at IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.actor_id = m.user_id
                          AND e.action = 'cohort-joined-by-link' AND e.target = 'cohort ' || m.cohort_id)
    """)).all()
    now = datetime.now(UTC)
    for cohort_id, user_id, email, name in launched:
        connection.execute(members.delete().where(members.c.cohort_id == cohort_id, members.c.user_id == user_id))
        asked = connection.execute(sa.select(invitations.c.id).where(
            invitations.c.cohort_id == cohort_id, invitations.c.email == email)).first()
        if asked is None:
            connection.execute(invitations.insert().values(cohort_id=cohort_id, email=email, name=name[:120],
                                                           created_at=now))


def downgrade():
    pass
