"""Gong API v2, as its public reference documents the two responses:
`POST /v2/calls/transcript` (monologues of timed sentences per speakerId) and
`POST /v2/calls/extensive` with `contentSelector.exposedFields.parties`
(each party: id, name, emailAddress, title, userId, speakerId, affiliation
Internal|External|Unknown, phoneNumber, methods)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Records(Strict):
    totalRecords: int
    currentPageSize: int
    currentPageNumber: int
    cursor: str | None = None


class Sentence(Strict):
    start: int = Field(ge=0)  # milliseconds from the call start
    end: int = Field(ge=0)
    text: str


class Monologue(Strict):
    speakerId: str
    topic: str | None
    sentences: list[Sentence]


class CallTranscript(Strict):
    callId: str
    transcript: list[Monologue]


class TranscriptResponse(Strict):
    requestId: str
    records: Records
    callTranscripts: list[CallTranscript]


class Party(Strict):
    id: str
    name: str | None = None
    emailAddress: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[a-z]+$")
    title: str | None = None
    userId: str | None = None
    speakerId: str | None = None
    affiliation: Literal["Internal", "External", "Unknown"]
    phoneNumber: str | None = None
    methods: list[Literal["Invitee", "Attendee"]] = []


class MetaData(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    id: str
    started: str
    duration: int
    direction: Literal["Inbound", "Outbound", "Conference", "Unknown"] | None = None
    scope: Literal["Internal", "External", "Unknown"] | None = None
    media: Literal["Video", "Audio"] | None = None
    language: str | None = None


class ExtensiveCall(Strict):
    metaData: MetaData
    parties: list[Party]


class ExtensiveResponse(Strict):
    requestId: str
    records: Records
    calls: list[ExtensiveCall]
