"""Relative dates a sales call says, from the plan's dates: how long ago the
account's previous call was ("last week" only when it was in the previous
calendar week), the day a document was sent (between that call and this
one, never today's own weekday), and whether the weekend is behind or ahead
(a Monday asks how it was, a Thursday about plans), and the working days
before and after today ("seit Freitag" on a Monday, never "seit Montag";
the review "on Tuesday" said on a Monday, "yesterday" never a Sunday). The words are the
locale's (`cal.ago.*`, `cal.sent.*`, `cal.weekend.*` in the banks); this
module only picks which of them is true."""

from __future__ import annotations

import datetime as dt

from corpusc.plan import rng

SENT_BACK = 6  # days: a document "sent on Tuesday" went out within the last week


def _date(s: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(s[:10])
    except (TypeError, ValueError):
        return None


def _weeks_apart(a: dt.date, b: dt.date) -> int:
    """Calendar weeks (Monday to Sunday) from `a` back to `b`."""
    return ((a - dt.timedelta(days=a.weekday())) - (b - dt.timedelta(days=b.weekday()))).days // 7


def ago(today: str, prev: str | None) -> str:
    """The `cal.ago.*` bucket of the previous call's date seen from today."""
    t, p = _date(today), _date(prev or "")
    if t is None or p is None or p > t:
        return "none"
    if p == t:
        return "today"
    weeks = _weeks_apart(t, p)
    return ("this_week", "last_week", "two_weeks")[weeks] if weeks < 3 else "weeks" if weeks < 6 else "months"


def sent(today: str, prev: str | None, r) -> tuple[str, int]:
    """The `cal.sent.*` bucket and weekday (0 = Monday) of a business day a
    document was sent: after the previous call (or on its day) and before
    today, within `SENT_BACK` days; "yesterday" or "earlier today" when no
    other day lies between."""
    t, p = _date(today), _date(prev or "")
    if t is None:
        return "yesterday", 0
    days = [t - dt.timedelta(days=k) for k in range(2, SENT_BACK + 1)]
    days = [d for d in days if d.weekday() < 5 and (p is None or d >= p)]
    if not days:
        return ("today" if p == t else "yesterday"), (t - dt.timedelta(days=1)).weekday()
    d = days[rng.below(r, min(3, len(days)))]
    return ("same_week" if _weeks_apart(t, d) == 0 else "last_week"), d.weekday()


def weekend(today: str) -> str:
    """`past` early in the week (how was it), else `ahead` (any plans)."""
    t = _date(today)
    return "past" if t is not None and t.weekday() in (0, 1, 5, 6) else "ahead"


def working_days(today: str) -> tuple[int, int]:
    """The weekdays (0 = Monday) of the working day before today and the one
    after it: Friday and Tuesday on a Monday, Thursday and Monday on a Friday
    (a weekend day counts from the Friday before and the Monday after)."""
    t = _date(today)
    wd = t.weekday() if t is not None else 0
    before = 4 if wd in (0, 5, 6) else wd - 1
    after = 0 if wd >= 4 else wd + 1
    return before, after


def yesterday_worked(today: str) -> bool:
    """Whether the day before today was a working day ("yesterday in a
    workshop"), else the last working day is named ("on Friday")."""
    t = _date(today)
    return t is None or t.weekday() in (1, 2, 3, 4)
