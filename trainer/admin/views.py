from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.admin import bp
from trainer.admin.forms import RolesForm, UserSearchForm
from trainer.extensions import db
from trainer.forms import ConfirmForm
from trainer.services import audit, mail, users
from trainer.services.errors import InvalidInput
from trainer.vocabulary import Role
from trainer.web import page_number

# The roles an administrator gives on a person's page (everyone is a learner).
STAFF_CHOICES = (Role.TRAINER, Role.AUTHOR, Role.REVIEWER, Role.ADMIN)


@bp.get("/users")
@login_required
def user_list():
    form = UserSearchForm(request.args)
    form.validate()
    page = request.args.get("page", 1, type=page_number)
    found, total = users.search(current_user, form.q.data or "", form.role.data or "", page)
    return render_template("admin/users.html", form=form, users=found, total=total, page=page,
                           page_size=users.PAGE_SIZE)


@bp.get("/users/<int:user_id>")
@login_required
def user_detail(user_id: int):
    user = users.get_user(current_user, user_id)
    roles = RolesForm(**{role.value: user.has_role(role) for role in STAFF_CHOICES})
    return render_template("admin/user.html", user=user, roles_form=roles, confirm=ConfirmForm())


@bp.post("/users/<int:user_id>/roles")
@login_required
def user_roles(user_id: int):
    user = users.get_user(current_user, user_id)
    form = RolesForm()
    if form.validate_on_submit():
        chosen = {role.value for role in STAFF_CHOICES if getattr(form, role.value).data}
        try:
            users.set_roles(current_user, user, chosen)
        except InvalidInput as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Roles of %(name)s are saved.", name=user.name), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
@login_required
def user_active(user_id: int):
    user = users.get_user(current_user, user_id)
    activate = request.form.get("active") == "1"
    users.set_active(current_user, user, activate)
    db.session.commit()
    if activate:
        flash(_("The account of %(name)s is active again.", name=user.name), "success")
    else:
        flash(_("The account of %(name)s is deactivated. They are signed out.", name=user.name), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/two-factor-reset")
@login_required
def user_two_factor_reset(user_id: int):
    user = users.get_user(current_user, user_id)
    users.reset_two_factor(current_user, user)
    db.session.commit()
    flash(_("Two-factor sign-in of %(name)s is reset; they set it up again when they next sign in.",
            name=user.name), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.get("/audit")
@login_required
def audit_log():
    action = request.args.get("action", "")
    page = request.args.get("page", 1, type=page_number)
    events, actions, _names = audit.events(current_user, action, page)
    return render_template("admin/audit.html", events=audit.describe(current_user, events), actions=actions,
                           labels=audit.ACTION_LABELS, action=action, page=page, page_size=audit.PAGE_SIZE)


@bp.get("/mail")
@login_required
def mail_outbox():
    """Mail that could not be delivered: waiting for another try, and dead letters to send again."""
    dead = mail.dead_letters(current_user)
    return render_template("admin/mail.html", dead=dead, waiting=mail.waiting(current_user), confirm=ConfirmForm())


@bp.post("/mail/<int:mail_id>/resend")
@login_required
def mail_resend(mail_id: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        mail.resend(current_user, mail_id)
        db.session.commit()
        flash(_("The message is on its way again."), "success")
    return redirect(url_for("admin.mail_outbox"))
