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
  gong                `.gong.json`   Gong `POST /v2/calls/transcript` response, and
                      `.gong.parties.json`, `POST /v2/calls/extensive` with parties
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

from corpusc.backends import jsonout
from corpusc.render.model import RenderedCall, Turn
from corpusc.render.text import txt_layout, typed, waits

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
    return jsonout.dumps(doc).decode("utf-8")  # json.dumps(doc, indent=2, ensure_ascii=False) + "\n", faster


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
        "turns": [_json_turn(call, t) for t in rc.turns],
    }
    return _dump(doc)


def _json_turn(call: Call, t: Turn) -> dict[str, Any]:
    """One turn of our JSON; a chat's waits as `waits` data, not annotations (render/text.typed)."""
    w = typed(call, t)
    return {"index": t.index, "speaker": t.speaker, "name": t.name, "role": t.side,
            "start": round(t.start, 3), "end": round(t.end, 3), "text": t.text,
            "annotations": list(w.cues),
            **({"annotation_offsets": list(w.cue_at)} if any(w.cue_at) else {}),
            **({"waits": waits(t)} if w is not t else {})}


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


CUE_MAX_MS = 7000  # a caption cue lasts at most about this long (Teams writes cues of a few seconds)
LINE_CHARS = 42  # characters per caption line, two lines per cue (broadcast caption practice)
CALL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://corpusc.dev/transcripts/call")


def call_uuid(call_id: str) -> str:
    """The call's UUID in formats whose ids are UUIDs (Teams cue ids)."""
    return str(uuid.uuid5(CALL_NAMESPACE, call_id))


def _wrap(words: list[str], width: int = LINE_CHARS) -> list[str]:
    """Greedy line filling at word boundaries; a word longer than a line stands alone."""
    lines: list[str] = []
    for w in words:
        if lines and len(lines[-1]) + 1 + len(w) <= width:
            lines[-1] += " " + w
        else:
            lines.append(w)
    return lines


def _fits(words: list[str], prefix: str, ms: float) -> bool:
    return len(_wrap(prefix.split() + words)) <= 2 and ms <= CUE_MAX_MS


def caption_cues(t: Turn, prefix: str = "") -> list[tuple[int, int, list[str]]]:
    """A turn as caption cues `(start_ms, end_ms, lines)`: at most two lines of
    LINE_CHARS (counting `prefix`, e.g. Zoom's `Name: `) and about CUE_MAX_MS,
    split at sentence ends where a sentence fits, else at word boundaries. Each
    cue's time is its share of the turn's characters."""
    start, end = _span_ms(t)
    per_char = (end - start) / max(1, len(_squash(t.text)))
    chunks: list[list[str]] = []
    for sentence in sentences(t.text):
        words = sentence.split()
        if chunks and _fits(chunks[-1] + words, prefix, per_char * (len(" ".join(chunks[-1] + words)) + 1)):
            chunks[-1] += words
            continue
        chunks.append([])
        for w in words:
            if chunks[-1] and not _fits(chunks[-1] + [w], prefix, per_char * (len(" ".join(chunks[-1] + [w])) + 1)):
                chunks.append([])
            chunks[-1].append(w)
    total = sum(len(" ".join(c)) for c in chunks) + max(0, len(chunks) - 1) or 1
    out, acc = [], 0
    for i, c in enumerate(chunks):
        a = start + round((end - start) * acc / total)
        acc += len(" ".join(c)) + (1 if i < len(chunks) - 1 else 0)
        b = start + round((end - start) * acc / total)
        words = prefix.split() + c if prefix else c
        out.append((a, b, _wrap(words)))
    return out


def _cue_timing(a: int, b: int, sep: str) -> str:
    return f"{_clock(a, sep)} --> {_clock(b, sep)}"


def vtt(call: Call, rc: RenderedCall) -> str:
    """WebVTT as Teams writes it: short cues, id `<call-uuid>/<turn>-<part>`,
    `<v Name>` on each cue, at most two lines of 42 characters."""
    cid = call_uuid(rc.call_id)
    cues = []
    for n, t in enumerate(rc.turns, 1):
        name = _vtt_escape(_squash(t.name))
        for k, (a, b, lines) in enumerate(caption_cues(t)):
            text = "\n".join(_vtt_escape(x) for x in lines)
            cues.append(f"{cid}/{n}-{k}\n{_cue_timing(a, b, '.')}\n<v {name}>{text}</v>")
    return "\n\n".join(["WEBVTT", *cues]) + "\n"


def zoom_vtt(call: Call, rc: RenderedCall) -> str:
    """WebVTT as Zoom writes it: cues numbered 1.., `Name: text`, no voice tag;
    split like Teams' (the name counts in the first line)."""
    cues, n = [], 0
    for t in rc.turns:
        prefix = f"{_squash(t.name)}:"
        for a, b, lines in caption_cues(t, prefix):
            n += 1
            text = "\n".join(_vtt_escape(x) for x in lines)
            cues.append(f"{n}\n{_cue_timing(a, b, '.')}\n{text}")
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


GONG_LANGUAGES = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "nl": "nld", "pt": "por",
                  "ja": "jpn", "zh": "zho", "sv": "swe", "da": "dan", "pl": "pol"}  # ISO 639-2, as Gong writes


def _email_local(name: str) -> str:
    """`Zoë Ågren` -> `zoe.agren`: ASCII letters and digits, words joined by dots."""
    import unicodedata
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return ".".join(re.findall(r"[a-z0-9]+", plain)) or "participant"


def gong_email(call: Call, p) -> str | None:
    """Sellers on example.com (the company), buyers on `<account>.example.org`;
    a caller of a population call has a phone number instead."""
    if p.side == "seller":
        return f"{_email_local(p.name)}@example.com"
    if call.account:
        return f"{_email_local(p.name)}@{_email_local(call.account).replace('.', '-')}.example.org"
    return None


def gong_user_id(participant_id: str) -> str:
    """A seller's Gong user id: the same person has the same id on every call."""
    return _numeric_id("gong-user", participant_id)


def gong_parties(call: Call, rc: RenderedCall) -> str:
    """Gong's `POST /v2/calls/extensive` response for this call with `parties`
    (exposing `parties` content): who each transcript `speakerId` is and
    whether they are the company's (Internal) or not (External)."""
    spoke = {t.speaker for t in rc.turns if sentences(t.text)}
    parties = []
    for p in call.participants:
        party: dict[str, Any] = {"id": _numeric_id("gong-party", rc.call_id, p.id), "name": p.name}
        email = gong_email(call, p)
        if email:
            party["emailAddress"] = email
        if p.role:
            party["title"] = p.role
        if p.side == "seller":
            party["userId"] = gong_user_id(p.id)
        elif not call.account and call.metadata.get("ANI"):
            party["phoneNumber"] = str(call.metadata["ANI"])
        if p.id in spoke:
            party["speakerId"] = gong_speaker_id(rc.call_id, p.id)
        party["affiliation"] = "Internal" if p.side == "seller" else "External"
        party["methods"] = ["Attendee"]
        parties.append(party)
    meta = {
        "id": gong_call_id(rc.call_id),
        "started": call.start,
        "duration": int(round(_duration(rc))),
        "direction": "Conference" if call.medium == "video" else "Inbound" if call.kind == "population" else "Outbound",
        "scope": "External",
        "media": "Video" if call.medium == "video" else "Audio",
        "language": GONG_LANGUAGES.get(call.locale.split("-")[0].lower(), "und"),
    }
    doc = {
        "requestId": _request_id(rc.call_id + "/extensive"),
        "records": {"totalRecords": 1, "currentPageSize": 1, "currentPageNumber": 0},
        "calls": [{"metaData": meta, "parties": parties}],
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


AWS_ACCOUNT_ID = "111122223333"  # the placeholder account of AWS's own documentation: fictional, fixed
CHANNELS = {"AGENT": 0, "CUSTOMER": 1}  # left / right, as the audio backend places seller and customer
_PUNCT = ".,!?;:…\"“”„«»‚‘’()[]{}¿¡—–-。、！？"
ISSUE_KINDS = ("pain", "scenario", "objection_raised", "objection_reopened")
ACTION_KINDS = ("next_steps",)


def aws_items(t: Turn) -> list[dict[str, Any]]:
    """The turn's words and punctuation as Transcribe items. The words share
    the turn's time by their characters (one per gap between words), so the
    first starts with the turn and the last ends with it; punctuation has no
    duration (the end of the word before it) and confidence 0.0, as Transcribe
    gives it. Words are exactly what was spoken: confidence 1.0."""
    split = []  # (leading punctuation, word, trailing punctuation)
    for token in _squash(t.text).split():
        i, j = 0, len(token)
        while i < j and token[i] in _PUNCT:
            i += 1
        while j > i and token[j - 1] in _PUNCT:
            j -= 1
        split.append((token[:i], token[i:j], token[j:]) if i < j else (token, "", ""))
    words = [w for _, w, _ in split if w]
    start, end = _span_ms(t)
    scale = (end - start) / max(1, sum(map(len, words)) + len(words) - 1)
    items: list[dict[str, Any]] = []
    last, pos = start, 0

    def punct(chars: str) -> None:
        items.extend({"BeginOffsetMillis": last, "EndOffsetMillis": last, "Content": ch,
                      "Confidence": 0.0, "Type": "punctuation"} for ch in chars)

    for lead, word, trail in split:
        punct(lead)
        if word:
            a = start + round(scale * pos)
            pos += len(word)
            last = max(a, start + round(scale * pos))
            pos += 1
            items.append({"BeginOffsetMillis": a, "EndOffsetMillis": last, "Content": word,
                          "Confidence": 1.0, "Type": "pronunciation"})
        punct(trail)
    return items


def aws_categories(call: Call, rc: RenderedCall) -> dict[str, Any]:
    """Categories the plan put in the call, as rules set up for them would
    match: objection types, competitor mentions, buying signals, next steps;
    in contact-center calls the scenario, an escalation and a complaint.
    Points of interest are the turns that carry them."""
    spans = {t.index: _span_ms(t) for t in rc.turns}
    found: dict[str, list[dict[str, int]]] = {}

    def add(name: str, turn: int | None) -> None:
        poi = found.setdefault(re.sub(r"[^0-9A-Za-z._-]+", "_", name), [])
        if turn in spans:
            a, b = spans[turn]
            point = {"BeginOffsetMillis": a, "EndOffsetMillis": b}
            if point not in poi:
                poi.append(point)

    for beat in call.beats:
        if beat.kind in ("objection_raised", "objection_reopened") and beat.key:
            add(f"objection_{beat.key}", beat.turn)
        elif beat.kind == "objection_unaddressed" and beat.key:
            add(f"objection_{beat.key}_unaddressed", beat.turn)
        elif beat.kind in ("competitor_mention", "buying_signal", "next_steps"):
            add(beat.kind, beat.turn)
        elif beat.kind == "scenario" and beat.key:
            add(f"scenario_{beat.key}", beat.turn)
    meta = call.metadata
    if meta.get("escalation") not in (None, "", "no_escalation", "none", False):
        add(f"escalation_{meta['escalation']}", None)
    if meta.get("complaint_category") not in (None, "", "no_complaint", "none", False):
        add(f"complaint_{meta['complaint_category']}", None)
    names = sorted(found)
    return {"MatchedCategories": names, "MatchedDetails": {n: {"PointsOfInterest": found[n]} for n in names}}


def _detected(rc: RenderedCall, t: Turn, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    """Evidence of these kinds in the turn as character offsets into `Content`
    (only where the text needs no squashing, so the offsets hold)."""
    if _squash(t.text) != t.text:
        return []
    out = []
    for ev in rc.evidence:
        if ev.turn == t.index and ev.kind in kinds and 0 <= ev.start < ev.end <= len(t.text):
            x = {"CharacterOffsets": {"Begin": ev.start, "End": ev.end}}
            if x not in out:
                out.append(x)
    return out


def aws_call_analytics(call: Call, rc: RenderedCall) -> str:
    """Amazon Transcribe Call Analytics output: turns (seller = AGENT) with
    their word items, the plan's categories, and the conversation
    characteristics computed from the turns' timings, words and cues."""
    turns = rc.turns
    transcript = []
    for t in turns:
        begin, end = _span_ms(t)
        seg: dict[str, Any] = {
            "Id": str(uuid.uuid5(AWS_NAMESPACE, f"{rc.call_id}/{t.index}")),
            "ParticipantRole": _role(t),
            "BeginOffsetMillis": begin,
            "EndOffsetMillis": end,
            "Content": _squash(t.text),
            "Items": aws_items(t),
            "Sentiment": t.sentiment,
            "LoudnessScores": _loudness(rc.call_id, t),
        }
        issues = _detected(rc, t, ISSUE_KINDS) if _role(t) == "CUSTOMER" else []
        actions = _detected(rc, t, ACTION_KINDS)
        if issues:
            seg["IssuesDetected"] = issues
        if actions:
            seg["ActionItemsDetected"] = actions
        transcript.append(seg)
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
        "AccountId": AWS_ACCOUNT_ID,
        "JobStatus": "COMPLETED",
        "LanguageCode": rc.locale,
        "Channel": "VOICE",
        "ChannelDefinitions": [{"ChannelId": c, "ParticipantRole": r} for r, c in CHANNELS.items()],
        "Participants": [{"ParticipantRole": r} for r in ROLES],
        "ContentMetadata": {"Output": "Raw"},
        "Transcript": transcript,
        "Categories": aws_categories(call, rc),
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

# files a format writes besides its main one (Gong's transcript names speakers by id only)
COMPANIONS: dict[str, list[tuple[str, Callable[[Call, RenderedCall], str]]]] = {
    "gong": [(".gong.parties.json", gong_parties)],
}
