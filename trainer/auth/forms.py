"""Account forms. They check shape; the accounts service checks meaning."""
from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate WTForms 3.3
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, StopValidation, ValidationError

from trainer.services.passwords import MAX_LENGTH

SECTOR_CHOICES = [
    ("health", _l("Health care")),
    ("police", _l("Police and law enforcement")),
    ("counselling", _l("Counselling and victim services")),
    ("community", _l("Community member or other")),
]
SPECIALTY_CHOICES = [
    ("", _l("Not applicable")),
    ("emergency", _l("Emergency medicine")),
    ("paediatrics", _l("Paediatrics")),
    ("obstetrics-gynaecology", _l("Obstetrics and gynaecology")),
    ("psychiatry", _l("Psychiatry")),
    ("nursing", _l("Nursing")),
    ("social-work", _l("Social work")),
    ("general-practice", _l("General practice / family medicine")),
    ("other-health", _l("Other health profession")),
]
LOCALE_CHOICES = [("en", "English"), ("nl", "Nederlands")]
TIMEZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(available_timezones())
                    if "/" in tz and not tz.startswith(("Etc/", "SystemV/"))] + [("UTC", "UTC")]



def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a select field."""
    return [SelectChoice(value, label) for value, label in pairs]


_required = DataRequired(message=_l("This field is required."))


class Capped(Length):
    """A maximum length that ends the field's checks when exceeded. Put it first: nothing costlier
    (the email check spent seconds on a 10 MB address) ever sees an oversized value."""

    def __init__(self, n: int, message=None):
        super().__init__(max=n, message=message or _l("Use at most %(max)d characters."))

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except ValidationError as error:
            raise StopValidation(str(error)) from None


def capped(n: int, message=None) -> Capped:
    """The first validator of every text field, in every form."""
    return Capped(n, message)


_email = Email(message=_l("Enter an email address like name@example.org."))


def _repeat(of: str) -> list:
    return [capped(MAX_LENGTH), _required, EqualTo(of, message=_l("The passwords do not match."))]


class ProfileFields(FlaskForm):
    name = StringField(_l("Name"), validators=[capped(120), _required],
                       description=_l("As you would like it on certificates."))
    organisation = StringField(_l("Organisation"), validators=[capped(200), Optional()])
    sector = SelectField(_l("Sector"), choices=options(SECTOR_CHOICES), validators=[_required])
    specialty = SelectField(_l("Profession or specialty (health)"), choices=options(SPECIALTY_CHOICES),
                            validators=[Optional()], validate_choice=True)
    is_resident = BooleanField(_l("I am a medical resident"))
    locale = SelectField(_l("Language"), choices=options(LOCALE_CHOICES))
    timezone = SelectField(_l("Time zone"), choices=options(TIMEZONE_CHOICES), default="UTC")


class RegisterForm(ProfileFields):
    next = HiddenField(validators=[capped(2000)])
    email = EmailField(_l("Email address"), validators=[capped(254), _required, _email])
    password = PasswordField(_l("Password"), validators=[capped(MAX_LENGTH), _required],
                             description=_l("At least 10 characters. A phrase of unrelated words works well."))
    confirm = PasswordField(_l("Repeat the password"), validators=_repeat("password"))


class ProfileForm(ProfileFields):
    pass


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[capped(254), _required])
    password = PasswordField(_l("Password"), validators=[capped(MAX_LENGTH), _required])
    next = HiddenField(validators=[capped(2000)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[capped(MAX_LENGTH), _required])
    new_password = PasswordField(_l("New password"), validators=[capped(MAX_LENGTH), _required],
                                 description=_l("At least 10 characters. A phrase of unrelated words works well."))
    confirm = PasswordField(_l("Repeat the new password"), validators=_repeat("new_password"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[capped(254), _required, _email])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[capped(MAX_LENGTH), _required],
                                 description=_l("At least 10 characters. A phrase of unrelated words works well."))
    confirm = PasswordField(_l("Repeat the new password"), validators=_repeat("new_password"))


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=options(LOCALE_CHOICES))
    next = HiddenField(validators=[capped(2000)])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""


class ResendConfirmationForm(FlaskForm):
    """The button that sends the confirmation link again, and the page to come back to."""

    next = HiddenField(validators=[capped(2000)])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password, to confirm"), validators=[capped(MAX_LENGTH), _required])


class DownloadDataForm(FlaskForm):
    """On the same page as the form to delete the account, so its fields carry a prefix (distinct ids)."""

    password = PasswordField(_l("Your password"), validators=[capped(MAX_LENGTH), _required],
                             description=_l("We ask again so that nobody else using this device can take a "
                                            "copy of your data."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "download")
        super().__init__(*args, **kwargs)


class CodeForm(FlaskForm):
    code = StringField(_l("Six-digit code from your authenticator app"), validators=[capped(12), _required])


_APP_OR_RECOVERY_CODE = _l("Code from your authenticator app, or a recovery code")


class SignInCodeForm(FlaskForm):
    code = StringField(_APP_OR_RECOVERY_CODE, validators=[capped(40), _required])


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[capped(MAX_LENGTH), _required])
    code = StringField(_APP_OR_RECOVERY_CODE, validators=[capped(40), _required])


class RenewRecoveryCodesForm(DisableTwoFactorForm):
    """On the same page as the form to switch off, so its fields carry a prefix (distinct ids)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "renew")
        super().__init__(*args, **kwargs)
