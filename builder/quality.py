"""Transcript quality figures, computed from what the calls say as an outside
evaluator would (issue 15, "Figures"): lexical variety (distinct-2 at a fixed
token budget), sentences repeated verbatim across calls, filler rate, the
timing of turns (gaps, overlaps, who follows whom) and a few text checks
against metadata. Pure functions over tokens, sentences and turns, plus
accumulators that stream with memory bounded by their budget or sample, so
coverage.md stays cheap on a 10,000-call build. benchmarks/bench_quality.py
reads the emitted files and calls these; coverage.md calls them on the
build's quality sample.

Definitions (docs and tests rely on them):
- a *word* is a run of letters/digits with inner apostrophes or hyphens,
  lowercased; bracketed cues (`[hesitant]`) are not words;
- a *sentence* ends at `.`, `!`, `?` or `…` followed by a space (or the end of
  the turn);
- *distinct-2 at N tokens*: the calls are ordered by sha256 of their id (a
  fixed pseudo-random order that spreads over accounts, intents and
  locales); their turns are taken in order until N words are reached (the
  last turn cut to fit); distinct word bigrams over all bigrams, bigrams not
  crossing a turn boundary. Fewer than N words in the corpus: all of them,
  and the figure says how many;
- *verbatim share*: of the occurrences of sentences of at least 6 words, the
  share whose sentence (its words, case- and punctuation-insensitive) also
  occurs in another call of the same group (the corpus, a locale, an intent).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import operator
import re
import string
from collections import Counter
from functools import lru_cache
from hashlib import blake2b
from itertools import chain
from pathlib import Path
from typing import Iterable, Sequence

QUALITY_SAMPLE = 3000  # the first calls of the plan, measured for coverage.md's quality figures
TOKENS = 20_000  # the token budget of distinct-2
MIN_SENTENCE = 6  # words of a sentence counted by the verbatim share
WORD = re.compile(r"\w+(?:['’-]\w+)*", re.UNICODE)
CUE = re.compile(r"\[[^\]]*\]")
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")

# targets (issue 15): shown beside each figure
TARGET_DISTINCT_2 = 0.5
TARGET_VERBATIM = {"contact_center": 0.15, "sales": 0.05}
TARGET_FILLERS = (1.0, 5.0)  # per 100 words


# ---- words and sentences -------------------------------------------------------------

def words(text: str) -> list[str]:
    """The lowercased words of a text, cues removed."""
    return WORD.findall(CUE.sub(" ", text).lower())


def sentences(text: str) -> list[str]:
    """The sentences of a turn's text (cues removed)."""
    return [s for s in (x.strip() for x in SENTENCE_END.split(CUE.sub(" ", text).strip())) if s]


# a word, or a sentence end (an empty match of the group): one scan of a turn
# finds both, in order, since neither a word nor a sentence end holds the other
_WORD_OR_END = re.compile(f"({WORD.pattern})|{SENTENCE_END.pattern}", re.UNICODE)


def turn_words(text: str, min_words: int = MIN_SENTENCE) -> tuple[list[str], list[str]]:
    """A turn's words and its sentence keys (`sentence_keys`), tokenized once:
    no word spans a sentence end, so the turn's words are its sentences'
    (`sentences`, then `words` of each: the same lists, tested)."""
    toks: list[str] = []
    keys: list[str] = []
    start = 0
    for w in _WORD_OR_END.findall(CUE.sub(" ", text.lower())):
        if w:
            toks.append(w)
        else:
            if len(toks) - start >= min_words:
                keys.append(" ".join(toks[start:]))
            start = len(toks)
    if len(toks) - start >= min_words:
        keys.append(" ".join(toks[start:]))
    return toks, keys


def sample_key(call_id: str) -> str:
    """A call's place in the fixed pseudo-random order of the distinct-2 sample."""
    return hashlib.sha256(call_id.encode()).hexdigest()


# ---- distinct-n ------------------------------------------------------------------------

def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def distinct_n(turns: Iterable[Sequence[str]], n: int) -> tuple[float, int]:
    """(distinct n-grams / n-grams, number of n-grams); n-grams stay inside a turn."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for t in turns:
        grams = ngrams(t, n)
        total += len(grams)
        seen.update(grams)
    return (len(seen) / total if total else 0.0), total


def take_tokens(turns: Iterable[Sequence[str]], budget: int) -> list[Sequence[str]]:
    """The turns in order up to `budget` words, the last one cut to fit."""
    out: list[Sequence[str]] = []
    left = budget
    for t in turns:
        if left <= 0:
            break
        out.append(t[:left])
        left -= len(out[-1])
    return out


class Distinct2Sample:
    """distinct-2 at `budget` words over calls added in any order: keeps only
    the calls that are first in `sample_key` order until the budget is met
    (memory: about `budget` words and one call)."""

    def __init__(self, budget: int = TOKENS):
        self.budget = budget
        self.heap: list[tuple[str, list[list[str]], int]] = []  # max-heap on the key (keys negated)
        self.tokens = 0

    def add(self, call_id: str, turns: list[list[str]]) -> None:
        n = sum(len(t) for t in turns)
        key = _neg(sample_key(call_id))
        heapq.heappush(self.heap, (key, turns, n))
        self.tokens += n
        while self.heap and self.tokens - self.heap[0][2] >= self.budget:
            self.tokens -= heapq.heappop(self.heap)[2]

    def copy(self) -> Distinct2Sample:
        c = Distinct2Sample(self.budget)
        c.heap, c.tokens = list(self.heap), self.tokens
        return c

    def result(self) -> dict[str, float | int]:
        calls = sorted(self.heap, key=lambda x: x[0], reverse=True)  # smallest sample key first
        turns = take_tokens((t for _, ts, _ in calls for t in ts), self.budget)
        value, _ = distinct_n(turns, 2)
        return {"distinct_2": round(value, 4), "tokens": sum(len(t) for t in turns), "calls": len(calls)}


def _neg(hexkey: str) -> str:
    """A key whose string order is the reverse of `hexkey`'s (heapq is a min-heap)."""
    return hexkey.translate(_FLIP)


_FLIP = str.maketrans("0123456789abcdef", "fedcba9876543210")


# ---- sentences repeated across calls ---------------------------------------------------------

def sentence_keys(text: str, min_words: int = MIN_SENTENCE) -> list[str]:
    """The sentences of at least `min_words` words, as their words joined."""
    out = []
    for s in sentences(text):
        w = words(s)
        if len(w) >= min_words:
            out.append(" ".join(w))
    return out


class VerbatimShare:
    """Share of sentence occurrences (≥ MIN_SENTENCE words) whose sentence also
    occurs in another call. Memory: one entry per distinct sentence (a digest
    unless `keep_text`, which also lists the most repeated)."""

    def __init__(self, keep_text: bool = False):
        # most sentences occur once: one entry each (the call that said it
        # first), a count only for the repeated ones; a 3,000-call sample
        # holds some 200,000 distinct sentences
        self.first: dict[object, str] = {}  # key -> the first call that said it
        self.more: dict[object, int] = {}  # key -> occurrences, when more than one
        self.several: set[object] = set()  # keys said in more than one call
        self.keep_text = keep_text
        self.total = 0

    def add(self, call_id: str, keys: Iterable[str]) -> None:
        first, more = self.first, self.more
        n = 0
        for k in keys:
            key = k if self.keep_text else blake2b(k.encode(), digest_size=8).digest()
            c = first.get(key)
            if c is None:
                first[key] = call_id
            else:
                more[key] = more.get(key, 1) + 1
                if c != call_id:
                    self.several.add(key)
            n += 1
        self.total += n

    def copy(self) -> VerbatimShare:
        c = VerbatimShare(self.keep_text)
        c.first, c.more, c.several, c.total = dict(self.first), dict(self.more), set(self.several), self.total
        return c

    def result(self, top: int = 0) -> dict:
        shared = sum(self.more[k] for k in self.several)
        out = {"share": round(shared / self.total, 4) if self.total else 0.0, "sentences": self.total,
               "shared": shared}
        if top and self.keep_text:
            rows = sorted(((self.more[k], k) for k in self.several), reverse=True)[:top]
            out["most_repeated"] = [{"sentence": k, "occurrences": n} for n, k in rows]
        return out


def verbatim_share(calls: Iterable[tuple[str, Iterable[str]]]) -> float:
    """The verbatim share of (call id, texts) pairs."""
    v = VerbatimShare()
    for cid, texts in calls:
        v.add(cid, [k for t in texts for k in sentence_keys(t)])
    return v.result()["share"]


# ---- lexicon (fillers, events, languages) ----------------------------------------------------

@lru_cache(maxsize=1)
def lexicon() -> dict:
    return json.loads((Path(__file__).parent / "quality_lexicon.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _fillers(locale: str | None) -> re.Pattern:
    lists = lexicon()["fillers"]
    pats = lists.get(locale) if locale in lists else [p for v in lists.values() for p in v]
    return re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=None)
def _fillers_lower(locale: str | None) -> re.Pattern | None:
    """`_fillers(locale)` for lower-cased ASCII text: the same matches without
    IGNORECASE (a fifth of the count's time), when no pattern says an upper-case
    letter (`\\B`, `\\W`, `[A-Z]`: lower-casing the text would change what those match)."""
    pat = _fillers(locale).pattern
    if any(c.isupper() for c in pat):
        return None
    # a character of the pattern IGNORECASE pairs with an ASCII letter (ſ ~ s, the Kelvin sign ~ k)
    letters = string.ascii_letters
    if any(re.match(re.escape(c), a, re.IGNORECASE) for c in set(pat) if not c.isascii() for a in letters):
        return None
    return re.compile(pat, re.MULTILINE)


def filler_count(text: str, locale: str | None = None) -> int:
    """Fillers in a text by the locale's list (every locale's list when `locale`
    is None or has none)."""
    text = CUE.sub(" ", text).strip()
    if text.isascii():  # an ASCII letter and its other case are the only pair IGNORECASE makes
        fast = _fillers_lower(locale)
        if fast is not None:
            return len(fast.findall(text.lower()))
    return len(_fillers(locale).findall(text))


def repetitions(tokens: Sequence[str]) -> int:
    """Immediate word repetitions ("I I think"), a trace of false starts."""
    return sum(map(operator.eq, tokens, tokens[1:]))


@lru_cache(maxsize=None)
def _event(locale: str, event: str) -> re.Pattern | None:
    pat = lexicon()["events"].get(locale, {}).get(event)
    return re.compile(pat, re.IGNORECASE) if pat else None


def mentions(texts: Iterable[str], locale: str, event: str) -> bool | None:
    """Whether any text speaks of `event` (escalation, transfer, hold) by the
    locale's lexicon; None when the locale has no entry for it."""
    p = _event(locale, event)
    return None if p is None else any(p.search(t) for t in texts)


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for loc, ws in lexicon()["stopwords"].items():
        for w in ws:
            out.setdefault(w, []).append(loc)
    return {w: tuple(locs) for w, locs in out.items()}


def language_of(tokens: Iterable[str]) -> str | None:
    """The locale whose stopwords the tokens use most (None: none used; a tie
    goes to the locale named last in sort order)."""
    stop = _stopwords()
    hits: dict[str, int] = {}
    for t, n in Counter(tokens).items():  # counted in C: a call's 1,600 tokens are some 300 distinct
        for loc in stop.get(t, ()):
            hits[loc] = hits.get(loc, 0) + n
    return max(hits.items(), key=lambda kv: (kv[1], kv[0]))[0] if hits else None


# ---- timing ----------------------------------------------------------------------------

def quantile(xs: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks of sorted `xs`."""
    if not xs:
        return 0.0
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def distribution(values: Iterable[float], ndigits: int = 3) -> dict[str, float | int]:
    """min/median/p90/max, how many values and distinct values (rounded to
    `ndigits`), and the share of the most common value."""
    xs = sorted(round(v, ndigits) for v in values)
    if not xs:
        return {"n": 0}
    counts: dict[float, int] = {}
    for x in xs:
        counts[x] = counts.get(x, 0) + 1
    return {"n": len(xs), "min": xs[0], "median": round(quantile(xs, 0.5), ndigits),
            "p90": round(quantile(xs, 0.9), ndigits), "max": xs[-1], "distinct": len(counts),
            "modal_share": round(max(counts.values()) / len(xs), 4)}


def gaps(turns: Sequence[tuple[float, float]]) -> list[float]:
    """Each turn's start minus the latest end of the turns before it (turns
    in their order); negative when it starts while someone still speaks."""
    out = []
    latest = None
    for start, end in turns:
        if latest is not None:
            out.append(start - latest)
        latest = end if latest is None else max(latest, end)
    return out


def overlaps(turns: Sequence[tuple[str, float, float]], min_sec: float = 0.0) -> int:
    """Turns (speaker, start, end) that start while another speaker's earlier
    turn is still running, by more than `min_sec`."""
    n = 0
    ends: dict[str, float] = {}
    for speaker, start, end in turns:
        if any(e - start > min_sec for s, e in ends.items() if s != speaker):
            n += 1
        ends[speaker] = max(ends.get(speaker, end), end)
    return n


def intersections(a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]],
                  min_sec: float = 0.0) -> list[tuple[float, float]]:
    """The stretches where an interval of `a` and one of `b` (each sorted, not
    overlapping within itself) run at the same time for more than `min_sec`."""
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi - lo > min_sec:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def runs(turns: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Adjacent turn pairs (speaker, side): by the same side (`buyer_buyer`,
    `seller_seller`, ...) and by the same speaker twice."""
    out: dict[str, int] = {"same_speaker": 0}
    for (s1, side1), (s2, side2) in zip(turns, turns[1:]):
        if side1 == side2:
            out[f"{side1}_{side2}"] = out.get(f"{side1}_{side2}", 0) + 1
        if s1 == s2:
            out["same_speaker"] += 1
    return out


# ---- the coverage.md figures -----------------------------------------------------------

def quality(calls: Iterable[tuple[str, list[tuple[str, str]]]]) -> dict:
    """The quality figures of coverage.md: `calls` yields (call id, turns as
    (side, text)). The sample carries no locale: fillers are counted by the
    list of the language a call's stopwords show (`language_of`); the bench
    splits by the declared locale."""
    uni: set[str] = set()
    n_uni = 0
    d2 = Distinct2Sample()
    verb = VerbatimShare()
    turns = ncalls = nwords = fillers = reps = 0
    words_by_side: dict[str, list[int]] = {}
    rep_turns = rep_questions = 0
    side_runs: dict[str, int] = {}
    by_lang: dict[str, tuple[Distinct2Sample, VerbatimShare]] = {}  # by the language the stopwords show
    only = None  # the language of every call so far, while there is one
    seen: dict[bytes, int] = {}  # substantive turns (more than 3 words), for the older duplicate-turn figure
    substantive = 0
    for cid, call in calls:
        ncalls += 1
        toks = []
        keys = []
        for side, text in call:
            w, k = turn_words(text)
            toks.append(w)
            keys += k
        locale = language_of(chain.from_iterable(toks))
        for (side, text), w in zip(call, toks):
            turns += 1
            n_uni += len(w)
            uni.update(w)
            fillers += filler_count(text, locale)
            reps += repetitions(w)
            if len(w) > 3:
                substantive += 1
                key = hashlib.blake2b(" ".join(w).encode(), digest_size=8).digest()
                seen[key] = seen.get(key, 0) + 1
            s = words_by_side.setdefault(side, [0, 0])
            s[0] += len(w)
            s[1] += 1
            if side == "seller":
                rep_turns += 1
                rep_questions += text.count("?")
        nwords += sum(len(t) for t in toks)
        # while every call so far shows one language, the corpus's accumulators
        # are that language's too (the usual case: one copy, not two); a second
        # language splits them off as they stand
        lang_key = locale or "unknown"
        if only is None:
            only = lang_key
        elif lang_key != only and not by_lang:
            by_lang[only] = (d2.copy(), verb.copy())
        d2.add(cid, toks)
        verb.add(cid, keys)
        if by_lang:
            lang = by_lang.setdefault(lang_key, (Distinct2Sample(), VerbatimShare()))
            lang[0].add(cid, toks)
            lang[1].add(cid, keys)
        for k, v in runs([(side, side) for side, _ in call]).items():
            if k != "same_speaker":
                side_runs[k] = side_runs.get(k, 0) + v
    d = d2.result()
    langs = {loc: {**a.result(), "verbatim_share": b.result()["share"], "verbatim_sentences": b.result()["sentences"]}
             for loc, (a, b) in sorted(by_lang.items())} if len(by_lang) > 1 else {}
    v = verb.result()
    return {
        "calls": ncalls,
        "turns": turns,
        "words": nwords,
        "turns_per_call": round(turns / ncalls, 2) if ncalls else 0,
        "distinct_1": round(len(uni) / n_uni, 4) if n_uni else 0,
        "distinct_2": d["distinct_2"],
        "distinct_2_tokens": d["tokens"],
        "verbatim_share": v["share"],
        "verbatim_sentences": v["sentences"],
        "by_language": langs,
        "duplicate_substantive_share": (round(sum(c for c in seen.values() if c > 1) / substantive, 4)
                                        if substantive else 0),
        "fillers_per_100_words": round(100 * fillers / nwords, 2) if nwords else 0,
        "repetitions_per_100_words": round(100 * reps / nwords, 2) if nwords else 0,
        "adjacent_same_side": dict(sorted(side_runs.items())),
        "words_per_turn": {s: round(x[0] / x[1], 1) for s, x in sorted(words_by_side.items()) if x[1]},
        "questions_per_rep_turn": round(rep_questions / rep_turns, 3) if rep_turns else 0,
    }
