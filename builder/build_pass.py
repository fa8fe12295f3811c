"""The build's one pass over the plan, beside the rendering: plan.json, the
tally for its summary, the populations' distribution and the calls sampled
for the quality figures; and the corpus-wide files written at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from corpusc.compiler import program as P
from corpusc.plan import planner as planmod
from corpusc.plan.model import Header
from corpusc.plan.serialize import JsonWriter

from corpusc.builder import manifest
from corpusc.builder.worker import RangeResult


class BuildPass:
    """Units arrive from the workers (or this process) and are merged in plan
    order: their plan.json lines, tallies, distributions and quality sample."""

    def __init__(self, prog: P.Program, header: Header, f, calls: manifest.CallsPart | None = None):
        from corpusc.builder import distribution as distmod
        self.tally = planmod.Tally(prog)
        self.acc = distmod.Accumulator(prog)
        self.plan = JsonWriter(f, header)
        self.sample: list[tuple[str, list[tuple[str, str]] | None]] = []
        self.calls = calls

    def merge(self, r: RangeResult) -> None:
        if r.lines:
            self.plan.line(r.lines)  # a unit's calls, joined by the worker
        if self.calls is not None:
            self.calls.add(r.rows)
        self.tally.merge(r.tally)
        self.acc.merge(r.part)
        self.sample.extend(r.sides)

    def turns(self, index: manifest.Index) -> Iterator[list[tuple[str, str]]]:
        """The sampled calls' turns in plan order: as this build rendered
        them, or as the build that rendered a call it skipped recorded them.
        A call without a transcript (`emit vcp` alone) has none and is not
        measured."""
        kept = index.sample([cid for cid, t in self.sample if t is None])
        for cid, t in self.sample:
            turns = t if t is not None else kept.get(cid)
            if turns:
                yield turns

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
