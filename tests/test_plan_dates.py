"""What a sales call says about dates agrees with the plan's dates (reader12
defect 9): "last week" for the account's previous call only when it was in
the previous calendar week (the reader found it for calls 14-30 days back,
gen_en 25 of 26, gen_de 22 of 25); a document "sent on <weekday>" on a day
between the previous call and today (it was always today's own weekday:
41 of 41); no weekend-plans question on a Monday or Tuesday (gen_en 7,
gen_de 12); no "Dann unterschreibe ich diese Woche" from someone who does
not sign. Checked in both locales on built files, with the calendar weeks
computed here from `date.isocalendar`, not by the renderer's own code."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from .test_overlap_model import built  # noqa: F401  (the module's builds, made once per module)

WEEKDAYS = {"en-US": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
            "de-DE": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"]}
# how each locale says "n calendar weeks ago" of the previous call (n: the set of week distances it may mean)
AGO = {"en-US": [(r"\blast week\b", {1}), (r"\b(?:a couple of|two) weeks ago\b", {2}),
                 (r"\bearlier this week\b", {0}), (r"\ba few weeks (?:ago|back)\b", {3, 4, 5})],
       "de-DE": [(r"\b(?:letzte|vergangene) Woche\b", {1}), (r"\bvor (?:gut )?zwei Wochen\b", {2}),
                 (r"\bdiese Woche besprochen\b", {0}), (r"\bvor (?:ein paar|einigen) Wochen\b", {3, 4, 5})]}
SENT = {"en-US": r"(?:sent|shared) (?P<last>last |on )?(?P<wd>{wd})(?P<lw> last week)?",
        "de-DE": r"(?P<last>letzten |am )(?P<wd>{wd})(?P<lw> letzter Woche)? geschickt"}
WEEKEND_AHEAD = {"en-US": r"weekend plans|plans for the weekend", "de-DE": r"Pläne fürs Wochenende|am Wochenende etwas Schönes vor"}
NAMES = ["gen_en", "gen_de"]


def _week(d: dt.date) -> int:
    y, w, _ = d.isocalendar()
    return y * 53 + w


def _sales(out: Path):
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    dates = {c["id"]: dt.date.fromisoformat(c["date"]) for c in plan["calls"]}
    for c in plan["calls"]:
        if c["kind"] != "sales":
            continue
        turns = json.loads((out / "transcripts" / f"{c['id']}.json").read_text(encoding="utf-8"))["turns"]
        prev = dates[c["references"][0]["call"]] if c["references"] else None
        yield c, dates[c["id"]], prev, turns


@pytest.mark.parametrize("name", NAMES)
def test_a_previous_call_is_dated_as_the_plan_dates_it(name, built):  # noqa: F811
    said = 0
    for c, today, prev, turns in _sales(built(name)):
        for b in c["beats"]:
            if b["kind"] != "reference" or prev is None:
                continue
            text = turns[b["turn"]]["text"]
            for pat, weeks in AGO[c["locale"]]:
                if re.search(pat, text):
                    said += 1
                    apart = (_week(today) - _week(prev))
                    assert apart in weeks, (c["id"], b["turn"], str(prev), str(today), text[:90])
    assert said >= 3


@pytest.mark.parametrize("name", NAMES)
def test_a_document_was_sent_between_the_calls(name, built):  # noqa: F811
    said = 0
    for c, today, prev, turns in _sales(built(name)):
        names = WEEKDAYS[c["locale"]]
        pat = re.compile(SENT[c["locale"]].format(wd="|".join(names)))
        for i, t in enumerate(turns):
            for m in pat.finditer(t["text"]):
                said += 1
                back = 1 if (m.group("lw") or (m.group("last") or "").strip() in ("last", "letzten")) else 0
                monday = today - dt.timedelta(days=today.weekday() + 7 * back)
                day = monday + dt.timedelta(days=names.index(m.group("wd")))
                assert day < today and (prev is None or day >= prev), (c["id"], i, str(prev), str(today), m.group(0))
    assert said >= 3


@pytest.mark.parametrize("name", NAMES)
def test_no_weekend_plans_early_in_the_week(name, built):  # noqa: F811
    for c, today, prev, turns in _sales(built(name)):
        if today.weekday() > 1:
            continue
        for i, t in enumerate(turns):
            assert not re.search(WEEKEND_AHEAD[c["locale"]], t["text"], re.I), (c["id"], i, t["text"][:80])


@pytest.mark.parametrize("name", NAMES)
def test_only_a_decision_maker_says_they_sign(name, built):  # noqa: F811
    for c, today, prev, turns in _sales(built(name)):
        signs = {p["id"]: p["decision_maker"] for p in c["participants"]}
        for i, t in enumerate(turns):
            if re.search(r"\bunterschreibe ich\b|\bI'll sign\b|\bich unterschreibe\b", t["text"]):
                assert signs.get(t["speaker"]), (c["id"], i, t["text"][:80])
