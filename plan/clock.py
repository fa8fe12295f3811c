"""The plan's clock: a call's local date and time in its zone, the UTC
instant, and the weekday name, one function so sales and population calls
agree (a local time that does not exist, at a spring-forward, is moved on)."""

from __future__ import annotations

import datetime as dt

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def local_times(date: dt.date, hh: int, mm: int, ss: int, tz: str) -> tuple[str, str, str, str, str]:
    from zoneinfo import ZoneInfo
    zone = ZoneInfo(tz)
    local = dt.datetime(date.year, date.month, date.day, hh, mm, ss, tzinfo=zone)
    utc = local.astimezone(dt.timezone.utc)
    local = utc.astimezone(zone)  # normalizes times that do not exist (spring forward)
    return (local.date().isoformat(), local.strftime("%H:%M:%S"), local.isoformat(),
            utc.strftime("%Y-%m-%dT%H:%M:%S.000Z"), WEEKDAY_NAMES[local.weekday()])
