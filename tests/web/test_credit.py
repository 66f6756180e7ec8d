"""Credit details: from course.md to the certificate PDF, the verification page and the badge."""
from __future__ import annotations

import io
import shutil

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.conftest import GOOD_COURSE, login
from tests.support.journeys import complete_example_course
from trainer.extensions import db
from trainer.models import Certificate, CourseVersion

CREDIT = ('credit:\n  body: "Royal College of Emergency Medicine"\n  type: CPD points\n'
          '  activity_id: "RCEM-2026-0142"\n  hours: 1\n')


@pytest.fixture
def credited(app, tmp_path):
    """The example course with credit details, published."""
    from trainer.services import publishing

    folder = tmp_path / "core"
    shutil.copytree(GOOD_COURSE, folder)
    text = (folder / "course.md").read_text()
    (folder / "course.md").write_text(text.replace("certificate_valid_months: 36\n",
                                                   "certificate_valid_months: 36\n" + CREDIT))
    with app.app_context():
        result = publishing.import_path(folder)
        assert result.ok, [str(p) for p in result.report.problems]
        db.session.commit()


@pytest.fixture
def certificate(app, client, make_user, credited):
    login(client, make_user(name="Ana Pereira", sector="health"))
    complete_example_course(client)
    with app.app_context():
        found = db.session.scalar(sa.select(Certificate))
        db.session.expunge(found)
        return found


def test_the_version_and_the_certificate_keep_the_credit(app, certificate):
    expected = {"body": "Royal College of Emergency Medicine", "type": "CPD points",
                "activity_id": "RCEM-2026-0142", "hours": 1.0}
    with app.app_context():
        assert db.session.scalar(sa.select(CourseVersion)).credit == expected
    assert certificate.credit == expected


def test_the_verify_page_pdf_and_badge_print_it(app, client, certificate):
    page = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Royal College of Emergency Medicine" in page and "1 CPD points" in page and "RCEM-2026-0142" in page
    reader = PdfReader(io.BytesIO(client.get(f"/certificates/{certificate.id}.pdf").data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text().replace("\n", " ")
    assert "1 CPD points, accredited by Royal College of Emergency Medicine (activity RCEM-2026-0142)" in text
    badge = app.test_client().get(f"/badges/assertions/{certificate.code}.json").get_json()
    assert badge["narrative"] == ("1 CPD points, accredited by Royal College of Emergency Medicine "
                                  "(activity RCEM-2026-0142).")


def test_the_longest_credit_and_name_still_fit_one_page(app, client, certificate):
    with app.app_context():
        row = db.session.get(Certificate, certificate.id)
        row.name = "W" * 120
        row.credit = {"body": "M" * 120, "type": "W" * 60, "activity_id": "9" * 60, "hours": 12.25}
        row.pdf = None
        db.session.commit()
    reader = PdfReader(io.BytesIO(client.get(f"/certificates/{certificate.id}.pdf").data))
    assert len(reader.pages) == 1


def test_a_certificate_without_credit_prints_none(app, client, make_user, published_course):
    login(client, make_user(sector="health"))
    complete_example_course(client)
    with app.app_context():
        code = db.session.scalar(sa.select(Certificate.code))
    assert "Accredited by" not in app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "narrative" not in app.test_client().get(f"/badges/assertions/{code}.json").get_json()
