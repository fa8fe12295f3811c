"""reader17 (issue 15): facts that contradict each other. An account's figures
(the calls a day at peak, how many recording tools, the chat tool) are the
same in each of its calls; a three-year price is not followed by "the annual
term"; an anecdote is not told again in another call of the account; a role
that does not manage the front line does not call it "my 66 team leads", nor
does a CISO run the CRM. A contact-center caller's story holds within the call
(one place the card was last used, one start of the trouble, a number either
still correct or new), and the agent never says the caller's "my landlord".
Read from the rendered text with this test's own words, on generated specs in
English and German (the reader's seeds) and on examples/contact_center."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from difflib import SequenceMatcher

import pytest

from corpusc.render.template.drafting import Drafter
from corpusc.render.template.sales import Sales

from .conftest import sales_spec_path
from .test_engine import plan_of, render_all

CALLS = 150


@pytest.fixture(scope="module", params=["en", "de"])
def corpus(request, tmp_path_factory):
    h, calls = plan_of(sales_spec_path(request.param, tmp_path_factory, CALLS, {"en": 11, "de": 12}))
    return h, calls, render_all(h, calls)


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def buyer_sentences(rc):
    for t in rc.turns:
        if t.side != "seller":
            for s in sentences(t.text):
                yield t, s


# ---- 1. an account's figures ------------------------------------------------------------

# the reader's patterns: a figure the buyer states about their operation, and the value it takes
FIGURES = {
    "peak calls a day": r"\b([\w-]+) (?:calls a day|Gespräche am Tag)",
    "seasonal hires": r"\b([\w-]+) seasonal (?:agents|associates)",
    "recording tools": r"\b([\w-]+) different (?:recording|call) (?:tools|systems)",
    "chat tool": r"\b(Slack|Teams), (?:Zoom|video calls|Videocalls)",
    "integrations": r"\b(?:about|around) ([\w-]+) (?:integrations|systems) at",
    "systems": r"(?:spread across|split over) ([\w-]+) (?:systems|tools)",
    "vendors": r"\b([\w-]+) vendors (?:pitch|promise)",
    "reviews a week": r"\b([\w-]+) Gespräche pro Woche nach",
}


def test_an_accounts_figures_are_the_same_in_each_of_its_calls(corpus):
    h, calls, rendered = corpus
    account = {c.id: c.account for c in calls}
    said: dict[tuple, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for rc in rendered:
        for t in rc.turns:
            for name, pat in FIGURES.items():
                for m in re.finditer(pat, t.text):
                    said[(account[rc.call_id], name)][m.group(1).lower()].add(rc.call_id)
    differ = {k: {v: sorted(c) for v, c in vals.items()} for k, vals in said.items() if len(vals) > 1}
    assert not differ, differ


def test_an_accounts_facts_are_drawn_once_for_the_account(corpus):
    """Every `fact.<name>` slot takes one value in all calls of an account, and
    not one value for every account (it is drawn, not fixed)."""
    h, calls, _ = corpus
    by_acct: dict[str, list[dict]] = defaultdict(list)
    for c in calls[:60]:
        R = Drafter(c, h, strict=True)
        Sales(R)
        by_acct[c.account].append({k: R.slots[k[len("fact."):]] for k in R.bank if k.startswith("fact.")})
    assert any(v[0] for v in by_acct.values()), "no account fact in the banks"
    for acct, facts in by_acct.items():
        assert all(f == facts[0] for f in facts), (acct, facts)
    for name in next(iter(by_acct.values()))[0]:
        assert len({f[0][name] for f in by_acct.values()}) > 1, f"`{name}` is the same for every account"


# ---- 2. a price's term -------------------------------------------------------------------

MULTI = re.compile(r"three times|for three years|over three years|across three years|Dreifache|(?:für|über) drei Jahre",
                   re.I)
ANNUAL = re.compile(r"annual term|twelve-month (?:term|agreement)|one-year (?:term|agreement)|Jahreslaufzeit|"
                    r"(?:einjährig|zwölfmonatig)\w* Laufzeit", re.I)


def test_a_three_year_price_is_not_said_with_the_annual_term(corpus):
    _, _, rendered = corpus
    bad = [(rc.call_id, t.text[:200]) for rc in rendered for t in rc.turns
           if MULTI.search(t.text) and ANNUAL.search(t.text)]
    assert not bad, bad


# ---- 5. an anecdote told once per account ---------------------------------------------------

PAST = re.compile(r"\b(last (?:week|month|year|quarter|monday|tuesday|wednesday|thursday|friday|december|november|"
                  r"holiday season|peak(?: season)?)|the other day|yesterday|during (?:the last )?peak|around peak|"
                  r"in (?:hurricane|open enrollment|flu) season|letzte[nr]? (?:Woche|Monat|Jahr|Quartal)|neulich|gestern|"
                  r"am (?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag)|im (?:letzten|vergangenen) (?:Jahr|Quartal|Winter|"
                  r"Sommer|Herbst|Dezember|November)|in der (?:letzten )?Hochsaison|im Weihnachtsgeschäft)\b", re.I)


def retold(calls, rendered) -> tuple[int, int]:
    """(buyer stories told again, nearly word for word, in another call of the
    account; accounts): a story is a sentence of ten words or more that tells
    of a past day or season."""
    account = {c.id: c.account for c in calls}
    stories: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for rc in rendered:
        for _, s in buyer_sentences(rc):
            w = re.findall(r"[a-zäöüß]+", s.lower())
            if len(w) >= 10 and PAST.search(s):
                stories[account[rc.call_id]].append((rc.call_id, w))
    n = 0
    for told in stories.values():
        for i, (c1, w1) in enumerate(told):
            n += sum(1 for c2, w2 in told[i + 1:] if c1 != c2 and SequenceMatcher(None, w1, w2).ratio() >= 0.55)
    return n, len({c.account for c in calls})


def test_an_anecdote_is_not_told_again_in_another_call_of_the_account(corpus):
    _, calls, rendered = corpus
    n, accounts = retold(calls, rendered)
    # main told one again in most accounts (English seed 11: 121 in 100 accounts); what is left are
    # a voice's opinions that mention a day, not the account's stories
    assert n <= accounts // 8, (n, accounts)


def test_an_accounts_calls_share_out_what_they_tell(tmp_path_factory):
    """The templates of a told bank are dealt out over the account's calls:
    disjoint shares that together cover the bank."""
    h, calls = plan_of(sales_spec_path("en", tmp_path_factory, 30, {"en": 11}))
    by_acct = defaultdict(list)
    for c in calls:
        by_acct[c.account].append(c)
    acct, mine = next((a, cs) for a, cs in by_acct.items() if len(cs) >= 3)
    key = next(k for k in Drafter(mine[0], h).bank if k.startswith("anecdote."))
    shares = []
    for c in mine:
        R = Drafter(c, h)
        Sales(R)
        n = len(R.bank[key])
        shares.append({j for j in range(n) if j not in R._told_elsewhere(key, n)})
    assert set().union(*shares) == set(range(n))
    assert sum(map(len, shares)) == n, shares


# ---- 6. roles gate what a line claims ----------------------------------------------------------

NOT_LINE = {"CISO", "Head of Security", "IT Manager", "Director of IT", "CFO", "Controller", "VP Finance"}
NO_CRM = {"CISO", "Head of Security", "CFO", "Controller", "VP Finance"}
CRM = r"(?:HubSpot|Salesforce|Dynamics|Pipedrive|Zoho)"
RUNS = re.compile(r"\b(\w+) (?:runs|looks after|owns|administers|betreut|verantwortet|administriert) (?:\w+ ){0,2}" + CRM)
NUM = (r"(?:\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|\w+ty(?:-\w+)?|\w*zig|"
       r"\w*(?:zehn|und)\w*|zwei|drei|vier|fünf|sechs|sieben|acht|neun|elf|zwölf)")
MY_STAFF = re.compile(r"\b(?:my|mein|meine|meinen|meinem|meiner) (?:" + NUM + r" )?(?:[\w-]+ )?(?:team leads|managers|"
                      r"reps|agents|brokers|sellers|associates|adjusters|Teamleiter\w*|Führungskräfte\w*|Vertriebler\w*|"
                      r"Disponenten|Berater\w*|Kundenbetreuer\w*)\b|\b(?:my|meine[nm]?) " + NUM +
                      r" (?:people|folks|staff|Leute|Leuten|Mitarbeitende\w*)\b", re.I)


def test_a_role_says_only_what_it_owns(corpus):
    h, calls, rendered = corpus
    role = {(a.name, (s.get("display") or s.get("name")).split()[0]): s.get("role") or "" for a in h.accounts
            for s in a.stakeholders}
    account = {c.id: c.account for c in calls}
    staff, crm = [], []
    for rc in rendered:
        for t, s in buyer_sentences(rc):
            if t.role in NOT_LINE and MY_STAFF.search(s):
                staff.append((rc.call_id, t.role, s[:120]))
        for t in rc.turns:
            for m in RUNS.finditer(t.text):
                if role.get((account[rc.call_id], m.group(1))) in NO_CRM:
                    crm.append((rc.call_id, m.group(0)))
    assert not crm, crm
    assert not staff, staff


# ---- 3, 4. a contact-center caller's story, the agent's words ----------------------------------

PLACES = {"en-US": ["the supermarket", "a gas station", "the bakery", "the drugstore", "the hardware store",
                    "the train station", "the pharmacy", "an electronics store", "the Italian place",
                    "the farmers market", "the furniture store", "the cafe across", "the newsstand",
                    "the parking garage", "the bike shop", "the garden center", "the cinema", "the swimming pool",
                    "a kiosk", "the bookshop", "the butcher's", "the post office", "a food truck", "the sports shop",
                    "the car wash", "the flower stall", "a ticket machine", "for parking", "for a coffee"],
          "de-DE": ["Supermarkt", "Tankstelle", "Bäcker", "Drogerie", "Baumarkt", "am Bahnhof", "Apotheke",
                    "Elektronikmarkt", "Italiener", "Wochenmarkt", "Möbelhaus", "Café gegenüber", "Kiosk am Bahnhof",
                    "Kiosk", "Parkhaus", "Fahrradladen", "Gartencenter", "im Kino", "Schwimmbad", "Buchhandlung",
                    "Metzger", "auf der Post", "Imbisswagen", "Sportgeschäft", "Waschanlage", "Blumenstand"]}
LAST_USE = re.compile(r"last (?:used|paid|time|I remember)|paid with it|used it|had it|that was (?!not)|last purchase|"
                      r"left it|fell out|zuletzt|das letzte Mal|bezahlt|benutzt|genutzt|hatte ich sie|liegen lassen", re.I)
STILL = re.compile(r"that's still (?:correct|current|right)|that's current|stimmt noch|ist (?:noch )?aktuell", re.I)
NEW_NUMBER = re.compile(r"new (?:phone |mobile )?number|different (?:phone )?number(?!s)|changed my (?:phone )?number|"
                        r"neuen? (?:Handy|Telefon)?[Nn]ummer|anderen? Nummer|Nummer geändert")
ONSET = {"en-US": ["the middle of last month", "the start of the month", "last month", "two weeks", "the spring",
                   "three weeks", "easter", "a good month"],
         "de-DE": ["mitte letzten monats", "anfang des monats", "letzte[nm] monat", "zwei wochen", "frühjahr",
                   "drei wochen", "ostern", "gut einem monat"]}
TROUBLE = re.compile(r"fee|charg|log ?in|get in(?! touch)|works?\b|working|problem|Gebühr|berechne|Anmeld|anmelden|reinkomm|"
                     r"rein\b|funktionier|geht|Problem|since then|seitdem|seither", re.I)
AGENT_OWN = (r"(?:name|name's|details|word|knowledge|own|department|eigenen?|screen|other screen|notes|colleague|supervisor|team|desk|side|best|apologies|list|"
             r"colleagues|job|Job|Namen?|Wort|Teamleitung|Notizen|Bildschirm|anderen Bildschirm|Seite|Tisch|Liste|Kolleg\w*|Bestes|Daten|"
             r"Rechner|Vermerke|Vorgesetzte[rn]?|Hand|hands|eye|tip|advice|Tipp|Rat|Empfehlung)")
AGENT_MY = re.compile(r"\b(?:my|mein|meine|meinen|meinem|meiner|meines)\s+(?!" + AGENT_OWN + r"\b)\w", re.I)


@pytest.fixture(scope="module")
def cc_calls(cc_text_build):
    out = []
    for f in sorted((cc_text_build / "transcripts").glob("*.json")):
        t = json.loads(f.read_text(encoding="utf-8"))
        t["side"] = {p["id"]: p["side"] for p in t["participants"]}
        out.append(t)
    return out


def test_a_callers_story_holds_within_the_call(cc_calls):
    bad = []
    for t in cc_calls:
        loc = t["locale"] if t["locale"] in PLACES else "en-US"
        places, starts, still, new = set(), set(), False, False
        for turn in t["turns"]:
            if t["side"][turn["speaker"]] == "seller":
                continue
            for s in sentences(turn["text"]):
                low = s.lower()
                if LAST_USE.search(s):
                    for p in sorted(PLACES[loc], key=len, reverse=True):
                        if p.lower() in low:
                            places.add(p)
                            low = low.replace(p.lower(), " ")
                if TROUBLE.search(s):
                    low = s.lower()
                    for i, p in sorted(enumerate(ONSET[loc]), key=lambda x: -len(x[1])):
                        if re.search(r"\b" + p, low):
                            starts.add(i)
                            low = re.sub(r"\b" + p, " ", low)
                still = still or bool(STILL.search(s))
                new = new or bool(NEW_NUMBER.search(s))
        if len(places) > 1:
            bad.append((t["call_id"], "last used at", sorted(places)))
        if len(starts) > 1:
            bad.append((t["call_id"], "the trouble began", sorted(starts)))
        if still and new:
            bad.append((t["call_id"], "number still correct, and a new one"))
    assert not bad, bad


def test_the_agent_does_not_say_the_callers_line(cc_calls):
    bad = [(t["call_id"], s[:120]) for t in cc_calls for turn in t["turns"] if t["side"][turn["speaker"]] == "seller"
           for s in sentences(turn["text"]) if AGENT_MY.search(s)]
    assert not bad, bad


def test_the_agent_says_the_callers_own_words_in_the_second_person():
    """What makes the agent's line right, directly: the caller's "my landlord"
    is the agent's "your landlord", "meinen Vermieter" the agent's "Ihren
    Vermieter"; the agent's own words are left as they are."""
    from corpusc.render.template.service import _second_person
    mine, swap = _second_person("en-US", "banking")
    assert "payee" in mine and swap("Can my landlord ask") == "Can your landlord ask"
    assert swap("My daughter's first car") == "Your daughter's first car"
    mine, swap = _second_person("de-DE", "banking")
    assert swap("an meinen Vermieter, mein Girokonto") == "an Ihren Vermieter, Ihr Girokonto"
