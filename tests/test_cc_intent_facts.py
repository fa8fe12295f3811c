"""Reader19's contact-center findings (task cc19b), checked on two builds of
examples/contact_center.corpus (its own seed and a second one) with this
file's own word lists, written apart from the banks: the caller's intent is
carried out (a card-block call says the card is blocked, an address change
names the new address, a German house number has at most three digits, no
fraud talk in a lost-card call), the caller's facts agree within a call (when
and why they moved, where they are, an age that fits "I'm a student"), and
the German reads as German (no calque "Jetzt, ich …", no "also, … also",
the accusative and dative after verbs and prepositions, few closing tags).
Each count failed on main (the figures are in the docstrings: seeds
12345 / 777)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest


SEEDS = (12345, 777)


@pytest.fixture(scope="module")
def builds(cc_seed_build) -> list[Path]:
    """The example built twice (its seed and another), transcripts and ground truth (conftest.cc_seed_build)."""
    return [cc_seed_build(seed) for seed in SEEDS]


def _calls(outs: list[Path]):
    """(call id, intent, locale, turns as (speaker side, text)) of every call of the builds."""
    for out in outs:
        plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
        for c in plan["calls"]:
            t = json.loads((out / "transcripts" / f"{c['id']}.json").read_text(encoding="utf-8"))
            turns = [("caller" if tr["speaker"] == "caller" else "staff", tr["text"]) for tr in t["turns"]]
            yield f"{out.parent.name}/{c['id']}", c["metadata"]["intent"], c["metadata"]["language"], turns


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


# ---- 1. the intent carried out --------------------------------------------------------------------

BLOCKED = {"en": re.compile(r"\b(?:I've|I have|I just) (?:\w+ ){0,3}(?:blocked|frozen|stopped)\b|"
                            r"\b(?:card|it)(?: \w+){0,5}?(?:'s| is| has been)(?: \w+){0,2} (?:blocked|frozen)\b", re.I),
           # ("the card with the last digits 9749 is now blocked": five words between)
           "de": re.compile(r"\b(?:ist|wurde|habe ich|Ich habe,?)\s+(?:[\wäöüß]+,?\s+){0,5}gesperrt\b|"
                            r"\bgesperrt (?:ist|wurde)\b|\bSperre gilt\b", re.I)}


def test_every_card_block_call_says_the_card_is_blocked(builds):
    """A caller who phones to block a card hears it done, also when the call is
    passed on, called back or escalated. Main: 12 of 48 card-block calls
    never said it (the block was the outcome of resolved calls only)."""
    bad = [cid for cid, intent, loc, turns in _calls(builds) if intent == "card_block"
           and not any(BLOCKED[loc[:2]].search(t) for side, t in turns if side == "staff")]
    assert not bad, f"{len(bad)} card-block calls never say the card is blocked: {bad[:8]}"


ADDRESS = {"en": re.compile(r"\b(\d{1,5}) [A-Z][a-z]+(?: [A-Z][a-z]+)? (?:Street|Road|Avenue|Lane|Drive|Way|Court|Place)\b"),
           "de": re.compile(r"\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|weg|allee|platz|gasse|ring|damm)\s+(\d+)\b|"
                            r"\b(?:Am|An der|Im|Zum|Zur) [A-ZÄÖÜ][\wäöüß]+ (\d+)\b")}


def test_every_address_change_names_the_new_address(builds):
    """An address change gives the new street and number (number first in
    English: "1949 Maple Avenue", never "Meadow Lane 6669"), and a German
    house number has at most three digits. Main: 14 of 32 address changes
    named no address (the step was drawn out of short calls, or the English
    one said "Meadow Lane 6669"); 16 German addresses like "Bahnhofstraße 8666"."""
    missing, long_numbers = [], []
    for cid, intent, loc, turns in _calls(builds):
        found = [m for _, t in turns for m in ADDRESS[loc[:2]].finditer(t)]
        if intent == "address_change" and not found:
            missing.append(cid)
        long_numbers += [f"{cid}: {m.group()}" for m in found if loc.startswith("de")
                         and len(next(g for g in m.groups() if g)) > 3]
    assert not missing, f"{len(missing)} address changes name no new address: {missing[:8]}"
    assert not long_numbers, f"German house numbers of four digits: {long_numbers[:8]}"


CALLER_FRAUD = re.compile(r"didn't make|don't recognize|unauthori[sz]ed|fraud|stolen|"
                          r"nicht gemacht|nicht kenne|unberechtigt|Betrug|gestohlen|geklaut", re.I)
AGENT_FRAUD = re.compile(r"look(?:s)? unusual|don't fit your usual|unauthori[sz]ed|not authori[sz]ed|dispute|"
                         r"chargeback|marked them as fraud|ungewöhnlich aussehen|nicht zu Ihrem üblichen|"
                         r"unberechtigt|Rückbuchung|Reklamation|als Betrug markiert|missbräuchlich", re.I)


def test_no_fraud_talk_in_a_lost_card_call(builds):
    """A caller who lost their card and never spoke of strange payments does
    not hear of unusual payments, disputes or a chargeback. Main: 16 such
    calls of 48 (the fraud steps were in every card-block call)."""
    bad = []
    for cid, intent, loc, turns in _calls(builds):
        if intent != "card_block" or any(CALLER_FRAUD.search(t) for side, t in turns if side == "caller"):
            continue
        said = [s for side, t in turns if side == "staff" for s in _sentences(t) if AGENT_FRAUD.search(s)]
        if said:
            bad.append(f"{cid}: {said[0][:90]}")
    assert not bad, f"{len(bad)} lost-card calls with fraud talk: {bad[:6]}"


# ---- 2. the caller's facts agree within a call -----------------------------------------------------

MOVED = re.compile(r"umgezogen|gezogen|Umzug|Einzug|eingezogen|\bmoved\b|\bmove was\b|Moving day|"
                   r"packen noch aus|Kisten|boxes|unpacking|Seit dem Ersten|Since the first|As of the first", re.I)
WHEN = {"two weeks": r"zwei Wochen|two weeks|dem Ersten|Monatsanfang|the first",
        "three weeks": r"drei Wochen|three weeks",
        "last week(end)": r"Wochenende|weekend|letzte Woche|last week",
        "a month": r"Monat|month",
        "a season": r"Ostern|Easter|Frühjahr|\bspring\b|Sommer|\bsummer\b"}
WHY = {"work": r"Arbeit|\bJob\b|\bwork\b", "bigger": r"größere|bigger", "across town": r"quer durch|across town"}
WHERE = {"home": r"zu Hause krank|Kinder sind heute zu Hause|schulfrei|auf dem Herd|auf dem Balkon|auf der Leiter|"
                 r"home sick|off sick|kids are (?:home|off)|on the stove|dinner cooking|on the balcony|on the ladder",
         "work": r"\b(?:bin|sitze) (?:gerade )?(?:auf der Arbeit|bei der Arbeit|im Büro)|zwischen zwei Terminen|"
                 r"aus der Mittagspause|I'm at work|between meetings|on my lunch break|on my break at work|at my desk",
         "out": r"\b(?:sitze|bin|stehe) (?:gerade )?(?:im Zug|im Pendlerzug|in der Straßenbahn|im Auto|im Bus|"
                r"auf dem Parkplatz|am Bahnhof|im Wartezimmer)|Parkplatz angehalten|Bushaltestelle|unterwegs zur|"
                r"on the (?:train|tram|bus|commuter train)|in the car|parked outside|pulled over|bus stop|waiting room"}
# another person's move the caller helps with ("Am Wochenende helfen wir meiner Schwester beim Umzug"): not theirs
SOMEONE_ELSES = re.compile(r"(?:helfen|helfe|geholfen)\b[^.]*\bbeim Umzug|help(?:ing)? (?:my|a|our) \w+ (?:to )?move", re.I)
STUDENT = re.compile(r"\bI'm a student\b|\bI'm an apprentice\b|\bich studiere\b|\bbin (?:noch )?(?:Student|Studentin|Azubi)\b")
BORN = re.compile(r"\b(19[2-9]\d|200\d)\b")


def test_the_caller_keeps_one_story(builds):
    """When and why the caller moved, where they are as they call, and an age
    that fits "I'm a student": one each a call. Main: 38 calls of 400 said two
    (move date 15, move reason 19, whereabouts 19, a 74-year-old student)."""
    bad = []
    for cid, intent, loc, turns in _calls(builds):
        caller = [t for side, t in turns if side == "caller"]
        found = []
        if intent == "address_change":
            moved = [s for t in caller for s in _sentences(t) if MOVED.search(s) and not SOMEONE_ELSES.search(s)]
            for what, table in (("moved", WHEN), ("why", WHY)):
                said = {k for k, rx in table.items() for s in moved if re.search(rx, s, re.I)}
                if len(said) > 1:
                    found.append(f"{what}: {sorted(said)}")
        where = {k for k, rx in WHERE.items() for t in caller if re.search(rx, t, re.I)}
        if len(where) > 1:
            found.append(f"where: {sorted(where)}")
        year = next((int(m.group()) for t in caller[:3] for m in BORN.finditer(t)), None)
        if year and 2025 - year > 35 and any(STUDENT.search(t) for t in caller):
            found.append(f"a student aged {2025 - year}")
        if found:
            bad.append(f"{cid}: {found}")
    assert not bad, f"{len(bad)} calls whose caller says two things: {bad[:6]}"


# ---- 3. German that is German ----------------------------------------------------------------------

CALQUE = re.compile(r"(?:^|[.!?] )Jetzt, (?:ich|mein|meine|wir|das)\b")
WRONG_CASE = re.compile(
    r"\b(?:mit|bei|von|zu|aus|helfen wir|besuche ich|habe ich|Ich habe|noch)\s+(?:mein|ein)\s+"
    r"(?:Vermieter|Sohn|Kollege|Bekannter|Schwager|Mitbewohner|Neffe|Vater|Partner|Steuerberater|Bruder|alter)\b|"
    r"\b(?:mit|bei|von|zu|aus|helfen wir)\s+(?:meine|eine|die)\s+"
    r"(?:Vermieterin|Nachbarin|Schwester|Mutter|Freundin|Chefin|Tante|Kollegin|Dame|beste)\b")
TAGS = re.compile(r", (?:oder|ne|gell|nicht wahr|ehrlich gesagt|wissen Sie|muss ich sagen|glauben Sie mir|sag ich mal|"
                  r"wenn Sie mich fragen|um ehrlich zu sein|ganz ehrlich|übrigens|nur zur Info|falls das hilft|"
                  r"damit das klar ist|muss ich dazusagen|nur damit Sie es wissen)[.?!]")


def test_german_reads_as_german(builds):
    """The German calls: no "Jetzt, ich …" (an English "Now, I …"; main 42 turns),
    no turn with a discourse "also," and a second "also" (main 177, now 13),
    the accusative and dative after verbs and prepositions ("besuche ich
    meinen Vater", not "mein Vater"; main 27), and closing tags like "…,
    ehrlich gesagt." fewer than two a call on average (main 4.3, now 1.4)."""
    calque, also, case, tags, n = [], [], [], 0, 0
    for cid, intent, loc, turns in _calls(builds):
        if not loc.startswith("de"):
            continue
        n += 1
        for _, t in turns:
            calque += [cid] if CALQUE.search(t) else []
            also += [cid] if re.search(r"\b[Aa]lso,", t) and len(re.findall(r"\balso\b", t, re.I)) > 1 else []
            case += [f"{cid}: {m.group()}" for m in WRONG_CASE.finditer(t)]
            tags += len(TAGS.findall(t))
    assert len(calque) <= 2, f"'Jetzt, ich …' in {len(calque)} turns: {calque[:6]}"
    assert len(also) <= 2 * len(SEEDS) * 5, f"{len(also)} turns say 'also, …' and 'also' again: {also[:6]}"
    assert not case, f"a person in the nominative after a verb or preposition: {case[:6]}"
    assert tags / n < 2, f"{tags / n:.1f} closing tags a German call"
