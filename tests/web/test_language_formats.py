"""Dates, numbers and plurals as the reader's language writes them."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from tests.conftest import login
from trainer.extensions import db
from trainer.models import Certificate, Course


def _certificate(app, user_id: int, hours: float) -> None:
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == "core"))
        db.session.add(Certificate(code="FMT-TEST-1", user_id=user_id, course_id=course.id, completion_key="fmt",
                                   version_number=1, name="Sam", course_title="Human trafficking: the shared core",
                                   sector="health", hours=hours, completed_on=date(2026, 3, 5),
                                   expires_on=date(2029, 3, 5)))
        db.session.commit()


def test_a_dutch_transcript_writes_dutch_dates_and_decimal_commas(app, client, make_user, published_course):
    user = make_user(locale="nl")
    login(client, user)
    _certificate(app, user.id, 1.5)
    page = client.get("/learning/transcript").get_data(as_text=True)
    assert "5 mrt 2026" in page and "2026-03-05" not in page and "Mar 5" not in page
    assert "<td>1,5</td>" in page and "1.5" not in page


def test_an_english_transcript_writes_english_dates_and_decimal_points(app, client, make_user, published_course):
    user = make_user(locale="en")
    login(client, user)
    _certificate(app, user.id, 1.5)
    page = client.get("/learning/transcript").get_data(as_text=True)
    assert "Mar 5, 2026" in page and "<td>1.5</td>" in page


def test_one_hour_is_singular_in_both_languages(app, client, make_user, published_course):
    login(client, make_user(locale="en"))
    assert re.search(r"certificate for 1 hour\b(?!s)", client.get("/courses/core").get_data(as_text=True))
    client.post("/language", data={"locale": "nl", "next": "/courses/core"})
    page = client.get("/courses/core").get_data(as_text=True)
    assert re.search(r"certificaat voor 1 uur\b", page), page[:200]


def test_wtforms_own_messages_follow_each_readers_language(app):
    """WTForms' catalogues are kept per language, and each request reads the one of its reader."""
    from flask_wtf.i18n import translations

    for _round in range(2):
        for language, expected in (("nl", "Ongeldig e-mailadres."), ("en", "Invalid email address.")):
            with app.test_request_context("/login", headers={"Accept-Language": language}):
                app.preprocess_request()
                assert translations.gettext("Invalid email address.") == expected
