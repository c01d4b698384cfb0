"""Danish crisis lines, kept as data, and which of them are open right now in Copenhagen."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

DATA_FILE = Path(__file__).with_suffix(".json")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# The frontend owns the wording; the API names the message so both languages stay in one place.
MESSAGE_KEY = "safety.support.message"
MINUTES_PER_DAY = 24 * 60

_CLOCK = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _clock(value: str) -> str:
    if not _CLOCK.match(value):
        raise ValueError("times are HH:MM (24:00 allowed as a closing time)")
    return value


Clock = Annotated[str, AfterValidator(_clock)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phone(_Data):
    tel: Annotated[str, Field(pattern=r"^tel:\+?[0-9]{3,15}$")]
    display: str


class CrisisLine(_Data):
    """One line as the data file describes it; `hours` are local wall-clock times."""

    id: str
    name: str
    phone: Phone
    chat_url: str | None
    website: str | None
    description: dict[Literal["da", "en"], str]
    always_open: bool
    acute: bool
    # A closing time at or before the opening time means the line closes the next morning.
    hours: dict[Weekday, list[tuple[Clock, Clock]]]
    last_verified: date


class CrisisLineData(_Data):
    timezone: Literal["Europe/Copenhagen"]
    lines: list[CrisisLine]


@cache
def load_lines() -> tuple[CrisisLine, ...]:
    """The crisis lines from the data file, validated once per process."""
    data = CrisisLineData.model_validate_json(DATA_FILE.read_bytes())
    for line in data.lines:
        if set(line.description) != {"da", "en"}:
            raise ValueError(f"{line.id}: a description in both da and en is required")
        if not line.always_open and set(line.hours) != set(WEEKDAYS):
            raise ValueError(f"{line.id}: hours must list every weekday (empty when closed)")
        for intervals in line.hours.values():
            for opens, closes in intervals:
                if opens == closes or opens == "24:00":
                    raise ValueError(f"{line.id}: interval {opens}-{closes} is not valid")
    return tuple(data.lines)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _periods(line: CrisisLine, day: date) -> list[tuple[datetime, datetime]]:
    """The opening periods that start on `day`, as aware local datetimes."""
    out = []
    for opens, closes in line.hours.get(WEEKDAYS[day.weekday()], []):
        start, end = _minutes(opens), _minutes(closes)
        if end <= start:
            end += MINUTES_PER_DAY
        out.append((_at(day, start), _at(day, end)))
    return out


def _at(day: date, minutes: int) -> datetime:
    """The local moment `minutes` after midnight on `day` (wall clock, so DST is respected)."""
    extra_days, minute_of_day = divmod(minutes, MINUTES_PER_DAY)
    wall = datetime.combine(day + timedelta(days=extra_days), time(0), tzinfo=COPENHAGEN)
    return wall.replace(hour=minute_of_day // 60, minute=minute_of_day % 60)


def opening_state(line: CrisisLine, now: datetime) -> tuple[bool, datetime | None, datetime | None]:
    """(open now, opens at, closes at) in Copenhagen time; an always-open line has no times."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if line.always_open:
        return True, None, None
    local = now.astimezone(COPENHAGEN)
    instant = now.astimezone(UTC)
    # Yesterday's periods matter for lines open past midnight.
    periods = [
        p for offset in range(-1, 8) for p in _periods(line, local.date() + timedelta(offset))
    ]
    for start, end in periods:
        if start.astimezone(UTC) <= instant < end.astimezone(UTC):
            return True, None, end
    upcoming = [start for start, _ in periods if start.astimezone(UTC) > instant]
    return False, min(upcoming, key=lambda s: s.astimezone(UTC), default=None), None


def _line_payload(line: CrisisLine, now: datetime) -> dict[str, Any]:
    open_now, opens_at, closes_at = opening_state(line, now)
    return {
        "id": line.id,
        "name": line.name,
        "phone": {"tel": line.phone.tel, "display": line.phone.display},
        "chat_url": line.chat_url,
        "website": line.website,
        "description": dict(line.description),
        "always_open": line.always_open,
        "acute": line.acute,
        "hours": {
            day: [{"opens": o, "closes": c} for o, c in line.hours.get(day, [])] for day in WEEKDAYS
        },
        "open_now": open_now,
        "opens_at": opens_at.isoformat() if opens_at else None,
        "closes_at": closes_at.isoformat() if closes_at else None,
        "last_verified": line.last_verified.isoformat(),
    }


def support_payload(now: datetime) -> dict[str, Any]:
    """The `support` object: every line, open ones first, acute (112) after the open helplines.

    112 is always open, so it is always listed; the calm helplines come before it so a member
    who is not in immediate danger meets a conversation first, not an emergency call.
    """
    lines = load_lines()
    items = [_line_payload(line, now) for line in lines]
    order = {line.id: i for i, line in enumerate(lines)}
    items.sort(key=lambda item: (not item["open_now"], item["acute"], order[item["id"]]))
    return {
        "message": MESSAGE_KEY,
        "timezone": "Europe/Copenhagen",
        "checked_at": now.astimezone(COPENHAGEN).isoformat(),
        "lines": items,
    }
