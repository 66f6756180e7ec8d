"""Publishing from the browser is reviewed, never a silent revert, and discarding is confirmed."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import GOOD_COURSE
from trainer.extensions import db
from trainer.models import CourseDraft, CourseVersion

LESSON = "/authoring/courses/core/files/01-what-it-is.md"
QUIZ = "/authoring/courses/core/files/02-indicators-quiz.md"


def _edit(client, url: str, old: str, new: str) -> None:
    import html
    import re

    page = client.get(url).get_data(as_text=True)
    text = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))
    assert old in text
    response = client.post(url, data={"text": text.replace(old, new, 1), "action": "save"})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]


def _publish_from_files(app, tmp_path, file: str, old: str, new: str) -> None:
    """Someone else publishes a new version from the course's files meanwhile."""
    from trainer.services import publishing

    folder = tmp_path / "core"
    shutil.copytree(GOOD_COURSE, folder)
    path = folder / file
    path.write_text(path.read_text().replace(old, new, 1))
    with app.app_context():
        result = publishing.import_path(folder)
        assert result.ok and result.published, [str(p) for p in result.report.problems]
        db.session.commit()


def test_the_review_shows_what_changes_before_publishing(client, admin, published_course, count_rows):
    _edit(client, LESSON, "## ", "## Revised: ")
    page = client.get("/authoring/courses/core/publish").get_data(as_text=True)
    assert "1 file changes:" in page and "01-what-it-is.md" in page
    assert '<span class="added">+## Revised: ' in page
    assert "Publish version 2" in page
    assert count_rows(CourseVersion) == 1
    client.post("/authoring/courses/core/publish")
    assert count_rows(CourseVersion) == 2


def test_a_draft_behind_a_newer_version_is_not_published_until_brought_up_to_date(
        app, client, admin, published_course, tmp_path, count_rows):
    _edit(client, LESSON, "## ", "## Mine: ")
    _publish_from_files(app, tmp_path, "02-indicators-quiz.md", "Call the police straight away.",
                        "Phone the police at once.")
    page = client.get("/authoring/courses/core/publish").get_data(as_text=True)
    assert "Your draft began from version 1; version 2 has been published since." in page
    assert "Publish version 3" not in page

    refused = client.post("/authoring/courses/core/publish", follow_redirects=True).get_data(as_text=True)
    assert "Version 2 was published after this draft began" in refused
    assert count_rows(CourseVersion) == 2

    client.post("/authoring/courses/core/update")
    client.post("/authoring/courses/core/publish")
    assert count_rows(CourseVersion) == 3
    with app.app_context():
        latest = db.session.query(CourseVersion).order_by(CourseVersion.number.desc()).first()
        assert "## Mine: " in latest.sources["01-what-it-is.md"]
        assert "Phone the police at once." in latest.sources["02-indicators-quiz.md"]


@pytest.mark.parametrize("choice, kept", [("mine", "## Mine: "), ("theirs", "## Theirs: ")])
def test_a_file_changed_on_both_sides_needs_the_authors_choice(app, client, admin, published_course, tmp_path,
                                                                choice, kept):
    _edit(client, LESSON, "## ", "## Mine: ")
    _publish_from_files(app, tmp_path, "01-what-it-is.md", "## ", "## Theirs: ")
    page = client.get("/authoring/courses/core/publish").get_data(as_text=True)
    assert "01-what-it-is.md was changed on both sides. Keep which text?" in page

    undecided = client.post("/authoring/courses/core/update", follow_redirects=True).get_data(as_text=True)
    assert "Choose your text or the published text for each file changed on both sides: 01-what-it-is.md." \
        in undecided
    with app.app_context():
        assert db.session.get(CourseDraft, 1).base_version == 1

    client.post("/authoring/courses/core/update", data={"file:01-what-it-is.md": choice})
    with app.app_context():
        draft = db.session.get(CourseDraft, 1)
        assert draft.base_version == 2 and kept in draft.sources["01-what-it-is.md"]


def test_discarding_asks_first_and_names_what_would_be_lost(client, admin, published_course, count_rows):
    _edit(client, QUIZ, "Call the police straight away.", "Phone the police now.")
    page = client.get("/authoring/courses/core/discard").get_data(as_text=True)
    assert "Discard the draft of core?" in page and "02-indicators-quiz.md" in page
    assert count_rows(CourseDraft) == 1
    client.post("/authoring/courses/core/discard")
    assert count_rows(CourseDraft) == 0


def test_a_second_author_must_publish_when_the_site_asks_for_it(app, client, admin, published_course, make_user,
                                                               count_rows):
    from tests.conftest import login

    app.config["PUBLISH_NEEDS_SECOND_AUTHOR"] = True
    try:
        _edit(client, LESSON, "## ", "## Revised: ")
        refused = client.post("/authoring/courses/core/publish", follow_redirects=True).get_data(as_text=True)
        assert "Another author must publish this draft" in refused
        assert count_rows(CourseVersion) == 1
        client.post("/logout")
        login(client, make_user(roles=("admin",)))
        client.post("/authoring/courses/core/publish")
        assert count_rows(CourseVersion) == 2
    finally:
        app.config["PUBLISH_NEEDS_SECOND_AUTHOR"] = False
