"""The account's head counts said like people say them (naming.count_less):
"our 25 patient access reps" in the first mentions and once in a long while,
"our patient access reps", "the team", "unsere Leute" elsewhere. reader14 #8
counted one head-count phrase said 6 times or more in a call in 98 of 201
English and 50 of 201 German calls ("25 patient access reps" 22 times; sales_pov
brightpath.demo "85 patient access reps" 34 times)."""

from __future__ import annotations

import collections
import re
import sys

import pytest

from corpusc.render.template import naming, sales
from corpusc.render.template.lexicon import load_lexicon

from .conftest import EXAMPLES, ROOT
from .test_engine import plan_of, render_all

sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_spec import sales_spec  # noqa: E402

CALLS = 60
# the reviewer's pattern (reader14 size_stuffing.py): a figure and the word after it, minus units; a figure
# is a whole word (de17's German staff words, "Disponenten im", had read as "ten im"); a tens word is one
# of the eight ("security review", said 7 times in sales_pov's brightpath.demo, had read as a head count)
NUMW = (r"(\d[\d.,]*|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:twen|thir|for|fif|six|seven|eigh|nine)ty(?:-[a-z]+)?|zwei|drei|"
        r"vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|[a-zäöü]+zig)")
PHRASE = re.compile(r"\b" + NUMW + r" (?!percent|Prozent|minutes|Minuten|weeks|Wochen|days|Tage|calls|Gespräche\w*|months|"
                    r"Monate|hours|Stunden|years|Jahre|Euro|dollars|seats|Lizenzen)([A-Za-zÄÖÜäöüß-]+(?: [a-z]+ [a-z]+s)?)")
OFTEN = 6  # one phrase said this often in a call is stuffing
SHARE = 0.12  # of a corpus's calls at most


def _stuffed(rendered) -> float:
    n = 0
    for rc in rendered:
        body = " ".join(t.text for t in rc.turns)
        cnt = collections.Counter(m.group(0).lower() for m in PHRASE.finditer(body))
        n += bool(cnt) and cnt.most_common(1)[0][1] >= OFTEN
    return n / max(1, len(rendered))


@pytest.fixture(scope="module", params=["en-US", "de-DE", "sales_pov"])
def corpus(request, tmp_path_factory):
    if request.param == "sales_pov":
        return plan_of(EXAMPLES / "sales_pov.corpus")
    spec = tmp_path_factory.mktemp("counts") / "gen.corpus"
    spec.write_text(sales_spec(CALLS, 8, None if request.param == "en-US" else request.param), encoding="utf-8")
    return plan_of(spec)


def test_a_head_count_is_not_said_over_and_over(corpus, monkeypatch):
    h, calls = corpus
    after = _stuffed(render_all(h, calls))
    monkeypatch.setattr(sales, "count_less", lambda S, drafts: None)
    before = _stuffed(render_all(h, calls))
    # (sales_pov's 14 calls move in steps of 7%: two calls of its long demos, session 28's draws, are 14%)
    assert after <= max(SHARE, 2 / len(calls)), (before, after)
    assert after < before, (before, after)  # the pass is what keeps it down


@pytest.mark.parametrize("loc, side, text, want", [
    ("en-US", "buyer", "I have questions for our 85 patient access reps.", "I have questions for our patient access reps."),
    # a sentence's first word too (sales_pov brightpath.demo: "Our 85 patient access reps ..." 13 times)
    ("en-US", "buyer", "Our 85 patient access reps take everything.", "Our patient access reps take everything."),
    ("en-US", "buyer", "With 85 patient access reps plus nine managers, it adds up.",
     "With our patient access reps plus nine managers, it adds up."),
    # a kind of team the seller compares with: "your size" once the figure was said (sales_pov's
    # brightpath.discovery said "teams with 85 patient access reps" four times)
    ("en-US", "seller", "Lots of centers with 85 patient access reps start small.",
     "Lots of centers your size start small."),
    ("en-US", "seller", "It happens without extra work for your 85 patient access reps.",
     "It happens without extra work for your patient access reps."),
    ("de-DE", "buyer", "Das ist ein großer Schritt bei 90 Leuten.", "Das ist ein großer Schritt bei unseren Leuten."),
    ("de-DE", "buyer", "Unsere zwei Teamleiter sind am Limit.", "Unsere zwei Teamleiter sind am Limit."),  # capital: as it is
    ("de-DE", "buyer", "Das wissen unsere zwei Teamleiter.", "Das wissen unsere Teamleiter."),
    # a kind of team the seller compares with, as in English (reader17: "bei Teams mit sechs Leuten" 9 times
    # in a call with "sechs Leuten")
    ("de-DE", "seller", "Das sehen wir bei Teams mit 90 Leuten oft.", "Das sehen wir bei Teams Ihrer Größe oft."),
    ("de-DE", "buyer", "Unsere IT betreut genug Systeme für 90 Leute.", "Unsere IT betreut genug Systeme für unsere Leute."),
])
def test_rules_keep_grammar(loc, side, text, want):
    data = load_lexicon(loc).headcount_refs
    nouns = ["patient access reps", "Leute", "Leuten"] + list(data["nouns"])
    noun = "|".join(re.escape(x) for x in sorted(set(nouns), key=len, reverse=True))
    out = text
    for n in ("85", "90", "zwei"):
        for p, r in data[side]:
            out = re.sub(p.replace("{n}", re.escape(n)).replace("{noun}", noun),
                         lambda m: m.expand(r.split("|")[0]), out)
    assert out == want
    assert naming.COUNT_GAP >= 600


# reader14 #9: "Bei sechs Leuten und zwei Teamleitern ist jeder Teamleiter für gut ein Dutzend Leute zuständig"
SPAN_DE = re.compile(r"(?:Bei|Mit) ([\w.]+) (?:Leuten|\w+),?[^.]*? (?:und|mit) ([\w.]+) (?:Teamleiter\w*|Führungskräft\w*)"
                     r"[^.]*?für (?:gut |etwa |rund )?((?:ein )?\w+)(?:, zwölf)? (?:Leute|Personen|Mitarbeitende)")


def test_the_span_of_control_follows_from_the_head_counts(corpus):
    """People per team lead, where a line says it, is the account's head count
    over its team leads (within a factor of 2), not a fixed 'ein Dutzend'."""
    from corpusc.render.template.lexicon import load_lexicon
    h, calls = corpus
    words = load_lexicon("de-DE").numbers.words
    num = {str(w).lower(): n for n, w in words.items()}
    num.update({"ein dutzend": 12, "dutzend": 12})

    def value(s: str):
        s = s.lower().replace(".", "")
        return int(s) if s.isdigit() else num.get(s)
    seen = 0
    for rc in render_all(h, calls):
        for t in rc.turns:
            for m in SPAN_DE.finditer(t.text):
                a, b, k = (value(x) for x in m.groups())
                seen += 1
                assert a and b and k and 0.5 * a / b <= k <= 2 * a / b, m.group(0)
    for f in (ROOT / "stdlib" / "phrases").glob("*/discovery.json"):
        assert not re.search(r"\{managers\}[^\"]*(?:Dutzend|zehn, zwölf|a dozen)", f.read_text(encoding="utf-8")), f
