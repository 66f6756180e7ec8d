"""The referral directory: services to call, per country or region."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import Model
from trainer.vocabulary import Language

if TYPE_CHECKING:
    from trainer.models.user import User


class Referral(Model):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(sa.String(8), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # English: the default
    # The description in other interface languages, by language code: {"nl": "..."}.
    descriptions: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    phone: Mapped[str | None] = mapped_column(sa.String(60))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    hours: Mapped[str] = mapped_column(sa.String(120), default="")
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The last check against ``source``: the later of referrals.yaml's date and a check recorded
    # in the browser. ``checked_by_id`` is the administrator who recorded it, or None when the
    # date came from the file.
    checked: Mapped[date]
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(default=0)
    # Entries from courses/referrals.yaml are kept in step with the file on import; once an
    # administrator edits one in the browser it is theirs, and imports leave it alone.
    from_file: Mapped[bool] = mapped_column(default=False)

    checked_by: Mapped[User | None] = relationship(lazy="raise")

    def description_for(self, language: str) -> tuple[str, str]:
        """The description in ``language`` when there is one, else the English one: (text, its
        language)."""
        translated = (self.descriptions or {}).get(language)
        return (translated, language) if translated else (self.description, Language.EN.value)

    def is_due(self, today: date, max_age_days: int) -> bool:
        """Whether the entry has gone ``max_age_days`` or more without a check."""
        return (today - self.checked).days >= max_age_days
