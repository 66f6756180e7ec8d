"""The catalogue's reads: what is published, and the narrow reads built for lists."""
from __future__ import annotations

import shutil

import sqlalchemy as sa

from tests.conftest import GOOD_COURSE
from trainer.extensions import db
from trainer.models import Course, CourseVersion
from trainer.services import catalogue, publishing


def _publish(folder) -> None:
    result = publishing.import_path(folder)
    assert result.ok, [str(p) for p in result.report.problems]
    db.session.commit()


def test_titles_are_those_of_each_courses_newest_version_while_it_is_published(app, tmp_path):
    core, second = tmp_path / "core", tmp_path / "second"
    shutil.copytree(GOOD_COURSE, core)
    shutil.copytree(GOOD_COURSE, second)
    course_md = second / "course.md"
    course_md.write_text(course_md.read_text().replace("id: core", "id: second-course", 1))
    with app.app_context():
        _publish(core)
        _publish(second)
        ids = dict(db.session.execute(sa.select(Course.slug, Course.id)).all())
        text = (core / "course.md").read_text()
        title = next(line for line in text.splitlines() if line.startswith("title:"))
        (core / "course.md").write_text(text.replace(title, "title: The shared core, second edition", 1))
        _publish(core)  # version 2 of the core course
        titles = catalogue.published_titles()
        assert titles[ids["core"]] == "The shared core, second edition"
        assert titles == {course.id: version.title for course, version in catalogue.latest_published()}

        newest = db.session.scalar(sa.select(CourseVersion).where(CourseVersion.course_id == ids["core"])
                                   .order_by(CourseVersion.number.desc()).limit(1))
        newest.status = "draft"  # a newest version still in draft: the course leaves every list
        db.session.commit()
        assert ids["core"] not in catalogue.published_titles()
        assert [c.slug for c, _v in catalogue.latest_published()] == ["second-course"]
        only = catalogue.latest_published(with_modules=True, course_ids=[ids["second-course"]])
        assert [c.slug for c, _v in only] == ["second-course"] and only[0][1].modules
        assert catalogue.latest_published(course_ids=[ids["core"]]) == []
