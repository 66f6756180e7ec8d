"""Courses kept as files and edited in the browser: no silent overwrite either way.

`courses import` refuses an id that belongs to a different course (unless --replace) and files
that lack edits made in the browser since they were last imported or exported (unless --force);
`courses export` writes the published version back to files."""
from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from tests.conftest import GOOD_COURSE
from trainer.extensions import db
from trainer.models import Course, CourseVersion, User
from trainer.services import authoring


@pytest.fixture
def files(tmp_path, runner):
    """The example course as a folder under version control, imported once."""
    folder = tmp_path / "core"
    shutil.copytree(GOOD_COURSE, folder)
    result = runner.invoke(args=["courses", "import", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def _versions(app) -> list[tuple[int, str]]:
    with app.app_context():
        versions = db.session.scalars(sa.select(CourseVersion).order_by(CourseVersion.number))
        return [(v.number, v.title) for v in versions]


def _edit_in_browser(app, make_user, old: str, new: str, path: str = "01-what-it-is.md") -> None:
    author = make_user(roles=("admin",))
    with app.app_context():
        actor = db.session.get(User, author.id)
        course = db.session.scalar(sa.select(Course).where(Course.slug == "core"))
        draft = authoring.draft_for(actor, course)
        assert old in draft.sources[path]
        authoring.save_file(actor, course, path, draft.sources[path].replace(old, new))
        checked, version = authoring.publish_draft(actor, course)
        assert version is not None, checked
        db.session.commit()


def test_a_course_md_copied_with_another_courses_id_is_refused_naming_that_course(app, runner, files, tmp_path):
    copy = tmp_path / "my-course"
    copy.mkdir()
    (copy / "course.md").write_text((files / "course.md").read_text()
                                    .replace('"Human trafficking: the shared core"', '"Hotel staff: what to notice"')
                                    .replace("  - 02-indicators-quiz.md\n  - 03-night-shift.md\n", "")
                                    .replace("01-what-it-is.md", "01-hotels.md"))
    shutil.copytree(files / "images", copy / "images")
    (copy / "01-hotels.md").write_text((files / "01-what-it-is.md").read_text().replace("id: what-it-is", "id: hotels"))
    result = runner.invoke(args=["courses", "import", str(copy)])
    assert result.exit_code == 1
    assert ("course.md:2: the id 'core' belongs to another course, \"Human trafficking: the shared core\" "
            "(version 1)") in result.output
    assert "Nothing was imported" in result.output
    assert _versions(app) == [(1, "Human trafficking: the shared core")]

    result = runner.invoke(args=["courses", "import", str(copy), "--replace"])
    assert result.exit_code == 0, result.output
    assert _versions(app)[-1] == (2, "Hotel staff: what to notice")


def test_files_without_a_browser_edit_are_refused_until_forced(app, runner, files, make_user):
    _edit_in_browser(app, make_user, "## ", "## Edited in the browser: ", path="01-what-it-is.md")
    (files / "02-indicators-quiz.md").write_text((files / "02-indicators-quiz.md").read_text() + "\n")
    (files / "course.md").write_text((files / "course.md").read_text().replace("First edition.", "Second."))
    result = runner.invoke(args=["courses", "import", str(files)])
    assert result.exit_code == 1
    assert ("'core' was changed in the browser since version 1 (it is at version 2), and these files do not "
            "have those changes: 01-what-it-is.md") in result.output
    assert [n for n, _ in _versions(app)] == [1, 2]

    result = runner.invoke(args=["courses", "import", str(files), "--force"])
    assert result.exit_code == 0, result.output
    assert [n for n, _ in _versions(app)] == [1, 2, 3]


def test_export_brings_browser_edits_back_to_the_files_and_imports_build_on_them(app, runner, files, make_user):
    _edit_in_browser(app, make_user, "## ", "## Edited in the browser: ")
    result = runner.invoke(args=["courses", "export", "core", str(files)])
    assert result.exit_code == 0, result.output
    assert "exported core version 2" in result.output
    assert "Edited in the browser: " in (files / "01-what-it-is.md").read_text()
    assert runner.invoke(args=["courses", "import", str(files)]).output.startswith("unchanged core (version 2)")

    (files / "course.md").write_text((files / "course.md").read_text().replace("First edition.", "Second."))
    result = runner.invoke(args=["courses", "import", str(files)])
    assert result.exit_code == 0 and "published core version 3" in result.output


def test_export_refuses_a_folder_that_holds_another_course(runner, files, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "course.md").write_text("---\nid: police\n---\n")
    result = runner.invoke(args=["courses", "export", "core", str(other)])
    assert result.exit_code == 1 and "belongs to the course 'police', not 'core'" in result.output
    assert (other / "course.md").read_text() == "---\nid: police\n---\n"
    assert runner.invoke(args=["courses", "export", "nowhere", str(tmp_path / "x")]).exit_code == 1
