"""`corpusc batch status|collect SPEC`: the Batch API rounds of `engine llm`
(docs/llm.md), and what `corpusc build --batch` runs before it builds.

`collect` downloads the answers of finished batches into the cache, verifies
every call as a build would, and submits what the calls still need (the next
segment, repairs with attempt+1) as a new round; `status` only polls. When
every answer is in, `corpusc build SPEC --batch` writes the corpus from the
cache without a single request."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from corpusc.cli.common import EXIT_ERRORS, emit_diags, internal_errors


def _compiled(file: str):
    """The spec compiled and checked (diagnostics printed; exit 1 on errors)."""
    from corpusc.builder.compile import compile_spec
    from corpusc.diagnostics.model import Sink
    sink = Sink()
    compiled = compile_spec(file, sink)
    if sink.items:
        emit_diags(sink.sorted(), compiled.sources, "text", err=True)
    if compiled.program is None or sink.errors:
        click.echo("stopped: fix the errors above", err=True)
        sys.exit(EXIT_ERRORS)
    return compiled


def llm_renderer(compiled, file: str, what: str):
    """The spec's renderer and options, when it is `engine llm`; else E0736 at its engine."""
    from corpusc.builder.compile import engine, engine_of, renderer_options
    from corpusc.diagnostics.model import Sink
    from corpusc.render import registry as renderers
    from corpusc.render.protocol import Batching
    r = renderers.get(engine(compiled.program))
    ropts = renderer_options(compiled.program, r.Options.model_fields)
    if isinstance(r, Batching):
        return r, ropts
    name, span = engine_of(compiled.program, compiled)
    sink = Sink()
    sink.add("E0736", f"{what} needs `engine llm`: this spec renders with `{name}`, which asks no model",
             span, label="not engine llm",
             help="set `engine llm` (and its `model`) in `emit transcripts`, or build without --batch")
    emit_diags(sink.items, compiled.sources, "text", err=True)
    sys.exit(EXIT_ERRORS)


def out_of(compiled, out_dir: str | None) -> Path:
    return Path(out_dir) if out_dir else Path("out") / compiled.program.corpus.name


def run_round(compiled, file: str, out: Path) -> bool:
    """Collect, verify, submit: True when every answer is cached (the build may run)."""
    from corpusc.plan import planner as planmod
    from corpusc.render.llm.errors import LlmError
    r, ropts = llm_renderer(compiled, file, "--batch")
    r.bind(out)
    prog = compiled.program
    try:
        rep = r.batch("collect", planmod.calls(prog), planmod.header(prog, compiled.spec_hash), ropts)
    except LlmError as e:
        _llm_error(e, file, compiled)
    rnd = rep.round
    if rep.collected:
        click.echo(f"batch: collected {rep.collected} answers")
    for s in rep.submitted:
        click.echo(f"batch: submitted round {s['round']}: {s['requests']} requests ({s['file']}, {s.get('id')})")
    click.echo(f"batch: {rnd.done} calls answered and verified, {rnd.waiting} waiting for answers"
               + (f", {len(rnd.failed)} failed" if rnd.failed else ""))
    if rnd.failed:  # `fallback fail`: the build would stop at the first; say all of them now
        for e in rnd.failed:
            click.echo(f"  [{e.code}] {e.message}", err=True)
    return rep.ready


def _llm_error(e, file: str, compiled) -> None:
    from corpusc.backends.base import BackendError
    from corpusc.diagnostics.report import render_text
    err = BackendError("transcripts", e.code, e.message, e.help)
    click.echo(render_text([err.diagnostic(file, compiled.sources)], compiled.sources), err=True, nl=False)
    sys.exit(EXIT_ERRORS)


@click.group()
def batch() -> None:
    """The Batch API of `engine llm`: half the price, answers within 24 hours.

    Submit with `corpusc build SPEC --batch`; then `batch status` polls,
    `batch collect` (or the same `build --batch` again) collects, verifies and
    submits repairs, and `build --batch` writes the corpus once every answer is in.
    """


def _build_args(f):
    """FILE and `-o`: the build whose batches a subcommand works on."""
    f = click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False),
                     help="The build's output directory (default: out/<corpus>/).")(f)
    return click.argument("file", type=click.Path(dir_okay=True))(f)


def _bound(file, out_dir, what: str):
    """The compiled spec, its LLM renderer bound to the build's output, the renderer's options and that output."""
    compiled = _compiled(file)
    out = out_of(compiled, out_dir)
    r, ropts = llm_renderer(compiled, file, what)
    r.bind(out)
    return compiled, r, ropts, out


@batch.command()
@_build_args
@internal_errors
def status(file, out_dir):
    """Poll the batches recorded for FILE's build; download nothing."""
    from corpusc.render.llm.errors import LlmError
    compiled, r, ropts, out = _bound(file, out_dir, "`corpusc batch status`")
    if not r.batches_recorded(ropts):
        click.echo(f"no batch recorded in {out}/.corpusc/llm/batch/: submit with `corpusc build {file} "
                   f"-o {out} --batch`", err=True)
        sys.exit(EXIT_ERRORS)
    try:
        lines = r.batch("status", [], None, ropts)
    except LlmError as e:
        _llm_error(e, file, compiled)
    for line in lines:
        click.echo(line)


@batch.command()
@_build_args
@internal_errors
def collect(file, out_dir):
    """Download finished batches, verify every call, submit repairs as a new round."""
    compiled, r, ropts, out = _bound(file, out_dir, "`corpusc batch collect`")
    mark = r.journal_mark(out, ropts)
    ready = run_round(compiled, file, out)
    from corpusc.render.llm import cost
    got, _ = cost.recorded(ropts, out, mark)
    click.echo(f"batch: {cost.describe(got, about='', cached='cached')} collected now (at the batch price)")
    if ready:
        click.echo(f"batch: every answer is in: `corpusc build {file} -o {out} --batch` writes the corpus")
