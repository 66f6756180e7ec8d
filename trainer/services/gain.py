"""What a course adds, for trainers: knowledge gain (post-test minus pre-test score) per learner,
per cohort and per indicator tag, the confidence ratings before and after, and the evaluations,
which are reported only in aggregate and only for groups of at least ``MIN_GROUP``.

A learner's gain comes from their latest round with a pre-test; the post-test is their first
attempt at the pre-test's quiz after it (see ``assessments``). Per tag, a learner's score is the
mean score of the drawn questions with that tag, in the pre-test and in the post-test.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean

import sqlalchemy as sa

from trainer import policy
from trainer.content import AssessmentSpec
from trainer.extensions import db
from trainer.models import Cohort, CohortMember, Course, CourseEvaluation, CourseRound, CourseVersion, QuizAttempt, User
from trainer.services import assessments, audit, catalogue, course_data
from trainer.services.assessments import MIN_GROUP
from trainer.services.errors import NotAllowed, NotFound
from trainer.services.spreadsheets import csv_bytes, safe_cell

NO_SETTINGS = AssessmentSpec()


@dataclass
class LearnerGain:
    name: str
    pre: float
    post: float | None
    tested_out: bool
    confidence_before: float | None
    confidence_after: float | None

    @property
    def gain(self) -> float | None:
        return None if self.post is None else self.post - self.pre


@dataclass
class TagGain:
    tag: str
    pre: float
    post: float
    learners: int

    @property
    def gain(self) -> float:
        return self.post - self.pre


@dataclass
class CourseGain:
    course_title: str
    learners: list[LearnerGain] = field(default_factory=list)
    tags: list[TagGain] = field(default_factory=list)

    @property
    def measured(self) -> list[LearnerGain]:
        """Learners with both a pre-test and a post-test."""
        return [learner for learner in self.learners if learner.post is not None]

    @property
    def mean_pre(self) -> float | None:
        return mean(m.pre for m in self.measured) if self.measured else None

    @property
    def mean_post(self) -> float | None:
        return mean(m.post or 0.0 for m in self.measured) if self.measured else None

    @property
    def mean_gain(self) -> float | None:
        return mean(m.gain or 0.0 for m in self.measured) if self.measured else None


def for_cohort(actor: User, cohort: Cohort) -> list[CourseGain]:
    """Gain in each assigned course that has a pre-test, for the cohort's members."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    members = sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    return [_course_gain(version, members) for _course, version in _assigned(cohort)
            if assessments.has_pretest(version)]


def _assigned(cohort: Cohort) -> list[tuple[Course, CourseVersion]]:
    assigned = {a.course_id for a in cohort.assignments}
    return [(course, version) for course, version in catalogue.latest_published() if course.id in assigned]


def _course_gain(version: CourseVersion, members: sa.Select) -> CourseGain:
    rows = db.session.execute(sa.select(CourseRound, User.name).join(User, User.id == CourseRound.user_id).where(
        CourseRound.course_id == version.course_id, CourseRound.user_id.in_(members),
        CourseRound.pre_attempt_id.isnot(None)).order_by(User.name, CourseRound.number)).all()
    latest = {row.user_id: (row, name) for row, name in rows}  # the latest round per learner
    ids = {i for row, _ in latest.values() for i in (row.pre_attempt_id, row.post_attempt_id) if i}
    attempts = {a.id: a for a in db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.id.in_(ids or {0})))}
    result = CourseGain(version.title)
    for row, name in latest.values():
        pre, post = attempts.get(row.pre_attempt_id or 0), attempts.get(row.post_attempt_id or 0)
        if pre is None:
            continue
        result.learners.append(LearnerGain(name, pre.score, post.score if post else None, row.tested_out,
                                           _mean(row.pre_confidence), _mean(row.post_confidence)))
    result.tags = _tags(version, [(attempts[r.pre_attempt_id], attempts[r.post_attempt_id])
                                  for r, _ in latest.values()
                                  if r.pre_attempt_id in attempts and r.post_attempt_id in attempts])
    return result


def _mean(ratings: list[int] | None) -> float | None:
    return mean(ratings) if ratings else None


def _tags(version: CourseVersion, pairs: list[tuple[QuizAttempt, QuizAttempt]]) -> list[TagGain]:
    """Per tag, the mean pre-test and post-test score of the learners whose two draws both had it."""
    module = assessments.pretest_module(version)
    tags = {q.id: q.tags for q in course_data.questions(module.body)}
    before: dict[str, list[float]] = defaultdict(list)
    after: dict[str, list[float]] = defaultdict(list)
    for pre, post in pairs:
        pre_tags, post_tags = _by_tag(pre, tags), _by_tag(post, tags)
        for tag in pre_tags.keys() & post_tags.keys():
            before[tag].append(pre_tags[tag])
            after[tag].append(post_tags[tag])
    found = [TagGain(tag, mean(before[tag]), mean(after[tag]), len(before[tag])) for tag in before]
    return sorted(found, key=lambda t: (t.gain, t.tag))


def _by_tag(attempt: QuizAttempt, tags: dict[str, tuple[str, ...]]) -> dict[str, float]:
    scores: dict[str, list[float]] = defaultdict(list)
    for qid, result in attempt.results.items():
        for tag in tags.get(qid, ()):
            scores[tag].append(float(result.get("score", 0.0)))
    return {tag: mean(values) for tag, values in scores.items()}


def _percent(value: float | None) -> str:
    return "" if value is None else str(round(value * 100))


def cohort_csv(actor: User, cohort: Cohort) -> bytes:
    """Gain per learner, the cohort's mean and gain per tag, one row each, for a spreadsheet."""
    courses = for_cohort(actor, cohort)
    audit.record(actor, "export-gain-csv", f"cohort {cohort.id}")
    rows: list[list] = [["Row", "Learner or topic", "Course", "Pre-test %", "Post-test %", "Gain (points)",
                         "Confidence before (1-5)", "Confidence after (1-5)", "Tested out"]]
    for course in courses:
        for learner in course.learners:
            rows.append(["learner", safe_cell(learner.name), safe_cell(course.course_title), _percent(learner.pre),
                         _percent(learner.post), _percent(learner.gain), _rating(learner.confidence_before),
                         _rating(learner.confidence_after), "yes" if learner.tested_out else "no"])
        rows.append(["cohort", f"{len(course.measured)} learners", safe_cell(course.course_title),
                     _percent(course.mean_pre), _percent(course.mean_post), _percent(course.mean_gain), "", "", ""])
        for tag in course.tags:
            rows.append(["topic", safe_cell(tag.tag), safe_cell(course.course_title), _percent(tag.pre),
                         _percent(tag.post), _percent(tag.gain), "", "", ""])
    return csv_bytes(rows)


def _rating(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


# --- evaluations ------------------------------------------------------------------------------

@dataclass
class EvaluationSummary:
    """The evaluations of one course by one group: nothing but the count below ``MIN_GROUP``."""

    course_title: str
    responses: int
    relevance: list[int] = field(default_factory=list)  # how many chose 1..5
    confidence: list[int] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # sorted, so their order says nothing of who
    comments: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.responses >= MIN_GROUP

    @staticmethod
    def _mean(counts: list[int]) -> float | None:
        total = sum(counts)
        return sum((i + 1) * c for i, c in enumerate(counts)) / total if total else None

    @property
    def mean_relevance(self) -> float | None:
        return self._mean(self.relevance)

    @property
    def mean_confidence(self) -> float | None:
        return self._mean(self.confidence)


def _summary(title: str, course_id: int, users: sa.Select | None = None) -> EvaluationSummary:
    stmt = sa.select(CourseEvaluation.relevance, CourseEvaluation.confidence, CourseEvaluation.change,
                     CourseEvaluation.comment).where(CourseEvaluation.course_id == course_id)
    if users is not None:
        stmt = stmt.where(CourseEvaluation.user_id.in_(users))
    rows = db.session.execute(stmt).all()
    summary = EvaluationSummary(title, len(rows))
    if not summary.shown:
        return summary
    summary.relevance = [sum(r.relevance == n for r in rows) for n in range(1, 6)]
    summary.confidence = [sum(r.confidence == n for r in rows) for n in range(1, 6)]
    summary.changes = sorted(r.change for r in rows if r.change)
    summary.comments = sorted(r.comment for r in rows if r.comment)
    return summary


def evaluations_for_cohort(actor: User, cohort: Cohort) -> list[EvaluationSummary]:
    """The evaluations of the cohort's members, per assigned course that asks for one."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    members = sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    return [_summary(version.title, course.id, members) for course, version in _assigned(cohort)
            if (assessments.settings(version) or NO_SETTINGS).evaluation]


def evaluations_for_course(actor: User, course: Course) -> EvaluationSummary:
    """Every evaluation of a course, for administrators."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    return _summary(course.versions[-1].title if course.versions else course.slug, course.id)
