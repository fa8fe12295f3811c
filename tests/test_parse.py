"""The parser: spans are true, every syntax error is reported, hostile input
gets a diagnostic with a location and exit 1, never an exception."""

from __future__ import annotations

import pytest

from corpusc.compiler import nodes as n
from corpusc.diagnostics.model import Sink
from corpusc.compiler.parse import parse_text
from corpusc.compiler.transform import to_module

SPEC = '''corpus demo {
  seed 42
  divergence 30%
}
account northwind "Northwind Logistics" {
  stakeholder dana "Dana Whitfield" { role "CFO" persona reluctant_adopter }
  call intro on day 0 {
    length 5 min
    with jordan, dana
  }
  arc pricing by dana: raised at intro -> resolved at intro
}
population p {
  hours 07:00..21:00 peak 10:00
  field d: lognormal(median 130s, sigma 0.4) clamp 20s..900s
}
require "x": count(calls where stage in [close] and not paralinguistics) >= 2
'''


def parse(text: str):
    sink = Sink()
    tree = parse_text("t.corpus", text, sink)
    return (to_module("t.corpus", tree) if tree is not None else None), sink


def _slice(text: str, node) -> str:
    return text[node.span.start.offset:node.span.end.offset]


def test_spans_point_at_their_text():
    m, sink = parse(SPEC)
    assert not sink.items
    corpus, account, pop, req = m.items
    assert _slice(SPEC, corpus.name) == "demo"
    assert corpus.name.span.start.line == 1 and corpus.name.span.start.column == 8
    st = account.stakeholders[0]
    assert _slice(SPEC, st.name) == "dana"
    assert _slice(SPEC, st.title) == '"Dana Whitfield"'
    role = st.props[0]
    assert _slice(SPEC, role.values[-1]) == "reluctant_adopter"
    call = account.calls[0]
    length = call.props[0].values[0]
    assert isinstance(length, n.Quantity) and length.value == 5 and length.unit == "min"
    assert _slice(SPEC, length) == "5 min"
    arc = account.arcs[0]
    assert [s.step.value for s in arc.steps] == ["raised", "resolved"]
    assert _slice(SPEC, arc.steps[1]) == "resolved at intro"
    field = pop.fields[0]
    assert _slice(SPEC, field.clamp) == "20s..900s"
    assert field.sampler.args[0].name.value == "median"
    q = req.requirement.query
    assert _slice(SPEC, q.selection.where) == "stage in [close] and not paralinguistics"
    for it in (corpus, account, pop, req):
        assert it.span.start.line <= it.span.end.line


def test_every_top_level_error_is_reported():
    text = 'corpus a {\n  seed 1\n}\nrep x Name\naccount b "B" {\n  call c on dya 1 {\n  }\n}\nrep y "Y" { title }\n'
    m, sink = parse(text)
    lines = sorted(d.span.start.line for d in sink.items)
    assert lines == [4, 6]
    assert m is not None and any(isinstance(i, n.RepDecl) and i.name.value == "y" for i in m.items)


@pytest.mark.parametrize("data,code", [
    (b"", "E0004"),
    (b"   \n# only a comment\n", "E0004"),
    (b"\x00\x01\x02binary", "E0003"),
    (b"corpus a {\n  seed 1\n  locale \xff\n}\n", "E0003"),
    (b'corpus a {\n  product "unterminated\n}\n', "E0002"),
    (b"corpus a {\n" + b"x {\n" * 500 + b"}\n" * 501, "E0006"),
    (b"corpus a { seed 1 }\n@@@\n", "E0002"),
    (b'corpus a {\n  seed 1\n}\nuse "./nowhere.corpus"\n', "E0101"),
    (b'corpus a {\n  seed 1\n}\nuse "./data.yaml"\n', "E0103"),
], ids=["empty", "comment-only", "binary", "non-utf8", "unterminated-string", "500-braces",
        "garbage", "missing-import", "not-corpus-import"])
def test_bad_input(tmp_path, cli, data, code):
    f = tmp_path / "bad.corpus"
    f.write_bytes(data)
    status, out = cli("check", "--format", "json", str(f))
    assert status == 1
    import json
    doc = json.loads(out)
    found = [d for d in doc["diagnostics"] if d["code"] == code]
    assert found, out
    assert found[0]["range"]["start"]["line"] >= 1


def test_import_cycle(tmp_path, cli):
    (tmp_path / "a.corpus").write_text('corpus a {\n  seed 1\n}\nuse "./b.corpus"\n')
    (tmp_path / "b.corpus").write_text('use "./c.corpus"\n')
    (tmp_path / "c.corpus").write_text('use "./b.corpus"\n')
    status, out = cli("check", "a.corpus", cwd=tmp_path)
    assert status == 1
    assert "[E0102]" in out and "b.corpus -> c.corpus -> b.corpus" in out
    assert "c.corpus:1:5" in out


def test_imports_resolve_relative_to_the_importer(tmp_path, cli):
    (tmp_path / "team").mkdir()
    (tmp_path / "main.corpus").write_text('corpus a {\n  seed 1\n}\nuse "./team/reps.corpus"\n')
    (tmp_path / "team" / "reps.corpus").write_text('use "./more.corpus"\nrep jo "Jo" { title "AE" }\n')
    (tmp_path / "team" / "more.corpus").write_text('rep al "Al" { title "SDR" }\n')
    status, out = cli("check", "main.corpus", cwd=tmp_path)
    assert status == 0, out


def test_one_line_blocks_split_into_properties():
    from corpusc.compiler.schema import SCHEMAS, split_line
    m, _ = parse(SPEC)
    prop = m.items[1].stakeholders[0].props[0]
    parts = split_line(prop, SCHEMAS["stakeholder"])
    assert [p.name.value for p in parts] == ["role", "persona"]
    assert _slice(SPEC, parts[1]) == "persona reluctant_adopter"
