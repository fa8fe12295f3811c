"""coverage.json and coverage.md of a built corpus: the requirements (measured
on the plan), a quality section measured on the turns of the calls the build
sampled (as it rendered them: nothing is read back), and the declared vs
realized distribution of every population."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from corpusc.plan import planner as planmod
from corpusc.plan.atomic import write_text

from corpusc.builder import distribution as distmod
from corpusc.builder import quality as qmod
from corpusc.builder.quality import quality


def write(out: Path, compiled, results, dist: distmod.Distribution | None = None,
          sample: Iterable[tuple[str, list[tuple[str, str]]]] = ()) -> dict[str, str]:
    """`sample` is the quality sample, (call id, turns as (side, text)) per call; `dist`
    the population distribution when the caller measured it on a pass of its
    own (the build's); otherwise one pass over the plan does."""
    prog = compiled.program
    q = quality(sample)
    if dist is None:
        dist = distmod.measure(prog, planmod.calls(prog))
    doc: dict[str, Any] = {
        "corpus": prog.corpus.name, "spec_hash": compiled.spec_hash,
        "passed": all(r.passed or r.severity == "expect" for r in results),
        "criteria": [{"title": r.title, "severity": r.severity, "suite": r.suite, "query": r.query,
                      "measured": r.measured, "passed": r.passed, "witnesses": r.witnesses,
                      "missing": r.missing} for r in results],
        "quality": q,
        "distribution": dist.model_dump(mode="json"),
    }
    write_text(out / "coverage.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    lines = [f"# Coverage of {prog.corpus.name}", "", "## Acceptance criteria", "",
             "| | criterion | measured | calls |", "| --- | --- | --- | --- |"]
    for r in results:
        mark = "PASS" if r.passed else ("FAIL" if r.severity == "require" else "WARN")
        calls = ", ".join(r.witnesses[:5]) if r.passed else f"missing: {r.missing}"
        lines.append(f"| {mark} | {r.title} | {r.measured} | {calls} |")
    lines += quality_md(q, "contact_center" if prog.populations else "sales")
    lines += distribution_md(dist)
    write_text(out / "coverage.md", "\n".join(lines) + "\n")
    from corpusc.builder.manifest import sha256_file
    return {"coverage.json": sha256_file(out / "coverage.json"), "coverage.md": sha256_file(out / "coverage.md")}


# ---- the quality section --------------------------------------------------------------

def quality_md(q: dict, kind: str) -> list[str]:
    """The transcript quality section: issue 15's text figures with their
    targets, `kind` choosing the verbatim target (a corpus of populations is
    held to the contact-center one; benchmarks/bench_quality.py adds the per-locale, timing, audio and
    ground-truth figures, measured on the emitted files)."""
    if not q.get("calls"):
        return ["", "## Transcript quality", "", "No transcripts in this build: nothing measured."]

    def mark(ok: bool) -> str:
        return "PASS" if ok else "FAIL"
    d2, budget = q["distinct_2"], q["distinct_2_tokens"]
    short = "" if budget >= qmod.TOKENS else f" (only {budget:,} words in the sample)"
    lo, hi = qmod.TARGET_FILLERS
    vs = q["verbatim_share"]
    lines = ["", "## Transcript quality", "",
             f"Measured on the first {q['calls']:,} calls of the plan ({q['turns']:,} turns, {q['words']:,} words; "
             f"at most {qmod.QUALITY_SAMPLE:,} calls), from the turns as rendered. distinct-2: the first "
             f"{qmod.TOKENS:,} words of the calls in sha256-of-id order{short}. Verbatim: occurrences of "
             f"sentences of {qmod.MIN_SENTENCE}+ words that also occur in another call. Fillers by the "
             "evaluator list (builder/quality_lexicon.json) of the language a call's stopwords show. "
             "Definitions: docs/quality.md; the per-locale, timing, audio and ground-truth figures: "
             "benchmarks/bench_quality.py.", "",
             "| figure | value | target | |", "| --- | --- | --- | --- |",
             f"| distinct-2 at {qmod.TOKENS // 1000}k words | {d2} | >= {qmod.TARGET_DISTINCT_2} | "
             f"{mark(d2 >= qmod.TARGET_DISTINCT_2)} |",
             f"| sentences in another call, verbatim | {vs * 100:.2f}% of {q['verbatim_sentences']:,} | "
             f"<= {qmod.TARGET_VERBATIM[kind] * 100:.0f}% ({kind.replace('_', ' ')}) | "
             f"{mark(vs <= qmod.TARGET_VERBATIM[kind])} |",
             f"| fillers per 100 words | {q['fillers_per_100_words']} | {lo:g}-{hi:g} | "
             f"{mark(lo <= q['fillers_per_100_words'] <= hi)} |",
             f"| immediate word repetitions per 100 words | {q['repetitions_per_100_words']} | reported | |",
             f"| distinct-1 | {q['distinct_1']} | reported | |",
             f"| verbatim-duplicate substantive turns | {q['duplicate_substantive_share'] * 100:.2f}% | reported | |",
             f"| turns per call | {q['turns_per_call']} | reported | |",
             f"| questions per rep turn | {q['questions_per_rep_turn']} | reported | |"]
    for loc, x in q.get("by_language", {}).items():
        lines += [f"| distinct-2 at {qmod.TOKENS // 1000}k words, {loc} calls | {x['distinct_2']}"
                  + ("" if x["tokens"] >= qmod.TOKENS else f" ({x['tokens']:,} words)")
                  + f" | >= {qmod.TARGET_DISTINCT_2} | {mark(x['distinct_2'] >= qmod.TARGET_DISTINCT_2)} |",
                  f"| sentences in another {loc} call, verbatim | {x['verbatim_share'] * 100:.2f}% of "
                  f"{x['verbatim_sentences']:,} | <= {qmod.TARGET_VERBATIM[kind] * 100:.0f}% | "
                  f"{mark(x['verbatim_share'] <= qmod.TARGET_VERBATIM[kind])} |"]
    for pair, n in q["adjacent_same_side"].items():
        lines.append(f"| adjacent turns {pair.replace('_', ' -> ')} | {n} | reported | |")
    for side, w in q["words_per_turn"].items():
        lines.append(f"| words per turn ({side}) | {w} | reported | |")
    return lines


# ---- the distribution section ------------------------------------------------------

BAR = 30  # characters of the longest histogram bar
SHOWN_LEVELS = 12  # rows shown for a text key that no `weights` declares
FREE_TEXT = 50  # beyond this many distinct values such a key is summarized in one line


def distribution_md(dist: distmod.Distribution) -> list[str]:
    """The population distributions as markdown lines (nothing when there are none)."""
    lines: list[str] = []
    for p in dist.populations:
        lines += _population_md(p)
    return lines


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.2f}%"


def _pp(x: float | None) -> str:
    return "" if x is None else f"{x:+.2f} pp"


def _val(x: float) -> str:
    s = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _bar(n: int, top: int) -> str:
    bar = "#" * (round(BAR * n / top) if top else 0) or ("." if n else "")
    return f"`{bar}`" if bar else ""


def _population_md(p: distmod.PopulationDist) -> list[str]:
    lo, mid, hi = p.calls_per_day
    held = "the declared count" if p.calls == p.declared_calls else f"DECLARED {p.declared_calls}"
    lines = ["", f"## Distribution of population `{p.population}`", "",
             f"{p.calls} calls ({held}) over {p.days} days, {p.window[0]}..{p.window[1]}, "
             f"{lo}/{mid}/{hi} calls a day (min/median/max); local time {p.timezone}; sampling {p.sampling}."]
    for c in p.categoricals:
        lines += _categorical_md(p, c)
    lines += _bins_md("Weekdays", "weekday", p.weekdays,
                      "Expected: the planned calls per date of the window (`weekdays { }` profile), by weekday.")
    lines += _bins_md("Hours (local)", "hour", p.hours,
                      "Expected: the `hours ... peak ...` profile's hour weights.")
    if p.numeric:
        lines += ["", "### Numeric fields", "", _quantile_note(p), "",
                  "| field | n | min | p5 | median | mean | p95 | max |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {f.field} | {_summary_cells(f.summary)} |" for f in p.numeric]
    if p.flags:
        lines += ["", "### Flags", "", "| field | n | true | true share |", "| --- | --- | --- | --- |"]
        lines += [f"| {f.field} | {f.count} | {f.true} | {_pct(f.true_share)} |" for f in p.flags]
    if p.groups:
        lines += _groups_md(p)
    return lines


def _quantile_note(p: distmod.PopulationDist) -> str:
    if all(f.summary.exact for f in p.numeric) and all(f.summary.exact for g in p.groups for f in g.numeric):
        return "Quantiles are exact (linear interpolation between closest ranks)."
    return (f"n, min, mean and max are exact; quantiles come from a seeded uniform sample of "
            f"{p.reservoir:,} values per field and group (linear interpolation between closest ranks).")


def _summary_cells(s: distmod.Summary) -> str:
    return " | ".join([str(s.count)] + [_val(x) for x in (s.min, s.p5, s.median, s.mean, s.p95, s.max)])


def _categorical_md(p: distmod.PopulationDist, c: distmod.CategoricalDist) -> list[str]:
    if c.declared:
        lines = ["", f"### `{c.field}`", "", "| value | declared | quota | calls | realized | difference |",
                 "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {v.value} | {_pct(v.declared_share)} | {v.quota} | {v.calls} | {_pct(v.share)} | "
                  f"{_pp(v.difference_pp)} |" for v in c.levels]
        off = [v for v in c.levels if v.calls != v.quota]
        if not off and not c.missing:
            lines += ["", "Every count equals its quota (largest remainder of the declared weights)."]
        else:
            why = (" (sampling random draws each call independently)" if p.sampling == "random" else
                   " (`when` adjustments or shifts move calls between values)" if c.adjusted else "")
            lines += ["", f"{len(off)} of {len(c.levels)} values differ from their quota"
                      + (f"; {c.missing} calls have no `{c.field}`" if c.missing else "") + why + "."]
        return lines
    if c.other or len(c.levels) > FREE_TEXT:
        more = "more than " if c.other else ""
        return ["", f"`{c.field}`: {more}{len(c.levels)} distinct values (free text such as ids or "
                "phone numbers), not tabulated."]
    shown = c.levels[:SHOWN_LEVELS]
    lines = ["", f"### `{c.field}` (not declared by weights)", "", "| value | calls | realized |",
             "| --- | --- | --- |"]
    lines += [f"| {v.value} | {v.calls} | {_pct(v.share)} |" for v in shown]
    rest = c.levels[len(shown):]
    if rest:
        lines += ["", f"... and {sum(v.calls for v in rest)} more calls over {len(rest)} other values."]
    return lines


def _bins_md(title: str, key: str, bins: list[distmod.Bin], note: str) -> list[str]:
    top = max((b.calls for b in bins), default=0)
    lines = ["", f"### {title}", "", note, "", f"| {key} | expected | calls | realized | |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| {b.key} | {_pct(b.expected_share)} | {b.calls} | {_pct(b.share)} | {_bar(b.calls, top)} |"
              for b in bins]
    return lines


def _groups_md(p: distmod.PopulationDist) -> list[str]:
    lines = ["", f"### By `{p.group_by}`", ""]
    numeric = [f.field for f in p.numeric if f.field in p.overridden]
    flags = [f.field for f in p.flags if f.field in p.overridden]
    lines += [f"Fields that a `when` block overrides, per value of `{p.group_by}`; "
              "coverage.json has every field."]
    for name in numeric:
        lines += ["", f"#### `{name}`", "", f"| {p.group_by} | n | min | p5 | median | mean | p95 | max |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for g in p.groups:
            f = next((x for x in g.numeric if x.field == name), None)
            if f is not None:
                lines.append(f"| {g.value} | {_summary_cells(f.summary)} |")
    if flags:
        lines += ["", "#### Flags (true share)", "", f"| {p.group_by} | calls | " + " | ".join(flags) + " |",
                  "| --- | --- | " + " | ".join("---" for _ in flags) + " |"]
        for g in p.groups:
            by = {f.field: f for f in g.flags}
            cells = [_pct(by[n].true_share) if n in by else "" for n in flags]
            lines.append(f"| {g.value} | {g.calls} | " + " | ".join(cells) + " |")
    return lines
