"""Verification of a model's answer for one segment, before anything is
labelled: the answer parses and matches the segment's schema, every turn is
by its planned speaker, every planned beat and moment is tagged in its turn
with a quote found verbatim in that turn's text and showing what it must
(the competitor's name, the objection's subject, a reference back, a next
step), each moment's words have the planned polarity (lexicon.py), the length
is within bounds, no catalog text is recited and no real-looking personal
data appears. Each failure names the turn and what is wrong, so the repair
request can say it; `kind` is for the tally of what was caught."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from corpusc.plan.model import Call, Header
from corpusc.render.llm import outline as O
from corpusc.render.llm.lexicon import Lexicon, load, phone_patterns

LENGTH = (0.5, 1.6)  # a segment's words within these multiples of its target
RECITE_WORDS = 7  # this many consecutive words of a catalog text in a turn is a recital
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{6,}\d(?!\w)")
CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")
BRACKET = re.compile(r"\[[^\]]*\]|\*[^*]+\*")  # [hesitant], *laughs*: cues and stage directions are corpusc's
MAYBE_PERSONAL = re.compile(r"[@\d]")  # personal data needs an @ or a digit
NOT_PHONE = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,3}(?:[.,  ]\d{3})+)$")  # dates, grouped amounts


@dataclass(frozen=True)
class Violation:
    kind: str  # invalid_json | schema | speaker | missing_beat | beat_content | polarity | length | catalog | personal_data
    message: str
    turn: int | None = None


@dataclass
class Checked:
    """A segment's turns as written (text cleaned to one line) and where each
    planned item's evidence is: item id -> (turn, start, end)."""
    texts: dict[int, str] = field(default_factory=dict)
    spans: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    undecided: list[dict] = field(default_factory=list)  # for the judge: {id, claim, text, moment}


def clean(text: str) -> str:
    return " ".join(str(text).split())


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` is in `text`: verbatim, else ignoring case (a model
    capitalising a sentence it copied is still quoting it)."""
    q = clean(quote)
    if not q:
        return None
    i = text.find(q)
    if i < 0:
        i = text.lower().find(q.lower())
    return (i, i + len(q)) if i >= 0 else None


@lru_cache(maxsize=None)
def _prefixes(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")")


def polarity(text: str, lex: Lexicon) -> tuple[int, int]:
    """(positive, negative) word counts; a negator within two words before a polar word flips it."""
    pos = neg = 0
    words = WORD.findall(text.lower())
    ispos, isneg, negators = _prefixes(lex.positive).match, _prefixes(lex.negative).match, lex.negators
    for i, w in enumerate(words):
        p = ispos(w) is not None
        n = isneg(w) is not None
        if p == n:
            continue
        flipped = any(v in negators for v in words[max(0, i - 2):i])
        if p != flipped:
            pos += 1
        else:
            neg += 1
    return pos, neg


def _has(words: tuple[str, ...], text: str) -> bool:
    low = text.lower()
    return any(w in low for w in words)


def parse(content: str | None) -> tuple[dict | None, Violation | None]:
    """The answer's JSON object (a ```json fence around it is tolerated)."""
    s = (content or "").strip()
    if s.startswith("```"):
        s = s.split("\n", 1)[1] if "\n" in s else ""
        s = s.rsplit("```", 1)[0]
    try:
        doc = json.loads(s)
    except ValueError as e:
        return None, Violation("invalid_json", f"the answer is not valid JSON ({e.msg} at character {e.pos})")
    if not isinstance(doc, dict):
        return None, Violation("invalid_json", "the answer is not a JSON object")
    return doc, None


def check(call: Call, header: Header, seg: O.Segment, doc: dict[str, Any], enforced: bool = False) -> Checked:
    """`enforced`: the server validated the answer against the schema
    (strict structured output), so only the shape this module reads is
    checked; otherwise the whole schema, with jsonschema."""
    lex = load(call.locale)
    out = Checked()
    v = out.violations
    if enforced:
        _shape(seg, doc, v)
    else:
        _schema(call, seg, doc, v)
    for i in seg.turns:
        t = doc.get(f"t{i}")
        if not isinstance(t, dict):
            continue
        out.texts[i] = clean(t.get("text", "")) if isinstance(t.get("text"), str) else ""
        want = call.participants[call.speakers[i]].id
        if t.get("speaker") != want:
            v.append(Violation("speaker", f"t{i} must be spoken by `{want}`, not `{t.get('speaker')}`", i))
        if not out.texts[i]:
            v.append(Violation("schema", f"t{i} has no words", i))
        elif BRACKET.search(out.texts[i]):
            v.append(Violation("schema", f"t{i} writes a bracketed cue or note; write only the spoken words "
                                         "(corpusc adds the cues)", i))
    if len(out.texts) < len(seg.turns):
        return out  # the rest needs every turn
    tags: dict[tuple[int, str], str] = {}
    for i in seg.turns:
        for c in doc[f"t{i}"].get("carries") or []:
            if isinstance(c, dict) and isinstance(c.get("id"), str):
                tags.setdefault((i, c["id"]), str(c.get("quote", "")))
    names = {p.id: p.name for p in call.participants}
    for it in seg.items:
        text = out.texts[it.turn]
        what = _describe(it)
        quote = tags.get((it.turn, it.id))
        if quote is None:
            elsewhere = sorted(i for (i, k) in tags if k == it.id)
            where = f" (it was tagged in t{elsewhere[0]})" if elsewhere else ""
            v.append(Violation("missing_beat", f"t{it.turn} must carry [{it.id}] {what}, and it is not tagged there{where}",
                               it.turn))
            continue
        span = locate(text, quote)
        if span is None:
            v.append(Violation("missing_beat", f"t{it.turn}: the quote for [{it.id}] is not in the turn's text "
                                               f"word for word: \"{clean(quote)[:120]}\"", it.turn))
            continue
        said = text[span[0]:span[1]]
        problem, undecided = _content(it, said, text, lex, names)
        if problem:
            v.append(Violation("polarity" if it.kind in ("moment", "colour") else "beat_content",
                               f"t{it.turn} [{it.id}]: {problem}",
                               it.turn))
            continue
        if undecided:
            out.undecided.append({"id": it.id, "claim": undecided, "text": text if it.kind == "moment" else said,
                                  "moment": it.kind in ("moment", "colour")})
        out.spans[it.id] = (it.turn, *span)
    words = sum(len(WORD.findall(out.texts[i])) for i in seg.turns)
    target = O.target_words(call, seg)
    lo, hi = round(target * LENGTH[0]), round(target * LENGTH[1])
    if not lo <= words <= hi:
        v.append(Violation("length", f"turns {seg.start} to {seg.end - 1} have {words} words; write {lo} to {hi} "
                                     f"(about {target})"))
    grams, starts = catalog_grams(header)
    for i in seg.turns:
        w = WORD.findall(out.texts[i].lower())
        for k in range(len(w) - RECITE_WORDS + 1):
            if (w[k], w[k + 1]) in starts and tuple(w[k:k + RECITE_WORDS]) in grams:
                g = " ".join(w[k:k + RECITE_WORDS])
                v.append(Violation("catalog", f"t{i} recites catalog text (\"{g}…\"): say it in your own words", i))
                break
        pd = personal_data(out.texts[i], lex, call.locale) if MAYBE_PERSONAL.search(out.texts[i]) else ""
        if pd:
            v.append(Violation("personal_data", f"t{i} contains {pd}: invent none, or use the fictional ranges", i))
    return out


def _shape(seg: O.Segment, doc: dict, v: list[Violation]) -> None:
    """What `check` reads, present and typed: a turn object per planned turn, with text and a list of tags."""
    for i in seg.turns:
        t = doc.get(f"t{i}")
        if not isinstance(t, dict):
            v.append(Violation("schema", f"t{i} is missing", i))
        elif not isinstance(t.get("text"), str) or not isinstance(t.get("carries", []), list):
            v.append(Violation("schema", f"t{i} needs a string `text` and a list `carries`", i))
    extra = sorted(set(doc) - {f"t{i}" for i in seg.turns})
    if extra:
        v.append(Violation("schema", f"turns that are not planned: {', '.join(extra[:5])}"))


def _schema(call: Call, seg: O.Segment, doc: dict, v: list[Violation]) -> None:
    """jsonschema validation, for servers that cannot enforce the schema
    themselves; the speaker is reported by `check` in plainer words."""
    import jsonschema
    validator = jsonschema.Draft202012Validator(O.schema(call, seg), format_checker=None)
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        path = list(e.absolute_path)
        if len(path) >= 2 and path[1] == "speaker":
            continue
        where = "/".join(str(p) for p in path) or "the answer"
        v.append(Violation("schema", f"{where}: {e.message[:200]}"))


def _describe(it: O.Item) -> str:
    if it.kind == "moment":
        return f"a moment with {it.polarity} words"
    if it.kind == "colour":
        return f"{it.polarity} words" if it.polarity != "neutral" else "plain words"
    if it.kind == "competitor_mention":
        return f"naming the competitor \"{it.key}\""
    if it.kind.startswith("objection_"):
        return f"the {it.kind[10:]} objection about {it.key}"
    return it.kind.replace("_", " ") + (f" ({it.key})" if it.key else "")


def _content(it: O.Item, said: str, text: str, lex: Lexicon, names: dict[str, str]) -> tuple[str, str]:
    """(what is wrong, or ""; what only a judge can confirm, or "")."""
    b = lex.beats
    if it.kind == "moment":
        pos, neg = polarity(text, lex)
        want, other = (pos, neg) if it.polarity == "positive" else (neg, pos)
        if want == 0 and other == 0:
            return "", f"the words are {it.polarity}"
        if want <= other:
            return (f"a {it.polarity} moment needs {it.polarity} words; this turn has {pos} positive and {neg} "
                    f"negative"), ""
        return "", ""
    if it.kind == "colour":
        pos, neg = polarity(said, lex)
        if it.polarity == "neutral":
            return ("" if pos == neg == 0 else f"plain words are asked for; the quote has {pos} positive and {neg} "
                    "negative words"), ""
        want, other = (pos, neg) if it.polarity == "positive" else (neg, pos)
        if want == 0 and other == 0:
            return "", f"the words are {it.polarity}"
        return ("" if want > other else f"{it.polarity} words are asked for; the quote has {pos} positive and {neg} "
                "negative"), ""
    if it.kind == "competitor_mention":
        return ("" if it.key and it.key in said else f"the competitor must be named verbatim: \"{it.key}\""), ""
    if it.kind.startswith("objection_"):
        words = b.objection.get(it.key or "")
        if words is None:
            return "", f"the words raise or answer an objection about {it.key}"
        return ("" if _has(words, said) else f"the quote does not say what the {it.key} objection is about"), ""
    if it.kind == "reference":
        return ("" if _has(b.reference, said) else "the quote does not refer back to the earlier call"), ""
    if it.kind == "next_steps":
        return ("" if _has(b.next_steps, said) else "the quote does not state a concrete next step"), ""
    if it.kind == "introduce_stakeholder" and it.key in names:
        first = names[it.key].split()[0]
        return ("" if first in text else f"{names[it.key]} must say who they are (their name)"), ""
    if it.kind == "buying_signal":
        return "", "the words are a buying signal" + (f": {it.note}" if it.note else "")
    return "", ""


_GRAMS: dict[str, tuple[frozenset, frozenset]] = {}


def catalog_grams(header: Header) -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, str]]]:
    """Every run of RECITE_WORDS words of the catalogs the prompt shows
    (personas, objections, industries, scenarios), and their first two words
    (a cheap filter); computed once per spec."""
    memo = _GRAMS.get(header.spec_hash)
    if memo is not None:
        return memo
    texts: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, str):
            texts.append(x)
        elif isinstance(x, dict):
            for y in x.values():
                walk(y)
        elif isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
    for cat in (header.personas, header.objections, header.industries, header.scenarios):
        walk(cat)
    grams = set()
    for t in texts:
        w = WORD.findall(t.lower())
        grams.update(tuple(w[k:k + RECITE_WORDS]) for k in range(len(w) - RECITE_WORDS + 1))
    if len(_GRAMS) > 8:
        _GRAMS.clear()
    memo = _GRAMS[header.spec_hash] = (frozenset(grams), frozenset(g[:2] for g in grams))
    return memo


def personal_data(text: str, lex: Lexicon, locale: str) -> str:
    """What real-looking personal data `text` holds ("" if none)."""
    pd = lex.personal_data
    for m in EMAIL.finditer(text):
        dom = m.group(1).lower()
        if not any(dom == d or dom.endswith("." + d) for d in pd.email_domains):
            return f"an email address outside {', '.join(pd.email_domains)} ({m.group(0)})"
    for what, rx in pd.forbidden.items():
        if re.search(rx, text):
            return f"a {what}"
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits):
            return "a payment card number"
    for m in PHONE.finditer(text):
        num = m.group(0).strip()
        if len(re.sub(r"\D", "", num)) < 7 or NOT_PHONE.match(num):
            continue
        if not any(p.match(num) for p in phone_patterns(locale)):
            return f"a phone number outside the fictional ranges ({num})"
    return ""


def _luhn(digits: str) -> bool:
    s = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        s += d
    return s % 10 == 0
