from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer import policy
from trainer.cohorts import bp
from trainer.cohorts.forms import AssignmentForm, CohortForm, RosterForm, TrainerForm
from trainer.extensions import db, limiter
from trainer.forms import ConfirmForm, options
from trainer.services import (
    analysis,
    assignments,
    catalogue,
    cohort_cases,
    cohorts,
    command_report,
    gain,
    invitations,
    learner_report,
    membership,
    reminders,
)
from trainer.services.errors import InvalidInput, NotFound
from trainer.web import field_error

# A learner's own pages (trainer/cohorts/learner_views.py); every other page is for trainers.
LEARNER_ENDPOINTS = {"cohorts.join", "cohorts.my_cohorts", "cohorts.accept_invitation",
                     "cohorts.decline_invitation", "cohorts.leave", "cohorts.my_case"}


@bp.before_request
@login_required
def _trainers_only():
    if request.endpoint not in LEARNER_ENDPOINTS and not policy.can_create_cohort(current_user):
        abort(403)


def _details(form: CohortForm) -> cohorts.CohortDetails:
    return cohorts.CohortDetails(form.name.data or "", form.organisation.data or "", form.starts_on.data,
                                 form.ends_on.data)


def _cohort(cohort_id: int):
    return cohorts.get(current_user, cohort_id)


def _assignment_form(course_slug: str | None = None) -> AssignmentForm:
    """Courses, and the modules of the chosen course only (without JavaScript the trainer
    chooses the course first; cohorts.js fills the module list as the course changes, from the
    list of every course's modules on the select). The service checks the pair again."""
    form = AssignmentForm()
    published = catalogue.latest_published(with_modules=True)
    form.course.choices = options([(c.slug, v.title) for c, v in published])
    chosen = course_slug if course_slug is not None else form.course.data
    modules = {c.slug: [(m.slug, m.title) for m in v.modules] for c, v in published}
    form.module.choices = [("", _("The whole course"))] + modules.get(chosen or "", [])
    form.module.render_kw = {"data-modules": json.dumps(modules, ensure_ascii=False)}
    if course_slug:
        form.course.data = course_slug
    return form


_UNDO_KEY = "cohort_undo"


def _undo_for(cohort) -> dict | None:
    """The removal from this cohort that can still be undone (its token is checked on undo)."""
    undo = session.get(_UNDO_KEY)
    return undo if isinstance(undo, dict) and undo.get("cohort") == cohort.id else None


@bp.get("/cohorts")
def cohort_list():
    archived = request.args.get("archived") == "1"
    return render_template("cohorts/list.html", cohorts=cohorts.visible_to(current_user, archived),
                           form=CohortForm(), archived=archived)


@bp.post("/cohorts")
def cohort_create():
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = cohorts.create(current_user, _details(form))
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))
    return render_template("cohorts/list.html", cohorts=cohorts.visible_to(current_user), form=form,
                           archived=False), 400


@bp.get("/cohorts/<int:cohort_id>")
def cohort_detail(cohort_id: int):
    cohort = _cohort(cohort_id)
    board = assignments.dashboard(current_user, cohort, request.args.get("state", ""),
                                  request.args.get("sort", "name"), page=request.args.get("page", 1, type=int))
    return render_template("cohorts/detail.html", cohort=cohort, board=board, confirm=ConfirmForm(),
                           rows=board.page(board.number), page=board.number,
                           invited=cohorts.invitations(current_user, cohort),
                           trainers=cohorts.trainers(cohort),
                           can_remove_trainers=policy.can_remove_co_trainers(current_user, cohort),
                           assignment_form=_assignment_form(request.args.get("course") or None),
                           roster_form=RosterForm(), undo=_undo_for(cohort),
                           trainer_form=TrainerForm(), edit_form=CohortForm(obj=cohort),
                           state=request.args.get("state", ""), sort=request.args.get("sort", "name"),
                           **_cases_of(cohort))


def _cases_of(cohort) -> dict:
    """The cases the cohort plays or played together, with their titles."""
    found = cohort_cases.list_for(current_user, cohort)
    return {"cohort_cases": found, "case_titles": cohort_cases.titles(found)}


@bp.get("/cohorts/<int:cohort_id>/export.csv")
def cohort_export(cohort_id: int):
    cohort = _cohort(cohort_id)
    board = assignments.dashboard(current_user, cohort, request.args.get("state", ""),
                                  request.args.get("sort", "name"))
    data = assignments.export_csv(current_user, board)
    db.session.commit()  # the export is recorded in the audit log
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="cohort-{cohort.id}.csv"'})


@bp.get("/cohorts/<int:cohort_id>/records.csv")
def cohort_records(cohort_id: int):
    """Everything a command asks for, a row per learner and assignment."""
    cohort = _cohort(cohort_id)
    data = command_report.cohort_records_csv(current_user, cohort)
    db.session.commit()  # the export is recorded in the audit log
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="cohort-{cohort.id}-records.csv"'})


@bp.get("/reports")
def reports():
    found = command_report.report(current_user)
    return render_template("cohorts/report.html", report=found, window=command_report.EXPIRY_WINDOW_DAYS,
                           listed=command_report.LISTED)


@bp.get("/reports/report.csv")
def reports_csv():
    found = command_report.report(current_user)
    data = command_report.report_csv(current_user, found)
    db.session.commit()
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="report-{found.today.isoformat()}.csv"'})


@bp.get("/reports/report.pdf")
def reports_pdf():
    found = command_report.report(current_user)
    data = command_report.report_pdf(current_user, found)
    db.session.commit()
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="report-{found.today.isoformat()}.pdf"'})


@bp.post("/cohorts/<int:cohort_id>/edit")
def cohort_edit(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohorts.update(current_user, cohort, _details(form))
        except InvalidInput as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The cohort is saved."), "success")
    else:
        flash(_("Give the cohort a name."), "error")
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/archive")
def cohort_archive(cohort_id: int):
    cohort = _cohort(cohort_id)
    cohorts.set_archived(current_user, cohort, request.form.get("archived") == "1")
    db.session.commit()
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/joining")
def cohort_joining(cohort_id: int):
    cohort = _cohort(cohort_id)
    cohorts.set_joining(current_user, cohort, request.form.get("enabled") == "1",
                        new_code=request.form.get("new_code") == "1")
    db.session.commit()
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id) + "#members")


@bp.post("/cohorts/<int:cohort_id>/trainers")
def cohort_add_trainer(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = TrainerForm()
    if form.validate_on_submit():
        try:
            user = cohorts.add_trainer(current_user, cohort, form.email.data or "")
        except InvalidInput as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("%(name)s now trains this cohort too.", name=user.name), "success")
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id) + "#members")


@bp.post("/cohorts/<int:cohort_id>/trainers/<int:trainer_id>/remove")
def cohort_remove_trainer(cohort_id: int, trainer_id: int):
    cohort = _cohort(cohort_id)
    cohorts.remove_trainer(current_user, cohort, trainer_id)
    db.session.commit()
    flash(_("The co-trainer no longer trains this cohort."), "success")
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id) + "#trainers")


@bp.post("/cohorts/<int:cohort_id>/roster")
def cohort_roster(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = RosterForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV file."), "error")
        return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id) + "#members")
    checked = cohorts.check_roster(form.roster.data.read(cohorts.MAX_CSV_BYTES + 1))
    if checked.problems or not checked.rows:
        return render_template("cohorts/roster_report.html", cohort=cohort, checked=checked, result=None,
                               roster_form=RosterForm(formdata=None),
                               separator=cohorts.separator_name(checked.separator)), 400
    result = cohorts.import_roster(current_user, cohort, checked)  # invitations only: nobody joins
    invitations.send(cohort, result.invited)  # to the outbox: mailed by a worker after the commit
    db.session.commit()
    return render_template("cohorts/roster_report.html", cohort=cohort, checked=checked, result=result,
                           roster_form=RosterForm(formdata=None),
                           separator=cohorts.separator_name(checked.separator))


@bp.route("/cohorts/<int:cohort_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
def cohort_remove_member(cohort_id: int, user_id: int):
    """GET asks for confirmation; POST removes, and the cohort page then offers to undo it."""
    cohort = _cohort(cohort_id)
    learner = cohorts.member_to_remove(current_user, cohort, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        token = cohorts.remove_member(current_user, cohort, user_id)
        db.session.commit()
        session[_UNDO_KEY] = {"cohort": cohort.id, "name": learner.name, "token": token}
        flash(_("%(name)s is removed from the cohort. Their own progress is kept.", name=learner.name), "success")
        return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id) + "#members")
    return render_template("cohorts/remove_member.html", cohort=cohort, learner=learner, confirm=form)


@bp.post("/cohorts/<int:cohort_id>/members/restore")
def cohort_restore_member(cohort_id: int):
    """Undo the last removal from this cohort (the signed token is kept in the session)."""
    cohort = _cohort(cohort_id)
    form = ConfirmForm()
    undo = session.get(_UNDO_KEY) or {}
    if not form.validate_on_submit() or undo.get("cohort") != cohort.id:
        flash(_("There is no removal to undo."), "error")
        return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id) + "#members")
    session.pop(_UNDO_KEY, None)
    try:
        learner = cohorts.restore_member(current_user, cohort, undo.get("token", ""))
    except NotFound:
        abort(404)
    except InvalidInput as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s is back in the cohort.", name=learner.name), "success")
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id) + "#members")


@bp.post("/cohorts/<int:cohort_id>/invitations/<int:invitation_id>/resend")
def cohort_resend_invitation(cohort_id: int, invitation_id: int):
    cohort = _cohort(cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        invitation, _mail_id = cohorts.resend_invitation(current_user, cohort, invitation_id)
    except NotFound:
        abort(404)
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()  # the commit hands the queued message to the mail queue
        flash(_("The invitation is sent again to %(name)s.", name=invitation.name), "success")
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id) + "#invited")


@bp.post("/cohorts/<int:cohort_id>/invitations/<int:invitation_id>/withdraw")
def cohort_withdraw_invitation(cohort_id: int, invitation_id: int):
    cohort = _cohort(cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    invitation = cohorts.withdraw_invitation(current_user, cohort, invitation_id)
    db.session.commit()
    flash(_("The invitation to %(name)s is withdrawn: they can no longer accept it.", name=invitation.name),
          "success")
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id) + "#invited")


@bp.post("/cohorts/<int:cohort_id>/assignments")
def cohort_assign(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = _assignment_form()
    chosen = form.course.data if form.course.data in {c.slug for c, _v in catalogue.latest_published()} else None
    if request.form.get("step") == "modules":  # without JavaScript: list the chosen course's modules
        return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id, course=chosen) + "#assign-heading")
    if form.validate_on_submit():
        try:
            assignments.add(current_user, cohort, form.course.data, (form.module.data or "").strip() or None,
                            form.due_on.data)
        except InvalidInput as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Assigned."), "success")
            return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))
    else:
        flash(_("Choose a course and a due date."), "error")
    # Back to the form with the course still chosen, so its modules are listed without JavaScript.
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id, course=chosen) + "#assign-heading")


@bp.post("/cohorts/<int:cohort_id>/assignments/<int:assignment_id>/delete")
def cohort_unassign(cohort_id: int, assignment_id: int):
    cohort = _cohort(cohort_id)
    assignments.remove(current_user, cohort, assignment_id)
    db.session.commit()
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))


@bp.get("/cohorts/<int:cohort_id>/learners/<int:user_id>")
def cohort_learner(cohort_id: int, user_id: int):
    cohort = _cohort(cohort_id)
    report = learner_report.for_trainer(current_user, cohort, user_id)
    return render_template("cohorts/learner.html", cohort=cohort, report=report)


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"])
def join(code: str):
    """The join page says what the trainers will see; pressing Join is the learner's consent."""
    cohort = cohorts.cohort_for_code(code)
    error = None
    if request.method == "POST":
        try:
            membership.join(current_user, code)
        except InvalidInput as refused:
            db.session.rollback()
            error = refused.message
        else:
            db.session.commit()
            flash(_("You joined %(name)s.", name=cohort.name), "success")
            return redirect(url_for("learn.dashboard"))
    return render_template("cohorts/join.html", summary=membership.summary(cohort), confirm=ConfirmForm(),
                           can_join=policy.can_join_cohort(current_user), error=error), 400 if error else 200


@bp.get("/cohorts/<int:cohort_id>/analysis")
def cohort_analysis(cohort_id: int):
    cohort = _cohort(cohort_id)
    return render_template("cohorts/analysis.html", cohort=cohort,
                           analysis=analysis.for_cohort(current_user, cohort),
                           gains=gain.for_cohort(current_user, cohort),
                           evaluations=gain.evaluations_for_cohort(current_user, cohort), min_group=gain.MIN_GROUP)


@bp.get("/cohorts/<int:cohort_id>/gain.csv")
def cohort_gain_csv(cohort_id: int):
    cohort = _cohort(cohort_id)
    data = gain.cohort_csv(current_user, cohort)
    db.session.commit()  # the audit record of the export
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="cohort-{cohort.id}-gain.csv"'})


@bp.route("/cohorts/<int:cohort_id>/reminders", methods=["GET", "POST"])
def cohort_reminders(cohort_id: int):
    cohort = _cohort(cohort_id)
    if request.method == "POST":
        job = reminders.request_overdue(current_user, cohort)  # written and mailed by a job
        db.session.commit()
        return redirect(url_for("jobs.status", job_id=job.id))
    recipients = reminders.overdue(current_user, cohort)
    return render_template("cohorts/reminders.html", cohort=cohort, recipients=recipients,
                           preview=reminders.preview(cohort, recipients), sent=reminders.sent(current_user, cohort),
                           upcoming=reminders.upcoming(current_user, cohort), confirm=ConfirmForm())
