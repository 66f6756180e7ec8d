from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Optional

from trainer.forms import capped, options
from trainer.vocabulary import Role


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by name, email or organisation"), validators=[capped(200), Optional()])
    role = SelectField(_l("Role"), choices=options([("", _l("Any role")), *Role.choices()]),
                       validators=[Optional()])


class RolesForm(FlaskForm):
    trainer = BooleanField(_l("Trainer: creates cohorts and follows their progress"))
    author = BooleanField(_l("Author: writes courses and keeps the referral directory, nothing else"))
    reviewer = BooleanField(_l("Reviewer: an author who may also approve and publish another author's draft"))
    admin = BooleanField(_l("Administrator: manages courses, users and certificates"))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[capped(200)],
                       description=_l("As its people and its command know it, for example “St Mary's Hospital”."))
    country = SelectField(_l("Country whose services its people see first"), validators=[Optional()])
    locale = SelectField(_l("Language for its people who have not chosen one"), validators=[Optional()])
    password_sign_in = BooleanField(_l("Its people may also sign in with a password"), default=True)


class MemberForm(FlaskForm):
    email = StringField(_l("Email address of the account"), validators=[capped(254)])
    admin = BooleanField(_l("Administers the organisation: its people, cohorts and report"))
