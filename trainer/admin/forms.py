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
    admin = BooleanField(_l("Administrator: manages courses, users and certificates"))
