"""The sales dialogue: a seller and one or more buyers move through the call's
planned beats (opening, agenda, the stage's work, objections, signals, next
steps, close). A small state machine carries what the previous turn left open
(`pending`: a question asked, a demo shown, an objection raised) into the next
turn, so each turn answers the one before it."""

from __future__ import annotations

import re
from functools import lru_cache, partial
from typing import Any

from corpusc.plan import rng
from corpusc.plan.model import Beat, Colour, Moment, Participant
from corpusc.render.template.banks import load_bank, raw_bank, topics, with_prefix
from corpusc.render.template.classify import (closed_answer, not_claims, prose_form, question_form, role_concern,
                                              role_topics, signal_category, stated_figures,
                                              without_greeting_answer)
from corpusc.render.template.drafting import (ACCEPTING, NEGATIVE_BEATS, NOT_WITH_CONCERN, PUSHBACK, WEEKDAYS, Draft,
                                             Drafter, first_name, strip_end)
from corpusc.render.template import when
from corpusc.render.template.signals import key_categories
from corpusc.render.template.habits import candid, habits
from corpusc.render.template.naming import count_less, name_less, people_less, vocatives_less, volume_less
from corpusc.render.template.language import ALT
from corpusc.render.template.lexicon import load_lexicon
from corpusc.render.template.traits import MIN_SHOWN, NOT_SHOWN, beat_shows, trait_of
from corpusc.render.template.voices import (OWN_TOPICS, VOICE_ASKS, VOICE_POOLS, VOICE_TOPICS, VOICE_WEIGHT, lendable,
                                             pooled, voice_of)
from corpusc.render.timing import WORDS_PER_SEC

WORK = ("discovery", "demo", "terms", "signoff")
STAGE_WORK = {"discovery": "discovery", "evaluation": "demo", "negotiation": "terms", "close": "signoff"}
SETUP = {"small_talk": "setup.small_talk", "introduce_stakeholder": "setup.intro", "pain": "setup.pain",
         "competitor_mention": "setup.competitor", "objection_reopened": "setup.reopen",
         "objection_resolved": "setup.resolved", "buying_signal": "setup.signal"}
# small talk by month: the holidays are December's, their aftermath January's
SEASONS = ("newyear", "winter", "spring", "spring", "spring", "summer", "summer", "summer", "fall", "fall", "fall",
           "holidays")
# the tone of a call's ending: the account's last call of a lost or stalled deal
# and a cooling call end cool; a warming one warm (keys `close.seller.<tone>`...)
COOL_OUTCOMES = ("lost", "stalled")
# in a call that ends cool, after the greeting: the buyer's voice keys give way to
# reserved ones (a champion of a lost deal does not say "Perfect, let's do it")
CHAT_FILLS = 1  # elaborations of a chit-chat turn: each is two or three short sentences already
CHAT = ("smalltalk", "chat", "hello")  # what a buyer answers in the small talk before the agenda
COOL_KEYS = {"agenda.ok": "cool.agenda", "voice.more": "cool.more",
             # "still accurate?" in a call that ends cool: things have shifted (never "nothing's changed",
             # then "a lot has changed at Acme" a sentence later)
             "reference.reply": "cool.reference"}
# voices whose agreement to the agenda offers to show how the team works today: said before discovery
# or a demo, never before the terms or the signature
AGENDA_WORK = {"defender": ("discovery", "demo")}
# a seller's glad acknowledgment ("Love that.") answers only a forward voice whose turn said none of these
GLAD_VOICES = ("champion", "analytical", "technical", "neutral")
NOT_GLAD_KEYS = ("voice.more.", "smalltalk.more_busy", "obj.", "intro.concern", "pain.", "cool.", "moment.neg")
SIGNING_CALM = True  # a won deal's signing call draws no voice's doubt (tests switch it off to see the difference)


def _plain(t) -> str:
    """A template's words with each alternative's first choice and no slots:
    the phrase a bank entry such as "the security review" says."""
    if isinstance(t, str):
        return t
    out = []
    for n in t:
        if isinstance(n, str):
            out.append(n)
        elif n[0] == ALT:
            out.append(_plain(n[1][0]))
    return "".join(out)


_TAILS: dict[int, tuple[Any, str]] = {}


def _plain_tail(t) -> str:
    """`_plain(t)` lower-cased without its first word ("the security review" ->
    "security review"): what `_thing` looks for in what was said (once per template)."""
    hit = _TAILS.get(id(t))
    if hit is None or hit[0] is not t:
        hit = _TAILS[id(t)] = (t, _plain(t).lower().split(" ", 1)[-1])
    return hit[1]


PEER_TITLE = "@peer_title"  # the peer's role as the spec writes it (a key no template says: `_not_theirs`)
BUSY_P = 0.4  # share of rough small-talk news that is being swamped (`smalltalk.*.busy`)
BC_CUT_P = 0.5  # share of backchannels before a speaker goes on that are said over them (they break off)


_TERMS: dict[str, tuple[tuple[str, re.Pattern], ...]] = {}


def _term_words(loc: str) -> tuple[tuple[str, re.Pattern], ...]:
    """(term, the pattern of its words) of the locale's `term_family.<term>` banks."""
    hit = _TERMS.get(loc)
    if hit is None:
        bank = load_bank(loc)
        hit = _TERMS[loc] = tuple(
            (k.rsplit(".", 1)[-1], re.compile("|".join(re.escape(str(w)) for w in bank[k]), re.I))
            for k in with_prefix(loc, "term_family.") if bank.get(k))
    return hit


_ANY_TERM: dict[str, tuple[tuple[str, ...] | None, re.Pattern, tuple[str, ...] | None] | None] = {}
# characters outside ASCII that `re.IGNORECASE` matches to ASCII ones (dotless i, long s, Kelvin, dotted I)
_FOLDS_TO_ASCII = frozenset("\u0131\u017f\u212a\u0130")


def _any_term(loc: str) -> tuple[tuple[str, ...] | None, re.Pattern, tuple[str, ...] | None] | None:
    """All the locale's `_term_words` at once (keyed by the locale, as they
    are): their words lower-cased, and one pattern of them all, which finds
    a match where one of theirs does. In ASCII text a word matches case-blind
    where its lower case is in the text's: the words are then looked up with
    `in` (None where a word has a letter `re` folds to ASCII); in other text
    the pattern searches. A sentence neither finds names no term."""
    if loc not in _ANY_TERM:
        words = _term_words(loc)
        bank = load_bank(loc)
        raw = [str(w) for k in with_prefix(loc, "term_family.") if bank.get(k) for w in bank[k]]
        low = None if any(_FOLDS_TO_ASCII & set(w) for w in raw) else tuple(w.lower() for w in raw)
        _ANY_TERM[loc] = (low, re.compile("|".join(f"(?:{rx.pattern})" for _, rx in words), re.I),
                          _last_words(low)) if words else None
    return _ANY_TERM[loc]


def _last_words(low: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Pieces one of which each of `low` holds: each word's last word ("term"
    of "annual term"), none that holds another of them. A text holding none of
    them holds none of `low` (four looks for nine: `_names_a_term`)."""
    if low is None:
        return None
    last = {w.rsplit(" ", 1)[-1] for w in low}
    return tuple(sorted(x for x in last if not any(y != x and y in x for y in last)))


def _names_a_term(found: tuple[tuple[str, ...] | None, re.Pattern, tuple[str, ...] | None], text: str) -> bool:
    """Whether one of the locale's term words is in `text` (`_any_term`)."""
    low, rx, need = found
    if low is not None and text.isascii():
        text = text.lower()
        for x in need:
            if x in text:  # (most sentences hold none of the pieces)
                return any(w in text for w in low)
        return False
    return rx.search(text) is not None


def _staff_alt(ws) -> str:
    """An alternation of the words `ws`, escaped, the longest first."""
    return "|".join(sorted({re.escape(w) for w in ws if w}, key=len, reverse=True))


@lru_cache(maxsize=64)
def _staff_own(mine: tuple[str, ...]) -> re.Pattern:
    """The possessives each match of `_staff_rx(mine, ...)` opens with, as it
    says them (its `own`): a sentence without one has no match (per locale,
    not per account)."""
    return re.compile(r"\b(?:" + _staff_alt(mine) + r")\b", re.I)


@lru_cache(maxsize=1024)
def _staff_rx(mine: tuple[str, ...], words: tuple[str, ...], counts: tuple[str, ...],
              counted: tuple[str, ...]) -> re.Pattern:
    """`Sales._staff_pattern`'s pattern, of all it is made of (the lexicon's
    possessives and words, the account's people words and head counts):
    assembled and compiled once per account, not once per call."""
    alt = _staff_alt
    num = r"(?:\d[\d,.]*|" + alt(counts) + ")"
    own = r"\b(?:" + alt(mine) + r")\b"
    rx = own + r"(?= (?:" + num + r" )?(?:\S+ )?(?:" + alt(words) + r")\b)"
    if counted:
        rx += r"|" + own + r"(?= " + num + r" (?:" + alt(counted) + r")\b)"
    return re.compile(rx, re.I)


# (seed, stream key) -> the first draw of the stream `rng.stream(seed, *key)`: an account's staff word, CRM,
# colleague and facts are each picked by the first draw of a stream keyed by the account (the same in each
# of its calls); the draw is kept, not the stream made again in each call (a sha256 and a seeding)
_FIRST: dict[tuple, float] = {}
_FIRST_MAX = 1 << 16


def _first_pick(seed, seq, *key: str):
    """`rng.pick(rng.stream(seed, *key), seq)`, the stream's first draw kept (`_FIRST`)."""
    k = (seed, *key)
    x = _FIRST.get(k)
    if x is None:
        if len(_FIRST) >= _FIRST_MAX:
            _FIRST.clear()
        x = _FIRST[k] = rng.stream(seed, *key).random()
    n = len(seq)
    return seq[min(n - 1, int(x * n)) if n > 0 else 0]


_TERM_SLOT = re.compile(r"\{(term(?:_([a-z]+))?\.([a-z][a-z.]*))\}")


@lru_cache(maxsize=None)
def _term_slots(loc: str) -> tuple[tuple[str, str, str], ...]:
    """(slot, case frame or "", fit) of each `{term.FIT}` / `{term_FRAME.FIT}` the locale's banks write: a
    frame that takes only a term of the kinds its fit names (lexicon `term_kinds`)."""
    found: set[tuple[str, str, str]] = set()

    def walk(x) -> None:
        if isinstance(x, str):
            if "{term" in x:
                found.update((m.group(1), m.group(2) or "", m.group(3)) for m in _TERM_SLOT.finditer(x))
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(raw_bank(loc))
    return tuple(sorted(found))


def term_pool(terms: list[str], kinds: dict[str, str], fits: frozenset[str]) -> list[str]:
    """The terms a frame fitting the kinds `fits` may say: those of such a kind, and those of no known
    kind (a spec's own industry); all of them where none fits (a frame is never left empty)."""
    pool = [t for t in terms if kinds.get(t, "") in fits or t not in kinds]
    return pool or terms


@lru_cache(maxsize=256)
def _term_pools(loc: str, terms: tuple[str, ...]) -> tuple[tuple[str, str, list[str]], ...]:
    """(slot, case frame or "", the terms it may say) of each `_term_slots` slot, for a call saying `terms`
    (an industry's: the same for all its calls)."""
    lex = load_lexicon(loc)
    kinds = lex.term_kinds.get("kinds") or {}
    pools: dict[str, list[str]] = {}
    out = []
    for name, frame, fit in _term_slots(loc):
        pool = pools.get(fit)
        if pool is None:
            pool = pools[fit] = term_pool(list(terms), kinds, lex.fit_kinds(fit))
        out.append((name, frame, pool))
    return tuple(out)


def _nice(x: float) -> int:
    """A round number near `x`, as people say it."""
    if x < 20:
        return max(1, int(round(x)))
    if x < 200:
        return int(round(x / 5.0)) * 5
    if x < 2000:
        return int(round(x / 10.0)) * 10
    return int(round(x / 100.0)) * 100


class Sales:
    def __init__(self, R: Drafter):
        self.R = R
        R.asked = set()
        c = self.call = R.call
        self.n = len(c.speakers)
        self.P = c.participants
        self.sp = [c.participants[k] for k in c.speakers]
        self.beats_at: dict[int, list[Beat]] = {}
        for b in c.beats:
            self.beats_at.setdefault(b.turn, []).append(b)
        self.mom_at = {m.turn: m for m in c.moments} if c.paralinguistics else {}
        self.col_at = {x.turn: x for x in c.colour} if c.paralinguistics else {}
        self.sellers = [p for p in self.P if p.side == "seller"] or [self.P[0]]
        self.buyers = [p for p in self.P if p.side != "seller"] or self.sellers
        self.by_id = {p.id: p for p in self.P}
        self.acct = R.hx.accounts.get(c.account) if c.account else None
        personas = R.header.personas
        self.persona = {p.id: (personas.get(p.persona) or {}) if p.persona else {} for p in self.P}
        self.voice = {p.id: voice_of(p.side, p.persona, self.persona[p.id]) for p in self.P}
        self.pools = {p.id: lendable(self.voice[p.id], role_topics(R.loc, p.role or "")) for p in self.P}
        self.pool_now: list[str] | None = None  # the voices the speaker of the turn being drafted may use
        work_b = next((b for b in c.beats if b.kind in WORK), None)
        self.work = work_b.kind if work_b else STAGE_WORK.get(c.stage or "", "discovery")
        # the last call of a deal that is lost or stalled: nothing gets signed, so the call stays on the
        # terms (no order form to countersign, no e-signature, no kickoff invite)
        acct = self.acct
        if acct and c.id in acct.calls:  # what the account's calls tell once between them (keys.json `told`)
            R.remember(acct.name, acct.calls.index(c.id), len(acct.calls))
        self.dead = bool(acct and acct.calls and acct.calls[-1] == c.id and acct.outcome in COOL_OUTCOMES)
        if self.dead and self.work == "signoff":
            self.work = "terms"
        self.work_turn = work_b.turn if work_b else min(self.n - 1, 4)
        self.agenda_turn = next((b.turn for b in c.beats if b.kind == "agenda"), self.work_turn)
        self.ns_turn = next((b.turn for b in c.beats if b.kind == "next_steps"), self.n - 2)
        self.close_turn = next((b.turn for b in c.beats if b.kind == "close"), self.n - 1)
        self.pending: tuple | None = None
        self.last_topic: tuple | None = None
        self.asked: set[str] = set()
        self.used_phrases: set[str] = set()
        self.keep: set[str] = set()  # sentences said exactly as the banks have them (habits.py leaves them be)
        self.role_asked: set[str] = set()
        # a persona's traits (traits.py): the turns that show them so far, planned beats counted up front
        self.trait = {p.id: trait_of(p.side, p.persona, self.persona[p.id]) for p in self.P}
        self.shown = {p.id: len({b.turn for b in c.beats if b.speaker == p.id
                                 and beat_shows(self.trait[p.id], b.kind, b.key)}) for p in self.P}
        self.colleague: dict[str, str] = {}  # buyers who asked a question of their own in this call
        self.raised_here = {b.key for b in c.beats if b.kind in ("objection_raised", "objection_reopened")}
        self.signal_cats = [signal_category(R.loc, b.text or "") for b in c.beats if b.kind == "buying_signal"]
        self.want_cache: dict[str, dict] = {}
        self._kw_made: dict[tuple, tuple[dict, dict | None]] = {}  # (speaker, addressee, next) -> `_kw_of`
        self.signal_q: int | None = None  # the place in `signal.q.{cat}` of the buying signal just asked
        self.wrapped = False  # a seller asked "Anything else?" after the next steps (asked once)
        self.checked_in = False  # the opening asked how the buyer is: small talk follows up, never asks again
        self.followed_up = False  # the seller just asked "anything new?": the news comes without "Good, ..."
        self.rough_chat: set[int] = set()  # buyer turns whose small talk drew rough news (flu, an outage, a rough week)
        self.busy_chat: set[int] = set()  # of those, the turns whose news is being swamped (back to back, planning season)
        # objections this call addresses or deflects later on (so an earlier ack does not promise "next time")
        self.handled_later = {(b.key, b.turn) for b in c.beats if b.kind in ("objection_addressed",
                                                                              "objection_unaddressed")}
        # how the call ends: cool after a cooling call or in the last call of a
        # deal that is lost or stalled, else warm
        outcome = self.acct.outcome if self.acct else ""
        last = bool(self.acct and self.acct.calls and self.acct.calls[-1] == c.id)
        self.cool = c.engagement == "cooling" or (last and outcome in COOL_OUTCOMES)
        self.cool_now = False  # past the greeting of a cool call (`run`)
        self.buyer_now = False  # the turn being drafted is a buyer's (`run`)
        self.accepting_now = False  # ... and accepts an answer or leans in (drafting.ACCEPTING): no pushback in it
        self.accepting_turn = False  # the same, kept while the plan's own words are drawn (`_planned`: `vkey`)
        # the signing call of a won deal: the buyers have said yes, so no voice's doubt ("Surprise me. Prove it
        # fast.", "Zeigen Sie mir …, keine Versprechen") comes after it; a champion keeps its eagerness
        self.signing = SIGNING_CALM and outcome == "won" and self.work == "signoff"
        self.said = ""  # what the call has said so far, lowercased (`_thing` names only what was named)
        self.seller_said = ""  # what the sellers have said so far, lowercased (a buyer accepts only their dates)
        self.last_q = ""  # the question the last seller turn closed with ("" if none)
        self.prev_asked = False  # whether the turn before the one being drafted ended on a question
        self.heard: dict[str, int | bool] = {}  # phrase -> found in `said`, or the length of `said` searched
        self.keys_at: dict[int, list[str]] = {}  # turn -> the bank keys said drafting it (`_glad`)
        self._slots()
        # a buyer names a meeting day only when a seller has proposed it ("Thursday works" after
        # "let's regroup early next week" is a day nobody offered): such a sentence is drawn again
        self.buyer_names = {first_name(p.name) for p in self.buyers} - {first_name(p.name) for p in self.sellers}
        self.dates = tuple(v.lower() for v in (R.slots.get("day"), R.slots.get("meet")) if isinstance(v, str) and v)
        # the words naming a price's term, by term (`_other_term`), and the draft each turn's slots belong to
        self.term_words = _term_words(R.loc)
        self.any_term = _any_term(R.loc)
        self.draft_of: dict[int, Draft] = {}
        if R.veto is None:
            R.veto = self._vetoed
        self._staff: tuple | None = None  # (pattern or its maker, possessive swap) of `_recast`, made when first needed
        self.deck = self._deck()
        self.bc = self._backchannels()
        # turns that cut in (a cue planned INTERRUPTS): the turn before is left mid-thought, never a finished
        # question; with the backchannels, the turns before which the speaker keeps the floor
        self.cut_in = {i for i, x in list(self.mom_at.items()) + list(self.col_at.items())
                       if i > 0 and "INTERRUPTS" in x.cues}
        self.held = self.bc | self.cut_in

    # -- setup ----------------------------------------------------------------------

    def _slots(self) -> None:
        R, c, h = self.R, self.call, self.R.header
        lex, prose = R.lex, R.prose
        a = self.acct
        ind_name = a.industry if a else ""
        ind = h.industries.get(ind_name) or {}
        # a locale's own words for a known industry (data), else the spec's terms
        own = R.first_key(f"term.{ind_name}")
        terms = ([R.render(t, cap=False) for t in R.bank[own]] if own
                 else list(ind.get("terms") or []) or [R.phrase("fallback.term")])
        self.terms = terms
        last_term = [""]

        def draw(pool: list[str]) -> str:
            t = rng.pick(R.r, pool)
            if t == last_term[0] and len(pool) > 1:
                t = pool[(pool.index(t) + 1) % len(pool)]
            last_term[0] = t
            return t

        def term() -> str:
            return draw(terms)
        pains = list(ind.get("pains") or [])
        self.pain_key = R.first_key(f"pain.say.{ind_name}")  # a locale's own pains of an industry
        self.anecdote = R.first_key(f"anecdote.{ind_name}", "anecdote.default")
        self.seller_ind = R.first_key(f"seller.industry.{ind_name}", "seller.industry.default")
        pain = strip_end(R.lex.lower_first(rng.pick(R.r, pains))) if (pains and prose) else ""
        emp = (a.employees if a and a.employees else 250)
        stated = stated_figures(R.loc, a.description) if a and a.description else {}  # the spec's own figures
        reps = stated.get("reps") or _nice(max(6, min(600, emp * 0.06)))
        seats = reps
        value = (a.deal_value if a and a.deal_value else reps * 1100.0)
        company = a.display if a else R.phrase("fallback.company")
        size = a.size if a else "mid_market"
        people_key = R.first_key(f"people.{ind_name}", "people.default")
        # "Vertriebler/Vertrieblern": the plural as said, and after a dative ("mit den {people_dat}");
        # where the locale has several words for the staff, the account's own, the same in each of its
        # calls (its own stream: the rest of the call draws as before)
        words = R.bank.get(people_key) or ()
        entry = R.first_entry(people_key) if len(words) < 2 else R.render(_first_pick(
            h.corpus.get("seed", 0), words, "render.people", c.account or c.id), cap=False)
        people, _, people_dat = entry.partition("/")
        lead = self.sellers[0]
        mb = next((p for p in self.buyers if p.decision_maker), self.buyers[0])
        self.main_buyer = mb
        # a decision maker of the account (present or not), for "who else is involved"
        dm_name, dm_role = "", ""
        if a:
            for s in a.stakeholders:
                if s.get("decision_maker") and s.get("name") != mb.id:
                    dm_name, dm_role = first_name(s.get("display") or s.get("name")), lex.role(s.get("role") or "")
                    break
        dm_dat = dm_name  # a name has no case; the locale's role phrase for nobody named may (German dative)
        if not dm_name:
            dm_name, dm_role = (R.phrase("fallback.dm_name"), R.phrase("fallback.dm_role"))
            dm_dat = R.phrase("fallback.dm_dat")
        wd = WEEKDAYS.index(c.weekday) if c.weekday in WEEKDAYS else 0
        weekdays = R.bank.get("cal.weekdays") or [""] * 7
        months = R.bank.get("cal.months") or [""] * 12
        month = int(c.date[5:7]) if len(c.date) >= 7 else 1
        hour = int(c.time[:2]) if c.time[:2].isdigit() else 10
        dayparts = R.bank.get("cal.dayparts") or ["", "", ""]
        self.season = SEASONS[month - 1]
        self.month = month
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
        topic, topic_q = "", ""
        # the spec's topic in the form the templates say it: a clause ("how calls are reviewed"), a noun
        # phrase ("pricing and rollout": after "about"), or a question of its own ("How is the team
        # structured?": never "help me understand how is the team structured")
        self.topic_form = prose_form(R.loc, c.topic) if (prose and c.topic) else "clause"
        if prose and c.topic and self.topic_form == "question":
            topic_q = strip_end(c.topic.strip()) + "?"
            topic_q = topic_q[0].upper() + topic_q[1:]
        elif prose and c.topic:
            topic = strip_end(R.lex.lower_first(c.topic))
        if not topic:
            topic = R.phrase(f"topic.{self.work}" if R.has(f"topic.{self.work}") else "topic.default")
        # the account's CRM: the locale's for its size (crm.large, crm.small), the same in each of its
        # calls (its own stream: the rest of the call draws as before)
        crms = R.bank["crm.large" if (size in ("enterprise", "mid_market") or len(company) % 2) else "crm.small"]
        crm = R.render(crms[0] if len(crms) < 2 else _first_pick(
            h.corpus.get("seed", 0), crms, "render.crm", c.account or c.id), cap=False)
        # the buyer's upcoming milestone, one per call; German banks give "accusative/dative" pairs
        # facts of the account, the same in each of its calls: its own random stream
        saved, R.r = R.r, rng.stream(h.corpus.get("seed", 0), "render.account", c.account or c.id)
        ev = R.phrase(R.first_key(f"event.{ind_name}", "event.default") or "event.default")
        fy_end = months[(5, 8, 11)[rng.below(R.r, 3)]] if len(months) == 12 else ""
        comp = (a.competitors[0] if a and a.competitors else R.phrase("fallback.competitor"))
        R.r = saved
        event, _, event_dat = ev.partition("/")
        event_dat = event_dat or event
        mins = max(5, int(round(c.target_duration_sec / 60.0 / 5.0)) * 5)
        R.slots.update(
            product=h.corpus.get("product") or R.first_entry("fallback.product"),
            tagline=h.corpus.get("tagline") or R.phrase("fallback.tagline"),
            company=company, co=company.split()[0], industry=lex.title(ind.get("title") or ind_name or ""),
            people=people, people_dat=people_dat or people, term=term, pain=pain or (lambda: term()),
            reps=lex.word(reps) if reps < 10 else lex.number(reps), managers=lex.word(max(2, reps // 9)),
            # people per manager, as said: the span of control follows from the two figures above
            span=lex.word(max(1, round(reps / max(2, reps // 9)))),
            calls=lex.number(stated.get("calls_week") or _nice(reps * 35)),
            sites=lex.word(stated.get("sites") or 2 + min(6, emp // 900)), seats=lex.number(seats), annual=lex.money_of(value),
            per_seat=lex.money_of(value / max(1, seats) / 12.0), pct=lex.word(3 + (emp % 5)),
            crm=crm, event=event, event_dat=event_dat,
            day=day, meet=meet, weekday=weekdays[wd], month=months[month - 1],
            daypart=dayparts[0 if hour < 12 else 1 if hour < 17 else 2],
            competitor=comp, topic=topic, topic_q=topic_q, rep=first_name(lead.name), buyer=first_name(mb.name),
            everyone=(R.phrase("fallback.everyone") if len(self.buyers) > 1 else first_name(mb.name)),
            dm=dm_name, dm_dat=dm_dat, dm_role=dm_role, minutes=str(mins),
            fy_end=fy_end, weeks=lex.word(3 + emp % 4), months=lex.word(3 + emp % 4),
            year=str(int(c.date[:4]) + (1 if month >= 10 else 0)),
        )
        # a term in a case ("zur Frachtvermittlung"): {term_zum}, one slot per frame of the locale
        for frame in (lex.term_frames.get("frames") or ()):
            R.slots["term_" + frame] = lambda frame=frame: lex.framed(frame, term())
        # a frame that fits only some kinds of term ({term.topic}: "calls about lead time", never "calls
        # about plant manager"; {term_zum.numbers}): a term of those kinds (lexicon `term_kinds`)
        for name, frame, pool in _term_pools(R.loc, tuple(terms)):
            R.slots[name] = (partial(draw, pool) if not frame
                             else lambda frame=frame, pool=pool: lex.framed(frame, draw(pool)))
        self._facts()
        # relative dates from the plan's (render/template/when.py): the previous call, a sent document, the weekend
        # drawn from their own stream: the words of the rest of the call do not depend on them
        prev = next((x.date for x in c.references if x.date), None)
        main_r, R.r = R.r, rng.stream(R.header.corpus.get("seed", 0), "render.when", c.id)
        try:
            bucket, sent_wd = when.sent(c.date, prev, R.r)
            R.slots.update(ago=R.phrase(f"cal.ago.{when.ago(c.date, prev)}"),
                           sent=R.render(R.template(f"cal.sent.{bucket}"), {"wd": weekdays[sent_wd]}, cap=False))
            before, after = when.working_days(c.date)
            # the working days around today: a past "seit {past_wd}", a coming "am {next_wd}", "{prev_day}"
            R.slots.update(past_wd=weekdays[before], next_wd=weekdays[after],
                           prev_day=R.phrase("cal.sent.yesterday") if when.yesterday_worked(c.date)
                           else R.render(R.template("cal.sent.same_week"), {"wd": weekdays[before]}, cap=False))
            wk = when.weekend(c.date)
            R.slots.update(weekend_ask=R.phrase(f"cal.weekend.ask.{wk}"),
                           weekend_did=R.phrase(f"cal.weekend.did.{wk}"))
        finally:
            R.r = main_r

    def _facts(self) -> None:
        """The account's own figures and tools (`fact.<name>` -> slot `{<name>}`:
        the calls a day at peak, the chat tool, how many recording tools): a
        buyer states them about their operation, so each is drawn once per
        account, from a stream of its own (the account's name and the fact's),
        and said alike in every call of the account."""
        R, c = self.R, self.call
        seed = R.header.corpus.get("seed", 0)
        main_r = R.r
        try:
            for key in with_prefix(R.loc, "fact."):
                t = _first_pick(seed, R.bank[key], "render.fact", c.account or c.id, key)
                if t.__class__ is not str:  # its alternatives draw on from the fact's stream, after the pick
                    R.r = rng.stream(seed, "render.fact", c.account or c.id, key)
                    R.r.random()
                R.slots[key[len("fact."):]] = R.render(t, cap=False)
        finally:
            R.r = main_r

    def _deck(self) -> list[tuple[str, str]]:
        R = self.R
        loc = R.loc
        disc = list(topics(loc, "disc.", ".ask"))
        feats = list(topics(loc, "demo.", ".show"))
        terms = list(topics(loc, "terms.", ".say"))
        signoff = list(topics(loc, "signoff.", ".say"))
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
            if i in self.beats_at or (i - 1) in self.beats_at or i in self.mom_at or (i - 1) in self.mom_at \
                    or i in self.col_at:
                continue
            if i + 1 >= self.n or sp[i].side == sp[i - 1].side or sp[i + 1].side != sp[i - 1].side:
                continue
            nxt = self.mom_at.get(i + 1) or self.col_at.get(i + 1)
            if nxt is not None and "INTERRUPTS" in nxt.cues:  # the next turn cuts in: never on an "mm-hm"
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
            if item[0] == "q" and (item[1] in self.asked or self._told(item[1])):
                continue
            if item[0] == "q":
                self.asked.add(item[1])
            return item
        return ("insight", "")

    def _told(self, topic: str) -> bool:
        """Whether the call has already said what a discovery question asks
        (`disc.<topic>.told`: the slots whose values answer it, "reps" for the
        team's size), in a call after discovery: the seller knows the account
        and has said it or heard it (sales_pov's demo asked "Paint me a picture
        of your patient access reps: size, how it's organized" after its agenda
        said "your 85 patient access reps" and a buyer "there are 85 patient
        access reps across three locations"). Discovery asks it whatever the
        buyers mentioned in passing: how the team is organized is its work."""
        names = self.R.bank.get(f"disc.{topic}.told")
        if not names or self.work == "discovery":
            return False
        for name in names:
            v = self.R.slots.get(str(name))
            if not isinstance(v, str) or not v or v.lower() not in self.said:
                return False
        return True

    # -- per turn ---------------------------------------------------------------------

    def _kw(self, d: Draft) -> dict[str, Any]:
        i, p, sp, n = d.i, d.p, self.sp, self.n
        nxt = None  # a seller's closing question goes to the buyer who speaks next
        if p.side == "seller":
            nxt = sp[i + 1] if i + 1 < n and sp[i + 1].side != "seller" else None
            heard = next((sp[j] for j in range(i - 1, -1, -1) if j not in self.bc), None)
            addr = heard if heard is not None and heard.side != "seller" else nxt  # the reply: to who spoke
            if addr is None:
                addr = next((sp[j] for j in range(i - 1, -1, -1) if sp[j].side != "seller"), self.main_buyer)
        else:
            addr = sp[i - 1] if i > 0 and sp[i - 1].side == "seller" else None
            if addr is None:
                addr = next((sp[j] for j in range(i - 1, -1, -1) if sp[j].side == "seller"), self.sellers[0])
        # the slots follow from who speaks, to whom, and who answers the closing question: made once per
        # three of them in a call (what goes into them is fixed for the call once drawn: `_wants`,
        # `_colleague`), each turn its own copies
        key = (p.id, addr.id, nxt.id if nxt is not None else None)
        hit = self._kw_made.get(key)
        if hit is None:
            hit = self._kw_made[key] = self._kw_of(p, addr, nxt)
        d.ask = None if hit[1] is None else dict(hit[1])
        return dict(hit[0])

    def _kw_of(self, p: Participant, addr: Participant, nxt: Participant | None) -> tuple[dict, dict | None]:
        """A turn's slots said by `p` to `addr` (`_kw`), and those of its closing question to `nxt`."""
        lex = self.R.lex
        kw: dict[str, Any] = {"me": first_name(p.name), "you": first_name(addr.name), "role": lex.role(p.role or ""),
                              "you_role": lex.role(addr.role or ""), "se": self._colleague(p)}
        # "everyone" only when more than one person listens; in a 1:1 call "you" (or the name)
        many = len(self.P) > 2
        form = self.R.bank.get("address.many" if many else "address.one") or ["", ""]
        kw.update(you_all=form[0], you_all_dat=form[-1],
                  to_all=self.R.first_entry("fallback.everyone") if many else kw["you"])
        bp = p if p.side != "seller" else addr
        if bp.side != "seller":
            kw.update(self._wants(bp))
        if p.side != "seller" and self.R.slots.get("dm") == kw["me"]:
            kw.update(self._other_dm(p))  # nobody takes it "through with" themselves
        ask = None
        if nxt is not None and nxt is not addr:
            ask = {"you": first_name(nxt.name), "you_role": nxt.role or "", **self._wants(nxt)}
            if not many:
                ask["to_all"] = ask["you"]
        return kw, ask

    @staticmethod
    def ask(d: Draft, kw: dict[str, Any]) -> dict[str, Any]:
        """The slots of a seller's closing question, which the next speaker
        answers: said to them, while the reply before it goes to who spoke."""
        return kw if d.ask is None else dict(kw, **d.ask)

    def _other_dm(self, p: Participant) -> dict[str, str]:
        """{dm}, {dm_role} for a decision maker speaking: another decision maker
        of the account, else the locale's "the exec team"."""
        R = self.R
        me = first_name(p.name)
        for st in (self.acct.stakeholders if self.acct else []):
            name = first_name(st.get("display") or st.get("name") or "")
            if st.get("decision_maker") and name and name != me:
                return {"dm": name, "dm_role": R.lex.role(st.get("role") or "")}
        return {"dm": R.first_entry("fallback.dm_name"), "dm_role": R.first_entry("fallback.dm_role")}

    def _colleague(self, p: Participant) -> str:
        """{se}: the seller's colleague who takes technical sessions, never the
        speaker: another seller on the call, else another rep of the spec,
        else a name from the locale's bank (the same for the whole account)."""
        hit = self.colleague.get(p.id)
        if hit is None:
            hit = self.colleague[p.id] = self._find_colleague(p)
        return hit

    def _find_colleague(self, p: Participant) -> str:
        # a seller may name a colleague on the line; a buyer speaks of the
        # seller's colleague to the seller's face only as "you", so a buyer's
        # {se} is someone not on this call
        others = [s for s in self.sellers if s.id != p.id] if p.side == "seller" else []
        if others:
            return first_name(others[-1].name)
        present = {x.id for x in self.call.participants}
        said = {first_name(x.name) for x in self.call.participants} if p.side != "seller" else {first_name(p.name)}
        for r in self.R.header.reps:
            name = first_name(r.get("display") or r.get("name") or "")
            if name and name not in said and r.get("name") != p.id and r.get("name") not in present:
                return name
        names = [n for n in (self.R.bank.get("names.first") or []) if isinstance(n, str) and n not in said]
        if not names:
            return ""
        return _first_pick(self.R.header.corpus.get("seed", 0), names, "render.colleague",
                           self.call.account or self.call.id)

    def _wants(self, p: Participant) -> dict[str, Any]:
        """{want}: the buyer's main want in this call (stable); {want_any}: any of
        them; {trigger}: what would convince them, in their own words."""
        hit = self.want_cache.get(p.id)
        if hit is not None:
            return hit
        R = self.R
        v = pooled(R.r, self.voice[p.id], self.pools.get(p.id))
        # the voice's own words, never the persona catalog's text (a persona shows in
        # behaviour: which questions, how long, how decided; reciting its
        # definition would make classifying it a lookup)
        wants = R.bank[R.first_key(f"wants.{v}", "wants.neutral")]
        trig = R.bank[R.first_key(f"triggers.{v}", "triggers.neutral")]
        first = rng.pick(R.r, wants)
        main = R.render(first, cap=False)
        deck_w = [w for w in wants if w is not first] or list(wants)
        deck_t = list(trig)
        rng.shuffle(R.r, deck_w)
        rng.shuffle(R.r, deck_t)
        state = {"w": 0, "t": 0}

        # rendered when said (most are never said: rendering them all was a tenth of a call's time)
        def any_want() -> str:
            state["w"] += 1
            return R.render(deck_w[state["w"] % len(deck_w)], cap=False)

        def any_trigger() -> str:
            state["t"] += 1
            return R.render(deck_t[state["t"] % len(deck_t)], cap=False)
        out: dict[str, Any] = {"want": main, "want_any": any_want, "trigger": any_trigger}
        # a colleague of the account, not on this call, the buyer can refer to
        present = {x.id for x in self.call.participants}
        peers = [s for s in (self.acct.stakeholders if self.acct else []) if s.get("name") not in present]
        if peers:
            peer = rng.pick(R.r, peers)
            out["peer"] = first_name(peer.get("display") or peer.get("name") or "")
            out["peer_role"] = self.R.lex.role(peer.get("role") or "")
            out[PEER_TITLE] = peer.get("role") or ""
        self.want_cache[p.id] = out
        return out

    def in_season(self, text: str) -> bool:
        """Whether the spec's prose `text` fits the call's month ("after the
        holidays" only in December and January: the banks' `dated.prose`)."""
        low = text.lower()
        return not any(m not in d["months"] for d in self.R.bank.get("dated.prose") or ()
                       for m in [self.month] if any(w in low for w in d["match"]))

    def exact(self, text: str) -> str:
        """`text`, kept as its bank says it: a buyer's question and the seller's
        paired answer are a question and its answer in the bank's words."""
        self.keep.add(text)
        return text

    def peer_key(self, kw) -> str | None:
        return "peer.more" if kw.get("peer") and self.R.has("peer.more") else None

    def vkey(self, base: str, v: str) -> str:
        if self.cool_now:
            if base in COOL_KEYS:
                return COOL_KEYS[base]
            v = "neutral"  # no voice's eagerness in a cool call
        else:
            v = pooled(self.R.r, v, self.pool_now)  # persona shows in behaviour, not in its catch-phrases
            if base.startswith("voice.") and (self._signed_quiet(v) or (self.accepting_turn and self._wary(v))):
                v = "neutral"  # (nor does a buyer who accepts an answer push back in the same breath)
        k = f"{base}.{v}"
        return k if k in self.R.bank else f"{base}.neutral"

    def run(self) -> list[Draft]:
        drafts = []
        for i in range(self.n):
            d = Draft(i, self.sp[i])
            d.beats = [b.kind for b in self.beats_at.get(i, [])]
            d.moment = self.mom_at.get(i)
            d.colour = self.col_at.get(i)
            self.cool_now = self.cool and i >= 2  # after the greeting
            self._turn(d)
            self.pool_now = self.pools.get(d.p.id)
            d.slots = self._kw(d)
            self.draft_of[id(d.slots)] = d
            q = self.last_q if i and self.sp[i - 1].side == "seller" else ""
            self.R.trace = self.keys_at[i] = []
            if i in self.bc and self.prev_asked and i not in self.cut_in:
                self.bc.discard(i)  # the turn before asked: a question is answered, never by "mm-hm" alone
                self.held.discard(i)
            if i in self.bc or self._nothing_to_answer(d):
                self._backchannel(d)
            elif d.side == "seller":
                self._seller(d)
            else:
                self._buyer(d)
            self._lead(d)
            if q and d.side != "seller":
                self._no_bare_yes(d, q)
            drafts.append(d)
            text = " ".join(seg[0] for part in (d.head, d.core, d.body, d.tail) for seg in part)
            self.said += " " + text.lower()
            self.prev_asked = text.endswith("?")
            if d.side == "seller":
                self.seller_said += " " + text.lower()
                self.last_q = text if text.endswith("?") else ""
        for i in range(1, len(drafts)):
            self._answer_first(drafts[i - 1], drafts[i])
        for i in sorted(self.cut_in):
            d = drafts[i - 1]
            self._turn(d)  # drawn for that turn now: what it accepts holds for these draws too
            self._unfinished(d)
            self._trail(d)
        self._turn(None)
        self.R.fit(drafts, round(self.call.target_duration_sec * WORDS_PER_SEC))
        for d in drafts:
            if d.side != "seller":
                self._recast(d)
        habits(self, drafts)
        name_less(self, drafts)
        count_less(self, drafts)
        volume_less(self, drafts)
        people_less(self, drafts)
        vocatives_less(self, drafts)
        return drafts

    def _no_bare_yes(self, d: Draft, q: str) -> None:
        """A reply to a question asking for content ("What's your reaction?",
        "Welche wäre das?") does not open with a bare "Yes." or "Ja." (an
        acknowledgment drawn from the voice's bank): it is left out when the
        turn says something else."""
        R = self.R
        part = d.head or d.core
        # an opinion of a moment or colour said first is moved after the answer (`_answer_first`): the
        # sentence read is the first other one
        k = next((j for j, seg in enumerate(part) if not any(t[0] in ("moment", "colour") for t in seg[1])), None)
        if k is None or part[k][1] or (k and part is not d.core):
            return
        text = part[k][0]
        first, _, rest = text.partition(". ")
        if not closed_answer(R.loc, first) or question_form(R.loc, q) != "open":
            return
        if rest:  # "Ja. Ich frage mich nur, ob ...": the rest of the sentence stays, with the same labels
            rest = rest[0].upper() + rest[1:]
            R.signals[rest] = R.signals.get(text) or R.categories_of(text)
            part[k] = (rest, part[k][1], part[k][2])
            d.words -= first.count(" ") + 1
        elif len(d.head) + len(d.core) + len(d.body) + len(d.tail) > 1:
            d.words -= part.pop(k)[0].count(" ") + 1

    @staticmethod
    def _answer_first(prev: Draft, d: Draft) -> None:
        """A buyer's opinion sentence (a moment's or colour's) does not open the
        reply to a question: the turn's first other sentence of substance
        (the answer, or the beat) comes first. Cutting in keeps it first."""
        if d.side == "seller" or d.i in (0,):
            return
        last = (prev.tail or prev.core or prev.head or [("",)])[-1][0]
        if not last.rstrip().endswith("?"):
            return
        cues = (d.moment.cues if d.moment is not None else []) + (d.colour.cues if d.colour is not None else [])
        if "INTERRUPTS" in cues:
            return
        stance = [x for x in d.core if any(tag[0] in ("moment", "colour") for tag in x[1])]
        if not stance or d.core[0] is not stance[0]:
            return
        rest = [x for x in d.core if not any(x is s for s in stance)]
        if rest:
            d.core = rest[:1] + stance + rest[1:]

    def _unfinished(self, d: Draft) -> None:
        """The turn the next one cuts into ends mid-thought: its closing
        questions (a check-in, "does that help?") are not said, so the cut-in
        never follows a finished question. A beat's own question stays, and
        the speaker goes on after it (one of the turn's fills), so the cut
        still falls mid-thought."""
        while d.tail and d.tail[-1][0].endswith("?") and not d.tail[-1][1] and len(d.head + d.core + d.body + d.tail) > 1:
            d.words -= d.tail.pop()[0].count(" ") + 1
        last = next((p[-1] for p in (d.tail, d.body, d.core, d.head) if p), None)
        if last is not None and last[0].endswith("?"):
            more = next((self.R.say(k, d.slots) for k in d.fills if k and self.R.has(k)), "")
            if more and not more.endswith("?"):
                d.add(d.tail, more, (), True)
        # a beat's own question said last: the statement before it comes after it instead
        part = next((x for x in (d.tail, d.body, d.core) if x), None)
        if part is not None and len(part) > 1 and part[-1][0].endswith("?") and not part[-2][0].endswith("?"):
            part[-2], part[-1] = part[-1], part[-2]

    def _trail(self, d: Draft) -> None:
        """A buyer's turn that still ends on its beat's own question before a
        planned cut-in goes on with one more thought of their voice, so the
        cut-in breaks into that thought, not into a finished question."""
        last = next((part[-1][0] for part in (d.tail, d.body, d.core, d.head) if part), "")
        if d.side == "seller" or not last.endswith("?") or d.p.id not in self.voice:
            return
        for k in range(6):  # a voice whose tails are all questions (the skeptic's "What else?"): the neutral's
            text = self.R.say(self.vkey("voice.tail", self.voice[d.p.id]) if k < 3 else "voice.tail.neutral", d.slots)
            if text and not text.endswith("?"):
                d.add(d.tail, text)  # not optional: fitting the call's length must not drop it
                return

    def shape(self, d: Draft, weight: float, cap: int, fills: list[str] | None = None,
              grow: bool = True) -> None:
        """How much a turn may grow when words are added: its weight and its cap,
        jittered so that turns of one kind differ in length. `grow=False` keeps
        chit-chat short even when the call needs many more words."""
        j = 0.7 + 0.6 * self.R.r.random()
        d.weight = weight * j
        d.cap = int(cap * j)
        d.grow = grow
        d.max_fills = None if grow else CHAT_FILLS
        if fills is not None:
            d.fills = [f for f in fills if f]

    def _backchannel(self, d: Draft) -> None:
        d.bc = True
        d.weight = 0
        d.add(d.core, self.R.say(self._bc_key(d)))
        pend = self.pending
        if pend and pend[0] in ("ans", "seller_cont"):
            # the speaker goes on after it: half the time the backchannel is said over them and they break
            # off, then pick up "as I was saying"; else they just go on (nothing to resume from)
            d.cut = self.R.chance(BC_CUT_P) and (d.i + 1) not in self.cut_in  # not when the next turn cuts in
        if pend and pend[0] == "ans":
            self.pending = ("buyer_cont", pend[1], self.sp[d.i - 1].id, d.cut)
        elif pend and pend[0] == "seller_cont":
            self.pending = pend[:3] + (d.cut,)
        # a seller that was mid-explanation keeps its pending item

    def _bc_key(self, d: Draft) -> str:
        """The bank of a backchannel: a buyer's after a seller turn that said a bank with its own listener's
        words (`bc.buyer_to.<key>`: a procedural note, a thank-you, the seller's news) draws from those, never
        from the words that agree with a claim ("I'll take notes. Ignore the typing." -- "Interesting.")."""
        if d.side == "seller":
            return "bc.seller"
        if d.i and self.sp[d.i - 1].side == "seller":
            for k in reversed(self.keys_at.get(d.i - 1, ())):
                if self.R.bank.get("bc.buyer_to." + k):
                    return "bc.buyer_to." + k
        return "bc.buyer"

    def _set_tail(self, d: Draft, text: str) -> None:
        """Replace the turn's closing question (never a tagged sentence) by `text`."""
        keep = [seg for seg in d.tail if seg[1]]
        for seg in d.tail:
            if not seg[1]:
                d.words -= seg[0].count(" ") + 1
        d.tail = keep
        d.add(d.tail, text)

    # -- the seller side ----------------------------------------------------------------

    def _seller(self, d: Draft) -> None:
        R, i = self.R, d.i
        kw = d.slots
        pend, self.pending = self.pending, None
        beats = self.beats_at.get(i, [])
        kinds = [b.kind for b in beats]
        nxt = self.beats_at.get(i + 1, []) if i + 1 < self.n and self.sp[i + 1].side != "seller" else []
        bc_next = (i + 1) in self.held
        self.shape(d, 0.45, 55, [self.seller_ind, "disc.insight"])
        if d.moment is not None:
            self._moment(d, d.moment, kw)
        elif d.colour is not None:
            self._colour(d, d.colour, kw)
        self._seller_head(d, pend, beats, kw)
        for b in beats:
            self._seller_beat(d, b, kw, nxt)
        if not beats:
            if i < self.agenda_turn:
                if pend and pend[0] in ("smalltalk", "chat") and not nxt and pend[0] == "smalltalk":
                    q = R.say("smalltalk.seller_q", self.ask(d, kw))
                    d.add(d.tail, q)
                    # the reply answers this question: `smalltalk.reply` holds the answer to each question
                    # at the same index, and a later small-talk turn answers nothing
                    self.pending = ("chat", R.last) if q else ("chat",)
                else:
                    d.add(d.core, R.say("open.filler", kw), (), True)
                    if d.core[-1][0].rstrip().endswith("?") and R.bank.get("open.filler_reply"):
                        # "Are we waiting on anyone else?" is answered (`open.filler_reply`, by the same index),
                        # never by "mm-hm" alone; the answer knows whether a colleague joins later
                        self.pending = ("filler_q", R.last)
                # the seller's own news ("We just moved offices.") only right after the buyer's: it follows
                # something personal the buyer said, never a turn about the work
                # and now and then: the account's small talk is dealt out over its calls (`told`), so a turn
                # whose share is used up would otherwise fill with the seller's news every time
                # after rough news (half the office out sick) neither: no "congrats on the new office", no
                # story of the seller's own, but room for the buyer ("if you need to drop off early, ...")
                if self._rough_chat(d):
                    # "Busy here too. I hear you." only after the buyer said they are swamped
                    busy = ["smalltalk.more_seller_busy"] if self._answered(d) in self.busy_chat else []
                    self.shape(d, 0.3, 45, busy + ["smalltalk.more_seller_rough"], grow=False)
                elif d.core and d.core[-1][0].rstrip().endswith("?"):
                    # the filler asked something ("We have 30 minutes. That okay, Ines?"): the question ends
                    # the turn, no news of the seller's own after it
                    self.shape(d, 0.3, 45, [], grow=False)
                else:
                    news = ["smalltalk.seller_news"] if pend and pend[0] in ("smalltalk", "chat", "hello") \
                        and R.chance(0.08) else []
                    self.shape(d, 0.3, 45, ["smalltalk.more_seller"] + news, grow=False)
            elif i > self.ns_turn:
                # "Anything else?" is asked once: the buyer answers it, and a later turn of the seller before
                # the goodbye says what happens next (no second "Anything else?" after the buyer's answer)
                asked, self.wrapped = self.wrapped, True
                d.add(d.core, R.say("wrap.seller_more" if asked else "wrap.seller",
                                    kw if asked else self.ask(d, kw)))  # a question to who answers next
                d.fills, d.weight = [], 0
                if not nxt:
                    self.pending = ("wrap_more",) if asked else ("wrap",)
            elif pend and pend[0] == "seller_cont" and pend[1][0] in ("show", "terms", "signoff"):
                self._item(d, pend[1], kw, bc_next or bool(nxt), cont=True)
            else:
                self._item(d, self.next_item(), kw, bc_next or bool(nxt))
        if nxt and not bc_next and "close" not in kinds:
            b = nxt[0]
            key = SETUP.get(b.kind)
            if b.kind == "small_talk" and self.checked_in:
                key = "setup.small_talk_follow"  # "how's the week?" was asked and answered
            if b.kind == "objection_raised":
                key = R.first_key(f"setup.obj.{b.key}", "setup.obj")
            skw = self.ask(d, kw)
            if b.kind == "introduce_stakeholder":
                skw["new"] = first_name(self.by_id[b.key].name) if b.key in self.by_id else kw["you"]
            if b.kind in ("objection_resolved", "objection_reopened"):
                skw["obj"] = self.obj_topic(b.key, b.arc)
            if key:
                self._set_tail(d, R.say(key, skw))
                self.pending = ("setup", b.kind)
                self.followed_up = key == "setup.small_talk_follow"
        if "close" in kinds:
            d.fills, d.weight = [], 0

    def _seller_head(self, d: Draft, pend, beats: list[Beat], kw) -> None:
        R = self.R
        if not pend:
            return
        kind = pend[0]
        keys = {b.key for b in beats if b.kind in ("objection_addressed", "objection_unaddressed")}
        even = self._heard_bad_news(d)  # no "Awesome." to bad news: an even acknowledgment
        if kind == "ans":
            if R.chance(0.7):
                d.add(d.head, R.say("ack.seller_even" if even else "ack.seller", kw), (), True)
            key = f"disc.{pend[1]}.summary"
            if R.chance(0.3) and R.fresh(key):
                d.add(d.head, R.say(key, kw), (), True)
        elif kind == "bq":
            topic, idx = pend[1], pend[2] if len(pend) > 2 else None
            akey = R.first_key(f"bq.{topic}.answer", "bq.general.answer")
            if len(R.bank.get(f"bq.{topic}.ask") or ()) != len(R.bank[akey]):
                idx = None  # answers not paired with the questions
            d.add(d.head, self.exact(R.say_at(akey, idx, kw)))
            self.shape(d, 1.0, 110, [R.first_key(f"bq.{topic}.more", "bq.general.more"), "seller.story"])
        elif kind in ("react", "agenda_ok", "nextsteps_ok", "ref_ok"):
            if R.chance(0.5) and not (self.cool and d.i >= self.ns_turn):
                d.add(d.head, R.say(self._ack_short(d, even), kw), (), True)
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
            skw = dict(kw, obj=self.obj_topic(b.key, b.arc))
            if d.i not in self.cut_in:  # cutting in: no "thanks for being direct" to whoever was cut off
                d.add(d.head, R.say("obj.ack", skw))
            d.add(d.head, R.say("obj.defer_same" if later else "obj.defer", skw))
        elif kind == "resolved":
            # the buyer's yes, unless a doubt of its persona followed it in the same turn ("… the
            # consistency nags at me."): then no "Excellent, it's a relief.", a plain acknowledgment
            j = self._answered(d)
            d.add(d.head, R.say("ack.seller_short" if j is not None and self._said_doubt(j)
                                else "obj.resolved_react", kw))
        elif kind == "signal":
            cat = pend[1]
            # the answer to the bank's question asked ("Could you send a three-year breakdown?" is not answered
            # "Yes, annual prepay brings the price down"); a question in the spec's own words: any answer
            asked = pend[2:3] if len(pend) > 2 and pend[2] is not None else ()
            q, a = self._signal_banks(cat)
            d.add(d.head, R.say_at(*self._paired(q, a, "signal.answer.general", asked), kw))
            self.shape(d, 1.0, 110, [R.first_key(f"signal.more.{cat}", "signal.more.general"), "seller.story"])
        elif kind == "smalltalk":
            tone = pend[1] if len(pend) > 1 else "good"
            d.add(d.head, R.say(f"smalltalk.seller.{tone}", kw))
        elif kind == "chat":
            d.add(d.head, R.say("smalltalk.seller_back", kw))
            if self._go_now(d.i):
                d.add(d.head, R.say("smalltalk.bridge", kw), (), True)
        elif kind == "hello_new":
            d.add(d.head, R.say("intro.welcome", dict(kw, new=first_name(self.by_id[pend[1]].name)
                                                       if pend[1] in self.by_id else kw["you"])))
        elif kind == "seller_cont" and pend[2] == d.p.id and pend[3:4] == (True,):
            # only the seller who was cut off resumes, after a backchannel cut in
            d.add(d.head, R.say("cont.seller", kw), (("resumption", None),))
        elif kind == "hello":
            d.add(d.head, R.say("open.seller_back", kw), (), True)

    def _nothing_to_answer(self, d: Draft) -> bool:
        """A buyer before the agenda with nothing to answer (the seller asked
        nothing), no beat, moment or colour: an "Okay." said over the seller's
        words, not a turn of its own between two of the seller's."""
        i = d.i
        return (d.side != "seller" and 0 < i < self.agenda_turn and self.pending is None
                and not self.beats_at.get(i) and d.moment is None and d.colour is None
                and i + 1 < self.n and self.sp[i + 1].side == "seller" and self.sp[i - 1].side == "seller")

    def _go_now(self, i: int) -> bool:
        """Whether "Let's get into it." may be said at turn `i`: no more small
        talk, no newcomer's introduction and no seller chit-chat comes between
        it and the agenda (else the call gets into it and then doesn't)."""
        for j in range(i + 1, self.agenda_turn):
            kinds = [b.kind for b in self.beats_at.get(j, [])]
            if "small_talk" in kinds or "introduce_stakeholder" in kinds or \
                    (not kinds and self.sp[j].side == "seller" and j not in self.held):
                return False
        return True

    def _rough_chat(self, d: Draft) -> bool:
        """Whether the buyer turn seller turn `d` answers told rough news in its small
        talk: the tone its small-talk beat drew (`rough_chat`), never its words."""
        j = self._answered(d)
        return j is not None and j in self.rough_chat

    def _heard_bad_news(self, d: Draft) -> bool:
        """Whether the buyer the seller answers just said something negative: a
        pain, an objection raised or stalled, rough small talk, negative words
        planned (a moment or colour), or anything past the greeting of a call
        that ends cool."""
        j = self._answered(d)
        if j is None or self.sp[j].side == "seller":
            return False
        if j in self.rough_chat or any(b.kind in NEGATIVE_BEATS for b in self.beats_at.get(j, [])):
            return True
        m, col = self.mom_at.get(j), self.col_at.get(j)
        if (m is not None and m.polarity == "negative") or (col is not None and col.tone == "negative"):
            return True
        return self.cool and j >= 2

    def _paired(self, ask: str, reply: str, fallback: str, asked: tuple) -> tuple[str, int | None]:
        """(reply key, index) of the answer to question `asked` (its place in
        the `ask` bank): a `reply` bank holding one template per question
        answers each with its own ("Who should join the kickoff?" is not
        answered "Let's do it after the quarter closes.", "If a deal slips,
        how early do you know?" not "Storytelling, mostly."); else any reply."""
        R = self.R
        key = R.first_key(reply, fallback)
        i = asked[0] if asked else None
        paired = key == reply and len(R.bank.get(ask) or ()) == len(R.bank[key])
        return key, i if paired else None

    def _ack_short(self, d: Draft, even: bool) -> str:
        """The bank of a seller's short acknowledgment: even after bad news
        ("Understood."), glad ("Love that.", "Excellent.") only after a turn
        that said nothing but good (`_glad`), else plain ("Got it.")."""
        return "ack.seller_even" if even else "ack.seller_glad" if self._glad(d) else "ack.seller_short"

    def _glad(self, d: Draft) -> bool:
        """Whether the buyer the seller answers may be met with gladness: a
        buyer of the forward voices whose turn said no line of a wary voice,
        no persona trait line (a pain, a doubt, a condition: "Unless it saves
        my managers real time, it's not worth it."), no objection and no
        stressed small talk. What the turn was made of is read from the keys
        the renderer said drafting it, never from its words."""
        j = self._answered(d)
        if j is None or self.sp[j].side == "seller" or self.voice.get(self.sp[j].id) not in GLAD_VOICES:
            return False
        return not self._said_doubt(j)

    def _answered(self, d: Draft) -> int | None:
        """The turn the seller's turn `d` answers: the last one before it that is no backchannel."""
        return next((k for k in range(d.i - 1, -1, -1) if k not in self.bc), None)

    def _said_doubt(self, j: int) -> bool:
        """Whether buyer turn `j` said a line of a wary voice or of the kinds in NOT_GLAD_KEYS."""
        return any((k.startswith(NOT_GLAD_KEYS) and not k.endswith(".champion"))
                   or k.rsplit(".", 1)[-1] in VOICE_POOLS["wary"] for k in self.keys_at.get(j, ()))

    def _item(self, d: Draft, item: tuple, kw, no_question: bool, cont: bool = False) -> None:
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
            q = R.say(key, self.ask(d, kw))
            d.add(d.tail, q)
            self.pending = ("q_follow" if kind == "follow" else "q", topic, R.last if q else None)
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
                self.pending = ("seller_cont", item, d.p.id)
            else:
                if R.chance(0.75):
                    d.add(d.tail, R.say("demo.check", self.ask(d, kw)))
                self.pending = ("show", topic)
        elif kind in ("terms", "signoff"):
            d.add(d.core, R.say(f"{kind}.{topic}.{'more' if cont else 'say'}", kw))
            self.shape(d, 1.0, 110, [f"{kind}.{topic}.more", f"{kind}.more", self.seller_ind])
            if no_question:
                self.pending = ("seller_cont", item, d.p.id)
            else:
                q = R.say(f"{kind}.{topic}.ask", self.ask(d, kw))
                d.add(d.tail, q)
                # which of the item's questions was asked (its answer is the reply of the same place)
                self.pending = (kind, topic, R.last if q else None)
        elif kind == "insight":
            d.add(d.core, R.say("disc.insight", kw))
            self.shape(d, 0.7, 80, [self.seller_ind, "disc.insight", "seller.story"])
            if no_question:
                self.pending = ("seller_cont", ("open", ""), d.p.id)
            else:
                d.add(d.tail, R.say("disc.open.ask", self.ask(d, kw)))
                self.pending = ("q", "open")

    def obj_topic(self, key: str | None, arc: str | None = None) -> str:
        """What an objection is about, as a noun phrase ("the competitive question"): of the
        arc's facet where the bank has words for it (`obj.facet_topic`: a buyer who means to
        build it in house is not told "the comparison with the other vendor"), at every step
        of the arc and in every call of it (`_facet` is the arc's)."""
        R = self.R
        facet = self._facet(key, arc) if arc else None
        k = R.first_key(*([f"obj.facet_topic.{facet}"] if facet else []), f"obj.topic.{key}")
        if k:
            return R.phrase(k)
        title = ((R.header.objections.get(key or "") or {}).get("title") or key or "").lower()
        if title:
            return R.render(R.template("obj.topic.generic"), {"x": title}, cap=False)
        return R.phrase("obj.topic.generic_none")

    def _seller_beat(self, d: Draft, b: Beat, kw, nxt) -> None:
        R = self.R
        kind = b.kind
        tag = ((kind, b.key),)
        if kind == "opening":
            key = "open.greet_multi" if len(self.buyers) > 1 else "open.greet"
            d.add(d.core, R.say(key, kw), tag)
            d.add(d.core, R.say("open.phone" if self.call.medium == "phone" else "open.video", kw), (), True)
            if not nxt:
                d.add(d.tail, R.say("open.checkin", self.ask(d, kw)))
                self.pending = ("hello",)
                self.checked_in = True
            # greeting, line check and check-in are the opening: the seller's own news
            # ("Same on our side." among it) answers the buyer, so it waits for a reply
            self.shape(d, 0.3, 45, [], grow=False)
        elif kind == "reference":
            self._reference(d, b, kw, tag)
            if not nxt:
                d.add(d.tail, R.say("reference.check", self.ask(d, kw)))
                self.pending = ("ref_check",)
            self.shape(d, 0.4, 70, [])
        elif kind == "agenda":
            d.add(d.core, R.say(f"agenda.{self.work}", kw), tag)
            ob = next((x for x in self.call.beats if x.kind == "objection_addressed"), None)
            if ob is not None:
                d.add(d.core, R.say("agenda.objection", dict(kw, obj=self.obj_topic(ob.key, ob.arc))), (), True)
            d.add(d.tail, R.say("agenda.check", self.ask(d, kw)))
            self.pending = ("agenda",)
            d.fills, d.weight = [], 0
        elif kind in WORK:
            no_q = (d.i + 1) in self.held or bool(nxt)
            if kind == "demo":
                key = "work.demo_phone" if self.call.medium == "phone" else "work.demo"
                d.add(d.core, R.say(key, kw), tag)
                item = self.next_item()
                if item[0] != "show":
                    item = ("show", topics(R.loc, "demo.", ".show")[0])
                self._item(d, item, kw, no_q)
            elif kind == "discovery":
                key = "work.discovery" if self.topic_form == "clause" else f"work.discovery_{self.topic_form}"
                text = R.say(key, self.ask(d, kw))
                # the spec's own question is asked as written (no habit's tag after it)
                d.add(d.tail, self.exact(text) if self.topic_form == "question" else text, tag)
                self.pending = ("q", "process")
                self.shape(d, 0.5, 60, ["disc.insight"])
            else:
                if kind == "signoff" and self.dead:
                    kind = self.work
                d.add(d.core, R.say(f"work.{kind}", kw), tag)
                item = self.next_item()
                if item[0] not in ("terms", "signoff"):
                    item = ("insight", "")
                self._item(d, item, kw, no_q)
        elif kind == "objection_addressed":
            self._address(d, b, kw, tag)
        elif kind == "objection_unaddressed":
            skw = dict(kw, obj=self.obj_topic(b.key, b.arc))
            d.add(d.core, R.say("obj.unaddressed", skw), tag)
            if not nxt:
                self._item(d, self.next_item(), kw, (d.i + 1) in self.held)
        elif kind == "next_steps":
            skw = dict(kw, artifact=self._artifact())
            d.add(d.core, R.say("nextsteps.say", skw), tag)
            d.add(d.core, R.say("nextsteps.more", skw), (), True)
            if "close" not in [x.kind for x in self.beats_at.get(d.i, [])]:
                d.add(d.tail, R.say("nextsteps.check", self.ask(d, kw)))
                self.pending = ("nextsteps",)
            self.shape(d, 0.4, 70, ["nextsteps.more"], grow=False)
        elif kind == "close":
            d.add(d.core, R.say("close.seller_cool" if self.cool else "close.seller", kw), tag)
            self.pending = ("close",)
        else:
            d.add(d.core, R.say("generic.seller", dict(kw, x=kind.replace("_", " "))), tag)

    def _signal_banks(self, cat: str) -> tuple[str, str]:
        """The banks of a buying signal's question and its answer: in a signing
        call (the order form has gone out: `work.signoff`) the signing's own
        (`signal.q_signoff`, `signal.answer_signoff`: the signature link and the
        countersignature, never "you'll have the draft today"), where the bank
        holds both."""
        if self.work == "signoff" and self.R.has(f"signal.q_signoff.{cat}") and \
                self.R.has(f"signal.answer_signoff.{cat}"):
            return f"signal.q_signoff.{cat}", f"signal.answer_signoff.{cat}"
        return f"signal.q.{cat}", f"signal.answer.{cat}"

    def _artifact(self) -> str:
        R = self.R
        if self.signal_cats:
            cat = self.signal_cats[-1]
            k = R.first_key(f"artifact.signal_signoff.{cat}") if self.work == "signoff" else None
            k = k or R.first_key(f"artifact.signal.{cat}")
            if k:
                return R.phrase(k)
        work = "default" if self.dead else self.work  # a dead deal gets a recap, not paperwork
        return R.phrase(R.first_key(f"artifact.{work}", "artifact.default") or "artifact.default")

    def _reference(self, d: Draft, b: Beat, kw, tag) -> None:
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
        you = ""  # the one who said it is on the call and spoken to: "you raised", not "Dana raised"
        if who_id:
            p = self.by_id.get(who_id)
            if p is not None:
                who = first_name(p.name)
                you = "_you" if self._spoken_to(p, kw) else ""
            else:
                st = R.hx.people.get(f"{self.call.account}.{who_id}")
                who = first_name(st.get("display") or who_id) if st else first_name(who_id)
        skw = dict(kw, who=who or kw["you"])
        if ref.kind == "objection":
            skw["obj"] = self.obj_topic(ref.key, self._arc_of(ref.key, ref.text or None))
            return R.say("reference.objection" + you, skw)
        if ref.kind == "buying_signal":
            said = R.prose.signal(ref.text.strip().rstrip(".")) if (R.prose and ref.text) else None
            if said and not (said[0] == "signal.en.wh" and prose_form(R.loc, said[1]) == "question"):
                clause = R.prose.reported(ref.text)  # not "asked how is the rollout handled"
            else:
                cat = signal_category(R.loc, ref.text)
                clause = R.phrase(R.first_key(f"signal.ref.{cat}", "signal.ref.general") or "signal.ref.general")
            skw["sig"] = clause
            return R.say("reference.signal" + you, skw)
        if ref.kind == "competitor":
            skw["competitor"] = ref.key or R.slots["competitor"]
            return R.say("reference.competitor" + you, skw)
        if ref.kind == "topic":
            # a topic the spec wrote as a question is not said inside "we dug into …": the stage's words are
            t = strip_end(R.lex.lower_first(ref.text)) if (R.prose and ref.text and
                                                        prose_form(R.loc, ref.text) != "question") else ""
            if not t:
                t = R.phrase(R.first_key(f"ref.stage.{ref.key}", "ref.stage.default") or "ref.stage.default")
            skw["ref_topic"] = t
            return R.say("reference.topic", skw)
        return ""

    def _spoken_to(self, p: Participant, kw) -> bool:
        """Whether buyer `p` is the one the seller speaks to (the addressee, or
        the only buyer on the call): then the seller says "you", never the name."""
        return p.side != "seller" and (len(self.buyers) == 1 or first_name(p.name) == kw.get("you"))

    def _address(self, d: Draft, b: Beat, kw, tag) -> None:
        R = self.R
        by = next((o.by for o in self.call.objections if o.arc == b.arc), None)
        who = first_name(self.by_id[by].name) if by in self.by_id else ""
        if not who and by:
            st = R.hx.people.get(f"{self.call.account}.{by}")
            who = first_name(st.get("display")) if st else by
        skw = dict(kw, obj=self.obj_topic(b.key, b.arc), who=who or kw["you"])
        raised_here = any(x.kind in ("objection_raised", "objection_reopened") and x.key == b.key and x.turn < d.i
                          for x in self.call.beats)
        you = by in self.by_id and self._spoken_to(self.by_id[by], kw)
        d.add(d.core, R.say("obj.address_lead_same" if raised_here else
                            "obj.address_lead_prev_you" if you else "obj.address_lead_prev", skw))
        d.add(d.core, self._resolution(b.key, skw, b.arc), tag)
        d.add(d.core, R.say("obj.address_more", skw), (), True)
        self.shape(d, 1.0, 120, ["obj.address_more", "seller.story"])
        self.pending = ("obj_check", b.key)

    def _resolution(self, key: str | None, kw, arc: str | None = None) -> str:
        R = self.R
        obj = R.header.objections.get(key or "") or {}
        resolutions = list(obj.get("resolutions") or [])
        table = R.bank.get("obj.res") or []
        facet = self._facet(key, arc)
        options, unfit = [], False
        for res in resolutions:
            low = res.lower()
            hits = [e for e in table if e.get("type") in (key, "*") and any(m in low for m in e.get("match", []))]
            if not hits:
                continue
            # an answer fits the objection's facet: a buyer comparing vendors is not answered with the
            # cost of building it in house, one defending the current tool not with "the other vendor"
            # (an entry without `facets` fits them all; one that names the facet goes first)
            fit = [e for e in hits if facet is None or facet in e.get("facets", (facet,))]
            if fit:
                options.append(min(fit, key=lambda e: facet not in e.get("facets", ()))["say"])
            else:
                unfit = True
        if options:
            says = rng.pick(R.r, options)
            return R.render(rng.pick(R.r, says), kw)
        if R.prose and resolutions and not unfit:  # the spec's own approach, unless it answers another facet
            res = R.prose.to_listener(R.lex.lower_first(strip_end(rng.pick(R.r, resolutions))))
            return R.render(R.template("obj.address_generic"), dict(kw, res=res))
        return R.say_any([f"obj.address.{key}", "obj.address.generic"], kw)

    # -- the buyer side -------------------------------------------------------------------

    def _buyer(self, d: Draft) -> None:
        R, i = self.R, d.i
        kw = d.slots
        pend, self.pending = self.pending, None
        beats = self.beats_at.get(i, [])
        kinds = [b.kind for b in beats]
        m = d.moment
        v = self.voice[d.p.id]
        vw = VOICE_WEIGHT.get(v, 1.0)
        # before the agenda there is nothing to have an opinion on yet: small talk, not the voice's verdicts
        self.shape(d, 0.6 * vw, 70, [self.vkey("voice.more", v)] if i > self.agenda_turn else [])
        setup = pend[1] if pend and pend[0] == "setup" else None
        # the moment's words: with its beat, or on their own at the start of the turn
        m_beat = m.beat if (m is not None and m.beat in kinds) else None
        if beats:
            if setup and setup == kinds[0]:
                pass
            elif pend and pend[0] in ("q", "q_follow", "hello", "agenda", "chat", "nextsteps", "close", "wrap",
                                      "wrap_more", "ref_check"):
                self._respond(d, pend, kw, v, brief=True)
            elif R.chance(0.4):
                d.add(d.head, R.say(self.vkey("voice.ack", v), kw), (), True)
        # small talk is answered first ("Not much, helping a friend move."), the stance after it
        chat = bool(pend) and (pend[0] in CHAT or tuple(pend[:2]) == ("setup", "small_talk")) \
            and all(k == "small_talk" for k in kinds) and m_beat is None
        if m is not None and m_beat is None and not chat:
            self._planned(self._moment, d, m, kw)
        elif m is None and d.colour is not None and not chat:
            self._planned(self._colour, d, d.colour, kw)
        for b in beats:
            self._planned(self._buyer_beat, d, b, kw, v, m if m_beat == b.kind else None)
            if m_beat == b.kind:
                m_beat = "done"
        if not beats:
            self._respond(d, pend, kw, v, brief=False)
        if chat and m is not None:
            self._planned(self._moment, d, m, kw)
        elif chat and d.colour is not None:
            self._planned(self._colour, d, d.colour, kw)
        d.cue_at_words = chat and d.core and not any(t[0] in ("moment", "colour") for t in d.core[0][1])
        shown = self.shown[d.p.id]
        if not beats:
            role_topic = self._role_ask(d)
            if role_topic:
                self._ask(d, v, kw, role_topic)
            elif self._may_ask(d, v):
                self._ask(d, v, kw)
            elif (due := self._trait_due(d)) is not None:  # the persona has not shown yet: its own topic
                self._ask(d, v, kw, due)
        if self.shown[d.p.id] == shown and (own := self._trait_line(d)) is not None and (line := R.say(own, kw)):
            d.add(d.core, line, (("trait", v),))  # no room left for a question: a line of its own voice
            self.shown[d.p.id] += 1
        if i > self.close_turn or "close" in [x.kind for x in self.beats_at.get(i - 1, [])]:
            d.fills, d.weight = [], 0

    def _turn(self, d: Draft | None) -> None:
        """Whose turn the draws are for (None: no turn's): a buyer's, and one that accepts an answer or
        leans in (drafting.ACCEPTING: no pushback in it, `_vetoed`, `vkey`)."""
        self.buyer_now = d is not None and d.side != "seller"
        self.accepting_now = self.accepting_turn = self.buyer_now and not ACCEPTING.isdisjoint(d.beats)

    def _planned(self, draw, *args) -> None:
        """`draw(*args)` for words the plan asks for (a beat, a moment, colour):
        a turn that accepts an answer may still carry a planned doubt ("That
        works. [hesitant] The rollout, less so."); only the lines no plan asks
        for are kept from pushing back there (`_vetoed`), and the voice lines a
        beat adds or leaves to fill are a neutral voice's (`vkey`)."""
        was, self.accepting_now = self.accepting_now, False
        try:
            draw(*args)
        finally:
            self.accepting_now = was

    def _own_stream(self, kind: str, item: str):
        """Swap the call's stream for the planned item's own while its words are
        drawn, and back: a moment's (or colour's) wording then depends on its own
        plan and the bank it is drawn from, not on how many draws every other
        key of the call made before it (session 31 saw sales_pov's lexical
        divergence baseline move 0.55 -> 0.61 by an edit of unrelated wordings)."""
        R = self.R
        main_r = R.r
        R.r = rng.stream(R.header.corpus.get("seed", 0), f"render.{kind}", self.call.id, item)
        return main_r

    def _moment(self, d: Draft, m: Moment, kw) -> None:
        R = self.R
        tag = (("moment", m.id),)
        main_r = self._own_stream("moment", m.id)
        try:
            if "INTERRUPTS" in m.cues and d.i > 0:
                for seg in d.head:  # cutting in: no polite acknowledgment first
                    d.words -= seg[0].count(" ") + 1
                d.head = []
                # sorry to cut in on whoever was speaking
                # first in the turn, before any answer the turn owes
                d.add(d.head, R.say("moment.interrupt", dict(kw, you=first_name(self.sp[d.i - 1].name))), tag)
            d.add(d.core, self._stance(d, "pos" if m.polarity == "positive" else "neg", kw, m.divergent), tag)
        finally:
            R.r = main_r

    def _colour(self, d: Draft, x: Colour, kw) -> None:
        """Opinion words off the moments, from the moments' own pools (a cue on
        plain words adds no words)."""
        if x.tone != "neutral":
            main_r = self._own_stream("colour", x.id)
            try:
                d.add(d.core, self._stance(d, "pos" if x.tone == "positive" else "neg", kw), (("colour", x.id),))
            finally:
                self.R.r = main_r

    def _stance(self, d: Draft, pol: str, kw, hidden: bool = False) -> str:
        """One sentence of opinion about what the turn is about ("the SSO piece
        looks manageable"), from one pool per side and polarity whatever the cues."""
        R = self.R
        if d.side == "seller":
            key = f"moment.seller.{pol}"
        else:
            phase = "open" if d.i <= self.agenda_turn + 1 else "end" if d.i >= self.ns_turn else "body"
            key = f"moment.{pol}.{phase}"
        # {thing} is what the turn is about (an objection's topic too: "the business case makes sense
        # now"); {area} a part of the product, what an effort or feature template says ("good news on
        # {area}: most of it is already built"), each drawn only when the template says it
        return R.say(key, dict(kw, thing=lambda: self._thing(d, pol, hidden),
                               area=lambda: self._thing(d, pol, hidden, area=True)))

    def _thing_key(self, topic: str, objection: bool, area: bool) -> str | None:
        """The bank of things a topic of the turn gives: an objection's of its arc's facet
        first (`moment.thing.build`: a buyer who means to build it in house is not asked
        about "the side-by-side comparison"). An `area` is a part of the product or of its
        rollout, what the effort and feature templates say ("good news on {area}: it's mostly
        configuration"): an objection's from `moment.area`, none where the objection names
        no part of the product (the price, the sign-off); the work's things are its parts."""
        R = self.R
        facet = self._facet(topic, self._arc_of(topic)) if objection else None
        base = "moment.area" if area and objection else "moment.thing"
        return R.first_key(*([f"{base}.{facet}"] if facet else []), f"{base}.{topic}")

    def _thing(self, d: Draft, pol: str = "pos", hidden: bool = False, area: bool = False) -> str:
        """What the turn is about, as a noun phrase: the objection of its beat,
        else something of the call's work or of its objections that the call
        has already named (an opinion on "the security review" in the greeting
        comes out of nowhere), else "this". A buyer speaking well of a topic
        is never the one objecting to it in this call (unless the moment hides
        a concern: its words and cues disagree by plan). With `area`, a part of
        the product (`_thing_key`)."""
        R = self.R
        here = [self._thing_key(b.key, True, area) for b in self.beats_at.get(d.i, [])
                if b.kind.startswith("objection_")]
        keys = [k for k in here if k]
        if keys:
            return R.phrase(keys[0] if len(keys) == 1 else rng.pick(R.r, keys))
        mine = {b.key for b in self.call.beats if b.kind in ("objection_raised", "objection_reopened",
                                                              "objection_stalled") and b.speaker == d.p.id}
        topics = [self.work] + sorted(self.raised_here)
        if pol == "pos" and not hidden and d.side != "seller":
            topics = [t for t in topics if t not in mine]
        if pol == "neg" and d.side != "seller":
            # a buyer's doubt is about their own concerns, never a feature the rep showed ("the search
            # gives me pause"), nor an objection the call already settled: resolved or answered is not
            # called open ("ich komme immer wieder auf die Gegenüberstellung zurück; das ist für mich nicht
            # geklärt" the turn after the rep addressed it; test_reader17_labels), unless it came back
            done = ("objection_resolved", "objection_addressed")
            settled = {b.key for b in self.call.beats if b.kind in done and b.turn < d.i}
            again = {b.key for b in self.call.beats if b.kind in ("objection_reopened", "objection_stalled",
                                                                  "objection_unaddressed") and b.turn < d.i}
            topics = [t for t in topics if t != "demo" and (t not in settled or t in again)]
        named = [(k, t) for k in (self._thing_key(x, x != self.work, area) for x in topics) if k
                 for t in R.bank[k] if self._heard(_plain_tail(t))]
        if not named:
            return R.first_entry("moment.thing.said")
        k, t = named[0] if len(named) == 1 else rng.pick(R.r, named)
        return R.render(t, cap=False)

    def _heard(self, phrase: str) -> bool:
        """`phrase in self.said`, each search only over what was said since the
        last one (`said` only grows: a phrase found stays found)."""
        if not phrase:
            return True
        said, seen = self.said, self.heard
        st = seen.get(phrase)
        if st is True:
            return True
        if said.find(phrase, 0 if st is None else max(0, st - len(phrase) + 1)) >= 0:
            seen[phrase] = True
            return True
        seen[phrase] = len(said)
        return False

    def _lead(self, d: Draft) -> None:
        """A cue planned mid-turn needs words before it: when the moment's (or
        the colour's) words open the turn, a short acknowledgment goes first."""
        item = d.moment if d.moment is not None else d.colour
        if item is None or item.place != "mid" or d.head or d.bc or "INTERRUPTS" in item.cues:
            return
        if d.core and not any(t[0] in ("moment", "colour") for t in d.core[0][1]):
            return  # other words come first (a small-talk answer): the cue falls mid-turn already  # a cut-in opens with its own words ("Sorry to cut in"), no acknowledgment first
        key = (self._ack_short(d, self._heard_bad_news(d)) if d.side == "seller"
               else self.vkey("voice.ack", self.voice[d.p.id]))
        d.add(d.head, self.R.say(key, d.slots))

    def _respond(self, d: Draft, pend, kw, v: str, brief: bool) -> None:
        """What the buyer says to the seller's previous turn."""
        R = self.R
        kind = pend[0] if pend else None
        where = d.head if brief else d.core
        vw = VOICE_WEIGHT.get(v, 1.0)
        if kind in ("q", "q_follow"):
            topic = pend[1]
            more = R.first_key(f"disc.{topic}.more", "disc.open.answer")
            # "Good question." only right after the question (not after a backchannel, nor a statement)
            opener = R.say(self.vkey("voice.open", v), kw) if (not brief and self.prev_asked and R.chance(0.4)) else ""
            ans = (R.say_at(*self._paired(f"disc.{topic}.ask", f"disc.{topic}.answer", "disc.open.answer", pend[2:3]), kw)
                   if kind == "q" else R.say(more, kw))
            if opener and not ans.lower().startswith(R.lex.classify.hedges + R.lex.classify.joins or ("\0",)) \
                    and not (candid(R, opener) and candid(R, ans)):  # not "Ehrlich gesagt, ich bin ehrlich gesagt"
                d.add(where, opener, (), True)  # "Kurz gesagt:" not before "Offen gesagt, ..." nor "Und ..."
            d.add(where, ans)
            if not brief:
                self.shape(d, 1.2 * vw, int(130 * vw), [more, self.anecdote, more, self.vkey("voice.more", v),
                                                        self.peer_key(kw), more, self.vkey("voice.want", v)])
                if R.chance(0.25):
                    d.add(d.tail, R.say(self.vkey("voice.tail", v), kw), (), True)
            self.pending = ("ans", topic)
        elif kind == "buyer_cont":
            topic = pend[1]
            same = pend[2] == d.p.id
            more = R.first_key(f"disc.{topic}.more", "disc.open.answer")
            if not same:
                d.add(where, R.say("cont.buyer_other", kw))
            elif pend[3]:  # cut off by the backchannel: picks the thought back up
                d.add(where, R.say("cont.buyer", kw), (("resumption", None),))
            d.add(where, R.say(more if same else R.first_key(f"disc.{topic}.answer", "disc.open.answer"), kw))
            self.shape(d, vw, int(110 * vw), [more, self.anecdote, self.vkey("voice.more", v)])
            self.pending = ("ans", topic)
        elif kind == "show":
            self.shape(d, 0.9 * vw, 75, [self.vkey("demo.react_more", v), self.anecdote, self.vkey("voice.more", v),
                                         self.peer_key(kw)])
            self.pending = ("react",)
            nxt = d.i + 1
            free = nxt < self.n and self.sp[nxt].side == "seller" and nxt not in self.held
            # the question of the persona's own voice, or now and then of a voice of its pool (as `_ask`)
            src = v if self.shown[d.p.id] < MIN_SHOWN or R.r.random() < OWN_TOPICS \
                else pooled(R.r, v, self.pools.get(d.p.id))
            ask = self._react_ask(src) if (free and R.chance(VOICE_ASKS.get(v, 0.3))) else None
            if ask is not None:  # a question about what was shown: the seller answers it next
                topic, t, idx = ask
                d.add(d.tail, self.exact(R.render(t, kw)), (("question", topic),))
                self._shows(d, topic)
                self.asked.add(f"bq:{topic}")
                self.pending = ("bq", topic, idx)
            else:
                d.add(where, R.say(self.vkey("demo.react", v), kw))
            if v == "champion":
                d.pol = 1
        elif kind in ("terms", "signoff") and self.cool_now:
            # the paperwork of a deal going nowhere: reserve, in the form the question asked ("How long
            # does legal take?" is not answered "Maybe.")
            if question_form(R.loc, self.last_q) == "open":  # a deflection that names what was asked about
                what = R.phrase(f"{kind}.{pend[1]}.name")
                d.add(where, R.say("cool.reply_open", dict(kw, what=what, what_low=R.lex.lower_first(what))))
            else:
                d.add(where, R.say("cool.reply", kw))
            self.shape(d, 0.7 * vw, 60, ["cool.more"])
            self.pending = ("react",)
        elif kind in ("terms", "signoff"):
            d.add(where, R.say_at(*self._paired(f"{kind}.{pend[1]}.ask", f"{kind}.{pend[1]}.reply", f"{kind}.reply",
                                                pend[2:3]), kw))
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
            if len(pend) > 1:  # the answer to the question asked
                d.add(where, R.say_at("smalltalk.reply", pend[1], kw))
            else:
                d.add(where, R.say("smalltalk.more", kw))
            self.shape(d, 0.3, 40, ["smalltalk.more"], grow=False)
            self.pending = ("chat",)
        elif kind == "filler_q":
            joins = any(b.kind == "introduce_stakeholder" for j, bs in self.beats_at.items() if j > d.i for b in bs)
            d.add(where, R.say_at("open.filler_reply_join" if joins else "open.filler_reply", pend[1], kw)
                  or R.say("agenda.ok.neutral", kw))
            d.fills, d.weight = [], 0
            self.pending = None
        elif kind == "ref_check":
            d.add(where, R.say(self.vkey("reference.reply", v), kw))
            self.shape(d, 0.5, 50, [self.vkey("voice.more", v)])
            self.pending = ("ref_ok",)
        elif kind == "agenda":
            key = self.vkey("agenda.ok", v)
            if self.work not in AGENDA_WORK.get(key.rsplit(".", 1)[-1], (self.work,)):
                key = "agenda.ok.neutral"
            d.add(where, R.say(key, kw))
            if not brief and R.chance(0.5):
                d.add(where, R.say("agenda.add", kw), (), True)
            d.fills, d.weight = [], 0
            self.pending = ("agenda_ok",)
        elif kind == "nextsteps":
            # every reply naming a day vetoed (`_unproposed`): a plain yes
            d.add(where, R.say("nextsteps.reply_cool" if self.cool else "nextsteps.reply", kw)
                  or R.say("agenda.ok.neutral", kw))
            d.fills, d.weight = [], 0
            self.pending = ("nextsteps_ok",)
        elif kind in ("wrap", "wrap_more"):
            # "Anything else?" is answered ("Nothing else from me."), never with a goodbye or a "you too": the
            # goodbye is the seller's close; what the seller will do next gets a plain yes
            key = ("wrap.more_reply" if kind == "wrap_more" else "wrap.reply") + ("_cool" if self.cool else "")
            d.add(where, R.say(key, kw))
            d.fills, d.weight = [], 0
        elif kind == "close":
            key = "close.buyer_cool" if self.cool else "close.buyer"
            d.add(where, R.say(key, kw) or R.say(key, kw))
            d.pol = 0 if self.cool else 1
            d.fills, d.weight = [], 0
        else:
            d.add(d.head, R.say(self.vkey("voice.ack", v), kw), (), brief)  # a reaction: left out when cutting in
            if not brief and d.i > self.agenda_turn:
                d.add(where, R.say(self.vkey("voice.more", v), kw), (), True)
            self.pending = ("react",)

    def _vetoed(self, text: str, kw: dict | None) -> bool:
        """Whether a drawn sentence contradicts what was said (`Drafter.veto`),
        or, in a buyer's turn of the last call of a lost or stalled deal, leans
        towards buying ("I'd want to baseline conversion before and after the
        pilot"; a seller's planned next steps may carry the label), or, in a
        buyer's turn that accepts an answer or leans in, pushes back ("That
        timing works for us. ... I'm not sure what's broken")."""
        return self._unproposed(text, kw) or self._other_term(text, kw) or self._not_theirs(text, kw) or \
            (self.dead and self.buyer_now and "buying_intent" in self.R.categories_of(text)) or \
            (self.accepting_now and not PUSHBACK.isdisjoint(self.R.categories_of(text)))

    def _not_theirs(self, text: str, kw: dict | None) -> bool:
        """Whether a sentence says that a colleague whose role does not run the
        CRM runs it ("Blake runs HubSpot" of the CISO; the lexicon's `role_claims.crm`)."""
        if not kw or not kw.get("peer") or "crm" not in not_claims(self.R.loc, kw.get(PEER_TITLE) or ""):
            return False
        verbs = (self.R.lex.classify.role_claims.get("crm") or {}).get("verbs") or ()
        crm = str(self.R.slots.get("crm") or "")
        if not verbs or not crm or crm not in text or kw["peer"] not in text:
            return False  # (every match says both: most sentences are passed by without a pattern of the account)
        return re.search(r"\b" + re.escape(kw["peer"]) + r" (?:" + "|".join(map(re.escape, verbs)) + r") (?:\S+ ){0,2}"
                         + re.escape(crm), text) is not None

    def _recast(self, d: Draft) -> None:
        """A buyer's turn as their role says it: the front line is not the own
        staff of a role that does not manage it ("my 66 team leads" from a Head
        of Security is "our 66 team leads"; the lexicon's `role_claims.staff`),
        whichever bank or slot the sentence came from."""
        if "staff" not in not_claims(self.R.loc, d.p.role or ""):
            return
        if self._staff is None:
            self._staff = self._staff_pattern()
        rx, mine = self._staff
        if rx is None:
            return
        own = _staff_own(tuple(mine))

        def ours(m: re.Match) -> str:
            w = m.group()
            to = mine[w.lower()]
            return to[:1].upper() + to[1:] if w[:1].isupper() else to
        for part in (d.head, d.core, d.body, d.tail):
            for j, (text, tags, opt) in enumerate(part):
                if own.search(text) is None:
                    continue  # every match of `rx` is one of `own` (most sentences have none)
                if rx.__class__ is not re.Pattern:
                    rx = rx()
                    self._staff = (rx, mine)
                new = rx.sub(ours, text)
                if new != text:
                    self.R.carry(text, new)
                    part[j] = (new, tags, opt)

    def _staff_pattern(self) -> tuple[Any, dict[str, str]]:
        """The first-person possessives before the account's front line ("my
        team leads", "my 25 reps", "my six people"): the lexicon's staff words,
        the account's own (the people slot), and nouns that are the front line
        after one of the account's head counts."""
        R = self.R
        c = R.lex.classify.role_claims.get("staff") or {}
        mine = {str(k).lower(): str(v) for k, v in (c.get("mine") or {}).items()}
        if not mine:
            return None, {}
        words = [str(w) for w in c.get("words") or ()] + [str(R.slots.get(k) or "") for k in ("people", "people_dat")]
        counts = [str(R.slots.get(k) or "") for k in ("reps", "managers", "seats")]
        # compiled at the first sentence `_recast` finds a possessive in (`_staff_own`): many calls have none
        return partial(_staff_rx, tuple(mine), tuple(words), tuple(counts), tuple(c.get("counted") or ())), mine

    def _other_term(self, text: str, kw: dict | None) -> bool:
        """Whether a sentence names a price's term (`term_family.<term>`) other
        than the one its turn has named so far, and not that one too: "three
        times the annual number" is not followed by "the annual term" on the
        order form; "a one-year term, and a three-year term brings the price
        down" compares the two."""
        d = self.draft_of.get(id(kw)) if kw and self.term_words else None
        # a turn with nothing drafted yet has named no term (the first sentence of each turn: no look at `text`)
        if d is None or not (d.head or d.core or d.body or d.tail) or not _names_a_term(self.any_term, text):
            return False
        new = {name for name, rx in self.term_words if rx.search(text)}
        if not new:
            return False
        before = " ".join(seg[0] for part in (d.head, d.core, d.body, d.tail) for seg in part)
        old = {name for name, rx in self.term_words if rx.search(before)}
        return bool(old) and not old & new

    def _unproposed(self, text: str, kw: dict | None) -> bool:
        """Whether a buyer's sentence names a meeting day (the call's {day} or
        {meet}) that no seller has said so far (`Drafter.veto`)."""
        if not kw or kw.get("me") not in self.buyer_names:
            return False
        low = text.lower()
        for v in self.dates:
            if v in low and v not in self.seller_said:
                return True
        return False

    def _react_ask(self, v: str) -> tuple[str, Any, int | None] | None:
        """A voice's question about a feature just shown, on a topic not yet
        asked in this call: (topic, template, the place of its answer in
        `bq.{topic}.answer`). An entry naming its `answer` is answered with
        that one ("Is that in the base tier?" not with a three-year total);
        else any of the topic's answers."""
        R = self.R
        opts = [e for e in R.bank.get(f"demo.react_ask.{v}") or () if f"bq:{e['topic']}" not in self.asked]
        if not opts:
            return None
        e = rng.pick(R.r, opts)
        return e["topic"], rng.pick(R.r, e["say"]), e.get("answer")

    def _may_ask(self, d: Draft, v: str) -> bool:
        i = d.i
        if not (self.agenda_turn < i < self.ns_turn - 1):
            return False
        if (i + 1) in self.held or (i + 1) in self.beats_at or i + 1 >= self.n or self.sp[i + 1].side != "seller":
            return False  # a question goes to a seller who answers next
        if self.pending and self.pending[0] in ("agenda_ok",):
            return False
        return self.R.chance(VOICE_ASKS.get(v, 0.3))

    def _shows(self, d: Draft, topic: str) -> None:
        """Count a question of the persona's own topics (any, for a persona that
        shows by asking) as a turn that shows it."""
        if topic in self.trait[d.p.id].topics or self.trait[d.p.id].asks:
            self.shown[d.p.id] += 1

    def _trait_due(self, d: Draft) -> str | None:
        """A topic of the persona's own when its traits have shown in fewer than
        MIN_SHOWN turns and its remaining turns would not leave room to show
        them (so a persona label is evidenced by behaviour), else None."""
        pid, i = d.p.id, d.i
        need = MIN_SHOWN - self.shown[pid]
        topics = [t for t in self.trait[pid].topics if f"bq:{t}" not in self.asked and self.R.has(f"bq.{t}.ask")]
        if need <= 0 or not topics or not (self.agenda_turn < i < self.ns_turn - 1):
            return None
        if i + 1 >= self.n or self.sp[i + 1].side != "seller" or (i + 1) in self.held or (i + 1) in self.beats_at:
            return None
        left = sum(1 for j in range(i + 1, self.ns_turn - 1) if self.sp[j].id == pid and j not in self.beats_at
                   and self.sp[j + 1].side == "seller" and (j + 1) not in self.beats_at)
        return rng.pick(self.R.r, topics) if left < need + 1 else None

    def _trait_line(self, d: Draft) -> str | None:
        """The persona's own `voice.more` bank (never another voice of its pool)
        when its traits have shown in fewer than MIN_SHOWN turns and its
        remaining substantive turns are too few to show them, else None."""
        pid, i = d.p.id, d.i
        need = MIN_SHOWN - self.shown[pid]
        key = f"voice.more.{self.voice[pid]}"
        if need <= 0 or not d.p.persona or set(d.beats) & NOT_SHOWN \
                or (self.cool_now and (self.trait[pid].manner or "buying_intent" in self.trait[pid].signals)) \
                or self._signed_quiet(self.voice[pid], i):
            # a call that ends cool: no win pushed, no pilot asked for (a manner voice's lines lean in)
            return None
        # before the next steps, and never on a turn whose words carry a moment (a divergent one must not
        # also read as buying intent: "before and after the pilot")
        if not (self.agenda_turn < i < self.ns_turn) or d.moment is not None or not self.R.has(key):
            return None
        # a voice whose lines push back says none on a turn that accepts an answer or leans in (`vkey`)
        wary = self._wary(self.voice[pid])
        if wary and not ACCEPTING.isdisjoint(d.beats):
            return None
        # the turns still to come that could take such a line (never one whose words carry a moment)
        left = sum(1 for j in range(i + 1, self.ns_turn) if self.sp[j].id == pid and j not in self.mom_at
                   and not (kinds := {b.kind for b in self.beats_at.get(j, ())}) & NOT_SHOWN
                   and not (wary and kinds & ACCEPTING)
                   and not self._signed_quiet(self.voice[pid], j))
        return key if left < need else None

    @staticmethod
    def _wary(voice: str) -> bool:
        """Whether `voice`'s own lines push back (its `voice.more` key declared
        `objection`, stdlib/phrases/signal_keys.json): a reluctant adopter's, a
        defender's, a skeptic's."""
        return "objection" in key_categories(f"voice.more.{voice}")

    def _signed_quiet(self, voice: str, i: int | None = None) -> bool:
        """Whether a won deal's signing call keeps `voice`'s own line out: the
        one place that says so. A voice-flavoured bank (`vkey`, no turn) is
        plain for every voice but a champion's, whose eagerness fits a yes. A
        trait line at turn `i` (`_trait_line`) is needed for the persona to
        show at all, so only a wary voice's doubt is kept out, and only once
        the buyer has said yes."""
        if not self.signing or voice == "champion":
            return False
        return i is None or (voice in VOICE_POOLS["wary"] and self._agreed_before(i))

    def _agreed_before(self, i: int) -> bool:
        """Whether a signal or a resolved objection is planned on a turn before
        `i`: in a won deal's signing call, the buyer's yes."""
        return any(b.kind in ("buying_signal", "signal", "objection_resolved")
                   for j, bs in self.beats_at.items() if j < i for b in bs)

    def _role_ask(self, d: Draft) -> str | None:
        """The topic a buyer's role asks about at its first turn with the floor
        (a CISO security, a CFO cost), unless asked already in this call."""
        p = d.p
        if p.id in self.role_asked or not (self.agenda_turn < d.i < self.ns_turn - 1):
            return None
        nxt = d.i + 1
        if nxt >= self.n or self.sp[nxt].side != "seller" or nxt in self.held:
            return None
        topics = [t for t in role_topics(self.R.loc, p.role or "") if self.R.has(f"bq.{t}.ask")]
        fresh = [t for t in topics if f"bq:{t}" not in self.asked]
        return (fresh or topics or [None])[0]  # asked by someone else already: the role follows up

    def _ask(self, d: Draft, v: str, kw, topic: str | None = None) -> None:
        """A question of the buyer's own, in the words of its topic's bank (the
        seller's next turn answers from the paired bank)."""
        R = self.R
        if topic is None:
            skip = ("pricing_model", "contract", "roi") if self.work == "discovery" else ()
            # a persona's own topics mostly; now and then those of another voice its role may speak with
            # (lendable: a CFO asks no SCIM question), so a topic alone does not name the persona
            # (only once its traits have shown: an off-persona question never takes a showing one's place)
            src = v if self.shown[d.p.id] < MIN_SHOWN or R.r.random() < OWN_TOPICS \
                else pooled(R.r, v, self.pools.get(d.p.id))
            topics = [t for t in VOICE_TOPICS.get(src, VOICE_TOPICS["neutral"])
                      if f"bq:{t}" not in self.asked and R.has(f"bq.{t}.ask") and t not in skip]
            if not topics:
                return
            topic = rng.pick(R.r, topics)
        d.add(d.tail, self.exact(R.say(f"bq.{topic}.ask", kw)), (("question", topic),))
        self._shows(d, topic)
        self.asked.add(f"bq:{topic}")
        if topic in role_topics(R.loc, d.p.role or ""):
            self.role_asked.add(d.p.id)
        self.pending = ("bq", topic, R.last)

    def _buyer_beat(self, d: Draft, b: Beat, kw, v: str, m: Moment | None) -> None:
        R = self.R
        kind = b.kind
        tag: tuple = ((kind, b.key),)
        mtag: tuple = (("moment", m.id),) if m is not None else ()
        vw = VOICE_WEIGHT.get(v, 1.0)
        if m is not None:
            self._moment(d, m, kw)
        if kind == "small_talk":
            # good or rough news, of the season or any time; the seller's reply fits it
            tone = "rough" if R.chance(0.45 if self.call.engagement == "cooling" else 0.3) else "good"
            if d.moment is not None:  # the news has the mood the moment's words have
                tone = "good" if d.moment.polarity == "positive" else "rough"
            # rough news is now and then being swamped (`smalltalk.*.busy`): the only news the seller's
            # "We're slammed too." answers (a colleague's trip or the flu is not answered with one's own workload)
            sub = "busy" if tone == "rough" and R.chance(BUSY_P) else tone
            key = R.first_key(f"smalltalk.{self.season}.{sub}") if R.chance(0.6) else None
            news = R.say(key or f"smalltalk.any.{sub}", kw)
            if self.followed_up:  # "What's on your plate?" is not answered "Good. Long Monday."
                said, news = news, without_greeting_answer(R.loc, news)
                if news is not said:
                    R.signals[news] = R.signals.get(said) or R.categories_of(said)
                self.followed_up = False
            d.add(d.core, news, tag + mtag)
            self.pending = ("smalltalk", tone)
            if tone == "rough":
                self.rough_chat.add(d.i)
            if sub == "busy":
                self.busy_chat.add(d.i)
            self.shape(d, 0.3, 45, ["smalltalk.more" if tone == "good" else "smalltalk.more_busy"], grow=False)
        elif kind == "introduce_stakeholder":
            p = self.by_id.get(b.key or "", d.p)
            # "{you} brought me in": a buyer already on the call, never the seller listening
            host = next((x for x in [self.main_buyer, *self.P] if x.side != "seller" and x.id != p.id), None)
            skw = dict(kw, me=first_name(p.name), role=R.lex.role(p.role or "") or kw["role"],
                       you=first_name(host.name) if host else R.first_entry("fallback.dm_name"))
            d.add(d.core, R.say("intro.hello", skw), tag + mtag)
            st = R.hx.people.get(f"{self.call.account}.{p.id}") or {}
            # what the newcomer is here for: its concerns, else its role's (a CFO the
            # cost, a CISO the risk), else its voice's
            concerns = list(st.get("concerns") or []) or [x for x in [role_concern(R.loc, p.role or "")] if x]
            key = R.first_key(f"intro.concern.{concerns[0]}") if concerns else None
            d.add(d.core, R.say(key or self.vkey("intro.purpose", v), skw), (), True)
            self.pending = ("hello_new", p.id)
            self.shape(d, 0.4, 55, [self.vkey("voice.more", v)])
        elif kind == "pain":
            text = R.say(self.pain_key or R.first_key("pain.say", "pain.generic"), kw)
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
            skw = dict(kw, obj=self.obj_topic(b.key, b.arc))
            if kind == "objection_reopened":
                d.add(d.core, R.say("obj.reopen_lead", skw), tag + mtag)
            elif R.chance(0.5):
                d.add(d.core, R.say(self.vkey("obj.frame", v), skw), mtag, True)
            d.add(d.core, self._phrasing(b.key, skw, concern=m is not None and m.divergent, arc=b.arc), tag + mtag)
            if R.chance(0.6):
                d.add(d.core, R.say(self.vkey("obj.after", v), skw), (), True)
            self.pending = ("obj", b)
            self.shape(d, 0.6 * vw, 75, [self.vkey("obj.more", v)])
        elif kind == "objection_resolved":
            skw = dict(kw, obj=self.obj_topic(b.key, b.arc))
            # the arc's facet settled ("building it ourselves doesn't add up"), not another's ("the
            # side-by-side with Tallyline made it clear" to a buyer who meant to build it in house)
            facet = self._facet(b.key, b.arc)
            d.add(d.core, R.say(R.first_key(*([f"obj.facet_resolved.{facet}"] if facet else []),
                                            f"obj.resolved.{b.key}", "obj.resolved.generic"), skw), tag + mtag)
            d.add(d.core, R.say(self.vkey("obj.resolved_more", v), skw), (), True)
            self.pending = ("resolved", b)
            self.shape(d, 0.5 * vw, 60, [self.vkey("voice.more", v)])
        elif kind == "objection_stalled":
            d.add(d.core, R.say("obj.stalled", dict(kw, obj=self.obj_topic(b.key, b.arc))), tag + mtag)
            self.pending = ("react",)
            self.shape(d, 0.4 * vw, 50, [self.vkey("voice.more", v)])
        elif kind == "buying_signal":
            cat = signal_category(R.loc, b.text or "")
            if R.chance(0.5):
                d.add(d.core, R.say(self.vkey("signal.lead", v), kw), mtag, True)
            self.signal_q = None
            d.add(d.core, self._signal(b, cat, kw), tag + mtag)
            self.pending = ("signal", cat, self.signal_q)  # which of the bank's questions was asked, if one
            self.shape(d, 0.4 * vw, 55, [self.vkey("voice.more", v)])
        else:
            d.add(d.core, R.say("generic.buyer", dict(kw, x=kind.replace("_", " "))), tag + mtag)

    def _arc_of(self, key: str | None, by: str | None = None) -> str | None:
        """The arc of objection `key` this call speaks of: one of its own steps, else the
        account's arc of that objection (raised by `by`, where known): a reference to last
        call's concern names the facet that call raised."""
        arc = next((o.arc for o in self.call.objections if o.type == key and by in (None, o.by)), None)
        if arc is None:
            acct = self.R.header.account(self.call.account)
            arcs = [a for a in (acct.arcs if acct else ()) if a.objection == key]
            arc = next((a.id for a in arcs if by in (None, a.by)), arcs[0].id if arcs else None)
        return arc

    def _facets(self, key: str | None) -> list[tuple[str, list[str]]]:
        """The facets of an objection type (`obj.facets`: a competition objection
        compares vendors, defends the current tool or means to build it in
        house), each with the words that tell a phrasing of it."""
        return [(f["facet"], [w.lower() for w in f["words"]]) for f in self.R.bank.get("obj.facets") or ()
                if f.get("type") == key]

    def _facet_of(self, key: str | None, text: str) -> str | None:
        low = text.lower()
        return next((f for f, words in self._facets(key) if any(w in low for w in words)), None)

    def _facet(self, key: str | None, arc: str | None) -> str | None:
        """The facet of an arc's objection, planned with the arc: drawn from the
        arc's own stream, so the call that raises it and the later call that
        answers it agree (each call renders alone) and the answer fits what was
        raised. Only facets a template of the locale's bank says are drawn (the
        spec's prose of a facet is said too, but may be used up in a call)."""
        facets = self._facets(key)
        if not facets or not arc:
            return None
        bank_key = self.R.first_key(f"obj.raise.{key}")
        said = {self._facet_of(key, t) for t in raw_bank(self.R.loc).get(bank_key) or () if isinstance(t, str)}
        have = [f for f, _ in facets if f in said]
        return rng.pick(rng.stream(self.R.header.corpus.get("seed", 0), "objection-facet", arc), have) if have else None

    def _phrasing(self, key: str | None, kw, concern: bool = False, arc: str | None = None) -> str:
        """The objection in the spec's own phrasing or the banks'; never a
        phrasing that also reads as buying intent ("they offered us a free
        pilot"): the turn would carry contradictory labels (`concern`, a hidden
        concern's turn, is kept for the callers). A phrasing of the arc's facet
        (`_facet`), or one no facet tells."""
        R = self.R
        obj = R.header.objections.get(key or "") or {}
        facet = self._facet(key, arc)
        # an objection never reads as buying intent ("They offered us a free pilot;
        # can you match that?" was labelled both): such phrasings are not said
        phr = [p for p in (obj.get("phrasings") or []) if p not in self.used_phrases and self.in_season(p)
               and not R.categories_of(p) & NOT_WITH_CONCERN
               and self._facet_of(key, p) in (facet, None)
               and not R._own_role(p, kw.get("role"))] if R.prose else []  # "our CFO" from the CFO
        bank_key = R.first_key(f"obj.raise.{key}")
        if bank_key and facet is not None:
            raw = raw_bank(R.loc).get(bank_key) or []
            fit = {i for i, t in enumerate(raw) if isinstance(t, str) and self._facet_of(key, t) in (facet, None)}
            if fit:
                return self._raise_among(bank_key, fit, kw) if not phr or R.chance(0.4) else \
                    self._prose_phrasing(phr, kw)
        if phr and (not bank_key or R.chance(0.6)):
            return self._prose_phrasing(phr, kw)
        text = R.say(bank_key or "obj.raise.generic", kw)
        for _ in range(3):  # another of the bank's phrasings
            if not R.categories_of(text) & NOT_WITH_CONCERN:
                break
            text = R.say(bank_key or "obj.raise.generic", kw)
        return text

    def _prose_phrasing(self, phr: list[str], kw) -> str:
        """One of the spec's phrasings, said with the account it comes from ("For Maplemark,
        which of our tools would this retire?"): every account of a spec shares the catalog's
        phrasings, its sentences must not."""
        R = self.R
        p = rng.pick(R.r, phr)
        self.used_phrases.add(p)
        return R.say("obj.prose", dict(kw, p=p, p_low=R.lex.lower_first(p))) if R.has("obj.prose") else p

    def _raise_among(self, key: str, fit: set[int], kw) -> str:
        """A template of `key` among the indices `fit` (an arc's facet), drawn as
        `say` draws: the others are marked used for the draw."""
        R = self.R
        prev = set(R.used.get(key) or ())
        free = sorted(fit - prev) or sorted(fit)
        R.used[key] = set(range(len(R.bank[key]))) - set(free)
        text = ""
        for _ in range(3):  # never one that also reads as buying intent
            text = R.say(key, kw)
            if not R.categories_of(text) & NOT_WITH_CONCERN:
                break
        R.used[key] = prev | {R.last}
        return text

    def _signal(self, b: Beat, cat: str, kw) -> str:
        R = self.R
        text = (b.text or "").strip().rstrip(".")
        if not R.prose or not text:
            said = R.say(R.first_key(self._signal_banks(cat)[0], "signal.q.general") or "signal.q.general", kw)
            self.signal_q = R.last if said else None
            return said
        key, q = R.prose.signal(text)
        if key == "signal.en.wh" and prose_form(R.loc, q) == "question":
            # "asks how is the rollout handled": asked as a question of its own, not after "I'd love to know"
            key, q = "signal.en.wh_direct", q[0].upper() + q[1:] + "?"
        return R.render(R.template(key), dict(kw, q=q))


