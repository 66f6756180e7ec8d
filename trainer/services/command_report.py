"""What a command asks of its trainers: a cohort's full record as a spreadsheet, and a report
across cohorts (a trainer's own; every cohort for administrators) of completion by cohort and
organisation, overdue learners and certificates that expire soon, as a page, a CSV and a PDF.

Everything here is what the cohort's trainers already see of their members (see
templates/cohorts/_trainers_see.html); the exports are recorded in the audit log.
"""
from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from trainer import policy
from trainer.extensions import db
from trainer.models import (
    Assignment,
    Certificate,
    Cohort,
    CohortMember,
    Enrolment,
    Invitation,
    ModuleProgress,
    User,
)
from trainer.services import assignments, audit, catalogue, cohorts, local_dates
from trainer.services.errors import NotAllowed, NotFound
from trainer.services.spreadsheets import csv_bytes, safe_cell
from trainer.vocabulary import CertificateState, ModuleState

EXPIRY_WINDOW_DAYS = 90
# The page and the PDF list this many overdue learners and expiring certificates, the most urgent
# first; the CSV lists them all (a force-wide report can have tens of thousands).
LISTED = 500


def _title(titles: dict[int, str], assignment: Assignment) -> str:
    title = titles.get(assignment.course_id, "")
    return f"{title} / {assignment.module}" if assignment.module else title


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def cohort_records_csv(actor: User, cohort: Cohort, today: date | None = None) -> bytes:
    """One row per learner and assignment: name, email, sector, specialty; the assignment, its
    due date, status, best quiz score, completion date and last activity; the certificate for
    the course (its code and expiry). People invited who have not joined are listed too, with
    nothing of their learning (they have not consented to share it)."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    board = assignments.dashboard(actor, cohort, today=today, dated=True)
    ids = [learner.id for learner in board.learners]
    people = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids))).unique()} if ids else {}
    course_ids = {a.course_id for a in board.assignments}
    scores, active = _scores_and_activity(ids, course_ids)
    held = _certificates(ids, course_ids, today or local_dates.today_for(actor))
    header: list[object] = ["Name", "Email", "Sector", "Specialty", "Assignment", "Due on", "Status", "Best score %",
              "Completed on", "Last activity", "Certificate code", "Certificate valid until"]
    rows: list[list[object]] = [header]
    for learner in board.learners:
        person = people.get(learner.id)
        who = [safe_cell(learner.name), safe_cell(learner.email), person.sector if person else "",
               (person.specialty or "") if person else ""]
        if not board.assignments:
            rows.append(who + [""] * 8)
        for a in board.assignments:
            status = board.cells[(learner.id, a.id)]
            score = scores.get((learner.id, a.course_id, a.module))
            certificate = held.get((learner.id, a.course_id)) if a.module is None else None
            rows.append(who + [safe_cell(_title(board.titles, a)), a.due_on.isoformat(), status.state,
                               round(score * 100) if score is not None else "", _iso(status.completed_at),
                               _iso(active.get((learner.id, a.course_id))),
                               certificate.code if certificate else "",
                               _iso(certificate.expires_on) if certificate else ""])
    for invitation in cohorts.invitations(actor, cohort)["pending"]:
        rows.append([safe_cell(invitation.name), safe_cell(invitation.email), "", "", "", "", "invited, not joined",
                     "", "", "", "", ""])
    audit.record(actor, "export-cohort-records-csv", f"cohort {cohort.id}", learners=len(board.learners))
    return csv_bytes(rows)


Scores = dict[tuple[int, int, str | None], float]
Activity = dict[tuple[int, int], datetime]


def _scores_and_activity(user_ids: list[int], course_ids: set[int]) -> tuple[Scores, Activity]:
    """Best quiz score by (user, course, module), and by (user, course, None) the mean of the
    course's quiz scores; the last activity by (user, course)."""
    scores: Scores = {}
    activity: Activity = {}
    if not user_ids or not course_ids:
        return scores, activity
    by_course: dict[tuple[int, int], list[float]] = defaultdict(list)
    for row in db.session.execute(sa.select(
            ModuleProgress.user_id, ModuleProgress.course_id, ModuleProgress.module, ModuleProgress.score,
            ModuleProgress.updated_at).where(ModuleProgress.user_id.in_(user_ids),
                                             ModuleProgress.course_id.in_(course_ids))):
        if row.score is not None:
            scores[(row.user_id, row.course_id, row.module)] = row.score
            by_course[(row.user_id, row.course_id)].append(row.score)
        _later(activity, (row.user_id, row.course_id), row.updated_at)
    for (user_id, course_id), values in by_course.items():
        scores[(user_id, course_id, None)] = sum(values) / len(values)
    for visit in db.session.execute(sa.select(Enrolment.user_id, Enrolment.course_id, Enrolment.last_visited_at)
                                    .where(Enrolment.user_id.in_(user_ids), Enrolment.course_id.in_(course_ids))):
        _later(activity, (visit.user_id, visit.course_id), visit.last_visited_at)
    return scores, activity


def _later(found: Activity, key: tuple[int, int], when: datetime | None) -> None:
    if when is not None and (key not in found or when > found[key]):
        found[key] = when


def _certificates(user_ids: list[int], course_ids: set[int], today: date) -> dict[tuple[int, int], Certificate]:
    """Each learner's newest certificate for each course that is not revoked."""
    found: dict[tuple[int, int], Certificate] = {}
    if not user_ids or not course_ids:
        return found
    for certificate in db.session.scalars(sa.select(Certificate).where(
            Certificate.user_id.in_(user_ids), Certificate.course_id.in_(course_ids),
            Certificate.revoked_at.is_(None)).order_by(Certificate.issued_at)):
        if certificate.user_id is not None:  # an erased learner's certificate names nobody
            found[(certificate.user_id, certificate.course_id)] = certificate  # newest last
    return found


@dataclass
class CohortLine:
    cohort: Cohort
    learners: int
    invited: int
    assignments: int
    completion: int  # percent of assignments completed, people invited counting as not complete
    overdue: int  # learners with at least one overdue assignment


@dataclass
class OrganisationLine:
    name: str
    cohorts: int
    people: int
    completion: int


@dataclass
class OverdueLine:
    cohort: Cohort
    user_id: int
    name: str
    email: str
    assignment: str
    due_on: date


@dataclass
class ExpiringLine:
    cohort: Cohort
    user_id: int
    name: str
    course: str
    code: str
    expires_on: date


@dataclass
class Report:
    today: date
    everyone: bool  # an administrator's report, across all cohorts
    organisation: str = ""  # an organisation administrator's report: its name
    cohorts: list[CohortLine] = field(default_factory=list)
    organisations: list[OrganisationLine] = field(default_factory=list)
    overdue: list[OverdueLine] = field(default_factory=list)
    expiring: list[ExpiringLine] = field(default_factory=list)

    @property
    def completion(self) -> int:
        """Across all the cohorts in the report."""
        return _weighted([(line.completion, (line.learners + line.invited) * line.assignments)
                          for line in self.cohorts])


def _weighted(pairs: list[tuple[int, int]]) -> int:
    total = sum(weight for _, weight in pairs)
    return round(sum(value * weight for value, weight in pairs) / total) if total else 0


def report(actor: User, today: date | None = None) -> Report:
    """The cohorts a trainer trains (every cohort for an administrator), not archived.

    A command's report may cover a thousand cohorts, so it is read in a fixed number of
    statements whatever their number: the database counts the completed (learner, assignment)
    pairs per cohort and returns only the pairs that may be overdue, with the same rules as the cohort
    dashboard (`assignments._cells`)."""
    if not policy.can_see_command_reports(actor):
        raise NotAllowed()
    result = Report(today or local_dates.today_for(actor), policy.is_admin(actor))
    if not result.everyone and policy.is_organisation_admin(actor) and actor.membership is not None:
        result.organisation = actor.membership.organisation.name
    shown = cohorts.visible_to(actor)
    by_id = {cohort.id: cohort for cohort in shown}
    if by_id:
        _fill(result, by_id, today)
    grouped: dict[str, list[CohortLine]] = defaultdict(list)
    for line in result.cohorts:
        grouped[_organisation_of(line.cohort)].append(line)
    result.organisations = sorted(
        (OrganisationLine(name, len(lines), sum(x.learners + x.invited for x in lines),
                          _weighted([(x.completion, (x.learners + x.invited) * x.assignments) for x in lines]))
         for name, lines in grouped.items()), key=lambda o: (o.name == "", o.name.lower()))
    result.overdue.sort(key=lambda o: (o.due_on, o.name.lower()))
    result.expiring.sort(key=lambda e: (e.expires_on, e.name.lower()))
    return result


def _organisation_of(cohort: Cohort) -> str:
    """The organisation that holds the cohort, or else the one its trainer named."""
    return cohort.holder.organisation.name if cohort.holder else cohort.organisation.strip()


def _fill(result: Report, by_id: dict[int, Cohort], today: date | None) -> None:
    """``today``: one date for every learner (else each learner's own)."""
    ids = list(by_id)
    titles = catalogue.published_titles()
    assigned = list(db.session.scalars(sa.select(Assignment).where(Assignment.cohort_id.in_(ids))))
    learners = _counts(sa.select(CohortMember.cohort_id, sa.func.count()).where(CohortMember.cohort_id.in_(ids))
                       .group_by(CohortMember.cohort_id))
    invited = _counts(sa.select(Invitation.cohort_id, sa.func.count()).where(
        Invitation.cohort_id.in_(ids), Invitation.accepted_at.is_(None), Invitation.declined_at.is_(None))
        .group_by(Invitation.cohort_id))
    pairs = _pairs(ids)
    done = _counts(sa.select(pairs.c.cohort_id, sa.func.count()).where(pairs.c.done.is_not(None))
                   .group_by(pairs.c.cohort_id))
    # Overdue once the date has passed where the learner is (as on the cohort's dashboard): the
    # database returns what may be overdue somewhere, each learner's own date decides.
    now = datetime.now(UTC)
    late = [row for row in db.session.execute(
        sa.select(pairs.c.cohort_id, pairs.c.assignment_id, pairs.c.due_on, User.id, User.name, User.email,
                  User.timezone)
        .join(User, User.id == pairs.c.user_id)
        .where(pairs.c.done.is_(None), pairs.c.due_on < (today or local_dates.latest_today(now))))
        if today is not None or row.due_on < local_dates.today_in(row.timezone, now)]
    by_assignment = {a.id: a for a in assigned}
    per_cohort: Counter[int] = Counter(a.cohort_id for a in assigned)
    overdue_learners: dict[int, set[int]] = defaultdict(set)
    for row in late:
        a = by_assignment[row.assignment_id]
        overdue_learners[row.cohort_id].add(row.id)
        result.overdue.append(OverdueLine(by_id[row.cohort_id], row.id, row.name, row.email,
                                          _title(titles, a), a.due_on))
    for cohort_id, cohort in by_id.items():
        people, tasks = learners[cohort_id] + invited[cohort_id], per_cohort[cohort_id]
        completion = round(100 * done[cohort_id] / (people * tasks)) if people and tasks else 0
        result.cohorts.append(CohortLine(cohort, learners[cohort_id], invited[cohort_id], tasks, completion,
                                         len(overdue_learners[cohort_id])))
    result.expiring += _expiring(by_id, result.today)


def _counts(stmt: sa.Select[int, int]) -> Counter[int]:
    return Counter({key: count for key, count in db.session.execute(stmt)})


def _pairs(cohort_ids: list[int]) -> sa.Subquery:
    """Every (cohort, assignment, member) of the cohorts, with when the member completed the
    assignment (NULL if not): the course's completion for a course assignment, the module's for
    a module assignment. Each completion is read by its whole key (learner, course and module), a
    probe of a unique index per member and assignment, so a trainer's report reads their learners'
    rows however large the installation. (Joined as subqueries filtered on the cohorts' members,
    PostgreSQL probed by learner alone and tested every course of theirs: eight times the reads.)"""
    course_done = (sa.select(Enrolment.completed_at)
                   .where(Enrolment.user_id == CohortMember.user_id, Enrolment.course_id == Assignment.course_id)
                   .scalar_subquery())
    module_done = (sa.select(ModuleProgress.completed_at)
                   .where(ModuleProgress.user_id == CohortMember.user_id,
                          ModuleProgress.course_id == Assignment.course_id, ModuleProgress.module == Assignment.module,
                          ModuleProgress.state == ModuleState.COMPLETED)
                   .scalar_subquery())
    return (sa.select(Assignment.cohort_id, Assignment.id.label("assignment_id"), Assignment.due_on,
                      CohortMember.user_id,
                      sa.case((Assignment.module.is_(None), course_done), else_=module_done).label("done"))
            .join(CohortMember, CohortMember.cohort_id == Assignment.cohort_id)
            .where(Assignment.cohort_id.in_(cohort_ids)).subquery())


def _expiring(by_id: dict[int, Cohort], today: date) -> list[ExpiringLine]:
    """Members' valid certificates, for a course assigned to their cohort, that expire within
    the window."""
    until = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    assigned_course = sa.exists().where(Assignment.cohort_id == CohortMember.cohort_id,
                                        Assignment.course_id == Certificate.course_id)
    rows = db.session.execute(
        sa.select(CohortMember.cohort_id, Certificate)
        .join(Certificate, Certificate.user_id == CohortMember.user_id)
        .where(CohortMember.cohort_id.in_(list(by_id)), assigned_course, Certificate.revoked_at.is_(None),
               Certificate.expires_on.is_not(None), Certificate.expires_on >= today,
               Certificate.expires_on <= until)).all()
    # The learners' names as they are now, for the few certificates found (joining the users
    # table above would have the planner read all of it).
    holders = {certificate.user_id for _, certificate in rows}
    names = {user_id: name for user_id, name in db.session.execute(
        sa.select(User.id, User.name).where(User.id.in_(holders)))} if holders else {}
    found = []
    for cohort_id, certificate in rows:
        if (certificate.user_id is not None and certificate.expires_on is not None
                and certificate.state(today) == CertificateState.VALID):
            found.append(ExpiringLine(by_id[cohort_id], certificate.user_id, names.get(certificate.user_id, ""),
                                      certificate.course_title, certificate.code, certificate.expires_on))
    return found


def report_csv(actor: User, found: Report) -> bytes:
    """The report as one sheet in three parts, each with its own header row."""
    rows: list[list[object]] = [["Completion by cohort"],
                                ["Cohort", "Organisation", "Learners", "Invited, not joined", "Assignments",
                                 "Completed %", "Learners overdue"]]
    rows += [[safe_cell(c.cohort.name), safe_cell(c.cohort.organisation), c.learners, c.invited, c.assignments,
              c.completion, c.overdue] for c in found.cohorts]
    rows += [[], ["Completion by organisation"], ["Organisation", "Cohorts", "People", "Completed %"]]
    rows += [[safe_cell(o.name), o.cohorts, o.people, o.completion] for o in found.organisations]
    rows += [[], ["Overdue learners"], ["Cohort", "Name", "Email", "Assignment", "Due on"]]
    rows += [[safe_cell(o.cohort.name), safe_cell(o.name), safe_cell(o.email), safe_cell(o.assignment),
              o.due_on.isoformat()] for o in found.overdue]
    rows += [[], [f"Certificates expiring by {(found.today + timedelta(days=EXPIRY_WINDOW_DAYS)).isoformat()}"],
             ["Cohort", "Name", "Course", "Certificate code", "Valid until"]]
    rows += [[safe_cell(e.cohort.name), safe_cell(e.name), safe_cell(e.course), e.code, e.expires_on.isoformat()]
             for e in found.expiring]
    audit.record(actor, "export-report-csv", "cohorts", cohorts=len(found.cohorts))
    return csv_bytes(rows)


def report_pdf(actor: User, found: Report) -> bytes:
    """A printable report in the reader's language; like the certificates, it may read nothing
    but the font folder and fetches nothing from the network."""
    cfg = current_app.config
    font_dir = cfg["CERTIFICATE_FONT_DIR"]
    html = render_template("cohorts/report_pdf.html", report=found, font_dir=font_dir,
                           organisation=cfg["ORGANISATION_NAME"], page_size=cfg["CERTIFICATE_PAGE_SIZE"],
                           title=_("Training report"), window=EXPIRY_WINDOW_DAYS, listed=LISTED)
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8",
                            resource_policy=ResourceAccessPolicy.server(base_dir=font_dir, allow_remote=False))
    if result.err:
        raise RuntimeError(f"the report could not be rendered ({result.err} errors)")
    audit.record(actor, "export-report-pdf", "cohorts", cohorts=len(found.cohorts))
    return output.getvalue()
