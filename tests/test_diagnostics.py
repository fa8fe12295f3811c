"""One small fixture per diagnostic code: the code is emitted, it has a valid
range, and its full text is snapshotted."""

from __future__ import annotations

import json

import pytest

from corpusc.diagnostics.codes import CODES

from .conftest import FIXTURES

DIAG = FIXTURES / "diagnostics"
# codes that need a situation no fixture file can hold
# E07xx (build, verify, audio), E08xx (delivery) and E11xx (score, test_score.py)
# happen at run time; each is
# tested where it arises (test_build.py, test_audio*.py, test_deliver*.py); E0903
# (a full disk) in test_build_population.py
SPECIAL = {"E0005", "E0901", "E0902", "E0903"} | {c for c in CODES if c.startswith(("E07", "E08", "E11"))}


def test_every_code_has_a_fixture():
    have = {p.stem for p in DIAG.glob("E*.corpus")}
    missing = set(CODES) - have - SPECIAL
    assert not missing, f"codes without a fixture in {DIAG}: {sorted(missing)}"


@pytest.mark.parametrize("code", sorted(set(CODES) - SPECIAL))
def test_fixture_emits_its_code(code, cli, text_snapshot):
    status, out = cli("check", f"{code}.corpus", cwd=DIAG)
    assert f"[{code}]" in out
    assert status == (1 if "error[" in out else 0)
    assert CODES[code].severity in ("error", "warning")
    assert "Traceback" not in out
    assert out == text_snapshot


@pytest.mark.parametrize("code", sorted(set(CODES) - SPECIAL))
def test_json_ranges_are_valid(code, cli):
    status, out = cli("check", "--format", "json", f"{code}.corpus", cwd=DIAG)
    doc = json.loads(out)
    assert doc["valid"] == (doc["error_count"] == 0)
    codes = {d["code"] for d in doc["diagnostics"]}
    assert code in codes
    for d in doc["diagnostics"]:
        r = d["range"]
        assert r["start"]["line"] >= 1 and r["start"]["column"] >= 1
        assert (r["end"]["line"], r["end"]["column"]) >= (r["start"]["line"], r["start"]["column"])
        assert r["end"]["byte"] >= r["start"]["byte"] >= 0


@pytest.mark.parametrize("code", sorted(set(CODES) - SPECIAL))
def test_sarif_is_a_document_naming_each_finding(code, cli):
    """`check --format sarif` prints one SARIF 2.1.0 log for every fixture
    (issue 14: it printed nothing when a check went wrong), each finding a
    result whose rule is its code, located in the spec."""
    status, out = cli("check", "--format", "sarif", f"{code}.corpus", cwd=DIAG)
    doc = json.loads(out)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    results = doc["runs"][0]["results"]
    assert code in {r["ruleId"] for r in results}
    for r in results:
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert r["level"] in ("error", "warning", "note")


def test_too_large_file(tmp_path, cli):
    big = tmp_path / "big.corpus"
    big.write_text("# padding\n" + ("#" * 1023 + "\n") * 10240)
    status, out = cli("check", str(big))
    assert status == 1
    assert "[E0005]" in out and "big.corpus:1:1" in out


def test_missing_file(cli, tmp_path):
    status, out = cli("check", str(tmp_path / "nope.corpus"))
    assert status == 1
    assert "[E0902]" in out


def test_directory_is_not_a_spec(cli, tmp_path):
    status, out = cli("check", str(tmp_path))
    assert status == 1
    assert "[E0902]" in out


def test_internal_error_is_a_diagnostic(cli, monkeypatch):
    from corpusc.compiler import driver

    def boom(*a, **k):
        raise RuntimeError("kaboom")
    monkeypatch.setattr(driver, "compile_file", boom)
    monkeypatch.delenv("CORPUSC_DEBUG", raising=False)
    status, out = cli("check", "E0001.corpus", cwd=DIAG)
    assert status == 1
    assert "[E0901]" in out and "kaboom" in out and "Traceback" not in out


@pytest.mark.parametrize("code", sorted(CODES))
def test_explain(code, cli):
    status, out = cli("explain", code)
    assert status == 0
    assert out.startswith(f"{code}: {CODES[code].title}")
    assert CODES[code].explanation.splitlines()[0] in out


def test_explain_unknown(cli):
    status, out = cli("explain", "E9999")
    assert status == 1 and "unknown diagnostic code" in out


def test_docs_are_generated_from_the_registry():
    from corpusc.diagnostics.codes import markdown

    from .conftest import ROOT
    assert (ROOT / "docs" / "diagnostics.md").read_text() == markdown(), \
        "regenerate: python -m corpusc.diagnostics.codes > docs/diagnostics.md"
