"""Check: names, properties and the semantic rules of LANGUAGE.md, all
reported at once; returns the typed `Program` the planner consumes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from corpusc.compiler import bounds
from corpusc.compiler import nodes as n
from corpusc.compiler import program as P
from corpusc.diagnostics.model import Sink, Span
from corpusc.compiler.resolve import Loaded
from corpusc.compiler.props import Props, typed_props
from corpusc.compiler.schema import SCHEMAS, did_you_mean, seconds

LENGTH_TURNS = {"short": 15, "medium": 30, "long": 52, "extended": 165}  # extended: a 45-60 minute demo (55 min)
EXTENDED_FROM = 135  # turns (45 min at 20 s a turn): a call this long is `extended`


def _length_by(v: list) -> str:
    """How `length` was given: `N turns`, a duration, or a class (the default)."""
    last = v[-1] if v else None
    if getattr(last, "value", None) == "turns":
        return "turns"
    return "duration" if getattr(last, "unit", None) in ("s", "min", "h") else "class"


def length_class(turns: int) -> str:
    """The length class of a call of `turns` turns."""
    return "short" if turns <= 20 else "medium" if turns <= 40 else "long" if turns < EXTENDED_FROM else "extended"
SECONDS_PER_TURN = 20.0
ARC_STEPS = ("raised", "addressed", "resolved", "unaddressed", "reopened", "stalled")


class Checker:
    def __init__(self, loaded: Loaded, sink: Sink):
        self.loaded = loaded
        self.sink = sink
        self.first: dict[tuple[str, str], n.Node] = {}

    # -- names --
    def declare(self, kind: str, name: n.Name, node: n.Node) -> bool:
        key = (kind, name.value)
        if key in self.first:
            prev = self.first[key].span
            self.sink.add("E0205", f"duplicate {kind} `{name.value}`", name.span,
                          label="declared again here", help=f"rename one of the two {kind}s",
                          notes=[f"first declared at {prev.file}:{prev.start.line}:{prev.start.column}"])
            return False
        self.first[key] = node
        return True

    def unknown(self, code: str, kind: str, name: n.Name | str, span: Span, choices, where: str = "") -> None:
        word = name.value if isinstance(name, n.Name) else name
        hint = did_you_mean(word, choices)
        if not hint and choices:
            shown = sorted(choices)
            hint = "declared: " + ", ".join(shown[:12]) + (", ..." if len(shown) > 12 else "")
        self.sink.add(code, f"unknown {kind} `{word}`{where}", span,
                      label="not declared" + (f" {where.strip()}" if where else ""), help=hint)

    # -- entry --
    def run(self) -> P.Program | None:
        items = [(m, it) for m in self.loaded.modules for it in m.items]
        root = self.loaded.root
        corpus_decls = [it for m, it in items if isinstance(it, n.CorpusDecl)]
        root_corpus = [it for it in corpus_decls if root is not None and it.span.file == root.file]
        for it in corpus_decls:
            if root is None or it.span.file != root.file:
                self.sink.add("E0105", "only the root spec may declare a corpus", it.name.span,
                              label="in an imported module", help="move it into the spec you compile")
        for extra in root_corpus[1:]:
            self.sink.add("E0105", "a spec declares one corpus", extra.name.span,
                          label="second corpus block", help="merge the two corpus blocks")
        self.library = root is not None and not root_corpus and not any(
            isinstance(it, (n.AccountDecl, n.PopulationDecl, n.EmitDecl, n.RequirementItem)) for it in root.items)
        if root is not None and not root_corpus and root.items and not self.library:
            self.sink.add("E0105", "the spec has no `corpus` block", Span.point(root.file),
                          help="add `corpus NAME { seed 1 }` at the top (a module of only personas, "
                               "objections, reps and suites needs none)")
        corpus = self.corpus(root_corpus[0] if root_corpus else None)

        catalogs: dict[str, dict[str, Any]] = {k: {} for k in ("persona", "objection", "industry", "size", "stage", "scenario")}
        for m, it in items:
            if isinstance(it, n.CatalogDecl) and self.declare(it.catalog, it.name, it):
                catalogs[it.catalog][it.name.value] = it
        self.personas = {k: self.persona(v) for k, v in catalogs["persona"].items()}
        self.objections = {k: self.objection(v) for k, v in catalogs["objection"].items()}
        self.industries = {k: self.industry(v) for k, v in catalogs["industry"].items()}
        self.sizes = {k: self.size(v) for k, v in catalogs["size"].items()}
        self.stages = {k: self.stage(v) for k, v in catalogs["stage"].items()}
        self.scenarios = {k: self.scenario(v) for k, v in catalogs["scenario"].items()}
        for p in self.personas.values():
            for c in p.concerns:
                if c not in self.objections:
                    decl = catalogs["persona"][p.name]
                    self.unknown("E0202", "objection type", c, decl.name.span, self.objections,
                                 f" in persona `{p.name}`")
        self.reps: dict[str, P.Rep] = {}
        for m, it in items:
            if isinstance(it, n.RepDecl) and self.declare("rep", it.name, it):
                self.reps[it.name.value] = self.rep(it)
        acc_decls = [it for m, it in items if isinstance(it, n.AccountDecl)]
        self.all_stakeholders = {s.name.value: a.name.value for a in acc_decls for s in a.stakeholders}
        accounts = []
        for it in acc_decls:
            if self.declare("account", it.name, it):
                accounts.append(self.account(it, corpus))
        pops = []
        sized = []
        for m, it in items:
            if isinstance(it, n.PopulationDecl) and self.declare("population", it.name, it):
                pop = self.population(it, corpus)
                if pop is not None:
                    pops.append(pop)
                    key = "count" if pop.volume_per_day is None else "volume"
                    sized.append((pop.count, next((x.values[0].span for x in it.props
                                                   if x.name.value == key and x.values), it.name.span)))
        bounds.total_calls(self.sink, sized, sum(len(a.calls) for a in accounts))
        reqs = []
        for m, it in items:
            std = m.file in self.loaded.stdlib_files
            if isinstance(it, n.RequirementItem):
                reqs.append(self.requirement(it.requirement, None, std))
            elif isinstance(it, n.SuiteDecl) and self.declare("suite", it.name, it):
                for r in it.requirements:
                    reqs.append(self.requirement(r, it.name.value, std))
        emits = []
        for m, it in items:
            if isinstance(it, n.EmitDecl) and self.declare("emit", it.backend, it):
                e = self.emit(it)
                if e is not None:
                    emits.append(e)
        self.unused(accounts, acc_decls)
        prog = P.Program(corpus=corpus, personas=self.personas, objections=self.objections,
                         industries=self.industries, sizes=self.sizes, stages=self.stages, scenarios=self.scenarios,
                         reps=self.reps, accounts=accounts, populations=pops, requirements=reqs,
                         emits=emits)
        self.divergence_exactness(prog, root_corpus[0] if root_corpus else None)
        from corpusc.compiler.queries import call_fields, validate
        extra = call_fields(prog)
        for r in reqs:
            validate(r.query, self.sink, extra)
        if self.library:
            return prog.model_copy(update={"requirements": []})
        return prog

    # -- corpus and catalogs --
    def corpus(self, d: n.CorpusDecl | None) -> P.Corpus:
        if d is None:
            return P.Corpus(name="unnamed")
        p = typed_props(d.props, SCHEMAS["corpus"], self.sink, owner=f"corpus `{d.name.value}`",
                        owner_span=d.name.span)
        kw: dict[str, Any] = {"name": d.name.value}
        for k in ("seed", "locale", "starts", "engine", "description"):
            if k in p.values:
                kw[k] = p.values[k]
        if "timezone" in p.values:
            kw["timezone"] = self.timezone(p.values["timezone"], p.nodes["timezone"].span)
        if "product" in p.values:
            vals = p.values["product"]
            kw["product"] = vals[0]
            kw["tagline"] = vals[1] if len(vals) > 1 else ""
        if "divergence" in p.values:
            kw["divergence"] = self.ratio(p.values["divergence"], p.nodes["divergence"].span) / 100
        if "hours" in p.values:
            h = self.hours(p.nodes["hours"])
            if h:
                kw["hours"] = (h[0], h[1])
        if "starts" in kw and not bounds.date(self.sink, dt.date.fromisoformat(kw["starts"]),
                                              p.nodes["starts"].values[0].span, "`starts` is"):
            del kw["starts"]  # the rest is checked against the default
        return P.Corpus(**kw)

    def ratio(self, pct: float, span: Span) -> float:
        if not 0 <= pct <= 100:
            self.sink.add("E0402", f"{pct:g}% is outside 0..100%", span, label="not a valid share",
                          help="use a percentage between 0% and 100%")
            return min(100.0, max(0.0, pct))
        return pct

    def timezone(self, name: str, span: Span) -> str:
        import zoneinfo
        try:
            zoneinfo.ZoneInfo(name)
            return name
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zones = zoneinfo.available_timezones()
            self.sink.add("E0406", f"unknown time zone `{name}`", span, label="not an IANA zone",
                          help=did_you_mean(name, zones) or 'use an IANA name like "Europe/Berlin"')
            return "UTC"

    def _catalog_common(self, d: n.CatalogDecl):
        p = typed_props(d.props, SCHEMAS[d.catalog], self.sink, owner=f"{d.catalog} `{d.name.value}`",
                        owner_span=d.name.span)
        title = d.title.value if d.title else d.name.value.replace("_", " ").title()
        return p, title

    def persona(self, d: n.CatalogDecl) -> P.Persona:
        p, title = self._catalog_common(d)
        kw = {k: v for k, v in p.values.items() if k != "speech"}
        if "speech" in p.values:
            sp = typed_props(p.values["speech"], SCHEMAS["speech"], self.sink, owner="speech",
                             owner_span=p.nodes["speech"].span)
            skw: dict[str, Any] = {}
            if "rate" in sp.values:
                skw["rate_wpm"] = self.wpm(sp.nodes["rate"])
            for k in ("pitch", "energy"):
                if k in sp.values:
                    skw[k] = sp.values[k]
            if "hesitation" in sp.values:
                skw["hesitation"] = self.ratio(sp.values["hesitation"], sp.nodes["hesitation"].span) / 100
            kw["speech"] = P.Speech(**skw)
        return P.Persona(name=d.name.value, title=title, **kw)

    def wpm(self, prop: n.Property) -> float:
        vals = prop.values
        if len(vals) == 1 and isinstance(vals[0], n.Quantity) and vals[0].unit == "wpm" or \
                len(vals) == 1 and isinstance(vals[0], n.Num):
            v = vals[0].value
            if 60 <= v <= 300:
                return v
        self.sink.add("E0207", "invalid value for `rate`: expected words per minute like 150 wpm",
                      prop.span, help="speaking rates lie between 60 and 300 wpm")
        return 150.0

    def objection(self, d):
        p, title = self._catalog_common(d)
        return P.Objection(name=d.name.value, title=title, **p.values)

    def industry(self, d):
        p, title = self._catalog_common(d)
        return P.Industry(name=d.name.value, title=title, **p.values)

    def size(self, d):
        p, title = self._catalog_common(d)
        kw = dict(p.values)
        if "employees" in kw:
            kw["employees"] = tuple(kw["employees"])
        return P.Size(name=d.name.value, title=title, **kw)

    def stage(self, d):
        p, title = self._catalog_common(d)
        return P.Stage(name=d.name.value, title=title, **p.values)

    def scenario(self, d):
        p, title = self._catalog_common(d)
        kw = dict(p.values)
        success = kw.pop("success", None)
        if success is not None:
            metric, value = success[0], success[-1]
            op = success[1] if len(success) == 3 else None
            ops = ("eq", "ne", "gt", "gte", "lt", "lte")
            if not isinstance(metric, n.Name) or (op is not None and getattr(op, "value", None) not in ops) \
                    or not isinstance(value, (n.Name, n.Num, n.Str)):
                self.sink.add("E0207", "invalid value for `success`: expected `METRIC [OP] VALUE`",
                              p.nodes["success"].span,
                              help="e.g. `success booking_confirmed true` or `success value_usd gt 0`; "
                                   "OP is one of " + ", ".join(ops))
            else:
                v: Any = value.value
                if isinstance(value, n.Name) and v in ("true", "false"):
                    v = v == "true"
                elif isinstance(value, n.Num) and value.is_int:
                    v = int(v)
                kw.update(metric=metric.value, operator=op.value if op is not None else "eq", value=v)
        return P.Scenario(name=d.name.value, title=title, **kw)

    def rep(self, d: n.RepDecl) -> P.Rep:
        p = typed_props(d.props, SCHEMAS["rep"], self.sink, owner=f"{d.role} `{d.name.value}`",
                        owner_span=d.name.span)
        display = d.title.value if d.title else d.name.value.title()
        return P.Rep(name=d.name.value, display=display, role=d.role, **p.values)

    # -- accounts --
    def account(self, d: n.AccountDecl, corpus: P.Corpus) -> P.Account:
        owner = f"account `{d.name.value}`"
        p = typed_props(d.props, SCHEMAS["account"], self.sink, owner=owner, owner_span=d.name.span)
        kw: dict[str, Any] = {}
        for k in ("employees", "region", "outcome", "competitors", "description"):
            if k in p.values:
                kw[k] = p.values[k]
        for k, table, kind in (("size", self.sizes, "size"), ("industry", self.industries, "industry")):
            if k in p.values:
                if p.values[k] not in table:
                    self.unknown("E0209", kind, p.values[k], p.nodes[k].values[0].span, table)
                kw[k] = p.values[k]
        if "divergence" in p.values:
            kw["divergence"] = self.ratio(p.values["divergence"], p.nodes["divergence"].span) / 100
        if "deal_value" in p.values:
            v = p.values["deal_value"]
            if len(v) == 1 and isinstance(v[0], (n.Num, n.Quantity)):
                kw["deal_value"] = v[0].value
            else:
                self.sink.add("E0207", "invalid value for `deal_value`: expected an amount like 120000 usd",
                              p.nodes["deal_value"].span)
        trajectory = p.values.get("trajectory")
        if trajectory:
            for name, node in zip(trajectory, _items(p.nodes["trajectory"])):
                if name not in self.stages:
                    self.unknown("E0209", "stage", name, node.span, self.stages)
        # stakeholders
        stakeholders: list[P.Stakeholder] = []
        local: dict[str, n.StakeholderDecl] = {}
        for s in d.stakeholders:
            if s.name.value in local:
                self.declare("stakeholder", s.name, s)  # reports duplicate against the first
                continue
            self.first[("stakeholder", d.name.value + "." + s.name.value)] = s
            local[s.name.value] = s
            stakeholders.append(self.stakeholder(s, d))
        # calls
        calls: list[P.CallSpec] = []
        seen_calls: dict[str, n.CallDecl] = {}
        prev_day = None
        starts = dt.date.fromisoformat(corpus.starts)
        for i, c in enumerate(d.calls):
            if c.name.value in seen_calls:
                prev = seen_calls[c.name.value].span
                self.sink.add("E0205", f"duplicate call `{c.name.value}` in {owner}", c.name.span,
                              label="declared again here", help="give each call of a thread its own name",
                              notes=[f"first declared at {prev.file}:{prev.start.line}"])
                continue
            seen_calls[c.name.value] = c
            day = self.call_day(c, starts, prev_day)
            if prev_day is not None and day <= prev_day:
                span = (c.day or c.date or c.name).span
                self.sink.add("E0304", f"call `{c.name.value}` is on day {day}, not after the "
                              f"previous call (day {prev_day})", span, label="days must increase along a thread",
                              help=f"move it to a day after {prev_day} or reorder the calls")
            prev_day = day if prev_day is None else max(day, prev_day)
            calls.append(self.call(c, d, len(calls), day, local, corpus))
        # trajectory, outcome
        if not trajectory:
            trajectory = []
            for c in calls:
                if c.stage not in trajectory:
                    trajectory.append(c.stage)
        else:
            pos = -1
            for c, cd in zip(calls, [x for x in d.calls]):
                if c.stage in trajectory:
                    idx = trajectory.index(c.stage)
                    if idx < pos:
                        self.sink.add("E0306", f"call `{c.name}` goes back to stage `{c.stage}`",
                                      _prop_span(cd, "stage"), label="earlier in the trajectory",
                                      help="calls visit the trajectory's stages in order")
                    pos = max(pos, idx)
                elif c.stage in self.stages:
                    self.sink.add("E0306", f"stage `{c.stage}` is not in the trajectory of {owner}",
                                  _prop_span(cd, "stage"), label="not in the trajectory",
                                  help="add it to `trajectory [...]` or change the stage",
                                  notes=["trajectory: " + ", ".join(trajectory)])
        kw["trajectory"] = trajectory
        if kw.get("outcome") == "won" and calls and calls[-1].stage != "close":
            self.sink.add("E0305", f"{owner} is won but its last call `{calls[-1].name}` is in stage "
                          f"`{calls[-1].stage}`", p.span("outcome", d.name.span),
                          label="won deals end in `close`",
                          help="add a closing call (`stage close`) or change the outcome")
        if kw.get("outcome") == "won" and not calls:
            self.sink.add("E0305", f"{owner} is won but has no calls", p.span("outcome", d.name.span),
                          help="add a call with `stage close`")
        # joins
        call_index = {c.name: c.index for c in calls}
        for s in stakeholders:
            if s.joins_at is None:
                continue
            sd = local[s.name]
            if s.joins_at not in call_index:
                self.unknown("E0308", "call", s.joins_at, _prop_span(sd, "joins"), call_index,
                             f" in {owner}")
                continue
            for c in calls:
                if c.index < call_index[s.joins_at] and s.name in c.with_:
                    self.sink.add("E0308", f"`{s.name}` joins at `{s.joins_at}` but takes part in the "
                                  f"earlier call `{c.name}`", _prop_span(sd, "joins"),
                                  label="joins too late", help=f"use `joins at {c.name}` or remove them from `{c.name}`")
                    break
        arcs = [a for a in (self.arc(a, d, calls, local, kw.get("outcome")) for a in d.arcs) if a]
        return P.Account(name=d.name.value, display=d.title.value if d.title else d.name.value.title(),
                         stakeholders=stakeholders, calls=calls, arcs=arcs, **kw)

    def stakeholder(self, s: n.StakeholderDecl, acc: n.AccountDecl) -> P.Stakeholder:
        p = typed_props(s.props, SCHEMAS["stakeholder"], self.sink,
                        owner=f"stakeholder `{s.name.value}`", owner_span=s.name.span)
        kw: dict[str, Any] = {}
        for k in ("role", "gender", "influence"):
            if k in p.values:
                kw[k] = p.values[k]
        kw["decision_maker"] = bool(p.values.get("decision_maker"))
        persona = p.values.get("persona", "")
        if persona and persona not in self.personas:
            self.unknown("E0201", "persona", persona, p.nodes["persona"].values[0].span, self.personas)
        concerns = p.values.get("concerns", [])
        for c, node in zip(concerns, _items(p.nodes.get("concerns"))):
            if c not in self.objections:
                self.unknown("E0202", "objection type", c, node.span, self.objections)
        if "joins" in p.values:
            v = p.values["joins"]
            if isinstance(v[0], n.Name) and v[0].value == "at" and isinstance(v[1], n.Name):
                kw["joins_at"] = v[1].value
            else:
                self.sink.add("E0207", "invalid value for `joins`: expected `joins at CALL`", p.nodes["joins"].span,
                              help="e.g. `joins at review`")
        display = s.title.value if s.title else s.name.value.title()
        return P.Stakeholder(name=s.name.value, display=display, persona=persona, concerns=concerns, **kw)

    def call_day(self, c: n.CallDecl, starts: dt.date, prev: int | None) -> int:
        fallback = 0 if prev is None else prev + 1  # after a bad day: no knock-on E0304
        if c.day is not None:
            if not bounds.day(self.sink, c.day.value, c.day.span):
                return fallback
            day = int(c.day.value)
        elif c.date is not None:
            try:
                day = (dt.date.fromisoformat(c.date.value) - starts).days
            except ValueError:
                self.sink.add("E0207", f"`{c.date.value}` is not a calendar date", c.date.span)
                return 0 if prev is None else prev + 7
        else:
            day = 0 if prev is None else prev + 7
        if not bounds.date(self.sink, starts + dt.timedelta(days=day), (c.day or c.date or c.name).span,
                           f"call `{c.name.value}` falls on"):
            return fallback
        return day

    def call(self, c: n.CallDecl, acc: n.AccountDecl, index: int, day: int,
             local: dict[str, n.StakeholderDecl], corpus: P.Corpus) -> P.CallSpec:
        owner = f"call `{c.name.value}`"
        p = typed_props(c.props, SCHEMAS["call"], self.sink, owner=owner, owner_span=c.name.span)
        stage = p.values.get("stage", "discovery")
        if "stage" in p.values and stage not in self.stages:
            self.unknown("E0209", "stage", stage, p.nodes["stage"].values[0].span, self.stages)
        length, turns, duration = self.length(p)
        with_ = p.values.get("with", [])
        for name, node in zip(with_, _items(p.nodes.get("with"))):
            if name in local or name in self.reps:
                continue
            if name in self.all_stakeholders:
                other = self.all_stakeholders[name]
                self.sink.add("E0301", f"`{name}` is a stakeholder of account `{other}`, not of "
                              f"`{acc.name.value}`", node.span, label=f"belongs to `{other}`",
                              help=f"declare the stakeholder in `{acc.name.value}` or remove them from this call")
            elif did_you_mean(name, self.reps) and not did_you_mean(name, local):
                self.sink.add("E0203", f"unknown rep `{name}` in {owner}", node.span,
                              label="not a declared rep or agent", help=did_you_mean(name, self.reps))
            else:
                self.sink.add("E0204", f"unknown stakeholder `{name}` in {owner}", node.span,
                              label=f"not declared in account `{acc.name.value}`",
                              help=did_you_mean(name, list(local) + list(self.reps)) or
                              "declared: " + ", ".join(sorted(list(local) + list(self.reps))))
        if "with" in p.values:
            if not any(w in self.reps for w in with_):
                self.sink.add("E0309", f"{owner} has no rep or agent", p.nodes["with"].span,
                              label="nobody on the seller side", help="add a `rep` to `with`")
            if not any(w in local for w in with_):
                self.sink.add("E0311", f"{owner} has no stakeholder of account `{acc.name.value}`",
                              p.nodes["with"].span, label="nobody on the buyer side",
                              help="add a stakeholder of the account to `with`")
        signals = []
        for v, prop in p.repeated.get("buying_signal", []):
            vals = list(v)
            if vals and isinstance(vals[0], n.Name) and vals[0].value == "by":
                vals = vals[1:]
            if not vals or not isinstance(vals[0], n.Name) or any(not isinstance(x, n.Str) for x in vals[1:]):
                self.sink.add("E0207", "invalid value for `buying_signal`: expected `buying_signal by NAME \"what they do\"`",
                              prop.span)
                continue
            who = vals[0].value
            if who not in with_:
                self.sink.add("E0302", f"`{who}` shows a buying signal in {owner} but does not take part in it",
                              vals[0].span, label="not in `with`", help=f"add `{who}` to the call's `with` list")
            signals.append(P.BuyingSignal(by=who, text=vals[1].value if len(vals) > 1 else ""))
        mentions = []
        for v, prop in p.repeated.get("mentions", []):
            if isinstance(v[0], n.Name) and v[0].value == "competitor" and isinstance(v[1], (n.Str, n.Name)):
                mentions.append(v[1].value)
            else:
                self.sink.add("E0207", "invalid value for `mentions`: expected `mentions competitor \"Name\"`", prop.span)
        para = p.values.get("paralinguistics", False)
        moments = p.values.get("moments")
        if moments is not None and moments < 0:
            self.sink.add("E0207", "`moments` cannot be negative", p.nodes["moments"].span)
            moments = 0
        if moments is not None and not bounds.count(self.sink, moments, p.nodes["moments"].values[0].span,
                                                     "`moments`", bounds.MAX_TURNS):
            moments = 0
        return P.CallSpec(name=c.name.value, index=index, day=day, stage=stage, length=length,
                          turns=turns, duration_sec=duration, with_=with_,
                          length_by="turns" if "turns" in p.values else _length_by(p.values.get("length") or []), paralinguistics=para,
                          engagement=p.values.get("engagement", "steady"), buying_signals=signals,
                          competitor_mentions=mentions, moments=moments, at=p.values.get("at"),
                          medium=p.values.get("medium", "video"), topic=p.values.get("topic", ""),
                          locale=p.values.get("locale"))

    def length(self, p: Props) -> tuple[str, int, float]:
        length, turns, duration = "medium", 30, 30 * SECONDS_PER_TURN
        if "length" in p.values:
            v = p.values["length"]
            prop = p.nodes["length"]
            if len(v) == 1 and isinstance(v[0], n.Name) and v[0].value in LENGTH_TURNS:
                length = v[0].value
                turns = LENGTH_TURNS[length]
                duration = turns * SECONDS_PER_TURN
            elif len(v) == 1 and isinstance(v[0], n.Quantity) and v[0].unit in ("s", "min", "h"):
                if not 60 <= seconds(v[0]) <= 4 * 3600:  # before any arithmetic: 1e308 min is infinite seconds
                    self.sink.add("E0207", "invalid value for `length`: calls last between 1 min and 4 h",
                                  prop.span, help="write a duration from 1 min to 4 h, e.g. `length 30 min`")
                else:
                    duration = seconds(v[0])
                    turns = max(4, round(duration / SECONDS_PER_TURN))
                    length = length_class(turns)
            elif len(v) == 2 and isinstance(v[0], n.Num) and v[0].is_int and isinstance(v[1], n.Name) \
                    and v[1].value == "turns" and v[0].value > 0:
                turns = int(v[0].value)
                if not bounds.count(self.sink, turns, v[0].span, "`length` in turns", bounds.MAX_TURNS):
                    turns = LENGTH_TURNS["medium"]
                duration = turns * SECONDS_PER_TURN
                length = length_class(turns)
            else:
                word = v[0].value if len(v) == 1 and isinstance(v[0], n.Name) else ""
                hint = did_you_mean(word, LENGTH_TURNS) if word else ""
                self.sink.add("E0207", "invalid value for `length`", prop.span,
                              label="expected short, medium, long, extended, `N turns` or a duration",
                              help=hint or "e.g. `length medium`, `length extended` (a 45-60 minute demo), "
                                           "`length 40 turns` or `length 5 min`")
        if "turns" in p.values:
            turns = p.values["turns"]
            if not bounds.count(self.sink, turns, p.nodes["turns"].values[0].span, "`turns`", bounds.MAX_TURNS):
                turns = LENGTH_TURNS["medium"]
            duration = turns * SECONDS_PER_TURN
            length = length_class(turns)
        return length, turns, duration

    def arc(self, a: n.ArcDecl, acc: n.AccountDecl, calls: list[P.CallSpec],
            local: dict, outcome: str | None) -> P.Arc | None:
        ok = True
        if a.objection.value not in self.objections:
            self.unknown("E0202", "objection type", a.objection, a.objection.span, self.objections)
            ok = False
        if a.by.value not in local:
            where = self.all_stakeholders.get(a.by.value)
            if where:
                self.sink.add("E0301", f"`{a.by.value}` is a stakeholder of account `{where}`", a.by.span,
                              help=f"arcs name stakeholders of `{acc.name.value}`")
            else:
                self.sink.add("E0204", f"unknown stakeholder `{a.by.value}` in arc", a.by.span,
                              label=f"not declared in account `{acc.name.value}`",
                              help=did_you_mean(a.by.value, local))
            ok = False
        by_name = {c.name: c for c in calls}
        steps = []
        last_index = -1
        for i, st in enumerate(a.steps):
            kind = st.step.value
            if kind not in ARC_STEPS:
                self.sink.add("E0307", f"unknown arc step `{kind}`", st.step.span,
                              help=did_you_mean(kind, ARC_STEPS) or "steps: " + ", ".join(ARC_STEPS))
                ok = False
                continue
            if i == 0 and kind != "raised":
                self.sink.add("E0307", "an arc starts with `raised at CALL`", st.step.span,
                              label=f"starts with `{kind}`", help="begin with `raised at CALL ->`")
                ok = False
            if i > 0 and kind == "raised":
                self.sink.add("E0307", "an objection is raised once per arc", st.step.span,
                              help="use `reopened at CALL` for an objection that comes back")
                ok = False
            if kind in ("resolved", "stalled") and i != len(a.steps) - 1:
                self.sink.add("E0307", f"`{kind}` ends an arc; nothing may follow it", st.step.span,
                              help="remove the steps after it")
                ok = False
            if kind == "stalled" and outcome == "won":
                self.sink.add("E0307", "a stalled objection in a won account", st.step.span,
                              help="resolve the objection, or change the account's outcome")
            if st.call is None:
                if kind != "stalled":
                    self.sink.add("E0307", f"`{kind}` needs a call: `{kind} at CALL`", st.step.span,
                                  help=f"write `{kind} at <call name>`")
                    ok = False
                steps.append(P.ArcStep(step=kind, call=None))
                continue
            call = by_name.get(st.call.value)
            if call is None:
                self.unknown("E0209", "call", st.call, st.call.span, by_name, f" in account `{acc.name.value}`")
                ok = False
                continue
            if call.index < last_index:
                self.sink.add("E0303", f"arc step `{kind} at {call.name}` comes before the previous step's call",
                              st.span, label="out of call order",
                              help="arc steps follow the thread: raised <= addressed <= resolved")
                ok = False
            last_index = max(last_index, call.index)
            if kind in ("raised", "reopened", "resolved") and a.by.value in local and a.by.value not in call.with_:
                verb = {"raised": "raises", "reopened": "reopens", "resolved": "resolves"}[kind]
                self.sink.add("E0302", f"`{a.by.value}` {verb} `{a.objection.value}` at `{call.name}` but "
                              "does not take part in that call", st.span, label="absent from this call",
                              help=f"add `{a.by.value}` to the `with` list of `{call.name}`")
                ok = False
            steps.append(P.ArcStep(step=kind, call=call.name))
        if not ok:
            return None
        return P.Arc(objection=a.objection.value, by=a.by.value, steps=steps)

    def unused(self, accounts: list[P.Account], decls: list[n.AccountDecl]) -> None:
        used = {w for a in accounts for c in a.calls for w in c.with_}
        by_name = {d.name.value: d for d in decls}
        for a in accounts:
            for s in a.stakeholders:
                if s.name not in used and a.name in by_name:
                    node = next(x for x in by_name[a.name].stakeholders if x.name.value == s.name)
                    self.sink.add("E0310", f"stakeholder `{s.name}` takes part in no call", node.name.span,
                                  label="never speaks", help=f"add `{s.name}` to a call's `with` list or remove it")

    def divergence_exactness(self, prog: P.Program, decl: n.CorpusDecl | None) -> None:
        """The static half of E0409; the placement half needs the plan (corpusc.plan.evaluate)."""
        total = sum(c.moment_count() for a in prog.accounts if a.divergence is None for c in a.calls)
        if not total:
            return
        want = prog.corpus.divergence
        got = int(want * total + 0.5) / total
        span = decl.name.span if decl else Span.point(self.loaded.root.file)
        for p in (decl.props if decl else []):
            if p.name.value == "divergence":
                span = p.span
        if abs(got - want) > 0.05:
            self.sink.add("E0409", f"divergence {want * 100:g}% cannot be met exactly with {total} annotated "
                          f"moment{'s' if total != 1 else ''}: {int(want * total + 0.5)} divergent = {got * 100:.0f}%",
                          span, label="realized as the nearest whole number of moments",
                          help="add calls with `paralinguistics on` or `moments N`, or pick a ratio that fits")

    # -- populations --
    def population(self, d: n.PopulationDecl, corpus: P.Corpus) -> P.Population | None:
        from corpusc.compiler.population_check import check_population
        return check_population(self, d, corpus)

    def hours(self, prop: n.Property) -> tuple[str, str, str | None] | None:
        v = prop.values
        if not v or not isinstance(v[0], n.RangeV) or not isinstance(v[0].lo, n.TimeV) \
                or not isinstance(v[0].hi, n.TimeV):
            self.sink.add("E0405", "invalid `hours`: expected a range like 07:00..21:00", prop.span,
                          help="write `hours 07:00..21:00` optionally followed by `peak 10:00`")
            return None
        lo, hi = v[0].lo.value[:5], v[0].hi.value[:5]
        for t in (v[0].lo, v[0].hi):
            hh, mm = (int(x) for x in t.value.split(":")[:2])
            if hh > 24 or mm > 59 or (hh == 24 and mm):
                self.sink.add("E0405", f"`{t.value}` is not a time of day", t.span)
                return None
        if lo >= hi:
            self.sink.add("E0405", f"hours {lo}..{hi} are empty or reversed", v[0].span,
                          label="the end must be after the start", help="hours do not wrap past midnight")
            return None
        peak = None
        if len(v) >= 2:
            if len(v) == 3 and isinstance(v[1], n.Name) and v[1].value == "peak" and isinstance(v[2], n.TimeV):
                peak = v[2].value[:5]
                if not lo <= peak <= hi:
                    self.sink.add("E0405", f"peak {peak} is outside the hours {lo}..{hi}", v[2].span,
                                  help="put the peak inside the hours")
                    peak = None
            else:
                self.sink.add("E0405", "invalid `hours`: expected `hours 07:00..21:00 peak 10:00`", prop.span)
        return lo, hi, peak

    # -- requirements and emit --
    def requirement(self, r: n.Requirement, suite: str | None, std: bool) -> P.RequirementSpec:
        from corpusc.compiler.queries import describe
        title = r.title.value if r.title else describe(r.query)
        return P.RequirementSpec(severity=r.severity, title=title, suite=suite, query=r.query,
                                 span=r.span, stdlib=std)

    def emit(self, e: n.EmitDecl) -> P.Emit | None:
        """Only the shape: which backends exist and what their options mean is
        the builder's check (builder/compile.py), against the registered
        backends' options models."""
        return P.Emit(backend=e.backend.value, span=e.backend.span, lines=[_emit_line(p) for p in e.props])


def _emit_line(p: n.Property) -> P.EmitLine:
    return P.EmitLine(name=p.name.value, span=p.name.span, values=[_emit_value(v) for v in p.values],
                      block=p.span if p.body is not None else None)


def _emit_value(v: n.Node) -> P.EmitValue:
    if isinstance(v, n.ListV):
        return P.EmitValue(kind="list", span=v.span, items=[_emit_value(x) for x in v.items])
    if isinstance(v, n.RangeV):
        return P.EmitValue(kind="range", span=v.span, items=[_emit_value(v.lo), _emit_value(v.hi)])
    if isinstance(v, n.Num):
        return P.EmitValue(kind="num", value=int(v.value) if v.is_int else v.value, span=v.span)
    if isinstance(v, n.Quantity):
        return P.EmitValue(kind="quantity", value=f"{v.value:g} {v.unit}", span=v.span)
    return P.EmitValue(kind=v.kind, value=getattr(v, "value", None), span=v.span)


def _items(prop: n.Property | None) -> list[n.Node]:
    if prop is None:
        return []
    if len(prop.values) == 1 and isinstance(prop.values[0], n.ListV):
        return list(prop.values[0].items)
    return list(prop.values)


def _prop_span(decl, key: str) -> Span:
    for line in decl.props:
        if line.name.value == key:
            return line.span
        for v in line.values:
            if isinstance(v, n.Name) and v.value == key:
                return v.span
    return decl.name.span


def check(loaded: Loaded, sink: Sink) -> P.Program | None:
    return Checker(loaded, sink).run()
