"""A learner downloads all their data and deletes their account: their learning records go,
their certificates are withdrawn, and the audit log keeps only ids."""
from __future__ import annotations

import json
import re

import sqlalchemy as sa

from tests.conftest import PASSWORD, login
from tests.support.journeys import complete_example_course
from trainer.extensions import db
from trainer.models import (
    AuditEvent,
    Certificate,
    CohortMember,
    Enrolment,
    ModuleProgress,
    QuizAttempt,
    ScenarioRun,
    User,
    WellbeingCheck,
)


def _learner_with_history(app, client, make_user):
    user = make_user(name="Ana Ortiz", email="ana@example.org")
    login(client, user)
    complete_example_course(client)
    client.post("/wellbeing", data={"intrusion": "2", "note": "a hard week"})
    return user


def _download(client, password, **kwargs):
    return client.post("/profile/data.json", data={"download-password": password}, **kwargs)


def test_download_holds_everything(app, client, make_user, published_course):
    user = _learner_with_history(app, client, make_user)
    response = _download(client, user.password)
    assert response.status_code == 200 and response.mimetype == "application/json"
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
    [invitation] = json.loads(_download(client, PASSWORD).data)["cohort_invitations"]
    assert invitation["cohort"] == "Night shift" and invitation["state"] == "pending"


def test_download_asks_for_the_password_again(client, make_user):
    user = make_user()
    login(client, user)
    page = client.get("/profile/data").get_data(as_text=True)
    assert 'action="/profile/data.json"' in page and 'name="download-password"' in page
    assert 'id="password"' in page  # the delete form's field keeps its own id
    link = client.get("/profile/data.json")  # a link alone downloads nothing: it leads to the form
    assert link.status_code == 302 and link.headers["Location"] == "/profile/data"
    for password in ("not-my-password", ""):
        refused = _download(client, password)
        assert refused.status_code == 400 and "Content-Disposition" not in refused.headers
        error = re.search(r'<p class="error-message" id="download-password-error">(.*?)</p>',
                          refused.get_data(as_text=True), re.S)
        message = "Your current password is not right." if password else "This field is required."
        assert error and message in error.group(1)
    assert _download(client, user.password).status_code == 200


def test_download_needs_the_csrf_token(app, client, make_user, monkeypatch):
    user = make_user()
    login(client, user)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = _download(client, user.password)
    assert refused.status_code == 400 and "Content-Disposition" not in refused.headers
    page = client.get("/profile/data").get_data(as_text=True)
    token = re.search(r'name="download-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    allowed = client.post("/profile/data.json", data={"download-csrf_token": token,
                                                      "download-password": user.password})
    assert allowed.status_code == 200 and json.loads(allowed.data)["account"]["email"] == user.email


def test_download_is_rate_limited_per_account(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per minute")
    user = make_user()
    login(client, user)
    statuses = [_download(client, "not-my-password", environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code
                for i in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert _download(client, user.password, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 429
    other, other_client = make_user(), app.test_client()  # someone else's budget is their own
    login(other_client, other)
    assert _download(other_client, other.password).status_code == 200


def test_delete_needs_the_password_and_then_removes_the_learning_records(app, client, make_user,
                                                                          published_course, count_rows):
    user = _learner_with_history(app, client, make_user)
    refused = client.post("/profile/delete", data={"password": "not-my-password"})
    assert refused.status_code == 400 and count_rows(User) == 1
    client.post("/profile/delete", data={"password": user.password})
    for model in (User, Enrolment, ModuleProgress, QuizAttempt, ScenarioRun, WellbeingCheck, CohortMember):
        assert count_rows(model) == 0, model.__name__
    assert count_rows(Certificate) == 1
    assert client.get("/profile").status_code == 302  # signed out


def test_deleting_withdraws_the_certificates_and_keeps_nothing_about_the_person(app, client, make_user,
                                                                                published_course):
    user = _learner_with_history(app, client, make_user)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
        code, certificate_id = certificate.code, certificate.id
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    assert admin.get(f"/certificates/{certificate_id}.pdf").status_code == 200  # made and stored
    client.post("/profile/delete", data={"password": user.password})

    public = app.test_client()
    check = public.get(f"/verify/{code}")
    page = check.get_data(as_text=True)
    assert check.status_code == 410 and "This certificate is not valid." in page
    for detail in ("Ana Ortiz", "Human trafficking", "Completed on", "Hours of training", "revoked"):
        assert detail not in page, detail
    badge = public.get(f"/badges/assertions/{code}.json")
    assert badge.status_code == 410 and badge.get_json()["revoked"] is True
    assert "recipient" not in badge.get_json() and "issuedOn" not in badge.get_json()
    with app.app_context():
        stored = db.session.get(Certificate, certificate_id)
        assert (stored.name, stored.sector, stored.pdf, stored.user_id) == ("", "", None, None)
        assert stored.revoked_at is not None and stored.completion_key == f"withdrawn:{certificate_id}"
    # Not even an administrator can download, rename or re-make it.
    assert admin.get(f"/certificates/{certificate_id}.pdf").status_code == 404
    assert admin.post(f"/admin/certificates/{certificate_id}/name", data={"name": "Ana Ortiz"}).status_code == 404
    assert "Ana Ortiz" not in admin.get("/admin/certificates").get_data(as_text=True)


def test_deleting_leaves_ids_but_no_name_email_or_text_in_the_audit_log(app, client, make_user, published_course):
    user = _learner_with_history(app, client, make_user)
    with app.app_context():
        certificate_id = db.session.scalar(sa.select(Certificate.id))
    admin = app.test_client()
    login(admin, make_user(roles=("admin",), name="Alex Admin"))
    admin.post(f"/admin/users/{user.id}/roles", data={"trainer": "y"})
    admin.post(f"/admin/certificates/{certificate_id}/revoke",
               data={"reason": "Ana Ortiz (ana@example.org) shared her answers"})
    client.post("/profile/delete", data={"password": user.password})

    with app.app_context():
        rows = db.session.execute(sa.select(AuditEvent.actor, AuditEvent.action, AuditEvent.target,
                                            AuditEvent.details).order_by(AuditEvent.id)).all()
    text = repr(rows)
    for personal in ("Ana", "Ortiz", "ana@example.org", "shared her answers", "Alex Admin"):
        assert personal not in text, personal
    # The facts stay: who (by id) did what to which account or certificate, and when.
    assert [(r.action, r.target) for r in rows if r.action != "course-published"] == [
        ("roles-changed", f"user {user.id}"), ("certificate-revoked", f"certificate {certificate_id}"),
        ("account-deleted", f"user {user.id}")]
    assert rows[-1].actor == "system" and rows[-2].details == {}
    assert rows[-3].details == {"roles": ["learner", "trainer"]}


def test_the_page_says_what_happens_to_certificates_and_what_stays(client, make_user):
    login(client, make_user())
    page = client.get("/profile/data").get_data(as_text=True)
    assert "What stays:" in page and "say only that the code is not valid" in page
