"""The assessment services: who is asked the pre-test, when testing out applies, what the
certificate waits for, and how gain is computed per learner, per cohort and per tag."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.support.assessed import ASSESSED_COURSE
from trainer.extensions import db
from trainer.models import Assignment, Certificate, Cohort, CohortMember, CohortTrainer, CourseRound, QuizAttempt, User
from trainer.services import assessments, catalogue, certificates, gain, progress, publishing
from trainer.services.errors import InvalidInput, NotFound


@pytest.fixture
def course(app, make_user):
    """(learner, course, version) of the assessed example course, inside an app context."""
    account = make_user()
    with app.app_context():
        assert publishing.import_path(ASSESSED_COURSE).ok
        db.session.commit()
        user = db.session.get(User, account.id)
        found, version = catalogue.course_version(user, "assessed")
        yield user, found, version


def _attempt(user, course, module, score, results):
    attempt = QuizAttempt(user_id=user.id, course_id=course.id, module=module, version_number=1,
                          form_token=f"t-{module}-{user.id}-{score}", questions=list(results), answers={},
                          results={q: {"score": s, "correct": s == 1.0, "feedback": []} for q, s in results.items()},
                          score=score, passed=score >= 0.8)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def test_the_pre_test_is_asked_before_any_module_of_a_round(course):
    user, found, version = course
    assert assessments.needs_pretest(user, found, version)
    module = catalogue.module(version, "what-it-is")
    progress.visit(user, found, module)  # began before the course had a pre-test
    assert not assessments.needs_pretest(user, found, version)
    with pytest.raises(InvalidInput):
        assessments.open_pretest(user, found, version)


def test_a_course_without_settings_asks_nothing(app, make_user, published_course):
    with app.app_context():
        user = db.session.get(User, make_user().id)
        found, version = catalogue.course_version(user, "core")
        assert assessments.settings(version) is None
        assert not assessments.needs_pretest(user, found, version)
        assert assessments.waiting_steps(user, found, version) == ()


def test_the_certificate_waits_and_the_steps_issue_it(course):
    user, found, version = course
    record = progress.enrolment(user, found, create=True)
    record.completed_at, record.completed_version = datetime.now(UTC), version.number
    assert certificates.issue(user, found, version, record.completed_at) is None
    assert certificates.issue_earned(user) == []
    assert assessments.waiting_steps(user, found, version) == ("evaluation", "attestation")  # no pre-test: no rating
    certificate = assessments.finish(user, found, {"relevance": "3", "evaluation_confidence": "3", "hours": "1,25"})
    assert certificate is not None and certificate.credit["hours"] == 1.5
    assert assessments.current_round(user, found).attested_hours == 1.25


def _certificate(user, found, version, expires_on, revoked=False):
    db.session.add(Certificate(code=f"C{expires_on}{revoked}", user_id=user.id, course_id=found.id,
                               completion_key=f"k{expires_on}{revoked}", version_number=1, name=user.name,
                               course_title=version.title, sector="health", hours=1.5, completed_on=date(2024, 1, 1),
                               expires_on=expires_on, revoked_at=datetime.now(UTC) if revoked else None))
    db.session.flush()


@pytest.mark.parametrize(("days", "revoked", "allowed"), [(-400, False, True), (30, False, True),
                                                          (200, False, False), (30, True, False)])
def test_testing_out_needs_a_certificate_due_for_renewal(course, days, revoked, allowed):
    user, found, version = course
    assert not assessments.may_test_out(user, found, version)
    _certificate(user, found, version, date.today() + timedelta(days=days), revoked)
    assert assessments.may_test_out(user, found, version) is allowed


def test_recertifying_starts_a_new_round(course):
    user, found, version = course
    record = progress.enrolment(user, found, create=True)
    assessments.ensure_round(user, found).pre_attempt_id = None
    record.completed_at, record.completed_version = datetime.now(UTC), version.number
    _certificate(user, found, version, date.today() + timedelta(days=10))
    certificates.recertify(user, found)
    assert [r.number for r in db.session.scalars(sa.select(CourseRound).order_by(CourseRound.number))] == [1, 2]
    assert assessments.needs_pretest(user, found, version)


def test_gain_per_learner_cohort_and_tag(app, course, make_user):
    user, found, _version = course
    other = db.session.get(User, make_user(name="Bea").id)
    trainer = db.session.get(User, make_user(roles=("trainer",)).id)
    stranger = db.session.get(User, make_user(roles=("trainer",)).id)
    cohort = Cohort(name="Nights", join_code="nights", trainers=[CohortTrainer(user_id=trainer.id, owner=True)])
    db.session.add(cohort)
    db.session.flush()
    db.session.add_all([CohortMember(cohort_id=cohort.id, user_id=u.id) for u in (user, other)]
                       + [Assignment(cohort_id=cohort.id, course_id=found.id, due_on=date(2030, 1, 1))])
    # "companion" is tagged control and health; "consent" has no tag; "signs" none either.
    for who, pre, post in ((user, {"companion": 0.0, "consent": 1.0}, {"companion": 1.0, "consent": 1.0}),
                           (other, {"companion": 0.5, "consent": 0.0}, None)):
        row = CourseRound(user_id=who.id, course_id=found.id, number=1, pre_confidence=[1, 3],
                          post_confidence=[4, 4] if post else None)
        row.pre_attempt_id = _attempt(who, found, assessments.PRETEST, sum(pre.values()) / 2, pre).id
        if post:
            row.post_attempt_id = _attempt(who, found, "indicators-quiz", sum(post.values()) / 2, post).id
        db.session.add(row)
    db.session.flush()
    (result,) = gain.for_cohort(trainer, cohort)
    by_name = {learner.name: learner for learner in result.learners}
    assert by_name[user.name].gain == 0.5 and by_name[user.name].confidence_before == 2.0
    assert by_name["Bea"].post is None and by_name["Bea"].gain is None
    assert (result.mean_pre, result.mean_post, result.mean_gain) == (0.5, 1.0, 0.5)
    assert {(t.tag, t.pre, t.post, t.learners) for t in result.tags} == {("control", 0.0, 1.0, 1),
                                                                          ("health", 0.0, 1.0, 1)}
    with pytest.raises(NotFound):
        gain.for_cohort(stranger, cohort)
    with pytest.raises(NotFound):
        gain.evaluations_for_cohort(stranger, cohort)
