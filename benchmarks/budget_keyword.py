"""How much of a build's `budget` ground truth a one-word keyword rule finds.

A category that the rule "the sentence says budget" finds perfectly tells
nothing about a pipeline scored against the ground truth, so the corpus should
say budget in ways the word does not cover. This reads a build's transcripts
(txt) and ground truth on its own terms, nothing of the renderer's code:

- recall: the share of the ground truth's `budget` labels whose quote the
  rule matches (`\\bbudget`, case-insensitive, for en; `budget|etat` anywhere
  in a word for de: "Marketingbudget", "Etat");
- precision: of the transcript's sentences (split here, at . ? ! followed by
  a space) the rule matches, the share that overlap a `budget` label;
- F1 of the two.

It also prints, by an outside list of budget cues written apart from the banks
(money set aside, finance freezing spend, a sign-off limit ...), how many
labelled budget sentences say one of them and how many UNLABELLED sentences
do: the second number is where a wording could read as budget without a label.

    corpusc build g.corpus -o OUT --only transcripts,ground_truth --jobs 2
    python benchmarks/budget_keyword.py OUT [--show 20]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
from collections import Counter

KEYWORD = {"en": re.compile(r"\bbudget", re.I), "de": re.compile(r"budget|etat", re.I)}

# Budget said without the word, by a reader who never looked at the banks: one pattern per way of saying it
# (money that is there or not, set aside, frozen, a fiscal year, a spending limit one can sign for). Broad on
# purpose: a hit among the unlabelled sentences is something to read ("set aside time", "spend an hour" are
# no budget), and the per-family counts before and after a bank edit show where new unlabelled ones appear.
FAMILIES = {
    "en": {
        "budget": r"\bbudget",
        "fiscal year": r"\bfiscal year",
        "funds/funding": r"\bfund(?:s|ing|ed)?\b",
        "money": r"\bmoney\b",
        "set aside/earmarked": r"\bearmark|\bset aside\b",
        "spend (noun)": r"\b(?:new|the|our|any|additional|current|predictable|every|tool) spend\b|\bspending\b",
        "freeze": r"\bfr(?:ee|o)ze|\bfrozen\b",
        "finance": r"\bfinance\b",
        "signing limit": r"\bsign for\b|\bsigning (?:limit|authority)",
        "purse strings": r"purse strings",
        "line item": r"\bline items?\b",
        "afford": r"\bafford",
        "dollars": r"\bdollars?\b",
    },
    "de": {
        "budget/etat": r"budget|etat",
        "geschäftsjahr": r"geschäftsjahr|haushaltsjahr",
        "geld": r"\bgeld\b",
        "mittel": r"\bmittel(?:n|freigabe)?\b",
        "topf": r"\btopf\b|\btöpfe",
        "eingeplant/zurückgelegt": r"eingeplant|zurückgelegt|beiseitegelegt",
        "ausgaben": r"ausgabe",
        "eingefroren/stopp": r"eingefroren|ausgabenstopp",
        "finanz": r"\bfinanz",
        "freigaberahmen": r"freigaberahmen|freigabegrenze|zeichnungsgrenze",
        "leisten": r"\bleisten\b",
        "posten/position": r"\bposten\b|\bposition\b",
    },
}
FAMILY_RX = {lang: {k: re.compile(v, re.I) for k, v in fams.items()} for lang, fams in FAMILIES.items()}


def families(lang: str, text: str) -> list[str]:
    return [k for k, rx in FAMILY_RX[lang].items() if rx.search(text)]


_SPLIT = re.compile(r"(?<=[.?!])[\"”’)]?\s+")
_SPEAKER = re.compile(r"^[^:\n]{1,80}: ")


def sentences(txt: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each sentence of a txt transcript's turn lines."""
    out = []
    pos = 0
    for line in txt.splitlines(keepends=True):
        start = pos
        pos += len(line)
        if line.startswith("#") or not line.strip():
            continue
        m = _SPEAKER.match(line)
        if not m:
            continue
        body, at = line.rstrip("\n"), m.end()
        for piece in _SPLIT.split(body[at:]):
            i = body.index(piece, at)
            if piece.strip():
                out.append((start + i, start + i + len(piece), piece))
            at = i + len(piece)
    return out


def measure(out_dir: str, show: int = 0) -> dict:
    labels, sents, locale = [], [], None
    for gt_path in sorted(glob.glob(os.path.join(out_dir, "ground_truth", "*.json"))):
        gt = json.load(open(gt_path, encoding="utf-8"))
        if gt.get("kind") != "sales":
            continue
        locale = locale or gt.get("locale", "en-US")
        txt = open(os.path.join(out_dir, gt["transcript"]), encoding="utf-8").read()
        spans = [(s["start"], s["end"]) for s in gt["signals"]["surface"] if s["type"] == "budget"]
        for s in gt["signals"]["surface"]:
            if s["type"] == "budget":
                assert txt[s["start"]:s["end"]] == s["quote"], (gt_path, s)
                labels.append(s["quote"])
        for a, b, t in sentences(txt):
            sents.append((t, any(a < e and s < b for s, e in spans)))
    lang = (locale or "en-US")[:2]
    kw = KEYWORD[lang]
    hit_labels = sum(1 for q in labels if kw.search(q))
    kw_sents = [(t, lab) for t, lab in sents if kw.search(t)]
    tp = sum(1 for _, lab in kw_sents if lab)
    recall = hit_labels / len(labels) if labels else 0.0
    precision = tp / len(kw_sents) if kw_sents else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    unlabelled_cues = [t for t, lab in sents if not lab and families(lang, t)]
    fam_labels = Counter(f for q in labels for f in families(lang, q))
    fam_unlabelled = Counter(f for t in unlabelled_cues for f in families(lang, t))
    res = {
        "locale": locale, "labels": len(labels), "distinct_quotes": len(set(labels)),
        "keyword_recall": round(recall, 3), "keyword_precision": round(precision, 3), "keyword_f1": round(f1, 3),
        "keyword_sentences": len(kw_sents), "keyword_sentences_unlabelled": len(kw_sents) - tp,
        "labels_with_outside_cue": sum(1 for q in labels if families(lang, q)),
        "label_families": len(fam_labels),
        "unlabelled_with_outside_cue": len(unlabelled_cues),
        "labels_by_family": dict(sorted(fam_labels.items())),
        "unlabelled_by_family": dict(sorted(fam_unlabelled.items())),
    }
    if show:
        print("== labels the keyword rule misses")
        for q, n in Counter(q for q in labels if not kw.search(q)).most_common(show):
            print(f"  {n:3d}  {q}")
        print("== labels the keyword rule finds")
        for q, n in Counter(q for q in labels if kw.search(q)).most_common(show):
            print(f"  {n:3d}  {q}")
        print("== unlabelled sentences the keyword rule matches")
        for q, n in Counter(t for t, lab in kw_sents if not lab).most_common(show):
            print(f"  {n:3d}  {q}")
        print("== unlabelled sentences with an outside budget cue")
        for q, n in Counter(unlabelled_cues).most_common(show):
            print(f"  {n:3d}  {q}")
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="+", help="build output directories")
    ap.add_argument("--show", type=int, default=0, help="print the most frequent sentences of each kind")
    a = ap.parse_args(argv)
    for d in a.out:
        print(d, json.dumps(measure(d, a.show), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
