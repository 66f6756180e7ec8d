"""``credit:`` in course.md: who accredits the course, for what kind of credit, and how much.

    credit:
      body: "Royal College of Emergency Medicine"   # the accrediting body
      type: CPD points                              # the kind of credit
      activity_id: "RCEM-2026-0142"                 # optional: the body's id for the activity
      hours: 1.5                                    # credit hours, at most certificate_hours

Certificates, the verification page, the badge assertion and transcripts print what it says, so
each value is checked at its own line.
"""
from __future__ import annotations

from typing import Any

import yaml

from .frontmatter import FrontMatter
from .problems import Problems
from .spec import CreditSpec

FIELDS = {"body": 120, "type": 60, "activity_id": 60}  # longest text each may have
REQUIRED = ("body", "type", "hours")
SHAPE = "credit: write body:, type:, activity_id: (optional) and hours: lines under it"


def read_credit(front: FrontMatter | None, certificate_hours: float | None, problems: Problems) -> CreditSpec | None:
    """The course's ``credit:`` as a spec, every problem reported at its line; None without one."""
    if front is None or "credit" not in front.key_lines:
        return None
    line, node, value = front.line("credit"), front.nodes["credit"], front.data.get("credit")
    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode):
        problems.error(line, SHAPE)
        return None
    lines = {str(key.value): key.start_mark.line + front.offset for key, _ in node.value}
    ok = True
    for key in value:
        if str(key) not in FIELDS and key != "hours":
            problems.error(lines.get(str(key), line), f"credit: unknown field '{key}' "
                                                      "(use body, type, activity_id and hours)")
            ok = False
    for key in REQUIRED:
        if value.get(key) is None:
            problems.error(line, f"credit: missing field '{key}'")
            ok = False
    texts = {key: _text(key, value.get(key), lines.get(key, line), problems) for key in FIELDS}
    hours = _hours(value.get("hours"), certificate_hours, lines.get("hours", line), problems)
    if certificate_hours == 0:
        problems.error(line, "credit: the course gives no certificate: set certificate_hours first")
        ok = False
    if not ok or hours is None or any(value.get(k) is not None and texts[k] is None for k in FIELDS):
        return None
    return CreditSpec(texts["body"] or "", texts["type"] or "", texts["activity_id"], hours)


def _text(key: str, value: Any, line: int, problems: Problems) -> str | None:
    """A short text; an activity id may be written as a bare number."""
    if value is None:
        return None
    if key == "activity_id" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        problems.error(line, f"credit: {key} must be text (put yes/no and dates in quotes)")
        return None
    if len(value.strip()) > FIELDS[key]:
        problems.error(line, f"credit: {key} must be at most {FIELDS[key]} characters "
                             f"(it has {len(value.strip())})")
        return None
    return " ".join(value.split())


def _hours(value: Any, certificate_hours: float | None, line: int, problems: Problems) -> float | None:
    """More than 0, and never more than the hours the certificate states."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        problems.error(line, "credit: hours must be a number more than 0")
        return None
    if certificate_hours and value > certificate_hours:
        problems.error(line, f"credit: hours ({value:g}) may not be more than certificate_hours "
                             f"({certificate_hours:g})")
        return None
    return float(value)
