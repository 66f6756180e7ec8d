"""Pre-test and post-test, testing out, and the steps before the certificate, through the
browser's eyes; and the bad input each refuses with a clear 400, recording nothing."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.support.assessed import (
    ASSESSED_COURSE,
    COURSE,
    FINISH,
    FINISHED,
    PRETEST,
    QUIZ,
    answers,
    complete_course,
    confidence,
    drawn,
    key_for,
    take_pretest,
    token_of,
)
from trainer.extensions import db
from trainer.models import Certificate, CourseEvaluation, CourseRound, Enrolment, ModuleProgress, QuizAttempt


@pytest.fixture
def assessed(app):
    from trainer.services import publishing

    with app.app_context():
        result = publishing.import_path(ASSESSED_COURSE)
        assert result.ok, [str(p) for p in result.report.problems]
        db.session.commit()
    return "assessed"


@pytest.fixture
def learner(client, make_user, assessed):
    user = make_user()
    login(client, user)
    return user


def _rows(app, model):
    with app.app_context():
        return db.session.scalars(sa.select(model)).all()


def _refused(response, app, counts_before: dict):
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "Your answers were not recorded" in page and "Nothing was recorded" in page
    for model, count in counts_before.items():
        assert len(_rows(app, model)) == count, model
    return page


# --- the pre-test ---------------------------------------------------------------------------

def test_the_course_opens_with_the_pre_test(client, learner):
    page = client.get(COURSE).get_data(as_text=True)
    assert "This course opens with a pre-test" in page and "Start this course" not in page
    response = client.get(QUIZ)
    assert response.status_code == 302 and response.headers["Location"].endswith(PRETEST)
    form = client.get(PRETEST).get_data(as_text=True)
    assert "I know whom to call, and when." in form and 'name="confidence-1"' in form
    assert len(drawn(form)) == 4  # the final check's pool, drawn as the quiz draws
    assert client.get(PRETEST).get_data(as_text=True).count(token_of(form)) == 1  # the same form on reload
    assert token_of(client.get(PRETEST).get_data(as_text=True)) == token_of(form)


def test_the_pre_test_records_score_and_confidence_and_reveals_nothing(app, client, learner):
    response = take_pretest(client, right=False, rating=2)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{PRETEST}/result")
    result = client.get(f"{PRETEST}/result").get_data(as_text=True)
    assert "You scored 0% before the course." in result
    for key in ("routine care", "Palermo", "passport", "Right."):
        assert key not in result
    (row,) = _rows(app, CourseRound)
    assert row.pre_confidence == [2, 2] and row.pre_attempt_id and row.post_attempt_id is None
    # Not graded for completion: the quiz module is untouched and its attempts list is empty.
    assert not [p for p in _rows(app, ModuleProgress) if p.module == "indicators-quiz"]
    quiz = client.get(QUIZ).get_data(as_text=True)
    assert "Your attempts" not in quiz and "Check: indicators" in quiz
    assert client.get(PRETEST).status_code == 302  # taken: the course opens as usual


def test_the_first_final_check_after_the_pre_test_is_the_post_test(app, client, learner):
    take_pretest(client)
    page = client.get(QUIZ).get_data(as_text=True)
    client.post(f"{QUIZ}/quiz", data=answers(page, right=True))
    page = client.get(QUIZ).get_data(as_text=True)
    client.post(f"{QUIZ}/quiz", data=answers(page, right=False))
    (row,) = _rows(app, CourseRound)
    attempts = sorted(_rows(app, QuizAttempt), key=lambda a: a.id)
    assert [a.module for a in attempts] == ["~pretest", "indicators-quiz", "indicators-quiz"]
    assert row.pre_attempt_id == attempts[0].id and row.post_attempt_id == attempts[1].id


# --- bad pre-test input ---------------------------------------------------------------------

def test_a_pre_test_form_from_another_attempt_or_another_learner_is_refused(app, client, learner, make_user):
    other = app.test_client()
    login(other, make_user())
    theirs = other.get(PRETEST).get_data(as_text=True)
    mine = client.get(PRETEST).get_data(as_text=True)
    before = {QuizAttempt: 0, CourseRound: 0}
    _refused(client.post(PRETEST, data={**answers(theirs), **confidence()}), app, before)
    _refused(client.post(PRETEST, data={"token": "never-issued-" + "x" * 20, **confidence()}), app, before)
    assert token_of(client.get(PRETEST).get_data(as_text=True)) == token_of(mine)


def test_an_option_from_another_attempts_shuffle_is_refused(app, client, learner, make_user):
    from trainer.models import QuizDraw

    other = app.test_client()
    login(other, make_user())
    other.get(PRETEST), client.get(PRETEST)
    with app.app_context():  # both forms draw the same questions, each with its own keys
        for draw in db.session.scalars(sa.select(QuizDraw)):
            draw.questions = ["companion", "consent", "protocol", "elements"]
        db.session.commit()
    theirs, mine = other.get(PRETEST).get_data(as_text=True), client.get(PRETEST).get_data(as_text=True)
    assert key_for(theirs, "Call the police") != key_for(mine, "Call the police")
    for qid, text in (("companion", "Call the police"), ("consent", "True")):
        data = {**answers(mine), **confidence(), f"q-{qid}": key_for(theirs, text)}
        _refused(client.post(PRETEST, data=data), app, {QuizAttempt: 0, CourseRound: 0})


def test_a_question_that_was_not_drawn_is_refused(app, client, learner):
    page = client.get(PRETEST).get_data(as_text=True)
    missing = next(q for q in ("companion", "signs", "consent", "protocol", "elements") if q not in drawn(page))
    data = {**answers(page), **confidence(), f"q-{missing}": "3"}
    _refused(client.post(PRETEST, data=data), app, {QuizAttempt: 0, CourseRound: 0})


def test_confidence_must_be_rated_1_to_5_for_each_statement(app, client, learner):
    page = client.get(PRETEST).get_data(as_text=True)
    for ratings in ({}, {"confidence-0": "3"}, {"confidence-0": "3", "confidence-1": "6"},
                    {"confidence-0": "0", "confidence-1": "3"}, {"confidence-0": "x", "confidence-1": "3"}):
        _refused(client.post(PRETEST, data={**answers(page), **ratings}), app, {QuizAttempt: 0, CourseRound: 0})


def test_the_pre_test_sent_twice_records_it_once_and_a_second_form_is_refused(app, client, learner):
    page = client.get(PRETEST).get_data(as_text=True)
    data = {**answers(page), **confidence()}
    assert client.post(PRETEST, data=data).status_code == 302
    assert client.post(PRETEST, data=data).status_code == 302  # a double click
    assert len(_rows(app, QuizAttempt)) == 1
    quiz = client.get(QUIZ).get_data(as_text=True)
    _refused(client.post(PRETEST, data={**answers(quiz), **confidence()}), app, {QuizAttempt: 1, CourseRound: 1})


def test_a_pre_test_form_sent_to_the_quiz_is_refused(app, client, learner):
    page = client.get(PRETEST).get_data(as_text=True)
    response = client.post(f"{QUIZ}/quiz", data=answers(page))
    assert response.status_code == 400 and len(_rows(app, QuizAttempt)) == 0


# --- before the certificate -----------------------------------------------------------------

def _completed(client):
    take_pretest(client, right=False)
    complete_course(client)


def test_the_certificate_waits_for_the_steps_before_it(app, client, learner):
    _completed(client)
    assert _rows(app, Certificate) == []
    course = client.get(COURSE).get_data(as_text=True)
    assert "Before your certificate: a few questions" in course
    form = client.get(FINISH).get_data(as_text=True)
    for asked in ("How confident are you?", "How relevant was the course", "What will you change in your practice",
                  "I attest that I spent this many hours on the course (at most 1.5)"):
        assert asked in form
    response = client.post(FINISH, data=FINISHED)
    assert response.status_code == 302
    (certificate,) = _rows(app, Certificate)
    assert certificate.credit["body"] == "Example College of Nursing"
    (row,) = _rows(app, CourseRound)
    assert row.post_confidence == [4, 4] and row.attested_hours == 1.5 and row.post_attempt_id
    assert "Certificate (PDF)" in client.get(COURSE).get_data(as_text=True)
    assert client.get(FINISH).status_code == 302


@pytest.mark.parametrize("change", [
    {"hours": "1.6"}, {"hours": "0"}, {"hours": "-1"}, {"hours": "nan"}, {"hours": "many"}, {"hours": ""},
    {"relevance": "6"}, {"relevance": ""}, {"evaluation_confidence": "0"}, {"confidence-1": "9"},
    {"change": "x" * 1001},
])
def test_bad_answers_before_the_certificate_are_refused(app, client, learner, change):
    _completed(client)
    page = _refused(client.post(FINISH, data={**FINISHED, **change}), app, {CourseEvaluation: 0, Certificate: 0})
    if "hours" in change:
        assert "at most 1.5" in page
    (row,) = _rows(app, CourseRound)
    assert row.post_confidence is None and row.attested_hours is None


def test_an_evaluation_sent_twice_is_refused(app, client, learner):
    _completed(client)
    assert client.post(FINISH, data=FINISHED).status_code == 302
    _refused(client.post(FINISH, data={**FINISHED, "relevance": "1"}), app, {CourseEvaluation: 1, Certificate: 1})
    (evaluation,) = _rows(app, CourseEvaluation)
    assert evaluation.relevance == 5


def test_nothing_before_the_course_is_complete(app, client, learner):
    take_pretest(client)
    assert client.get(FINISH).status_code == 302
    _refused(client.post(FINISH, data=FINISHED), app, {CourseEvaluation: 0})


# --- testing out ----------------------------------------------------------------------------

def _expiring(app, days: int = 20):
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
        certificate.expires_on = date.today() + timedelta(days=days)
        db.session.commit()


def test_a_holder_of_an_expiring_certificate_tests_out_with_the_pre_test(app, client, learner):
    _completed(client)
    client.post(FINISH, data=FINISHED)
    _expiring(app)
    assert client.post(f"{COURSE}/recertify").status_code == 302
    course = client.get(COURSE).get_data(as_text=True)
    assert "go straight to your new certificate" in course
    response = take_pretest(client, right=True)
    assert response.status_code == 302
    assert "tested out" in client.get(f"{PRETEST}/result").get_data(as_text=True)
    rounds = sorted(_rows(app, CourseRound), key=lambda r: r.number)
    assert [r.number for r in rounds] == [1, 2] and rounds[1].tested_out
    form = client.get(FINISH).get_data(as_text=True)
    assert "How confident are you?" not in form and "How relevant" in form  # rated once: no course between
    assert client.post(FINISH, data={"relevance": "4", "evaluation_confidence": "4", "hours": "0.5"}).status_code == 302
    assert len(_rows(app, Certificate)) == 2
    (enrolment,) = _rows(app, Enrolment)
    assert enrolment.completed_at is not None


def test_failing_the_pre_test_opens_the_course_as_usual(app, client, learner):
    _completed(client)
    client.post(FINISH, data=FINISHED)
    _expiring(app)
    client.post(f"{COURSE}/recertify")
    take_pretest(client, right=False)
    assert "Start the course" in client.get(f"{PRETEST}/result").get_data(as_text=True)
    assert client.get(QUIZ).status_code == 200 and len(_rows(app, Certificate)) == 1


def test_without_an_earlier_certificate_passing_the_pre_test_does_not_test_out(app, client, learner):
    take_pretest(client, right=True)
    (row,) = _rows(app, CourseRound)
    assert not row.tested_out and _rows(app, Certificate) == []
    assert client.get(QUIZ).status_code == 200


# --- what trainers see ----------------------------------------------------------------------

def _cohort(app, trainer_id: int, member_ids: list[int]) -> int:
    from trainer.models import Assignment, Cohort, CohortMember, CohortTrainer, Course

    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == "assessed"))
        cohort = Cohort(name="Ward 4", join_code="ward-4", trainers=[CohortTrainer(user_id=trainer_id, owner=True)])
        db.session.add(cohort)
        db.session.flush()
        db.session.add_all([CohortMember(cohort_id=cohort.id, user_id=i) for i in member_ids])
        db.session.add(Assignment(cohort_id=cohort.id, course_id=course.id, due_on=date(2030, 1, 1)))
        db.session.commit()
        return cohort.id


def test_trainers_see_gain_per_learner_and_topic_and_evaluations_only_together(app, make_user, assessed):
    learners = [make_user(name=f"Learner {n}") for n in range(5)]
    for n, user in enumerate(learners):
        browser = app.test_client()
        login(browser, user)
        _completed(browser)
        browser.post(FINISH, data={**FINISHED, "comment": f"Comment {n}" if n < 4 else ""})
        if n == 3:
            trainer = make_user(roles=("trainer",))
            cohort_id = _cohort(app, trainer.id, [u.id for u in learners[:4]])
            staff = app.test_client()
            login(staff, trainer)
            page = staff.get(f"/cohorts/{cohort_id}/analysis").get_data(as_text=True)
            assert "4 responses" in page and "Comment 0" not in page and "at least 5 people" in page
    from trainer.models import CohortMember

    with app.app_context():
        db.session.add(CohortMember(cohort_id=cohort_id, user_id=learners[4].id))
        db.session.commit()
    page = staff.get(f"/cohorts/{cohort_id}/analysis").get_data(as_text=True)
    assert "What the course adds" in page and "a gain of +100 points." in page and "Measured for 5 learners." in page
    assert "Learner 0" in page and "0% → 100% (+100)" in page and "confidence 2.0 → 4.0 of 5" in page
    assert "5 responses" in page and "Comment 0" in page and "See every patient alone" in page
    assert page.count("<meter") > 10
    evaluation = page.split('id="evaluation-heading"', 1)[1].split("</section>", 1)[0]
    assert "Learner" not in evaluation  # never per person
    response = staff.get(f"/cohorts/{cohort_id}/gain.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:6] == ["Row", "Learner or topic", "Course", "Pre-test %", "Post-test %", "Gain (points)"]
    learner_rows = [r for r in rows if r[0] == "learner"]
    assert len(learner_rows) == 5 and learner_rows[0][3:6] == ["0", "100", "100"]
    assert next(r for r in rows if r[0] == "cohort")[:2] == ["cohort", "5 learners"]
    topics = {r[1]: r[3:6] for r in rows if r[0] == "topic"}
    # A topic is listed when both of a learner's draws held it; the draws are random, so some runs
    # list none (the gain per topic is tested with fixed draws in the service's own tests).
    assert all(values == ["0", "100", "100"] for values in topics.values())


def test_administrators_see_a_courses_evaluations_in_aggregate(app, client, make_user, assessed):
    admin = make_user(roles=("admin",))
    for n in range(2):
        browser = app.test_client()
        login(browser, make_user())
        _completed(browser)
        browser.post(FINISH, data={**FINISHED, "comment": f"Secret {n}"})
    login(client, admin)
    text = client.get("/authoring/courses/assessed/evaluations").get_data(as_text=True)
    assert "2 responses" in text and "Secret 0" not in text and "at least 5 people" in text


# --- the learner's own data -------------------------------------------------------------------

def test_the_learner_downloads_and_erases_their_ratings_and_evaluation(app, client, learner):
    import json

    _completed(client)
    client.post(FINISH, data=FINISHED)
    data = json.loads(client.post("/profile/data.json", data={"download-password": learner.password}).data)
    (row,) = data["course_rounds"]
    assert row["confidence_before"] == [2, 2] and row["confidence_after"] == [4, 4] and row["attested_hours"] == 1.5
    assert data["course_evaluations"][0]["change"] == "See every patient alone for part of the visit."
    client.post("/profile/delete", data={"password": learner.password})
    assert _rows(app, CourseRound) == [] and _rows(app, CourseEvaluation) == [] and _rows(app, QuizAttempt) == []


def test_the_trainers_record_of_a_learner_names_the_pre_test(app, client, learner, make_user):
    take_pretest(client)
    trainer = make_user(roles=("trainer",))
    cohort_id = _cohort(app, trainer.id, [learner.id])
    staff = app.test_client()
    login(staff, trainer)
    page = staff.get(f"/cohorts/{cohort_id}/learners/{learner.id}").get_data(as_text=True)
    assert "Pre-test: 0% — before the course" in page and "~pretest" not in page
