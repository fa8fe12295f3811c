"""Dialogue defects of contact-center calls whose population has no `domain`
(the generic service banks), counted from a build's emitted files the way an
outside reader would: the transcripts (json) and, for who is named where, the
ground truth's `pii` name events (the renderer's evidence, not the text read
back). The word lists are this file's own, written apart from the phrase
banks (issue 15, points 3 and 5; an outside audit of domain-less populations).

  stacked    a turn saying two or more thanks / apology sentences ("Thank you
             for the help. Sorry, it's been a long day. I appreciate it."):
             one reaction a turn. `stacked3` counts the audit's figure, turns
             with three or more such sentences in a row.
  early_name an agent turn saying the caller's name (first or last) before
             any caller turn has said it: the agent knows the name only once
             the caller gave it.
  identity   an agent's request for an identity detail ("Can I have your
             account number?", "your name", "date of birth", "e-mail") whose
             caller reply gives none of what it asks: a number question
             answered with a number, or with "I don't have it to hand", not
             with a name alone.
  verbatim   the share of the occurrences of 6+-word sentences whose words
             (case and punctuation aside) are also said in another call of the
             build: builder/quality.py's definition, counted here apart.

usage (a build's directory, with transcripts/*.json and ground_truth/*.json):
    python benchmarks/nodomain_checks.py OUT [OUT ...] [-v]
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

CUE = re.compile(r"\[[^\]]*\]")
SENT = re.compile(r"(?<=[.!?…])\s+")
WORD = re.compile(r"\w+(?:['’-]\w+)*")

# ---- thanks and apologies ------------------------------------------------------------------
THANKS_SORRY = re.compile(
    r"\b(?:thanks?|thank(?:s| you)|thankful|appreciated?|appreciates|grateful|sorry|apolog\w*|pardon|"
    r"excuse me|forgive me|my bad|"
    r"dank\w*|bedank\w*|entschuldig\w*|verzeih\w*|verzeihung|tut mir leid|pardon|merci)\b", re.I)

# ---- identity requests and what answers them ---------------------------------------------------
ASK_NUMBER = re.compile(
    r"\b(?:(?:account|customer|member(?:ship)?|order|reference|case|ticket|policy|contract|invoice|client|"
    r"booking|serial|tracking)\s+(?:number|no\.?|ID)|"
    r"(?:Kunden|Konto|Bestell|Vertrags|Referenz|Vorgangs|Auftrags|Rechnungs|Mitglieds|Ticket|Buchungs|Serien|"
    r"Sendungs|Fall)(?:-?nummer|-?ID|-?Nr\.?))\b", re.I)
ASK_PHONE = re.compile(r"\b(?:phone number|cell number|mobile number|telephone number|number to reach you|"
                       r"Telefonnummer|Handynummer|Rufnummer|Mobilnummer|Mobilfunknummer)\b", re.I)
ASK_EMAIL = re.compile(r"\b(?:e-?mail(?: address)?|E-Mail(?:-Adresse)?|Mailadresse)\b", re.I)
ASK_DOB = re.compile(r"\b(?:date of birth|birth ?date|birthday|when were you born|Geburtsdatum|Geburtstag|"
                     r"wann sind Sie geboren)\b", re.I)
ASK_NAME = re.compile(r"\b(?:your (?:full |last |first |first and last )?name|name on the (?:account|order|file)|who am I speaking|"
                      r"who do I have on the line|(?:Ihren|Ihr) (?:vollständigen |vollen |Nach|Vor)?[Nn]amen?|"
                      r"Namen? auf dem|[Mm]it wem spreche ich|Vor- und (?:Nach|Familien)namen)\b")
# a request for the detail (not a yes-no check of one the agent reads out: "is your mobile number still
# the one ending in 0142?", "Sollen wir die E-Mail-Adresse aktualisieren?"): a verb that asks to be told
REQUEST = re.compile(
    r"\b(?:(?:can|could|may) I (?:have|get|take|ask for)|(?:can|could|would) you (?:give|tell|read|confirm|provide|"
    r"share|spell|let me know)|what's|what is|what are|tell me|give me|read me|let me know|who am I speaking|"
    r"who do I have|I'll need|I need|I'd need|I only need|"
    r"please (?:confirm|give|tell|read)|"
    r"(?:darf|kann|könnte) ich [^?]*(?:haben|bekommen|erfahren)|(?:können|könnten|würden) Sie mir [^?]*(?:nennen|sagen|"
    r"geben|durchgeben|verraten|bestätigen|mitteilen)|nennen Sie|sagen Sie mir|geben Sie mir|verraten Sie|"
    r"wie lautet|wie lauten|wie ist Ihr|wie heißen Sie|mit wem spreche ich|ich bräuchte|ich brauche)\b", re.I)
STATED_REQUEST = re.compile(r"\b(?:I'll need|I need|I'd need|I only need|I'll just need|please (?:give|tell|read)|"
                            r"ich bräuchte|ich brauche|nennen Sie mir|geben Sie mir|sagen Sie mir)\b", re.I)
YOUR = re.compile(r"\b(?:your|Ihre?[nmrs]?)\b", re.I)
# the caller did not catch the question: the agent says it again (a repeat, not an answer to check)
NOT_HEARD = re.compile(r"\b(?:say that again|repeat that|didn't catch|didn't hear|come again|wiederholen|"
                       r"noch ?(?:ein)?mal sagen|nicht verstanden|nicht gehört)\b", re.I)
DIGITS = re.compile(r"\d(?:[\d \-/.]*\d){3,}")
NOT_AT_HAND = re.compile(
    r"\b(?:don't have (?:it|that|the number|my|them)|do not have (?:it|that|the number)|haven't got|"
    r"not (?:to|at) hand|not on me|not with me|can't find|cannot find|couldn't find|don't know (?:it|the number)|"
    r"nicht (?:zur|zu) Hand|nicht griffbereit|nicht dabei|habe (?:ich|sie|die|es) (?:gerade |leider |jetzt )*nicht|"
    r"hab (?:ich|sie|die) (?:gerade |leider )*nicht|finde (?:ich|sie|die) (?:gerade |leider )*nicht|"
    r"weiß (?:ich|sie) (?:gerade |leider )*nicht|nicht im Kopf)\b", re.I)
EMAIL = re.compile(r"\S@\S|\bat \w+ dot\b", re.I)
YEAR_OR_MONTH = re.compile(
    r"\b(?:19\d\d|20[0-2]\d|January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember|born|geboren)\b", re.I)
SALUTATION = re.compile(r"\b(?:Mr|Ms|Mrs|Miss|Herr|Frau|Herrn)\.? ([A-ZÄÖÜ][\wäöüß'-]+)")


def sentences(text: str) -> list[str]:
    return [s for s in (x.strip() for x in SENT.split(CUE.sub(" ", text).strip())) if s]


def words(text: str) -> list[str]:
    return WORD.findall(CUE.sub(" ", text).lower())


# ---- reading a build ------------------------------------------------------------------------

def built(out: Path):
    """(call id, turns [(role 'agent'|'caller', text)], (name events [(turn, speaker, quote)], staff name words)) per call."""
    out = Path(out)
    for f in sorted((out / "transcripts").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or "turns" not in doc:
            continue
        cid = doc["call_id"]
        sides = {p["id"]: p.get("side") for p in doc.get("participants") or ()}
        staff = {w for p in doc.get("participants") or () if p.get("side") == "seller"
                 for w in str(p.get("name") or "").split()}
        turns = []
        for t in doc["turns"]:
            side = t.get("role") if t.get("role") in ("seller", "buyer") else sides.get(t.get("speaker"))
            turns.append(("agent" if side == "seller" else "caller", t["text"]))
        names = []
        g = out / "ground_truth" / f"{cid}.json"
        if g.exists():
            gt = json.loads(g.read_text(encoding="utf-8"))
            names = [(e["turn"], e["speaker"], e["quote"]) for e in gt.get("events") or ()
                     if e.get("type") == "pii" and e.get("key") == "name"]
        yield cid, turns, (names, staff)


# ---- the counts -------------------------------------------------------------------------------

def _reactions(text: str) -> tuple[int, int]:
    """(thanks / apology sentences in the turn, the longest run of them in a row)."""
    n = run = best = 0
    for s in sentences(text):
        if THANKS_SORRY.search(s):
            n += 1
            run += 1
            best = max(best, run)
        else:
            run = 0
    return n, best


def _has_word(text: str, w: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text) is not None


VOCATIVE = re.compile(r"(?:, |^)([A-ZÄÖÜ][\wäöüß'-]+)(?: [A-ZÄÖÜ][\wäöüß'-]+)?(?=[.?!,—]|$)")


def _caller_names(turns, names, staff: set[str]) -> set[str]:
    """The words of the caller's name: the names the caller says (pii events), the words after a
    salutation ("Ms. Reed", "Herr Klein") and the names an agent turn says in address (", Rachel."),
    but never a name of the staff (the call's seller participants, the names the agent's first turn
    says: "this is Jamie")."""
    first_agent = next((i for i, (r, _) in enumerate(turns) if r == "agent"), None)
    out = {w for i, _, q in names if turns[i][0] == "caller" for w in q.split() if w[:1].isupper()}
    full = {w for i, _, q in names if turns[i][0] == "caller" and len(q.split()) > 1 for w in q.split()}
    # (a name the caller says as part of their full name is theirs, even where the agent's greeting says it)
    own = set(staff) | ({w for i, _, q in names if i == first_agent for w in q.split()} - full)
    for i, _, q in names:
        if turns[i][0] == "agent":
            for s in sentences(turns[i][1]):
                out |= {w for m in VOCATIVE.finditer(s) if q in m.group(0) for w in q.split()}
    for _, text in turns:
        out |= {m.group(1) for m in SALUTATION.finditer(text)}
    return {w for w in out if w not in own}


def _asked(q: str) -> set[str]:
    """The identity details a sentence asks for: a question or a stated request ("I'll just need your
    name and date of birth.") saying a verb that asks to be told; a stated one names the caller's own
    ("your e-mail", not "reply to the email")."""
    kinds: set[str] = set()
    if REQUEST.search(q) is None:
        return kinds
    stated = not q.endswith("?")
    for kind, rx in (("number", ASK_NUMBER), ("phone", ASK_PHONE), ("email", ASK_EMAIL), ("dob", ASK_DOB),
                     ("name", ASK_NAME)):
        for m in rx.finditer(q):
            if not stated or YOUR.search(q[:m.start()][-40:]) or YOUR.match(m.group()):
                kinds.add(kind)
    return kinds


def _gives(kind: str, reply: str, caller_names: set[str]) -> bool:
    if kind in ("number", "phone"):
        return DIGITS.search(reply) is not None or NOT_AT_HAND.search(reply) is not None
    if kind == "email":
        return EMAIL.search(reply) is not None or NOT_AT_HAND.search(reply) is not None
    if kind == "dob":
        return YEAR_OR_MONTH.search(reply) is not None
    return any(_has_word(reply, w) for w in caller_names)


def check_call(turns, who) -> dict[str, list]:
    """The defects of one call: {kind: [(turn, text)]}; `identity_asked` lists every identity request.
    `who`: (the pii name events [(turn, speaker, quote)], the words of the staff's names)."""
    names, staff = who
    found: dict[str, list] = defaultdict(list)
    for i, (role, text) in enumerate(turns):
        n, run = _reactions(text)
        if n >= 2:
            found["stacked"].append((i, text))
        if run >= 3:
            found["stacked3"].append((i, text))
    caller_names = _caller_names(turns, names, staff)
    said: set[str] = set()
    for i, (role, text) in enumerate(turns):
        if role == "caller":
            said |= {w for w in caller_names if _has_word(text, w)}
            continue
        early = [w for w in caller_names if w not in said and _has_word(text, w)]
        if early:
            found["early_name"].append((i, text))
        nxt = turns[i + 1] if i + 1 < len(turns) else None
        if nxt is None or nxt[0] != "caller":
            continue
        for q in sentences(text):
            if not q.endswith("?") and STATED_REQUEST.search(q) is None:
                continue  # (a request said as a statement: "I'll just need your name and date of birth.")
            kinds = _asked(q)
            if not kinds:
                continue
            found["identity_asked"].append((i, q))
            if NOT_HEARD.search(nxt[1]) is None and not any(_gives(k, nxt[1], caller_names) for k in kinds):
                found["identity"].append((i, f"{q}  ->  {nxt[1]}"))
    return found


def verbatim(calls) -> dict:
    """builder/quality.py's verbatim share, counted apart: of the occurrences of 6+-word sentences,
    the share whose sentence is also said in another call."""
    where: dict[str, set[str]] = defaultdict(set)
    occ: Counter = Counter()
    total = 0
    for cid, turns, _ in calls:
        for _, text in turns:
            for s in sentences(text):
                w = words(s)
                if len(w) >= 6:
                    key = " ".join(w)
                    where[key].add(cid)
                    occ[key] += 1
                    total += 1
    shared = sum(n for k, n in occ.items() if len(where[k]) > 1)
    top = sorted(((n, k) for k, n in occ.items() if len(where[k]) > 1), reverse=True)[:10]
    return {"share": shared / total if total else 0.0, "sentences": total, "shared": shared, "top": top}


def count(outs) -> dict:
    """Every defect over the builds in `outs`: {kind: [(call id, turn, text)]}, the turns, and `verbatim`."""
    calls = [c for out in outs for c in built(Path(out))]
    rows: dict[str, list] = {k: [] for k in ("stacked", "stacked3", "early_name", "identity", "identity_asked")}
    for cid, turns, names in calls:
        for kind, hits in check_call(turns, names).items():
            rows[kind] += [(cid, i, t) for i, t in hits]
    return {"calls": len(calls), "turns": sum(len(t) for _, t, _ in calls), "rows": rows,
            "verbatim": {str(out): verbatim(list(built(Path(out)))) for out in outs}}
