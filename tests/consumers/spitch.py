"""The Spitch speech-analytics dataset generator (seed 004) as its consumer
sees our files, written from its documentation (README "Schema and fields",
"Audio + JSON timelines", "Upload to SA"): the typed call record, the
dialogue `.txt` header its audio step reads, and the file name its uploader
reads the call's start from. Field names, types and value sets are facts of
that documentation; the code here is ours.

Two layers: `Call` holds what the format requires (names, types, ranges,
UUID, date, the weekday and time-bucket spellings, channel, pass/fail flags,
nullability). `DATASET_VALUES` lists the value sets of the generator's own
sample bank (its twelve agents, Swiss cantons, "Team A".."Team C"...): a spec
that wants them writes them; corpusc does not invent a mapping onto them."""

from __future__ import annotations

import re
import uuid
from datetime import date as Date
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, field_validator

PassFail = Literal["pass", "fail"]
Number = StrictInt | StrictFloat  # the README's floats: a JSON number; a bool is not one


class ComplianceFlags(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    Greeting: PassFail
    Empathy: PassFail
    Summary: PassFail
    Farewell: PassFail


class Call(BaseModel):
    """The call record (generator/schema.py's required fields and types)."""
    model_config = ConfigDict(extra="allow", strict=True)
    call_id: str
    date: str
    weekday: Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    time_of_day_bucket: Literal["Night", "Morning", "Afternoon", "Evening"]
    agent_name: str = Field(pattern=r"^[A-Za-z]+_[A-Za-z]+$")
    team: str
    agent_shift: str
    customer_segment: str
    channel: Literal["voice", "text"]
    language: str = Field(pattern=r"^[A-Za-z]{2}(-[A-Za-z]{2})?$")
    region: str
    device_type: str
    intent: str
    scenario: str
    AWT: Number = Field(ge=0)
    Hold_time: Number = Field(ge=0)
    Transfers_count: StrictInt = Field(ge=0, le=3)
    Silence_ratio: Number = Field(ge=0, le=100)
    Silence_total_seconds: Number = Field(ge=0)
    Interruptions_count: StrictInt = Field(ge=0)
    FCR: StrictBool
    repeat_call_within_72h: StrictBool
    escalation: str
    complaint_category: str
    NPS_score: StrictInt = Field(ge=0, le=10)
    sentiment_score: Number = Field(ge=-1, le=1)
    product: str | None = None
    amount_bucket: str | None = None
    self_service_potential: str
    automation_action_present: StrictBool
    automation_action_type: Literal["reset password", "check balance", "transfer status"] | None = None
    ANI: str = Field(pattern=r"^\+\d{6,15}$")  # E.164; the sample bank narrows it to +49 (DATASET_VALUES)
    compliance_flags: ComplianceFlags
    kb_article_used: StrictBool = False
    language_switch: StrictBool = False
    pii_disclosure_flag: StrictBool = False
    script_adherence: Number = Field(ge=0, le=100)

    @field_validator("call_id")
    @classmethod
    def _uuid(cls, v: str) -> str:
        if str(uuid.UUID(v)) != v:
            raise ValueError("not a canonical UUID")
        return v

    @field_validator("date")
    @classmethod
    def _date(cls, v: str) -> str:
        Date.fromisoformat(v)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            raise ValueError("not YYYY-MM-DD")
        return v


# the generator's sample bank (config/base.yml as its schema enumerates it)
DATASET_VALUES: dict[str, set[Any]] = {
    "agent_name": {"Monika_Mueller", "Lukas_Schmidt", "Anna_Ziegler", "Peter_Keller", "Jasmin_Caggiano",
                   "Heidi_Vogt", "Marco_Fischer", "Laura_Brunner", "Karin_Herzog", "Sven_Meier", "Nina_Weber",
                   "Paul_Huber"},
    "team": {"Team A", "Team B", "Team C"},
    "agent_shift": {"Early", "Mid", "Late"},
    "customer_segment": {"Premium", "Standard"},
    "region": {"ZH", "BE", "GE", "VD", "TI"},
    "device_type": {"iOS", "Android", "Desktop"},
    "escalation": {"None", "Supervisor", "Backoffice", "IT Ticket"},
    "complaint_category": {"WaitTime", "Rude", "WrongInfo", "TechnicalIssue", "Fees"},
    "amount_bucket": {"<100", "100–1000", "1000–5000", ">5000", None},
    "self_service_potential": {"Low", "Medium", "High"},
}
NULLABLE = ("product", "amount_bucket", "automation_action_type")
ANI_DE = re.compile(r"^\+49\d{9,12}$")

# ---- the dialogue text file, as the audio step reads it ----------------------------
MARK = "---- DIALOGUE ----"
AGENT, CUSTOMER = ("Agent:",), ("Customer:", "Kunde:")
TAG = re.compile(r"^\[(hold|silence)\s+(\d+(?:\.\d+)?)s\]$")
FILE_NAME = re.compile(r"^(?P<agent>[A-Za-z]+_[A-Za-z]+)_(?P<ts>\d{14})_(?P<ani>\d+)\.(?P<ext>txt|wav|wav\.json)$")


def scalar(text: str) -> Any:
    """A header value as the audio step types it: true/false, an integer, a
    number with `.`, else the string."""
    v = text.strip()
    if v.lower() in ("true", "false"):
        return v.lower() == "true"
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    if re.fullmatch(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", v):
        return float(v)
    return v


def parse_dialogue(text: str) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """(header, events): `key: value` lines before the mark, then `("C1"|"C2", text)`
    turns and `("hold"|"silence", seconds)` tags."""
    lines = text.splitlines()
    cut = lines.index(MARK)
    head: dict[str, Any] = {}
    for line in lines[:cut]:
        if line.strip() and ":" in line:
            k, v = line.split(":", 1)
            head[k.strip()] = scalar(v)
    events: list[tuple[str, Any]] = []
    for line in (x.strip() for x in lines[cut + 1:]):
        if not line:
            continue
        if m := TAG.match(line):
            events.append((m.group(1), float(m.group(2))))
        elif line.startswith(AGENT):
            events.append(("C1", line.split(":", 1)[1].strip()))
        elif line.startswith(CUSTOMER):
            events.append(("C2", line.split(":", 1)[1].strip()))
    return head, events


def record_of_header(head: dict[str, Any]) -> dict[str, Any]:
    """The flat header (Greeting... as keys of their own) back into the call
    record's shape; `None` is no value in the nullable fields and a word
    elsewhere (escalation `None`)."""
    flags = ("Greeting", "Empathy", "Summary", "Farewell")
    rec = {k: (None if v == "None" and k in NULLABLE else v) for k, v in head.items()
           if k not in flags and k != "generator_path"}
    rec["compliance_flags"] = {k: head[k] for k in flags if k in head}
    return rec


def start_from_file_name(name: str) -> datetime | None:
    """The uploader's `start_date`: the name's 14 digits, read as UTC."""
    m = FILE_NAME.match(name)
    return datetime.strptime(m.group("ts"), "%Y%m%d%H%M%S") if m else None
