"""Keyword classifiers of a spec's free text: which topic a persona's own
question or a participant's role is about, which kind of buying signal a signal's text describes, and
whether a participant's name is only a placeholder. The keywords are data, the
`classify` section of the call locale's lexicon (lexicon.py)."""

from __future__ import annotations

import re
from functools import lru_cache

from corpusc.render.template.lexicon import load_lexicon


@lru_cache(maxsize=None)
def _table(locale: str, name: str, label: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    rows = getattr(load_lexicon(locale).classify, name)
    return tuple((tuple(row["keywords"]), row[label]) for row in rows)


def _classify(text: str, table) -> str:
    low = (text or "").lower()
    for keys, label in table:
        if any(k in low for k in keys):
            return label
    return "general"


def signal_category(locale: str, text: str) -> str:
    """`contract`, `security`, `pilot`, ... or `general`: how the seller answers a buying signal."""
    return _classify(text, _table(locale, "signal_categories", "category"))


@lru_cache(maxsize=4096)
def question_topic(locale: str, text: str) -> str:
    """The topic (a `bq.<topic>` bank) of a persona's own question, or `general`."""
    return _classify(text, _table(locale, "question_topics", "topic"))


def signal_categories(locale: str) -> list[str]:
    return [c for _, c in _table(locale, "signal_categories", "category")] + ["general"]


def question_topics(locale: str) -> list[str]:
    return [t for _, t in _table(locale, "question_topics", "topic")] + ["general"]


def prose_form(locale: str, text: str) -> str:
    """The form of a spec's phrase a template splices in: `question` ("How is
    the team structured?": said as a question of its own, never after "help
    me understand"), `clause` ("how calls are reviewed today": after "walk me
    through", "tell me"), or `noun` ("pricing and rollout": after "about").
    The clause openers are the lexicon's `classify.clause_openers`."""
    t = (text or "").strip()
    if t.endswith("?"):
        return "question"
    k = load_lexicon(locale).classify
    words = [w.lower().strip(",:;") for w in t.split(" ", 2)[:2]]
    if not words or words[0] not in k.clause_openers:
        return "noun"
    if len(words) > 1 and words[1] in k.question_verbs and words[0] not in k.subject_openers:
        return "question"
    return "clause"


_CLAUSES = re.compile(r"[,;—] ")  # compiled here: `re`'s own cache loses it to the accounts' patterns


@lru_cache(maxsize=4096)
def question_form(locale: str, text: str) -> str:
    """Whether the last question of `text` asks for content (`open`: "How long
    does legal take?", "Wer startet ...?", also after a lead-in: "Out of
    curiosity, who else ...?") or for a yes or no (`closed`), or `none` (no
    question). Its clauses are read in order; the first that opens with one of
    the lexicon's `open_questions` or `question_verbs` decides. A bare
    "Maybe." or "Not yet." answers a closed question only."""
    t = (text or "").rstrip()
    q = t.rfind("?")
    if q < 0:
        return "none"
    start = max(t.rfind(". ", 0, q), t.rfind("! ", 0, q), t.rfind("? ", 0, q), t.rfind(": ", 0, q))
    k = load_lexicon(locale).classify  # after a colon the question proper ("What I'd like to know: does ...?")
    for part in _CLAUSES.split(t[start + 1:q + 1]):
        w = part.strip().split(" ", 1)[0].lower().strip("¿\"'([")
        if w in k.open_questions:
            return "open"
        if w in k.question_verbs:
            return "closed"
    return "closed"


def closed_answer(locale: str, text: str) -> bool:
    """Whether `text` is a bare answer to a yes-or-no question ("Maybe.",
    "Ja."): the lexicon's `closed_answers`, which answer no open question."""
    w = (text or "").strip().rstrip(".!").lower()
    return bool(w) and w in load_lexicon(locale).classify.closed_answers


def without_greeting_answer(locale: str, text: str) -> str:
    """`text` without the answer to "how are you" it opens with ("Good, the
    days are getting longer" -> "The days are getting longer"; "Danke,
    gleichfalls! Es ist ..." -> "Es ist ..."): news told in reply to "anything
    new?" once "how are you" was asked and answered. The answers are the
    lexicon's `greeting_answers` (a clause equal to one, or opening with one
    and a space: "Happy Monday!"); `text` as it is when nothing else is left."""
    answers = load_lexicon(locale).classify.greeting_answers
    rest = text
    while True:
        m = re.match(r"([^,.!?]+)[,.!?]+\s+(?=\S)", rest)
        if not m:
            break
        clause = m.group(1).strip().lower()
        if not any(clause == a or clause.startswith(a + " ") for a in answers):
            break
        rest = rest[m.end():]
    if rest is text or not rest:
        return text
    return rest[0].upper() + rest[1:]


def placeholder_name(locale: str, name: str) -> bool:
    """Whether a participant's name ("agent", "bot", or the locale's word for a role a population call's
    planner names someone by: "Fachberatung") is a role, not a name to say."""
    return name.lower() in _placeholders(locale)


@lru_cache(maxsize=16)
def _placeholders(locale: str) -> frozenset[str]:
    lex = load_lexicon(locale)
    return frozenset(n.lower() for n in lex.classify.placeholder_names) | frozenset(
        v.lower() for forms in lex.participants.values() for v in forms.values())


@lru_cache(maxsize=1024)
def _role_row(locale: str, role: str) -> dict | None:
    words = set((role or "").lower().replace("/", " ").replace(",", " ").split())
    for row in load_lexicon(locale).classify.role_topics:
        if words & set(row["keywords"]):
            return row
    return None


def role_topics(locale: str, role: str) -> tuple[str, ...]:
    """The `bq.<topic>` banks a participant's role asks about (a CISO security,
    a CFO cost), or none: whole words of the role against the lexicon's
    `role_topics`, first match wins."""
    row = _role_row(locale, role)
    return tuple(row["topics"]) if row else ()


def not_claims(locale: str, role: str) -> frozenset[str]:
    """What a role's lines do not claim as its own (the lexicon's `role_claims`:
    a CISO's team is not the front line, nor does a CFO run the CRM)."""
    row = _role_row(locale, role)
    return frozenset(row.get("not_claims") or ()) if row else frozenset()


def role_concern(locale: str, role: str) -> str | None:
    """The objection type (`intro.concern.<type>`) a role introduces itself with."""
    row = _role_row(locale, role)
    return row.get("concern") if row else None


@lru_cache(maxsize=256)
def stated_figures(locale: str, text: str) -> dict[str, int]:
    """The figures a spec's prose states: `reps` (a head count of the
    lexicon's people nouns), `sites`, `calls_week` (calls a day times the
    working days, or a week), each only when the text says it. The calls then
    say the spec's number, not one made up from the employee count."""
    f = load_lexicon(locale).classify.figures
    if not f or not text:
        return {}
    words = {k.lower(): v for k, v in (f.get("number_words") or {}).items()}
    num = r"(\d[\d,.]*|" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + ")" if words else r"(\d[\d,.]*)"

    def val(s: str) -> int | None:
        s = s.lower()
        if s in words:
            return int(words[s])
        digits = re.sub(r"[,.]", "", s)
        return int(digits) if digits.isdigit() else None

    def alt(key: str) -> str:
        return "|".join(sorted((re.escape(x.lower()) for x in f.get(key) or ()), key=len, reverse=True)) or "(?!)"
    out: dict[str, int] = {}
    low = text.lower()
    for key, name in (("people", "reps"), ("sites", "sites")):
        m = re.search(rf"(?<![\w,.]){num} (?:{alt(key)})\b", low)
        if m and val(m.group(1)):
            out[name] = val(m.group(1))
    m = re.search(rf"(?<![\w,.]){num} (?:{alt('calls')}) (?:(?P<d>{alt('per_day')})|(?P<w>{alt('per_week')}))", low)
    if m and val(m.group(1)):
        out["calls_week"] = val(m.group(1)) * (int(f.get("days_per_week") or 5) if m.group("d") else 1)
    return out
