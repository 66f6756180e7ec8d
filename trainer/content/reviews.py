"""``reviewed:`` in course.md: who has reviewed the course, and when.

    reviewed:
      - by: "Emergency physician, London, Ontario"     # a name or a role
        date: 2026-12                                   # the month, or the day (YYYY-MM-DD)
      - by: "Survivor advisory group"
        date: 2027-01-15
        lived_experience: true                          # reviewers with lived experience of trafficking

The course page shows the list, and says plainly when no one with lived experience of trafficking
has reviewed the course: a reader deciding how far to trust it should know both.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from .frontmatter import FrontMatter
from .problems import Problems
from .spec import ReviewSpec

MAX_BY = 120
FIELDS = ("by", "date", "lived_experience")
SHAPE = "reviewed: write a list of reviews, each with by: (a name or role) and date: lines"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def read_reviewed(front: FrontMatter | None, problems: Problems,
                  today: dt.date | None = None) -> tuple[ReviewSpec, ...]:
    """The course's reviews, oldest first, every problem reported at its line; () without any."""
    if front is None or "reviewed" not in front.key_lines:
        return ()
    line, node, value = front.line("reviewed"), front.nodes["reviewed"], front.data.get("reviewed")
    if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
        problems.error(line, SHAPE)
        return ()
    today = today or dt.date.today()
    reviews: list[ReviewSpec] = []
    for item, item_node in zip(value, node.value, strict=True):
        review = _review(item, item_node, item_node.start_mark.line + front.offset, front.offset, today, problems)
        if review is not None:
            reviews.append(review)
    return tuple(sorted(reviews, key=lambda review: review.date))


def _review(item: Any, node: yaml.Node, line: int, offset: int, today: dt.date,
            problems: Problems) -> ReviewSpec | None:
    if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
        problems.error(line, SHAPE)
        return None
    lines = {str(key.value): key.start_mark.line + offset for key, _ in node.value}
    ok = True
    for key in item:
        if str(key) not in FIELDS:
            problems.error(lines.get(str(key), line),
                           f"reviewed: unknown field '{key}' (use by, date and lived_experience)")
            ok = False
    by = _by(item.get("by"), lines.get("by", line), problems)
    date = _date(item.get("date"), lines.get("date", line), today, problems)
    lived = item.get("lived_experience", False)
    if not isinstance(lived, bool):
        problems.error(lines.get("lived_experience", line), "reviewed: lived_experience must be true or false")
        ok = False
    if not ok or by is None or date is None:
        return None
    return ReviewSpec(by=by, date=date, lived_experience=lived)


def _by(value: Any, line: int, problems: Problems) -> str | None:
    if value is None:
        problems.error(line, "reviewed: missing field 'by' (a name or a role)")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.error(line, "reviewed: by must be text (a name or a role)")
        return None
    text = " ".join(value.split())
    if len(text) > MAX_BY:
        problems.error(line, f"reviewed: by must be at most {MAX_BY} characters (it has {len(text)})")
        return None
    return text


def _date(value: Any, line: int, today: dt.date, problems: Problems) -> str | None:
    """An ISO day or month, not in the future: a review that has not happened is no review."""
    if value is None:
        problems.error(line, "reviewed: missing field 'date' (YYYY-MM or YYYY-MM-DD)")
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day, text = value, value.isoformat()
    else:
        match = MONTH.match(str(value).strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            problems.error(line, f"reviewed: date must be YYYY-MM or YYYY-MM-DD, not '{value}'")
            return None
        day, text = dt.date(int(match.group(1)), int(match.group(2)), 1), match.group(0)
    if day > today:
        problems.error(line, f"reviewed: {text} is in the future; write a review's date once it has taken place")
        return None
    return text
