"""Every route, every method, every role: the expected answer.

A new route fails `test_every_route_has_a_row` until it is added here, so nobody can add a
page without deciding who may see it.

Each row acts on an object that exists: a route about one person's things (an attempt, a run,
a self-check, a certificate, an invitation, a membership) has a row for the acting person's own
and a row for someone else's, so a check that stopped telling them apart would show.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import pytest

from tests.conftest import login
from tests.support.samples import tiny_png

# "trainer" trains a cohort of their own; "cohort_trainer" owns the cohort the routes are tried on.
# "author" writes courses and keeps the directory, nothing else: on /authoring/ pages it is answered
# as an administrator is (unless a row says otherwise), everywhere else as a learner.
# "org_admin" administers the organisation that holds the cohort and has the target among its
# people; "other_org_admin" administers another organisation. Unless a row says otherwise they are
# answered as an administrator (org_admin) or a trainer of another cohort (other_org_admin) on a
# cohort's pages, the accounts pages and the reports, and as a learner everywhere else.
ROLES = ("anonymous", "learner", "trainer", "cohort_trainer", "author", "admin", "org_admin", "other_org_admin")
LOGIN = "login"  # redirected to the sign-in page
OK, REDIRECT, FORBIDDEN, BAD, MISSING = 200, 302, 403, 400, 404
EVERYONE = dict(anonymous=OK, learner=OK, trainer=OK, admin=OK)
SIGNED_IN_OK = dict(anonymous=LOGIN, learner=OK, trainer=OK, admin=OK)
SIGNED_IN_REDIRECT = dict(anonymous=LOGIN, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)
SIGNED_IN_MISSING = dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=MISSING)
ADMIN_ONLY = dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=FORBIDDEN)

OWN, OTHERS = "own", "others"  # whose object a row acts on


class Row(NamedTuple):
    method: str
    rule: str
    expected: dict[str, int | str]
    whose: str | None = None  # OWN or OTHERS where the route is about one person's things
    data: dict[str, str] | None = None  # the form sent (besides any token the object needs)


def both(method: str, rule: str, own: dict[str, int | str], others: dict[str, int | str],
         data: dict[str, str] | None = None) -> list[Row]:
    """Two rows: the acting person's own object, and someone else's."""
    return [Row(method, rule, own, OWN, data), Row(method, rule, others, OTHERS, data)]


MATRIX: list[Row] = [
    Row("GET", "/", EVERYONE),
    Row("GET", "/support", EVERYONE),
    Row("GET", "/privacy", EVERYONE),
    Row("GET", "/quick-exit", EVERYONE),
    Row("GET", "/healthz", EVERYONE),
    Row("GET", "/static/<path:filename>", EVERYONE),
    Row("GET", "/register", dict(anonymous=OK, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    Row("POST", "/register", dict(anonymous=OK, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    # Without a registration in this session there is nothing to show: back to the form.
    Row("GET", "/register/sent", dict(anonymous=REDIRECT, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    # A forged token is refused alike for everyone.
    Row("GET", "/email/confirm/<token>", dict(anonymous=BAD, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/email/confirm/send", SIGNED_IN_REDIRECT),
    Row("GET", "/login", dict(anonymous=OK, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    Row("POST", "/login", dict(anonymous=OK, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    # No identity provider is configured here: every name is unknown. Signed in, there is nothing to do.
    Row("GET", "/login/sso/<name>", dict(anonymous=MISSING, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    Row("GET", "/login/sso/<name>/callback", dict(anonymous=MISSING, learner=REDIRECT, trainer=REDIRECT,
                                                  admin=REDIRECT)),
    Row("POST", "/logout", dict(anonymous=REDIRECT, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    Row("GET", "/profile", SIGNED_IN_OK),
    Row("POST", "/profile", SIGNED_IN_OK),
    Row("GET", "/login/code", dict(anonymous=REDIRECT, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    Row("POST", "/login/code", dict(anonymous=REDIRECT, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    Row("GET", "/profile/two-factor", SIGNED_IN_OK),
    Row("POST", "/profile/two-factor", SIGNED_IN_OK),
    Row("POST", "/profile/two-factor/disable", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/profile/two-factor/recovery-codes", SIGNED_IN_REDIRECT),
    Row("GET", "/profile/data", SIGNED_IN_OK),
    Row("GET", "/profile/confirm/<name>", SIGNED_IN_MISSING),  # no identity provider configured here
    Row("GET", "/profile/data.json", SIGNED_IN_REDIRECT),
    Row("POST", "/profile/data.json", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/profile/delete", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    Row("GET", "/password", SIGNED_IN_OK),
    Row("POST", "/password", SIGNED_IN_OK),
    Row("POST", "/sessions/end-others", SIGNED_IN_REDIRECT),
    Row("GET", "/password/forgot", EVERYONE),
    Row("POST", "/password/forgot", EVERYONE),
    Row("GET", "/password/reset/<token>", dict(anonymous=BAD, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/password/reset/<token>", dict(anonymous=BAD, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/language", dict(anonymous=REDIRECT, learner=REDIRECT, trainer=REDIRECT, admin=REDIRECT)),
    # Accounts: administrators only; the target is a learner in the cohort.
    Row("GET", "/admin/users", dict(ADMIN_ONLY, admin=OK)),
    Row("GET", "/admin/users/<int:user_id>", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/admin/users/<int:user_id>/roles", dict(ADMIN_ONLY, admin=REDIRECT)),
    Row("POST", "/admin/users/<int:user_id>/active", dict(ADMIN_ONLY, admin=REDIRECT)),
    Row("POST", "/admin/users/<int:user_id>/two-factor-reset", dict(ADMIN_ONLY, admin=REDIRECT)),
    Row("GET", "/admin/audit", dict(ADMIN_ONLY, admin=OK)),
    # Undelivered mail: administrators see it, and send a real dead letter again.
    Row("GET", "/admin/mail", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/admin/mail/<int:mail_id>/resend", dict(ADMIN_ONLY, admin=REDIRECT)),
    # Organisations: the platform's administrators, and each organisation's own for theirs (another
    # is "not found"); only the platform's create one or add people to one.
    Row("GET", "/admin/organisations", dict(ADMIN_ONLY, admin=OK, org_admin=REDIRECT, other_org_admin=REDIRECT)),
    Row("POST", "/admin/organisations", dict(ADMIN_ONLY, admin=BAD, org_admin=FORBIDDEN, other_org_admin=FORBIDDEN)),
    Row("GET", "/admin/organisations/<int:organisation_id>",
        dict(SIGNED_IN_MISSING, admin=OK, org_admin=OK, other_org_admin=MISSING)),
    Row("POST", "/admin/organisations/<int:organisation_id>/edit",
        dict(SIGNED_IN_MISSING, admin=REDIRECT, org_admin=REDIRECT, other_org_admin=MISSING)),
    Row("POST", "/admin/organisations/<int:organisation_id>/members",
        dict(SIGNED_IN_MISSING, admin=BAD, org_admin=FORBIDDEN, other_org_admin=MISSING)),
    *[Row("POST", f"/admin/organisations/<int:organisation_id>/members/<int:user_id>/{action}",
          dict(SIGNED_IN_MISSING, admin=REDIRECT, org_admin=REDIRECT, other_org_admin=MISSING))
      for action in ("admin", "remove")],
    # A job's page and file (a finished zip of the cohort's certificates): only for the person who
    # asked, and the file only while they may still see the cohort's certificates.
    *both("GET", "/jobs/<int:job_id>", own=dict(SIGNED_IN_OK, cohort_trainer=OK),
          others=dict(SIGNED_IN_MISSING, cohort_trainer=MISSING)),
    *both("GET", "/jobs/<int:job_id>/status.json", own=dict(SIGNED_IN_OK, cohort_trainer=OK),
          others=dict(SIGNED_IN_MISSING, cohort_trainer=MISSING)),
    *both("GET", "/jobs/<int:job_id>/download",
          own=dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, cohort_trainer=OK, admin=OK, org_admin=OK),
          others=dict(SIGNED_IN_MISSING, cohort_trainer=MISSING)),
    # Learning: every signed-in person; the course is the published example course.
    Row("GET", "/learning", SIGNED_IN_OK),
    Row("GET", "/break", SIGNED_IN_OK),
    # The transcript: always the signed-in person's own (no id in the route).
    Row("GET", "/learning/transcript", SIGNED_IN_OK),
    Row("GET", "/learning/transcript.pdf", SIGNED_IN_OK),
    Row("GET", "/learning/transcript.csv", SIGNED_IN_OK),
    Row("GET", "/courses", SIGNED_IN_OK),
    Row("GET", "/courses/<slug>", SIGNED_IN_OK),
    # Taking a course again: on the strength of one's own certificate, never another person's.
    *both("POST", "/courses/<slug>/recertify", own=SIGNED_IN_REDIRECT,
          others=dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/courses/<slug>/enrol", SIGNED_IN_REDIRECT),
    Row("GET", "/courses/<slug>/<module_slug>", SIGNED_IN_OK),
    Row("GET", "/courses/<slug>/<module_slug>/print", SIGNED_IN_OK),
    # The example course has no pre-test and nothing before its certificate: back to the course,
    # "not found", or "complete the course first" (the tests of assessments try a course with them).
    Row("GET", "/courses/<slug>/assessment/pre-test", SIGNED_IN_REDIRECT),
    Row("POST", "/courses/<slug>/assessment/pre-test", SIGNED_IN_MISSING),
    Row("GET", "/courses/<slug>/assessment/pre-test/result", SIGNED_IN_MISSING),
    Row("GET", "/courses/<slug>/assessment/finish", SIGNED_IN_REDIRECT),
    Row("POST", "/courses/<slug>/assessment/finish", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/courses/<slug>/<module_slug>/sections/<section_id>",
        dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/courses/<slug>/<module_slug>/reached", dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/courses/<slug>/<module_slug>/complete", SIGNED_IN_REDIRECT),
    # A quiz form is answered with its own token; another person's form is refused (400).
    *both("POST", "/courses/<slug>/<module_slug>/quiz", own=SIGNED_IN_REDIRECT,
          others=dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD)),
    *both("GET", "/courses/<slug>/<module_slug>/attempts/<int:attempt_id>", own=SIGNED_IN_OK,
          others=SIGNED_IN_MISSING),
    Row("POST", "/courses/<slug>/<module_slug>/runs", SIGNED_IN_REDIRECT),
    *both("GET", "/courses/<slug>/<module_slug>/runs/<int:run_id>", own=SIGNED_IN_OK, others=SIGNED_IN_MISSING),
    *both("POST", "/courses/<slug>/<module_slug>/runs/<int:run_id>", own=SIGNED_IN_REDIRECT,
          others=SIGNED_IN_MISSING),
    # Course images are public: the pages that show them are.
    Row("GET", "/media/<sha256>", EVERYONE),
    Row("GET", "/wellbeing", SIGNED_IN_OK),
    Row("POST", "/wellbeing", SIGNED_IN_REDIRECT),
    *both("GET", "/wellbeing/<int:check_id>", own=SIGNED_IN_OK, others=SIGNED_IN_MISSING),
    *both("POST", "/wellbeing/<int:check_id>/delete", own=SIGNED_IN_REDIRECT, others=SIGNED_IN_MISSING),
    Row("POST", "/wellbeing/delete-all", SIGNED_IN_REDIRECT),
    # Authoring: administrators only.
    Row("GET", "/authoring/courses", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/courses", dict(ADMIN_ONLY, admin=BAD)),
    Row("GET", "/authoring/courses/<slug>", dict(ADMIN_ONLY, admin=OK)),
    Row("GET", "/authoring/courses/<slug>/files/<path:path>", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/courses/<slug>/files/<path:path>", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/courses/<slug>/preview/<path:path>", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/courses/<slug>/modules", dict(ADMIN_ONLY, admin=REDIRECT)),
    Row("POST", "/authoring/courses/<slug>/images", dict(ADMIN_ONLY, admin=REDIRECT)),
    Row("POST", "/authoring/courses/<slug>/gift", dict(ADMIN_ONLY, admin=REDIRECT)),
    Row("GET", "/authoring/courses/<slug>/try", dict(ADMIN_ONLY, admin=OK)),
    Row("GET", "/authoring/courses/<slug>/try/<module_id>", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/courses/<slug>/try/<module_id>", dict(ADMIN_ONLY, admin=OK)),
    Row("GET", "/authoring/courses/<slug>/publish", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/courses/<slug>/publish", dict(ADMIN_ONLY, admin=REDIRECT)),
    Row("POST", "/authoring/courses/<slug>/update", dict(ADMIN_ONLY, admin=REDIRECT)),
    Row("GET", "/authoring/courses/<slug>/discard", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/courses/<slug>/discard", dict(ADMIN_ONLY, admin=REDIRECT)),
    Row("GET", "/authoring/courses/<slug>/versions", dict(ADMIN_ONLY, admin=OK)),
    Row("GET", "/authoring/courses/<slug>/versions/<int:number>/export", dict(ADMIN_ONLY, admin=OK)),
    Row("GET", "/authoring/courses/<slug>/evaluations", dict(ADMIN_ONLY, admin=OK, author=FORBIDDEN)),
    Row("POST", "/authoring/import", dict(ADMIN_ONLY, admin=REDIRECT)),
    # Cohorts: their own trainers and administrators; a trainer of another cohort gets "not found".
    Row("GET", "/cohorts", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=OK, cohort_trainer=OK, admin=OK)),
    Row("POST", "/cohorts", dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=BAD, cohort_trainer=BAD, admin=BAD)),
    *[Row(method, rule, dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=MISSING, cohort_trainer=ok, admin=ok))
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
          ("GET", "/cohorts/<int:cohort_id>/gain.csv", OK),
          ("GET", "/cohorts/<int:cohort_id>/reminders", OK),
          ("POST", "/cohorts/<int:cohort_id>/reminders", REDIRECT),
          # Cases played together: no case chosen yet shows the form again; a bad change is said so.
          ("GET", "/cohorts/<int:cohort_id>/cases/new", OK),
          ("POST", "/cohorts/<int:cohort_id>/cases/new", OK),
          ("GET", "/cohorts/<int:cohort_id>/cases/<int:case_id>", OK),
          ("POST", "/cohorts/<int:cohort_id>/cases/<int:case_id>/platform", REDIRECT),
          ("POST", "/cohorts/<int:cohort_id>/cases/<int:case_id>/holders", REDIRECT),
      ]],
    # A case a cohort plays: for the members who hold a role in it (their own), nobody else. An
    # empty form from the player whose turn it is is refused.
    *both("GET", "/my/cases/<int:case_id>", own=dict(SIGNED_IN_OK, cohort_trainer=OK),
          others=dict(SIGNED_IN_MISSING, cohort_trainer=MISSING)),
    *both("POST", "/my/cases/<int:case_id>", own=dict(anonymous=LOGIN, learner=BAD, trainer=BAD, admin=BAD),
          others=dict(SIGNED_IN_MISSING, cohort_trainer=MISSING)),
    # The cohort's certificates: served outside the cohorts area, so a learner is told "not found".
    # The zip is made by a job: asking for it leads to the job's page.
    Row("POST", "/cohorts/<int:cohort_id>/certificates.zip",
        dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, cohort_trainer=REDIRECT, admin=REDIRECT)),
    Row("GET", "/cohorts/<int:cohort_id>/certificates.csv",
        dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, cohort_trainer=OK, admin=OK)),
    # LTI 1.3. The platform's login and launch, the deep linking choice and the one-time link prove
    # themselves with what they carry (nothing here: refused alike for everyone); the key set is
    # public. A platform course's page is its cohort's (the roster call fails: no platform answers).
    Row("GET", "/lti/jwks", EVERYONE),
    Row("GET", "/lti/login", dict(anonymous=BAD, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/lti/login", dict(anonymous=BAD, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/lti/launch", dict(anonymous=BAD, learner=BAD, trainer=BAD, admin=BAD)),
    Row("POST", "/lti/deep-link", dict(anonymous=BAD, learner=BAD, trainer=BAD, admin=BAD)),
    Row("GET", "/lti/open/<token>", dict(anonymous=MISSING, learner=MISSING, trainer=MISSING, admin=MISSING)),
    Row("GET", "/lti/courses", SIGNED_IN_OK),
    Row("GET", "/lti/courses/<int:context_id>",
        dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=MISSING, cohort_trainer=OK, admin=OK)),
    Row("POST", "/lti/courses/<int:context_id>/roster",
        dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=MISSING, cohort_trainer=REDIRECT, admin=REDIRECT)),
    Row("GET", "/lti/platforms", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/lti/platforms", dict(ADMIN_ONLY, admin=BAD)),  # an empty registration
    Row("POST", "/lti/platforms/<int:platform_id>/remove", dict(ADMIN_ONLY, admin=REDIRECT)),
    # Reports across cohorts: each trainer's own cohorts, every cohort for administrators.
    *[Row("GET", rule, dict(anonymous=LOGIN, learner=FORBIDDEN, trainer=OK, cohort_trainer=OK, admin=OK))
      for rule in ("/reports", "/reports/report.csv", "/reports/report.pdf")],
    Row("GET", "/join/<code>", dict(anonymous=LOGIN, learner=OK, trainer=OK, cohort_trainer=OK, admin=OK)),
    Row("POST", "/join/<code>", dict(SIGNED_IN_REDIRECT, cohort_trainer=REDIRECT)),
    # A person's own cohorts: an invitation to their own address, or to another; a membership of
    # their own, or another person's.
    Row("GET", "/my/cohorts", dict(SIGNED_IN_OK, cohort_trainer=OK)),
    *both("POST", "/my/cohorts/invitations/<int:invitation_id>/accept", own=dict(SIGNED_IN_REDIRECT),
          others=dict(SIGNED_IN_MISSING)),
    *both("POST", "/my/cohorts/invitations/<int:invitation_id>/decline", own=dict(SIGNED_IN_REDIRECT),
          others=dict(SIGNED_IN_MISSING)),
    *both("GET", "/my/cohorts/<int:cohort_id>/leave", own=dict(SIGNED_IN_OK), others=dict(SIGNED_IN_MISSING)),
    *both("POST", "/my/cohorts/<int:cohort_id>/leave", own=dict(SIGNED_IN_REDIRECT),
          others=dict(SIGNED_IN_MISSING)),
    # Certificates: a download for its holder and administrators, the public check, and changes
    # by administrators only (a holder is refused on their own certificate; anyone else's is
    # "not found" to them).
    *both("GET", "/certificates/<int:certificate_id>.pdf", own=SIGNED_IN_OK,
          others=dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=OK)),
    Row("GET", "/verify", EVERYONE),
    Row("GET", "/verify/<code>", EVERYONE),
    Row("GET", "/badges/issuer.json", EVERYONE),
    Row("GET", "/badges/courses/<slug>.json", EVERYONE),
    Row("GET", "/badges/assertions/<code>.json", EVERYONE),
    Row("GET", "/admin/certificates", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/admin/certificates/render", dict(ADMIN_ONLY, admin=REDIRECT)),
    *[row for rule, data in [("/admin/certificates/<int:certificate_id>/revoke", {"reason": "Issued in error"}),
                             ("/admin/certificates/<int:certificate_id>/name", {"name": "Ana María Ortiz"}),
                             ("/admin/certificates/<int:certificate_id>/reissue", {})]
      for row in both("POST", rule, own=dict(ADMIN_ONLY, admin=REDIRECT),
                      others=dict(anonymous=LOGIN, learner=MISSING, trainer=MISSING, admin=REDIRECT), data=data)],
    # The referral directory: administrators only.
    Row("GET", "/authoring/referrals", dict(ADMIN_ONLY, admin=OK)),
    Row("GET", "/authoring/referrals/new", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/referrals/new", dict(ADMIN_ONLY, admin=OK)),
    Row("GET", "/authoring/referrals/<int:referral_id>", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/referrals/<int:referral_id>", dict(ADMIN_ONLY, admin=OK)),
    # Deleting asks first (GET), then shows the page that can undo it (POST); a missing or forged
    # undo token restores nothing.
    Row("GET", "/authoring/referrals/<int:referral_id>/delete", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/referrals/<int:referral_id>/delete", dict(ADMIN_ONLY, admin=OK)),
    Row("POST", "/authoring/referrals/restore", dict(ADMIN_ONLY, admin=MISSING)),
    Row("POST", "/authoring/referrals/<int:referral_id>/checked", dict(ADMIN_ONLY, admin=REDIRECT)),
]

# The module each kind of route acts on.
MODULE_FOR = {"/quiz": "indicators-quiz", "/attempts": "indicators-quiz", "/runs": "ed-night-shift"}


@dataclass
class Scene:
    """The objects one test acts on, made as the rule needs them.

    ``target`` is a learner in the cohort; ``actor_id`` the signed-in person (None when
    anonymous: their "own" objects are then the target's, which the sign-in page hides anyway).
    """

    app: Any
    target: Any
    actor_id: int | None
    actor_email: str | None
    cohort: Any
    form: dict[str, str] = field(default_factory=dict)
    organisation_id: int = 0  # the organisation that holds the cohort

    def whose(self, whose: str | None) -> tuple[int, str]:
        if whose == OWN and self.actor_id is not None:
            return self.actor_id, self.actor_email or ""
        return self.target.id, self.target.email

    def _learning(self, module_slug: str):
        from trainer.extensions import db
        from trainer.models import User
        from trainer.services import catalogue

        def load(user_id: int):
            course, version = catalogue.latest_published("core")[0]
            return db.session.get_one(User, user_id), course, version, catalogue.module(version, module_slug)
        return load

    def quiz_token(self, user_id: int) -> str:
        from trainer.extensions import db
        from trainer.services import quizzes

        with self.app.test_request_context():
            user, course, version, module = self._learning("indicators-quiz")(user_id)
            token = quizzes.open_form(user, course, version, module).token
            db.session.commit()
            return token

    def attempt(self, user_id: int) -> int:
        from trainer.extensions import db
        from trainer.services import quizzes

        token = self.quiz_token(user_id)
        with self.app.test_request_context():
            user, course, version, module = self._learning("indicators-quiz")(user_id)
            attempt = quizzes.submit(user, course, version, module, {"token": [token]}, token)
            db.session.commit()
            return attempt.id

    def run(self, user_id: int) -> int:
        from trainer.extensions import db
        from trainer.services import scenarios

        with self.app.test_request_context():
            user, course, version, module = self._learning("ed-night-shift")(user_id)
            run = scenarios.start(user, course, version, module)
            db.session.commit()
            return run.id

    def wellbeing_check(self, user_id: int) -> int:
        from trainer.extensions import db
        from trainer.models import User
        from trainer.services import wellbeing

        with self.app.app_context():
            check = wellbeing.record(db.session.get_one(User, user_id), {}, "")
            db.session.commit()
            return check.id

    def certificate(self, user_id: int) -> tuple[int, str]:
        """A certificate for the example course that expires within the month, so its holder
        may take the course again."""
        from trainer.extensions import db
        from trainer.models import Certificate, User
        from trainer.services import catalogue, certificates

        with self.app.app_context():
            user = db.session.get_one(User, user_id)
            course, version = catalogue.latest_published("core")[0]
            today = datetime.now(UTC).date()
            certificate = Certificate(
                code=certificates.new_code(), user_id=user.id, course_id=course.id,
                completion_key=f"{user.id}:{course.id}:matrix", version_number=version.number, name=user.name,
                course_title=version.title, sector=user.sector, hours=1.0, credit=None,
                completed_on=today - timedelta(days=3 * 365 - 30), expires_on=today + timedelta(days=30))
            db.session.add(certificate)
            db.session.commit()
            return certificate.id, certificate.code

    def invitation(self, email: str) -> int:
        from trainer.extensions import db
        from trainer.models import Invitation

        if email == self.target.email:
            return self.cohort.invitation_id  # to another address than the actor's
        with self.app.app_context():
            invitation = Invitation(cohort_id=self.cohort.id, email=email, name="Invited Person")
            db.session.add(invitation)
            db.session.commit()
            return invitation.id

    def member_of_cohort(self, user_id: int) -> int:
        """The cohort, with ``user_id`` in it (the target is in it already)."""
        from trainer.extensions import db
        from trainer.models import CohortMember

        if user_id != self.target.id:
            with self.app.app_context():
                db.session.add(CohortMember(cohort_id=self.cohort.id, user_id=user_id))
                db.session.commit()
        return self.cohort.id

    def referral(self) -> int:
        from trainer.extensions import db
        from trainer.models import Referral

        with self.app.app_context():
            referral = Referral(country="NL", name="Example support service", description="A test entry.",
                                phone=None, url="https://support.example.org", hours="", languages=["en"],
                                checked=date(2026, 11, 1), source="https://support.example.org", position=0)
            db.session.add(referral)
            db.session.commit()
            return referral.id

    def image(self) -> str:
        from trainer.extensions import db
        from trainer.services import publishing

        with self.app.app_context():
            sha = publishing.store_image(tiny_png())
            db.session.commit()
            return sha

    def job(self, user_id: int) -> int:
        """A finished zip of the cohort's certificates that ``user_id`` asked for."""
        from trainer.extensions import db
        from trainer.models import Job

        with self.app.app_context():
            job = Job(name="certificates.cohort_zip", args={"cohort_id": self.cohort.id}, owner_id=user_id,
                      state="done", done=0, total=0, result=b"PK\x05\x06" + b"\0" * 18,
                      result_name="cohort-certificates.zip", result_type="application/zip")
            db.session.add(job)
            db.session.commit()
            return job.id

    def dead_letter(self) -> int:
        from trainer.extensions import db
        from trainer.models import PendingMail

        with self.app.app_context():
            item = PendingMail(recipient="invited@example.org", subject="Invitation", body="Body", attempts=11,
                               state="dead", last_error="SMTPRecipientsRefused (1 refused)")
            db.session.add(item)
            db.session.commit()
            return item.id

    def cohort_case(self, user_id: int) -> int:
        """A case the cohort plays, in which ``user_id`` (made a member) plays the first chapter."""
        import tempfile
        from pathlib import Path

        from tests.support.case_sample import write_course
        from trainer.extensions import db
        from trainer.models import CohortCase, CohortCaseRole, Course
        from trainer.services import publishing

        self.member_of_cohort(user_id)
        with self.app.app_context(), tempfile.TemporaryDirectory() as tmp:
            assert publishing.import_path(write_course(Path(tmp))).ok
            db.session.flush()
            course = db.session.scalar(db.select(Course).where(Course.slug == "wrap"))
            case = CohortCase(cohort_id=self.cohort.id, course_id=course.id, module="case-small", version_number=1,
                              current_node="bus-stop", path=[], facts=[], handoffs={},
                              roles=[CohortCaseRole(user_id=user_id, chapter="community")])
            db.session.add(case)
            db.session.commit()
            return case.id

    def lti_context(self) -> tuple[int, int]:
        """A platform (that answers nothing) and one of its courses, standing for the cohort."""
        from trainer.extensions import db
        from trainer.models import LtiContext, LtiPlatform

        with self.app.app_context():
            platform = LtiPlatform(name="Closed LMS", sector="health", issuer="https://lms.invalid", client_id="c",
                                   deployment_ids=["d"], auth_url="http://127.0.0.1:9/auth",
                                   token_url="http://127.0.0.1:9/token", jwks_url="http://127.0.0.1:9/jwks")
            db.session.add(platform)
            db.session.flush()
            context = LtiContext(platform_id=platform.id, context_id="course-1", title="Course",
                                 cohort_id=self.cohort.id, memberships_url="http://127.0.0.1:9/memberships")
            db.session.add(context)
            db.session.commit()
            return platform.id, context.id

    def concrete(self, row: Row) -> str:
        """The row's rule with each placeholder filled by a real object."""
        rule = row.rule
        user_id, email = self.whose(row.whose)
        module = next((m for key, m in MODULE_FOR.items() if key in rule), "what-it-is")
        makers = {
            "<path:filename>": lambda: "css/app.css",
            "<token>": lambda: "forged-token",
            "<name>": lambda: "hospital",
            "<int:user_id>": lambda: str(self.target.id),
            "<slug>": lambda: "core",
            "<module_slug>": lambda: module,
            "<module_id>": lambda: "indicators-quiz",
            "<section_id>": lambda: "sexual-exploitation",
            "<int:attempt_id>": lambda: str(self.attempt(user_id)),
            "<int:run_id>": lambda: str(self.run(user_id)),
            "<sha256>": self.image,
            "<path:path>": lambda: "course.md",
            "<int:number>": lambda: "1",
            "<int:referral_id>": lambda: str(self.referral()),
            "<int:check_id>": lambda: str(self.wellbeing_check(user_id)),
            "<int:cohort_id>": lambda: str(self.member_of_cohort(user_id) if rule.startswith("/my/")
                                           else self.cohort.id),
            "<int:certificate_id>": lambda: str(self.certificate(user_id)[0]),
            "<int:assignment_id>": lambda: str(self.cohort.assignment_id),
            "<int:trainer_id>": lambda: str(self.cohort.co_trainer_id),
            "<int:invitation_id>": lambda: str(self.invitation(email)),
            "<int:job_id>": lambda: str(self.job(user_id)),
            "<int:mail_id>": lambda: str(self.dead_letter()),
            "<int:case_id>": lambda: str(self.cohort_case(user_id)),
            "<int:organisation_id>": lambda: str(self.organisation_id),
            "<int:context_id>": lambda: str(self.lti_context()[1]),
            "<int:platform_id>": lambda: str(self.lti_context()[0]),
            "<code>": lambda: self.cohort.code if rule.startswith("/join/") else self.certificate(user_id)[1],
        }
        for placeholder, make in makers.items():
            if placeholder in rule:
                rule = rule.replace(placeholder, make())
        if rule.endswith("/recertify"):
            self.certificate(user_id)
        if rule.endswith("/quiz"):  # an empty answer sheet, confirmed as sent with its questions unanswered
            self.form["token"] = self.quiz_token(user_id)
            self.form["unanswered"] = "submit"
        return rule


def _cohort(app, owner_id: int, member_id: int, name: str = "Night shift residents", code: str = "matrix-code"):
    """A cohort owned by `owner`, with a co-trainer, `member` in it, an invitation to another
    address, one assignment and joining on."""
    from types import SimpleNamespace

    from trainer.extensions import db
    from trainer.models import Assignment, Cohort, CohortMember, CohortTrainer, Course, Invitation, User

    with app.app_context():
        course = db.session.scalars(db.select(Course).where(Course.slug == "core")).one()
        co_trainer = User(email=f"co-trainer-{code}@example.org", password_hash="-", name="Co Trainer",
                          sector="police")
        db.session.add(co_trainer)
        db.session.flush()
        cohort = Cohort(name=name, join_code=code, join_enabled=True,
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


def _organisations(app, cohort_id: int, people: tuple[int, ...]) -> tuple[int, int]:
    """Two organisations: the first holds the cohort and has ``people``; the second nothing."""
    from trainer.extensions import db
    from trainer.models import Organisation, OrganisationCohort, OrganisationMember

    with app.app_context():
        held_by, elsewhere = Organisation(name="St Mary's Hospital"), Organisation(name="County Police")
        db.session.add_all([held_by, elsewhere])
        db.session.flush()
        db.session.add(OrganisationCohort(cohort_id=cohort_id, organisation_id=held_by.id))
        db.session.add_all([OrganisationMember(user_id=user_id, organisation_id=held_by.id) for user_id in people])
        db.session.commit()
        return held_by.id, elsewhere.id


def _administer(app, user_id: int, organisation_id: int) -> None:
    from trainer.extensions import db
    from trainer.models import OrganisationMember

    with app.app_context():
        db.session.add(OrganisationMember(user_id=user_id, organisation_id=organisation_id, admin=True))
        db.session.commit()


def _as_organisation_admin(row: Row, own: bool) -> int | str:
    """What an organisation's administrator gets where the row does not say (see ROLES)."""
    if row.rule.startswith("/cohorts/<int:cohort_id>") or row.rule.startswith("/admin/users/"):
        if own:
            return row.expected["admin"]
        return row.expected["trainer"] if row.rule.startswith("/cohorts/") else MISSING
    if row.rule in ("/cohorts", "/reports", "/reports/report.csv", "/reports/report.pdf"):
        return row.expected["trainer"]
    if row.rule == "/admin/users":
        return OK
    return row.expected["learner"]


def test_every_route_has_a_row(app):
    routed = {(method, rule.rule) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(row.method, row.rule) for row in MATRIX}
    assert routed - listed == set(), "routes without a row in the authorisation matrix"
    assert listed - routed == set(), "rows for routes that no longer exist"


def test_rows_about_a_persons_things_come_in_pairs():
    """Every route with an own-object row also has a someone-else's row, and no row is listed twice."""
    keys = [(row.method, row.rule, row.whose) for row in MATRIX]
    assert len(keys) == len(set(keys))
    own = {(row.method, row.rule) for row in MATRIX if row.whose == OWN}
    others = {(row.method, row.rule) for row in MATRIX if row.whose == OTHERS}
    assert own == others


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", MATRIX, ids=[f"{r.method} {r.rule}" + (f" ({r.whose})" if r.whose else "")
                                            for r in MATRIX])
def test_route_answers_each_role(app, client, make_user, published_course, role, row):
    target = make_user(email="target@example.org")
    owner = make_user(email="owner@example.org", roles=("trainer",))
    cohort = _cohort(app, owner.id, target.id)
    held_by, elsewhere = _organisations(app, cohort.id, (target.id, owner.id))
    actor = None
    if role == "cohort_trainer":
        actor = owner
    elif role in ("org_admin", "other_org_admin"):
        actor = make_user()
        _administer(app, actor.id, held_by if role == "org_admin" else elsewhere)
    elif role != "anonymous":
        actor = make_user(roles=(role,))
        if role == "trainer":  # a trainer, of a cohort of their own
            _cohort(app, actor.id, make_user().id, name="Day shift", code="other-code")
    if actor is not None:
        assert login(client, actor).status_code == 302
    scene = Scene(app, target, actor.id if actor else None, actor.email if actor else None, cohort,
                  form=dict(row.data or {}), organisation_id=held_by)
    response = client.open(scene.concrete(row), method=row.method, data=scene.form)
    as_author = row.expected["admin"] if row.rule.startswith("/authoring/") else row.expected["learner"]
    expected = {**row.expected, "cohort_trainer": row.expected.get("cohort_trainer", row.expected["trainer"]),
                "author": row.expected.get("author", as_author),
                "org_admin": row.expected.get("org_admin", _as_organisation_admin(row, own=True)),
                "other_org_admin": row.expected.get("other_org_admin", _as_organisation_admin(row, own=False))}
    if expected[role] == LOGIN:
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    else:
        assert response.status_code == expected[role]
