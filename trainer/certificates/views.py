from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.certificates import bp
from trainer.errors import refused
from trainer.extensions import db, limiter
from trainer.forms import ConfirmForm
from trainer.services import badges, catalogue, certificates, cohorts
from trainer.services.errors import InvalidInput
from trainer.vocabulary import CertificateState


@bp.get("/certificates/<int:certificate_id>.pdf")
@login_required
def download(certificate_id: int):
    certificate = certificates.for_download(current_user, certificate_id)
    try:
        data = certificates.pdf_for(certificate)
    except InvalidInput as error:
        db.session.commit()  # keep the recorded failure
        flash(error.message, "error")
        return redirect(url_for("learn.dashboard"))
    db.session.commit()
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code[:8]}.pdf"'
    return response


@bp.get("/verify")
def verify_form():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("certificates.verify", code=code.upper()))
    return render_template("certificates/verify_form.html")


@bp.get("/verify/<code>")
@limiter.limit(lambda: current_app.config["VERIFY_LIMIT"])
def verify(code: str):
    """Public: a valid or expired certificate's name, course, hours and dates, and nothing else;
    of a revoked or withdrawn one, only that it is not valid (410 Gone)."""
    certificate = certificates.by_code(code)
    if certificate is None:
        return render_template("certificates/verify.html", certificate=None), 404
    state = certificate.state(datetime.now(UTC).date())
    if state in (CertificateState.REVOKED, CertificateState.WITHDRAWN):
        return render_template("certificates/verify.html", certificate=None, state=state), 410
    return render_template("certificates/verify.html", certificate=certificate, state=state)


@bp.get("/admin/certificates")
@login_required
def admin_list():
    found = certificates.search(current_user, request.args.get("q", ""))
    return render_template("certificates/admin.html", certificates=found, q=request.args.get("q", ""),
                           confirm=ConfirmForm())


@bp.post("/admin/certificates/<int:certificate_id>/revoke")
@login_required
def revoke(certificate_id: int):
    certificate = certificates.for_download(current_user, certificate_id)
    certificates.revoke(current_user, certificate, request.form.get("reason", ""))
    db.session.commit()
    flash(_("The certificate is revoked; its verification page says so."), "success")
    return redirect(url_for("certificates.admin_list"))


@bp.post("/admin/certificates/<int:certificate_id>/name")
@login_required
def correct_name(certificate_id: int):
    certificate = certificates.for_download(current_user, certificate_id)
    try:
        certificates.correct_name(current_user, certificate, request.form.get("name", ""))
    except InvalidInput as error:
        return refused(error)
    db.session.commit()
    flash(_("The name is corrected; the PDF will be made again."), "success")
    return redirect(url_for("certificates.admin_list", q=certificate.code))


@bp.post("/admin/certificates/<int:certificate_id>/reissue")
@login_required
def reissue(certificate_id: int):
    certificate = certificates.for_download(current_user, certificate_id)
    try:
        certificates.reissue(current_user, certificate)
    except InvalidInput as error:
        return refused(error)
    db.session.commit()
    flash(_("The PDF will be made again on its next download."), "success")
    return redirect(url_for("certificates.admin_list", q=certificate.code))


@bp.post("/cohorts/<int:cohort_id>/certificates.zip")
@login_required
def cohort_zip(cohort_id: int):
    """The zip is made by a job; its page shows the progress and the download once it is ready."""
    cohort = cohorts.get(current_user, cohort_id)
    job = certificates.request_cohort_zip(current_user, cohort)
    db.session.commit()
    return redirect(url_for("jobs.status", job_id=job.id))


@bp.post("/admin/certificates/render")
@login_required
def render_missing():
    """Make every PDF not stored yet, as a job (after the organisation's name or logo changed)."""
    job = certificates.request_render_missing(current_user)
    db.session.commit()
    return redirect(url_for("jobs.status", job_id=job.id))


@bp.get("/cohorts/<int:cohort_id>/certificates.csv")
@login_required
def cohort_csv(cohort_id: int):
    cohort = cohorts.get(current_user, cohort_id)
    data = certificates.cohort_csv(current_user, cohort)
    db.session.commit()  # the export is recorded in the audit log
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="cohort-{cohort.id}-certificates.csv"'})


@bp.get("/badges/issuer.json")
def badge_issuer():
    return jsonify(badges.issuer())


@bp.get("/badges/courses/<slug>.json")
def badge_class(slug: str):
    found = catalogue.latest_published(slug)
    if not found:
        abort(404)
    return jsonify(badges.badge_class(*found[0]))


@bp.get("/badges/assertions/<code>.json")
@limiter.limit(lambda: current_app.config["VERIFY_LIMIT"])
def badge_assertion(code: str):
    """Hosted verification: a revoked or withdrawn assertion answers 410 Gone, as Open Badges 2.0
    asks, saying only that it is revoked."""
    certificate = certificates.by_code(code)
    data = badges.assertion(certificate) if certificate else None
    if certificate is None or data is None:
        abort(404)
    response = jsonify(data)
    if data.get("revoked"):
        response.status_code = 410
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="badge-{certificate.code[:8]}.json"'
    return response
