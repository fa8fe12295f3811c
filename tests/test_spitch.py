"""`profile spitch` (issue 16.2): the contact-center example's dialogue,
timeline and upload as the Spitch speech-analytics generator (seed 004) reads
them, checked with a consumer-side model and parser written from its
documentation (tests/consumers/spitch.py), and the default profile's output
refused by the same model."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from corpusc.cli.main import main

from .conftest import EXAMPLES, located
from .consumers import spitch as S

EXAMPLE = (EXAMPLES / "contact_center.corpus").read_text(encoding="utf-8")
SPITCH = "transcripts/spitch"  # the uploader's `--in_dir`: it reads every `*.txt` there as a dialogue


def _spec(tmp: Path, *, days: str | None = None, volume: int | None = None) -> Path:
    # the uploader's profile beside the plain txt and the ground truth located in it
    text = (EXAMPLE.replace("  formats [txt, dialogue, json]\n", "  formats [txt, dialogue, json]\n  profile spitch\n")
            .replace("telephony\n", "telephony\n  profile spitch\n")
            .replace('"synthetic-bank-2025-09"\n', '"synthetic-bank-2025-09"\n  profile spitch\n'))
    assert text.count("profile spitch") == 3
    if days:
        text = text.replace("window 2025-09-01..2025-09-05", f"window {days}")
    if volume:
        text = text.replace("volume 40 per day", f"volume {volume} per day")
    path = tmp / "contact_center.corpus"
    path.write_text(text, encoding="utf-8")
    return path


def _build(spec: Path, out: Path, *only: str) -> Path:
    args = ["build", str(spec), "-o", str(out)] + (["--only", ",".join(only)] if only else [])
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


def _plan(out: Path) -> dict[str, dict]:
    return {c["id"]: c for c in json.loads((out / "plan.json").read_text())["calls"]}


def _utc(call: dict) -> datetime:
    return datetime.strptime(call["start_utc"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(microsecond=0)


@pytest.fixture(scope="module")
def text_build(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("spitch")
    return _build(_spec(tmp), tmp / "out", "transcripts", "sa")


@pytest.fixture(scope="module")
def default_build(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("default")
    return _build(EXAMPLES / "contact_center.corpus", tmp / "out", "transcripts")


def _dialogues(out: Path) -> dict[str, tuple[dict, list]]:
    """call_id (the UUID) -> parsed dialogue, keyed by the file name too."""
    return {p.name: S.parse_dialogue(p.read_text(encoding="utf-8"))
            for p in sorted((out / SPITCH).glob("*.txt"))}


def test_every_dialogue_header_is_a_valid_call_record(text_build):
    plan = _plan(text_build)
    parsed = _dialogues(text_build)
    assert len(parsed) == len(plan) == 200
    by_uuid = {S.Call.model_validate(S.record_of_header(head)).call_id: (name, head, events)
               for name, (head, events) in parsed.items()}
    assert len(by_uuid) == 200  # distinct UUIDs, one file per call
    from corpusc.backends.header import spitch_call_id
    langs = set()
    for cid, call in plan.items():
        m = call["metadata"]
        from corpusc.backends.header import spitch_call_id
        name, head, events = by_uuid[spitch_call_id(cid)]
        langs.add(call["locale"])
        # the keys the audio step reads, typed as it types them
        assert head["channel"] == m["channel"]
        assert head["Interruptions_count"] == m["Interruptions_count"] and isinstance(head["Interruptions_count"], int)
        assert head["agent_name"] == m["agent_name"].replace(" ", "_")
        assert head["AWT"] == m["AWT"] and head["Hold_time"] == m["Hold_time"]  # numbers with `.`
        assert head["weekday"] == call["weekday"].capitalize()
        assert head["time_of_day_bucket"] == S.Call.model_fields["time_of_day_bucket"].annotation.__args__[
            int(call["time"][:2]) // 6]
        # the file name the uploader reads the start from: the call's start in UTC
        assert S.start_from_file_name(name) == _utc(call), name
        assert name.startswith(head["agent_name"] + "_") and name.endswith(f"_{m['ANI'].lstrip('+')}.txt")
        # the holds the audio step turns into music, the turns into C1/C2
        holds = sum(s for kind, s in events if kind == "hold")
        assert holds == pytest.approx(round(m["Hold_time"], 1), abs=0.051)  # a chat's hold is a wait in the chat
        assert {kind for kind, _ in events} >= {"C1", "C2"}
    assert langs == {"de-DE", "en-US"}  # German calls too get the English keys


def test_default_profile_is_refused_by_the_same_model(default_build):
    """Today's localized dialogue: no file name the uploader reads, German keys
    the audio step cannot find, decimal commas, no UUID, no compliance flags."""
    files = sorted((default_build / "transcripts").glob("*.dialogue.txt"))
    assert len(files) == 200
    refused = 0
    for p in files:
        head, _ = S.parse_dialogue(p.read_text(encoding="utf-8"))
        assert S.start_from_file_name(p.name) is None
        try:
            S.Call.model_validate(S.record_of_header(head))
        except ValidationError:
            refused += 1
    assert refused == 200
    de = next(S.parse_dialogue(p.read_text(encoding="utf-8"))[0] for p in files
              if "Kanal" in p.read_text(encoding="utf-8"))
    assert "channel" not in de and "agent_name" not in de and "Interruptions_count" not in de
    assert isinstance(de["Wartezeit (s)"], str) and "," in de["Wartezeit (s)"]  # `17,884` is no number to it


def test_compliance_flags_are_what_the_dialogue_renders(text_build):
    """A flag passes exactly when the agent's beat for it is planned; the
    renderer realizes that beat in an agent turn of the dialogue."""
    from corpusc.backends.header import SPITCH_COMPLIANCE, spitch_call_id
    from corpusc.plan.model import Call, Header
    from corpusc.render.template.engine import render_call
    doc = json.loads((text_build / "plan.json").read_text())
    header = Header.model_validate({k: doc[k] for k in Header.model_fields if k in doc})
    heads = {S.Call.model_validate(S.record_of_header(h)).call_id: h for h, _ in _dialogues(text_build).values()}
    seen = set()
    for raw in doc["calls"][::10]:
        call = Call.model_validate(raw)
        rc = render_call(call, header)
        head = heads[spitch_call_id(call.id)]
        agent_beats = {b for t in rc.turns if t.side == "seller" for b in t.beats}
        for kind, flag in SPITCH_COMPLIANCE.items():
            assert head[flag] == ("pass" if kind in agent_beats else "fail"), (call.id, flag)
            seen.add((flag, head[flag]))
    assert ("Greeting", "pass") in seen and ("Farewell", "pass") in seen


def test_sa_upload_sends_the_record_and_the_start_in_the_file_name(text_build):
    plan = _plan(text_build)
    descs = sorted((text_build / "sa").glob("*.json"))
    assert len(descs) == 200
    for p in descs:
        doc = json.loads(p.read_text(encoding="utf-8"))
        data, call = doc["data"], plan[p.stem]
        custom = {k[len("custom."):]: v for k, v in data.items() if k.startswith("custom.")}
        rec = S.Call.model_validate(S.record_of_header(custom))
        assert rec.agent_name == call["metadata"]["agent_name"].replace(" ", "_")
        name = data["original_filename"]
        assert S.start_from_file_name(name) == _utc(call)
        assert data["start_date"] == _utc(call).strftime("%Y-%m-%dT%H:%M:%SZ")
        stem = name.removesuffix(".txt" if data["channel"] == "text" else ".wav")  # a chat's original is its text
        assert doc["stt_data"] == f"audio/{stem}.wav.json"
        assert doc["audio"] == (None if call["metadata"]["channel"] == "text" else f"audio/{stem}.wav")


def test_audio_files_are_named_and_keyed_as_the_uploader_reads_them(tmp_path):
    out = _build(_spec(tmp_path, days="2025-09-01..2025-09-01", volume=8), tmp_path / "out")
    plan = _plan(out)
    jsons = sorted((out / "audio").glob("*.wav.json"))
    assert len(jsons) == len(plan) == 8
    dialogues = {p.name.removesuffix(".txt"): S.parse_dialogue(p.read_text(encoding="utf-8"))[0]
                 for p in (out / SPITCH).glob("*.txt")}
    for j in jsons:
        stem = j.name.removesuffix(".wav.json")
        assert S.FILE_NAME.match(j.name)
        c1 = json.loads(j.read_text(encoding="utf-8"))["C1"]
        head = {k: v for k, v in c1.items() if k not in ("cid", "metadata")}
        # C1 carries the dialogue header with the types the audio step would give it
        assert {k: ("None" if v is None else v) for k, v in head.items()} == dialogues[stem]
        S.Call.model_validate(S.record_of_header(head))
        wav = j.with_name(stem + ".wav")
        assert wav.exists() == (head["channel"] == "voice")
    res = CliRunner().invoke(main, ["verify", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    # verify found each renamed recording through its timeline and checked the signal
    from corpusc.backends.audio.check import check_call
    calls = json.loads((out / "manifest.json").read_text())["calls"]
    voice = [cid for cid, c in plan.items() if c["metadata"]["channel"] == "voice"]
    assert voice and all(check_call(out, cid, calls[cid]["files"], pytest.fail) for cid in voice)


def test_profile_is_checked(tmp_path):
    bad = tmp_path / "bad.corpus"
    bad.write_text(EXAMPLE.replace("  formats [txt, dialogue, json]\n", "  formats [dialogue, json]\n  profile spich\n"),
                   encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(bad)])
    assert res.exit_code != 0 and "E0503" in res.output and "profile" in res.output


def test_a_spec_in_the_generators_vocabulary_meets_its_value_sets(tmp_path):
    """The profile spells, it does not translate: a spec that uses the
    generator's agents, shifts, cantons, devices, escalation and complaint
    values gets records inside its sample bank's value sets. Only `team` stays
    out: "Team A" has a space, and a team is a name in a spec."""
    from .conftest import ROOT
    out = _build(ROOT / "tests" / "fixtures" / "spitch_bank.corpus", tmp_path / "out")
    files = sorted((out / SPITCH).glob("*.txt"))
    assert len(files) == 24
    for p in files:
        rec = S.record_of_header(S.parse_dialogue(p.read_text(encoding="utf-8"))[0])
        S.Call.model_validate(rec)
        assert S.ANI_DE.match(rec["ANI"])
        for field, values in S.DATASET_VALUES.items():
            if field != "team":
                assert rec.get(field) in values, (p.name, field, rec.get(field))


def test_the_uploaders_folder_holds_only_dialogues_beside_a_located_ground_truth(tmp_path):
    """`profile spitch` with the plain `txt` and `emit ground_truth`: the
    generator's audio step reads every `*.txt` of its `--in_dir` as a dialogue
    (`Path(in_dir).glob("*.txt")`), so its folder holds one dialogue per call
    and nothing else, while the ground truth is located in the plain
    transcript it names, outside that folder. Both in one folder had the
    uploader read the plain transcripts as dialogues."""
    out = _build(_spec(tmp_path, days="2025-09-01..2025-09-01", volume=8), tmp_path / "out",
                 "transcripts", "ground_truth", "sa")
    plan = _plan(out)
    dialogues = sorted((out / SPITCH).glob("*.txt"))
    assert len(dialogues) == len(plan) == 8
    for p in dialogues:
        head, events = S.parse_dialogue(p.read_text(encoding="utf-8"))
        S.Call.model_validate(S.record_of_header(head))
        assert events and S.FILE_NAME.match(p.name.removesuffix(".txt") + ".wav")
    n_located = 0
    for cid in plan:
        gt = json.loads((out / "ground_truth" / f"{cid}.json").read_text(encoding="utf-8"))
        named = out / gt["transcript"]
        assert named.parent != out / SPITCH and named.is_file()
        text = named.read_text(encoding="utf-8")
        for it in located(gt):
            n_located += 1
            assert text[it["start"]:it["end"]] == it["quote"], (cid, it)
    assert n_located > 8
    res = CliRunner().invoke(main, ["verify", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output

