"""A call's metadata as one flat, typed mapping: the header of the dialogue
transcript, the C1 keys of the `.wav.json` timeline and the `custom.*` fields
of the speech-analytics upload all come from here, so they cannot disagree."""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from corpusc.plan.model import Call
from corpusc.render.cues import silence_seconds
from corpusc.render.model import RenderedCall


def call_header(call: Call) -> dict[str, Any]:
    """`call_id`, `date`, `time`, `weekday`, `start_utc`, `timezone`, then the plan's metadata in its
    order (population fields, agent, team, shift, ANI...). Values keep their
    types: int, float, bool, str, or a dict of those (compliance_flags)."""
    head: dict[str, Any] = {"call_id": call.id, "date": call.date, "time": call.time, "weekday": call.weekday,
                            "start_utc": call.start_utc, "timezone": call.timezone}
    if call.account:
        head["account"] = call.account
    if call.stage:
        head["stage"] = call.stage
    for k, v in call.metadata.items():
        head.setdefault(k, v)
    return head


def realized(call: Call, rc: RenderedCall | None) -> Call:
    """The call with the metadata only rendering knows: `duration_sec` is the
    rendered length (the audio's, once the audio backend has retimed the
    call; else the timing model's), a voice call's `Silence_total_seconds`
    the dead air of that timing (`silence_seconds`: what a reading of the
    audio finds, the timeline's gaps), and `Silence_ratio` the silence over
    that length. The plan draws a duration to aim at; the files say
    what was made, so the header, the timeline and the audio agree."""
    m = call.metadata
    if rc is None or "duration_sec" not in m or not rc.turns:
        return call
    meta = dict(m)
    planned = m["duration_sec"]
    meta["duration_sec"] = int(round(rc.duration)) if isinstance(planned, int) else round(float(rc.duration), 3)
    silence = m.get("Silence_total_seconds")
    if isinstance(silence, (int, float)) and not isinstance(silence, bool) and m.get("channel") != "text" \
            and call.medium != "chat":
        # a voice call's silence is what its audio holds (`silence_seconds`: dead air of 2 s and more, the
        # planned silences and any other; never the hold music), not the plan's figure: the plan's
        # `[silence Ns]` pauses were 12.3 s a call where the audio had 13.1 s of such stretches
        silence = meta["Silence_total_seconds"] = silence_seconds([(t.start, t.end, t.cues) for t in rc.turns])
    if isinstance(m.get("Silence_ratio"), (int, float)) and isinstance(silence, (int, float)) and rc.duration > 0:
        meta["Silence_ratio"] = round(min(100.0, 100.0 * float(silence) / rc.duration), 3)
    return call.model_copy(update={"metadata": meta})


# ---- the Spitch profile (seed 004) -------------------------------------------------
# The Spitch speech-analytics dataset generator's call record: its field names,
# in the order its dialogue header writes them, and its spellings. Backends
# write it with `profile spitch`; docs/formats.md says what each field holds.

SPITCH_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://corpusc.dev/spitch/call")
SPITCH_FIELDS = (
    "call_id", "language", "channel", "date", "weekday", "time_of_day_bucket", "agent_name", "team",
    "agent_shift", "customer_segment", "region", "device_type", "intent", "scenario", "AWT", "Hold_time",
    "Transfers_count", "Silence_ratio", "Silence_total_seconds", "Interruptions_count", "FCR",
    "repeat_call_within_72h", "escalation", "complaint_category", "NPS_score", "sentiment_score", "product",
    "amount_bucket", "self_service_potential", "automation_action_present", "automation_action_type",
    "compliance_flags", "kb_article_used", "language_switch", "pii_disclosure_flag", "script_adherence", "ANI")
# the generator's hour buckets (their dialogue step picks a start inside them)
SPITCH_BUCKETS = ((0, "Night"), (6, "Morning"), (12, "Afternoon"), (18, "Evening"))
# categorical fields whose lower-case values the generator spells capitalized (`mon` -> `Mon`)
SPITCH_CAPITALIZED = ("weekday", "agent_shift", "customer_segment", "self_service_potential", "device_type")
# a planned beat kind -> the compliance stage it evidences (pass when the agent's beat is planned and rendered)
SPITCH_COMPLIANCE = {"greeting": "Greeting", "empathy": "Empathy", "summary": "Summary", "close": "Farewell"}
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def spitch_call_id(call_id: str) -> str:
    """A UUID derived from the call id alone, so reruns and every backend agree."""
    return str(uuid.uuid5(SPITCH_NAMESPACE, call_id))


def spitch_agent(name: str) -> str:
    """`Anna Ziegler` -> `Anna_Ziegler`, `Jörg Müller-Lang` -> `Joerg_MuellerLang`:
    ASCII letters, the first name, `_`, the rest joined, as the upload's file
    name pattern `Letters_Letters_...` reads it."""
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD)).encode("ascii", "ignore").decode()
    parts = [p for p in (re.sub(r"[^A-Za-z]", "", w) for w in folded.split()) if p]
    if not parts:
        return "Agent_Unknown"
    return f"{parts[0]}_{''.join(parts[1:]) or 'Agent'}"


def spitch_bucket(time: str) -> str:
    hour = int(time[:2])
    return [name for start, name in SPITCH_BUCKETS if hour >= start][-1]


def spitch_compact(start_utc: str) -> str:
    """`2025-09-01T06:28:05.000Z` -> `20250901062805` (UTC, as the uploader reads it)."""
    return re.sub(r"\D", "", start_utc)[:14]


def spitch_stem(call: Call) -> str:
    """`{Agent_Name}_{YYYYMMDDHHMMSS}_{ANI digits}`: the file name the audio step
    and the uploader parse; the time is the call's start in UTC."""
    agent = spitch_agent(str(call.metadata.get("agent_name") or _agent_of(call)))
    ani = re.sub(r"\D", "", str(call.metadata.get("ANI") or "")) or "0"
    return f"{agent}_{spitch_compact(call.start_utc)}_{ani}"


def _agent_of(call: Call) -> str:
    return next((p.name for p in call.participants if p.side == "seller"), "")


def spitch_header(call: Call) -> dict[str, Any]:
    """The call as the generator's typed call record: every field of
    SPITCH_FIELDS in that order (None where the plan has no value), numbers
    as numbers, `compliance_flags` as an object. The flags come from the
    plan's agent beats, which the template renderer realizes turn by turn, so
    the dialogue shows what they say."""
    m = call.metadata
    head: dict[str, Any] = {k: m.get(k) for k in SPITCH_FIELDS}
    head["call_id"] = spitch_call_id(call.id)
    head["language"] = m.get("language") or call.locale
    head["channel"] = m.get("channel") or "voice"
    head["date"] = call.date
    head["weekday"] = call.weekday
    head["time_of_day_bucket"] = spitch_bucket(call.time)
    head["agent_name"] = spitch_agent(str(m.get("agent_name") or _agent_of(call)))
    for k in SPITCH_CAPITALIZED:
        if isinstance(head[k], str) and head[k].islower():  # `iOS` stays as written
            head[k] = head[k][0].upper() + head[k][1:]
    agent = {p.id for p in call.participants if p.side == "seller"}
    done = {b.kind for b in call.beats if b.speaker in agent}
    head["compliance_flags"] = {flag: "pass" if kind in done else "fail" for kind, flag in SPITCH_COMPLIANCE.items()}
    return head


def spitch_flat(head: dict[str, Any], generator: str) -> dict[str, Any]:
    """The header as the dialogue writes it and the timeline's C1 carries it:
    `generator_path` first, `compliance_flags` as four keys of their own."""
    flat: dict[str, Any] = {"generator_path": generator}
    for k, v in head.items():
        if isinstance(v, dict):
            flat.update(v)
        else:
            flat[k] = v
    return flat


def generator_path(ctx) -> str:
    """The header's `generator_path`: the renderer that wrote the words (`template`, `llm`)."""
    return str(ctx.options.get("transcripts", {}).get("engine") or ctx.header.corpus.get("engine") or "template")
