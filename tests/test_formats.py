"""Transcript formats: each written from one hand-made rendered call, snapshotted,
and read back with the parsers downstream pipelines use (webvtt-py, srt,
jsonschema) so timings and words round-trip."""

from __future__ import annotations

import html
import json
import re
import uuid
from datetime import timedelta

import jsonschema
import pytest

from corpusc.render.model import Evidence, RenderedCall, Turn
from corpusc.backends.transcripts import formats as F
from corpusc.plan.model import Beat, Call, Participant

from .conftest import ROOT

CALL_ID = "acme.discovery"


def _call() -> Call:
    parts = [
        Participant(id="dana", name="Dana Whitfield", side="seller", role="Account Executive", gender="female"),
        Participant(id="zoe", name="Zoë Ågren", side="buyer", role="VP Operations", persona="skeptical_buyer",
                    decision_maker=True, gender="female"),
        Participant(id="marco", name="Marco Ruiz", side="buyer", role="Compliance Lead", persona="champion",
                    gender="male"),
    ]
    beats = [Beat(kind="opening", turn=0, speaker="dana"), Beat(kind="pain", turn=1, speaker="zoe", key="compliance"),
             Beat(kind="buying_signal", turn=3, speaker="marco", text="exactly what happened"),
             Beat(kind="objection_raised", turn=4, speaker="zoe", key="budget", arc="acme.arc1.budget"),
             Beat(kind="next_steps", turn=5, speaker="dana"), Beat(kind="close", turn=5, speaker="dana")]
    return Call(id=CALL_ID, kind="sales", index=0, account="acme", thread_index=0, date="2026-01-05",
                time="10:00:00", start="2026-01-05T10:00:00-05:00", start_utc="2026-01-05T15:00:00.000Z",
                weekday="mon", timezone="America/New_York", locale="en-US", stage="discovery", length="short",
                target_turns=6, target_duration_sec=32.0, paralinguistics=True, participants=parts,
                speakers=[0, 1, 0, 2, 1, 0], beats=beats)


TURNS = [
    # speaker, text, cues, start, end, beats, sentiment
    ("dana", "Thanks for joining, Zoë. Let's start with how call reviews work today.", [], 0.0, 4.2,
     ["opening"], "POSITIVE"),
    ("zoe", "Honestly, it's manual. We sample 5% of calls & hope for the best.", [], 4.6, 9.8,
     ["pain"], "NEGATIVE"),
    ("dana", "So fewer than 1 in 20 calls get reviewed? What would <5% coverage cost you if an issue slipped through?",
     [], 10.1, 16.3, [], "NEUTRAL"),
    ("marco", "Wait, that's exactly what happened last quarter!", ["enthusiastic", "INTERRUPTS"], 15.6, 19.0,
     ["buying_signal"], "POSITIVE"),
    ("zoe", "That could work. But the price has to fit this year's budget.", ["2.1s pause", "hesitant"], 22.4, 27.9,
     ["objection_raised"], "MIXED"),
    ("dana", "Understood. I'll send a proposal by Friday — with two options.", [], 28.3, 31.75,
     ["next_steps", "close"], "POSITIVE"),
]


def _evidence(turns: list[Turn], turn: int, quote: str, kind: str, key: str | None = None) -> Evidence:
    start = turns[turn].text.index(quote)
    return Evidence(kind=kind, key=key, turn=turn, start=start, end=start + len(quote))


def _rendered(call: Call) -> RenderedCall:
    names = {p.id: p for p in call.participants}
    turns = [Turn(index=i, speaker=s, name=names[s].name, side=names[s].side, role=names[s].role, text=text,
                  cues=cues, start=a, end=b, beats=beats, sentiment=sent,
                  moment=f"{CALL_ID}.m1" if i == 4 else None)
             for i, (s, text, cues, a, b, beats, sent) in enumerate(TURNS)]
    evidence = [
        _evidence(turns, 1, "We sample 5% of calls & hope for the best", "pain", "compliance"),
        _evidence(turns, 3, "that's exactly what happened last quarter", "buying_signal"),
        _evidence(turns, 4, "the price has to fit this year's budget", "objection_raised", "budget"),
        _evidence(turns, 4, turns[4].text, "moment", f"{CALL_ID}.m1"),
        _evidence(turns, 2, "<5% coverage", "topic"),
    ]
    return RenderedCall(call_id=CALL_ID, locale="en-US", turns=turns, evidence=evidence, duration=32.0)


@pytest.fixture(scope="module")
def call() -> Call:
    return _call()


@pytest.fixture(scope="module")
def rc(call) -> RenderedCall:
    return _rendered(call)


def _ms(td: timedelta) -> int:
    return td // timedelta(milliseconds=1)


def _vtt_ms(stamp: str) -> int:
    h, m, rest = stamp.split(":")
    s, ms = rest.split(".")
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)


# ---- every format ------------------------------------------------------------------

TEXT_FORMATS = ["txt", "vtt", "zoom_vtt", "srt", "dialogue"]
JSON_FORMATS = ["json", "gong", "aws_call_analytics"]


def test_registry():
    assert set(F.FORMATS) == set(TEXT_FORMATS + JSON_FORMATS)
    assert {name: ext for name, (ext, _) in F.FORMATS.items()} == {
        "txt": ".txt", "json": ".json", "vtt": ".vtt", "zoom_vtt": ".zoom.vtt", "srt": ".srt",
        "gong": ".gong.json", "aws_call_analytics": ".aws.json", "dialogue": ".dialogue.txt"}


@pytest.mark.parametrize("name", TEXT_FORMATS)
def test_text_snapshot(name, call, rc, text_snapshot):
    assert F.FORMATS[name][1](call, rc) == text_snapshot


@pytest.mark.parametrize("name", JSON_FORMATS)
def test_json_snapshot(name, call, rc, json_snapshot):
    out = F.FORMATS[name][1](call, rc)
    json.loads(out)
    assert out == json_snapshot


@pytest.mark.parametrize("name", sorted(F.FORMATS))
def test_deterministic_utf8_newline(name, call, rc):
    fn = F.FORMATS[name][1]
    out = fn(call, rc)
    assert out == fn(_call(), _rendered(_call()))
    assert out.endswith("\n") and not out.endswith("\n\n")
    out.encode("utf-8")
    if name not in ("gong", "aws_call_analytics", "dialogue"):  # these carry no names (dialogue: roles)
        assert "Zoë Ågren" in out  # not \u-escaped


# ---- txt -----------------------------------------------------------------------------

def test_txt_lines(call, rc):
    lines = F.txt(call, rc).split("\n")
    assert lines[0] == "# acme.discovery · 2026-01-05 10:00 America/New_York · discovery"
    assert lines[1].startswith("# Dana Whitfield (Account Executive)")
    assert lines[2] == ""
    assert lines[7] == "Zoë Ågren: [2.1s pause] [hesitant] That could work. But the price has to fit this year's budget."
    assert lines[6].startswith("Marco Ruiz: [enthusiastic] [INTERRUPTS] Wait,")
    assert len(lines) == 3 + len(rc.turns) + 1 and lines[-1] == ""


def test_txt_offsets_cite_exact_characters(call, rc):
    text = F.txt(call, rc)
    offsets = F.txt_offsets(call, rc)
    assert len(offsets) == len(rc.turns)
    for t, off in zip(rc.turns, offsets):
        assert text[off:off + len(t.text)] == t.text
        assert text[off + len(t.text)] == "\n"
    assert rc.evidence
    for ev in rc.evidence:
        turn = rc.turns[ev.turn]
        off = offsets[ev.turn]
        assert text[off + ev.start:off + ev.end] == turn.text[ev.start:ev.end]


def test_txt_offsets_survive_line_breaks_in_text(call, rc):
    turns = list(rc.turns)
    turns[1] = turns[1].model_copy(update={"text": "Honestly,\nit's manual.\r\nWe sample 5% of calls."})
    odd = rc.model_copy(update={"turns": turns})
    text, offsets = F.txt(call, odd), F.txt_offsets(call, odd)
    assert text.count("\n") == 3 + len(turns)  # still one line per turn
    quote = "We sample 5%"
    s = turns[1].text.index(quote)
    assert text[offsets[1] + s:offsets[1] + s + len(quote)] == quote
    assert text[offsets[2]:offsets[2] + len(turns[2].text)] == turns[2].text


# ---- json ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def transcript_schema():
    schema = json.loads((ROOT / "specs" / "transcript.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_json_validates_and_round_trips(call, rc, transcript_schema):
    doc = json.loads(F.json_transcript(call, rc))
    jsonschema.Draft202012Validator(transcript_schema).validate(doc)
    assert doc["call_id"] == CALL_ID and doc["locale"] == "en-US" and doc["duration"] == 32.0
    assert [p["id"] for p in doc["participants"]] == ["dana", "zoe", "marco"]
    assert doc["participants"][1] == {"id": "zoe", "name": "Zoë Ågren", "side": "buyer", "role": "VP Operations",
                                      "persona": "skeptical_buyer"}
    for t, d in zip(rc.turns, doc["turns"]):
        assert d == {"index": t.index, "speaker": t.speaker, "name": t.name, "role": t.side, "start": t.start,
                     "end": t.end, "text": t.text, "annotations": t.cues}


def test_json_schema_rejects_bad_documents(call, rc, transcript_schema):
    v = jsonschema.Draft202012Validator(transcript_schema)
    doc = json.loads(F.json_transcript(call, rc))
    bad_role = json.loads(json.dumps(doc))
    bad_role["turns"][0]["role"] = "AGENT"
    missing = json.loads(json.dumps(doc))
    del missing["turns"][0]["annotations"]
    extra = json.loads(json.dumps(doc))
    extra["surprise"] = 1
    for bad in (bad_role, missing, extra):
        assert not v.is_valid(bad)


# ---- WebVTT / SRT ----------------------------------------------------------------------

def test_vtt_round_trips_with_webvtt_py(call, rc):
    """Teams cues: `<call-uuid>/<turn>-<part>`, a voice tag on each, two lines
    of at most 42 characters; a turn's cues tile its time and hold its words."""
    webvtt = pytest.importorskip("webvtt")
    out = F.vtt(call, rc)
    assert out.startswith("WEBVTT\n\n")
    assert "&amp;" in out and "&lt;5%" in out and "<v Zoë Ågren>" in out
    caps = list(webvtt.from_string(out))
    cid = str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "https://corpusc.dev/transcripts/call"), CALL_ID))
    assert F.call_uuid(CALL_ID) == cid
    assert [c.identifier for c in caps] == [f"{cid}/{n}" for n in ("1-0", "2-0", "3-0", "3-1", "4-0", "5-0", "6-0")]
    by_turn: dict[int, list] = {}
    for cap in caps:
        by_turn.setdefault(int(cap.identifier.split("/")[1].split("-")[0]) - 1, []).append(cap)
    for i, t in enumerate(rc.turns):
        group = by_turn[i]
        assert {c.voice for c in group} == {t.name}
        assert _vtt_ms(group[0].start) == round(t.start * 1000) and _vtt_ms(group[-1].end) == round(t.end * 1000)
        assert all(_vtt_ms(a.end) == _vtt_ms(b.start) for a, b in zip(group, group[1:]))
        lines = [x for c in group for x in html.unescape(c.text).split("\n")]
        assert all(len(x) <= 42 for x in lines) and all(len(c.text.split("\n")) <= 2 for c in group)
        assert " ".join(lines) == t.text
    # the question and the follow-up split at the sentence end, with the time shared by characters
    q = "So fewer than 1 in 20 calls get reviewed?"
    assert html.unescape(caps[2].text) == q
    assert _vtt_ms(caps[2].end) == 10100 + round(6200 * (len(q) + 1) / len(rc.turns[2].text))


def test_long_turns_split_into_short_cues(call, rc):
    long = " ".join(["We reviewed the numbers with finance and legal last week."] * 8)
    turns = list(rc.turns)
    turns[0] = turns[0].model_copy(update={"text": long, "start": 0.0, "end": 40.0})
    odd = rc.model_copy(update={"turns": turns})
    cues = F.caption_cues(odd.turns[0])
    assert len(cues) >= 8 and cues[0][0] == 0 and cues[-1][1] == 40000
    assert all(b - a <= F.CUE_MAX_MS + 1 for a, b, _ in cues)
    assert all(len(lines) <= 2 and all(len(x) <= 42 for x in lines) for _, _, lines in cues)
    assert " ".join(" ".join(lines) for _, _, lines in cues) == long


def test_zoom_vtt_round_trips_with_webvtt_py(call, rc):
    webvtt = pytest.importorskip("webvtt")
    out = F.zoom_vtt(call, rc)
    assert out.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nDana Whitfield: Thanks for joining, Zoë.\n")
    assert "<v " not in out
    caps = list(webvtt.from_string(out))
    assert [c.identifier for c in caps] == [str(n) for n in range(1, len(caps) + 1)]
    i = 0
    for t in rc.turns:
        prefix = f"{t.name}: "
        group = []
        while i < len(caps) and html.unescape(caps[i].text).startswith(prefix.strip()) and (
                not group or caps[i].start == group[-1].end):
            group.append(caps[i])
            i += 1
        assert _vtt_ms(group[0].start) == round(t.start * 1000) and _vtt_ms(group[-1].end) == round(t.end * 1000)
        assert all(c.voice is None and len(c.text.split("\n")) <= 2 for c in group)
        assert all(len(x) <= 42 for c in group for x in html.unescape(c.text).split("\n"))
        assert " ".join(html.unescape(" ".join(c.text.split("\n")))[len(prefix):] for c in group) == t.text
    assert i == len(caps)


def test_srt_round_trips_with_srt(call, rc):
    srt = pytest.importorskip("srt")
    out = F.srt(call, rc)
    assert "00:00:15,600 --> 00:00:19,000" in out
    subs = list(srt.parse(out))
    assert [s.index for s in subs] == list(range(1, len(rc.turns) + 1))
    for s, t in zip(subs, rc.turns):
        assert (_ms(s.start), _ms(s.end)) == (round(t.start * 1000), round(t.end * 1000))
        assert s.content == f"{t.name}: {t.text}"


def test_cue_payloads_have_no_blank_line(call, rc):
    turns = list(rc.turns)
    turns[0] = turns[0].model_copy(update={"text": "Thanks for joining.\n\nLet's start."})
    odd = rc.model_copy(update={"turns": turns})
    assert "Dana Whitfield: Thanks for joining. Let's start." in F.srt(call, odd)
    assert "<v Dana Whitfield>Thanks for joining. Let's start.</v>" in F.vtt(call, odd)
    assert "Dana Whitfield: Thanks for joining. Let's\nstart." in F.zoom_vtt(call, odd)


def test_long_calls_have_hours():
    assert F._clock(3_725_004, ".") == "01:02:05.004"
    assert F._clock(0, ",") == "00:00:00,000"


# ---- Gong --------------------------------------------------------------------------------

def test_gong_shape_ids_and_sentences(call, rc):
    doc = json.loads(F.gong(call, rc))
    assert doc["records"] == {"totalRecords": 1, "currentPageSize": 1, "currentPageNumber": 0}
    assert re.fullmatch(r"[0-9a-z]{19}", doc["requestId"])
    [ct] = doc["callTranscripts"]
    assert re.fullmatch(r"[1-9][0-9]{18}", ct["callId"]) and ct["callId"] == F.gong_call_id(CALL_ID)
    mono = ct["transcript"]
    ids = {p.id: F.gong_speaker_id(CALL_ID, p.id) for p in call.participants}
    assert len(set(ids.values())) == 3 and all(re.fullmatch(r"[0-9]{19}", i) for i in ids.values())
    assert [m["speakerId"] for m in mono] == [ids[t.speaker] for t in rc.turns]
    assert [m["topic"] for m in mono] == ["Call Setup", "Pain Points", "Pain Points", "Value", "Objections",
                                          "Next Steps"]
    for m, t in zip(mono, rc.turns):
        sents = m["sentences"]
        assert " ".join(s["text"] for s in sents) == t.text
        assert sents[0]["start"] == round(t.start * 1000) and sents[-1]["end"] == round(t.end * 1000)
        assert all(isinstance(s["start"], int) and s["start"] <= s["end"] for s in sents)
        assert all(a["end"] == b["start"] for a, b in zip(sents, sents[1:]))
    assert [s["text"] for s in mono[4]["sentences"]] == ["That could work.", "But the price has to fit this year's budget."]


def test_gong_merges_a_speakers_consecutive_turns(call, rc):
    turns = list(rc.turns)
    turns[2] = turns[2].model_copy(update={"speaker": "zoe", "name": "Zoë Ågren", "side": "buyer"})
    doc = json.loads(F.gong(call, rc.model_copy(update={"turns": turns})))
    mono = doc["callTranscripts"][0]["transcript"]
    assert len(mono) == 5
    assert len(mono[1]["sentences"]) == 4 and mono[1]["topic"] == "Pain Points"


def test_gong_topic_is_null_before_the_first_beat(call, rc):
    turns = [t.model_copy(update={"beats": []}) for t in rc.turns]
    doc = json.loads(F.gong(call, rc.model_copy(update={"turns": turns})))
    assert {m["topic"] for m in doc["callTranscripts"][0]["transcript"]} == {None}


# ---- Amazon Transcribe Call Analytics ----------------------------------------------------

def test_aws_call_analytics(call, rc):
    doc = json.loads(F.aws_call_analytics(call, rc))
    assert doc["JobStatus"] == "COMPLETED" and doc["LanguageCode"] == "en-US"
    tr = doc["Transcript"]
    assert [x["ParticipantRole"] for x in tr] == ["AGENT", "CUSTOMER", "AGENT", "CUSTOMER", "CUSTOMER", "AGENT"]
    assert [x["Sentiment"] for x in tr] == [t.sentiment for t in rc.turns]
    assert len({x["Id"] for x in tr}) == len(tr)
    for x, t in zip(tr, rc.turns):
        assert str(uuid.UUID(x["Id"])) == x["Id"]
        assert (x["BeginOffsetMillis"], x["EndOffsetMillis"]) == (round(t.start * 1000), round(t.end * 1000))
        assert x["Content"] == t.text
        words = [i for i in x["Items"] if i["Type"] == "pronunciation"]
        assert " ".join(i["Content"] for i in words) == re.sub(r"[.,!?—]", "", t.text).replace("  ", " ").strip()
        assert words[0]["BeginOffsetMillis"] == x["BeginOffsetMillis"] and words[-1]["EndOffsetMillis"] == x["EndOffsetMillis"]
        assert all(i["Confidence"] == 1.0 for i in words)
        assert all(i["Confidence"] == 0.0 and i["BeginOffsetMillis"] == i["EndOffsetMillis"]
                   for i in x["Items"] if i["Type"] == "punctuation")
        assert len(x["LoudnessScores"]) == -(-(x["EndOffsetMillis"] - x["BeginOffsetMillis"]) // 1000)
    assert doc["AccountId"] == "111122223333" and doc["ContentMetadata"] == {"Output": "Raw"}
    assert doc["ChannelDefinitions"] == [{"ChannelId": 0, "ParticipantRole": "AGENT"},
                                         {"ChannelId": 1, "ParticipantRole": "CUSTOMER"}]
    assert doc["Participants"] == [{"ParticipantRole": "AGENT"}, {"ParticipantRole": "CUSTOMER"}]
    assert doc["Categories"] == {
        "MatchedCategories": ["buying_signal", "next_steps", "objection_budget"],
        "MatchedDetails": {"buying_signal": {"PointsOfInterest": [{"BeginOffsetMillis": 15600, "EndOffsetMillis": 19000}]},
                           "next_steps": {"PointsOfInterest": [{"BeginOffsetMillis": 28300, "EndOffsetMillis": 31750}]},
                           "objection_budget": {"PointsOfInterest": [
                               {"BeginOffsetMillis": 22400, "EndOffsetMillis": 27900}]}}}
    issue = tr[1]["IssuesDetected"][0]["CharacterOffsets"]
    assert tr[1]["Content"][issue["Begin"]:issue["End"]] == "We sample 5% of calls & hope for the best"
    assert "IssuesDetected" not in tr[0]  # issues are the customer's
    cc = doc["ConversationCharacteristics"]
    assert cc["TotalConversationDurationMillis"] == 32000
    assert cc["Interruptions"] == {
        "TotalCount": 1, "TotalTimeMillis": 700,
        "InterruptionsByInterrupter": {"CUSTOMER": [
            {"BeginOffsetMillis": 15600, "DurationMillis": 700, "EndOffsetMillis": 16300}]}}
    assert cc["NonTalkTime"] == {"TotalTimeMillis": 3400, "Instances": [
        {"BeginOffsetMillis": 19000, "DurationMillis": 3400, "EndOffsetMillis": 22400}]}
    agent = 4200 + 6200 + 3450
    customer = 5200 + 3400 + 5500
    assert cc["TalkTime"] == {"TotalTimeMillis": agent + customer, "DetailsByParticipant": {
        "AGENT": {"TotalTimeMillis": agent}, "CUSTOMER": {"TotalTimeMillis": customer}}}
    words = {r: sum(len(t.text.split()) for t in rc.turns if (t.side == "seller") == (r == "AGENT"))
             for r in ("AGENT", "CUSTOMER")}
    assert cc["TalkSpeed"]["DetailsByParticipant"] == {
        "AGENT": {"AverageWordsPerMinute": round(words["AGENT"] * 60000 / agent)},
        "CUSTOMER": {"AverageWordsPerMinute": round(words["CUSTOMER"] * 60000 / customer)}}
    sent = cc["Sentiment"]
    assert all(-5 <= v <= 5 for v in sent["OverallSentiment"].values())
    assert sent["OverallSentiment"]["AGENT"] > 0 and sent["OverallSentiment"]["CUSTOMER"] < 0
    for role in ("AGENT", "CUSTOMER"):
        q = sent["SentimentByPeriod"]["QUARTER"][role]
        assert len(q) == 4 and q[0]["BeginOffsetMillis"] == 0
        assert all(a["EndOffsetMillis"] == b["BeginOffsetMillis"] for a, b in zip(q, q[1:]))
        assert all(-5 <= p["Score"] <= 5 for p in q)


def test_gong_parties_resolve_every_speaker(call, rc):
    doc = json.loads(F.gong_parties(call, rc))
    [c] = doc["calls"]
    assert c["metaData"]["id"] == F.gong_call_id(CALL_ID) and c["metaData"]["started"] == call.start
    assert c["metaData"]["duration"] == 32 and c["metaData"]["language"] == "eng"
    parties = {p["speakerId"]: p for p in c["parties"]}
    mono = json.loads(F.gong(call, rc))["callTranscripts"][0]["transcript"]
    assert {m["speakerId"] for m in mono} == set(parties)
    assert [(p["name"], p["emailAddress"], p["affiliation"]) for p in c["parties"]] == [
        ("Dana Whitfield", "dana.whitfield@example.com", "Internal"),
        ("Zoë Ågren", "zoe.agren@acme.example.org", "External"),
        ("Marco Ruiz", "marco.ruiz@acme.example.org", "External")]
    assert "userId" in c["parties"][0] and "userId" not in c["parties"][1]


def test_gong_parties_snapshot(call, rc, json_snapshot):
    assert F.gong_parties(call, rc) == json_snapshot


def test_aws_ids_are_stable_per_call(call, rc):
    a = json.loads(F.aws_call_analytics(call, rc))["Transcript"][0]["Id"]
    other = rc.model_copy(update={"call_id": "acme.review"})
    b = json.loads(F.aws_call_analytics(call, other))["Transcript"][0]["Id"]
    assert a != b and a == json.loads(F.aws_call_analytics(call, rc))["Transcript"][0]["Id"]
