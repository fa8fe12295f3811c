"""`compile_spec`: the compiler, then what only the installed plugins can
answer. The compiler knows the shape of an `emit` block; which backends exist,
what their options mean, which renderer `engine` names and which locales it
writes are declared by the registered backends and renderers (entry points),
so they are checked here, located at the spec's own words, with the codes
`corpusc explain` documents. Every command that compiles a spec uses this."""

from __future__ import annotations

import types
import typing
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError, create_model

from corpusc.backends import registry as backends
from corpusc.compiler import nodes as n
from corpusc.compiler import program as P
from corpusc.compiler import driver
from corpusc.compiler.driver import Compiled
from corpusc.compiler.schema import did_you_mean
from corpusc.diagnostics.model import Sink, Span
from corpusc.render import registry as renderers


def compile_spec(path: str, sink: Sink, text: str | None = None, keep: bool = False) -> Compiled:
    """`compile_file` (`keep` as there), then the emit blocks against the
    backends' options models, the engine against the renderers and the
    locales against the engine's; the program's emits carry the validated
    options."""
    compiled = driver.compile_file(path, sink, text, keep=keep)
    if compiled.program is not None:
        compiled.program = check_outputs(compiled, sink)
    return compiled


def check_outputs(compiled: Compiled, sink: Sink) -> P.Program:
    """The program with each emit's validated options; problems go to `sink`."""
    prog = compiled.program
    engine, span = engine_of(prog, compiled)
    renderer = None
    if engine not in renderers.names():
        sink.add("E0504", f"no registered renderer implements engine `{engine}`", span,
                 label="not a registered renderer",
                 help=_listing(engine, renderers.names(), "renderers"))
    else:
        try:
            renderer = renderers.get(engine)
        except renderers.RendererLoadError as e:
            sink.add("E0504", str(e), span, label="this renderer does not load")
    emits = [e2 for e2 in (_emit(e, sink, renderer) for e in prog.emits) if e2 is not None]
    _ground_truth_text(emits, sink)
    prog = prog.model_copy(update={"emits": emits})
    if renderer is None:
        return prog
    for value, where in _locales(prog, compiled):
        if renderer.data_locale(value) is None:  # the full list only when it is needed: it reads every bank
            sink.add("E0505", f"renderer `{engine}` has no locale `{value}`", where,
                     label="not a locale of this renderer",
                     help=_listing(value, tuple(renderer.locales()), f"`{engine}` writes"))
    return prog


def _ground_truth_text(emits: list[P.Emit], sink: Sink) -> None:
    """The ground truth is located in `transcripts/<call>.txt`: emitted
    without a `txt` transcript, its offsets point into nothing (E0506)."""
    gt = next((e for e in emits if e.backend == "ground_truth"), None)
    tr = next((e for e in emits if e.backend == "transcripts"), None)
    if gt is None or (tr is not None and "txt" in (tr.options.get("formats") or ["txt"])):
        return
    sink.add("E0506", "the ground truth is located in `transcripts/<call>.txt`, which this build does not write",
             gt.span or Span.point("<spec>"), label="its offsets would point into no file",
             help="add `txt` to `formats` of `emit transcripts`")


def _listing(word: str, choices, what: str) -> str:
    """"did you mean `x`? what: a, b" for a help line."""
    hint = did_you_mean(word, choices)
    return (hint + " " if hint else "") + f"{what}: " + (", ".join(choices) or "none")


def engine(prog: P.Program) -> str:
    """The renderer the build uses: `emit transcripts { engine NAME }`, else
    the corpus `engine`, else the template renderer."""
    for e in prog.emits:
        if e.backend == "transcripts" and e.options.get("engine"):
            return e.options["engine"]
    return prog.corpus.engine or renderers.DEFAULT


def renderer_options(prog: P.Program, fields) -> dict[str, Any]:
    """The options of `emit transcripts` that are the renderer's (`fields` of its Options model)."""
    opts = next((e.options for e in prog.emits if e.backend == "transcripts"), {})
    return {k: v for k, v in opts.items() if k in fields}


def engine_of(prog: P.Program, compiled: Compiled) -> tuple[str, Span]:
    """The engine as the spec writes it (before the emit options are
    validated: the renderer's own options are validated with them) and where."""
    for e in prog.emits:
        if e.backend == "transcripts" and e.backend in backends.names():
            for opt in _split(e.lines, backends.get(e.backend).Options):
                # the first value: the renderer's own options may follow on the line
                # (`engine llm model "gpt-4o"`), split once its model is known
                if opt.name == "engine" and opt.values and opt.values[0].kind in ("name", "str"):
                    return str(opt.values[0].value), opt.values[0].span
    corpus = _corpus_decl(compiled)
    for p in (corpus.props if corpus else []):
        if p.name.value == "engine" and p.values:
            return prog.corpus.engine, p.values[0].span
    return prog.corpus.engine or renderers.DEFAULT, corpus.name.span if corpus else _nowhere(compiled)


# ---- emit blocks ----------------------------------------------------------------

def _emit(e: P.Emit, sink: Sink, renderer=None) -> P.Emit | None:
    span = e.span or Span.point("<spec>")
    names = backends.names()
    if e.backend not in names:
        sink.add("E0501", f"unknown emit backend `{e.backend}`", span, label="not a registered backend",
                 help=did_you_mean(e.backend, names) or "backends: " + ", ".join(names))
        return None
    try:
        model: type[BaseModel] = backends.get(e.backend).Options
    except backends.BackendLoadError as err:
        sink.add("E0501", str(err), span, label="this backend does not load",
                 help="reinstall the package that provides it, or remove this `emit`")
        return None
    if e.backend == "transcripts" and renderer is not None:
        model = _with_renderer(model, renderer)
    owner = f"emit `{e.backend}`"
    given: dict[str, Any] = {}
    where: dict[str, _Option] = {}
    bad = False
    for opt in _split(e.lines, model):
        if opt.name not in model.model_fields:
            sink.add("E0502", f"unknown option `{opt.name}` in {owner}", opt.span,
                     label="not an option of this backend",
                     help=did_you_mean(opt.name, model.model_fields)
                     or "valid: " + (", ".join(sorted(model.model_fields)) or "none (it takes no options)"))
            bad = True
            continue
        if opt.name in where:
            sink.add("E0205", f"`{opt.name}` is set twice in {owner}", opt.span, label="second setting",
                     help="remove one of them", notes=[f"first set at line {where[opt.name].span.start.line}"])
            bad = True
            continue
        where[opt.name] = opt
        if opt.block is not None:
            sink.add("E0503", f"invalid value for `{opt.name}`: `{opt.name}` does not take a block", opt.block,
                     label=f"`{opt.name}` does not take a block")
            bad = True
            continue
        value = _value(opt, model.model_fields[opt.name].annotation)
        if isinstance(value, _TooMany):
            sink.add("E0503", f"invalid value for `{opt.name}`: `{opt.name}` takes one value, got {value.n}",
                     opt.values[1].span, label=f"`{opt.name}` takes one value, got {value.n}",
                     help="put each option on its own line")
            bad = True
            continue
        given[opt.name] = value
    try:
        valid = model.model_validate(given)
    except ValidationError as err:
        for d in err.errors():
            _report(d, where, owner, span, sink)
        return e
    if bad:
        return e
    dumped = valid.model_dump(mode="json", exclude_unset=True)
    written = {k: v for k, v in dumped.items() if isinstance(v, str)}
    for k, path in _spec_relative(model, dumped, span):
        sink.add("E0503", f"invalid value for `{k}`: no folder `{path}`", where[k].values[0].span,
                 label="no such folder", help="the path is relative to the spec's folder")
        return e
    ordered = {k: dumped[k] for k in given if k in dumped}  # in the spec's order, as the plan header lists them
    ordered.update((k, v) for k, v in dumped.items() if k not in ordered)
    import os
    paths = {k: os.path.normpath(written[k]) for k, v in ordered.items() if k in written and v != written[k]}
    return e.model_copy(update={"options": ordered, "paths": paths})


def _spec_relative(model: type[BaseModel], values: dict[str, Any], span: Span) -> list[tuple[str, str]]:
    """An option declared `json_schema_extra={"relative_to": "spec"}` (a
    folder of prompt templates, a cache) names a path relative to the spec's
    folder, as a spec's `use` does; it is made absolute here, so a build
    started from any directory finds the same folder. Returns (option, path)
    of those declared `"exists": True` whose folder is missing."""
    import os
    base = os.path.dirname(os.path.abspath(span.file)) if span.file and not span.file.startswith("<") else os.getcwd()
    missing = []
    for k, f in model.model_fields.items():
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        if extra.get("relative_to") == "spec" and isinstance(values.get(k), str):
            values[k] = os.path.normpath(os.path.join(base, os.path.expanduser(values[k])))
            if extra.get("exists") and not os.path.isdir(values[k]):
                missing.append((k, values[k]))
    return missing


def _with_renderer(model: type[BaseModel], renderer) -> type[BaseModel]:
    """`emit transcripts` takes the transcripts backend's options and those of
    the renderer its `engine` selects (renderer_options picks them out again)."""
    extra = {k: (f.annotation, f) for k, f in renderer.Options.model_fields.items() if k not in model.model_fields}
    if not extra:
        return model
    return create_model(f"{model.__name__}_{renderer.name}", __base__=model, **extra)


class _Option:
    """One option of an emit block: a line split at the names of the model's fields."""
    __slots__ = ("name", "span", "values", "block")

    def __init__(self, name: str, span: Span) -> None:
        self.name, self.span, self.values, self.block = name, span, [], None


class _TooMany:
    def __init__(self, n: int) -> None:
        self.n = n


def _split(lines: list[P.EmitLine], model: type[BaseModel]) -> Iterator[_Option]:
    """`engine espeak stereo sample_rate 8000` -> engine, stereo, sample_rate:
    a value that names a field starts a new option once the current one has
    its least number of values (none for a flag, one otherwise)."""
    fields = model.model_fields
    for line in lines:
        cur = _Option(line.name, line.span)
        for v in line.values:
            if (line.name in fields and v.kind == "name" and v.value in fields and v.value != cur.name
                    and len(cur.values) >= (0 if _is_flag(fields.get(cur.name)) else 1)):
                yield cur
                cur = _Option(v.value, v.span)
            else:
                cur.values.append(v)
        cur.block = line.block
        yield cur


def _args(annotation: Any) -> tuple:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(a for a in typing.get_args(annotation) if a is not type(None))
    return (annotation,)


def _is_flag(field) -> bool:
    return field is not None and bool in _args(field.annotation)


def _is_list(annotation: Any) -> bool:
    return any(typing.get_origin(a) in (list, tuple, set) for a in _args(annotation))


def _value(opt: _Option, annotation: Any) -> Any:
    """The option's values as pydantic input: none is a flag (True), a list
    type takes one list or several values, anything else one value."""
    vals = opt.values
    if not vals:
        return True
    if _is_list(annotation):
        only_list = all(typing.get_origin(a) in (list, tuple, set) for a in _args(annotation))
        if len(vals) == 1 and (vals[0].kind == "list" or not only_list):
            return _py(vals[0])
        return [_py(v) for v in vals]
    if len(vals) > 1:
        return _TooMany(len(vals))
    return _py(vals[0])


def _py(v: P.EmitValue) -> Any:
    if v.kind in ("list", "range"):
        return [_py(x) for x in v.items]
    return v.value


def _report(d: dict, where: dict[str, _Option], owner: str, span: Span, sink: Sink) -> None:
    """One pydantic error at the option (or list item) it is about; an error of
    the whole model (a model validator) at the backend's name."""
    loc = d.get("loc") or ()
    opt = where.get(loc[0]) if loc else None
    span = opt.span if opt else span
    if opt and opt.values:
        span = opt.values[0].span
        if len(loc) > 1 and isinstance(loc[1], int):
            items = opt.values[0].items if opt.values[0].kind == "list" else opt.values
            if loc[1] < len(items):
                span = items[loc[1]].span
    key = loc[0] if loc else owner
    kind = d.get("type")
    ctx = d.get("ctx") or {}
    if kind == "value_error" and isinstance(ctx.get("error"), Exception):
        err = ctx["error"]
        sink.add("E0503", str(err), span, help=getattr(err, "help", ""))
        return
    if kind == "literal_error":
        choices = _choices(str(ctx.get("expected", "")))
        word = str(d.get("input"))
        msg = (f"`{word}` is not one of: " if len(loc) > 1 else "expected one of: ") + ", ".join(choices)
        sink.add("E0503", f"invalid value for `{key}`: {msg}", span, label=msg, help=did_you_mean(word, choices))
        return
    msg = str(d.get("msg", "invalid value"))
    msg = msg[:1].lower() + msg[1:]
    sink.add("E0503", f"invalid value for `{key}`: {msg}", span, label=msg)


def _choices(expected: str) -> list[str]:
    """pydantic's "'a', 'b' or 'c'" as [a, b, c]."""
    return [w.strip().strip("'\"") for w in expected.replace(" or ", ", ").split(",") if w.strip()]


# ---- locales ----------------------------------------------------------------------

def _corpus_decl(compiled: Compiled) -> n.CorpusDecl | None:
    root = compiled.loaded.root
    return next((it for it in (root.items if root else []) if isinstance(it, n.CorpusDecl)), None)


def _nowhere(compiled: Compiled) -> Span:
    root = compiled.loaded.root
    return Span.point(root.file if root else "<spec>")


def _locales(prog: P.Program, compiled: Compiled) -> Iterator[tuple[str, Span]]:
    """Every locale a call can be rendered in, where the spec writes it: the
    corpus `locale`, a call's or a population's `locale`, the locale values
    of a population's `language` field; the corpus default when none is written."""
    corpus = _corpus_decl(compiled)
    written = False
    for module in compiled.loaded.modules or ([compiled.loaded.root] if compiled.loaded.root else []):
        for it in module.items:
            props: list[n.Property] = []
            if isinstance(it, (n.CorpusDecl, n.PopulationDecl)):
                props = it.props
            elif isinstance(it, n.AccountDecl):
                props = [p for c in it.calls for p in c.props]
            for p in props:
                if p.name.value == "locale":
                    if it is corpus:
                        written = True
                    for v in p.values:
                        if isinstance(v, n.Name):
                            yield v.value, v.span
                elif p.name.value == "language" and isinstance(it, n.PopulationDecl):
                    for v in _names(p):
                        if "-" in v.value:
                            yield v.value, v.span
    if not written:
        yield prog.corpus.locale, corpus.name.span if corpus else _nowhere(compiled)


def _names(p: n.Property) -> Iterator[n.Name]:
    """Every name in a property's values and its block (a field's categories)."""
    stack: list[Any] = list(p.values) + [q for q in (p.body or [])]
    while stack:
        v = stack.pop(0)
        if isinstance(v, n.Property):
            stack[:0] = [v.name, *v.values, *(v.body or [])]
        elif isinstance(v, n.ListV):
            stack[:0] = list(v.items)
        elif isinstance(v, n.Name):
            yield v
