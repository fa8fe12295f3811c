"""The audio backend: speech for every voice call, mixed and encoded, with its
timelines. It is a `retime` backend: it runs before the others and the turn
times it measures on the real audio become every transcript's and the ground
truth's times, so all outputs share one clock."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from corpusc.plan.model import Call
from corpusc.plan.rng import stream

from corpusc.backends.base import Artifact, Backend, Context, OptionError
from corpusc.render.model import RenderedCall
from corpusc.backends.audio import timeline
from corpusc.backends.header import generator_path, spitch_flat, spitch_header, spitch_stem
from corpusc.render.cues import Delivery, turn_delivery
from corpusc.backends.audio.errors import AudioError

ENGINES = ("espeak", "openai")
FORMATS = ("wav", "mp3", "ogg")
ENCODINGS = ("pcm16", "mulaw")  # WAV sample encodings; 16-bit PCM opens in every tool (wave, scipy, pydub)
TELEPHONY_RATE = 8000


class Options:
    """`emit audio { ... }` with its defaults: espeak, stereo, the engine's own
    sample rate, wav, loudness -20 dBFS."""

    def __init__(self, raw: dict[str, Any]) -> None:
        from corpusc.backends.audio.mix import DEFAULT_LOUDNESS
        self.engine = str(raw.get("engine") or "espeak")
        self.stereo = not raw.get("mono")
        self.telephony = bool(raw.get("telephony"))
        self.format = str(raw.get("format") or "wav")
        self.encoding = str(raw.get("encoding") or "pcm16")
        self.spitch = raw.get("profile") == "spitch"
        self.model = str(raw.get("model") or "")
        self.loudness = _loudness(raw.get("loudness"), DEFAULT_LOUDNESS)
        sr = raw.get("sample_rate")
        self.sample_rate = int(sr) if sr else None
        if self.engine not in ENGINES:
            raise AudioError("E0715", f"unknown audio engine `{self.engine}`", help="use `engine espeak` or `engine openai`")
        if self.format not in FORMATS:
            raise AudioError("E0715", f"unknown audio format `{self.format}`", help="use wav, mp3 or ogg")
        if self.encoding not in ENCODINGS:
            raise AudioError("E0715", f"unknown audio encoding `{self.encoding}`", help="use pcm16 or mulaw")
        if self.encoding == "mulaw" and self.format != "wav":
            raise AudioError("E0715", f"`encoding mulaw` is a WAV encoding, but `format {self.format}` was asked for",
                             help="drop `encoding mulaw` or use `format wav`")
        if self.telephony and self.sample_rate not in (None, TELEPHONY_RATE):
            raise AudioError("E0715", f"`telephony` is 8 kHz narrowband, but `sample_rate {self.sample_rate}` "
                             "asks for another rate", help="drop `sample_rate` or set it to 8000")
        if self.sample_rate is not None and not 8000 <= self.sample_rate <= 96000:
            raise AudioError("E0715", f"`sample_rate {self.sample_rate}` is out of range",
                             help="use a rate between 8000 and 96000 Hz, e.g. 16000")


def _loudness(v: Any, default: float) -> float:
    """`loudness -18`, `loudness -18 dBFS` or `loudness "-16 LUFS"` (read as the
    active speech level in dB relative to full scale)."""
    if v is None:
        return default
    vals = v if isinstance(v, (list, tuple)) else [v]
    text = " ".join(str(getattr(x, "value", x)) for x in vals)
    m = re.search(r"[-+]?\d+(?:\.\d+)?", text)
    if not m or not -60.0 <= float(m.group()) <= -3.0:
        raise AudioError("E0715", f"`loudness {text}` is not a level between -60 and -3 dBFS",
                         help="write e.g. `loudness -20` (the active speech level in dBFS)")
    return float(m.group())


class AudioOptions(BaseModel):
    """`emit audio { ... }` as the spec may write it; `Options` below applies
    the defaults and the checks that combine options with the engine."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    engine: Literal["espeak", "openai"] | None = None
    stereo: bool | None = None
    mono: bool | None = None
    sample_rate: int | None = None
    format: Literal["wav", "mp3", "ogg"] | None = None
    encoding: Literal["pcm16", "mulaw"] | None = None
    telephony: bool | None = None
    model: str | None = None
    loudness: float | str | list[float | str] | None = None
    profile: Literal["default", "spitch"] = "default"  # spitch: file names and C1 keys of the Spitch generator

    @field_validator("sample_rate")
    @classmethod
    def _positive(cls, v: int | None) -> int | None:
        if v is not None and v <= 0:
            raise OptionError("expected a positive integer")
        return v

    @field_validator("mono")
    @classmethod
    def _one_layout(cls, v: bool | None, info: ValidationInfo) -> bool | None:
        if v is not None and info.data.get("stereo") is not None:
            raise OptionError("`stereo` and `mono` exclude each other", help="keep one of them")
        return v


class Audio(Backend):
    name = "audio"
    version = "1"
    Options = AudioOptions
    retimes = True

    def render(self, call: Call, rendered: RenderedCall | None, ctx: Context) -> list[Artifact]:
        return self.retime(call, rendered, ctx)[0]

    def retime(self, call: Call, rc: RenderedCall, ctx: Context) -> tuple[list[Artifact], RenderedCall]:
        """`rc` is the build's one rendering (audio `needs_text`): it speaks those words."""
        from corpusc.render.timing import speaker_rates

        from corpusc.backends.audio.voices import voices
        opts = Options(ctx.options.get("audio", {}))
        rates = speaker_rates(call, ctx.header)
        vs = voices(call, ctx.header, rates)
        stypes = {pid: v.gender for pid, v in vs.items()}
        base = f"audio/{call.id}"
        if call.metadata.get("channel") == "text":
            head = _spitch_head(call, ctx) if opts.spitch else None
            name = f"audio/{spitch_stem(call)}" if opts.spitch else base
            return [Artifact(f"{name}.wav.json", timeline.dumps(timeline.wav_json(call, rc, stypes, head=head)))], rc
        deliveries = [turn_delivery(t.cues, t.cue_at, t.text) for t in rc.turns]
        utts, engine_sr = _speak(call, rc, ctx, opts, vs, deliveries)
        arts, new = _assemble(call, rc, opts, vs, stypes, deliveries, utts, engine_sr)
        return (_spitch(call, ctx, opts, arts) if opts.spitch else arts), new


def _spitch_head(call: Call, ctx: Context) -> dict[str, Any]:
    return spitch_flat(spitch_header(call), generator_path(ctx))


def _spitch(call: Call, ctx: Context, opts: Options, arts: list[Artifact]) -> list[Artifact]:
    """`profile spitch`: `audio/{Agent_Name}_{YYYYMMDDHHMMSS}_{ANI}.wav` and its
    `.wav.json` with the Spitch header as C1 keys, the names the generator's
    uploader reads the call's start from; the `.timeline.json` keeps the call
    id and names the audio file, for `verify`."""
    import json
    stem = f"audio/{spitch_stem(call)}"
    audio, wav_json, own = arts
    doc = json.loads(wav_json.data)
    c1 = {"cid": doc["C1"]["cid"], "metadata": doc["C1"]["metadata"], **_spitch_head(call, ctx)}
    mine = {**json.loads(own.data), "audio": f"{stem}.{opts.format}"}
    return [Artifact(f"{stem}.{opts.format}", audio.data),
            Artifact(f"{stem}.wav.json", timeline.dumps({"C1": c1, "C2": doc["C2"]})),
            Artifact(own.path, timeline.dumps(mine))]


def _speak(call, rc, ctx, opts: Options, vs, deliveries: list[Delivery]):
    from corpusc.backends.audio.speech import espeak_utterance, from_pcm
    if opts.engine == "espeak":
        from corpusc.backends.audio import espeak
        espeak.fresh()
        rnd = stream(ctx.header.corpus.get("seed", 0), "audio.speech", call.id).random
        utts = [espeak_utterance(t.text, vs[t.speaker], d, call.locale, rnd) for t, d in zip(rc.turns, deliveries)]
        return utts, espeak.engine().rate
    from corpusc.backends.audio import openai_tts
    client = _openai_client(opts.model, ctx.out)
    reqs = [openai_tts.Request(voice=vs[t.speaker].openai, text=t.text,
                               instructions=_instructions(call, ctx, t, d), speed=round(d.rate, 3))
            for t, d in zip(rc.turns, deliveries)]
    pcm = client.speak_all(reqs)
    return [from_pcm(b, openai_tts.SAMPLE_RATE, t.text, d) for b, t, d in zip(pcm, rc.turns, deliveries)], \
        openai_tts.SAMPLE_RATE


_CLIENTS: dict[tuple, Any] = {}


def _openai_client(model: str, out: Path | None):
    """One client per worker process; its cache lives in the output directory."""
    from corpusc.backends.audio import openai_tts
    cache = _cache_dir(out)
    key = (model, str(cache))
    if key not in _CLIENTS:
        _CLIENTS[key] = openai_tts.Client(model or openai_tts.DEFAULT_MODEL, cache)
    return _CLIENTS[key]


def _cache_dir(out: Path | None) -> Path | None:
    """`<out>/.corpusc/tts-cache`, or CORPUSC_TTS_CACHE."""
    env = os.environ.get("CORPUSC_TTS_CACHE")
    if env:
        return Path(env)
    return Path(out) / ".corpusc" / "tts-cache" if out is not None else None


def _instructions(call: Call, ctx: Context, turn, d: Delivery) -> str:
    p = next((x for x in call.participants if x.id == turn.speaker), None)
    who = f"{turn.name}, {turn.role}" if turn.role else turn.name
    parts = [f"You are {who} on a {'sales' if call.kind == 'sales' else 'customer service'} phone call."]
    if p is not None and p.persona:
        info = ctx.header.personas.get(p.persona) or {}
        parts.append(f"Persona: {info.get('title') or p.persona.replace('_', ' ')}.")
    how = []
    if d.hesitant:
        how.append("hesitant, with short pauses as if searching for words")
    if d.gain_db < -3:
        how.append("low energy, quiet")
    elif d.gain_db > 1.5:
        how.append("enthusiastic and lively")
    if d.contour == "falling":
        how.append("pitch falling towards the end")
    elif d.contour == "rising":
        how.append("pitch rising towards the end")
    if d.interrupts:
        how.append("cutting in on the other speaker")
    parts.append(f"Speak {', '.join(how)}." if how else "Speak naturally and conversationally.")
    return " ".join(parts)


def _assemble(call, rc: RenderedCall, opts: Options, vs, stypes, deliveries, utts, engine_sr):
    from corpusc.backends.audio import dsp, mix
    sr = TELEPHONY_RATE if opts.telephony else (opts.sample_rate or engine_sr)
    band = dsp.TELEPHONE_BAND if opts.telephony else None
    utts = [u.resampled(sr, band) for u in utts]
    channels = [timeline.channel_of(t.side) for t in rc.turns]
    rnd = stream(0, "audio.layout", call.id).random
    lay = mix.layout(utts, deliveries, channels, sr, rnd)
    y = mix.mix(lay, opts.stereo, opts.loudness)
    data = mix.encode(y, sr, opts.format, opts.encoding)

    def s(x: int) -> float:
        return round(x / sr, 3)

    turns = [t.model_copy(update={"start": s(p.start), "end": s(p.end)}) for t, p in zip(rc.turns, lay.placed)]
    new = rc.model_copy(update={"turns": turns, "duration": s(lay.length)})
    holds = [(s(a), s(b)) for a, b in lay.holds]
    own = {
        "call_id": call.id, "engine": opts.engine, "format": opts.format, "sample_rate": sr,
        "channels": 2 if opts.stereo else 1, "telephony": opts.telephony, "loudness_dbfs": opts.loudness,
        "duration": s(lay.length),
        "turns": [{"index": t.index, "speaker": t.speaker, "side": t.side, "channel": f"C{p.channel + 1}",
                   "voice": {"gender": vs[t.speaker].gender, "espeak": vs[t.speaker].variant,
                             "pitch": vs[t.speaker].pitch, "rate": vs[t.speaker].rate,
                             "openai": vs[t.speaker].openai},
                   "cues": list(t.cues), "start": s(p.start), "end": s(p.end),
                   "words": [{"word": w, "start": s(p.start + a), "end": s(p.start + b)}
                             for w, (a, b) in zip(t.text.split(), p.utt.words)]}
                  for t, p in zip(rc.turns, lay.placed)],
        "holds": [{"start": a, "end": b} for a, b in holds],
        "pauses": [{"turn": i, "start": s(a), "end": s(b)} for a, b, i in lay.pauses],
        "overlaps": [{"turn": i, "interrupted": j, "start": s(a), "end": s(b)} for a, b, i, j in lay.overlaps],
    }
    arts = [Artifact(f"audio/{call.id}.{opts.format}", data),
            Artifact(f"audio/{call.id}.wav.json", timeline.dumps(timeline.wav_json(call, new, stypes, holds))),
            Artifact(f"audio/{call.id}.timeline.json", timeline.dumps(own))]
    return arts, new
