"""The learner's transcript: their own certificates and hours, as a page, a PDF and a CSV."""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.conftest import login
from tests.support.journeys import complete_example_course
from trainer.extensions import db
from trainer.models import Certificate

CREDIT = {"body": "Royal College", "type": "CPD points", "activity_id": "RC-1", "hours": 1.0}


@pytest.fixture
def holder(app, client, make_user, published_course):
    """A learner holding the example course's certificate (with credit details added)."""
    user = make_user(name="Ana Pereira", sector="health")
    login(client, user)
    complete_example_course(client)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
        certificate.credit = CREDIT
        db.session.commit()
        return user, certificate.id, certificate.code


def _update(app, certificate_id, **values):
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        for key, value in values.items():
            setattr(certificate, key, value)
        db.session.commit()


def test_the_page_lists_each_certificate_with_its_code_link_hours_credit_and_state(client, holder):
    _user, _id, code = holder
    assert 'href="/learning/transcript"' in client.get("/learning").get_data(as_text=True)
    page = client.get("/learning/transcript").get_data(as_text=True)
    assert "Human trafficking: the shared core" in page and code in page
    assert f'href="http://127.0.0.1:5000/verify/{code}"' in page  # built on PUBLIC_BASE_URL
    assert "1 CPD points, accredited by Royal College" in page and "RC-1" in page
    assert "Hours of training on valid certificates: 1" in page
    assert ">valid</strong>" in page


def test_expired_and_revoked_certificates_say_so_and_no_longer_count(app, client, holder):
    _user, certificate_id, _code = holder
    _update(app, certificate_id, expires_on=date(2020, 1, 1))
    page = client.get("/learning/transcript").get_data(as_text=True)
    assert ">expired</strong>" in page and "Hours of training on valid certificates: 0" in page
    _update(app, certificate_id, revoked_at=datetime.now(UTC))
    assert ">revoked</strong>" in client.get("/learning/transcript").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get("/learning/transcript.csv").data.decode("utf-8-sig"))))
    assert rows[1][4] == "revoked"


def test_nobody_else_sees_it(app, holder, make_user):
    _user, _id, code = holder
    for roles in ((), ("trainer",), ("admin",)):
        other = app.test_client()
        login(other, make_user(roles=roles))
        for path in ("/learning/transcript", "/learning/transcript.csv"):
            assert code not in other.get(path).data.decode("utf-8-sig")
        assert code not in PdfReader(io.BytesIO(other.get("/learning/transcript.pdf").data)).pages[0].extract_text()
    assert app.test_client().get("/learning/transcript.csv").status_code == 302  # signed out: to sign in


def test_the_csv_has_every_column_and_is_safe_in_a_spreadsheet(app, client, holder):
    _user, certificate_id, code = holder
    _update(app, certificate_id, course_title='=HYPERLINK("http://evil.example","x")',
            credit={**CREDIT, "body": "+cmd|' /C calc'!A0", "activity_id": "@SUM(1)"})
    response = client.get("/learning/transcript.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="transcript.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Course", "Version", "Completed on", "Valid until", "State", "Hours", "Credit hours",
                       "Credit type", "Accrediting body", "Activity id", "Certificate code", "Verify at"]
    row = rows[1]
    assert row[0] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert row[8] == "'+cmd|' /C calc'!A0" and row[9] == "'@SUM(1)"
    assert row[4] == "valid" and row[5] == "1.0" and row[6] == "1.0" and row[7] == "CPD points"
    assert row[10] == code and row[11] == f"http://127.0.0.1:5000/verify/{code}"


def test_the_pdf_lists_the_certificate(client, holder):
    _user, _id, code = holder
    response = client.get("/learning/transcript.pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text().replace("\n", " ")
    for expected in ("Training transcript", "Ana Pereira", "Human trafficking: the shared core", code,
                     "1 CPD points, accredited by Royal College", f"http://127.0.0.1:5000/verify/{code}"):
        assert expected in text, expected


def test_an_empty_transcript(client, make_user, published_course):
    login(client, make_user())
    assert "You hold no certificates yet." in client.get("/learning/transcript").get_data(as_text=True)
    assert client.get("/learning/transcript.pdf").data[:5] == b"%PDF-"
