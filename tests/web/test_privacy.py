"""A learner downloads all their data and deletes their account; certificates stay verifiable."""
from __future__ import annotations

import json

import sqlalchemy as sa

from tests.conftest import login
from tests.support.journeys import complete_example_course
from trainer.extensions import db
from trainer.models import (Certificate, CohortMember, Enrolment, ModuleProgress, QuizAttempt, ScenarioRun, User,
                            WellbeingCheck)


def _learner_with_history(app, client, make_user):
    user = make_user(name="Ana Ortiz", email="ana@example.org")
    login(client, user)
    complete_example_course(client)
    client.post("/wellbeing", data={"intrusion": "2", "note": "a hard week"})
    return user


def test_download_holds_everything(app, client, make_user, published_course):
    _learner_with_history(app, client, make_user)
    response = client.get("/profile/data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.data)
    assert data["account"]["email"] == "ana@example.org"
    assert data["courses"][0]["course"] == "core" and data["courses"][0]["completed_at"]
    assert data["quiz_attempts"] and data["scenario_runs"] and data["certificates"]
    assert data["wellbeing_checks"][0]["note"] == "a hard week"
    assert data["cohort_invitations"] == []


def test_download_holds_the_invitations_to_ones_address(app, client, make_user, published_course):
    from trainer.models import Cohort, Invitation

    login(client, make_user(email="ana@example.org"))
    with app.app_context():
        cohort = Cohort(name="Night shift", join_code="privacy-code")
        db.session.add(cohort)
        db.session.flush()
        db.session.add(Invitation(cohort_id=cohort.id, email="ana@example.org", name="Ana"))
        db.session.commit()
    [invitation] = json.loads(client.get("/profile/data.json").data)["cohort_invitations"]
    assert invitation["cohort"] == "Night shift" and invitation["state"] == "pending"


def test_delete_needs_the_password_and_then_removes_the_learning_records(app, client, make_user,
                                                                          published_course, count_rows):
    user = _learner_with_history(app, client, make_user)
    refused = client.post("/profile/delete", data={"password": "not-my-password"})
    assert refused.status_code == 400 and count_rows(User) == 1
    with app.app_context():
        code = db.session.scalar(sa.select(Certificate.code))
    client.post("/profile/delete", data={"password": user.password})
    for model in (User, Enrolment, ModuleProgress, QuizAttempt, ScenarioRun, WellbeingCheck, CohortMember):
        assert count_rows(model) == 0, model.__name__
    assert count_rows(Certificate) == 1
    page = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "Valid certificate" in page and "Ana Ortiz" in page
    assert client.get("/profile").status_code == 302  # signed out


def test_the_page_says_what_stays(client, make_user):
    login(client, make_user())
    page = client.get("/profile/data").get_data(as_text=True)
    assert "What stays:" in page and "verification pages" in page
