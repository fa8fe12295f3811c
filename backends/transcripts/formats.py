"""Transcript file formats: one plain function per format, each
`(call, rendered) -> str`, the whole text of one file (UTF-8, ends with a
newline, byte-identical across runs).

Formats (see /work/shared/design/PAYLOADS.md, "Transcript formats downstream
pipelines ingest"):

  txt                 `.txt`         for humans; speaker labels and seed-000 cues
  json                `.json`        our own shape, specs/transcript.schema.json
  vtt                 `.vtt`         WebVTT as Microsoft Teams writes it (voice tags)
  zoom_vtt            `.zoom.vtt`    WebVTT as Zoom writes it (numbered, `Name: text`)
  srt                 `.srt`         SubRip, `Name: text`
  gong                `.gong.json`   Gong `POST /v2/calls/transcript` response
  aws_call_analytics  `.aws.json`    Amazon Transcribe Call Analytics output

Every id is derived from the call id (hashlib / uuid5): no clock, no uuid4.
Only txt and json carry the paralinguistic cues; the others carry the words
only, as the real systems do.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from typing import Any, Callable

from corpusc.plan.model import Call

from corpusc.render.model import RenderedCall, Turn
from corpusc.render.text import txt_layout

def _squash(text: str) -> str:
    """The text on one line with runs of white space made one space (cue payloads)."""
    return " ".join(text.split())


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def _span_ms(t: Turn) -> tuple[int, int]:
    start = _ms(t.start)
    return start, max(start, _ms(t.end))


def _duration(rc: RenderedCall) -> float:
    return rc.duration or max((t.end for t in rc.turns), default=0.0)


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).digest()


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ---- txt ---------------------------------------------------------------------

def txt(call: Call, rc: RenderedCall) -> str:
    """Header comment lines, a blank line, then `Name: [cue] [cue] text` per turn."""
    return txt_layout(call, rc)[0]


def txt_offsets(call: Call, rc: RenderedCall) -> list[int]:
    """Per turn (in `rc.turns` order), the offset in the txt file's text (Python
    str index, i.e. code points, not bytes) where that turn's `text` begins:
    `txt[off + s:off + e] == turn.text[s:e]` (line breaks inside a turn's text
    are written as one space each, so offsets hold across them)."""
    return txt_layout(call, rc)[1]


# ---- json (ours) -------------------------------------------------------------

def json_transcript(call: Call, rc: RenderedCall) -> str:
    """Our transcript JSON, valid against specs/transcript.schema.json."""
    doc = {
        "call_id": rc.call_id,
        "locale": rc.locale,
        "duration": round(_duration(rc), 3),
        "participants": [{"id": p.id, "name": p.name, "side": p.side, "role": p.role, "persona": p.persona}
                         for p in call.participants],
        "turns": [{"index": t.index, "speaker": t.speaker, "name": t.name, "role": t.side,
                   "start": round(t.start, 3), "end": round(t.end, 3), "text": t.text,
                   "annotations": list(t.cues)} for t in rc.turns],
    }
    return _dump(doc)


# ---- WebVTT / SRT --------------------------------------------------------------

def _clock(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _timing(t: Turn, sep: str) -> str:
    start, end = _span_ms(t)
    return f"{_clock(start, sep)} --> {_clock(end, sep)}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt(call: Call, rc: RenderedCall) -> str:
    """WebVTT as Teams writes it: cue id `<call_id>-<n>`, `<v Name>text</v>`."""
    cues = [f"{rc.call_id}-{n}\n{_timing(t, '.')}\n<v {_vtt_escape(_squash(t.name))}>{_vtt_escape(_squash(t.text))}</v>"
            for n, t in enumerate(rc.turns, 1)]
    return "\n\n".join(["WEBVTT", *cues]) + "\n"


def zoom_vtt(call: Call, rc: RenderedCall) -> str:
    """WebVTT as Zoom writes it: cues numbered 1.., `Name: text`, no voice tag."""
    cues = [f"{n}\n{_timing(t, '.')}\n{_vtt_escape(_squash(t.name))}: {_vtt_escape(_squash(t.text))}"
            for n, t in enumerate(rc.turns, 1)]
    return "\n\n".join(["WEBVTT", *cues]) + "\n"


def srt(call: Call, rc: RenderedCall) -> str:
    """SubRip: cues numbered 1.., `HH:MM:SS,mmm`, `Name: text`."""
    cues = [f"{n}\n{_timing(t, ',')}\n{_squash(t.name)}: {_squash(t.text)}" for n, t in enumerate(rc.turns, 1)]
    return "\n\n".join(cues) + "\n"


# ---- Gong ------------------------------------------------------------------------

# the topic of the segment a beat opens (Gong names topics per stretch of call)
GONG_TOPICS = {
    "opening": "Call Setup", "greeting": "Call Setup", "small_talk": "Small Talk",
    "introduce_stakeholder": "Introductions", "reference": "Recap", "agenda": "Agenda",
    "discovery": "Discovery", "demo": "Product Demo", "terms": "Pricing", "signoff": "Contract",
    "pain": "Pain Points", "competitor_mention": "Competition",
    "objection_raised": "Objections", "objection_reopened": "Objections", "objection_addressed": "Objections",
    "objection_resolved": "Objections", "objection_unaddressed": "Objections",
    "buying_signal": "Value", "scenario": "Customer Issue", "next_steps": "Next Steps", "close": "Wrap-up",
}

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])")


def _topic(kind: str) -> str:
    return GONG_TOPICS.get(kind) or kind.replace("_", " ").strip().title()


def _numeric_id(*parts: str) -> str:
    """A 19-digit numeric string, as Gong ids are."""
    return str(10**18 + int.from_bytes(_digest(*parts)[:8], "big") % (9 * 10**18))


def gong_call_id(call_id: str) -> str:
    return _numeric_id("gong-call", call_id)


def gong_speaker_id(call_id: str, participant_id: str) -> str:
    return _numeric_id("gong-speaker", call_id, participant_id)


def _request_id(call_id: str) -> str:
    n = int.from_bytes(_digest("gong-request", call_id)[:13], "big")
    chars = []
    for _ in range(19):
        n, r = divmod(n, 36)
        chars.append("0123456789abcdefghijklmnopqrstuvwxyz"[r])
    return "".join(chars)


def sentences(text: str) -> list[str]:
    """The sentences of a turn's words (split after . ! ? … and CJK stops)."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(_squash(text))) if s]


def _sentence_times(t: Turn, parts: list[str]) -> list[dict[str, Any]]:
    start, end = _span_ms(t)
    weights = [len(p) for p in parts]
    total = sum(weights) or 1
    out, acc = [], 0
    for p, w in zip(parts, weights):
        a = start + round((end - start) * acc / total)
        acc += w
        b = start + round((end - start) * acc / total)
        out.append({"start": a, "end": b, "text": p})
    return out


def gong(call: Call, rc: RenderedCall) -> str:
    """Gong's transcript response: monologues (a speaker's consecutive turns
    within one topic segment) of sentences with proportional millisecond times."""
    monologues: list[dict[str, Any]] = []
    current: str | None = None  # topic of the segment the latest beat opened
    last_key = None
    for t in rc.turns:
        topic = _topic(t.beats[0]) if t.beats else current
        if t.beats:
            current = _topic(t.beats[-1])
        parts = sentences(t.text)
        if not parts:
            continue
        speaker = gong_speaker_id(rc.call_id, t.speaker)
        if monologues and last_key == (speaker, topic):
            monologues[-1]["sentences"].extend(_sentence_times(t, parts))
        else:
            monologues.append({"speakerId": speaker, "topic": topic, "sentences": _sentence_times(t, parts)})
        last_key = (speaker, topic)
    doc = {
        "requestId": _request_id(rc.call_id),
        "records": {"totalRecords": 1, "currentPageSize": 1, "currentPageNumber": 0},
        "callTranscripts": [{"callId": gong_call_id(rc.call_id), "transcript": monologues}],
    }
    return _dump(doc)


# ---- Amazon Transcribe Call Analytics -----------------------------------------------

AWS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://corpusc.dev/transcripts/aws_call_analytics")
NON_TALK_MIN_MS = 2000  # a silence between turns at least this long is non-talk time
ROLES = ("AGENT", "CUSTOMER")
SENTIMENT_SCORE = {"POSITIVE": 5.0, "NEGATIVE": -5.0, "NEUTRAL": 0.0, "MIXED": 0.0}


def _role(t: Turn) -> str:
    return "AGENT" if t.side == "seller" else "CUSTOMER"


def _loudness(call_id: str, t: Turn) -> list[float]:
    """One score per second of the turn, set by its cues (energy, enthusiasm...)."""
    cues = set(t.cues)
    base = 74.0
    if "energy: LOW" in cues:
        base = 64.0
    elif "hesitant" in cues:
        base = 68.0
    elif "enthusiastic" in cues:
        base = 82.0
    elif "confident" in cues:
        base = 78.0
    if "INTERRUPTS" in cues:
        base += 4.0
    start, end = _span_ms(t)
    n = max(1, math.ceil((end - start) / 1000))
    out = []
    for i in range(n):
        jitter = int.from_bytes(_digest("loudness", call_id, str(t.index), str(i))[:4], "big") / 2**32
        out.append(round(base + (jitter - 0.5) * 6.0, 2))
    return out


def _interval(begin: int, end: int) -> dict[str, int]:
    return {"BeginOffsetMillis": begin, "DurationMillis": end - begin, "EndOffsetMillis": end}


def _weighted(spans: list[tuple[int, int, float]], lo: int, hi: int) -> float:
    """Duration-weighted mean of the sentiment scores over [lo, hi]."""
    num = den = 0
    for a, b, score in spans:
        w = min(b, hi) - max(a, lo)
        if w > 0:
            num += w * score
            den += w
    return round(num / den, 1) if den else 0.0


def aws_call_analytics(call: Call, rc: RenderedCall) -> str:
    """Amazon Transcribe Call Analytics output: turns (seller = AGENT) and the
    conversation characteristics computed from their timings, words and cues."""
    turns = rc.turns
    transcript = []
    for t in turns:
        begin, end = _span_ms(t)
        transcript.append({
            "Id": str(uuid.uuid5(AWS_NAMESPACE, f"{rc.call_id}/{t.index}")),
            "ParticipantRole": _role(t),
            "BeginOffsetMillis": begin,
            "EndOffsetMillis": end,
            "Content": _squash(t.text),
            "Sentiment": t.sentiment,
            "LoudnessScores": _loudness(rc.call_id, t),
        })
    # non-talk time: gaps between the merged talk intervals
    gaps, reach = [], None
    for begin, end in sorted(_span_ms(t) for t in turns):
        if reach is not None and begin - reach >= NON_TALK_MIN_MS:
            gaps.append(_interval(reach, begin))
        reach = end if reach is None else max(reach, end)
    # interruptions: a turn cued INTERRUPTS talks over the turn before it
    by_interrupter: dict[str, list[dict[str, int]]] = {}
    for i, t in enumerate(turns):
        if i == 0 or "INTERRUPTS" not in t.cues:
            continue
        begin, end = _span_ms(t)
        over = max(begin, min(end, _span_ms(turns[i - 1])[1]))
        by_interrupter.setdefault(_role(t), []).append(_interval(begin, over))
    instances = [x for role in ROLES for x in by_interrupter.get(role, [])]
    talk = {role: 0 for role in ROLES}
    words = {role: 0 for role in ROLES}
    spans: dict[str, list[tuple[int, int, float]]] = {role: [] for role in ROLES}
    for t in turns:
        begin, end = _span_ms(t)
        role = _role(t)
        talk[role] += end - begin
        words[role] += len(t.text.split())
        spans[role].append((begin, end, SENTIMENT_SCORE.get(t.sentiment, 0.0)))
    quarters: dict[str, list[dict[str, Any]]] = {}
    for role in ROLES:
        last = max((b for _, b, _ in spans[role]), default=0)
        edges = [round(last * q / 4) for q in range(5)]
        quarters[role] = [{"BeginOffsetMillis": edges[q], "EndOffsetMillis": edges[q + 1],
                           "Score": _weighted(spans[role], edges[q], edges[q + 1])}
                          for q in range(4)] if spans[role] else []
    doc = {
        "JobName": rc.call_id,
        "JobStatus": "COMPLETED",
        "LanguageCode": rc.locale,
        "Channel": "VOICE",
        "Transcript": transcript,
        "Categories": {"MatchedCategories": [], "MatchedDetails": {}},
        "ConversationCharacteristics": {
            "TotalConversationDurationMillis": _ms(_duration(rc)),
            "NonTalkTime": {"TotalTimeMillis": sum(g["DurationMillis"] for g in gaps), "Instances": gaps},
            "Interruptions": {"TotalCount": len(instances),
                              "TotalTimeMillis": sum(x["DurationMillis"] for x in instances),
                              "InterruptionsByInterrupter": {r: by_interrupter[r] for r in ROLES if r in by_interrupter}},
            "TalkTime": {"TotalTimeMillis": sum(talk.values()),
                         "DetailsByParticipant": {r: {"TotalTimeMillis": talk[r]} for r in ROLES}},
            "TalkSpeed": {"DetailsByParticipant": {
                r: {"AverageWordsPerMinute": round(words[r] * 60_000 / talk[r]) if talk[r] else 0} for r in ROLES}},
            "Sentiment": {
                "OverallSentiment": {r: _weighted(spans[r], 0, 2**62) for r in ROLES},
                "SentimentByPeriod": {"QUARTER": quarters},
            },
        },
    }
    return _dump(doc)


from corpusc.backends.transcripts.dialogue import dialogue  # noqa: E402  (the contact-center text format, its own module


FORMATS: dict[str, tuple[str, Callable[[Call, RenderedCall], str]]] = {
    "txt": (".txt", txt),
    "json": (".json", json_transcript),
    "vtt": (".vtt", vtt),
    "zoom_vtt": (".zoom.vtt", zoom_vtt),
    "srt": (".srt", srt),
    "gong": (".gong.json", gong),
    "aws_call_analytics": (".aws.json", aws_call_analytics),
    "dialogue": (".dialogue.txt", dialogue),
}
