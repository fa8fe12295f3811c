"""The `corpusc` command line: check, plan, fmt, explain.

Every failure reaches the user as a diagnostic with a code; a bug in corpusc
becomes E0901 (set CORPUSC_DEBUG=1 for the traceback), never a bare traceback.
Heavy modules are imported inside commands so `corpusc check` starts fast.
"""

from __future__ import annotations

import gc
import os
import sys

import click

from corpusc import __version__
from corpusc.cli.common import EXIT_ERRORS, EXIT_OK, emit_diags, internal_errors, progress_bar, want_color

# `run` holds the collector back during start-up, which allocates some 100k
# objects that live until exit (modules, pydantic schemas, the grammar):
# collecting among them cost 12-17 ms of every run.
_START_THRESHOLD = 250_000
_GC_DEFAULT = gc.get_threshold()


def _started() -> None:
    """Start-up and compilation are done: what exists now stays until exit,
    so it is frozen out of later collections and the usual thresholds return.
    check, plan and build call it once they have compiled; every other
    command at its start (`main`). Only the executable raises the threshold."""
    if gc.get_threshold()[0] == _START_THRESHOLD:
        gc.freeze()
        gc.set_threshold(*_GC_DEFAULT)


def _compile(path, sink):
    """`compile_spec` (the compiler, then the emit blocks, engine and locales
    against the installed backends and renderers), for the commands that
    compile (check, plan, build): start-up ends with it (`_started`)."""
    from corpusc.builder.compile import compile_spec
    compiled = compile_spec(path, sink, keep=gc.get_threshold()[0] == _START_THRESHOLD)
    _started()
    return compiled


class _Commands(click.Group):
    """The commands, some of them in modules of their own imported only when
    they run or are listed: `corpusc check` need not build the options of
    `deliver`, `score` and `batch` (some 20 ms of click objects)."""

    LAZY = {"deliver": "corpusc.cli.deliver", "score": "corpusc.cli.score", "batch": "corpusc.cli.batch"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY and name not in self.commands:
            import importlib
            self.add_command(getattr(importlib.import_module(self.LAZY[name]), name))
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="corpusc")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Compile .corpus specs into synthetic, annotated call corpora."""
    if ctx.invoked_subcommand not in ("check", "plan", "build"):
        _started()  # commands that compile nothing get the usual collector at once


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="How diagnostics are printed.")
@click.option("--coverage", "coverage_path", type=click.Path(dir_okay=False),
              help="Also write the coverage report (requirements) as JSON to this file.")
@internal_errors
def check(files, fmt, coverage_path):
    """Parse, resolve and check FILES and evaluate their requirements on the plan.

    No network, no generation. Exit 0 when clean (warnings allowed), 1 on errors.
    """
    from corpusc.plan.coverage import coverage_json, coverage_table
    from corpusc.diagnostics.model import Sink
    from corpusc.diagnostics.report import summary_line
    sink = Sink()
    sources: dict[str, str] = {}
    reports = []
    for path in files:
        compiled, results = _check_one(path, sink)
        sources.update(compiled.sources)
        if results is not None:
            reports.append((path, compiled, results))
    diags = sink.sorted()
    if fmt == "json":
        import json
        from corpusc.diagnostics import report
        doc = json.loads(report.render_json(diags, sources))
        doc["coverage"] = [coverage_json(c, r) for _, c, r in reports]
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        emit_diags(diags, sources, fmt)
        if fmt == "text":
            for path, compiled, results in reports:
                if results:
                    click.echo(coverage_table(path, results, color=want_color()))
            click.echo(summary_line(diags, color=want_color()))
    if coverage_path:
        import json
        from corpusc.plan.atomic import write_text
        payload = [coverage_json(c, r) for _, c, r in reports]
        try:
            write_text(coverage_path, json.dumps(payload[0] if len(payload) == 1 else payload, indent=2,
                                                 ensure_ascii=False) + "\n")
        except OSError as e:
            _cannot_write(coverage_path, e, "text")
    sys.exit(EXIT_ERRORS if any(d.severity == "error" for d in diags) else EXIT_OK)


def _cannot_write(path, e: OSError, fmt: str) -> None:
    """An output file that cannot be written (a read-only or full file system,
    a folder that is a file): E0903 at the path, on stderr, exit 1. Nothing
    is left behind (atomic_open removes its temporary file)."""
    from corpusc.diagnostics.model import Sink, Span
    sink = Sink()
    where = f" ({e.filename})" if e.filename and os.fspath(e.filename) != os.fspath(path) else ""
    sink.add("E0903", f"cannot write `{path}`: {e.strerror or e}{where}", Span.point(str(path)),
             help="choose a path on a writable file system, in a folder that exists or can be created")
    emit_diags(sink.items, {}, fmt, err=True)
    sys.exit(EXIT_ERRORS)


def _check_one(path, sink):
    from corpusc.diagnostics.model import Sink
    from corpusc.plan.evaluate import evaluate_plan
    own = Sink()
    compiled = _compile(path, own)
    results = None
    if compiled.program is not None and not own.errors:
        results = evaluate_plan(compiled, own)
        _budget(compiled, own)
    sink.items.extend(own.items)
    return compiled, results


def _budget(compiled, sink) -> None:
    """A renderer that costs money holds the spec to its `budget` (engine llm: E0735 at the budget's line)."""
    prog = compiled.program
    from corpusc.render.protocol import Paid
    r, ropts = _renderer(prog)
    if not isinstance(r, Paid) or ropts.get("budget") is None:
        return
    from corpusc.diagnostics.model import Span
    from corpusc.plan import planner as planmod
    why = r.over_budget(planmod.calls(prog), planmod.header(prog, compiled.spec_hash), ropts)
    if why:
        emit = next(e for e in prog.emits if e.backend == "transcripts")
        span = next((ln.span for ln in emit.lines if ln.name == "budget"), emit.span) or Span.point("<spec>")
        sink.add("E0735", why, span, label="over this budget",
                 help="raise the budget, choose a cheaper `model`, or plan fewer or shorter calls")


@main.command()
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (specs/plan.schema.json).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              help="How diagnostics are printed (on stderr).")
@internal_errors
def plan(file, as_json, output, fmt):
    """Print the execution plan of FILE: every call, resolved and deterministic."""
    from corpusc.plan import planner as planmod
    from corpusc.diagnostics.model import Sink
    from corpusc.plan.serialize import write_human, write_json
    sink = Sink()
    compiled = _compile(file, sink)
    errors = [d for d in sink.items if d.severity == "error"]
    if compiled.program is None or errors:
        emit_diags(sink.sorted(), compiled.sources, fmt, err=True)
        sys.exit(EXIT_ERRORS)
    if sink.items:
        emit_diags(sink.sorted(), compiled.sources, fmt, err=True)
    prog = compiled.program
    tally = planmod.Tally(prog)
    stream = tally.wrap(planmod.calls(prog))

    def write(out):
        if as_json:
            write_json(out, planmod.header(prog, compiled.spec_hash), stream, tally)
        else:
            write_human(out, prog, stream, tally)

    if output:
        from corpusc.plan.atomic import atomic_open
        try:
            with atomic_open(output) as f:
                write(f)
        except OSError as e:
            _cannot_write(output, e, fmt)
        click.echo(planmod.footer(tally.summary()), err=True)
    else:
        write(sys.stdout)
    if not as_json:  # a renderer that costs money says how much (engine llm)
        from corpusc.render.protocol import Paid
        r, ropts = _renderer(prog)
        if isinstance(r, Paid):
            click.echo(r.estimate(planmod.calls(prog), planmod.header(prog, compiled.spec_hash), ropts),
                       err=bool(output))


def _renderer(prog):
    """The renderer the spec selects and its options."""
    from corpusc.builder.compile import engine, renderer_options
    from corpusc.render import registry as renderers
    r = renderers.get(engine(prog))
    return r, renderer_options(prog, r.Options.model_fields)


@main.command()
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False),
              help="Output directory (default: out/<corpus>/).")
@click.option("--only", help="Run only these backends, comma-separated (e.g. transcripts,ground_truth).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs).")
@click.option("--shard", help="Render only slice i of n (e.g. 2/8); shards merge into one manifest.")
@click.option("--offline", is_flag=True, help="Make no model requests: `engine llm` answers come from its cache only.")
@click.option("--batch", "use_batch", is_flag=True,
              help="`engine llm` through the Batch API: submit the requests, collect them on a later run "
                   "(see `corpusc batch`); the corpus is written once every answer is in.")
@internal_errors
def build(file, out_dir, only, jobs, shard, offline, use_batch):
    """Render FILE's corpus: transcripts, ground truth, plan, coverage.

    Incremental: a call whose plan item, context and backend options are unchanged
    is not rendered again. Every file is written atomically and listed with its
    sha256 in manifest.json.
    """
    from corpusc.builder.apart import apart
    from corpusc.builder.executor import build as run_build
    from corpusc.builder.executor import parse_only, parse_shard
    if use_batch and (offline or shard):
        raise click.UsageError("--batch submits and collects the requests of the whole corpus: "
                               f"it cannot be combined with {'--offline' if offline else '--shard'}")
    try:
        shard_t = parse_shard(shard)
        wanted = parse_only(only if only is None else only or ",")  # `--only ''` names nothing: an error
    except ValueError as e:
        raise click.UsageError(str(e))
    from corpusc.builder.apart import APART_ABOVE
    try:
        large = not use_batch and os.path.getsize(file) >= APART_ABOVE  # --batch needs the syntax (E0736)
    except OSError:
        large = False  # the compiler reports it
    if large:
        compiled, pickled, sink, current, out, header, results = apart(_prepare, file, out_dir, wanted, shard_t)
    else:
        compiled, pickled, sink, current, out, header, results = _prepare(file, out_dir, wanted, shard_t, False,
                                                                          use_batch)
    if isinstance(header, str):
        from corpusc.plan.model import Header
        header = Header.model_validate_json(header)
    if pickled is not None:
        from corpusc.builder.apart import load_program
        compiled.program = load_program(pickled)
        from corpusc.builder.executor import RENDER_APART
        if (jobs or os.cpu_count() or 1) <= 1 and len(pickled) < RENDER_APART:  # the bytes are for the workers
            pickled = None
    _started()  # what was compiled stays until exit
    prog = compiled.program
    if sink.items:
        emit_diags(sink.sorted(), compiled.sources, "text", err=True)
    if current is not None:
        click.echo(f"Built {prog.corpus.name}: up to date, {current} calls unchanged -> {out}/")
        return
    if prog is None or sink.errors:
        click.echo("build stopped: fix the errors above (nothing was written)", err=True)
        sys.exit(EXIT_ERRORS)
    if use_batch:  # E0736 at the engine when it is not `engine llm` (before the syntax is dropped)
        from corpusc.cli.batch import llm_renderer
        llm_renderer(compiled, file, "--batch")
    compiled.drop_syntax()
    total = sum(len(a.calls) for a in prog.accounts) + sum(p.count for p in prog.populations)
    if shard_t:
        total = len(range(shard_t[0] - 1, total, shard_t[1]))
    import signal

    from corpusc.backends.base import BackendError
    from corpusc.render.llm.errors import LlmError

    if offline:  # read by the LLM renderer in every worker process (they inherit it), for this build only
        os.environ["CORPUSC_OFFLINE"] = "1"

    def _terminated(signum, frame):  # SIGTERM (a CI timeout, docker stop) stops the build like Ctrl-C:
        raise SystemExit(128 + signum)  # what finished is kept

    before = signal.signal(signal.SIGTERM, _terminated)
    from corpusc.render.protocol import Batching, Paid
    r, ropts = _renderer(prog)
    mark = r.journal_mark(out, ropts) if isinstance(r, Paid) else None
    if use_batch:  # collect, verify, submit; the build runs once every answer is cached, and asks nothing
        from corpusc.cli.batch import run_round
        if not run_round(compiled, file, out):
            click.echo(f"build waits for the batches: `corpusc batch status {file} -o {out}` polls them; run "
                       "this build again to collect and continue")
            signal.signal(signal.SIGTERM, before)
            return
        offline = True
        os.environ["CORPUSC_OFFLINE"] = "1"
    elif isinstance(r, Batching) and not offline and (waiting := r.batches_waiting(out, ropts)):
        click.echo(f"note: {waiting} batch(es) submitted for {out} are not collected; this build asks online "
                   "for what they would answer (`corpusc build --batch` collects them instead)", err=True)
    try:
        with progress_bar(total) as advance:
            res = run_build(compiled, file, out, only=wanted, jobs=jobs or (os.cpu_count() or 1),
                            shard=shard_t, progress=advance, results=results, header=header,
                            pickled=pickled)
    except (BackendError, LlmError) as e:
        from corpusc.diagnostics.report import render_text
        if isinstance(e, LlmError):  # the renderer's: shown at `emit transcripts`, where `engine llm` is chosen
            e = BackendError("transcripts", e.code, e.message, e.help)
        click.echo(render_text([e.diagnostic(file, compiled.sources)], compiled.sources), err=True, nl=False)
        click.echo("build stopped: fix the error above", err=True)
        sys.exit(EXIT_ERRORS)
    except OSError as e:  # disk full, permissions: the user's to fix, not a bug
        from corpusc.diagnostics.model import Sink, Span
        from corpusc.diagnostics.report import render_text
        sink = Sink()
        where = f" ({e.filename})" if e.filename else ""
        sink.add("E0903", f"cannot write to `{out}`: {e.strerror or e}{where}", Span.point(str(out)),
                 help="free some space or choose another directory with -o; the calls finished so far are kept, "
                      "and the same build run again renders only what is missing")
        click.echo(render_text(sink.items, {}), err=True, nl=False)
        click.echo("build stopped: fix the error above", err=True)
        sys.exit(EXIT_ERRORS)
    except (KeyboardInterrupt, SystemExit) as e:  # Ctrl-C, SIGTERM: the build kept what finished
        code = 130 if isinstance(e, KeyboardInterrupt) else e.code
        if isinstance(e, SystemExit) and code != 128 + signal.SIGTERM:
            raise
        click.echo(f"build stopped by {'Ctrl-C' if code == 130 else 'SIGTERM'}: the calls finished so far are "
                   f"kept in {out}/; run the same build again to render the rest", err=True)
        sys.exit(code)
    finally:
        signal.signal(signal.SIGTERM, before)
        if offline:
            os.environ.pop("CORPUSC_OFFLINE", None)
    for name in res.skipped_backends:
        click.echo(f"note: backend `{name}` is not available in this version; skipped", err=True)
    click.echo(f"Built {prog.corpus.name}: {res.rendered} calls rendered, {res.skipped} unchanged, "
               f"{res.files} files written in {res.seconds:.2f} s -> {out}/")
    if mark is not None:
        click.echo(r.usage(out, ropts, mark))


def _prepare(file, out_dir, wanted, shard_t, apart: bool = True, keep_syntax: bool = False):
    """What `build` decides before it renders, run apart (`builder.apart`: the
    compiler's peak memory ends with the child): the compiled spec without
    its syntax tree, the diagnostics, the number of calls when the output is
    up to date (else None), the output folder, the plan's header and the
    requirements evaluated on the plan. Run `apart`, the program comes
    pickled on its own (`pickled`; else None): the build's workers take
    those bytes as they are. Prints nothing."""
    from pathlib import Path

    from corpusc.diagnostics.model import Sink
    sink = Sink()
    compiled = _compile(file, sink)
    prog = compiled.program
    current = out = header = None
    results = []
    if prog is not None and not sink.errors and wanted:
        from corpusc.builder.incremental import emitted
        emits = emitted(prog)
        idle = [w for w in wanted if w not in emits]
        if idle:  # it would build nothing of them and say so in no way
            raise click.UsageError(f"--only: {', '.join(f'`{w}`' for w in idle)} not emitted by {file}; "
                                   f"it emits: {', '.join(emits)}")
    if prog is not None and not sink.errors:
        from corpusc.builder.incremental import up_to_date
        from corpusc.plan.evaluate import evaluate_plan
        out = Path(out_dir) if out_dir else Path("out") / prog.corpus.name
        current = up_to_date(compiled, out, only=wanted, shard=shard_t)
        if current is None:
            from corpusc.plan.evaluate import divergence_span
            from corpusc.plan.planner import header as plan_header
            where = divergence_span(compiled)
            if not keep_syntax:
                compiled.drop_syntax()  # what it held is reused by the header and the plan pass
            # run apart, the header is the build's to make when no requirement needs it here:
            # this process's memory then peaks lower (its syntax tree's arenas are still held)
            header = plan_header(prog, compiled.spec_hash) if prog.requirements or not apart else None
            results = evaluate_plan(compiled, sink, header, where)
            _budget(compiled, sink)
    if not keep_syntax:
        compiled.drop_syntax()
    pickled = None
    if prog is not None and apart:
        from corpusc.builder.apart import dump_program
        if header is not None:  # as JSON, first: pickled, a 10,000-call header's objects took the child 15 MB more
            header = header.model_dump_json()
        pickled = dump_program(prog)
        compiled.program = None
    return compiled, pickled, sink, current, out, header, results


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True)
@internal_errors
def verify(directory, fmt):
    """Check a built corpus against its plan: files, hashes, offsets, cues, requirements."""
    from pathlib import Path

    from corpusc.builder.verify import verify as run_verify
    from corpusc.diagnostics.model import Sink
    sink = Sink()
    summary = run_verify(Path(directory), sink)
    emit_diags(sink.sorted(), {}, fmt)
    if fmt == "text":
        state = "failed" if sink.errors else "passed"
        click.echo(f"verify {state}: {summary.get('calls', 0)} calls, {summary.get('files', 0)} files, "
                   f"{len(sink.errors)} errors, {len(sink.warnings)} warnings")
    sys.exit(EXIT_ERRORS if sink.errors else EXIT_OK)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if any file is not formatted; write nothing.")
@click.option("--diff", is_flag=True, help="Print a unified diff instead of writing.")
@internal_errors
def fmt(files, check_only, diff):
    """Format FILES in the one canonical layout (comments kept; no options)."""
    from corpusc.plan.atomic import write_text
    from corpusc.compiler.fmt import FormatError, format_text, unified_diff
    from corpusc.diagnostics.report import render_text
    status = EXIT_OK
    for path in files:
        try:
            data = open(path, "rb").read()
        except OSError as e:
            click.echo(f"error[E0902]: cannot read `{path}`: {e.strerror}", err=True)
            status = EXIT_ERRORS
            continue
        from corpusc.diagnostics.model import Sink
        from corpusc.compiler.parse import decode
        sink = Sink()
        text = decode(path, data, sink)
        if text is None:
            click.echo(render_text(sink.items, {}), err=True, nl=False)
            status = EXIT_ERRORS
            continue
        try:
            new, diags = format_text(text, path)
        except FormatError as e:  # a formatter bug: refuse to touch the file
            raise RuntimeError(f"fmt would change the meaning of {path}: {e}") from e
        if new is None:
            click.echo(render_text(diags, {path: text}), err=True, nl=False)
            status = EXIT_ERRORS
            continue
        if new == text:
            continue
        if diff:
            click.echo(unified_diff(text, new, path), nl=False)
        if check_only:
            if not diff:
                click.echo(f"would reformat {path}")
            status = max(status, EXIT_ERRORS)
        elif not diff:
            write_text(path, new)
            click.echo(f"reformatted {path}", err=True)
    sys.exit(status)


@main.command()
@click.argument("code")
@internal_errors
def explain(code):
    """Print the long explanation of a diagnostic CODE (e.g. E0204)."""
    from corpusc.diagnostics.codes import CODES
    key = code.upper()
    if key.isdigit():
        key = "E" + key.zfill(4)
    c = CODES.get(key)
    if c is None:
        from corpusc.compiler.schema import did_you_mean
        hint = did_you_mean(key, CODES)
        click.echo(f"error: unknown diagnostic code `{code}`" + (f"; {hint}" if hint else ""), err=True)
        click.echo("codes: " + ", ".join(CODES), err=True)
        sys.exit(EXIT_ERRORS)
    click.echo(f"{c.code}: {c.title} ({c.severity})\n\n{c.explanation}")


def run() -> None:
    """The `corpusc` executable: `main`, then an immediate exit once the command
    has returned. Tearing the interpreter down (freeing every module's objects
    one by one) costs 30-45 ms a run, longer than `corpusc check` itself on a
    small spec; every file is closed by then and the OS reclaims the memory.
    While any other thread is still alive, Python's own exit runs instead."""
    import threading
    gc.set_threshold(_START_THRESHOLD, *_GC_DEFAULT[1:])
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = EXIT_ERRORS
    if threading.active_count() > 1 or _observed():
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with that descriptor closed
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`corpusc plan | head`)
            code = code or EXIT_ERRORS
    os._exit(code)


def _observed() -> bool:
    """A profiler, tracer or coverage tool watches this process: it writes
    what it measured at exit, so the exit is Python's own."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+ (coverage's sysmon core)
    return monitoring is not None and any(monitoring.get_tool(i) is not None for i in range(6))
