"""The audit log: services record what administrators, trainers and learners did to cohorts and
accounts. Rows carry ids, never names or email addresses.

`record` writes in the same transaction as the change itself, so an action and its record stand
or fall together. `record_refusal` is for attempts that are refused: the request is then answered
403 or 404 and its transaction rolled back, so the row is written and committed on a connection
of its own."""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError

from trainer import policy
from trainer.extensions import db
from trainer.models import AuditEvent, User
from trainer.services.errors import NotAllowed

log = logging.getLogger(__name__)

PAGE_SIZE = 100


def record(actor: User | None, action: str, target: str = "", **details: object) -> None:
    """Name people and things by id in ``target`` ("user 12", "certificate 3") and ``details``,
    never by name or email address."""
    db.session.add(AuditEvent(actor_id=actor.id if actor else None, actor=_actor(actor), action=action,
                              target=target[:200], details=details))


def _actor(actor: User | None) -> str:
    return f"user {actor.id}" if actor else "system"


def record_refusal(actor: User | None, action: str, target: str = "", **details: object) -> None:
    """Record a refused attempt and commit it at once, whatever becomes of the request's own
    transaction. Should the database refuse the write (SQLite busy for longer than its timeout),
    the attempt is logged instead of lost."""
    row = {"actor_id": actor.id if actor else None, "actor": _actor(actor), "action": action,
           "target": target[:200], "details": details}
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.insert(AuditEvent), [row])
    except OperationalError as error:
        log.error("audit: could not record %s by user %s on %s %s: %s", action, row["actor_id"], row["target"],
                  details, error)


def forget_free_text(targets: list[str]) -> None:
    """Drop the text from the details of the entries about these targets (an erased person and
    their certificates), keeping what happened, when and by whom, and the numbers."""
    if not targets:
        return
    for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target.in_(targets))):
        kept = {key: value for key, value in event.details.items() if not isinstance(value, str)}
        if kept != event.details:
            event.details = kept
    db.session.flush()


def events(actor: User, action: str = "", page: int = 1) -> tuple[list[AuditEvent], list[str], dict[int, str]]:
    """Newest first; returns (one page of events, the actions that occur, for a filter, and the
    present names of the accounts that acted, looked up now and never stored in the log)."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    rows = db.session.scalars(stmt.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    actions = db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    ids = {row.actor_id for row in rows if row.actor_id is not None}
    names = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    return list(rows), list(actions), names


# What each action means, in words, for the page administrators read.
ACTION_LABELS = {
    "account-deactivated": _l("deactivated an account"),
    "account-reactivated": _l("made an account active again"),
    "account-deleted": _l("erased an account at its holder's request"),
    "roles-changed": _l("changed roles"),
    "two-factor-reset": _l("reset two-factor sign-in"),
    "two-factor-enabled": _l("switched on two-factor sign-in"),
    "two-factor-disabled": _l("switched off two-factor sign-in"),
    "recovery-codes-renewed": _l("made new recovery codes"),
    "recovery-code-used": _l("signed in with a recovery code"),
    "sso-sign-in": _l("signed in through an identity provider"),
    "sso-account-created": _l("got an account by signing in through an identity provider"),
    "sso-identity-linked": _l("connected their account to an identity provider"),
    "sso-sign-in-refused": _l("was refused signing in through an identity provider"),
    "sso-confirmed": _l("confirmed it was them by signing in again at an identity provider"),
    "course-published": _l("published a course"),
    "certificate-revoked": _l("revoked a certificate"),
    "certificate-name-corrected": _l("corrected the name on a certificate"),
    "certificate-reissued": _l("reissued a certificate"),
    "referral-saved": _l("saved a directory entry"),
    "referral-deleted": _l("deleted a directory entry"),
    "referral-restored": _l("restored a deleted directory entry"),
    "referral-checked": _l("checked a directory entry against its source"),
    "co-trainer-added": _l("added a co-trainer"),
    "co-trainer-removed": _l("removed a co-trainer"),
    "co-trainer-removal-refused": _l("was refused removing a co-trainer"),
    "cohort-access-refused": _l("was refused access to another trainer's cohort"),
    "account-access-refused": _l("was refused an account of another organisation"),
    "organisation-created": _l("created an organisation"),
    "organisation-access-refused": _l("was refused another organisation"),
    "organisation-changed": _l("changed an organisation's details"),
    "organisation-member-added": _l("added someone to an organisation"),
    "organisation-joined-through-provider": _l("joined their organisation by signing in through its provider"),
    "organisation-member-removed": _l("removed someone from an organisation"),
    "organisation-admin-changed": _l("changed who administers an organisation"),
    "learner-record-refused": _l("was refused a learner's record"),
    "cohort-invited": _l("invited someone"),
    "cohort-list-imported": _l("uploaded a list of invitations"),
    "cohort-invitation-resent": _l("sent an invitation again"),
    "cohort-invitation-withdrawn": _l("withdrew an invitation"),
    "cohort-invitation-accepted": _l("accepted an invitation"),
    "cohort-invitation-declined": _l("declined an invitation"),
    "cohort-joined-by-link": _l("joined with a join link"),
    "cohort-left": _l("left a cohort"),
    "cohort-member-removed": _l("removed a learner"),
    "cohort-member-restored": _l("undid the removal of a learner"),
    "reminders-sent": _l("sent reminders to overdue learners"),
    "export-cohort-csv": _l("downloaded a progress table"),
    "export-cohort-records-csv": _l("downloaded a cohort's full record"),
    "export-certificates-csv": _l("downloaded a certificate list"),
    "export-certificates-zip": _l("downloaded certificates"),
    "export-report-csv": _l("downloaded the report across cohorts (CSV)"),
    "export-report-pdf": _l("downloaded the report across cohorts (PDF)"),
    "export-gain-csv": _l("downloaded a cohort's pre- and post-test scores"),
    "certificates-render-requested": _l("asked for the certificate PDFs not yet stored to be made"),
    "mail-resent": _l("sent an undelivered mail again"),
    "lti-platform-added": _l("registered a learning system (LTI)"),
    "lti-platform-removed": _l("removed a learning system (LTI)"),
    "lti-account-made": _l("got an account on a first launch from a learning system"),
    "lti-roster-synced": _l("brought in a course roster from a learning system"),
}
DETAIL_LABELS = {
    "user": _l("person"), "invitation": _l("invited"), "roles": _l("roles now"), "reason": _l("reason"),
    "version": _l("version"), "name": _l("name"), "checked": _l("checked on"), "sent": _l("reminders sent"),
    "invited": _l("invited"), "already": _l("already invited or in the cohort"), "learners": _l("learners"),
    "remaining": _l("recovery codes left"), "provider": _l("identity provider"),
    "two_factor": _l("second factor checked by"), "cohorts": _l("cohorts"), "assignment": _l("assignment"),
    "trainers": _l("trainers added"), "platform": _l("learning system"), "organisation": _l("organisation"),
    "admin": _l("administers the organisation"), "added": _l("added"),  # "added": LTI rosters before invitations
}
ROLE_WORDS = {"learner": _l("learner"), "trainer": _l("trainer"), "admin": _l("administrator")}


@dataclass
class Described:
    """An event as the page shows it: people and things by their present names, looked up now;
    the row keeps only ids."""
    event: AuditEvent
    who: str
    who_id: int | None
    what: str
    target: str
    details: list[tuple[str, str]]


def describe(actor: User, rows: list[AuditEvent]) -> list[Described]:
    """Names for the ids in a page of events, found in a few queries (one a kind of thing)."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    wanted: dict[str, set] = defaultdict(set)
    for row in rows:
        if row.actor_id is not None:
            wanted["user"].add(row.actor_id)
        kind, _, ref = row.target.partition(" ")
        if ref:
            wanted[kind].add(int(ref) if ref.isdigit() else ref)
        for key in ("user", "invitation"):
            if isinstance(row.details.get(key), int):
                wanted[key].add(row.details[key])
    names = _names(wanted)
    return [Described(row, _who(row, names), row.actor_id, str(ACTION_LABELS.get(row.action, row.action)),
                      _target(row.target, names), _details(row.details, names)) for row in rows]


def _names(wanted: dict[str, set]) -> dict[str, dict]:
    """Present names by kind and id (ints only where the column is an integer id)."""
    from trainer.models import Certificate, Cohort, Invitation, Referral

    def ints(kind: str) -> list[int]:
        return [v for v in wanted.get(kind, ()) if isinstance(v, int)]

    found: dict[str, dict] = {}
    queries = {
        "user": (User.id, User.name, ints("user")),
        "cohort": (Cohort.id, Cohort.name, ints("cohort")),
        "invitation": (Invitation.id, Invitation.name, ints("invitation")),
        "referral": (Referral.id, Referral.name, ints("referral")),
        "certificate": (Certificate.id, Certificate.course_title, ints("certificate")),
    }
    for kind, (key, label, ids) in queries.items():
        found[kind] = dict(db.session.execute(sa.select(key, label).where(key.in_(ids))).all()) if ids else {}
    if wanted.get("course"):
        from trainer.services import catalogue

        titles = {course.slug: version.title for course, version in catalogue.latest_published()}
        found["course"] = {slug: titles.get(slug, slug) for slug in wanted["course"] if isinstance(slug, str)}
    return found


def _who(row: AuditEvent, names: dict[str, dict]) -> str:
    if row.actor_id is not None and row.actor_id in names["user"]:
        return names["user"][row.actor_id]
    if row.actor == "system":
        return str(_l("the platform"))
    return str(_l("an account that no longer exists"))


def _target(target: str, names: dict[str, dict]) -> str:
    kind, _, ref = target.partition(" ")
    key: int | str = int(ref) if ref.isdigit() else ref
    labels = {"user": _l("the account of %(name)s"), "cohort": _l("the cohort %(name)s"),
              "referral": _l("the directory entry %(name)s"), "certificate": _l("a certificate for %(name)s"),
              "course": _l("the course %(name)s")}
    gone = {"user": _l("an account that no longer exists"), "cohort": _l("a cohort that no longer exists"),
            "referral": _l("a directory entry that no longer exists"),
            "certificate": _l("a certificate that no longer exists")}
    if kind in labels and key in names.get(kind, {}):
        return str(labels[kind] % {"name": names[kind][key]})
    if kind in gone:
        return str(gone[kind])
    if target == "cohorts":
        return str(_l("the cohorts they can see"))
    return target


def _details(details: dict, names: dict[str, dict]) -> list[tuple[str, str]]:
    shown = []
    for key, value in details.items():
        label = str(DETAIL_LABELS.get(key, key))
        if key == "user" and isinstance(value, int):
            text = names["user"].get(value) or str(_l("an account that no longer exists"))
        elif key == "invitation" and isinstance(value, int):
            text = names["invitation"].get(value) or str(_l("an invitation since withdrawn or removed"))
        elif key == "roles" and isinstance(value, list):
            text = ", ".join(str(ROLE_WORDS.get(role, role)) for role in value)
        elif isinstance(value, bool):
            text = str(_l("yes") if value else _l("no"))
        else:
            text = str(value)
        shown.append((label, text))
    return shown
