"""Every bundled example, built with every transcript format, read the way
the receiving products read it: Gong's and AWS's documented shapes
(tests/consumers/), AWS's post-call analytics duration logic, the real
WebVTT and SubRip parsers, and the standard library's `wave` plus soundfile
for every WAV."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import uuid
import wave
from pathlib import Path

import pytest
import soundfile as sf

from corpusc.backends.transcripts import formats as F

from .conftest import EXAMPLES
from .consumers import aws_call_analytics as aws
from .consumers import gong, pca

ALL = "formats [txt, json, vtt, zoom_vtt, srt, gong, aws_call_analytics, dialogue]"
# (example, shard, backends): a slice of the big populations keeps the suite quick
BUILDS = {"sales_pov": (None, None), "contact_center": ("1/25", None), "hvac_60d": ("1/90", "transcripts")}


def _spec(name: str, tmp: Path) -> Path:
    text = (EXAMPLES / f"{name}.corpus").read_text(encoding="utf-8")
    m = re.search(r"emit transcripts \{[^}]*\}", text)
    block = f"emit transcripts {{\n  {ALL}\n}}"
    text = text[:m.start()] + block + text[m.end():] if m else text + "\n" + block + "\n"
    spec = tmp / f"{name}.corpus"
    spec.write_text(text, encoding="utf-8")
    return spec


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("interop")
    out = {}
    for name, (shard, only) in BUILDS.items():
        args = [sys.executable, "-m", "corpusc", "build", str(_spec(name, tmp)), "-o", str(tmp / name), "--jobs", "2"]
        args += ["--shard", shard] if shard else []
        args += ["--only", only] if only else []
        r = subprocess.run(args, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        if not (tmp / name / "plan.json").exists():  # a shard writes no plan
            r = subprocess.run([sys.executable, "-m", "corpusc", "plan", str(tmp / f"{name}.corpus"), "--json",
                                "-o", str(tmp / name / "plan.json")], capture_output=True, text=True)
            assert r.returncode == 0, r.stdout + r.stderr
        out[name] = tmp / name
    return out


def _calls(out: Path) -> list[str]:
    return sorted(json.loads((out / "manifest.json").read_text())["calls"])


def _files(built, suffix: str):
    for name, out in built.items():
        for cid in _calls(out):
            yield name, cid, out / "transcripts" / f"{cid}{suffix}"


def _turns(out: Path, cid: str) -> list[dict]:
    return json.loads((out / "transcripts" / f"{cid}.json").read_text(encoding="utf-8"))["turns"]


def _squash(s: str) -> str:
    return " ".join(s.split())


def test_every_example_has_calls(built):
    assert all(_calls(out) for out in built.values())


# ---- audio ---------------------------------------------------------------------------

def test_every_wav_opens_with_wave_and_soundfile(built):
    seen = 0
    for name, out in built.items():
        for wav in sorted((out / "audio").glob("*.wav")) if (out / "audio").is_dir() else []:
            tl = json.loads(wav.with_suffix(".timeline.json").read_text())
            info = sf.info(str(wav))
            with wave.open(str(wav)) as w:
                got = (w.getnchannels(), w.getframerate(), w.getnframes())
                assert w.getsampwidth() == 2
                frames = w.readframes(w.getnframes())
            assert got == (info.channels, info.samplerate, info.frames) == (tl["channels"], tl["sample_rate"], got[2])
            assert len(frames) == got[0] * got[2] * 2
            assert abs(got[2] / got[1] - tl["duration"]) <= 0.010
            seen += 1
    assert seen  # contact_center's voice calls


# ---- Gong ----------------------------------------------------------------------------

def test_gong_transcripts_and_parties_match_gongs_shapes(built):
    n = 0
    for name, cid, path in _files(built, ".gong.json"):
        tr = gong.TranscriptResponse.model_validate_json(path.read_text(encoding="utf-8"))
        ext = gong.ExtensiveResponse.model_validate_json(
            path.with_name(f"{cid}.gong.parties.json").read_text(encoding="utf-8"))
        [call] = ext.calls
        assert call.metaData.id == tr.callTranscripts[0].callId
        by_speaker = {p.speakerId: p for p in call.parties if p.speakerId}
        turns = _turns(built[name], cid)
        names = {t["name"] for t in turns}
        for mono in tr.callTranscripts[0].transcript:
            party = by_speaker[mono.speakerId]  # every speakerId resolves to a party
            assert party.name in names
        assert {p.affiliation for p in call.parties} == {"Internal", "External"}
        for p in call.parties:
            if p.emailAddress:
                assert p.emailAddress.endswith("@example.com" if p.affiliation == "Internal" else ".example.org")
            else:
                assert p.affiliation == "External" and p.phoneNumber
        whole = json.loads((built[name] / "transcripts" / f"{cid}.json").read_text(encoding="utf-8"))["duration"]
        assert call.metaData.duration == round(whole) and call.metaData.started
        n += 1
    assert n


def test_gong_speaker_resolves_to_the_turns_speaker(built):
    out = built["sales_pov"]
    for cid in _calls(out):
        ext = json.loads((out / "transcripts" / f"{cid}.gong.parties.json").read_text())
        tr = json.loads((out / "transcripts" / f"{cid}.gong.json").read_text())
        who = {p["speakerId"]: p["name"] for p in ext["calls"][0]["parties"] if "speakerId" in p}
        sents = [(who[m["speakerId"]], s["start"]) for m in tr["callTranscripts"][0]["transcript"]
                 for s in m["sentences"]]
        turns = _turns(out, cid)
        starts = {(t["name"], round(t["start"] * 1000)) for t in turns}
        assert {x for x in sents if x in starts} == starts


# ---- AWS Transcribe Call Analytics ----------------------------------------------------------

def test_aws_matches_the_documented_output_and_pca_reads_it(built):
    n = 0
    for name, cid, path in _files(built, ".aws.json"):
        raw = path.read_text(encoding="utf-8")
        doc = aws.Output.model_validate_json(raw)
        data = json.loads(raw)
        turns = [t for t in _turns(built[name], cid) if t["text"].split()]
        last_end = round(max(t["end"] for t in turns) * 1000)
        # AWS's post-call analytics: the duration is the last word's end; every word has a time and confidence
        assert pca.duration(data) * 1000 == pytest.approx(round(turns[-1]["end"] * 1000))
        assert pca.duration(data) > 0 and pca.mean_confidence(data) == 1.0
        for seg, t in zip(pca.segments(data), turns):
            # PCA glues punctuation onto the word before, so compare without the spaces
            assert "".join("".join(w["Text"].split()) for w in seg["words"]) == "".join(t["text"].split())
            assert seg["words"][0]["StartTime"] == seg["start"] and seg["words"][-1]["EndTime"] == seg["end"]
            assert all(a["EndTime"] <= b["StartTime"] for a, b in zip(seg["words"], seg["words"][1:]))
        cc = doc.ConversationCharacteristics
        assert cc.TotalConversationDurationMillis >= last_end
        assert cc.TalkTime.TotalTimeMillis == sum(s.EndOffsetMillis - s.BeginOffsetMillis for s in doc.Transcript)
        assert set(doc.Categories.MatchedCategories) == set(doc.Categories.MatchedDetails)
        for seg in doc.Transcript:
            for d in (seg.IssuesDetected or []) + (seg.ActionItemsDetected or []):
                assert 0 <= d.CharacterOffsets.Begin < d.CharacterOffsets.End <= len(seg.Content)
        n += 1
    assert n


def test_aws_categories_come_from_the_plan(built):
    plans = {name: {c["id"]: c for c in json.loads((out / "plan.json").read_text())["calls"]}
             for name, out in built.items()}
    objections = escalations = 0
    for name, cid, path in _files(built, ".aws.json"):
        cats = json.loads(path.read_text())["Categories"]["MatchedCategories"]
        call = plans[name][cid]
        want = {f"objection_{b['key']}" for b in call["beats"] if b["kind"] in ("objection_raised", "objection_reopened")}
        assert want <= set(cats)
        objections += len(want)
        esc = call["metadata"].get("escalation")
        assert (f"escalation_{esc}" in cats) == (esc not in (None, "no_escalation"))
        escalations += esc not in (None, "no_escalation")
    assert objections and escalations


# ---- WebVTT (Teams, Zoom) and SubRip -----------------------------------------------------------

def _vtt_ms(stamp: str) -> int:
    h, m, rest = stamp.split(":")
    s, ms = rest.split(".")
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)


def _check_cues(cues: list[tuple[int, int, list[str]]], t: dict, prefix: str = ""):
    """Cues of one turn: short, two lines of at most 42 characters, contiguous,
    spanning the turn, and together the turn's words."""
    assert cues[0][0] == round(t["start"] * 1000) and cues[-1][1] == round(t["end"] * 1000)
    assert all(a[1] == b[0] for a, b in zip(cues, cues[1:]))
    words = []
    for a, b, lines in cues:
        assert 1 <= len(lines) <= 2
        assert all(len(x) <= 42 for x in lines) or len(" ".join(lines).split()) == 1 + bool(prefix)
        assert b - a <= 7000 + 1 or len(" ".join(lines).split()) <= 1 + bool(prefix)
        text = " ".join(lines)
        assert text.startswith(prefix)
        words.append(text[len(prefix):].strip())
    assert " ".join(words) == _squash(t["text"])


def test_teams_vtt_cues_are_short_with_ids_and_voices(built):
    webvtt = pytest.importorskip("webvtt")
    n = 0
    for name, cid, path in _files(built, ".vtt"):
        caps = list(webvtt.from_string(path.read_text(encoding="utf-8")))
        turns = [t for t in _turns(built[name], cid) if t["text"].split()]
        by_turn: dict[int, list] = {}
        for cap in caps:
            m = re.fullmatch(r"([0-9a-f-]{36})/(\d+)-(\d+)", cap.identifier)
            assert m and uuid.UUID(m.group(1)) == uuid.UUID(F.call_uuid(cid))
            by_turn.setdefault(int(m.group(2)), []).append(cap)
            assert cap.voice
        numbered = {t["index"] + 1: t for t in turns}
        assert set(by_turn) == set(numbered)
        for k, group in by_turn.items():
            t = numbered[k]
            assert [int(c.identifier.rsplit("-", 1)[1]) for c in group] == list(range(len(group)))
            assert {c.voice for c in group} == {t["name"]}
            _check_cues([(_vtt_ms(c.start), _vtt_ms(c.end), html.unescape(c.text).split("\n")) for c in group], t)
            n += len(group)
    assert n


def test_zoom_vtt_cues_are_short_and_numbered(built):
    webvtt = pytest.importorskip("webvtt")
    n = 0
    for name, cid, path in _files(built, ".zoom.vtt"):
        caps = list(webvtt.from_string(path.read_text(encoding="utf-8")))
        assert [c.identifier for c in caps] == [str(i) for i in range(1, len(caps) + 1)]
        turns = [t for t in _turns(built[name], cid) if t["text"].split()]
        i = 0
        for t in turns:
            prefix = f"{_squash(t['name'])}:"
            group = []
            while i < len(caps) and html.unescape(caps[i].text).startswith(prefix) and (
                    not group or _vtt_ms(caps[i].start) == _vtt_ms(group[-1].end)):
                group.append(caps[i])
                i += 1
            assert group and all(c.voice is None for c in group)
            _check_cues([(_vtt_ms(c.start), _vtt_ms(c.end), html.unescape(c.text).split("\n")) for c in group],
                        t, prefix)
            n += len(group)
        assert i == len(caps)
    assert n


def test_srt_parses(built):
    srt = pytest.importorskip("srt")
    for name, cid, path in _files(built, ".srt"):
        subs = list(srt.parse(path.read_text(encoding="utf-8")))
        assert subs and [s.index for s in subs] == list(range(1, len(subs) + 1))
