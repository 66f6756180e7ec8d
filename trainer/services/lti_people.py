"""What a verified LTI launch does here: the platform's person becomes (or finds) an account, the
platform's course becomes (or finds) a cohort with the person in it (an Instructor as its
trainer, anyone else as a member), the line item of the link is remembered so a completion sends
its grade back, and a one-time link opens the site signed in. Also the roster (Names and Role
Provisioning) and the grades (Assignment and Grade Services), both through `services/lti.py`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from trainer import policy
from trainer.extensions import db
from trainer.models import (
    Cohort,
    CohortMember,
    CohortTrainer,
    Course,
    Invitation,
    LtiAccount,
    LtiContext,
    LtiHandoff,
    LtiLineItem,
    LtiPlatform,
    OrganisationCohort,
    User,
    UserRole,
)
from trainer.services import accounts, audit, catalogue, cohorts, jobs, lti, membership
from trainer.services.errors import NotAllowed, NotFound
from trainer.vocabulary import Role

log = logging.getLogger(__name__)

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
TEACHING_ROLES = {MEMBERSHIP + "Instructor", MEMBERSHIP + "Administrator", "Instructor", "Administrator"}


def is_instructor(roles: list[str]) -> bool:
    """Whether the platform's roles make the person a teacher of the course (context roles in full
    or in the short form LTI allows; institution roles do not count)."""
    return any(r in TEACHING_ROLES for r in roles)


# --- accounts ---------------------------------------------------------------------------------------

def _email_for(platform: LtiPlatform, subject: str, claimed: str | None) -> tuple[str, bool]:
    """The claimed address when it is free (the registered platform vouches for it), else a
    stand-in that can receive nothing and is not confirmed."""
    if claimed and len(claimed) <= 254 and accounts.get_by_email(claimed) is None:
        return claimed, True
    digest = hashlib.sha256(f"{platform.id}:{subject}".encode()).hexdigest()[:20]
    return f"lti-{platform.id}-{digest}@lti.invalid", False


def ensure_account(platform: LtiPlatform, subject: str, name: str, email: str | None) -> User:
    """The account of the platform's person `subject`, made on first sight. Never joined to an
    existing account by address: an address is the platform's word, the subject its identity."""
    link = db.session.scalar(sa.select(LtiAccount).where(LtiAccount.platform_id == platform.id,
                                                          LtiAccount.subject == subject))
    if link is not None:
        user = db.session.get(User, link.user_id)
        if user is not None:
            return user
    address, vouched = _email_for(platform, subject, email)
    profile = accounts.Profile(name=(name or "LMS learner")[:120], organisation=platform.name[:200],
                               sector=platform.sector, specialty=None, is_resident=False, locale=None,
                               timezone="UTC")
    user = accounts.create_account(address, secrets.token_urlsafe(32), profile, verified=vouched)
    db.session.add(LtiAccount(platform_id=platform.id, subject=subject, user_id=user.id))
    db.session.flush()
    audit.record(None, "lti-account-made", f"user {user.id}", platform=platform.id)
    return user


def export(user: User) -> list[dict[str, Any]]:
    """For the person's data download: each learning system that knows them, by what id, and the
    line items their grades go to."""
    found = []
    for link, platform in db.session.execute(
            sa.select(LtiAccount, LtiPlatform).join(LtiPlatform, LtiPlatform.id == LtiAccount.platform_id)
            .where(LtiAccount.user_id == user.id).order_by(LtiAccount.id)):
        items = db.session.scalars(sa.select(LtiLineItem).where(LtiLineItem.user_id == user.id,
                                                                LtiLineItem.platform_id == platform.id))
        found.append({"platform": platform.name, "issuer": platform.issuer, "your_id_there": link.subject,
                      "since": link.created_at.isoformat(),
                      "grades_go_to": [{"course_id": i.course_id, "module": i.module, "line_item": i.lineitem_url}
                                       for i in items]})
    return found


# --- contexts and cohorts -----------------------------------------------------------------------------

def ensure_context(platform: LtiPlatform, context: dict[str, Any], memberships_url: str | None) -> LtiContext | None:
    """The cohort standing for the platform's course; None for a launch outside any course."""
    context_id = str(context.get("id") or "")[:255]
    if not context_id:
        return None
    row = db.session.scalar(sa.select(LtiContext).where(LtiContext.platform_id == platform.id,
                                                         LtiContext.context_id == context_id))
    title = str(context.get("title") or context.get("label") or "")[:255]
    if row is None:
        cohort = Cohort(name=(title or platform.name)[:120], organisation=platform.name[:200],
                        join_code=cohorts.new_join_code(), join_enabled=False)
        db.session.add(cohort)
        db.session.flush()
        row = LtiContext(platform_id=platform.id, context_id=context_id, title=title, cohort_id=cohort.id)
        db.session.add(row)
    if memberships_url:
        row.memberships_url = memberships_url[:500]
    db.session.flush()
    return row


def _place(user: User, cohort_id: int, teaching: bool) -> bool:
    """Put the person in the cohort: an instructor as a trainer (and a trainer of the site, when
    their address is proven). Anyone else is invited: a learner joins, and its trainers see their
    learning, only once they accept, after seeing what the trainers would see (see
    services/membership.py); one who declined is not asked again. Nothing happens twice.
    True when something was added (a trainer, or an invitation)."""
    if teaching:
        if not user.has_role(Role.TRAINER) and policy.can_receive_role(user, Role.TRAINER):
            user.roles.append(UserRole(role=Role.TRAINER))
        added = db.session.get(CohortTrainer, (cohort_id, user.id)) is None
        if added:
            db.session.add(CohortTrainer(cohort_id=cohort_id, user_id=user.id))
        # As a cohort one of an organisation's people makes here is its own, so is the cohort of
        # the course they teach on the platform: held by the first organisation that teaches it.
        if user.organisation_id is not None and db.session.get(OrganisationCohort, cohort_id) is None:
            db.session.add(OrganisationCohort(cohort_id=cohort_id, organisation_id=user.organisation_id))
    else:
        added = (db.session.get(CohortMember, (cohort_id, user.id)) is None and db.session.scalar(
            sa.select(Invitation.id).where(Invitation.cohort_id == cohort_id, Invitation.email == user.email)) is None)
        if added:
            db.session.add(Invitation(cohort_id=cohort_id, email=user.email, name=user.name))
    db.session.flush()
    return added


@dataclass
class Arrival:
    """Where a resource link launch leads: the account to sign in and the course (and module)."""

    user: User
    course_slug: str | None
    module_slug: str | None
    context: LtiContext | None
    teaching: bool
    invitation: Invitation | None  # to the course's cohort, waiting for the learner's answer


def _target(custom: dict[str, str]) -> tuple[Course | None, str | None]:
    found = catalogue.latest_published(custom.get("course") or "", with_modules=True) if custom.get("course") else []
    if not found:
        return None, None
    course, version = found[0]
    module = custom.get("module")
    return course, module if module and any(m.slug == module for m in version.modules) else None


def arrive(launch: lti.Launch) -> Arrival:
    """Everything a resource link launch does here. The caller commits."""
    user = ensure_account(launch.platform, launch.subject, launch.name, launch.email)
    if not user.is_active:
        raise lti.LaunchRefused("account-off", 403)
    context = ensure_context(launch.platform, launch.context, launch.memberships_url)
    teaching = is_instructor(launch.roles)
    invitation = None
    if context is not None:
        _place(user, context.cohort_id, teaching)
        invitation = None if teaching else membership.pending_invitation(user, context.cohort_id)
    course, module = _target(launch.custom)
    if course is not None and not teaching and launch.line_item_url:
        _remember_line_item(launch, user, course, module)
    log.info("LTI launch: platform %s, user %s, context %s", launch.platform.id, user.id,
             context.id if context else None)
    return Arrival(user, course.slug if course else None, module, context, teaching, invitation)


def _remember_line_item(launch: lti.Launch, user: User, course: Course, module: str | None) -> None:
    url = launch.line_item_url or ""
    exists = db.session.scalar(sa.select(LtiLineItem.id).where(
        LtiLineItem.user_id == user.id, LtiLineItem.course_id == course.id,
        LtiLineItem.module.is_(None) if module is None else LtiLineItem.module == module,
        LtiLineItem.lineitem_url == url))
    if exists is None:
        db.session.add(LtiLineItem(platform_id=launch.platform.id, user_id=user.id, subject=launch.subject,
                                   course_id=course.id, module=module, lineitem_url=url))
        db.session.flush()


# --- the one-time link from the launch page -------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def handoff(user: User, target: str) -> str:
    """A one-time token that signs `user` in and opens `target` (a path of this site)."""
    oldest = datetime.now(UTC) - timedelta(seconds=current_app.config["LTI_HANDOFF_SECONDS"])
    db.session.execute(sa.delete(LtiHandoff).where(LtiHandoff.created_at < oldest))  # links never opened
    token = secrets.token_urlsafe(32)
    db.session.add(LtiHandoff(token_hash=_token_hash(token), user_id=user.id, target=target[:300]))
    db.session.flush()
    return token


def spend_handoff(token: str) -> tuple[User, str]:
    """The account and path behind a one-time token, once, within LTI_HANDOFF_SECONDS. Raises
    NotFound otherwise. The caller commits."""
    row = db.session.get(LtiHandoff, _token_hash(token)) if token else None
    if row is None:
        raise NotFound()
    db.session.delete(row)
    db.session.flush()
    oldest = datetime.now(UTC) - timedelta(seconds=current_app.config["LTI_HANDOFF_SECONDS"])
    user = db.session.get(User, row.user_id)
    if row.created_at < oldest or user is None or not user.is_active or not row.target.startswith("/"):
        raise NotFound()
    return user, row.target


# --- the roster (Names and Role Provisioning) ---------------------------------------------------------

def context_for(actor: User, context_id: int) -> LtiContext:
    """A platform course, for the trainers of its cohort and administrators."""
    if not (policy.is_admin(actor) or actor.has_role(Role.TRAINER)):
        raise NotAllowed()
    row = db.session.get(LtiContext, context_id)
    if row is None:
        raise NotFound()
    cohorts.get(actor, row.cohort_id)  # another trainer's: "not found", and the attempt recorded
    return row


def contexts_for(actor: User) -> list[LtiContext]:
    """The platform courses whose cohorts the person trains (all of them for an administrator)."""
    stmt = sa.select(LtiContext).order_by(LtiContext.title, LtiContext.id)
    if not policy.is_admin(actor):
        stmt = stmt.join(CohortTrainer, CohortTrainer.cohort_id == LtiContext.cohort_id).where(
            CohortTrainer.user_id == actor.id)
    return list(db.session.scalars(stmt))


def cohort_of(context: LtiContext) -> Cohort:
    cohort = db.session.get(Cohort, context.cohort_id)
    if cohort is None:
        raise NotFound()
    return cohort


def members_of(context: LtiContext) -> list[User]:
    """The cohort's members who came from this platform, by name."""
    return list(db.session.scalars(
        sa.select(User).join(CohortMember, CohortMember.user_id == User.id)
        .join(LtiAccount, sa.and_(LtiAccount.user_id == User.id, LtiAccount.platform_id == context.platform_id))
        .where(CohortMember.cohort_id == context.cohort_id).order_by(User.name, User.id)).unique())


def _members(platform: LtiPlatform, url: str) -> list[dict[str, Any]]:
    token = lti.access_token(platform, [lti.NRPS_SCOPE])
    found: list[dict[str, Any]] = []
    next_url: str | None = url
    for _ in range(50):  # pages; a course of 50 pages is far beyond any the site serves
        if next_url is None:
            break
        headers, body = lti.http("GET", next_url, headers={
            "Authorization": f"Bearer {token}", "Accept": "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"})
        found += [m for m in (body or {}).get("members", []) if isinstance(m, dict)]
        next_url = _next_link(headers.get("Link") or headers.get("link") or "")
    return found


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        if 'rel="next"' in part and "<" in part and ">" in part:
            return part[part.index("<") + 1:part.index(">")]
    return None


@dataclass
class RosterResult:
    invited: int  # learners asked to join (each answers on their next launch, or when signed in)
    trainers: int  # instructors who became the cohort's trainers
    already: int  # in the cohort, or invited, already


def sync_roster(actor: User, context_id: int) -> RosterResult:
    """Bring the platform course's active members to its cohort (accounts made as on a first
    launch): instructors as its trainers, learners invited, as on a launch. Raises NotFound,
    NotAllowed, or lti.PlatformUnavailable. The caller commits."""
    context = context_for(actor, context_id)
    platform = db.session.get(LtiPlatform, context.platform_id)
    if platform is None or not context.memberships_url:
        raise NotFound()
    result = RosterResult(0, 0, 0)
    for member in _members(platform, context.memberships_url):
        subject = str(member.get("user_id") or "")[:255]
        if not subject or member.get("status", "Active") != "Active":
            continue
        user = ensure_account(platform, subject, str(member.get("name") or ""), member.get("email"))
        teaching = is_instructor([str(r) for r in member.get("roles") or []])
        if not _place(user, context.cohort_id, teaching):
            result.already += 1
        elif teaching:
            result.trainers += 1
        else:
            result.invited += 1
    audit.record(actor, "lti-roster-synced", f"cohort {context.cohort_id}", invited=result.invited,
                 trainers=result.trainers)
    log.info("user %s synced LTI context %s: %d invited, %d trainers added", actor.id, context.id,
             result.invited, result.trainers)
    return result


# --- grades (Assignment and Grade Services) ---------------------------------------------------------------

def completed(user: User, course: Course, module: str | None, score: float | None) -> None:
    """A module (or, with `module` None, the course) was completed: queue its grade for every line
    item the learner launched it from. Called inside the completing transaction; sending happens
    in a job after the commit, retried, and never holds up the request."""
    rows = db.session.scalars(sa.select(LtiLineItem.id).where(
        LtiLineItem.user_id == user.id, LtiLineItem.course_id == course.id,
        LtiLineItem.module.is_(None) if module is None else LtiLineItem.module == module))
    for line_item_id in rows:
        jobs.enqueue("lti.send_score", line_item_id=line_item_id, score=1.0 if score is None else float(score),
                     timestamp=datetime.now(UTC).isoformat())


def _scores_url(lineitem_url: str) -> str:
    base, _, query = lineitem_url.partition("?")
    return base.rstrip("/") + "/scores" + (f"?{query}" if query else "")


def send_score(progress: jobs.Progress, line_item_id: int, score: float, timestamp: str) -> None:
    """The job behind `completed`: post the score to the platform's line item. A failure raises,
    and the job is tried again."""
    row = db.session.get(LtiLineItem, line_item_id)
    platform = db.session.get(LtiPlatform, row.platform_id) if row else None
    if row is None or platform is None:
        return  # the platform or the account is gone: nothing left to send to
    progress.start(1)
    payload = {"userId": row.subject, "scoreGiven": round(100 * max(0.0, min(score, 1.0)), 2),
               "scoreMaximum": 100, "activityProgress": "Completed", "gradingProgress": "FullyGraded",
               "timestamp": timestamp}
    token = lti.access_token(platform, [lti.SCORE_SCOPE])
    lti.http("POST", _scores_url(row.lineitem_url), body=json.dumps(payload).encode(), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/vnd.ims.lis.v1.score+json"})
    log.info("LTI score sent for line item %s", row.id)
    progress.advance()


# --- deep linking -------------------------------------------------------------------------------------------

_DEEP_LINK_SALT = "lti-deep-link"


def _deep_link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_DEEP_LINK_SALT)


def deep_link_ticket(launch: lti.Launch) -> str:
    """A signed ticket carrying a deep linking request's settings to the author's choice, so the
    choosing page needs no cookie (it is often inside the platform's frame)."""
    settings = launch.deep_linking
    return_url = settings.get("deep_link_return_url")
    if not isinstance(return_url, str) or "ltiResourceLink" not in (settings.get("accept_types") or []):
        raise lti.LaunchRefused("deep-linking-settings")
    data = settings.get("data")
    return str(_deep_link_serializer().dumps({"p": launch.platform.id, "d": launch.deployment_id,
                                              "r": return_url, "data": data if isinstance(data, str) else None}))


def deep_link_choices() -> list[tuple[Course, Any]]:
    """What an author may link: each published course with its modules."""
    return catalogue.latest_published(with_modules=True)


@dataclass
class DeepLinkAnswer:
    return_url: str
    jwt: str
    frame_origins: set[str]


def deep_link_answer(ticket: str, choice: str, launch_url: str) -> DeepLinkAnswer:
    """The signed response for the author's choice (`course` or `course/module`), to be form-posted
    back to the platform. Raises LaunchRefused for a ticket that is forged or past
    LTI_STATE_SECONDS, or a choice that is not published."""
    try:
        settings = _deep_link_serializer().loads(ticket, max_age=current_app.config["LTI_STATE_SECONDS"])
    except BadSignature as error:
        raise lti.LaunchRefused("deep-link-ticket") from error
    platform = db.session.get(LtiPlatform, settings["p"])
    course_slug, _, module_slug = choice.partition("/")
    found = catalogue.latest_published(course_slug, with_modules=True) if course_slug else []
    if platform is None or not found:
        raise lti.LaunchRefused("deep-link-choice")
    course, version = found[0]
    module = next((m for m in version.modules if m.slug == module_slug), None)
    if module_slug and module is None:
        raise lti.LaunchRefused("deep-link-choice")
    title = f"{version.title}: {module.title}" if module else version.title
    custom = {"course": course.slug, **({"module": module.slug} if module else {})}
    item = {"type": "ltiResourceLink", "title": title[:255], "url": launch_url, "custom": custom,
            "lineItem": {"scoreMaximum": 100, "label": title[:255]}}
    log.info("LTI deep link made for platform %s", platform.id)
    origins = lti.platform_origins(platform) | {o for o in [lti.origin(settings["r"])] if o}
    return DeepLinkAnswer(settings["r"], lti.deep_linking_response(platform, settings["d"], settings["data"], [item]),
                          origins)
