"""Speech habits: the small ways one person's sentences differ from another's
saying the same thing. Each speaker keeps, across all of its account's calls,
a few favourite openers ("Out of curiosity," / "Ehrlich gesagt:"), tags ("...,
at least for us", "..., at least at Redfold") and a habit of naming the
person addressed (banks `habit.<open|tail>.<q|s>.<side>`). Applied to a
call's finished sentences, so a stock sentence of the banks reads differently
from speaker to speaker and from account to account, as people's speech does.

Every variant keeps its sentence's signal reading: the habit banks hold no
signal term (tests/test_habits.py), an opener or tag whose slot value reads as
a signal is not used, and a changed sentence inherits its original's labels."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from corpusc.plan import rng
from corpusc.render.template.drafting import Draft
from corpusc.render.template.dynamics import _AT_LEAST, WHOLE_WORDS

# (bank kind, sentence type): the habit banks, `habit.<kind>.<type>.<side>`
KINDS = ("open", "tail")
TYPES = ("q", "s")  # a question, a statement
# a question that asks for a figure ("How many reps...?"): its tags besides the question's (", roughly")
FIGURE = "qn"
FAVOURITES = (2, 5)  # how many of a bank's entries one speaker favours (lo, hi)
MAX_REUSE = 2  # times one favourite opener or tag is said in a call
PER_THOUGHT = 3  # sentences of a turn per chance of one more opener and tag
MIN_WORDS = 4  # shorter sentences ("Sounds good.") are said as they are
# sentences whose words are a label's subject: a resumption ("So, as I was saying"), a moment's or
# colour's opinion words (the cues, not the wording, tell congruent from divergent)
SKIP_TAGS = frozenset({"resumption", "moment", "colour"})
_END = re.compile(r"[.!?](?= |$)")
_LAST_STOP = re.compile(r"(?s:.*)[.!?] ").match  # the last stop and its space (greedy: from the end back)
_WORDS = re.compile(r"\w+(?:['’-]\w+)*")


def _stays(sentence: str, added: str) -> bool:
    """Whether a sentence stays on its side of WHOLE_WORDS with `added` said
    in it: a habit never lengthens a short stock line ("Glad we found a slot.")
    into one heard word for word in call after call ("…, Jordan.")."""
    # n >= WHOLE_WORDS, or not WHOLE_WORDS - k words: the words counted only as far as the answer needs
    # (`_AT_LEAST[k]` matches where `_WORDS.findall` finds k or more: tests/test_dynamics_speed.py)
    if _AT_LEAST[WHOLE_WORDS](sentence) is not None:
        return True
    k = _count(added)
    return k < WHOLE_WORDS and _AT_LEAST[WHOLE_WORDS - k](sentence) is None


@lru_cache(maxsize=4096)
def _count(added: str) -> int:
    """The words of a habit's phrase (made once per phrase)."""
    return len(_WORDS.findall(added))


class Habit:
    """One speaker's habits (stable over the account's calls: its own stream)."""
    __slots__ = ("open", "tail", "name", "favs")

    def __init__(self, S: Any, pid: str, side: str):
        R = S.R
        r = rng.stream(R.header.corpus.get("seed", 0), "render.habit", S.call.account or S.call.id, pid)
        # the share of a speaker's turns with one of its openers, with a tag, with the addressee's name
        self.open = 0.3 + 0.4 * r.random()
        self.tail = 0.25 + 0.35 * r.random()
        self.name = (0.15 if side == "seller" else 0.08) + 0.15 * r.random()
        self.favs: dict[str, list] = {}
        for bank in [f"{kind}.{typ}" for kind in KINDS for typ in TYPES] + [f"tail.{FIGURE}"]:
            lst = R.bank.get(f"habit.{bank}.{'seller' if side == 'seller' else 'buyer'}") or []
            k = min(len(lst), FAVOURITES[0] + rng.below(r, FAVOURITES[1] - FAVOURITES[0] + 1))
            self.favs[bank] = rng.sample(r, lst, k) if lst else []


_CACHE: dict[tuple, tuple[Any, Habit]] = {}


def _habit(S: Any, pid: str, side: str) -> Habit:
    """A speaker's habits, made once for all of its account's calls (they
    depend only on the account's facts and the speaker)."""
    R = S.R
    key = (id(R.header), R.loc, S.call.account or S.call.id, pid, side)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is R.header:
        return hit[1]
    if len(_CACHE) > 4096:
        _CACHE.clear()
    h = Habit(S, pid, side)
    _CACHE[key] = (R.header, h)
    return h


def habits(S: Any, drafts: list[Draft]) -> None:
    """Each speaker's turns, said with its habits: in the body of the call, per
    turn at most one favourite opener and one tag, anywhere at most one use of
    the addressee's name, on sentences long enough to carry them."""
    R = S.R
    r = R.r
    rand = r.random
    by_speaker: dict[str, tuple[Habit, dict[int, int]]] = {}  # speaker -> (habits, favourites said this call)
    lo, hi = S.agenda_turn, S.ns_turn
    keep = S.keep
    proper = names(R)
    for d in drafts:
        if d.bc:
            continue
        _frank_once(R, d)
        e = by_speaker.get(d.p.id)
        if e is None:
            e = by_speaker[d.p.id] = (_habit(S, d.p.id, d.side), {})
        h, used = e
        n = len(d.head) + len(d.core) + len(d.body) + len(d.tail)
        if not n:
            continue
        # greetings and goodbyes keep their set phrases (a name at most)
        body = lo < d.i < hi
        plan: dict[int, list[str]] = {}
        # a long turn is several thoughts: one habit per thought or so
        for _ in range(1 + n // PER_THOUGHT if body else 1):
            if body and rand() < h.open:
                plan.setdefault(rng.below(r, n), []).append("open")
            if body and rand() < h.tail:
                plan.setdefault(rng.below(r, n), []).append("tail")
            elif rand() < h.name:
                plan.setdefault(rng.below(r, n), []).append("name")
        if not plan:
            continue
        segs = [(part, k) for part in (d.head, d.core, d.body, d.tail) for k in range(len(part))]
        for j in sorted(plan):
            part, k = segs[j]
            text, tags, opt = part[k]
            if (tags and any(t[0] in SKIP_TAGS for t in tags)) or text in keep:
                continue
            todo = plan[j]
            if "open" in todo and j and segs[j - 1][0][segs[j - 1][1]][0].endswith(":"):
                todo = [x for x in todo if x != "open"]  # after "Kurz gesagt:" no second opener
            kw = d.slots if part is not d.tail or d.ask is None else {**d.slots, **d.ask}  # a closing question: to who answers
            new = _say(R, h, d, text, todo, used, kw, proper)
            if new != text:
                R.carry(text, new)
                d.words += new.count(" ") - text.count(" ")
                part[k] = (new, tags, opt)


_W = re.compile(r"[\w'’]+")


def _base(w: str) -> str:
    return w.removesuffix("'s").removesuffix("’s")


NAME_SLOTS = ("co", "company", "product", "competitor")  # the proper names a habit could say again


def names(R: Any) -> frozenset[str]:
    """The words of the call's proper names (the account, the product, the
    competitor), lower-cased: one of them is a shared word on its own."""
    return _name_words(tuple(str(R.slots.get(k) or "") for k in NAME_SLOTS))


@lru_cache(maxsize=4096)
def _name_words(values: tuple[str, ...]) -> frozenset[str]:
    """`names` of the NAME_SLOTS values `values` (all it reads: made once per account)."""
    return frozenset(w.lower() for v in values for w in _W.findall(v) if len(w) > 2 and not w.isdigit())


def _placed_twice(R: Any, phrase: str, sentence: str) -> bool:
    """Whether `phrase` and `sentence` both say where the speaker stands (the
    locale's `places`): "Here, ... shows up fast here." or "..., for us, on our side anyway."
    """
    return bool(R.lex.places_in(phrase)) and bool(R.lex.places_in(sentence))


def _shares(phrase: str, text: str, proper: frozenset[str] = frozenset()) -> bool:
    """Whether `phrase` says again what `text` says: the phrase itself, three
    words of it in a row ("Over here at Lanternmark" and "here at
    Lanternmark"; "teams like yours" twice), or a proper name both say ("Here
    at Graniteline, Graniteline committed…", "…at Stonewind, here at Stonewind")."""
    bases, runs, longest = _phrase(phrase)
    tw = None
    if proper:  # the text's words only when the phrase says a proper name at all (most say none)
        mine = bases & proper
        if mine:
            tw = _lower_words(text)
            if mine & {_base(w) for w in tw}:
                return True
    if not runs:
        return False
    if tw is None and text.isascii():
        # each word of the text's words (`_lower_words`) is a part of its lower case: a run whose longest
        # word that does not hold is not said, and most texts say none of a phrase's runs' longest words
        low = text.lower()
        runs = [x for x, w in zip(runs, longest) if w in low]
        if not runs:
            return False
        tw = _W.findall(low)
    elif tw is None:
        tw = _lower_words(text)
    t = " " + " ".join(tw) + " "
    return any(x in t for x in runs)


def _lower_words(text: str) -> list[str]:
    # lower-cased first when that keeps the words (ASCII): one pass instead of one per word
    return _W.findall(text.lower()) if text.isascii() else [w.lower() for w in _W.findall(text)]


@lru_cache(maxsize=4096)
def _phrase(phrase: str) -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    """What `_shares` looks for of a habit's phrase, the same whatever the text
    (made once per phrase: a speaker's favourites come back turn after turn):
    its words without "'s", its three-word runs (the phrase itself when
    shorter), each as said between spaces, and each run's longest word."""
    p = _lower_words(phrase)
    if len(p) < 3:
        parts = [p] if p else []
    else:
        parts = [p[i:i + 3] for i in range(len(p) - 2)]
    runs = tuple(f" {' '.join(x)} " for x in parts)
    return frozenset(_base(w) for w in p), runs, tuple(max(x, key=len) for x in parts)


def candid(R: Any, text: str) -> bool:
    """Whether `text` says the speaker is being frank (the locale's `candour` words, found inside words too)."""
    low = text.lower()
    return any(w in low for w in R.lex.classify.candour)


@lru_cache(maxsize=16)
def _frank_tags(tails: tuple[str, ...]) -> re.Pattern:
    """Candour said as a sentence's tag (", honestly." / ", ehrlich gesagt, so wie ...": the stop or comma
    after it kept) or as its opener ("Honestly, " / "Ehrlich gesagt: ", group `open`: its next word then
    opens the sentence)."""
    alt = "|".join(re.escape(t) for t in sorted(tails, key=len, reverse=True))
    return re.compile(rf", (?:{alt})(?=[.!?](?: |$)|, )|(?P<open>(?:^|(?<=[.!?] ))(?:{alt})[,:] (?=\w))", re.I)


def _frank_once(R: Any, d: Draft) -> None:
    """A turn's sentences as drawn, the speaker's candour said once: a tag or opener of candour after the
    turn (or the sentence) said so already is left out ("I wouldn't change anything, honestly. We'll see
    in a month, honestly."; "Honestly, it's gut feel, to be honest."), and so is one before candour the
    sentence says in its own words, which cannot go ("Ehrlich gesagt, ich bin ehrlich gesagt schon zu oft
    enttäuscht worden" -> "Ich bin ehrlich gesagt schon ...")."""
    frank, tails = R.lex.classify.candour, R.lex.classify.candour_tails
    if not frank or not tails:
        return
    segs = [(part, k) for part in (d.head, d.core, d.body, d.tail) for k in range(len(part))]
    if not any(w in part[k][0].lower() for part, k in segs for w in frank):
        return
    rx = _frank_tags(tails)
    # each sentence's tags and openers of candour, and whether it says candour no tag or opener holds
    # (mid-sentence: "ich bin ehrlich gesagt schon ..."), which stays, so every tag or opener of the turn goes
    found: list[list[re.Match]] = []
    kept: list[bool] = []
    for part, k in segs:
        text = part[k][0]
        low = text.lower()
        ms = list(rx.finditer(text)) if any(w in low for w in frank) else []
        for m in reversed(ms):
            low = low[:m.start()] + " " * (m.end() - m.start()) + low[m.end():]
        found.append(ms)
        kept.append(any(w in low for w in frank))
    said = False
    for i, (part, k) in enumerate(segs):
        text, tags, opt = part[k]
        low = text.lower()
        if not any(w in low for w in frank):
            continue
        later = any(kept[i:])
        cut = [m for m in found[i] if said or later or any(w in low[:m.start()] for w in frank)]
        if cut:
            new = text
            for m in reversed(cut):
                rest = new[m.end():]
                new = new[:m.start()] + (rest[:1].upper() + rest[1:] if (m.group("open") or "a")[0].isupper()
                                         else rest)
            R.carry(text, new)
            d.words += new.count(" ") - text.count(" ")
            part[k] = (new, tags, opt)
        said = True


def _said_in_turn(R: Any, d: Draft, phrase: str, now: str = "") -> bool:
    """Whether the turn says `phrase` already (", at least on our side" twice in one turn), or, where the
    phrase says the speaker is frank (the locale's `candour` words), says so already: "Honestly, our brokers
    don't love being reviewed, if I'm honest." is one hedge too many. `now`: the sentence as changed so far
    (a tag just added to it, not yet in the draft)."""
    said = " ".join(seg[0] for part in (d.head, d.core, d.body, d.tail) for seg in part) + " " + now
    core = phrase.strip(" ,:")
    return core.lower() in said.lower() or (candid(R, core) and candid(R, said))


def _names(d: Draft, you: str) -> bool:
    """Whether the turn's sentences say the addressee's name `you`."""
    return any(you in seg[0] for part in (d.head, d.core, d.body, d.tail) for seg in part)


_LEAD_WORD = re.compile(r"[\w'’]+, ")


def _announces(R: Any, sentence: str) -> bool:
    """Whether a sentence says what the speaker does next (the lexicon's `announces`), after a lead word
    ("Okay, let me ...")."""
    words = R.lex.classify.announces
    if not words:
        return False
    low = sentence.lower()
    m = _LEAD_WORD.match(low)
    return low.startswith(words) or (m is not None and low.startswith(words, m.end()))


def _asks_figure(R: Any, question: str) -> bool:
    """Whether a question asks for a figure (the lexicon's `asks_figure`)."""
    low = question.lower()
    return any(w in low for w in R.lex.classify.asks_figure)


def _fav(r, favs: list, used: dict[int, int]):
    """One of a speaker's favourites, none said more than MAX_REUSE times a call."""
    if not favs:
        return None
    left = favs
    for t in favs:  # most calls have said none of them MAX_REUSE times: all are left, no list made
        if used.get(id(t), 0) >= MAX_REUSE:
            left = [t for t in favs if used.get(id(t), 0) < MAX_REUSE]
            if not left:
                return None
            break
    t = rng.pick(r, left)
    used[id(t)] = used.get(id(t), 0) + 1
    return t


def _say(R: Any, h: Habit, d: Draft, text: str, todo, used: dict[int, int], kw: dict[str, Any],
         proper: frozenset[str] = frozenset()) -> str:
    """`text` with the opener, tag or name planned for it (when it is a
    finished sentence long enough to carry them)."""
    r = R.r
    last_end = len(text) - 1
    if text[last_end:] not in (".", "?", "!") or text.endswith(".."):
        return text  # not a finished sentence (one trailing off, "…, und...", takes no ", Jordan." after it)
    # after the last ". ", "? " or "! " before the stop (the max of their rfind, + 2): one look back
    m = _LAST_STOP(text, 0, last_end)
    last_start = m.end() if m is not None else 0
    you = kw.get("you") or ""
    # the addressee's name once a turn: not where the turn already says it ("…, Felix. Any plans, Felix?"),
    # the turn read only where a habit would say the name (`_names`)
    tagged = False  # the tag said the name
    if "tail" in todo or "name" in todo:
        if text[last_start:last_end].count(" ") + 1 >= MIN_WORDS and text[last_end - 1] not in ",;:":
            typ = "q" if text[last_end] == "?" else "s"
            favs = h.favs[f"tail.{typ}"] if "tail" in todo else ()
            if typ == "s" and favs and _announces(R, text[last_start:last_end]):
                favs = ()  # "Let me pull up my screen" takes no ", more or less" (the name it may take)
            if typ == "q" and "tail" in todo and _asks_figure(R, text[last_start:last_end]):
                favs = favs + h.favs[f"tail.{FIGURE}"]  # "How many reps ..., roughly?", never "Does it fit, roughly?"
            tag = R.render(_fav(r, favs, used), kw, cap=False) if favs else ""
            if tag and (you and you in tag and _names(d, you) or _shares(tag, text, proper) or R.signals.get(tag)
                        or _placed_twice(R, tag, text[last_start:]) or _said_in_turn(R, d, tag)):
                tag = ""
            if not tag and you and not _names(d, you):
                tag = ", " + you
            if tag and not _stays(text[last_start:last_end], tag):
                tag = ""
            if tag:
                tagged = bool(you) and you in tag
                text = text[:last_end] + tag + text[last_end:]
    if "open" in todo:
        first_end = _END.search(text).start()  # a sentence end: the text ends with one
        first = text.split(" ", 1)[0]
        typ = "q" if text[first_end:first_end + 1] == "?" else "s"
        favs = h.favs[f"open.{typ}"]
        head = text[:first_end]
        if favs and first[-1:] not in ",:" and ":" not in head and head.count(" ") + 1 >= MIN_WORDS \
                and not text.lower().startswith(R.lex.classify.hedges + R.lex.classify.joins or ("\0",)):
            op = R.render(_fav(r, favs, used), kw, cap=True)
            # not "In my experience, …, in my experience." nor "Here at Graniteline, Graniteline committed…"
            if (op and not (you and you in op and (tagged or _names(d, you))) and op.split(" ", 1)[0] != first
                    and not R.signals.get(op)
                    and not _shares(op, text, proper)
                    and not _placed_twice(R, op, head)
                    and not _said_in_turn(R, d, op, text)
                    and _stays(head, op)):
                rest = R.join_lc(text) if op[-1:] == "," else text
                text = op + " " + rest
    return text
