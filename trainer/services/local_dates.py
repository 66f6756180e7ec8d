"""Calendar dates where people are. A due date ends at midnight where the learner is, so a
learner in Vancouver is not overdue at five in the afternoon because it is already tomorrow in
UTC; a trainer's "today" is theirs."""
from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trainer.models import User

# No place is further ahead of UTC than UTC+14 (Kiribati's Line Islands): no one's date is later.
_LATEST_OFFSET = timedelta(hours=14)


def utc_today() -> date:
    return datetime.now(UTC).date()


@functools.lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def today_in(zone: str | None, now: datetime | None = None) -> date:
    """The date in time zone ``zone`` (an IANA name) at ``now`` (this moment if not given);
    UTC's for an unknown or empty zone."""
    now = now or datetime.now(UTC)
    found = _zone(zone) if zone else None
    return now.astimezone(found).date() if found is not None else now.astimezone(UTC).date()


def today_for(user: User) -> date:
    """Today's date where ``user`` is (their time zone), so a check made in the evening in
    Canada is not dated tomorrow."""
    return today_in(user.timezone)


def latest_today(now: datetime | None = None) -> date:
    """The latest date anywhere at ``now``: nothing due on it or later is overdue anywhere yet."""
    return ((now or datetime.now(UTC)).astimezone(UTC) + _LATEST_OFFSET).date()
