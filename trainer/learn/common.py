"""What the learning views share."""
from __future__ import annotations

from typing import overload

from flask_login import current_user

from trainer.models import Course, CourseVersion, Module
from trainer.services import catalogue


@overload
def open_course(slug: str, module_slug: None = None) -> tuple[Course, CourseVersion, None]: ...
@overload
def open_course(slug: str, module_slug: str) -> tuple[Course, CourseVersion, Module]: ...


def open_course(slug: str, module_slug: str | None = None) -> tuple[Course, CourseVersion, Module | None]:
    """The course's current version (and one of its modules), or 404."""
    course, version = catalogue.course_version(current_user, slug)
    if module_slug is None:
        return course, version, None
    return course, version, catalogue.module(version, module_slug)
