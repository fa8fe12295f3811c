"""Ground truth per call, written from the plan (right by construction) and
located in the rendered text: every signal carries its turn and the exact
character offsets of its evidence in `transcripts/<call_id>.txt`."""

from __future__ import annotations

import json
from typing import Any

from corpusc.plan.model import Call, Header

from pydantic import BaseModel, ConfigDict

from corpusc.backends.base import Artifact, Backend, Context
from corpusc.render.model import RenderedCall
from corpusc.render.text import shift, txt_layout

SCHEMA_VERSION = 1
SURFACE = {"objection_raised": "objection", "objection_reopened": "objection", "competitor_mention": "competitor_mention",
           "buying_signal": "buying_intent"}
TOPICAL = {"pricing": "pricing", "timeline": "timeline"}


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
        data = json.dumps(doc, indent=2 if pretty else None, ensure_ascii=False,
                          separators=None if pretty else (",", ":")) + "\n"
        return [Artifact(f"ground_truth/{call.id}.json", data.encode("utf-8"))]


def ground_truth(call: Call, rc: RenderedCall, h: Header) -> dict[str, Any]:
    offsets = txt_layout(call, rc)[1]
    account = h.account(call.account)
    turns = rc.turns

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
    for b in call.beats:
        kind = SURFACE.get(b.kind)
        ev = by_kind.get((b.kind, b.key, b.turn))
        if kind is None or ev is None:
            continue
        item = {"type": kind, "key": b.key, **loc(ev)}
        if b.arc:
            item["arc"] = b.arc
        surface.append(item)
        if kind == "objection" and b.key in TOPICAL:
            surface.append({"type": TOPICAL[b.key], "key": b.key, **loc(ev)})
    cues, pauses, interruptions = [], [], []
    for t in turns:
        for c, at in t.placed():
            cues.append({"turn": t.index, "speaker": t.speaker, "cue": c, "moment": t.moment,
                         "mid_turn": at > 0})
            if c.endswith("s pause"):
                pauses.append({"turn": t.index, "speaker": t.speaker, "seconds": float(c.split("s", 1)[0])})
            if c == "INTERRUPTS" and t.index > 0:
                interruptions.append({"turn": t.index, "by": t.speaker, "interrupted": turns[t.index - 1].speaker})
    talk: dict[str, float] = {}
    for t in turns:
        talk[t.side] = talk.get(t.side, 0.0) + max(0.0, t.end - t.start)
    total = sum(talk.values()) or 1.0
    persona_info = h.personas
    participants = []
    psychographic = []
    for p in call.participants:
        spoken = [t.index for t in turns if t.speaker == p.id]
        beat_turns = [b.turn for b in call.beats if b.speaker == p.id and b.kind not in ("opening", "close")]
        entry: dict[str, Any] = {"id": p.id, "name": p.name, "side": p.side, "role": p.role,
                                 "decision_maker": p.decision_maker, "turns": len(spoken)}
        if p.persona:
            info = persona_info.get(p.persona, {})
            cited = (beat_turns or spoken)[:4]
            entry["persona"] = {
                "label": p.persona, "title": info.get("title", p.persona),
                "rationale": _rationale(info, cited),
                "evidence_turns": cited,
            }
            psychographic.append({
                "participant": p.id, "persona": p.persona, "decision_style": info.get("decision_style"),
                "risk_attitude": info.get("risk_attitude"), "engagement_trajectory": call.engagement,
                "evidence_turns": cited})
        participants.append(entry)
    triples = []
    for st in call.objections:
        if st.step not in ("raised", "reopened"):
            continue
        arc = next((a for a in (account.arcs if account else []) if a.id == st.arc), None)
        here = [o for o in call.objections if o.arc == st.arc]
        resolution = next((o for o in here if o.step in ("addressed", "unaddressed")), None)
        outcome_here = next((o.step for o in reversed(here) if o.step in ("resolved", "unaddressed", "addressed")), "open")
        ev = by_kind.get(("objection_" + st.step, st.type, st.turn))
        res_ev = by_kind.get(("objection_" + resolution.step, st.type, resolution.turn)) if resolution else None
        triples.append({
            "arc": st.arc, "objection": st.type, "raised_by": st.by,
            "raised": loc(ev) if ev else {"turn": st.turn},
            "resolution": (loc(res_ev) if res_ev else {"turn": resolution.turn}) if resolution else None,
            "outcome_in_call": outcome_here, "arc_outcome": arc.outcome if arc else None,
            "arc_steps": arc.steps if arc else []})
    for st in call.objections:  # arcs that end in this call but were raised earlier
        if st.step == "resolved" and not any(t["arc"] == st.arc for t in triples):
            ev = by_kind.get(("objection_resolved", st.type, st.turn))
            arc = next((a for a in (account.arcs if account else []) if a.id == st.arc), None)
            triples.append({"arc": st.arc, "objection": st.type, "raised_by": st.by, "raised": None,
                            "resolution": loc(ev) if ev else {"turn": st.turn}, "outcome_in_call": "resolved",
                            "arc_outcome": arc.outcome if arc else None, "arc_steps": arc.steps if arc else []})
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
        "signals": {
            "surface": surface,
            "behavioral": {"cues": cues, "pauses": pauses, "interruptions": interruptions,
                           "talk_ratio": {k: round(v / total, 3) for k, v in sorted(talk.items())}},
            "psychographic": psychographic,
        },
        "objection_triples": triples,
        "moments": moments,
        "divergence_points": divergence,
        "colour": colour,
        "metadata": call.metadata,
    }


def _interpretation(polarity: str, side: str, cues: list[str]) -> str:
    """What a divergence means, from which way words and cues disagree."""
    how = " and ".join(cues)
    if polarity == "positive":
        who = "hidden concern" if side == "buyer" else "hidden doubt in the rep's own claim"
        return f"{who}: positive words delivered {how} contradict what is said"
    who = "concern voiced but not felt" if side == "buyer" else "a limitation played down"
    return f"{who}: negative words delivered {how} contradict what is said"


def _rationale(info: dict, turns: list[int]) -> str:
    bits = []
    if info.get("decision_style"):
        bits.append(f"{info['decision_style']} decision style")
    if info.get("risk_attitude"):
        bits.append(f"risk {info['risk_attitude']}")
    if info.get("concerns"):
        bits.append("concerned with " + ", ".join(info["concerns"][:3]))
    where = ", ".join(str(t) for t in turns)
    return f"{info.get('title', 'persona')}: " + "; ".join(bits) + (f" (turns {where})" if where else "")
