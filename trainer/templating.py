"""Helpers every template can use."""
from __future__ import annotations

from flask import Flask
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from trainer.auth.forms import SECTOR_CHOICES, SPECIALTY_CHOICES

ROLE_LABELS = {"learner": _l("Learner"), "trainer": _l("Trainer"), "admin": _l("Administrator")}
_SECTORS = dict(SECTOR_CHOICES)
_SPECIALTIES = dict(SPECIALTY_CHOICES)


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def helpers():
        return {
            "current_locale": lambda: str(get_locale() or "en"),
            "format_datetime": format_datetime,
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "sector_label": lambda sector: _SECTORS.get(sector, sector),
            "specialty_label": lambda specialty: _SPECIALTIES.get(specialty, specialty),
        }
