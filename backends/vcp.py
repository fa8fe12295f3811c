"""VCP 0.3 payloads ("Voice Context Protocol", seed 002): one JSON object per
call, `vcp/<call_id>.json`, in the go-to-market shape (`mode gtm`) or with
`model_selection` and the human-readable call report (`mode full`).

Everything comes from the plan: ids are uuid5 of the seed and the call, times
are the call's own (never the wall clock), so the same spec and seed give the
same bytes. What a scenario means (status, intent, success metric, evidence,
capabilities) comes from its `scenario` catalog entry (stdlib.domains.hvac);
a scenario without one is scored from the call's own fields.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from corpusc import __version__
from corpusc.compiler.plan_model import Call, Header

from .base import Artifact, Context

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://corpusc.dev/vcp/0.3")
PROVIDERS = ("retell", "vapi", "bland", "synthetic")
STATUSES = ("success", "partial", "filtered", "failed")
SENTIMENT_MODEL = "corpusc-synthetic-sentiment-1"
OBJECTIVE_SCORE = {"success": 1.0, "partial": 0.5, "filtered": 0.5, "failed": 0.0}
# The models a voice-agent provider would resolve per role (full mode); chosen
# per call from these lists by the call's id, so they vary but never at random.
ROLE_MODELS = {
    "STT": ["deepgram-nova-3", "whisper-large-v3", "assemblyai-universal-2"],
    "LLM": ["gpt-4o-mini", "claude-haiku-4-5", "gemini-2.5-flash"],
    "TTS": ["elevenlabs-flash-v2.5", "cartesia-sonic-2", "openai-gpt-4o-mini-tts"],
}


def payload_id(seed: int, corpus: str, call_id: str) -> str:
    """The payload's call_id: stable for the same corpus, seed and call
    (`uuid.uuid5(NAMESPACE, ...)`, formed here without the UUID object)."""
    h = hashlib.sha1(_NS + f"{corpus}/{seed}/{call_id}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


_NS = NAMESPACE.bytes
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}  # RFC 4122: 10xx
_EPOCH = dt.datetime(1970, 1, 1)


def _utc(ts: dt.datetime) -> str:
    """A naive UTC time as `YYYY-MM-DDTHH:MM:SS.mmmZ`."""
    return ts.isoformat(timespec="milliseconds") + "Z"


def _start(call: Call) -> dt.datetime:
    return dt.datetime.fromisoformat(call.start_utc[:-1])


def _num(meta: dict, *keys: str, default: Any = None) -> Any:
    for k in keys:
        v = meta.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return v
    return default


def _bool(meta: dict, key: str, default: bool) -> bool:
    v = meta.get(key)
    return v if isinstance(v, bool) else default


def _status(call: Call, trait: dict, meta: dict) -> str:
    s = meta.get("status") or trait.get("status")
    if s in STATUSES:
        return s
    if call.kind == "sales":
        return "success" if call.stage in ("closed_won", "negotiation") else "partial"
    return "success" if _bool(meta, "first_contact_resolution", _bool(meta, "FCR", False)) else "partial"


def _gap(sentiment: float, status: str) -> dict[str, Any]:
    """How far the caller's perceived sentiment is from the objective outcome."""
    objective = OBJECTIVE_SCORE[status]
    gap = round(abs(sentiment - objective), 3)
    cls = "aligned" if gap < 0.2 else "mild_misalignment" if gap < 0.4 else "significant_gap"
    drivers = []
    if cls != "aligned":
        kind = "sentiment_above_outcome" if sentiment > objective else "sentiment_below_outcome"
        drivers.append({"type": kind, "weight": round(min(1.0, gap * 2), 3),
                        "note": f"caller sentiment {sentiment:.2f} vs outcome {status}"})
    return {"gap_score": gap, "gap_class": cls, "drivers": drivers}


def _pick(options: list[str], call_id: str, salt: str) -> tuple[str, list[str]]:
    i = uuid.uuid5(NAMESPACE, f"{salt}/{call_id}").int % len(options)
    return options[i], [o for o in options if o != options[i]]


def payload(call: Call, h: Header, mode: str = "gtm") -> dict[str, Any]:
    meta = call.metadata
    corpus = h.corpus.get("name", "")
    seed = h.corpus.get("seed", 0)
    pid = payload_id(seed, corpus, call.id)
    scenario = str(meta.get("scenario") or call.stage or call.population or "call")
    trait: dict[str, Any] = h.scenarios.get(scenario, {}) if getattr(h, "scenarios", None) else {}
    start = _start(call)
    duration = int(round(_num(meta, "duration_sec", "aht_sec", default=call.target_duration_sec)))
    end = start + dt.timedelta(seconds=duration)
    provider = meta.get("provider") if meta.get("provider") in PROVIDERS else "synthetic"
    sentiment = float(_num(meta, "sentiment", default=0.5))
    sentiment = min(1.0, max(0.0, sentiment))
    confidence = float(min(1.0, max(0.0, _num(meta, "confidence", default=0.8))))
    status = _status(call, trait, meta)
    metric = trait.get("metric") or "resolved"
    target = trait.get("value", True)
    operator = trait.get("operator") or "eq"
    # a scenario's own criterion (callback scheduled, spam detected) is met unless
    # the call failed; without a catalog entry the criterion is "resolved"
    met = status != "failed" if trait else status == "success"
    crit_id = f"sc_{metric}"
    metrics: dict[str, Any] = {
        "aht_sec": int(round(_num(meta, "aht_sec", "duration_sec", default=duration))),
        "first_contact_resolution": _bool(meta, "first_contact_resolution", _bool(meta, "FCR", status == "success")),
        "interruptions": int(_num(meta, "interruptions", "Interruptions_count", default=0)),
        "handoff_performed": _bool(meta, "handoff_performed", False),
    }
    first_response = _num(meta, "first_response_sec")
    if first_response is not None:
        metrics["first_response_sec"] = float(first_response)
    value = _num(meta, "estimated_value_usd")
    if value is not None:
        metrics["estimated_value_usd"] = round(float(value), 2)
    evidence = trait.get("evidence") or f"transcript:{call.id}"
    vcp: dict[str, Any] = {
        "call": {
            "call_id": pid,
            "session_id": f"{pid}-session",
            "provider": provider,
            "start_time": _utc(start),
            "end_time": _utc(end),
            "duration_sec": duration,
            "capabilities_invoked": list(trait.get("capabilities", [])),
            "purpose_contract": {
                "declared_intent": trait.get("intent") or scenario.replace("_", " "),
                "success_criteria": [{"id": crit_id, "metric": metric, "operator": operator, "value": target}],
            },
        },
        "outcomes": {
            "perceived": [{"by": "caller", "at": int((end - _EPOCH).total_seconds()),
                           "sentiment": {"model": SENTIMENT_MODEL, "score": round(sentiment, 3)},
                           "confidence": round(confidence, 3)}],
            "objective": {
                "status": status,
                "scored_criteria": [{"id": crit_id, "met": met, "evidence_ref": evidence}],
                "metrics": metrics,
                "confidence": round(confidence, 3),
            },
            "perception_gap": _gap(sentiment, status),
        },
        "artifacts": {"provider_raw_payload_ref": f"corpusc://{corpus}/{call.id}"},
        "custom": {
            "provider_specific": {"corpusc_call_id": call.id, "population": call.population,
                                  "account": call.account, "local_start": call.start, "timezone": call.timezone},
            "outcome_hint": scenario,
            "synthetic": True,
            "synthetic_recipe": {"generator": "corpusc", "version": __version__, "spec_hash": h.spec_hash,
                                 "seed": seed, "mode": mode},
        },
        "audit": {"received_at": _utc(end + dt.timedelta(seconds=1)),
                  "normalized_at": _utc(end + dt.timedelta(seconds=2)), "schema_version": "0.3"},
    }
    if mode == "full":
        roles = {}
        for role, options in ROLE_MODELS.items():
            chosen, alts = _pick(options, call.id, role)
            roles[role] = {"chosen": chosen, "alternatives": alts,
                           "reason": [f"policy default for {provider}", "latency budget"]}
        vcp["model_selection"] = {"policy_id": f"corpusc-{provider}-default", "resolved_at": _utc(start), "roles": roles}
        headline = trait.get("headline") or f"{scenario.replace('_', ' ').capitalize()}: {status}"
        points = [f"Intent: {vcp['call']['purpose_contract']['declared_intent']}",
                  f"{'Met' if met else 'Missed'} {metric} ({operator} {json.dumps(target)})",
                  f"Handled in {duration} s with {metrics['interruptions']} interruption(s)"]
        if metrics["handoff_performed"]:
            points.append("Handed off to a human")
        impact: dict[str, Any] = {"aht_sec": metrics["aht_sec"],
                                  "first_contact_resolution": metrics["first_contact_resolution"]}
        if "estimated_value_usd" in metrics:
            impact["estimated_value_usd"] = metrics["estimated_value_usd"]
        vcp["hcr"] = {"audience": "operations", "headline": headline, "outcome_status": status,
                      "key_points": points, "impact_metrics": impact}
    return {"call_id": pid, "vcp_version": "0.3", "vcp_payload": vcp}


class Vcp:
    name = "vcp"
    version = "1"
    needs_text = False

    def render(self, call: Call, rendered, ctx: Context) -> list[Artifact]:
        opts = ctx.options.get("vcp", {})
        doc = payload(call, ctx.header, opts.get("mode", "gtm"))
        return [Artifact(f"vcp/{call.id}.json", dumps(doc, pretty=bool(opts.get("pretty"))))]


def dumps(doc: dict[str, Any], pretty: bool = False) -> bytes:
    """One payload as UTF-8 JSON and a newline, compact unless `pretty`
    (indent 2). orjson writes the same bytes as the json module for these
    documents, four times faster; a value it refuses (an integer beyond 64
    bits) falls back to the json module."""
    import orjson
    try:
        return orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0))
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(doc, indent=2, ensure_ascii=False) if pretty else \
            json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        return (text + "\n").encode()
