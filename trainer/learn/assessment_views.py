"""The pre-test with its confidence rating, and the steps before the certificate."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from trainer.extensions import db
from trainer.learn import bp
from trainer.learn.common import open_course as _open
from trainer.services import assessments
from trainer.services.errors import InvalidInput


def _refused(course, version, message: str, again: str):
    db.session.rollback()
    return render_template("learn/assessment_refused.html", course=course, version=version, message=message,
                           again=again), 400


@bp.get("/courses/<slug>/assessment/pre-test")
@login_required
def pretest(slug: str):
    course, version, _module = _open(slug)
    if not assessments.needs_pretest(current_user, course, version):
        return redirect(url_for("learn.course", slug=slug))
    form = assessments.open_pretest(current_user, course, version)
    db.session.commit()
    return render_template("learn/pretest.html", course=course, version=version, form=form)


@bp.post("/courses/<slug>/assessment/pre-test")
@login_required
def submit_pretest(slug: str):
    course, version, _module = _open(slug)
    if not assessments.has_pretest(version):
        abort(404)
    try:
        assessments.submit_pretest(current_user, course, version, request.form.to_dict(flat=False),
                                   request.form.get("token", ""))
    except InvalidInput as error:
        return _refused(course, version, error.message, url_for("learn.pretest", slug=slug))
    db.session.commit()
    return redirect(url_for("learn.pretest_result", slug=slug))


@bp.get("/courses/<slug>/assessment/pre-test/result")
@login_required
def pretest_result(slug: str):
    course, version, _module = _open(slug)
    found = assessments.pretest_result(current_user, course)
    if found is None:
        abort(404)
    row, attempt = found
    return render_template("learn/pretest_result.html", course=course, version=version, row=row, attempt=attempt,
                           steps=assessments.course_steps(current_user, course, version))


@bp.route("/courses/<slug>/assessment/finish", methods=["GET", "POST"])
@login_required
def finish(slug: str):
    course, version, _module = _open(slug)
    if request.method == "POST":
        try:
            assessments.finish(current_user, course, request.form)
        except InvalidInput as error:
            return _refused(course, version, error.message, url_for("learn.finish", slug=slug))
        db.session.commit()
        return redirect(url_for("learn.course", slug=slug) + "#certificate")
    form = assessments.finish_form(current_user, course)
    if form is None:
        return redirect(url_for("learn.course", slug=slug))
    return render_template("learn/finish.html", course=course, version=version, form=form,
                           ratings=range(1, 6), max_change=assessments.MAX_CHANGE,
                           max_comment=assessments.MAX_COMMENT, min_group=assessments.MIN_GROUP)
