"""Issue 15 §3, "bad news gets empathy": a buyer who tells bad news in the
small talk (half the office out sick, the CRM down, a rough week) is answered
with empathy, and the seller's reply says no cheer (no "Glad you're here",
no "congrats on the new office"). Counted on generated specs (English seed 3,
German seed 3) with tests/empathy_checks.py's word lists, written apart from
the banks; benchmarks/empathy_checks.py prints the same counts for any build.

Main at 3632c47 (`python benchmarks/empathy_checks.py OUT`): 1,000 calls
seed 3 English, 156 of 289 bad-news turns answered without empathy or with
cheer; 300 calls German, 46 of 77. Here, on the smaller specs below, the
test fails on main with dozens of such replies."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from . import empathy_checks as E
from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_spec import sales_spec  # noqa: E402

SPECS = (("en", 180, 3, None), ("de", 120, 3, "de-DE"))


def _build(spec: Path, out: Path) -> Path:
    from click.testing import CliRunner

    from corpusc.cli.main import main
    res = CliRunner().invoke(main, ["build", str(spec), "-o", str(out), "--only", "transcripts", "--jobs", "1"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def found(tmp_path_factory) -> dict[str, dict[str, list]]:
    tmp = tmp_path_factory.mktemp("empathy")
    got = {}
    for name, calls, seed, locale in SPECS:
        spec = tmp / f"{name}.corpus"
        spec.write_text(sales_spec(calls, seed, locale), encoding="utf-8")
        got[name] = E.defects(_build(spec, tmp / name))
    return got


@pytest.mark.parametrize("name", [s[0] for s in SPECS])
def test_the_specs_tell_bad_news_in_small_talk(found, name):
    """The check has something to check: 20 or more bad-news turns per spec."""
    assert len(found[name]["turns"]) >= 20, len(found[name]["turns"])


@pytest.mark.parametrize("name", [s[0] for s in SPECS])
def test_bad_news_in_small_talk_is_met_with_empathy(found, name):
    """Each reply to bad news opens with empathy ("Sorry to hear that",
    "Oof", "Das tut mir leid") and says no cheer anywhere ("great news",
    "glad", "toll")."""
    bad = E.bad_replies(found[name])
    assert not bad, f"{len(bad)} of {len(found[name]['turns'])}: " + " | ".join(
        f"{cid} t{i}: {b[:60]!r} -> {s[:100]!r}" for cid, i, b, s in bad[:4])


def test_the_word_lists_tell_empathy_from_cheer():
    """The counter itself: the audit's example is two defects, an apology is none."""
    assert E.BAD["en-US"].search("Half the office caught the flu over the holidays, so we're running lean.")
    assert E.BAD["de-DE"].search("Das halbe Büro ist gerade krank, wir sind also dünn besetzt.")
    assert not E.BAD["en-US"].search("Good, thanks. Busy, but good.")
    reply = "Glad you're here, Hana. I came across the news about Prairiefold's new office, that's great news."
    assert not E.EMPATHY["en-US"].search(E.first_sentence(reply, ["Hana"]))
    assert E.cheer(reply, "en-US", []) == "Glad"
    assert E.EMPATHY["en-US"].search(E.first_sentence("Hana, oh— oh no, sorry. Thanks for making it.", ["Hana"]))
    assert E.cheer("Sorry to hear. Esme, glad you could make it; want to introduce yourself?", "en-US",
                   ["Esme"]) is None  # a welcome to someone who just joined
    assert E.EMPATHY["de-DE"].search(E.first_sentence("Das tut mir leid, Nico. Danke, dass Sie da sind.", ["Nico"]))
    assert E.cheer("Oh je, umso schöner, dass es klappt.", "de-DE", [])
