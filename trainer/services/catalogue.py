"""What learners can find: published courses in their latest version, and their modules."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from trainer import policy
from trainer.extensions import db
from trainer.models import Course, CourseVersion, Enrolment, Module, ModuleProgress, User
from trainer.services import progress
from trainer.services.errors import NotFound


@dataclass
class CatalogueEntry:
    course: Course
    version: CourseVersion
    recommended: bool


def latest_published(slug: str | None = None, with_modules: bool = False,
                     course_ids: Collection[int] | None = None) -> list[tuple[Course, CourseVersion]]:
    """Each course whose newest version is published (of ``course_ids`` only, if given), with that
    version, by title; with ``with_modules``, each version's modules are read in the same round
    (one more statement, not one per course; for one course, none more)."""
    if slug is not None:
        stmt = _NEWEST_WITH_MODULES if with_modules else _NEWEST
        return [(course, version) for course, version in db.session.execute(stmt, {"slug": slug}).unique()
                if version.status == "published"]
    stmt = _PUBLISHED[course_ids is not None, with_modules]
    params = {"course_ids": list(course_ids)} if course_ids is not None else {}
    return [(course, version) for course, version in db.session.execute(stmt, params)]


def published_titles() -> dict[int, str]:
    """Each published course's title (of its newest version), by course id: what lists of
    assignments and cohorts show, read as two columns rather than every course and version whole."""
    return {course_id: title for course_id, title in db.session.execute(_TITLES)}


# Every learner's page reads courses through these, so they are built once: building and keying
# a statement costs more than running it on these small reads (see services/sessions.py).
# One course: its newest version by number, a cheaper plan than grouping every course; its
# modules (without their bodies) joined in the same statement.
_NEWEST = (sa.select(Course, CourseVersion).join(CourseVersion, CourseVersion.course_id == Course.id)
           .where(Course.slug == sa.bindparam("slug")).order_by(CourseVersion.number.desc()).limit(1))
_NEWEST_WITH_MODULES = _NEWEST.options(joinedload(CourseVersion.modules))
# Every course: the highest version number of each, kept where it is published.
_LATEST = (sa.select(CourseVersion.course_id, sa.func.max(CourseVersion.number).label("number"))
           .group_by(CourseVersion.course_id).subquery())
_IS_LATEST = sa.and_(_LATEST.c.course_id == CourseVersion.course_id, _LATEST.c.number == CourseVersion.number)
_ALL_PUBLISHED = (sa.select(Course, CourseVersion).join(CourseVersion, CourseVersion.course_id == Course.id)
                  .join(_LATEST, _IS_LATEST).where(CourseVersion.status == "published").order_by(CourseVersion.title))
_SOME_PUBLISHED = _ALL_PUBLISHED.where(Course.id.in_(sa.bindparam("course_ids", expanding=True)))
_PUBLISHED = {  # (of some courses only, with their modules)
    (False, False): _ALL_PUBLISHED, (True, False): _SOME_PUBLISHED,
    (False, True): _ALL_PUBLISHED.options(selectinload(CourseVersion.modules)),
    (True, True): _SOME_PUBLISHED.options(selectinload(CourseVersion.modules)),
}
_TITLES = (sa.select(CourseVersion.course_id, CourseVersion.title).join(_LATEST, _IS_LATEST)
           .where(CourseVersion.status == "published"))


def recommended_for(user: User, version: CourseVersion) -> bool:
    """A course is for a learner when it covers their sector and, if it names specialties, theirs."""
    if user.sector not in version.sectors:
        return False
    return not version.specialties or user.specialty in version.specialties


def catalogue(user: User, language: str | None = None) -> list[CatalogueEntry]:
    """Published courses, the learner's own first (their sector and specialty), then the rest;
    with ``language``, only the courses written in it."""
    entries = [CatalogueEntry(c, v, recommended_for(user, v)) for c, v in latest_published()
               if language is None or v.language == language]
    return sorted(entries, key=lambda e: (not e.recommended, e.version.title.lower()))


def catalogue_languages() -> list[str]:
    """The languages published courses are written in, each once, sorted by code."""
    return sorted({version.language for _course, version in latest_published()})


def course_version(user: User, slug: str) -> tuple[Course, CourseVersion]:
    """The latest published version of a course, its modules read with it (administrators may
    also see drafts)."""
    found = latest_published(slug, with_modules=True)
    if found:
        return found[0]
    if policy.can_author(user):
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        if course is not None and course.versions:
            return course, course.versions[-1]
    raise NotFound()


def next_module(version: CourseVersion, module: Module) -> Module | None:
    """The module after ``module`` in the version, or None after the last."""
    slugs = [m.slug for m in version.modules]
    if module.slug not in slugs or slugs.index(module.slug) + 1 >= len(slugs):
        return None
    return version.modules[slugs.index(module.slug) + 1]


def module(version: CourseVersion, module_slug: str) -> Module:
    """One of the version's modules, from the list read with it; its body is read when used."""
    found = next((m for m in version.modules if m.slug == module_slug), None)
    if found is None:
        raise NotFound()
    return found


@dataclass
class LearningItem:
    course: Course
    version: CourseVersion
    percent: int
    completed_at: datetime | None
    resume: Module | None
    anchor: str = ""


def my_learning(user: User) -> list[LearningItem]:
    """The courses the learner has begun or finished, most recently visited first. A fixed number
    of queries however many courses: progress rows and modules are read once for all of them."""
    enrolments = list(db.session.scalars(_MY_ENROLMENTS, {"user_id": user.id}))
    if not enrolments:
        return []
    # Only the courses begun, each version's modules read in the same round.
    published = {course.id: (course, version) for course, version in latest_published(
        with_modules=True, course_ids=[record.course_id for record in enrolments])}
    enrolments = [record for record in enrolments if record.course_id in published]
    course_ids = [record.course_id for record in enrolments]
    rows: dict[int, dict[str, ModuleProgress]] = {course_id: {} for course_id in course_ids}
    for row in db.session.scalars(_MY_PROGRESS, {"user_id": user.id, "course_ids": course_ids}):
        rows[row.course_id][row.module] = row
    items = []
    for record in enrolments:
        course, version = published[record.course_id]
        state = progress.course_progress(user, course, version, rows[record.course_id])
        resume = state.next_module(record.last_module)
        items.append(LearningItem(course, version, state.percent, record.completed_at, resume,
                                  state.resume_anchor(resume)))
    return items


# My learning is the page learners open most after a lesson: its statements are built once.
_MY_ENROLMENTS = (sa.select(Enrolment).where(Enrolment.user_id == sa.bindparam("user_id"))
                  .order_by(Enrolment.last_visited_at.desc().nullslast()))
_MY_PROGRESS = sa.select(ModuleProgress).where(ModuleProgress.user_id == sa.bindparam("user_id"),
                                               ModuleProgress.course_id.in_(sa.bindparam("course_ids", expanding=True)))
