"""The service-call generator (contact centers, inbound service lines): a
short call where the agent greets, the caller says why they call (the scenario
beat), a few exchanges that depend on the scenario and intent, and the agent
closes; the metadata's hold time and silences become timed gaps. A domain with
its own banks (`pop.<domain>.*`) speaks from them, any other from
`pop.generic.*`."""

from __future__ import annotations

from typing import Any

from corpusc.plan import rng
from corpusc.plan.model import Beat
from corpusc.render.template.banks import with_prefix
from corpusc.render.template.classify import placeholder_name
from corpusc.render.template.drafting import WEEKDAYS, Draft, Drafter, first_name
from corpusc.render.timing import WORDS_PER_SEC


def _seconds(v: Any) -> float:
    return round(float(v), 1) if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 else 0.0


def once_keys(locale: str, dom: str, side: str) -> tuple[str, ...]:
    """Banks `pop.<dom>.once.<side>.*`: asides used at most once per call
    (names ending `_voice` only on the phone, `_text` only in chats)."""
    return with_prefix(locale, f"pop.{dom}.once.{side}.")


class Service:
    """A short service call: the agent greets, the caller says why they call
    (the scenario beat), a few exchanges that depend on the scenario, the agent
    closes. Domains with their own banks: `pop.<domain>.*`; others use
    `pop.generic.*`."""

    def __init__(self, R: Drafter):
        self.R = R
        self._k: dict[tuple, str | None] = {}
        c = self.call = R.call
        self.n = len(c.speakers)
        self.sp = [c.participants[k] for k in c.speakers]
        self.meta = c.metadata or {}
        pop = R.hx.pops.get(c.population or "")
        dom = (pop.domain if pop else None) or str(self.meta.get("domain") or "")
        self.dom = dom if R.has(f"pop.{dom}.greeting") else "generic"
        self.beats_at: dict[int, list[Beat]] = {}
        for b in c.beats:
            self.beats_at.setdefault(b.turn, []).append(b)
        scen = next((b.key for b in c.beats if b.kind == "scenario" and b.key), None)
        self.scen = str(scen or self.meta.get("scenario") or "")
        self.intent = str(self.meta.get("intent") or "")
        self.close_turn = next((b.turn for b in c.beats if b.kind == "close"), self.n - 1)
        # holds and silences take their seconds out of the talking time
        self.hold = 0.0 if str(self.meta.get("channel") or "") == "text" else _seconds(self.meta.get("Hold_time"))
        self.silence = _seconds(self.meta.get("Silence_total_seconds"))
        talk = max(c.target_duration_sec * 0.3, c.target_duration_sec - self.hold - self.silence)
        self.target = round(talk * WORDS_PER_SEC)
        self.tight = self.target / max(1, self.n) < 16 or self.n <= 5
        self.chat = str(self.meta.get("channel") or "") == "text"
        self._slots()

    def k(self, *names: str) -> str | None:
        """The first existing key among pop.<domain>.<name> and pop.generic.<name>."""
        hit = self._k.get(names)
        if hit is not None or names in self._k:
            return hit
        self._k[names] = found = self._k_find(names)
        return found

    def _k_find(self, names) -> str | None:
        R = self.R
        for name in names:
            for dom in (self.dom, "generic"):
                key = f"pop.{dom}.{name}"
                if key in R.bank:
                    return key
        return None

    def _slots(self) -> None:
        R, c, m = self.R, self.call, self.meta
        lex = R.lex
        agent = next((p for p in c.participants if p.side == "seller"), c.participants[0])
        rep = R.hx.reps.get(agent.name) or R.hx.reps.get(agent.id) or {}
        if rep.get("display"):
            agent_name = first_name(rep["display"])
        elif agent.name and not placeholder_name(R.loc, agent.name):
            agent_name = first_name(agent.name)
            agent_name = agent_name[:1].upper() + agent_name[1:]
        else:
            agent_name = R.say_any([f"pop.{self.dom}.agent_names", "pop.generic.agent_names"])
        product = R.header.corpus.get("product") or ""
        biz = R.say_any([f"pop.{self.dom}.biz", "pop.generic.biz"])
        value = m.get("estimated_value_usd") or m.get("amount") or 0
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = 0.0
        fem = R.chance(0.5)
        first = R.phrase(R.first_key("names.first_f" if fem else "names.first_m", "names.first") or "names.first")
        sal = R.phrase(R.first_key("names.sal_f" if fem else "names.sal_m") or "names.last") if \
            R.has("names.sal_f") else ""
        last = R.phrase("names.last")
        wd = WEEKDAYS.index(c.weekday) if c.weekday in WEEKDAYS else 0
        weekdays = R.bank.get("cal.weekdays") or [""] * 7
        hour = int(c.time[:2]) if c.time[:2].isdigit() else 10
        R.slots.update(
            agent=agent_name, biz=biz, product=product if product and product != "Product" else biz,
            caller=first, caller_full=f"{first} {last}", last=last, sal=sal,
            phone=f"555-01{rng.below(R.r, 90) + 10}", street=R.say_any(["names.street"]),
            house=str(100 + rng.below(R.r, 8900)), town=R.say_any([f"pop.{self.dom}.towns", "names.town"]),
            far_town=R.say_any([f"pop.{self.dom}.far_towns", "names.town"]),
            price=lex.money_of(value) if value else lex.money_of(89 + 10 * rng.below(R.r, 20)),
            weekday=weekdays[wd], tomorrow=weekdays[(wd + 1) % 7],
            later=weekdays[(wd + 2) % 7 if (wd + 2) % 7 < 5 else 0],
            window=R.say_any([f"pop.{self.dom}.windows", "pop.generic.windows"]),
            tech=R.say_any(["names.first"]), age=lex.word(4 + rng.below(R.r, 16)),
            ref=f"{rng.below(R.r, 900) + 100}-{rng.below(R.r, 9000) + 1000}",
            daypart=(R.bank.get("cal.dayparts") or ["", "", ""])[0 if hour < 12 else 1 if hour < 17 else 2],
            hold=lex.word(2 + rng.below(R.r, 3)),
            product_line=R.say_any([f"pop.{self.dom}.product.{m.get('product')}", f"pop.{self.dom}.product.default",
                                    "pop.generic.product.default"]),
            amount=R.say_any([f"pop.{self.dom}.amount.{m.get('amount_bucket')}", "pop.generic.amount.default"]),
            last4=str(1000 + rng.below(R.r, 9000)),
        )

    def line(self, names: list[str], kw: dict, i: int) -> str:
        """One line from the first existing bank among `names`; in a very short
        call, the candidate (short banks included) closest to the words left."""
        R = self.R
        if not self.tight:
            names = [n for n in names if not n.endswith("_short")] or names
            text = R.say(self.k(*names) or "", kw)
        else:
            want = max(2.0, (self.target - self.spent) / max(1, self.n - i))
            keys = [k for k in (self.k(n) for n in names) if k]
            best, gap = "", None
            for key in keys[:2]:  # every template of the short and the normal bank, once
                for t in R.bank[key]:
                    t = R.render(t, kw)
                    g = abs(t.count(" ") + 1 - want)
                    if gap is None or g < gap:
                        best, gap = t, g
            text = best
        self.spent += text.count(" ") + 1 if text else 0
        return text

    def _steps(self, k: int) -> list[str]:
        """The middle of the call: `k` exchanges (agent line + caller reply)."""
        R = self.R
        req: list[str] = []
        for key in (self.k(f"steps.{self.scen}"), self.k(f"isteps.{self.intent}") if self.intent else None,
                    self.k(f"osteps.{self.scen}")):
            if key:
                req += [str(s) for s in R.bank[key]]
        if self.dom != "generic" and self.k("steps.always"):
            req = [str(s) for s in R.bank[self.k("steps.always")]] + req
        req = [s.replace("INTENT", self.intent) for s in req]
        req = [s for s in req if self.k(f"step.{s}.agent")]
        if k <= len(req):
            head = req[:1] if k >= 3 else []
            return head + req[len(req) - (k - len(head)):] if k > len(head) else req[len(req) - k:] if k else []
        ek = self.k(f"extra.{self.scen}", "extra")
        extras = [str(s) for s in R.bank[ek]] if ek else []
        extras = [s for s in extras if s not in req and self.k(f"step.{s}.agent")]
        rng.shuffle(R.r, extras)
        need = k - len(req)
        mid = extras[:need]
        while len(mid) < need:
            mid.append("hold")
        # the scenario's own questions first, small talk and admin while the agent works, the outcome last
        ok = self.k(f"osteps.{self.scen}")
        n_out = len([s for s in (R.bank[ok] if ok else []) if self.k(f"step.{str(s).replace('INTENT', self.intent)}.agent")])
        cut = max(1, len(req) - n_out)
        return req[:cut] + mid + req[cut:]

    def run(self) -> list[Draft]:
        R, n, sp = self.R, self.n, self.sp
        agent_turns = [i for i in range(2, self.close_turn) if sp[i].side == "seller"]
        steps = self._steps(len(agent_turns))
        step_at: dict[int, str] = {}
        cur = None
        it = iter(steps)
        for i in range(2, self.close_turn):
            if sp[i].side == "seller":
                cur = next(it, "hold")
            step_at[i] = cur or "hold"
        drafts = []
        scen_key = self.k(f"scenario.{self.scen}", f"intent.{self.intent}", "scenario.default")
        if self.k(f"intent.{self.intent}") and self.dom != "generic":
            scen_key = self.k(f"intent.{self.intent}")
        self.spent = 0
        fills = {}
        for side in ("agent", "caller"):
            # asides that happen once in a call (the train, the hold queue), in a per-call order
            once = [k for k in once_keys(R.loc, self.dom, side)
                    if not k.endswith("_text" if not self.chat else "_voice")] if not self.tight else []
            rng.shuffle(R.r, once)
            fills[side] = [k for k in [self.k(f"more.{self.scen}.{side}"), *once[:2],
                                       self.k(f"more.{self.intent}.{side}") if self.intent else None, *once[2:],
                                       self.k(f"more.{side}_text") if self.chat else None,
                                       self.k(f"more.{side}") if not self.tight else None] if k]
            if side == "caller" and self.scen.startswith("escalation") and self.k("more.caller_upset"):
                # an escalating caller does not say "that's a relief"
                plain = self.k("more.caller")
                fills[side] = [self.k("more.caller_upset") if k == plain else k for k in fills[side]]
        for i in range(n):
            p = sp[i]
            d = Draft(i, p)
            beats = self.beats_at.get(i, [])
            d.beats = [b.kind for b in beats]
            kw: dict[str, Any] = {}
            d.slots = kw
            side = "agent" if p.side == "seller" else "caller"
            d.weight = 1.0 if side == "caller" else 0.9
            d.fills = list(fills[side])
            d.rep = False  # one reaction, one aside, one detail: never two of a kind in a turn
            for b in beats:
                tag = ((b.kind, b.key),)
                if b.kind == "greeting":
                    names = (["greeting_text"] if self.chat else []) + ["greeting_short", "greeting"]
                    d.add(d.core, self.line(names, kw, i), tag)
                    d.fills = []
                elif b.kind == "scenario":
                    names = [scen_key[len(f"pop.{self.dom}."):] if scen_key.startswith(f"pop.{self.dom}.") else
                             scen_key[len("pop.generic."):]]
                    d.add(d.core, self.line([f"scenario.{self.scen}_short"] + names, kw, i), tag)
                    generic = (self.k(f"more.{side}"), self.k(f"more.{side}_text"))
                    d.fills = [f for f in d.fills if f not in generic]  # nothing to react to yet
                elif b.kind == "close":
                    d.add(d.core, self.line([f"close.{self.scen}_short", f"close.{self.scen}", "close.default"], kw, i),
                          tag)
                    bye = R.say(self.k("goodbye"), kw)
                    if bye and (not self.tight or self.spent + bye.count(" ") + 1 <= self.target * 0.95):
                        d.add(d.core, bye, (), True)
                        self.spent += bye.count(" ") + 1
                    d.fills = []
                else:
                    d.add(d.core, R.say(self.k("filler." + side), kw), tag)
            if not beats:
                if i > self.close_turn or (i == n - 1 and side == "caller"):
                    d.add(d.core, self.line([f"bye.{self.scen}", "bye"], kw, i))
                    d.fills = []
                elif i in step_at:
                    s = step_at[i]
                    d.add(d.core, self.line([f"step.{s}.{side}", f"step.hold.{side}"], kw, i))
                else:
                    d.add(d.core, self.line(["filler." + side], kw, i))
            drafts.append(d)
        R.fit(drafts, self.target)
        self._gaps(drafts, step_at)
        return drafts

    def _gaps(self, drafts: list[Draft], step_at: dict[int, str]) -> None:
        """The metadata's hold time as one `[hold Ns]` before an agent turn
        (the agent's "thanks for holding"), its silence split over up to two
        caller turns, so the transcript adds up to the metadata."""
        middle = [d for d in drafts if 2 <= d.i < self.close_turn]
        if self.hold > 0:
            agents = [d for d in middle if d.side == "seller"] or [d for d in drafts[1:] if d.side == "seller"]
            if agents:
                held = [d for d in agents if step_at.get(d.i) == "hold"]
                d = held[0] if held else agents[len(agents) // 2]
                d.gaps.append(f"hold {self.hold:.1f}s")
        if self.silence > 0:
            callers = [d for d in middle if d.side != "seller"] or [d for d in drafts[1:] if d.side != "seller"]
            if callers:
                picks = [callers[len(callers) // 3], callers[(2 * len(callers)) // 3]] if len(callers) > 1 and \
                    self.silence >= 2.0 else [callers[len(callers) // 2]]
                tenths = round(self.silence * 10)
                first = round(tenths * 0.4) if len(picks) == 2 else tenths  # two silences of unequal length
                for k, d in enumerate(picks):
                    part = first if k < len(picks) - 1 else tenths - first * (len(picks) - 1)
                    d.gaps.append(f"silence {part / 10:.1f}s")
