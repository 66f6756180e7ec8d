from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from trainer.auth import bp, sso
from trainer.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    DeleteAccountForm,
    DisableTwoFactorForm,
    DownloadDataForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    RenewRecoveryCodesForm,
    ResendConfirmationForm,
    ResetPasswordForm,
    SignInCodeForm,
)
from trainer.auth.signin import current_session_id, fresh_session, sign_in, sign_out
from trainer.compression import uncompressed
from trainer.extensions import db, limiter
from trainer.extensions_setup import current_locale
from trainer.forms import ConfirmForm, required
from trainer.services import (
    accounts,
    addresses,
    mail,
    organisations,
    privacy,
    recovery_codes,
    sessions,
    single_sign_on,
    two_factor,
)
from trainer.services.errors import InvalidInput
from trainer.web import field_error, redirect_next, safe_next, same_site_path


def _profile(form) -> accounts.Profile:
    return accounts.Profile(
        name=form.name.data or "", organisation=form.organisation.data or "",
        sector=form.sector.data, specialty=form.specialty.data or None,
        is_resident=bool(form.is_resident.data), locale=form.locale.data or None,
        timezone=form.timezone.data or "UTC",
    )


def _login_account_key() -> str:
    return "login-account:" + accounts.normalise_email(request.form.get("email", ""))


def _typed_recipient() -> str:
    return "mail-to:" + accounts.normalise_email(request.form.get("email", "")[:254])


def _own_address() -> str:
    return "mail-to:" + accounts.normalise_email(current_user.email)


def passwords_here(view: Callable) -> Callable:
    """For the password forms: with local passwords off (LOCAL_PASSWORDS=false and a provider
    configured) they refuse, and say where to sign in instead."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not single_sign_on.local_passwords():
            return render_template("auth/passwords_off.html", providers=single_sign_on.providers(),
                                   next_url=same_site_path(request.args.get("next"))), 403
        return view(*args, **kwargs)
    return wrapped


def _mail_limit(recipient):
    """One allowance per recipient address, shared by every form that mails one. Only a form that
    went through (and may have sent mail) counts, whether or not the address has an account."""
    return limiter.shared_limit(lambda: current_app.config["MAIL_LIMIT_PER_RECIPIENT"], scope="mail-to",
                                key_func=recipient, methods=["POST"],
                                deduct_when=lambda response: response.status_code == 302)


@bp.route("/register", methods=["GET", "POST"])
@passwords_here
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"], methods=["POST"])
@_mail_limit(_typed_recipient)
def register():
    """Nobody is signed in by registering, so a new and a taken address get the same answer; the
    person signs in once they have opened the link mailed to the address."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm(next=request.args.get("next", ""))
    if request.method == "GET":
        form.locale.data = form.locale.data or session.get("locale") or current_locale()
    if form.validate_on_submit():
        try:
            sent = addresses.sign_up(form.email.data or "", form.password.data or "", _profile(form),
                                     same_site_path(form.next.data))
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            mail.deliver_in_background(sent)
            session["registered_email"] = accounts.normalise_email(form.email.data or "")
            return redirect(url_for("auth.register_sent"))
    return render_template("auth/register.html", form=form)


@bp.get("/register/sent")
def register_sent():
    email = session.get("registered_email")
    if current_user.is_authenticated or not email:
        return redirect(url_for("auth.register"))
    return render_template("auth/register_sent.html", email=email)


@bp.get("/email/confirm/<token>")
def confirm_email(token: str):
    confirmation = addresses.confirm(token)
    if confirmation is None:
        return render_template("auth/confirm_invalid.html"), 400
    db.session.commit()
    if confirmation.newly:
        flash(_("Thank you: your email address %(email)s is confirmed.", email=confirmation.user.email), "success")
    else:
        flash(_("Your email address %(email)s was confirmed already.", email=confirmation.user.email), "info")
    if current_user.is_authenticated:
        return redirect(safe_next(confirmation.next_url))
    return redirect(url_for("auth.login", next=confirmation.next_url or None))


@bp.post("/email/confirm/send")
@login_required
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_ADDRESS"])
@_mail_limit(_own_address)
def resend_confirmation():
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        if current_user.email_verified:
            flash(_("Your email address is confirmed already."), "info")
        else:
            sent = addresses.send_confirmation(current_user, same_site_path(form.next.data))
            db.session.commit()
            mail.deliver_in_background(sent)
            days = current_app.config["EMAIL_CONFIRM_MAX_AGE"] // (24 * 3600)
            flash(ngettext("We sent a new link to %(email)s. It works for %(num)d day.",
                           "We sent a new link to %(email)s. It works for %(num)d days.", days,
                           email=current_user.email), "success")
    return redirect(safe_next(form.next.data))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_account_key)
def login():
    if current_user.is_authenticated:
        return redirect_next()
    form = LoginForm(next=request.args.get("next", ""))
    providers, passwords = single_sign_on.providers(), single_sign_on.local_passwords()
    next_url = same_site_path(request.args.get("next") or request.form.get("next"))
    if request.method == "POST" and not passwords:
        return render_template("auth/passwords_off.html", providers=providers, next_url=next_url), 403
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.form_errors.append(_("That email address and password do not match an active account."))
        elif not organisations.password_sign_in_allowed(user):
            # Said only after a right password, so it tells a stranger nothing about the account.
            db.session.rollback()
            assert user.membership is not None
            form.form_errors.append(_("%(organisation)s signs its people in through its own sign-in service: use the "
                                      "button below.", organisation=user.membership.organisation.name))
        elif two_factor.enabled(user):
            db.session.commit()
            fresh_session()
            session["pending_user"], session["pending_next"] = sessions.pending(user), form.next.data or ""
            return redirect(url_for("auth.sign_in_code"))
        else:
            sign_in(user)
            db.session.commit()
            return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form, providers=providers, passwords=passwords,
                           next_url=next_url)


def _sso_refused(refused: single_sign_on.Refused, signed_in: bool = False):
    db.session.rollback()  # nothing the attempt began is kept
    single_sign_on.record_refusal(refused, current_user if signed_in else None)
    return render_template("auth/sso_refused.html", message=refused.message, signed_in=signed_in), refused.status


@bp.get("/login/sso/<name>")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
def sso_begin(name: str):
    """Off to the identity provider, with this session's state, nonce and PKCE challenge.

    A plain link, not a form: it changes nothing but this browser's own sign-in state, so another
    site linking here can at most start a sign-in that the person finishes as themselves (the
    answer is accepted only with the state kept in this session). And a link is not held to the
    pages' CSP form-action, which would stop the browser at a provider that sends it on to
    another host (a federated sign-in)."""
    if current_user.is_authenticated:
        return redirect_next()
    callback = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("auth.sso_callback", name=name)
    try:
        return sso.begin(name, callback, same_site_path(request.args.get("next", "")[:2000]))
    except single_sign_on.Refused as refused:
        return _sso_refused(refused)


@bp.get("/login/sso/<name>/callback")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
def sso_callback(name: str):
    """Back from the identity provider. Its own second factor counts when the ID token says so
    (the provider's MFA settings); otherwise an account with two-factor sign-in gives its code
    here, as after a password."""
    if current_user.is_authenticated:
        return _sso_confirmation(name) if sso.confirming(current_user) else redirect_next()
    try:
        outcome = sso.finish(name)
    except single_sign_on.Refused as refused:
        return _sso_refused(refused)
    user = outcome.user
    if outcome.provider_mfa or not two_factor.enabled(user):
        sign_in(user)
        if outcome.provider_mfa:
            session["provider_mfa"] = outcome.provider.name  # the two-factor gate lets this session be
        db.session.commit()
        return redirect(safe_next(outcome.next_url))
    db.session.commit()
    fresh_session()
    session["pending_user"], session["pending_next"] = sessions.pending(user), outcome.next_url
    return redirect(url_for("auth.sign_in_code"))


def _sso_confirmation(name: str):
    """Back from signing in again at the provider, to confirm it is the same person."""
    try:
        next_url = sso.finish_confirmation(name, current_user._get_current_object())
    except single_sign_on.Refused as refused:
        return _sso_refused(refused, signed_in=True)
    db.session.commit()
    flash(_("Thank you: you have confirmed it is you. For the next few minutes we will not ask for your password."),
          "success")
    return redirect(safe_next(next_url, "auth.my_data"))


@bp.get("/profile/confirm/<name>")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
def sso_confirm(name: str):
    """Sign in again at one's identity provider, instead of typing a password, before downloading
    or deleting one's data."""
    callback = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("auth.sso_callback", name=name)
    try:
        return sso.begin_confirmation(name, callback, same_site_path(request.args.get("next", "")[:2000]),
                                                 current_user._get_current_object())
    except single_sign_on.Refused as refused:
        return _sso_refused(refused, signed_in=True)


@bp.post("/logout")
def logout():
    sign_out()
    db.session.commit()
    flash(_("You have signed out."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.specialty.data = current_user.specialty or ""
        form.locale.data = current_user.locale or current_locale()
    if form.validate_on_submit():
        try:
            accounts.update_profile(current_user, _profile(form))
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, end_sessions=ConfirmForm())


@bp.route("/password", methods=["GET", "POST"])
@login_required
@passwords_here
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data or "", form.new_password.data or "",
                                     keep=current_session_id())
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/change_password.html", form=form)


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    sessions.end_all(current_user, keep=current_session_id())
    db.session.commit()
    flash(_("You are signed out on every other device."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@passwords_here
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_ADDRESS"], methods=["POST"])
@_mail_limit(_typed_recipient)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same answer, as fast, whether or not the address has an account: a job looks it up.
        addresses.request_password_reset_later(form.email.data or "", current_locale())
        db.session.commit()
        flash(_("If an account uses that address, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@passwords_here
def reset_password(token: str):
    if accounts.user_for_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            addresses.reset_password(token, form.new_password.data or "")
        except InvalidInput as error:
            field_error(form, error)
        else:
            sign_out()
            db.session.commit()
            flash(_("Your password is changed. Please sign in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            accounts.set_locale(current_user, form.locale.data)
            db.session.commit()
    return redirect(safe_next(form.next.data))


def _my_data_page(download_form=None, delete_form=None, status: int = 200):
    return render_template("auth/my_data.html", download_form=download_form or DownloadDataForm(),
                           form=delete_form or DeleteAccountForm(), confirmed=sso.confirmed_recently(),
                           confirm_with=single_sign_on.linked_providers(current_user)), status


def _confirmed_elsewhere(form) -> bool:
    """Whether the person just confirmed who they are at their identity provider: the form's
    password is then not asked (accounts made by single sign-on have none anyone knows)."""
    if not sso.confirmed_recently():
        return False
    form.password.validators = [v for v in form.password.validators if v is not required]
    return True


_DATA_FILE = "frontline-trainer-my-data.json"


def _data_download_account_key() -> str:
    return f"data-download-account:{getattr(current_user, 'id', '')}"


@bp.get("/profile/data")
@login_required
def my_data():
    return _my_data_page()


@bp.get("/profile/data.json")
@login_required
def my_data_download_form():
    """The download asks for the password: old links, and the language switch on a refused
    download's page, lead to the form."""
    return redirect(url_for("auth.my_data"))


@bp.post("/profile/data.json")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_data_download_account_key)
def my_data_download():
    """All of the person's data as a file, once they have typed their password again."""
    form = DownloadDataForm()
    confirmed = _confirmed_elsewhere(form)
    if form.validate_on_submit():
        try:
            data = privacy.export(current_user, form.password.data or "", confirmed=confirmed)
        except InvalidInput as error:
            field_error(form, error)
        else:
            return current_app.response_class(
                json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                headers={"Content-Disposition": f'attachment; filename="{_DATA_FILE}"'})
    return _my_data_page(download_form=form, status=400)


@bp.post("/profile/delete")
@login_required
def delete_account():
    form = DeleteAccountForm()
    confirmed = _confirmed_elsewhere(form)
    if form.validate_on_submit():
        try:
            privacy.delete_account(current_user._get_current_object(), form.password.data or "", confirmed=confirmed)
        except InvalidInput as error:
            field_error(form, error)
        else:
            sign_out()
            db.session.commit()
            flash(_("Your account and your learning records are deleted."), "success")
            return redirect(url_for("pages.home"))
    return _my_data_page(delete_form=form, status=400)


def _pending_user():
    return sessions.pending_user(session.get("pending_user", ""))


def _recovery_code_used(user) -> None:
    """After signing in with a recovery code: how many are left, and a nudge when few are."""
    left = recovery_codes.remaining(user)
    message = ngettext("You signed in with a recovery code. %(num)d recovery code is left.",
                       "You signed in with a recovery code. %(num)d recovery codes are left.", left)
    if left <= recovery_codes.FEW:
        message += " " + _("Make a new set on your two-factor sign-in page before you run out.")
    flash(message, "info")


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=lambda: "login-code:" + session.get("pending_user", ""))
def sign_in_code():
    """The second step of signing in, for accounts with two-factor sign-in."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = SignInCodeForm()
    if form.validate_on_submit():
        kind = two_factor.check(user, form.code.data or "")
        if kind is not None:
            target = session.get("pending_next", "")
            sign_in(user)
            db.session.commit()
            if kind == "recovery":
                _recovery_code_used(user)
            return redirect(safe_next(target))
        db.session.rollback()
        form.code.errors = [two_factor.wrong_code_message(form.code.data or "")]
    return render_template("auth/sign_in_code.html", form=form)


def _two_factor_on_page(user, form=None, renew_form=None, status: int = 200):
    """The two-factor page of someone who has it on: recovery codes left, a new set, switching off."""
    return render_template("auth/two_factor.html", enabled=True, form=form or DisableTwoFactorForm(),
                           renew_form=renew_form or RenewRecoveryCodesForm(),
                           codes_left=recovery_codes.remaining(user), few=recovery_codes.FEW,
                           required=two_factor.required(user), confirmed=sso.confirmed_recently(),
                           confirm_with=single_sign_on.linked_providers(user)), status


def _show_recovery_codes(codes: list[str]):
    """The new codes, shown this once (signed-in pages are sent with Cache-Control: no-store)."""
    return render_template("auth/recovery_codes.html", codes=codes)


def _two_factor_account_key() -> str:
    return f"two-factor-account:{getattr(current_user, 'id', '')}"


@bp.route("/profile/two-factor", methods=["GET", "POST"])
@login_required
@uncompressed  # the secret and the recovery codes: see trainer/compression.py
def two_factor_setup():
    user = current_user._get_current_object()
    if two_factor.enabled(user):
        return _two_factor_on_page(user)
    secret = session.setdefault("totp_setup", two_factor.new_secret())
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(user, secret, form.code.data or "", keep=current_session_id())
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            session.pop("totp_setup", None)
            flash(_("Two-factor sign-in is on. You will be asked for a code each time you sign in."), "success")
            return _show_recovery_codes(codes)
    return render_template("auth/two_factor.html", enabled=False, form=form, secret=two_factor.grouped(secret),
                           qr=two_factor.setup_qr(user, secret), setup_uri=two_factor.setup_uri(user, secret),
                           required=two_factor.required(user))


@bp.post("/profile/two-factor/disable")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_two_factor_account_key)
def two_factor_disable():
    form = DisableTwoFactorForm()
    user = current_user._get_current_object()
    confirmed = _confirmed_elsewhere(form)
    if form.validate_on_submit():
        try:
            two_factor.disable(user, form.password.data or "", form.code.data or "", keep=current_session_id(),
                               confirmed=confirmed)
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            if two_factor.required(user):
                flash(_("Your old app no longer works. Scan this code with the app on your new phone."), "info")
                return redirect(url_for("auth.two_factor_setup"))
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("auth.profile"))
    return _two_factor_on_page(user, form=form, status=400)


@bp.post("/profile/two-factor/recovery-codes")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_two_factor_account_key)
@uncompressed
def recovery_codes_renew():
    user = current_user._get_current_object()
    if not two_factor.enabled(user):
        return redirect(url_for("auth.two_factor_setup"))
    form = RenewRecoveryCodesForm()
    confirmed = _confirmed_elsewhere(form)
    if form.validate_on_submit():
        try:
            codes = two_factor.renew_recovery_codes(user, form.password.data or "", form.code.data or "",
                                                    confirmed=confirmed)
        except InvalidInput as error:
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("You have a new set of recovery codes. The old ones no longer work."), "success")
            return _show_recovery_codes(codes)
    return _two_factor_on_page(user, renew_form=form, status=400)
