"""The ground-truth audit of one call (`corpusc verify`, benchmarks/bench_quality):
every quoted span is in the transcript, every sentence that carries one of the
locale's signal terms is covered by a label of that category, every filler of
the locale's lexicon is labelled a disfluency, no turn carries
labels that contradict each other, every planned objection step has its
evidence, and every persona classification cites turns where the participant
acted. The audit reads the transcript (that is its job); the ground truth it
audits never does."""

from __future__ import annotations

import re
from typing import Any, Iterable

from corpusc.plan.model import Call
from corpusc.render.template.banks import bank_locale
from corpusc.render.template.lexicon import filler_pattern
from corpusc.render.template.signals import names_pattern, read_signals, scope_of

# labels that cannot both hold for one turn: a hidden concern is not a buying
# signal, and not the turn where the buyer says the objection is settled
CONTRADICTORY = (("divergence", "buying_intent"), ("divergence", "objection:resolved"),
                 ("objection:raised", "objection:resolved"), ("resistance", "objection:resolved"))
MID_CUES = re.compile(r"\[[^\]]*\]")  # cues written inside a turn's words


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
    yield from gt.get("signals", {}).get("behavioral", {}).get("disfluencies", [])
    for t in gt.get("objection_triples", []):
        for k in ("raised", "resolution"):
            if t.get(k):
                yield t[k]
    for p in gt.get("participants", []):  # the words that showed a persona
        for x in (p.get("persona") or p.get("persona_unclassified") or {}).get("shown", []):
            if "start" in x:
                yield x


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
    # a planned moment is said: its words are located (a moment whose words were not written has no quote)
    out += [("E0704", f"the planned moment `{m.get('id')}` at turn {m.get('turn')} has no located words")
            for m in gt.get("moments", []) if "start" not in m]
    out += _contradictions(gt)
    out += _personas(call, gt, turns)
    if turns is not None:  # a contact-center call too: its fees, amounts and next steps are labelled alike
        out += _unlabelled(call, gt, turns, competitors)
        out += _unlabelled_fillers(call, gt, turns)
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
        if s["type"] == "objection" and s.get("key") is None:
            out[s["turn"]].add("resistance")  # pushback voiced in passing, no planned arc's
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


def _personas(call: Call, gt: dict[str, Any], turns=None) -> list[tuple[str, str]]:
    """A classification cites at least MIN_SHOWN of the participant's own
    substantive turns, each with what showed the persona there (`shown`), and
    the rationale says exactly those turns; what each item claims holds in the
    transcript: a question is asked, a signal or beat is labelled there, a cue
    is written, a turn's length is what the rationale says against the median
    of the buyers' turns, counted here from the transcript."""
    from corpusc.render.template.traits import LONG_FACTOR, MIN_SHOWN, SHORT_FACTOR, beat_ritual, ritual_turns
    out = []
    speakers = {i: call.participants[k].id for i, k in enumerate(call.speakers)}
    sides = {i: call.participants[k].side for i, k in enumerate(call.speakers)}
    chit = ritual_turns(call.beats, len(turns) if turns is not None else len(call.speakers))
    surface = gt.get("signals", {}).get("surface", [])
    steps = gt.get("objection_steps", [])
    counts = [len(MID_CUES.sub(" ", t[2]).split()) for t in turns] if turns is not None else None
    if counts is not None:
        ritual = beat_ritual(call.beats)
        lengths = sorted(n for i, n in enumerate(counts) if sides.get(i) != "seller" and i not in ritual)
        median = lengths[len(lengths) // 2] if lengths else 0
    for p in gt.get("participants", []):
        per = p.get("persona")
        if not per:
            continue
        pid, cited = p["id"], per.get("evidence_turns", [])
        if len(set(cited)) < MIN_SHOWN:
            out.append(("E0710", f"the persona of `{pid}` is classified from {len(set(cited))} turn(s) that "
                                 f"show it; a classification cites {MIN_SHOWN}"))
        bad = [t for t in cited if speakers.get(t) != pid or t in chit]
        if bad:
            out.append(("E0710", f"the persona of `{pid}` cites turn(s) {bad} that are not their own "
                                 "substantive turns"))
        shown = per.get("shown", [])
        said = {int(n) for g in re.findall(r"\(turns? ([\d, and]+)\)", per.get("rationale", ""))
                for n in re.findall(r"\d+", g)}
        if {x["turn"] for x in shown} != set(cited) or said != set(cited):
            out.append(("E0710", f"the persona of `{pid}` cites turns {sorted(set(cited))}; what showed is located "
                                 f"at {sorted({x['turn'] for x in shown})}, the rationale names {sorted(said)}"))
        for x in shown:
            if x["shows"] not in per.get("rationale", ""):
                out.append(("E0710", f"the rationale of `{pid}` does not say \"{x['shows']}\" (turn {x['turn']})"))
            why = _disagrees(x, pid, surface, steps, turns, counts, median if counts is not None else 0,
                             SHORT_FACTOR, LONG_FACTOR)
            if why:
                out.append(("E0710", f"the persona of `{pid}` cites turn {x['turn']} for \"{x['shows']}\", "
                                     f"but {why}"))
    return out


def _disagrees(x, pid, surface, steps, turns, counts, median, short, long) -> str | None:
    """Why an item of what showed a persona does not hold in its turn, or None."""
    t, kind, key = x["turn"], x["kind"], x.get("key")
    if kind == "signal" and not any(s["type"] == key and s.get("speaker") == pid and s["turn"] == t for s in surface):
        return f"no `{key}` label of theirs is there"
    if kind == "beat":
        beat, _, arg = key.partition(":")
        if beat.startswith("objection_") and not any(o["turn"] == t and o.get("objection") == arg for o in steps):
            return f"no `{arg}` objection step is there"
        want = {"buying_signal": "buying_intent", "competitor_mention": "competitor_mention"}.get(beat)
        if want and not any(s["type"] == want and s["turn"] == t for s in surface):
            return f"no `{want}` label is there"
    if turns is None or t >= len(turns):
        return None
    _, cues, text, _ = turns[t]
    if kind in ("question", "questions") and "?" not in (x.get("quote") if kind == "question" else text):
        return "no question is asked there"
    if kind == "hesitation" and "hesitant" not in cues:
        return "the turn is not cued hesitant"
    if kind == "pause" and not any(re.fullmatch(r"([\d.]+)s pause", c) and float(c[:-7]) == x["seconds"]
                                   for c in cues):
        return f"the turn has no {x['seconds']:g}s pause"
    if kind in ("short", "long"):
        n = counts[t]
        if n != x["words"] or median != x["median"]:
            return f"the turn has {n} words against a median of {median}"
        if (kind == "short" and n > median * short) or (kind == "long" and n < median * long):
            return f"{n} words are not {'short' if kind == 'short' else 'long'} against a median of {median}"
    return None


def _unlabelled(call: Call, gt: dict[str, Any], turns, competitors) -> list[tuple[str, str]]:
    loc = bank_locale(call.locale)
    rx = names_pattern(competitors)
    extra = {"competitor": rx} if rx is not None else None
    spans: dict[int, list[tuple[str, int, int]]] = {}
    for s in gt.get("signals", {}).get("surface", []):
        typ = "competitor" if s["type"] == "competitor_mention" else s["type"]
        spans.setdefault(s["turn"], []).append((typ, s["start"], s["end"]))
    # a false start's words are said again right after it ("Should signature— should signature take longer"):
    # the sentence reads as its words said once, the fragment left out (blanked, so offsets hold)
    starts: dict[int, list[tuple[int, int]]] = {}
    for x in gt.get("signals", {}).get("behavioral", {}).get("disfluencies", []):
        if x.get("kind") == "false_start":
            starts.setdefault(x["turn"], []).append((x["start"], x["end"]))
    out = []
    for i, (_, _, words, base) in enumerate(turns):
        have = spans.get(i, [])
        side = call.participants[call.speakers[i]].side if i < len(call.speakers) else None
        for s0, e0 in starts.get(i, ()):
            if base <= s0 and e0 <= base + len(words):
                words = words[:s0 - base] + " " * (e0 - s0) + words[e0 - base:]
        for cat, a, b in read_signals(loc, words, side, extra, scope_of(call)):
            if not any(t == cat and s < base + b and base + a < e for t, s, e in have):
                out.append(("E0707", f"turn {i}: \"{words[a:b].strip()[:70]}\" reads as {cat} "
                                     "but no label covers it"))
    return out


def _unlabelled_fillers(call: Call, gt: dict[str, Any], turns) -> list[tuple[str, str]]:
    """Every filler of the locale's lexicon (`fillers` of its lexicon.json) the
    transcript says, covered by a `filler` disfluency: a pipeline counting
    hesitations is scored against all of them, the ones a sentence was drawn
    with ("Tja, ...") as much as the ones the dynamics put in."""
    pat = filler_pattern(bank_locale(call.locale))
    if pat is None:
        return []
    have = [(x["start"], x["end"]) for x in gt.get("signals", {}).get("behavioral", {}).get("disfluencies", [])
            if x.get("kind") == "filler"]
    out = []
    for i, (_, _, words, base) in enumerate(turns):
        for m in pat.finditer(words):
            a, b = base + m.start(), base + m.end()
            if not any(s < b and a < e for s, e in have):
                out.append(("E0716", f"turn {i}: \"{m.group(0)}\" is a filler and no disfluency label covers it"))
    return out
