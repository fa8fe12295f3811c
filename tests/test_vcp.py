"""VCP 0.3 payloads: every payload validates against specs/vcp-0.3.schema.json,
gtm and full really differ, ids are deterministic uuid5, times are the call's
own, scenario traits come from the stdlib catalog, builds are byte-identical
across runs, job counts and merged shards, and vcp.jsonl holds the same."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import EXAMPLES, ROOT

SCHEMA = json.loads((ROOT / "specs" / "vcp-0.3.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())

SPEC = """
corpus vcp_small {
  seed 7
  timezone "America/Chicago"
}

use stdlib.domains.hvac

population inbound {
  domain hvac_services
  count 240
  window 2026-03-02..2026-03-15
  timezone "America/Chicago"
  hours 07:00..21:00 peak 10:00
  scenario weights {
    booked_service 28% scheduled_callback 18% live_transfer 14% spam_filtered 13%
    quote_requested 11% out_of_service_area 9% emergency_service 7%
  }
  provider uniform [retell, vapi, bland]
  field duration_sec: lognormal(median 130s, sigma 0.4) clamp 20s..900s
  field aht_sec = duration_sec
  field sentiment: normal(mean 0.68, sd 0.12) clamp 0.0..1.0
  field confidence: normal(mean 0.86, sd 0.06) clamp 0.5..0.99
  field interruptions: poisson(lambda 1.0) clamp 0..12
  field first_contact_resolution: bool(p 70%)
  field handoff_performed: bool(p 0%)
  field estimated_value_usd: const(value 0)
  when scenario == booked_service {
    field estimated_value_usd: lognormal(median 285, sigma 0.5) clamp 89..2500
  }
}

emit vcp {
  version "0.3" mode MODE
}
"""


def _spec(tmp_path: Path, mode: str = "gtm", extra: str = "") -> Path:
    p = tmp_path / f"spec_{mode}.corpus"
    p.write_text(SPEC.replace("mode MODE", f"mode {mode} {extra}".strip()))
    return p


def _build(cli, spec: Path, out: Path, *args: str) -> None:
    status, output = cli("build", str(spec), "-o", str(out), *args)
    assert status == 0, output


def _payloads(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((out / "vcp").glob("*.json"))}


def _tree(out: Path, sub: str = "vcp") -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / sub).glob("*"))}


@pytest.mark.parametrize("mode", ["gtm", "full"])
def test_every_payload_validates(cli, tmp_path, mode):
    out = tmp_path / "out"
    _build(cli, _spec(tmp_path, mode), out)
    docs = _payloads(out)
    assert len(docs) == 240
    for name, doc in docs.items():
        errors = sorted(VALIDATOR.iter_errors(doc), key=str)
        assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"
        vp = doc["vcp_payload"]
        assert doc["call_id"] == vp["call"]["call_id"]
        assert vp["call"]["session_id"] == doc["call_id"] + "-session"
        assert uuid.UUID(doc["call_id"]).version == 5
        assert ("model_selection" in vp) == ("hcr" in vp) == (mode == "full")


@given(corpus=st.text(min_size=1, max_size=20), seed=st.integers(min_value=0, max_value=2**40),
       call=st.text(min_size=1, max_size=30))
def test_payload_ids_are_uuid5(corpus, seed, call):
    """payload_id forms the UUID itself (no UUID object per payload); it is
    exactly uuid.uuid5 of the namespace and `corpus/seed/call`."""
    from corpusc.backends.vcp import NAMESPACE, payload_id
    assert payload_id(seed, corpus, call) == str(uuid.uuid5(NAMESPACE, f"{corpus}/{seed}/{call}"))


def test_modes_really_differ_and_share_the_core(cli, tmp_path):
    _build(cli, _spec(tmp_path, "gtm"), tmp_path / "g")
    _build(cli, _spec(tmp_path, "full"), tmp_path / "f")
    g, f = _payloads(tmp_path / "g"), _payloads(tmp_path / "f")
    for k in g:
        gp, fp = g[k]["vcp_payload"], f[k]["vcp_payload"]
        assert set(fp) - set(gp) == {"model_selection", "hcr"}
        assert gp["call"] == fp["call"] and gp["outcomes"] == fp["outcomes"]
        assert fp["hcr"]["outcome_status"] == fp["outcomes"]["objective"]["status"]
        assert set(fp["model_selection"]["roles"]) == {"STT", "LLM", "TTS"}


def test_payloads_follow_the_plan(cli, tmp_path):
    out = tmp_path / "out"
    _build(cli, _spec(tmp_path), out)
    plan = {c["id"]: c for c in _plan_calls(out)}
    docs = _payloads(out)
    statuses = {"booked_service": "success", "spam_filtered": "filtered", "out_of_service_area": "failed",
                "scheduled_callback": "partial", "emergency_service": "success"}
    for cid, doc in docs.items():
        call, vp = plan[cid], doc["vcp_payload"]
        meta = call["metadata"]
        assert vp["call"]["start_time"] == call["start_utc"]
        assert vp["call"]["duration_sec"] == meta["duration_sec"]
        assert vp["call"]["provider"] == meta["provider"]
        assert vp["custom"]["outcome_hint"] == meta["scenario"]
        assert vp["outcomes"]["objective"]["metrics"]["aht_sec"] == meta["aht_sec"]
        assert vp["outcomes"]["objective"]["metrics"]["interruptions"] == meta["interruptions"]
        assert vp["outcomes"]["perceived"][0]["sentiment"]["score"] == round(meta["sentiment"], 3)
        if meta["scenario"] in statuses:
            assert vp["outcomes"]["objective"]["status"] == statuses[meta["scenario"]]
        if meta["scenario"] == "live_transfer":
            assert "telephony.transfer" in vp["call"]["capabilities_invoked"]
        gap = vp["outcomes"]["perception_gap"]
        assert (gap["gap_class"] == "aligned") == (gap["gap_score"] < 0.2)
        assert (gap["drivers"] == []) == (gap["gap_class"] == "aligned")


def _plan_calls(out: Path) -> list[dict]:
    return json.loads((out / "plan.json").read_text())["calls"]


def test_ids_are_stable_and_depend_on_the_seed(cli, tmp_path):
    _build(cli, _spec(tmp_path), tmp_path / "a")
    spec = tmp_path / "seed8.corpus"
    spec.write_text(_spec(tmp_path).read_text().replace("seed 7", "seed 8"))
    _build(cli, spec, tmp_path / "b")
    a = {k: d["call_id"] for k, d in _payloads(tmp_path / "a").items()}
    b = {k: d["call_id"] for k, d in _payloads(tmp_path / "b").items()}
    assert len(set(a.values())) == len(a)
    assert not set(a.values()) & set(b.values())


def test_byte_identical_across_runs_jobs_and_shards(cli, tmp_path):
    spec = _spec(tmp_path, "full")
    _build(cli, spec, tmp_path / "one", "--jobs", "1")
    _build(cli, spec, tmp_path / "two", "--jobs", "2")
    for i in (1, 2, 3):
        _build(cli, spec, tmp_path / "sharded", "--shard", f"{i}/3")
    _build(cli, spec, tmp_path / "sharded")  # completes the corpus files; renders nothing new
    ref = _tree(tmp_path / "one")
    assert _tree(tmp_path / "two") == ref
    assert _tree(tmp_path / "sharded") == ref
    m1 = json.loads((tmp_path / "one" / "manifest.json").read_text())
    m3 = json.loads((tmp_path / "sharded" / "manifest.json").read_text())
    assert m1["calls"] == m3["calls"]


def test_jsonl_holds_every_payload_in_plan_order(cli, tmp_path):
    out = tmp_path / "out"
    _build(cli, _spec(tmp_path, "gtm", "jsonl"), out)
    lines = (out / "vcp.jsonl").read_text().splitlines()
    docs = _payloads(out)
    order = [c["id"] for c in _plan_calls(out)]
    assert [json.loads(line) for line in lines] == [docs[cid] for cid in order]
    manifest = json.loads((out / "manifest.json").read_text())
    assert "vcp.jsonl" in manifest["files"]
    _build(cli, _spec(tmp_path, "gtm"), out)  # the option dropped: the stream goes too
    assert not (out / "vcp.jsonl").exists()


def test_hvac_example_builds_valid_payloads(cli, tmp_path):
    out = tmp_path / "hvac"
    _build(cli, EXAMPLES / "hvac_60d.corpus", out)
    docs = _payloads(out)
    assert len(docs) == 1800
    for doc in list(docs.values())[::37]:
        assert not list(VALIDATOR.iter_errors(doc))
    hints = [d["vcp_payload"]["custom"]["outcome_hint"] for d in docs.values()]
    assert hints.count("booked_service") == 504  # 28% of 1800, exactly


def test_unsupported_version_is_a_diagnostic(cli, tmp_path):
    spec = tmp_path / "v.corpus"
    spec.write_text(SPEC.replace('version "0.3" mode MODE', 'version "0.4"'))
    status, out = cli("check", str(spec))
    assert status == 1 and "[E0503]" in out and "Traceback" not in out


def test_pretty_writes_indented_payloads(cli, tmp_path):
    _build(cli, _spec(tmp_path, "gtm", "pretty on"), tmp_path / "p")
    _build(cli, _spec(tmp_path, "gtm"), tmp_path / "c")
    pretty, compact = _tree(tmp_path / "p"), _tree(tmp_path / "c")
    name = sorted(pretty)[0]
    assert pretty[name].startswith(b'{\n  "call_id"') and b"\n" not in compact[name][:-1]
    def same(raw: bytes) -> dict:
        doc = json.loads(raw)
        custom = doc["vcp_payload"]["custom"]  # the two specs differ by `pretty`: so do their hashes
        del custom["corpusc"]["recipe"]["spec_hash"], custom["synthetic_recipe"]
        return doc
    assert {k: same(v) for k, v in pretty.items()} == {k: same(v) for k, v in compact.items()}


@pytest.mark.parametrize("pretty", [False, True])
def test_fast_encoder_writes_what_the_json_module_writes(pretty):
    """vcp.dumps uses orjson; its bytes must be the json module's, and a value
    orjson refuses falls back to the json module."""
    from corpusc.backends.vcp import dumps
    doc = {"call_id": "x", "n": [1, 2.5, 0.125, -0.0, 1e-3, True, None], "t": "Grüße \"q\" \\ \u2028 \U0001f600",
           "nested": {"empty": {}, "list": [], "score": 0.68}}
    ref = (json.dumps(doc, indent=2, ensure_ascii=False) if pretty else
           json.dumps(doc, ensure_ascii=False, separators=(",", ":"))) + "\n"
    assert dumps(doc, pretty) == ref.encode()
    big = {"value": 2 ** 70}
    assert json.loads(dumps(big, pretty)) == big


@pytest.mark.parametrize("example", ["hvac_60d", "contact_center", "sales_pov"])
def test_payload_bytes(snapshot, example):
    """The payloads' bytes, for calls of the three examples in both modes."""
    from corpusc.backends.vcp import encode
    from corpusc.plan import planner as planmod
    from corpusc.diagnostics.model import Sink
    from corpusc.compiler.driver import compile_file
    compiled = compile_file(str(EXAMPLES / f"{example}.corpus"), Sink())
    header = planmod.header(compiled.program, compiled.spec_hash)
    calls = [c for i, c in enumerate(planmod.calls(compiled.program)) if i < 3 or i % 97 == 0][:8]
    docs = [encode(c, header, mode) for c in calls for mode in ("gtm", "full")]
    for raw in docs:
        assert not sorted(VALIDATOR.iter_errors(json.loads(raw)), key=str)
    assert b"".join(docs).decode() == snapshot


@settings(max_examples=200, deadline=None)
@given(ts=st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(9000, 1, 1)),
       later=st.sampled_from([1, 2]))
def test_audit_times_are_the_end_plus_seconds(ts, later):
    from corpusc.backends.vcp import _later, _utc
    assert _later(_utc(ts), ts, later) == _utc(ts + dt.timedelta(seconds=later))


TINY = """
corpus tiny { seed SEED }
scenario fast_answer "Fast answer" {
  status success
  intent "Answer within a whisker"
  success answer_latency_hours lte 0.00005
}
population p {
  count 5
  window 2026-03-02..2026-03-03
  scenario weights { fast_answer 100% }
}
emit vcp { version "0.3" }
"""


@pytest.mark.parametrize("where", ["seed", "field"])
def test_an_integer_beyond_64_bits_is_written_by_the_json_module(tmp_path, where):
    """orjson refuses integers beyond 64 bits; a payload holding one (the
    seed, in the shared recipe, or a call's field) is written by the json
    module throughout, so its small numbers read 5e-05, not 0.00005."""
    from corpusc.backends.vcp import dumps, encode
    from corpusc.plan import planner as planmod
    from corpusc.diagnostics.model import Sink
    from corpusc.compiler.driver import compile_file
    for big, small in ((None, b'"value":0.00005}'), (2 ** 70, b'"value":5e-05}')):
        text = TINY.replace("SEED", str(big if big and where == "seed" else 42))
        if big and where == "field":  # with an infinite field: null, as orjson writes it, not Infinity
            huge = "17" + "0" * 307  # 1.7e308: a normal around it overflows to infinity half the time
            text = text.replace("scenario weights", f"field interruptions: const(value {big})\n"
                                f"  field first_response_sec: normal(mean {huge}, sd {huge})\n  scenario weights")
        spec = tmp_path / f"s{big}.corpus"
        spec.write_text(text)
        sink = Sink()
        compiled = compile_file(str(spec), sink)
        assert compiled.program is not None and not sink.items, [d.message for d in sink.items]
        header = planmod.header(compiled.program, compiled.spec_hash)
        calls = list(planmod.calls(compiled.program))
        assert len(calls) == 5
        raws = []
        for c in calls:
            raw = encode(c, header)
            raws.append(raw)
            assert small in raw, raw
            doc = json.loads(raw)
            vp = doc["vcp_payload"]
            got = vp["custom"]["corpusc"]["recipe"]["seed"] if where == "seed" else \
                vp["outcomes"]["objective"]["metrics"]["interruptions"]
            assert got == (big or (42 if where == "seed" else 0))
            assert raw == dumps(doc)
        if big and where == "field":
            assert any(b'"first_response_sec":null' in raw for raw in raws)
