"""Importing courses: atomic, idempotent, versioned; zips that round-trip; images stored once."""
from __future__ import annotations

import io
import json
import shutil
import zipfile

import pytest
import sqlalchemy as sa

from tests.conftest import GOOD_COURSE
from trainer.extensions import db
from trainer.models import Course, CourseVersion, Module, StoredImage
from trainer.services import course_archive, publishing
from trainer.services.errors import InvalidInput


@pytest.fixture
def course_copy(tmp_path):
    folder = tmp_path / "courses" / "good-course"
    shutil.copytree(GOOD_COURSE, folder)
    return folder


def _versions(app):
    with app.app_context():
        return db.session.execute(sa.select(Course.slug, CourseVersion.number, CourseVersion.content_hash)
                                  .join(CourseVersion).order_by(CourseVersion.number)).all()


def test_import_publishes_then_unchanged_text_changes_nothing(app, course_copy, count_rows):
    with app.app_context():
        first = publishing.import_path(course_copy.parent)
        db.session.commit()
        assert [v.number for v in first.published] == [1]
        again = publishing.import_path(course_copy.parent)
        db.session.commit()
        assert again.published == [] and [v.number for v in again.unchanged] == [1]
    assert count_rows(CourseVersion) == 1 and count_rows(Module) == 3


def test_changed_text_makes_a_new_version_and_keeps_the_old(app, course_copy):
    with app.app_context():
        publishing.import_path(course_copy)
        db.session.commit()
    quiz = course_copy / "02-indicators-quiz.md"
    quiz.write_text(quiz.read_text().replace("Call the police straight away.", "Phone the police at once."))
    with app.app_context():
        result = publishing.import_path(course_copy)
        db.session.commit()
        [version] = result.published
        assert version.number == 2
        old = db.session.scalar(sa.select(CourseVersion).where(CourseVersion.number == 1))
        assert "Call the police straight away." in old.sources["02-indicators-quiz.md"]
        assert "Phone the police at once." in version.sources["02-indicators-quiz.md"]
        # Unchanged modules keep their content hash, so progress on them carries over.
        hashes = {v.number: {m.slug: m.content_hash for m in v.modules} for v in (old, version)}
        assert hashes[1]["what-it-is"] == hashes[2]["what-it-is"]
        assert hashes[1]["indicators-quiz"] != hashes[2]["indicators-quiz"]


def test_one_error_anywhere_writes_nothing(app, course_copy, count_rows):
    second = course_copy.parent / "second"
    shutil.copytree(course_copy, second)
    (second / "course.md").write_text((second / "course.md").read_text().replace("id: core", "id: second"))
    scenario = second / "03-night-shift.md"
    scenario.write_text(scenario.read_text().replace("-> alone {#ask-alone}", "-> nowhere {#ask-alone}"))
    with app.app_context():
        result = publishing.import_path(course_copy.parent)
        assert not result.ok
        messages = [str(p) for p in result.report.problems]
        assert any("03-night-shift.md:17:" in m and "nowhere" in m for m in messages), messages
        db.session.rollback()
    assert count_rows(Course) == 0 and count_rows(CourseVersion) == 0


def test_images_are_stored_once_and_served_by_hash(app, client, course_copy, count_rows):
    with app.app_context():
        version = publishing.import_path(course_copy).published[0]
        db.session.commit()
        [image] = version.images
        sha = image.sha256
        lesson = next(m for m in version.modules if m.slug == "what-it-is")
        html = json.dumps(lesson.body)
    assert f"/media/{sha}" in html
    response = client.get(f"/media/{sha}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/media/" + "0" * 64).status_code == 404
    assert count_rows(StoredImage) == 1


def test_export_zip_imports_back_to_the_same_course(app, course_copy, make_user, database_urls, tmp_path):
    from tests.conftest import build_app
    from trainer.models import User

    admin = make_user(roles=("admin",))
    with app.app_context():
        version = publishing.import_path(course_copy).published[0]
        db.session.commit()
        actor = db.session.get(User, admin.id)
        data = course_archive.export_zip(actor, version.course, version)
        original_hash = version.content_hash
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "core/course.md" in names and "core/images/side-room.png" in names
    # A second installation imports it as the same course, unchanged down to the hash.
    other = build_app(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with other.app_context():
        import flask_migrate

        flask_migrate.upgrade()
        actor = _admin_in(other)
        result = course_archive.import_zip(actor, data, publish=True)
        assert result.ok and result.published[0].content_hash == original_hash
        assert result.published[0].course.slug == "core"


def _admin_in(app):
    from trainer.services import accounts

    profile = accounts.Profile(name="Admin", organisation="", sector="community", specialty=None,
                               is_resident=False, locale=None, timezone="UTC")
    return accounts.register("admin@example.org", "lantern-harbour-meadow-3", profile, roles=("admin",))


def _zip(entries: dict[str, bytes], symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize("data, message", [
    (_zip({"../evil.md": b"x"}), "outside its folder"),
    (_zip({"/abs/evil.md": b"x"}), "outside its folder"),
    (_zip({"course/course.md": b"x"}, symlink="course/link.md"), "link"),
    (_zip({"bomb/course.md": b"\0" * (3 * 1024 * 1024)}), "larger than 2 MB"),
    (b"not a zip at all", "not a zip"),
    (_zip({".": b"x"}), "without a file name"),
    (_zip({"c/course.md": b"x", "c/course.md/x.md": b"x"}), "as both a file and a folder"),
])
def test_unsafe_zips_are_refused_whole(app, make_user, count_rows, data, message):
    from trainer.models import User

    admin = make_user(roles=("admin",))
    with app.app_context(), pytest.raises(InvalidInput, match=message):
        course_archive.import_zip(db.session.get(User, admin.id), data)
    assert count_rows(Course) == 0


def test_zip_bomb_by_ratio_is_refused(app, make_user):
    from trainer.models import User

    admin = make_user(roles=("admin",))
    data = _zip({"c/course.md": b"a" * (1024 * 1024)})
    with app.app_context(), pytest.raises(InvalidInput, match="expands suspiciously"):
        course_archive.import_zip(db.session.get(User, admin.id), data)
