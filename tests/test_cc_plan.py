"""Issue 15 §5/§6: the contact-center call realizes its plan (reader12:
/tmp/reader12/report.md, defects 3, 5 and the German grammar of 6). The
checks are word lists written here, apart from the banks, applied to the
files a build of the example writes; each failed on main before (counts in
the docstrings, measured on main's build of examples/contact_center.corpus)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def built(cc_text_build) -> Path:
    return cc_text_build


def _calls(out: Path):
    plan = {c["id"]: c for c in json.loads((out / "plan.json").read_text(encoding="utf-8"))["calls"]}
    for f in sorted((out / "ground_truth").glob("*.json")):
        g = json.loads(f.read_text(encoding="utf-8"))
        t = json.loads((out / "transcripts" / f.name).read_text(encoding="utf-8"))
        yield g, t, plan[g["call_id"]]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.findall(r"[^.!?]+[.!?]*", re.sub(r"\[[^\]]*\]", " ", text)) if s.strip()]


# ---- 1. a resolved call resolves the request -------------------------------------------------------

RESOLVED = {  # what a resolution says, per intent (the caller's request done), in either language
    "card_block": r"gesperrt|blocked",
    "address_change": r"Adresse|Anschrift|address",
}


def test_a_resolved_call_resolves_the_request(built):
    """Reader defect 3: on main, all 7 calls of <= 8 turns skipped the
    request and still said `resolved_first_contact`/FCR (00017: the card
    never blocked; 00097: the address never changed). Every call has room
    for the request and its outcome; in every call resolved at first contact
    the agent says, after the caller's identity statement, what resolves it."""
    bad = []
    for g, t, _ in _calls(built):
        turns = t["turns"]
        meta = g["metadata"]
        assert len(turns) >= 9, (g["call_id"], len(turns))
        ident = next((e["turn"] for e in g["events"] if e["type"] == "identity" and e["key"] == "statement"), 0)
        rx = RESOLVED.get(meta["intent"])
        if meta["scenario"] == "resolved_first_contact" and rx:
            agent = " ".join(tr["text"] for tr in turns[ident + 1:] if tr["speaker"] == "agent")
            if not re.search(rx, agent):
                bad.append(g["call_id"])
    assert not bad, bad


def test_verify_fails_an_fcr_call_without_its_outcome(built, tmp_path):
    """`corpusc verify` checks the plan's FCR against the ground truth's
    `outcome` event: a build whose resolved call lost it fails (E0704)."""
    from corpusc.cli.main import main
    out = tmp_path / "out"
    shutil.copytree(built, out)
    g, _, _ = next((g, t, p) for g, t, p in _calls(out) if g["metadata"]["FCR"] is True)
    path = out / "ground_truth" / f"{g['call_id']}.json"
    old = hashlib.sha256(path.read_bytes()).hexdigest()
    g["events"] = [e for e in g["events"] if e["type"] != "outcome"]
    path.write_text(json.dumps(g, ensure_ascii=False, indent=2), encoding="utf-8")
    man = out / "manifest.json"
    man.write_text(man.read_text(encoding="utf-8").replace(old, hashlib.sha256(path.read_bytes()).hexdigest()),
                   encoding="utf-8")
    res = CliRunner().invoke(main, ["verify", str(out)])
    assert res.exit_code != 0
    assert "no sentence resolves the request" in res.output


# ---- 2. caller gender: names, titles and voice from one planned gender ----------------------------------


def test_the_agent_addresses_the_caller_by_the_planned_gender(built):
    """Reader defect 3: 97 of 200 calls on main had the agent's title
    (Herr/Frau, Mr./Ms.) contradict the plan's caller gender, which picks
    the caller's voice (backends/audio/voices.py)."""
    bad = []
    for g, t, p in _calls(built):
        gender = next(x["gender"] for x in p["participants"] if x["id"] == "caller")
        agent = " ".join(tr["text"] for tr in t["turns"] if tr["speaker"] == "agent")
        mr = re.search(r"\b(?:Mr\.|Herr)\s", agent)
        ms = re.search(r"\b(?:Ms\.|Mrs\.|Frau)\s", agent)
        if (mr and gender == "female") or (ms and gender == "male"):
            bad.append((g["call_id"], gender))
    assert not bad, bad


# ---- 3. age-bound lines, 6. time of day ------------------------------------------------------------

AGED = [  # (what, pattern, the caller's ages that rule it out)
    ("youth account ran out", r"Konto für junge Leute, und das (?:lief|endete)|Jugendmodell|birthday thing|"
                              r"(?:young customers|students), and (?:that ended|it ran out)", lambda a: a > 30),
    ("own pension", r"\bMeine Rente\b|\bMy pension\b|I'm retired|\bRentner(?:in)?\b", lambda a: a < 55),
    ("grandchildren", r"\bmein(?:e|em|er)? Enkel(?:in)?\b|\bmy grand(?:son|daughter)\b", lambda a: a < 45)]
TIME_OF_DAY = [  # (what, pattern, start hours that rule it out)
    ("afternoon kept free", r"Nachmittag freigehalten|took the afternoon off", lambda h: h < 12),
    ("pot on the stove", r"Topf auf dem Herd|pot on the stove", lambda h: h < 11),
    ("all morning", r"den ganzen Vormittag|all morning", lambda h: h < 10)]


def test_age_and_time_bound_lines_fit_the_caller_and_the_hour(built):
    """Reader defects 3 and 5: on main "the youth account ran out on your
    birthday" went to callers aged 50-85 (6 of 6), "Nachmittag freigehalten"
    was said at 09:48 and "Topf auf dem Herd" at 09:11 (8 calls). The age is
    the one the caller states with their birth date."""
    bad = []
    for g, t, _ in _calls(built):
        text = " ".join(tr["text"] for tr in t["turns"])
        caller = " ".join(tr["text"] for tr in t["turns"] if tr["speaker"] == "caller")
        born = re.search(r"\b(19[2-9]\d|200\d)\b", caller)
        age = int(g["date"][:4]) - int(born.group(1)) if born else None
        for what, rx, bad_age in AGED:
            if re.search(rx, text) and (age is None or bad_age(age)):
                bad.append((g["call_id"], what, age))
        hour = int(g["start"][11:13])
        for what, rx, bad_hour in TIME_OF_DAY:
            if re.search(rx, caller) and bad_hour(hour):
                bad.append((g["call_id"], what, hour))
    assert not bad, bad


# ---- 4. appended stock tags ---------------------------------------------------------------------------

HEDGE = re.compile(r", (?:fürs Protokoll|zur Beruhigung|nehme ich an|würde ich sagen|in der Regel|"
                   r"zumindest glaube ich das|I'd say|as a rule|for peace of mind|"
                   r"in case you wondered|at least I think so)[.]$")
TAGGED = re.compile(r", (?:übrigens|nur zur Info|falls das hilft|damit das klar ist|muss ich dazusagen|"
                    r"nur damit Sie es wissen|by the way|just so you know|to be clear|for your information|"
                    r"for the record|if that helps|just so we're clear|I should add)[.]$")


def test_no_stock_tag_where_it_cannot_be_said(built):
    """Reader defect 3: on main 279 agent and 227 caller sentences ended in
    a stock tag, among them "Vielen Dank für Ihre Geduld, fürs Protokoll."
    and the caller's own income "…, nehme ich an.". No hedge that changes
    what a sentence says, and no aside on the greeting, a thanks or a goodbye."""
    bad = []
    for g, t, _ in _calls(built):
        turns = t["turns"]
        for i, tr in enumerate(turns):
            for s in _sentences(tr["text"]):
                if HEDGE.search(s):
                    bad.append((g["call_id"], i, s))
                elif TAGGED.search(s) and (i == 0 or re.search(
                        r"Dank|[Tt]hank|Wiederh|[Gg]oodbye|[Bb]ye\b|Geduld|patience", s)):
                    bad.append((g["call_id"], i, s))
    assert not bad, bad[:10]


# ---- 5. turns that answer, facts that agree -----------------------------------------------------------

ASK_SUPERVISOR = r"Vorgesetzte|Teamleitung (?:sprechen|verbinden)|mit der Teamleitung|supervisor|" \
                 r"(?:speak|talk) (?:to|with) (?:a|the|your) manager|\byour manager\b|" \
                 r"jemandem sprechen, der etwas entscheiden|jemanden sprechen, der"
TIP = r"Tipp|\btip\b|Tagesgeld|savings|Wallet|Push-|push notification|Vollmacht|power of attorney|Haushaltsbuch|" \
      r"Steuerbescheinigung|tax certificate|Landeswährung|local currency|paper statements|Auszüge auf Papier"
HANDOVER = r"verbinde Sie|stelle Sie .* durch|gebe das .* weiter|leite das .* weiter|hole .* dazu|" \
           r"put you through|transfer you|connect you|bring in|hand (?:you|this) over"


def test_no_tip_after_the_caller_asks_for_a_supervisor(built):
    """Reader defect 5: on main the agent offered tips and upsells after the
    caller asked for a supervisor, up to and in the turn that hands over, in
    7 of 13 such calls (00131: 9, 00010: 5)."""
    bad = []
    for g, t, _ in _calls(built):
        turns = t["turns"]
        ask = next((i for i, tr in enumerate(turns) if tr["speaker"] == "caller" and re.search(ASK_SUPERVISOR, tr["text"])),
                   None)
        if ask is None:
            continue
        for tr in turns[ask + 1:]:
            if tr["speaker"] == "caller":
                continue
            bad += [(g["call_id"], s) for s in _sentences(tr["text"]) if re.search(TIP, s)]
            if re.search(HANDOVER, tr["text"]):
                break
    assert not bad, bad


def _long_words(q: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w{5,}", q)}


def test_a_caller_asks_a_question_once_and_hears_the_answer(built):
    """Reader defect 5: on main the caller asked the same thing twice in 13
    calls (00160 "Kann/Darf ich vorzeitig zurückzahlen…?" at t3 and t19), and
    none of the 14 questions about the police (00006 t3 and again t11) was
    answered by the agent's next turn."""
    reasked, unanswered = [], []
    for g, t, _ in _calls(built):
        turns = t["turns"]
        asked: list[set[str]] = []
        for i, tr in enumerate(turns):
            if tr["speaker"] != "caller":
                continue
            for q in (s for s in _sentences(tr["text"]) if s.endswith("?")):
                words = _long_words(q)
                if len(words) >= 3 and any(len(w) >= 3 and len(words & w) * 4 >= 3 * min(len(words), len(w))
                                           for w in asked):
                    reasked.append((g["call_id"], i, q))
                asked.append(words)
                if re.search(r"Polizei|police", q):
                    nxt = turns[i + 1]["text"] if i + 1 < len(turns) else ""
                    if not re.search(r"Polizei|police", nxt):
                        unanswered.append((g["call_id"], i, q))
    assert not reasked, reasked
    assert not unanswered, unanswered


FACTS = {  # statements one call cannot both make (either speaker)
    "the computer fails / the laptop works": (r"(?:Dasselbe|Gleiche Meldung) (?:im Browser|am Computer)|"
                                              r"Same (?:thing|message) (?:in the browser|on the computer)",
                                              r"Am (?:Laptop|Computer) (?:klappt|geht) es|komme ich noch rein|"
                                              r"On (?:my|the) (?:laptop|computer) it (?:works|'s fine|still works)|"
                                              r"I can still get in"),
    "at work / at home": (r"I'm at work|auf der Arbeit\b|bei der Arbeit\b",
                          r"\bladder\b|\bLeiter\b|in the garden\b|im Garten\b|on the stove|auf dem Herd|"
                          r"zu Hause krank|home sick"),
    "PIN stays / new PIN": (r"PIN bleibt gleich|PIN stays the same|keeps (?:the same|your existing) PIN",
                            r"neue PIN kommt separat|neue(?:n)? PIN\b[^.?]*(?:getrennt|separat)|"
                            r"(?:card|cards) and (?:the )?PINs? (?:arrive|come) separately|new PIN by mail"),
}


def test_a_call_keeps_one_set_of_facts(built):
    """Reader defect 5: on main the agent said "the PIN comes separately" and
    "keeps your existing PIN" in one call, a caller was "up a ladder picking
    plums" and "at work" (4 calls), and "same message on the computer" then
    "on the laptop I can still get in" (00010)."""
    bad = []
    for g, t, _ in _calls(built):
        text = " ".join(tr["text"] for tr in t["turns"])
        for what, (a, b) in FACTS.items():
            if re.search(a, text) and re.search(b, text):
                bad.append((g["call_id"], what))
    assert not bad, bad


# ---- 7. German grammar from bracket products and paraphrases --------------------------------------------

BROKEN = [r"konnten Sie sich zuletzt geklappt", r"Wann zuletzt hat es zuletzt", r"Meine Schwester[^.]*\bihn\b",
          r"\bab (?:unverzüglich|umgehend)\b", r"zu viel (?:plötzlich|von heute auf morgen)",
          r"\bIch (?:meine|denke) es erst, wenn"]


def test_no_german_sentence_broken_by_its_template(built):
    """Reader defect 6: on main bracket products and paraphrases inside fixed
    phrases broke German sentences ("Wann konnten Sie sich zuletzt
    geklappt", "Meine Schwester … bei ihm", "ab unverzüglich" in 12 calls,
    "zu viel plötzlich" in 9, "Ich meine es erst, wenn …")."""
    bad = []
    for g, t, _ in _calls(built):
        for i, tr in enumerate(t["turns"]):
            for rx in BROKEN:
                m = re.search(rx, tr["text"])
                if m:
                    bad.append((g["call_id"], i, m.group()))
    assert not bad, bad
