"""The query language: each form passes and fails where it should, and a
failure says what is missing."""

from __future__ import annotations

import pytest

from corpusc.plan import planner as planmod
from corpusc.diagnostics.model import Sink
from corpusc.compiler.driver import compile_file
from corpusc.plan.requirements import evaluate

SPEC = '''corpus r {
  seed 5
  starts 2026-02-02
}
persona champ "Champion" {
  decision_style intuitive
}
persona skeptic "Skeptic" {
  decision_style cautious
}
objection pricing "Pricing" {
  severity high
}
objection risk "Risk" {
  severity medium
}
industry retail "Retail" {
  terms ["basket"]
}
rep jo "Jo Park" {
  title "AE"
}
account a "A" {
  size smb
  industry retail
  outcome won
  stakeholder x "X" { persona champ }
  stakeholder y "Y" { persona skeptic decision_maker }
  call one on day 0 {
    stage discovery
    length 15 turns  # exact: a class's turns vary per call
    with jo, x
    mentions competitor "Rival"
  }
  call two on day 7 {
    stage evaluation
    length 52 turns
    with jo, x, y
    paralinguistics on
    buying_signal by x "asks about seats"
  }
  call three on day 14 {
    stage close
    length 5 min
    with jo, y
  }
  arc pricing by y: raised at two -> resolved at three
}
account b "B" {
  size enterprise
  industry retail
  outcome stalled
  stakeholder z "Z" { persona skeptic }
  call only on day 3 {
    stage discovery
    with jo, z
  }
  arc risk by z: raised at only -> stalled
}
'''


def run(req: str):
    sink = Sink()
    c = compile_file("r.corpus", sink, text=SPEC + req + "\n")
    assert not [d for d in sink.items if d.severity == "error"], sink.items
    results = evaluate(c.program, planmod.header(c.program, "h"), planmod.calls(c.program))
    assert len(results) == 1
    return results[0]


@pytest.mark.parametrize("req,passed,measured", [
    ("require count(accounts where calls >= 2) >= 1", True, "1"),
    ("require count(accounts where calls >= 2) >= 2", False, "1"),
    ("require count(calls where stage in [discovery, close]) == 3", True, "3"),
    ("require count(calls where minutes <= 5 min) >= 1", True, "2"),
    ("require count(calls where not paralinguistics and participants >= 2) == 3", True, "3"),
    ("require count(calls where stage == close or competitor_mentions >= 1) == 2", True, "2"),
    ("require accounts.outcome covers [won, stalled]", True, "2/2 covered"),
    ("require outcomes covers [won, lost]", False, "1/2 covered"),
    ("require stakeholders.persona covers [champ, skeptic]", True, "2/2 covered"),
    ("require distinct(accounts) by (size, industry) >= 2", True, "2"),
    ("require distinct(accounts where outcome == won) by (size) >= 2", False, "1"),
    ("require all calls where stage == evaluation: buying_signals >= 1", True, "1/1"),
    ("require all calls: participants >= 3", False, "1/4"),
    ("require any calls: turns >= 50", True, "1/4"),
    ("require none calls: participants < 2", True, "0/4"),
    ("require none calls: stage == close", False, "1/4"),
    ("require objections.outcome covers [resolved, stalled]", True, "2/2 covered"),
    ("require count(threads where stages >= 3) == 1", True, "1"),
    ("require count(stakeholders where decision_maker) == 1", True, "1"),
])
def test_query_forms(req, passed, measured):
    r = run(req)
    assert r.passed is passed
    assert r.measured == measured
    if not passed:
        assert r.missing


def test_failure_says_what_is_missing():
    r = run('require "two threads": count(accounts where calls >= 2) >= 2')
    assert r.title == "two threads"
    assert r.missing == "1 more accounts needed (have 1)"
    r = run("require outcomes covers [won, lost]")
    assert r.missing == "no accounts with outcome `lost`"
    r = run("require all calls: participants >= 3")
    assert "a.one" in r.missing and "b.only" in r.missing


def test_witnesses_are_calls():
    r = run("require count(accounts where calls >= 2) >= 1")
    assert r.witnesses == ["a.one", "a.two", "a.three"]
    r = run("require count(moments) >= 1")
    assert set(r.witnesses) == {"a.two"}


def test_ratio_within():
    r = run("expect ratio(moments where divergent) within 0%..100%")
    assert r.passed
    r = run("expect ratio(calls where paralinguistics) within 50%..100%")
    assert not r.passed and r.measured == "25.0% (1/4)"


def test_expect_is_a_warning_require_an_error(cli, tmp_path):
    f = tmp_path / "r.corpus"
    f.write_text(SPEC + "expect outcomes covers [lost]\n")
    status, out = cli("check", str(f))
    assert status == 0 and "warning[E0602]" in out
    f.write_text(SPEC + "require outcomes covers [lost]\n")
    status, out = cli("check", str(f))
    assert status == 1 and "error[E0601]" in out and "FAIL" in out


@pytest.mark.parametrize("req,needle", [
    ("require count(acounts) >= 1", "unknown collection `acounts`"),
    ("require count(calls where stge == close) >= 1", "did you mean `stage`"),
    ("require calls covers [a]", "needs a field"),
])
def test_invalid_queries(req, needle, cli, tmp_path):
    f = tmp_path / "r.corpus"
    f.write_text(SPEC + req + "\n")
    status, out = cli("check", str(f))
    assert status == 1 and "[E0603]" in out and needle in out


def test_coverage_json(cli, tmp_path):
    import json
    f = tmp_path / "r.corpus"
    f.write_text(SPEC + 'require "threads": count(accounts where calls >= 2) >= 1\n')
    cov = tmp_path / "coverage.json"
    status, out = cli("check", "--coverage", str(cov), str(f))
    assert status == 0
    doc = json.loads(cov.read_text())
    assert doc["passed"] is True
    crit = doc["criteria"][0]
    assert crit["title"] == "threads" and crit["witnesses"] == ["a.one", "a.two", "a.three"]
    assert crit["location"]["line"] == SPEC.count("\n") + 1
