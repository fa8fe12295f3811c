"""Subject and verb agree in the rendered en-US sales calls ("because Kira
run a lot of the associates side", "if your analysts wants everything", "you
grades the output", 'questions like "..." takes seconds' came from bank
templates whose subject and verb were drawn from two independent
alternations, and "the way detention fees shows up" from a template that
gave a spec's term, of either number, a singular verb). Counted by
tests/agreement_checks.py, its own word lists (no corpusc import), over
generated calls of two seeds, the bundled example and German calls ("und die
Studienberatung kommen kaum hinterher", "wenn Ihre Juristen Anmerkungen hat").
Before the fix (main at e7af5bf), benchmarks/agreement.py counts 95 slips in
300 generated calls of seed 3, 122 of seed 5, 5 in sales_pov, 7 and 8 in 300
German calls of seeds 3 and 5; 0 in each after."""
from __future__ import annotations

import subprocess
import sys

import pytest

from .agreement_checks import build_slips, plural_term, slips
from .conftest import EXAMPLES, sales_spec_path


def _build(spec, out) -> None:
    run = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--only",
                          "transcripts", "--jobs", "2"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.parametrize("loc,seed,calls", [("en", 3, 100), ("en", 5, 100), ("de", 5, 80)])
def test_generated_sales_calls_have_no_agreement_slips(loc, seed, calls, tmp_path, tmp_path_factory):
    spec = sales_spec_path(loc, tmp_path_factory, calls, {loc: seed})
    _build(spec, tmp_path / "out")
    found = build_slips(tmp_path / "out")
    assert not found, "\n".join(f"{c} t{i} {k}: {s}" for c, i, k, s in found[:20])


def test_sales_pov_has_no_agreement_slips(tmp_path):
    _build(EXAMPLES / "sales_pov.corpus", tmp_path / "out")
    found = build_slips(tmp_path / "out")
    assert not found, "\n".join(f"{c} t{i} {k}: {s}" for c, i, k, s in found[:20])


# the checker itself: the slips seen in generated calls are found, their right forms are not
SLIPS = [
    ("I'll walk Kira through what we saw on Tuesday, because Kira run a lot of the associates side.", "en.name_base"),
    ("We also have a data export to the warehouse if your analysts wants everything.", "en.plural_s"),
    ("Send us a week of calls, we run them, and you grades the output against the recordings.", "en.person_s"),
    ('You can search any phrase, so questions like "what are customers saying about ARR" takes seconds.', "en.like_s"),
    ("An hour of setup per manager; our team do the heavy lifting.", "en.one_base"),
    ("We'll see when the team at Oakcrest actually use it.", "en.one_base"),
    ("Legal will reviews every vendor contract.", "en.aux_form"),
    ("And you can pin a view, like each managers only see their part of Oakcrest.", "en.each_plural"),
    ("Roughly, how many calls does the counselors handle in a week?", "en.does_plural"),
    ("It's on me; it usually settle things faster than email.", "en.pron_base"),
]
RIGHT = [
    "I'll walk Kira through it, because Kira runs a lot of the associates side.",
    "Let Kira run the pilot, and help Dana own the rollout.",
    "How long does it take a new hire to ramp? I've seen it work.",
    "What I need from you is proof I can put in front of the board.",
    "The kickoff with your two managers takes about an hour.",
    "Our managers each handle things a little differently.",
    "Roughly, how many calls does the team handle in a week?",
    "The last rollout we did took twice as long as promised.",
    "Finding the right calls takes a search instead of a week.",
    'You can search any phrase, so a question like "what are customers saying about ARR" takes seconds.',
]


@pytest.mark.parametrize("text,kind", SLIPS)
def test_checker_finds_a_slip(text, kind):
    assert kind in [k for k, _ in slips(text)], slips(text)


@pytest.mark.parametrize("text", RIGHT)
def test_checker_passes_the_right_form(text):
    assert slips(text) == []


DE_SLIPS = [
    ("Zum Semesterstart melden sich doppelt so viele Interessenten, und die Studienberatung kommen kaum hinterher.",
     "de.main"),
    ("Ihre Unterlagen hat auch die kritischen Punkte geklärt.", "de.main"),
    ("Wenn Ihre Juristen Anmerkungen hat, schicken Sie sie einfach.", "de.clause"),
    ("Das ist wichtig, weil mein Team keine Zeit für die Einrichtung haben.", "de.clause"),
    ("Woran merken Sie, dass das Team bei Kestrel wirklich damit arbeiten?", "de.clause"),
    ("Ich gehe das mit Kira durch, weil Kira kümmern sich um den Rest.", "de.name_plural"),
]
DE_RIGHT = [
    "Zum Semesterstart melden sich doppelt so viele Interessenten, und die Studienberatung kommt kaum hinterher.",
    "Die neue Karte können Sie in der App freischalten.",
    "Die Hälfte der 600 Kolleginnen und Kollegen ist weniger als ein Jahr dabei.",
    "Eine meiner Teamleiterinnen ist seit Freitag zurück.",
    "Kann sein, wenn es nur zwei Fragen sind, fülle ich das aus.",
    "Ich möchte, dass die Extrakosten erstattet werden und ein Schreiben kommt.",
]


@pytest.mark.parametrize("text,kind", DE_SLIPS)
def test_checker_finds_a_german_slip(text, kind):
    assert kind in [k for k, _ in slips(text, "de-DE", frozenset({"Kira"}))], slips(text, "de-DE")


@pytest.mark.parametrize("text", DE_RIGHT)
def test_checker_passes_the_german_right_form(text):
    assert slips(text, "de-DE", frozenset({"Kira"})) == []


def test_checker_reads_a_terms_number():
    assert [plural_term(t) for t in ("detention fees", "bill of materials", "LTL", "PCI DSS", "logistics")] == \
        [True, False, False, False, False]
    said = "What I'd point your attention to is the way detention fees shows up without anyone tagging it."
    assert len(slips(said, terms=frozenset({"detention fees"}))) == 1  # (plural_s finds it too: one slip)
    assert [k for k, _ in slips(said.replace("the way ", ""), terms=frozenset({"detention fees"}))] == ["en.term_s"]
    assert slips("The question about detention fees is open.", terms=frozenset({"detention fees"})) == []
