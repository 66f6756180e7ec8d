"""Administrators keep the referral directory: the services Support and resources lists."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from trainer.authoring import bp
from trainer.authoring.forms import ReferralForm
from trainer.extensions import db
from trainer.forms import ConfirmForm
from trainer.services import referrals
from trainer.services.errors import InvalidInput, NotAllowed, NotFound
from trainer.vocabulary import Language
from trainer.web import field_error, redirect_next


def _input(form: ReferralForm) -> referrals.ReferralInput:
    return referrals.ReferralInput(
        country=form.country.data or "", name=form.name.data or "", description=form.description.data or "",
        phone=form.phone.data or "", url=form.url.data or "", hours=form.hours.data or "",
        languages=form.languages.data or "", checked=form.checked.data, source=form.source.data or "",
        description_nl=form.description_nl.data or "")


@bp.get("/referrals")
def referral_list():
    listing = referrals.admin_directory(current_user)
    return render_template("authoring/referrals.html", listing=listing, confirm=ConfirmForm())


@bp.route("/referrals/new", methods=["GET", "POST"])
@bp.route("/referrals/<int:referral_id>", methods=["GET", "POST"])
def referral_edit(referral_id: int | None = None):
    referral = referrals.get(current_user, referral_id) if referral_id else None
    # A sent form is read from what was sent alone: a field left out is empty, never the stored
    # value (a list of languages is not the text the form expects).
    form = ReferralForm() if request.method == "POST" else ReferralForm(obj=referral)
    if referral is not None and not form.is_submitted():
        form.languages.data = ", ".join(referral.languages)
        form.description_nl.data = (referral.descriptions or {}).get(Language.NL, "")
    if form.validate_on_submit():
        try:
            saved = referrals.save(current_user, _input(form), referral)
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("authoring.referral_list"))
    return render_template("authoring/referral_edit.html", form=form, referral=referral, confirm=ConfirmForm())


@bp.post("/referrals/<int:referral_id>/checked")
def referral_checked(referral_id: int):
    """Record "I checked this today": this administrator checked the entry against its source."""
    referral = referrals.get(current_user, referral_id)
    referrals.mark_checked(current_user, referral)
    db.session.commit()
    flash(_("%(name)s is recorded as checked today.", name=referral.name), "success")
    return redirect_next("authoring.referral_list")


@bp.route("/referrals/<int:referral_id>/delete", methods=["GET", "POST"])
def referral_delete(referral_id: int):
    """GET asks for confirmation; POST deletes and offers to undo it."""
    referral = referrals.get(current_user, referral_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = referral.name
        token = referrals.delete(current_user, referral)
        db.session.commit()
        return render_template("authoring/referral_deleted.html", name=name, token=token, confirm=ConfirmForm())
    return render_template("authoring/referral_delete.html", referral=referral, confirm=form)


@bp.post("/referrals/restore")
def referral_restore():
    try:
        referral = referrals.restore(current_user, request.form.get("token", ""))
    except NotAllowed:
        abort(403)
    except NotFound:
        abort(404)
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("authoring.referral_list"))
    db.session.commit()
    flash(_("%(name)s is back in the directory.", name=referral.name), "success")
    return redirect(url_for("authoring.referral_list"))
