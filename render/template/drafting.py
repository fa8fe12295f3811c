"""Turn drafting, shared by every kind of call: the per-call state of choices
(one random stream, templates not repeated until a bank is used up), turns as
drafts of sentences, the fit to the planned length, and the finished
`RenderedCall` with the evidence of every tagged sentence and the timings."""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from operator import attrgetter
from typing import Any, Callable, Sequence

from corpusc.plan import rng
from corpusc.plan.model import Call, Colour, Header, Moment, Participant, fast
from corpusc.render.model import Evidence, RenderedCall, Turn, whole
from corpusc.render.template.banks import asks, bank_locale, load_bank, told
from corpusc.render.template.language import emit, template_slots, tidy
from corpusc.render.template.lexicon import an_rx, filler_pattern, load_lexicon
from corpusc.render.template.morphology import restater
from corpusc.render.template import dynamics
from corpusc.render.template.edits import opcodes
from corpusc.render.template.dynamics import Spoken
from corpusc.render.template.signals import (MARK, NONE, beat_categories, bounds, carriers, colour_key,
                                             declaration, marked_templates, says_a_term, scope_of, text_categories)
from corpusc.render.timing import timeline

VETO_TRIES = 8  # draws of a sentence that contradicts its speaker (`Drafter.veto`) before it is left out
VETO_SAME = 3  # of which the first re-draw the same template's alternatives
COLOUR_TRIES = 8  # draws of a colour sentence before it is left out for saying a signal term
MAX_TURN_WORDS = 150  # no turn grows past this (about a minute of speech)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# beats whose sentence is negative or positive in tone (for Turn.sentiment)
NEGATIVE_BEATS = {"pain", "objection_raised", "objection_reopened", "objection_stalled"}
POSITIVE_BEATS = {"small_talk", "objection_resolved", "buying_signal", "close"}
SLOT_SIGNALS = {k: frozenset(v) for k, v in declaration().slots.items()}  # slot -> the categories saying it carries
SIGNAL_SIDES = declaration().sides  # category -> the sides whose sentences can carry it (buying intent: the buyer's)
NOT_WITH_CONCERN = frozenset({"buying_intent"})  # signal categories a divergent moment's turn never carries
# a buyer accepting an answer or leaning in does not push back in the same breath ("That answers it. I'm not
# sure why we'd change."): words no beat needs that voice resistance are left out of such a turn
ACCEPTING = frozenset({"objection_resolved", "buying_signal"})
PUSHBACK = frozenset({"objection"})  # what such a turn never says beyond its plan (`finish`, sales.Sales._vetoed)


# (locale, role) -> [the role's words lower-cased, its pattern (None until a sentence says a word), the words]
_OWN_ROLE: dict[tuple[str, str], list] = {}
_NEVER = re.compile(r"(?!)")
# the first word of each sentence a slot holds ("Painted the kitchen, finally. That was the weekend.",
# "How was the weekend"): no name
_OPENS_SENTENCE = re.compile(r"(?:^|(?<=[.?!] ))\S+")
_dget = dict.get


_SLOTTED: dict[int, tuple[Any, bool]] = {}
# (seed, memory owner, bank key, templates in it) -> the order its templates are dealt out in over the
# owner's calls (`_told_elsewhere`): drawn from a stream keyed by exactly the first three, over range(n)
_TOLD_ORDER: dict[tuple, tuple[int, ...]] = {}
_TOLD_ORDER_MAX = 1 << 16


def slotted(t) -> bool:
    """Whether a compiled template has a slot anywhere (its text depends on
    values, not only on its own words)."""
    if t is None or isinstance(t, str):
        return False
    hit = _SLOTTED.get(id(t))
    if hit is not None and hit[0] is t:
        return hit[1]
    got = bool(template_slots(t))
    _SLOTTED[id(t)] = (t, got)
    return got


def first_name(name: str) -> str:
    """A first name: what people call each other on a call."""
    return name.split()[0] if name else name


def strip_end(s: str) -> str:
    return s.rstrip(" .!?;:")


# ---- header-derived data, computed once per header ------------------------------

_HX: dict[int, tuple[Header, "HeaderX"]] = {}


class HeaderX:
    def __init__(self, h: Header):
        self.accounts = {a.name: a for a in h.accounts}
        self.pops = {p.name: p for p in h.populations}
        self.reps = {r.get("name"): r for r in h.reps}
        self.people: dict[str, dict[str, Any]] = {}  # stakeholder id (per account) -> data
        for a in h.accounts:
            for s in a.stakeholders:
                self.people[f"{a.name}.{s.get('name')}"] = s


def header_x(h: Header) -> HeaderX:
    hit = _HX.get(id(h))
    if hit is not None and hit[0] is h:
        return hit[1]
    if len(_HX) > 16:
        _HX.clear()
    x = HeaderX(h)
    _HX[id(h)] = (h, x)
    return x


# ---- one call ---------------------------------------------------------------------------

class Draft:
    """A turn under construction: segments are (text, tags, removable)."""
    __slots__ = ("i", "p", "side", "head", "core", "body", "tail", "fills", "weight", "words", "moment",
                 "beats", "pol", "bc", "cut", "slots", "cap", "grow", "fkeys", "rep", "fpos", "gaps", "colour", "ask",
                 "cue_at_words", "max_fills")
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
        self.colour: Colour | None = None  # affect off the moments: words and/or a cue, never divergent
        self.beats: list[str] = []
        self.pol = 0
        self.bc = False
        self.cut = False  # a backchannel the turn before breaks off at (an interjection; the speaker resumes after)
        self.slots: dict[str, Any] = {}
        self.ask: dict[str, Any] | None = None  # slots of the closing question when the next speaker differs
        self.cue_at_words = False  # the moment's words follow others (a small-talk answer): its cue goes with them
        self.cap = 80
        self.grow = True  # may its cap grow when every turn is full
        self.max_fills: int | None = None  # elaborations `fit` may add (chit-chat: one, never a stack of fragments)
        self.fkeys: set[str] = set()  # fill banks already used in this turn
        self.rep: bool | None = True  # may a fill bank be used twice in this turn (None: never, however short)
        self.fpos = 0  # where the rotation over `fills` resumes
        self.gaps: list[str] = []  # "hold 20.0s", "silence 3.5s": time before the turn, cued always

    def add(self, where: list, text: str, tags: tuple = (), opt: bool = False) -> None:
        if not text:
            return
        where.append((text, tags, opt))
        self.words += text.count(" ") + 1


def _is_word(ch: str) -> bool:
    """A character `\\w` matches (in a str pattern): a letter, a digit or a number, or `_`."""
    return ch.isalnum() or ch == "_"


def whole_words(v: str, text: str):
    """(start, end) of each occurrence of `v` in `text` that no word character
    touches on either side, as `re.finditer(r"(?<!\\w)" + re.escape(v) + r"(?!\\w)",
    text)` finds them (left to right, a match resuming the search at its end),
    without a pattern to compile per value: a call's personal values are its
    own, so each one's pattern was compiled for the call that says it."""
    n, k = len(text), len(v)
    at = text.find(v)
    while at >= 0:
        end = at + k
        if (at == 0 or not _is_word(text[at - 1])) and (end >= n or not _is_word(text[end])):
            yield at, end
            at = text.find(v, end)
        else:
            at = text.find(v, at + 1)


def pii_spans(pii: tuple[tuple[str, str], ...], text: str) -> list[tuple[str, int, int]]:
    """(category, start, end) of each personal value of `pii` a turn's words
    say, as a whole word: the values are the call's own slot values (drawn by
    the renderer, longest first), so "Yilmaz" inside "Peter Yilmaz" is one
    name, never two."""
    out: list[tuple[str, int, int]] = []
    for cat, v in pii:
        if not v or v not in text:
            continue
        for a, b in whole_words(v, text):
            if all(b <= x or y <= a for _, x, y in out):
                out.append((cat, a, b))
    return sorted(out, key=lambda x: x[1])


class Drafter:
    """The words of one call: its locale's banks, lexicon and prose rules, its
    random stream, the slots every template can use. `strict`: a missing bank
    key or slot raises instead of rendering ""."""

    def __init__(self, call: Call, header: Header, strict: bool = False):
        self.call = call
        self.header = header
        self.strict = strict
        self.hx = header_x(header)
        self.loc = bank_locale(call.locale)
        self.scope = scope_of(call)  # the lexicon scope its words are read in (a service call's amounts are no price)
        self.lex = load_lexicon(self.loc)
        self.an = an_rx(self.lex.an_before)  # "a" said "an" before a vowel ("a {industry} firm": "an insurance")
        self.prose = restater(self.loc)  # None: the spec's English prose is not said, the banks speak
        self.bank = load_bank(self.loc)
        self.marked = marked_templates(self.loc)  # templates with their signal declarations compiled in
        self.last: int | None = None  # index of the last template drawn
        self.dry: set[str] = set()  # fill banks found used up (until `fit` refills them)
        self.r = rng.stream(header.corpus.get("seed", 0), "render", call.id)
        self.used: dict[str, set] = {}
        self._caps: dict[str, tuple[str, int] | None] = {}  # fill banks' caps (`_cap_of`)
        self.slots: dict[str, Any] = {}
        self.kw: dict[str, Any] = {}
        self.names = {p.id: first_name(p.name) for p in call.participants}
        self._proper: set[str] | None = None
        self.asked: set[str] | None = None  # the questions said so far, when a dialogue asks each once
        # a question asking for a slot's value is not asked once the call has said that value (keys.json `asks`)
        self.asks = asks()
        self.ask_slots = frozenset(self.asks.values())
        self.said_slots: set[str] = set()
        self.asked_slots: set[str] = set()  # the slots whose question the call asked
        # signal labels: the categories of every text rendered from the banks (signal_keys.json), so a
        # sentence, or a slot value said inside another sentence, is labelled by what went into it
        self.signals: dict[str, frozenset[str]] = {}
        # the innermost render in progress (`render`; the one before it is restored after it): its
        # categories so far, its pieces so far, where each category came from ((piece, offset in it,
        # categories, whole template?) of each marker and labelled slot), the pieces that are slots
        self._frame: tuple[set[str], list[str], list[tuple], list[int]] | None = None
        # a rendered text of two or more sentences -> ((start, end, categories), ...) per sentence: the
        # label of a signal is the sentence that carries it, not its neighbours ("Great question.")
        self.split: dict[str, tuple] = {}
        self.selfref = False  # a slot other than {me} said the speaker's own name ({dm}, {who}, {se}...)
        # whether a sentence contradicts what its speaker said before (a service caller's facts,
        # service.Service._contradicts): drawn again, else left out
        self.veto: Callable[[str, dict | None], bool] | None = None
        # how `fit` draws an elaboration (None: `say`): a dialogue whose call lacks a slot's value (a service
        # call with no amount) draws only templates without it ("The biggest transaction was, the others...")
        self.fill_say: Callable[[str, dict | None], str] | None = None
        # whether `fit` draws a used-up elaboration bank again when the call is still short (False: each
        # template of a bank is said at most once a call, however short the call runs)
        self.refill = True
        # the words of a thanks or an apology where a turn says at most one (a service call's
        # `pop.<dom>.reactions`): the dynamics cut in without a second (None: no such rule)
        self.reacts: re.Pattern | None = None
        # the bank keys said, in order, while a dialogue drafts a turn (None: not kept): how a seller's
        # reply knows what the buyer's turn was made of (sales.Sales._glad)
        self.trace: list[str] | None = None
        # what an account's calls tell once between them (keys.json `told`: an anecdote, a customer story):
        # (the memory's owner, this call's place among its calls, their number), set by the dialogue
        # (`remember`); key -> the templates the owner's other calls tell (`_told_elsewhere`)
        self.memory: tuple[str, int, int] | None = None
        self._elsewhere: dict[str, frozenset[int]] = {}
        # composed parts ({@bank.key}) the call says alike wherever it composes them (`keep`): key -> the
        # template drawn for it, then the words it said
        self.kept: dict[str, Any] = {}
        # the caller's own words said by the agent ("my landlord" as "your landlord"): (whether a turn's
        # slots are the agent's, the slots and composed parts that are the caller's own, the locale's
        # first- to second-person swap), set by the service dialogue (`second_person`)
        self.second: tuple[Callable[[dict], bool], frozenset[str], Callable[[str], str]] | None = None
        # the personal data the call's slots hold, (category, value) longest first (a service call's: `pii`),
        # labelled wherever a turn says the value (`pii_spans`)
        self.pii: tuple[tuple[str, str], ...] = ()

    # -- choices --

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, seq):
        return rng.pick(self.r, seq)

    def has(self, key: str) -> bool:
        return key in self.bank

    def remember(self, owner: str, place: int, calls: int) -> None:
        """This call is call `place` of `calls` that share one memory (an
        account's): what they tell once between them (keys.json `told`) is
        dealt out among them, so no story is told again in another call."""
        if calls > 1 and 0 <= place < calls:
            self.memory = (owner, place, calls)

    def keep(self, groups) -> None:
        """The parts of each group (lists of bank keys whose templates go
        together by place: "two weeks ago", "for two weeks") drawn once for the
        call, at one place for the group, and said alike wherever a template
        composes them: a caller's story has one start."""
        for g in groups:
            lists = [self.bank.get(k) for k in g]
            n = min((len(x) for x in lists if x), default=0)
            if n and all(lists):
                i = rng.below(rng.stream(self.header.corpus.get("seed", 0), "render.kept", self.call.id, g[0]), n)
                for k in g:
                    self.kept[k] = i

    def _told_elsewhere(self, key: str, n: int) -> frozenset[int]:
        """The templates of `key` the memory's other calls tell: the bank's
        templates dealt out in turn over the calls in an order drawn once for
        the owner and key (the same in each of its calls)."""
        hit = self._elsewhere.get(key)
        if hit is None:
            hit = frozenset()
            mem = self.memory
            if mem is not None and told(key):
                seed = self.header.corpus.get("seed", 0)
                # the order is the owner's (the same in each of its calls): drawn once a process
                order = _TOLD_ORDER.get((seed, mem[0], key, n))
                if order is None:
                    if len(_TOLD_ORDER) >= _TOLD_ORDER_MAX:
                        _TOLD_ORDER.clear()
                    order = list(range(n))
                    rng.shuffle(rng.stream(seed, "render.told", mem[0], key), order)
                    order = _TOLD_ORDER[(seed, mem[0], key, n)] = tuple(order)
                hit = frozenset(j for k, j in enumerate(order) if k % mem[2] != mem[1])
            self._elsewhere[key] = hit
        return hit

    def left(self, key: str) -> bool:
        """Whether `key` has a template this call may still say as an
        elaboration: not said in it yet, nor told in another call of its memory."""
        lst = self.bank.get(key)
        if not lst:
            return False
        used = self.used.get(key) or ()
        n = len(lst)
        if self.memory is None:
            return len(used) < n
        other = self._elsewhere.get(key)
        if other is None:
            other = self._told_elsewhere(key, n)
        if not other:  # most keys are told in every call: an index is free when fewer are used than held
            return len(used) < n or any(j not in used for j in range(n))
        return any(j not in used and j not in other for j in range(n))

    def template(self, key: str):
        lst = self.bank.get(key)
        if not lst:
            if self.strict:
                raise KeyError(f"{self.loc}: no phrase bank `{key}`")
            return None
        n = len(lst)
        used = self.used.get(key)
        if used is None:
            used = self.used[key] = set()
        elif len(used) >= n:
            used.clear()
        i = int(self.r.random() * n)  # rng.below, inlined
        if i >= n:
            i = n - 1
        if self.memory is not None:
            other = self._elsewhere.get(key)
            if other is None:
                other = self._told_elsewhere(key, n)
        else:
            other = None
        if other and any(j not in used and j not in other for j in range(n)):
            # told in another call of the account: this call's own, while it has one left (a
            # sentence it must say takes another's after that, an elaboration none: `left`)
            while i in used or i in other:
                i = (i + 1) % n
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
        """A slot's value in the render in progress (`emit` calls it only inside `render`)."""
        if name[0] == MARK:  # {#category}: the sentence carries this signal (signals.marked_bank)
            acc, out, ev, _ = self._frame
            acc.add(name[1:])
            # a marker before any words: the template's key declares it for the whole template
            ev.append((len(out), 0, (name[1:],), not any(out)))
            return ""
        if name[0] == "@":  # {@bank.key}: a phrase from another bank, composed in place
            frame = self._frame
            at = len(frame[1])
            kept = self.kept.get(name[1:]) if self.kept else None
            if kept is None:
                v = self.render(self.template(name[1:]), self.kw, cap=False)
            elif kept.__class__ is str:
                v = kept  # said before in this call: the same words
            else:
                v = self.kept[name[1:]] = self.render(self.bank[name[1:]][kept], self.kw, cap=False)
            second = self.second
            if second is not None and name[1:] in second[1] and second[0](self.kw):
                v = second[2](v)
            frame[3].append(at)
            self._value_events(frame[2], at, v, NONE)
            return v
        kw = self.kw
        v = kw.get(name)
        if v is None:
            v = self.slots.get(name)
            if v is None:
                if self.strict:
                    raise KeyError(f"{self.loc}: slot `{{{name}}}` has no value in {self.call.id}")
                return ""
        if v.__class__ is not str:
            v = v() if callable(v) else str(v)
        second = self.second
        if second is not None and name in second[1] and second[0](kw):
            v = second[2](v)  # the caller's own, said by the agent
        if v and name != "me" and v == kw.get("me"):  # the speaker named in the third person
            self.selfref = True
        if name in self.ask_slots:
            self.said_slots.add(name)
        acc, out, ev, slot_at = self._frame
        at = len(out)
        slot_at.append(at)
        own = SLOT_SIGNALS.get(name)
        if own:
            acc |= own
        cats = self.signals.get(v)
        if cats is None:
            cats = self.categories_of(v)
        if cats:
            acc |= cats
        if own or cats:
            self._value_events(ev, at, v, own or NONE)
        return v

    def _value_events(self, ev: list[tuple], at: int, v: str, own: frozenset[str]) -> None:
        """The categories a slot's value (or a composed phrase) brings, where it
        is said: the slot's own at its start, the value's by its own sentences."""
        if own:
            ev.append((at, 0, own, False))
        parts = self.split.get(v)
        if parts is None:
            cats = self.signals.get(v)
            if cats:
                ev.append((at, 0, cats, False))
        else:
            for s, _, c in parts:
                if c:
                    ev.append((at, s, c, False))

    def categories_of(self, text: str) -> frozenset[str]:
        """A text's signal categories: as rendered from the banks, else (the spec's
        own prose: a persona's want, an objection phrasing) by the locale's signal terms."""
        cats = self.signals.get(text)
        if cats is None:
            cats = self.signals[text] = text_categories(self.loc, text, self.scope) if text else NONE
        return cats

    def render(self, t, kw: dict | None = None, cap: bool = True) -> str:
        if t is None:
            return ""
        marked, k = self.marked, id(t)
        m = _dget(marked, k)  # prepared already; else known to have nothing prepared, or not looked up yet
        if m is None and k not in marked.none:
            m = marked.get(k)
        if m is not None and m[0] is t:
            t = m[1]
        signals = self.signals
        if t.__class__ is str:
            if t not in signals:
                signals[t] = NONE
            return t
        # a marker slot {#category} or a labelled slot value adds to `acc` (_get)
        acc: set[str] = set()
        saved, outer = self.kw, self._frame
        self.kw = kw or {}
        out: list[str] = []
        ev: list[tuple] = []
        slot_at: list[int] = []
        self._frame = (acc, out, ev, slot_at)
        emit(t, self.r, self._get, out)
        self._frame = outer
        self.kw = saved
        raw = "".join(out)
        text = tidy(raw, cap)
        an = self.an
        if an is not None and an.search(text) is not None:
            text = an.sub(r"\1n ", text)
        if acc:
            signals[text] = signals.get(text, NONE) | acc
            if outer is not None:
                outer[0].update(acc)
            if text not in self.split and ev:
                parts = self._sentences(out, raw, text, ev, slot_at)
                if parts is not None:
                    self.split[text] = parts
        elif text not in signals:
            signals[text] = NONE
        return text

    def _sentences(self, out: list[str], raw: str, text: str, ev: list[tuple], slot_at: list[int]):
        """A rendered text's sentences with the categories each carries, or None
        for one sentence. The sentence ends are the template's own (none inside a
        slot's value, which is said whole), found in the words as put together
        and again, as many, in the tidied text (`tidy` moves a space, never an
        end); a category goes to the sentence its marker or slot is in, and one
        declared for the whole template to the sentences that carry it
        (`signals.carriers`)."""
        ends = bounds(raw)
        if not ends:
            return None
        tidy_ends = ends if text == raw else bounds(text)  # (most texts need no tidying)
        if len(tidy_ends) != len(ends):
            return None
        starts, pos = [], 0
        for piece in out:
            starts.append(pos)
            pos += len(piece)
        slots = set(slot_at)
        cuts_raw, cuts = [0], [0]
        for e, te in zip(ends, tidy_ends):
            # the piece the end is in: a template's words, not a slot's value
            j = bisect_right(starts, e - 1) - 1
            if j not in slots:
                cuts_raw.append(e)
                cuts.append(te)
        if len(cuts) == 1:
            return None
        own: list[set[str]] = [set() for _ in cuts]
        whole: set[str] = set()
        for piece, off, cats, all_of in ev:
            if all_of:
                whole.update(cats)
                continue
            p = (starts[piece] if piece < len(starts) else len(raw)) + off
            own[max(bisect_right(cuts_raw, p) - 1, 0)].update(cats)
        spans = [(a, b) for a, b in zip(cuts, cuts[1:] + [len(text)])]
        spans = [(a, a + len(text[a:b].rstrip())) for a, b in spans]
        sents = [(text[a:b], c) for (a, b), c in zip(spans, own)]
        for cat in sorted(whole):
            for j in carriers(self.loc, cat, sents):
                own[j].add(cat)
        return tuple((a, b, frozenset(c)) for (a, b), c in zip(spans, own))

    def carry(self, old: str, new: str) -> None:
        """`new` is `old` with words added or changed (a habit's opener, tail or
        name, a lead): it carries `old`'s categories, and each sentence its own,
        the words added at a sentence's start or end joining that sentence."""
        before = self.categories_of(old)
        self.signals[new] = self.signals.get(new, before) | before
        parts = self.split.get(old)
        if parts is None or new in self.split:
            return
        ops = opcodes(old, new)  # difflib's, written directly where a rewrite changed one span (edits.py)

        def at(p: int, start: bool) -> int:
            for tag, i1, i2, j1, j2 in ops:
                if tag != "equal" and (i1 == p if start else i2 == p):
                    return j1 if start else j2  # words put in right here belong to this sentence
            for tag, i1, i2, j1, j2 in ops:
                if i1 <= p < i2 if start else i1 < p <= i2:
                    return j1 + (p - i1 if tag == "equal" else 0) if start else \
                        (j1 + p - i1 if tag == "equal" else j2)
            return len(new) if p >= len(old) else 0

        out = tuple((at(a, True), at(b, False), c) for a, b, c in parts)
        if all(a < b for a, b, _ in out) and all(x[1] <= y[0] for x, y in zip(out, out[1:])):
            self.split[new] = out

    def phrase(self, key: str, kw: dict | None = None) -> str:
        """A bank entry used inside another sentence: no capital letter added."""
        return self.render(self.template(key), kw, cap=False)

    def first_entry(self, key: str) -> str:
        """The first entry of a bank as a phrase, drawing nothing from the random stream."""
        return self.render(self.bank[key][0], cap=False)

    def fresh(self, key: str) -> bool:
        """Whether `key` still has templates this call has not used."""
        lst = self.bank.get(key)
        if not lst:
            return False
        used = self.used.get(key)
        return used is None or len(used) < len(lst)

    def say(self, key: str, kw: dict | None = None) -> str:
        asks = self.asks.get(key)
        if asks is not None:
            if asks in self.said_slots:
                return ""  # the call said the answer already ("Bei 700 Gesprächen pro Woche ..."): not asked for it
            self.asked_slots.add(asks)
        if self.trace is not None:
            self.trace.append(key)
        self.selfref = False
        t = self.template(key)
        text = self.render(t, kw)
        tries = 4
        while tries and kw and (self.selfref or ((role := kw.get("role")) and self._own_role(text, role))):
            # nobody names themselves or their own role in the third person ("our CFO" from the CFO):
            # another of the bank's templates or alternatives
            self.selfref = False
            t = self.template(key)
            text = self.render(t, kw)
            tries -= 1
        veto = self.veto
        if veto is not None and text and veto(text, kw):
            # each text drawn is put to the veto once (a veto answers alike when asked again of the text it
            # just answered, and a service call's veto is a fifth of its render)
            tries = VETO_TRIES
            while True:
                # the same template's other alternatives first, then the bank's other templates
                text = self.render(t if tries > VETO_TRIES - VETO_SAME else self.template(key), kw)
                tries -= 1
                if not text or not veto(text, kw):
                    break
                if not tries:
                    return ""  # none agrees with what the speaker said before: better nothing than a contradiction
        if colour_key(key) and slotted(t):
            # colour carries no signal language: its templates say no signal term (tests/test_banks.py),
            # so one here came with a slot's value; draw again (other values, or another template)
            tries = COLOUR_TRIES
            while text and tries and says_a_term(self.loc, text, self.scope):
                t = self.template(key)
                text = self.render(t, kw)
                tries -= 1
            if text and says_a_term(self.loc, text, self.scope):
                return ""  # none without: better no colour than colour that reads as a signal
        asked = self.asked
        if asked is not None and text[-1:] == "?":
            # a question is asked once a call: draw again (a bank's other
            # template, or other alternatives) before saying it twice
            tries = 4
            while text in asked and tries:
                text = self.render(self.template(key), kw)
                tries -= 1
            if text in asked:
                return ""  # the bank has no other question left: none rather than the same twice
            asked.add(text)
        return text

    def _says_asked(self, text: str) -> bool:
        """Whether `text` says the value of a slot the call asks for (`asked_slots`): an elaboration `fit`
        adds to an earlier turn would tell the figure before the question for it."""
        for name in self.asked_slots:
            v = self.slots.get(name)
            if isinstance(v, str) and v and re.search(rf"(?<![\d.,]){re.escape(v)}(?![\d]|[.,]\d)", text):
                return True
        return False

    def _own_role(self, text: str, role: str | None) -> bool:
        """Whether `text` says the speaker's role as someone else's ("our CFO",
        "my Director of IT"): the role, or its acronym, after a possessive of the locale."""
        if not role:
            return False
        hit = _OWN_ROLE.get((self.loc, role))
        if hit is None:
            words = [role] + [w for w in role.split() if len(w) >= 3 and w.isupper()]
            hit = _OWN_ROLE[(self.loc, role)] = [tuple(w.lower() for w in words), None, words]
        # most sentences do not say the role at all: a substring test first, and the role's pattern
        # compiled at the first that does (most roles' never is)
        low = text.lower()
        for w in hit[0]:
            if w in low:
                if hit[1] is None:
                    own = self.lex.classify.possessives
                    hit[1] = re.compile(r"\b(?:" + "|".join(map(re.escape, own)) + r") (?:" +
                                        "|".join(map(re.escape, hit[2])) + r")\b", re.IGNORECASE) if own else _NEVER
                return hit[1].search(text) is not None
        return False

    def say_any(self, keys: Sequence[str], kw: dict | None = None) -> str:
        for k in keys:
            if k in self.bank:
                return self.say(k, kw)
        if self.strict:
            raise KeyError(f"{self.loc}: none of the phrase banks {list(keys)}")
        return ""

    def first_key(self, *keys: str) -> str | None:
        for k in keys:
            if k in self.bank:
                return k
        return None

    def _cap_of(self, key: str) -> tuple[str, int] | None:
        """(the family, its most templates a call says) when `fill_per_call` caps
        fill bank `key`: by its own name ("peer.more": an absent colleague named
        twice, not eleven times) or its parent's ("voice.want": the buyer's one
        wish, whichever voice says it, said once rather than in three wordings)."""
        hit = self._caps.get(key, False)
        if hit is False:
            hit = None
            for fam in (key, key.rsplit(".", 1)[0]):
                n = self.bank.get("fill_per_call." + fam)
                if isinstance(n, int):
                    hit = (fam, n)
                    break
            self._caps[key] = hit
        return hit

    def _capped(self, key: str) -> bool:
        """Whether a call has said as many templates of `key`'s capped family as `fill_per_call` allows."""
        cap = self._cap_of(key)
        if cap is None:
            return False
        fam, n = cap
        dot = fam + "."
        return sum(len(u) for k, u in self.used.items() if k == fam or k.startswith(dot)) >= n

    def _fresh_fill(self, d: Draft) -> str | None:
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
            if lst and (used is None or (len(used) < len(lst) and ".once." not in k)) and \
                    (self.memory is None or self.left(k)) and not self._capped(k):
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
        w = text.split(" ", 1)[0].strip(",.?!;:")
        proper = self._proper
        if proper is None:
            proper = self.proper()
        if w in proper or w.removesuffix("'s").removesuffix("’s") in proper:  # not strip("'s"): Wes
            return text
        return self.lex.lower_first(text)

    def proper(self) -> set[str]:
        p = self._proper
        if p is None:
            p = self._proper = set()
            acct = self.hx.accounts.get(self.call.account or "")
            people = [str(x.get("display") or x.get("name") or "") for x in (acct.stakeholders if acct else ())]
            people += [str(x.get("display") or "") for x in self.hx.reps.values()]  # named though not on the call
            people += [n for n in self.bank.get("names.first") or () if isinstance(n, str)]  # a colleague ({se})
            names = [x.name for x in self.call.participants] + people
            lowers = self.lex.lowers  # a slot's value in title case ("Am Laptop") opens with a word no name is
            for v in list(self.slots.values()) + names:
                if isinstance(v, str):
                    v = v.replace("'s", "")
                    phrase = v != v.title() and v[:1].isupper()  # words of a sentence, not all of a name
                    words = (_OPENS_SENTENCE.sub("", v) if phrase else v).split()
                    if lowers and v not in names:
                        words = [w for w in words if w.lower() not in lowers]
                    p.update(words)
        return p

    # -- result --

    def finish(self, drafts: list[Draft]) -> RenderedCall:
        call = self.call
        cues_on = call.paralinguistics
        spoken: list[Spoken] = []
        sig_get = self.signals.get
        split_get = self.split.get
        fillers = filler_pattern(self.loc)  # the fillers a sentence says as drawn are labelled like inserted ones
        for d in drafts:
            head, segs = d.head, d.head + d.core + d.body + d.tail
            # words no beat needs (colour, a reaction to the demo, a fill) that would read as what the turn
            # must not say are left out, unless nothing else would be said: a hidden concern is not also a
            # buying signal, and a buyer accepting an answer or leaning in does not push back with it
            unsaid = (NOT_WITH_CONCERN if d.moment is not None and d.moment.divergent else NONE) | \
                (PUSHBACK if not ACCEPTING.isdisjoint(d.beats) else NONE)
            if unsaid:
                keep = [x for x in segs if not ((x[2] or not x[1]) and self.categories_of(x[0]) & unsaid)]
                if keep:
                    head, segs = [x for x in head if x in keep], keep
            pos = 0
            parts = []
            spans: dict[tuple, list[int]] = {}
            signals: list[tuple] = []  # (category, start, end), one per sentence (a cue may sit between two)
            seen: set[str] = set()
            core_at = 0  # where the turn's core begins (after acknowledgments): a mid-turn cue on plain words
            starts: list[int] = []  # where each of `parts` begins in the turn
            nhead, side = len(head), d.side
            for k, (text, tags, opt) in enumerate(segs):
                cats = sig_get(text)
                if cats is None:
                    cats = self.categories_of(text)
                beat = NONE
                for tag in tags:
                    if tag[0] not in ("moment", "colour"):
                        beat = beat | beat_categories(tag[0], tag[1])
                sents = split_get(text) if cats or beat else None
                # an interjection ("Nice," "Honestly,") opens at most one sentence per turn
                sp = text.find(" ")
                if 0 < sp < 14 and text[sp - 1] in ",.!":
                    w = text[:sp - 1].lower()
                    if w in seen and len(text) > sp + 12:
                        cut = sp + 1
                        text = text[cut:]
                        text = text[0].upper() + text[1:]
                        if sents is not None:
                            sents = tuple((max(a - cut, 0), b - cut, c) for a, b, c in sents if b > cut)
                    else:
                        seen.add(w)
                if opt and not tags and k != nhead and parts and text == parts[-1]:
                    continue  # an aside that, its interjection cut, says the sentence before it again
                if parts:
                    pos += 1
                    if parts[-1][-1:] == ",":
                        text = self.join_lc(text)
                start = pos
                if k == nhead:
                    core_at = pos
                parts.append(text)
                starts.append(start)
                pos += len(text)
                for tag in tags:
                    sp = spans.get(tag)
                    if sp is None:
                        spans[tag] = [start, pos]
                    else:
                        sp[1] = pos
                cats = cats | beat
                if cats:
                    for cat, s0, e0 in self._labels(cats, sents, text):
                        sides = SIGNAL_SIDES.get(cat)
                        if sides is None or side in sides:
                            signals.append((cat, start + s0, start + e0))
            for cat, s0, e0 in signals:  # kept among the spans, so the dynamics move them and write none inside
                spans[("signal", (cat, s0))] = [s0, e0]
            said = " ".join(parts)
            own: list[list] = []
            # each part is scanned as said alone (a filler opening it opens a sentence); a filler a part says
            # is, as a whole word or phrase, one the turn says: most turns say none, and one look at the turn
            # (FillerScan.may) rules them all out, for a third of a look at each part
            maybe = fillers is not None and fillers.may(said)
            if maybe:
                one = len(parts) == 1  # the part is the turn: `may` said it of it already
                for at0, part in zip(starts, parts):
                    for m in (fillers.pattern.finditer(part) if one else fillers.finditer(part)):
                        own.append([dynamics.OWN, at0 + m.start(), at0 + m.end()])
            if self.pii:  # the personal data said, each value where it is said (the dynamics keep out of it)
                for cat, s0, e0 in pii_spans(self.pii, said):
                    spans[("pii", (cat, s0))] = [s0, e0]
            item = (d.moment if d.moment is not None else d.colour) if cues_on else None
            cues = list(item.cues) if item is not None else []
            at = 0
            if cues and (item.place == "mid" or d.cue_at_words):  # the cue sits just before the words it annotates
                kind = "moment" if item is d.moment else "colour"
                at = spans[(kind, item.id)][0] if (kind, item.id) in spans else core_at
            sp = Spoken(d, said, spans, d.gaps + cues if d.gaps else cues,
                        (core_at or pos) if nhead else 0)
            if own:
                sp.dis += own
            if fillers is not None and not maybe:  # said as put together, no filler: the dynamics' edits are kept
                sp.edits = []
            if at:
                sp.dis.append(["_at", at, at])  # moves with what the dynamics insert before it
            spoken.append(sp)
        feel = [self._sentiment(d, cues_on) for d in drafts]
        for f, sp in zip(feel, spoken):
            sp.tone = -1 if f == "NEGATIVE" else 0
        dynamics.apply(self, spoken)  # fillers, false starts, interruptions: before the offsets are final
        evid: list[Evidence] = []
        for d, sp in zip(drafts, spoken):
            for (kind, key), (s, e) in sp.spans.items():
                if kind == "signal" or kind == "pii":
                    key = key[0]
                evid.append(whole(Evidence, {"kind": kind, "key": key, "turn": d.i, "start": s, "end": e}))
        times = timeline(spoken, call, self.header, cue_pauses=cues_on)
        turns = []
        for d, sp, tm, f in zip(drafts, spoken, times, feel):
            m = d.moment if cues_on else None
            at = next((x[1] for x in sp.dis if x[0] == "_at"), 0) if sp.dis else 0
            cues = [tm.cue] + sp.cues if tm.cue else sp.cues
            turns.append(whole(Turn, {
                "index": d.i, "speaker": d.p.id, "name": d.p.name, "side": d.p.side, "role": d.p.role,
                "text": sp.text, "cues": cues, "cue_at": [0] * len(d.gaps) + [at] * (len(cues) - len(d.gaps))
                if at else [], "start": tm.start, "end": tm.end, "beats": d.beats,
                "moment": m.id if m is not None else None, "sentiment": f,
                "gap": tm.gap, "overlap": tm.overlap, "overlaps": tm.overlaps, "backchannel": sp.bc,
                "interjection": sp.cut and tm.overlaps is not None,
                "disfluencies": sp.disfluencies(), "questions": sp.text.count("?")}))
        evid.sort(key=attrgetter("turn", "start", "end"))
        # the call is written: the dialogue's veto (a method of the dialogue, which holds this Drafter) is let
        # go, so the call's drafts are freed when it returns instead of waiting, a cycle, for a collection
        self.veto = self.fill_say = None
        return fast(RenderedCall, **{"call_id": call.id, "locale": call.locale, "turns": turns, "evidence": evid,
                                     "duration": max((t.end for t in times), default=0.0)})

    def _labels(self, cats: frozenset[str], parts: tuple | None, text: str) -> list[tuple[str, int, int]]:
        """(category, start, end) of each sentence of a turn's segment that carries
        one of `cats`: the sentences the render found for each (`split`), and a
        category it did not place (a planned beat's, one the text gained when
        drawn again elsewhere) on the sentences that carry it (`signals.carriers`);
        a segment of one sentence, or one put together outside `render`, whole."""
        if not parts:
            return [(cat, 0, len(text)) for cat in sorted(cats)]
        own = [set(c) for _, _, c in parts]
        placed = set().union(*own)
        sents = [(text[a:b], c) for (a, b, _), c in zip(parts, own)]
        for cat in sorted(cats - placed):
            for j in carriers(self.loc, cat, sents):
                own[j].add(cat)
        return [(cat, a, b) for (a, b, _), c in zip(parts, own) for cat in sorted(c & cats)]

    @staticmethod
    def _sentiment(d: Draft, cues_on: bool) -> str:
        m = d.moment if cues_on else None
        if m is not None:  # the words' polarity, as a transcript's sentiment model reads them: a divergent
            return "POSITIVE" if m.polarity == "positive" else "NEGATIVE"  # moment's cues say the rest
        col = d.colour if cues_on else None
        if col is not None and col.tone != "neutral":
            return "POSITIVE" if col.tone == "positive" else "NEGATIVE"
        neg = any(k in NEGATIVE_BEATS for k in d.beats)
        pos = any(k in POSITIVE_BEATS for k in d.beats)
        if neg and pos:
            return "MIXED"
        if neg or (not pos and d.pol < 0):
            return "NEGATIVE"
        if pos or d.pol > 0:
            return "POSITIVE"
        return "NEUTRAL"

    # -- length ----------------------------------------------------------------------

    def fit(self, drafts: list[Draft], target: int) -> None:
        """Reach the word target: add elaboration sentences to the turns that are
        shortest for their weight (each turn up to its cap, caps grow only when
        every turn is full), or drop removable sentences when too long. The
        words the dynamics add later (fillers, cut-ins) are left room for."""
        target -= dynamics.allowance(self, target)
        total = sum(d.words for d in drafts)
        if total < target:
            start = [d for d in drafts if d.fills and not d.bc and d.weight > 0]
            said: set[str] = set()
            live = list(start)
            rounds = resets = 0
            while total < target and rounds < 40:
                rounds += 1
                if not live:  # every bank exhausted
                    if total >= target * 0.9 or resets >= 8 or not self.refill:
                        break  # close enough: better a little short than repetitive
                    resets += 1
                    # a bank said once a call, or at most so often (`fill_per_call`: "Dana will want to see this"
                    # eleven times in one call), is not refilled
                    self.dry = {k for k in self.dry if ".once." in k or self._cap_of(k)}
                    for d in start:
                        if resets > 1 and d.rep is not None:
                            d.rep = True  # still short: a second sentence of a kind per turn is fine
                        for k in d.fills:
                            if ".once." not in k and not self._cap_of(k):
                                self.used.pop(k, None)
                    live = list(start)
                heap = [(d.words / d.weight, d.i, d) for d in live if d.words < d.cap]
                heapq.heapify(heap)
                stale = set()
                while total < target and heap:
                    _, i, d = heapq.heappop(heap)
                    if d.max_fills is not None and len(d.body) >= d.max_fills:
                        stale.add(i)
                        continue
                    key = self._fresh_fill(d)
                    if key is None:
                        stale.add(i)
                        continue
                    before = d.words
                    say = self.fill_say or self.say
                    text = say(key, d.slots)
                    if text in said:  # a bank used up and refilled: avoid saying the same twice
                        text = say(key, d.slots)
                        if text in said:
                            text = say(key, d.slots)
                    said.add(text)
                    if text and self.asked_slots and self._says_asked(text):
                        text = ""  # the call asks for this figure (and hears it): no turn says it unasked
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

