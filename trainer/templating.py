"""Helpers every template can use: formatting, links, and the vocabulary with its labels."""
from __future__ import annotations

import datetime as dt

from babel.support import NullTranslations
from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_translations, lazy_gettext as _l
from jinja2 import pass_context
from jinja2.environment import TemplateModule
from jinja2.runtime import Context

from trainer import fragments, policy
from trainer.extensions_setup import current_locale
from trainer.services.links import public_url
from trainer.vocabulary import (
    AssignmentState,
    CertificateState,
    Ending,
    Intensity,
    JobState,
    Language,
    MailState,
    ModuleState,
    Role,
    Sector,
    Specialty,
)

# The vocabulary, for comparisons and lists in templates (`state == CertificateState.VALID`).
VOCABULARY = (AssignmentState, CertificateState, Ending, Intensity, JobState, Language, MailState, ModuleState, Role,
              Sector, Specialty)

TAG_LABELS = {
    "indicator-control": _l("Signs of control"), "indicator-physical": _l("Physical signs"),
    "indicator-behavioural": _l("Behavioural signs"), "indicator-work": _l("Signs at work"),
    "indicator-documents": _l("Documents and identity"), "indicator-online": _l("Online signs"),
    "indicator-child": _l("Signs in children"), "response": _l("Responding"), "referral": _l("Referral"),
    "law": _l("The law"), "safety": _l("Safety"), "interpreting": _l("Interpreting"),
    "documentation": _l("Documentation"), "consent": _l("Consent and confidentiality"),
    "myths": _l("Myths and facts"), "self-care": _l("Self-care"), "reintegration": _l("Reintegration"),
}


def country_label(code: str) -> str:
    """A country's name in the reader's language (GB shows as United Kingdom)."""
    locale = get_locale()
    return (locale.territories.get(code.split("-")[0]) if locale else None) or code


def review_date(text: str) -> str:
    """A review's date as written in course.md: a day ("4 December 2026") or a month
    ("December 2026"), in the reader's language."""
    day = dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    return format_date(day, "long") if len(text) > 7 else format_date(day, "LLLL y")


@pass_context
def _gettext(context: Context, string: str) -> str:
    return _catalogue(context).ugettext(string)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _catalogue(context).ungettext(singular, plural, n)


@pass_context
def _pgettext(context: Context, kind: str, string: str) -> str:
    return _catalogue(context).upgettext(kind, string)


@pass_context
def _npgettext(context: Context, kind: str, singular: str, plural: str, n: int) -> str:
    return _catalogue(context).unpgettext(kind, singular, plural, n)


def _catalogue(context: Context) -> NullTranslations:
    """The catalogue the page is rendered in (macros imported without context look it up)."""
    return context.get("page_catalogue") or get_translations()


def question_macros(partial: str) -> TemplateModule:
    """A question kind's partial (templates/learn/questions/) as its macros, made once: importing
    it for each question of a page cost about 25 µs a question. A partial holds macros only, as
    anything at its top level is evaluated once, in no one's language."""
    return current_app.jinja_env.get_template(partial).module


def register_template_helpers(app: Flask) -> None:
    # Replaces the phrase functions Flask-Babel installed: they look the reader's catalogue up
    # afresh for every phrase (about 10 µs each, and a page has dozens). Each page looks it up
    # once, as it starts rendering (in the locale of a force_locale block too), and its phrases
    # read it from the page's context.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext)
    # Globals, not a context processor: mail and PDF templates compare states too.
    app.jinja_env.globals.update({term.__name__: term for term in VOCABULARY})
    app.jinja_env.globals["question_macros"] = question_macros

    @app.context_processor
    def helpers():
        return {
            "current_locale": current_locale,
            "page_catalogue": get_translations(),
            "public_url": public_url,
            "can_author": policy.can_author,  # absolute links (to copy and share) on PUBLIC_BASE_URL only
            "format_datetime": format_datetime,
            "format_date": format_date,
            "format_decimal": format_decimal,  # 1.5 in English, 1,5 in Dutch
            "country_label": country_label,
            "kept": fragments.kept,
            "token_hole": fragments.TOKEN_HOLE,
            "path_hole": fragments.PATH_HOLE,
            "course_links": fragments.course_links,
            "review_date": review_date,
            "tag_label": lambda value: TAG_LABELS.get(value, value),
            # The label of a stored value, in the reader's language.
            "intensity_label": Intensity.label_of,
            "state_label": ModuleState.label_of,
            "assignment_state_label": AssignmentState.label_of,
            "grade_label": Ending.label_of,
            "certificate_state_label": CertificateState.label_of,
            "language_label": Language.label_of,
            "role_label": Role.label_of,
            "sector_label": Sector.label_of,
            "specialty_label": Specialty.label_of,
        }
