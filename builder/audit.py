"""The ground-truth audit of one call (`corpusc verify`, benchmarks/bench_quality):
every quoted span is in the transcript, every sentence that carries one of the
locale's signal terms is covered by a label of that category, no turn carries
labels that contradict each other, every planned objection step has its
evidence, and every persona classification cites turns where the participant
acted. The audit reads the transcript (that is its job); the ground truth it
audits never does."""

from __future__ import annotations

from typing import Any, Iterable

from corpusc.plan.model import Call
from corpusc.render.template.banks import bank_locale
from corpusc.render.template.signals import names_pattern, read_signals

# labels that cannot both hold for one turn: a hidden concern is not a buying
# signal, and not the turn where the buyer says the objection is settled
CONTRADICTORY = (("divergence", "buying_intent"), ("divergence", "objection:resolved"),
                 ("objection:raised", "objection:resolved"))
NOT_PERSONA = {"opening", "small_talk", "introduce_stakeholder", "agenda", "close", "reference"}


def located(gt: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Every item of a ground-truth file that points at a span of the transcript."""
    yield from gt.get("signals", {}).get("surface", [])
    yield from gt.get("moments", [])
    yield from gt.get("divergence_points", [])
    yield from gt.get("colour", [])
    yield from gt.get("objection_steps", [])
    for x in gt.get("signals", {}).get("behavioral", {}).get("interruptions", []):
        if x.get("resumed"):
            yield x["resumed"]
    for t in gt.get("objection_triples", []):
        for k in ("raised", "resolution"):
            if t.get(k):
                yield t[k]


def audit_call(call: Call, gt: dict[str, Any], text: str | None,
               turns: list[tuple[str, list[str], str, int]] | None,
               competitors: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(code, message) for every problem of one call's ground truth."""
    out: list[tuple[str, str]] = []
    if text is not None:
        for it in located(gt):
            if "start" in it and text[it["start"]:it["end"]] != it.get("quote"):
                out.append(("E0703", f"offsets {it['start']}..{it['end']} do not point at "
                                     f"\"{str(it.get('quote'))[:40]}\""))
    out += _steps(call, gt)
    out += _contradictions(gt)
    out += _personas(call, gt)
    if turns is not None:  # a contact-center call too: its fees, amounts and next steps are labelled alike
        out += _unlabelled(call, gt, turns, competitors)
    return out


def _steps(call: Call, gt: dict[str, Any]) -> list[tuple[str, str]]:
    got = {(s.get("arc"), s.get("step"), s.get("turn")) for s in gt.get("objection_steps", []) if "start" in s}
    return [("E0709", f"the planned `{st.step}` step of arc `{st.arc}` at turn {st.turn} has no evidence")
            for st in call.objections if (st.arc, st.step, st.turn) not in got]


def turn_labels(gt: dict[str, Any]) -> dict[int, set[str]]:
    """The labels each turn carries, as the names CONTRADICTORY uses."""
    out: dict[int, set[str]] = {}
    for s in gt.get("signals", {}).get("surface", []):
        out.setdefault(s["turn"], set()).add(s["type"])
    for s in gt.get("objection_steps", []):
        step = "raised" if s["step"] == "reopened" else s["step"]
        out.setdefault(s["turn"], set()).add(f"objection:{step}:{s['arc']}")
        out[s["turn"]].add(f"objection:{step}")
    for d in gt.get("divergence_points", []):
        out.setdefault(d["turn"], set()).add("divergence")
    return out


def _contradictions(gt: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for turn, labels in sorted(turn_labels(gt).items()):
        for a, b in CONTRADICTORY:
            if a in labels and b in labels:
                if a.startswith("objection:") and b.startswith("objection:"):
                    arcs = {x.rsplit(":", 1)[1] for x in labels if x.startswith(a + ":")} & \
                           {x.rsplit(":", 1)[1] for x in labels if x.startswith(b + ":")}
                    if not arcs:
                        continue
                out.append(("E0708", f"turn {turn} is labelled both `{a}` and `{b}`"))
    return out


def _personas(call: Call, gt: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    speakers = {}
    for i, k in enumerate(call.speakers):
        speakers[i] = call.participants[k].id
    chit = {b.turn for b in call.beats if b.kind in NOT_PERSONA}
    for p in gt.get("participants", []):
        per = p.get("persona")
        if not per:
            continue
        own = [t for t, who in speakers.items() if who == p["id"] and t not in chit]
        cited = per.get("evidence_turns", [])
        if len(cited) < min(2, len(own)):
            out.append(("E0710", f"the persona of `{p['id']}` cites {len(cited)} turn(s); they acted in {len(own)}"))
        bad = [t for t in cited if speakers.get(t) != p["id"] or t in chit]
        if bad:
            out.append(("E0710", f"the persona of `{p['id']}` cites turn(s) {bad} that are not their own "
                                 "substantive turns"))
    return out


def _unlabelled(call: Call, gt: dict[str, Any], turns, competitors) -> list[tuple[str, str]]:
    loc = bank_locale(call.locale)
    rx = names_pattern(competitors)
    extra = {"competitor": rx} if rx is not None else None
    spans: dict[int, list[tuple[str, int, int]]] = {}
    for s in gt.get("signals", {}).get("surface", []):
        typ = "competitor" if s["type"] == "competitor_mention" else s["type"]
        spans.setdefault(s["turn"], []).append((typ, s["start"], s["end"]))
    out = []
    for i, (_, _, words, base) in enumerate(turns):
        have = spans.get(i, [])
        side = call.participants[call.speakers[i]].side if i < len(call.speakers) else None
        for cat, a, b in read_signals(loc, words, side, extra):
            if not any(t == cat and s < base + b and base + a < e for t, s, e in have):
                out.append(("E0707", f"turn {i}: \"{words[a:b].strip()[:70]}\" reads as {cat} "
                                     "but no label covers it"))
    return out
