"""What a trainer may see of one learner in their cohort: progress, attempts, scores and
scenario endings on the cohort's assignments. Never the wellbeing self-check."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from trainer import policy
from trainer.extensions import db
from trainer.models import Cohort, CohortMember, ModuleProgress, QuizAttempt, ScenarioRun, User
from trainer.services import assignments, audit
from trainer.services.errors import NotFound


@dataclass
class LearnerReport:
    learner: User
    assignments: list[tuple[assignments.LearnerAssignment, list[ModuleProgress]]]
    attempts: list[QuizAttempt]
    runs: list[ScenarioRun]


def for_trainer(actor: User, cohort: Cohort, user_id: int) -> LearnerReport:
    """One member's record; asking for anyone else's through a cohort is refused and recorded."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    if db.session.get(CohortMember, (cohort.id, user_id)) is None:
        audit.record_refusal(actor, "learner-record-refused", f"cohort {cohort.id}", user=user_id)
        raise NotFound()
    learner = db.session.get_one(User, user_id)
    course_ids = {a.course_id for a in cohort.assignments}
    mine = [a for a in assignments.for_learner(learner) if a.cohort.id == cohort.id]
    progress = db.session.scalars(sa.select(ModuleProgress).where(
        ModuleProgress.user_id == user_id, ModuleProgress.course_id.in_(course_ids))).all()
    attempts = db.session.scalars(sa.select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course_id.in_(course_ids))
        .order_by(QuizAttempt.submitted_at.desc())).all()
    runs = db.session.scalars(sa.select(ScenarioRun).where(
        ScenarioRun.user_id == user_id, ScenarioRun.course_id.in_(course_ids), ScenarioRun.finished_at.isnot(None))
        .order_by(ScenarioRun.finished_at.desc())).all()
    by_course = [(item, [p for p in progress if p.course_id == item.assignment.course_id]) for item in mine]
    return LearnerReport(learner, by_course, list(attempts), list(runs))
