"""Certificates: issued once when a course is completed, rendered to PDF once and stored,
verifiable by anyone at /verify/<code>, revocable by administrators, and withdrawn when the
learner erases their account (nothing about them is kept; the code then checks as not valid)."""
from __future__ import annotations

import base64
import io
import logging
import secrets
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import segno
import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_decimal, lazy_gettext as _l
from pypdf import PdfReader
from sqlalchemy.exc import IntegrityError
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from trainer import policy
from trainer.extensions import db
from trainer.models import (
    Assignment,
    Certificate,
    CertificateReminder,
    Cohort,
    CohortMember,
    CohortTrainer,
    Course,
    CourseVersion,
    Enrolment,
    Job,
    ModuleProgress,
    User,
)
from trainer.services import assessments, audit, jobs, mail, pdf_storage, xapi
from trainer.services.errors import InvalidInput, NotAllowed, NotFound
from trainer.services.links import public_url
from trainer.services.publishing import image_type
from trainer.services.spreadsheets import csv_bytes, safe_cell
from trainer.vocabulary import Language, ModuleState, Sector

log = logging.getLogger(__name__)


# The PDF is in English (see the README); these are the sectors as printed on it.
SECTOR_NAMES = {sector.value: sector.on_certificate for sector in Sector}


def new_code() -> str:
    """128 bits of randomness in 26 letters and digits: cannot be guessed or enumerated."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def issue(user: User, course: Course, version: CourseVersion, completed_at: datetime) -> Certificate | None:
    """The certificate for this completion (made once, whoever asks first); None when the course
    gives no certificate, the account has not proven its address yet (`issue_earned` gives it
    the certificate once it has), or the learner still owes a step the course asks before it
    (`assessments.finish` issues it then)."""
    if not version.certificate_hours or not policy.may_hold_certificate(user):
        return None
    if assessments.waiting_steps(user, course, version):
        return None
    key = f"{user.id}:{course.id}:{completed_at.isoformat()}"
    existing = db.session.scalar(sa.select(Certificate).where(Certificate.completion_key == key))
    if existing is not None:
        return existing
    completed_on = completed_at.date()
    certificate = Certificate(
        code=new_code(), user_id=user.id, course_id=course.id, completion_key=key,
        version_number=version.number, name=user.name, course_title=version.title, sector=user.sector,
        hours=version.certificate_hours, credit=version.credit, completed_on=completed_on,
        expires_on=_add_months(completed_on, version.certificate_valid_months)
        if version.certificate_valid_months else None)
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:  # a parallel request issued it first
        return db.session.scalar(sa.select(Certificate).where(Certificate.completion_key == key))
    xapi.certificate_issued(user, course, version, certificate)
    log.info("certificate %s issued to user %s for course %s", certificate.id, user.id, course.id)
    return certificate


def issue_earned(user: User) -> list[Certificate]:
    """The certificates of every course this person has completed, issued now if they were not
    yet (as when they completed it before confirming their address); dated by the completion."""
    completed = db.session.execute(
        sa.select(Enrolment.completed_at, Course, CourseVersion)
        .join(Course, Course.id == Enrolment.course_id)
        .join(CourseVersion, sa.and_(CourseVersion.course_id == Enrolment.course_id,
                                     CourseVersion.number == Enrolment.completed_version))
        .where(Enrolment.user_id == user.id, Enrolment.completed_at.isnot(None))).all()
    issued = [issue(user, course, version, completed_at) for completed_at, course, version in completed
              if completed_at is not None]
    return [certificate for certificate in issued if certificate is not None]


def verify_url(code: str) -> str:
    return public_url("certificates.verify", code=code)


def _qr_data_uri(text: str) -> str:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _image_data_uri(path: str) -> str | None:
    """A configured logo or signature as a data URI; anything but a PNG or JPEG is ignored."""
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(2 * 1024 * 1024 + 1)
    except OSError as error:
        log.error("certificate image %s cannot be read: %s", path, error)
        return None
    content_type = image_type(data)
    if content_type not in ("image/png", "image/jpeg") or len(data) > 2 * 1024 * 1024:
        log.error("certificate image %s is not a PNG or JPEG under 2 MB", path)
        return None
    return f"data:{content_type};base64," + base64.b64encode(data).decode()


# The frame's inner height on a landscape page (its height less margins, borders and padding),
# so the certificate fills the page and stays on one.
FRAME_HEIGHTS = {"a4": "18.4cm", "letter": "19cm"}


def render_pdf(certificate: Certificate) -> bytes:
    """The PDF, with an embedded DejaVu font (names in any Latin script) and a QR code. It may
    read nothing but the font folder and fetch nothing from the network. Its frame fills the
    page; when a very long name or credit would push it onto a second page, the frame is drawn
    around the text instead, tighter, so the certificate stays one page."""
    cfg = current_app.config
    font_dir = cfg["CERTIFICATE_FONT_DIR"]
    link = verify_url(certificate.code)
    page_size = cfg["CERTIFICATE_PAGE_SIZE"]
    with force_locale("en"):  # the PDF's text is English: its dates and numbers too
        words = {"completed_on": format_date(certificate.completed_on, "long"),
                 "expires_on": format_date(certificate.expires_on, "long") if certificate.expires_on else None,
                 "hours": format_decimal(certificate.hours),
                 "credit_hours": format_decimal(certificate.credit["hours"]) if certificate.credit else None}
    context = dict(certificate=certificate, link=link, qr=_qr_data_uri(link), font_dir=font_dir,
                   organisation=cfg["ORGANISATION_NAME"], page_size=page_size,
                   logo=_image_data_uri(cfg["CERTIFICATE_LOGO"]),
                   signature=_image_data_uri(cfg["CERTIFICATE_SIGNATURE"]),
                   signatory=cfg["CERTIFICATE_SIGNATORY"], sectors=SECTOR_NAMES, **words)
    data = _pisa(render_template("certificates/pdf.html", frame_height=FRAME_HEIGHTS.get(
        page_size.lower(), FRAME_HEIGHTS["a4"]), **context), font_dir)
    if PdfReader(io.BytesIO(data)).get_num_pages() > 1:
        data = _pisa(render_template("certificates/pdf.html", frame_height=None, **context), font_dir)
    return data


def _pisa(html: str, font_dir: str) -> bytes:
    output = io.BytesIO()
    policy_ = ResourceAccessPolicy.server(base_dir=font_dir, allow_remote=False)
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8", resource_policy=policy_)
    if result.err:
        raise RuntimeError(f"the certificate could not be rendered ({result.err} errors)")
    return output.getvalue()


def pdf_for(certificate: Certificate) -> bytes:
    """The stored PDF, made on first need; a failed rendering is recorded and tried again next time."""
    kept = pdf_storage.store()
    stored = kept.get(certificate)
    if stored:
        return stored
    try:
        data = render_pdf(certificate)
    except Exception as error:  # noqa: BLE001 - the certificate stays issued whatever the renderer does
        certificate.pdf_error = str(error)[:500]
        db.session.flush()
        log.exception("certificate %s: PDF rendering failed", certificate.id)
        raise InvalidInput("pdf", str(_l("The PDF could not be made just now. Your certificate is issued; "
                                         "please try the download again in a moment."))) from None
    kept.put(certificate, data)
    certificate.pdf_error = ""
    db.session.flush()
    return data


def mine(user: User) -> list[Certificate]:
    return list(db.session.scalars(_MINE, {"user_id": user.id}))


# Read on My learning and every course page: built once (see services/sessions.py).
_MINE = (sa.select(Certificate).where(Certificate.user_id == sa.bindparam("user_id"))
         .order_by(Certificate.issued_at.desc()))


def for_download(user: User, certificate_id: int) -> Certificate:
    """The learner's own certificate, or any for an administrator; a withdrawn one for nobody."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.withdrawn or (certificate.user_id != user.id
                                                         and not policy.is_admin(user)):
        raise NotFound()
    return certificate


def withdraw_all(user_id: int) -> list[int]:
    """Void the certificates of an account being erased: revoked, without the name, sector, PDF
    or reason, and no longer tied to the account. Returns their ids."""
    now = datetime.now(UTC)
    withdrawn = list(db.session.scalars(sa.select(Certificate).where(Certificate.user_id == user_id)))
    for certificate in withdrawn:
        certificate.user_id, certificate.completion_key = None, f"withdrawn:{certificate.id}"
        certificate.name, certificate.sector, certificate.revoked_reason = "", "", ""
        pdf_storage.store().drop(certificate)
        certificate.pdf_error = ""
        certificate.revoked_at = certificate.revoked_at or now
    db.session.flush()
    return [certificate.id for certificate in withdrawn]


def by_code(code: str) -> Certificate | None:
    if not code or len(code) > 40:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code.strip().upper()))


def revoke(actor: User, certificate: Certificate, reason: str) -> None:
    if not policy.is_admin(actor):
        raise NotAllowed()
    if not reason.strip():
        raise InvalidInput("reason", str(_l("Give the reason for revoking.")))
    certificate.revoked_at = datetime.now(UTC)
    certificate.revoked_reason = reason.strip()[:500]
    db.session.flush()
    log.info("admin %s revoked certificate %s", actor.id, certificate.id)
    audit.record(actor, "certificate-revoked", f"certificate {certificate.id}", reason=certificate.revoked_reason)


def search(actor: User, query: str = "") -> list[Certificate]:
    if not policy.is_admin(actor):
        raise NotAllowed()
    stmt = sa.select(Certificate).order_by(Certificate.issued_at.desc()).limit(200)
    if query.strip():
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(Certificate.name).like(like),
                                 sa.func.lower(Certificate.course_title).like(like),
                                 Certificate.code == query.strip().upper()))
    return list(db.session.scalars(stmt))


def correct_name(actor: User, certificate: Certificate, name: str) -> Certificate:
    """An administrator corrects the name on a certificate; its PDF is made again on next download."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput("name", str(_l("Enter the name as it should appear, at most 120 characters.")))
    certificate.name = name
    pdf_storage.store().drop(certificate)
    db.session.flush()
    log.info("admin %s corrected the name on certificate %s", actor.id, certificate.id)
    audit.record(actor, "certificate-name-corrected", f"certificate {certificate.id}")
    return certificate


def reissue(actor: User, certificate: Certificate) -> None:
    """Make the PDF again on next download (after the organisation's name or logo changed)."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    pdf_storage.store().drop(certificate)
    db.session.flush()
    log.info("admin %s re-issued the PDF of certificate %s", actor.id, certificate.id)
    audit.record(actor, "certificate-reissued", f"certificate {certificate.id}")


def for_cohort(actor: User, cohort: Cohort) -> list[Certificate]:
    """Certificates held by a cohort's members for the courses assigned to it."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    course_ids = {a.course_id for a in cohort.assignments}
    members = sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    return list(db.session.scalars(sa.select(Certificate).where(
        Certificate.user_id.in_(members), Certificate.course_id.in_(course_ids))
        .order_by(Certificate.name, Certificate.issued_at)))


def cohort_zip(actor: User, cohort: Cohort) -> bytes:
    """Every certificate of the cohort as PDFs in one zip (each made once and kept), made at once:
    for commands and measurements; the site asks for it as a job (`request_cohort_zip`)."""
    buffer = io.BytesIO()
    audit.record(actor, "export-certificates-zip", f"cohort {cohort.id}")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in for_cohort(actor, cohort):
            archive.writestr(_zip_name(certificate), pdf_for(certificate))
    return buffer.getvalue()


def _zip_name(certificate: Certificate) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in certificate.name)[:60].strip("-") or "certificate"
    return f"{safe}-{certificate.code[:8]}.pdf"


def request_cohort_zip(actor: User, cohort: Cohort) -> Job:
    """Ask for the cohort's certificates as one zip, made by a job (rendering hundreds of PDFs
    takes longer than a request may); the trainer follows its progress and downloads it there."""
    if not policy.can_manage_cohort(actor, cohort):
        raise NotFound()
    audit.record(actor, "export-certificates-zip", f"cohort {cohort.id}")
    return jobs.enqueue("certificates.cohort_zip", owner=actor, cohort_id=cohort.id)


def build_cohort_zip(progress: jobs.Progress, cohort_id: int) -> jobs.Result:
    """The job behind `request_cohort_zip`: each PDF made (and kept) is one step, so a job started
    again after its worker died renders only what is missing. The asker must still train the
    cohort; their right is checked again when they download the file."""
    job_owner = db.session.get(User, progress.job.owner_id) if progress.job.owner_id else None
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or job_owner is None or not policy.can_manage_cohort(job_owner, cohort):
        raise NotFound()
    found = for_cohort(job_owner, cohort)
    progress.start(len(found))
    buffer = io.BytesIO()
    failed = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in found:
            try:
                archive.writestr(_zip_name(certificate), pdf_for(certificate))
            except InvalidInput:  # recorded on the certificate and logged; the others go on
                failed += 1
                progress.advance(failed=1)
            else:
                progress.advance(added=1)
    if failed:
        raise RuntimeError(f"{failed} certificate PDFs could not be made")
    return jobs.Result(f"cohort-{cohort.id}-certificates.zip", "application/zip", buffer.getvalue())


def request_render_missing(actor: User) -> Job:
    """An administrator has every certificate PDF that is not stored made now (after a change of
    the organisation's name, logo or signature and "re-issue"), rather than on each download."""
    if not policy.is_admin(actor):
        raise NotAllowed()
    audit.record(actor, "certificates-render-requested")
    return jobs.enqueue("certificates.render_missing", owner=actor)


def render_missing(progress: jobs.Progress) -> None:
    """The job behind `request_render_missing`: one step per certificate; one that fails is
    recorded on it (and logged) and the job goes on."""
    ids = list(db.session.scalars(sa.select(Certificate.id).where(
        Certificate.pdf.is_(None), Certificate.pdf_key.is_(None), Certificate.user_id.isnot(None),
        Certificate.revoked_at.is_(None))
        .order_by(Certificate.id)))
    progress.start(len(ids))
    for certificate_id in ids:
        certificate = db.session.get(Certificate, certificate_id)
        try:
            if certificate is not None and certificate.pdf is None and certificate.pdf_key is None:
                pdf_for(certificate)
        except InvalidInput:
            progress.advance(failed=1)
        else:
            progress.advance(rendered=1)


def cohort_csv(actor: User, cohort: Cohort) -> bytes:
    """Who holds which certificate, for a command's records."""
    today = datetime.now(UTC).date()
    audit.record(actor, "export-certificates-csv", f"cohort {cohort.id}")
    rows: list[Sequence[object]] = [
        ["Name", "Course", "Version", "Hours", "Completed on", "Valid until", "Status", "Verify at"]]
    for c in for_cohort(actor, cohort):
        rows.append([safe_cell(c.name), safe_cell(c.course_title), c.version_number, c.hours,
                     c.completed_on.isoformat(), c.expires_on.isoformat() if c.expires_on else "",
                     c.state(today), verify_url(c.code)])
    return csv_bytes(rows)


RECERTIFY_WINDOW_DAYS = 90


def can_recertify(certificate: Certificate, today: date) -> bool:
    """A learner may take the course again once their certificate expires, or in the months before."""
    return (certificate.revoked_at is None and certificate.expires_on is not None
            and (certificate.expires_on - today).days <= RECERTIFY_WINDOW_DAYS)


def recertify(user: User, course: Course) -> None:
    """Start a course again for a new certificate: its modules reopen; past attempts are kept."""
    today = datetime.now(UTC).date()
    latest = db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == user.id, Certificate.course_id == course.id).order_by(Certificate.issued_at.desc()))
    if latest is None or not can_recertify(latest, today):
        raise InvalidInput("course", str(_l("This course cannot be taken again for a new certificate yet.")))
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == user.id,
                                                             Enrolment.course_id == course.id))
    if enrolment is not None:  # none when the certificate was issued without enrolling here
        enrolment.completed_at, enrolment.completed_version = None, None
    db.session.execute(sa.update(ModuleProgress).where(
        ModuleProgress.user_id == user.id, ModuleProgress.course_id == course.id).values(
        state=ModuleState.NOT_STARTED, completed_at=None, skipped=[], done_sections=[]))
    assessments.new_round(user, course)
    db.session.flush()
    log.info("user %s started course %s again to recertify", user.id, course.id)


EXPIRY_NOTICE_DAYS = 30


def send_expiry_reminders(today: date | None = None) -> int:
    """Tell learners (and their cohorts' trainers) a month before a certificate lapses; once each."""
    today = today or datetime.now(UTC).date()
    soon = db.session.scalars(sa.select(Certificate).where(
        Certificate.revoked_at.is_(None), Certificate.user_id.isnot(None),
        Certificate.expires_on.between(today, today + timedelta(days=EXPIRY_NOTICE_DAYS)))).all()
    sent = 0
    for certificate in soon:
        try:
            with db.session.begin_nested():
                db.session.add(CertificateReminder(certificate_id=certificate.id, kind="expiry"))
        except IntegrityError:
            continue
        learner = db.session.get_one(User, certificate.user_id)
        trainers = db.session.scalars(sa.select(User).join(CohortTrainer, CohortTrainer.user_id == User.id)
                                      .join(Cohort, Cohort.id == CohortTrainer.cohort_id)
                                      .join(CohortMember, CohortMember.cohort_id == Cohort.id)
                                      .join(Assignment, Assignment.cohort_id == Cohort.id)
                                      .where(CohortMember.user_id == learner.id,
                                             Assignment.course_id == certificate.course_id,
                                             Cohort.archived.is_(False))).unique().all()
        for recipient in [learner, *trainers]:
            with force_locale(recipient.locale or Language.EN):
                subject = str(_l("A certificate expires on %(date)s", date=format_date(certificate.expires_on, "long")))
                body = render_template("mail/certificate_expiry.txt", certificate=certificate, recipient=recipient,
                                       learner=learner, link=public_url("learn.dashboard"))
            mail.queue(recipient.email, subject, body)
        sent += 1
    return sent
