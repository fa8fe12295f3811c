"""What VoiceLens accepts as a VCP 0.3 payload, written from the field names
and types its seeder declares (`VCPWrapperGTM` / `VCPWrapperFull` in
voicelens_seeder/normalizers/vcp.py of prompted365/voicelens-scripts; see
shared/design/PAYLOADS.md). Their models are pydantic v2 models with the
default configuration, so these are too: keys not declared are ignored, and a
value of another type is coerced where pydantic's lax mode coerces it (`"12"`
for an int). `validate(doc, strict=True)` turns coercion off: a payload corpusc
writes must pass that way too, relying on no coercion.

    Facts mirrored: which fields are required (no default) or optional (a
    default, None where they allow it); str/int/float/bool/list/dict types;
    the four status and three gap-class values; 0..1 bounds of scores,
    confidences and weights, gap_score >= 0; start/end/received/normalized
    times end in Z; the wrapper's call_id parses as a UUID and equals the
    call's. The full wrapper adds optional model_selection and hcr; the gtm
    wrapper ignores those keys."""

from __future__ import annotations

import json
import uuid
from enum import Enum
from typing import Any, Optional, Union

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

Unit = Field(ge=0.0, le=1.0)


class Status(str, Enum):
    success = "success"
    partial = "partial"
    filtered = "filtered"
    failed = "failed"


class GapClass(str, Enum):
    aligned = "aligned"
    mild_misalignment = "mild_misalignment"
    significant_gap = "significant_gap"


def _ends_in_z(v: str) -> str:
    if not v.endswith("Z"):
        raise ValueError("a UTC time ending in Z")
    return v


class Criterion(BaseModel):
    id: str
    metric: str
    operator: str
    value: Union[bool, str, float, int]


class Contract(BaseModel):
    declared_intent: str
    success_criteria: list[Criterion]


class Call(BaseModel):
    call_id: str
    session_id: str
    provider: str
    start_time: str
    end_time: str
    duration_sec: int
    capabilities_invoked: list[str] = []
    purpose_contract: Contract

    _times = field_validator("start_time", "end_time")(_ends_in_z)


class Sentiment(BaseModel):
    model: str
    score: float = Unit


class Perceived(BaseModel):
    by: str
    at: Optional[int] = None
    sentiment: Sentiment
    confidence: float = Unit


class Scored(BaseModel):
    id: str
    met: bool
    evidence_ref: str


class Metrics(BaseModel):
    aht_sec: int
    first_contact_resolution: bool
    interruptions: int = 0
    handoff_performed: bool = False
    first_response_sec: Optional[float] = None
    estimated_value_usd: Optional[float] = None


class Objective(BaseModel):
    status: Status
    scored_criteria: list[Scored]
    metrics: Metrics
    confidence: float = Unit


class Driver(BaseModel):
    type: str
    weight: float = Unit
    note: Optional[str] = None


class Gap(BaseModel):
    gap_score: float = Field(ge=0.0)
    gap_class: GapClass
    drivers: list[Driver] = []


class Outcomes(BaseModel):
    perceived: list[Perceived]
    objective: Objective
    perception_gap: Gap


class Artifacts(BaseModel):
    recording_url: Optional[str] = None
    transcript_url: Optional[str] = None
    provider_raw_payload_ref: Optional[str] = None


class Custom(BaseModel):
    provider_specific: dict[str, Any] = {}
    outcome_hint: Optional[str] = None
    synthetic: Optional[bool] = None
    synthetic_recipe: Optional[str] = None


class Audit(BaseModel):
    received_at: str
    normalized_at: str
    schema_version: str = "0.3"

    _times = field_validator("received_at", "normalized_at")(_ends_in_z)


class Choice(BaseModel):
    chosen: str
    alternatives: list[str] = []
    reason: list[str] = []


class Roles(BaseModel):
    V2V: Optional[Choice] = None
    LLM: Optional[Choice] = None
    STT: Optional[Choice] = None
    TTS: Optional[Choice] = None


class Selection(BaseModel):
    policy_id: str
    resolved_at: str
    roles: Roles


class Impact(BaseModel):
    aht_sec: int
    first_contact_resolution: bool
    estimated_value_usd: Optional[float] = None


class Report(BaseModel):
    audience: str
    headline: str
    outcome_status: Status
    key_points: list[str] = []
    impact_metrics: Optional[Impact] = None


class PayloadGtm(BaseModel):
    call: Call
    outcomes: Outcomes
    artifacts: Artifacts
    custom: Custom
    audit: Audit


class PayloadFull(PayloadGtm):
    model_selection: Optional[Selection] = None
    hcr: Optional[Report] = None


class _Wrapper(BaseModel):
    call_id: str
    vcp_version: str = "0.3"

    @field_validator("call_id")
    @classmethod
    def _uuid(cls, v: str) -> str:
        uuid.UUID(v)  # a ValueError is a validation error
        return v

    @model_validator(mode="after")
    def _same_call(self):
        if self.call_id != self.vcp_payload.call.call_id:
            raise ValueError("call_id differs from vcp_payload.call.call_id")
        return self


class WrapperGtm(_Wrapper):
    vcp_payload: PayloadGtm


class WrapperFull(_Wrapper):
    vcp_payload: PayloadFull


def validate(doc: Any, mode: str = "full", strict: bool = False) -> list[str]:
    """The reasons VoiceLens's model of `mode` rejects the payload (none: it
    accepts it), as `loc: message`; checked from the JSON text, as a receiver
    reads it."""
    model = WrapperFull if mode == "full" else WrapperGtm
    text = doc if isinstance(doc, (str, bytes)) else json.dumps(doc)
    try:
        model.model_validate_json(text, strict=strict)
    except ValidationError as e:
        return [f"{'.'.join(str(x) for x in err['loc']) or '(top level)'}: {err['msg']}" for err in e.errors()]
    return []
