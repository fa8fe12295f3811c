"""Bad news in small talk, and what the seller says back (issue 15 §3, "bad
news gets empathy"), counted on a built sales corpus with word lists written
apart from the phrase banks: what a reader takes for bad news, for an
empathetic opening and for cheer.

A buyer turn of the small talk (before the call's first work beat: agenda,
discovery, ... as the plan places them) that tells bad news (`BAD`: staff out
sick, a system down, a rough week) is answered by the next full seller turn.
That reply is a defect when

  opener  it does not open with empathy (`EMPATHY` in its first sentence,
          past a name said first: "Hana, sorry to hear that.")
  cheer   it says cheer anywhere (`CHEER`: "great news", "love that", "glad")

(one reply may be both). `defects(build)` returns {"turns": [...], "opener":
[...], "cheer": [...]} with (call id, buyer turn, buyer text, seller text)
rows; benchmarks/empathy_checks.py prints the counts, tests/test_empathy.py
asserts none."""

from __future__ import annotations

import json
import re
from pathlib import Path

_I = re.I

# what a reader takes for bad news told in passing (people ill or missing, a system down, a hard week)
BAD = {
    "en-US": re.compile(
        r"\b(sick|the flu|has the flu|flu\b|out sick|ill\b|(went|go|goes|going|is|was|been|are|were) down\b|"
        r"outage|crash(ed)?|died|broke(n)?\b|gave up|rough|tough|short[- ]staffed|running lean|understaffed|"
        r"behind\b|stressful|stress(ed)?\b|chaos|chaotic|fire drill|lost\b|scramble|brutal|fried|killing me|"
        r"freezing|sheet of ice|foot of snow|wouldn't start|barely started|swamped|disaster|a mess\b|nightmare|"
        r"exhausted|burn(ed|t) out|on hold with IT|covering for|allergies|pollen|barely)", _I),
    # (not the term "Ausfallquote": "das Thema Ausfallquote ist endlich vom Tisch" is good news, session 32)
    "de-DE": re.compile(
        r"(krank|Grippe|erkältet|ausgefallen|Ausfall(?!quote)|abgestürzt|streikt|ging nicht|lief nicht|kaputt|"
        r"Stress|stressig|chaotisch|Chaos|dünn besetzt|knapp besetzt|unterbesetzt|hinterher|im Rückstand|"
        r"verloren|brutal|erledigt|Katastrophe|eisig|Glatteis|Minusgrade|sprang nicht an|Schnee|"
        r"durcheinander|Feuerwehr|anstrengend|Vertretung|vertrete|überlastet|platt\b|Heuschnupfen|furchtbar|"
        r"schrecklich|spiegelglatt|krankgeschrieben|Krankmeldung|Stromausfall|Wasserschaden|"
        r"Pollen|Hitze|Klimaanlage)", _I),
}
# an empathetic opening: what a reader hears as "that's hard, I'm sorry"
EMPATHY = {
    "en-US": re.compile(
        r"(sorry|oh no|oof|ouch|ugh|yikes|oh man|oh boy|that sounds (rough|tough|hard|like a lot|brutal|awful|"
        r"stressful|exhausting)|sounds (rough|tough|hard|like a lot|brutal)|that's (rough|tough|hard|a lot|no fun)|"
        r"rough one|tough one|hope (everyone|they|you|the team|it|things)\b[^.]*(better|calms?|settles?|up and|"
        r"back|easier|quieter)|feel better|hang in there|been there|I know that feeling|no fun|not fun|"
        r"poor you|what a week|that's hard|I hear you|I feel (you|that))", _I),
    "de-DE": re.compile(
        r"(tut mir leid|Oh je|Oje|Ojemine|Oh nein|Autsch|Au weia|Ach je|Ach herrje|Herrje|Mist|Puh|"
        r"gute Besserung|Besserung|klingt (anstrengend|hart|nach viel|stressig|heftig|übel|nach Stress|"
        r"ungemütlich|nicht lustig)|das ist (hart|heftig|viel|ärgerlich|übel)|kenne ich|kenn ich|"
        r"halten Sie durch|Kopf hoch|schade|ärgerlich|unangenehm|mein Beileid|Mitgefühl|wird (bald )?besser|"
        r"ruhiger wird|beruhigt|ist (ja )?einiges|nach viel|(lange|harte)n? Woche)", _I),
}
# cheer: wrong anywhere in a reply to bad news
CHEER = {
    "en-US": re.compile(
        r"(great news|good news|love (that|it|this)|\bglad\b(?! to (?!hear)\w)|exciting|excited|\bsuper\b|awesome|congrat|"
        r"good for (you|the)|nice work|good to hear|great to hear|(sounds|that's|that sounds) (great|excellent|"
        r"fantastic|terrific|amazing|wonderful|nice)|(^|[.!?] )(oh )?nice\b|\bnice[,.!]|oh good|enjoy it|"
        r"you've earned it|love that energy|doing (well|great)|going well)", _I),
    "de-DE": re.compile(
        r"(\btoll|\bsuper\b|schön|freut mich|freue mich|großartig|klasse|prima|wunderbar|Glückwunsch|"
        r"gratulier|spannend|klingt gut|herrlich|genießen|verdient|fantastisch|Respekt|cool\b)", _I),
}
# what comes before the words a reader hears first: a cue, a filler
CUE = re.compile(r"\[[^\]]*\]\s*")
FILLER = re.compile(r"^(?:(?:Uh|Um|Uhm|Hm|Hmm|Er|Erm|Äh|Ähm|Öhm|So|Well|Also|Naja|Na ja)[,.]?\s+)+", _I)
# beats of the small talk (all else is the call's work)
CHAT_BEATS = {"opening", "small_talk", "introduce_stakeholder"}


STUTTER = re.compile(r"\b(\w+)— (?=\1\b)", _I)  # "Oh— oh man": the word said again


def clean(text: str) -> str:
    return FILLER.sub("", STUTTER.sub("", CUE.sub("", text))).strip()


def cheer(text: str, loc: str, others: list[str]) -> str | None:
    """The first cheer of a reply, past a sentence said to someone else (a
    buyer who just joined: "Esme, glad you could make it")."""
    for s in re.split(r"(?<=[.;!?])\s+", clean(text)):
        m = CHEER[loc].search(s)
        if m and not any(re.search(rf"\b{re.escape(n)}\b", s) for n in others):
            return m.group(0)
    return None


def first_sentence(text: str, names: list[str]) -> str:
    """The reply's first sentence, past a name said first ("Hana, sorry ..."
    or "Sorry, Hana." both keep the apology)."""
    t = clean(text)
    for n in names:
        t = re.sub(rf"^(?:{re.escape(n)})[,.!]?\s+", "", t)
    m = re.match(r".+?(?:[.!?—]+(?=\s|$)|$)", t)
    return m.group(0) if m else t


def small_talk_span(call: dict) -> int:
    """The first turn of the call's work: every turn before it is small talk."""
    work = [b["turn"] for b in call["beats"] if b["kind"] not in CHAT_BEATS]
    return min(work) if work else 0


def built(out: Path):
    """(plan call, locale, turns, first names of who speaks) of each sales call of a build."""
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    for c in plan["calls"]:
        if c["kind"] != "sales":
            continue
        doc = json.loads((out / "transcripts" / f"{c['id']}.json").read_text(encoding="utf-8"))
        loc = doc.get("locale") or c.get("locale") or "en-US"
        yield c, loc, doc["turns"], first_names(doc["turns"])


def first_names(turns: list[dict]) -> list[str]:
    """The first names of who speaks in a call, longest first."""
    return sorted({(t.get("name") or "").split(" ")[0] for t in turns} - {""}, key=len, reverse=True)


def reply_to(turns: list[dict], i: int) -> dict | None:
    """The seller's answer to buyer turn `i`: the next seller turn of more
    than a backchannel ("Mm-hm." said over the buyer answers nothing), unless
    a buyer takes the floor with words of their own first."""
    for t in turns[i + 1:]:
        words = clean(t["text"]).split()
        if t["role"] == "seller":
            if len(words) > 3:
                return t
        elif len(words) > 3:
            return None
    return None


def check_call(call: dict, loc: str, turns: list[dict], names: list[str]) -> dict[str, list]:
    """One call's bad-news small-talk turns and the defective replies to them
    (`turns`: the transcript's, with `index`, `role`, `name`, `text`)."""
    got: dict[str, list] = {"turns": [], "opener": [], "cheer": []}
    end = small_talk_span(call)
    for i, t in enumerate(turns[:end]):
        if t["role"] == "seller" or not BAD[loc].search(clean(t["text"])):
            continue
        r = reply_to(turns, i)
        if r is None:
            continue  # nobody on the seller's side answers it
        row = (call["id"], t["index"], clean(t["text"]), clean(r["text"]))
        got["turns"].append(row)
        if not EMPATHY[loc].search(first_sentence(r["text"], names)):
            got["opener"].append(row)
        others = [n for n in names if n != (t.get("name") or "").split(" ")[0]]
        if cheer(r["text"], loc, others):
            got["cheer"].append(row)
    return got


def defects(out: Path) -> dict[str, list]:
    got: dict[str, list] = {"turns": [], "opener": [], "cheer": []}
    for c, loc, turns, names in built(out):
        for k, rows in check_call(c, loc, turns, names).items():
            got[k] += rows
    return got


def bad_replies(got: dict[str, list]) -> list:
    """The replies with either defect, each once."""
    seen = {(r[0], r[1]) for r in got["opener"]} | {(r[0], r[1]) for r in got["cheer"]}
    return [r for r in got["turns"] if (r[0], r[1]) in seen]
