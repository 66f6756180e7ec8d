"""Every route, every method, every role: the expected answer.

A new route fails `test_every_route_has_a_row` until it is added here, so nobody can add a
page without deciding who may see it.
"""
from __future__ import annotations

import pytest

from tests.conftest import login

# "trainer" trains another cohort; "cohort_trainer" trains the cohort the routes are tried on.
ROLES = ("anonymous", "learner", "trainer", "cohort_trainer", "admin")
LOGIN = "login"  # redirected to the sign-in page
OK, REDIRECT, FORBIDDEN, BAD, MISSING = 200, 302, 403, 400, 404
EVERYONE_MISSING = dict(anonymous=MISSING, learner=MISSING, trainer=MISSING, admin=MISSING)

# (method, rule, {role: expected status})
MATRIX = [
    ("GET", "/", dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/support", dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/privacy", dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/quick-exit", dict(anonymous=200, learner=200, trainer=200, admin=200)),
    ("GET", "/healthz", dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/static/<path:filename>", dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/register", dict(anonymous=OK, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("POST", "/register", dict(anonymous=OK, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    # Without a registration in this session there is nothing to show: back to the form.
    ("GET", "/register/sent", dict(anonymous=REDIRECT, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("GET", "/email/confirm/<token>", dict(anonymous=BAD, learner=BAD, trainer=BAD, admin=BAD)),
    ("POST", "/email/confirm/send", dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("GET", "/login", dict(anonymous=OK, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("POST", "/login", dict(anonymous=OK, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("POST", "/logout", dict(anonymous=REDIRECT, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("GET", "/profile", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("POST", "/profile", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/login/code", dict(anonymous=REDIRECT, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("POST", "/login/code", dict(anonymous=REDIRECT, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("GET", "/profile/two-factor", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("POST", "/profile/two-factor", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("POST", "/profile/two-factor/disable", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    ("POST", "/profile/two-factor/recovery-codes", dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("GET", "/profile/data", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/profile/data.json", dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("POST", "/profile/data.json", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    ("POST", "/profile/delete", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    ("GET", "/password", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("POST", "/password", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("POST", "/sessions/end-others", dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("GET", "/password/forgot", dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)),
    ("POST", "/password/forgot", dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/password/reset/<token>", dict(anonymous=BAD, learner=BAD, trainer=BAD, admin=BAD)),
    ("POST", "/password/reset/<token>", dict(anonymous=BAD, learner=BAD, trainer=BAD, admin=BAD)),
    ("POST", "/language", dict(anonymous=REDIRECT, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("GET", "/admin/users", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("GET", "/admin/users/<int:user_id>", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("POST", "/admin/users/<int:user_id>/roles", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=REDIRECT)),
    ("POST", "/admin/users/<int:user_id>/active", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=REDIRECT)),
    ("POST", "/admin/users/<int:user_id>/two-factor-reset", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=REDIRECT)),
    ("GET", "/admin/audit", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    # Learning: every signed-in person; the course is the published example course.
    ("GET", "/learning", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/break", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    # The transcript: always the signed-in person's own (no id in the route).
    ("GET", "/learning/transcript", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/learning/transcript.pdf", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/learning/transcript.csv", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/courses", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/courses/<slug>", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("POST", "/courses/<slug>/recertify", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    ("POST", "/courses/<slug>/enrol", dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("GET", "/courses/<slug>/<module_slug>", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/courses/<slug>/<module_slug>/print", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("POST", "/courses/<slug>/<module_slug>/sections/<section_id>", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    ("POST", "/courses/<slug>/<module_slug>/reached", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    ("POST", "/courses/<slug>/<module_slug>/complete", dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("POST", "/courses/<slug>/<module_slug>/quiz", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)),
    ("GET", "/courses/<slug>/<module_slug>/attempts/<int:attempt_id>", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)),
    ("POST", "/courses/<slug>/<module_slug>/runs", dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("GET", "/courses/<slug>/<module_slug>/runs/<int:run_id>", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)),
    ("POST", "/courses/<slug>/<module_slug>/runs/<int:run_id>", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)),
    ("GET", "/media/<sha256>", EVERYONE_MISSING),
    ("GET", "/wellbeing", dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)),
    ("POST", "/wellbeing", dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    ("GET", "/wellbeing/<int:check_id>", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)),
    ("POST", "/wellbeing/<int:check_id>/delete", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)),
    ("POST", "/wellbeing/delete-all", dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    # Authoring: administrators only.
    ("GET", "/authoring/courses", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("POST", "/authoring/courses", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=BAD)),
    ("GET", "/authoring/courses/<slug>", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("GET", "/authoring/courses/<slug>/files/<path:path>", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("POST", "/authoring/courses/<slug>/files/<path:path>", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("POST", "/authoring/courses/<slug>/preview/<path:path>", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("POST", "/authoring/courses/<slug>/modules", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=REDIRECT)),
    ("POST", "/authoring/courses/<slug>/images", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=REDIRECT)),
    ("POST", "/authoring/courses/<slug>/gift", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=REDIRECT)),
    ("POST", "/authoring/courses/<slug>/publish", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=REDIRECT)),
    ("POST", "/authoring/courses/<slug>/discard", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=REDIRECT)),
    ("GET", "/authoring/courses/<slug>/versions", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("GET", "/authoring/courses/<slug>/versions/<int:number>/export", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("POST", "/authoring/import", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=REDIRECT)),
    # Cohorts: their own trainers and administrators; other trainers get "not found".
    ("GET", "/cohorts", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=OK, cohort_trainer=OK, admin=OK)),
    ("POST", "/cohorts", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=BAD, cohort_trainer=BAD, admin=BAD)),
    *[(method, rule, dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=MISSING, cohort_trainer=ok, admin=ok))
      for method, rule, ok in [
          ("GET", "/cohorts/<int:cohort_id>", OK),
          ("GET", "/cohorts/<int:cohort_id>/export.csv", OK),
          ("POST", "/cohorts/<int:cohort_id>/edit", REDIRECT),
          ("POST", "/cohorts/<int:cohort_id>/archive", REDIRECT),
          ("POST", "/cohorts/<int:cohort_id>/joining", REDIRECT),
          ("POST", "/cohorts/<int:cohort_id>/trainers", REDIRECT),
          ("POST", "/cohorts/<int:cohort_id>/trainers/<int:trainer_id>/remove", REDIRECT),  # owner only
          ("POST", "/cohorts/<int:cohort_id>/roster", REDIRECT),
          ("GET", "/cohorts/<int:cohort_id>/members/<int:user_id>/remove", OK),
          ("POST", "/cohorts/<int:cohort_id>/members/<int:user_id>/remove", REDIRECT),
          ("POST", "/cohorts/<int:cohort_id>/members/restore", REDIRECT),  # nothing to undo: said so
          ("POST", "/cohorts/<int:cohort_id>/invitations/<int:invitation_id>/resend", REDIRECT),  # too soon: said so
          ("POST", "/cohorts/<int:cohort_id>/invitations/<int:invitation_id>/withdraw", REDIRECT),
          ("GET", "/cohorts/<int:cohort_id>/records.csv", OK),
          ("POST", "/cohorts/<int:cohort_id>/assignments", REDIRECT),
          ("POST", "/cohorts/<int:cohort_id>/assignments/<int:assignment_id>/delete", REDIRECT),
          ("GET", "/cohorts/<int:cohort_id>/learners/<int:user_id>", OK),
          ("GET", "/cohorts/<int:cohort_id>/analysis", OK),
          ("GET", "/cohorts/<int:cohort_id>/reminders", OK),
          ("POST", "/cohorts/<int:cohort_id>/reminders", REDIRECT),
      ]],
    # Reports across cohorts: each trainer's own cohorts, every cohort for administrators.
    ("GET", "/reports", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=OK, cohort_trainer=OK, admin=OK)),
    ("GET", "/reports/report.csv", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=OK, cohort_trainer=OK, admin=OK)),
    ("GET", "/reports/report.pdf", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=OK, cohort_trainer=OK, admin=OK)),
    ("GET", "/join/<code>", dict(anonymous=LOGIN, learner=OK, trainer=OK, cohort_trainer=OK, admin=OK)),
    ("POST", "/join/<code>", dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, cohort_trainer=REDIRECT, admin=REDIRECT)),
    # A learner's own cohorts: the invitation is to another address and the membership another
    # person's, so everyone gets "not found".
    ("GET", "/my/cohorts", dict(anonymous=LOGIN, learner=OK, trainer=OK, cohort_trainer=OK, admin=OK)),
    ("POST", "/my/cohorts/invitations/<int:invitation_id>/accept", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, cohort_trainer=MISSING, admin=MISSING)),
    ("POST", "/my/cohorts/invitations/<int:invitation_id>/decline", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, cohort_trainer=MISSING, admin=MISSING)),
    ("GET", "/my/cohorts/<int:cohort_id>/leave", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, cohort_trainer=MISSING, admin=MISSING)),
    ("POST", "/my/cohorts/<int:cohort_id>/leave", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, cohort_trainer=MISSING, admin=MISSING)),
    # Certificates: downloads for their owner (none here), the public check, admin revocation.
    ("GET", "/certificates/<int:certificate_id>.pdf", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)),
    ("GET", "/verify", dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/verify/<code>", EVERYONE_MISSING),
    ("GET", "/badges/issuer.json", dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/badges/courses/<slug>.json", dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)),
    ("GET", "/badges/assertions/<code>.json", EVERYONE_MISSING),
    ("GET", "/admin/certificates", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("POST", "/admin/certificates/<int:certificate_id>/revoke", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)),
    ("POST", "/admin/certificates/<int:certificate_id>/name", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)),
    ("POST", "/admin/certificates/<int:certificate_id>/reissue", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)),
    ("GET", "/cohorts/<int:cohort_id>/certificates.zip", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, cohort_trainer=OK, admin=OK)),
    ("GET", "/cohorts/<int:cohort_id>/certificates.csv", dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, cohort_trainer=OK, admin=OK)),
    ("GET", "/authoring/referrals", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("GET", "/authoring/referrals/new", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("POST", "/authoring/referrals/new", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=OK)),
    ("GET", "/authoring/referrals/<int:referral_id>", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=MISSING)),
    ("POST", "/authoring/referrals/<int:referral_id>", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=MISSING)),
    ("GET", "/authoring/referrals/<int:referral_id>/delete", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=MISSING)),
    ("POST", "/authoring/referrals/<int:referral_id>/delete", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=MISSING)),
    # A missing or forged undo token: nothing to restore.
    ("POST", "/authoring/referrals/restore", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=MISSING)),
    ("POST", "/authoring/referrals/<int:referral_id>/checked", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN, admin=MISSING)),
]

# Values for the placeholders; the module depends on what the route expects.
MODULE_FOR = {"/quiz": "indicators-quiz", "/attempts": "indicators-quiz", "/runs": "ed-night-shift"}


def _concrete(rule: str, target_id: int, cohort=None) -> str:
    module = next((m for key, m in MODULE_FOR.items() if key in rule), "what-it-is")
    replacements = {
        "<path:filename>": "css/app.css", "<token>": "forged-token", "<int:user_id>": str(target_id),
        "<slug>": "core", "<module_slug>": module, "<section_id>": "sexual-exploitation",
        "<int:attempt_id>": "999999", "<int:run_id>": "999999", "<sha256>": "0" * 64,
        "<path:path>": "course.md", "<int:number>": "1", "<int:referral_id>": "999999", "<int:check_id>": "999999",
        "<int:cohort_id>": str(cohort.id) if cohort else "999999", "<int:certificate_id>": "999999",
        "<int:assignment_id>": str(cohort.assignment_id) if cohort else "999999",
        "<int:trainer_id>": str(cohort.co_trainer_id) if cohort else "999999",
        "<int:invitation_id>": str(cohort.invitation_id) if cohort else "999999",
    }
    if rule.startswith("/join/"):
        replacements["<code>"] = cohort.code if cohort else "x"
    replacements.setdefault("<code>", "NOSUCHCERTIFICATECODE")
    for placeholder, value in replacements.items():
        rule = rule.replace(placeholder, value)
    return rule


def _cohort(app, owner_id: int, member_id: int):
    """A cohort owned by `owner`, with a co-trainer, `member` in it, an invitation to another
    address, one assignment and joining on."""
    from types import SimpleNamespace
    from datetime import date

    from trainer.extensions import db
    from trainer.models import Assignment, Cohort, CohortMember, CohortTrainer, Course, Invitation, User

    with app.app_context():
        course = db.session.scalar(db.select(Course))
        co_trainer = User(email="co-trainer@example.org", password_hash="-", name="Co Trainer", sector="police")
        db.session.add(co_trainer)
        db.session.flush()
        cohort = Cohort(name="Night shift residents", join_code="matrix-code", join_enabled=True,
                        trainers=[CohortTrainer(user_id=owner_id, owner=True), CohortTrainer(user_id=co_trainer.id)])
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=member_id))
        assignment = Assignment(cohort_id=cohort.id, course_id=course.id, due_on=date(2030, 1, 1))
        invitation = Invitation(cohort_id=cohort.id, email="invited@example.org", name="Invited Person")
        db.session.add_all([assignment, invitation])
        db.session.commit()
        return SimpleNamespace(id=cohort.id, code=cohort.join_code, assignment_id=assignment.id,
                               co_trainer_id=co_trainer.id, invitation_id=invitation.id)


def test_every_route_has_a_row(app):
    routed = {(method, rule.rule) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(method, rule) for method, rule, _ in MATRIX}
    assert routed - listed == set(), "routes without a row in the authorisation matrix"
    assert listed - routed == set(), "rows for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, rule, expected", MATRIX, ids=[f"{m} {r}" for m, r, _ in MATRIX])
def test_route_answers_each_role(app, client, make_user, published_course, role, method, rule, expected):
    target = make_user(email="target@example.org")
    owner = make_user(email="owner@example.org", roles=("trainer",))
    cohort = _cohort(app, owner.id, target.id)
    if role == "cohort_trainer":
        assert login(client, owner).status_code == 302
    elif role != "anonymous":
        assert login(client, make_user(roles=(role,))).status_code == 302
    response = client.open(_concrete(rule, target.id, cohort), method=method, data={})
    expected = {**expected, "cohort_trainer": expected.get("cohort_trainer", expected["trainer"])}
    if expected[role] == LOGIN:
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    else:
        assert response.status_code == expected[role]
