"""`corpusc verify DIR`: re-derive the plan from the spec the manifest names and
check the outputs against it — files and hashes, ground-truth offsets, every
planned speaker, beat and cue, the divergence ratio and every requirement on the
realized corpus. Collects every problem; never stops at the first."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from corpusc.plan import planner as planmod
from corpusc.diagnostics.model import Sink, Span
from corpusc.plan.model import Call
from corpusc.render.cues import PAUSE as PAUSE_CUE
from corpusc.render.cues import SILENCE_DETECTED_SEC, silence_seconds

from corpusc.builder import manifest
from corpusc.builder.audit import audit_call, located
from corpusc.render.template.signals import competitor_names

AUDIT_HELP = {
    "E0703": "the transcript or the ground truth was altered after the build",
    "E0704": "the renderer did not write the planned moment's words (or did not tag them), or the ground truth "
             "was altered",
    "E0707": "declare the phrase-bank key (or template) that wrote it in stdlib/phrases/signal_keys.json, "
             "or do not write a sentence that reads as a signal it is not (docs/ground_truth.md)",
    "E0708": "the plan scheduled both on one turn; plan/planner.py keeps them apart",
    "E0709": "the renderer did not tag the step's sentence, or the ground truth was altered",
    "E0710": "a persona is classified from at least two turns that show it, as its rationale says",
    "E0716": "the renderer labels every filler its sentences say (render/template/lexicon.py filler_pattern); "
             "the ground truth was altered, or a bank's filler is missing from the lexicon's `fillers`",
}

MID_CUE = re.compile(r"(?<= )\[([^\]]+)\] ")
LINE = re.compile(r"^(?P<name>[^:\n]+): (?P<cues>(?:\[[^\]]+\] )*)(?P<text>.*)$")
MAX_PER_CODE = 50
CUT_OFF = "—"  # a turn that ends in this broke off (render/template/dynamics.py `_break_off`)
CUT_OFF_RUN_SEC = 2.0  # a broken-off turn ends at most this long after the turn that stopped it starts


def _at(path: Path | str, line: int = 1, col: int = 1) -> Span:
    return Span.point(str(path), line, col)


def verify(out: Path, sink: Sink) -> dict[str, Any]:
    """Returns a summary; problems go to `sink`."""
    from corpusc.builder.compile import compile_spec
    from corpusc.plan.requirements import evaluate
    summary: dict[str, Any] = {"calls": 0, "files": 0}
    doc = manifest.read(out)
    mpath = out / manifest.MANIFEST
    if not doc.get("calls") or "spec" not in doc:
        sink.add("E0705", f"no usable manifest.json in `{out}`", _at(mpath),
                 help="point verify at a directory written by `corpusc build`")
        return summary
    spec = (out / doc["spec"]).resolve() if not os.path.isabs(doc["spec"]) else Path(doc["spec"])
    csink = Sink()
    compiled = compile_spec(os.path.relpath(spec), csink)
    if compiled.program is None or csink.errors:
        sink.add("E0705", f"the spec `{doc['spec']}` named by the manifest does not compile", _at(mpath),
                 help="run `corpusc check` on it", notes=[d.message for d in csink.errors[:5]])
        return summary
    if compiled.spec_hash != doc.get("spec_hash"):
        sink.add("E0706", "the spec changed since this corpus was built", _at(mpath),
                 help="rebuild with `corpusc build` to bring the outputs up to date")
    prog = compiled.program
    counts: dict[str, int] = {}

    def add(code: str, msg: str, span: Span, **kw) -> None:
        counts[code] = counts.get(code, 0) + 1
        if counts[code] <= MAX_PER_CODE:
            sink.add(code, msg, span, **kw)

    # every recorded file is present with its hash
    for rel, sha in (doc.get("files") or {}).items():
        _check_file(out, rel, sha, add)
    realized: list[Call] = []
    calls_entries = doc["calls"]
    pops = {p.name: p for p in prog.populations}
    header = planmod.header(prog, compiled.spec_hash)
    for call in planmod.calls(prog):
        entry = calls_entries.get(call.id)
        summary["calls"] += 1
        if entry is None:
            add("E0701", f"call `{call.id}` of the plan has no outputs", _at(mpath),
                help="rebuild: `corpusc build` renders only what is missing")
            continue
        ok = True
        for rel, sha in entry.get("files", {}).items():
            summary["files"] += 1
            ok &= _check_file(out, rel, sha, add)
        realized.append(_check_call(out, call, entry, add, competitor_names(header, call)) if ok else call)
        _verify_audio(out, call, entry, add, summary)
        if ok and call.population:
            _check_metadata(out, call, entry, add, pops.get(call.population))
    # requirements and the divergence ratio on the realized corpus
    results = evaluate(prog, header, iter(realized))
    for r in results:
        if not r.passed and r.severity == "require":
            add("E0704", f"requirement not met by the rendered corpus: {r.title}", _at(mpath),
                label=f"measured {r.measured}", help=r.missing)
    moments = [m for c in realized for m in c.moments]
    if moments:
        want = int(prog.corpus.divergence * len(moments) + 0.5)
        got = sum(m.divergent for m in moments)
        summary["divergence"] = f"{got}/{len(moments)}"
        if got != want:
            add("E0704", f"{got} of {len(moments)} realized moments are divergent; the plan has {want}",
                _at(mpath), help="the transcripts or ground truth were altered after the build")
    summary["requirements"] = f"{sum(r.passed for r in results)}/{len(results)}"
    return summary


def _verify_audio(out: Path, call: Call, entry: dict, add, summary: dict[str, Any]) -> None:
    """The call's audio against its timeline (duration, energy, pauses, overlaps)."""
    from corpusc.backends.audio.check import check_call
    stats = check_call(out, call.id, entry.get("files", {}), add)
    if stats is not None:
        summary["audio_minutes"] = round(summary.get("audio_minutes", 0.0) + stats["seconds"] / 60, 2)


def _check_metadata(out: Path, call: Call, entry: dict, add, pop) -> None:
    """A population call's metadata as its files record it against what the
    call realized: `duration_sec` is the rendered length (the audio's when
    there is audio) within 1 s, the agent speaks the call's language,
    escalation, device and product agree with the scenario, channel and intent
    (plan.population.joint_rules), FCR with the scenario, sentiment with a
    complaint or escalation, and the team with the intent's routes (plan.population)."""
    from corpusc.plan.population import (JOINT_EXCLUDED, MOOD_NEGATIVE, joint_rules, misrouted, negative_call,
                                         nps_bound, plot_rules)
    files = entry.get("files", {})
    meta, where, events = None, None, None
    for rel in (f"ground_truth/{call.id}.json", f"audio/{call.id}.wav.json"):
        if rel in files:
            doc = json.loads((out / rel).read_text(encoding="utf-8"))
            meta, where = (doc.get("metadata") if "metadata" in doc and "C1" not in doc else doc.get("C1")), rel
            events = doc.get("events") if isinstance(doc.get("events"), list) else None
            break
    if not isinstance(meta, dict):
        return
    length, turns = None, None
    for rel in (f"audio/{call.id}.timeline.json", f"transcripts/{call.id}.json"):
        if rel in files:
            doc = json.loads((out / rel).read_text(encoding="utf-8"))
            length, turns = doc.get("duration"), doc.get("turns")
            break
    span = _at(out / where)
    if isinstance(turns, list):
        _check_events(meta, turns, where, span, add, length if isinstance(length, (int, float)) else None)
    dur = meta.get("duration_sec")
    if isinstance(dur, (int, float)) and isinstance(length, (int, float)) and abs(dur - length) > 1.0:
        add("E0704", f"`{where}` says duration_sec {dur}; the call as rendered lasts {length:.1f} s", span,
            help="duration_sec must be the rendered length (backends/header.realized)")
    agent = pop.agents.get(str(meta.get("agent"))) if pop is not None and pop.agents else None
    if agent is not None and agent.languages and call.locale not in agent.languages:
        add("E0704", f"`{where}`: agent `{agent.name}` does not speak {call.locale}, the call's language", span)
    for field, (lead, rule) in joint_rules(pop.domain if pop is not None else None).items():
        value, led = meta.get(field), meta.get(lead)
        # a spec with its own values for the field is not judged
        known = set().union(*rule.values()) | JOINT_EXCLUDED.get(field, frozenset())
        if value in known and led in rule and value not in rule[led]:
            add("E0704", f"`{where}`: {field} `{value}` contradicts {lead} `{led}` the dialogue plays", span)
    if pop is not None and misrouted(pop, meta, call.locale, call.time):
        add("E0704", f"`{where}`: intent `{meta.get('intent')}` went to team `{meta.get('team')}` while an agent "
            "of its teams was on shift", span, help="stdlib/domains/plot.json routes an intent to its teams (`routes`)")
    scen = meta.get("scenario")
    fcr = plot_rules(pop.domain if pop is not None else None).fcr_of_scenario.get(scen) if isinstance(scen, str) \
        else None
    if fcr is not None and isinstance(meta.get("FCR"), bool) and meta["FCR"] is not fcr:
        add("E0704", f"`{where}`: FCR {meta['FCR']} contradicts scenario `{scen}` the dialogue plays", span,
            help="plan/population.py sets FCR from the scenario (`fcr_of_scenario`, stdlib/domains/plot.json)")
    if fcr is not None and meta.get("FCR") is True and events is not None and not any(
            e.get("type") == "outcome" and e.get("key") == scen for e in events):
        # a resolved call says what resolves the request (a short call too: `min_turns` of stdlib/domains/plot.json)
        add("E0704", f"`{where}`: FCR true, but no sentence resolves the request (no `outcome` `{scen}` event)", span,
            help="the renderer labels the scenario's outcome step (render/template/service.py `outcome`)")
    s = meta.get("sentiment_score")
    if isinstance(s, (int, float)) and not isinstance(s, bool) and negative_call(meta) and s >= MOOD_NEGATIVE:
        add("E0704", f"`{where}`: sentiment_score {s} for a call that plays a complaint or an escalation", span,
            help="plan/population.py moves such a call's sentiment below MOOD_NEGATIVE (its caller speaks upset)")
    nps = nps_bound(meta, plot_rules(pop.domain if pop is not None else None))
    if nps is not None and nps != meta.get("NPS_score"):
        add("E0704", f"`{where}`: NPS_score {meta.get('NPS_score')} contradicts the call's sentiment {s} and FCR "
            f"{meta.get('FCR')}", span, help="plan/population.py keeps NPS in the band of `nps_bounds` (stdlib/domains/plot.json)")


_WAIT = re.compile(r"^(hold|silence) ([0-9.]+)s$")


def _check_events(meta: dict, turns: list[dict], where: str, span, add, length: float | None = None) -> None:
    """The metadata's counted events against the turns that realize them: the
    hold's seconds are the `hold Ns` gaps (within 0.15 s: the gaps are
    written in tenths), a chat's silence its `silence` waits, a voice call's
    its dead air as timed (`silence_seconds`), `Silence_ratio` that silence
    over the call's `length`, the interruption count the turns cued
    INTERRUPTS."""
    from corpusc.plan.population import SILENCE_MAX_SEC
    waits = {"hold": 0.0, "silence": 0.0}
    cut = 0
    longest = 0.0
    for t in turns:
        cues = t.get("cues") if "cues" in t else t.get("annotations") or []
        # a chat's waits are data beside its messages (transcript JSON `waits`), not annotations
        cues = list(cues) + [f"{w['kind']} {w['seconds']}s" for w in t.get("waits") or () if isinstance(w, dict)]
        for c in cues:
            m = _WAIT.match(str(c))
            if m:
                waits[m.group(1)] += float(m.group(2))
                if m.group(1) == "silence":
                    longest = max(longest, float(m.group(2)))
        cut += "INTERRUPTS" in cues
    voice = meta.get("channel") != "text" and not any(t.get("waits") for t in turns)
    heard = silence_seconds([(float(t.get("start") or 0), float(t.get("end") or 0),
                              t.get("cues") if "cues" in t else t.get("annotations") or []) for t in turns])
    for field, kind in (("Hold_time", "hold"), ("Silence_total_seconds", "silence")):
        v = meta.get(field)
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            continue
        if kind == "silence" and voice:
            # a voice call's silence is its dead air as timed (`silence_seconds`: every stretch of 2 s and
            # more without speech or hold music), the audio's when there is audio
            if abs(v - heard) > 0.01:
                add("E0704", f"`{where}` says {field} {v}; the call's stretches without speech or hold music of "
                    f"{SILENCE_DETECTED_SEC:.0f} s and more add up to {heard:.3f} s", span,
                    help="backends/header.realized measures it from the rendered timing")
        elif abs(round(v, 1) - waits[kind]) > 0.15:
            add("E0704", f"`{where}` says {field} {v}; the call's {kind} gaps add up to {waits[kind]:.1f} s", span,
                help="the renderer writes the planned hold and silences as gaps (render/template/service.py)")
    ratio, sil = meta.get("Silence_ratio"), meta.get("Silence_total_seconds")
    if length and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (ratio, sil, length)) and \
            abs(ratio - min(100.0, 100.0 * sil / length)) > 0.01:
        add("E0704", f"`{where}` says Silence_ratio {ratio}; its {sil} s of silence are "
            f"{100.0 * sil / length:.3f} % of the call's {length:.3f} s", span,
            help="Silence_ratio is Silence_total_seconds over the rendered length (backends/header.realized)")
    if longest > SILENCE_MAX_SEC + 0.05:
        add("E0704", f"`{where}` has an unexplained silence of {longest:.1f} s (at most {SILENCE_MAX_SEC:.0f} s)",
            span, help="the plan leaves no more silence than pauses before caller turns hold (plan/population.py)")
    n = meta.get("Interruptions_count")
    if isinstance(n, int) and not isinstance(n, bool) and n != cut:
        add("E0704", f"`{where}` says Interruptions_count {n}; {cut} turns of the call interrupt", span,
            help="the dynamics realize the planned count (render/template/dynamics.py)")


def _check_file(out: Path, rel: str, sha: str, add) -> bool:
    p = out / rel
    if not p.is_file():
        add("E0701", f"`{rel}` is missing", _at(p), help="rebuild with `corpusc build`")
        return False
    if manifest.sha256_file(p) != sha:
        add("E0702", f"`{rel}` does not match the sha256 recorded in manifest.json", _at(p),
            help="the file was changed after the build; rebuild to restore it")
        return False
    return True


def read_txt(path: Path) -> list[tuple[str, list[str], str, int]]:
    """(name, cues, text, offset of text) per turn line of a txt transcript."""
    out = []
    data = path.read_text(encoding="utf-8")
    off = 0
    started = False
    for line in data.split("\n"):
        if not started:
            if line == "":
                started = True
            off += len(line) + 1
            continue
        m = LINE.match(line)
        if m:
            # the cues that open the turn, then those written mid-turn before the words they annotate
            cues = re.findall(r"\[([^\]]+)\]", m.group("cues")) + MID_CUE.findall(m.group("text"))
            out.append((m.group("name"), cues, m.group("text"), off + m.start("text")))
        off += len(line) + 1
    return out


def _check_call(out: Path, call: Call, entry: dict, add, names: list[str] = ()) -> Call:
    """Check one call's transcript and ground truth; return the call as realized."""
    files = entry.get("files", {})
    txt_rel = f"transcripts/{call.id}.txt"
    gt_rel = f"ground_truth/{call.id}.json"
    turns = None
    if txt_rel in files:
        turns = read_txt(out / txt_rel)
        tpath = out / txt_rel
        if len(turns) != len(call.speakers):
            add("E0704", f"`{txt_rel}` has {len(turns)} turns; the plan has {len(call.speakers)}", _at(tpath))
        names = [call.participants[i].name for i in call.speakers]
        moment_at = {m.turn: m for m in call.moments}
        moment_at.update({x.turn: x for x in call.colour if x.cues})  # colour cues: planned, never divergent
        for i, (name, cues, text, _) in enumerate(turns[:len(names)]):
            if name != names[i]:
                add("E0704", f"turn {i} of `{txt_rel}` is spoken by `{name}`; the plan says `{names[i]}`",
                    _at(tpath))
            m = moment_at.get(i)
            want = m.cues if m else []
            # events of the call the renderer times (holds, silences, interruptions, long pauses) are not planned cues
            cues = [c for c in cues if c in want or not (c.startswith(("hold ", "silence ")) or c == "INTERRUPTS"
                                                          or (not want and PAUSE_CUE.match(c)))]
            if cues != want:
                add("E0704", f"turn {i} of `{txt_rel}` carries cues {cues}; the plan has {want}", _at(tpath),
                    help="every planned cue must appear, and no others")
    divergent: dict[str, bool] = {}
    if gt_rel in files:
        gpath = out / gt_rel
        try:
            gt = json.loads(gpath.read_text(encoding="utf-8"))
        except ValueError:
            add("E0703", f"`{gt_rel}` is not valid JSON", _at(gpath))
            return call
        text = (out / txt_rel).read_text(encoding="utf-8") if txt_rel in files else None
        if text is None:  # its offsets would point into nothing a user has
            add("E0704", f"`{gt_rel}` locates its labels in `{txt_rel}`, which this build did not write", _at(gpath),
                help="add `txt` to the `formats` of `emit transcripts`")
        for code, msg in audit_call(call, gt, text, turns, names):
            add(code, f"`{gt_rel}`: {msg}", _at(gpath), help=AUDIT_HELP[code])
        for it in located(gt):
            if text is None or "start" not in it or text[it["start"]:it["end"]] != it.get("quote"):
                continue
            if turns is not None and not (turns[it["turn"]][3] <= it["start"] <= it["end"] <=
                                          turns[it["turn"]][3] + len(turns[it["turn"]][2])):
                add("E0703", f"`{gt_rel}`: a signal of turn {it['turn']} points outside that turn", _at(gpath))
        tjson = out / f"transcripts/{call.id}.json"
        if f"transcripts/{call.id}.json" in files:
            try:
                timed = json.loads(tjson.read_text(encoding="utf-8")).get("turns", [])
            except ValueError:
                timed = []
            for msg in check_overlaps(gt, timed) + check_pauses(gt, timed, call.medium == "chat"):
                add("E0704", f"`{gt_rel}`: {msg}", _at(gpath), help="the ground truth and the transcript's "
                    "timings disagree: rebuild the call")
        elif f"audio/{call.id}.timeline.json" in files:  # no transcript JSON: the audio's timeline times the turns
            try:
                timed = json.loads((out / f"audio/{call.id}.timeline.json").read_text(encoding="utf-8")).get("turns", [])
            except ValueError:
                timed = []
            for msg in check_pauses(gt, timed, call.medium == "chat"):
                add("E0704", f"`{gt_rel}`: {msg}", _at(gpath), help="the ground truth and the audio's timeline "
                    "disagree: rebuild the call")
        planned_beats = {(b.kind, b.key, b.turn) for b in call.beats if b.kind in
                         ("objection_raised", "objection_reopened", "competitor_mention", "buying_signal")}
        kinds = {"objection": ("objection_raised", "objection_reopened"), "competitor_mention": ("competitor_mention",),
                 "buying_intent": ("buying_signal",)}
        found = set()
        for s in gt.get("signals", {}).get("surface", []):
            for k in kinds.get(s.get("type"), ()):
                found.add((k, s.get("key"), s.get("turn")))
        for b in planned_beats - found:
            add("E0704", f"`{gt_rel}` lacks the planned {b[0]} `{b[1]}` at turn {b[2]}", _at(gpath))
        for m in gt.get("moments", []):
            divergent[m["id"]] = not m.get("congruent", True)
    if divergent:
        moments = [m.model_copy(update={"divergent": divergent.get(m.id, m.divergent)}) for m in call.moments]
        return call.model_copy(update={"moments": moments})
    return call


def check_pauses(gt: dict[str, Any], timed: list[dict[str, Any]], chat: bool = False) -> list[str]:
    """Every silence of `LONG_PAUSE` or more between turns of the transcript's
    timings (from the latest end so far to the next start: time nobody
    speaks) is a long pause of the ground truth, at its turn and for its
    seconds (within 1.5 ms), listed in `pauses` too; and every long pause
    listed is such a silence. A chat's gaps (`chat`: the plan's medium) are
    waits, reply latency, and only a chat's are: no speech pause in a chat,
    no `wait` in a voice call."""
    from corpusc.backends.ground_truth import LONG_PAUSE
    out: list[str] = []
    beh = gt.get("signals", {}).get("behavioral", {})
    listed = {x.get("turn"): x for x in beh.get("long_pauses", []) if isinstance(x, dict)}
    all_pauses = {(x.get("turn"), x.get("seconds")) for x in beh.get("pauses", []) if isinstance(x, dict)}
    real: dict[int, float] = {}
    reach = None
    for i, t in enumerate(timed):
        try:
            a, b = round(float(t["start"]) * 1000), round(float(t["end"]) * 1000)
        except (KeyError, TypeError, ValueError):
            return out + [f"turn {i} of the transcript has no timing"]
        if reach is not None and a - reach >= LONG_PAUSE * 1000:
            real[i] = (a - reach) / 1000
        reach = b if reach is None else max(reach, b)
    for i, sec in real.items():
        x = listed.get(i)
        if x is None:
            out.append(f"turn {i} follows a silence of {sec:.3f} s that long_pauses does not list")
        elif not isinstance(x.get("seconds"), (int, float)) or abs(x["seconds"] - sec) > 0.0015:
            out.append(f"the long pause before turn {i} lasts {x.get('seconds')} s; the timings leave {sec:.3f} s")
        elif (i, x.get("seconds")) not in all_pauses:
            out.append(f"the long pause before turn {i} is not among the call's pauses")
    for x in beh.get("pauses", []):
        if isinstance(x, dict) and (x.get("kind") == "wait") != chat:
            out.append(f"the gap before turn {x.get('turn')} of a {'chat' if chat else 'voice call'} is of kind "
                       f"`{x.get('kind')}`; a chat's gaps are waits and only a chat's are")
    for i in listed:
        if i not in real and not (i == 0 and listed[i].get("cue")):  # a cued wait before the first words
            out.append(f"long_pauses lists a pause before turn {i}; the timings leave no silence of "
                       f"{LONG_PAUSE:g} s there")
    return out


def check_overlaps(gt: dict[str, Any], timed: list[dict[str, Any]]) -> list[str]:
    """The overlaps and interruptions of a call's ground truth against its
    transcript's timings and text: each overlap's `seconds` is how long the
    two turns' times share; a backchannel leaves the speaker talking (their
    turn is not cut off, nothing is resumed); a turn that ends cut off ("—")
    is the turn of an interruption and stops within `CUT_OFF_RUN_SEC` of it."""
    out: list[str] = []
    beh = gt.get("signals", {}).get("behavioral", {})
    n = len(timed)
    interrupted = {x.get("turn"): x for x in beh.get("interruptions", [])}
    for o in beh.get("overlaps", []):
        i, j = o.get("turn"), o.get("over_turn")
        if not (isinstance(i, int) and isinstance(j, int) and 0 <= j < i < n):
            out.append(f"overlap of turn {i} over turn {j} names no turns of the transcript")
            continue
        a, b = timed[i], timed[j]
        real = round(max(0.0, min(a["end"], b["end"]) - a["start"]), 3)
        if abs(real - float(o.get("seconds", 0))) > 0.0015:
            out.append(f"turn {i} overlaps turn {j} for {o.get('seconds')} s; their timings share {real} s")
        if o.get("kind") == "backchannel" and (b["text"].rstrip().endswith(CUT_OFF) or i in interrupted):
            out.append(f"turn {j} breaks off at turn {i}, which is labelled a backchannel, not an interruption")
    for x in interrupted.values():
        if x.get("kind") not in ("cut_in", "interjection"):
            out.append(f"turn {x.get('turn')} is an interruption of kind `{x.get('kind')}`")
    for j, t in enumerate(timed[:-1]):
        if not t["text"].rstrip().endswith(CUT_OFF):
            continue
        if j + 1 not in interrupted:
            out.append(f"turn {j} ends cut off (\"…{t['text'][-30:]}\") but no interruption of it is labelled")
        elif t["end"] - timed[j + 1]["start"] > CUT_OFF_RUN_SEC:
            out.append(f"turn {j} ends cut off but runs on {t['end'] - timed[j + 1]['start']:.1f} s after "
                       f"turn {j + 1} cuts in")
    return out
