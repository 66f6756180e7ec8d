"""A learner's own cohort pages: invitations to answer, the cohorts they are in, leaving one.
(Signed in only, through the blueprint's before_request; open to every role.)"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from trainer.cohorts import bp
from trainer.extensions import db
from trainer.forms import ConfirmForm
from trainer.services import membership
from trainer.services.errors import InvalidInput
from trainer.web import safe_next, same_site_path


@bp.get("/my/cohorts")
def my_cohorts():
    """``next``: where the person goes on once they have answered (a launch from a learning
    system asks about its course's cohort first, then opens the course)."""
    return render_template("cohorts/mine.html", invitations=membership.invitations_for(current_user),
                           cohorts=membership.memberships(current_user), confirm=ConfirmForm(),
                           next=same_site_path(request.args.get("next")))


def _answer(call, invitation_id: int, done):
    """Accept or decline; a refusal (an unconfirmed address) is shown on My cohorts."""
    try:
        cohort = call(current_user, invitation_id)
    except InvalidInput as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("cohorts.my_cohorts", next=same_site_path(request.form.get("next")) or None))
    db.session.commit()
    flash(done(cohort.name), "success")
    return redirect(safe_next(request.form.get("next"), "cohorts.my_cohorts"))


@bp.post("/my/cohorts/invitations/<int:invitation_id>/accept")
def accept_invitation(invitation_id: int):
    return _answer(membership.accept, invitation_id, lambda name: _("You joined %(name)s.", name=name))


@bp.post("/my/cohorts/invitations/<int:invitation_id>/decline")
def decline_invitation(invitation_id: int):
    return _answer(membership.decline, invitation_id,
                   lambda name: _("You declined the invitation to %(name)s.", name=name))


@bp.route("/my/cohorts/<int:cohort_id>/leave", methods=["GET", "POST"])
def leave(cohort_id: int):
    """GET asks for confirmation; POST leaves."""
    summary = membership.membership(current_user, cohort_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        membership.leave(current_user, cohort_id)
        db.session.commit()
        flash(_("You left %(name)s. Its trainers no longer see your learning; your own records are kept.",
                name=summary.cohort.name), "success")
        return redirect(url_for("cohorts.my_cohorts"))
    return render_template("cohorts/leave.html", summary=summary, confirm=form)
