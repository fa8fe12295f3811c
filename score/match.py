"""The matching rules (docs/scoring.md, "Matching"): a prediction matches a
ground-truth item of the same layer and category when the speaker is the
same and the turn is the same (within `tolerance` turns); with `overlap` set,
a prediction must also give characters and overlap a labelled span (one
quoted in the text) by at least that share (intersection over union);
labels of a whole turn (cues, pauses) still match by turn. Each item and each prediction
is used once: pairs are taken nearest turn first, then largest overlap."""

from __future__ import annotations

from dataclasses import dataclass

from corpusc.score.spans import Where
from corpusc.score.truth import Item


@dataclass(slots=True)
class Guess:
    """A prediction resolved into the ground truth's units."""
    where: Where
    speaker: str | None
    index: int  # position in the call's prediction list (for messages)


def iou(a0: int, a1: int, b0: int, b1: int) -> float:
    inter = min(a1, b1) - max(a0, b0)
    if inter <= 0:
        return 0.0
    return inter / (max(a1, b1) - min(a0, b0))


def match(truth: list[Item], guesses: list[Guess], tolerance: int = 0,
          overlap: float = 0.0) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """(matched (truth, guess) index pairs, unmatched truth, unmatched guesses)."""
    cand = []
    for ti, t in enumerate(truth):
        for gi, g in enumerate(guesses):
            if g.speaker is not None and t.speaker is not None and g.speaker != t.speaker:
                continue
            w = g.where
            dist = 0 if w.lo <= t.turn <= w.hi else min(abs(t.turn - w.lo), abs(t.turn - w.hi))
            if dist > tolerance:
                continue
            share = 0.0
            if overlap > 0 and t.start is not None:  # turn-level labels (cues, pauses) match by turn
                if w.start is None or t.start is None or w.lo != t.turn:
                    continue
                share = iou(w.start, w.end, t.start, t.end)
                if share < overlap:
                    continue
            cand.append((dist, -share, ti, gi))
    cand.sort()
    used_t: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, _, ti, gi in cand:
        if ti not in used_t and gi not in used_g:
            used_t.add(ti)
            used_g.add(gi)
            pairs.append((ti, gi))
    return (pairs, [i for i in range(len(truth)) if i not in used_t],
            [i for i in range(len(guesses)) if i not in used_g])


def triples(truth: list[tuple[str, str, str]], pred: list[tuple[str, str, str]],
            exact: bool) -> tuple[int, int, int]:
    """(tp, fp, fn) of objection-resolution-outcome triples: `exact` matches all
    three; partial matches the objection type and at least one of the other two."""
    left = list(truth)
    rest = []
    for p in pred:  # exact pairs first, so a partial pair never takes an exact one's item
        if p in left:
            left.remove(p)
        else:
            rest.append(p)
    tp = len(pred) - len(rest)
    if not exact:
        for p in rest:
            hit = next((k for k, t in enumerate(left) if t[0] == p[0] and (t[1] == p[1] or t[2] == p[2])), None)
            if hit is not None:
                tp += 1
                left.pop(hit)
    return tp, len(pred) - tp, len(left)
