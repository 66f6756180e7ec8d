"""Learners' progress through courses: enrolment, module states, resume, completion."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar, overload

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from trainer.extensions import db
from trainer.models import Course, CourseVersion, Enrolment, Module, ModuleProgress, QuizAttempt, User
from trainer.services import certificates, lti_people, xapi
from trainer.vocabulary import ModuleState as State

# A visit counts towards time spent for at most this long: a tab left open overnight is not study.
MAX_COUNTED_SECONDS = 300
# Opening the same module again within this many seconds writes nothing (reloads, back and forth).
REVISIT_SECONDS = 30

RowT = TypeVar("RowT", Enrolment, ModuleProgress)

# Read on every lesson, quiz and course page, so built once: building and keying a statement
# costs more than running it on these small lookups (see services/sessions.py).
_ENROLMENT = sa.select(Enrolment).where(Enrolment.user_id == sa.bindparam("user_id"),
                                        Enrolment.course_id == sa.bindparam("course_id"))
_PROGRESS_ROWS = sa.select(ModuleProgress).where(ModuleProgress.user_id == sa.bindparam("user_id"),
                                                 ModuleProgress.course_id == sa.bindparam("course_id"))
_MODULE_PROGRESS = _PROGRESS_ROWS.where(ModuleProgress.module == sa.bindparam("module"))


@overload
def enrolment(user: User, course: Course, create: Literal[True]) -> Enrolment: ...
@overload
def enrolment(user: User, course: Course, create: Literal[False] = False) -> Enrolment | None: ...
def enrolment(user: User, course: Course, create: bool = False) -> Enrolment | None:
    """The learner's enrolment in a course; with ``create``, made if there is none (never None)."""
    found = db.session.scalar(_ENROLMENT, {"user_id": user.id, "course_id": course.id})
    if found is None and create:
        found = _insert_once(Enrolment(user_id=user.id, course_id=course.id),
                             lambda: enrolment(user, course))
    return found


def _insert_once(row: RowT, reload: Callable[[], RowT | None]) -> RowT:
    """Insert a row guarded by a unique constraint; if a parallel request won, use theirs.

    Any other integrity error (no row to reload) is raised, not turned into None.
    """
    try:
        with db.session.begin_nested():
            db.session.add(row)
        return row
    except IntegrityError:
        theirs = reload()
        if theirs is None:
            raise
        return theirs


@overload
def module_progress(user: User, course: Course, slug: str, create: Literal[True]) -> ModuleProgress: ...
@overload
def module_progress(user: User, course: Course, slug: str,
                    create: Literal[False] = False) -> ModuleProgress | None: ...
def module_progress(user: User, course: Course, slug: str, create: bool = False) -> ModuleProgress | None:
    """The learner's row for one module; with ``create``, made if there is none (never None)."""
    found = db.session.scalar(_MODULE_PROGRESS, {"user_id": user.id, "course_id": course.id, "module": slug})
    if found is None and create:
        found = _insert_once(ModuleProgress(user_id=user.id, course_id=course.id, module=slug,
                                            skipped=[], done_sections=[]),
                             lambda: module_progress(user, course, slug))
    return found


def visit(user: User, course: Course, module: Module, position: str | None = None,
          rows: dict[str, ModuleProgress] | None = None) -> ModuleProgress:
    """Record that the learner opened a module (enrolling them if needed); counts time spent.

    ``rows`` are the learner's progress rows for the course when the caller has them already.
    """
    record = enrolment(user, course, create=True)
    now = datetime.now(UTC)
    progress = rows.get(module.slug) if rows is not None else None
    if progress is None:
        progress = module_progress(user, course, module.slug, create=True)
        if rows is not None:
            rows[module.slug] = progress
    recent = (record.last_module == module.slug and record.last_visited_at is not None
              and (now - record.last_visited_at).total_seconds() < REVISIT_SECONDS)
    if recent and not position and progress.state != State.NOT_STARTED:
        return progress
    record.last_module, record.last_visited_at = module.slug, now
    if progress.state != State.COMPLETED:
        progress.state = State.IN_PROGRESS
    if progress.updated_at:
        progress.seconds_spent += int(min((now - progress.updated_at).total_seconds(), MAX_COUNTED_SECONDS))
    progress.updated_at = now
    if position:
        progress.position = position
    db.session.flush()
    return progress


def complete_module(user: User, course: Course, version: CourseVersion, slug: str,
                    score: float | None = None) -> ModuleProgress:
    progress = module_progress(user, course, slug, create=True)
    newly = progress.state != State.COMPLETED
    changed = newly or (score is not None and score > (progress.score or 0.0))
    if newly:
        progress.state = State.COMPLETED
        progress.completed_at = datetime.now(UTC)
    if score is not None:
        progress.score = max(score, progress.score or 0.0)
    db.session.flush()
    if newly:
        xapi.module_completed(user, course, version, progress)
    if changed:  # the grade goes back to an LMS that launched the module (a job, after the commit)
        lti_people.completed(user, course, slug, progress.score)
    update_completion(user, course, version)
    return progress


def note_percent(row: ModuleProgress, percent: int) -> None:
    """Record how far through a module the learner got; it never goes back (a replayed scenario
    or a section reread keeps the furthest point), and only completion makes it 100."""
    if row.state != State.COMPLETED:
        row.percent = max(row.percent or 0, min(int(percent), 99))


@dataclass
class ModuleState:
    """A module of the course with the learner's state in it."""

    module: Module
    state: State
    score: float | None
    attempts: int
    position: str | None = None  # the last section or node seen
    percent: int = 0  # how far through the module: 100 once completed

    @property
    def share(self) -> float:
        """The part of the module done, from 0 to 1."""
        return 1.0 if self.state == State.COMPLETED else min(self.percent, 99) / 100


@dataclass
class CourseProgress:
    modules: list[ModuleState]

    @property
    def required(self) -> list[ModuleState]:
        return [m for m in self.modules if m.module.required]

    @property
    def percent(self) -> int:
        """The required modules done, counting those begun by how far the learner got (lessons
        read, scenario steps taken): never 100 until every required module is complete."""
        required = self.required
        if not required:
            return 100
        if self.complete:
            return 100
        return min(99, round(100 * sum(m.share for m in required) / len(required)))

    @property
    def complete(self) -> bool:
        return all(m.state == State.COMPLETED for m in self.required)

    def resume_anchor(self, module: Module | None) -> str:
        """Where in a lesson to land when resuming: the last section the learner reached."""
        if module is None:
            return ""
        state = next((m for m in self.modules if m.module.slug == module.slug), None)
        if state and state.position and module.kind == "lesson":
            return f"#section-{state.position}"
        return ""

    def next_module(self, after: str | None = None) -> Module | None:
        """The module to resume: the first not completed (after ``after``), else None."""
        slugs = [m.module.slug for m in self.modules]
        start = slugs.index(after) if after in slugs else 0
        for state in self.modules[start:] + self.modules[:start]:
            if state.state != State.COMPLETED:
                return state.module
        return None


def progress_rows(user: User, course: Course) -> dict[str, ModuleProgress]:
    """The learner's progress rows for a course, by module slug, in one query."""
    return {p.module: p for p in db.session.scalars(_PROGRESS_ROWS, {"user_id": user.id, "course_id": course.id})}


def course_progress(user: User, course: Course, version: CourseVersion,
                    rows: dict[str, ModuleProgress] | None = None) -> CourseProgress:
    """Each module of the version with the learner's state."""
    if rows is None:
        rows = progress_rows(user, course)
    states = []
    for module in version.modules:
        row = rows.get(module.slug)
        states.append(ModuleState(module, State(row.state) if row else State.NOT_STARTED,
                                  row.score if row else None, row.attempts if row else 0,
                                  row.position if row else None, row.percent or 0 if row else 0))
    return CourseProgress(states)


def open_module(user: User, course: Course, version: CourseVersion,
                module: Module) -> tuple[ModuleProgress, CourseProgress]:
    """Record a visit to a module and return its row with the course's progress, sharing one read."""
    rows = progress_rows(user, course)
    row = visit(user, course, module, rows=rows)
    return row, course_progress(user, course, version, rows)


def update_completion(user: User, course: Course, version: CourseVersion) -> bool:
    """Mark the course complete once every required module is done and every quiz passed.

    Quiz modules only become completed on a pass, so "done" covers both conditions.
    """
    record = enrolment(user, course, create=True)
    if record.completed_at is None and course_progress(user, course, version).complete:
        record.completed_at = datetime.now(UTC)
        record.completed_version = version.number
        db.session.flush()
        xapi.course_completed(user, course, version, record.completed_at)
        certificates.issue(user, course, version, record.completed_at)
        lti_people.completed(user, course, None, None)
        return True
    return False


def best_attempt(user: User, course: Course, slug: str) -> QuizAttempt | None:
    return db.session.scalar(sa.select(QuizAttempt).where(
        QuizAttempt.user_id == user.id, QuizAttempt.course_id == course.id, QuizAttempt.module == slug)
        .order_by(QuizAttempt.score.desc(), QuizAttempt.id.desc()).limit(1))
