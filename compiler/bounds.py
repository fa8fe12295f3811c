"""What can be planned: the largest counts, day offsets, windows and dates a
spec may ask for, checked at `check` before any planning, each reported at the
token that asks for more (E1001-E1004; nesting depth, E1005, is capped by the
parser). Without them a typo like `count 20000000000` or `on day 3000000`
reaches the planner and fails there as an internal error, or plans for hours.
"""

from __future__ import annotations

import datetime as dt

from corpusc.diagnostics.model import Sink, Span

# The planner lays out a population's calendar and category quotas in compact
# arrays before streaming its calls one by one (measured: 18 bytes a call for
# a plain population, 40 with shifts and `when` adjustments), and a build
# renders and writes every call. Ten million calls are 180-400 MB of layout
# and a build of days on many machines, a large but plausible corpus; two
# billion would be 36-80 GB before the first call, a typo, not a corpus.
MAX_CALLS = 10_000_000
# One call's turns: `length` is at most 4 h, and a turn counts 20 s.
MAX_TURNS = 4 * 3600 // 20
# `on day N`: a century of days after (or before) `starts` is more than any
# sales thread spans; the day's date must also be a date the clock supports.
MAX_DAY = 36_525
# A population's window: the planner keeps one entry per day and apportions
# calls day by day; ten years (3,653 days with their leap days) is more than
# any traffic study covers.
MAX_WINDOW_DAYS = 3_660
# Every date a call can fall on. From 1970 the tz database records each
# zone's offsets as whole minutes (before it, local mean times with seconds
# that the plan's ISO offsets cannot carry); 2999 is far enough from the end
# of Python's calendar (9999-12-31) that every local and UTC time of every
# call stays representable, with room for a window and a thread's days.
FIRST_DATE = dt.date(1970, 1, 1)
LAST_DATE = dt.date(2999, 12, 31)


def count(sink: Sink, value: float, span: Span, what: str, limit: int = MAX_CALLS) -> bool:
    """`value` of `what` (a count of calls, turns, moments) is at most `limit`."""
    if value <= limit:
        return True
    sink.add("E1001", f"{what} is too large: {_num(value)}", span, label=f"at most {limit:,}",
             help=f"{what} may be at most {limit:,}; " + (
                 "split the corpus into several specs and build them separately" if limit == MAX_CALLS
                 else "write a shorter call"))
    return False


def total_calls(sink: Sink, populations: list[tuple[int, Span]], account_calls: int) -> None:
    """Population counts plus the accounts' calls stay within MAX_CALLS; the
    population whose count crosses the cap is the one reported."""
    total = account_calls
    for n_calls, span in populations:
        total += n_calls
        if total > MAX_CALLS:
            sink.add("E1001", f"the spec has too many calls: {total:,} with this population",
                     span, label=f"the calls of all populations and accounts are at most {MAX_CALLS:,}",
                     help=f"a spec plans at most {MAX_CALLS:,} calls; lower the counts or split the "
                          "corpus into several specs")
            return


def day(sink: Sink, value: float, span: Span) -> bool:
    """`on day N`: |N| is at most MAX_DAY."""
    if -MAX_DAY <= value <= MAX_DAY:
        return True
    sink.add("E1002", f"day {_num(value)} is out of range", span,
             label=f"days run from -{MAX_DAY:,} to {MAX_DAY:,}",
             help=f"a call is at most {MAX_DAY:,} days (a century) from the corpus `starts`; "
                  "move `starts` nearer to the calls or write the call's date (`on 2026-02-11`)")
    return False


def window(sink: Sink, ndays: float, span: Span) -> bool:
    """A window of `ndays` days is at most MAX_WINDOW_DAYS long."""
    if ndays <= MAX_WINDOW_DAYS:
        return True
    sink.add("E1003", f"the window is too long: {_num(ndays)} days", span,
             label=f"at most {MAX_WINDOW_DAYS:,} days",
             help=f"a population's window is at most {MAX_WINDOW_DAYS:,} days (ten years); "
                  "split longer traffic into several populations with their own windows")
    return False


def date(sink: Sink, value: dt.date, span: Span, what: str = "the date is") -> bool:
    """`value` lies between FIRST_DATE and LAST_DATE; `what` starts the
    message ("`starts` is", "call `x` falls on")."""
    if FIRST_DATE <= value <= LAST_DATE:
        return True
    sink.add("E1004", f"{what} {value.isoformat()}, out of range", span,
             label=f"dates run from {FIRST_DATE} to {LAST_DATE}",
             help=f"calls are dated between {FIRST_DATE} and {LAST_DATE}; "
                  "choose a date in that range")
    return False


def _num(v: float) -> str:
    """The value as the user wrote it where a float holds it exactly (up to
    2**53); beyond, an approximation that says so (the label points at the
    literal itself)."""
    if v != v or v in (float("inf"), float("-inf")):  # a literal past the float range
        return "a number of more than 300 digits"
    if v == int(v) and abs(v) <= 2 ** 53:
        return f"{int(v):,}"
    return f"about {v:.3g}"
