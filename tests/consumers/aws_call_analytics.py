"""Amazon Transcribe Call Analytics post-call output, as the developer guide
("Call Analytics output") and the API reference (CallAnalyticsItem,
ChannelDefinition, CategoryProperties) document it: job header, channel
definitions, participants, content metadata, categories with points of
interest, conversation characteristics, and transcript segments with
word-level items."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["AGENT", "CUSTOMER"]
SentimentValue = Literal["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Item(Strict):
    BeginOffsetMillis: int = Field(ge=0)
    EndOffsetMillis: int = Field(ge=0)
    Content: str = Field(min_length=1)
    Confidence: float = Field(ge=0.0, le=1.0)
    Type: Literal["pronunciation", "punctuation"]
    VocabularyFilterMatch: bool | None = None


class CharacterOffsets(Strict):
    Begin: int = Field(ge=0)
    End: int = Field(ge=0)


class Detected(Strict):
    CharacterOffsets: CharacterOffsets


class Segment(Strict):
    Id: str
    ParticipantRole: Role
    BeginOffsetMillis: int = Field(ge=0)
    EndOffsetMillis: int = Field(ge=0)
    Content: str
    Items: list[Item]
    Sentiment: SentimentValue
    LoudnessScores: list[float | None]
    IssuesDetected: list[Detected] | None = None
    OutcomesDetected: list[Detected] | None = None
    ActionItemsDetected: list[Detected] | None = None


class ChannelDefinition(Strict):
    ChannelId: Literal[0, 1]
    ParticipantRole: Role


class Participant(Strict):
    ParticipantRole: Role


class ContentMetadata(Strict):
    Output: Literal["Raw", "Redacted"]
    RedactionTypes: list[str] | None = None


class Offsets(Strict):
    BeginOffsetMillis: int = Field(ge=0)
    EndOffsetMillis: int = Field(ge=0)


class MatchedDetail(Strict):
    PointsOfInterest: list[Offsets]


class Categories(Strict):
    MatchedCategories: list[str]
    MatchedDetails: dict[str, MatchedDetail]


class Interval(Strict):
    BeginOffsetMillis: int = Field(ge=0)
    DurationMillis: int = Field(ge=0)
    EndOffsetMillis: int = Field(ge=0)


class NonTalkTime(Strict):
    TotalTimeMillis: int = Field(ge=0)
    Instances: list[Interval]


class Interruptions(Strict):
    TotalCount: int = Field(ge=0)
    TotalTimeMillis: int = Field(ge=0)
    InterruptionsByInterrupter: dict[Role, list[Interval]]


class TotalTime(Strict):
    TotalTimeMillis: int = Field(ge=0)


class TalkTime(Strict):
    TotalTimeMillis: int = Field(ge=0)
    DetailsByParticipant: dict[Role, TotalTime]


class Speed(Strict):
    AverageWordsPerMinute: int = Field(ge=0)


class TalkSpeed(Strict):
    DetailsByParticipant: dict[Role, Speed]


class Period(Strict):
    BeginOffsetMillis: int = Field(ge=0)
    EndOffsetMillis: int = Field(ge=0)
    Score: float = Field(ge=-5.0, le=5.0)


class ByPeriod(Strict):
    QUARTER: dict[Role, list[Period]]


class Sentiment(Strict):
    OverallSentiment: dict[Role, float]
    SentimentByPeriod: ByPeriod


class ConversationCharacteristics(Strict):
    TotalConversationDurationMillis: int = Field(gt=0)
    NonTalkTime: NonTalkTime
    Interruptions: Interruptions
    TalkTime: TalkTime
    TalkSpeed: TalkSpeed
    Sentiment: Sentiment


class Output(Strict):
    JobName: str = Field(pattern=r"^[0-9a-zA-Z._-]+$", max_length=200)
    AccountId: str = Field(pattern=r"^[0-9]{12}$")
    JobStatus: Literal["COMPLETED"]
    LanguageCode: str
    Channel: Literal["VOICE"]
    ChannelDefinitions: list[ChannelDefinition] = Field(min_length=2, max_length=2)
    Participants: list[Participant] = Field(min_length=1)
    ContentMetadata: ContentMetadata
    Transcript: list[Segment]
    Categories: Categories
    ConversationCharacteristics: ConversationCharacteristics
