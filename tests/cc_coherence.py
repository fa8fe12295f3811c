"""Coherence inside one contact-center call, counted with word lists written
apart from the phrase banks (reader s21, finding 6): per call, the defects a
reader sees when reading one call from start to end.

1. `dates`: the fee (a transfer, the card's last use) dated two ways in one
   call ("vor zwei Wochen", then "von letzter Woche", then "die vom Ersten").
2. `fit`: a reply that does not fit the turn it answers: a fact question
   (yes or no) answered by no yes or no; a branch closed said to an offer of
   video appointments; a promise to read numbers with no number after it; an
   answer to a question the caller did not ask.
3. `aside`: the caller's aside from another intent's story (a new phone that
   wants every app set up again in an address change; an application "under
   review" in a fee complaint).
4. `order`: the new address said to be in use in a turn before the caller
   has given it.

`defects(calls)` takes (call id, intent, locale, [(side, text), ...]) and
returns {class: [(call id, turn, text), ...]}; benchmarks/cc_coherence.py
prints the counts of a built corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path

_I = re.I

# ---- 1. one date per call -----------------------------------------------------------------------
# what is dated: a fee (by its word or its amount)
FEE = {"de": re.compile(r"geb[üu]hr|entgelt|\b\d+(?:,\d+)? euro\b|\bbuchung\b|abgebucht|berechnet", _I),
       "en": re.compile(r"\bfees?\b|\bcharges?\b|\bcharged\b|\$\d|\b\d+ dollars\b", _I)}
# when, as classes: two forms of one class say the same day
WHEN = {"de": (("two_weeks", r"vor zwei wochen|vorletzte[rnm]? woche"),
               ("three_weeks", r"vor drei wochen"),
               ("last_week", r"(?<!vor)letzte[rnm]? woche"),
               ("first", r"\b(?:vom|am) (?:monats)?ersten\b|monatsersten|monatsanfang|anfang des monats|"
                         r"\bdie vom ersten\b"),
               ("quarter", r"quartalsende|ende des quartals"),
               ("yesterday", r"\bgestern\b"),
               ("days", r"vor (?:zwei|drei|vier|ein paar) tagen")),
        "en": (("two_weeks", r"two weeks ago|week before last"),
               ("three_weeks", r"three weeks ago"),
               ("last_week", r"(?<!the )last week|from last week"),
               ("first", r"\bon the (?:1st|first)\b|\bfrom the (?:1st|first)\b|first of the month|"
                         r"start of the month|beginning of the month|\bthe one on the first\b"),
               ("quarter", r"end of the quarter|quarter[- ]end"),
               ("yesterday", r"\byesterday\b"),
               ("days", r"(?:two|three|four|a few|couple of) days ago"))}


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def _lang(loc: str) -> str:
    return "de" if loc.startswith("de") else "en"


def dates(turns: list[tuple[str, str]], loc: str) -> list[tuple[int, str]]:
    """The sentences dating the call's fee to a second day: each after the first that dated it."""
    lang = _lang(loc)
    seen: set[str] = set()
    out = []
    for i, (_, text) in enumerate(turns):
        for s in _sentences(text):
            if not FEE[lang].search(s):
                continue
            low = s.lower()
            got = {name for name, rx in WHEN[lang] if re.search(rx, low)}
            if seen and got and not got & seen:
                out.append((i, s))
            seen |= got
    return out


# ---- 2. a reply that fits the turn it answers ----------------------------------------------------
# a question that a yes or a no answers (no w-word), not an offer ("shall I ...?" is answered "please")
_YN_START = {"de": re.compile(r"^(?:und |also |oh |ach )?(?:haben|hatten|hat|sind|ist|war|waren|gibt|gab|nutzen|"
                              r"benutzen|fahren|brauchen|kennen|passt|stimmt|erinnern|bekommen|erwarten|wussten|"
                              r"liegt|kam|geht)\b", _I),
             "en": re.compile(r"^(?:and |so |oh )?(?:do|did|does|is|are|was|were|have|has|had|any)\b", _I)}
_W = {"de": re.compile(r"\b(?:wer|was|wann|wo|wie|welche[rnms]?|wohin|woher|warum|wieso|weshalb|wofür)\b", _I),
      "en": re.compile(r"\b(?:who|what|when|where|how|which|why)\b", _I)}
# a yes or a no, or an answer that says the fact ("only once", "not that I know")
YES_NO = {"de": re.compile(r"\b(?:ja|jap|jep|jo|nein|nee|ne|genau|richtig|stimmt|doch|klar|jawohl|exakt|"
                           r"nicht|kein\w*|nie|niemals|noch nie|natürlich|sicher|eher|schon|einmal|zweimal|"
                           r"vielleicht|glaube|weiß|keine ahnung|absolut|korrekt|tatsächlich|allerdings|"
                           r"hm+|mhm|okay|ok|nur|bloß|nichts|alles|wahrscheinlich|möglicherweise)\b", _I),
          "en": re.compile(r"\b(?:yes|yeah|yep|yup|no|nope|nah|not|never|right|correct|exactly|sure|"
                           r"of course|certainly|maybe|perhaps|think|know|once|twice|actually|absolutely|"
                           r"indeed|okay|ok|hm+|mhm|uh-huh|just|only|nothing|all|believe|possibly|probably)\b|n't\b", _I)}
# what a caller says to news, not to a question ("Very good, that makes it easier" to "was that your payment?")
REACTION = {"de": re.compile(r"\b(?:sehr gut|super|perfekt|prima|schön|interessant|gut zu wissen|wunderbar|"
                             r"so ist (?:es|das) einfacher|das wusste ich nicht|keine ahnung, dass|praktisch|"
                             r"das ist (?:mir )?lieber|das hilft)\b", _I),
            "en": re.compile(r"\b(?:very good|great|perfect|lovely|nice|interesting|good to know|wonderful|"
                             r"that's easier|that makes it easier|I didn't know|handy|that helps|I prefer that)\b", _I)}
# the caller asks to hear it again: no answer owed yet
_REPEAT = {"de": re.compile(r"wiederholen|noch ?mal sagen|erneut sagen|noch einmal sagen|nicht verstanden", _I),
           "en": re.compile(r"repeat|say that again|one more time|didn't catch|come again|missed that", _I)}
# a promise to read out numbers
NUMBERS_PROMISE = {"de": re.compile(r"\b(?:ich|wir) (?:lese|lesen) Ihnen\b[^.?!]*\bvor\b", _I),
                   "en": re.compile(r"\b(?:I'll|I will|let me|we'll)\s+(?:read|say)\b[^.?!]*"
                                    r"\b(?:numbers|figures|digits)\b", _I)}
_NUMBER = re.compile(r"\d")
# the branch said to be closed (or far), to an offer that did not speak of the branch
BRANCH = {"de": re.compile(r"\bFiliale\b", _I), "en": re.compile(r"\bbranch\b", _I)}
BRANCH_GONE = {"de": re.compile(r"Filiale[^.?!]*(?:geschlossen|zugemacht|weiter Weg)", _I),
               "en": re.compile(r"branch[^.?!]*(?:closed|shut|long way|far)", _I)}
# the agent answering a question: said only after one
ANSWERS_Q = {"de": re.compile(r"^(?:Gute Frage|Das muss (?:die|das|der)[^.?!]*beantworten|"
                              r"Zu Ihrer Frage|Um Ihre Frage)", _I),
             "en": re.compile(r"^(?:Good question|That's a question for|To answer your question|"
                              r"[^.?!]*has to answer that)", _I)}
VIDEO = re.compile(r"video", _I)  # the offer of a video appointment
_LONG = re.compile(r"\w{5,}")  # an answer that says the question's thing ("Is it the credit card?" "The credit card")
_LEAD = re.compile(r"^(?:\[[^\]]*\]\s*)+")  # "[silence 4.5s]", "[INTERRUPTS]"


def _strip(text: str) -> str:
    return _LEAD.sub("", text).strip()


def _yn_question(text: str, lang: str) -> str | None:
    """The turn's last question when a yes or a no answers it, and it is the turn's last sentence."""
    ss = _sentences(_strip(text))
    if not ss or not ss[-1].endswith("?"):
        return None
    q = ss[-1]
    # the question's own clause: after the last ";" or ":" of its sentence
    q = re.split(r"[;:]\s*", q)[-1]
    if _W[lang].search(q) or " oder " in q or " or " in q:
        return None
    return q if _YN_START[lang].search(q) or re.search(r"\b(?:war das|was that|is that|passt das)\b", q, _I) else None


def fit(turns: list[tuple[str, str]], loc: str) -> list[tuple[int, str]]:
    lang = _lang(loc)
    out = []
    for i, (side, text) in enumerate(turns):
        prev = turns[i - 1] if i else None
        if side == "caller" and prev and prev[0] != "caller":
            q = _yn_question(prev[1], lang)
            body = _strip(text)
            first = " ".join(_sentences(body)[:2])
            said = {w.lower() for w in _LONG.findall(first)}
            if q and body and REACTION[lang].search(first) and not YES_NO[lang].search(first) \
                    and "[INTERRUPTS]" not in text and not said & {w.lower() for w in _LONG.findall(q)}:
                out.append((i, f"{q} -> {first}"))
            gone = BRANCH_GONE[lang].search(body)
            if gone and VIDEO.search(prev[1]) and not BRANCH[lang].search(prev[1]):
                out.append((i, gone.group()))
        if side != "caller":
            for s in _sentences(_strip(text)):
                if NUMBERS_PROMISE[lang].search(s):
                    rest = text.split(s, 1)[1]
                    nxt = next((t for s2, t in turns[i + 1:] if s2 != "caller"), "")
                    if not _NUMBER.search(rest + nxt):
                        out.append((i, s))
            if prev and prev[0] == "caller" and "?" not in prev[1] and ANSWERS_Q[lang].search(_strip(text)):
                out.append((i, _sentences(_strip(text))[0]))
    return out


# ---- 3. asides from another intent's story ---------------------------------------------------------
# (marker, the intents whose story it is)
ASIDES = {"de": ((re.compile(r"(?:neue[snm]? (?:Handy|Smartphone|Telefon)|Handy gewechselt)[^.?!]*"
                             r"(?:Anmeldung|neu einrichten|funktioniert mehr)", _I), {"online_banking_login"}),
                 (re.compile(r"\bmein Antrag\b|\bAntrag sei\b|\bKreditantrag\b", _I), {"loan_inquiry"})),
          "en": ((re.compile(r"new phone[^.?!]*(?:setting up again|log in again|set up again)", _I),
                  {"online_banking_login"}),
                 (re.compile(r"\bmy application\b|\bapplication is\b|\bloan application\b", _I), {"loan_inquiry"}))}


def asides(turns: list[tuple[str, str]], loc: str, intent: str) -> list[tuple[int, str]]:
    out = []
    for i, (side, text) in enumerate(turns):
        if side != "caller":
            continue
        for rx, own in ASIDES[_lang(loc)]:
            m = rx.search(text)
            if m and intent not in own:
                out.append((i, m.group()))
    return out


# ---- 4. the change said done before the caller gave what it changes to --------------------------------
# (said as done: "from today", "is updated"; "letters go to the new address once it is changed" is not)
DONE = {"de": re.compile(r"(?:Auszüge|Anschrift|Adresse)[^.?!]*(?:gehen|gilt|wird verwendet)[^.?!]*(?:ab sofort|ab heute)|"
                         r"(?:ab sofort|ab heute)[^.?!]*(?:neue Adresse|neue Anschrift)|"
                         r"(?:Adresse|Anschrift) ist (?:\w+ )?aktualisiert", _I),
        "en": re.compile(r"(?:go to|sent to|applies|is used|goes to)[^.?!]*(?:from today|from now on|right away|"
                         r"immediately)|(?:from today|from now on)[^.?!]*(?:go to|sent to)[^.?!]*new|"
                         r"address (?:is|has been) (?:\w+ )?updated", _I)}
GIVEN = {"de": re.compile(r"(?:straße|str\.|weg|platz|allee|gasse|ring|damm|ufer)\s+\d+|\d+,? in\b|"
                         r"\b[A-ZÄÖÜ][\wäöüß.-]+ \d{1,4}[a-z]?,\s*(?:in\s+)?[A-ZÄÖÜ]"),
         "en": re.compile(r"\b\d+ [A-Z]\w+ (?:Street|Avenue|Road|Lane|Drive|Way|Court|Place|Boulevard)\b|"
                          r"\b(?:Street|Avenue|Road|Lane|Drive|Way|Court|Place|Boulevard),? in\b")}


_IF = re.compile(r"\b(?:once|when|as soon as|after|sobald|wenn|nachdem)\b", _I)


def order(turns: list[tuple[str, str]], loc: str, intent: str) -> list[tuple[int, str]]:
    if intent != "address_change":
        return []
    lang = _lang(loc)
    out = []
    for i, (side, text) in enumerate(turns):
        if side == "caller":
            if GIVEN[lang].search(text):
                break
            continue
        m = DONE[lang].search(text)
        if m and not _IF.search(text[max(0, m.start() - 40):m.start()]):  # "once the address is updated": not done
            out.append((i, m.group()))
    return out


def defects(calls) -> dict[str, list[tuple[str, int, str]]]:
    """Per class, (call id, turn index, what shows it)."""
    got: dict[str, list] = {"dates": [], "fit": [], "aside": [], "order": []}
    for cid, intent, loc, turns in calls:
        for name, found in (("dates", dates(turns, loc)), ("fit", fit(turns, loc)),
                            ("aside", asides(turns, loc, intent)), ("order", order(turns, loc, intent))):
            got[name] += [(cid, i, s) for i, s in found]
    return got


def built(out: Path):
    """(call id, intent, locale, turns) of a built corpus (transcripts + ground truth)."""
    for p in sorted((out / "transcripts").glob("*.json")):
        t = json.loads(p.read_text(encoding="utf-8"))
        gt = json.loads((out / "ground_truth" / p.name).read_text(encoding="utf-8"))
        meta = gt.get("metadata") or {}
        turns = [("caller" if tr["speaker"] == "caller" else "staff", tr["text"]) for tr in t["turns"]]
        yield t["call_id"], str(meta.get("intent") or ""), str(meta.get("language") or t["locale"]), turns
