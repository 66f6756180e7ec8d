"""The fixed words of the platform: every closed list of values, with its labels.

Each list is a `StrEnum`: a member *is* its stored string (``Sector.HEALTH == "health"``), so it
goes into the database, URLs, forms and course files unchanged. The model constraints, the form
choices, the course parser's checks, the templates and the certificate text all derive from the
lists here; nothing else spells the values out.

This module imports nothing of Flask, so the course parser (`trainer/content/`) can use the values.
The labels are translated by Flask-Babel only when shown (`Term.label`), in the reader's language.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, cast

from babel.support import LazyProxy


def _translated(message: str) -> str:
    # Labels are shown by the web app only; the course parser never asks for one.
    from flask_babel import gettext

    return gettext(message)


def _l(message: str) -> LazyProxy:
    """A label: found by `pybabel extract -k _l`, translated each time it is shown."""
    return LazyProxy(_translated, message, enable_cache=False)


class Term(StrEnum):
    """A value of one of the lists below, with the label people read."""

    @property
    def label(self) -> str:
        return cast(str, _LABELS[type(self)][self])

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """The stored strings, in order (for CHECK constraints and the course parser)."""
        return tuple(member.value for member in cls)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a select field."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def label_of(cls, value: str | None) -> str:
        """The label of a stored value; an unknown value (from an older version) shows as itself."""
        if value is None:
            return ""
        try:
            return cls(value).label
        except ValueError:
            return value


class Language(Term):
    """Languages of the interface and of courses."""

    EN = "en"
    NL = "nl"


class Sector(Term):
    """Where a person works; courses name the sectors they are written for."""

    HEALTH = "health"
    POLICE = "police"
    COUNSELLING = "counselling"
    COMMUNITY = "community"

    @property
    def on_certificate(self) -> str:
        """As printed on the certificate, which is in English (see the README)."""
        return _ON_CERTIFICATE[self]


class Specialty(Term):
    """A health professional's specialty (only with the health sector)."""

    EMERGENCY = "emergency"
    PAEDIATRICS = "paediatrics"
    OBSTETRICS_GYNAECOLOGY = "obstetrics-gynaecology"
    PSYCHIATRY = "psychiatry"
    NURSING = "nursing"
    SOCIAL_WORK = "social-work"
    GENERAL_PRACTICE = "general-practice"
    OTHER_HEALTH = "other-health"


class Role(Term):
    """What an account may do. Everyone is a learner; trainers and administrators are staff."""

    LEARNER = "learner"
    TRAINER = "trainer"
    ADMIN = "admin"


class ModuleState(Term):
    """A learner's progress through one module."""

    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"


class AssignmentState(Term):
    """A learner's progress on an assignment: a module's states, and overdue past the due date."""

    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"


class CertificateState(Term):
    """What a certificate's verification page says about it on a given day."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"  # the person deleted their account: the certificate no longer names them


class Ending(Term):
    """The grade of a scenario's ending."""

    BEST = "best"
    ACCEPTABLE = "acceptable"
    HARMFUL = "harmful"


class Intensity(Term):
    """How heavy a module's content is, so a learner can choose when to take it."""

    LIGHT = "light"
    MODERATE = "moderate"
    HEAVY = "heavy"


# Labels are LazyProxy objects: they render as text in the reader's language wherever text is used.
_LABELS: dict[type[Term], Mapping[Any, Any]] = {
    # Each language is named in itself, whatever the page's language.
    Language: {Language.EN: "English", Language.NL: "Nederlands"},
    Sector: {
        Sector.HEALTH: _l("Health care"),
        Sector.POLICE: _l("Police and law enforcement"),
        Sector.COUNSELLING: _l("Counselling and victim services"),
        Sector.COMMUNITY: _l("Community member or other"),
    },
    Specialty: {
        Specialty.EMERGENCY: _l("Emergency medicine"),
        Specialty.PAEDIATRICS: _l("Paediatrics"),
        Specialty.OBSTETRICS_GYNAECOLOGY: _l("Obstetrics and gynaecology"),
        Specialty.PSYCHIATRY: _l("Psychiatry"),
        Specialty.NURSING: _l("Nursing"),
        Specialty.SOCIAL_WORK: _l("Social work"),
        Specialty.GENERAL_PRACTICE: _l("General practice / family medicine"),
        Specialty.OTHER_HEALTH: _l("Other health profession"),
    },
    Role: {Role.LEARNER: _l("Learner"), Role.TRAINER: _l("Trainer"), Role.ADMIN: _l("Administrator")},
    ModuleState: {
        ModuleState.NOT_STARTED: _l("not started"),
        ModuleState.IN_PROGRESS: _l("in progress"),
        ModuleState.COMPLETED: _l("completed"),
    },
    AssignmentState: {
        AssignmentState.NOT_STARTED: _l("not started"),
        AssignmentState.IN_PROGRESS: _l("in progress"),
        AssignmentState.COMPLETED: _l("completed"),
        AssignmentState.OVERDUE: _l("overdue"),
    },
    CertificateState: {
        CertificateState.VALID: _l("valid"),
        CertificateState.EXPIRED: _l("expired"),
        CertificateState.REVOKED: _l("revoked"),
        CertificateState.WITHDRAWN: _l("withdrawn"),
    },
    Ending: {
        Ending.BEST: _l("the best outcome"),
        Ending.ACCEPTABLE: _l("an acceptable outcome"),
        Ending.HARMFUL: _l("a harmful outcome"),
    },
    Intensity: {Intensity.LIGHT: _l("light"), Intensity.MODERATE: _l("moderate"), Intensity.HEAVY: _l("heavy")},
}

_ON_CERTIFICATE = {
    Sector.HEALTH: "Health care",
    Sector.POLICE: "Police and law enforcement",
    Sector.COUNSELLING: "Counselling and victim services",
    Sector.COMMUNITY: "Community",
}
