"""Orchestration overhead of `engine llm` against an instant local stub
(tests/llm_stub.py in its own process, 127.0.0.1; no network).

    python benchmarks/bench_llm.py [N]

Renders N calls (default 2,000: the calls of examples/sales_pov.corpus under
new ids, so each is a new request) in chunks of 4 x concurrency, as a build
hands them to the renderer, with max_concurrency 64 and the answer cache on
disk; then the same N again from the cache (0 requests). Reports calls/s for
both: wall time (on a shared machine mostly other processes' load), corpusc's
own CPU time per call (the orchestration overhead: prompts, schema, HTTP
client, verification, assembly, cache), the stub's CPU per call (its own
process), the calls/s both would sustain on 2 dedicated cores, attempts made,
and the peak RSS after 1/5 of the calls and at the end (flat memory: the
second figure is not N-proportional). The issue's target: at least 200
calls/s on 2 cores.

Then two figures that need no timing: the estimate `corpusc plan` prints
against what the stub counted (prompt and completion tokens, per call of
sales_pov and in total), and the confusion table of verification (every
call of sales_pov answered with each violation the stub injects: caught as
its own kind, or missed).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve(port_q) -> None:
    from tests.llm_stub import Stub
    s = Stub(memo=True).start()
    s.keep = False
    port_q.put(s.httpd.server_address[1])
    while True:
        time.sleep(3600)


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of process `pid` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    from corpusc.builder.compile import compile_spec
    from corpusc.diagnostics.model import Sink
    from corpusc.plan import planner
    from corpusc.render.llm.renderer import Llm
    q = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(q,), daemon=True)
    server.start()
    port = q.get(timeout=30)
    compiled = compile_spec(str(ROOT / "examples/sales_pov.corpus"), Sink())
    header = planner.header(compiled.program, compiled.spec_hash)
    base = list(planner.sales_calls(compiled.program))
    calls = [base[k % len(base)].model_copy(update={"id": f"{base[k % len(base)].id}.{k}"}) for k in range(n)]
    os.environ["OPENAI_API_KEY"] = "bench"
    with tempfile.TemporaryDirectory() as tmp:
        r = Llm()
        r.bind(Path(tmp))
        opts = {"model": "stub", "base_url": f"http://127.0.0.1:{port}/v1", "max_concurrency": 64}
        chunk = r.prefetch_size(opts)
        for label in ("fresh", "cached"):
            stub0 = cpu_of(server.pid)
            t = time.perf_counter()
            cpu = time.process_time()
            rss_early = 0
            for i in range(0, n, chunk):
                r.prefetch(calls[i:i + chunk], header, opts)
                for c in calls[i:i + chunk]:
                    assert r.render(c, header, opts).provenance["renderer"] == "llm"
                if not rss_early and i + chunk >= n // 5:
                    rss_early = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            dt = time.perf_counter() - t
            cpu = time.process_time() - cpu
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            stub = cpu_of(server.pid) - stub0
            print(f"{label:6}: {n} calls in {dt:.2f} s wall = {n / dt:.0f} calls/s on this (shared) machine; "
                  f"corpusc CPU {1000 * cpu / n:.1f} ms a call = {n / cpu:.0f} calls per CPU-second, the stub's "
                  f"{1000 * stub / n:.1f} ms; both on 2 cores: {2 * n / (cpu + stub):.0f} calls/s; attempts so far "
                  f"(retries included) {r.client(opts).requests}; peak RSS {rss_early // 1024} MB after {n // 5} "
                  f"calls, {rss // 1024} MB at {n}")
        tokens(Path(tmp) / ".corpusc/llm/journal.jsonl", base, header, opts)
    server.terminate()
    confusion(header, base)
    batch_round(calls, header)


def batch_round(calls, header) -> None:
    """`build --batch`'s first round over N uncached calls: every request
    deferred to the spool, then cut into request files (not submitted)."""
    import asyncio
    from corpusc.render.llm import batch
    from corpusc.render.llm.cache import Cache
    from corpusc.render.llm.client import Client
    from corpusc.render.llm.options import LlmOptions
    with tempfile.TemporaryDirectory() as tmp:
        client = Client(LlmOptions(model="stub"), Cache(Path(tmp) / "cache"), Path(tmp))
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.process_time()
        rnd = asyncio.run(batch.plan_round(calls, header, client))
        made = batch.write_files(rnd.deferred.lines(), lambda n: Path(tmp) / f"round001-{n:03d}.jsonl")
        sizes = [(k, p.stat().st_size) for p, k in made]
        cpu = time.process_time() - t
        rnd.deferred.close()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"batch round: {len(calls)} calls -> {rnd.waiting} deferred requests in {len(sizes)} request file(s) "
          f"of {', '.join(f'{n:,} requests / {b / 2**20:.0f} MB' for n, b in sizes)}; corpusc CPU "
          f"{1000 * cpu / len(calls):.1f} ms a call; peak RSS {rss0 // 1024} MB before, {rss // 1024} MB after")


def tokens(journal: Path, base, header, opts) -> None:
    """`corpusc plan`'s estimate per call against the stub's usage (the journal of the fresh run)."""
    import json
    from corpusc.render.llm import cost
    first = {f"{c.id}.{k}": c.id for k, c in enumerate(base)}  # the first copy of each call of sales_pov
    got: dict[str, list[int]] = {}
    for line in journal.read_text().splitlines():
        e = json.loads(line)
        if "prompt_tokens" in e and e["call"] in first:
            g = got.setdefault(first[e["call"]], [0, 0])
            g[0] += e["prompt_tokens"]
            g[1] += e["completion_tokens"]
    print("tokens, estimated (corpusc plan) vs recorded (the stub's usage), first round:")
    print(f"  {'call':24} {'prompt est':>10} {'recorded':>9} {'ratio':>6}   {'compl. est':>10} {'recorded':>9} {'ratio':>6}")
    tot = [0, 0, 0, 0]
    for c in base:
        est = cost.estimate([c], header, opts)
        rp, rc = got.get(c.id, [0, 0])
        tot = [tot[0] + est.prompt_tokens, tot[1] + rp, tot[2] + est.completion_tokens, tot[3] + rc]
        print(f"  {c.id:24} {est.prompt_tokens:>10,} {rp:>9,} {est.prompt_tokens / max(rp, 1):>6.2f}   "
              f"{est.completion_tokens:>10,} {rc:>9,} {est.completion_tokens / max(rc, 1):>6.2f}")
    print(f"  {'total':24} {tot[0]:>10,} {tot[1]:>9,} {tot[0] / max(tot[1], 1):>6.2f}   "
          f"{tot[2]:>10,} {tot[3]:>9,} {tot[2] / max(tot[3], 1):>6.2f}")


def confusion(header, calls) -> None:
    """Each injected violation x each call of sales_pov: caught as its kind, caught as another, missed."""
    import json
    from corpusc.render.llm import outline as O
    from corpusc.render.llm import prompt, verify
    from tests.llm_stub import EXPECTED, damage, write
    recital = header.objections["pricing"]["phrasings"][0]
    print("verification, injected violation x caught / missed (every call of sales_pov, whole-call requests):")
    print(f"  {'injected':16} {'answers':>7} {'caught':>6} {'missed':>6}  reported as")
    for mode, kinds in EXPECTED.items():
        n = hit = 0
        seen: set[str] = set()
        for call in calls:
            if mode == "wrong_polarity" and not call.moments:
                continue
            seg = O.segments(call, "whole")[0]
            user = prompt.messages(call, header, seg, [], True, None)[1]["content"]
            outline = json.loads(user.split("<outline>")[1].split("</outline>")[0])
            content = damage(write(outline), outline, mode, recital)
            finish = {"length": "length", "content_filter": "content_filter"}.get(mode, "stop")
            if finish != "stop":
                found = {f"finish_{finish}"}
            else:
                doc, bad = verify.parse(content)
                found = {bad.kind} if bad is not None else {v.kind for v in verify.check(call, header, seg, doc).violations}
            n += 1
            hit += bool(found & kinds)
            seen |= found
        print(f"  {mode:16} {n:>7} {hit:>6} {n - hit:>6}  {', '.join(sorted(seen))}")


if __name__ == "__main__":
    main()
