"""LTI 1.3 launches from a platform harness that signs real launches with its own keys
(tests/support/lti_platform.py): resource links as a learner and as an instructor, deep linking,
grades sent back, the roster brought in, the site's keys and their rotation."""
from __future__ import annotations

import logging
import time
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from tests.support.lti_platform import (
    INSTRUCTOR,
    LEARNER,
    form_fields,
    query_of,
    running_platform,
)
from trainer.extensions import db
from trainer.models import (
    Cohort,
    CohortMember,
    CohortTrainer,
    Invitation,
    LtiAccount,
    LtiContext,
    LtiHandoff,
    LtiLineItem,
    LtiState,
    User,
)
from trainer.services import catalogue, job_worker, lti, progress

MODULE = {"course": "core", "module": "what-it-is"}


@pytest.fixture
def platform(app, client):
    """The harness, registered with the tool (which has a signing key), trusting the tool's keys."""
    with running_platform() as harness:
        with app.app_context():
            lti.rotate_key()
            lti.add_platform(lti.PlatformDetails(**harness.registration()))
            db.session.commit()
        harness.trust_tool(client.get("/lti/jwks").get_json())
        yield harness


def login(client, platform, hint: str):
    """The platform's login initiation, and the launch form its authorisation endpoint answers with."""
    response = client.post("/lti/login", data=platform.login_params(hint))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.location.startswith(platform.base + "/auth?")
    with urllib.request.urlopen(response.location) as answer:
        return form_fields(answer.read().decode())


def launch(client, platform, **prepared):
    return client.post("/lti/launch", data=login(client, platform, platform.prepare(**prepared)))


def open_link(client, response):
    page = response.get_data(as_text=True)
    link = page.split('data-lti-open href="')[1].split('"')[0]
    return link, client.get(link)


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (User, LtiAccount, LtiContext, Cohort, CohortMember, CohortTrainer, Invitation,
                              LtiLineItem, LtiHandoff)}


def test_login_keeps_state_on_the_server_and_sets_no_cookie(client, platform, app):
    response = client.post("/lti/login", data=platform.login_params(platform.prepare()))
    query = query_of(response.location)
    assert query["redirect_uri"] == "http://127.0.0.1:5000/lti/launch"
    assert query["response_mode"] == "form_post" and query["prompt"] == "none" and query["nonce"]
    assert "Set-Cookie" not in response.headers
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiState)) == 1


def test_learner_launch_makes_an_account_and_a_cohort_and_opens_the_module(client, platform, app, published_course):
    response = launch(client, platform, sub="learner-7", roles=(LEARNER,), custom=MODULE)
    assert response.status_code == 200
    assert f"frame-ancestors {platform.base}" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    link, opened = open_link(client, response)
    # Signed in, and asked first about the course's cohort (see the consent tests below).
    assert opened.status_code == 302 and opened.location == "/my/cohorts?next=/courses/core/what-it-is"
    assert client.get("/courses/core/what-it-is").status_code == 200  # signed in
    assert client.get(link).status_code == 404  # the link works once
    with app.app_context():
        account = db.session.scalar(sa.select(LtiAccount).where(LtiAccount.subject == "learner-7"))
        user = db.session.get(User, account.user_id)
        assert user.email == "learner-7@hospital.example" and user.email_verified
        assert user.name == "Person learner-7" and user.sector == "health" and user.role_names == {"learner"}
        context = db.session.scalar(sa.select(LtiContext))
        assert context.title == "Safeguarding course-101"
        assert context.memberships_url.endswith("/memberships/course-101")
        assert db.session.get(CohortMember, (context.cohort_id, user.id)) is None  # not before they accept
        invitation = db.session.scalar(sa.select(Invitation))
        assert (invitation.cohort_id, invitation.email, invitation.state) == (context.cohort_id, user.email, "pending")
        item = db.session.scalar(sa.select(LtiLineItem))
        assert item.module == "what-it-is" and item.lineitem_url.endswith("/lineitems/course-101-item?type=x")


def test_a_second_launch_finds_the_same_account(client, platform, app, published_course):
    launch(client, platform, sub="learner-8", custom=MODULE)
    before = counts(app)
    assert launch(client, platform, sub="learner-8", custom=MODULE).status_code == 200
    after = counts(app)
    assert {k: v for k, v in after.items() if k != "LtiHandoff"} == {k: v for k, v in before.items()
                                                                     if k != "LtiHandoff"}


def test_an_address_already_taken_is_not_joined_to_the_launching_account(client, platform, app, make_user):
    existing = make_user(email="learner-9@hospital.example")
    launch(client, platform, sub="learner-9")
    with app.app_context():
        account = db.session.scalar(sa.select(LtiAccount).where(LtiAccount.subject == "learner-9"))
        user = db.session.get(User, account.user_id)
        assert user.id != existing.id and user.email.endswith("@lti.invalid") and not user.email_verified


def test_instructor_launch_makes_them_the_cohorts_trainer(client, platform, app, published_course):
    response = launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,))
    _, opened = open_link(client, response)
    with app.app_context():
        context = db.session.scalar(sa.select(LtiContext))
        user = db.session.get(User, db.session.scalar(sa.select(LtiAccount.user_id)))
        assert user.has_role("trainer")
        assert db.session.get(CohortTrainer, (context.cohort_id, user.id)) is not None
        assert db.session.get(CohortMember, (context.cohort_id, user.id)) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiLineItem)) == 0
    assert opened.location == f"/lti/courses/{context.id}"
    page = client.get(opened.location)
    assert page.status_code == 200 and "Bring in the roster" in page.get_data(as_text=True)


def test_deep_linking_sends_a_signed_choice_back(client, platform, app, published_course):
    response = launch(client, platform, sub="teacher-2", roles=(INSTRUCTOR,), message_type="LtiDeepLinkingRequest")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Choose what to link" in page and 'value="core/what-it-is"' in page
    ticket = form_fields(page)["ticket"]
    answer = client.post("/lti/deep-link", data={"ticket": ticket, "choice": "core/what-it-is"})
    assert answer.status_code == 200
    csp = answer.headers["Content-Security-Policy"]
    assert f"form-action 'self' {platform.base}" in csp
    body = answer.get_data(as_text=True)
    assert f'action="{platform.base}/deep-link-return"' in body
    data = urllib.parse.urlencode(form_fields(body)).encode()
    with urllib.request.urlopen(f"{platform.base}/deep-link-return", data=data) as sent:
        assert sent.read() == b"received"
    claims = platform.deep_link_answers[0]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-data"
    item = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
    assert item["custom"] == MODULE and item["url"] == "http://127.0.0.1:5000/lti/launch"
    assert item["lineItem"]["scoreMaximum"] == 100


@pytest.mark.parametrize("ticket, choice", [("forged", "core"), (None, "core/no-such-module"),
                                            (None, "no-such-course")])
def test_deep_linking_refuses_a_forged_ticket_or_an_unknown_choice(client, platform, published_course, ticket,
                                                                    choice):
    response = launch(client, platform, roles=(INSTRUCTOR,), message_type="LtiDeepLinkingRequest")
    real = form_fields(response.get_data(as_text=True))["ticket"]
    answer = client.post("/lti/deep-link", data={"ticket": ticket or real, "choice": choice})
    assert answer.status_code == 400 and "JWT" not in answer.get_data(as_text=True)
    assert platform.deep_link_answers == []


def _complete(app, subject: str, module: str | None, score: float | None) -> None:
    with app.app_context():
        user = db.session.get(User, db.session.scalar(sa.select(LtiAccount.user_id).where(
            LtiAccount.subject == subject)))
        course, version = catalogue.latest_published("core")[0]
        progress.complete_module(user, course, version, module or "what-it-is", score)
        db.session.commit()
    job_worker.wait_all(60)


def test_a_completed_module_sends_its_grade_to_the_line_item(client, platform, app, published_course):
    launch(client, platform, sub="learner-10", custom=MODULE)
    _complete(app, "learner-10", "what-it-is", None)
    scores = platform.score_list()
    assert len(scores) == 1
    assert scores[0]["userId"] == "learner-10" and scores[0]["scoreGiven"] == 100
    assert scores[0]["activityProgress"] == "Completed" and scores[0]["gradingProgress"] == "FullyGraded"
    _complete(app, "learner-10", "what-it-is", None)  # nothing new: nothing sent again
    assert len(platform.score_list()) == 1


def test_a_module_not_launched_from_the_platform_sends_nothing(client, platform, app, published_course):
    launch(client, platform, sub="learner-11", custom={"course": "core", "module": "indicators-quiz"})
    _complete(app, "learner-11", "what-it-is", 0.5)
    assert platform.score_list() == []


def test_a_platform_that_fails_gets_the_grade_on_a_later_try(client, platform, app, published_course):
    from trainer.models import Job

    platform.failures = 1
    launch(client, platform, sub="learner-12", custom=MODULE)
    _complete(app, "learner-12", "what-it-is", 0.75)
    assert platform.score_list() == []
    with app.app_context():
        job = db.session.scalar(sa.select(Job).where(Job.name == "lti.send_score"))
        assert job.state != "done" and job.attempts == 1
        job.not_before = job.not_before.replace(year=2000)  # due now, instead of after the pause
        db.session.commit()
        from trainer.services import jobs
        jobs.dispatch(app, [job.id], [])
    job_worker.wait_all(60)
    assert [s["scoreGiven"] for s in platform.score_list()] == [75]


def test_the_roster_is_brought_into_the_cohort(client, platform, app, published_course):
    platform.members = [
        {"user_id": "learner-20", "name": "Ana", "email": "ana@hospital.example", "roles": [LEARNER]},
        {"user_id": "learner-21", "name": "Bo", "roles": ["Learner"]},
        {"user_id": "teacher-3", "name": "Teacher", "roles": [INSTRUCTOR]},
        {"user_id": "learner-22", "name": "Gone", "roles": [LEARNER], "status": "Inactive"},
    ]
    _, opened = open_link(client, launch(client, platform, sub="teacher-3", roles=(INSTRUCTOR,)))
    context_page = opened.location
    answer = client.post(context_page + "/roster", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "2 learners invited, 0 trainers added, 1 already here or invited" in page
    assert "2 learners invited have not answered yet." in page and "No members yet." in page
    with app.app_context():
        context = db.session.scalar(sa.select(LtiContext))
        members = db.session.scalars(sa.select(CohortMember.user_id).where(CohortMember.cohort_id == context.cohort_id))
        assert list(members) == []  # nobody joins before they accept
        invited = db.session.scalars(sa.select(Invitation.name).where(Invitation.cohort_id == context.cohort_id))
        assert sorted(invited) == ["Ana", "Bo"]
    # Brought in again: nobody is invited twice.
    page = client.post(context_page + "/roster", follow_redirects=True).get_data(as_text=True)
    assert "0 learners invited, 0 trainers added, 3 already here or invited" in page


def _cohort_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(LtiContext.cohort_id))


def _is_member(app, sub: str) -> bool:
    with app.app_context():
        user_id = db.session.scalar(sa.select(LtiAccount.user_id).where(LtiAccount.subject == sub))
        return db.session.get(CohortMember, (_cohort_id(app), user_id)) is not None


def test_a_learner_launched_joins_the_cohort_only_by_accepting_and_then_goes_on_to_the_course(
        client, platform, app, published_course):
    _, opened = open_link(client, launch(client, platform, sub="learner-30", roles=(LEARNER,), custom=MODULE))
    page = client.get(opened.location).get_data(as_text=True)
    # What the trainers would see, the choice, and a way on without choosing now.
    assert "Your course in your learning system has a group here" in page
    assert "If you join, the trainers of this cohort will see, for the courses assigned to it:" in page
    assert "No trainer yet: whoever becomes its trainer will see what is listed here." in page  # none launched
    assert '<a href="/courses/core/what-it-is">Decide later and go to the course</a>' in page
    assert page.count('name="next" value="/courses/core/what-it-is"') == 2  # in accept and in decline
    invitation_id = int(page.split("/my/cohorts/invitations/")[1].split("/")[0])
    assert not _is_member(app, "learner-30")
    answer = client.post(f"/my/cohorts/invitations/{invitation_id}/accept", data={"next": "/courses/core/what-it-is"})
    assert answer.location == "/courses/core/what-it-is"
    assert _is_member(app, "learner-30")
    # Once in, a launch opens the course at once.
    _, opened = open_link(client, launch(client, platform, sub="learner-30", roles=(LEARNER,), custom=MODULE))
    assert opened.location == "/courses/core/what-it-is"


def test_a_learner_who_declines_is_not_asked_again_and_a_foreign_next_is_ignored(
        client, platform, app, published_course):
    _, opened = open_link(client, launch(client, platform, sub="learner-31", roles=(LEARNER,), custom=MODULE))
    page = client.get(opened.location).get_data(as_text=True)
    invitation_id = int(page.split("/my/cohorts/invitations/")[1].split("/")[0])
    answer = client.post(f"/my/cohorts/invitations/{invitation_id}/decline", data={"next": "https://evil.example/"})
    assert answer.location == "/my/cohorts"
    assert not _is_member(app, "learner-31")
    _, opened = open_link(client, launch(client, platform, sub="learner-31", roles=(LEARNER,), custom=MODULE))
    assert opened.location == "/courses/core/what-it-is"
    assert not _is_member(app, "learner-31")


def test_a_learner_with_a_stand_in_address_may_answer_the_course_cohort_but_not_another(
        client, platform, app, make_user, published_course):
    """The learning system vouches for whom it launched, so an address that receives nothing does
    not stop them joining its course's cohort; any other cohort still needs a proven address."""
    make_user(email="learner-32@hospital.example")  # the address the platform sends is taken
    _, opened = open_link(client, launch(client, platform, sub="learner-32", roles=(LEARNER,), custom=MODULE))
    with app.app_context():
        user = db.session.get(User, db.session.scalar(
            sa.select(LtiAccount.user_id).where(LtiAccount.subject == "learner-32")))
        assert not user.email_verified
        other = Cohort(name="Elsewhere", organisation="", join_code="elsewhere-code-1")
        db.session.add(other)
        db.session.flush()
        db.session.add(Invitation(cohort_id=other.id, email=user.email, name=user.name))
        db.session.commit()
        other_id = other.id
    page = client.get(opened.location).get_data(as_text=True)
    assert "Elsewhere" not in page and "You have been invited to join 1 cohort." in page
    invitation_id = int(page.split("/my/cohorts/invitations/")[1].split("/")[0])
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).cohort_id == _cohort_id(app)
        hidden = db.session.scalar(sa.select(Invitation.id).where(Invitation.cohort_id == other_id))
    refused = client.post(f"/my/cohorts/invitations/{hidden}/accept", follow_redirects=True)
    assert "Confirm your email address first" in refused.get_data(as_text=True)
    client.post(f"/my/cohorts/invitations/{invitation_id}/accept")
    assert _is_member(app, "learner-32")


def test_the_roster_of_a_platform_that_is_down_changes_nothing(client, platform, app, published_course):
    _, opened = open_link(client, launch(client, platform, sub="teacher-4", roles=(INSTRUCTOR,)))
    with app.app_context():
        lti_platform = db.session.scalar(sa.select(lti.LtiPlatform))
        lti_platform.token_url = "http://127.0.0.1:9/token"
        db.session.commit()
    before = counts(app)
    page = client.post(opened.location + "/roster", follow_redirects=True).get_data(as_text=True)
    assert "The LMS did not answer" in page
    assert counts(app) == before


def test_someone_elses_context_is_refused(client, platform, app, make_user, published_course):
    from tests.conftest import login as sign_in_with_password

    launch(client, platform, sub="teacher-5", roles=(INSTRUCTOR,))
    with app.app_context():
        context_id = db.session.scalar(sa.select(LtiContext.id))
    other = make_user(roles=("trainer",))
    sign_in_with_password(client, other)
    assert client.get(f"/lti/courses/{context_id}").status_code == 404
    assert client.post(f"/lti/courses/{context_id}/roster").status_code == 404
    assert client.get("/lti/courses/999999").status_code == 404


# --- bad launches -------------------------------------------------------------------------------------

def _forge(client, platform, **overrides):
    fields = login(client, platform, platform.prepare(**overrides.pop("prepared", {})))
    return fields


def test_each_bad_launch_is_refused_logged_without_secrets_and_changes_nothing(client, platform, app, caplog,
                                                                               published_course):
    from joserfc import jwk

    other_key = jwk.RSAKey.generate_key(2048, parameters={"kid": "platform-key-1"}, private=True)
    cases = {}
    # a token signed with a key that is not the platform's (same kid, as a forger would)
    fields = login(client, platform, platform.prepare(sub="forged-1"))
    claims = _claims_of(fields["id_token"])
    cases["signature"] = {**fields, "id_token": platform.sign(claims, other_key)}
    for reason, change in (("claim-aud", {"aud": "someone-else"}), ("expired", {"exp": int(time.time()) - 3600}),
                           ("deployment", {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "other"}),
                           ("claim-nonce", {"nonce": "not-the-one"}),
                           ("version", {"https://purl.imsglobal.org/spec/lti/claim/version": "1.1"}),
                           ("message-type", {"https://purl.imsglobal.org/spec/lti/claim/message_type": "Other"})):
        fields = login(client, platform, platform.prepare(sub="forged-2"))
        cases[reason] = {**fields, "id_token": platform.sign({**_claims_of(fields["id_token"]), **change})}
    cases["state"] = {"id_token": login(client, platform, platform.prepare(sub="forged-3"))["id_token"]}
    before = counts(app)
    caplog.set_level(logging.WARNING, logger="trainer.lti.views")
    for reason, data in cases.items():
        caplog.clear()
        response = client.post("/lti/launch", data=data)
        assert response.status_code == 400, reason
        assert "The launch from your learning system was refused" in response.get_data(as_text=True)
        assert f"refused: {reason}" in caplog.text
        for secret in (data["id_token"], "forged", "hospital.example"):
            assert secret not in caplog.text
    assert counts(app) == before
    assert client.get("/learning").status_code == 302  # nobody was signed in


def _claims_of(token: str) -> dict:
    import base64
    import json

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_replayed_launch_is_refused(client, platform, app, published_course):
    fields = login(client, platform, platform.prepare(sub="learner-30", custom=MODULE))
    assert client.post("/lti/launch", data=fields).status_code == 200
    before = counts(app)
    replay = client.post("/lti/launch", data=fields)
    assert replay.status_code == 400 and "expired or was already used" in replay.get_data(as_text=True)
    assert counts(app) == before


def test_a_state_past_its_lifetime_is_refused(client, platform, app):
    fields = login(client, platform, platform.prepare())
    with app.app_context():
        state = db.session.scalar(sa.select(LtiState))
        state.created_at = state.created_at.replace(year=2000)
        db.session.commit()
    assert client.post("/lti/launch", data=fields).status_code == 400


@pytest.mark.parametrize("change", [{"iss": "https://unknown.example"}, {"client_id": "nobody"},
                                    {"lti_deployment_id": "other"}, {"login_hint": ""}])
def test_a_login_from_an_unknown_platform_or_deployment_is_refused(client, platform, app, change):
    params = {**platform.login_params(platform.prepare()), **change}
    response = client.post("/lti/login", data=params)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiState)) == 0


def test_with_no_platform_registered_nothing_launches(client, app):
    assert client.post("/lti/login", data={"iss": "https://lms.example", "login_hint": "x",
                                           "target_link_uri": "https://x"}).status_code == 400
    assert client.post("/lti/launch", data={"id_token": "x", "state": "y"}).status_code == 400
    assert client.get("/lti/jwks").get_json() == {"keys": []}


def test_a_platform_whose_keys_cannot_be_read_is_a_clear_refusal(client, platform, app):
    fields = login(client, platform, platform.prepare())
    with app.app_context():
        db.session.scalar(sa.select(lti.LtiPlatform)).jwks_url = "http://127.0.0.1:9/jwks"
        db.session.commit()
    response = client.post("/lti/launch", data=fields)
    assert response.status_code == 502 and "could not be reached" in response.get_data(as_text=True)


def test_an_open_link_that_is_unknown_or_old_is_refused(client, platform, app, published_course):
    assert client.get("/lti/open/nothing").status_code == 404
    response = launch(client, platform, custom=MODULE)
    with app.app_context():
        row = db.session.scalar(sa.select(LtiHandoff))
        row.created_at = row.created_at.replace(year=2000)
        db.session.commit()
    _, opened = open_link(client, response)
    assert opened.status_code == 404


def test_states_and_links_past_their_lifetime_are_swept_by_later_launches(client, platform, app, published_course):
    login(client, platform, platform.prepare())
    launch(client, platform, custom=MODULE)  # leaves a link never opened
    with app.app_context():
        for model in (LtiState, LtiHandoff):
            for row in db.session.scalars(sa.select(model)):
                row.created_at = row.created_at.replace(year=2000)
        db.session.commit()
    launch(client, platform, custom=MODULE)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiState)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiHandoff)) == 1


def test_an_account_with_two_factor_sign_in_still_gives_its_code_after_a_launch(client, platform, app,
                                                                               published_course):
    import pyotp

    from trainer.services import two_factor

    launch(client, platform, sub="teacher-9", roles=(INSTRUCTOR,), custom=MODULE)
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.get(User, db.session.scalar(sa.select(LtiAccount.user_id)))
        two_factor.enable(user, secret, pyotp.TOTP(secret).now())
        db.session.commit()
    client.post("/logout")
    _, opened = open_link(client, launch(client, platform, sub="teacher-9", roles=(INSTRUCTOR,), custom=MODULE))
    assert opened.location == "/login/code"
    assert client.get("/courses/core/what-it-is").status_code == 302  # not signed in yet
    answer = client.post("/login/code", data={"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert answer.status_code == 302 and answer.location == "/courses/core/what-it-is"


def test_the_data_download_names_the_learning_systems_and_deleting_the_account_forgets_them(
        client, platform, app, published_course):
    from tests.conftest import PASSWORD
    from trainer.services import accounts, privacy

    launch(client, platform, sub="learner-40", custom=MODULE)
    with app.app_context():
        user = db.session.get(User, db.session.scalar(sa.select(LtiAccount.user_id)))
        accounts._set_password(user, PASSWORD)  # as a password reset mailed to the address would
        data = privacy.export(user, PASSWORD)["learning_systems"]
        assert data[0]["platform"] == "Harness Hospital" and data[0]["your_id_there"] == "learner-40"
        assert data[0]["grades_go_to"][0]["module"] == "what-it-is"
        privacy.delete_account(user, PASSWORD)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiAccount)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LtiLineItem)) == 0
    assert launch(client, platform, sub="learner-40", custom=MODULE).status_code == 200  # a new account


def test_the_page_it_launched_from_may_frame_the_answer_and_nobody_else(client, platform, app, published_course):
    presentation = {"return_url": "https://hospital.example/courses/1?done=1", "document_target": "iframe"}
    response = launch(client, platform, custom=MODULE,
                      **{"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": presentation})
    csp = response.headers["Content-Security-Policy"]
    assert csp.endswith(f"frame-ancestors {platform.base} https://hospital.example")
    refused = client.post("/lti/launch", data={"id_token": "x", "state": "spent"})
    assert refused.headers["Content-Security-Policy"].endswith(f"frame-ancestors {platform.base}")
    assert "frame-ancestors 'none'" in client.get("/lti/jwks").headers["Content-Security-Policy"]


def test_logins_are_limited_per_address(client, platform, app, monkeypatch):
    monkeypatch.setitem(app.config, "LTI_LIMIT_PER_ADDRESS", "2 per minute")
    params = platform.login_params(platform.prepare())
    assert [client.post("/lti/login", data=params).status_code for _ in range(3)] == [302, 302, 429]


def test_a_switched_off_account_is_refused_and_its_launch_stays_spent(client, platform, app, published_course):
    launch(client, platform, sub="learner-50", custom=MODULE)
    with app.app_context():
        db.session.get(User, db.session.scalar(sa.select(LtiAccount.user_id))).active = False
        db.session.commit()
    before = counts(app)
    fields = login(client, platform, platform.prepare(sub="learner-50", custom=MODULE))
    response = client.post("/lti/launch", data=fields)
    assert response.status_code == 403 and "switched off" in response.get_data(as_text=True)
    assert client.post("/lti/launch", data=fields).status_code == 400  # spent
    assert counts(app) == before


def test_a_subject_longer_than_the_spec_allows_is_refused(client, platform, app):
    before = counts(app)
    assert launch(client, platform, sub="x" * 256).status_code == 400
    assert counts(app) == before


def test_a_completed_course_sends_its_grade_to_the_course_link(client, platform, app, published_course):
    launch(client, platform, sub="learner-60", custom={"course": "core"})
    with app.app_context():
        user = db.session.get(User, db.session.scalar(sa.select(LtiAccount.user_id)))
        course, version = catalogue.latest_published("core", with_modules=True)[0]
        slugs = [m.slug for m in version.modules]
        for slug in slugs[:-1]:
            progress.complete_module(user, course, version, slug, 0.9)
        db.session.commit()
    job_worker.wait_all(60)
    assert platform.score_list() == []  # a module's grade goes only to a link to that module
    with app.app_context():
        user = db.session.get(User, user.id)
        course, version = catalogue.latest_published("core", with_modules=True)[0]
        progress.complete_module(user, course, version, slugs[-1], 0.9)
        db.session.commit()
    job_worker.wait_all(60)
    assert [(s["userId"], s["scoreGiven"]) for s in platform.score_list()] == [("learner-60", 100)]


def test_the_course_cohort_is_held_by_the_organisation_of_an_instructor_who_teaches_it(
        client, platform, app, published_course, make_user):
    """As a cohort one of an organisation's people makes is its own, so is the cohort of the course
    they teach on the platform; a cohort another organisation holds already stays with it."""
    from trainer.models import Organisation, OrganisationCohort
    from trainer.services import organisations

    admin_id = make_user(roles=("admin",)).id

    def move_teacher_to(name: str) -> int:
        with app.app_context():
            admin = db.session.get(User, admin_id)
            teacher = db.session.get(User, db.session.scalar(sa.select(LtiAccount.user_id)))
            if teacher.membership is not None:
                organisations.remove_member(admin, teacher.membership.organisation, teacher.id)
            found = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
            found = found or organisations.create(admin, organisations.Details(name=name, country="", locale=""))
            organisations.add_member(admin, found, teacher.email)
            db.session.commit()
            return found.id

    def holder(cohort_id: int) -> int | None:
        with app.app_context():
            held = db.session.get(OrganisationCohort, cohort_id)
            return held.organisation_id if held else None

    launch(client, platform, sub="teacher-80", roles=(INSTRUCTOR,))
    with app.app_context():
        cohort_id = db.session.scalar(sa.select(LtiContext.cohort_id))
    assert holder(cohort_id) is None  # its instructor belongs to no organisation yet
    college = move_teacher_to("Police Training College")
    launch(client, platform, sub="teacher-80", roles=(INSTRUCTOR,))
    assert holder(cohort_id) == college
    move_teacher_to("County Health")
    launch(client, platform, sub="teacher-80", roles=(INSTRUCTOR,))
    assert holder(cohort_id) == college


def test_an_instructor_whose_address_is_not_vouched_for_is_not_made_a_trainer(client, platform, app, make_user,
                                                                               published_course):
    make_user(email="teacher-70@hospital.example")  # the address is someone else's here
    _, opened = open_link(client, launch(client, platform, sub="teacher-70", roles=(INSTRUCTOR,)))
    assert opened.location == "/courses"
    with app.app_context():
        user = db.session.get(User, db.session.scalar(sa.select(LtiAccount.user_id)))
        assert not user.has_role("trainer") and not user.email_verified
