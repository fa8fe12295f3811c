"""Issue 15 §1, from an outside reader's review (reader14, rows 2 and 4): whole
families of buyer sentences that carry a signal had no label, because the
audit lexicon (classify.signal_terms) lacked their words; and sentences with
no signal were labelled (a weekday in small talk as a next step, a past "this
quarter" aside as a timeline, an admin reply as a next step, sending the
order form for e-signature as authority). The patterns are the reader's
(/tmp/reader14/scripts/families.py, logic14.py D3/D4, fit14.py F1), written
here in their words, not taken from the renderer's tables, so they can
disagree with it. On mergede (b8ed9ce), seeds 8/9: families EN 33/35 and DE
64/75 unlabelled, pain outside the first lexicon EN 20/48 and DE 25/69, false
labels EN 39 (weekday 1, admin reply 6, past 'this quarter' 16, e-signature
send 16) and DE 23 (weekday 5, admin reply 3, e-signature send 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpusc.render.template.signals import term_categories

from .test_labels_and_personas import _build, calls, sentences

# (locale, category, pattern): the reader's families, buyer side
FAMILIES = [
    ("en", "authority", r"(talk to|check with|run it past|loop in) my [\w -]*(managers|team leads|team)[^.]*"
                        r"(before|ahead of) (committing|signing|deciding)"),
    ("en", "authority", r"push it with the people upstairs|take it upstairs|sell it upstairs"),
    ("en", "need", r"back to coaching[^.]*instead of|chasing reports"),
    ("en", "need", r"(tracking it|had a go at)[^.]*shared (doc|sheet)|held up for (maybe )?\w+ weeks"),
    ("en", "need", r"growth with no extra people|without adding (headcount|people|\w+ reps)|no extra headcount"),
    ("en", "competitor", r"\b(current|existing|old) (vendor|provider|tool)\b[^.]*(does|already|offers|same|fair)"),
    ("en", "need", r"the last (group|cohort|batch) of new [\w ]+ took about \w+ months"),
    ("de", "next_step", r"Ich lege es [^.]*vor|lege ich [^.]* vor, sobald"),
    ("de", "need", r"ohne zusätzliche Stellen|ohne mehr Leute|ohne neue Stellen"),
    ("de", "competitor", r"(jetzige|bisherige|aktuelle)[rn]? (Dienstleister|Anbieter)"),
    ("de", "authority", r"müsste (ich )?erst[^.]*(gewinnen|überzeugen|abholen)"),
    ("de", "need", r"Unsere Daten in \w+ sind[^.]*vollständig"),
]
# pain worded outside the lexicon the reader started from (logic14 D4; "Chaos" left out: the German
# small talk "heute früh ist Salesforce ausgefallen, es war Chaos" is an anecdote, not the buyer's need)
PAIN = {
    "en": r"time for coaching is the first thing|could coach have the least time|complete, and that caps"
          r"|caps what I can analy[sz]e|that's a mess|still a bit messy|every team lead does it their own way"
          r"|no way to prove|never really got there|first month is mostly shadowing",
    "de": r"das begrenzt, was ich|zur Hälfte vollständig|Prozent vollständig|jeder macht es anders"
          r"|jede Teamleitung macht|nach Gefühl|improvisieren|kein Gesamtblick|einen Gesamtblick hat keiner|verstreut",
}
# sentences that read as no signal of the category they were labelled with (reader14 row 4)
WEEKDAY = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Montag|Dienstag|Mittwoch|Donnerstag|Freitag)"
FALSE = {
    "en": [("next_step", rf"\b(since|most of|spent) {WEEKDAY}\b|\bon {WEEKDAY}\b[^.]*\b(was|were|had|spent|saved)\b"),
           ("next_step", r"^(IT will do it|Our IT team owns that)\.$"),
           ("timeline", r"(sat in on|listened to|haven't opened it)[^.]*this quarter"),
           ("authority", r"(send|route) it (through|via) (e-signature|DocuSign)")],
    "de": [("next_step", rf"\bseit {WEEKDAY}\b|\b(war|hat|hatte|waren) am {WEEKDAY}\b"),
           ("next_step", r"^(Die IT|Unsere IT) (will|möchte) das selbst"),
           ("authority", r"(Ich schicke es|Ich lasse es) (per E-Signatur|über DocuSign)")],
}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("reader14")  # the reader's seeds; `corpusc verify` passes on both (_build)
    return {"en": _build(root, "en", ["--calls", "200", "--seed", "8"]),
            "de": _build(root, "de", ["--calls", "200", "--seed", "9", "--locale", "de-DE"])}


def _labels(gt, a: int, b: int) -> set[str]:
    return {s["type"] for s in gt["signals"]["surface"] if s["start"] < b and s["end"] > a}


def _buyer_sentences(folder: Path):
    for gt, turns in calls(folder):
        side = {p["name"]: p["side"] for p in gt["participants"]}
        for i, t in enumerate(turns):
            if side.get(t[0]) == "buyer":
                for a, b, q in sentences(t):
                    yield gt, i, a, b, q.strip()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_signal_families_are_labelled(builds, lang):
    """Every sentence of the reader's families carries its category (mergede: EN 33/35, DE 64/75 did not)."""
    seen, missing = 0, []
    for gt, i, a, b, q in _buyer_sentences(builds[lang]):
        for loc, cat, rx in FAMILIES:
            if loc == lang and re.search(rx, q):
                seen += 1
                if cat not in _labels(gt, a, b):
                    missing.append((gt["call_id"], i, cat, q[:100]))
    assert seen >= 20  # the families are said: the check is not empty
    assert not missing, f"{len(missing)}/{seen}: {missing[:6]}"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_pain_outside_the_first_lexicon_is_need(builds, lang):
    """A buyer's pain worded outside the lexicon the reader started from is labelled need (mergede: EN 20/48,
    DE 25/69 were not)."""
    seen, missing = 0, []
    for gt, i, a, b, q in _buyer_sentences(builds[lang]):
        if re.search(PAIN[lang], q):
            seen += 1
            if "need" not in _labels(gt, a, b):
                missing.append((gt["call_id"], i, q[:100]))
    assert seen >= 20
    assert not missing, f"{len(missing)}/{seen}: {missing[:6]}"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_label_on_a_sentence_without_the_signal(builds, lang):
    """Small talk that names a past weekday is no next step, nor an admin reply; a past 'this quarter' aside is
    no timeline; sending the order form for e-signature is a next step, not authority (mergede: EN 39, DE 23;
    module docstring)."""
    wrong = []
    for gt, turns in calls(builds[lang]):
        for i, t in enumerate(turns):
            for a, b, q in sentences(t):
                labs = _labels(gt, a, b)
                for cat, rx in FALSE[lang]:
                    if cat in labs and re.search(rx, q.strip()):
                        wrong.append((gt["call_id"], i, cat, q.strip()[:100]))
    assert not wrong, f"{len(wrong)}: {wrong[:6]}"


@pytest.mark.parametrize("loc,text,cat", [
    ("en-US", "Once that's handled, I'm happy to push it with the people upstairs, Jordan.", "authority"),
    ("en-US", "The other thing is getting team leads back to coaching, rather than chasing reports all week.", "need"),
    ("en-US", "Our current provider has been reliable for years at Redbridge, to be fair.", "competitor"),
    ("de-DE", "Ich lege es den Leuten vor, die das Thema verantworten, wenn es ankommt.", "next_step"),
    ("de-DE", "Unsere Daten in HubSpot sind höchstens zur Hälfte vollständig, das begrenzt, was ich analysiere.",
     "need"),
    ("de-DE", "Ich müsste erst die Dienstältesten bei Brighthaven gewinnen, bevor sich etwas ändert.", "authority"),
])
def test_the_audit_reads_the_families(loc, text, cat):
    """`corpusc verify` reads these families as signals, so an unlabelled one fails the build's audit."""
    assert cat in term_categories(loc, text)
