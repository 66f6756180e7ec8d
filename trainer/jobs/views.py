"""The page of a job: its progress, and its file once ready. Only the person who asked sees it."""
from __future__ import annotations

from flask import Response, jsonify, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from trainer.jobs import bp
from trainer.models import Job
from trainer.services import jobs

TITLES = {"certificates.cohort_zip": _l("Certificates of the cohort (zip of PDFs)"),
          "certificates.render_missing": _l("Making the certificate PDFs"),
          "reminders.overdue": _l("Reminders to overdue learners")}


def _back(job: Job) -> str:
    if job.name == "certificates.cohort_zip" or job.name == "reminders.overdue":
        return url_for("cohorts.cohort_detail", cohort_id=job.args.get("cohort_id", 0))
    return url_for("certificates.admin_list")


def _status(job: Job) -> dict:
    return {"state": job.state, "done": job.done, "total": job.total, "summary": job.summary or {},
            "download": url_for("jobs.download", job_id=job.id) if job.state == "done" and job.result_name else None}


@bp.get("/jobs/<int:job_id>")
@login_required
def status(job_id: int):
    job = jobs.for_owner(current_user, job_id)
    return render_template("jobs/status.html", job=job, title=TITLES.get(job.name, job.name), back=_back(job))


@bp.get("/jobs/<int:job_id>/status.json")
@login_required
def status_json(job_id: int):
    """What the page's script polls, to update the progress bar without a reload."""
    job = jobs.for_owner(current_user, job_id)
    return jsonify(_status(job))


@bp.get("/jobs/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = jobs.ready_result(current_user, job_id)
    return Response(job.result, mimetype=job.result_type,
                    headers={"Content-Disposition": f'attachment; filename="{job.result_name}"'})
