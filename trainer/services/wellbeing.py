"""The private wellbeing self-check: reflective questions, not a diagnostic scale.

Only the learner can see their answers: no trainer, administrator or export reads this table,
and every function here takes the learner and touches only their own rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from trainer.extensions import db
from trainer.models import User, WellbeingCheck
from trainer.services.errors import InvalidInput, NotFound

MAX_NOTE = 2000


@dataclass(frozen=True)
class Prompt:
    id: str
    text: object  # a lazy translated string
    strain_when_high: bool  # True: a high answer suggests strain; False: a high answer is a resource


PROMPTS = (
    Prompt("intrusion", _l("Thoughts or images from work came back when I did not want them."), True),
    Prompt("on-edge", _l("I felt more on edge, tired or irritable than usual."), True),
    Prompt("withdrawn", _l("I pulled back from people or things I usually enjoy."), True),
    Prompt("difference", _l("I felt that my work made a difference to someone."), False),
    Prompt("someone", _l("I had someone to talk to about the hard parts of my work."), False),
    Prompt("rest", _l("I was able to rest and switch off."), False),
)
SCALE = (
    (0, _l("Not at all")),
    (1, _l("A little")),
    (2, _l("Quite a lot")),
    (3, _l("A great deal")),
)


def record(user: User, answers: dict[str, str], note: str) -> WellbeingCheck:
    """Keep one check. Every prompt may be left unanswered; nothing else is accepted."""
    values: dict[str, int] = {}
    for prompt in PROMPTS:
        raw = answers.get(prompt.id, "")
        if raw == "":
            continue
        if raw not in {str(v) for v, _ in SCALE}:
            raise InvalidInput(prompt.id, str(_l("Choose one of the answers.")))
        values[prompt.id] = int(raw)
    if len(note) > MAX_NOTE:
        raise InvalidInput("note", str(_l("Use at most %(n)d characters.", n=MAX_NOTE)))
    check = WellbeingCheck(user_id=user.id, answers=values, note=note.strip())
    db.session.add(check)
    db.session.flush()
    return check


def history(user: User) -> list[WellbeingCheck]:
    return list(db.session.scalars(sa.select(WellbeingCheck).where(WellbeingCheck.user_id == user.id)
                                   .order_by(WellbeingCheck.created_at.desc(), WellbeingCheck.id.desc())))


def get(user: User, check_id: int) -> WellbeingCheck:
    """The learner's own check; anyone else's is 'not found', never 'forbidden'."""
    check = db.session.get(WellbeingCheck, check_id)
    if check is None or check.user_id != user.id:
        raise NotFound()
    return check


def delete(user: User, check_id: int) -> None:
    db.session.delete(get(user, check_id))
    db.session.flush()


def delete_all(user: User) -> int:
    # A DELETE gives a cursor result, which has the row count; the ORM's signature says only Result.
    result = cast(sa.CursorResult[Any], db.session.execute(
        sa.delete(WellbeingCheck).where(WellbeingCheck.user_id == user.id)))
    return result.rowcount


def reflections(check: WellbeingCheck) -> list[Prompt]:
    """The prompts worth a second look: strain answered high, or a resource answered low.
    A nudge to reflect, never a score or a diagnosis."""
    flagged = []
    for prompt in PROMPTS:
        value = check.answers.get(prompt.id)
        if value is None:
            continue
        if (prompt.strain_when_high and value >= 2) or (not prompt.strain_when_high and value <= 1):
            flagged.append(prompt)
    return flagged
