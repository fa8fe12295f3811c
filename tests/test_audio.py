"""The audio backend, offline engine: real decoding of what we write, the
timelines against the signal and the transcripts, cue effects measured on the
samples, determinism, telephony, encoders, and verify catching tampering."""

from __future__ import annotations

import json
import shutil
import wave

import numpy as np
import pytest
import soundfile as sf

from corpusc.backends.header import call_header

SPEC = """
corpus small {
  seed 19  # draws a pause, an interruption and a mid-turn cue
  locale en-US
  starts 2026-01-05
  timezone "America/New_York"
  product "Lumen" "conversation intelligence platform"
  divergence 30%
}
use stdlib.personas
use stdlib.objections
use stdlib.industries
rep jordan "Jordan Reyes" {
  title "Account Executive"
  gender male
}
account acme "Acme Corp" {
  size smb
  industry retail
  outcome stalled
  stakeholder dana "Dana Whitfield" {
    role "CFO"
    persona reluctant_adopter
    concerns [pricing]
    decision_maker
    gender female
  }
  call intro on day 0 {
    stage discovery
    length 9 turns  # long enough for a cut-in after the agenda (the overlap the audio tests need)
    with jordan, dana
    paralinguistics on
    moments 4
  }
}
emit transcripts { formats [txt, json, vtt, srt] }
emit ground_truth
emit audio { AUDIO }
"""

CALL = "acme.intro"


def spec(audio: str = "engine espeak stereo sample_rate 16000") -> str:
    return SPEC.replace("AUDIO", audio)


def build(cli, tmp_path, name: str, text: str, *extra: str):
    src = tmp_path / f"{name}.corpus"
    src.write_text(text)
    out = tmp_path / name
    status, output = cli("build", str(src), "-o", str(out), "--jobs", "1", *extra)
    return status, output, out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from click.testing import CliRunner

    from corpusc.cli.main import main
    tmp = tmp_path_factory.mktemp("audio")
    src = tmp / "small.corpus"
    src.write_text(spec())
    res = CliRunner().invoke(main, ["build", str(src), "-o", str(tmp / "out"), "--jobs", "1"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return tmp / "out"


def timeline(out, call=CALL) -> dict:
    return json.loads((out / f"audio/{call}.timeline.json").read_text())


def seg(y, sr, a, b, ch):
    return y[int(round(a * sr)):int(round(b * sr)), ch]


def rms(x) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


# ---- files ----------------------------------------------------------------------------

def test_wav_decodes_with_layout_rate_and_duration(built):
    info = sf.info(str(built / f"audio/{CALL}.wav"))
    assert (info.format, info.subtype, info.channels, info.samplerate) == ("WAV", "PCM_16", 2, 16000)
    tl = timeline(built)
    assert abs(info.frames / info.samplerate - tl["duration"]) <= 0.010
    assert tl["duration"] == max(t["end"] for t in tl["turns"])
    manifest = json.loads((built / "manifest.json").read_text())
    files = manifest["calls"][CALL]["files"]
    for rel in (f"audio/{CALL}.wav", f"audio/{CALL}.wav.json", f"audio/{CALL}.timeline.json"):
        assert rel in files


def test_seller_left_customer_right(built):
    y, sr = sf.read(str(built / f"audio/{CALL}.wav"), always_2d=True)
    tl = timeline(built)
    overlapped = {o["turn"] for o in tl["overlaps"]} | {o["interrupted"] for o in tl["overlaps"]}
    for t in tl["turns"]:
        if t["index"] in overlapped:
            continue
        ch = 0 if t["side"] == "seller" else 1
        assert t["channel"] == f"C{ch + 1}"
        assert rms(seg(y, sr, t["start"], t["end"], ch)) > 0.01
        assert rms(seg(y, sr, t["start"], t["end"], 1 - ch)) == 0.0


def test_words_lie_inside_their_turn_in_order(built):
    for t in timeline(built)["turns"]:
        words = t["words"]
        assert len(words) == len(t.get("words"))
        assert words[0]["start"] == t["start"]
        assert all(t["start"] <= w["start"] <= w["end"] <= t["end"] for w in words)
        assert [w["start"] for w in words] == sorted(w["start"] for w in words)


# ---- one source of truth -----------------------------------------------------------------

def test_transcripts_take_the_audio_clock(built):
    import webvtt
    tl = timeline(built)
    doc = json.loads((built / f"transcripts/{CALL}.json").read_text())
    turns = doc["turns"] if "turns" in doc else doc["transcript"]
    assert [(t["start"], t["end"]) for t in turns] == [(t["start"], t["end"]) for t in tl["turns"]]
    cues = list(webvtt.read(str(built / f"transcripts/{CALL}.vtt")))

    def secs(ts: str) -> float:
        h, m, s = ts.split(":")
        return round(int(h) * 3600 + int(m) * 60 + float(s), 3)
    spans: dict[int, list[float]] = {}  # Teams cue ids: <call-uuid>/<turn>-<part>
    for c in cues:
        n = int(c.identifier.rsplit("/", 1)[1].split("-")[0]) - 1
        spans.setdefault(n, []).extend([secs(c.start), secs(c.end)])
    assert [(min(v), max(v)) for _, v in sorted(spans.items())] == [(t["start"], t["end"]) for t in tl["turns"]]
    wav_json = json.loads((built / f"audio/{CALL}.wav.json").read_text())
    segs = sorted(wav_json["C1"]["metadata"]["smoothed"] + wav_json["C2"]["metadata"]["smoothed"],
                  key=lambda s: s["start"])
    assert [(s["start"], s["end"]) for s in segs] == [(t["start"], t["end"]) for t in tl["turns"]]


def test_wav_json_contract(built, json_snapshot):
    from corpusc.plan import planner as planmod
    from corpusc.diagnostics.model import Sink
    from corpusc.compiler.driver import compile_file
    doc = json.loads((built / f"audio/{CALL}.wav.json").read_text())
    assert set(doc) == {"C1", "C2"}
    assert (doc["C1"]["cid"], doc["C2"]["cid"]) == ("1", "2")
    for cid in ("C1", "C2"):
        for s in doc[cid]["metadata"]["smoothed"]:
            assert set(s) == {"start", "end", "cid", "text", "denormalized", "stype"}
            assert s["cid"] == cid and s["stype"] in ("female", "male", "music")
            assert round(s["start"], 3) == s["start"] and s["end"] > s["start"]
    c = compile_file(str(built.parent / "small.corpus"), Sink())
    call = next(x for x in planmod.calls(c.program) if x.id == CALL)
    for k, v in call_header(call).items():
        assert doc["C1"][k] == v and type(doc["C1"][k]) is type(v)
    assert {s["stype"] for s in doc["C1"]["metadata"]["smoothed"]} == {"male"}  # Jordan
    assert {s["stype"] for s in doc["C2"]["metadata"]["smoothed"]} == {"female"}  # Dana
    assert json.dumps(doc, indent=2, ensure_ascii=False) + "\n" == json_snapshot


# ---- cues on the signal -------------------------------------------------------------------

def test_pause_is_exact_silence_and_interruption_overlaps(built):
    y, sr = sf.read(str(built / f"audio/{CALL}.wav"), always_2d=True)
    tl = timeline(built)
    turns = {t["index"]: t for t in tl["turns"]}
    assert tl["pauses"] and tl["overlaps"]
    for p in tl["pauses"]:
        t = turns[p["turn"]]
        want = sum(float(c.split("s")[0]) for c in t["cues"] if c.endswith("s pause"))
        assert want - 0.0015 <= p["end"] - p["start"] <= want + 0.0415  # the cue's silence, up to 40 ms more
        assert p["end"] == t["start"]
        assert not np.any(y[int((p["start"] + 0.001) * sr) + 1:int((p["end"] - 0.001) * sr)])
    for o in tl["overlaps"]:
        a, b = turns[o["turn"]], turns[o["interrupted"]]
        prev = b["end"] - b["start"]
        assert b["start"] <= a["start"] < b["end"]
        if "INTERRUPTS" in a["cues"]:  # an interruption talks over at most 30% of the turn it cuts into
            assert 0 < b["end"] - a["start"] <= 0.3 * prev + 0.002
        else:  # a backchannel said over the other speaker
            assert a["end"] - a["start"] < 1.5
        for t in (a, b):
            ch = 0 if t["channel"] == "C1" else 1
            assert rms(seg(y, sr, o["start"], o["end"], ch)) > 1e-3


@pytest.fixture(scope="module")
def plan_parts(built):
    from corpusc.render.template.engine import render_call
    from corpusc.plan import planner as planmod
    from corpusc.diagnostics.model import Sink
    from corpusc.compiler.driver import compile_file
    c = compile_file(str(built.parent / "small.corpus"), Sink())
    h = planmod.header(c.program, c.spec_hash)
    call = next(x for x in planmod.calls(c.program) if x.id == CALL)
    return call, h, render_call(call, h)


def retime(plan_parts, cues: dict[int, list[str]], **opts):
    """Render the call with chosen cues on chosen turns (all others neutral)."""
    from corpusc.backends.audio.backend import Audio
    from corpusc.backends.base import Context
    call, h, rc = plan_parts
    turns = [t.model_copy(update={"cues": cues.get(t.index, [])}) for t in rc.turns]
    rc = rc.model_copy(update={"turns": turns})
    arts, new = Audio().retime(call, rc, Context(header=h, options={"audio": {"engine": "espeak", **opts}}))
    files = {a.path: a.data for a in arts}
    import io
    y, sr = sf.read(io.BytesIO(files[f"audio/{CALL}.wav"]), always_2d=True)
    return y, sr, json.loads(files[f"audio/{CALL}.timeline.json"]), files, new


def test_low_energy_turn_is_quieter_than_the_speakers_neutral_turns(plan_parts):
    y, sr, tl, _, _ = retime(plan_parts, {3: ["energy: LOW"]})
    t3 = tl["turns"][3]
    same = [t for t in tl["turns"] if t["speaker"] == t3["speaker"] and t["index"] != 3]
    ch = 0 if t3["channel"] == "C1" else 1
    low = rms(seg(y, sr, t3["start"], t3["end"], ch))
    assert all(low < 0.6 * rms(seg(y, sr, t["start"], t["end"], ch)) for t in same)


def test_delivery_cues_change_the_speech(plan_parts):
    _, _, plain, _, _ = retime(plan_parts, {})
    _, _, cued, _, _ = retime(plan_parts, {2: ["hesitant"], 4: ["enthusiastic"]})

    def dur(tl, i):
        return tl["turns"][i]["end"] - tl["turns"][i]["start"]
    assert dur(cued, 2) > 1.25 * dur(plain, 2)  # slower, with filler pauses
    assert dur(cued, 4) < 0.92 * dur(plain, 4)  # faster


def _f0(x, sr) -> float:
    """Median pitch (Hz) by autocorrelation over 40 ms frames."""
    n = int(0.04 * sr)
    out = []
    for i in range(0, len(x) - n, n):
        f = x[i:i + n] - x[i:i + n].mean()
        if rms(f) < 0.02:
            continue
        ac = np.correlate(f, f, "full")[n - 1:]
        lo, hi = int(sr / 400), int(sr / 60)
        out.append(sr / (lo + int(np.argmax(ac[lo:hi]))))
    return float(np.median(out))


def test_falling_pitch_falls(plan_parts):
    y, sr, tl, _, _ = retime(plan_parts, {1: ["pitch: FALLING"]})
    t = tl["turns"][1]
    ch = 0 if t["channel"] == "C1" else 1
    a, b = t["start"], t["end"]
    third = (b - a) / 3
    assert _f0(seg(y, sr, a, a + third, ch), sr) > 1.15 * _f0(seg(y, sr, b - third, b, ch), sr)


def test_hold_music_and_silence_cues(plan_parts):
    y, sr, tl, files, new = retime(plan_parts, {2: ["hold 3.0s"], 5: ["silence 1.5s"]})
    (h,) = tl["holds"]
    assert h["end"] - h["start"] == pytest.approx(3.0, abs=0.001)
    assert tl["turns"][1]["end"] < h["start"] < h["end"] <= tl["turns"][2]["start"]
    music = y[int(h["start"] * sr) + 10:int(h["end"] * sr) - 10]
    assert rms(music[:, 0]) > 0.01 and np.allclose(music[:, 0], music[:, 1])
    speech = np.concatenate([seg(y, sr, t["start"], t["end"], 0 if t["channel"] == "C1" else 1)
                             for t in tl["turns"] if t["index"] not in (2,)])
    assert 20 * np.log10(rms(music[:, 0]) / rms(speech)) == pytest.approx(-3.0, abs=1.5)
    (p,) = tl["pauses"]
    assert p["turn"] == 5 and p["end"] - p["start"] == pytest.approx(1.5, abs=0.001)
    assert not np.any(y[int((p["start"] + 0.001) * sr) + 1:int((p["end"] - 0.001) * sr)])
    doc = json.loads(files[f"audio/{CALL}.wav.json"])
    (m,) = [s for s in doc["C1"]["metadata"]["smoothed"] if s["stype"] == "music"]
    assert (m["text"], m["cid"], m["start"], m["end"]) == ("hold music", "C1", h["start"], h["end"])
    assert new.turns[2].start == tl["turns"][2]["start"]


def test_mono_and_loudness_target(plan_parts):
    from corpusc.backends.audio import dsp
    y, sr, tl, _, _ = retime(plan_parts, {}, mono=True, loudness=-26)
    assert y.shape[1] == 1 and tl["channels"] == 1
    assert dsp.db(dsp.speech_level(y.astype(np.float32), sr)) == pytest.approx(-26, abs=0.5)
    assert np.abs(y).max() <= 10 ** (-1 / 20) + 1e-3


def test_cue_parsing_is_lenient():
    from corpusc.render.cues import delivery
    d = delivery(["[2.1s pause]", " Energy:low ", "PITCH: falling", "hold 20s", "silence 3,5 sec", "interrupts"])
    assert (d.pause, d.hold, d.interrupts, d.contour) == (5.6, 20.0, True, "falling")
    assert d.gain_db < 0
    assert delivery(["lean_forward", "note_taking", "2.x pause"]).neutral_voice


# ---- voices --------------------------------------------------------------------------------

def test_voices_stable_across_a_thread_and_distinct_within_it():
    from corpusc.backends.audio.voices import voices
    from corpusc.render.template.engine import speaker_rates
    from corpusc.plan import planner as planmod
    from corpusc.diagnostics.model import Sink
    from corpusc.compiler.driver import compile_file

    from .conftest import EXAMPLES
    c = compile_file(str(EXAMPLES / "sales_pov.corpus"), Sink())
    h = planmod.header(c.program, c.spec_hash)
    seen: dict[str, tuple] = {}
    for call in planmod.calls(c.program):
        vs = voices(call, h, speaker_rates(call, h))
        assert len({(v.variant, v.pitch) for v in vs.values()}) == len(vs)
        for p in call.participants:
            v = vs[p.id]
            assert seen.setdefault(v.key, (v.variant, v.pitch, v.rate)) == (v.variant, v.pitch, v.rate)
            if p.gender in ("male", "female"):
                assert v.gender == p.gender and v.variant[0] == p.gender[0]


@pytest.mark.parametrize("locale,lang", [("en-US", "en-us"), ("de-DE", "de"), ("he-IL", "he")])
def test_locale_voices_speak(locale, lang):
    from corpusc.backends.audio import espeak
    from corpusc.backends.audio.voices import espeak_language
    assert espeak_language(locale) == lang
    espeak.set_voice(f"{lang}+f2")
    text = {"en-us": "Hello there.", "de": "Guten Tag.", "he": "שלום לכם."}[lang]
    pcm, words = espeak.synth(text, 160, 60, 50)
    assert len(pcm) > 5000 and len(words) == 2


# ---- determinism ---------------------------------------------------------------------------

def test_speech_does_not_depend_on_the_clock():
    """espeak_Initialize seeds espeak-ng's noise generator from time(); a
    reloaded engine a second later must still give the same samples (caught
    as audio that differed between two builds of contact_center)."""
    import time

    from corpusc.backends.audio import espeak
    takes = []
    for _ in range(2):
        espeak.fresh()
        espeak.set_voice("de+f1")
        espeak.synth("Guten Tag, Hansa Direktbank, wie kann ich helfen?", 158, 56, 50)
        espeak.set_voice("de+f2")
        pcm, _ = espeak.synth("Guten Tag, ich habe mich ausgesperrt, nach zu vielen Versuchen.", 148, 56, 50)
        takes.append(pcm.tobytes())
        time.sleep(1.05)
    assert takes[0] == takes[1]


def test_same_bytes_twice_and_across_jobs(cli, tmp_path, built):
    s1, o1, out1 = build(cli, tmp_path, "a", spec())
    src = tmp_path / "a.corpus"
    s2, o2 = cli("build", str(src), "-o", str(tmp_path / "b"), "--jobs", "2")
    assert s1 == 0 and s2 == 0, o1 + o2
    for rel in (f"audio/{CALL}.wav", f"audio/{CALL}.wav.json", f"audio/{CALL}.timeline.json",
                f"transcripts/{CALL}.vtt"):
        assert (out1 / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes() == (built / rel).read_bytes()


# ---- telephony, text calls, encoders, option errors --------------------------------------

POP = """
corpus cc {
  seed 5
  locale de-DE
  starts 2025-09-01
  timezone "Europe/Berlin"
}
use stdlib.domains.contact_center
population svc {
  domain banking
  window 2025-09-01..2025-09-01
  volume 4 per day
  timezone "Europe/Berlin"
  hours 08:00..20:00
  locale de-DE
  agent uniform [anna, lukas]
  channel weights { voice 50% text 50% }
  field duration_sec: int(lo 30, hi 40)
}
emit transcripts { formats [json] }
emit audio { engine espeak stereo sample_rate 8000 telephony }
"""


def test_telephony_profile_and_text_calls(cli, tmp_path):
    status, output, out = build(cli, tmp_path, "cc", POP)
    assert status == 0, output
    manifest = json.loads((out / "manifest.json").read_text())
    kinds = {"voice": 0, "text": 0}
    for cid in manifest["calls"]:
        head = json.loads((out / f"audio/{cid}.wav.json").read_text())["C1"]
        kinds[head["channel"]] += 1
        wav = out / f"audio/{cid}.wav"
        if head["channel"] == "text":
            assert not wav.exists() and f"audio/{cid}.wav" not in manifest["calls"][cid]["files"]
            continue
        info = sf.info(str(wav))
        assert (info.subtype, info.samplerate, info.channels) == ("PCM_16", 8000, 2)
        with wave.open(str(wav)) as w:  # the standard library opens the telephony profile's WAV
            assert (w.getnchannels(), w.getframerate(), w.getsampwidth(), w.getnframes()) == (2, 8000, 2, info.frames)
        y, sr = sf.read(str(wav), always_2d=True)
        spec_ = np.abs(np.fft.rfft(y[:, 0] + y[:, 1]))
        f = np.fft.rfftfreq(len(y), 1 / sr)
        inband = spec_[(f > 400) & (f < 3300)].mean()
        assert spec_[f < 200].mean() < 0.05 * inband and spec_[f > 3550].mean() < 0.05 * inband
        assert head["agent_name"] if "agent_name" in head else head["agent"]
    assert kinds["voice"] and kinds["text"]
    status, output = cli("verify", str(out))
    assert status == 0, output


def test_mulaw_only_when_asked(cli, tmp_path):
    status, output, out = build(cli, tmp_path, "ulaw", spec("engine espeak stereo telephony encoding mulaw"))
    assert status == 0, output
    info = sf.info(str(out / f"audio/{CALL}.wav"))
    assert (info.subtype, info.samplerate, info.channels) == ("ULAW", 8000, 2)
    with pytest.raises(wave.Error):  # why µ-law is not the default
        wave.open(str(out / f"audio/{CALL}.wav"))
    status, output = cli("verify", str(out))
    assert status == 0, output


@pytest.mark.parametrize("audio", ["engine espeak encoding alaw", "engine espeak format mp3 encoding mulaw"])
def test_encoding_errors_are_diagnostics(cli, tmp_path, audio):
    status, output, _ = build(cli, tmp_path, "badenc", spec(audio))
    assert status == 1 and "Traceback" not in output
    assert "badenc.corpus:" in output and "encoding" in output and "[E0" in output


def test_option_errors_are_diagnostics(cli, tmp_path):
    status, output, _ = build(cli, tmp_path, "bad", spec("engine espeak telephony sample_rate 16000"))
    assert status == 1
    assert "[E0715]" in output and "bad.corpus:" in output and "help:" in output
    assert "Traceback" not in output


def test_mp3_round_trip_and_missing_encoder(cli, tmp_path, monkeypatch):
    status, output, out = build(cli, tmp_path, "mp3", spec("engine espeak mono format mp3"))
    assert status == 0, output
    info = sf.info(str(out / f"audio/{CALL}.mp3"))
    assert info.channels == 1 and info.duration > 10
    from corpusc.backends.audio import mix
    monkeypatch.setattr(mix, "_native", lambda fmt: False)
    monkeypatch.setattr(mix, "ffmpeg", lambda: None)
    status, output, _ = build(cli, tmp_path, "ogg", spec("engine espeak format ogg"))
    assert status == 1 and "[E0714]" in output and "ffmpeg" in output and "Traceback" not in output


# ---- verify ----------------------------------------------------------------------------------

@pytest.mark.parametrize("tamper,code", [("truncate", "E0721"), ("silence_turn", "E0722"),
                                         ("noise_in_pause", "E0723"), ("no_overlap", "E0724")])
def test_verify_catches_tampered_audio(cli, built, tmp_path, tamper, code):
    out = tmp_path / "out"
    shutil.copytree(built, out)
    shutil.copy(built.parent / "small.corpus", tmp_path / "small.corpus")
    status, output = cli("verify", str(out))
    assert status == 0, output
    wav = out / f"audio/{CALL}.wav"
    y, sr = sf.read(str(wav), always_2d=True)
    tl = timeline(out)
    if tamper == "truncate":
        y = y[:-int(0.05 * sr)]
    elif tamper == "silence_turn":
        t = tl["turns"][2]
        y[int(t["start"] * sr):int(t["end"] * sr), 0 if t["channel"] == "C1" else 1] = 0
    elif tamper == "noise_in_pause":
        p = tl["pauses"][0]
        y[int((p["start"] + p["end"]) / 2 * sr), 0] = 0.3
    else:
        o = tl["overlaps"][0]
        t = next(x for x in tl["turns"] if x["index"] == o["interrupted"])
        y[int(o["start"] * sr) - 2:int(o["end"] * sr) + 2, 0 if t["channel"] == "C1" else 1] = 0
    sf.write(str(wav), y, sr, subtype="PCM_16")
    status, output = cli("verify", str(out))
    assert status == 1 and f"[{code}]" in output, output


def test_ogg_is_deterministic_and_decodes():
    import io

    from corpusc.backends.audio.mix import encode
    y = (0.3 * np.sin(np.arange(24000) / 7)).astype(np.float32)[:, None].repeat(2, axis=1)
    a, b = encode(y, 24000, "ogg"), encode(y, 24000, "ogg")
    assert a == b
    x, sr = sf.read(io.BytesIO(a), always_2d=True)
    assert sr == 24000 and x.shape == (24000, 2)


# ---- an overlap the timeline counts is heard in the WAV ------------------------------------------

def _overlaps_heard(path) -> int:
    """Overlapping speech in a two-channel WAV as docs/quality.md's evaluator
    finds it, read with the standard library: per channel, 20 ms frames louder
    than -45 dBFS are speech, pauses under 0.3 s bridged; a stretch of more
    than 0.2 s where both channels speak is an overlap; double talk resumed
    within 0.5 s while a speaker talked through is the same one."""
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 2
        rate, raw = w.getframerate(), w.readframes(w.getnframes())
    x = np.frombuffer(raw, dtype="<i2").reshape(-1, 2).astype(np.float64) / 32768.0
    step = int(rate * 0.02)
    k = len(x) // step
    runs = []
    for c in range(2):
        e = x[: k * step, c].reshape(k, step)
        on = 20 * np.log10(np.sqrt((e * e).mean(axis=1)) + 1e-12) > -45.0
        r: list[list[float]] = []
        for i in np.flatnonzero(on):
            s = i * 0.02
            if r and s - r[-1][1] < 0.3 + 1e-9:
                r[-1][1] = s + 0.02
            else:
                r.append([s, s + 0.02])
        runs.append(r)
    both = sorted((max(a, c), min(b, d)) for a, b in runs[0] for c, d in runs[1] if min(b, d) - max(a, c) > 0.2)
    count, last = 0, None
    for lo, hi in both:
        through = last is not None and any(a <= last and lo <= b for r in runs for a, b in r)
        if last is None or not (lo - last < 0.5 and through):
            count += 1
        last = hi
    return count


def test_an_overlap_split_by_the_interrupted_speakers_pause_is_moved_where_it_is_heard(tmp_path):
    """contact_center 00189 (issue 15): the timeline counts an interruption,
    the WAV holds none an evaluator finds. The interrupted speaker was heard
    for 0.38 s after the overlap's start, which met HEARD_MIN in total, but in
    two pieces (0.18 s, then "Tschüss—" after a pause heard as 0.36 s: its
    quiet onset lengthens the 0.3 s word gap), each under the evaluator's
    0.2 s. Now one stretch of HEARD_MIN is heard inside the overlap. Main: 0
    overlaps in the WAV against 1 in the layout."""
    from corpusc.backends.audio import mix
    from corpusc.backends.audio.speech import Utterance
    from corpusc.render.cues import Delivery
    from .test_overlap_pauses import SR, _Turn, _utt

    first = _utt([(0.0, 2.0), (2.3, 2.6)])  # "...einen schönen Tag." 0.3 s "Tschüss—"
    x = first.samples.copy()
    x[int(2.3 * SR):int(2.36 * SR)] *= 0.01  # the word's quiet onset and fading end
    x[int(2.54 * SR):int(2.6 * SR)] *= 0.01
    first = Utterance(x, SR, first.words)
    second = _utt([(0.0, 2.0)])
    turns = [_Turn(gap=0.0, end=2.6), _Turn(overlap=0.78, overlaps=0, start=1.82, end=4.6)]
    lay = mix.layout([first, second], [Delivery(), Delivery(interrupts=True)], [1, 0], SR,
                     np.random.default_rng(0).random, turns)
    assert len(lay.overlaps) == 1
    path = tmp_path / "call.wav"
    path.write_bytes(mix.encode(mix.mix(lay, True), SR, "wav"))
    assert _overlaps_heard(path) == 1
    s, _, _, _ = lay.overlaps[0]
    assert s <= int((2.0 - mix.HEARD_MIN) * SR)  # the overlap holds the last HEARD_MIN s before the pause
