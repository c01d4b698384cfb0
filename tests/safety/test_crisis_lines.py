"""Crisis lines as data: open right now in Copenhagen, across midnight and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.safety.crisis_lines import CrisisLine, load_lines, opening_state, support_payload

CPH = ZoneInfo("Europe/Copenhagen")


def _line(line_id: str) -> CrisisLine:
    return next(line for line in load_lines() if line.id == line_id)


def _order(now: datetime) -> list[str]:
    return [line["id"] for line in support_payload(now)["lines"]]


def test_every_line_has_a_number_descriptions_and_a_verified_date() -> None:
    lines = {line.id: line for line in load_lines()}
    assert {"livslinien", "psykiatrifonden", "sind", "112"} <= set(lines)
    assert lines["livslinien"].phone.display == "70 201 201"
    assert lines["livslinien"].phone.tel == "tel:+4570201201"
    assert lines["112"].always_open and lines["112"].acute
    for line in lines.values():
        assert line.phone.tel.startswith("tel:")
        assert line.description["da"] and line.description["en"]
        assert line.last_verified <= date(2026, 11, 23)


@pytest.mark.parametrize(
    ("local", "is_open"),
    [
        (datetime(2026, 11, 24, 0, 30), True),  # after midnight, Monday's evening still running
        (datetime(2026, 11, 24, 4, 59), True),
        (datetime(2026, 11, 24, 5, 0), False),
        (datetime(2026, 11, 24, 10, 59), False),
        (datetime(2026, 11, 24, 11, 0), True),
        (datetime(2026, 11, 24, 23, 59), True),
    ],
)
def test_livslinien_stays_open_past_midnight(local: datetime, is_open: bool) -> None:
    assert opening_state(_line("livslinien"), local.replace(tzinfo=CPH))[0] is is_open


def test_a_line_open_now_says_when_it_closes_and_a_closed_one_when_it_opens() -> None:
    evening = datetime(2026, 11, 23, 22, 0, tzinfo=CPH)
    assert opening_state(_line("livslinien"), evening) == (
        True,
        None,
        datetime(2026, 11, 24, 5, 0, tzinfo=CPH),
    )
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=CPH)
    open_now, opens_at, closes_at = opening_state(_line("psykiatrifonden"), saturday)
    assert not open_now and closes_at is None
    assert opens_at == datetime(2026, 11, 30, 11, 0, tzinfo=CPH)


def test_spring_forward_uses_summer_time_for_the_early_morning_closing() -> None:
    # 29 March 2026: clocks jump from 02:00 CET to 03:00 CEST.
    line = _line("livslinien")
    at_0430_cest = datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    at_0530_cest = datetime(2026, 3, 29, 3, 30, tzinfo=UTC)  # 04:30 if winter time were assumed
    open_now, _, closes_at = opening_state(line, at_0430_cest)
    assert open_now
    assert closes_at is not None and closes_at.astimezone(UTC) == datetime(
        2026, 3, 29, 3, 0, tzinfo=UTC
    )
    assert opening_state(line, at_0530_cest)[0] is False


def test_fall_back_keeps_the_line_open_through_the_repeated_hour() -> None:
    # 25 October 2026: clocks go back from 03:00 CEST to 02:00 CET; 02:xx happens twice.
    line = _line("livslinien")
    for utc_hour in (0, 1, 2, 3):  # 02:30 CEST, 02:30 CET, 03:30 CET, 04:30 CET
        assert opening_state(line, datetime(2026, 10, 25, utc_hour, 30, tzinfo=UTC))[0]
    # 05:00 CET is 04:00 UTC (it would still be 03:00 UTC under summer time).
    assert opening_state(line, datetime(2026, 10, 25, 4, 0, tzinfo=UTC))[0] is False
    assert opening_state(line, datetime(2026, 10, 25, 3, 59, tzinfo=UTC))[0] is True


def test_support_lists_open_lines_first_and_always_includes_112() -> None:
    weekday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=CPH)
    assert _order(weekday_noon) == ["livslinien", "psykiatrifonden", "sind", "112"]
    sunday_night = datetime(2026, 11, 22, 3, 0, tzinfo=CPH)
    assert _order(sunday_night) == ["livslinien", "112", "psykiatrifonden", "sind"]
    early_morning = datetime(2026, 11, 23, 6, 0, tzinfo=CPH)
    payload = support_payload(early_morning)
    assert _order(early_morning) == ["112", "livslinien", "psykiatrifonden", "sind"]
    acute = [line for line in payload["lines"] if line["acute"]]
    assert [line["id"] for line in acute] == ["112"] and acute[0]["open_now"] is True
    assert payload["message"] == "safety.support.message"


def test_now_without_a_timezone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        opening_state(_line("livslinien"), datetime(2026, 11, 23, 12, 0))
