"""Lessons: sections with content notes can be read, read in their non-graphic alternative,
or skipped for now; a lesson is complete when every noted section was read either way."""
from __future__ import annotations

from trainer.content import SectionSpec
from trainer.models import Course, CourseVersion, Module, ModuleProgress, User
from trainer.services import course_data, progress
from trainer.services.errors import InvalidInput
from trainer.vocabulary import ModuleState

ACTIONS = ("read", "alternative", "skip")
ALTERNATIVE = "alt:"  # prefix in done_sections for a section read in its alternative


def section_state(row: ModuleProgress | None, section: SectionSpec) -> str:
    """undecided, read, alternative or skipped (sections without a note are always 'read')."""
    if not section.note:
        return "read"
    if row is None:
        return "undecided"
    if section.id in row.done_sections:
        return "read"
    if ALTERNATIVE + section.id in row.done_sections:
        return "alternative"
    return "skipped" if section.id in row.skipped else "undecided"


def percent(row: ModuleProgress | None, sections: tuple[SectionSpec, ...]) -> int:
    """How far through the lesson the learner is: the sections up to the furthest one reached,
    a section behind a content note counting once it was read (in either version)."""
    if row is not None and row.state == ModuleState.COMPLETED:
        return 100
    ids = [s.id for s in sections]
    if row is None or not ids or row.position not in ids:
        return 0
    reached = ids.index(row.position)
    done = sum(section_state(row, s) in ("read", "alternative") for s in sections[:reached + 1])
    return round(100 * done / len(ids))


def reach(user: User, course: Course, version: CourseVersion, module: Module, section_id: str) -> ModuleProgress:
    """The learner has scrolled to a section: move their place forward (never back), so the
    module's progress and the place to resume follow their reading. Reaching the end of the
    last section completes the lesson, unless a content note is still waiting for a choice."""
    sections = course_data.kept_sections(module) if module.kind == "lesson" else ()
    ids = [s.id for s in sections]
    if section_id not in ids:
        raise InvalidInput("section", "unknown section")
    row = progress.module_progress(user, course, module.slug, create=True)
    current = ids.index(row.position) if row.position in ids else -1
    if ids.index(section_id) > current:
        row = progress.visit(user, course, module, position=section_id, rows={module.slug: row})
        progress.note_percent(row, percent(row, sections))
    if section_id == ids[-1] and row.state != ModuleState.COMPLETED and not _waiting(row, sections):
        row = progress.complete_module(user, course, version, module.slug)
    return row


def _waiting(row: ModuleProgress, sections: tuple[SectionSpec, ...]) -> list[SectionSpec]:
    """The noted sections the learner skipped or has not yet chosen how to read."""
    return [s for s in sections if section_state(row, s) in ("undecided", "skipped")]


def decide(user: User, course: Course, module: Module, section_id: str, action: str) -> ModuleProgress:
    """Record the learner's choice at a content note."""
    section = next((s for s in course_data.kept_sections(module) if s.id == section_id), None)
    if module.kind != "lesson" or section is None or section.note is None or action not in ACTIONS:
        raise InvalidInput("section", "unknown section or action")
    if action == "alternative" and not section.alternative_html:
        raise InvalidInput("section", "this section has no alternative")
    row = progress.visit(user, course, module, position=section_id)
    done = [d for d in row.done_sections if d not in (section_id, ALTERNATIVE + section_id)]
    skipped = [s for s in row.skipped if s != section_id]
    if action == "skip":
        skipped.append(section_id)
    else:
        done.append(section_id if action == "read" else ALTERNATIVE + section_id)
    row.done_sections, row.skipped = done, skipped
    progress.note_percent(row, percent(row, course_data.kept_sections(module)))
    return row


def finish(user: User, course: Course, version: CourseVersion, module: Module) -> list[SectionSpec]:
    """Complete the lesson if nothing is left; returns the noted sections still skipped or undecided."""
    if module.kind != "lesson":
        raise InvalidInput("module", "not a lesson")
    row = progress.module_progress(user, course, module.slug, create=True)
    open_sections = _waiting(row, course_data.kept_sections(module))
    if not open_sections:
        progress.complete_module(user, course, version, module.slug)
    return open_sections
