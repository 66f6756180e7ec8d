"""What the forms of every area share: the first validator of every text field, `options` for
select fields (whose lists come from `trainer/vocabulary.py`) and a widget for long fixed lists
of them, and the form of a button. Forms check shape; services check meaning."""
from __future__ import annotations

import functools
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.fields.choices import Choice, SelectChoice  # type: ignore[attr-defined]  # stubs predate WTForms 3.3
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError
from wtforms.widgets import Select

required = DataRequired(message=_l("This field is required."))


def options(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a select field."""
    return [SelectChoice(value, label) for value, label in pairs]


class KeptOptionsSelect(Select):
    """A select of hundreds of options that are the same for everyone (the time zones). WTForms
    builds each option's attributes anew on every page, about 20 µs an option and 9 ms for the
    time zones; here each option's HTML, selected or not, is made once per label and kept."""

    @classmethod
    def render_option(cls, choice, **kwargs) -> Markup:  # type: ignore[override]  # stubs predate WTForms 3.3
        if kwargs or choice.render_kw or not isinstance(choice.value, str):
            return super().render_option(choice, **kwargs)
        return _kept_option(choice.value, str(choice.label or choice.value), bool(choice.selected))


@functools.lru_cache(maxsize=4096)  # a label per language: thousands of options at most
def _kept_option(value: str, label: str, selected: bool) -> Markup:
    return Select.render_option(Choice(value, label, selected, {}))  # type: ignore[call-arg]  # as above


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
