"""Built-in extractors as simple as a first attempt, so a user sees what
trivial gets (`corpusc score DIR --baseline NAME`): they read only what a
pipeline would read (the json transcripts), except `majority`, which predicts
the corpus's most frequent labels (the majority-class baseline)."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from importlib import resources
from typing import Any, Callable, Iterator

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


def every_cue(folder: str) -> Iterator[CallPrediction]:
    """Divergence wherever a turn carries a paralinguistic cue."""
    for cid in T.call_ids(folder):
        doc = _turns(folder, cid)
        div = [{"speaker": t["speaker"], "span": {"turn": t["index"]}} for t in doc["turns"]
               if any(not a.endswith("s pause") for a in t.get("annotations", []))]
        yield CallPrediction.model_validate({"call_id": cid, "divergence": div})


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


BASELINES: dict[str, Callable[[str], Iterator[CallPrediction]]] = {
    "keywords": keywords, "every-cue": every_cue, "majority": majority}
