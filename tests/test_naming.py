"""The account's name said like people say it (render/template/naming.py):
its first mentions, then plain words ("here", "our", "your team") where that
makes no stock line; never a change that reads as a signal; German by its
own rules (prepositions whose plain words keep the case)."""

from __future__ import annotations

import re
import sys

import pytest

from corpusc.render.template import naming, sales
from corpusc.render.template.lexicon import load_lexicon
from corpusc.render.template.signals import text_categories

from .conftest import ROOT
from .test_engine import plan_of, render_all

sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_spec import sales_spec  # noqa: E402

CALLS = 90


def _density(header, calls, rendered) -> float:
    """Mentions of the account's name (its first word) per 1,000 words."""
    n = words = 0
    for c, rc in zip(calls, rendered):
        a = header.account(c.account)
        short = a.display.split()[0] if a is not None else ""
        text = " ".join(t.text for t in rc.turns)
        words += len(text.split())
        n += len(re.findall(rf"\b{re.escape(short)}\b", text)) if short else 0
    return 1000 * n / max(1, words)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    spec = tmp_path_factory.mktemp("naming") / "gen.corpus"
    spec.write_text(sales_spec(CALLS, 5), encoding="utf-8")
    h, calls = plan_of(spec)
    calls = [c for c in calls if c.locale == "en-US"]
    return h, calls


def _render(h, calls, monkeypatch, on: bool):
    if not on:
        monkeypatch.setattr(sales, "name_less", lambda S, drafts: None)
    return render_all(h, calls)


def test_fewer_mentions_of_the_account_than_the_banks_write(generated, monkeypatch):
    h, calls = generated
    with monkeypatch.context() as m:
        before = _density(h, calls, _render(h, calls, m, on=False))
    after = _density(h, calls, render_all(h, calls))
    assert after < before - 0.5, (before, after)


def test_a_plain_rewrite_reads_as_no_new_signal(generated, monkeypatch):
    """Every sentence the pass changed carries no signal category its original lacked."""
    h, calls = generated
    seen = []
    real = naming._plain

    def spy(R, text, rules, said, kw):
        new = real(R, text, rules, said, kw)
        seen.append((R.loc, text, new))
        return new
    monkeypatch.setattr(naming, "_plain", spy)
    rendered = render_all(h, calls)
    changed = [(loc, a, b) for loc, a, b in seen if a != b]
    assert changed, "the pass rewrote nothing"
    texts = " ".join(t.text for rc in rendered for t in rc.turns)
    kept = [b for loc, a, b in changed if b in texts]
    assert kept, "no rewrite reached the transcript"
    for loc, a, b in changed:
        if b in texts:
            assert not text_categories(loc, b) - text_categories(loc, a), (a, b)


def test_rules_keep_grammar():
    """'s that is "is" stays with the name; a possessive becomes the side's own word."""
    refs = load_lexicon("en-US").account_refs
    seller = naming._rules("Redfold Logistics", "Redfold", tuple(tuple(x) for x in refs["seller"]))
    buyer = naming._rules("Redfold Logistics", "Redfold", tuple(tuple(x) for x in refs["buyer"]))

    def apply(rules, text):
        for pat, reps, _ in rules:
            text = pat.sub(lambda m: m.expand(reps[0]), text)
        return text
    assert apply(seller, "Sounds like Redfold's doing well.") == "Sounds like Redfold's doing well."
    assert apply(seller, "Teams like Redfold love it.") == "Teams like yours love it."
    # never "configured around scenarios like your." (reader14, a possessive at a sentence end)
    assert apply(seller, "It's configured around scenarios like Redfold's.") == "It's configured around scenarios like yours."
    assert apply(seller, "How does that sound for Redfold's side?") == "How does that sound for your side?"
    assert apply(buyer, "The agents at Redfold are busy.") == "The agents here are busy."
    assert apply(buyer, "Redfold's process took years.") == "our process took years."  # _cap capitalises in use
    assert apply(buyer, "Everyone at Redfold's setting up again.") == "Everyone at Redfold's setting up again."
    # a phrasal verb ending in "on" keeps the name: never "going on on your side" (reader, merge of verben)
    assert apply(seller, "What's going on at Redfold?") == "What's going on at Redfold?"
    # "here at" at a sentence's start too: never "Here here, I would prefer ..." (test_dialogue_fidelity, acct66.intro)
    assert apply(buyer, "Here at Redfold, I would prefer to wait.") == "Here, I would prefer to wait."
    assert apply(buyer, "What we're measured on at Redfold is churn.") == "What we're measured on at Redfold is churn."


def test_german_rules_keep_grammar():
    """German says "bei uns" / "bei Ihnen" / "für Sie" where the case stays
    the same; a possessive already says whose ("unser Ablauf bei Redfold" ->
    "unser Ablauf"); never "uns bei uns"; "von" keeps the name (the plain
    words would change the case: "der Leitung von uns")."""
    refs = load_lexicon("de-DE").account_refs
    seller = naming._rules("Redfold Logistik", "Redfold", tuple(tuple(x) for x in refs["seller"]))
    buyer = naming._rules("Redfold Logistik", "Redfold", tuple(tuple(x) for x in refs["buyer"]))

    def apply(rules, text):
        for pat, reps, _ in rules:
            text = pat.sub(lambda m: m.expand(reps[0]), text)
        return text
    assert apply(buyer, "Bei Redfold ist gerade Hochbetrieb.") == "Bei uns ist gerade Hochbetrieb."
    assert apply(buyer, "Für Redfold passen Sie besser.") == "Für uns passen Sie besser."
    assert apply(buyer, "Unser Ablauf bei Redfold ist nicht perfekt.") == "Unser Ablauf ist nicht perfekt."
    assert apply(buyer, "Das gilt für uns bei Redfold.") == "Das gilt für uns bei Redfold."
    assert apply(buyer, "Ich lege es der Leitung von Redfold vor.") == "Ich lege es der Leitung von Redfold vor."
    assert apply(seller, "Wie läuft es bei Redfold Logistik?") == "Wie läuft es bei Ihnen?"
    assert apply(seller, "Passt das für Redfold?") == "Passt das für Sie?"
    assert apply(seller, "Ist das für Sie bei Redfold machbar?") == "Ist das für Sie bei Redfold machbar?"


def test_german_mentions_fewer_than_the_banks_write(tmp_path_factory, monkeypatch):
    spec = tmp_path_factory.mktemp("naming_de") / "gen.corpus"
    spec.write_text(sales_spec(40, 3, "de-DE"), encoding="utf-8")
    h, calls = plan_of(spec)
    calls = [c for c in calls if c.locale == "de-DE"]
    assert calls
    with monkeypatch.context() as m:
        before = _density(h, calls, _render(h, calls, m, on=False))
    after = _density(h, calls, render_all(h, calls))
    assert after < before - 3, (before, after)
