"""Contact-center calls that are different calls, in each language (issue 15
§5): measured as benchmarks/bench_quality.py measures a built corpus
(builder/quality.py's distinct-2 at 20,000 words and verbatim share), but
per locale, on that locale's calls of examples/contact_center.corpus.

Main before this work: distinct-2 0.469 (de-DE) and 0.413 (en-US) while the
whole corpus read 0.545 (two languages mixed look varied); per intent 0.42 to
0.55."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from corpusc.builder import quality as Q

from .conftest import EXAMPLES
from .test_engine import plan_of, render_all


@pytest.fixture(scope="module")
def contact():
    h, calls = plan_of(EXAMPLES / "contact_center.corpus")
    return calls, render_all(h, calls)


def _groups(contact, key) -> dict[str, tuple[Q.Distinct2Sample, Q.VerbatimShare]]:
    calls, rendered = contact
    out: dict[str, tuple[Q.Distinct2Sample, Q.VerbatimShare]] = defaultdict(
        lambda: (Q.Distinct2Sample(), Q.VerbatimShare()))
    for c, rc in zip(calls, rendered):
        texts = [t.text for t in rc.turns]
        d2, verb = out[key(c)]
        d2.add(c.id, [Q.words(t) for t in texts])
        verb.add(c.id, [k for t in texts for k in Q.sentence_keys(t)])
    return dict(out)


def test_each_language_is_varied_on_its_own(contact):
    """German as varied as English, and each on its own as varied as the
    issue asks: distinct-2 >= 0.5 at 20k words of the locale's calls, 6+-word
    sentences found in another call <= 15% (main: de 0.469, en 0.413)."""
    groups = _groups(contact, lambda c: c.locale)
    assert set(groups) == {"de-DE", "en-US"}
    for loc, (d2, verb) in sorted(groups.items()):
        r, v = d2.result(), verb.result()
        print(f"\n{loc}: distinct-2 {r['distinct_2']} at {r['tokens']} words, verbatim {v['share']:.3f}")
        assert r["tokens"] == Q.TOKENS, (loc, r)  # each locale has the full budget: a fair comparison
        assert r["distinct_2"] >= Q.TARGET_DISTINCT_2, (loc, r)
        assert v["share"] <= Q.TARGET_VERBATIM["contact_center"], (loc, v)


def test_intents_report(contact):
    """Each intent's figures (the issue's "per intent"), printed for the
    report; an intent below the corpus target is allowed (the German intents
    with 25+ long calls still repeat their own middles), but none falls back
    to main's 0.42."""
    groups = _groups(contact, lambda c: str(c.metadata.get("intent")))
    worst = 1.0
    for intent, (d2, verb) in sorted(groups.items()):
        r = d2.result()
        print(f"\n{intent}: distinct-2 {r['distinct_2']} at {r['tokens']} words, verbatim "
              f"{verb.result()['share']:.3f}")
        worst = min(worst, r["distinct_2"])
    assert worst > 0.42


def test_service_calls_hesitate_in_their_own_words(contact):
    """A service call's fillers come from its own banks (`pop.*.dyn.*`) over
    the locale's: English callers also say ", like," / ", erm," and German
    ", quasi," / ", hm," (main: only "uh", "um", "you know", "I mean"
    and "äh", "ähm", "also", "na ja", "sag ich mal", "sozusagen")."""
    calls, rendered = contact
    text = {"en-US": "", "de-DE": ""}
    for c, rc in zip(calls, rendered):
        text[c.locale] += " ".join(t.text for t in rc.turns) + " "
    assert re.search(r", (?:like|erm|hmm),", text["en-US"]), "no service-call filler in English"
    assert re.search(r", (?:quasi|hm),", text["de-DE"]), "no service-call filler in German"


def test_german_repeats_itself_no_more_than_english_at_equal_size(contact):
    """"German as varied as English" compared fairly: the verbatim share
    grows with the number of calls that may repeat a sentence, and the
    contact center has 160 German calls to 40 English ones (12.5% against
    4.5% as a whole). Over seeded random sets of 40 German calls the share
    is within 2 points of English's (4.2% against 4.5%)."""
    import random
    calls, rendered = contact
    by: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for c, rc in zip(calls, rendered):
        by[c.locale].append((c.id, [k for t in rc.turns for k in Q.sentence_keys(t.text)]))

    def share(group) -> float:
        v = Q.VerbatimShare()
        for cid, keys in group:
            v.add(cid, keys)
        return v.result()["share"]
    n = len(by["en-US"])
    assert 0 < n < len(by["de-DE"])
    en = share(by["en-US"])
    de = [share(random.Random(s).sample(by["de-DE"], n)) for s in range(10)]
    print(f"\nen-US {en:.3f} over {n} calls; de-DE over {n}: mean {sum(de) / len(de):.3f}, max {max(de):.3f}")
    assert sum(de) / len(de) <= en + 0.02
