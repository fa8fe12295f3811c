"""Issue 15 §5/§6 on contact-center populations other than the example's
mix: a German-only and an English-only bank population with another seed,
four chats in ten (the example is 80% German, 15% chat). The calls are
rendered in process (no files written) and read as a practitioner reads
them: the checks are word lists written apart from the banks. Each failed
on main's output at ae7f14c (the counts are in the docstrings)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import EXAMPLES


def _spec(seed: int, lang: str) -> str:
    text = (EXAMPLES / "contact_center.corpus").read_text(encoding="utf-8")
    text = text.replace("seed 12345", f"seed {seed}").replace("volume 40 per day", "volume 36 per day")
    text = re.sub(r"language weights \{[^}]*\}", f"language weights {{\n    {lang} 100%\n  }}", text)
    text = text.replace("voice 85% text 15%", "voice 60% text 40%")
    if lang == "en-US":  # the agents who speak English
        text = text.replace("locale de-DE", "locale en-US").replace(
            "[anna, lukas, mira, jonas, elif, tobias, sophie, karim]", "[anna, mira, jonas, elif, sophie, karim]")
    return re.sub(r"\nemit audio \{[^}]*\}\n", "\n", text)


def _render(spec: Path) -> list[tuple[dict, object]]:
    from corpusc.builder.compile import compile_spec, engine, renderer_options
    from corpusc.diagnostics.model import Sink
    from corpusc.plan import planner as planmod
    from corpusc.render import registry as renderers
    compiled = compile_spec(str(spec), Sink())
    prog = compiled.program
    header = planmod.header(prog, compiled.spec_hash)
    r = renderers.get(engine(prog))
    opts = renderer_options(prog, r.Options.model_fields)
    return [(c.metadata or {}, r.render(c, header, opts)) for c in planmod.calls(prog)]


@pytest.fixture(scope="module")
def populations(tmp_path_factory) -> dict[str, list]:
    """180 German and 180 English calls, seeds 31 and 47."""
    tmp = tmp_path_factory.mktemp("ccpop")
    out = {}
    for name, seed, lang in (("de", 31, "de-DE"), ("en", 47, "en-US")):
        spec = tmp / f"cc_{name}.corpus"
        spec.write_text(_spec(seed, lang), encoding="utf-8")
        out[name] = _render(spec)
    return out


def _agent_text(rc) -> list[str]:
    return [t.text for t in rc.turns if t.side == "seller"]


def _caller_text(rc) -> list[str]:
    return [t.text for t in rc.turns if t.side != "seller"]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;])\s+", text) if s]


# ---- the transfer's payee is one party -------------------------------------------------------

PAYEE_KINDS = {  # kinds of party a transfer goes to, as a reader names them (not the banks' values)
    "landlord": r"landlord|landlady|\brent\b|Vermieter\w*|\bMiete\b", "tax": r"tax (?:advisor|office)|Steuerberat\w*|Finanzamt",
    "gym": r"\bgym\b|Fitnessstudio", "dentist": r"dentist|Zahnarzt\w*",
    "craft": r"craftsman|contractor|electrician|plumber|Handwerker\w*|Elektriker",
    "school": r"driving school|language school|music school|Fahrschule|Sprachschule|Musikschule",
    "car": r"car dealer|garage|Autohaus|Werkstatt", "rental": r"holiday rental|holiday apartment|Ferienwohnung",
    "vet": r"\bvet\b|Tierarzt\w*", "daycare": r"daycare|Kita", "insurance": r"insurance|insurer|Versicherung\w*"}
SAYS_PAYEE = re.compile(  # a sentence saying whom the transfer went to or what it was for
    r"\b(?:it was for|it's for|that was for|(?:money|payment) (?:is|was) (?:for|towards)|(?:payment|transfer|money) to|"
    r"went to|(?:war|ist) für|Geld (?:ist|war) für|(?:Zahlung|Überweisung|Geld) (?:ging )?an|ging an|es geht um)\b", re.I)


def test_a_transfer_goes_to_one_kind_of_payee(populations):
    """'Hi, the payment to my former landlady bounced' and then 'So, it was
    for the electrician' (reader13 #5: Zahnarztpraxis / Fitnessstudio /
    Steuerberater in one call). Every sentence of a transfer or complaint
    call that says whom the money went to or what it was for names one kind
    of party. Main: 5 German and 4 English calls of 98 named two."""
    bad = []
    for name, calls in populations.items():
        for meta, rc in calls:
            if meta.get("intent") not in ("transfer_status", "complaint"):
                continue
            kinds = {}
            for t in rc.turns:
                for s in _sentences(t.text):
                    if SAYS_PAYEE.search(s):
                        for k, rx in PAYEE_KINDS.items():
                            if re.search(rx, s, re.I):
                                kinds.setdefault(k, s)
            if len(kinds) > 1:
                bad.append((rc.call_id, name, kinds))
    assert not bad, bad[:5]


# ---- the agent speaks from the agent's side ---------------------------------------------------

CALLERS_DAY = re.compile(  # the caller's own day, in the first person: never the agent's words about the account
    r"\bmy (?:lunch|way home|break)\b|on the way to the gym|before I left for work|while I was out|"
    r"\bin meiner (?:Pause|Mittagspause)\b|auf dem Heimweg|bevor ich zur Arbeit|auf dem Weg zum Sport|beim Frühstück|"
    r"an der Supermarktkasse")


def test_the_agent_does_not_speak_of_the_callers_day(populations):
    """'I can see the last card payment was on my lunch break' (reader13 #5,
    00038): what the agent sees on the account is said without the caller's
    first person. Main: 5 German and 3 English agent turns."""
    bad = [(rc.call_id, m.group()) for calls in populations.values() for _, rc in calls
           for text in _agent_text(rc) for m in [CALLERS_DAY.search(text)] if m]
    assert not bad, bad[:5]


# ---- a hand-over is announced, in a chat too ---------------------------------------------------

HANDS_OVER = re.compile(r"verbinde Sie|stelle Sie|leite Sie|weitergeleitet|übergebe Sie|übernimmt|passing you|"
                        r"transferr?ing you|transfer you|connect you|put(?:ting)? you through|take over|taking over", re.I)
GOODBYE = re.compile(r"Auf Wiedersehen|Tschüss|Wiederhören|Goodbye|\bBye\b|Einen (?:schönen|angenehmen) Tag|"
                     r"schönen Tag noch|Have a (?:good|nice|great) (?:day|one)", re.I)


def test_the_agent_hands_over_before_the_colleague_speaks(populations):
    """German chats escalated to a supervisor: 'Kann ich sonst noch helfen?
    Einen angenehmen Tag. Auf Wiedersehen.' and then the team lead writes
    (every announcement was pruned as phone talk: 'Teamleitung' holds
    'Leitung'); the SA metadata counts a transfer the chat never says.
    Main: 16 of 36 German hand-overs unannounced, 3 said goodbye first."""
    bad = []
    for calls in populations.values():
        for meta, rc in calls:
            first = rc.turns[0].speaker
            at = next((i for i, t in enumerate(rc.turns) if t.side == "seller" and t.speaker != first), None)
            if at is None:
                continue
            last = next((t.text for t in reversed(rc.turns[:at]) if t.side == "seller"), "")
            if not HANDS_OVER.search(last) or GOODBYE.search(last):
                bad.append((rc.call_id, meta.get("channel"), last[:90]))
    assert not bad, bad[:5]


# ---- the caller's story holds together --------------------------------------------------------

FIRST_PAYMENT = re.compile(r"first time I've (?:paid|sent)|first payment|\berste Zahlung\b|\bDas erste Mal, (?:ja|genau)",
                           re.I)
PAID_BEFORE = re.compile(r"I've been (?:paying|sending)|paid them before|the second time with|"
                         r"seit (?:Monaten|einem Jahr) (?:genauso|auf diese Weise)|zweite Mal mit|öfter dorthin|"
                         r"nicht (?:das|zum) erste", re.I)
AWAY = re.compile(r"got back from (?:two weeks|ten days|a week away|visiting)|came back from (?:a week|visiting)|"
                  r"aus zwei Wochen Urlaub|aus den Bergen")
AT_THE_BRANCH = re.compile(r"(?:to|into) the branch (?:last week|on Saturday)|(?:letzte Woche|am Samstag) (?:schon|sogar) in der Filiale")
ASKED_BY_SOMEONE = re.compile(r"(?:Did|Has) (?:anyone|someone|anybody) (?:ask|tell|asked|told) you|"
                              r"Hat (?:jemand|irgendwer) Sie (?:aufgefordert|gebeten)")
TRUSTED = re.compile(r"known payee|as trusted|vertrauenswürdig|bekannten Empfänger")


def test_the_caller_tells_one_story(populations):
    """One caller, one story (reader13 #5): 'It's the first time I've paid
    the car dealer' and 'I've been paying the car dealer like this for a
    year'; 'got back from two weeks at the lake on Sunday' and 'I went to
    the branch on Saturday'; 'Did anyone ask you to make this payment?' ->
    'The first payment, yes; I got their details from a friend', after
    which the agent saves the payee as trusted. Main: 2 + 1 + 3 + 2 calls."""
    bad = []
    for calls in populations.values():
        for _, rc in calls:
            caller = " ".join(_caller_text(rc))
            if FIRST_PAYMENT.search(caller) and PAID_BEFORE.search(caller):
                bad.append((rc.call_id, "first payment and paid before"))
            if AWAY.search(caller) and AT_THE_BRANCH.search(caller):
                bad.append((rc.call_id, "away and at the branch"))
            if TRUSTED.search(" ".join(_agent_text(rc))):
                bad.append((rc.call_id, "a payee saved as trusted on the caller's word"))
            for i, t in enumerate(rc.turns):
                if t.side == "seller" and ASKED_BY_SOMEONE.search(t.text):
                    reply = next((u.text for u in rc.turns[i + 1:] if u.side != "seller"), "")
                    if re.search(r"first (?:time|payment)|erste (?:Mal|Zahlung)", reply, re.I):
                        bad.append((rc.call_id, "asked who asked, answered 'the first payment'"))
    assert not bad, bad[:5]


AMOUNT_ASKED = re.compile(r"(?:\bthe amount\b|\bhow much\b|\bBetrag\b)[^.?!;]*[?]|"
                          r"(?:Nennen Sie mir|give me)[^.?!]*(?:Betrag|amount)[^.?!]*[.?]", re.I)
A_SUM = re.compile(r"\d|euro|hundred|thousand|hundert|tausend|dollar|\$|€", re.I)


def test_a_question_for_the_amount_gets_an_amount(populations):
    """'Können Sie mir den Betrag und das Empfängerkonto nennen?' -> 'An das
    Finanzamt; ich habe sie letzten Freitag … gemacht' (reader13 #5, 00026:
    the amount and the payee asked, the payee given). Main: 7 of 9 German
    and 8 of 10 English questions for an amount in transfer calls."""
    bad = []
    for calls in populations.values():
        for meta, rc in calls:
            if meta.get("intent") != "transfer_status":
                continue
            for i, t in enumerate(rc.turns):
                if t.side == "seller" and AMOUNT_ASKED.search(t.text):
                    reply = next((u.text for u in rc.turns[i + 1:] if u.side != "seller"), "")
                    if not A_SUM.search(reply):
                        bad.append((rc.call_id, AMOUNT_ASKED.search(t.text).group(), reply[:80]))
    assert not bad, bad[:5]


# ---- an agent's question gets an answer to that question ----------------------------------------

OTHER_ANSWER = [  # (the agent's question, what only the reply to another question of the step says)
    (r"know (?:your limit|what your limit is)|(?:kennen|wissen) Sie,? (?:Ihr Limit|wie hoch)",
     r"red|\bRot\b|roten|try again|versuchen|nochmal|small local|savings bank|Sparkasse|Regionalbank"),
    (r"What (?:message|error)|(?:Welche|Was für eine) (?:Meldung|Fehlermeldung)", r"small local|savings bank|Sparkasse|Regionalbank"),
    (r"(?:someone|anyone) else (?:have|know)|(?:jemand|irgendwer) (?:anderes|sonst)",
     r"notebook|card at home|browser|laptop|Notizbuch|Zettel|Browser|Laptop"),
    (r"How many times|How often did you|Wie oft haben Sie|Wie viele Male", r"changed it|reset it|geändert|zurückgesetzt"),
    (r"What time of day|Zu welcher Tageszeit|Um welche Uhrzeit", r"minutes|Minuten|Three times|Four times|Dreimal|Viermal"),
    (r"How old is (?:the|your) phone|What age is (?:the|your) phone|Wie alt ist (?:das|Ihr) Handy", r"\bstore\b|Store|update button"),
    (r"Did you (?:withdraw|take out) cash|(?:Bargeld|Geld) (?:an einem|am) (?:Automaten|Geldautomaten)",
     r"UK|Switzerland|England|Schweiz|restaurants|Restaurant"),
]


def test_the_callers_reply_answers_the_question_asked(populations):
    """A step's questions and answers were drawn apart: 'The amount was over
    your instant limit; do you know what your limit is?' -> 'No clue; it's a
    small savings bank, perhaps they don't.' (the answer to 'does the
    recipient's bank support instant transfers?'). The reply's first
    sentence answers the question asked (`pop.*.answers.<step>`). Main: 3
    German and 2 English replies of 20 to these questions."""
    bad = []
    for calls in populations.values():
        for _, rc in calls:
            for i, t in enumerate(rc.turns):
                if t.side != "seller":
                    continue
                for q, other in OTHER_ANSWER:
                    if re.search(q, t.text, re.I):
                        reply = next((u.text for u in rc.turns[i + 1:] if u.side != "seller"), "")
                        first = next((s for s in _sentences(reply) if len(s.split()) > 3), "")
                        if re.search(other, first, re.I):
                            bad.append((rc.call_id, t.text[-60:], first[:70]))
    assert not bad, bad[:5]


CHAT_PUT_THROUGH = re.compile(r"verbunden|durchgestellt|put through|on the line|am Apparat|in der Leitung", re.I)


def test_a_chat_is_passed_on_not_put_through(populations):
    """A chat is typed: 'Ihr Kollege hat mich gerade zu Ihnen verbunden' and
    'hin und her verbunden' are a phone line's words (reader13: 00016,
    00065, 00101 in the example). Main: 7 German chat turns."""
    bad = [(rc.call_id, m.group()) for calls in populations.values() for meta, rc in calls
           if meta.get("channel") == "text" for t in rc.turns for m in [CHAT_PUT_THROUGH.search(t.text)] if m]
    assert not bad, bad[:5]


AT_HOME = re.compile(r"kids are home|off school|pot on the stove|dinner cooking|in the next room|right next to me|"
                     r"Kinder sind heute zu Hause|schulfrei|auf dem Herd|im Nebenzimmer|gleich neben mir|sitting in the garden|"
                     r"out in the garden|on the balcony|sitze im Garten|sitze auf dem Balkon")
OUT_AND_ABOUT = re.compile(r"on the train|sitting in the car|parked outside|walking to the bus stop|on my way to the pharmacy|"
                           r"I'm (?:currently|right now) (?:at|in)\b|on the bus\b|im Zug|sitze gerade im Auto|Parkplatz vorm|"
                           r"Bushaltestelle|unterwegs zur Apotheke|(?:stehe|bin) gerade (?:im|in der|an der|bei)\b|sitze im Bus")
# (session 30: not "mir ist lieber die Karte in der Hand", a liking for plastic cards said by a caller who lost one)
CARD_IN_HAND = re.compile(r"card here too|card in my hand|Karte habe ich auch hier|(?<!lieber die )Karte in der Hand|"
                          r"Karte liegt vor mir")
CARD_LOST = re.compile(r"lost my|can't find my|Karte verloren|nicht mehr finden|keine Spur")


def test_the_caller_is_in_one_place(populations):
    """'Ich sitze im Garten mit dem Hund' and 'Ich bin gerade im
    Sportgeschäft' in one call; 'I've got my card in my hand' from a caller
    who lost it. Main: 3 German and 2 English callers in two places, 1
    English caller holding the card they lost."""
    bad = []
    for calls in populations.values():
        for _, rc in calls:
            caller = " ".join(_caller_text(rc))
            if AT_HOME.search(caller) and OUT_AND_ABOUT.search(caller):
                bad.append((rc.call_id, AT_HOME.search(caller).group(), OUT_AND_ABOUT.search(caller).group()))
            if CARD_IN_HAND.search(caller) and CARD_LOST.search(caller):
                bad.append((rc.call_id, "the lost card in hand"))
    assert not bad, bad[:5]


SALARY = re.compile(r"\bmy (?:salary|wages|paycheck)\b|\bmein(?:em|en)? (?:Gehalt|Lohn)\b", re.I)
BORN = re.compile(r"\b(19[2-9]\d|200\d)\b")


def test_a_retired_caller_has_no_salary(populations):
    """'Mein Lohn geht hier ein, Monat für Monat' from a caller born in 1942
    (the call is in 2025). A caller past 67 by the birth year they give
    speaks of no salary or wages. Main: 5 German and 1 English caller."""
    bad = []
    for calls in populations.values():
        for _, rc in calls:
            caller = " ".join(_caller_text(rc))
            year = BORN.search(caller)
            if year and 2025 - int(year.group()) > 67 and SALARY.search(caller):
                bad.append((rc.call_id, year.group(), SALARY.search(caller).group()))
    assert not bad, bad[:5]


def test_a_chat_says_nothing_of_calling(populations):
    """'künftig können Sie das direkt dort erledigen, ohne anzurufen' in a
    chat ('anrufen' was pruned as phone talk, 'anzurufen' was not). Main: 3
    German chats."""
    bad = [(rc.call_id, t.text[:80]) for calls in populations.values() for meta, rc in calls
           if meta.get("channel") == "text" for t in rc.turns if re.search(r"anzurufen|\bcalling\b|\bthe call\b", t.text)]
    assert not bad, bad[:5]


HOLD_TALK = re.compile(r"\bhold\b|holding|one moment|a moment|bear with me|waiting|patience|waited|Moment|warten|Warten|gewartet|Geduld|Leitung|"
                       r"\bdran\b|Warteschleife", re.I)


def test_a_planned_hold_is_announced_and_returned_from(populations):
    """'[hold 26.7s] Wenn die Karte gestohlen wurde, …' with no word of the
    hold before or after: the return from the hold fell on the turn that
    answers the caller's question, and every return line was vetoed for not
    naming the police. A voice call's hold of 10 s or more is talked about
    in the turns around it. Main: 1 German call (00090)."""
    bad = []
    for calls in populations.values():
        for meta, rc in calls:
            hold = meta.get("Hold_time")
            if meta.get("channel") != "voice" or not isinstance(hold, (int, float)) or hold < 10:
                continue
            at = next((i for i, t in enumerate(rc.turns) if any(c.startswith("hold") for c in t.cues)), None)
            near = " ".join(t.text for t in rc.turns[max(0, (at or 0) - 2):(at or 0) + 1])
            if at is None or not HOLD_TALK.search(near):
                bad.append((rc.call_id, hold, at))
    assert not bad, bad[:5]


def test_police_advice_is_not_answered_about_something_else(populations):
    """'Falls die Karte gestohlen wurde, empfehle ich eine Anzeige bei der
    Polizei' -> 'Nee, das nutze ich nicht.' (the reply to the question about
    mobile payments: the agent's step was moved up to answer the caller's
    police question, the caller's reply was not). Main: 5 of 12 German and
    3 of 8 English replies."""
    bad = []
    for calls in populations.values():
        for _, rc in calls:
            for i, t in enumerate(rc.turns):
                if t.side == "seller" and re.search(r"police|Polizei", t.text) and "?" not in t.text.split(".")[-1]:
                    reply = next((u.text for u in rc.turns[i + 1:] if u.side != "seller"), "")
                    first = reply.split(".")[0]
                    if re.search(r"set (?:it|that) up|use that|eingerichtet|nutze ich nicht|mobile|Handy|phone", first, re.I):
                        bad.append((rc.call_id, first[:70]))
    assert not bad, bad[:5]


ANGER = re.compile(r"\bangry\b|annoy|frustrat|fed up|ridiculous|unacceptable|embarrass|disappoint|\bupset\b|terrible|"
                   r"ärger|verärgert|\bsauer\b|frustri|unverschämt|inakzeptabel|enttäusch|peinlich|reicht mir", re.I)


def test_a_content_caller_is_not_angry(populations):
    """A caller whose planned sentiment is clearly positive (above 0.3) says
    no word of anger or shame ('I'm not angry, I only like to understand…',
    '…which was embarrassing' at sentiment 1.0 and 0.85; `pop.*.downbeat`).
    Main: 10 German and 3 English caller turns (and test_cc_slips's English
    sentiment-words correlation fell to 0.44 once the draws moved; now 0.60)."""
    bad = [(rc.call_id, meta.get("sentiment_score"), m.group()) for calls in populations.values() for meta, rc in calls
           if isinstance(meta.get("sentiment_score"), (int, float)) and meta["sentiment_score"] > 0.3
           for text in _caller_text(rc) for m in [ANGER.search(text)] if m]
    assert not bad, bad[:5]


# where a lost card was lost, and where it was carried: one story a call (s21's reader: bank_service.00019's
# caller lost it in a taxi, at the ATM and in another jacket, and it was in a sleeve with two other cards)
_LOST_AT = {"taxi or bus": r"im Taxi|Aussteigen aus dem Bus|getting out of the taxi|getting off the bus",
            "machine": r"(?:Geld|Fahrkarten)automaten habe ich sie|left it (?:in the cash machine|at the ATM)",
            "another jacket": r"anderen Jacke|irgendeiner Hosentasche|another jacket|some coat pocket",
            "on the way": r"offen in der Hand|neben mir auf dem Sitz"}
_CARRIED = {"pocket": r"lose in der (?:Jacken|Mantel)tasche|Karte war in meiner Jackentasche|"
                      r"(?:was|been) in my jacket pocket|it in my coat pocket",
            "wallet or case": r"Karte war im Portemonnaie|(?:Portemonnaie|Geldbörse) habe ich noch|Hülle|"
                              r"Reißverschlussfach|(?:was|been) in my wallet|back in my wallet|zipper pocket|little case"}


def test_a_lost_card_was_lost_in_one_place(populations, tmp_path):
    example = tmp_path / "cc.corpus"
    example.write_text(re.sub(r"\nemit audio \{[^}]*\}\n", "\n", (EXAMPLES / "contact_center.corpus").read_text(
        encoding="utf-8")), encoding="utf-8")
    lost, bad = 0, []
    for name, calls in (*populations.items(), ("example", _render(example))):
        for meta, rc in calls:
            said = " ".join(_caller_text(rc))
            if not re.search(r"verloren|lost my|I've lost", said):
                continue
            lost += 1
            for table in (_LOST_AT, _CARRIED):
                found = [k for k, p in table.items() if re.search(p, said)]
                if len(found) > 1:
                    bad.append(f"{name} {rc.call_id}: {found}")
    assert lost >= 30
    assert not bad, bad
