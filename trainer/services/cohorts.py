"""Cohorts for their trainers: create and keep them, invite learners by list, switch the join
link, add and remove co-trainers. A learner's own side (answering invitations, joining by link,
leaving) is in `membership`."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from trainer import policy
from trainer.extensions import db
from trainer.models import Cohort, CohortMember, CohortTrainer, Invitation, OrganisationCohort, User
from trainer.services import accounts, audit, invitations as invitation_mail, lookalike, spreadsheets
from trainer.services.errors import InvalidInput, NotAllowed, NotFound
from trainer.vocabulary import Role

log = logging.getLogger(__name__)

MAX_ROWS = 2000
MAX_CSV_BYTES = 512 * 1024


@dataclass
class CohortDetails:
    name: str
    organisation: str
    starts_on: date | None
    ends_on: date | None


def _check(details: CohortDetails) -> None:
    if not details.name.strip():
        raise InvalidInput("name", str(_l("Give the cohort a name.")))
    if len(details.name) > 120 or len(details.organisation) > 200:
        raise InvalidInput("name", str(_l("Use at most %(n)d characters.", n=120)))
    if details.starts_on and details.ends_on and details.ends_on < details.starts_on:
        raise InvalidInput("ends_on", str(_l("The end date is before the start date.")))


def new_join_code() -> str:
    return secrets.token_urlsafe(9)


def create(actor: User, details: CohortDetails) -> Cohort:
    if not policy.can_create_cohort(actor):
        raise NotAllowed()
    _check(details)
    cohort = Cohort(name=details.name.strip(), organisation=details.organisation.strip(),
                    starts_on=details.starts_on, ends_on=details.ends_on, join_code=new_join_code(),
                    trainers=[CohortTrainer(user_id=actor.id, owner=True)])
    if actor.organisation_id is not None:  # a cohort made by one of an organisation's people is its own
        cohort.holder = OrganisationCohort(organisation_id=actor.organisation_id)
        if not cohort.organisation:
            cohort.organisation = actor.membership.organisation.name if actor.membership else ""
    db.session.add(cohort)
    db.session.flush()
    log.info("user %s created cohort %s", actor.id, cohort.id)
    return cohort


def visible_to(actor: User, include_archived: bool = False) -> list[Cohort]:
    """The cohorts a person may follow: all for administrators, their organisation's (and any
    they train) for an organisation's administrators, their own for trainers."""
    if not policy.can_create_cohort(actor):
        raise NotAllowed()
    stmt = sa.select(Cohort).order_by(Cohort.archived, Cohort.name)
    if policy.is_organisation_admin(actor) and not policy.is_admin(actor):
        stmt = stmt.where(sa.or_(Cohort.trainers.any(CohortTrainer.user_id == actor.id),
                                 Cohort.holder.has(OrganisationCohort.organisation_id == actor.organisation_id)))
    elif not policy.is_admin(actor):
        stmt = stmt.where(Cohort.trainers.any(CohortTrainer.user_id == actor.id))
    if not include_archived:
        stmt = stmt.where(Cohort.archived.is_(False))
    return list(db.session.scalars(stmt))


def get(actor: User, cohort_id: int) -> Cohort:
    """A cohort the actor manages; any other (or none) is 'not found', so ids reveal nothing.
    Asking for an existing cohort one does not train is recorded."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound()
    if not policy.can_manage_cohort(actor, cohort):
        audit.record_refusal(actor, "cohort-access-refused", f"cohort {cohort.id}")
        raise NotFound()
    return cohort


def update(actor: User, cohort: Cohort, details: CohortDetails) -> Cohort:
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    _check(details)
    cohort.name, cohort.organisation = details.name.strip(), details.organisation.strip()
    cohort.starts_on, cohort.ends_on = details.starts_on, details.ends_on
    db.session.flush()
    return cohort


def set_archived(actor: User, cohort: Cohort, archived: bool) -> None:
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    cohort.archived = archived
    if archived:
        cohort.join_enabled = False
    db.session.flush()


def set_joining(actor: User, cohort: Cohort, enabled: bool, new_code: bool = False) -> None:
    """Switch the join link on or off; a new code makes the old link stop working."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    if new_code:
        cohort.join_code = new_join_code()
    cohort.join_enabled = enabled and not cohort.archived
    db.session.flush()


def add_trainer(actor: User, cohort: Cohort, email: str) -> User:
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    user = accounts.get_by_email(email)
    # A co-trainer reads every member's record: only an account whose address is proven.
    if user is None or not user.active or not user.has_role(Role.TRAINER) or not user.email_verified:
        raise InvalidInput("email", str(_l("No active trainer account has that email address.")))
    if not cohort.is_trained_by(user.id):
        cohort.trainers.append(CohortTrainer(user_id=user.id))
        db.session.flush()
        audit.record(actor, "co-trainer-added", f"cohort {cohort.id}", user=user.id)
    return user


def remove_trainer(actor: User, cohort: Cohort, user_id: int) -> None:
    """The owner (or an administrator) removes a co-trainer; the owner cannot be removed, nor the
    last trainer of a cohort that has no owner."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    trainer = next((t for t in cohort.trainers if t.user_id == user_id), None)
    if trainer is None or trainer.owner or len(cohort.trainers) < 2:
        raise NotFound()
    if not policy.can_remove_co_trainers(actor, cohort):
        audit.record_refusal(actor, "co-trainer-removal-refused", f"cohort {cohort.id}", user=user_id)
        raise NotAllowed()
    cohort.trainers.remove(trainer)
    db.session.flush()
    audit.record(actor, "co-trainer-removed", f"cohort {cohort.id}", user=user_id)
    log.info("user %s removed co-trainer %s from cohort %s", actor.id, user_id, cohort.id)


def trainers(cohort: Cohort) -> list[tuple[User, bool]]:
    """The cohort's trainers by name, each with whether they own it."""
    owners = {t.user_id: t.owner for t in cohort.trainers}
    users = db.session.scalars(sa.select(User).where(User.id.in_(owners)).order_by(User.name, User.id)).unique()
    return [(user, owners[user.id]) for user in users]


def members(cohort: Cohort) -> list[User]:
    return list(db.session.scalars(sa.select(User).join(CohortMember, CohortMember.user_id == User.id)
                                   .where(CohortMember.cohort_id == cohort.id).order_by(User.name, User.id))
                .unique())


def invitations(actor: User, cohort: Cohort) -> dict[str, list[Invitation]]:
    """The people the trainers invited who have not joined: "pending" and "declined"."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    found: dict[str, list[Invitation]] = {"pending": [], "declined": []}
    for invitation in db.session.scalars(sa.select(Invitation).where(
            Invitation.cohort_id == cohort.id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.name, Invitation.id)):
        found[invitation.state].append(invitation)
    return found


RESEND_AFTER = timedelta(days=1)
UNDO_SECONDS = 15 * 60
_UNDO_SALT = "cohort-member-undo"


def _pending_invitation(actor: User, cohort: Cohort, invitation_id: int) -> Invitation:
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.cohort_id != cohort.id or invitation.state != "pending":
        raise NotFound()
    return invitation


def resend_invitation(actor: User, cohort: Cohort, invitation_id: int,
                      now: datetime | None = None) -> tuple[Invitation, int]:
    """Send a pending invitation again: at most once a day, so a list cannot be used to flood
    someone. Returns the invitation and the id of the queued mail (deliver it after the commit)."""
    invitation = _pending_invitation(actor, cohort, invitation_id)
    now = now or datetime.now(UTC)
    last = invitation.resent_at or invitation.created_at
    if last is not None and now - last < RESEND_AFTER:
        raise InvalidInput("invitation", str(_l(
            "%(name)s was sent the invitation less than a day ago. Send it again tomorrow.",
            name=invitation.name)))
    invitation.resent_at = now
    mail_id = invitation_mail.queue_again(cohort, invitation)
    audit.record(actor, "cohort-invitation-resent", f"cohort {cohort.id}", invitation=invitation.id)
    db.session.flush()
    return invitation, mail_id


def withdraw_invitation(actor: User, cohort: Cohort, invitation_id: int) -> Invitation:
    """Take back a pending invitation: the person no longer sees it and cannot accept it. (The
    trainers may invite the address again later.)"""
    invitation = _pending_invitation(actor, cohort, invitation_id)
    audit.record(actor, "cohort-invitation-withdrawn", f"cohort {cohort.id}", invitation=invitation.id)
    db.session.delete(invitation)
    db.session.flush()
    return invitation


def member_to_remove(actor: User, cohort: Cohort, user_id: int) -> User:
    """A member of the cohort, for the page that confirms their removal."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    if db.session.get(CohortMember, (cohort.id, user_id)) is None:
        raise NotFound()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def _undo_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_UNDO_SALT)


def remove_member(actor: User, cohort: Cohort, user_id: int) -> str:
    """Remove a learner; returns a token that puts them back (`restore_member`) for a quarter
    of an hour, with the date they joined, in case the trainer removed the wrong person."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    member = db.session.get(CohortMember, (cohort.id, user_id))
    if member is None:
        raise NotFound()
    audit.record(actor, "cohort-member-removed", f"cohort {cohort.id}", user=user_id)
    joined = member.joined_at.isoformat() if member.joined_at else None
    db.session.delete(member)
    db.session.flush()
    return _undo_serializer().dumps({"c": cohort.id, "u": user_id, "j": joined})


def restore_member(actor: User, cohort: Cohort, token: str) -> User:
    """Undo a removal within its time; an expired or altered token changes nothing."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    try:
        data = _undo_serializer().loads(token, max_age=UNDO_SECONDS)
    except SignatureExpired as error:
        raise InvalidInput("undo", str(_l(
            "A removal can be undone for 15 minutes; this one is older. Ask the learner to join again "
            "with the join link."))) from error
    except BadSignature as error:
        raise NotFound() from error
    if data.get("c") != cohort.id:
        raise NotFound()
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active:
        raise NotFound()
    if db.session.get(CohortMember, (cohort.id, user.id)) is None:
        joined = datetime.fromisoformat(data["j"]) if data.get("j") else None
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id, **({"joined_at": joined} if joined else {})))
        audit.record(actor, "cohort-member-restored", f"cohort {cohort.id}", user=user.id)
        db.session.flush()
    return user


def cohort_for_code(code: str) -> Cohort:
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.join_code == code))
    if cohort is None or not cohort.join_enabled or cohort.archived:
        raise NotFound()
    return cohort


@dataclass
class RosterRow:
    line: int
    name: str
    email: str


@dataclass
class RosterCheck:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    encoding: str = ""  # how the file was read, told to the trainer
    separator: str = ""


# Header names a trainer may use, in English or Dutch, compared without case, spaces, hyphens
# and underscores.
NAME_HEADERS = frozenset({"name", "fullname", "naam", "volledigenaam", "voorenachternaam"})
EMAIL_HEADERS = frozenset({"email", "emailaddress", "mail", "emailadres", "mailadres"})
SEPARATOR_NAMES = {",": _l("a comma (,)"), ";": _l("a semicolon (;)"), "\t": _l("a tab")}


def _header_key(cell: str) -> str:
    return "".join(ch for ch in cell.lower() if ch not in " -_.")


def check_roster(data: bytes) -> RosterCheck:
    """Read a CSV of names and email addresses as a spreadsheet program wrote it (any of the
    separators and encodings `spreadsheets.read_table` knows, a header row in English or Dutch);
    every bad row is reported with its line."""
    result = RosterCheck()
    if len(data) > MAX_CSV_BYTES:
        result.problems.append((1, str(_l("The file is larger than 512 KB. Split the list into smaller files."))))
        return result
    try:
        table = spreadsheets.read_table(data)
    except spreadsheets.UnreadableFile:
        result.problems.append((1, str(_l(
            "The file is not text that a spreadsheet saves as CSV (it may be an .xlsx workbook or a "
            "PDF). In your spreadsheet choose Save as, then CSV, and upload that file."))))
        return result
    result.encoding, result.separator = table.encoding, table.separator
    header = [_header_key(h) for h in (table.rows[0] if table.rows else [])]
    name_at = next((i for i, h in enumerate(header) if h in NAME_HEADERS), None)
    email_at = next((i for i, h in enumerate(header) if h in EMAIL_HEADERS), None)
    if name_at is None or email_at is None:
        found = ", ".join(f"'{cell[:40]}'" for cell in (table.rows[0] if table.rows else []) if cell)
        result.problems.append((1, str(_l(
            "The first line must name the columns: name and email (or naam and e-mail). "
            "It reads: %(found)s.", found=found or str(_l("nothing"))))))
        return result
    seen: set[str] = set()
    for line, row in enumerate(table.rows[1:], start=2):
        if not any(row):
            continue
        if len(result.rows) + len(result.problems) >= MAX_ROWS:
            result.problems.append((line, str(_l("More than %(n)d rows; split the file.", n=MAX_ROWS))))
            break
        _roster_row(row, line, name_at, email_at, seen, result)
    return result


def separator_name(sep: str) -> str:
    return str(SEPARATOR_NAMES.get(sep, sep))


def _roster_row(row: list[str], line: int, name_at: int, email_at: int, seen: set[str],
                result: RosterCheck) -> None:
    def cell(i: int) -> str:
        return row[i].strip() if i < len(row) else ""

    name, raw_email = cell(name_at), cell(email_at)
    if not name:
        result.problems.append((line, str(_l("The name is missing."))))
        return
    if len(name) > 120:
        result.problems.append((line, str(_l("The name is longer than %(n)d characters.", n=120))))
        return
    if not raw_email:
        result.problems.append((line, str(_l("The email address of %(name)s is missing.", name=name[:80]))))
        return
    try:
        email = validate_email(raw_email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        result.problems.append((line, str(_l("'%(email)s' is not an email address.", email=raw_email[:80]))))
        return
    if email in seen:
        result.problems.append((line, str(_l("%(email)s appears twice in the file.", email=email))))
        return
    if (lookalike_problem := lookalike.roster_problem(email)) is not None:
        result.problems.append((line, lookalike_problem))
        return
    seen.add(email)
    result.rows.append(RosterRow(line, name, email))


@dataclass
class RosterResult:
    invited: list[Invitation] = field(default_factory=list)
    already: int = 0  # people invited before, or in the cohort already


def import_roster(actor: User, cohort: Cohort, checked: RosterCheck) -> RosterResult:
    """Invite the people on a checked list, by address. Nobody joins by being on a list, with an
    account or without: each person accepts or declines, and only then do the trainers see
    anything of them. Someone invited before (whatever they answered) or already in the cohort is
    not invited again. Refused whole if the list has any problem."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    if checked.problems or not checked.rows:
        raise InvalidInput("roster", str(_l("Correct the file first: nothing was added.")))
    known = set(db.session.scalars(sa.select(Invitation.email).where(Invitation.cohort_id == cohort.id)))
    known |= set(db.session.scalars(sa.select(User.email).join(CohortMember, CohortMember.user_id == User.id)
                                    .where(CohortMember.cohort_id == cohort.id)))
    result = RosterResult()
    for row in checked.rows:
        if row.email in known:
            result.already += 1
            continue
        invitation = Invitation(cohort_id=cohort.id, email=row.email, name=row.name)
        db.session.add(invitation)
        result.invited.append(invitation)
    db.session.flush()
    for invitation in result.invited:
        audit.record(actor, "cohort-invited", f"cohort {cohort.id}", invitation=invitation.id)
    audit.record(actor, "cohort-list-imported", f"cohort {cohort.id}", invited=len(result.invited),
                 already=result.already)
    log.info("user %s invited %d to cohort %s", actor.id, len(result.invited), cohort.id)
    return result
