"""What the forms of every area share: the first validator of every text field, `options` for
select fields (whose lists come from `trainer/vocabulary.py`), and the form of a button.
Forms check shape; services check meaning."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate WTForms 3.3
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

required = DataRequired(message=_l("This field is required."))


def options(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a select field."""
    return [SelectChoice(value, label) for value, label in pairs]


class Capped(Length):
    """A maximum length that ends the field's checks when exceeded. Put it first: nothing costlier
    (the email check spent seconds on a 10 MB address) ever sees an oversized value."""

    def __init__(self, n: int, message: str | None = None) -> None:
        super().__init__(max=n, message=message or _l("Use at most %(max)d characters."))

    def __call__(self, form, field) -> None:
        try:
            super().__call__(form, field)
        except ValidationError as error:
            raise StopValidation(str(error)) from None


def capped(n: int, message: str | None = None) -> Capped:
    """The first validator of every text field, in every form."""
    return Capped(n, message)


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""
