"""The offline template engine: a planned call in, a `RenderedCall` out.

Everything the plan decided (who speaks at each turn, which beat lands where,
which turns carry annotated moments and with which cues) is followed exactly;
the engine only chooses words. Words come from the phrase banks under
`stdlib/phrases/<locale>/*.json`, assembled combinatorially:

* a bank entry is a template string: `[a|b|c]` picks one alternative (nested,
  `[|x]` is optional), `{slot}` fills in a name, a number, an industry term...
* a call never repeats a template it already used from the same bank until the
  bank is exhausted, so a call reads as one conversation, not as a loop;
* every planned item is realized by one sentence (a segment), whose character
  range becomes the item's `Evidence`.

Determinism: the only source of choices is `rng.stream(seed, "render", call.id)`.
Speed: banks are parsed and compiled once per locale, header-derived data once
per header; a call is rendered with plain string operations.
"""

from __future__ import annotations

import heapq
import json
import re
from functools import lru_cache
from typing import Any, Iterable, Sequence

from corpusc.plan import rng
from corpusc.compiler.paths import STDLIB
from corpusc.plan.model import Beat, Call, Header, Moment, Participant, fast

from corpusc.render.cues import delivery
from corpusc.render.model import Evidence, RenderedCall, Turn

PHRASES = STDLIB / "phrases"
STRICT = False  # tests switch this on: a missing slot or bank key raises instead of rendering ""

WORDS_PER_SEC = 150 / 60  # the length target: total words = duration x 150 wpm
DEFAULT_WPM = 150.0
GAP = 0.4
OVERLAP = 0.3

WORK = ("discovery", "demo", "terms", "signoff")
STAGE_WORK = {"discovery": "discovery", "evaluation": "demo", "negotiation": "terms", "close": "signoff"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# persona -> voice family of the phrase banks; unknown personas fall back on their decision style
VOICES = {"executive_champion": "champion", "analytical_evaluator": "analytical",
          "technical_gatekeeper": "technical", "budget_guardian": "budget", "busy_skeptic": "skeptic",
          "reluctant_adopter": "reluctant", "status_quo_defender": "defender"}
STYLE_VOICES = {"analytical": "analytical", "intuitive": "champion", "cautious": "reluctant",
                "directive": "budget", "consensus": "defender"}
# how much a voice talks, relative to the others, when words are added to reach the length target
VOICE_WEIGHT = {"champion": 1.15, "analytical": 1.0, "technical": 0.8, "budget": 0.85, "skeptic": 0.7,
                "reluctant": 0.6, "defender": 1.15, "neutral": 1.0}
# how often a voice asks the seller a question of its own after an answer
VOICE_ASKS = {"champion": 0.3, "analytical": 0.55, "technical": 0.5, "budget": 0.45, "skeptic": 0.3,
              "reluctant": 0.25, "defender": 0.3, "neutral": 0.35}
VOICE_TOPICS = {
    "champion": ["onboarding", "references", "adoption", "roadmap"],
    "analytical": ["accuracy", "crm", "references", "reporting", "pricing_model"],
    "technical": ["security", "crm", "retention", "api"],
    "budget": ["pricing_model", "roi", "contract"],
    "skeptic": ["roi", "onboarding", "accuracy"],
    "reluctant": ["adoption", "support", "contract"],
    "defender": ["adoption", "crm", "support"],
    "neutral": ["onboarding", "crm", "support", "pricing_model"],
}
# keywords that map a persona's own question (header phrases) to a topic the seller can answer
QUESTION_TOPICS = (
    (("sso", "scim", "saml", "hosted", "soc 2", "pen-test", "access to it"), "security"),
    (("api", "rate-limit", "webhook"), "api"),
    (("accuracy", "calculated", "number is", "methodology", "limitations"), "accuracy"),
    (("crm", "warehouse", "data model", "documentation", "integrat", "alongside"), "crm"),
    (("cost", "price", "per seat", "billed", "pay", "budget", "stop paying"), "pricing_model"),
    (("fast", "up and running", "live", "kickoff", "ramp"), "onboarding"),
    (("who else", "in our space", "using this", "reference"), "references"),
    (("doesn't use", "don't use", "adopt", "wrong with how"), "adoption"),
)
# keywords that classify a buying signal (spec text, English) for the seller's answer
SIGNAL_CATS = (
    (("order form", "contract", "sign", "paperwork", "procurement", "redline", "signature"), "contract"),
    (("sso", "security", "soc 2", "dpa", "compliance", "pen-test", "saml"), "security"),
    (("pilot", "trial", "proof of concept", "poc"), "pilot"),
    (("prepay", "discount", "price", "pricing", "cost", "budget", "breakdown", "quote", "invoice"), "pricing"),
    (("seat", "licen", "users", "user accounts"), "seats"),
    (("crm", "export", "integrat", "api", "sync", "salesforce", "hubspot", "warehouse"), "integration"),
    (("onboard", "rollout", "roll out", "go live", "go-live", "kickoff", "fast", "ramp", "start", "timeline",
      "when"), "timeline"),
    (("reference", "customer", "case study", "peer"), "references"),
)
_TOPIC_WORDS = {"pricing": "pricing", "implementation": "implementation"}


# ---- templates --------------------------------------------------------------------

_TOKEN = re.compile(r"\[|\]|\||\{@?[A-Za-z_][A-Za-z0-9_.]*\}")
_SLOT = 0
_ALT = 1


MAX_TURN_WORDS = 150  # no turn grows past this (about a minute of speech)


def compile_template(s: str):
    """`[a|b]` alternatives and `{slot}`s -> a plain str or a tuple of nodes:
    str, (_SLOT, name), (_ALT, (alternative, ...)). `{@bank.key}` composes a
    phrase from another bank in place."""
    stack: list[list[list]] = [[[]]]
    pos = 0
    for m in _TOKEN.finditer(s):
        if m.start() > pos:
            stack[-1][-1].append(s[pos:m.start()])
        tok = m.group()
        if tok == "[":
            stack.append([[]])
        elif tok == "|":
            if len(stack) == 1:
                stack[-1][-1].append("|")
            else:
                stack[-1].append([])
        elif tok == "]":
            if len(stack) == 1:
                raise ValueError(f"unbalanced `]` in template: {s!r}")
            alts = stack.pop()
            stack[-1][-1].append((_ALT, tuple(_seal(a) for a in alts)))
        else:
            stack[-1][-1].append((_SLOT, tok[1:-1]))
        pos = m.end()
    if len(stack) != 1:
        raise ValueError(f"unbalanced `[` in template: {s!r}")
    if pos < len(s):
        stack[0][0].append(s[pos:])
    return _seal(stack[0][0])


def _seal(nodes: list):
    merged: list = []
    for n in nodes:
        if isinstance(n, str) and merged and isinstance(merged[-1], str):
            merged[-1] += n
        else:
            merged.append(n)
    if not merged:
        return ""
    if len(merged) == 1 and isinstance(merged[0], str):
        return merged[0]
    return tuple(merged)


def template_words(t) -> set[str]:
    """Every literal word a template can produce (for matching texts to templates)."""
    out: set[str] = set()
    if isinstance(t, str):
        return set(re.findall(r"[a-zäöüß]+", t.lower()))
    for n in t:
        if isinstance(n, str):
            out |= template_words(n)
        elif n[0] == _ALT:
            for a in n[1]:
                out |= template_words(a)
    return out


@lru_cache(maxsize=4096)
def _closest(locale: str, key: str, text: str) -> int | None:
    """Index of the template of `key` whose words overlap `text` most."""
    lst = load_bank(locale).get(key) or []
    words = set(re.findall(r"[a-zäöüß]+", text.lower()))
    best, bi = 0, None
    for i, t in enumerate(lst):
        sc = len(words & template_words(t))
        if sc > best:
            best, bi = sc, i
    return bi


def template_slots(t) -> set[str]:
    out: set[str] = set()
    if isinstance(t, str):
        return out
    for n in t:
        if isinstance(n, tuple):
            if n[0] == _SLOT:
                out.add(n[1])
            else:
                for a in n[1]:
                    out |= template_slots(a)
    return out


def _emit(nodes, r, get, out: list) -> None:
    rand = r.random
    for n in nodes:
        if n.__class__ is str:
            out.append(n)
        elif n[0] == _SLOT:
            out.append(get(n[1]))
        else:
            alts = n[1]
            k = len(alts)
            i = int(rand() * k)  # rng.below, inlined
            a = alts[i if i < k else k - 1]
            if a.__class__ is str:
                out.append(a)
            else:
                _emit(a, r, get, out)


def tidy(s: str, cap: bool = True) -> str:
    if "  " in s or s[:1] == " " or s[-1:] == " ":
        s = " ".join(s.split())
    if (" ," in s or " ." in s or " ?" in s or " !" in s or " ;" in s or ",," in s or ".." in s or ",." in s
            or ".," in s):
        s = (s.replace(" ,", ",").replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ;", ";")
             .replace(",,", ",").replace(",.", ".").replace(".,", ",").replace("?.", "?"))
        if ".." in s and "..." not in s:
            s = s.replace("..", ".")
    if ". " in s or "? " in s or "! " in s:  # a sentence composed of parts: capitals after a full stop
        s = _SENTENCE_START.sub(_upper_after, s)
    if cap and s and s[0].islower():
        s = s[0].upper() + s[1:]
    return s


_SENTENCE_START = re.compile(r"(?<=[.?!] )([a-z])")


def _upper_after(m: re.Match) -> str:
    return m.group(1).upper()


# ---- phrase banks -----------------------------------------------------------------

def bank_locale(locale: str) -> str:
    return "de-DE" if (locale or "").lower().startswith("de") else "en-US"


@lru_cache(maxsize=None)
def load_bank(locale: str) -> dict[str, Any]:
    """All JSON files of one locale, flattened to dotted keys; lists of strings
    are compiled templates, other lists stay data. Keys starting with `_` are
    comments."""
    out: dict[str, Any] = {}
    d = PHRASES / locale
    for f in sorted(d.glob("*.json")):
        _flatten(json.loads(f.read_text(encoding="utf-8")), "", out, f.name)
    return out


def _flatten(node: Any, prefix: str, out: dict, source: str) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k.startswith("_"):
                continue
            _flatten(v, f"{prefix}.{k}" if prefix else k, out, source)
        return
    if prefix in out:
        raise ValueError(f"{source}: phrase bank key `{prefix}` is defined twice")
    if isinstance(node, list) and all(isinstance(x, str) for x in node):
        out[prefix] = [compile_template(x) for x in node]
    elif isinstance(node, list) and all(isinstance(x, dict) for x in node):
        out[prefix] = [{k: ([compile_template(s) for s in v] if isinstance(v, list) and k == "say" else v)
                        for k, v in x.items()} for x in node]
    else:
        out[prefix] = node


# ---- header-derived data, computed once per header ------------------------------

_HX: dict[int, tuple[Header, "_HeaderX"]] = {}


class _HeaderX:
    def __init__(self, h: Header):
        self.accounts = {a.name: a for a in h.accounts}
        self.pops = {p.name: p for p in h.populations}
        self.reps = {r.get("name"): r for r in h.reps}
        self.people: dict[str, dict[str, Any]] = {}  # stakeholder id (per account) -> data
        for a in h.accounts:
            for s in a.stakeholders:
                self.people[f"{a.name}.{s.get('name')}"] = s
        self.persona_questions: dict[str, list[tuple[str, str]]] = {}
        for name, p in h.personas.items():
            qs = []
            for ph in p.get("phrases") or []:
                if ph.rstrip().endswith("?"):
                    low = ph.lower()
                    topic = next((t for keys, t in QUESTION_TOPICS if any(k in low for k in keys)), "general")
                    qs.append((ph, topic))
            self.persona_questions[name] = qs
        self.rates = {}
        for name, p in h.personas.items():
            sp = p.get("speech") or {}
            self.rates[name] = float(sp.get("rate_wpm") or DEFAULT_WPM)


def _hx(h: Header) -> _HeaderX:
    hit = _HX.get(id(h))
    if hit is not None and hit[0] is h:
        return hit[1]
    if len(_HX) > 16:
        _HX.clear()
    x = _HeaderX(h)
    _HX[id(h)] = (h, x)
    return x


# ---- timing -------------------------------------------------------------------------

def _pause(cues: Sequence[str]) -> float:
    """Seconds of time before a turn (`2.1s pause`, `hold 20.0s`, `silence
    3.5s`), read by the same parser the audio backend uses."""
    d = delivery(cues)
    return d.pause + d.hold


def speaker_rates(call: Call, header: Header) -> dict[str, float]:
    personas = header.personas
    out = {}
    for p in call.participants:
        rate = DEFAULT_WPM
        if p.persona and p.persona in personas:
            rate = float((personas[p.persona].get("speech") or {}).get("rate_wpm") or DEFAULT_WPM)
        out[p.id] = rate
    return out


def timing(turns: Iterable[Any], call: Call, header: Header) -> list[tuple[float, float]]:
    """Start and end (seconds) of each turn: words at the speaker's rate, a
    pause cue's seconds before the turn, a 0.4 s gap between turns; a turn
    cued INTERRUPTS starts 0.3 s before the previous one ends. Works on any
    objects with `.text`, `.cues` and `.speaker` (rendered turns included)."""
    rates = speaker_rates(call, header)
    out: list[tuple[float, float]] = []
    prev_start = prev_end = 0.0
    for i, t in enumerate(turns):
        words = len(t.text.split())
        dur = words * 60.0 / rates.get(t.speaker, DEFAULT_WPM)
        cues = t.cues
        pause = _pause(cues) if cues else 0.0
        if i == 0:
            start = pause
        elif cues and "INTERRUPTS" in cues:
            start = max(prev_start, prev_end - OVERLAP)
        else:
            start = prev_end + GAP + pause
        end = start + dur
        out.append((round(start, 3), round(end, 3)))
        prev_start, prev_end = start, max(end, prev_end)
    return out


# ---- one call -------------------------------------------------------------------------

class _Line:
    __slots__ = ("text", "cues", "speaker")

    def __init__(self, text, cues, speaker):
        self.text, self.cues, self.speaker = text, cues, speaker


class _Draft:
    """A turn under construction: segments are (text, tags, removable)."""
    __slots__ = ("i", "p", "side", "head", "core", "body", "tail", "fills", "weight", "words", "moment",
                 "beats", "pol", "bc", "slots", "cap", "grow", "fkeys", "rep", "fpos", "gaps")
    # pol: the tone of a turn without beats or moment (+1 positive, -1 negative, 0 neutral)

    def __init__(self, i: int, p: Participant):
        self.i, self.p, self.side = i, p, p.side
        self.head: list = []
        self.core: list = []
        self.body: list = []
        self.tail: list = []
        self.fills: list[str] = []
        self.weight = 1.0
        self.words = 0
        self.moment: Moment | None = None
        self.beats: list[str] = []
        self.pol = 0
        self.bc = False
        self.slots: dict[str, Any] = {}
        self.cap = 80
        self.grow = True  # may its cap grow when every turn is full
        self.fkeys: set[str] = set()  # fill banks already used in this turn
        self.rep = True  # may a fill bank be used twice in this turn
        self.fpos = 0  # where the rotation over `fills` resumes
        self.gaps: list[str] = []  # "hold 20.0s", "silence 3.5s": time before the turn, cued always

    def add(self, where: list, text: str, tags: tuple = (), opt: bool = False) -> None:
        if not text:
            return
        where.append((text, tags, opt))
        self.words += text.count(" ") + 1


def _first(name: str) -> str:
    return name.split()[0] if name else name


def _lc(s: str) -> str:
    """Lower-case the first letter unless the first word is an acronym or `I`."""
    if not s:
        return s
    w = s.split(" ", 1)[0]
    if len(w) > 1 and (w[1].isupper() or w[1].isdigit()) or w in ("I", "I'm", "I've", "I'd"):
        return s
    return s[0].lower() + s[1:]


def _strip_end(s: str) -> str:
    return s.rstrip(" .!?;:")


_PRON = (("she", "I"), ("he", "I"), ("her", "my"), ("his", "my"), ("him", "me"), ("herself", "myself"),
         ("himself", "myself"), ("their", "our"))
_PRON_RE = re.compile(r"\b(" + "|".join(a for a, _ in _PRON) + r")\b")
_PRON_MAP = dict(_PRON)


def _first_person(s: str) -> str:
    s = _PRON_RE.sub(lambda m: _PRON_MAP[m.group(1)], s)
    return s.replace("I will ", "I'll ").replace("I is ", "I'm ").replace("I has ", "I have ")


_WE_RE = re.compile(r"\b(they|them|their|theirs|themselves)\b")
_WE_MAP = {"they": "we", "them": "us", "their": "our", "theirs": "ours", "themselves": "ourselves"}


def _we(s: str) -> str:
    """A buyer-perspective phrase ("their own data") in the buyer's words ("our own data")."""
    return _WE_RE.sub(lambda m: _WE_MAP[m.group(1)], s)


def _past(verb: str) -> str:
    v = verb.lower()
    irregular = {"says": "said", "does": "did", "goes": "went", "has": "had", "is": "was", "makes": "made",
                 "sends": "sent", "brings": "brought", "gives": "gave", "takes": "took", "wants": "wanted"}
    if v in irregular:
        return irregular[v]
    if v.endswith("ies"):
        return v[:-3] + "ied"
    if v.endswith(("ches", "shes", "sses", "xes")):
        return v[:-2] + "ed"
    if v.endswith("s"):
        v = v[:-1]
    return v + "d" if v.endswith("e") else v + "ed"


def _base(verb: str) -> str:
    v = verb.lower()
    if v in ("has",):
        return "have"
    if v.endswith("ies"):
        return v[:-3] + "y"
    if v.endswith(("ches", "shes", "sses", "xes")):
        return v[:-2]
    return v[:-1] if v.endswith("s") else v


def signal_category(text: str) -> str:
    low = (text or "").lower()
    for keys, cat in SIGNAL_CATS:
        if any(k in low for k in keys):
            return cat
    return "general"


class _Renderer:
    def __init__(self, call: Call, header: Header):
        self.call = call
        self.header = header
        self.hx = _hx(header)
        self.loc = bank_locale(call.locale)
        self.en = self.loc == "en-US"
        self.bank = load_bank(self.loc)
        self.last: int | None = None  # index of the last template drawn
        self.dry: set[str] = set()  # fill banks found used up (until `fit` refills them)
        self.r = rng.stream(header.corpus.get("seed", 0), "render", call.id)
        self.used: dict[str, set] = {}
        self.slots: dict[str, Any] = {}
        self.kw: dict[str, Any] = {}
        self.names = {p.id: _first(p.name) for p in call.participants}
        self._proper: set[str] | None = None

    # -- choices --

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, seq):
        return rng.pick(self.r, seq)

    def has(self, key: str) -> bool:
        return key in self.bank

    def template(self, key: str):
        lst = self.bank.get(key)
        if not lst:
            if STRICT:
                raise KeyError(f"{self.loc}: no phrase bank `{key}`")
            return None
        n = len(lst)
        used = self.used.get(key)
        if used is None:
            used = self.used[key] = set()
        elif len(used) >= n:
            used.clear()
        i = rng.below(self.r, n)
        while i in used:
            i = (i + 1) % n
        used.add(i)
        self.last = i
        return lst[i]

    def say_at(self, key: str, i: int | None, kw: dict | None = None) -> str:
        """Template `i` of `key` (the answer that matches question `i`), or any."""
        lst = self.bank.get(key)
        if i is None or not lst or i >= len(lst):
            return self.say(key, kw)
        self.used.setdefault(key, set()).add(i)
        return self.render(lst[i], kw)

    def _get(self, name: str) -> str:
        if name[0] == "@":  # {@bank.key}: a phrase from another bank, composed in place
            return self.render(self.template(name[1:]), self.kw, cap=False)
        v = self.kw.get(name)
        if v is None:
            v = self.slots.get(name)
            if v is None:
                if STRICT:
                    raise KeyError(f"{self.loc}: slot `{{{name}}}` has no value in {self.call.id}")
                return ""
        if v.__class__ is not str:
            v = v() if callable(v) else str(v)
        return v

    def render(self, t, kw: dict | None = None, cap: bool = True) -> str:
        if t is None:
            return ""
        if t.__class__ is str:
            return t
        saved = self.kw
        self.kw = kw or {}
        out: list[str] = []
        _emit(t, self.r, self._get, out)
        self.kw = saved
        return tidy("".join(out), cap)

    def phrase(self, key: str, kw: dict | None = None) -> str:
        """A bank entry used inside another sentence: no capital letter added."""
        return self.render(self.template(key), kw, cap=False)

    def fresh(self, key: str) -> bool:
        """Whether `key` still has templates this call has not used."""
        lst = self.bank.get(key)
        if not lst:
            return False
        used = self.used.get(key)
        return used is None or len(used) < len(lst)

    def say(self, key: str, kw: dict | None = None) -> str:
        return self.render(self.template(key), kw)

    def say_any(self, keys: Sequence[str], kw: dict | None = None) -> str:
        for k in keys:
            if k in self.bank:
                return self.say(k, kw)
        if STRICT:
            raise KeyError(f"{self.loc}: none of the phrase banks {list(keys)}")
        return ""

    def first_key(self, *keys: str) -> str | None:
        for k in keys:
            if k in self.bank:
                return k
        return None

    def _fresh_fill(self, d: _Draft) -> str | None:
        """The next of a turn's fill banks (in rotation) that still has unused
        templates, preferring banks this turn has not used yet."""
        fills = d.fills
        n = len(fills)
        bank, used_all, fkeys, dry = self.bank, self.used, d.fkeys, self.dry
        pos = d.fpos
        second = -1
        for j in range(n):
            at = (pos + j) % n
            k = fills[at]
            if k in dry:
                continue
            lst = bank.get(k)
            used = used_all.get(k)
            if lst and (used is None or (len(used) < len(lst) and ".once." not in k)):
                if k not in fkeys:
                    fkeys.add(k)
                    d.fpos = at + 1
                    return k
                if second < 0:
                    second = at
            else:
                dry.add(k)
        if second >= 0 and d.rep:
            d.fpos = second + 1
            return fills[second]
        return None

    def join_lc(self, text: str) -> str:
        """`text` continues a sentence that ended with a comma: lower-case its
        first letter unless it starts with a name, an acronym or `I`."""
        w = text.split(" ", 1)[0].strip(",.?!'s")
        if w in self.proper():
            return text
        return _lc(text)

    def proper(self) -> set[str]:
        p = self._proper
        if p is None:
            p = self._proper = set()
            for v in list(self.slots.values()) + [x.name for x in self.call.participants]:
                if isinstance(v, str):
                    p.update(v.replace("'s", "").split())
        return p

    # -- result --

    def finish(self, drafts: list[_Draft]) -> RenderedCall:
        call = self.call
        cues_on = call.paralinguistics
        texts = []
        lines = []
        evid: list[Evidence] = []
        for d in drafts:
            segs = d.head + d.core + d.body + d.tail
            pos = 0
            parts = []
            spans: dict[tuple, list[int]] = {}
            seen: set[str] = set()
            for text, tags, _ in segs:
                # an interjection ("Nice," "Honestly,") opens at most one sentence per turn
                sp = text.find(" ")
                if 0 < sp < 14 and text[sp - 1] in ",.!":
                    w = text[:sp - 1].lower()
                    if w in seen and len(text) > sp + 12:
                        text = text[sp + 1:]
                        text = text[0].upper() + text[1:]
                    else:
                        seen.add(w)
                if parts:
                    pos += 1
                    if parts[-1][-1:] == ",":
                        text = self.join_lc(text)
                start = pos
                parts.append(text)
                pos += len(text)
                for tag in tags:
                    sp = spans.get(tag)
                    if sp is None:
                        spans[tag] = [start, pos]
                    else:
                        sp[1] = pos
            text = " ".join(parts)
            texts.append(text)
            for (kind, key), (s, e) in spans.items():
                evid.append(fast(Evidence, **{"kind": kind, "key": key, "turn": d.i, "start": s, "end": e}))
            cues = list(d.moment.cues) if (d.moment is not None and cues_on) else []
            lines.append(_Line(text, d.gaps + cues if d.gaps else cues, d.p.id))
        times = timing(lines, call, self.header)
        turns = []
        for d, line, (start, end) in zip(drafts, lines, times):
            m = d.moment if cues_on else None
            if m is not None:
                sentiment = "MIXED" if m.divergent else ("POSITIVE" if m.polarity == "positive" else "NEGATIVE")
            else:
                neg = any(k in NEGATIVE_BEATS for k in d.beats)
                pos = any(k in POSITIVE_BEATS for k in d.beats)
                if neg and pos:
                    sentiment = "MIXED"
                elif neg or (not pos and d.pol < 0):
                    sentiment = "NEGATIVE"
                elif pos or d.pol > 0:
                    sentiment = "POSITIVE"
                else:
                    sentiment = "NEUTRAL"
            turns.append(fast(Turn, **{
                "index": d.i, "speaker": d.p.id, "name": d.p.name, "side": d.p.side, "role": d.p.role,
                "text": line.text, "cues": line.cues, "start": start, "end": end, "beats": d.beats,
                "moment": m.id if m is not None else None, "sentiment": sentiment}))
        evid.sort(key=lambda e: (e.turn, e.start, e.end))
        return fast(RenderedCall, **{"call_id": call.id, "locale": call.locale, "turns": turns,
                                          "evidence": evid, "duration": times[-1][1] if times else 0.0})

    # -- length ----------------------------------------------------------------------

    def fit(self, drafts: list[_Draft], target: int) -> None:
        """Reach the word target: add elaboration sentences to the turns that are
        shortest for their weight (each turn up to its cap, caps grow only when
        every turn is full), or drop removable sentences when too long."""
        total = sum(d.words for d in drafts)
        if total < target:
            start = [d for d in drafts if d.fills and not d.bc and d.weight > 0]
            said: set[str] = set()
            live = list(start)
            rounds = resets = 0
            while total < target and rounds < 40:
                rounds += 1
                if not live:  # every bank exhausted
                    if total >= target * 0.9 or resets >= 8:
                        break  # close enough: better a little short than repetitive
                    resets += 1
                    self.dry = {k for k in self.dry if ".once." in k}
                    for d in start:
                        if resets > 1:
                            d.rep = True  # still short: a second sentence of a kind per turn is fine
                        for k in d.fills:
                            if ".once." not in k:
                                self.used.pop(k, None)
                    live = list(start)
                heap = [(d.words / d.weight, d.i, d) for d in live if d.words < d.cap]
                heapq.heapify(heap)
                stale = set()
                while total < target and heap:
                    _, i, d = heapq.heappop(heap)
                    key = self._fresh_fill(d)
                    if key is None:
                        stale.add(i)
                        continue
                    before = d.words
                    text = self.say(key, d.slots)
                    if text in said:  # a bank used up and refilled: avoid saying the same twice
                        text = self.say(key, d.slots)
                        if text in said:
                            text = self.say(key, d.slots)
                    said.add(text)
                    if text and total + text.count(" ") + 1 > target * 1.1 and total >= target * 0.85:
                        stale.add(i)  # would overshoot: close enough already
                        continue
                    if text:
                        d.add(d.body, text, (), True)
                        total += d.words - before
                    if d.words < d.cap:
                        heapq.heappush(heap, (d.words / d.weight, i, d))
                if stale:
                    live = [d for d in live if d.i not in stale]
                if total < target:
                    grow = [d for d in live if d.grow]
                    if grow:
                        for d in grow:
                            d.cap = min(int(d.cap * 1.3) + 10, MAX_TURN_WORDS)
                    else:  # only chit-chat left: it may grow a little, never into a monologue
                        for d in live:
                            d.cap = min(int(d.cap * 1.3) + 10, max(d.cap, 100))
        elif total > target * 1.04:
            opts = []
            for d in drafts:
                for lst in (d.body, d.head, d.tail, d.core):
                    for seg in lst:
                        if seg[2]:
                            opts.append((d, lst, seg))
            # drop from the longest turns first
            opts.sort(key=lambda x: -x[0].words)
            for d, lst, seg in opts:
                if total <= target * 1.02:
                    break
                if len(d.head) + len(d.core) + len(d.body) + len(d.tail) <= 1:
                    continue
                lst.remove(seg)
                w = seg[0].count(" ") + 1
                d.words -= w
                total -= w


def _seconds(v: Any) -> float:
    return round(float(v), 1) if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 else 0.0


def render_call(call: Call, header: Header) -> RenderedCall:
    """Words for one planned call; deterministic in (call, header)."""
    r = _Renderer(call, header)
    if call.kind == "population" or (call.beats and call.beats[0].kind == "greeting"):
        drafts = _Population(r).run()
    else:
        drafts = _Sales(r).run()
    return r.finish(drafts)


# ---- sales calls ------------------------------------------------------------------------

SETUP = {"small_talk": "setup.small_talk", "introduce_stakeholder": "setup.intro", "pain": "setup.pain",
         "competitor_mention": "setup.competitor", "objection_reopened": "setup.reopen",
         "objection_resolved": "setup.resolved", "buying_signal": "setup.signal"}
# beats whose sentence is negative or positive in tone (for Turn.sentiment)
NEGATIVE_BEATS = {"pain", "objection_raised", "objection_reopened"}
POSITIVE_BEATS = {"small_talk", "objection_resolved", "buying_signal", "close"}


@lru_cache(maxsize=None)
def _topics(locale: str, prefix: str, suffix: str) -> tuple[str, ...]:
    depth = prefix.count(".") + suffix.count(".")
    return tuple(sorted({k[len(prefix):-len(suffix)] for k in load_bank(locale)
                         if k.startswith(prefix) and k.endswith(suffix) and k.count(".") == depth}))


def _money(x: float, en: bool) -> str:
    x = round(x)
    if en:
        return f"${x:,.0f}"
    return f"{x:,.0f}".replace(",", ".") + " Euro"


def _nice(x: float) -> int:
    if x < 20:
        return max(1, int(round(x)))
    if x < 200:
        return int(round(x / 5.0)) * 5
    if x < 2000:
        return int(round(x / 10.0)) * 10
    return int(round(x / 100.0)) * 100


_EN_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
             "sixteen seventeen eighteen nineteen").split()
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_DE_SMALL = ("null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn fünfzehn "
             "sechzehn siebzehn achtzehn neunzehn").split()


def _num(x: int, en: bool) -> str:
    return f"{x:,}" if en else f"{x:,}".replace(",", ".")


def _word(x: int, en: bool) -> str:
    """Small numbers as words, as a transcriber writes them."""
    if en:
        if 0 <= x < 20:
            return _EN_SMALL[x]
        if 20 <= x < 100:
            t, u = divmod(x, 10)
            return _EN_TENS[t] + ("-" + _EN_SMALL[u] if u else "")
        return _num(x, en)
    if 2 <= x < 13:
        return _DE_SMALL[x]
    return _num(x, en)


class _Sales:
    def __init__(self, R: _Renderer):
        self.R = R
        c = self.call = R.call
        self.n = len(c.speakers)
        self.P = c.participants
        self.sp = [c.participants[k] for k in c.speakers]
        self.beats_at: dict[int, list[Beat]] = {}
        for b in c.beats:
            self.beats_at.setdefault(b.turn, []).append(b)
        self.mom_at = {m.turn: m for m in c.moments} if c.paralinguistics else {}
        self.sellers = [p for p in self.P if p.side == "seller"] or [self.P[0]]
        self.buyers = [p for p in self.P if p.side != "seller"] or self.sellers
        self.by_id = {p.id: p for p in self.P}
        self.acct = R.hx.accounts.get(c.account) if c.account else None
        personas = R.header.personas
        self.persona = {p.id: (personas.get(p.persona) or {}) if p.persona else {} for p in self.P}
        self.voice = {p.id: self._voice(p) for p in self.P}
        work_b = next((b for b in c.beats if b.kind in WORK), None)
        self.work = work_b.kind if work_b else STAGE_WORK.get(c.stage or "", "discovery")
        self.work_turn = work_b.turn if work_b else min(self.n - 1, 4)
        self.agenda_turn = next((b.turn for b in c.beats if b.kind == "agenda"), self.work_turn)
        self.ns_turn = next((b.turn for b in c.beats if b.kind == "next_steps"), self.n - 2)
        self.close_turn = next((b.turn for b in c.beats if b.kind == "close"), self.n - 1)
        self.pending: tuple | None = None
        self.last_topic: tuple | None = None
        self.asked: set[str] = set()
        self.used_phrases: set[str] = set()
        self.raised_here = {b.key for b in c.beats if b.kind in ("objection_raised", "objection_reopened")}
        self.signal_cats = [signal_category(b.text or "") for b in c.beats if b.kind == "buying_signal"]
        self.want_cache: dict[str, dict] = {}
        # objections this call addresses or deflects later on (so an earlier ack does not promise "next time")
        self.handled_later = {(b.key, b.turn) for b in c.beats if b.kind in ("objection_addressed",
                                                                              "objection_unaddressed")}
        self._slots()
        self.deck = self._deck()
        self.bc = self._backchannels()

    # -- setup ----------------------------------------------------------------------

    def _voice(self, p: Participant) -> str:
        if p.side == "seller":
            return "seller"
        if p.persona in VOICES:
            return VOICES[p.persona]
        style = self.persona[p.id].get("decision_style")
        return STYLE_VOICES.get(style, "neutral")

    def _slots(self) -> None:
        R, c, h = self.R, self.call, self.R.header
        en = R.en
        a = self.acct
        ind_name = a.industry if a else ""
        ind = h.industries.get(ind_name) or {}
        terms = list(ind.get("terms") or []) or [R.phrase("fallback.term")]
        self.terms = terms
        last_term = [""]

        def term() -> str:
            t = rng.pick(R.r, terms)
            if t == last_term[0] and len(terms) > 1:
                t = terms[(terms.index(t) + 1) % len(terms)]
            last_term[0] = t
            return t
        pains = list(ind.get("pains") or [])
        self.pain_key = R.first_key(f"pain.say.{ind_name}") if not en else None
        self.anecdote = R.first_key(f"anecdote.{ind_name}", "anecdote.default")
        self.seller_ind = R.first_key(f"seller.industry.{ind_name}", "seller.industry.default")
        pain = _strip_end(_lc(rng.pick(R.r, pains))) if (pains and en) else ""
        emp = (a.employees if a and a.employees else 250)
        reps = _nice(max(6, min(600, emp * 0.06)))
        seats = reps
        value = (a.deal_value if a and a.deal_value else reps * 1100.0)
        company = a.display if a else R.phrase("fallback.company")
        size = a.size if a else "mid_market"
        people_key = R.first_key(f"people.{ind_name}", "people.default")
        people = R.render(R.bank[people_key][0], cap=False) if people_key else "reps"
        lead = self.sellers[0]
        mb = next((p for p in self.buyers if p.decision_maker), self.buyers[0])
        self.main_buyer = mb
        # a decision maker of the account (present or not), for "who else is involved"
        dm_name, dm_role = "", ""
        if a:
            for s in a.stakeholders:
                if s.get("decision_maker") and s.get("name") != mb.id:
                    dm_name, dm_role = _first(s.get("display") or s.get("name")), s.get("role") or ""
                    break
        if not dm_name:
            dm_name, dm_role = (R.phrase("fallback.dm_name"), R.phrase("fallback.dm_role"))
        comp = (a.competitors[0] if a and a.competitors else R.phrase("fallback.competitor"))
        wd = WEEKDAYS.index(c.weekday) if c.weekday in WEEKDAYS else 0
        weekdays = R.bank.get("cal.weekdays") or [""] * 7
        months = R.bank.get("cal.months") or [""] * 12
        month = int(c.date[5:7]) if len(c.date) >= 7 else 1
        hour = int(c.time[:2]) if c.time[:2].isdigit() else 10
        dayparts = R.bank.get("cal.dayparts") or ["", "", ""]
        self.season = ("winter", "winter", "spring", "spring", "spring", "summer", "summer", "summer", "fall",
                       "fall", "fall", "winter")[month - 1]
        # the next meeting: later this week, or next week
        nxt = (wd + 2 + rng.below(R.r, 3)) % 7
        if nxt >= 5:
            nxt = rng.below(R.r, 3)
        later = nxt > wd
        day = R.render(R.template("cal.same_week" if later else "cal.next_week"), {"wd": weekdays[nxt]}, cap=False)
        # the follow-up meeting: after the deliverable's day
        if later:
            meet = R.render(R.template("cal.next_week"), {"wd": weekdays[rng.below(R.r, 4)]}, cap=False)
        else:
            meet = R.render(R.template("cal.after"), {"wd": weekdays[min(4, nxt + 1 + rng.below(R.r, 2))]},
                            cap=False)
        topic = ""
        if en and c.topic:
            topic = _strip_end(_lc(c.topic))
        if not topic:
            topic = R.phrase(f"topic.{self.work}" if R.has(f"topic.{self.work}") else "topic.default")
        crm = "Salesforce" if (size in ("enterprise", "mid_market") or len(company) % 2) else "HubSpot"
        # the buyer's upcoming milestone, one per call; German banks give "accusative/dative" pairs
        ev = R.phrase(R.first_key(f"event.{ind_name}", "event.default") or "event.default")
        event, _, event_dat = ev.partition("/")
        event_dat = event_dat or event
        mins = max(5, int(round(c.target_duration_sec / 60.0 / 5.0)) * 5)
        R.slots.update(
            product=h.corpus.get("product") or "our platform",
            tagline=h.corpus.get("tagline") or R.phrase("fallback.tagline"),
            company=company, co=company.split()[0], industry=(ind.get("title") or ind_name or "").lower() if en
            else (ind.get("title") or ind_name or ""),
            people=people, term=term, pain=pain or (lambda: term()),
            reps=_num(reps, en), managers=_num(max(2, reps // 9), en), calls=_num(_nice(reps * 35), en),
            sites=_word(1 + min(7, emp // 900), en), seats=_num(seats, en), annual=_money(value, en),
            per_seat=_money(value / max(1, seats) / 12.0, en), pct=_word(3 + (emp % 5), en),
            crm=crm, event=event, event_dat=event_dat,
            day=day, meet=meet, weekday=weekdays[wd], month=months[month - 1],
            daypart=dayparts[0 if hour < 12 else 1 if hour < 17 else 2],
            competitor=comp, topic=topic, rep=_first(lead.name), buyer=_first(mb.name),
            everyone=(R.phrase("fallback.everyone") if len(self.buyers) > 1 else _first(mb.name)),
            dm=dm_name, dm_role=dm_role, minutes=str(mins),
            se=_first(self.sellers[-1].name), weeks=_word(3 + emp % 4, en), months=_word(3 + emp % 4, en),
            year=str(int(c.date[:4]) + (1 if month >= 10 else 0)) if c.date[:4].isdigit() else "next year",
        )

    def _deck(self) -> list[tuple[str, str]]:
        R = self.R
        loc = R.loc
        disc = list(_topics(loc, "disc.", ".ask"))
        feats = list(_topics(loc, "demo.", ".show"))
        terms = list(_topics(loc, "terms.", ".say"))
        signoff = list(_topics(loc, "signoff.", ".say"))
        for lst in (disc, feats, terms, signoff):
            rng.shuffle(R.r, lst)
        early = [t for t in ("process",) if t in disc]
        late = [t for t in ("decision", "timeline") if t in disc]
        mid = [t for t in disc if t not in early and t not in late]
        if self.work == "discovery":
            early = []  # the discovery beat itself asks about the current process
            self.asked.add("process")
        qs = []
        for t in early + mid + late:
            qs.append(("q", t))
            if R.has(f"disc.{t}.follow") and R.chance(0.35):
                qs.append(("follow", t))
        if self.work == "discovery":
            deck = qs
        elif self.work == "demo":
            deck = []
            shows = [("show", f) for f in feats]
            q_iter = iter(q for q in qs if q[0] == "q")
            for k, s in enumerate(shows):
                deck.append(s)
                if k % 3 == 2:
                    deck.append(next(q_iter, ("insight", "")))
            deck += list(q_iter)
        elif self.work == "terms":
            deck = [("terms", t) for t in terms] + [("show", f) for f in feats[:3]] + qs
        else:
            deck = [("signoff", t) for t in signoff] + [("terms", t) for t in terms] + qs
        return deck

    def _backchannels(self) -> set[int]:
        out: set[int] = set()
        last = -10
        sp, R = self.sp, self.R
        lo = max(3, self.agenda_turn + 2)
        for i in range(lo, self.ns_turn - 1):
            if i in self.beats_at or (i - 1) in self.beats_at or i in self.mom_at or (i - 1) in self.mom_at:
                continue
            if i + 1 >= self.n or sp[i].side == sp[i - 1].side or sp[i + 1].side != sp[i - 1].side:
                continue
            if i - last < 4:
                continue
            if R.chance(0.3):
                out.add(i)
                last = i
        return out

    def next_item(self) -> tuple[str, str]:
        while self.deck:
            item = self.deck.pop(0)
            if item[0] == "q" and item[1] in self.asked:
                continue
            if item[0] == "q":
                self.asked.add(item[1])
            return item
        return ("insight", "")

    # -- per turn ---------------------------------------------------------------------

    def _kw(self, d: _Draft) -> dict[str, Any]:
        i, p, sp, n = d.i, d.p, self.sp, self.n
        if p.side == "seller":
            addr = sp[i + 1] if i + 1 < n and sp[i + 1].side != "seller" else None
            if addr is None:
                addr = next((sp[j] for j in range(i - 1, -1, -1) if sp[j].side != "seller"), self.main_buyer)
        else:
            addr = sp[i - 1] if i > 0 and sp[i - 1].side == "seller" else None
            if addr is None:
                addr = next((sp[j] for j in range(i - 1, -1, -1) if sp[j].side == "seller"), self.sellers[0])
        kw: dict[str, Any] = {"me": _first(p.name), "you": _first(addr.name), "role": p.role or "",
                              "you_role": addr.role or ""}
        bp = p if p.side != "seller" else addr
        if bp.side != "seller":
            kw.update(self._wants(bp))
        return kw

    def _wants(self, p: Participant) -> dict[str, Any]:
        """{want}: the buyer's main want in this call (stable); {want_any}: any of
        them; {trigger}: what would convince them, in their own words."""
        hit = self.want_cache.get(p.id)
        if hit is not None:
            return hit
        R = self.R
        v = self.voice[p.id]
        pers = self.persona[p.id]
        wants = list(pers.get("wants") or []) if R.en else []
        trig = [_we(_lc(_strip_end(t))) for t in (pers.get("conversion_triggers") or [])] if R.en else []
        if not wants:
            key = R.first_key(f"wants.{v}", "wants.neutral")
            wants = [R.render(t, cap=False) for t in R.bank.get(key or "", [])] or ["results"]
        if not trig:
            key = R.first_key(f"triggers.{v}", "triggers.neutral")
            trig = [R.render(t, cap=False) for t in R.bank.get(key or "", [])] or ["a clear plan"]
        peeves = [_lc(_strip_end(x)) for x in (pers.get("weaknesses") or [])] if R.en else []
        if not peeves:
            key = R.first_key(f"peeves.{v}", "peeves.neutral")
            peeves = [R.render(t, cap=False) for t in R.bank.get(key or "", [])] or ["vendors who overpromise"]
        main = rng.pick(R.r, wants)
        deck_w = [w for w in wants if w != main] or wants
        deck_t = list(trig)
        rng.shuffle(R.r, deck_w)
        rng.shuffle(R.r, deck_t)
        state = {"w": 0, "t": 0}

        def any_want() -> str:
            state["w"] += 1
            return deck_w[state["w"] % len(deck_w)]

        def any_trigger() -> str:
            state["t"] += 1
            return deck_t[state["t"] % len(deck_t)]
        out: dict[str, Any] = {"want": main, "want_any": any_want, "trigger": any_trigger,
                               "peeve": lambda: rng.pick(R.r, peeves)}
        # a colleague of the account, not on this call, the buyer can refer to
        present = {x.id for x in self.call.participants}
        peers = [s for s in (self.acct.stakeholders if self.acct else []) if s.get("name") not in present]
        if peers:
            peer = rng.pick(R.r, peers)
            out["peer"] = _first(peer.get("display") or peer.get("name") or "")
            out["peer_role"] = peer.get("role") or ""
        self.want_cache[p.id] = out
        return out

    def peer_key(self, kw) -> str | None:
        return "peer.more" if kw.get("peer") and self.R.has("peer.more") else None

    def vkey(self, base: str, v: str) -> str:
        k = f"{base}.{v}"
        return k if k in self.R.bank else f"{base}.neutral"

    def run(self) -> list[_Draft]:
        drafts = []
        for i in range(self.n):
            d = _Draft(i, self.sp[i])
            d.beats = [b.kind for b in self.beats_at.get(i, [])]
            d.moment = self.mom_at.get(i)
            d.slots = self._kw(d)
            if i in self.bc:
                self._backchannel(d)
            elif d.side == "seller":
                self._seller(d)
            else:
                self._buyer(d)
            drafts.append(d)
        self.R.fit(drafts, round(self.call.target_duration_sec * WORDS_PER_SEC))
        return drafts

    def shape(self, d: _Draft, weight: float, cap: int, fills: list[str] | None = None,
              grow: bool = True) -> None:
        """How much a turn may grow when words are added: its weight and its cap,
        jittered so that turns of one kind differ in length. `grow=False` keeps
        chit-chat short even when the call needs many more words."""
        j = 0.7 + 0.6 * self.R.r.random()
        d.weight = weight * j
        d.cap = int(cap * j)
        d.grow = grow
        if fills is not None:
            d.fills = [f for f in fills if f]

    def _backchannel(self, d: _Draft) -> None:
        d.bc = True
        d.weight = 0
        d.add(d.core, self.R.say("bc.seller" if d.side == "seller" else "bc.buyer"))
        pend = self.pending
        if pend and pend[0] == "ans":
            self.pending = ("buyer_cont", pend[1], self.sp[d.i - 1].id)
        # a seller that was mid-explanation keeps its pending item

    def _set_tail(self, d: _Draft, text: str) -> None:
        """Replace the turn's closing question (never a tagged sentence) by `text`."""
        keep = [seg for seg in d.tail if seg[1]]
        for seg in d.tail:
            if not seg[1]:
                d.words -= seg[0].count(" ") + 1
        d.tail = keep
        d.add(d.tail, text)

    # -- the seller side ----------------------------------------------------------------

    def _seller(self, d: _Draft) -> None:
        R, i = self.R, d.i
        kw = d.slots
        pend, self.pending = self.pending, None
        beats = self.beats_at.get(i, [])
        kinds = [b.kind for b in beats]
        nxt = self.beats_at.get(i + 1, []) if i + 1 < self.n and self.sp[i + 1].side != "seller" else []
        bc_next = (i + 1) in self.bc
        self.shape(d, 0.45, 55, [self.seller_ind, "disc.insight"])
        if d.moment is not None:
            self._moment(d, d.moment, kw)
        self._seller_head(d, pend, beats, kw)
        for b in beats:
            self._seller_beat(d, b, kw, nxt)
        if not beats:
            if i < self.agenda_turn:
                if pend and pend[0] in ("smalltalk", "chat") and not nxt and pend[0] == "smalltalk":
                    d.add(d.tail, R.say("smalltalk.seller_q", kw))
                    self.pending = ("chat",)
                else:
                    d.add(d.core, R.say("open.filler", kw), (), True)
                self.shape(d, 0.3, 45, ["smalltalk.more_seller"], grow=False)
            elif i > self.ns_turn:
                d.add(d.core, R.say("wrap.seller", kw))
                d.fills, d.weight = [], 0
                if not nxt:
                    self.pending = ("wrap",)
            elif pend and pend[0] == "seller_cont" and pend[1][0] in ("show", "terms", "signoff"):
                self._item(d, pend[1], kw, bc_next or bool(nxt), cont=True)
            else:
                self._item(d, self.next_item(), kw, bc_next or bool(nxt))
        if nxt and not bc_next and "close" not in kinds:
            b = nxt[0]
            key = SETUP.get(b.kind)
            if b.kind == "objection_raised":
                key = R.first_key(f"setup.obj.{b.key}", "setup.obj")
            skw = dict(kw)
            if b.kind == "introduce_stakeholder":
                skw["new"] = _first(self.by_id[b.key].name) if b.key in self.by_id else kw["you"]
            if b.kind in ("objection_resolved", "objection_reopened"):
                skw["obj"] = self.obj_topic(b.key)
            if key:
                self._set_tail(d, R.say(key, skw))
                self.pending = ("setup", b.kind)
        if "close" in kinds:
            d.fills, d.weight = [], 0

    def _seller_head(self, d: _Draft, pend, beats: list[Beat], kw) -> None:
        R = self.R
        if not pend:
            return
        kind = pend[0]
        keys = {b.key for b in beats if b.kind in ("objection_addressed", "objection_unaddressed")}
        if kind == "ans":
            if R.chance(0.7):
                d.add(d.head, R.say("ack.seller", kw), (), True)
            key = f"disc.{pend[1]}.summary"
            if R.chance(0.3) and R.fresh(key):
                d.add(d.head, R.say(key, kw), (), True)
        elif kind == "bq":
            topic, idx = pend[1], pend[2] if len(pend) > 2 else None
            akey = R.first_key(f"bq.{topic}.answer", "bq.general.answer")
            if len(R.bank.get(f"bq.{topic}.ask") or ()) != len(R.bank[akey]):
                idx = None  # answers not paired with the questions
            d.add(d.head, R.say_at(akey, idx, kw))
            self.shape(d, 1.0, 110, [R.first_key(f"bq.{topic}.more", "bq.general.more"), "seller.story"])
        elif kind in ("react", "agenda_ok", "nextsteps_ok", "ref_ok"):
            if R.chance(0.5):
                d.add(d.head, R.say("ack.seller_short", kw), (), True)
        elif kind == "pain":
            d.add(d.head, R.say("pain.react", kw))
            self.shape(d, 0.9, 95, ["pain.react_more", "disc.insight", "seller.story"])
        elif kind == "comp":
            d.add(d.head, R.say("comp.react", kw))
            self.shape(d, 0.8, 90, ["comp.react_more", "seller.story"])
        elif kind == "obj":
            b = pend[1]
            if b.key in keys:
                return
            later = any(k == b.key and t > d.i for k, t in self.handled_later)
            skw = dict(kw, obj=self.obj_topic(b.key))
            d.add(d.head, R.say("obj.ack", skw))
            d.add(d.head, R.say("obj.defer_same" if later else "obj.defer", skw))
        elif kind == "resolved":
            d.add(d.head, R.say("obj.resolved_react", kw))
        elif kind == "signal":
            cat = pend[1]
            d.add(d.head, R.say(R.first_key(f"signal.answer.{cat}", "signal.answer.general"), kw))
            self.shape(d, 1.0, 110, [R.first_key(f"signal.more.{cat}", "signal.more.general"), "seller.story"])
        elif kind == "smalltalk":
            d.add(d.head, R.say("smalltalk.seller", kw))
        elif kind == "chat":
            d.add(d.head, R.say("smalltalk.seller_back", kw))
            d.add(d.head, R.say("smalltalk.bridge", kw), (), True)
        elif kind == "hello_new":
            d.add(d.head, R.say("intro.welcome", dict(kw, new=_first(self.by_id[pend[1]].name)
                                                       if pend[1] in self.by_id else kw["you"])))
        elif kind == "seller_cont":
            d.add(d.head, R.say("cont.seller", kw))
        elif kind == "hello":
            d.add(d.head, R.say("open.seller_back", kw), (), True)

    def _item(self, d: _Draft, item: tuple, kw, no_question: bool, cont: bool = False) -> None:
        R = self.R
        kind, topic = item[0], item[1]
        if no_question and kind in ("q", "follow", "open"):
            # the question waits: after a backchannel, or after the next beat's setup
            if kind != "open":
                self.deck.insert(0, item)
                self.asked.discard(topic)
            kind, topic = "insight", ""
        if kind in ("q", "follow", "open"):
            if R.chance(0.3) and not d.head:
                d.add(d.core, R.say("transition", kw), (), True)
            key = f"disc.{topic}.{'follow' if kind == 'follow' else 'ask'}"
            if kind == "q" and R.chance(0.4) and R.fresh(f"disc.{topic}.why"):
                d.add(d.body, R.say(f"disc.{topic}.why", kw), (), True)
            d.add(d.tail, R.say(key, kw))
            self.pending = ("q_follow" if kind == "follow" else "q", topic)
            self.shape(d, 0.35, 45, [self.seller_ind, "disc.insight"])
        elif kind == "show":
            if cont:
                d.add(d.core, R.say(f"demo.{topic}.more", kw))
            else:
                if R.chance(0.4):
                    d.add(d.core, R.say("demo.transition", kw), (), True)
                d.add(d.core, R.say(f"demo.{topic}.show", kw))
            self.shape(d, 1.2, 140, [f"demo.{topic}.more", "demo.more", f"demo.{topic}.more", self.seller_ind])
            if no_question:
                self.pending = ("seller_cont", item)
            else:
                if R.chance(0.75):
                    d.add(d.tail, R.say("demo.check", kw))
                self.pending = ("show", topic)
        elif kind in ("terms", "signoff"):
            d.add(d.core, R.say(f"{kind}.{topic}.{'more' if cont else 'say'}", kw))
            self.shape(d, 1.0, 110, [f"{kind}.{topic}.more", f"{kind}.more", self.seller_ind])
            if no_question:
                self.pending = ("seller_cont", item)
            else:
                d.add(d.tail, R.say(f"{kind}.{topic}.ask", kw))
                self.pending = (kind, topic)
        elif kind == "insight":
            d.add(d.core, R.say("disc.insight", kw))
            self.shape(d, 0.7, 80, [self.seller_ind, "disc.insight", "seller.story"])
            if no_question:
                self.pending = ("seller_cont", ("open", ""))
            else:
                d.add(d.tail, R.say("disc.open.ask", kw))
                self.pending = ("q", "open")

    def obj_topic(self, key: str | None) -> str:
        R = self.R
        k = R.first_key(f"obj.topic.{key}")
        if k:
            return R.phrase(k)
        title = ((R.header.objections.get(key or "") or {}).get("title") or key or "").lower()
        if title:
            return R.render(R.template("obj.topic.generic"), {"x": title}, cap=False)
        return R.phrase("obj.topic.generic_none")

    def _seller_beat(self, d: _Draft, b: Beat, kw, nxt) -> None:
        R = self.R
        kind = b.kind
        tag = ((kind, b.key),)
        if kind == "opening":
            key = "open.greet_multi" if len(self.buyers) > 1 else "open.greet"
            d.add(d.core, R.say(key, kw), tag)
            d.add(d.core, R.say("open.phone" if self.call.medium == "phone" else "open.video", kw), (), True)
            if not nxt:
                d.add(d.tail, R.say("open.checkin", kw))
                self.pending = ("hello",)
            self.shape(d, 0.3, 45, ["smalltalk.more_seller"], grow=False)
        elif kind == "reference":
            self._reference(d, b, kw, tag)
            if not nxt:
                d.add(d.tail, R.say("reference.check", kw))
                self.pending = ("ref_check",)
            self.shape(d, 0.4, 70, [])
        elif kind == "agenda":
            d.add(d.core, R.say(f"agenda.{self.work}", kw), tag)
            ob = next((x for x in self.call.beats if x.kind == "objection_addressed"), None)
            if ob is not None:
                d.add(d.core, R.say("agenda.objection", dict(kw, obj=self.obj_topic(ob.key))), (), True)
            d.add(d.tail, R.say("agenda.check", kw))
            self.pending = ("agenda",)
            d.fills, d.weight = [], 0
        elif kind in WORK:
            no_q = (d.i + 1) in self.bc or bool(nxt)
            if kind == "demo":
                key = "work.demo_phone" if self.call.medium == "phone" else "work.demo"
                d.add(d.core, R.say(key, kw), tag)
                item = self.next_item()
                if item[0] != "show":
                    item = ("show", _topics(R.loc, "demo.", ".show")[0])
                self._item(d, item, kw, no_q)
            elif kind == "discovery":
                d.add(d.tail, R.say("work.discovery", kw), tag)
                self.pending = ("q", "process")
                self.shape(d, 0.5, 60, ["disc.insight"])
            else:
                d.add(d.core, R.say(f"work.{kind}", kw), tag)
                item = self.next_item()
                if item[0] not in ("terms", "signoff"):
                    item = ("insight", "")
                self._item(d, item, kw, no_q)
        elif kind == "objection_addressed":
            self._address(d, b, kw, tag)
        elif kind == "objection_unaddressed":
            skw = dict(kw, obj=self.obj_topic(b.key))
            d.add(d.core, R.say("obj.unaddressed", skw), tag)
            if not nxt:
                self._item(d, self.next_item(), kw, (d.i + 1) in self.bc)
        elif kind == "next_steps":
            skw = dict(kw, artifact=self._artifact())
            d.add(d.core, R.say("nextsteps.say", skw), tag)
            d.add(d.core, R.say("nextsteps.more", skw), (), True)
            if "close" not in [x.kind for x in self.beats_at.get(d.i, [])]:
                d.add(d.tail, R.say("nextsteps.check", kw))
                self.pending = ("nextsteps",)
            self.shape(d, 0.4, 70, ["nextsteps.more"], grow=False)
        elif kind == "close":
            d.add(d.core, R.say("close.seller", kw), tag)
            self.pending = ("close",)
        else:
            d.add(d.core, R.say("generic.seller", dict(kw, x=kind.replace("_", " "))), tag)

    def _artifact(self) -> str:
        R = self.R
        if self.signal_cats:
            k = R.first_key(f"artifact.signal.{self.signal_cats[-1]}")
            if k:
                return R.phrase(k)
        return R.phrase(R.first_key(f"artifact.{self.work}", "artifact.default") or "artifact.default")

    def _reference(self, d: _Draft, b: Beat, kw, tag) -> None:
        R = self.R
        refs = [x for x in self.call.references if not b.ref_call or x.call == b.ref_call] or \
            list(self.call.references)
        order = {"buying_signal": 0, "objection": 1, "competitor": 2, "topic": 3, "stakeholder": 4}
        refs.sort(key=lambda x: order.get(x.kind, 5))
        if len(refs) > 1 and refs[0].kind == refs[1].kind and R.chance(0.5):
            refs[0], refs[1] = refs[1], refs[0]
        done = 0
        for ref in refs[:2]:
            text = self._ref_sentence(ref, kw)
            if not text:
                continue
            d.add(d.core, text, tag if done == 0 else (), done > 0)
            done += 1
        if not done:
            d.add(d.core, R.say("reference.none", kw), tag)

    def _ref_sentence(self, ref, kw) -> str:
        R = self.R
        who_id = ref.text if ref.kind in ("objection", "competitor") else ref.key if ref.kind == "buying_signal" \
            else None
        who = ""
        if who_id:
            p = self.by_id.get(who_id)
            if p is not None:
                who = _first(p.name)
            else:
                st = R.hx.people.get(f"{self.call.account}.{who_id}")
                who = _first(st.get("display") or who_id) if st else _first(who_id)
        skw = dict(kw, who=who or kw["you"])
        if ref.kind == "objection":
            skw["obj"] = self.obj_topic(ref.key)
            return R.say("reference.objection", skw)
        if ref.kind == "buying_signal":
            if R.en and ref.text:
                words = ref.text.strip().rstrip(".").split(" ", 1)
                clause = _past(words[0]) + (" " + words[1] if len(words) > 1 else "")
                clause = clause.replace(" will ", " would ").replace(" can ", " could ")
            else:
                cat = signal_category(ref.text)
                clause = R.phrase(R.first_key(f"signal.ref.{cat}", "signal.ref.general") or "signal.ref.general")
            skw["sig"] = clause
            return R.say("reference.signal", skw)
        if ref.kind == "competitor":
            skw["competitor"] = ref.key or R.slots["competitor"]
            return R.say("reference.competitor", skw)
        if ref.kind == "topic":
            t = _strip_end(_lc(ref.text)) if (R.en and ref.text) else ""
            if not t:
                t = R.phrase(R.first_key(f"ref.stage.{ref.key}", "ref.stage.default") or "ref.stage.default")
            skw["ref_topic"] = t
            return R.say("reference.topic", skw)
        return ""

    def _address(self, d: _Draft, b: Beat, kw, tag) -> None:
        R = self.R
        by = next((o.by for o in self.call.objections if o.arc == b.arc), None)
        who = _first(self.by_id[by].name) if by in self.by_id else ""
        if not who and by:
            st = R.hx.people.get(f"{self.call.account}.{by}")
            who = _first(st.get("display")) if st else by
        skw = dict(kw, obj=self.obj_topic(b.key), who=who or kw["you"])
        raised_here = any(x.kind in ("objection_raised", "objection_reopened") and x.key == b.key and x.turn < d.i
                          for x in self.call.beats)
        d.add(d.core, R.say("obj.address_lead_same" if raised_here else "obj.address_lead_prev", skw))
        d.add(d.core, self._resolution(b.key, skw), tag)
        d.add(d.core, R.say("obj.address_more", skw), (), True)
        self.shape(d, 1.0, 120, ["obj.address_more", "seller.story"])
        self.pending = ("obj_check", b.key)

    def _resolution(self, key: str | None, kw) -> str:
        R = self.R
        obj = R.header.objections.get(key or "") or {}
        resolutions = list(obj.get("resolutions") or [])
        table = R.bank.get("obj.res") or []
        options = []
        for res in resolutions:
            low = res.lower()
            for entry in table:
                if entry.get("type") in (key, "*") and any(m in low for m in entry.get("match", [])):
                    options.append(entry["say"])
                    break
        if options:
            says = rng.pick(R.r, options)
            return R.render(rng.pick(R.r, says), kw)
        if R.en and resolutions:
            res = _lc(_strip_end(rng.pick(R.r, resolutions)))
            for a, b2 in (("the buyer's", "your"), ("the buyer", "you"), ("buyer's", "your"), (" them", " you"),
                          (" they ", " you "), (" their ", " your ")):
                res = res.replace(a, b2)
            return R.render(R.template("obj.address_generic"), dict(kw, res=res))
        return R.say_any([f"obj.address.{key}", "obj.address.generic"], kw)

    # -- the buyer side -------------------------------------------------------------------

    def _buyer(self, d: _Draft) -> None:
        R, i = self.R, d.i
        kw = d.slots
        pend, self.pending = self.pending, None
        beats = self.beats_at.get(i, [])
        kinds = [b.kind for b in beats]
        m = d.moment
        v = self.voice[d.p.id]
        vw = VOICE_WEIGHT.get(v, 1.0)
        self.shape(d, 0.6 * vw, 70, [self.vkey("voice.more", v)])
        setup = pend[1] if pend and pend[0] == "setup" else None
        # the moment's words: with its beat, or on their own at the start of the turn
        m_beat = m.beat if (m is not None and m.beat in kinds) else None
        if beats:
            if setup and setup == kinds[0]:
                pass
            elif pend and pend[0] in ("q", "q_follow", "hello", "agenda", "chat", "nextsteps", "close", "wrap",
                                      "ref_check"):
                self._respond(d, pend, kw, v, brief=True)
            elif R.chance(0.4):
                d.add(d.head, R.say(self.vkey("voice.ack", v), kw), (), True)
        if m is not None and m_beat is None:
            self._moment(d, m, kw)
        for b in beats:
            self._buyer_beat(d, b, kw, v, m if m_beat == b.kind else None)
            if m_beat == b.kind:
                m_beat = "done"
        if not beats:
            self._respond(d, pend, kw, v, brief=False)
            if self._may_ask(d, v):
                self._ask(d, v, kw)
        if i > self.close_turn or "close" in [x.kind for x in self.beats_at.get(i - 1, [])]:
            d.fills, d.weight = [], 0

    def _moment(self, d: _Draft, m: Moment, kw) -> None:
        R = self.R
        phase = "open" if d.i <= self.agenda_turn else "end" if d.i >= self.ns_turn else "body"
        pol = "pos" if m.polarity == "positive" else "neg"
        tag = (("moment", m.id),)
        if "INTERRUPTS" in m.cues and d.i > 0:
            for seg in d.head:  # cutting in: no polite acknowledgment first
                d.words -= seg[0].count(" ") + 1
            d.head = []
            d.add(d.core, R.say("moment.interrupt", kw), tag)
        d.add(d.core, R.say(f"moment.{pol}.{phase}", kw), tag)

    def _respond(self, d: _Draft, pend, kw, v: str, brief: bool) -> None:
        """What the buyer says to the seller's previous turn."""
        R = self.R
        kind = pend[0] if pend else None
        where = d.head if brief else d.core
        vw = VOICE_WEIGHT.get(v, 1.0)
        if kind in ("q", "q_follow"):
            topic = pend[1]
            more = R.first_key(f"disc.{topic}.more", "disc.open.answer")
            if not brief and R.chance(0.4):
                d.add(where, R.say(self.vkey("voice.open", v), kw), (), True)
            if kind == "q":
                d.add(where, R.say(R.first_key(f"disc.{topic}.answer", "disc.open.answer"), kw))
            else:
                d.add(where, R.say(more, kw))
            if not brief:
                self.shape(d, 1.2 * vw, int(130 * vw), [more, self.anecdote, more, self.vkey("voice.more", v),
                                                        self.peer_key(kw), more, self.vkey("voice.want", v),
                                                        self.vkey("voice.peeve", v)])
                if R.chance(0.25):
                    d.add(d.tail, R.say(self.vkey("voice.tail", v), kw), (), True)
            self.pending = ("ans", topic)
        elif kind == "buyer_cont":
            topic = pend[1]
            same = pend[2] == d.p.id
            more = R.first_key(f"disc.{topic}.more", "disc.open.answer")
            d.add(where, R.say("cont.buyer" if same else "cont.buyer_other", kw))
            d.add(where, R.say(more if same else R.first_key(f"disc.{topic}.answer", "disc.open.answer"), kw))
            self.shape(d, vw, int(110 * vw), [more, self.anecdote, self.vkey("voice.more", v)])
            self.pending = ("ans", topic)
        elif kind == "show":
            d.add(where, R.say(self.vkey("demo.react", v), kw))
            if v == "champion":
                d.pol = 1
            self.shape(d, 0.9 * vw, 75, [self.vkey("demo.react_more", v), self.anecdote, self.vkey("voice.more", v),
                                         self.peer_key(kw)])
            self.pending = ("react",)
        elif kind in ("terms", "signoff"):
            d.add(where, R.say(R.first_key(f"{kind}.{pend[1]}.reply", f"{kind}.reply"), kw))
            self.shape(d, 0.9 * vw, 80, [f"{kind}.buyer_more", self.vkey("voice.more", v)])
            self.pending = ("react",)
        elif kind == "obj_check":
            d.add(where, R.say(self.vkey("obj.after_address", v), kw))
            self.shape(d, 0.7 * vw, 60, [self.vkey("voice.more", v)])
            self.pending = ("react",)
        elif kind == "hello":
            d.add(where, R.say("open.reply", kw))
            self.shape(d, 0.3, 40, ["smalltalk.more"], grow=False)
            self.pending = ("hello",) if not brief else None
        elif kind == "chat":
            d.add(where, R.say("smalltalk.reply", kw))
            self.shape(d, 0.3, 40, ["smalltalk.more"], grow=False)
            self.pending = ("chat",)
        elif kind == "ref_check":
            d.add(where, R.say(self.vkey("reference.reply", v), kw))
            self.shape(d, 0.5, 50, [self.vkey("voice.more", v)])
            self.pending = ("ref_ok",)
        elif kind == "agenda":
            d.add(where, R.say(self.vkey("agenda.ok", v), kw))
            if not brief and R.chance(0.5):
                d.add(where, R.say("agenda.add", kw), (), True)
            d.fills, d.weight = [], 0
            self.pending = ("agenda_ok",)
        elif kind == "nextsteps":
            d.add(where, R.say("nextsteps.reply", kw))
            d.fills, d.weight = [], 0
            self.pending = ("nextsteps_ok",)
        elif kind in ("close", "wrap"):
            d.add(where, R.say("close.buyer", kw))
            d.pol = 1
            d.fills, d.weight = [], 0
        else:
            d.add(where, R.say(self.vkey("voice.ack", v), kw), (), brief)
            if not brief:
                d.add(where, R.say(self.vkey("voice.more", v), kw), (), True)
            self.pending = ("react",)

    def _may_ask(self, d: _Draft, v: str) -> bool:
        i = d.i
        if not (self.agenda_turn < i < self.ns_turn - 1):
            return False
        if (i + 1) in self.bc or (i + 1) in self.beats_at:
            return False
        if self.pending and self.pending[0] in ("agenda_ok",):
            return False
        return self.R.chance(VOICE_ASKS.get(v, 0.3))

    def _ask(self, d: _Draft, v: str, kw) -> None:
        R = self.R
        early = self.work == "discovery"
        qs = [q for q in R.hx.persona_questions.get(d.p.persona or "", [])
              if q[0] not in self.used_phrases and f"bq:{q[1]}" not in self.asked] if (R.en and not early) else []
        if qs and R.chance(0.4):
            text, topic = rng.pick(R.r, qs)
            self.used_phrases.add(text)
            d.add(d.tail, text)
            idx = _closest(R.loc, f"bq.{topic}.ask", text)
        else:
            skip = ("pricing_model", "contract", "roi") if early else ()
            topics = [t for t in VOICE_TOPICS.get(v, VOICE_TOPICS["neutral"])
                      if f"bq:{t}" not in self.asked and R.has(f"bq.{t}.ask") and t not in skip]
            if not topics:
                return
            topic = rng.pick(R.r, topics)
            d.add(d.tail, R.say(f"bq.{topic}.ask", kw))
            idx = R.last
        self.asked.add(f"bq:{topic}")
        self.pending = ("bq", topic, idx)

    def _buyer_beat(self, d: _Draft, b: Beat, kw, v: str, m: Moment | None) -> None:
        R = self.R
        kind = b.kind
        tag: tuple = ((kind, b.key),)
        mtag: tuple = (("moment", m.id),) if m is not None else ()
        vw = VOICE_WEIGHT.get(v, 1.0)
        if m is not None:
            self._moment(d, m, kw)
        if kind == "small_talk":
            key = R.first_key(f"smalltalk.{self.season}") if R.chance(0.6) else None
            d.add(d.core, R.say(key or "smalltalk.any", kw), tag + mtag)
            self.pending = ("smalltalk",)
            self.shape(d, 0.3, 45, ["smalltalk.more"], grow=False)
        elif kind == "introduce_stakeholder":
            p = self.by_id.get(b.key or "", d.p)
            skw = dict(kw, me=_first(p.name), role=p.role or kw["role"])
            d.add(d.core, R.say("intro.hello", skw), tag + mtag)
            st = R.hx.people.get(f"{self.call.account}.{p.id}") or {}
            concerns = st.get("concerns") or []
            key = R.first_key(f"intro.concern.{concerns[0]}") if concerns else None
            d.add(d.core, R.say(key or self.vkey("intro.purpose", v), skw), (), True)
            self.pending = ("hello_new", p.id)
            self.shape(d, 0.4, 55, [self.vkey("voice.more", v)])
        elif kind == "pain":
            text = R.say(self.pain_key, kw) if self.pain_key else R.say("pain.say" if R.en else "pain.generic", kw)
            d.add(d.core, text, tag + mtag)
            d.add(d.core, R.say("pain.more", kw), (), True)
            self.pending = ("pain",)
            self.shape(d, 0.9 * vw, int(80 * vw), [self.anecdote, "pain.more", self.vkey("voice.more", v)])
        elif kind == "competitor_mention":
            d.add(d.core, R.say("comp.mention", dict(kw, competitor=b.key or R.slots["competitor"])), tag + mtag)
            d.add(d.core, R.say(self.vkey("comp.more", v), dict(kw, competitor=b.key or "")), (), True)
            self.pending = ("comp",)
            self.shape(d, 0.5 * vw, 60, [self.vkey("voice.more", v)])
        elif kind in ("objection_raised", "objection_reopened"):
            skw = dict(kw, obj=self.obj_topic(b.key))
            if kind == "objection_reopened":
                d.add(d.core, R.say("obj.reopen_lead", skw), tag + mtag)
            elif R.chance(0.5):
                d.add(d.core, R.say(self.vkey("obj.frame", v), skw), mtag, True)
            d.add(d.core, self._phrasing(b.key, skw), tag + mtag)
            if R.chance(0.6):
                d.add(d.core, R.say(self.vkey("obj.after", v), skw), (), True)
            self.pending = ("obj", b)
            self.shape(d, 0.6 * vw, 75, [self.vkey("obj.more", v)])
        elif kind == "objection_resolved":
            skw = dict(kw, obj=self.obj_topic(b.key))
            d.add(d.core, R.say(R.first_key(f"obj.resolved.{b.key}", "obj.resolved.generic"), skw), tag + mtag)
            d.add(d.core, R.say(self.vkey("obj.resolved_more", v), skw), (), True)
            self.pending = ("resolved", b)
            self.shape(d, 0.5 * vw, 60, [self.vkey("voice.more", v)])
        elif kind == "buying_signal":
            cat = signal_category(b.text or "")
            if R.chance(0.5):
                d.add(d.core, R.say(self.vkey("signal.lead", v), kw), mtag, True)
            d.add(d.core, self._signal(b, cat, kw), tag + mtag)
            self.pending = ("signal", cat)
            self.shape(d, 0.4 * vw, 55, [self.vkey("voice.more", v)])
        else:
            d.add(d.core, R.say("generic.buyer", dict(kw, x=kind.replace("_", " "))), tag + mtag)

    def _phrasing(self, key: str | None, kw) -> str:
        R = self.R
        obj = R.header.objections.get(key or "") or {}
        phr = [p for p in (obj.get("phrasings") or []) if p not in self.used_phrases] if R.en else []
        bank_key = R.first_key(f"obj.raise.{key}")
        if phr and (not bank_key or R.chance(0.6)):
            p = rng.pick(R.r, phr)
            self.used_phrases.add(p)
            return p
        return R.say(bank_key or "obj.raise.generic", kw)

    def _signal(self, b: Beat, cat: str, kw) -> str:
        R = self.R
        text = (b.text or "").strip().rstrip(".")
        if not R.en or not text:
            return R.say(R.first_key(f"signal.q.{cat}", "signal.q.general") or "signal.q.general", kw)
        verb, _, rest = text.partition(" ")
        rest = _first_person(rest)
        verb = verb.lower()
        if verb in ("asks", "requests", "wonders"):
            if rest.startswith(("how ", "whether ", "if ", "what ", "when ", "who ", "which ", "why ", "where ")):
                return R.render(R.template("signal.en.wh"), dict(kw, q=rest))
            if rest.startswith("about "):
                return R.render(R.template("signal.en.about"), dict(kw, q=rest[6:]))
            if rest.startswith("for "):
                return R.render(R.template("signal.en.for"), dict(kw, q=rest[4:]))
            if rest.startswith("to "):
                return R.render(R.template("signal.en.to"), dict(kw, q=rest[3:]))
            return R.render(R.template("signal.en.for"), dict(kw, q=rest))
        if verb in ("confirms", "says", "agrees", "commits", "promises", "states"):
            rest = rest[5:] if rest.startswith("that ") else rest
            return R.render(R.template("signal.en.confirm"), dict(kw, q=rest))
        if verb in ("wants", "needs", "would"):
            return R.render(R.template("signal.en.want"), dict(kw, q=rest))
        return R.render(R.template("signal.en.other"), dict(kw, q=f"{_base(verb)} {rest}".strip()))


# ---- population calls (service conversations) --------------------------------------------

@lru_cache(maxsize=None)
def _once_keys(locale: str, dom: str, side: str) -> tuple[str, ...]:
    """Banks `pop.<dom>.once.<side>.*`: asides used at most once per call
    (names ending `_voice` only on the phone, `_text` only in chats)."""
    pre = f"pop.{dom}.once.{side}."
    return tuple(k for k in load_bank(locale) if k.startswith(pre))


class _Population:
    """A short service call: the agent greets, the caller says why they call
    (the scenario beat), a few exchanges that depend on the scenario, the agent
    closes. Domains with their own banks: `pop.<domain>.*`; others use
    `pop.generic.*`."""

    def __init__(self, R: _Renderer):
        self.R = R
        self._k: dict[tuple, str | None] = {}
        c = self.call = R.call
        self.n = len(c.speakers)
        self.sp = [c.participants[k] for k in c.speakers]
        self.meta = c.metadata or {}
        pop = R.hx.pops.get(c.population or "")
        dom = (pop.domain if pop else None) or str(self.meta.get("domain") or "")
        self.dom = dom if R.has(f"pop.{dom}.greeting") else "generic"
        self.beats_at: dict[int, list[Beat]] = {}
        for b in c.beats:
            self.beats_at.setdefault(b.turn, []).append(b)
        scen = next((b.key for b in c.beats if b.kind == "scenario" and b.key), None)
        self.scen = str(scen or self.meta.get("scenario") or "")
        self.intent = str(self.meta.get("intent") or "")
        self.close_turn = next((b.turn for b in c.beats if b.kind == "close"), self.n - 1)
        # holds and silences take their seconds out of the talking time
        self.hold = 0.0 if str(self.meta.get("channel") or "") == "text" else _seconds(self.meta.get("Hold_time"))
        self.silence = _seconds(self.meta.get("Silence_total_seconds"))
        talk = max(c.target_duration_sec * 0.3, c.target_duration_sec - self.hold - self.silence)
        self.target = round(talk * WORDS_PER_SEC)
        self.tight = self.target / max(1, self.n) < 16 or self.n <= 5
        self.chat = str(self.meta.get("channel") or "") == "text"
        self._slots()

    def k(self, *names: str) -> str | None:
        """The first existing key among pop.<domain>.<name> and pop.generic.<name>."""
        hit = self._k.get(names)
        if hit is not None or names in self._k:
            return hit
        self._k[names] = found = self._k_find(names)
        return found

    def _k_find(self, names) -> str | None:
        R = self.R
        for name in names:
            for dom in (self.dom, "generic"):
                key = f"pop.{dom}.{name}"
                if key in R.bank:
                    return key
        return None

    def _slots(self) -> None:
        R, c, m = self.R, self.call, self.meta
        en = R.en
        agent = next((p for p in c.participants if p.side == "seller"), c.participants[0])
        rep = R.hx.reps.get(agent.name) or R.hx.reps.get(agent.id) or {}
        if rep.get("display"):
            agent_name = _first(rep["display"])
        elif agent.name and agent.name.lower() not in ("agent", "assistant", "bot"):
            agent_name = _first(agent.name)
            agent_name = agent_name[:1].upper() + agent_name[1:]
        else:
            agent_name = R.say_any([f"pop.{self.dom}.agent_names", "pop.generic.agent_names"])
        product = R.header.corpus.get("product") or ""
        biz = R.say_any([f"pop.{self.dom}.biz", "pop.generic.biz"])
        value = m.get("estimated_value_usd") or m.get("amount") or 0
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = 0.0
        fem = R.chance(0.5)
        first = R.phrase(R.first_key("names.first_f" if fem else "names.first_m", "names.first") or "names.first")
        sal = R.phrase(R.first_key("names.sal_f" if fem else "names.sal_m") or "names.last") if \
            R.has("names.sal_f") else ""
        last = R.phrase("names.last")
        wd = WEEKDAYS.index(c.weekday) if c.weekday in WEEKDAYS else 0
        weekdays = R.bank.get("cal.weekdays") or [""] * 7
        hour = int(c.time[:2]) if c.time[:2].isdigit() else 10
        R.slots.update(
            agent=agent_name, biz=biz, product=product if product and product != "Product" else biz,
            caller=first, caller_full=f"{first} {last}", last=last, sal=sal,
            phone=f"555-01{rng.below(R.r, 90) + 10}", street=R.say_any(["names.street"]),
            house=str(100 + rng.below(R.r, 8900)), town=R.say_any([f"pop.{self.dom}.towns", "names.town"]),
            far_town=R.say_any([f"pop.{self.dom}.far_towns", "names.town"]),
            price=_money(value, en) if value else _money(89 + 10 * rng.below(R.r, 20), en),
            weekday=weekdays[wd], tomorrow=weekdays[(wd + 1) % 7],
            later=weekdays[(wd + 2) % 7 if (wd + 2) % 7 < 5 else 0],
            window=R.say_any([f"pop.{self.dom}.windows", "pop.generic.windows"]),
            tech=R.say_any(["names.first"]), age=_word(4 + rng.below(R.r, 16), en),
            ref=f"{rng.below(R.r, 900) + 100}-{rng.below(R.r, 9000) + 1000}",
            daypart=(R.bank.get("cal.dayparts") or ["", "", ""])[0 if hour < 12 else 1 if hour < 17 else 2],
            hold=_word(2 + rng.below(R.r, 3), en),
            product_line=R.say_any([f"pop.{self.dom}.product.{m.get('product')}", f"pop.{self.dom}.product.default",
                                    "pop.generic.product.default"]),
            amount=R.say_any([f"pop.{self.dom}.amount.{m.get('amount_bucket')}", "pop.generic.amount.default"]),
            last4=str(1000 + rng.below(R.r, 9000)),
        )

    def line(self, names: list[str], kw: dict, i: int) -> str:
        """One line from the first existing bank among `names`; in a very short
        call, the candidate (short banks included) closest to the words left."""
        R = self.R
        if not self.tight:
            names = [n for n in names if not n.endswith("_short")] or names
            text = R.say(self.k(*names) or "", kw)
        else:
            want = max(2.0, (self.target - self.spent) / max(1, self.n - i))
            keys = [k for k in (self.k(n) for n in names) if k]
            best, gap = "", None
            for key in keys[:2]:  # every template of the short and the normal bank, once
                for t in R.bank[key]:
                    t = R.render(t, kw)
                    g = abs(t.count(" ") + 1 - want)
                    if gap is None or g < gap:
                        best, gap = t, g
            text = best
        self.spent += text.count(" ") + 1 if text else 0
        return text

    def _steps(self, k: int) -> list[str]:
        """The middle of the call: `k` exchanges (agent line + caller reply)."""
        R = self.R
        req: list[str] = []
        for key in (self.k(f"steps.{self.scen}"), self.k(f"isteps.{self.intent}") if self.intent else None,
                    self.k(f"osteps.{self.scen}")):
            if key:
                req += [str(s) for s in R.bank[key]]
        if self.dom != "generic" and self.k("steps.always"):
            req = [str(s) for s in R.bank[self.k("steps.always")]] + req
        req = [s.replace("INTENT", self.intent) for s in req]
        req = [s for s in req if self.k(f"step.{s}.agent")]
        if k <= len(req):
            head = req[:1] if k >= 3 else []
            return head + req[len(req) - (k - len(head)):] if k > len(head) else req[len(req) - k:] if k else []
        ek = self.k(f"extra.{self.scen}", "extra")
        extras = [str(s) for s in R.bank[ek]] if ek else []
        extras = [s for s in extras if s not in req and self.k(f"step.{s}.agent")]
        rng.shuffle(R.r, extras)
        need = k - len(req)
        mid = extras[:need]
        while len(mid) < need:
            mid.append("hold")
        # the scenario's own questions first, small talk and admin while the agent works, the outcome last
        ok = self.k(f"osteps.{self.scen}")
        n_out = len([s for s in (R.bank[ok] if ok else []) if self.k(f"step.{str(s).replace('INTENT', self.intent)}.agent")])
        cut = max(1, len(req) - n_out)
        return req[:cut] + mid + req[cut:]

    def run(self) -> list[_Draft]:
        R, n, sp = self.R, self.n, self.sp
        agent_turns = [i for i in range(2, self.close_turn) if sp[i].side == "seller"]
        steps = self._steps(len(agent_turns))
        step_at: dict[int, str] = {}
        cur = None
        it = iter(steps)
        for i in range(2, self.close_turn):
            if sp[i].side == "seller":
                cur = next(it, "hold")
            step_at[i] = cur or "hold"
        drafts = []
        scen_key = self.k(f"scenario.{self.scen}", f"intent.{self.intent}", "scenario.default")
        if self.k(f"intent.{self.intent}") and self.dom != "generic":
            scen_key = self.k(f"intent.{self.intent}")
        self.spent = 0
        fills = {}
        for side in ("agent", "caller"):
            # asides that happen once in a call (the train, the hold queue), in a per-call order
            once = [k for k in _once_keys(R.loc, self.dom, side)
                    if not k.endswith("_text" if not self.chat else "_voice")] if not self.tight else []
            rng.shuffle(R.r, once)
            fills[side] = [k for k in [self.k(f"more.{self.scen}.{side}"), *once[:2],
                                       self.k(f"more.{self.intent}.{side}") if self.intent else None, *once[2:],
                                       self.k(f"more.{side}_text") if self.chat else None,
                                       self.k(f"more.{side}") if not self.tight else None] if k]
            if side == "caller" and self.scen.startswith("escalation") and self.k("more.caller_upset"):
                # an escalating caller does not say "that's a relief"
                plain = self.k("more.caller")
                fills[side] = [self.k("more.caller_upset") if k == plain else k for k in fills[side]]
        for i in range(n):
            p = sp[i]
            d = _Draft(i, p)
            beats = self.beats_at.get(i, [])
            d.beats = [b.kind for b in beats]
            kw: dict[str, Any] = {}
            d.slots = kw
            side = "agent" if p.side == "seller" else "caller"
            d.weight = 1.0 if side == "caller" else 0.9
            d.fills = list(fills[side])
            d.rep = False  # one reaction, one aside, one detail: never two of a kind in a turn
            for b in beats:
                tag = ((b.kind, b.key),)
                if b.kind == "greeting":
                    names = (["greeting_text"] if self.chat else []) + ["greeting_short", "greeting"]
                    d.add(d.core, self.line(names, kw, i), tag)
                    d.fills = []
                elif b.kind == "scenario":
                    names = [scen_key[len(f"pop.{self.dom}."):] if scen_key.startswith(f"pop.{self.dom}.") else
                             scen_key[len("pop.generic."):]]
                    d.add(d.core, self.line([f"scenario.{self.scen}_short"] + names, kw, i), tag)
                    generic = (self.k(f"more.{side}"), self.k(f"more.{side}_text"))
                    d.fills = [f for f in d.fills if f not in generic]  # nothing to react to yet
                elif b.kind == "close":
                    d.add(d.core, self.line([f"close.{self.scen}_short", f"close.{self.scen}", "close.default"], kw, i),
                          tag)
                    bye = R.say(self.k("goodbye"), kw)
                    if bye and (not self.tight or self.spent + bye.count(" ") + 1 <= self.target * 0.95):
                        d.add(d.core, bye, (), True)
                        self.spent += bye.count(" ") + 1
                    d.fills = []
                else:
                    d.add(d.core, R.say(self.k("filler." + side), kw), tag)
            if not beats:
                if i > self.close_turn or (i == n - 1 and side == "caller"):
                    d.add(d.core, self.line([f"bye.{self.scen}", "bye"], kw, i))
                    d.fills = []
                elif i in step_at:
                    s = step_at[i]
                    d.add(d.core, self.line([f"step.{s}.{side}", f"step.hold.{side}"], kw, i))
                else:
                    d.add(d.core, self.line(["filler." + side], kw, i))
            drafts.append(d)
        R.fit(drafts, self.target)
        self._gaps(drafts, step_at)
        return drafts

    def _gaps(self, drafts: list[_Draft], step_at: dict[int, str]) -> None:
        """The metadata's hold time as one `[hold Ns]` before an agent turn
        (the agent's "thanks for holding"), its silence split over up to two
        caller turns, so the transcript adds up to the metadata."""
        middle = [d for d in drafts if 2 <= d.i < self.close_turn]
        if self.hold > 0:
            agents = [d for d in middle if d.side == "seller"] or [d for d in drafts[1:] if d.side == "seller"]
            if agents:
                held = [d for d in agents if step_at.get(d.i) == "hold"]
                d = held[0] if held else agents[len(agents) // 2]
                d.gaps.append(f"hold {self.hold:.1f}s")
        if self.silence > 0:
            callers = [d for d in middle if d.side != "seller"] or [d for d in drafts[1:] if d.side != "seller"]
            if callers:
                picks = [callers[len(callers) // 3], callers[(2 * len(callers)) // 3]] if len(callers) > 1 and \
                    self.silence >= 2.0 else [callers[len(callers) // 2]]
                tenths = round(self.silence * 10)
                first = tenths // len(picks)
                for k, d in enumerate(picks):
                    part = first if k < len(picks) - 1 else tenths - first * (len(picks) - 1)
                    d.gaps.append(f"silence {part / 10:.1f}s")
