"""The referral directory ``courses/referrals.yaml``: who to call, checked against a source."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from trainer.vocabulary import Language

from . import frontmatter as fm
from .course import display_path, read_text
from .links import dead_url_reason
from .problems import Parsed, Problems
from .spec import LANGUAGES, ReferralSpec

COUNTRY_RE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
URL_RE = re.compile(r"https?://[^\s/?#]+\.[^\s]*", re.I)


def country(value: Any) -> str:
    """An ISO 3166 country code, or a region such as CA-ON."""
    if not isinstance(value, str) or not COUNTRY_RE.fullmatch(value):
        raise fm.FieldError(f"'{value}' is not a country code such as CA, or a region such as "
                            "CA-ON")
    return value


def web_address(value: Any) -> str:
    """An http(s) address."""
    if not isinstance(value, str) or not URL_RE.fullmatch(value.strip()):
        raise fm.FieldError("must be a web address starting with https:// or http://")
    return value.strip()


def phone(value: Any) -> str:
    """A phone number, written as text so leading zeros and dashes survive."""
    if not isinstance(value, str) or not value.strip():
        raise fm.FieldError('write the phone number in quotes, for example "1-833-900-1010"')
    return value.strip()


# ``description`` is English, the default; ``description_nl`` (one field for each other
# interface language) is shown instead to readers in that language.
TRANSLATED_DESCRIPTIONS = {f"description_{language}": language for language in LANGUAGES
                           if language != Language.EN}

REFERRAL_FIELDS = {
    "country": fm.Field(country, required=True),
    "name": fm.Field(fm.text(), required=True),
    "description": fm.Field(fm.text()),
    **{key: fm.Field(fm.text()) for key in TRANSLATED_DESCRIPTIONS},
    "phone": fm.Field(phone),
    "url": fm.Field(web_address),
    "hours": fm.Field(fm.text()),
    "languages": fm.Field(fm.text_list(0)),
    "checked": fm.Field(fm.date, required=True),
    "source": fm.Field(web_address, required=True),
}


def parse_referrals(path: str | Path) -> Parsed[tuple[ReferralSpec, ...]]:
    """Read and check a referral directory file."""
    problems = Problems(display_path(Path(path)))
    text = read_text(Path(path), problems)
    composed = fm.compose(text, problems, 1, "referrals.yaml") if text is not None else None
    if composed is None or composed[0] is None:
        return Parsed((), tuple(problems.items))
    node, data = composed
    if not isinstance(node, yaml.SequenceNode):
        problems.error(1, "referrals.yaml must be a list of services, each starting with "
                          "'- country:'")
        return Parsed((), tuple(problems.items))
    referrals = []
    for item_node, item in zip(node.value, data, strict=True):
        referral = _referral(item_node, item, problems)
        if referral is not None:
            referrals.append(referral)
    return Parsed(tuple(referrals), tuple(problems.items))


def _referral(node: yaml.Node, item: Any, problems: Problems) -> ReferralSpec | None:
    """One service entry, or None when it has errors."""
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        problems.error(line, "each service is a set of 'field: value' lines")
        return None
    before = len(problems.items)
    front = fm.mapping(node, item, problems, 1, start=line)
    values = fm.read_fields(front, REFERRAL_FIELDS, problems, "a service")
    if front.data.get("phone") is None and front.data.get("url") is None:
        problems.error(line, "a service needs a phone number or a url")
    _check_entry(front, values, problems)
    if any(p.severity == "error" for p in problems.items[before:]):
        return None
    values["languages"] = values.get("languages", ())
    values["descriptions"] = {language: values.pop(key) for key, language
                              in TRANSLATED_DESCRIPTIONS.items() if key in values}
    return ReferralSpec(**values)


def _check_entry(front: fm.FrontMatter, values: dict[str, Any], problems: Problems) -> None:
    """What the field rules cannot see alone: a future check date, a translation without the
    English description, and an address known to be dead (a warning)."""
    if "checked" in values and values["checked"] > dt.date.today() + dt.timedelta(days=1):
        problems.error(front.line("checked"), f"checked: {values['checked']} is in the future; "
                                              "write the date you checked the entry")
    for key in TRANSLATED_DESCRIPTIONS:
        if key in values and "description" not in values:
            problems.error(front.line(key), f"{key} needs a description (in English) beside it, "
                                            "shown to readers of every other language")
    for key in ("url", "source"):
        reason = dead_url_reason(values.get(key) or "")
        if reason:
            problems.warning(front.line(key), f"{key}: {values[key]}: {reason}")
