"""Conversational dynamics written into a call's finished turns, before the
evidence offsets are final: fillers ("um", "äh") and false starts ("We— we")
at rates the speaker's persona and the locale set, interruptions (cued
INTERRUPTS, the interrupter cuts in, the interrupted turn breaks off) and
backchannels said over the other speaker.

Nothing is written inside an evidence span: a filler goes only where no span
is cut, and the spans are shifted by what is inserted before them, so every
span still quotes exactly the planned words. Every filler and false start is
recorded as a `Disfluency` of its turn, every overlap on the turn's timing.

The words are the locale's (`dyn.*` in the banks): `dyn.rate` scales the
fillers per 100 words, `dyn.case_after` says whether a sentence continuing
after a filler or a cut-off word loses its capital (English does, German
nouns must not). Randomness: `rng.stream(seed, "dynamics", call id)`, so the
dynamics never shift the words the rest of the renderer chose."""

from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter
from typing import Any

from corpusc.plan import rng
from corpusc.render.model import Disfluency, whole
from corpusc.render.template.language import alternation
from corpusc.render.template.lexicon import FillerScan, filler_pattern, filler_start

SELLER_RATE = 1.4  # fillers per 100 words of a rep or agent (professional speakers hesitate less)
BUYER_RATE = 2.4  # a buyer or caller without a persona
HESITATION_RATE = 11.0  # a persona's fillers per 100 words: 1 + this x `speech.hesitation` (5% -> 1.55, 30% -> 4.3)
FALSE_START_SHARE = 0.18  # false starts per filler
INTERRUPT_P = {"high": 0.07, "medium": 0.035, "low": 0.015}  # per eligible turn, by the persona's energy
SELLER_INTERRUPT_P = 0.02
BACKCHANNEL_MIN_WORDS = 3  # a backchannel is said over any other speaker's turn of at least this many words
MIN_INTERRUPTED_WORDS = 10
ALLOWANCE_SHARE = 0.025  # fillers and false starts: about 2.5 words per 100
CUT_IN_WORDS = 4  # "Sorry, can I jump in here?"
CUT_IN_MIN_WORDS = 8  # a cut-in says "Sorry to cut in" only before at least this many words of its own
ASK_LEAD_P = 0.3  # a cut-in before a turn that asks something: share whose lead announces the question
CUT_IN_TRIES = 6  # draws for a cut-in that neither thanks nor apologizes, in a turn that says one already
NEAR = 8  # characters kept between two disfluencies ("Uh, uh," is one too many)
# a sentence this long is heard as itself: a filler or false start never lengthens a shorter sentence to it,
# since the short stock lines ("I booked a meeting room.") would then recur word for word, "um" and all, in
# call after call; the hesitation goes into a longer sentence of the turn (or a short one that stays short)
WHOLE_WORDS = 6
HANDOFF_P = 0.7  # share of turns after a colleague's (buyer after buyer, rep after rep) that say so
INTERRUPTION_FIELDS = ("interruptions", "Interruptions_count", "interruptions_count")  # a planned count

_START = itemgetter(1)
OWN = "filler:own"  # a filler the words drawn for a sentence say ("Tja,", "Hm, let me think"): lexicon.filler_pattern
# where a sentence starts / a phrase after a comma starts: the end of each match (the lead-in is
# matched, not looked behind for: the engine then skips to the next stop or comma instead of
# trying every position); see `_first`. The text's own start, where a word character opens it, is
# a sentence's too: `_first` adds it (a `^` branch here kept the engine from skipping to the stops)
_SENT = re.compile(r"[.?!] (?=\w)")
_OPENS = re.compile(r"\w").match
_COMMA = re.compile(r", (?=[^\W\d_])")
LEAD = 2  # characters of `_SENT`'s and `_COMMA`'s lead-in
_ENDS = re.compile(r"[.?!…](?= |$)")
_LAST_STOP = re.compile(r"(?s:.*)[.?!…] ").match  # the last stop and its space (greedy: from the end back)
_WORDS = re.compile(r"\w+(?:['’-]\w+)*")
# at least k of `_WORDS`' words, one anchored match (k = 0 .. WHOLE_WORDS): each part possessive, so a
# word is taken whole as `findall` takes it and never split to make up the count (`_stays`)
_AT_LEAST = tuple(re.compile(rf"(?:\W*+\w++(?:['’-]\w++)*+){{{k}}}").match for k in range(WHOLE_WORDS + 1))
# a sentence that opens with a word and a comma ("Tja,", "Okay,", "Well,") has its lead-in already: a
# filler before it stacks two ("Äh, Tja, also" — reader17, the contact center's German callers)
_LEADS_IN = re.compile(r"\w+(?:['’-]\w+)*,").match


class Spoken:
    """A finished turn the dynamics may still change: its text, evidence spans
    ([start, end] by (kind, key)) and what the dynamics add."""
    __slots__ = ("d", "speaker", "text", "spans", "dis", "cues", "bc", "over", "cut", "tone", "head", "edits")

    def __init__(self, d, text: str, spans: dict, cues: list[str], head: int = 0):
        self.d, self.text, self.spans, self.cues = d, text, spans, cues
        self.speaker: str = d.p.id  # read for every turn by each dynamic and the timing: kept, not looked up
        self.head = head  # where the turn's own words begin: before, its reaction to the turn before ("Thanks, Dana.")
        self.dis: list[list] = []  # [kind, start, end]; kind `_lock`: words no disfluency may enter
        self.bc = bool(d.bc)
        self.over = False  # said over the turn before (render/timing.py places it inside that turn)
        self.cut = False  # and that turn breaks off where it starts: an interjection, timed at the break
        self.tone = 0
        # [start, end] of each part of the text written since the turn was put together, kept only when
        # the words as put together say no filler (`FillerScan.may`; else None): `_made_fillers` looks there
        self.edits: list[list[int]] | None = None

    def free(self, pos: int, touch: bool = False) -> bool:
        """May text be inserted at `pos` (no span is cut)? `touch`: the
        character at `pos` is also changed, so no span may start there."""
        if touch:
            for s, e in self.spans.values():
                if s <= pos < e:
                    return False
            for k, s, e in self.dis:
                if s <= pos < e or (k[0] != "_" and s - NEAR < pos < e + NEAR):
                    return False
            return True
        for s, e in self.spans.values():
            if s < pos < e:
                return False
        for k, s, e in self.dis:
            if s < pos < e or (k[0] != "_" and s - NEAR < pos < e + NEAR):
                return False
        return True

    def insert(self, pos: int, s: str, mark: tuple[str, int, int] | None = None) -> None:
        """Insert `s` at `pos`, shifting every span at or after it; `mark`:
        (kind, start, end) of the disfluency within `s`."""
        n = len(s)
        self.text = self.text[:pos] + s + self.text[pos:]
        if self.edits is not None:
            for x in self.edits:
                if x[0] >= pos:
                    x[0] += n
                    x[1] += n
                elif x[1] > pos:
                    x[1] += n
            self.edits.append([pos, pos + n])
        for sp in self.spans.values():
            if sp[0] >= pos:
                sp[0] += n
                sp[1] += n
        for x in self.dis:
            # words inserted at a mid-turn cue follow it ("[hesitant] Um, the price"), unless they are a
            # sentence of their own ("Äh."): the cue stays with the words it was planned on
            if x[1] > pos or (x[1] == pos and (x[0] != "_at" or s.rstrip().endswith((".", "!", "?", "…")))):
                x[1] += n
                x[2] += n
        if mark is not None:
            self.dis.append([mark[0], pos + mark[1], pos + mark[2]])

    def drop_head(self) -> bool:
        """Leave out the turn's reaction to the turn before, as a speaker cutting
        in does ("Sorry to cut in. Thanks, Dana." thanks nobody): only when no
        span lies in it and words of the turn's own follow."""
        h = self.head
        if not h:
            return True
        if h >= len(self.text) or any(s < h for s, _ in self.spans.values()) or \
                any(x[1] < h and (x[0] != OWN or x[2] > h) for x in self.dis):
            return False
        n = h + 1 if self.text[h:h + 1] == " " else h
        self.dis = [x for x in self.dis if x[1] >= h]  # a filler of the reaction left out goes with it
        self.text = self.text[n:]
        for sp in self.spans.values():
            sp[0] -= n
            sp[1] -= n
        if self.edits is not None:
            for x in self.edits:
                x[0] = x[0] - n if x[0] > n else 0
                x[1] = x[1] - n if x[1] > n else 0
            self.edits.append([0, 0])  # the words now first open the turn
        for x in self.dis:
            x[1] -= n
            x[2] -= n
        self.head = 0
        return True

    def changed(self, text: str, pos: int) -> None:
        """`text` for the turn's, the character at `pos` changed (a word
        lower-cased, `_lower`; the stop made a dash, `_break_off`): an edit,
        or when more changed (another length) no edits are kept."""
        old, self.text = self.text, text
        if self.edits is not None:
            if len(text) == len(old) and text[pos + 1:] == old[pos + 1:]:
                self.edits.append([pos, pos + 1])
            else:
                self.edits = None

    def disfluencies(self) -> list[Disfluency]:
        dis = [x for x in self.dis if x[0][0] != "_"]
        if not dis:
            return []
        if len(dis) > 1:
            dis.sort(key=_START)
        return [whole(Disfluency, {"kind": "filler", "start": s, "end": e, "inserted": False}) if k == OWN else
                whole(Disfluency, {"kind": k, "start": s, "end": e, "inserted": True}) for k, s, e in dis]


def rates(R, call) -> dict[str, float]:
    """Fillers per 100 words of each participant: a persona's hesitation,
    else the side's default, jittered per speaker, scaled by the locale."""
    personas = R.header.personas
    scale = float(R.bank.get("dyn.rate") or 1.0)
    r = rng.stream(R.header.corpus.get("seed", 0), "dynamics.speakers", call.id)
    out = {}
    for p in call.participants:
        speech = (personas.get(p.persona) or {}).get("speech") or {} if p.persona else {}
        if speech.get("hesitation") is not None:
            base = 1.0 + HESITATION_RATE * float(speech["hesitation"])
        else:
            base = SELLER_RATE if p.side == "seller" else BUYER_RATE
        out[p.id] = base * (0.8 + 0.4 * r.random()) * scale
    return out


def interrupt_chance(R, p) -> float:
    if p.side == "seller":
        return SELLER_INTERRUPT_P
    speech = ((R.header.personas.get(p.persona) or {}).get("speech") or {}) if p.persona else {}
    return INTERRUPT_P.get(str(speech.get("energy") or "medium"), INTERRUPT_P["medium"])


def planned_interruptions(call) -> int | None:
    """The interruption count the plan sampled for the call (a population
    field), which the dialogue must realize exactly."""
    for k in INTERRUPTION_FIELDS:
        v = call.metadata.get(k)
        if v is not None:
            try:
                return max(0, int(v))
            except (TypeError, ValueError):
                return None
    return None


def typed(call) -> bool:
    return str(call.metadata.get("channel") or "") == "text"


def allowance(R, target: int) -> int:
    """Words the dynamics will add to a call of `target` words (fillers, the
    interrupters' cut-in phrases), which the length fit leaves room for."""
    if typed(R.call):
        return 0
    return round(target * ALLOWANCE_SHARE) + CUT_IN_WORDS * (planned_interruptions(R.call) or 0)


def apply(R, turns: list[Spoken]) -> None:
    """Write the call's dynamics into its finished turns."""
    call = R.call
    if not turns or typed(call):  # a chat: typed turns, no fillers and no talking over each other
        return
    r = rng.stream(R.header.corpus.get("seed", 0), "dynamics", call.id)
    _interruptions(R, turns, r)
    _backchannels(turns)
    _handoffs(R, turns, r)
    per100 = rates(R, call)
    fillers = filler_pattern(R.loc)
    for t in turns:
        if t.bc or len(t.text) < 12:
            continue
        _disfluencies(R, t, per100.get(t.speaker, BUYER_RATE), r)
        if fillers is not None and t.dis:
            _made_fillers(t, fillers)


def _made_fillers(t: Spoken, fillers: FillerScan) -> None:
    """Label the words an insertion made a filler: "Also ein früherer Versuch"
    with ", äh," put after its first word says "Also, äh, ein ...", and the
    "Also," that opens it now reads as one (lexicon.filler_pattern). Nearly
    every such turn says the fillers put in (which `may` cannot rule out) and
    no other: `may_besides` rules that out without the pattern's scan, near
    the turn's `edits` only where it has them."""
    if not fillers.may_besides(t.text, [(x[1], x[2]) for x in t.dis if x[0][0] != "_"], t.edits):
        return
    for m in fillers.pattern.finditer(t.text):
        s, e = m.span()
        if not any(x[1] < e and s < x[2] for x in t.dis if x[0][0] != "_"):
            t.dis.append([OWN, s, e])


def _body(turns: list[Spoken]) -> tuple[int, int]:
    """The turns after the agenda and before next steps (all of a call without
    them): greetings, small talk and goodbyes are nothing to cut in on."""
    lo = next((i for i, t in enumerate(turns) if "agenda" in t.d.beats), 0)
    hi = next((i for i, t in enumerate(turns) if "next_steps" in t.d.beats), len(turns))
    return lo, hi


def _cuts_in_with_content(t: Spoken) -> bool:
    """Whether the turn has words of its own to cut in with once its reaction
    to the turn before is left out (a turn that only says "Thanks" does not
    interrupt anyone)."""
    h = t.head
    return not h or (h < len(t.text) - 1 and not any(s < h for s, _ in t.spans.values()))


def _interruptions(R, turns: list[Spoken], r) -> None:
    n = len(turns)
    already = [i for i, t in enumerate(turns) if "INTERRUPTS" in t.cues]
    lo, hi = _body(turns)
    cand = []
    for i in range(max(2, lo + 1), min(n - 1, hi)):
        t, prev = turns[i], turns[i - 1]
        if i in already or t.bc or prev.bc or t.speaker == prev.speaker or t.d.gaps or t.cues:
            continue
        if not _cuts_in_with_content(t) or _acknowledges(R, t.text):
            continue
        if prev.d.words < MIN_INTERRUPTED_WORDS or "close" in t.d.beats:
            continue
        if prev.text.rstrip().endswith("?"):  # a question is let finish: cut off, it would go unanswered
            continue
        cand.append(i)
    planned = planned_interruptions(R.call)
    if planned is not None:
        want = max(0, planned - len(already))
        # a short call: any turn that follows another speaker's words may cut in
        taken = set(cand).union(already)  # looked up for each turn: a set, not the lists
        spare = [i for i in range(1, n) if i not in taken and turns[i].speaker !=
                 turns[i - 1].speaker and not turns[i].d.gaps and not turns[i].cues and turns[i - 1].d.words >= 3
                 and not turns[i].bc and not turns[i - 1].bc  # nobody cuts in with, or into, an "mm-hm"
                 and not _acknowledges(R, turns[i].text)]  # nor with "Sure." / "Alles klar, das hilft mir."
        chosen = _by_side(R, turns, cand, spare, want, r)
    else:
        chosen = [i for i in cand if r.random() < interrupt_chance(R, turns[i].d.p)]
    for i in sorted(chosen + [i for i in already if i > 0]):
        t, prev = turns[i], turns[i - 1]
        asked = prev.text.endswith("?")  # chosen after a question: the answer starts over its last words
        if i in chosen:
            t.cues = t.cues + ["INTERRUPTS"]
            words = t.d.words
            if t.head and t.drop_head():  # cutting in: no acknowledgment of what was cut off
                words = t.text.count(" ") + 1
            # "Sorry to cut in" only before something to say, never before an answer or an "okay, thanks"
            # a lead that announces a question ("Sorry, can I ask something?", `dyn.cut_in_ask`) only before
            # a turn that asks one, and then as often as one that does not; never before an acknowledgement
            key = "dyn.cut_in_ask" if "?" in t.text and R.has("dyn.cut_in_ask") and r.random() < ASK_LEAD_P \
                else "dyn.cut_in"
            cut = R.say(key) if R.has(key) and not asked and words >= CUT_IN_MIN_WORDS and \
                not _acknowledges(R, t.text) else ""
            rx = R.reacts
            if cut and rx is not None and rx.search(cut) is not None and rx.search(t.text) is not None:
                # a turn that thanks or apologizes already cuts in without a second ("Sorry to cut in" before
                # "Sorry, it's been a long day"): one reaction a turn (a service call's `pop.<dom>.reactions`)
                cut = next((c for c in (R.say(key) for _ in range(CUT_IN_TRIES)) if rx.search(c) is None), "")
            if cut and t.free(0):
                t.insert(0, cut + " ", ("_lock", 0, len(cut) + 1))
        if prev.bc or prev.speaker == t.speaker or asked:
            continue  # a question is let finish (a planned cut-in after a beat's own question, an early answer)
        _break_off(prev)


@lru_cache(maxsize=None)
def ack_rx(words: tuple[str, ...]) -> re.Pattern:
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # the word, at most two more, then a stop or comma: "Sure.", "Thanks a lot, ...", not "Right now I"
    return re.compile(rf"(?:{alts})\b(?:[^\w.,!?]+\w+){{0,2}}?[.,!]", re.I)


def acks_of(bank) -> re.Pattern | None:
    """`ack_rx` of a bank's `dyn.acks` (None: the bank lists none)."""
    words = bank.get("dyn.acks")
    return ack_rx(tuple(str(w) for w in words)) if isinstance(words, list) and words else None


def _acknowledges(R, text: str) -> bool:
    """Whether the turn opens by acknowledging what was said ("Sure.", "All
    right, I'll check my mail.", "Alles klar, das hilft mir.": `dyn.acks`, a
    service call's): such a turn answers, it does not cut in."""
    acks = acks_of(R.bank)
    return acks is not None and acks.match(text.lstrip()) is not None


def _by_side(R, turns: list[Spoken], cand: list[int], spare: list[int], want: int, r) -> list[int]:
    """`want` planned cut-ins among the candidate turns (`spare`: those of a
    short call, used only when `cand` runs out), as the sides make them
    (`dyn.cut_in_by.seller`): in a service call mostly the caller cuts in, the
    agent with probability `share` each and at most `max` times a call. The
    count is the plan's: when one side has too few turns, the other's make
    up the rest."""
    share = R.bank.get("dyn.cut_in_by.seller.share")
    most = R.bank.get("dyn.cut_in_by.seller.max")
    if not isinstance(share, (int, float)) or not isinstance(most, int):
        return rng.sample(r, cand + spare if len(cand) < want else cand, min(len(cand) + len(spare), want))
    agent = min(int(most), sum(1 for _ in range(want) if r.random() < share))
    picked: list[int] = []
    for side, k in (("seller", agent), ("buyer", want - agent)):
        for pool in (cand, spare):
            own = [i for i in pool if turns[i].d.side == side and i not in picked]
            got = rng.sample(r, own, min(len(own), k)) if k > 0 else []
            picked += got
            k -= len(got)
    for pool in (cand, spare):  # too few turns of a side: the others' make the plan's count
        rest = [i for i in pool if i not in picked]
        picked += rng.sample(r, rest, min(len(rest), want - len(picked))) if len(picked) < want else []
    return picked


def _break_off(prev: Spoken) -> None:
    """The interrupted speaker breaks off: the turn's last stop becomes a dash."""
    end = len(prev.text)
    if end and prev.text[-1] in ".!?":
        prev.changed(prev.text[:-1] + "—", end - 1)
        for sp in prev.spans.values():  # a span that ended the turn keeps its words, not the dash
            if sp[1] == end and sp[0] < end - 1:
                sp[1] = end - 1


def _handoffs(R, turns: list[Spoken], r) -> None:
    """A buyer who speaks after a fellow buyer (a rep after a rep) picks up
    from them: "Just to build on what Dana said." """
    for i in range(1, len(turns)):
        t, prev = turns[i], turns[i - 1]
        if t.bc or prev.bc or t.speaker == prev.speaker or t.d.side != prev.d.side or "INTERRUPTS" in t.cues:
            continue
        if r.random() >= HANDOFF_P:
            continue
        say = R.say("dyn.handoff", {"name": R.names.get(prev.speaker, "")})
        if say:
            t.insert(0, say + " ", ("_lock", 0, len(say) + 1))


def _backchannels(turns: list[Spoken]) -> None:
    """A backchannel goes over the other speaker's turn, who goes on talking;
    one the draft planned as cutting in (`d.cut`) is an interjection: the
    speaker breaks off where it starts and resumes after it. A backchannel
    that cannot go over a turn (after a colleague's, another backchannel, a
    too short turn, or one the next turn cuts into) stays a turn of its own."""
    n = len(turns)
    for i in range(1, n):
        t, prev = turns[i], turns[i - 1]
        if not t.bc or prev.bc or t.speaker == prev.speaker:
            continue
        cut_next = i + 1 < n and "INTERRUPTS" in turns[i + 1].cues  # the next turn talks over this one
        if t.d.cut and not cut_next:
            t.over = t.cut = True  # planned: the speaker breaks off at it and resumes after it
            _break_off(prev)
        elif prev.d.words >= BACKCHANNEL_MIN_WORDS and not t.cues and not cut_next:
            t.over = True


def _count(per100: float, words: int, r) -> int:
    e = per100 * words / 100.0
    k = int(e)
    return k + (1 if r.random() < e - k else 0)


def _disfluencies(R, t: Spoken, per100: float, r) -> None:
    words = t.text.count(" ") + 1
    # the fillers the turn's sentences were drawn with count towards the speaker's rate
    n = max(0, _count(per100, words, r) - ([x[0] for x in t.dis].count(OWN) if t.dis else 0))
    fs = _count(per100 * FALSE_START_SHARE, words, r)
    if not n and not fs:
        return
    lower = R.bank.get("dyn.case_after") == "lower"
    for _ in range(fs):
        _false_start(R, t, r, lower)
    for _ in range(n):
        if r.random() < 0.35:
            if _open_filler(R, t, r, lower):
                continue
        _mid_filler(R, t, r)


def _stays(text: str, pos: int, added: int) -> bool:
    """Whether the sentence holding `pos` stays on its side of WHOLE_WORDS
    when `added` words go into it (a long one stays long, a short one short)."""
    if added <= 0:  # n >= WHOLE_WORDS or n + added < WHOLE_WORDS: so is every sentence
        return True
    m = _ENDS.search(text, pos)
    end = m.end() if m else len(text)
    # after the last ". ", "? ", "! " or "… " before `pos` (max of their rfind + 1): one look back
    m = _LAST_STOP(text, 0, pos)
    start = m.end() - 1 if m is not None else 0
    # n >= WHOLE_WORDS, or not WHOLE_WORDS - added words: the words counted only as far as the answer needs
    if _AT_LEAST[WHOLE_WORDS](text, start, end) is not None:
        return True
    return added < WHOLE_WORDS and _AT_LEAST[WHOLE_WORDS - added](text, start, end) is None


def _first(pat: re.Pattern, text: str, r, ok, lead: bool = False) -> int | None:
    """The first match of `pat` at or after a random point of `text` (going
    round to its start) whose position passes `ok`; a scan of every match per
    insertion cost more than the rest of the renderer. `lead`: the position
    is the end of a match (`_SENT`, `_COMMA`: a `LEAD`-character lead-in
    before it), else its start."""
    n = len(text)
    at = 0
    if n:
        at = int(r.random() * n)  # rng.below, inlined
        if at >= n:
            at = n - 1
    if lead:
        head = pat is _SENT and _OPENS(text) is not None  # the text's start: a sentence's, before every other
        if head and not at and ok(0):
            return 0
        for m in pat.finditer(text, at - LEAD if at > LEAD else 0):
            p = m.end()
            if p >= at and ok(p):
                return p
        if head and at and ok(0):
            return 0
        for m in pat.finditer(text, 0, at):
            p = m.end()
            if ok(p):
                return p
        return None
    for m in pat.finditer(text, at):
        p = m.start()
        if ok(p):
            return p
    for m in pat.finditer(text, 0, at):
        p = m.start()
        if ok(p):
            return p
    return None


def _lower(R, text: str, pos: int) -> str:
    """`text` with the word at `pos` lower-cased, unless it is a name, an acronym or `I`."""
    return text[:pos] + R.join_lc(text[pos:])


@lru_cache(maxsize=64)
def _once_words(once: tuple) -> frozenset[str]:
    return frozenset(str(x).lower() for x in once)


def _said_once(R, f: str, text: str) -> bool:
    """Whether filler `f` is one of the words said at most once a turn (`dyn.filler_once`:
    German "also", whose second in one turn reads as a tic) and the turn says it already."""
    once = R.bank.get("dyn.filler_once")
    if not once:
        return False
    w = f.strip(",.!? ").lower()
    return w in _once_words(tuple(once)) and _whole_word_i(w).search(text) is not None


@lru_cache(maxsize=256)
def _whole_word_i(w: str) -> re.Pattern:
    """`w` as a whole word, any case: compiled once per word (a locale's few once-a-turn fillers)."""
    return re.compile(rf"(?<!\w){re.escape(w)}(?!\w)", re.I)


def _open_filler(R, t: Spoken, r, lower: bool) -> bool:
    """"Um, we looked…" at the start of a sentence."""
    f = R.phrase("dyn.filler_open")
    if not f or (" " in f and f.rstrip(",.").lower() in t.text.lower()) or _said_once(R, f, t.text):
        return False  # "I mean," once a turn
    joins = f[-1] == ","  # the sentence goes on after the filler: its first word loses its capital
    added = 0 if f.rstrip()[-1:] in ".!?…" else len(_WORDS.findall(f))  # "Um." is a sentence of its own
    alone = not added  # "Äh." said as a sentence of its own: never beside another such ("Äh. Gut. Na ja.")
    # nor "Also," before "Wissen Sie, ob ...?": set off by the comma, the sentence's own words would read as a filler
    fills = filler_start(R.loc) if joins else None
    pos = _first(_SENT, t.text, r, lambda p: t.free(p, touch=joins and lower) and _stays(t.text, p, added)
                 and not _LEADS_IN(t.text, p) and not (alone and _bare_beside(t.text, p))
                 and not (fills is not None and fills(t.text, p)), True)
    if pos is None:
        return False
    head = f[0].upper() + f[1:]
    if joins and lower:
        t.changed(_lower(R, t.text, pos), pos)
    word = head.rstrip(",.!?…")
    t.insert(pos, head + " ", ("filler", 0, len(word)))
    return True


# a sentence of one or two words ("Gut.", "Na ja.", "Alles klar!"): a listener's sound, an acknowledgement
_BARE = re.compile(r"[\w'’-]+(?:,? [\w'’-]+)?[.!](?: |$)").match


def _bare_beside(text: str, pos: int) -> bool:
    """Whether the sentence starting at `pos`, or the one ending before it, is a bare word or two."""
    if _BARE(text, pos) is not None:
        return True
    head = text[:pos].rstrip()
    if head[-1:] not in (".", "!"):
        return False
    q = max(head.rfind(". ", 0, len(head) - 1), head.rfind("! ", 0, len(head) - 1), head.rfind("? ", 0, len(head) - 1),
            head.rfind("] ", 0, len(head) - 1))  # after a cue ("[hesitant] Gut.") too
    return _BARE(head, q + 2 if q >= 0 else 0) is not None


_BEFORE: dict[str, tuple[re.Pattern, frozenset[str], re.Pattern | None]] = {}
# the characters beyond ASCII that IGNORECASE matches with an ASCII letter (İ, ı, ſ, K: tests/test_dynamics_speed.py)
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")
_WORD = re.compile(r"[\w'’-]+$")
_NOT_WORD = re.compile(r"(?s:.*)[^\w'’-]").match  # up to the last character `_WORD` does not take
_ALL_WORD = re.compile(r"[\w'’-]*\Z").match  # only characters `_WORD` takes, to the end


def _before(R) -> tuple[re.Pattern, frozenset[str], re.Pattern | None]:
    """Where a speaker may stall mid-sentence: the space before one of the
    locale's `dyn.before` words, which open a clause or a phrase ("we looked,
    uh, and the"), that word followed by another word in the same sentence;
    and the `dyn.binds` words (lower-cased) a filler never follows, since
    the phrase they open is not finished ("one of, uh, our", "thank, um, you").
    Third, the same places in an ASCII text's lower case, without IGNORECASE
    (half the scan): None unless the words' pattern holds no upper-case ASCII
    letter, no escaped letter and no character that folds to an ASCII one."""
    got = _BEFORE.get(R.loc)
    if got is None:
        words = sorted((R.render(x, cap=False) for x in R.bank.get("dyn.before") or ()), key=len, reverse=True)
        alt = alternation([w for w in words if w]) or "(?!)"
        binds = frozenset(str(w).lower() for w in R.bank.get("dyn.binds") or ())
        low = None
        if not any(c.isascii() and c.isupper() or c in _FOLDS_TO_ASCII for c in alt) and \
                re.search(r"\\[A-Za-z]", alt) is None:
            # on ASCII text, each ASCII literal matches a character as its lower case, and no other one
            # matches an ASCII character either way; the rest of the pattern reads a letter as its lower case
            low = re.compile(rf" {alt} (?=[^\W\d_]+ )")
        got = _BEFORE[R.loc] = (re.compile(rf" (?i:{alt}) (?=[^\W\d_]+ )"), binds, low)
    return got


def _ends_phrase(text: str, pos: int, binds: frozenset[str]) -> bool:
    """Whether the word ending at `pos` may end a phrase: not one that binds
    to the next (a preposition, an article, a number) and no name's part."""
    lo = max(0, pos - 40)
    if "\n" in text:  # `$` also matches before a closing newline: the search as it reads
        m = _WORD.search(text, lo, pos)
        if m is None:
            return False
        w = m.group(0)
    else:  # the same word, found from its end: after the last character no word holds
        # mostly the last space before it (when only a word's characters follow that), else the pattern's
        s = text.rfind(" ", lo, pos) + 1 or lo
        if _ALL_WORD(text, s, pos) is None:
            m = _NOT_WORD(text, lo, pos)
            s = m.end() if m is not None else lo
        if s >= pos:
            return False
        w = text[s:pos]
    # no letter is a digit (tests/test_dynamics_speed.py): a word of letters only needs no look at each
    return w.lower() not in binds and (w.isalpha() or not any(ch.isdigit() for ch in w))


def _name_at(R, text: str, pos: int) -> bool:
    """Whether a name (of someone on or around the call) is said at `pos`."""
    w = text[pos:pos + 40].split(" ", 1)[0].strip(",.?!;:—")
    return w.replace("'s", "") in R.proper()


def _mid_filler(R, t: Spoken, r) -> bool:
    """"we looked, uh, at the vendors" or "…, um, and": between phrases."""
    f = R.phrase("dyn.filler")
    for _ in range(3):  # "I mean, a couple keep, I mean, a scorecard": another one
        if not f or " " not in f or f.lower() not in t.text.lower():
            break
        f = R.phrase("dyn.filler")
    if not f or (" " in f and f.lower() in t.text.lower()) or _said_once(R, f, t.text):
        return False
    text = t.text
    added = len(_WORDS.findall(f))
    kinds = ("gap", "comma") if r.random() < 0.65 else ("comma", "gap")
    pat, binds, low_pat = _before(R)
    for kind in kinds:
        if kind == "gap":
            def gap(p: int) -> bool:
                return text[p - 1].isalnum() and t.free(p) and t.free(p + 1, touch=True) and \
                    _ends_phrase(text, p, binds) and _stays(text, p, added)
            if low_pat is not None and text.isascii():  # the same positions (an ASCII lower case keeps them)
                pos = _first(low_pat, text.lower(), r, gap)
            else:
                pos = _first(pat, text, r, gap)
            if pos is not None:
                t.insert(pos, ", " + f + ",", ("filler", 2, 2 + len(f)))  # "looked and" -> "looked, uh, and"
                return True
        else:  # after a comma, unless it follows a number ("2022, sag ich mal") or comes before a name
            pos = _first(_COMMA, text, r, lambda p: t.free(p, touch=True) and _ends_phrase(text, p - 2, binds)
                         and not _name_at(R, text, p) and _stays(text, p, added), True)
            if pos is not None:
                t.insert(pos, f + ", ", ("filler", 0, len(f)))  # ", three" -> ", uh, three"
                return True
    return False


def _false_start(R, t: Spoken, r, lower: bool) -> bool:
    """"We— we looked…": a sentence starts, breaks off and starts again."""
    cut = str(R.bank.get("dyn.cut") or "—")
    text = t.text

    def ok(pos: int) -> bool:  # the words at `pos` are said twice: none may be a span's or locked
        first = text[pos:pos + 60].split(" ", 2)
        return len(first) == 3 and first[0].isalpha() and t.free(pos, touch=True) and not _name_at(R, text, pos) \
            and _stays(text, pos, 1)
    pos = _first(_SENT, text, r, ok, True)
    if pos is None:
        return False
    ws = t.text[pos:].split(" ", 2)
    k = 2 if (r.random() < 0.35 and ws[1].isalpha() and not _name_at(R, t.text, pos + len(ws[0]) + 1)
              and _stays(text, pos, 2)) else 1
    said = " ".join(ws[:k])
    if lower:
        t.changed(_lower(R, t.text, pos), pos)
    t.insert(pos, said + cut + " ", ("false_start", 0, len(said) + len(cut)))
    at = pos + len(said) + len(cut) + 1
    t.dis.append(["_again", at, at + len(said)])  # the words said again: nothing goes inside them
    return True
