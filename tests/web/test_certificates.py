"""Certificates: issued once on completion, a PDF anyone can check, revocation, expiry."""
from __future__ import annotations

import io
import re
from datetime import UTC, date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.conftest import login
from tests.support.journeys import complete_example_course
from trainer.extensions import db
from trainer.models import Certificate
from trainer.services import job_worker

NAME = "Zoë Łukasiewicz-Nguyễn"


@pytest.fixture
def graduate(client, make_user, published_course):
    user = make_user(name=NAME, sector="health")
    login(client, user)
    complete_example_course(client)
    return user


def _certificate(app) -> Certificate:
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
        db.session.expunge(certificate)
        return certificate


def test_completing_a_course_issues_one_certificate(app, client, graduate, count_rows):
    assert count_rows(Certificate) == 1
    certificate = _certificate(app)
    assert certificate.name == NAME and certificate.hours == 1 and certificate.version_number == 1
    assert certificate.completed_on == date.today()
    assert certificate.expires_on.year == date.today().year + 3  # certificate_valid_months: 36
    assert len(certificate.code) == 26  # 128 random bits in base32
    page = client.get("/learning").get_data(as_text=True)
    assert "Certificate (PDF)" in page


def test_no_certificate_is_issued_in_the_name_of_an_unconfirmed_address(app, client, make_user, published_course,
                                                                         count_rows, outbox):
    from trainer.models import Enrolment, User

    user = make_user(name=NAME, verified=False)
    login(client, user)
    complete_example_course(client)
    with app.app_context():
        assert db.session.scalar(sa.select(Enrolment.completed_at).where(Enrolment.user_id == user.id))
    assert count_rows(Certificate) == 0
    learning = client.get("/learning").get_data(as_text=True)
    assert "completed on" in learning and "Certificate (PDF)" not in learning
    assert "Confirm your email address to receive the certificate." in learning
    course = client.get("/courses/core").get_data(as_text=True)
    assert f"Confirm your email address to receive your certificate: open the link we sent to {user.email}" in course

    # Confirming the address issues the certificate they earned, dated by the completion.
    client.post("/email/confirm/send", data={"next": "/learning"})
    link = re.search(r"http://127\.0\.0\.1:5000(/email/confirm/\S+)", outbox()[0].get_content()).group(1)
    assert client.get(link).headers["Location"] == "/learning"
    assert count_rows(Certificate) == 1
    certificate = _certificate(app)
    assert certificate.name == NAME and certificate.user_id == user.id and certificate.completed_on == date.today()
    learning = client.get("/learning").get_data(as_text=True)
    assert "Certificate (PDF)" in learning and "Confirm your email address" not in learning
    with app.app_context():  # and confirming never issues it twice
        from trainer.services import certificates

        assert [c.code for c in certificates.issue_earned(db.session.get(User, user.id))] == [certificate.code]
    assert count_rows(Certificate) == 1


def test_the_issuing_service_refuses_an_unconfirmed_account(app, make_user, published_course):
    from datetime import datetime

    from trainer.models import User
    from trainer.services import catalogue, certificates

    user = make_user(verified=False)
    with app.app_context():
        course, version = catalogue.latest_published("core")[0]
        assert certificates.issue(db.session.get(User, user.id), course, version, datetime.now(UTC)) is None


def test_the_same_completion_never_issues_twice(app, graduate, count_rows):
    from trainer.models import Enrolment, User
    from trainer.services import catalogue, certificates

    with app.app_context():
        user = db.session.get(User, graduate.id)
        course, version = catalogue.latest_published("core")[0]
        enrolment = db.session.scalar(sa.select(Enrolment))
        certificates.issue(user, course, version, enrolment.completed_at)
        db.session.commit()
    assert count_rows(Certificate) == 1


def test_the_pdf_holds_the_name_course_hours_and_a_qr_code_to_verify(app, client, graduate):
    import zxingcpp
    from PIL import Image

    certificate = _certificate(app)
    response = client.get(f"/certificates/{certificate.id}.pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    text = page.extract_text()
    url = f"http://127.0.0.1:5000/verify/{certificate.code}"
    for expected in (NAME, "Human trafficking: the shared core", "Hours of training", "Health care", url):
        assert expected in text.replace("\n", " "), expected
    fonts = {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any("DejaVu" in f for f in fonts), fonts  # embedded, not the Latin-1 Helvetica
    assert page.mediabox.width > page.mediabox.height  # landscape
    [image] = page.images
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
    assert [d.text for d in decoded] == [url]


def test_the_pdf_is_made_once_and_kept(app, client, graduate, monkeypatch):
    from trainer.services import certificates

    certificate = _certificate(app)
    first = client.get(f"/certificates/{certificate.id}.pdf").data
    monkeypatch.setattr(certificates, "render_pdf", lambda c: (_ for _ in ()).throw(AssertionError("re-rendered")))
    assert client.get(f"/certificates/{certificate.id}.pdf").data == first


def test_a_failed_rendering_leaves_the_certificate_and_the_next_try_works(app, client, graduate, monkeypatch):
    from trainer.services import certificates

    certificate = _certificate(app)
    real = certificates.render_pdf
    monkeypatch.setattr(certificates, "render_pdf", lambda c: (_ for _ in ()).throw(RuntimeError("font missing")))
    response = client.get(f"/certificates/{certificate.id}.pdf", follow_redirects=True)
    assert "The PDF could not be made just now" in response.get_data(as_text=True)
    assert _certificate(app).pdf_error == "font missing"
    monkeypatch.setattr(certificates, "render_pdf", real)
    assert client.get(f"/certificates/{certificate.id}.pdf").headers["Content-Type"] == "application/pdf"


def test_verify_shows_valid_revoked_and_not_found(app, client, graduate, make_user):
    certificate = _certificate(app)
    public = app.test_client()
    valid = public.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Valid certificate" in valid and NAME in valid and "Human trafficking: the shared core" in valid
    assert graduate.email not in valid  # nothing else about the person
    missing = public.get("/verify/AAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert missing.status_code == 404 and "No certificate has this code" in missing.get_data(as_text=True)
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    assert admin.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": ""}).status_code == 400
    admin.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "Issued in error"})
    revoked = public.get(f"/verify/{certificate.code}")
    page = revoked.get_data(as_text=True)
    assert revoked.status_code == 410 and "This certificate is not valid." in page and "It was revoked" in page
    # Only that: no name, course, hours, dates or reason.
    for detail in (NAME, "Human trafficking", "Completed on", "Hours of training", "Valid until", "Issued in error",
                   str(date.today().year)):
        assert detail not in page, detail


def test_expired_certificates_say_so(app, client, graduate):
    certificate = _certificate(app)
    with app.app_context():
        row = db.session.get(Certificate, certificate.id)
        row.expires_on = date(2020, 1, 1)
        db.session.commit()
    assert "has expired" in app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)


def test_only_the_learner_and_administrators_download_it(app, client, graduate, make_user):
    certificate = _certificate(app)
    for roles, status in ((("learner",), 404), (("trainer",), 404), (("admin",), 200)):
        other = app.test_client()
        login(other, make_user(roles=roles))
        assert other.get(f"/certificates/{certificate.id}.pdf").status_code == status


def test_a_later_name_change_does_not_change_the_certificate(app, client, graduate):
    client.post("/profile", data={"name": "Someone Else", "sector": "health", "locale": "en", "timezone": "UTC"})
    assert _certificate(app).name == NAME


def test_verification_is_rate_limited(app, client, graduate, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_LIMIT", "3 per minute")
    statuses = [client.get("/verify/NOPE").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_an_administrator_corrects_a_name_and_the_pdf_is_made_again(app, client, graduate, make_user):
    certificate = _certificate(app)
    before = client.get(f"/certificates/{certificate.id}.pdf").data
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    assert admin.post(f"/admin/certificates/{certificate.id}/name", data={"name": ""}).status_code == 400
    admin.post(f"/admin/certificates/{certificate.id}/name", data={"name": "Zoë Łukasiewicz"})
    after = client.get(f"/certificates/{certificate.id}.pdf").data
    assert after != before
    text = PdfReader(io.BytesIO(after)).pages[0].extract_text()
    assert "Zoë Łukasiewicz" in text and "Nguyễn" not in text


def test_trainers_download_their_cohorts_certificates(app, client, graduate, make_user):
    import csv
    import zipfile
    from datetime import timedelta

    from trainer.models import CohortMember

    trainer = app.test_client()
    login(trainer, make_user(roles=("trainer",)))
    cohort_id = int(trainer.post("/cohorts", data={"name": "Residents"}).headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        db.session.add(CohortMember(cohort_id=cohort_id, user_id=graduate.id))
        db.session.commit()
    trainer.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core",
                                                            "due_on": (date.today() + timedelta(days=1)).isoformat()})
    asked = trainer.post(f"/cohorts/{cohort_id}/certificates.zip")
    assert asked.status_code == 302 and "/jobs/" in asked.headers["Location"]
    job_worker.wait_all()  # the zip is made by the worker
    page = trainer.get(asked.headers["Location"]).get_data(as_text=True)
    job_id = int(asked.headers["Location"].rsplit("/", 1)[1])
    assert f"/jobs/{job_id}/download" in page and "1 of 1" not in page  # finished: the link, no progress
    download = trainer.get(f"/jobs/{job_id}/download")
    assert download.headers["Content-Disposition"] == f'attachment; filename="cohort-{cohort_id}-certificates.zip"'
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    [name] = archive.namelist()
    assert archive.read(name).startswith(b"%PDF-")
    rows = list(csv.reader(io.StringIO(trainer.get(f"/cohorts/{cohort_id}/certificates.csv").data.decode("utf-8-sig"))))
    assert rows[1][0] == NAME and rows[1][6] == "valid" and rows[1][7].endswith(_certificate(app).code)
    stranger = app.test_client()
    login(stranger, make_user(roles=("trainer",)))
    assert stranger.post(f"/cohorts/{cohort_id}/certificates.zip").status_code == 404
    # The job and its file are the asker's alone.
    assert stranger.get(f"/jobs/{job_id}").status_code == 404
    assert stranger.get(f"/jobs/{job_id}/download").status_code == 404


def _expire_soon(app, days=10):
    from datetime import timedelta

    with app.app_context():
        row = db.session.scalar(sa.select(Certificate))
        row.expires_on = date.today() + timedelta(days=days)
        db.session.commit()


def test_recertification_reopens_the_course_and_issues_a_new_certificate(app, client, graduate, count_rows):
    assert client.post("/courses/core/recertify").status_code == 400  # valid for years yet
    _expire_soon(app)
    page = client.get("/courses/core").get_data(as_text=True)
    assert "Take the course again" in page
    client.post("/courses/core/recertify")
    assert "completed on" not in client.get("/learning").get_data(as_text=True)
    complete_example_course(client)
    assert count_rows(Certificate) == 2


def test_expiry_notices_go_to_the_learner_and_their_trainers_once(app, client, graduate, make_user, runner, outbox):
    from datetime import timedelta

    from trainer.models import CohortMember

    trainer_account = make_user(roles=("trainer",))
    trainer = app.test_client()
    login(trainer, trainer_account)
    cohort_id = int(trainer.post("/cohorts", data={"name": "Residents"}).headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        db.session.add(CohortMember(cohort_id=cohort_id, user_id=graduate.id))
        db.session.commit()
    trainer.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core",
                                                            "due_on": (date.today() + timedelta(days=1)).isoformat()})
    _expire_soon(app, days=20)
    assert "Sent expiry notices for 1 certificates." in runner.invoke(args=["certificates", "remind"]).output
    assert "Sent expiry notices for 0 certificates." in runner.invoke(args=["certificates", "remind"]).output
    assert sorted(m["To"] for m in outbox()) == sorted([graduate.email, trainer_account.email])


def test_the_certificate_is_an_open_badge_with_hosted_verification(app, client, graduate, make_user):
    from trainer.services.badges import recipient_identity

    certificate = _certificate(app)
    public = app.test_client()
    data = public.get(f"/badges/assertions/{certificate.code}.json").get_json()
    assert data["type"] == "Assertion" and data["verification"] == {"type": "hosted"}
    assert data["id"].endswith(f"/badges/assertions/{certificate.code}.json")
    assert data["recipient"]["identity"] == recipient_identity(graduate.email, data["recipient"]["salt"])
    assert graduate.email not in str(data) and NAME not in str(data)  # the public JSON names nobody
    badge = public.get(data["badge"].replace("http://127.0.0.1:5000", "")).get_json()
    assert badge["type"] == "BadgeClass" and badge["name"] == "Human trafficking: the shared core"
    issuer = public.get(badge["issuer"].replace("http://127.0.0.1:5000", "")).get_json()
    assert issuer["type"] == "Issuer"
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    admin.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "Issued in error"})
    revoked = public.get(f"/badges/assertions/{certificate.code}.json")
    assert revoked.status_code == 410
    assert revoked.get_json() == {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                                  "id": data["id"], "revoked": True}  # no recipient, badge, dates or reason
    assert public.get("/badges/assertions/NOPE.json").status_code == 404


def test_logo_and_signature_are_embedded_and_hostile_names_stay_inert(app, client, make_user, published_course,
                                                                     monkeypatch, tmp_path):
    from tests.support.samples import tiny_png

    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png())
    monkeypatch.setitem(app.config, "CERTIFICATE_LOGO", str(logo))
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNATURE", str(tmp_path / "missing.png"))
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNATORY", "Dr A. Director")
    hostile = '<img src="file:///etc/passwd"><link href="http://169.254.169.254/">\u202eevil'
    user = make_user(name=hostile[:120])
    login(client, user)
    complete_example_course(client)
    certificate = _certificate(app)
    reader = PdfReader(io.BytesIO(client.get(f"/certificates/{certificate.id}.pdf").data))
    assert len(reader.pages) == 1  # even a 120-character name fits on the page
    text = reader.pages[0].extract_text()
    assert "Dr A. Director" in text and "<img" in text  # the name is printed as text, not fetched
    assert len(reader.pages[0].images) == 2  # the logo and the QR code; the missing signature is skipped


def test_an_administrator_reissues_the_pdf(app, client, graduate, make_user, monkeypatch):
    from trainer.services import certificates

    certificate = _certificate(app)
    client.get(f"/certificates/{certificate.id}.pdf")
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    assert "Make the PDF again" in admin.get("/admin/certificates").get_data(as_text=True)
    admin.post(f"/admin/certificates/{certificate.id}/reissue")
    calls = []
    real = certificates.render_pdf
    monkeypatch.setattr(certificates, "render_pdf", lambda c: calls.append(c) or real(c))
    client.get(f"/certificates/{certificate.id}.pdf")
    assert len(calls) == 1


def _text_heights(page) -> list[float]:
    """Where on the page (points from the bottom) each piece of text sits."""
    heights: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            heights.append(tm[5] * cm[3] + tm[4] * cm[1] + cm[5])

    page.extract_text(visitor_text=visit)
    return heights


def test_the_pdf_fills_its_page_and_names_its_title_language_and_author(app, client, graduate):
    certificate = _certificate(app)
    reader = PdfReader(io.BytesIO(client.get(f"/certificates/{certificate.id}.pdf").data))
    assert reader.metadata.title == "Certificate of completion: Human trafficking: the shared core"
    assert reader.metadata.author == app.config["ORGANISATION_NAME"]
    assert NAME in reader.metadata.subject
    assert reader.trailer["/Root"]["/Lang"] == "en"
    [page] = reader.pages
    height, heights = float(page.mediabox.height), _text_heights(page)
    # From the top tenth of the page to its bottom fifth, not the top 60% of it.
    assert max(heights) > 0.85 * height and min(heights) < 0.2 * height, (height, sorted(heights))
    # Dates in words, not a year-first code.
    text = page.extract_text()
    assert date.today().strftime("%B") in text and date.today().isoformat() not in text


def test_with_logo_signature_longest_name_and_credit_the_certificate_stays_one_page(app, client, graduate,
                                                                                     monkeypatch, tmp_path):
    from PIL import Image

    logo, signature = tmp_path / "logo.png", tmp_path / "signature.png"
    Image.new("L", (300, 100), 0).save(logo)
    Image.new("L", (240, 80), 255).save(signature)
    for key, value in (("CERTIFICATE_LOGO", str(logo)), ("CERTIFICATE_SIGNATURE", str(signature)),
                       ("CERTIFICATE_SIGNATORY", "Dr A. Director"), ("ORGANISATION_NAME", "Regional Health Trust")):
        monkeypatch.setitem(app.config, key, value)
    certificate = _certificate(app)
    with app.app_context():
        row = db.session.get(Certificate, certificate.id)
        row.name = "W" * 120
        row.credit = {"body": "M" * 120, "type": "W" * 60, "activity_id": "9" * 60, "hours": 12.25}
        row.pdf = None
        db.session.commit()
    reader = PdfReader(io.BytesIO(client.get(f"/certificates/{certificate.id}.pdf").data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Dr A. Director" in text and "REGIONAL HEALTH TRUST" in text
    assert len(reader.pages[0].images) == 3  # logo, signature, QR code
    assert reader.metadata.author == "Regional Health Trust"
