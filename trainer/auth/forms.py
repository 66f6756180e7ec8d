"""Account forms. They check shape; the accounts service checks meaning."""
from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, Optional

from trainer.forms import KeptOptionsSelect, capped, options, required
from trainer.services.passwords import MAX_LENGTH
from trainer.vocabulary import Language, Sector, Specialty

TIMEZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(available_timezones())
                    if "/" in tz and not tz.startswith(("Etc/", "SystemV/"))] + [("UTC", "UTC")]


_email = Email(message=_l("Enter an email address like name@example.org."))


def _repeat(of: str) -> list:
    return [capped(MAX_LENGTH), required, EqualTo(of, message=_l("The passwords do not match."))]


class ProfileFields(FlaskForm):
    name = StringField(_l("Name"), validators=[capped(120), required],
                       description=_l("As you would like it on certificates."))
    organisation = StringField(_l("Organisation"), validators=[capped(200), Optional()])
    sector = SelectField(_l("Sector"), choices=options(Sector.choices()), validators=[required])
    specialty = SelectField(_l("Profession or specialty (health)"),
                            choices=options([("", _l("Not applicable")), *Specialty.choices()]),
                            validators=[Optional()], validate_choice=True)
    is_resident = BooleanField(_l("I am a medical resident"))
    locale = SelectField(_l("Language"), choices=options(Language.choices()))
    timezone = SelectField(_l("Time zone"), choices=options(TIMEZONE_CHOICES), default="UTC",
                           widget=KeptOptionsSelect())


class RegisterForm(ProfileFields):
    next = HiddenField(validators=[capped(2000)])
    email = EmailField(_l("Email address"), validators=[capped(254), required, _email])
    password = PasswordField(_l("Password"), validators=[capped(MAX_LENGTH), required],
                             description=_l("At least 10 characters. A phrase of unrelated words works well."))
    confirm = PasswordField(_l("Repeat the password"), validators=_repeat("password"))


class ProfileForm(ProfileFields):
    pass


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[capped(254), required])
    password = PasswordField(_l("Password"), validators=[capped(MAX_LENGTH), required])
    next = HiddenField(validators=[capped(2000)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[capped(MAX_LENGTH), required])
    new_password = PasswordField(_l("New password"), validators=[capped(MAX_LENGTH), required],
                                 description=_l("At least 10 characters. A phrase of unrelated words works well."))
    confirm = PasswordField(_l("Repeat the new password"), validators=_repeat("new_password"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[capped(254), required, _email])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[capped(MAX_LENGTH), required],
                                 description=_l("At least 10 characters. A phrase of unrelated words works well."))
    confirm = PasswordField(_l("Repeat the new password"), validators=_repeat("new_password"))


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=options(Language.choices()))
    next = HiddenField(validators=[capped(2000)])


class ResendConfirmationForm(FlaskForm):
    """The button that sends the confirmation link again, and the page to come back to."""

    next = HiddenField(validators=[capped(2000)])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password, to confirm"), validators=[capped(MAX_LENGTH), required])


class DownloadDataForm(FlaskForm):
    """On the same page as the form to delete the account, so its fields carry a prefix (distinct ids)."""

    password = PasswordField(_l("Your password"), validators=[capped(MAX_LENGTH), required],
                             description=_l("We ask again so that nobody else using this device can take a "
                                            "copy of your data."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "download")
        super().__init__(*args, **kwargs)


class CodeForm(FlaskForm):
    code = StringField(_l("Six-digit code from your authenticator app"), validators=[capped(12), required])


_APP_OR_RECOVERY_CODE = _l("Code from your authenticator app, or a recovery code")


class SignInCodeForm(FlaskForm):
    code = StringField(_APP_OR_RECOVERY_CODE, validators=[capped(40), required])


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[capped(MAX_LENGTH), required])
    code = StringField(_APP_OR_RECOVERY_CODE, validators=[capped(40), required])


class RenewRecoveryCodesForm(DisableTwoFactorForm):
    """On the same page as the form to switch off, so its fields carry a prefix (distinct ids)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "renew")
        super().__init__(*args, **kwargs)
