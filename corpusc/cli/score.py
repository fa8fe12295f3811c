"""`corpusc score DIR [PREDICTIONS]`: a pipeline's predictions (or a built-in
baseline's) against a build's ground truth; exit 1 below a `--min-f1` bar or
on an error in the predictions."""

from __future__ import annotations

import sys

import click

from corpusc.cli.common import EXIT_ERRORS, EXIT_USAGE, emit_diags, internal_errors

# corpusc.score.baselines.BASELINES's names, listed here so the CLI starts without importing it
# (tests/test_score.py holds the two the same)
BASELINE_NAMES = ["keywords", "majority", "opener-vs-cue", "any-hesitant", "any-cue-on-buyer", "every-cue",
                  "positive-word-negative-cue", "lexicon-against-cue", "negation-against-cue",
                  "negative-word-against-cue", "word-count-against-cue", "persona-trigrams", "persona-behaviour"]


def _bars(values: tuple[str, ...]) -> dict[str, float]:
    bars: dict[str, float] = {}
    for v in values:
        key, _, num = v.rpartition("=")
        try:
            x = float(num)
        except ValueError:
            x = -1.0
        if not 0.0 <= x <= 1.0:
            raise click.BadParameter(f"{v!r}: give a number in 0..1, or CATEGORY=NUMBER "
                                     "(e.g. 0.8, surface/pricing=0.7, divergence=0.6)", param_hint="--min-f1")
        bars[key or "all"] = x
    return bars


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.argument("predictions", required=False, type=click.Path())
@click.option("--baseline", type=click.Choice(BASELINE_NAMES),
              help="Score a built-in simple extractor instead of PREDICTIONS (docs/scoring.md, Baselines).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "github"]), default="text",
              show_default=True)
@click.option("--by", type=click.Choice(["layer", "category", "persona", "call", "account"]), default="category",
              show_default=True, help="How the signal table is broken down.")
@click.option("--tolerance", type=click.IntRange(min=0), default=0, show_default=True,
              help="Turns a prediction may be off by and still match.")
@click.option("--overlap", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="When > 0, predictions must give characters overlapping the labelled span by this share (IoU).")
@click.option("--min-f1", "min_f1", multiple=True,
              help="Exit 1 below this F1: overall (0.8) or per category (surface/pricing=0.7, divergence=0.6).")
@click.option("--strict", is_flag=True, help="Warnings about the predictions are errors.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Resamples over calls for the 95% intervals (0: none).")
@click.option("--worst", type=click.IntRange(min=0), default=5, show_default=True,
              help="Calls shown with their misses and false positives.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to this file (atomically).")
@internal_errors
def score(directory, predictions, baseline, fmt, by, tolerance, overlap, min_f1, strict, bootstrap, worst, output):
    """Score PREDICTIONS (a JSONL file or a folder of <call_id>.json) against
    the ground truth of the build in DIRECTORY (docs/scoring.md)."""
    from corpusc.diagnostics.model import Sink, Span
    from corpusc.score import report
    from corpusc.score import truth as T
    from corpusc.score.read import Record, read
    from corpusc.score.scorer import Settings
    from corpusc.score.scorer import score as run_score

    if (predictions is None) == (baseline is None):
        raise click.UsageError("give PREDICTIONS or --baseline NAME (one of them)")
    bars = _bars(min_f1)
    sink = Sink()
    sources: dict[str, str] = {}
    try:
        if baseline:
            from corpusc.score.baselines import BASELINES
            records = {p.call_id: Record(f"<baseline {baseline}>", 0, p) for p in BASELINES[baseline](directory)}
        else:
            records, sources = read(predictions, sink)
        fatal = [d for d in sink.items if d.severity == "error"]
        if fatal:
            return _fail(sink, sources, fmt)
        result = run_score(directory, records, sink, Settings(tolerance=tolerance, overlap=overlap,
                                                              bootstrap=bootstrap, worst=worst))
    except T.TruthError as e:
        sink.add("E1107", str(e), Span.point(directory), help="add `emit ground_truth` and run `corpusc build`")
        return _fail(sink, sources, fmt)
    warnings = [d for d in sink.items if d.severity == "warning"]
    result["warnings"] = len(warnings)
    failed = _check_bars(result, bars, sink, predictions or directory)
    body = {"text": lambda: report.text(result, by), "json": lambda: report.as_json(result),
            "html": lambda: report.as_html(result, by), "github": lambda: report.github(result)}[fmt]()
    if output:
        from corpusc.plan.atomic import write_text
        write_text(output, body)
    else:
        click.echo(body, nl=False)
    shown = sink.items if fmt != "text" else sink.items[:20]
    emit_diags(shown, sources, "github" if fmt == "github" else "text", err=fmt != "github")
    if fmt == "text" and len(sink.items) > 20:
        click.echo(f"... and {len(sink.items) - 20} more", err=True)
    if failed or (strict and warnings):
        sys.exit(EXIT_ERRORS)


def _fail(sink, sources, fmt) -> None:
    emit_diags(sink.items, sources, "github" if fmt == "github" else "text", err=fmt != "github")
    sys.exit(EXIT_ERRORS)


def _check_bars(result: dict, bars: dict[str, float], sink, where: str) -> bool:
    from corpusc.diagnostics.model import Span
    scores: dict[str, float] = {}
    if "signals" in result:
        scores["all"] = result["signals"]["micro"]["f1"]
        scores.update({k: m["f1"] for k, m in result["signals"]["by"]["category"].items()})
    if "divergence" in result:
        scores["divergence"] = result["divergence"]["f1"]
    failed = False
    for key, bar in bars.items():
        if key not in scores:
            raise click.BadParameter(f"no category `{key}` in this score; known: {', '.join(sorted(scores))}",
                                     param_hint="--min-f1")
        if scores[key] < bar:
            failed = True
            sink.add("E1108", f"{key}: F1 {scores[key]:.3f} is below the bar {bar:.3f}", Span.point(where))
    return failed
