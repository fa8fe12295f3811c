"""SA speech-analytics upload descriptors (seed 004): `sa/<call_id>.json` per
call, holding the `data` JSON of the upload form, the index name and channel
map from `emit sa { }`, and the paths of the files sent with it (the
`.wav.json` timeline and the `.wav` (or `.mp3`/`.ogg` per `emit audio {
format }`), none for text calls) that the audio
backend writes. `corpusc deliver sa` turns a descriptor into the multipart
request.

`data` comes from the call header (`header.call_header`), the same typed
mapping the dialogue header and the timeline's C1 keys use, so the three cannot
disagree. Numbers stay numbers. Keys are flat and dotted (`custom.NPS_score`,
`segments.call_center_attributes.operator`), as the upload expects them.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Literal

from corpusc.plan.model import Call

from pydantic import BaseModel, ConfigDict

from corpusc.backends.base import Artifact, Backend, Context
from corpusc.backends.header import call_header, generator_path, spitch_flat, spitch_header, spitch_stem

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://corpusc.dev/sa/upload")
ATTRS = "segments.call_center_attributes."
SCALARS = (str, int, float, bool)
CHAT_END = "chat_closed"  # a chat's disconnect reason (a phone call's default: "far_hangup")


def session_id(seed: Any, corpus: str, call_id: str) -> str:
    """Stable for the same corpus, seed and call; never uuid4 or the clock."""
    return str(uuid.uuid5(NAMESPACE, f"{corpus}/{seed}/{call_id}"))


def _ani(value: Any) -> str:
    """Keep a leading + and the digits, as the upload tool cleans ANIs."""
    s = "" if value is None else str(value).strip()
    digits = re.sub(r"\D", "", s)
    return ("+" + digits) if s.startswith("+") and digits else digits


def _compact(start_utc: str) -> str:
    return re.sub(r"\D", "", start_utc)[:14]


def _file_agent(name: str) -> str:
    return re.sub(r"[^\w]+", "_", name.strip(), flags=re.UNICODE).strip("_") or "Agent"


def sa_data(call: Call, seed: Any, corpus: str, audio_format: str = "wav",
            spitch: dict[str, Any] | None = None) -> dict[str, Any]:
    """`spitch`: the Spitch profile's flat header, sent as the `custom.*` fields
    and naming the file as the generator does."""
    head = call_header(call)
    start = str(head.get("start_utc") or call.start_utc)
    compact = _compact(start)
    start_date = f"{compact[0:4]}-{compact[4:6]}-{compact[6:8]}T{compact[8:10]}:{compact[10:12]}:{compact[12:14]}Z"
    agent = head.get("agent")
    agent_name = head.get("agent_name") or agent or "unknown"
    team = head.get("team")
    channel = head.get("channel") or "voice"
    chat = channel == "text"
    # a chat has no calling line (its customer's number on record stays in `custom.ANI`), no
    # recording (its original is the typed transcript, `.txt`) and nobody hangs up: it is closed
    ani = "" if chat else _ani(head.get("ANI") if "ANI" in head else head.get("ani"))
    stem = "_".join(x for x in (_file_agent(str(agent_name)), compact, ani.lstrip("+")) if x)
    data: dict[str, Any] = {
        "session_id": session_id(seed, corpus, call.id),
        "start_date": start_date,
        "ani": ani,
        "direction": "in",
        "disconnect_reason": str(head.get("disconnect_reason") or (CHAT_END if chat else "far_hangup")),
        ATTRS + "operator": str(agent or agent_name),
        ATTRS + "operator_name": str(agent_name),
    }
    if team:
        data[ATTRS + "group"] = str(team)
        data[ATTRS + "group_name"] = str(head.get("team_name") or team)
    data["original_filename"] = f"{spitch_stem(call) if spitch else stem}.{'txt' if chat else audio_format}"
    data["channel"] = str(channel)
    for k, v in (head if spitch is None else spitch).items():
        if isinstance(v, SCALARS) and v is not None:
            data[f"custom.{k}"] = v
    return data


class SaOptions(BaseModel):
    """`emit sa { index_name "..." channel_map "..." profile spitch }`; `profile
    spitch` sends the Spitch generator's header as `custom.*` (docs/formats.md)."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    index_name: str | None = None
    channel_map: str | None = None
    profile: Literal["default", "spitch"] = "default"


class Sa(Backend):
    name = "sa"
    version = "1"
    Options = SaOptions
    needs_text = False

    def render(self, call: Call, rendered, ctx: Context) -> list[Artifact]:
        opts = ctx.options.get("sa", {})
        corpus = ctx.header.corpus
        text = call.metadata.get("channel") == "text"
        fmt = str(ctx.options.get("audio", {}).get("format") or "wav")  # the audio backend's file suffix
        spitch = spitch_flat(spitch_header(call), generator_path(ctx)) if opts.get("profile") == "spitch" else None
        files = f"audio/{spitch_stem(call) if ctx.options.get('audio', {}).get('profile') == 'spitch' else call.id}"
        doc = {
            "data": sa_data(call, corpus.get("seed"), str(corpus.get("name", "")), fmt, spitch),
            "index_name": opts.get("index_name"),
            "channel_map": opts.get("channel_map"),
            "stt_data": f"{files}.wav.json",
            "audio": None if text else f"{files}.{fmt}",
        }
        return [Artifact(f"sa/{call.id}.json", (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode())]
