"""Contact center: the caller's reply answers the agent's question, and the
agent's next turn answers the caller's question (an outside reader, 170
calls of examples/contact_center: about 30 steps whose reply was drawn apart
from the question, 'Would you like to also change the email?' -> 'No, the
phone number is the same.'; caller questions never taken up: 'Muss ich
künftig ein höheres Guthaben halten?', 'Gibt es ein Kontomodell ohne diese
Gebühren?', 'Kann ich den Betrag selbst wählen?'). The calls are rendered in
process as test_cc_population_facts renders them; which caller turn replies
to which agent question is the renderer's own evidence (the step each turn
plays, `Service.step_at`); whether it answers is read in the text, with word
lists written apart from the banks."""

from __future__ import annotations

import re

import pytest

from .test_cc_population_facts import _render, _sentences, _spec


def capture_steps(setattr_) -> dict[str, dict[int, str]]:
    """The step each turn of each service call rendered from now on plays (the renderer's own
    `Service.step_at`), by call id; `setattr_` patches `Service.run` (a monkeypatch's or setattr)."""
    from corpusc.render.template import service
    steps: dict[str, dict[int, str]] = {}
    run = service.Service.run

    def spy(self):
        drafts = run(self)
        steps[self.call.id] = dict(self.step_at)
        return drafts
    setattr_(service.Service, "run", spy)
    return steps


@pytest.fixture(scope="module")
def played(tmp_path_factory, monkeypatch_module) -> list[tuple[object, dict[int, str]]]:
    """(rendered call, the step each turn plays) of 180 German and 180 English calls (seeds 31 and 47)."""
    steps = capture_steps(monkeypatch_module.setattr)
    tmp = tmp_path_factory.mktemp("ccreplies")
    out = []
    for name, seed, lang in (("de", 31, "de-DE"), ("en", 47, "en-US")):
        spec = tmp / f"cc_{name}.corpus"
        spec.write_text(_spec(seed, lang), encoding="utf-8")
        out += [(rc, steps.get(rc.call_id, {})) for _, rc in _render(spec)]
    return out


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


# (the agent's question, what only a reply to another question of the same step says)
OTHER_REPLY = [
    (r"phone number|Telefonnummer", r"for everything|für alles"),
    (r"for all (?:your )?accounts|für alle Konten", r"phone number|Nummer bleibt"),
    (r"remaining balance|Restguthaben", r"moved everything|Lastschriften"),
    (r"standing orders|Daueraufträge", r"IBAN|new account|neues Konto"),
    (r"reference number|Vorgangsnummer", r"e-?mail|first one|die erste"),
    (r"in writing|schriftlich", r"\d{3}-\d{4}|first one|die erste"),
    (r"How much did|Wie viel hat", r"sleepless|Mostly hassle|schlaflose|Vor allem Ärger"),
    (r"How much (?:comes|is paid)|Wie viel (?:geht|kommt)", r"^(?:Usually yes|Eigentlich ja|No, since|Nein, seit)"),
    (r"main account or|Hauptkonto oder", r"^(?:Usually yes|Eigentlich ja)"),
    (r"on the app or in the browser|App oder im Browser", r"new phone|neues Handy|an update|ein Update"),
    (r"change your phone|Handy gewechselt", r"^In (?:the|der) (?:app|App), (?:on|auf)"),
    (r"set up on the new device|auf dem neuen Gerät", r"^(?:Text messages|SMS)"),
    (r"which number|an welche Nummer", r"^(?:Yes|Ja)\b"),
    (r"\bspell\b|buchstabieren", r"^(?:Yes, exactly|Ja, richtig)"),
    (r"with one L|mit einem L\b", r"like it sounds|wie man es spricht"),
    (r"by mail or online|per Post oder nur online", r"rather not|Lieber nicht|Yes, please|Ja, gern"),
    (r"open a trace|Nachforschung anlegen", r"wait until then|so lange warte ich"),
    (r"update the app|App zu aktualisieren",
     r"Same thing in the browser|Dasselbe im Browser|laptop|same, it says locked"),
    (r"parking machine", r"at home all evening|asleep by then"),
    (r"only one payment|one payment after", r"first one is mine"),
    (r"Elektronik-Onlineshop", r"erste ist von mir"),
    (r"Wohin geht es", r"^Gerade nicht"),
    (r"(?:have|wissen Sie noch|haben Sie) (?:the date|das Datum)",
     r"^(?:By post|A letter|Twice|Two times|Per Post|Mit der Post|Zweimal|Zwei Mal)"),
]
# a question of a kind, and what any answer of that kind says
KINDS = {
    "date": (r"\bwhen (?:did|do|does|was|were|is|will|would|should|can|could|have|has|exactly)\b|\bwhen\?|"
             r"\band (?:roughly )?when\b|what (?:date|day)|since when|\bwann\b|an welchem (?:Tag|Datum)|welches Datum|"
             r"seit wann|zu welchem Datum|(?:the date|das Datum)",
             r"\d|yesterday|today|last|ago|since|week|month|morning|evening|night|weekend|first|end of|soon|possible|"
             r"right away|straight away|without delay|immediately|earliest|now|day|easter|christmas|spring|summer|"
             r"autumn|winter|gestern|heute|"
             r"letzte|vor |seit|woche|monat|morgen|abend|nacht|wochenende|ersten|ende|anfang|bald|sofort|möglich|"
             r"zehnten|fünfzehnten|tenth|fifteenth|uhr|halb|gegen \w+|spät|früh|o'clock|late|early|noon|mittag|"
             r"unverzüglich|jetzt|tag|frühjahr|sommer|herbst|winter|ostern|weihnacht|umgehend|ab da|january|"
             r"february|march|april|may|june|july|august|september|october|november|december|januar|februar|"
             r"märz|mai|juni|juli|oktober|dezember"),
    "amount": (r"how much|what amount|wie viel(?! Uhr)|welchen Betrag|um welchen Betrag",
               r"\d|euro|dollar|hundred|thousand|hundert|tausend|not much|little|slight|nicht viel|wenig|€|\$|"
               r"\w+mal\b|times|once|twice"),
}


def test_the_callers_reply_answers_the_agents_question(played):
    """The caller's turn that plays the agent's step (the renderer's evidence)
    answers the question the agent asked: a date or an amount where one was
    asked, and its first sentence not the answer to another question of that
    step. Main: 13 in the 360 calls ('Soll sie für alle Konten gelten?' ->
    'Nein, die Nummer bleibt gleich.'; 'Wie viel kommt monatlich auf das
    Konto?' -> 'Nicht mehr, seit dem Frühjahr läuft es über ein anderes')."""
    bad, asked = [], 0
    for rc, at in played:
        for i, t in enumerate(rc.turns[:-1]):
            nxt = rc.turns[i + 1]
            s = at.get(i)
            if t.side != "seller" or nxt.side == "seller" or not s or s[:1] == "=" or at.get(i + 1) != s:
                continue
            q = next((x for x in reversed(_sentences(t.text)) if x.endswith("?")), "")
            first = next((x for x in _sentences(nxt.text) if len(x.split()) > 2), "")
            if not q:
                continue
            asked += 1
            for kind, (ask, says) in KINDS.items():
                if re.search(ask, q, re.I) and not re.search(says, nxt.text, re.I):
                    bad.append((rc.call_id, s, f"{kind} asked, none said", q[-60:], first[:70]))
            for ask, other in OTHER_REPLY:
                if re.search(ask, q, re.I) and re.search(other, first, re.I):
                    bad.append((rc.call_id, s, "the reply to another question", q[-60:], first[:70]))
    assert asked >= 300, asked
    assert not bad, (len(bad), bad[:12])


# topic: (a caller question on it, a word of the agent's next turn that takes it up)
TOPICS = {
    "alert level": (r"choose the (?:amount|level)|pick the (?:level|amount)|selbst (?:wählen|festlegen)",
                    r"choose|yourself|you set|you pick|up to you|your call|selbst|legen Sie|entscheiden Sie"),
    "charges not made": (r"charges I didn't make|die ich nicht gemacht habe|fremden Abbuchungen",
                         r"dispute|chargeback|refund|revers|Reklamation|reklamier|Rückbuchung|erstatt"),
    "tell others": (r"report it anywhere else|tell anyone else|woanders melden|jemandem Bescheid",
                    r"police|block|Polizei|Sperr|gesperrt"),
    "more balance": (r"keep more money|bigger balance|mehr Geld auf dem Konto|höheres Guthaben",
                     r"buffer|alert|balance|Puffer|Kontowecker|Guthaben"),
    "free model": (r"(?:account model|option) (?:without|that avoids)|(?:Kontomodell|Variante) ohne",
                   r"no monthly fee|free|ohne Monatsgebühr|keine Monatsgebühr|kostenlos|ohne Kontoführung"),
    "address on the card": (r"(?:change|update) (?:for|on) the card|Adresse (?:für die|auch bei der) Karte",
                            r"card|Karte"),
    "cards after closing": (r"(?:with|about) the cards? (?:once|after)|mit (?:der Karte|den Karten), (?:wenn|sobald)",
                            r"card|Karte"),
}


def test_the_agent_answers_the_callers_question(played):
    """A caller's question on one of these topics (after the opening request)
    is taken up by the agent's very next turn. Main: the agent went on with
    its next step ('Gibt es ein Kontomodell ohne diese Gebühren?' -> 'Ist so
    alles beantwortet, oder liegt noch etwas an?'): 72 questions unanswered
    in the 360 calls, before `pop.banking.asks`/`reply` had these kinds."""
    asked, bad = 0, []
    for rc, _ in played:
        for i, t in enumerate(rc.turns[:-1]):
            nxt = rc.turns[i + 1]
            if t.side == "seller" or i <= 1 or nxt.side != "seller":
                continue
            for q in (x for x in _sentences(re.sub(r"\[[^\]]*\]\s*", "", t.text)) if x.endswith("?")):
                for topic, (ask, answer) in TOPICS.items():
                    if re.search(ask, q, re.I):
                        asked += 1
                        if not re.search(answer, nxt.text, re.I):
                            bad.append((rc.call_id, topic, q[-70:], nxt.text[:90]))
    assert asked >= 15, asked
    assert not bad, (len(bad), bad[:12])
