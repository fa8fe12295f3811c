"""The two seams: renderers and backends are found through entry points and
declare their options, engine and locales; `check` validates a spec against
what is installed, located at the spec's words, and `build`'s content hash
covers the renderer and the data it reads. A third-party backend is a real
distribution on the path of a real `corpusc` process."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import ROOT

SPEC = """corpus seams {
  seed 5
  locale LOCALE
  starts 2026-01-05
  timezone "Europe/Berlin"
  product "Lumen" "conversation intelligence platform"
}
use stdlib.personas
use stdlib.objections
use stdlib.industries
rep jordan "Jordan Reyes" {
  title "Account Executive"
}
account acme "Acme Corp" {
  size smb
  industry retail
  outcome stalled
  stakeholder dana "Dana Whitfield" {
    role "CFO"
    persona reluctant_adopter
  }
  call intro on day 0 {
    stage discovery
    length 6 turns
    with jordan, dana
  }
  call demo on day 3 {
    stage evaluation
    length 6 turns
    with jordan, dana
    locale de-DE
  }
}
EMIT
"""


def _spec(tmp_path: Path, emit: str = "emit transcripts { formats [txt] }\nemit ground_truth",
          locale: str = "en-US", name: str = "s") -> Path:
    p = tmp_path / f"{name}.corpus"
    p.write_text(SPEC.replace("LOCALE", locale).replace("EMIT", emit))
    return p


def _at(text: str, spec: Path, needle: str) -> str:
    """`file:line:col` of the first `needle` in the spec, as diagnostics print it."""
    src = spec.read_text()
    i = src.index(needle)
    line = src.count("\n", 0, i) + 1
    return f"{spec.name}:{line}:{i - (src.rfind(chr(10), 0, i) + 1) + 1}"


# ---- engine ---------------------------------------------------------------------

def test_an_engine_no_renderer_implements_is_located(cli, tmp_path):
    spec = _spec(tmp_path, "emit transcripts {\n  formats [txt]\n  engine openai\n}")
    status, out = cli("check", spec.name, cwd=tmp_path)
    assert status == 1
    assert "error[E0504]: no registered renderer implements engine `openai`" in out
    assert _at(out, spec, "openai") in out and "renderers: llm, template" in out
    status, out = cli("plan", spec.name, cwd=tmp_path)
    assert status == 1 and "[E0504]" in out  # no plan footer counting API calls that never happen
    status, out = cli("build", spec.name, "-o", "out", cwd=tmp_path)
    assert status == 1 and "[E0504]" in out
    assert not (tmp_path / "out" / "transcripts").exists()  # no template transcripts in its place


def test_the_corpus_engine_is_checked_too(cli, tmp_path):
    spec = tmp_path / "c.corpus"
    spec.write_text(_spec(tmp_path).read_text().replace("  seed 5\n", "  seed 5\n  engine openai\n"))
    status, out = cli("check", spec.name, cwd=tmp_path)
    assert status == 1 and "[E0504]" in out and _at(out, spec, "openai") in out


def test_engine_template_is_accepted(cli, tmp_path):
    spec = _spec(tmp_path, "emit transcripts {\n  formats [txt]\n  engine template\n}")
    status, out = cli("check", spec.name, cwd=tmp_path)
    assert status == 0, out


# ---- locales --------------------------------------------------------------------

def test_a_locale_the_renderer_cannot_write_is_located(cli, tmp_path):
    spec = _spec(tmp_path, locale="fr-FR")
    status, out = cli("check", spec.name, cwd=tmp_path)
    assert status == 1
    assert "error[E0505]: renderer `template` has no locale `fr-FR`" in out
    assert _at(out, spec, "fr-FR") in out and "`template` writes: de-DE, en-US" in out
    status, out = cli("build", spec.name, "-o", "out", cwd=tmp_path)
    assert status == 1 and "[E0505]" in out and not (tmp_path / "out" / "transcripts").exists()


def test_call_and_population_locales_are_checked(cli, tmp_path):
    spec = _spec(tmp_path, name="call")
    spec.write_text(spec.read_text().replace("    locale de-DE", "    locale it-IT"))
    status, out = cli("check", spec.name, cwd=tmp_path)
    assert status == 1 and "no locale `it-IT`" in out and _at(out, spec, "it-IT") in out
    pop = tmp_path / "pop.corpus"
    pop.write_text("""corpus p {
  seed 1
  starts 2026-01-05
}
population inbound {
  count 20
  window 2026-01-05..2026-01-09
  timezone "Europe/Berlin"
  locale de-DE
  domain banking
  language weights {
    de-DE 80% es-ES 20%
  }
}
""")
    status, out = cli("check", pop.name, cwd=tmp_path)
    assert "[E0505]" in out and "no locale `es-ES`" in out and _at(out, pop, "es-ES") in out, out
    assert "`de-DE`" not in out


# ---- the content hash covers the renderer's data ---------------------------------------

def test_editing_a_phrase_bank_rebuilds_that_locales_calls(cli, tmp_path, monkeypatch):
    from corpusc.render.template import lexicon
    phrases = tmp_path / "phrases"
    shutil.copytree(lexicon.PHRASES, phrases)
    monkeypatch.setattr(lexicon, "PHRASES", phrases)  # where the template renderer's digest reads
    spec = _spec(tmp_path)

    def build() -> str:
        status, out = cli("build", spec.name, "-o", "out", "--jobs", "1", cwd=tmp_path)
        assert status == 0, out
        return out

    assert "2 calls rendered" in build()
    assert "up to date" in build()
    bank = phrases / "en-US" / "core.json"
    bank.write_bytes(bank.read_bytes() + b"\n")
    assert "1 calls rendered, 1 unchanged" in build()  # the en-US call, not the de-DE one
    assert "up to date" in build()
    (phrases / "de-DE" / "extra.json").write_text("{}\n")  # a new file of the locale counts too
    assert "1 calls rendered, 1 unchanged" in build()
    keys = phrases / "keys.json"  # what every locale must hold: read for every call
    keys.write_bytes(keys.read_bytes() + b"\n")
    assert "2 calls rendered, 0 unchanged" in build()


def test_a_locale_written_from_another_of_its_language(cli, tmp_path):
    """en-GB is written from the en-US banks (the template's documented
    fallback): accepted, and its calls hash with the en-US data."""
    from corpusc.builder import incremental
    from corpusc.builder.compile import compile_spec
    from corpusc.diagnostics.model import Sink
    spec = _spec(tmp_path, locale="en-GB")
    status, out = cli("check", spec.name, cwd=tmp_path)
    assert status == 0, out
    sig = incremental.backend_signature(compile_spec(str(spec), Sink()).program, None)[4]
    assert incremental._data_digest(sig, "en-GB") == sig.data["en-US"]


def test_the_content_hash_names_the_renderer(tmp_path):
    from corpusc.builder import incremental
    from corpusc.builder.compile import compile_spec
    from corpusc.diagnostics.model import Sink
    from corpusc.plan import planner as planmod
    compiled = compile_spec(str(_spec(tmp_path)), Sink())
    prog = compiled.program
    h = planmod.header(prog, compiled.spec_hash)
    sig = incremental.backend_signature(prog, None)[4]
    assert sig.renderer == ("template", "1", {}) and set(sig.data) == {"de-DE", "en-US"}
    call = next(planmod.calls(prog))
    other = incremental.Signature(backends=sig.backends, renderer=("template", "2", {}), data=sig.data)
    assert incremental.content_hash(call, h, sig) != incremental.content_hash(call, h, other)


def test_a_program_whose_options_were_not_checked_is_not_built(tmp_path):
    """compile_file alone leaves the emit options unchecked (the compiler knows
    no backend): the executor refuses it rather than build with defaults."""
    from corpusc.builder import executor
    from corpusc.compiler.driver import compile_file
    from corpusc.diagnostics.model import Sink
    compiled = compile_file(str(_spec(tmp_path, "emit transcripts { formats [vtt] }")), Sink())
    with pytest.raises(ValueError, match="compile_spec"):
        executor.build(compiled, str(tmp_path / "s.corpus"), tmp_path / "out")
    assert not (tmp_path / "out" / "transcripts").exists()


# ---- emit options against the backends' models -----------------------------------------

@pytest.mark.parametrize("emit, code, needle, message", [
    ("emit vcp {\n  version \"0.4\"\n}", "E0503", '"0.4"', "VCP version `0.4` is not supported"),
    ("emit audio {\n  stereo\n  mono\n}", "E0503", "mono", "`stereo` and `mono` exclude each other"),
    ("emit audio {\n  sample_rate fast\n}", "E0503", "fast", "invalid value for `sample_rate`"),
    ("emit audio {\n  engine espeak festival\n}", "E0503", "festival", "`engine` takes one value, got 2"),
    ("emit vcp {\n  mode gtm\n  mode full\n}", "E0205", "mode full", "`mode` is set twice in emit `vcp`"),
    ("emit sa {\n  index \"x\"\n}", "E0502", "index", "did you mean `index_name`?"),
    # options no backend honours are refused, not ignored
    ("emit transcripts {\n  annotations on\n}", "E0502", "annotations", "unknown option `annotations`"),
    ("emit transcripts {\n  model \"gpt\"\n}", "E0502", "model", "unknown option `model`"),
])
def test_builtin_options_are_checked_against_their_model(cli, tmp_path, emit, code, needle, message):
    spec = _spec(tmp_path, emit)
    status, out = cli("check", spec.name, cwd=tmp_path)
    assert status == 1 and f"[{code}]" in out and message in out, out
    assert _at(out, spec, needle) in out


def test_one_line_holds_several_options(cli, tmp_path):
    spec = _spec(tmp_path, 'emit vcp { version "0.3" mode full jsonl }')
    status, out = cli("plan", spec.name, "--json", cwd=tmp_path)
    assert status == 0, out
    assert {"backend": "vcp", "options": {"version": "0.3", "mode": "full", "jsonl": True}} \
        in json.loads(out)["emits"]


def test_ground_truth_pretty_off_writes_one_line(cli, tmp_path):
    spec = _spec(tmp_path, "emit ground_truth {\n  pretty off\n}")
    status, out = cli("build", spec.name, "-o", "out", "--jobs", "1", cwd=tmp_path)
    assert status == 0, out
    files = sorted((tmp_path / "out" / "ground_truth").glob("*.json"))
    assert len(files) == 2
    for f in files:
        text = f.read_text()
        assert text.count("\n") == 1 and text.endswith("}\n") and json.loads(text)["call_id"]


PLUGIN = '''
"""A third-party backend: writes the options it was handed, per call."""
import json
from pydantic import BaseModel, ConfigDict
from corpusc.backends.base import Artifact, Backend


class FooOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: int = 1
    tags: list[str] = []


class Foo(Backend):
    name = "foo"
    version = "7"
    Options = FooOptions
    needs_text = False

    def render(self, call, rendered, ctx):
        seen = {"options": ctx.options.get("foo"), "text": rendered is not None}
        return [Artifact(f"foo/{call.id}.json", json.dumps(seen, sort_keys=True).encode())]


class ClashOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Clash(Backend):
    """A careless third-party backend: writes the plain transcript's path."""
    name = "clash"
    version = "1"
    Options = ClashOptions
    needs_text = False

    def render(self, call, rendered, ctx):
        return [Artifact(f"transcripts/{call.id}.txt", b"not a transcript\\n")]


class ShoutOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    volume: int = 1


class Shout:
    """A third-party renderer: the template's words in capitals, `volume` exclamation marks."""
    name = "shout"
    version = "1"
    Options = ShoutOptions

    def locales(self):
        return ("de-DE", "en-US", "fr-FR")

    def data_locale(self, locale):
        return locale if locale in self.locales() else None

    def fingerprint(self, locale, options):
        return "shout-data-1"

    def render(self, call, header, options):
        from corpusc.render.template.engine import render_call
        rc = render_call(call.model_copy(update={"locale": "en-US"}), header)  # English words, shouted
        bang = "!" * options.get("volume", 1)
        turns = [t.model_copy(update={"text": t.text.upper() + bang}) for t in rc.turns]
        return rc.model_copy(update={"turns": turns, "evidence": [], "locale": call.locale})
'''


@pytest.fixture
def plugin_path(tmp_path) -> Path:
    """`corpusc_foo` installed as a distribution: a module and its .dist-info."""
    site = tmp_path / "site"
    (site / "corpusc_foo").mkdir(parents=True)
    (site / "corpusc_foo" / "__init__.py").write_text(PLUGIN)
    info = site / "corpusc_foo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: corpusc-foo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[corpusc.backends]\nfoo = corpusc_foo:Foo\nclash = corpusc_foo:Clash\n\n"
                                           "[corpusc.renderers]\nshout = corpusc_foo:Shout\n")
    return site


def _corpusc(site: Path, cwd: Path, *args: str) -> tuple[int, str]:
    env = dict(os.environ, PYTHONPATH=str(site) + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "corpusc", *args], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=600)
    return p.returncode, p.stdout + p.stderr


def test_a_third_party_backend_gets_checked_options(tmp_path, plugin_path):
    bad = _spec(tmp_path, "emit foo {\n  level three\n}", name="bad")
    status, out = _corpusc(plugin_path, tmp_path, "check", bad.name)
    assert status == 1 and "error[E0503]: invalid value for `level`" in out and _at(out, bad, "three") in out, out
    typo = _spec(tmp_path, "emit foo {\n  levle 3\n}", name="typo")
    status, out = _corpusc(plugin_path, tmp_path, "check", typo.name)
    assert status == 1 and "error[E0502]: unknown option `levle` in emit `foo`" in out
    assert "did you mean `level`?" in out and _at(out, typo, "levle") in out
    good = _spec(tmp_path, "emit foo {\n  level 3\n  tags [a, b]\n}", name="good")
    status, out = _corpusc(plugin_path, tmp_path, "build", good.name, "-o", "out", "--jobs", "2")
    assert status == 0, out
    files = sorted((tmp_path / "out" / "foo").glob("*.json"))
    assert len(files) == 2
    for f in files:
        assert json.loads(f.read_text()) == {"options": {"level": 3, "tags": ["a", "b"]}, "text": False}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert ["foo", "7", {"level": 3, "tags": ["a", "b"]}] in manifest["backends"]
    # without the distribution on the path, foo is not a backend
    status, out = _corpusc(tmp_path / "nowhere", tmp_path, "check", good.name)
    assert status == 1 and "error[E0501]: unknown emit backend `foo`" in out


def test_two_backends_writing_one_path_stop_the_build(tmp_path, plugin_path):
    """No backend silently replaces another's file: a third-party backend
    writing `transcripts/<id>.txt` beside `emit transcripts` stops the build
    with E0719 at the emit line, whichever of the two writes first."""
    spec = _spec(tmp_path, "emit transcripts { formats [txt] }\nemit clash {}\nemit ground_truth", name="clash")
    status, out = _corpusc(plugin_path, tmp_path, "build", spec.name, "-o", "out", "--jobs", "1")
    assert status != 0 and "E0719" in out and "transcripts/" in out and ".txt" in out, out
    spec = _spec(tmp_path, "emit transcripts { formats [json] }\nemit clash {}", name="apart")
    status, out = _corpusc(plugin_path, tmp_path, "build", spec.name, "-o", "out2", "--jobs", "1")
    assert status == 0, out


def test_a_third_party_renderer_is_selected_with_its_options_and_locales(tmp_path, plugin_path):
    emit = "emit transcripts {\n  formats [txt]\n  engine shout\n  volume VOL\n}"
    bad = _spec(tmp_path, emit.replace("VOL", "loud"), locale="fr-FR", name="bad")
    status, out = _corpusc(plugin_path, tmp_path, "check", bad.name)
    assert status == 1 and "error[E0503]: invalid value for `volume`" in out and _at(out, bad, "loud") in out, out
    assert "[E0505]" not in out  # shout writes fr-FR
    plain = _spec(tmp_path, "emit transcripts {\n  formats [txt]\n  volume 3\n}", name="plain")
    status, out = _corpusc(plugin_path, tmp_path, "check", plain.name)
    assert status == 1 and "unknown option `volume` in emit `transcripts`" in out  # template takes no volume
    good = _spec(tmp_path, emit.replace("VOL", "3"), locale="fr-FR", name="good")
    status, out = _corpusc(plugin_path, tmp_path, "build", good.name, "-o", "out", "--jobs", "1")
    assert status == 0, out
    txt = sorted((tmp_path / "out" / "transcripts").glob("*.txt"))
    assert len(txt) == 2
    for f in txt:
        for line in f.read_text().splitlines()[3:]:
            words = line.split(": ", 1)[1]
            assert words.endswith("!!!") and words == words.upper()
    # the renderer's options on the engine's line, as one line holds a backend's several options
    inline = _spec(tmp_path, "emit transcripts { formats [txt] engine shout volume 2 }", name="inline")
    status, out = _corpusc(plugin_path, tmp_path, "build", inline.name, "-o", "out2", "--jobs", "1")
    assert status == 0, out
    for f in sorted((tmp_path / "out2" / "transcripts").glob("*.txt")):
        assert all(x.endswith("!!") and not x.endswith("!!!") for x in f.read_text().splitlines()[3:])


# ---- import direction ---------------------------------------------------------------

def _imports(folder: str) -> dict[str, set[str]]:
    out = {}
    for p in (ROOT / folder).rglob("*.py"):
        mods = set()
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                mods.add(node.module)
            elif isinstance(node, ast.Import):
                mods.update(a.name for a in node.names)
        out[str(p.relative_to(ROOT))] = mods
    return out


def test_the_seams_import_downward_only():
    for path, mods in _imports("compiler").items():
        assert not {m for m in mods if re.match(r"corpusc\.(backends|render|builder)\b", m)}, path
    protocols = _imports("render")["render/protocol.py"] | _imports("backends")["backends/base.py"]
    assert "corpusc.render.registry" not in protocols and "corpusc.backends.registry" not in protocols
    assert not {m for m in _imports("backends")["backends/base.py"] if m.startswith("corpusc.backends.")}
    for path, mods in _imports("backends").items():  # no backend imports another
        own = path.split("/")[1].removesuffix(".py")
        others = {m.split(".")[2] for m in mods if m.startswith("corpusc.backends.")} - {own, "base", "header"}
        assert not others, (path, others)
    assert not (ROOT / "backends" / "options.py").exists()


class _FakeEntryPoint:
    def __init__(self, value, target):
        self.value, self._target = value, target

    def load(self):
        return self._target


def _broken():
    raise ImportError("no module named corpusc_foo")


class _NotABackend:
    name, version = "foo", "1"


@pytest.mark.parametrize("registry_path, kind", [("corpusc.backends.registry", "backend"),
                                                  ("corpusc.render.registry", "renderer")])
def test_a_broken_plugin_is_a_load_error_not_a_traceback(monkeypatch, registry_path, kind):
    """Both registries load through render.plugins: a plugin that does not
    import, or lacks the protocol, raises the registry's load error naming
    the entry point and what is wrong (builder.compile turns it into a
    diagnostic)."""
    import importlib

    from corpusc.render import plugins
    reg = importlib.import_module(registry_path)
    error = reg.BackendLoadError if kind == "backend" else reg.RendererLoadError
    eps = {"broken": _FakeEntryPoint("corpusc_foo:Broken", _broken),
           "hollow": _FakeEntryPoint("corpusc_foo:Hollow", _NotABackend)}
    monkeypatch.setattr(plugins, "entry_points", lambda group: eps if group == reg.GROUP else {})
    reg.get.cache_clear()
    try:
        with pytest.raises(error, match=rf"{kind} `broken` \(corpusc_foo:Broken\) cannot be loaded: ImportError"):
            reg.get("broken")
        with pytest.raises(error, match=rf"{kind} `hollow` \(corpusc_foo:Hollow\) does not implement"):
            reg.get("hollow")
        with pytest.raises(KeyError):
            reg.get("absent")
        assert reg.names() == ("broken", "hollow")
    finally:
        reg.get.cache_clear()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ,.ü’\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")), max_size=30))
def test_one_line_replaces_each_line_break_by_one_space(text):
    """render.text.one_line (its fast path skips texts without a line break)."""
    from corpusc.render.text import one_line
    assert one_line(text) == "".join(" " if c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029" else c for c in text)
