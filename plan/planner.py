"""Plan: the fully resolved, deterministic execution plan.

Each entity draws from its own stream keyed by its qualified name, so adding an
account changes no other account's calls. The divergence quota is corpus-wide
and exact: per-account quotas by largest remainder, then the account's own
stream picks which of its moments diverge. Words and cues come from shared
pools either way: a moment diverges because its cues have the other valence
than its words, never because of which words or cues it has.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator, NamedTuple

from corpusc import __version__

from corpusc.compiler import program as P
from corpusc.compiler.check import EXTENDED_FROM
from corpusc.plan import rng
from corpusc.plan.clock import local_times
from corpusc.diagnostics.model import Sink
from corpusc.plan.model import (AccountPlan, ArcPlan, Beat, Call, Colour, Header, Moment, ObjectionStep, Participant, PopulationPlan, Reference, Summary)

# One pool of cue sets per valence, shared by congruent and divergent moments:
# a cue set says nothing about divergence until it meets the words it annotates.
POSITIVE_CUES = (["enthusiastic"], ["confident"], ["enthusiastic", "lean_forward"], ["confident", "note_taking"],
                 ["enthusiastic", "INTERRUPTS"], ["energy: HIGH"], ["enthusiastic", "energy: HIGH"])
NEGATIVE_CUES = (["hesitant"], ["hesitant", "energy: LOW"], ["hesitant", "pitch: FALLING"],
                 ["energy: LOW", "pitch: FALLING"], ["1.8s pause", "hesitant"], ["2.1s pause", "energy: LOW"],
                 ["energy: LOW"], ["1.6s pause", "pitch: FALLING"])
# cues on plain words (colour): a rep's assured explanation, a buyer thinking before an answer
NEUTRAL_CUES = {"seller": (["confident"], ["confident"], ["1.2s pause"], ["note_taking"]),
                "buyer": (["1.5s pause"], ["confident"], ["hesitant"], ["note_taking"], ["2.0s pause"])}
# colour kinds (tone, cue valence) and their weights: positive words with no cue,
# enthusiastic agreement, congruent hesitation, a cue on plain words
COLOUR_KINDS = ((("positive", None), 3), (("positive", "positive"), 2), (("negative", "negative"), 2),
                (("neutral", "neutral"), 3))
MID_SHARE = 0.4  # share of moments (and colour) whose cues sit mid-turn, before the moment's words
VIDEO_ONLY = {"lean_forward", "note_taking"}
CONTRARY_TO_CONCERN = {"buying_signal", "objection_resolved"}  # beats a divergent moment must not share a turn with
STAGE_WORK = {"discovery": "discovery", "evaluation": "demo", "negotiation": "terms", "close": "signoff"}


def header(prog: P.Program, shash: str) -> Header:
    used_personas = {s.persona for a in prog.accounts for s in a.stakeholders}
    used_objections = {x.objection for a in prog.accounts for x in a.arcs} | \
        {c for a in prog.accounts for s in a.stakeholders for c in s.concerns}
    used_industries = {a.industry for a in prog.accounts} | {p.domain for p in prog.populations if p.domain}
    used_scenarios = {x.value for p in prog.populations for c in p.categoricals if c.field == "scenario"
                      for x in c.categories}
    accounts = []
    for a in prog.accounts:
        arcs = []
        for i, arc in enumerate(a.arcs):
            last = arc.steps[-1].step if arc.steps else "raised"
            outcome = "resolved" if last == "resolved" else "stalled" if last == "stalled" else "open"
            arcs.append(ArcPlan(id=_arc_id(a, i, arc), objection=arc.objection, by=arc.by,
                                steps=[{"step": s.step, "call": _call_id(a.name, s.call) if s.call else None}
                                       for s in arc.steps], outcome=outcome))
        accounts.append(AccountPlan(
            name=a.name, display=a.display, size=a.size, employees=a.employees, industry=a.industry,
            region=a.region, outcome=a.outcome, trajectory=a.trajectory, competitors=a.competitors,
            deal_value=a.deal_value,
            stakeholders=[s.model_dump() for s in a.stakeholders],
            calls=[_call_id(a.name, c.name) for c in a.calls], arcs=arcs, description=a.description))
    pops = [PopulationPlan(name=p.name, count=p.count, window_start=p.window_start, window_end=p.window_end,
                           timezone=p.timezone, hours=list(p.hours), peak=p.peak, domain=p.domain,
                           locale=p.locale, sampling=p.sampling,
                           categoricals={c.field: {x.value: x.weight for x in c.categories} for c in p.categoricals},
                           fields=[f.name for f in p.fields])
            for p in prog.populations]
    return Header(
        corpusc_version=__version__, spec_hash=shash,
        corpus=prog.corpus.model_dump(mode="json"),
        personas={k: v.model_dump(mode="json") for k, v in sorted(prog.personas.items()) if k in used_personas},
        objections={k: v.model_dump(mode="json") for k, v in sorted(prog.objections.items()) if k in used_objections},
        industries={k: v.model_dump(mode="json") for k, v in sorted(prog.industries.items()) if k in used_industries},
        stages={k: v.model_dump(mode="json") for k, v in sorted(prog.stages.items())},
        scenarios={k: v.model_dump(mode="json") for k, v in sorted(prog.scenarios.items()) if k in used_scenarios},
        reps=[r.model_dump(mode="json") for r in prog.reps.values()],
        accounts=accounts, populations=pops, emits=[{**e.model_dump(mode="json"), "options": e.portable_options()} for e in prog.emits])


def _call_id(account: str, call: str) -> str:
    return f"{account}.{call}"


def _arc_id(a: P.Account, i: int, arc: P.Arc) -> str:
    return f"{a.name}.arc{i + 1}.{arc.objection}"


# ---- sales calls ---------------------------------------------------------------

class Quota(NamedTuple):
    """An account's divergent moments: how many, and how many of them with
    positive words (the rest negative words)."""
    total: int
    positive: int


NO_QUOTA = Quota(0, 0)


def divergent_quotas(prog: P.Program, sink: Sink | None = None) -> dict[str, Quota]:
    """Exact corpus-wide divergence, split over accounts by largest remainder,
    and over the two polarities of the words corpus-wide: half with positive
    words, half with negative, each account's share by cumulative rounding in
    the same order (an account's odd count alternates). Split inside each
    account, a small quota went to the polarity with more eligible moments
    (negative words: a buying signal or a resolution may not diverge), so
    sales_pov diverged on 6-7 of its 12 negative moments and 2-3 of its 17
    positive ones, and its checklist's "at least 3 positive words, negative
    cues" failed on 6 seeds of 41."""
    counts = {a.name: sum(c.moment_count() for c in a.calls) for a in prog.accounts}
    totals: dict[str, int] = {}
    shared = [a for a in prog.accounts if a.divergence is None]
    for a in prog.accounts:
        if a.divergence is not None:
            totals[a.name] = int(a.divergence * counts[a.name] + 0.5)
    total = sum(counts[a.name] for a in shared)
    want = int(prog.corpus.divergence * total + 0.5)
    order = sorted(prog.accounts, key=lambda a: rng.stable_hash(str(prog.corpus.seed), a.name))
    if shared and total:
        ordered = [a for a in order if a.divergence is None]
        parts = rng.apportion(want, [counts[a.name] for a in ordered])
        for a, q in zip(ordered, parts):
            totals[a.name] = min(q, counts[a.name])
    quotas: dict[str, Quota] = {}
    cum = rng.stable_hash(str(prog.corpus.seed), "divergence", "polarity") % 2  # which way an odd total rounds
    for a in order:
        q = totals.get(a.name, 0)
        quotas[a.name] = Quota(q, (cum + q) // 2 - cum // 2)
        cum += q
    return quotas


def sales_calls(prog: P.Program, sink: Sink | None = None) -> Iterator[Call]:
    quotas = divergent_quotas(prog)
    index = 0
    for a in prog.accounts:
        calls = plan_account(prog, a, quotas.get(a.name, NO_QUOTA), index)
        index += len(calls)
        yield from calls


def plan_account(prog: P.Program, a: P.Account, quota: Quota, base_index: int) -> list[Call]:
    per_call, chosen = _draft_account(prog, a, quota)
    return _finish_account(prog, a, base_index, per_call, chosen)


def divergent_count(prog: P.Program, a: P.Account, quota: Quota) -> int:
    """How many of the account's moments diverge (`plan_account`'s, without
    planning the rest of its calls: cues, colour, times)."""
    return len(_draft_account(prog, a, quota)[1])


def _draft_account(prog: P.Program, a: P.Account, quota: Quota) -> tuple[list, set[tuple[int, int]]]:
    """The account's calls up to their moments, and which moments (call, moment) diverge."""
    seed = prog.corpus.seed
    stakeholders = {s.name: s for s in a.stakeholders}
    seen: set[str] = set()
    drafts = []
    for c in a.calls:
        r = rng.stream(seed, "account", a.name, "call", c.name)
        parts = []
        for w in c.with_:
            if w in prog.reps:
                rep = prog.reps[w]
                parts.append(Participant(id=w, name=rep.display, side="seller", role=rep.title or "Account Executive",
                                         gender=rep.gender))
            elif w in stakeholders:
                s = stakeholders[w]
                parts.append(Participant(id=w, name=s.display, side="buyer", role=s.role, persona=s.persona,
                                         decision_maker=s.decision_maker, gender=s.gender,
                                         joins_here=bool(drafts) and w not in seen))
        for p in parts:
            seen.add(p.id)
        drafts.append((c, r, parts))
    # moments first (so divergence can be chosen across the account), then calls
    eligible: dict[str, list[tuple[int, int]]] = {"positive": [], "negative": []}  # (call, moment) by polarity
    per_call = []
    for ci, (c, r, parts) in enumerate(drafts):
        call_id = _call_id(a.name, c.name)
        shape = _shape_stream(seed, a, c)
        speakers = _speakers(r, _length(shape, c)[0], parts)
        beats, steps = _beats(a, c, r, parts, speakers, ci, drafts, shape)
        _exchanges(rng.stream(seed, "account", a.name, "call", c.name, "exchanges"), parts, speakers, beats)
        moments = _moments(r, call_id, c, parts, speakers, beats)
        contrary = {b.turn for b in beats if b.kind in CONTRARY_TO_CONCERN}
        for mi, m in enumerate(moments):
            if m["turn"] not in contrary:  # a hidden concern is never also a buying signal or a resolution
                eligible[m["polarity"]].append((ci, mi))
        per_call.append((c, r, parts, speakers, beats, steps, moments))
    short = quota.total - sum(map(len, eligible.values()))
    if short > 0:  # too few moments may diverge where they stand: move some onto plain turns of their call
        _relocate(per_call, short)
        eligible = {"positive": [], "negative": []}
        for ci, (c, r, parts, speakers, beats, steps, moments) in enumerate(per_call):
            contrary = {b.turn for b in beats if b.kind in CONTRARY_TO_CONCERN}
            for mi, m in enumerate(moments):
                if m["turn"] not in contrary:
                    eligible[m["polarity"]].append((ci, mi))
    # the quota's split over the polarities of the words (`divergent_quotas`), so whether a moment
    # diverges says nothing about what its words say; too few moments of one polarity: the other's
    chooser = rng.stream(seed, "account", a.name, "divergence")
    groups = [eligible["positive"], eligible["negative"]]
    k = min(quota.total, sum(map(len, groups)))
    pos = min(quota.positive, len(groups[0]))
    neg = min(k - pos, len(groups[1]))
    pos = k - neg
    chosen = {tuple(x) for g, n in zip(groups, (pos, neg)) for x in rng.sample(chooser, g, n)}
    return per_call, chosen


def _finish_account(prog: P.Program, a: P.Account, base_index: int, per_call: list,
                    chosen: set[tuple[int, int]]) -> list[Call]:
    seed = prog.corpus.seed
    out: list[Call] = []
    for ci, (c, r, parts, speakers, beats, steps, moments) in enumerate(per_call):
        call_id = _call_id(a.name, c.name)
        final_moments = []
        agenda = next((b.turn for b in beats if b.kind == "agenda"), 0)
        wrap = next((b.turn for b in beats if b.kind == "next_steps"), len(speakers))
        for mi, m in enumerate(moments):
            div = (ci, mi) in chosen
            cue_r = rng.stream(seed, "account", a.name, "call", c.name, "moment", str(mi))
            # congruent: cues of the words' valence; divergent: of the other one
            valence = m["polarity"] if not div else ("negative" if m["polarity"] == "positive" else "positive")
            # nobody cuts in on the greeting or the goodbyes
            cues, place = _cues(cue_r, valence, c.medium, cut_in=agenda < m["turn"] < wrap)
            final_moments.append(Moment(id=f"{call_id}.m{mi + 1}", turn=m["turn"], speaker=m["speaker"],
                                        polarity=m["polarity"], divergent=div, cues=cues, beat=m["beat"],
                                        place=place))
        colour = _colour(rng.stream(seed, "account", a.name, "call", c.name, "colour"), call_id, c, parts,
                         speakers, beats, {m.turn for m in final_moments})
        date, time_, start, start_utc, wd = _when(prog, a, c, r)
        turns, duration = _length(_shape_stream(seed, a, c), c)
        refs = []
        if ci > 0:
            refs = _facts(_call_id(a.name, per_call[ci - 1][0].name), per_call[ci - 1][0], per_call[ci - 1][4],
                          per_call[ci - 1][5], out[-1].date)
        out.append(Call(
            id=call_id, kind="sales", index=base_index + ci, account=a.name, thread_index=ci, date=date,
            time=time_, start=start, start_utc=start_utc, weekday=wd, timezone=prog.corpus.timezone,
            locale=c.locale or prog.corpus.locale, stage=c.stage, length=c.length, target_turns=turns,
            target_duration_sec=duration, medium=c.medium, engagement=c.engagement, topic=c.topic,
            paralinguistics=c.paralinguistics, participants=parts, speakers=speakers, beats=beats,
            moments=final_moments, colour=colour, references=refs, objections=steps,
            metadata={"medium": c.medium, "platform": "zoom" if c.medium == "video" else "phone"}))
    return out


SHAPE_SPREAD = (0.8, 1.25)  # a call of a length class (or of a duration) has this share of its nominal turns
SHORT_SPREAD = (0.93, 1.4)  # a short call's: its beats need the room
# the turns of each length class (compiler.check.length_class; extended: 45-60 min at 20 s a turn)
CLASS_TURNS = {"short": (4, 20), "medium": (21, 40), "long": (41, EXTENDED_FROM - 1), "extended": (EXTENDED_FROM, 180)}


def _shape_stream(seed: int, a: P.Account, c: P.CallSpec):
    """The call's own stream for its shape (turns, where beats land), so that
    a call's length and positions vary per call without shifting anything else."""
    return rng.stream(seed, "account", a.name, "call", c.name, "shape")


def _length(r, c: P.CallSpec) -> tuple[int, float]:
    """The call's turns and duration: `length medium` or `length 5 min` is a
    range, not one count (with every intro 30 turns and every signoff 15, the
    length would name the stage and the turn index the label); `length N
    turns` is kept. A duration stays as written (its turns get longer or
    shorter); a class's duration follows its turns. First draw of the shape
    stream, so it is the same wherever it is asked."""
    if c.length_by == "turns":
        return c.turns, c.duration_sec
    lo, hi = SHORT_SPREAD if c.turns < 20 else SHAPE_SPREAD
    f = lo + (hi - lo) * r.random()
    # at least 14 turns when the class has them: a short close holds seven seller beats
    turns = max(4, 2 * (c.moment_count() + 1), min(c.turns, 14), round(c.turns * f))
    lo, hi = CLASS_TURNS.get(c.length, (4, turns))
    turns = max(min(turns, hi), min(lo, c.turns))  # the call stays in its length class (extended: 45-60 min)
    return turns, (c.duration_sec * turns / c.turns if c.length_by == "class" else c.duration_sec)


def _speakers(r, turns: int, parts: list[Participant]) -> list[int]:
    """Who speaks each turn: the seller side and the buyers alternate; among
    several buyers, decision makers and champions speak more (`_exchanges`
    then lets colleagues of one side speak in a row)."""
    sellers = [i for i, p in enumerate(parts) if p.side == "seller"] or [0]
    buyers = [i for i, p in enumerate(parts) if p.side == "buyer"] or sellers
    weights = [2.0 if parts[i].decision_maker else 1.0 for i in buyers]
    out = []
    last_buyer = buyers[0]
    for t in range(turns):
        if t % 2 == 0:
            out.append(sellers[0] if len(sellers) == 1 or t < 2 else sellers[rng.below(r, len(sellers))])
        else:
            if len(buyers) == 1:
                out.append(buyers[0])
                continue
            x = r.random() * sum(weights)
            acc = 0.0
            pickb = buyers[-1]
            for b, w in zip(buyers, weights):
                acc += w
                if x < acc:
                    pickb = b
                    break
            if pickb == last_buyer and r.random() < 0.4:
                pickb = buyers[(buyers.index(pickb) + 1) % len(buyers)]
            last_buyer = pickb
            out.append(pickb)
    return out


EXCHANGE_P = 0.14  # share of free turns where a second buyer (or rep) takes the floor from the first


def _exchanges(r, parts: list[Participant], speakers: list[int], beats: list[Beat]) -> None:
    """Buyer-to-buyer and rep-to-rep exchanges in a multi-party call: a turn no
    beat holds goes to another participant of the previous speaker's side
    (a colleague answers or adds to what was just said). Beats keep their
    speakers; nobody speaks before they are introduced; never in the opening
    or after next steps. Drawn from the call's own `exchanges` stream, so the
    rest of the plan does not shift."""
    n = len(speakers)
    locked = {b.turn for b in beats}
    intro = {b.speaker: b.turn for b in beats if b.kind == "introduce_stakeholder"}
    agenda = next((b.turn for b in beats if b.kind == "agenda"), 2)
    last = next((b.turn for b in beats if b.kind == "next_steps"), n - 2)
    side = {}
    for i, p in enumerate(parts):
        side.setdefault(p.side, []).append(i)
    for t in range(max(2, agenda + 1), last):
        if t in locked or t - 1 in locked and t + 1 in locked:
            continue
        prev = speakers[t - 1]
        nxt = speakers[t + 1] if t + 1 < n else None
        mates = [i for i in side.get(parts[prev].side, []) if i not in (prev, nxt) and intro.get(parts[i].id, -1) < t]
        if not mates or r.random() >= EXCHANGE_P:
            continue
        speakers[t] = mates[rng.below(r, len(mates))]


def _beats(a: P.Account, c: P.CallSpec, r, parts, speakers, ci, drafts, shape=None):
    """The outline: which beat happens at which turn, said by whom. Where each
    lands, and where competitor mentions and buying signals fall among the
    objection steps, is drawn per call from `shape` (the steps of an arc keep
    their order): a label's turn index says nothing about the label."""
    pid = [p.id for p in parts]
    buyers = [p.id for p in parts if p.side == "buyer"] or pid
    rep = next((p.id for p in parts if p.side == "seller"), pid[0])
    first_buyer = next((p.id for p in parts if p.side == "buyer" and p.decision_maker), buyers[0])
    plan: list[tuple[str, str, str, dict]] = []  # (kind, side, speaker, extra)
    plan.append(("opening", "seller", rep, {}))
    if len(speakers) >= 20 or (shape is not None and shape.random() < SHORT_SMALL_TALK):
        plan.append(("small_talk", "buyer", buyers[0], {}))
    if ci > 0:
        plan.append(("reference", "seller", rep, {"ref_call": _call_id(a.name, drafts[ci - 1][0].name)}))
    for p in parts:
        if p.joins_here:
            plan.append(("introduce_stakeholder", "buyer", p.id, {"key": p.id}))
    plan.append(("agenda", "seller", rep, {}))
    work = STAGE_WORK.get(c.stage, "discovery")
    plan.append((work, "seller", rep, {"key": c.stage}))
    if c.stage in ("discovery", "evaluation"):
        # whoever doubts the need in this call does not also describe the pain
        # ("That's the pain" ... "I'm not sure this is a problem for us"): a
        # colleague does, or nobody
        doubters = {arc.by for arc in a.arcs if arc.objection == "need"
                    and any(st.step in ("raised", "reopened") and st.call == c.name for st in arc.steps)}
        teller = next((b for b in [first_buyer] + buyers if b not in doubters), None)
        if teller is not None:
            plan.append(("pain", "buyer", teller, {"key": a.industry}))
    for m in c.competitor_mentions:
        plan.append(("competitor_mention", "buyer", buyers[rng.below(r, len(buyers))], {"key": m}))
    steps: list[tuple[str, str, str, str]] = []
    for i, arc in enumerate(a.arcs):
        for k, st in enumerate(arc.steps):
            # a bare `stalled` is said where the arc last moved: the objection is left standing there
            at = st.call or (arc.steps[k - 1].call if st.step == "stalled" and k > 0 else None)
            if at == c.name:
                steps.append((_arc_id(a, i, arc), arc.objection, arc.by, st.step))
    for arc_id, typ, by, step in steps:
        if step in ("raised", "reopened"):
            plan.append(("objection_" + step, "buyer", by, {"key": typ, "arc": arc_id}))
        elif step == "addressed":
            plan.append(("objection_addressed", "seller", rep, {"key": typ, "arc": arc_id}))
        elif step == "resolved":
            plan.append(("objection_resolved", "buyer", by, {"key": typ, "arc": arc_id}))
        elif step == "unaddressed":
            plan.append(("objection_unaddressed", "seller", rep, {"key": typ, "arc": arc_id}))
        elif step == "stalled":
            plan.append(("objection_stalled", "buyer", by, {"key": typ, "arc": arc_id}))
    for s in c.buying_signals:
        plan.append(("buying_signal", "buyer", s.by, {"text": s.text}))
    if shape is not None:
        _mix_body(shape, plan)
        objs = [k for k, x in enumerate(plan) if x[0].startswith("objection_")]
        if work in ("terms", "signoff") and objs and shape.random() < OBJECTION_FIRST:
            # the open objection first, then the paperwork (a close need not start with the order form)
            at = next(k for k, x in enumerate(plan) if x[0] == work)
            plan.insert(objs[-1], plan.pop(at))
    plan.append(("next_steps", "seller", rep, {}))
    plan.append(("close", "seller", rep, {}))
    # place beats in order, each on a turn of its side: the opening beats in the
    # first fifth of the call, the body spread evenly, next steps and close last
    n_turns = len(speakers)
    fracs = _fractions([k for k, _, _, _ in plan], shape)
    beats: list[Beat] = []
    pos = 0
    close_at = n_turns - 1 if (n_turns - 1) % 2 == 0 else n_turns - 2  # the seller's last turn
    movable = [k for k, x in enumerate(plan) if k > 0 and x[0] not in BACK]
    slips = {k for k in movable if shape.random() < SLIP_P} if shape is not None else set()
    for k, ((kind, side, who, extra), frac) in enumerate(zip(plan, fracs)):
        target = n_turns - 1 if kind == "close" else round(frac * (n_turns - 1))
        if kind == "next_steps" and shape is not None:
            target = min(target, close_at - 2)  # never on the close's turn
        t = max(pos, target)
        want_even = side == "seller"
        while t < n_turns and ((t % 2 == 0) != want_even):
            t += 1
        if t >= n_turns:
            t = n_turns - 1 if (n_turns - 1) % 2 == (0 if want_even else 1) else max(0, n_turns - 2)
        if shape is not None and kind != "close":
            rest = [x[1] for x in plan[k + 1:] if x[0] != "close"]
            while t - 2 >= pos and _packed_end(rest, t + 1) > close_at - 1:
                t -= 2  # the beats after it still fit before the close
            if k in slips:
                # a packed call (a short one) still varies: some beats, and the packed
                # ones after them, slip turn pairs later as far as the beats after them fit
                room = (close_at - 1) - _packed_end(rest, t + 1)
                cap = 1 if kind in FRONT else max(2, n_turns // 10)  # a longer small talk; a later body beat
                if room >= 2:
                    t += 2 * (1 + rng.below(shape, min(cap, room // 2)))
        if parts and who in pid:  # a seller's beat is the lead rep's (an SE does not run the agenda or the close)
            speakers[t] = pid.index(who)
        speaker = pid[speakers[t]] if parts else who
        beats.append(Beat(kind=kind, turn=t, speaker=speaker, key=extra.get("key"), arc=extra.get("arc"),
                          ref_call=extra.get("ref_call"), text=extra.get("text")))
        pos = t + 1 if t + 1 < n_turns else t
    _steps_apart(beats, speakers, pid if parts else None)
    _no_voice_before_intro(parts, speakers, beats)
    _lead_frames(parts, speakers, beats, rep)
    if parts:  # a packed call's end: a later beat on the same turn took it (a competitor named in the objection's turn)
        beats = [b if b.speaker == pid[speakers[b.turn]] else b.model_copy(update={"speaker": pid[speakers[b.turn]]})
                 for b in beats]
    by_of = {s[0]: s[2] for s in steps}
    objections = [ObjectionStep(arc=b.arc, type=b.key, by=by_of[b.arc], step=b.kind.split("_", 1)[1], turn=b.turn)
                  for b in beats if b.kind.startswith("objection_")]
    return beats, objections


def _steps_apart(beats: list[Beat], speakers: list[int], pid: list[str] | None) -> None:
    """Two steps of one objection arc that a packed call put on one turn (its
    last: every beat placed after the turns ran out lands there) are said
    apart: the earlier moves to the latest free turn of its side before it,
    after the arc's step before it, if there is one (a 10-turn call raised
    and resolved pricing in one sentence pair, a contradiction `verify`
    rejects)."""
    taken = {b.turn for b in beats}
    for i, b in enumerate(beats):
        if not b.arc or not b.kind.startswith("objection_"):
            continue
        if not any(c.arc == b.arc and c.turn == b.turn for c in beats[i + 1:]):
            continue
        floor = max((c.turn for c in beats[:i] if c.arc == b.arc), default=-1)
        t = b.turn - 2
        while t > floor and t in taken:
            t -= 2
        if t <= floor or t < 1:
            continue
        if pid is not None and b.speaker in pid:
            speakers[t] = pid.index(b.speaker)
        beats[i] = b.model_copy(update={"turn": t})
        taken.add(t)


def _packed_end(sides: list[str], start: int) -> int:
    """The last turn of beats of these sides placed as tightly as they go from
    `start` (a seller's beat on an even turn, a buyer's on an odd one)."""
    t = start - 1
    for side in sides:
        t += 1
        if (t % 2 == 0) != (side == "seller"):
            t += 1
    return t


FRONT = {"opening": 0.0, "small_talk": 0.04, "reference": 0.08, "introduce_stakeholder": 0.11,
         "agenda": 0.15}
BACK = {"next_steps": 0.9, "close": 1.0}


# how far each opening beat may move (a longer or shorter small talk) and the
# ranges the body starts, ends and next steps come in, when drawn per call
FRONT_JITTER = {"reference": 0.04, "introduce_stakeholder": 0.04, "agenda": 0.08}
BODY_START, BODY_END, NEXT_STEPS = (0.17, 0.34), (0.68, 0.88), (0.8, 0.92)
FLOATING = ("competitor_mention", "buying_signal")  # body beats with no order of their own
OBJECTION_FIRST = 0.35  # chance a negotiation or close takes its objection steps before its paperwork
SHORT_SMALL_TALK = 0.5  # chance a short call (under 20 turns) has small talk too
SLIP_P = 0.35  # chance a beat slips later than its aimed turn (as far as the rest fits)


def _mix_body(r, plan: list) -> None:
    """Competitor mentions and buying signals move to random places in the body
    (after the stage's work and the pain); the rest keeps its order."""
    floating = [x for x in plan if x[0] in FLOATING]
    if not floating:
        return
    rest = [x for x in plan if x[0] not in FLOATING]
    first = max((i for i, x in enumerate(rest) if x[0] in FRONT or x[0] in WORKS or x[0] == "pain"), default=-1) + 1
    for x in floating:
        rest.insert(first + rng.below(r, len(rest) - first + 1), x)
    plan[:] = rest


WORKS = tuple(STAGE_WORK.values())


def _fractions(kinds: list[str], r=None) -> list[float]:
    """Where in the call (0..1) each beat aims to land: the opening beats in
    the first fifth, the body spread over the middle, next steps and close
    last. With a stream `r` the opening beats, the body's span and the gaps
    between body beats are drawn per call (sorted uniform positions)."""
    body = [k for k in kinds if k not in FRONT and k not in BACK]
    if r is None:
        step = (0.85 - 0.2) / max(1, len(body) - 1) if len(body) > 1 else 0.0
        spots = [0.2 + step * i if len(body) > 1 else 0.5 for i in range(len(body))]
        front, back = dict(FRONT), dict(BACK)
    else:
        front = {k: v + FRONT_JITTER.get(k, 0.0) * (2 * r.random() - 1) for k, v in FRONT.items()}
        front = {k: max(0.0, v) for k, v in front.items()}
        lo = BODY_START[0] + (BODY_START[1] - BODY_START[0]) * r.random()
        hi = BODY_END[0] + (BODY_END[1] - BODY_END[0]) * r.random()
        # the stage's work opens the body; the rest falls anywhere after it
        spots = [lo] + sorted(lo + (hi - lo) * r.random() for _ in body[1:])
        back = dict(BACK, next_steps=NEXT_STEPS[0] + (NEXT_STEPS[1] - NEXT_STEPS[0]) * r.random())
    out, i = [], 0
    for k in kinds:
        if k in FRONT:
            out.append(front[k])
        elif k in BACK:
            out.append(back[k])
        else:
            out.append(spots[i])
            i += 1
    return out


def _lead_frames(parts, speakers: list[int], beats: list[Beat], rep: str) -> None:
    """The lead rep frames the call: every seller turn before the agenda (the
    greeting, small talk) and after next steps (the wrap-up) is theirs, not
    the SE's, and so are the seller turns around a buyer's beat (the one that
    sets it up: the price put on the table, "any concerns?"; the one that
    takes it: an objection acknowledged, a buying signal answered). The SE
    keeps the rest: the product."""
    pid = [p.id for p in parts]
    if rep not in pid or sum(p.side == "seller" for p in parts) < 2:
        return
    lead = pid.index(rep)
    agenda = next((b.turn for b in beats if b.kind == "agenda"), 0)
    last = next((b.turn for b in beats if b.kind == "next_steps"), len(speakers))
    around = {b.turn + d for b in beats if b.speaker in pid and parts[pid.index(b.speaker)].side != "seller"
              for d in (-1, 1)}
    for t, who in enumerate(speakers):
        if parts[who].side == "seller" and (t < agenda or t > last or t in around):
            speakers[t] = lead


def _no_voice_before_intro(parts, speakers: list[int], beats: list[Beat]) -> None:
    """A stakeholder who joins in this call says nothing before they are introduced."""
    intro = {b.speaker: b.turn for b in beats if b.kind == "introduce_stakeholder"}
    if not intro:
        return
    locked = {b.turn for b in beats}
    veterans = [i for i, p in enumerate(parts) if p.side == "buyer" and p.id not in intro]
    for t, who in enumerate(speakers):
        pid = parts[who].id
        if pid in intro and t < intro[pid] and t not in locked:
            alts = veterans or [i for i, p in enumerate(parts) if p.side == "buyer" and intro.get(p.id, 0) <= t]
            if alts:
                speakers[t] = alts[t % len(alts)]


def _after_agenda(beats: list[Beat], turns: list[int], need: int) -> list[int]:
    """The turns after the agenda, where an opinion has something to be about
    ("This shouldn't be a problem for you" in the greeting is about nothing);
    all of `turns` when fewer than `need` are left after it (a short call's quota)."""
    agenda = next((b.turn for b in beats if b.kind == "agenda"), 0)
    late = [t for t in turns if t > agenda]
    return late if len(late) >= need else turns


def _relocate(per_call: list, short: int) -> None:
    """Move up to `short` moments that stand on a buying signal or a resolution
    (where a hidden concern would contradict the turn) onto turns of their call
    that carry no beat of weight, so the account's divergence quota stays exact."""
    for c, r, parts, speakers, beats, steps, moments in per_call:
        contrary = {b.turn for b in beats if b.kind in CONTRARY_TO_CONCERN}
        weighty = contrary | {b.turn for b in beats if b.kind in ("opening", "close") or b.kind.startswith("objection_")}
        used = {m["turn"] for m in moments}
        plain = _after_agenda(beats, [t for t in range(1, len(speakers) - 1) if t not in weighty and t not in used], 1)
        pid = [p.id for p in parts]
        for m in moments:
            if short <= 0 or not plain:
                break
            if m["turn"] in contrary:
                t = plain.pop(0)
                m.update(turn=t, speaker=pid[speakers[t]], beat=None)
                short -= 1
        moments.sort(key=lambda m: m["turn"])
        if short <= 0:
            return


def _moments(r, call_id, c: P.CallSpec, parts, speakers, beats: list[Beat]) -> list[dict]:
    """Which turns carry an annotated moment, whose, and what its words say.
    Most moments sit on beats that carry a stance (an objection raised: negative;
    a buying signal, a resolution, a rep's answer to an objection: positive), the
    rest on any later turn of either side, words of either polarity."""
    n = c.moment_count()
    if n == 0:
        return []
    pid = [p.id for p in parts]
    anchors: dict[int, tuple[str, str | None]] = {}
    for b in beats:
        if b.turn == 0 or b.turn in anchors:
            continue
        if b.kind in ("objection_raised", "objection_reopened", "pain"):
            anchors[b.turn] = ("negative", b.kind)
        elif b.kind in ("buying_signal", "objection_resolved", "objection_addressed"):
            anchors[b.turn] = ("positive", b.kind)
    keep = sorted(rng.sample(r, sorted(anchors), min(len(anchors), n - n // 3)))
    chosen = {t: anchors[t] for t in keep}
    taken = {b.turn for b in beats if b.kind in ("opening", "close") or b.kind.startswith("objection_")} | set(chosen)
    rest = _after_agenda(beats, [t for t in range(1, len(speakers)) if t not in taken], n - len(chosen))
    free = sorted(rng.sample(r, rest, max(0, n - len(chosen))))
    # free moments even out the anchors' polarities: about as many negative words as positive
    npos = sum(1 for p, _ in chosen.values() if p == "positive")
    want_pos = max(0, min(len(free), (n + (1 if r.random() < 0.5 else 0)) // 2 - npos))
    pols = ["positive"] * want_pos + ["negative"] * (len(free) - want_pos)
    rng.shuffle(r, pols)
    for t, pol in zip(free, pols):
        chosen[t] = (pol, None)
    return [{"turn": t, "speaker": pid[speakers[t]], "polarity": pol, "beat": beat}
            for t, (pol, beat) in sorted(chosen.items())]


def _cues(r, valence: str, medium: str, side: str = "buyer", colour: bool = False,
          cut_in: bool = True) -> tuple[list[str], str]:
    """A cue set of one valence (`neutral`: the side's cues on plain words) and
    where it goes. Pauses and interruptions happen before a turn; voice cues may
    also start mid-turn. Colour never interrupts: an interruption is a moment's
    (its words say so) or the dynamics'."""
    pool = NEUTRAL_CUES[side] if valence == "neutral" else \
        POSITIVE_CUES if valence == "positive" else NEGATIVE_CUES
    options = [x for x in pool if (medium == "video" or not VIDEO_ONLY & set(x))
               and not ((colour or not cut_in) and "INTERRUPTS" in x)]
    cues = list(rng.pick(r, options))
    before = any("pause" in x or x == "INTERRUPTS" for x in cues)
    place = "mid" if (not before and r.random() < MID_SHARE) else "start"
    return cues, place


def _colour(r, call_id: str, c: P.CallSpec, parts, speakers, beats: list[Beat], moment_turns: set[int]) -> list[Colour]:
    """Affect on turns that are not moments, as many items as the call has
    moments: the congruent look-alikes of divergence (hard negatives)."""
    n = c.moment_count()
    if n == 0:
        return []
    busy = {b.turn for b in beats if b.kind in ("opening", "close", "buying_signal") or b.kind.startswith("objection_")}
    free = _after_agenda(beats, [t for t in range(1, len(speakers)) if t not in busy and t not in moment_turns], 0)
    out = []
    kinds = [k for k, _ in COLOUR_KINDS]
    weights = [w for _, w in COLOUR_KINDS]
    for k, t in enumerate(sorted(rng.sample(r, free, min(n, len(free))))):
        x = r.random() * sum(weights)
        tone, valence = kinds[-1]
        for kind, w in zip(kinds, weights):
            if x < w:
                tone, valence = kind
                break
            x -= w
        side = parts[speakers[t]].side
        cues, place = _cues(r, valence, c.medium, side, colour=True) if valence else ([], "start")
        out.append(Colour(id=f"{call_id}.c{k + 1}", turn=t, speaker=parts[speakers[t]].id, tone=tone, cues=cues,
                          place=place))
    return out


def _facts(call_id: str, c: P.CallSpec, beats: list[Beat], steps, date: str) -> list[Reference]:
    """Concrete facts of a call (held on `date`) that the next call can refer back to."""
    out = []
    for b in beats:
        if b.kind in ("objection_raised", "objection_reopened"):
            out.append(Reference(call=call_id, kind="objection", key=b.key, text=b.speaker, date=date))
        elif b.kind == "buying_signal":
            out.append(Reference(call=call_id, kind="buying_signal", key=b.speaker, text=b.text or "", date=date))
        elif b.kind == "competitor_mention":
            out.append(Reference(call=call_id, kind="competitor", key=b.key, text=b.speaker, date=date))
    out.append(Reference(call=call_id, kind="topic", key=c.stage, text=c.topic, date=date))
    return out


def _business_day(date: dt.date) -> dt.date:
    """Sales calls are held on business days: a `day N` that falls on a
    Saturday or Sunday (in the corpus's timezone: `date` is a local date)
    moves to the Monday after, so no buyer thanks the rep for calling on a Sunday."""
    return date + dt.timedelta(days=(7 - date.weekday()) % 7 if date.weekday() >= 5 else 0)


def _when(prog: P.Program, a: P.Account, c: P.CallSpec, r) -> tuple[str, str, str, str, str]:
    starts = dt.date.fromisoformat(prog.corpus.starts)
    date = _business_day(starts + dt.timedelta(days=c.day))
    if c.at:
        hh, mm = (int(x) for x in c.at.split(":"))
    else:
        lo_h, lo_m = (int(x) for x in prog.corpus.hours[0].split(":"))
        hi_h, hi_m = (int(x) for x in prog.corpus.hours[1].split(":"))
        slots = max(1, ((hi_h * 60 + hi_m) - (lo_h * 60 + lo_m) - 30) // 30 + 1)
        m = lo_h * 60 + lo_m + 30 * rng.below(r, slots)
        hh, mm = divmod(m, 60)
    return local_times(date, hh, mm, 0, prog.corpus.timezone)


# ---- the whole plan ------------------------------------------------------------

def calls(prog: P.Program) -> Iterator[Call]:
    """Every call of the plan, streamed: sales threads first, then populations."""
    yield from sales_calls(prog)
    base = sum(len(a.calls) for a in prog.accounts)
    for pop in prog.populations:
        from corpusc.plan.population import population_calls  # a sales-only plan never loads it
        yield from population_calls(prog, pop, base)
        base += pop.count


class Tally:
    """Counts calls as they stream past, for the plan's summary and footer.
    Durations are summed in whole milliseconds, so tallies of parts of the
    plan (a build worker's range) merge to exactly the tally of one pass."""

    def __init__(self, prog: P.Program | None):
        self.prog = prog
        self.calls = self.turns = self.moments = self.divergent = self.ms = 0

    def add(self, c: Call) -> None:
        self.calls += 1
        self.turns += c.target_turns
        self.ms += round(c.target_duration_sec * 1000)
        self.moments += len(c.moments)
        self.divergent += sum(1 for m in c.moments if m.divergent)

    def wrap(self, stream: Iterator[Call]) -> Iterator[Call]:
        for c in stream:
            self.add(c)
            yield c

    def merge(self, other: "Tally") -> None:
        self.calls += other.calls
        self.turns += other.turns
        self.ms += other.ms
        self.moments += other.moments
        self.divergent += other.divergent

    def summary(self) -> Summary:
        engines = {e.backend: e.options for e in self.prog.emits}
        api = 0
        # `engine llm` asks once per call (`segments stage`: once per phase) before any repair,
        # so this is the least it will ask; a rebuild answered from its cache asks nothing
        if (engines.get("transcripts", {}).get("engine") or self.prog.corpus.engine) == "llm":
            api += self.calls
        if engines.get("audio", {}).get("engine") == "openai":
            api += self.turns
        return Summary(accounts=len(self.prog.accounts), populations=len(self.prog.populations),
                       calls=self.calls, turns=self.turns, minutes=round(self.ms / 60000, 1),
                       moments=self.moments, divergent=self.divergent, api_calls=api)


def footer(s: Summary) -> str:
    parts = [f"{s.accounts} account{'s' if s.accounts != 1 else ''}"]
    if s.populations:
        parts.append(f"{s.populations} population{'s' if s.populations != 1 else ''}")
    parts += [f"{s.calls} call{'s' if s.calls != 1 else ''}", f"~{s.turns} turns",
              f"{s.api_calls} API calls", f"~{s.minutes:.0f} min audio"]
    return "Plan: " + ", ".join(parts)
