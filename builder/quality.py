"""Transcript quality figures for coverage.md/json: distinct-1/distinct-2, the
share of substantive turns (more than 3 words) that duplicate another turn
verbatim, turns per call, words per turn per side, questions per rep turn."""

from __future__ import annotations

import re
from typing import Iterable

QUALITY_SAMPLE = 3000  # the first calls of the plan, measured for the quality figures (all of a small corpus)
WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def quality(calls: Iterable[list[tuple[str, str]]]) -> dict[str, float | int]:
    """`calls` yields, per call, its turns as (side, text)."""
    uni: set[str] = set()
    bi: set[str] = set()  # "a b": strings, not tuples (millions of tuples made the collector crawl)
    n_uni = n_bi = 0
    seen: dict[str, int] = {}
    substantive = 0
    turns = ncalls = 0
    words_by_side: dict[str, list[int]] = {}
    rep_turns = rep_questions = 0
    for call in calls:
        ncalls += 1
        for side, text in call:
            turns += 1
            # lowering ASCII text first finds the same words (and is faster)
            words = WORD.findall(text.lower()) if text.isascii() else [w.lower() for w in WORD.findall(text)]
            n_uni += len(words)
            uni.update(words)
            if len(words) > 1:
                n_bi += len(words) - 1
                bi.update(map(" ".join, zip(words, words[1:])))
            w = words_by_side.setdefault(side, [0, 0])
            w[0] += len(words)
            w[1] += 1
            if len(words) > 3:
                substantive += 1
                key = " ".join(words)
                seen[key] = seen.get(key, 0) + 1
            if side == "seller":
                rep_turns += 1
                rep_questions += text.count("?")
    dup = sum(c for c in seen.values() if c > 1)
    return {
        "calls": ncalls,
        "turns": turns,
        "turns_per_call": round(turns / ncalls, 2) if ncalls else 0,
        "distinct_1": round(len(uni) / n_uni, 4) if n_uni else 0,
        "distinct_2": round(len(bi) / n_bi, 4) if n_bi else 0,
        "duplicate_substantive_share": round(dup / substantive, 4) if substantive else 0,
        "words_per_turn": {s: round(v[0] / v[1], 1) for s, v in sorted(words_by_side.items()) if v[1]},
        "questions_per_rep_turn": round(rep_questions / rep_turns, 3) if rep_turns else 0,
    }
