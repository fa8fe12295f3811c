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
from corpusc.render.model import RenderedCall
from corpusc.render.text import shift, txt_layout

SCHEMA_VERSION = 2
SURFACE = {"objection_raised": "objection", "objection_reopened": "objection", "competitor_mention": "competitor_mention",
           "buying_signal": "buying_intent"}
SAME_AS_BEAT = {"competitor": "competitor_mention"}  # a signal category a beat's own item already labels


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
PAUSE_KINDS = ("pause", "silence", "hold")
OVERLAP_KINDS = ("backchannel", "cut_in", "overlap")  # a listener's turn said over, a cut-in, any other overlap
INTERRUPTION_KINDS = ("cut_in", "backchannel")
# what a divergence means, by the polarity of its words and the side of its speaker
INTERPRETATIONS = {("positive", "buyer"): "hidden concern", ("positive", "seller"): "hidden doubt in the rep's own claim",
                   ("negative", "buyer"): "concern voiced but not felt", ("negative", "seller"): "a limitation played down"}
PAUSE = re.compile(r"^(?:(?P<a>\d+(?:\.\d+)?)s pause|(?P<kind>silence|hold) (?P<b>\d+(?:\.\d+)?)s)$")
LONG_PAUSE = 2.0  # seconds: a pause at least this long is a long pause
NOT_PERSONA = {"opening", "small_talk", "introduce_stakeholder", "agenda", "close", "reference"}
STEP_WORDS = {"raised": "raised", "reopened": "reopened", "resolved": "accepted the answer on",
              "stalled": "kept open", "addressed": "heard the answer on", "unaddressed": "was put off on"}


def ground_truth(call: Call, rc: RenderedCall, h: Header) -> dict[str, Any]:
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
    surface = []
    planned_spans: dict[int, list[tuple[int, int]]] = {}
    for b in call.beats:
        ev = by_kind.get((b.kind, b.key, b.turn))
        if ev is not None:
            planned_spans.setdefault(ev.turn, []).append((ev.start, ev.end))
        kind = SURFACE.get(b.kind)
        if kind is None or ev is None:
            continue
        item = {"type": kind, "key": b.key, **loc(ev)}
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
        surface.append({"type": e.key, "key": None, **where, "planned": planned})
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
    behavioral = _behavioral(turns, offsets)
    for e in rc.evidence:  # a speaker picking up after a backchannel cut in ("So, as I was saying")
        if e.kind == "resumption" and e.turn > 0:
            behavioral["interruptions"].append({"turn": e.turn - 1, "by": turns[e.turn - 1].speaker,
                                                "interrupted": turns[e.turn].speaker, "kind": "backchannel",
                                                "resumed": loc(e)})
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
            cited, rationale = _persona_evidence(p.id, info, call, turns, behavioral)
            entry["persona"] = {"label": p.persona, "title": info.get("title", p.persona),
                                "rationale": rationale, "evidence_turns": cited}
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


EVENT_KINDS = ("complaint", "hold", "handover", "identity", "language_switch", "outcome", "pii_disclosure")


def _step_loc(step: dict | None) -> dict | None:
    if step is None:
        return None
    return {k: v for k, v in step.items() if k in ("step", "turn", "speaker", "start", "end", "quote")}


def _behavioral(turns, offsets: list[int]) -> dict[str, Any]:
    """What the rendered call shows about how people spoke: cues, hesitations,
    pauses, interruptions and overlaps, fillers and false starts, who talked
    how much, who asked how many questions."""
    cues, pauses, interruptions, hesitations = [], [], [], []
    overlaps, disfluencies = [], []
    for t in turns:
        if t.overlaps is not None:  # said over another speaker (render/timing.py)
            overlaps.append({"turn": t.index, "speaker": t.speaker, "over_turn": t.overlaps,
                             "over": turns[t.overlaps].speaker, "seconds": round(t.overlap, 3),
                             "kind": "backchannel" if t.backchannel else
                             ("cut_in" if "INTERRUPTS" in t.cues else "overlap")})
        for x in t.disfluencies:  # written by render/template/dynamics.py, located like any evidence
            a, b = offsets[t.index] + shift(t, x.start), offsets[t.index] + shift(t, x.end, end=True)
            disfluencies.append({"turn": t.index, "speaker": t.speaker, "kind": x.kind, "start": a, "end": b,
                                 "quote": t.text[x.start:x.end]})
        for c, at in t.placed():
            cues.append({"turn": t.index, "speaker": t.speaker, "cue": c, "moment": t.moment, "mid_turn": at > 0})
            m = PAUSE.match(c)
            if m:
                sec = float(m.group("a") or m.group("b"))
                kind = m.group("kind") or "pause"
                pauses.append({"turn": t.index, "speaker": t.speaker, "seconds": sec, "kind": kind,
                               "long": sec >= LONG_PAUSE})
            if c == "INTERRUPTS" and t.index > 0:
                interruptions.append({"turn": t.index, "by": t.speaker, "interrupted": turns[t.index - 1].speaker,
                                      "kind": "cut_in"})
            if c == "hesitant":
                hesitations.append({"turn": t.index, "speaker": t.speaker, "cue": c})
    talk: dict[str, float] = {}
    per: dict[str, dict[str, float]] = {}
    for t in turns:
        secs = max(0.0, t.end - t.start)
        talk[t.side] = talk.get(t.side, 0.0) + secs
        x = per.setdefault(t.speaker, {"seconds": 0.0, "words": 0, "turns": 0, "questions": 0})
        x["seconds"] += secs
        x["words"] += len(t.text.split())
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


def _persona_evidence(pid: str, info: dict, call: Call, turns, behavioral) -> tuple[list[int], str]:
    """The turns where a persona shows in what the participant did (beats they
    carried, questions they asked, hesitations), and a rationale built from them."""
    said = []  # (turn, what they did)
    for b in call.beats:
        if b.speaker != pid or b.kind in NOT_PERSONA:
            continue
        if b.kind.startswith("objection_"):
            said.append((b.turn, f"{STEP_WORDS.get(b.kind.split('_', 1)[1], b.kind)} the {b.key} objection"))
        elif b.kind == "buying_signal":
            said.append((b.turn, "gave a buying signal"))
        elif b.kind == "competitor_mention":
            said.append((b.turn, f"brought up {b.key}"))
        elif b.kind == "pain":
            said.append((b.turn, "described the team's pain"))
    beat_turns = {t for t, _ in said}
    asked = [t.index for t in turns if t.speaker == pid and t.questions and t.index not in beat_turns
             and not (set(t.beats) & NOT_PERSONA)]
    hesitant = [x["turn"] for x in behavioral["hesitations"] if x["speaker"] == pid and x["turn"] not in beat_turns
                and not (set(turns[x["turn"]].beats) & NOT_PERSONA)]
    cited = sorted(beat_turns | set(asked[:3]) | set(hesitant[:2]))
    longest: list[int] = []
    if len(cited) < 2:  # too little happened: the longest substantive turns they spoke
        rest = sorted((t for t in turns if t.speaker == pid and t.index not in cited
                       and not (set(t.beats) & NOT_PERSONA)), key=lambda t: (-len(t.text), t.index))
        longest = sorted(t.index for t in rest[:2 - len(cited)])
        cited = sorted(cited + longest)
    bits = [f"{what} (turn {t})" for t, what in sorted(said)]
    if asked:
        bits.append(f"asked questions in turn{'s' if len(asked) > 1 else ''} {_list(asked[:3])}")
    if hesitant:
        bits.append(f"hesitated in turn{'s' if len(hesitant) > 1 else ''} {_list(hesitant[:2])}")
    share = behavioral["speakers"].get(pid, {}).get("share", 0.0)
    bits.append(f"held {round(share * 100)}% of the talk time")
    if longest:
        bits.insert(len(bits) - 1, f"spoke at length in turn{'s' if len(longest) > 1 else ''} {_list(longest)}")
    traits = ", ".join(x for x in (f"{info['decision_style']} decision style" if info.get("decision_style") else "",
                                   f"risk {info['risk_attitude']}" if info.get("risk_attitude") else "") if x)
    head = info.get("title", "persona") + (f" ({traits})" if traits else "")
    return cited, f"{head}: " + "; ".join(bits)


def _list(xs: list[int]) -> str:
    return ", ".join(str(x) for x in xs)


def _interpretation(polarity: str, side: str, cues: list[str]) -> str:
    """What a divergence means, from which way words and cues disagree."""
    how = " and ".join(cues)
    words = "positive" if polarity == "positive" else "negative"
    who = INTERPRETATIONS[words, "buyer" if side == "buyer" else "seller"]
    return f"{who}: {words} words delivered {how} contradict what is said"
