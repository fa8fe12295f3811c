"""coverage.json and coverage.md of a built corpus: the requirements (measured
on the plan) and a quality section measured on the rendered transcripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from corpusc.compiler import plan as planmod
from corpusc.compiler.atomic import write_text

from .quality import quality
from .verify import read_txt

QUALITY_SAMPLE = 3000  # calls read back for the quality figures (all of a small corpus)


def _turns(out: Path, calls) -> Iterator[list[tuple[str, str]]]:
    for call in calls:
        side = {p.name: p.side for p in call.participants}
        js = out / "transcripts" / f"{call.id}.json"
        txt = out / "transcripts" / f"{call.id}.txt"
        if js.is_file():
            doc = json.loads(js.read_text(encoding="utf-8"))
            yield [(t.get("role", "buyer"), t["text"]) for t in doc["turns"]]
        elif txt.is_file():
            yield [(side.get(name, "buyer"), text) for name, _, text, _ in read_txt(txt)]


def write(out: Path, compiled, results) -> dict[str, str]:
    import itertools
    prog = compiled.program
    sample = itertools.islice((c for c in planmod.calls(prog)), QUALITY_SAMPLE)
    q = quality(_turns(out, sample))
    doc: dict[str, Any] = {
        "corpus": prog.corpus.name, "spec_hash": compiled.spec_hash,
        "passed": all(r.passed or r.severity == "expect" for r in results),
        "criteria": [{"title": r.title, "severity": r.severity, "suite": r.suite, "query": r.query,
                      "measured": r.measured, "passed": r.passed, "witnesses": r.witnesses,
                      "missing": r.missing} for r in results],
        "quality": q,
    }
    write_text(out / "coverage.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    lines = [f"# Coverage of {prog.corpus.name}", "", "## Acceptance criteria", "",
             "| | criterion | measured | calls |", "| --- | --- | --- | --- |"]
    for r in results:
        mark = "PASS" if r.passed else ("FAIL" if r.severity == "require" else "WARN")
        calls = ", ".join(r.witnesses[:5]) if r.passed else f"missing: {r.missing}"
        lines.append(f"| {mark} | {r.title} | {r.measured} | {calls} |")
    lines += ["", "## Transcript quality", "",
              f"Measured on {q['calls']} rendered calls ({q['turns']} turns).", "",
              "| figure | value |", "| --- | --- |",
              f"| distinct-1 | {q['distinct_1']} |", f"| distinct-2 | {q['distinct_2']} |",
              f"| verbatim-duplicate substantive turns | {q['duplicate_substantive_share'] * 100:.2f}% |",
              f"| turns per call | {q['turns_per_call']} |",
              f"| questions per rep turn | {q['questions_per_rep_turn']} |"]
    for side, w in q["words_per_turn"].items():
        lines.append(f"| words per turn ({side}) | {w} |")
    write_text(out / "coverage.md", "\n".join(lines) + "\n")
    from .manifest import sha256_file
    return {"coverage.json": sha256_file(out / "coverage.json"), "coverage.md": sha256_file(out / "coverage.md")}
