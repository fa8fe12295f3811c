"""The render hot path's shortcuts answer exactly as the plain code they
replace (issue 14: faster, byte-identical). Speed itself is measured in
benchmarks/, never here."""

from __future__ import annotations

import random

from corpusc.plan.model import fast
from corpusc.render.model import Evidence, Turn
from corpusc.render.template import banks, signals
from corpusc.render.template.language import _MESSY, tidy

from .test_engine import EXAMPLES, plan_of, render_all

# characters whose case-insensitive match differs from a match of str.lower(): ſ ~ s, ı ~ i, K (Kelvin) ~ k,
# İ lower-cases to two characters, Σ to a final sigma
CASEFIX = "ſıKİΣσςµß"


def _texts(locale: str) -> list[str]:
    """Every bank template spelled out once, in several cases, plus fragments."""
    from corpusc.render.template.sales import _plain
    out = []
    for v in banks.load_bank(locale).values():
        for t in v if isinstance(v, list) else ():
            if isinstance(t, (str, tuple)):
                s = _plain(t)
                out += [s, s.upper(), s.title(), s[len(s) // 3:]]
    return out


def test_signal_term_gate_matches_the_exact_pattern():
    """`_says_any` (a lower-cased prefix trie) finds a term exactly when the
    IGNORECASE pattern of every term does: on every bank template of each
    locale, with the case-fold exceptions mixed in."""
    rnd = random.Random(14)
    for loc in banks.supported_locales():
        exact = signals._any_term(loc)
        words = sorted({k for row in signals.load_lexicon(loc).classify.signal_terms for k in row.get("keywords") or ()})
        texts = _texts(loc)
        for w in words:  # each term said, at a word start and inside a word, in odd cases
            texts += [f"we {w} now", f"x{w}", f"-{w}", w.upper(), w.swapcase()]
        for s in texts[:4000]:
            i = rnd.randrange(len(s) + 1)
            texts.append(s[:i] + rnd.choice(CASEFIX) + s[i:])
        found = 0
        for s in texts:
            want = exact.search(s) is not None
            assert signals._says_any(loc, s) == want, (loc, s)
            found += want
        assert 0 < found < len(texts)  # both answers occur: the test can fail either way


def test_tidy_prefilter_misses_no_stray_punctuation():
    """The one search `tidy` makes first finds something wherever one of the
    nine substring tests it spares would (a text it passes needs no fixing)."""
    rnd = random.Random(7)
    nine = (" ,", " .", " ?", " !", " ;", ",,", "..", ",.", ".,")
    hit = 0
    for _ in range(20000):
        s = "".join(rnd.choice(" ,.?!;aB") for _ in range(rnd.randrange(1, 14)))
        messy = any(x in s for x in nine)
        assert messy <= (_MESSY(s) is not None), s
        hit += messy
    assert 0 < hit < 20000
    assert tidy("we looked at it , and it works .") == "We looked at it, and it works."


def test_turns_and_evidence_built_whole_are_the_models_pydantic_builds():
    """`whole` builds a Turn or an Evidence with every field in declaration
    order: equal to `fast` and to pydantic's own validation of the same data."""
    h, calls = plan_of(EXAMPLES / "sales_pov.corpus", n=3)
    for rc in render_all(h, calls):
        for t in rc.turns:
            assert list(t.__dict__) == list(Turn.model_fields)
            assert t == fast(Turn, **t.__dict__) == Turn.model_validate(t.model_dump())
            assert t.model_dump_json() == Turn.model_validate(t.model_dump()).model_dump_json()
        for e in rc.evidence:
            assert list(e.__dict__) == list(Evidence.model_fields)
            assert e == Evidence.model_validate(e.model_dump())
