"""An account's people word of several words ("patient access reps") is said
in full in a call's first mentions and once in a long while, elsewhere short
("reps"): reader19 counted "patient access reps" 66 times in sales_pov's
brightpath.demo. Read with this file's own list of the long words.

Main before the change, over sales_pov and 300 generated English calls
(seed 11): 102 calls said a long people word more than 4 times and more than
5 times per 1,000 words (brightpath.demo 66 in 6,975 words); now none.

German has two forms of each (the dative: "Leuten in der Disposition"):
before people_less read both, 120 generated German calls (seed 3) said
"Mitarbeitenden im Patientenservice" up to 34 times in one call."""

from __future__ import annotations

import re
import sys

from .conftest import EXAMPLES, ROOT
from .test_engine import plan_of, render_all

sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_spec import sales_spec  # noqa: E402

LONG_DE = re.compile(r"\b(?:Leuten? (?:in der Disposition|im Vertrieb|an der Kundenhotline|im technischen Vertrieb|"
                     r"in der Studienberatung|im Kundenservice)|Mitarbeitenden (?:im Patientenservice|in der "
                     r"Patientenaufnahme|im Kundenservice)|Kolleginnen und Kollegen am Patiententelefon|"
                     r"Disponentinnen und Disponenten|Beraterinnen und Beratern?)\b")
LONG = re.compile(r"\b(?:patient access reps|sales engineers|account executives|admissions counselors)\b", re.I)
PER_1000 = 5.0
FIRST_MENTIONS = 4  # a short call says it in full where it begins: a rate means nothing there


def _dense(runs, long: re.Pattern) -> tuple[list[str], int]:
    """The calls saying a long people word more often than its first mentions
    and PER_1000 allow, and how many calls say it at all."""
    dense, said = [], 0
    for h, calls in runs:
        for c, rc in zip(calls, render_all(h, calls)):
            text = " ".join(t.text for t in rc.turns)
            n = len(long.findall(text))
            said += n > 0
            if n > max(FIRST_MENTIONS, PER_1000 * len(text.split()) / 1000):
                dense.append(f"{c.id}: {n} in {len(text.split())} words")
    return dense, said


def test_a_long_people_word_is_said_short_after_its_first_mentions():
    dense, said = _dense((plan_of(EXAMPLES / "sales_pov.corpus"),
                          plan_of(EXAMPLES / "sales_pov.corpus", text=sales_spec(300, 11))), LONG)
    assert said >= 60  # the long words are said, in full, where the calls begin
    assert not dense, f"{len(dense)} calls: {dense[:8]}"


def test_a_long_german_people_word_is_said_short_in_both_its_forms():
    dense, said = _dense((plan_of(EXAMPLES / "sales_pov.corpus", text=sales_spec(120, 3, "de-DE")),), LONG_DE)
    assert said >= 20
    assert not dense, f"{len(dense)} calls: {dense[:8]}"
