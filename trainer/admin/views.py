from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer import policy
from trainer.admin import bp
from trainer.admin.forms import MemberForm, OrganisationForm, RolesForm, UserSearchForm
from trainer.errors import refused
from trainer.extensions import db
from trainer.forms import ConfirmForm
from trainer.services import audit, mail, organisations, users
from trainer.services.errors import InvalidInput
from trainer.templating import country_label
from trainer.vocabulary import Language
from trainer.web import field_error, page_number


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
    given = policy.roles_given_by(current_user)
    roles = RolesForm(**{role: user.has_role(role) for role in given})
    return render_template("admin/user.html", user=user, roles_form=roles, given=given, confirm=ConfirmForm(),
                           manageable=policy.can_change_roles(current_user, user))


@bp.post("/users/<int:user_id>/roles")
@login_required
def user_roles(user_id: int):
    user = users.get_user(current_user, user_id)
    form = RolesForm()
    if form.validate_on_submit():
        chosen = {role for role in policy.roles_given_by(current_user) if getattr(form, role).data}
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


def _organisation_form(organisation=None) -> OrganisationForm:
    form = OrganisationForm(obj=organisation)  # a posted form's values win over the stored ones
    form.country.choices = [("", _("None"))] + [(code, country_label(code)) for code in organisations.countries()]
    form.locale.choices = [("", _("None: their browser's"))] + Language.choices()
    return form


def _details(form: OrganisationForm) -> organisations.Details:
    return organisations.Details(form.name.data or "", form.country.data or "", form.locale.data or "",
                                 bool(form.password_sign_in.data))


@bp.get("/organisations")
@login_required
def organisation_list():
    found = organisations.visible_to(current_user)
    if not policy.is_admin(current_user):  # an organisation's administrator has the one
        return redirect(url_for("admin.organisation_detail", organisation_id=found[0].id))
    return render_template("admin/organisations.html", organisations=found, form=_organisation_form())


@bp.post("/organisations")
@login_required
def organisation_create():
    form = _organisation_form()
    if form.validate_on_submit():
        try:
            organisation = organisations.create(current_user, _details(form))
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is created. Add its people below.", name=organisation.name), "success")
            return redirect(url_for("admin.organisation_detail", organisation_id=organisation.id))
    return render_template("admin/organisations.html", organisations=organisations.visible_to(current_user),
                           form=form), 400


def _organisation_page(organisation, form=None, member_form=None, status: int = 200):
    return render_template("admin/organisation.html", organisation=organisation,
                           form=form or _organisation_form(organisation), member_form=member_form or MemberForm(),
                           members=organisations.members(current_user, organisation), confirm=ConfirmForm(),
                           platform_admin=policy.is_admin(current_user)), status


@bp.get("/organisations/<int:organisation_id>")
@login_required
def organisation_detail(organisation_id: int):
    return _organisation_page(organisations.get(current_user, organisation_id))


@bp.post("/organisations/<int:organisation_id>/edit")
@login_required
def organisation_update(organisation_id: int):
    organisation = organisations.get(current_user, organisation_id)
    form = _organisation_form(organisation)
    if not policy.is_admin(current_user):
        form.name.data = organisation.name  # only the platform's administrators rename it
    if form.validate_on_submit():
        try:
            organisations.update(current_user, organisation, _details(form))
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("The organisation's details are saved."), "success")
            return redirect(url_for("admin.organisation_detail", organisation_id=organisation.id))
    return _organisation_page(organisation, form=form, status=400)


@bp.post("/organisations/<int:organisation_id>/members")
@login_required
def organisation_add_member(organisation_id: int):
    organisation = organisations.get(current_user, organisation_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            user = organisations.add_member(current_user, organisation, form.email.data or "", form.admin.data)
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is in %(organisation)s now.", name=user.name, organisation=organisation.name), "success")
            return redirect(url_for("admin.organisation_detail", organisation_id=organisation.id))
    return _organisation_page(organisation, member_form=form, status=400)


@bp.post("/organisations/<int:organisation_id>/members/<int:user_id>/admin")
@login_required
def organisation_member_admin(organisation_id: int, user_id: int):
    organisation = organisations.get(current_user, organisation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = organisations.set_admin(current_user, organisation, user_id, request.form.get("admin") == "1")
        except InvalidInput as error:
            return refused(error)
        db.session.commit()
        flash(_("%(name)s administers %(organisation)s now.", name=user.name, organisation=organisation.name)
              if user.organisation_admin else
              _("%(name)s no longer administers %(organisation)s.", name=user.name, organisation=organisation.name),
              "success")
    return redirect(url_for("admin.organisation_detail", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/members/<int:user_id>/remove")
@login_required
def organisation_remove_member(organisation_id: int, user_id: int):
    organisation = organisations.get(current_user, organisation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = organisations.remove_member(current_user, organisation, user_id)
        except InvalidInput as error:
            return refused(error)
        db.session.commit()
        flash(_("%(name)s is no longer in %(organisation)s; their account and learning are kept.",
                name=user.name, organisation=organisation.name), "success")
    return redirect(url_for("admin.organisation_detail", organisation_id=organisation.id))
