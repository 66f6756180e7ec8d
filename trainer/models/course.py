"""Courses as published: each import of changed text is a new, immutable version.

Learners' progress refers to the stable ids written in the source (course, module, question and
node slugs), never to these rows, so it carries over from one version to the next.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow


class Course(Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The version the course's files (a folder under version control, or a zip) are known to
    # hold: set by every import of files and by `courses export`. A version published from the
    # browser after it is an edit those files do not have yet.
    files_version: Mapped[int | None]

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.number", cascade="all, delete-orphan")


class CourseVersion(Model):
    __tablename__ = "course_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500))
    language: Mapped[str] = mapped_column(sa.String(5))
    sectors: Mapped[list[str]] = mapped_column(sa.JSON)
    specialties: Mapped[list[str]] = mapped_column(sa.JSON)
    estimated_minutes: Mapped[int]
    pass_mark: Mapped[int]
    certificate_hours: Mapped[float]
    certificate_valid_months: Mapped[int | None]
    show_wrong_answers: Mapped[bool]
    # The course's ``credit:`` ({body, type, activity_id, hours}), or None.
    credit: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # The course's assessment settings ({pretest, test_out, confidence, evaluation, attestation}), or None.
    assessment: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # The course's ``reviewed:`` ([{by, date, lived_experience}], oldest first), or None.
    reviewed: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(12))
    version_notes: Mapped[str] = mapped_column(sa.Text, default="")
    intro_html: Mapped[str] = mapped_column(sa.Text, default="")
    # The Markdown files as published ({path: text}), for the editor, diffs and export.
    sources: Mapped[dict[str, str]] = mapped_column(sa.JSON, deferred=True)  # large: loaded when used
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship(back_populates="versions")
    modules: Mapped[list[Module]] = relationship(
        back_populates="version", order_by="Module.position", cascade="all, delete-orphan")
    images: Mapped[list[VersionImage]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("course_id", "number"),)

    @property
    def is_visible(self) -> bool:
        return self.status == "published"


class Module(Model):
    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("course_versions.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int]
    path: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(12))
    title: Mapped[str] = mapped_column(sa.String(200))
    overview: Mapped[str] = mapped_column(sa.Text)
    intensity: Mapped[str] = mapped_column(sa.String(12))
    minutes: Mapped[int | None]
    required: Mapped[bool]
    objectives: Mapped[list[str]] = mapped_column(sa.JSON)
    content_note: Mapped[str | None] = mapped_column(sa.Text)
    references_html: Mapped[list[str]] = mapped_column(sa.JSON)
    intro_html: Mapped[str] = mapped_column(sa.Text, default="")
    # Sections, questions (with answers: never sent to a browser before submission) or nodes.
    body: Mapped[dict[str, Any]] = mapped_column(sa.JSON, deferred=True)  # large: outlines skip it
    content_hash: Mapped[str] = mapped_column(sa.String(64))

    version: Mapped[CourseVersion] = relationship(back_populates="modules")

    __table_args__ = (sa.UniqueConstraint("version_id", "slug"),)


class StoredImage(Model):
    """An uploaded or imported image, stored once by the sha256 of its bytes."""

    __tablename__ = "stored_images"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VersionImage(Model):
    """Which image a version's `images/<name>` was when it was published."""

    __tablename__ = "course_version_images"

    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_versions.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("stored_images.sha256"))


class CourseDraft(Model):
    """The working copy an administrator edits in the browser, until it is published."""

    __tablename__ = "course_drafts"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"),
                                           primary_key=True)
    sources: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    images: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)  # name -> sha256
    base_version: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship()
