"""Budget is said in many ways, not only with the word.

A category that the one-word rule "the sentence says budget" finds perfectly
tells nothing about a pipeline scored against the ground truth. On main, every
one of the 47 `budget` labels of the generated 300-call spec (seed 3) said
"budget"/"budgets"/"budgeted"/"budgeting" or "fiscal year": the rule `\\bbudget`
found 85% of them (German `budget|etat`: 77% of 56), and the labels said budget
in 3 ways of the outside list below. Now the banks also say it as buyers do
("the money for this isn't there until July", "we've got about forty thousand
earmarked", "finance froze new spend", "more than I can sign for"; "das Geld
dafür ist erst ab Juli da", "ein Ausgabenstopp", "zurückgelegt"), and each such
sentence is labelled budget (a declared phrase or a signal term).

The measure is benchmarks/budget_keyword.py, run on the build as an outside
script: it reads only the transcripts and the ground truth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corpusc.render.template.signals import term_categories
from .conftest import generated_spec, build_spec

ROOT = Path(__file__).resolve().parent.parent

MAX_KEYWORD_RECALL = 0.6  # after: en 0.20 (seed 3) / 0.35 (seed 7), de 0.21 / 0.22; main 0.85 / 0.90, 0.77 / 0.83
MIN_LABELS = {"en": 47, "de": 56}  # main's count of budget labels on these specs: the wording may not cost labels
MIN_WORDINGS = 7  # outside wording families among the labels: main 3 (en) / 3 (de), after 11 / 10


def _build(root: Path, name: str, args: list[str]) -> Path:
    # the audit (verify): no sentence says a signal term of a category it is not labelled with (the budget
    # terms the new wordings brought included)
    return build_spec(generated_spec(root / f"{name}.corpus", *args), root / name, only="transcripts,ground_truth",
                      verify=True)


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    root = tmp_path_factory.mktemp("budget")
    outs = {"en": _build(root, "en", ["--calls", "300", "--seed", "3"]),
            "de": _build(root, "de", ["--calls", "300", "--seed", "3", "--locale", "de-DE"])}
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "budget_keyword.py"), *map(str, outs.values())],
                       capture_output=True, text=True, check=True)
    got = [json.loads(line.split(" ", 1)[1]) for line in r.stdout.splitlines() if line.strip()]
    return dict(zip(outs, got))


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_word_budget_finds_at_most_a_share_of_the_budget_labels(measured, lang):
    m = measured[lang]
    assert m["labels"] >= MIN_LABELS[lang], m
    assert m["keyword_recall"] <= MAX_KEYWORD_RECALL, m
    # every sentence that does say the word is still labelled (the rule's precision stays 1)
    assert m["keyword_sentences_unlabelled"] == 0, m


@pytest.mark.parametrize("lang", ["en", "de"])
def test_budget_is_said_in_many_ways(measured, lang):
    m = measured[lang]
    assert m["label_families"] >= MIN_WORDINGS, m["labels_by_family"]


# what a buyer says of budget without the word, and what only sounds like it: the audit's terms (what
# `corpusc verify` and the spec's own prose are read by) must tell them apart
SAYS_BUDGET = [
    ("en-US", "The money for this isn't there until July."),
    ("en-US", "We've got about forty thousand earmarked for this."),
    ("en-US", "Finance froze new spend for the quarter."),
    ("en-US", "We're in a spending freeze until the new fiscal year."),
    ("en-US", "That's more than I can sign for without going back to finance."),
    ("en-US", "We'd have to find the money somewhere else."),
    ("en-US", "Our CFO holds the purse strings."),
    ("en-US", "We can't get it funded before the fall."),
    ("de-DE", "Das Geld dafür ist erst ab Juli da."),
    ("de-DE", "Bei uns gilt bis Dezember ein Ausgabenstopp."),
    ("de-DE", "Die Mittel dafür sind noch nicht freigegeben."),
    ("de-DE", "Das müssten wir aus einem anderen Topf holen."),
    ("de-DE", "Das liegt über dem, was ich allein freigeben kann."),
    ("de-DE", "Die Finanzierung steht erst im neuen Jahr."),
]
NO_BUDGET = [
    ("en-US", "Could we set aside time for training next week?"),
    ("en-US", "Managers spend an hour a day hunting for recordings."),
    ("en-US", "We spend hours every Monday in one-on-ones."),
    ("en-US", "Just send it to me, I'm authorized to sign for this."),
    ("en-US", "That's where the money is in retail."),
    ("en-US", "Shout if I freeze."),
    ("de-DE", "Die Telefonanlage nimmt auf, aber das bleibt in einem eigenen Topf."),
    ("de-DE", "Ich habe eine Stunde dafür eingeplant."),
    ("de-DE", "Wir haben zweitausend Kilometer zurückgelegt."),
    ("de-DE", "Im Mittel dauert ein Gespräch sechs Minuten."),
]


@pytest.mark.parametrize("loc,text", SAYS_BUDGET)
def test_the_audit_reads_budget_without_the_word(loc, text):
    assert "budget" in term_categories(loc, text), text


@pytest.mark.parametrize("loc,text", NO_BUDGET)
def test_time_money_talk_and_kept_apart_data_are_no_budget(loc, text):
    assert "budget" not in term_categories(loc, text), text
