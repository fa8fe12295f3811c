"""A buyer seldom says its own company's name (session 21: "Can't argue with
this for Meridianview"; buyers said it 16 times a call, 25 per 1,000 of
their own words, because a stock line kept the name to stay unique). Only
the rep's stock lines keep the account's name now (naming.NAME_KEEPERS): on
1,000 generated calls (seed 1) buyers say it 4 times a call, 6.9 per 1,000 of
their words; reps 18.5 (18.9 before).
German had no plain words for the account at all (lexicon.json without
`account_refs`): on 300 generated German calls (seed 3) buyers said it 18.9
times per 1,000 of their words; with German's rules 6.8 (reps 16.4 -> 12.4).
Read from the built transcripts with this file's own count: the first word
of the account's display name, per side."""
from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys

import pytest

from .conftest import sales_spec_path


def _per_1000(out) -> dict[str, float]:
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    short = {a["name"]: a["display"].split()[0] for a in plan["accounts"]}
    rates: dict[str, list[float]] = {"seller": [], "buyer": []}
    for f in sorted((out / "transcripts").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        name = re.compile(r"\b%s\b" % re.escape(short[doc["call_id"].split(".")[0]]))
        side = {p["id"]: p["side"] for p in doc["participants"]}
        said = {"seller": 0, "buyer": 0}
        words = {"seller": 0, "buyer": 0}
        for t in doc["turns"]:
            s = "seller" if side[t["speaker"]] == "seller" else "buyer"
            said[s] += len(name.findall(t["text"]))
            words[s] += len(t["text"].split())
        for s in rates:
            if words[s]:
                rates[s].append(1000 * said[s] / words[s])
    return {s: statistics.median(v) for s, v in rates.items()}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_buyer_seldom_says_its_own_companys_name(lang, tmp_path, tmp_path_factory):
    spec = sales_spec_path(lang, tmp_path_factory, 80, {"en": 5, "de": 3})
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--only",
                          "transcripts"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    rate = _per_1000(out)
    assert rate["buyer"] <= 12.0, rate  # with the buyers' stock lines keeping it: about 25 (en); without German rules 19
    # the rep still names the prospect, a few times a call, not in every other sentence: its stock lines kept the
    # name wherever the line without it would be said in another call (18 per 1,000 words, 14 times a call)
    # until session 23 (naming.KEEP_NAME, GAP)
    assert 3.0 <= rate["seller"] <= 12.0, rate
