"""The learner's transcript: always the signed-in person's own (the routes take no one's id)."""
from __future__ import annotations

from flask import Response, render_template
from flask_login import current_user, login_required

from trainer.certificates import bp
from trainer.services import transcript

NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/learning/transcript")
@login_required
def transcript_page():
    return render_template("certificates/transcript.html", transcript=transcript.for_learner(current_user))


@bp.get("/learning/transcript.pdf")
@login_required
def transcript_pdf():
    return Response(transcript.pdf_for(current_user), mimetype="application/pdf", headers={
        **NO_STORE, "Content-Disposition": 'attachment; filename="transcript.pdf"'})


@bp.get("/learning/transcript.csv")
@login_required
def transcript_csv():
    return Response(transcript.csv_for(current_user), mimetype="text/csv; charset=utf-8", headers={
        **NO_STORE, "Content-Disposition": 'attachment; filename="transcript.csv"'})
