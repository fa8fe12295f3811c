"""VCP 0.3 payloads ("Voice Context Protocol", seed 002): one JSON object per
call, `vcp/<call_id>.json`, in the go-to-market shape (`mode gtm`) or with
`model_selection` and the human-readable call report (`mode full`).

Everything comes from the plan: ids are uuid5 of the seed and the call, times
are the call's own (never the wall clock), so the same spec and seed give the
same bytes. What a scenario means (status, intent, success metric, evidence,
capabilities) comes from its `scenario` catalog entry (stdlib.domains.hvac);
a scenario without one is scored from the call's own fields.

Every field is typed as VoiceLens's own VCP models declare it (the consumer
the seed names; specs/vcp-0.3.schema.json says what they check): the recipe
is a string, the artifact URLs sit under `artifacts_base`, and
`custom.provider_specific` is keyed by the provider, holding its `channel`.
corpusc's own provenance is `custom.corpusc`, a key those models ignore.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import uuid
from typing import Any, Iterable, Iterator, Literal

import orjson
from pydantic import BaseModel, ConfigDict, field_validator

from corpusc import __version__
from corpusc.plan.model import HANDOVER, Call, Header

from corpusc.backends.base import Artifact, Backend, Context, OptionError

# a population call's colleague who takes over in its words (the plan names them by role: plan.model.HANDOVER)
TAKE_OVER = frozenset(HANDOVER.values())

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://corpusc.dev/vcp/0.3")
# where `artifacts.recording_url` and `transcript_url` point unless the spec
# names a base (`emit vcp { artifacts_base "https://..." }`): a reserved
# domain, as VoiceLens's own payloads use
ARTIFACTS_BASE = "https://example.com"
DIRECTIONS = ("inbound", "outbound")
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


def _later(text: str, ts: dt.datetime, seconds: int) -> str:
    """`_utc(ts + seconds)` where `text` is `_utc(ts)`: the seconds digits
    changed in place unless they carry into the minute."""
    s = int(text[17:19]) + seconds
    return f"{text[:17]}{s:02d}{text[19:]}" if s < 60 else _utc(ts + dt.timedelta(seconds=seconds))


def _num(meta: dict, *keys: str, default: Any = None) -> Any:
    for k in keys:
        v = meta.get(k)
        t = type(v)
        if t is float or t is int or (isinstance(v, (int, float)) and t is not bool):
            return v
    return default


# a sales call's perceived sentiment (the buyers'), from its plan (docs/formats.md, "VCP"): the call's
# engagement sets the base, the deal's outcome moves its last call, and each buyer moment moves it by
# what the buyer feels (a divergent moment's delivery, not its words: a hidden concern is negative)
ENGAGEMENT_SENTIMENT = {"warming": 0.65, "recovering": 0.55, "steady": 0.55, "cooling": 0.35}
LAST_CALL_OUTCOME = {"won": 0.15, "lost": -0.25, "stalled": -0.1}
MOMENT_WEIGHT = 0.25  # the most all of a call's buyer moments together move it, either way
SALES_RANGE = (0.05, 0.95)


def _sentiment(meta: dict, call: Call | None = None, h: Header | None = None) -> float:
    """The caller's perceived sentiment on VCP's scale (`score` 0..1): a
    `sentiment` field as VoiceLens's scenarios draw it (0..1), else the
    contact-center record's `sentiment_score` (-1..1, the Spitch record's
    scale, docs/formats.md) mapped linearly (-1 -> 0, 0 -> 0.5, 1 -> 1),
    else a sales call's from its plan (`sales_sentiment`), else neutral 0.5.
    Reading `sentiment` alone left every such call at 0.5."""
    v = _num(meta, "sentiment")
    if v is None:
        score = _num(meta, "sentiment_score")
        if score is not None:
            v = (float(score) + 1.0) / 2.0
        elif call is not None and h is not None and call.kind == "sales":
            v = sales_sentiment(call, h)
        else:
            v = 0.5
    return min(1.0, max(0.0, float(v)))


def sales_sentiment(call: Call, h: Header) -> float:
    """The buyers' sentiment in a sales call, from what the plan made the
    call say: ENGAGEMENT_SENTIMENT[engagement], plus LAST_CALL_OUTCOME of the
    deal in its last call, plus MOMENT_WEIGHT x (felt positive - felt
    negative) / moments over the buyers' annotated moments, where a moment
    is felt as its words say unless it diverges (words and delivery
    disagree: the delivery is what is felt), clamped to SALES_RANGE."""
    v = ENGAGEMENT_SENTIMENT.get(call.engagement, 0.5)
    acct = h.account(call.account) if call.account else None
    if acct is not None and acct.calls and acct.calls[-1] == call.id:
        v += LAST_CALL_OUTCOME.get(acct.outcome, 0.0)
    buyers = {p.id for p in call.participants if p.side != "seller"}
    felt = [(1 if m.polarity == "positive" else -1) * (-1 if m.divergent else 1)
            for m in call.moments if m.speaker in buyers]
    if felt:
        v += MOMENT_WEIGHT * sum(felt) / len(felt)
    lo, hi = SALES_RANGE
    return round(min(hi, max(lo, v)), 3)


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


def _channel(call: Call, meta: dict) -> str:
    """`provider_specific.<provider>.channel`, the call's direction as
    VoiceLens writes it: a `direction` field of the call when it names one,
    else inbound for a population's calls (callers reach the line) and
    outbound for sales calls (the rep's meeting)."""
    d = meta.get("direction")
    if d in DIRECTIONS:
        return d
    return "outbound" if call.kind == "sales" else "inbound"


def recipe_name(corpus: str, spec_hash: str, seed: Any, mode: str) -> str:
    """`custom.synthetic_recipe`: a string in VoiceLens's models (theirs read
    `hvac_standard_v1_2025_10_12`); ours names the corpus, the mode, the spec
    and the seed, so two builds share it exactly when they share the recipe.
    The details stay typed in `custom.corpusc.recipe`."""
    return f"{corpus}_{mode}_{spec_hash[:12]}_seed{seed}"


def _pick(options: list[str], call_id: str, salt: str) -> tuple[str, list[str]]:
    i = uuid.uuid5(NAMESPACE, f"{salt}/{call_id}").int % len(options)
    return options[i], [o for o in options if o != options[i]]


def payload(call: Call, h: Header, mode: str = "gtm", artifacts_base: str = ARTIFACTS_BASE) -> dict[str, Any]:
    """The payload as a dict (what `encode` writes, read back)."""
    return json.loads(encode(call, h, mode, artifacts_base))


def encode(call: Call, h: Header, mode: str = "gtm", artifacts_base: str = ARTIFACTS_BASE) -> bytes:
    """The payload as compact JSON and a newline, as `dumps` writes it. The
    parts a scenario or the build shares (contract, capabilities, recipe)
    are encoded once and embedded as they are (orjson.Fragment)."""
    doc, plain = _document(call, h, mode, artifacts_base, True)
    if not plain:
        try:
            return orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE)
        except orjson.JSONEncodeError:
            pass
    # orjson refuses integers beyond 64 bits: `dumps` writes such a document
    # with the json module throughout, infinities and NaN as orjson writes
    # them (null), not as the json module would (Infinity, not JSON)
    return dumps(_finite(_document(call, h, mode, artifacts_base, False)[0]))


def _document(call: Call, h: Header, mode: str, base: str, fragments: bool) -> tuple[dict[str, Any], bool]:
    """The payload, its shared parts as fragments or as values; and whether
    those parts hold an integer orjson refuses."""
    meta = call.metadata
    corpus = h.corpus.get("name", "")
    seed = h.corpus.get("seed", 0)
    pid = payload_id(seed, corpus, call.id)
    scenario = str(meta.get("scenario") or call.stage or call.population or "call")
    trait: dict[str, Any] = h.scenarios.get(scenario, _NO_TRAIT) if getattr(h, "scenarios", None) else _NO_TRAIT
    start = _start(call)
    duration = int(round(_num(meta, "duration_sec", "aht_sec", default=call.target_duration_sec)))
    end = start + dt.timedelta(seconds=duration)
    start_text = call.start_utc if _CANONICAL(call.start_utc) else _utc(start)
    end_text = _utc(end)
    provider = meta.get("provider") if meta.get("provider") in PROVIDERS else "synthetic"
    sentiment = _sentiment(meta, call, h)
    confidence = round(float(min(1.0, max(0.0, _num(meta, "confidence", default=0.8)))), 3)
    status = _status(call, trait, meta)
    # the intent the call declares: its catalog entry's, else the call's own (`intent` of its metadata: a
    # card block, not the outcome "resolved first contact"), else its scenario's name
    intent = str(meta.get("intent") or "").replace("_", " ")
    handed = any(p.side == "seller" and p.id in TAKE_OVER for p in call.participants)  # a colleague takes over
    sc = _scenario_parts(scenario, trait, intent, handed)
    # a scenario's own criterion (callback scheduled, spam detected) is met unless
    # the call failed; without a catalog entry the criterion is "resolved"
    met = status != "failed" if trait else status == "success"
    aht = int(round(_num(meta, "aht_sec", "duration_sec", default=duration)))
    fcr = _bool(meta, "first_contact_resolution", _bool(meta, "FCR", status == "success"))
    interruptions = int(_num(meta, "interruptions", "Interruptions_count", default=0))
    # the call is transferred: to a colleague in its words (the plan's hand-over), or by its scenario's agent (a
    # catalog entry invoking `telephony.transfer`); both are in its capabilities
    handoff = _bool(meta, "handoff_performed", "telephony.transfer" in sc.capabilities[0])
    metrics = {"aht_sec": aht, "first_contact_resolution": fcr, "interruptions": interruptions,
               "handoff_performed": handoff}
    first_response = _num(meta, "first_response_sec")
    if first_response is not None:
        metrics["first_response_sec"] = float(first_response)
    value = _num(meta, "estimated_value_usd")
    if value is not None:
        value = round(float(value), 2)
        metrics["estimated_value_usd"] = value
    doc: dict[str, Any] = {"call": {
        "call_id": pid, "session_id": f"{pid}-session", "provider": provider, "start_time": start_text,
        "end_time": end_text, "duration_sec": duration, "capabilities_invoked": sc.capabilities[fragments],
        "purpose_contract": sc.contract[fragments],
    }, "outcomes": {
        "perceived": [{"by": "caller", "at": int((end - _EPOCH).total_seconds()),
                       "sentiment": {"model": SENTIMENT_MODEL, "score": round(sentiment, 3)},
                       "confidence": confidence}],
        "objective": {"status": status, "scored_criteria": [
            {"id": sc.crit_id, "met": met, "evidence_ref": sc.evidence or f"transcript:{call.id}"}],
            "metrics": metrics, "confidence": confidence},
        "perception_gap": _gap(sentiment, status),
    }, "artifacts": {"recording_url": f"{base}/rec/{pid}.wav", "transcript_url": f"{base}/transcripts/{pid}.txt",
                     "provider_raw_payload_ref": f"corpusc://{corpus}/{call.id}"}, "custom": {
        "provider_specific": {provider: {"channel": _channel(call, meta)}},
        "outcome_hint": scenario, "synthetic": True, "synthetic_recipe": recipe_name(corpus, h.spec_hash, seed, mode),
        "corpusc": {"call_id": call.id, "population": call.population, "account": call.account,
                    "local_start": call.start, "timezone": call.timezone, "recipe": _recipe(h, seed, mode)[fragments]},
    }, "audit": {"received_at": _later(end_text, end, 1), "normalized_at": _later(end_text, end, 2),
                 "schema_version": "0.3"}}
    if mode == "full":
        roles = {}
        for role, options in ROLE_MODELS.items():
            chosen, alts = _pick(options, call.id, role)
            roles[role] = {"chosen": chosen, "alternatives": alts,
                           "reason": [f"policy default for {provider}", "latency budget"]}
        doc["model_selection"] = {"policy_id": f"corpusc-{provider}-default", "resolved_at": start_text,
                                  "roles": roles}
        headline = trait.get("headline") or f"{scenario.replace('_', ' ').capitalize()}: {status}"
        points = [f"Intent: {sc.intent}",
                  f"{'Met' if met else 'Missed'} {sc.metric} ({sc.operator} {json.dumps(sc.target)})",
                  f"Handled in {duration} s with {interruptions} interruption(s)"]
        if handoff:
            points.append("Handed off to a human")
        impact: dict[str, Any] = {"aht_sec": aht, "first_contact_resolution": fcr}
        if value is not None:
            impact["estimated_value_usd"] = value
        doc["hcr"] = {"audience": "operations", "headline": headline, "outcome_status": status,
                      "key_points": points, "impact_metrics": impact}
    return {"call_id": pid, "vcp_version": "0.3", "vcp_payload": doc}, sc.plain or not _fits(seed)


_NO_TRAIT: dict[str, Any] = {}  # a scenario without a catalog entry (one object, so it caches)
# what `_utc` writes: then a start time is written as the plan gives it
_CANONICAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z").fullmatch


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


def _fits(i: int) -> bool:
    """Whether orjson writes this integer (it refuses those beyond 64 bits)."""
    return -2 ** 63 <= i <= 2 ** 64 - 1


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _part(value: Any) -> tuple[Any, Any]:
    """(value, value encoded once): the second is embedded in many payloads
    as it is, the first is for the json module."""
    return value, orjson.Fragment(dumps(value)[:-1])


class _Scenario:
    """A scenario's parts of the payload, made once per build."""
    __slots__ = ("trait", "intent", "metric", "operator", "target", "crit_id", "capabilities", "contract",
                 "evidence", "plain")

    def __init__(self, scenario: str, trait: dict[str, Any], intent: str = "", handed: bool = False):
        self.trait = trait
        self.intent = trait.get("intent") or intent or scenario.replace("_", " ")
        self.metric = trait.get("metric") or "resolved"
        self.operator = trait.get("operator") or "eq"
        self.target = trait.get("value", True)
        self.crit_id = f"sc_{self.metric}"
        caps = list(trait.get("capabilities", []))
        if handed and "telephony.transfer" not in caps:  # the call is transferred to a colleague
            caps.append("telephony.transfer")
        self.capabilities = _part(caps)
        self.contract = _part({"declared_intent": self.intent, "success_criteria": [
            {"id": self.crit_id, "metric": self.metric, "operator": self.operator, "value": self.target}]})
        self.evidence = trait.get("evidence") or None
        self.plain = type(self.target) is int and not _fits(self.target)


_SCENARIOS: dict[tuple, _Scenario] = {}
_RECIPES: dict[tuple, Any] = {}


def _scenario_parts(scenario: str, trait: dict[str, Any], intent: str = "", handed: bool = False) -> _Scenario:
    """Cached by the catalog entry's identity (the header's dicts are never
    changed in place), the call's intent and hand-over; the entry is kept
    with it, so its id stays its own."""
    key = (id(trait), scenario, intent, handed)
    sc = _SCENARIOS.get(key)
    if sc is None or sc.trait is not trait:
        if len(_SCENARIOS) > 1024:
            _SCENARIOS.clear()
        sc = _SCENARIOS[key] = _Scenario(scenario, trait, intent, handed)
    return sc


def _recipe(h: Header, seed: Any, mode: str):
    key = (h.spec_hash, seed, mode)
    r = _RECIPES.get(key)
    if r is None:
        if len(_RECIPES) > 64:
            _RECIPES.clear()
        r = _RECIPES[key] = _part({"generator": "corpusc", "version": __version__, "spec_hash": h.spec_hash,
                                       "seed": seed, "mode": mode})
    return r


class VcpOptions(BaseModel):
    """`emit vcp { version "0.3" mode gtm|full jsonl pretty on|off
    artifacts_base "https://..." }`."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = "0.3"
    mode: Literal["gtm", "full"] = "gtm"
    jsonl: bool = False
    pretty: bool | None = None
    artifacts_base: str = ARTIFACTS_BASE

    @field_validator("artifacts_base")
    @classmethod
    def _base_url(cls, v: str) -> str:
        """Written into every payload: an absolute http(s) URL with a host and
        nothing after its path (no credentials, query or fragment); a trailing
        `/` is dropped so the URLs have one."""
        from urllib.parse import urlsplit
        example = 'e.g. artifacts_base "https://media.example.org/calls"'
        if not v or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in v):
            raise OptionError("`artifacts_base` must be a URL without spaces or control characters", help=example)
        try:
            parts = urlsplit(v)
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError as e:
            raise OptionError(f"`artifacts_base` is not a valid URL ({e})", help=example)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OptionError("`artifacts_base` must be an absolute http(s) URL with a host", help=example)
        if "@" in parts.netloc:
            raise OptionError("`artifacts_base` must not hold credentials: it is written into every payload",
                              help=example)
        if parts.query or parts.fragment or "?" in v or "#" in v:
            raise OptionError("`artifacts_base` must not have a query or a fragment: file names follow its path",
                              help=example)
        return v.rstrip("/")

    @field_validator("version")
    @classmethod
    def _supported(cls, v: str) -> str:
        if v != "0.3":
            raise OptionError(f"VCP version `{v}` is not supported", help='use version "0.3"')
        return v


class Vcp(Backend):
    name = "vcp"
    version = "3"  # 3: a sales call's sentiment from its plan
    Options = VcpOptions
    needs_text = False

    def render(self, call: Call, rendered, ctx: Context) -> list[Artifact]:
        opts = ctx.options.get("vcp", {})
        data = encode(call, ctx.header, opts.get("mode", "gtm"), opts.get("artifacts_base", ARTIFACTS_BASE))
        if opts.get("pretty"):
            data = dumps(json.loads(data), pretty=True)
        return [Artifact(f"vcp/{call.id}.json", data)]

    def finish(self, calls: Iterable[Call], ctx: Context) -> dict[str, Iterable[bytes]]:
        """`vcp.jsonl` with `jsonl`: every payload on one line, in plan order."""
        opts = ctx.options.get("vcp", {})
        if not opts.get("jsonl"):
            return {}
        mode = opts.get("mode", "gtm")
        base = opts.get("artifacts_base", ARTIFACTS_BASE)

        def lines() -> Iterator[bytes]:
            for c in calls:
                yield encode(c, ctx.header, mode, base)
        return {"vcp.jsonl": lines()}


def dumps(doc: dict[str, Any], pretty: bool = False) -> bytes:
    """One payload as UTF-8 JSON and a newline, compact unless `pretty`
    (indent 2). orjson writes the same bytes as the json module for these
    documents, four times faster; a value it refuses (an integer beyond 64
    bits) falls back to the json module."""
    try:
        return orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0))
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(doc, indent=2, ensure_ascii=False) if pretty else \
            json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        return (text + "\n").encode()
