"""Ground truth per call, written from the plan (right by construction) and
located in the rendered text: every signal carries its turn and the exact
character offsets of its evidence in `transcripts/<call_id>.txt`."""

from __future__ import annotations

import re
from typing import Any

from corpusc.plan.model import Call, Header

from pydantic import BaseModel, ConfigDict

from corpusc.backends import jsonout
from corpusc.backends.base import Artifact, Backend, Context
from corpusc.render.cues import SILENCE_DETECTED_SEC
from corpusc.render.model import RenderedCall

# The template renderer's trait words and the txt layout are imported where a
# call is written, not here: `check` imports this module for its options
# model only, and should not load the renderer's tables for that.

SCHEMA_VERSION = 2
SURFACE = {"objection_raised": "objection", "objection_reopened": "objection", "competitor_mention": "competitor_mention",
           "buying_signal": "buying_intent"}
SAME_AS_BEAT = {"competitor": "competitor_mention"}  # a signal category a beat's own item already labels
RAISING = ("objection_raised", "objection_reopened")  # the steps whose words are the objection's own item
KEEPS_OPEN = ("objection_stalled",)  # a step whose speaker's pushback in the turn is that arc's


class GroundTruthOptions(BaseModel):
    """`emit ground_truth { pretty on|off }`: indented JSON (the default) or one line."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    pretty: bool = True


class GroundTruth(Backend):
    name = "ground_truth"
    version = "1"
    Options = GroundTruthOptions

    def render(self, call: Call, rendered: RenderedCall, ctx: Context) -> list[Artifact]:
        doc = ground_truth(call, rendered, ctx.header)
        pretty = ctx.options.get("ground_truth", {}).get("pretty", True)
        return [Artifact(f"ground_truth/{call.id}.json", jsonout.dumps(doc, pretty))]


# The closed vocabularies of the labels written below (docs/ground_truth.md
# explains each; tests/test_ground_truth_doc.py fails on one it does not).
PAUSE_KINDS = ("pause", "silence", "hold", "wait")  # `wait`: a chat's reply latency, never speech
# a listener's turn said over a speaker who goes on; one the speaker breaks off at; a cut-in; any other overlap
OVERLAP_KINDS = ("backchannel", "interjection", "cut_in", "overlap")
INTERRUPTION_KINDS = ("cut_in", "interjection")
# what a divergence means, by the polarity of its words and the side of its speaker
INTERPRETATIONS = {("positive", "buyer"): "hidden concern", ("positive", "seller"): "hidden doubt in the rep's own claim",
                   ("negative", "buyer"): "concern voiced but not felt", ("negative", "seller"): "a limitation played down"}
PAUSE = re.compile(r"^(?:(?P<a>\d+(?:\.\d+)?)s pause|(?P<kind>silence|hold) (?P<b>\d+(?:\.\d+)?)s)$")
LONG_PAUSE = SILENCE_DETECTED_SEC  # seconds: a pause this long is a long pause, the silence the metadata counts
STEP_WORDS = {"raised": "raised", "reopened": "reopened", "resolved": "accepted the answer on",
              "stalled": "kept open", "addressed": "heard the answer on", "unaddressed": "was put off on"}


def ground_truth(call: Call, rc: RenderedCall, h: Header) -> dict[str, Any]:
    from corpusc.render.text import shift, txt_layout
    from corpusc.render.template.signals import beat_categories
    from corpusc.render.template.traits import MIN_SHOWN
    offsets = txt_layout(call, rc)[1]
    account = h.account(call.account)
    turns = rc.turns
    arcs = {a.id: a for a in (account.arcs if account else [])}

    def loc(ev) -> dict[str, Any]:
        base, t = offsets[ev.turn], turns[ev.turn]
        return {"turn": ev.turn, "speaker": t.speaker, "start": base + shift(t, ev.start),
                "end": base + shift(t, ev.end, end=True), "quote": t.text[ev.start:ev.end]}

    def cue_at(t) -> int | None:
        """The txt offset of the first word a turn's moment or colour cues annotate:
        where the turn's text begins, or just after a mid-turn cue."""
        at = [a for c, a in t.placed() if not c.startswith(("hold ", "silence "))]
        return offsets[t.index] + shift(t, at[0]) if at else None

    by_kind = {(e.kind, e.key, e.turn): e for e in rc.evidence}
    sentences: dict[tuple[int, str], list] = {}  # (turn, category) -> the signal sentences
    for e in rc.evidence:
        if e.kind == "signal":
            sentences.setdefault((e.turn, e.key), []).append(e)
    surface = []
    planned_spans: dict[int, list[tuple[int, int]]] = {}
    # the words of each planned objection step: resistance said there is that arc's (or its raised item)
    arc_spans: dict[int, list[tuple[int, int, Any]]] = {}
    for b in call.beats:
        ev = by_kind.get((b.kind, b.key, b.turn))
        if ev is not None:
            planned_spans.setdefault(ev.turn, []).append((ev.start, ev.end))
            if b.kind.startswith("objection_"):
                arc_spans.setdefault(ev.turn, []).append((ev.start, ev.end, b))
        kind = SURFACE.get(b.kind)
        if kind is None or ev is None:
            continue
        # the item is the sentence(s) of the beat's words that carry its signal, not the whole of them
        # (an objection's lead-in "Can we set aside ...? Let's cover the rest first." is one sentence)
        # (an objection's topic first: "I'd push back on one thing. The price is steep." is the price's)
        cats = beat_categories(b.kind, b.key)
        cats = (cats - {"objection"}) or cats
        inside = [x for cat in sorted(cats) for x in sentences.get((b.turn, cat), ())
                  if ev.start <= x.start and x.end <= ev.end]
        if inside:
            first = min(inside, key=lambda x: x.start)
            ev = first
        item = {"type": kind, "key": b.key, **loc(ev), "planned": True, "beat": b.kind}
        if b.arc:
            item["arc"] = b.arc
        surface.append(item)
    beat_items = {(s["type"], s["turn"], s["start"], s["end"]) for s in surface}
    for e in rc.evidence:
        if e.kind != "signal":
            continue
        where = loc(e)
        if (SAME_AS_BEAT.get(e.key, e.key), e.turn, where["start"], where["end"]) in beat_items:
            continue  # a buying signal's sentence is already its buying_intent item, a mention its competitor_mention
        planned = any(s < e.end and e.start < t for s, t in planned_spans.get(e.turn, ()))
        item = {"type": e.key, "key": None, **where, "planned": planned}
        if e.key == "objection":
            # pushback in a turn where its speaker takes a planned objection step is that arc's: the lead-in
            # of a raised or reopened objection ("Can I be straight with you?") and the rest of the turn's doubt
            # carry its key and arc, each sentence its own item as every signal's (the raise's own sentence is
            # its beat's item), and so does the pushback of a turn that keeps the arc open
            steps_here = [b for _, _, b in arc_spans.get(e.turn, ()) if b.speaker == turns[e.turn].speaker]
            kept = [b for s, t, b in arc_spans.get(e.turn, ()) if b.kind in KEEPS_OPEN and s < e.end and e.start < t]
            b = next(iter(kept or [b for b in steps_here if b.kind in RAISING + KEEPS_OPEN]), None)
            if b is not None:
                item["key"], item["arc"], item["planned"] = b.key, b.arc, True
        surface.append(item)
    surface.sort(key=lambda x: (x["start"], x["end"], x["type"]))
    steps = []
    for st in call.objections:
        ev = by_kind.get(("objection_" + st.step, st.type, st.turn))
        steps.append({"arc": st.arc, "objection": st.type, "step": st.step, "by": st.by,
                      **(loc(ev) if ev else {"turn": st.turn, "speaker": turns[st.turn].speaker})})
    triples = []
    for arc_id in dict.fromkeys(st.arc for st in call.objections):
        here = [s for s in steps if s["arc"] == arc_id]
        arc = arcs.get(arc_id)
        raised = next((s for s in here if s["step"] in ("raised", "reopened")), None)
        resolution = next((s for s in reversed(here) if s["step"] in ("addressed", "unaddressed", "resolved",
                                                                      "stalled")), None)
        last = here[-1]["step"]
        earlier = next((x.get("call") for x in (arc.steps if arc else []) if x.get("step") in ("raised", "reopened")
                        and x.get("call") != call.id), None)
        triples.append({
            "arc": arc_id, "objection": here[0]["objection"], "raised_by": here[0]["by"],
            "raised": _step_loc(raised) if raised else ({"call": earlier} if earlier else None),
            "resolution": _step_loc(resolution),
            "resolution_step": next((s["step"] for s in reversed(here) if s["step"] in ("addressed", "unaddressed")),
                                    "none"),  # how the seller answered it in this call
            "steps": [s["step"] for s in here],
            "outcome_in_call": "open" if last in ("raised", "reopened") else last,
            "arc_outcome": arc.outcome if arc else None, "arc_steps": arc.steps if arc else []})
    words = [len(t.text.split()) for t in turns]  # each turn's words, counted once for every figure below
    behavioral = _behavioral(turns, offsets, words, call.medium == "chat")
    resumed = {e.turn: e for e in rc.evidence if e.kind == "resumption"}  # "So, as I was saying"
    for t in turns:  # an interjection: the speaker broke off at it, and picks the thought back up after it
        if t.interjection and t.overlaps is not None:
            e = resumed.get(t.index + 1)
            behavioral["interruptions"].append({"turn": t.index, "by": t.speaker,
                                                "interrupted": turns[t.overlaps].speaker, "kind": "interjection",
                                                **({"resumed": loc(e)} if e is not None else {})})
    behavioral["interruptions"].sort(key=lambda x: x["turn"])
    persona_info = h.personas
    participants = []
    psychographic = []
    for p in call.participants:
        spoken = [t.index for t in turns if t.speaker == p.id]
        entry: dict[str, Any] = {"id": p.id, "name": p.name, "side": p.side, "role": p.role,
                                 "decision_maker": p.decision_maker, "turns": len(spoken)}
        if p.persona:
            info = persona_info.get(p.persona, {})
            cited, rationale, shown = _persona_evidence(p, info, call, rc, behavioral, words, loc)
            if len(cited) < MIN_SHOWN:  # the call gave no room to show the persona: no label the text cannot bear
                from corpusc.render.template.traits import ritual_turns
                ritual = ritual_turns(call.beats, len(turns))
                substantive = sum(1 for t in spoken if t not in ritual)
                entry["persona_unclassified"] = {
                    "label": p.persona, "title": info.get("title", p.persona), "evidence_turns": cited,
                    "shown": shown, "reason": f"the traits showed in {len(cited)} of {substantive} substantive "
                                              f"turn{'' if substantive == 1 else 's'}; a classification cites "
                                              f"{MIN_SHOWN}"}
                participants.append(entry)
                continue
            entry["persona"] = {"label": p.persona, "title": info.get("title", p.persona),
                                "rationale": rationale, "evidence_turns": cited, "shown": shown}
            psychographic.append({
                "participant": p.id, "persona": p.persona, "decision_style": info.get("decision_style"),
                "risk_attitude": info.get("risk_attitude"), "engagement_trajectory": call.engagement,
                "evidence_turns": cited})
        participants.append(entry)
    moments = []
    divergence = []
    for m in call.moments:
        ev = by_kind.get(("moment", m.id, m.turn))
        where = loc(ev) if ev else {"turn": m.turn}
        t = turns[m.turn]
        side = t.side
        moments.append({"id": m.id, "congruent": not m.divergent, "polarity": m.polarity, "cues": m.cues,
                        "side": side, "cue_offset": cue_at(t), "mid_turn": any(a > 0 for a in t.cue_at), **where})
        if m.divergent:
            divergence.append({"moment": m.id, **where, "side": side, "words_polarity": m.polarity, "cues": m.cues,
                               "interpretation": _interpretation(m.polarity, side, m.cues)})
    colour = []
    for x in call.colour:
        ev = by_kind.get(("colour", x.id, x.turn))
        where = loc(ev) if ev else {"turn": x.turn, "speaker": x.speaker}
        t = turns[x.turn]
        colour.append({"id": x.id, "congruent": True, "tone": x.tone, "cues": list(x.cues), "side": t.side,
                       "cue_offset": cue_at(t) if x.cues else None, **where})
    return {
        "schema_version": SCHEMA_VERSION, "call_id": call.id, "kind": call.kind, "account": call.account,
        "population": call.population, "deal_outcome": account.outcome if account else None,
        "stage": call.stage, "date": call.date, "start": call.start, "locale": call.locale,
        "transcript": f"transcripts/{call.id}.txt", "offsets": "characters of the txt transcript",
        "participants": participants,
        "signals": {"surface": surface, "behavioral": behavioral, "psychographic": psychographic},
        "objection_steps": steps,
        "objection_triples": triples,
        "moments": moments,
        "divergence_points": divergence,
        "colour": colour,
        # what a service call says of its metadata's events (render/template/service.py): the planned
        # complaint in the caller's words, the hold announced / agreed to / returned from
        "events": [{"type": e.kind, "key": e.key, **loc(e)} for e in rc.evidence if e.kind in EVENT_KINDS],
        "metadata": call.metadata,
        # how the words were produced when a renderer says more than its name
        # (engine llm: the model, or `fallback: true` with why; see docs/llm.md)
        **({"rendering": rc.provenance} if rc.provenance else {}),
    }


EVENT_KINDS = ("cause", "complaint", "hold", "handover", "identity", "language_switch", "outcome", "pii",
               "pii_disclosure", "repeat_contact")


def overlap_seconds(t, over) -> float:
    """Seconds two speakers talk at once: from the later turn's start to the
    earlier of the two ends (a backchannel inside a long turn: its own length)."""
    return round(max(0.0, min(t.end, over.end) - t.start), 3)


def _step_loc(step: dict | None) -> dict | None:
    if step is None:
        return None
    return {k: v for k, v in step.items() if k in ("step", "turn", "speaker", "start", "end", "quote")}


def silences(turns) -> list[tuple[int, int, int]]:
    """(turn, ms of silence before it, ms where that silence begins) for each
    turn after the first that starts after everything said before it has
    ended: the time nobody speaks, from the latest end so far (a turn said
    over a longer one ends inside it) to the turn's start. From the turns'
    timings (the timing model's clock, the audio's when it retimed the call),
    in whole milliseconds as the transcripts write them."""
    out = []
    reach = None
    for t in turns:
        a, b = round(t.start * 1000), round(t.end * 1000)
        if reach is not None and a > reach:
            out.append((t.index, a - reach, reach))
        reach = b if reach is None else max(reach, b)
    return out


def _behavioral(turns, offsets: list[int], words: list[int], chat: bool = False) -> dict[str, Any]:
    """What the rendered call shows about how people spoke: cues, hesitations,
    pauses, interruptions and overlaps, fillers and false starts, who talked
    how much, who asked how many questions.

    `pauses` has one item per silence before a turn: every one a cue marks
    (`2.1s pause`, `silence 3.5s`, `hold 20.0s`; a chat's waits, which its
    text does not show, all of kind `wait`) and every other of `LONG_PAUSE` or more the timing
    drew; `seconds` is the silence as timed (the cue's own figure is
    `cue_seconds`), one item per gap however many cues mark it."""
    from corpusc.render.text import shift
    cues, pauses, interruptions, hesitations = [], [], [], []
    overlaps, disfluencies = [], []
    gaps = {i: (ms, at) for i, ms, at in silences(turns)}
    for t in turns:
        marked = []  # the turn's pause cues: (cue, seconds, kind)
        secs = overlap_seconds(t, turns[t.overlaps]) if t.overlaps is not None else 0.0
        if secs > 0:  # said over another speaker (render/timing.py; the audio's clock when it retimed the call)
            over = turns[t.overlaps]
            overlaps.append({"turn": t.index, "speaker": t.speaker, "over_turn": t.overlaps,
                             "over": over.speaker, "seconds": secs,
                             "kind": "interjection" if t.interjection else "backchannel" if t.backchannel else
                             ("cut_in" if "INTERRUPTS" in t.cues else "overlap")})
        for x in t.disfluencies:  # written by render/template/dynamics.py, located like any evidence
            a, b = offsets[t.index] + shift(t, x.start), offsets[t.index] + shift(t, x.end, end=True)
            disfluencies.append({"turn": t.index, "speaker": t.speaker, "kind": x.kind, "start": a, "end": b,
                                 "quote": t.text[x.start:x.end]})
        for c, at in t.placed():
            cues.append({"turn": t.index, "speaker": t.speaker, "cue": c, "moment": t.moment, "mid_turn": at > 0})
            m = PAUSE.match(c)
            if m:
                marked.append((c, float(m.group("a") or m.group("b")), m.group("kind") or "pause"))
            if c == "INTERRUPTS" and t.index > 0:
                interruptions.append({"turn": t.index, "by": t.speaker, "interrupted": turns[t.index - 1].speaker,
                                      "kind": "cut_in"})
            if c == "hesitant":
                hesitations.append({"turn": t.index, "speaker": t.speaker, "cue": c})
        ms, at = gaps.get(t.index, (0, None))
        if t.index == 0 and marked:  # a wait before the first words: from the call's start
            ms, at = round(t.start * 1000), 0
        if marked or ms >= LONG_PAUSE * 1000:
            # a hold's silence is a hold, else a planned silence, else a pause (drawn or cued); in a chat
            # nobody speaks at all: every gap is a wait (reply latency), never a speech pause
            kinds = {k for _, _, k in marked}
            kind = "wait" if chat else next((k for k in ("hold", "silence") if k in kinds), "pause")
            item = {"turn": t.index, "speaker": t.speaker, "seconds": ms / 1000, "kind": kind,
                    "long": ms >= LONG_PAUSE * 1000, "cued": bool(marked) and not chat}
            if at is not None:
                item["at"] = at / 1000  # seconds into the call where the silence begins
            if marked:
                item["cue"] = ", ".join(c for c, _, _ in marked)
                item["cue_seconds"] = round(sum(x for _, x, _ in marked), 3)
            pauses.append(item)
    talk: dict[str, float] = {}
    per: dict[str, dict[str, float]] = {}
    for t in turns:
        secs = max(0.0, t.end - t.start)
        talk[t.side] = talk.get(t.side, 0.0) + secs
        x = per.setdefault(t.speaker, {"seconds": 0.0, "words": 0, "turns": 0, "questions": 0})
        x["seconds"] += secs
        x["words"] += words[t.index]
        x["turns"] += 1
        x["questions"] += t.questions
    total = sum(talk.values()) or 1.0
    words = sum(x["words"] for x in per.values()) or 1
    speakers = {k: {"seconds": round(x["seconds"], 2), "share": round(x["seconds"] / total, 3),
                    "words": x["words"], "word_share": round(x["words"] / words, 3), "turns": x["turns"],
                    "questions": x["questions"]} for k, x in sorted(per.items())}
    return {"cues": cues, "pauses": pauses, "long_pauses": [p for p in pauses if p["long"]],
            "hesitations": hesitations, "interruptions": interruptions, "overlaps": overlaps,
            "disfluencies": disfluencies,
            "talk_ratio": {k: round(v / total, 3) for k, v in sorted(talk.items())}, "speakers": speakers}


def _persona_evidence(p, info: dict, call: Call, rc: RenderedCall, behavioral, words: list[int],
                      loc) -> tuple[list[int], str, list[dict[str, Any]]]:
    """The turns where the persona's traits (render/template/traits.py) show in
    what the participant did, as the renderer recorded it (the questions it
    asked, the lines of its own voice, the signals and beats it carried, its
    hesitations, its short or long turns), a rationale that says what each
    cited turn showed, and the evidence items (`shown`): what showed, located
    at its words where it is words, so `verify` can hold each against the
    transcript. Only turns that show the traits are cited; fewer than
    MIN_SHOWN of them and the participant is not classified (the caller says so)."""
    from corpusc.render.template.traits import (BEAT_WORDS, LINE_WORDS, LONG_FACTOR, SHORT_FACTOR, SIGNAL_WORDS,
                                                TOPIC_WORDS, beat_ritual, beat_shows, ritual_turns, trait_of)
    pid, turns = p.id, rc.turns
    trait = trait_of(p.side, p.persona, info)
    chit = ritual_turns(call.beats, len(turns))
    mine = [t for t in turns if t.speaker == pid and t.index not in chit]
    shows: dict[int, list[str]] = {}
    items: list[dict[str, Any]] = []

    def add(turn: int, what: str, item: dict[str, Any]) -> None:
        if what not in shows.setdefault(turn, []):
            shows[turn].append(what)
            items.append({"turn": turn, "shows": what, **item})
    for b in call.beats:
        if b.speaker == pid and turns[b.turn].speaker == pid and b.turn not in chit \
                and beat_shows(trait, b.kind, b.key):
            ev = next((e for e in rc.evidence if e.kind == b.kind and e.key == b.key and e.turn == b.turn), None)
            add(b.turn, BEAT_WORDS[b.kind].format(key=b.key) if b.kind in BEAT_WORDS else
                f"{STEP_WORDS.get(b.kind.split('_', 1)[1], b.kind)} the {b.key} objection",
                {"kind": "beat", "key": f"{b.kind}:{b.key}" if b.key else b.kind, **(loc(ev) if ev else {})})
    for e in rc.evidence:
        if turns[e.turn].speaker != pid or e.turn in chit:
            continue
        if e.kind == "question" and e.key in trait.topics:
            add(e.turn, f"asked about {TOPIC_WORDS.get(e.key, e.key)}", {"kind": "question", "key": e.key, **loc(e)})
        elif e.kind == "trait":
            add(e.turn, LINE_WORDS.get(e.key or "", "spoke in their own voice"),
                {"kind": "trait", "key": e.key, **loc(e)})
        elif e.kind == "signal" and e.key in trait.signals:
            add(e.turn, SIGNAL_WORDS.get(e.key, e.key), {"kind": "signal", "key": e.key, **loc(e)})
    if trait.hesitant:
        for x in behavioral["hesitations"]:
            if x["speaker"] == pid and x["turn"] not in chit:
                add(x["turn"], "hesitated", {"kind": "hesitation"})
    if trait.pauses:
        for x in behavioral["pauses"]:
            # a pause cue the renderer wrote for the speaker (its figure, as the text says it)
            sec = x.get("cue_seconds", 0.0)
            if x["speaker"] == pid and sec >= LONG_PAUSE and x["kind"] == "pause" and x["turn"] not in chit:
                add(x["turn"], f"paused {sec:g} s before answering", {"kind": "pause", "seconds": sec})
    ritual = beat_ritual(call.beats)  # the median of the buyers' turns: as documented, beats of ritual left out
    lengths = sorted(words[t.index] for t in turns if t.side != "seller" and t.index not in ritual)
    median = lengths[len(lengths) // 2] if lengths else 0
    said = [t for t in mine if t.overlaps is None]  # a backchannel or an interjection is short by its kind
    if trait.short:  # the participant's shortest turns, well under the call's buyers' median
        for t in sorted((t for t in said if words[t.index] <= median * SHORT_FACTOR),
                        key=lambda t: (words[t.index], t.index))[:3]:
            add(t.index, f"kept it to {words[t.index]} word{'' if words[t.index] == 1 else 's'} against the "
                         f"buyers' median of {median}", {"kind": "short", "words": words[t.index], "median": median})
    if trait.long:  # the longest, well over the median
        for t in sorted((t for t in said if median and words[t.index] >= median * LONG_FACTOR),
                        key=lambda t: (-words[t.index], t.index))[:3]:
            add(t.index, f"spoke at length ({words[t.index]} words against the buyers' median of {median})",
                {"kind": "long", "words": words[t.index], "median": median})
    if trait.asks:
        for t in mine:
            if t.questions:
                add(t.index, "asked a question" if t.questions == 1 else f"asked {t.questions} questions",
                    {"kind": "questions", "count": t.questions})
    cited = sorted(shows)[:4]
    items = sorted((x for x in items if x["turn"] in cited), key=lambda x: x["turn"])
    said_: dict[str, list[int]] = {}  # one clause per thing shown: "held the spend to a payback (turns 19 and 21)"
    for t in cited:
        said_.setdefault(" and ".join(shows[t]), []).append(t)
    bits = [f"{what} (turn{'s' if len(ts) > 1 else ''} {_list(ts)})" for what, ts in said_.items()]
    if not trait.short:
        share = behavioral["speakers"].get(pid, {}).get("share", 0.0)
        bits.append(f"held {round(share * 100)}% of the talk time")
    traits = ", ".join(x for x in (f"{info['decision_style']} decision style" if info.get("decision_style") else "",
                                   f"risk {info['risk_attitude']}" if info.get("risk_attitude") else "") if x)
    head = info.get("title", "persona") + (f" ({traits})" if traits else "")
    return cited, f"{head}: " + "; ".join(bits), items


def _list(xs: list[int]) -> str:
    """3 / 3 and 5 / 3, 5 and 9."""
    return " and ".join(str(x) for x in xs) if len(xs) < 3 else ", ".join(str(x) for x in xs[:-1]) + f" and {xs[-1]}"


def _interpretation(polarity: str, side: str, cues: list[str]) -> str:
    """What a divergence means, from which way words and cues disagree."""
    how = " and ".join(cues)
    words = "positive" if polarity == "positive" else "negative"
    who = INTERPRETATIONS[words, "buyer" if side == "buyer" else "seller"]
    return f"{who}: {words} words delivered {how} contradict what is said"
