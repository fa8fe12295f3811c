"""Scoring one build against one predictions file: every call in manifest
order, one call in memory at a time; counts kept per call (for bootstrap
intervals) and per group (layer, category, persona, call, account)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from corpusc.diagnostics.model import Sink, Span as DSpan
from corpusc.score import match as M
from corpusc.score import truth as T
from corpusc.score.read import Record
from corpusc.score.spans import Files, SpanError, resolve

# every category the ground truth can hold, by layer (docs/ground_truth.md); a
# prediction outside these and the corpus's own labels is warned about (E1105)
CATEGORIES = {
    "surface": {"objection", "competitor_mention", "buying_intent", "pricing", "timeline", "budget",
                "authority", "need", "next_step", "competitor", "price"},
    "behavioral": {"interruption", "pause", "silence", "hold", "wait", "overlap", "filler", "false_start"},
}
SECTIONS = ("signals", "objections", "personas", "divergence", "deal_outcome", "fields")


@dataclass
class Settings:
    tolerance: int = 0  # turns a prediction may be off by
    overlap: float = 0.0  # with > 0: characters required, intersection over union at least this
    bootstrap: int = 1000  # resamples over calls for the 95% intervals (0: none)
    worst: int = 5  # calls shown with their misses and false positives
    seed: int = 0


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn


@dataclass
class State:
    """Everything accumulated while the calls stream past."""
    groups: dict[str, dict[str, Counts]] = field(default_factory=lambda: {
        k: {} for k in ("layer", "category", "persona", "call", "account")})
    per_call: list[dict[str, tuple[int, int, int]]] = field(default_factory=list)
    divergence: Counts = field(default_factory=Counts)
    oro_exact: Counts = field(default_factory=Counts)
    oro_partial: Counts = field(default_factory=Counts)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    outcomes: dict[str, tuple[str, tuple | None]] = field(default_factory=dict)  # truth, (date, call, guess)
    field_names: set[str] = field(default_factory=set)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    worst: list = field(default_factory=list)
    calls: int = 0
    predicted: int = 0


def active_sections(records: dict[str, Record]) -> set[str]:
    """A section is scored when at least one call's predictions include it."""
    on = set()
    for r in records.values():
        p = r.prediction
        for s in SECTIONS:
            if getattr(p, s) is not None:
                on.add(s)
        if len(on) == len(SECTIONS):
            break
    return on


def score(folder: str, records: dict[str, Record], sink: Sink, st: Settings,
          progress=lambda n: None) -> dict[str, Any]:
    ids = T.call_ids(folder)
    known = set(ids)
    for cid, r in records.items():
        if cid not in known:
            sink.add("E1103", f"call `{cid}` is not in the corpus at {folder}", DSpan.point(r.file, r.line, 1),
                     help="predictions for calls the build does not have are ignored; check the call ids")
    on = active_sections(records)
    S = State()
    S.field_names = {n for r in records.values() if r.prediction.fields for n in r.prediction.fields}
    files = Files()
    missing = 0
    for cid in ids:
        ct = T.load(folder, cid)
        rec = records.get(cid)
        if rec is None:
            missing += 1
        _call(ct, rec, on, S, st, files, sink)
        files.forget()
        progress(1)
    if missing and records:
        sink.add("E1103", f"{missing} of {len(ids)} calls have no predictions (scored as predicting nothing)",
                 DSpan.point(next(iter(records.values())).file), severity="warning",
                 help="predict every call, or score a build of just the calls you predict")
    return _result(folder, S, on, st)


def _call(ct: T.CallTruth, rec: Record | None, on: set[str], S: State, st: Settings, files: Files,
          sink: Sink) -> None:
    S.calls += 1
    p = rec.prediction if rec else None
    S.predicted += p is not None
    account = ct.account or ct.call_id
    cats: dict[str, tuple[int, int, int]] = {}
    misses: list[tuple] = []
    extras: list[tuple] = []

    def where(path: str, msg: str) -> None:
        sink.add("E1106" if "span" in path else "E1105", f"{ct.call_id}: `{path}`: {msg}",
                 DSpan.point(rec.file, rec.line, 1), severity="warning",
                 help="the prediction counts as a false positive")

    def tally(layer: str, cat: str, truth: list[T.Item], guesses: list[M.Guess], speakers: list[str | None]):
        pairs, fn, fp = M.match(truth, guesses, st.tolerance, st.overlap)
        key = f"{layer}/{cat}"
        old = cats.get(key, (0, 0, 0))
        cats[key] = (old[0] + len(pairs), old[1] + len(fp), old[2] + len(fn))
        for ti, _ in pairs:
            _bump(S, layer, key, ct, account, truth[ti].speaker, 1, 0, 0)
        for ti in fn:
            _bump(S, layer, key, ct, account, truth[ti].speaker, 0, 0, 1)
            misses.append((key, truth[ti].turn, truth[ti].speaker, truth[ti].quote))
        for gi in fp:
            g = guesses[gi]
            _bump(S, layer, key, ct, account, speakers[gi], 0, 1, 0)
            extras.append((key, g.where.lo, g.where.hi, g.speaker))

    if "signals" in on:
        by: dict[tuple[str, str], list] = {}
        for it in ct.items:
            by.setdefault((it.layer, it.category), [[], []])[0].append(it)
        for k, s in enumerate(p.signals or [] if p else []):
            path = f"signals[{k}]"
            g = _guess(s.span, s.speaker, k, ct, files, path, where)
            known = s.category in CATEGORIES.get(s.layer, ()) or (s.layer, s.category) in by \
                or s.category.startswith("cue:")
            if not known:
                where(path + ".category", f"unknown {s.layer} category `{s.category}`")
            by.setdefault((s.layer, s.category), [[], []])[1].append(g)
        for (layer, cat), (truth, guesses) in sorted(by.items()):
            live = [g for g in guesses if g.where is not None]
            dead = len(guesses) - len(live)
            tally(layer, cat, truth, live, [g.speaker for g in live])
            if dead:
                key = f"{layer}/{cat}"
                a, b, c = cats[key]
                cats[key] = (a, b + dead, c)
                for g in guesses:
                    if g.where is None:
                        _bump(S, layer, key, ct, account, g.speaker, 0, 1, 0)
                        extras.append((key, None, None, g.speaker))
    if "divergence" in on:
        guesses = [_guess(d.span, d.speaker, k, ct, files, f"divergence[{k}]", where)
                   for k, d in enumerate(p.divergence or [] if p else [])]
        live = [g for g in guesses if g.where is not None]
        pairs, fn, fp = M.match(ct.divergence, live, st.tolerance)  # a moment is a turn: no --overlap
        n_fp = len(fp) + len(guesses) - len(live)
        S.divergence.add(len(pairs), n_fp, len(fn))
        cats["divergence"] = (len(pairs), n_fp, len(fn))
        for ti in fn:
            misses.append(("divergence", ct.divergence[ti].turn, ct.divergence[ti].speaker,
                           ct.divergence[ti].quote))
        for gi in fp:
            extras.append(("divergence", live[gi].where.lo, live[gi].where.hi, live[gi].speaker))
    if "objections" in on:
        pred = [(o.objection, o.resolution, o.outcome) for o in (p.objections or [] if p else [])]
        S.oro_exact.add(*M.triples(ct.triples, pred, exact=True))
        S.oro_partial.add(*M.triples(ct.triples, pred, exact=False))
    if "personas" in on:
        got = {x.participant: x.persona for x in (p.personas or [] if p else [])}
        for who in got:
            if who not in ct.speakers:
                where("personas", f"`{who}` is not a participant of this call")
        for who, label in sorted(ct.personas.items()):
            row = S.confusion.setdefault(label, {})
            guess = got.get(who, "(none)")
            row[guess] = row.get(guess, 0) + 1
    if "deal_outcome" in on and ct.deal_outcome is not None:
        best = S.outcomes.get(account, (None, None))[1]
        guess = p.deal_outcome if p else None
        if guess is not None and (best is None or (ct.date, ct.call_id) >= best[:2]):
            best = (ct.date, ct.call_id, guess)  # the account's last predicted call decides
        S.outcomes[account] = (ct.deal_outcome, best)
    if "fields" in on:
        got = (p.fields or {}) if p else {}
        for name in got:
            if name not in ct.fields and ct.fields:
                where(f"fields.{name}", "the ground truth has no such field for this call")
        for name in S.field_names:
            if name in ct.fields:
                f = S.fields.setdefault(name, {"n": 0, "correct": 0, "missing": 0, "abs_error": 0.0,
                                               "numeric": True})
                _field(f, ct.fields[name], got.get(name), name in got)
    S.per_call.append(cats)
    errors = sum(v[1] + v[2] for v in cats.values())
    if errors and st.worst:
        entry = (errors, -S.calls, ct.call_id, misses[:20], extras[:20], ct)
        if len(S.worst) < st.worst:
            heapq.heappush(S.worst, entry[:5] + (_context(ct, misses, extras),))
        elif entry[:2] > S.worst[0][:2]:
            heapq.heapreplace(S.worst, entry[:5] + (_context(ct, misses, extras),))


def _context(ct: T.CallTruth, misses, extras) -> dict[int, str]:
    """The txt lines of the turns a worst call's errors point at."""
    lines = ct.lines()
    turns = {m[1] for m in misses[:20]} | {e[1] for e in extras[:20] if e[1] is not None}
    return {t: lines[t][1] for t in sorted(turns) if t < len(lines)}


def _guess(span, speaker, k, ct, files, path, where) -> M.Guess:
    if speaker is not None and speaker not in ct.speakers:
        where(path + ".speaker", f"`{speaker}` is not a participant of this call "
                                 f"({', '.join(sorted(ct.speakers))})")
    try:
        w = resolve(span, ct, files)
    except SpanError as e:
        where(path + ".span", str(e))
        w = None
    return M.Guess(w, speaker, k)


def _bump(S: State, layer: str, key: str, ct: T.CallTruth, account: str, speaker: str | None,
          tp: int, fp: int, fn: int) -> None:
    persona = ct.personas.get(speaker or "", "(no persona)")
    for g, k in (("layer", layer), ("category", key), ("persona", persona), ("call", ct.call_id),
                 ("account", account)):
        c = S.groups[g].get(k)
        if c is None:
            c = S.groups[g][k] = Counts()
        c.add(tp, fp, fn)


def _field(f: dict, truth: Any, guess: Any, given: bool) -> None:
    f["n"] += 1
    if not given:
        f["missing"] += 1
        return
    numeric = isinstance(truth, (int, float)) and not isinstance(truth, bool)
    f["numeric"] = f["numeric"] and numeric
    if numeric and isinstance(guess, (int, float)) and not isinstance(guess, bool):
        f["abs_error"] += abs(float(guess) - float(truth))
        f["correct"] += float(guess) == float(truth)
    else:
        f["correct"] += guess == truth


def prf(c: Counts | tuple[int, int, int]) -> dict[str, Any]:
    tp, fp, fn = (c.tp, c.fp, c.fn) if isinstance(c, Counts) else c
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else (1.0 if not fp else 0.0)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}


def _bootstrap(per_call: list[dict], keys: list[str], st: Settings) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of F1 per key (and `*`: all signal categories
    pooled) over calls resampled with replacement; deterministic in `seed`."""
    n = len(per_call)
    if not n or not st.bootstrap or not keys:
        return {}
    C = np.zeros((n, len(keys) + 1, 3), dtype=np.int64)
    index = {k: j for j, k in enumerate(keys)}
    for i, cats in enumerate(per_call):
        for k, v in cats.items():
            C[i, index[k]] = v
            if k != "divergence":
                C[i, -1] += v
    C = C.reshape(n, -1).astype(np.float64)  # float: the product runs in BLAS
    rng = np.random.default_rng(st.seed)
    f1s = []
    for lo in range(0, st.bootstrap, 100):
        b = min(100, st.bootstrap - lo)
        W = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(b)]).astype(np.float64)
        tot = (W @ C).reshape(b, -1, 3)
        den = 2 * tot[..., 0] + tot[..., 1] + tot[..., 2]
        f1s.append(np.where(den > 0, 2 * tot[..., 0] / np.maximum(den, 1), 1.0))
    F = np.concatenate(f1s)
    lo_, hi_ = np.percentile(F, [2.5, 97.5], axis=0)
    names = keys + ["*"]
    return {k: (round(float(lo_[j]), 4), round(float(hi_[j]), 4)) for j, k in enumerate(names)}


def _result(folder: str, S: State, on: set[str], st: Settings) -> dict[str, Any]:
    keys = sorted({k for cats in S.per_call for k in cats})
    ci = _bootstrap(S.per_call, keys, st)
    out: dict[str, Any] = {"corpus": folder, "calls": S.calls, "predicted_calls": S.predicted,
                           "sections": sorted(on),
                           "settings": {"tolerance": st.tolerance, "overlap": st.overlap,
                                        "bootstrap": st.bootstrap, "seed": st.seed}}
    if "signals" in on:
        cat = S.groups["category"]
        total = Counts()
        for c in cat.values():
            total.add(c.tp, c.fp, c.fn)
        f1s = [prf(c)["f1"] for c in cat.values() if c.tp + c.fn]
        out["signals"] = {
            "micro": {**prf(total), "ci95": ci.get("*")},
            "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else None,
            "by": {g: {k: {**prf(c), **({"ci95": ci[k]} if g == "category" and k in ci else {})}
                       for k, c in sorted(S.groups[g].items())} for g in S.groups},
        }
    if "divergence" in on:
        out["divergence"] = {**prf(S.divergence), "ci95": ci.get("divergence")}
    if "objections" in on:
        out["objections"] = {"exact": prf(S.oro_exact), "partial": prf(S.oro_partial)}
    if "personas" in on:
        n = sum(sum(r.values()) for r in S.confusion.values())
        ok = sum(r.get(label, 0) for label, r in S.confusion.items())
        out["personas"] = {"n": n, "accuracy": round(ok / n, 4) if n else None,
                           "confusion": {k: dict(sorted(v.items())) for k, v in sorted(S.confusion.items())}}
    if "deal_outcome" in on:
        rows = S.outcomes
        got = {a: (v[0], v[1][2] if v[1] else None) for a, v in sorted(rows.items())}
        ok = sum(1 for t, g in got.values() if t == g)
        out["deal_outcome"] = {"accounts": len(got), "accuracy": round(ok / len(got), 4) if got else None,
                               "wrong": {a: {"truth": t, "predicted": g} for a, (t, g) in got.items() if t != g}}
    if "fields" in on:
        out["fields"] = {name: {"n": f["n"], "missing": f["missing"],
                                "accuracy": round(f["correct"] / f["n"], 4) if f["n"] else None,
                                **({"mean_abs_error": round(f["abs_error"] / max(1, f["n"] - f["missing"]), 4)}
                                   if f["numeric"] else {})}
                         for name, f in sorted(S.fields.items())}
    worst = sorted(S.worst, reverse=True)
    out["worst_calls"] = [{"call_id": w[2], "errors": w[0],
                           "misses": [{"category": m[0], "turn": m[1], "speaker": m[2], "quote": m[3]} for m in w[3]],
                           "false_positives": [{"category": e[0], "turns": [e[1], e[2]], "speaker": e[3]}
                                               for e in w[4]],
                           "context": {str(k): v for k, v in w[5].items()}} for w in worst]
    return out
