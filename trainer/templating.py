"""Helpers every template can use."""
from __future__ import annotations

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from trainer.auth.forms import SECTOR_CHOICES, SPECIALTY_CHOICES
from trainer.extensions_setup import current_locale
from trainer.services.links import public_url

INTENSITY_LABELS = {"light": _l("light"), "moderate": _l("moderate"), "heavy": _l("heavy")}
STATE_LABELS = {"not-started": _l("not started"), "in-progress": _l("in progress"), "completed": _l("completed")}
GRADE_LABELS = {"best": _l("the best outcome"), "acceptable": _l("an acceptable outcome"),
                "harmful": _l("a harmful outcome")}
ASSIGNMENT_STATE_LABELS = {"not-started": _l("not started"), "in-progress": _l("in progress"),
                           "completed": _l("completed"), "overdue": _l("overdue")}
TAG_LABELS = {
    "indicator-control": _l("Signs of control"), "indicator-physical": _l("Physical signs"),
    "indicator-behavioural": _l("Behavioural signs"), "indicator-work": _l("Signs at work"),
    "indicator-documents": _l("Documents and identity"), "indicator-online": _l("Online signs"),
    "indicator-child": _l("Signs in children"), "response": _l("Responding"), "referral": _l("Referral"),
    "law": _l("The law"), "safety": _l("Safety"), "interpreting": _l("Interpreting"),
    "documentation": _l("Documentation"), "consent": _l("Consent and confidentiality"),
    "myths": _l("Myths and facts"), "self-care": _l("Self-care"), "reintegration": _l("Reintegration"),
}
CERTIFICATE_STATE_LABELS = {"valid": _l("valid"), "expired": _l("expired"), "revoked": _l("revoked")}
LANGUAGE_LABELS = {"en": "English", "nl": "Nederlands"}
ROLE_LABELS = {"learner": _l("Learner"), "trainer": _l("Trainer"), "admin": _l("Administrator")}
_SECTORS = dict(SECTOR_CHOICES)
_SPECIALTIES = dict(SPECIALTY_CHOICES)


def country_label(code: str) -> str:
    """A country's name in the reader's language (GB shows as United Kingdom)."""
    locale = get_locale()
    return (locale.territories.get(code.split("-")[0]) if locale else None) or code


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def helpers():
        return {
            "current_locale": current_locale,
            "public_url": public_url,  # absolute links (to copy and share) on PUBLIC_BASE_URL only
            "format_datetime": format_datetime,
            "format_date": format_date,
            "format_decimal": format_decimal,  # 1.5 in English, 1,5 in Dutch
            "country_label": country_label,
            "intensity_label": lambda value: INTENSITY_LABELS.get(value, value),
            "state_label": lambda value: STATE_LABELS.get(value, value),
            "assignment_state_label": lambda value: ASSIGNMENT_STATE_LABELS.get(value, value),
            "grade_label": lambda value: GRADE_LABELS.get(value, value),
            "certificate_state_label": lambda value: CERTIFICATE_STATE_LABELS.get(value, value),
            "language_label": lambda value: LANGUAGE_LABELS.get(value, value),
            "tag_label": lambda value: TAG_LABELS.get(value, value),
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "sector_label": lambda sector: _SECTORS.get(sector, sector),
            "specialty_label": lambda specialty: _SPECIALTIES.get(specialty, specialty),
        }
