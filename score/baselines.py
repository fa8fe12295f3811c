"""Built-in extractors as simple as a first attempt, so a user sees what
trivial gets (`corpusc score DIR --baseline NAME`): they read only what a
pipeline would read (the transcripts), except `majority`, which predicts
the corpus's most frequent labels (the majority-class baseline).

The divergence rules are the lexical ones a practitioner tries first (issue 15
§2 holds each to F1 <= 0.6, tests/test_divergence.py): they read the txt
transcript, where a cue is written in place before the words it annotates,
and the json transcript's speaker and role of each turn; the sentiment words
are general lists in `stdlib/baselines/<locale>.json`, not the renderer's
phrase banks. `divergence_scores` scores them with the one matching rule every
pipeline is scored by (corpusc.score.scorer)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable, Iterator

from corpusc.compiler.paths import STDLIB
from corpusc.score import truth as T
from corpusc.score.predictions import CallPrediction


def _turns(folder: str, call_id: str) -> dict[str, Any]:
    path = os.path.join(folder, "transcripts", call_id + ".json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise T.TruthError(f"{path}: the baselines read json transcripts; add `json` to the spec's "
                           "transcript formats and build again") from None


def keywords(folder: str) -> Iterator[CallPrediction]:
    """A surface signal wherever a turn holds one of its category's keywords."""
    table = json.loads(resources.files("corpusc.score").joinpath("data/keywords.json").read_text("utf-8"))
    rx: dict[str, list[tuple[str, re.Pattern]]] = {}
    for cid in T.call_ids(folder):
        doc = _turns(folder, cid)
        loc = doc.get("locale", "en-US")
        pats = rx.get(loc)
        if pats is None:
            words = table.get(loc) or table.get(loc.split("-")[0]) or table["en-US"]
            pats = rx[loc] = [(cat, re.compile(r"\b(" + "|".join(re.escape(w) for w in ws) + r")\b", re.I))
                              for cat, ws in words.items()]
        sig = [{"layer": "surface", "category": cat, "speaker": t["speaker"], "span": {"turn": t["index"]}}
               for t in doc["turns"] for cat, p in pats if p.search(t["text"])]
        yield CallPrediction.model_validate({"call_id": cid, "signals": sig})


def majority(folder: str) -> Iterator[CallPrediction]:
    """Every stakeholder gets the corpus's most frequent persona, every account
    its most frequent outcome, every call the most frequent value of each
    categorical metadata field."""
    ids = T.call_ids(folder)
    personas, outcomes, fields = Counter(), Counter(), {}
    for cid in ids:
        ct = T.load(folder, cid)
        personas.update(ct.personas.values())
        if ct.deal_outcome:
            outcomes[ct.deal_outcome] += 1
        for k, v in ct.fields.items():
            if isinstance(v, (str, bool)):
                fields.setdefault(k, Counter())[v] += 1
    top = personas.most_common(1)[0][0] if personas else None
    out = outcomes.most_common(1)[0][0] if outcomes else None
    vals = {k: c.most_common(1)[0][0] for k, c in sorted(fields.items())}
    for cid in ids:
        ct = T.load(folder, cid)
        doc: dict[str, Any] = {"call_id": cid,
                               "personas": [{"participant": p, "persona": top} for p in sorted(ct.personas)]}
        if out and ct.deal_outcome is not None:
            doc["deal_outcome"] = out
        if vals:
            doc["fields"] = {k: v for k, v in vals.items() if k in ct.fields}
        yield CallPrediction.model_validate(doc)


# ---- divergence: the lexical rules ------------------------------------------------

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
    index: int
    speaker: str
    side: str  # seller | buyer (the json transcript's role)
    locale: str
    text: str
    cues: tuple[tuple[str, int], ...]


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


def turn_views(folder: str, call_id: str) -> list[TurnView]:
    """A call's turns from its txt lines (cues in place) and json transcript (who, which side)."""
    doc = _turns(folder, call_id)
    ct = T.load(folder, call_id)
    loc = doc.get("locale") or ct.locale or "en-US"
    try:
        lines = ct.lines()
    except FileNotFoundError:
        raise T.TruthError(f"{os.path.join(folder, ct.txt_name)}: the divergence baselines read txt transcripts "
                           "(cues written in place); add `txt` to the spec's transcript formats and build "
                           "again") from None
    out = []
    for (_, line), t in zip(lines, doc["turns"]):
        got = parse_turn(line)
        if got is None:
            continue
        _, text, cues = got
        cues = [(c, at) for c, at in cues if not c.startswith(GAPS)]
        out.append(TurnView(t["index"], t["speaker"], t.get("role", "buyer"), loc, text, tuple(cues)))
    return out


@functools.cache
def lexicon(locale: str) -> tuple[frozenset[str], frozenset[str]]:
    """(positive, negative) word sets of a locale; English when a locale has none."""
    path = LEXICONS / f"{locale}.json"
    if not path.is_file():
        path = LEXICONS / "en-US.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(d["positive"]), frozenset(d["negative"])


@functools.cache
def negation(locale: str) -> frozenset[str]:
    """A locale's negation and contrast words (English when a locale has none)."""
    path = LEXICONS / f"{locale}.json"
    if not path.is_file():
        path = LEXICONS / "en-US.json"
    return frozenset(json.loads(path.read_text(encoding="utf-8"))["negation"])


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


def any_cue(t: TurnView) -> bool:
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


# cues a reader takes for leaning in (every other cue, a pause included, for holding back)
LEANING_CUES = POSITIVE_CUES | {"note_taking", "interrupts", "pitch: rising"}


def _lean(cue: str) -> int:
    return 1 if cue.strip().lower() in LEANING_CUES else -1


def _cued_words(t: TurnView) -> list[str]:
    """The lower-cased words a turn's cues annotate: from its first cue to its end."""
    at = t.cues[0][1] if t.cues else 0
    return [w.lower().replace("’", "'") for w in WORD.findall(t.text[at:])]


def _against_cue(t: TurnView, negative: bool) -> bool:
    """Any cue leaning the other way than the words (negative or not)."""
    return bool(t.cues) and any(_lean(c) != (-1 if negative else 1) for c, _ in t.cues)


def negation_against_cue(t: TurnView) -> bool:
    """A negation or contrast word (not, but, still; nicht, aber, noch; reader14's
    list, a few words of worry with them) makes the cued words negative."""
    neg = negation(t.locale)
    return _against_cue(t, any(w in neg for w in _cued_words(t)))


def negative_word_against_cue(t: TurnView) -> bool:
    """A negation, contrast or negative sentiment word makes the cued words negative."""
    neg = negation(t.locale) | lexicon(t.locale)[1]
    return _against_cue(t, any(w in neg for w in _cued_words(t)))


def word_count_against_cue(t: TurnView) -> bool:
    """More negative (negation included) than positive words make the cued words negative."""
    pos, neg = lexicon(t.locale)
    neg = neg | negation(t.locale)
    words = _cued_words(t)
    return _against_cue(t, sum(w in neg for w in words) > sum(w in pos for w in words))


# name -> (what the rule says, the rule on one turn)
DIVERGENCE_RULES: dict[str, tuple[str, Callable[[TurnView], bool]]] = {
    "opener-vs-cue": ("the turn's first sentence has a positive word and the turn a negative cue "
                      "(hesitant, a pause, low energy, falling pitch)", positive_opener_negative_cue),
    "any-hesitant": ("the turn carries [hesitant]", any_hesitant),
    "any-cue-on-buyer": ("a buyer's turn carries any cue", any_cue_on_buyer),
    "every-cue": ("every turn with a cue written in it (a pause included; a hold or silence is time "
                  "before the turn, not its delivery)", any_cue),
    "positive-word-negative-cue": ("a positive word anywhere in the turn and a negative cue",
                                   positive_word_negative_cue),
    "lexicon-against-cue": ("the sentence a cue annotates has lexicon polarity opposite to the cues' valence",
                            lexicon_against_cue),
    "negation-against-cue": ("the words a cue annotates hold a negation or contrast word (not, but, still; nicht, "
                             "aber, noch: negative) or none (positive), and a cue leans the other way "
                             "(reader14's rule)", negation_against_cue),
    "negative-word-against-cue": ("as negation-against-cue, a negative sentiment word counting as a negation",
                                  negative_word_against_cue),
    "word-count-against-cue": ("the words a cue annotates have more negative (negation included) than positive "
                               "sentiment words, or not, and a cue leans the other way", word_count_against_cue),
}


def divergence_rule(name: str) -> Callable[[str], Iterator[CallPrediction]]:
    """The extractor of one divergence rule: a divergence point at every turn it fires on."""
    rule = DIVERGENCE_RULES[name][1]

    def extract(folder: str) -> Iterator[CallPrediction]:
        for cid in T.call_ids(folder):
            div = [{"speaker": t.speaker, "span": {"turn": t.index}} for t in turn_views(folder, cid) if rule(t)]
            yield CallPrediction.model_validate({"call_id": cid, "divergence": div})
    extract.__doc__ = f"Divergence wherever {DIVERGENCE_RULES[name][0]}."
    return extract


def divergence_scores(folder: str, names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Each divergence rule (all, or `names`) scored by `corpusc score`'s own
    matching (same turn, same speaker): name -> tp, fp, fn, precision, recall, f1."""
    from corpusc.diagnostics.model import Sink
    from corpusc.score.read import Record
    from corpusc.score.scorer import Settings, score
    out = {}
    for name in names or list(DIVERGENCE_RULES):
        records = {p.call_id: Record(f"<baseline {name}>", 0, p) for p in BASELINES[name](folder)}
        res = score(folder, records, Sink(), Settings(bootstrap=0, worst=0))
        out[name] = {k: v for k, v in res["divergence"].items() if k != "ci95"}
    return out



def moment_divergence_scores(folder: str, names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Each divergence rule told where the moments are (the ground truth's moment
    turns and words, its quote) and left only to tell divergent from congruent
    ones: an upper bound of what words and cues know (reader14 measured the
    negation rule so). name -> tp, fp, fn, precision, recall, f1 over the moments."""
    counts = {n: [0, 0, 0] for n in names or list(DIVERGENCE_RULES)}
    for cid in T.call_ids(folder):
        with open(os.path.join(folder, "ground_truth", cid + ".json"), encoding="utf-8") as f:
            moments = {m["turn"]: m for m in json.load(f).get("moments") or []}
        for t in turn_views(folder, cid):
            m = moments.get(t.index)
            if m is None:
                continue
            t = dataclasses.replace(t, text=m.get("quote", t.text), cues=tuple((c, 0) for c, _ in t.cues))
            div = not m["congruent"]
            for n, c in counts.items():
                said = DIVERGENCE_RULES[n][1](t)
                c[0] += said and div
                c[1] += said and not div
                c[2] += div and not said
    out = {}
    for n, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[n] = {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4),
                  "f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0}
    return out


# ---- personas: a bag of trigrams ----------------------------------------------------

TRIGRAM_WORD = re.compile(r"[\w'’]+", re.UNICODE)


def _trigrams(text: str) -> Counter:
    w = [x.lower() for x in TRIGRAM_WORD.findall(text)]
    return Counter(zip(w, w[1:], w[2:]))


def speaker_documents(folder: str) -> list[tuple[str, str | None, str, str, Counter]]:
    """(call id, account, participant, persona, trigram counts of the
    participant's words in that call) for every participant the ground truth
    classifies: what a persona classifier reads (the json transcript) and is
    scored against."""
    out = []
    for cid in T.call_ids(folder):
        ct = T.load(folder, cid)
        if not ct.personas:
            continue
        words: dict[str, list[str]] = {}
        for t in _turns(folder, cid)["turns"]:
            words.setdefault(t["speaker"], []).append(t["text"])
        for pid, persona in sorted(ct.personas.items()):
            out.append((cid, ct.account, pid, persona, _trigrams("\n".join(words.get(pid, ())))))
    return out


def _halves(docs: list) -> tuple[list[int], list[int]]:
    """Two halves by account (sha256 of its name; the call id when none), so
    no speaker is in both: a classifier must learn personas, not people."""
    a, b = [], []
    for i, d in enumerate(docs):
        h = hashlib.sha256((d[1] or d[0]).encode("utf-8")).digest()[0]
        (a if h % 2 == 0 else b).append(i)
    return a, b


class TrigramBayes:
    """Multinomial naive Bayes over word trigrams with add-one smoothing: the
    classifier a practitioner tries first for "which persona is speaking"."""

    def __init__(self, docs: list[tuple[str, Counter]]):
        self.totals: dict[str, Counter] = {}
        self.prior: Counter = Counter()
        for label, grams in docs:
            self.prior[label] += 1
            self.totals.setdefault(label, Counter()).update(grams)
        self.vocab = len(set().union(*self.totals.values())) if self.totals else 0
        self.size = {k: sum(v.values()) for k, v in self.totals.items()}
        n = sum(self.prior.values())
        self.log_prior = {k: math.log(v / n) for k, v in self.prior.items()}

    def predict(self, grams: Counter) -> str:
        best, arg = -math.inf, ""
        for label in sorted(self.totals):
            tot, den = self.totals[label], math.log(self.size[label] + self.vocab + 1)
            s = self.log_prior[label] + sum(c * (math.log(tot.get(g, 0) + 1) - den) for g, c in grams.items())
            if s > best:
                best, arg = s, label
        return arg


def _two_folds(docs: list, fit) -> list[tuple[str, str, str, str]]:
    """(call id, participant, persona, predicted) for every document, each
    predicted by `fit(train)` trained on the other half of the accounts."""
    a, b = _halves(docs)
    out = []
    for train, test in ((a, b), (b, a)):
        if train:
            predict = fit(train)
            out += [(docs[i][0], docs[i][2], docs[i][3], predict(i)) for i in test]
    return sorted(out)


def persona_trigram_predictions(folder: str) -> list[tuple[str, str, str, str]]:
    """(call id, participant, persona, predicted) for every classified
    participant, each predicted by the model trained on the other half of
    the accounts (two folds: every participant is predicted, none by a model
    that saw them)."""
    docs = speaker_documents(folder)

    def fit(train: list[int]):
        model = TrigramBayes([(docs[i][3], docs[i][4]) for i in train])
        return lambda i: model.predict(docs[i][4])
    return _two_folds(docs, fit)


def _persona_extractor(predict: Callable[[str], list[tuple[str, str, str, str]]], doc: str):
    def extract(folder: str) -> Iterator[CallPrediction]:
        by: dict[str, list[dict[str, str]]] = {}
        for cid, pid, _, pred in predict(folder):
            by.setdefault(cid, []).append({"participant": pid, "persona": pred})
        for cid in T.call_ids(folder):
            yield CallPrediction.model_validate({"call_id": cid, "personas": by.get(cid, [])})
    extract.__doc__ = doc
    return extract


# ---- personas: behaviour alone ----------------------------------------------------

BEHAVIOUR = ("turns", "words per turn", "questions per turn", "fillers per 100 words", "hedges per 100 words",
             "share of the call's words")


@functools.cache
def _speech_words(locale: str) -> tuple[re.Pattern, re.Pattern]:
    path = LEXICONS / f"{locale}.json"
    if not path.is_file():
        path = LEXICONS / "en-US.json"
    d = json.loads(path.read_text(encoding="utf-8"))

    def rx(words: list[str]) -> re.Pattern:
        return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w'])", re.I)
    return rx(d["hedges"]), rx(d["fillers"])


def behaviour_documents(folder: str) -> list[tuple[str, str | None, str, str, list[float]]]:
    """(call id, account, participant, persona, BEHAVIOUR measures) per
    classified participant: how a speaker talks, not what words they use."""
    out = []
    for cid in T.call_ids(folder):
        ct = T.load(folder, cid)
        if not ct.personas:
            continue
        doc = _turns(folder, cid)
        hedge, filler = _speech_words(doc.get("locale") or ct.locale or "en-US")
        total = sum(len(t["text"].split()) for t in doc["turns"]) or 1
        for pid, persona in sorted(ct.personas.items()):
            ts = [t["text"] for t in doc["turns"] if t["speaker"] == pid]
            text = "\n".join(ts)
            w = max(1, len(text.split()))
            n = max(1, len(ts))
            out.append((cid, ct.account, pid, persona, [len(ts), w / n, text.count("?") / n,
                                                        100 * len(filler.findall(text)) / w,
                                                        100 * len(hedge.findall(text)) / w, w / total]))
    return out


def persona_behaviour_predictions(folder: str) -> list[tuple[str, str, str, str]]:
    """(call id, participant, persona, predicted) by the nearest persona centroid
    of the standardized BEHAVIOUR measures, trained on the other half of the accounts."""
    docs = behaviour_documents(folder)

    def fit(train: list[int]):
        k = len(BEHAVIOUR)
        mu = [sum(docs[i][4][j] for i in train) / len(train) for j in range(k)]
        sd = [math.sqrt(sum((docs[i][4][j] - mu[j]) ** 2 for i in train) / len(train)) or 1.0 for j in range(k)]
        z = [[(docs[i][4][j] - mu[j]) / sd[j] for j in range(k)] for i in range(len(docs))]
        groups: dict[str, list[int]] = {}
        for i in train:
            groups.setdefault(docs[i][3], []).append(i)
        cen = {p: [sum(z[i][j] for i in ix) / len(ix) for j in range(k)] for p, ix in sorted(groups.items())}
        return lambda i: min(cen, key=lambda p: (sum((z[i][j] - cen[p][j]) ** 2 for j in range(k)), p))
    return _two_folds(docs, fit)


def persona_scores(folder: str) -> dict[str, Any]:
    """The persona classifiers' accuracy against the ground truth: trigram
    naive Bayes (what the words give away) and the behaviour centroid (what
    how someone talks gives away), with the chance levels to read them
    against (the commonest persona's share; one over the number of personas)."""
    out: dict[str, Any] = {}
    for name, rows in (("trigrams", persona_trigram_predictions(folder)),
                       ("behaviour", persona_behaviour_predictions(folder))):
        n = len(rows)
        labels = Counter(r[2] for r in rows)
        out[name] = sum(r[2] == r[3] for r in rows) / n if n else 0.0
        out.update(participants=n, personas=len(labels),
                   majority=labels.most_common(1)[0][1] / n if n else 0.0,
                   uniform=1 / len(labels) if labels else 0.0)
    return out

BASELINES: dict[str, Callable[[str], Iterator[CallPrediction]]] = {
    "keywords": keywords, "majority": majority, **{n: divergence_rule(n) for n in DIVERGENCE_RULES},
    "persona-trigrams": _persona_extractor(
        persona_trigram_predictions, "Every classified participant's persona by trigram naive Bayes over their words, "
        "trained on the other half of the accounts."),
    "persona-behaviour": _persona_extractor(
        persona_behaviour_predictions, "Every classified participant's persona by the nearest centroid of how they "
        "talk (turns, words per turn, questions, fillers, hedges, talk share), trained on the other half of the "
        "accounts.")}
