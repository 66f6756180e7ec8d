"""Assignments: courses (or single modules) a cohort must finish by a date, and where every
learner stands. The queries do not grow with the cohort: a dashboard reads members,
enrolments and module progress in one query each."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date, lazy_gettext as _l

from trainer import policy
from trainer.extensions import db
from trainer.models import Assignment, Cohort, CohortMember, Enrolment, Invitation, ModuleProgress, User
from trainer.services import audit, catalogue, local_dates
from trainer.services.errors import InvalidInput, NotFound
from trainer.services.spreadsheets import csv_bytes, safe_cell
from trainer.vocabulary import AssignmentState, ModuleState


def add(actor: User, cohort: Cohort, course_slug: str, module_slug: str | None, due_on: date | None,
        today: date | None = None) -> Assignment:
    """Assign a course or one of its modules; a due date in the past is refused."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    found = catalogue.latest_published(course_slug)
    if not found:
        raise InvalidInput("course", str(_l("Choose a published course.")))
    course, version = found[0]
    if module_slug and module_slug not in {m.slug for m in version.modules}:
        raise InvalidInput("module", str(_l("That module is not part of the course.")))
    if due_on is None:
        raise InvalidInput("due_on", str(_l("Give a due date.")))
    if due_on < (today or local_dates.today_for(actor)):
        raise InvalidInput("due_on", str(_l(
            "The due date %(date)s has passed. Choose today or a later date.", date=format_date(due_on))))
    duplicate = db.session.scalar(sa.select(Assignment).where(
        Assignment.cohort_id == cohort.id, Assignment.course_id == course.id,
        Assignment.module.is_(None) if not module_slug else Assignment.module == module_slug))
    if duplicate is not None:
        raise InvalidInput("course", str(_l("This is assigned to the cohort already.")))
    assignment = Assignment(cohort_id=cohort.id, course_id=course.id, module=module_slug or None, due_on=due_on)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def remove(actor: User, cohort: Cohort, assignment_id: int) -> None:
    """Remove one of the cohort's assignments; naming another cohort's is refused and recorded."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    if assignment.cohort_id != cohort.id:
        if not policy.can_manage_cohort(actor, assignment.cohort):
            audit.record_refusal(actor, "cohort-access-refused", f"cohort {assignment.cohort_id}",
                                 assignment=assignment.id)
        raise NotFound()
    db.session.delete(assignment)
    db.session.flush()


@dataclass
class Status:
    state: AssignmentState
    completed_at: datetime | None = None


# What _progress_for found: by (user, course) and by (user, course, module), when the learner
# completed it (or 1, undated), or None if they started and have not finished; no key if they
# never started.
Enrolments = dict[tuple[int | str, ...], datetime | int | None]
ModuleRows = dict[tuple[int | str, ...], datetime | int | None]


def _cells(learners: Iterable[Any], assignments_: list[Assignment], enrolments: Enrolments, modules: ModuleRows,
           today: date | None) -> dict[tuple[int, int], Status]:
    """Every learner's status on every assignment, as one tight loop over plain values (a cohort
    of 2,000 with 15 assignments is 30,000 cells; ``learners`` are rows with an ``id`` and a
    ``timezone``). A course assignment is done when the course is completed, a module assignment
    when the module is; any enrolment or module progress counts as started. Unfinished work is
    overdue once its date has passed where the learner is (or, given ``today``, on that date for
    everyone). A completion read undated (see ``_progress_for``) gives a status without its date."""
    plain = [(a.id, a.course_id, a.module, a.due_on) for a in assignments_]
    now = datetime.now(UTC)
    dates: dict[str | None, date] = {}  # each time zone's date, worked out once
    not_started, in_progress, overdue = (Status(AssignmentState.NOT_STARTED), Status(AssignmentState.IN_PROGRESS),
                                         Status(AssignmentState.OVERDUE))
    completed = AssignmentState.COMPLETED
    undated = Status(completed)
    cells: dict[tuple[int, int], Status] = {}
    for learner in learners:
        uid, zone = learner.id, learner.timezone
        learner_today = today or dates.get(zone) or dates.setdefault(zone, local_dates.today_in(zone, now))
        for aid, course_id, module, due_on in plain:
            found = enrolments if module is None else modules
            key = (uid, course_id) if module is None else (uid, course_id, module)
            done = found.get(key)
            if done is not None:
                cells[(uid, aid)] = Status(completed, done) if isinstance(done, datetime) else undated
            elif learner_today > due_on:
                cells[(uid, aid)] = overdue
            else:
                cells[(uid, aid)] = in_progress if key in found else not_started
    return cells


def _assigned_modules(assigned: list[Assignment], cohort_id: int | None) -> sa.ColumnElement[bool]:
    """A module progress row of a module assigned. For one cohort, matched pair by pair against
    its assignments: PostgreSQL then probes the unique index once per learner and module assigned,
    where lists of courses and of modules make it try every course with every module (three
    times the reads for a cohort of 2,000 at 100,000 learners)."""
    if cohort_id is not None:
        return sa.tuple_(ModuleProgress.course_id, ModuleProgress.module).in_(
            sa.select(Assignment.course_id, Assignment.module).where(Assignment.cohort_id == cohort_id,
                                                                     Assignment.module.is_not(None)))
    return sa.and_(ModuleProgress.course_id.in_({a.course_id for a in assigned if a.module is not None}),
                   ModuleProgress.module.in_({a.module for a in assigned if a.module is not None}))


def _progress_for(users: list[int] | sa.Select[Any], assigned: list[Assignment],
                  dated: bool = True, cohort_id: int | None = None) -> tuple[Enrolments, ModuleRows]:
    """What ``_cells`` reads of many learners: their enrolments in the courses assigned whole, and
    their progress in the modules assigned (not every module of those courses: a cohort of 2,000
    in a dozen courses has a hundred thousand of those). Two queries, read as plain rows.
    ``users`` is a list of ids or a subquery of ids; with ``dated=False`` a completion reads as 1,
    not its date; ``cohort_id``: ``assigned`` are that cohort's assignments."""
    if not assigned or (isinstance(users, list) and not users):
        return {}, {}
    whole = {a.course_id for a in assigned if a.module is None}
    parts = {(a.course_id, a.module) for a in assigned if a.module is not None}
    enrolments: Enrolments = {}
    modules: ModuleRows = {}
    if whole:
        done = Enrolment.completed_at if dated else sa.case((Enrolment.completed_at.is_not(None), 1))
        enrolments = {(user, course): when for user, course, when in db.session.execute(
            sa.select(Enrolment.user_id, Enrolment.course_id, done).where(
                Enrolment.user_id.in_(users), Enrolment.course_id.in_(whole)))}
    if parts:
        finished = sa.and_(ModuleProgress.state == ModuleState.COMPLETED, ModuleProgress.completed_at.is_not(None))
        done = sa.case((finished, ModuleProgress.completed_at if dated else 1))
        modules = {(user, course, module): when for user, course, module, when in db.session.execute(
            sa.select(ModuleProgress.user_id, ModuleProgress.course_id, ModuleProgress.module, done).where(
                ModuleProgress.user_id.in_(users), _assigned_modules(assigned, cohort_id)))}
    return enrolments, modules


def _completed_counts(users: sa.Select[Any], assigned: list[Assignment], cohort_id: int) -> Counter[int]:
    """How many of ``users`` completed each of the cohort's assignments, counted by the database:
    what the totals row needs without reading every learner's progress (two grouped queries at
    most)."""
    whole = {a.course_id for a in assigned if a.module is None}
    parts = {(a.course_id, a.module) for a in assigned if a.module is not None}
    by_course: dict[int, int] = {}
    by_module: dict[tuple[int, str], int] = {}
    if whole:
        by_course = {course: n for course, n in db.session.execute(
            sa.select(Enrolment.course_id, sa.func.count()).where(
                Enrolment.user_id.in_(users), Enrolment.course_id.in_(whole), Enrolment.completed_at.is_not(None))
            .group_by(Enrolment.course_id))}
    if parts:
        by_module = {(course, module): n for course, module, n in db.session.execute(
            sa.select(ModuleProgress.course_id, ModuleProgress.module, sa.func.count()).where(
                ModuleProgress.user_id.in_(users), _assigned_modules(assigned, cohort_id),
                ModuleProgress.state == ModuleState.COMPLETED, ModuleProgress.completed_at.is_not(None))
            .group_by(ModuleProgress.course_id, ModuleProgress.module))}
    return Counter({a.id: by_course.get(a.course_id, 0) if a.module is None
                    else by_module.get((a.course_id, a.module), 0) for a in assigned})


@dataclass
class LearnerAssignment:
    assignment: Assignment
    cohort: Cohort
    title: str
    status: Status


def for_learner(user: User, today: date | None = None) -> list[LearnerAssignment]:
    """Everything assigned to the learner through their cohorts, soonest due first; overdue
    once a due date has passed where they are (or on ``today``, if given)."""
    rows = db.session.execute(_FOR_LEARNER, {"user_id": user.id}).all()
    enrolments, modules = _progress_for([user.id], [a for a, _ in rows])
    cells = _cells([user], [a for a, _ in rows], enrolments, modules, today)
    titles = catalogue.published_titles()
    return [LearnerAssignment(a, cohort, titles.get(a.course_id, ""), cells[(user.id, a.id)]) for a, cohort in rows]



# Asked on every visit to My learning: built once (see services/sessions.py).
_FOR_LEARNER = (sa.select(Assignment, Cohort).join(Cohort, Cohort.id == Assignment.cohort_id)
                .join(CohortMember, CohortMember.cohort_id == Cohort.id)
                .where(CohortMember.user_id == sa.bindparam("user_id"), Cohort.archived.is_(False))
                .order_by(Assignment.due_on))

PAGE_SIZE = 100


def _pages(learners: int) -> int:
    return max(1, -(-learners // PAGE_SIZE))


@dataclass
class Dashboard:
    cohort: Cohort
    assignments: list[Assignment]
    learners: list  # rows of (id, name, email, active), filtered and sorted
    # (user id, assignment id) -> status: of every learner, or with ``totals`` of one page's only
    cells: dict[tuple[int, int], Status]
    titles: dict[int, str]
    # People invited who have not answered yet: they count as not complete in the totals, so a
    # cohort where half the list never joined does not look finished.
    invited: int = 0
    filtered: bool = False  # only the learners with an assignment in a chosen state are shown
    number: int = 1  # the page shown
    totals: Counter[int] | None = None  # completions per assignment, counted by the database

    def page(self, number: int) -> list:
        """One screenful of learners; totals and the CSV always cover them all."""
        start = (max(number, 1) - 1) * PAGE_SIZE
        return self.learners[start:start + PAGE_SIZE]

    @property
    def pages(self) -> int:
        return _pages(len(self.learners))

    @cached_property
    def _done(self) -> tuple[Counter[int], Counter[int]]:
        """How many of the learners shown completed each assignment, and how many assignments each
        learner completed: one pass over the cells, shared by the totals row, the overall figure
        and each learner's share."""
        completed = AssignmentState.COMPLETED
        by_assignment: Counter[int] = Counter()
        by_learner: Counter[int] = Counter()
        shown = {u.id for u in self.learners} if self.filtered else None
        for (user_id, assignment_id), status in self.cells.items():
            if status.state == completed and (shown is None or user_id in shown):
                by_assignment[assignment_id] += 1
                by_learner[user_id] += 1
        return (by_assignment if self.totals is None else self.totals), by_learner

    def completion(self, assignment: Assignment) -> int:
        people = len(self.learners) + self.invited
        if not people:
            return 0
        return round(100 * self._done[0][assignment.id] / people)

    def overall(self) -> int:
        total = (len(self.learners) + self.invited) * len(self.assignments)
        if not total:
            return 0
        return round(100 * sum(self._done[0].values()) / total)

    def learner_completion(self, user: Any) -> int:
        """``user``: one of ``learners`` (a row with an ``id``) whose cells were read."""
        total = len(self.assignments)
        return round(100 * self._done[1][user.id] / total) if total else 0


def dashboard(actor: User | None, cohort: Cohort, state: str = "", sort: str = "name",
              today: date | None = None, check: bool = True, dated: bool = False,
              page: int | None = None) -> Dashboard:
    """Learners × assignments for a trainer, optionally only learners with an assignment in
    ``state``, sorted by name or by completion. Work is overdue once its date has passed where
    each learner is, unless ``today`` gives one date for everyone. ``check=False`` is for
    scheduled work only; ``dated=True`` gives each completed cell its date (reading them all is a
    third of the time of a large cohort's page, which does not show them).

    With ``page`` (a screen, not a CSV), learners by name and unfiltered: only that page's cells
    are read, and the totals are counted by the database, so a cohort of 2,000 reads a hundred
    learners' progress instead of all of it. Filtering or sorting by completion needs every
    learner's cells."""
    if check and not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    assignments = list(cohort.assignments)
    member_ids = sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    learners = list(db.session.execute(sa.select(User.id, User.name, User.email, User.active, User.timezone)
                                       .where(User.id.in_(member_ids)).order_by(User.name, User.id)))
    filtered = state in AssignmentState.values()
    number, totals = min(max(page or 1, 1), _pages(len(learners))), None
    if page is not None and not filtered and sort != "completion":
        shown = learners[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
        enrolments, modules = _progress_for([u.id for u in shown], assignments, dated, cohort.id)
        cells = _cells(shown, assignments, enrolments, modules, today)
        totals = _completed_counts(member_ids, assignments, cohort.id)
    else:
        enrolments, modules = _progress_for(member_ids, assignments, dated, cohort.id)
        cells = _cells(learners, assignments, enrolments, modules, today)
    titles = catalogue.published_titles()
    invited = db.session.scalar(sa.select(sa.func.count()).select_from(Invitation).where(
        Invitation.cohort_id == cohort.id, Invitation.accepted_at.is_(None), Invitation.declined_at.is_(None)))
    board = Dashboard(cohort, assignments, learners, cells, titles, 0 if filtered else invited or 0, filtered,
                      number, totals)
    if filtered:
        board.learners = [u for u in learners if any(cells[(u.id, a.id)].state == state for a in assignments)]
    if sort == "completion":
        board.learners.sort(key=lambda u: (board.learner_completion(u), u.name))
    board.number = min(number, board.pages)  # filtering may leave fewer pages
    return board


def export_csv(actor: User, board: Dashboard) -> bytes:
    """The dashboard as shown, with totals; UTF-8 with a byte-order mark so spreadsheets read it."""
    header = ["Name", "Email"] + [f"{board.titles.get(a.course_id, '')}{' / ' + a.module if a.module else ''} "
                                  f"(due {a.due_on.isoformat()})" for a in board.assignments] + ["Completed %"]
    audit.record(actor, "export-cohort-csv", f"cohort {board.cohort.id}", learners=len(board.learners))
    rows: list[Sequence[object]] = [[safe_cell(h) for h in header]]
    for user in board.learners:
        rows.append([safe_cell(user.name), safe_cell(user.email)]
                    + [board.cells[(user.id, a.id)].state for a in board.assignments]
                    + [board.learner_completion(user)])
    rows.append(["Completed %", ""] + [board.completion(a) for a in board.assignments] + [board.overall()])
    return csv_bytes(rows)
