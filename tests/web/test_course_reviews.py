"""The course page says who has reviewed the course and when, and whether anyone with lived
experience of trafficking has."""
from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import GOOD_COURSE, login
from trainer.extensions import db

REVIEWED = ('reviewed:\n  - by: "Emergency physician"\n    date: 2026-10\n'
            '  - by: "Survivor advisory group"\n    date: 2026-11-30\n    lived_experience: true\n')


def _text(client) -> str:
    """The course page as a reader sees it: words, without tags."""
    return " ".join(re.sub(r"<[^>]+>", "", client.get("/courses/core").get_data(as_text=True)).split())


def _publish(app, tmp_path, extra: str) -> None:
    from trainer.services import publishing

    folder = tmp_path / "core"
    shutil.copytree(GOOD_COURSE, folder)
    text = (folder / "course.md").read_text()
    (folder / "course.md").write_text(text.replace("certificate_valid_months: 36\n",
                                                   "certificate_valid_months: 36\n" + extra))
    with app.app_context():
        result = publishing.import_path(folder)
        assert result.ok, [str(p) for p in result.report.problems]
        db.session.commit()


@pytest.mark.parametrize("language, expected", [
    ("en", ["Emergency physician, October 2026", "Survivor advisory group, November 30, 2026",
            "lived experience of trafficking"]),
    ("nl", ["Emergency physician, oktober 2026", "Survivor advisory group, 30 november 2026",
            "ervaringsdeskundige op het gebied van mensenhandel"]),
])
def test_reviews_are_listed_with_their_dates_in_the_readers_language(app, client, make_user, tmp_path,
                                                                     language, expected):
    _publish(app, tmp_path, REVIEWED)
    login(client, make_user(sector="health", locale=language))
    page = _text(client)
    for text in expected:
        assert text in page
    assert "No one with lived experience" not in page and "Niemand met ervaringsdeskundigheid" not in page


def test_without_reviews_the_page_says_so(app, client, make_user, tmp_path):
    _publish(app, tmp_path, "")
    login(client, make_user(sector="health"))
    page = _text(client)
    assert "No one outside the course's authors has reviewed this version yet." in page
    assert "No one with lived experience of trafficking has reviewed this course yet." in page


def test_reviews_without_lived_experience_say_that_too(app, client, make_user, tmp_path):
    _publish(app, tmp_path, 'reviewed:\n  - by: "Emergency physician"\n    date: 2026-10\n')
    login(client, make_user(sector="health"))
    page = _text(client)
    assert "Emergency physician, October 2026" in page
    assert "No one with lived experience of trafficking has reviewed this course yet." in page

