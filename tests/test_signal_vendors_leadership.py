"""Signal sentences an outside reader (of d808996) found unlabelled in sales calls, in this test's OWN words
(not the renderer's lexicon or signal_keys.json):

1. the buyer naming leadership or the board as the people a decision goes before ("before I put it in front
   of our leadership", "the kind of thing I want to show our board", "this is the one piece I can't take to our
   leadership yet") is `authority`; a board or leadership that only watches or presses ("I need a win for the
   board, because they're watching", "pressure from leadership", "Druck von der Geschäftsführung") is not: who
   decides is authority, who looks at the numbers is not (tests/test_authority_mentions.py, an earlier
   reader's decision the helper's first version of this file crossed);
2. other, past and in-house vendors are `competitor` (its description: "the buyer's current or past vendor, or
   the alternatives the buyer is weighing"): vendors that pitched the buyer ("We've heard three vendors pitch
   the same", "jeder Anbieter behauptet"), a vendor or its tool the buyer tried, was burned by or rejected ("a
   smaller vendor", "IT rejected a vendor once already", "we still have licenses for it", "Der Anbieter hat in
   der Demo viel versprochen"), a build of their own ("selbst bauen", "hack together something basic in-house").
   d808996: 56 of 107 English and 41 of 94 German such buyer sentences had no competitor label.

The rep's paper words ("get set up as a vendor", "vendor onboarding", "the vendor forms") and the buyer's
"legal has to review every vendor contract" are no competitor: checked both ways.
`verify` passes on every build here (it reads with the lexicon; this file reads with its own lists)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpusc.render.template.signals import term_categories

from .conftest import build_spec, generated_spec

# ---- this reader's word lists --------------------------------------------------------------------------------

# (category, locale prefix) -> the words of a buyer sentence that carries it
BUYER = {
    ("authority", "en"): r"\b(?:in front of|take (?:it |this |that )?to|show) our (?:leadership|board)\b",
    ("competitor", "en"): r"\b(?:heard|had) \w+ vendors (?:pitch|promise)|\b[Ee]very vendor\b(?! contract)|\bEach vendor\b"
                          r"|\bburned (?:once|before) by a (?:vendor|tool|platform)\b|\ba smaller vendor\b"
                          r"|\b(?:[Tt]he|[Tt]hat) vendor (?:promised|over-promised)|\b[Tt]hat company (?:promised|over-promised)"
                          r"|\b(?:rejected|pushed back on) a (?:vendor|tool)\b|\blicenses for it\b"
                          r"|\b(?:hack|cobble) together\b|\bhomegrown setup\b",
    ("competitor", "de"): r"\bjede[rm]? (?:zweite )?Anbieter\b|\b(?:kleineren|früheren|letzten) Anbieter\b"
                          r"|\b[Dd]er Anbieter hat (?:in der Demo|im Verkaufsprozess)|\bvon (?:vielen|etlichen|zig|zu vielen) Anbietern\b"
                          r"|\bselbst bauen\b|\bintern bauen\b|\bBastellösung\b|\bdas letzte Tool\b",
}
# words that say "vendor" or "Anbieter" and carry no competitor: the rep's procurement paper, a vendor contract
NOT_COMPETITOR = r"\bas a vendor\b|\bvendor (?:onboarding|setup|forms?)\b|\bevery vendor contract\b|\bneuen Anbietern\b"


def _turns(folder: Path):
    """(ground truth, [(side, start offset of the text, text)]) for each sales call of a build (its txt)."""
    for f in sorted((folder / "ground_truth").glob("*.json")):
        gt = json.loads(f.read_text(encoding="utf-8"))
        if gt.get("kind") != "sales":
            continue
        side = {p["name"]: p["side"] for p in gt["participants"]}
        txt = (folder / gt["transcript"]).read_text(encoding="utf-8")
        turns, pos = [], 0
        for line in txt.split("\n"):
            name, sep, rest = line.partition(": ")
            if sep and not line.startswith("#") and name in side:
                turns.append((side[name], pos + len(name) + 2, rest))
            pos += len(line) + 1
        yield gt, turns


def _sentences(text: str):
    for m in re.finditer(r"(?:\[[^\]]*\]\s*)*([^.!?;]+[.!?;]*)", text):
        if m.group(1).strip():
            yield m.start(1), m.end(1), m.group(1)


def read(folder: Path) -> tuple[dict, list, list]:
    """(sentences seen per (category, locale), and ("paper", locale) for the paper sentences; the unlabelled
    ones; the wrongly labelled ones) of a build."""
    seen: dict = {}
    missing, wrong = [], []
    for gt, turns in _turns(folder):
        loc = gt["locale"][:2]
        surf = gt["signals"]["surface"]
        for side, base, text in turns:
            for a, b, sent in _sentences(text):
                a, b = base + a, base + b

                def labelled(cat: str) -> bool:
                    return any(s["type"] == cat and s["start"] < b and s["end"] > a for s in surf)
                if side == "buyer":
                    for (cat, lang), rx in BUYER.items():
                        if lang == loc and re.search(rx, sent):
                            seen[cat, lang] = seen.get((cat, lang), 0) + 1
                            if not labelled(cat):
                                missing.append((gt["call_id"], cat, sent))
                if re.search(NOT_COMPETITOR, sent) and not re.search(BUYER["competitor", loc], sent):
                    seen["paper", loc] = seen.get(("paper", loc), 0) + 1
                    if labelled("competitor"):
                        wrong.append((gt["call_id"], side, sent))
    return seen, missing, wrong


# ---- what `corpusc verify` reads (the lexicon), the reader's sentences ----------------------------------------

@pytest.mark.parametrize("loc,text,cat", [
    ("en-US", "I'll need to dig into how it's scored before I put it in front of our leadership.", "authority"),
    ("en-US", "This is, I mean, the kind of thing I want to show our board.", "authority"),
    ("en-US", "The rest looks good; this is the one piece I can't take to our leadership yet.", "authority"),
    ("en-US", "We've heard three vendors pitch the same to us this year, so excuse me if I'm a bit tired of it.",
     "competitor"),
    ("en-US", "Frankly, IT pushed back on a vendor once already over where the data was stored.", "competitor"),
    ("en-US", "We've been burned before by a vendor that oversold itself, so expect some wait-and-see.", "competitor"),
    ("en-US", "We tried once, back in 2022, with a smaller vendor here, and it never really took off.", "competitor"),
    ("en-US", "We still have licenses for it here that nobody uses, which tells you something.", "competitor"),
    ("de-DE", "Wir haben es 2022 mit einem kleineren Anbieter versucht, aber es hat sich nie durchgesetzt.",
     "competitor"),
    ("de-DE", "Der Anbieter hat in der Demo viel versprochen, und danach war der Support weg.", "competitor"),
    ("de-DE", "Wir könnten wahrscheinlich etwas Einfaches selbst bauen, aber niemand will es pflegen.", "competitor"),
    ("de-DE", "Wissen Sie, jeder Anbieter sagt mittlerweile, alles sei KI-gestützt.", "competitor"),
])
def test_the_audit_reads_the_signal(loc, text, cat):
    """d808996's lexicon read none of these (the reader's sentences), so verify passed them unlabelled."""
    assert cat in term_categories(loc, text)


@pytest.mark.parametrize("loc,text", [
    ("en-US", "On procurement, we're happy to get set up as a vendor whenever you're ready."),
    ("en-US", "Legal has to review every vendor contract and they're backed up."),
    ("en-US", "I'll get all the vendor forms over within a day, so we're never the bottleneck."),
    ("de-DE", "Wir machen bei neuen Anbietern normalerweise ein Jahr, und verlängern, wenn es funktioniert."),
])
def test_paper_is_no_competitor(loc, text):
    assert "competitor" not in term_categories(loc, text)


# ---- built corpora -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("labels2")
    out = {}
    for name, args in {"en": ["--calls", "120", "--seed", "11"],
                       "de": ["--calls", "120", "--seed", "11", "--locale", "de-DE"]}.items():
        spec = generated_spec(root / f"{name}.corpus", *args)
        out[name] = build_spec(spec, root / name, only="transcripts,ground_truth", verify=True)
    return out


def test_leadership_and_vendor_sentences_carry_their_category(builds):
    """Every buyer sentence of this reader's families has a label of its category over it (d808996, the
    reader's 300-call builds, /tmp/s28/sales/out_{en,de}: 69/81 en authority, 56/107 en and 41/94 de competitor
    unlabelled by the reader's lists; by this file's `read` 221 of 236 English and 93 of 102 German sentences)."""
    for lang, folder in builds.items():
        seen, missing, wrong = read(folder)
        # the families are said in these builds: the check is not empty
        assert seen.get(("competitor", lang), 0) >= 40, (lang, seen)
        assert lang != "en" or seen.get(("authority", lang), 0) >= 5, (lang, seen)
        assert not missing, (lang, len(missing), sum(seen.values()), missing[:6])
        assert not wrong, (lang, wrong[:6])
    assert read(builds["en"])[0].get(("paper", "en"), 0) >= 5  # the rep's vendor forms are said: not vacuous
