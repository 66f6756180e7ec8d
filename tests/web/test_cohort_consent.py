"""Consent to join a cohort: a list only invites; the person sees who the trainers are and what
they would see, and accepts or declines with a confirmed address; nothing of their learning
reaches a trainer before they accept; they can leave. And the owner removes co-trainers."""
from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from tests.conftest import login
from tests.support.journeys import assign_past_due, complete_example_course
from trainer.extensions import db
from trainer.models import AuditEvent, CohortMember, CohortTrainer, Invitation, User

TODAY = date.today()
UNVERIFIED = "Confirm your email address first: we sent you a link"


def _create(client, name="Night shift 2026"):
    response = client.post("/cohorts", data={"name": name, "organisation": "St Mary's Hospital"})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _invite(client, cohort_id, *people: tuple[str, str]):
    rows = "name,email\n" + "".join(f"{name},{email}\n" for name, email in people)
    return client.post(f"/cohorts/{cohort_id}/roster", data={"roster": (io.BytesIO(rows.encode()), "list.csv")})


def _signed_in(app, account):
    other = app.test_client()
    login(other, account)
    return other


def _invitation_id(app, email):
    with app.app_context():
        return db.session.scalar(sa.select(Invitation.id).where(Invitation.email == email))


def _actions(app):
    with app.app_context():
        return [(e.action, e.actor_id, e.target, e.details)
                for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]


def test_nothing_of_an_invited_learner_reaches_the_trainer_before_they_accept(app, client, trainer, make_user):
    from trainer.models import Cohort
    from trainer.services import reminders

    ana, bram = make_user(name="Ana Ortiz", email="ana@example.org"), make_user(name="Bram Idle")
    cohort_id = _create(client)
    assign_past_due(app, client, cohort_id, TODAY - timedelta(days=1), course="core")
    ana_client, bram_client = _signed_in(app, ana), _signed_in(app, bram)
    complete_example_course(ana_client)  # a record worth protecting: attempts, endings, a certificate
    _invite(client, cohort_id, ("Ana Ortiz", ana.email), ("Bram Idle", bram.email))

    def trainer_sees():
        board = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True).split('id="members"')[0]
        with app.app_context():
            due = reminders.overdue(db.session.get(User, trainer.id), db.session.get(Cohort, cohort_id))
        return {
            "dashboard": "Ana Ortiz" in board and "Bram Idle" in board,
            "csv": ana.email in client.get(f"/cohorts/{cohort_id}/export.csv").data.decode("utf-8-sig"),
            "record": client.get(f"/cohorts/{cohort_id}/learners/{ana.id}").status_code == 200,
            "analysis": "<span>1 learner</span>" in client.get(f"/cohorts/{cohort_id}/analysis").get_data(as_text=True),
            "certificates": "Ana Ortiz" in client.get(f"/cohorts/{cohort_id}/certificates.csv").data.decode(
                "utf-8-sig"),
            "reminders": [d.user.id for d in due] == [bram.id],
        }

    assert not any(trainer_sees().values())
    invited = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True).split('id="invited"')[1]
    assert ana.email in invited and bram.email in invited
    for learner, account in ((ana_client, ana), (bram_client, bram)):
        learner.post(f"/my/cohorts/invitations/{_invitation_id(app, account.email)}/accept")
    seen = trainer_sees()
    assert all(seen.values()), seen


def test_the_invitation_shows_the_cohort_its_trainers_and_what_they_would_see(app, client, trainer, make_user):
    ana = make_user(name="Ana Ortiz", email="ana@example.org")
    colleague = make_user(roles=("trainer",), name="Colm Colleague")
    cohort_id = _create(client)
    client.post(f"/cohorts/{cohort_id}/trainers", data={"email": colleague.email})
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()})
    _invite(client, cohort_id, ("Ana Ortiz", "ana@example.org"))
    learner = _signed_in(app, ana)
    for path in ("/", "/learning", "/my/cohorts"):
        page = learner.get(path).get_data(as_text=True)
        assert "Night shift 2026" in page and "St Mary&#39;s Hospital" in page, path
        assert "Colm Colleague, Tamsin Trainer" in page, path
        for told in ("your name and email address, and the sector and specialty", "when you last worked on it",
                     "best quiz score", "every quiz attempt",
                     "scenario endings you reached", "certificates for those courses",
                     "before joining", "never see your wellbeing self-checks",
                     "Courses assigned now: Human trafficking: the shared core"):
            assert told in page, (path, told)
        invitation_id = _invitation_id(app, "ana@example.org")
        assert f'action="/my/cohorts/invitations/{invitation_id}/accept"' in page
        assert f'action="/my/cohorts/invitations/{invitation_id}/decline"' in page
    assert "My cohorts" in learner.get("/profile").get_data(as_text=True)


def test_invitation_mail_to_an_account_asks_to_sign_in_with_a_link_on_the_public_address(
        app, client, trainer, make_user, outbox):
    make_user(email="ana@example.org", locale="nl")
    cohort_id = _create(client)
    old = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = "https://training.example.org"
    try:
        _invite(client, cohort_id, ("Ana Ortiz", "ana@example.org"), ("Chen Li", "chen@example.org"))
    finally:
        app.config["PUBLIC_BASE_URL"] = old
    mails = {m["To"]: m.get_content() for m in outbox()}
    assert "https://training.example.org/my/cohorts" in mails["ana@example.org"]
    assert "Log in om" in mails["ana@example.org"]  # in her own language
    assert "https://training.example.org/register" in mails["chen@example.org"]
    assert "localhost" not in "".join(mails.values())  # never the request's host
    for body in mails.values():
        assert "added" not in body and "join the group straight away" not in body


def test_declined_invitations_are_listed_apart_and_not_sent_again(app, client, trainer, make_user, outbox,
                                                                   count_rows):
    ana = make_user(name="Ana Ortiz", email="ana@example.org")
    cohort_id = _create(client)
    _invite(client, cohort_id, ("Ana Ortiz", "ana@example.org"), ("Chen Li", "chen@example.org"))
    learner = _signed_in(app, ana)
    invitation_id = _invitation_id(app, "ana@example.org")
    response = learner.post(f"/my/cohorts/invitations/{invitation_id}/decline", follow_redirects=True)
    assert "You declined the invitation to Night shift 2026." in response.get_data(as_text=True)
    assert "Night shift 2026" not in learner.get("/learning").get_data(as_text=True)
    assert learner.post(f"/my/cohorts/invitations/{invitation_id}/accept").status_code == 404
    page = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    pending, declined = page.split('id="invited"')[1].split("Declined", 1)
    assert "chen@example.org" in pending and "ana@example.org" not in pending
    assert "ana@example.org" in declined.split("</ul>")[0]
    sent = len(outbox())
    _invite(client, cohort_id, ("Ana Ortiz", "ana@example.org"))
    assert len(outbox()) == sent and count_rows(CohortMember) == 0


def test_only_the_addressee_can_answer(app, client, trainer, make_user, count_rows):
    make_user(email="ana@example.org")
    cohort_id = _create(client)
    _invite(client, cohort_id, ("Ana Ortiz", "ana@example.org"))
    invitation_id = _invitation_id(app, "ana@example.org")
    intruder = _signed_in(app, make_user(name="Mallory"))
    assert intruder.post(f"/my/cohorts/invitations/{invitation_id}/accept").status_code == 404
    assert intruder.post(f"/my/cohorts/invitations/{invitation_id}/decline").status_code == 404
    assert "Night shift 2026" not in intruder.get("/my/cohorts").get_data(as_text=True)
    assert count_rows(CohortMember) == 0


def test_an_unconfirmed_address_cannot_accept_decline_or_join(app, client, trainer, make_user, count_rows):
    unverified = make_user(email="ana@example.org", verified=False)
    cohort_id = _create(client)
    _invite(client, cohort_id, ("Ana Ortiz", "ana@example.org"))
    learner = _signed_in(app, unverified)
    page = learner.get("/my/cohorts").get_data(as_text=True)
    assert UNVERIFIED in page and "invited to join 1 cohort" in page
    assert "Night shift 2026" not in page and "Tamsin Trainer" not in page  # for whoever holds the address
    invitation_id = _invitation_id(app, "ana@example.org")
    for answer in ("accept", "decline"):
        refused = learner.post(f"/my/cohorts/invitations/{invitation_id}/{answer}", follow_redirects=True)
        assert UNVERIFIED in refused.get_data(as_text=True)
    client.post(f"/cohorts/{cohort_id}/joining", data={"enabled": "1", "new_code": "1"})
    join_url = re.search(r"https?://[^/<\s]+(/join/[^<\s]+)", client.get(f"/cohorts/{cohort_id}").get_data(
        as_text=True)).group(1)
    page = learner.get(join_url).get_data(as_text=True)
    assert UNVERIFIED in page and "Join this cohort" not in page
    refused = learner.post(join_url)
    assert refused.status_code == 400 and UNVERIFIED in refused.get_data(as_text=True)
    assert count_rows(CohortMember) == 0
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).state == "pending"
        db.session.get(User, unverified.id).email_verified_at = datetime.now(UTC)
        db.session.commit()
    learner.post(f"/my/cohorts/invitations/{invitation_id}/accept")
    assert count_rows(CohortMember) == 1


def test_someone_who_registers_later_sees_the_invitation_and_accepts(app, client, trainer, count_rows):
    cohort_id = _create(client)
    _invite(client, cohort_id, ("Chen Li", "chen@example.org"))
    newcomer = app.test_client()
    newcomer.post("/register", data=dict(name="Chen Li", email="chen@example.org", password="violet-kettle-harbour-9",
                                         confirm="violet-kettle-harbour-9", sector="police", locale="en",
                                         timezone="Europe/London"))
    newcomer.post("/login", data={"email": "chen@example.org", "password": "violet-kettle-harbour-9"})
    assert UNVERIFIED in newcomer.get("/").get_data(as_text=True)
    assert count_rows(CohortMember) == 0
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "chen@example.org"))
        user.email_verified_at = datetime.now(UTC)
        db.session.commit()
    assert "Night shift 2026" in newcomer.get("/").get_data(as_text=True)
    newcomer.post(f"/my/cohorts/invitations/{_invitation_id(app, 'chen@example.org')}/accept")
    assert count_rows(CohortMember) == 1
    assert "Chen Li" in client.get(f"/cohorts/{cohort_id}").get_data(as_text=True).split('id="members"')[0]


def test_the_join_page_says_what_the_trainers_will_see_before_the_button(app, client, trainer, make_user):
    cohort_id = _create(client)
    client.post(f"/cohorts/{cohort_id}/joining", data={"enabled": "1", "new_code": "1"})
    join_url = re.search(r"https?://[^/<\s]+(/join/[^<\s]+)", client.get(f"/cohorts/{cohort_id}").get_data(
        as_text=True)).group(1)
    learner = _signed_in(app, make_user(email="ana@example.org"))
    page = learner.get(join_url).get_data(as_text=True)
    notice, button = page.index("every quiz attempt"), page.index("Join this cohort</button>")
    assert notice < button and "Tamsin Trainer" in page and "never see your wellbeing self-checks" in page
    assert learner.post(join_url).status_code == 302
    assert ("cohort-joined-by-link", f"cohort {cohort_id}") in [(a, t) for a, _, t, _ in _actions(app)]


def test_a_learner_leaves_after_confirming_and_keeps_their_records(app, client, trainer, make_user, count_rows):
    ana = make_user(name="Ana Ortiz", email="ana@example.org")
    cohort_id = _create(client)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()})
    _invite(client, cohort_id, ("Ana Ortiz", "ana@example.org"))
    learner = _signed_in(app, ana)
    learner.post(f"/my/cohorts/invitations/{_invitation_id(app, 'ana@example.org')}/accept")
    complete_example_course(learner)
    mine = learner.get("/my/cohorts").get_data(as_text=True)
    assert f'href="/my/cohorts/{cohort_id}/leave"' in mine
    confirm = learner.get(f"/my/cohorts/{cohort_id}/leave").get_data(as_text=True)
    assert "Leave the cohort</button>" in confirm and "stay yours" in confirm
    assert count_rows(CohortMember) == 1  # looking is not leaving
    left = learner.post(f"/my/cohorts/{cohort_id}/leave", follow_redirects=True).get_data(as_text=True)
    assert "You left Night shift 2026." in left and "You are not in a cohort." in left
    assert count_rows(CohortMember) == 0
    assert client.get(f"/cohorts/{cohort_id}/learners/{ana.id}").status_code == 404
    assert "ana@example.org" not in client.get(f"/cohorts/{cohort_id}/export.csv").data.decode("utf-8-sig")
    assert "completed on" in learner.get("/learning").get_data(as_text=True)  # her learning stays hers
    assert learner.get(f"/my/cohorts/{cohort_id}/leave").status_code == 404
    actions = [(a, actor, details) for a, actor, _, details in _actions(app)]
    assert ("cohort-left", ana.id, {}) in actions
    assert ("learner-record-refused", trainer.id, {"user": ana.id}) in actions


def test_an_archived_cohort_invites_nobody_to_answer(app, client, trainer, make_user):
    ana = make_user(email="ana@example.org")
    cohort_id = _create(client)
    _invite(client, cohort_id, ("Ana Ortiz", "ana@example.org"))
    client.post(f"/cohorts/{cohort_id}/archive", data={"archived": "1"})
    learner = _signed_in(app, ana)
    assert "Night shift 2026" not in learner.get("/my/cohorts").get_data(as_text=True)
    assert learner.post(f"/my/cohorts/invitations/{_invitation_id(app, 'ana@example.org')}/accept").status_code == 404


def _trainers(app, cohort_id):
    with app.app_context():
        return set(db.session.scalars(sa.select(CohortTrainer.user_id).where(CohortTrainer.cohort_id == cohort_id)))


def test_the_owner_removes_a_co_trainer_and_nobody_else_can(app, client, trainer, make_user):
    cohort_id = _create(client)
    first, second = make_user(roles=("trainer",), name="Colm"), make_user(roles=("trainer",), name="Dana")
    for colleague in (first, second):
        client.post(f"/cohorts/{cohort_id}/trainers", data={"email": colleague.email})
    co_trainer = _signed_in(app, first)
    page = co_trainer.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert f"/trainers/{second.id}/remove" not in page and "Only the trainer who created the cohort" in page
    assert co_trainer.post(f"/cohorts/{cohort_id}/trainers/{second.id}/remove").status_code == 403
    assert co_trainer.post(f"/cohorts/{cohort_id}/trainers/{trainer.id}/remove").status_code == 404
    assert _trainers(app, cohort_id) == {trainer.id, first.id, second.id}

    page = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert f"/trainers/{first.id}/remove" in page and f"/trainers/{trainer.id}/remove" not in page
    client.post(f"/cohorts/{cohort_id}/trainers/{first.id}/remove")
    assert _trainers(app, cohort_id) == {trainer.id, second.id}
    assert co_trainer.get(f"/cohorts/{cohort_id}").status_code == 404  # and it is theirs no more
    admin = _signed_in(app, make_user(roles=("admin",)))
    assert admin.post(f"/cohorts/{cohort_id}/trainers/{trainer.id}/remove").status_code == 404  # the owner stays
    admin.post(f"/cohorts/{cohort_id}/trainers/{second.id}/remove")
    assert _trainers(app, cohort_id) == {trainer.id}
    by_action = {}
    for action, actor, _, details in _actions(app):
        by_action.setdefault(action, []).append((actor, details.get("user")))
    assert by_action["co-trainer-removed"] == [(trainer.id, first.id), (_admin_id(app), second.id)]
    assert by_action["co-trainer-removal-refused"] == [(first.id, second.id)]


def _admin_id(app):
    from trainer.models import UserRole

    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.roles.any(UserRole.role == "admin")))
