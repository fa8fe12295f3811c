"""Write the plan: streamed JSON (one call per line inside `calls`) and the
human summary. Neither holds all calls in memory."""

from __future__ import annotations

import hashlib
import json
from typing import IO, Any, Iterable

import orjson
from pydantic import BaseModel

from corpusc.compiler import program as P
from corpusc.plan.planner import Tally, footer
from corpusc.plan.model import Call, Header


def call_json(c: Call) -> bytes:
    """`c.model_dump_json()`, encoded: the call's line in plan.json and what
    its content hash covers. Written by orjson from the model's fields, the
    same bytes for what the compiler puts in a call (tested on every call of
    the examples and on arbitrary JSON metadata; a datetime or a bool in an
    int field would read differently, and the compiler makes neither) at a
    fraction of the cost; pydantic writes what orjson refuses (an integer
    beyond 64 bits) and a float field holding an int."""
    if type(c.target_duration_sec) is float:  # pydantic writes an int in a float field as 120.0
        try:
            return orjson.dumps(c.__dict__, default=_fields)
        except TypeError:  # orjson.JSONEncodeError is one
            pass
    return c.model_dump_json().encode()


def _fields(o: Any) -> dict[str, Any]:
    if isinstance(o, BaseModel):  # a participant, beat, moment...: its fields in declaration order
        return o.__dict__
    raise TypeError(type(o).__name__)


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


class HashedFile:
    """A binary file that hashes what goes through it: the build's plan.json
    gets its sha256 on the way instead of reading 1.5 KB a call back."""

    def __init__(self, f: IO[bytes]):
        self.f = f
        self.sha = hashlib.sha256()

    def write(self, data: str | bytes) -> None:
        if type(data) is str:
            data = data.encode()
        self.sha.update(data)
        self.f.write(data)

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


class JsonWriter:
    """plan.json written call by call, so a pass made for another reason (the
    build's render pass) can write it on the way. `out` takes str; the build's
    `HashedFile` also takes the bytes its workers joined."""

    def __init__(self, out: IO[str], header: Header):
        self.out = out
        self.first = True
        out.write("{\n")
        for k, v in header.model_dump(mode="json").items():
            out.write(f"  {json.dumps(k)}: {_dump(v)},\n")
        out.write('  "calls": [')

    def call(self, c: Call) -> bytes:
        """Write one call; returns its JSON (the build hashes the same bytes)."""
        data = call_json(c)
        self.line(data.decode())
        return data

    SEPARATOR = ",\n    "

    @classmethod
    def join(cls, lines: list[bytes]) -> bytes:
        """Calls serialized elsewhere (`call_json` in a build worker), as `line`
        takes them."""
        return cls.SEPARATOR.encode().join(lines)

    def line(self, data: str | bytes) -> None:
        """Write one call already serialized (`call_json`) elsewhere,
        or several `join`ed."""
        self.out.write("\n    " if self.first else self.SEPARATOR)
        self.out.write(data)
        self.first = False

    def close(self, tally: Tally) -> None:
        self.out.write("\n  ],\n" if not self.first else "],\n")
        self.out.write(f'  "summary": {_dump(tally.summary().model_dump(mode="json"))}\n')
        self.out.write("}\n")


def write_json(out: IO[str], header: Header, calls: Iterable[Call], tally: Tally) -> None:
    w = JsonWriter(out, header)
    for c in calls:
        w.call(c)
    w.close(tally)


def write_human(out: IO[str], prog: P.Program, calls: Iterable[Call], tally: Tally) -> None:
    w = out.write
    c0 = prog.corpus
    w(f"corpus {c0.name}  seed {c0.seed}  locale {c0.locale}  timezone {c0.timezone}  "
      f"divergence {c0.divergence * 100:g}%\n")
    accounts = {a.name: a for a in prog.accounts}
    current = None
    pop_counts: dict[str, int] = {}
    for c in calls:
        if c.kind == "sales":
            if c.account != current:
                a = accounts[c.account]
                current = c.account
                w(f"\naccount {a.name} \"{a.display}\"  {a.size or '-'} / {a.industry or '-'}  outcome {a.outcome}\n")
            who = ", ".join(p.id for p in c.participants)
            mom = ""
            if c.moments:
                div = sum(1 for m in c.moments if m.divergent)
                mom = f"  moments {len(c.moments)} ({div} divergent)"
            w(f"  {c.id:<28} {c.date} {c.time[:5]}  {c.stage or '-':<11} {c.target_turns:>3} turns "
              f"~{c.target_duration_sec / 60:.0f} min  [{who}]{mom}\n")
        else:
            pop_counts[c.population] = pop_counts.get(c.population, 0) + 1
    for p in prog.populations:
        w(f"\npopulation {p.name}  {pop_counts.get(p.name, 0)} calls  {p.window_start}..{p.window_end}  "
          f"{p.timezone}  hours {p.hours[0]}..{p.hours[1]}\n")
        for cat in p.categoricals:
            shares = "  ".join(f"{x.value} {x.weight:g}%" for x in cat.categories)
            w(f"  {cat.field}: {shares}\n")
        for f in p.fields:
            desc = f"= {f.derived_from}" if f.derived_from else \
                f"{f.dist}({', '.join(f'{k} {v:g}' if isinstance(v, (int, float)) else f'{k} {v}' for k, v in f.params.items())})"
            w(f"  field {f.name}: {desc}{f' clamp {f.clamp[0]:g}..{f.clamp[1]:g}' if f.clamp else ''}\n")
    w("\n" + footer(tally.summary()) + "\n")
