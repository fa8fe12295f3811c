"""The build's one pass over the plan, beside the rendering: plan.json, the
tally for its summary, the populations' distribution and the calls sampled
for the quality figures; and the corpus-wide files written at the end."""

from __future__ import annotations

from pathlib import Path

from corpusc.compiler import program as P
from corpusc.plan import planner as planmod
from corpusc.plan.model import Call, Header
from corpusc.plan.serialize import JsonWriter

from corpusc.builder import manifest
from corpusc.builder.worker import RangeResult


class BuildPass:
    """Sales calls are fed one by one in the main process; population ranges
    arrive from the workers and are merged in plan order."""

    def __init__(self, prog: P.Program, header: Header, f, calls: manifest.CallsPart | None = None):
        from corpusc.builder import distribution as distmod
        from corpusc.builder.coverage_report import QUALITY_SAMPLE
        self.limit = QUALITY_SAMPLE
        self.tally = planmod.Tally(prog)
        self.acc = distmod.Accumulator(prog)
        self.plan = JsonWriter(f, header)
        self.sample: list[tuple[str, dict[str, str]]] = []
        self.calls = calls

    def call(self, c: Call) -> bytes:
        self.tally.add(c)
        for _ in self.acc.wrap([c]):
            pass
        if len(self.sample) < self.limit:
            self.sample.append((c.id, {q.name: q.side for q in c.participants}))
        return self.plan.call(c)

    def merge(self, r: RangeResult) -> None:
        if r.lines:
            self.plan.line(r.lines)  # a range's calls, joined by the worker
        if self.calls is not None:
            self.calls.population(r.rows)
        self.tally.merge(r.tally)
        self.acc.merge(r.part)
        self.sample.extend(r.sides[:self.limit - len(self.sample)])

    def close(self) -> None:
        self.plan.close(self.tally)


def write_jsonl(prog: P.Program, header: Header, out: Path, names: list[str], options: dict) -> dict[str, str]:
    """`vcp.jsonl` when asked for: every payload on one line, in plan order."""
    from corpusc.plan.atomic import atomic_open
    files = {}
    vcp_opts = options.get("vcp", {})
    if "vcp" in names and vcp_opts.get("jsonl"):
        from corpusc.backends.vcp import encode
        mode = vcp_opts.get("mode", "gtm")
        with atomic_open(out / "vcp.jsonl", "wb") as f:
            for c in planmod.calls(prog):
                f.write(encode(c, header, mode))
        files["vcp.jsonl"] = manifest.sha256_file(out / "vcp.jsonl")
    elif (out / "vcp.jsonl").is_file():
        (out / "vcp.jsonl").unlink()
    return files
