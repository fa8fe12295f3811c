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
        self.sample: list[str] = []  # the sampled calls' ids; their turns are in the index
        self.calls = calls

    def merge(self, r: RangeResult) -> None:
        if r.lines:
            self.plan.line(r.lines)  # a unit's calls, joined by the worker
        if self.calls is not None:
            self.calls.add(r.rows)
        self.tally.merge(r.tally)
        self.acc.merge(r.part)
        self.sample.extend(cid for cid, _ in r.sides)

    def turns(self, index: manifest.Index) -> Iterator[tuple[str, list[tuple[str, str]]]]:
        """The sampled calls' (id, turns) in plan order, as the index keeps them
        (recorded by this build or by the one that rendered a call it
        skipped), read a few hundred calls at a time: the 3,000 calls' turns
        held in memory till the end were some 40 MB. A call without a
        transcript (`emit vcp` alone) has none and is not measured."""
        for i in range(0, len(self.sample), 500):
            chunk = self.sample[i:i + 500]
            kept = index.sample(chunk)
            for cid in chunk:
                turns = kept.get(cid)
                if turns:
                    yield cid, turns

    def close(self) -> None:
        self.plan.close(self.tally)


def write_jsonl(prog: P.Program, header: Header, out: Path, names: list[str], options: dict,
                 index: manifest.Index) -> dict[str, str]:
    """Each backend's corpus-wide files (`finish`, e.g. `vcp.jsonl`), every
    call in plan order, written atomically; a file a backend wrote in the
    last build and no longer writes is removed."""
    from corpusc.backends import registry
    from corpusc.backends.base import Context
    from corpusc.plan.atomic import atomic_open
    ctx = Context(header=header, options=options, out=out)
    files = {}
    for name in names:
        for rel, chunks in registry.get(name).finish(planmod.calls(prog), ctx).items():
            parts = rel.split("/")
            if rel.startswith("/") or ".." in parts or parts[0] in (".corpusc", manifest.MANIFEST) or rel in files:
                raise ValueError(f"backend `{name}` asked to write `{rel}`, outside its share of the output directory")
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            with atomic_open(out / rel, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
            files[rel] = manifest.sha256_file(out / rel)
    for rel in index.get_meta("finish_files") or []:
        if rel not in files and (out / rel).is_file():
            (out / rel).unlink()
    index.set_meta("finish_files", sorted(files))
    return files
