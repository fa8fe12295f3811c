"""Lexical divergence baselines: the rules a practitioner tries first, run on
what a build emitted (the txt transcripts, cues written in place) and scored
against its ground truth. A corpus whose divergence these rules find is not a
test of a model; `tests/test_divergence.py` holds them to F1 <= 0.6.

The unit is a turn: a baseline says which turns hold a divergent moment, the
ground truth's `divergence_points` say which do. Only the emitted text is read
for predictions (never the plan or the ground truth), and the sentiment word
lists are general ones in `stdlib/baselines/<locale>.json`, not the renderer's
phrase banks."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict

from corpusc.compiler.paths import STDLIB

LEXICONS = STDLIB / "baselines"
CUE = re.compile(r"\[([^\]]+)\] ?")
LINE = re.compile(r"^(?P<name>[^:\n\[]+): (?P<rest>.*)$")
WORD = re.compile(r"[\w'’-]+", re.UNICODE)
SENTENCE = re.compile(r"[^.!?]+[.!?]*")
NEGATIVE_CUES = {"hesitant", "energy: low", "pitch: falling"}
POSITIVE_CUES = {"enthusiastic", "confident", "energy: high", "lean_forward"}
GAPS = ("hold ", "silence ")  # time before a turn (contact-center holds), not delivery


@dataclass(frozen=True)
class TurnView:
    """One turn as a transcript reader sees it: its words and its cues, each
    cue with the offset in `text` where it is written (0: the turn opens with it)."""
    call: str
    index: int
    side: str  # seller | buyer, from the transcript's participants
    locale: str
    text: str
    cues: tuple[tuple[str, int], ...]


class BaselineScore(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    description: str
    predicted: int
    true_positives: int
    precision: float
    recall: float
    f1: float


class BaselineReport(BaseModel):
    """Every baseline on one build output: how many turns, how many of them divergent."""
    model_config = ConfigDict(frozen=True)
    calls: int
    turns: int
    divergent_turns: int
    scores: list[BaselineScore]

    def score(self, name: str) -> BaselineScore:
        return next(s for s in self.scores if s.name == name)


# ---- reading a build -------------------------------------------------------------

def parse_turn(line: str) -> tuple[str, str, list[tuple[str, int]]] | None:
    """`Name: [cue] words [cue] words` -> (name, words, [(cue, offset in words)])."""
    m = LINE.match(line)
    if not m:
        return None
    rest = m.group("rest")
    cues: list[tuple[str, int]] = []
    text: list[str] = []
    pos = last = 0
    for c in CUE.finditer(rest):
        chunk = rest[last:c.start()]
        text.append(chunk)
        pos += len(chunk)
        cues.append((c.group(1), pos))
        last = c.end()
    text.append(rest[last:])
    return m.group("name"), "".join(text), cues


def read_build(out: Path) -> tuple[list[TurnView], set[tuple[str, int]]]:
    """The turns of every call with a txt transcript and a ground truth, and
    the (call, turn) pairs the ground truth marks divergent."""
    turns: list[TurnView] = []
    truth: set[tuple[str, int]] = set()
    for gpath in sorted((out / "ground_truth").glob("*.json")):
        gt = json.loads(gpath.read_text(encoding="utf-8"))
        call = gt["call_id"]
        tpath = out / "transcripts" / f"{call}.txt"
        if not tpath.is_file():
            continue
        side = {p["name"]: p["side"] for p in gt.get("participants", [])}
        jpath = out / "transcripts" / f"{call}.json"
        if jpath.is_file():  # the transcript's own participants, when it was emitted
            side = {p["name"]: p["side"] for p in json.loads(jpath.read_text(encoding="utf-8"))["participants"]}
        body = tpath.read_text(encoding="utf-8").split("\n\n", 1)[-1]
        k = 0
        for line in body.split("\n"):
            got = parse_turn(line)
            if got is None:
                continue
            name, text, cues = got
            cues = [(c, at) for c, at in cues if not c.startswith(GAPS)]
            turns.append(TurnView(call, k, side.get(name, "buyer"), gt.get("locale", "en-US"), text, tuple(cues)))
            k += 1
        truth |= {(call, d["turn"]) for d in gt.get("divergence_points", [])}
    return turns, truth


# ---- the baselines ---------------------------------------------------------------

@functools.cache
def lexicon(locale: str) -> tuple[frozenset[str], frozenset[str]]:
    """(positive, negative) word sets of a locale; English when a locale has none."""
    path = LEXICONS / f"{locale}.json"
    if not path.is_file():
        path = LEXICONS / "en-US.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(d["positive"]), frozenset(d["negative"])


def _valence(cue: str) -> int:
    c = cue.strip().lower()
    if c in NEGATIVE_CUES or c.endswith("pause"):
        return -1
    return 1 if c in POSITIVE_CUES else 0


def _polarity(text: str, locale: str) -> int:
    """Positive minus negative lexicon words."""
    pos, neg = lexicon(locale)
    words = [w.lower() for w in WORD.findall(text)]
    return sum(w in pos for w in words) - sum(w in neg for w in words)


def _has_positive(text: str, locale: str) -> bool:
    pos = lexicon(locale)[0]
    return any(w.lower() in pos for w in WORD.findall(text))


def _first_sentence(text: str) -> str:
    m = SENTENCE.search(text)
    return m.group(0) if m else ""


def _annotated(t: TurnView) -> str:
    """The sentence the first cue annotates: the one written right after it."""
    at = t.cues[0][1] if t.cues else 0
    return _first_sentence(t.text[at:])


def positive_opener_negative_cue(t: TurnView) -> bool:
    return _has_positive(_first_sentence(t.text), t.locale) and any(_valence(c) < 0 for c, _ in t.cues)


def any_hesitant(t: TurnView) -> bool:
    return any(c.strip().lower() == "hesitant" for c, _ in t.cues)


def any_cue_on_buyer(t: TurnView) -> bool:
    return t.side != "seller" and bool(t.cues)


def every_cue(t: TurnView) -> bool:
    return bool(t.cues)


def positive_word_negative_cue(t: TurnView) -> bool:
    return _has_positive(t.text, t.locale) and any(_valence(c) < 0 for c, _ in t.cues)


def lexicon_against_cue(t: TurnView) -> bool:
    """The annotated sentence's lexicon polarity against the cues' valence."""
    if not t.cues:
        return False
    v = sum(_valence(c) for c, _ in t.cues)
    p = _polarity(_annotated(t), t.locale)
    return (p > 0 and v < 0) or (p < 0 and v > 0)


BASELINES: dict[str, tuple[str, Callable[[TurnView], bool]]] = {
    "positive_opener_negative_cue": ("the turn's first sentence has a positive word and the turn a negative cue "
                                     "(hesitant, a pause, low energy, falling pitch)", positive_opener_negative_cue),
    "any_hesitant": ("the turn carries [hesitant]", any_hesitant),
    "any_cue_on_buyer": ("a buyer's turn carries any cue", any_cue_on_buyer),
    "every_cue": ("every cued turn is divergent", every_cue),
    "positive_word_negative_cue": ("a positive word anywhere in the turn and a negative cue", positive_word_negative_cue),
    "lexicon_against_cue": ("the sentence a cue annotates has lexicon polarity opposite to the cues' valence",
                            lexicon_against_cue),
}


def _score(name: str, description: str, hits: set, truth: set) -> BaselineScore:
    tp = len(hits & truth)
    p = tp / len(hits) if hits else 0.0
    r = tp / len(truth) if truth else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return BaselineScore(name=name, description=description, predicted=len(hits), true_positives=tp,
                         precision=round(p, 4), recall=round(r, 4), f1=round(f, 4))


def score_baselines(out: Path, names: list[str] | None = None) -> BaselineReport:
    """Precision, recall and F1 of each baseline (all, or `names`) on the build in `out`."""
    turns, truth = read_build(Path(out))
    scores = []
    for name in names or list(BASELINES):
        description, rule = BASELINES[name]
        hits = {(t.call, t.index) for t in turns if rule(t)}
        scores.append(_score(name, description, hits, truth))
    return BaselineReport(calls=len({t.call for t in turns}), turns=len(turns), divergent_turns=len(truth),
                          scores=scores)
