from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.validators import Optional

from trainer.forms import capped, required


class CohortForm(FlaskForm):
    name = StringField(_l("Name of the cohort"), validators=[capped(120), required])
    organisation = StringField(_l("Organisation"), validators=[capped(200), Optional()])
    starts_on = DateField(_l("Starts on (optional)"), validators=[Optional()])
    ends_on = DateField(_l("Ends on (optional)"), validators=[Optional()])


class RosterForm(FlaskForm):
    roster = FileField(_l("CSV file with the columns name and email"),
                       validators=[FileRequired(message=_l("Choose a file."))])


class TrainerForm(FlaskForm):
    email = EmailField(_l("Email address of the co-trainer"), validators=[capped(254), required])


class AssignmentForm(FlaskForm):
    course = SelectField(_l("Course"), validators=[required])
    module = SelectField(_l("Only one module (optional)"), validators=[Optional()], validate_choice=False)
    due_on = DateField(_l("Due date"), validators=[required], description=_l(
        "Work not finished by the end of this day, where each learner is, shows as overdue."))
