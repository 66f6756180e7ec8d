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


def test_template_phrases_follow_the_language_each_render_starts_in(app):
    """A page looks its catalogue up once: a mail rendered in a forced language within a Dutch
    request is in that language, and the page around it stays Dutch."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Sign in') }}, {{ ngettext('certificate for %(num)s hour', 'certificate for %(num)s hours', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        app.preprocess_request()
        assert render_template_string(page) == "Inloggen, certificaat voor 2 uur"
        with force_locale("en"):
            assert render_template_string(page) == "Sign in, certificate for 2 hours"
        assert render_template_string(page) == "Inloggen, certificaat voor 2 uur"


def test_macros_imported_without_context_translate_too(app):
    """Macros imported without the page's context have no page catalogue: they look it up."""
    from flask import render_template_string

    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        app.preprocess_request()
        html = render_template_string('{% from "macros/forms.html" import form_errors %}'
                                      "{{ form_errors(form) }}", form=_FormWithErrors())
        assert "Verbeter de velden die hieronder zijn gemarkeerd." in html, html


class _FormWithErrors:
    form_errors: list[str] = []
    errors = {"email": ["Invalid email address."]}
