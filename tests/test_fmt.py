"""`corpusc fmt`: canonical layout, idempotence, and meaning preservation."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpusc.compiler import fmt, parse, transform
from corpusc.diagnostics.model import Sink

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "fmt"
FIXTURES = sorted(FIXTURE_DIR.glob("*.corpus"))
SOURCES = {p.name: p.read_text(encoding="utf-8") for p in FIXTURES}
REPO_SPECS = sorted({*ROOT.glob("examples/**/*.corpus"), *ROOT.glob("stdlib/**/*.corpus")})


# ---------------------------------------------------------------- helpers

def _strip_spans(x):
    if isinstance(x, dict):
        return {k: _strip_spans(v) for k, v in x.items() if k != "span"}
    if isinstance(x, list):
        return [_strip_spans(v) for v in x]
    return x


def ast_of(text: str) -> dict:
    """The AST of `text` with every span dropped; the text must parse cleanly."""
    sink = Sink()
    tree = parse.parse_text("spec.corpus", text.removeprefix("\ufeff"), sink)
    assert not sink.items, [f"{d.code} {d.message} at {d.span.start}" for d in sink.items]
    assert tree is not None
    return _strip_spans(transform.to_module("spec.corpus", tree).model_dump())


def fmt_ok(text: str) -> str:
    out, diags = fmt.format_text(text, "spec.corpus")
    assert out is not None, [d.message for d in diags]
    assert not diags
    return out


def check_formatted(src: str, out: str) -> None:
    """Everything a formatted file must satisfy, given its source."""
    assert fmt_ok(out) == out, "not idempotent"
    assert fmt.signature(out) == fmt.signature(src), "token sequence changed"
    assert ast_of(out) == ast_of(src), "AST changed"
    assert "\r" not in out
    assert out == "" or (out.endswith("\n") and not out.endswith("\n\n"))
    assert not out.startswith("\n")
    assert "\n\n\n" not in out
    for line in out.split("\n"):
        assert line == line.rstrip(), f"trailing whitespace: {line!r}"
        assert "\t" not in line[: len(line) - len(line.lstrip())], f"tab indent: {line!r}"


# ---------------------------------------------------------------- variations

_SPACES = [" ", "  ", "\t", " \t ", "    "]
_INDENTS = ["", "  ", "\t", "      ", " \t"]


def vary(text: str, rnd: random.Random, pure: bool = False) -> str:
    """A random re-spelling of `text` with the same meaning.

    Inter-token whitespace is replaced by other whitespace, newlines inside
    brackets are added or removed, the optional newlines after `{` and before
    `}` are toggled, line ends get stray spaces, the file ends get blank lines,
    and the file may switch to CRLF. Unless `pure`, blank lines, trailing and
    full-line comments are also added and spaces may be put between a number
    and its unit; a `pure` variation must format to exactly the same text as
    the original.
    """
    toks = fmt.tokenize(text.replace("\r\n", "\n"))
    p_nl = rnd.choice([0.0, 0.3, 1.0])  # newline density inside brackets
    out: list[str] = []
    depth = 0
    prev = None
    nl = 0

    def newlines(k: int) -> str:
        s = ""
        if not pure and prev is not None and prev.kind != "COMMENT" and rnd.random() < 0.15:
            s += rnd.choice(_SPACES) + "# note"
        for _ in range(k):
            s += rnd.choice(["", "", " ", "\t"]) + "\n" + rnd.choice(_INDENTS)
            if not pure and rnd.random() < 0.08:
                s += "# inserted line\n" + rnd.choice(_INDENTS)
        return s

    for t in toks + [None]:
        if t is not None and t.kind == "NL":
            nl += 1
            continue
        if prev is None:  # start of file
            out.append(rnd.choice(["", "\n", "\n  \n", "\t"]) if t is not None else "")
        elif t is None:  # end of file
            out.append(rnd.choice(["", "\n", "\n\n", "  \n \n"]))
        else:
            comment_near = prev.kind == "COMMENT" or t.kind == "COMMENT"
            optional = depth == 0 and (prev.text == "{" or t.text == "}")
            unit = prev.kind in ("INT", "NUMBER") and t.kind == "NAME"
            if depth > 0:
                if pure and (comment_near or unit):
                    k = nl
                else:
                    k = sum(rnd.random() < p_nl for _ in range(2))
                    if prev.kind == "COMMENT":
                        k = max(k, 1)
            elif nl:
                k = nl if pure else nl + rnd.choice([0, 0, 0, 1, 2])
                if optional and prev.kind != "COMMENT" and not (pure and comment_near) \
                        and rnd.random() < 0.4:
                    k = 0
            else:
                k = 1 if optional and not (pure and comment_near) and rnd.random() < 0.4 else 0
            if k:
                out.append(newlines(k))
            elif t.space or nl:
                out.append(rnd.choice(_SPACES))
            elif pure and unit:
                out.append("")  # `2.1s` keeps its spelling only when left alone
            else:
                out.append(rnd.choice(["", "", " "]))
        nl = 0
        if t is None:
            break
        out.append(t.text)
        if t.kind == "OP" and t.text in "[(":
            depth += 1
        elif t.kind == "OP" and t.text in "])":
            depth -= 1
        prev = t
    res = "".join(out)
    if rnd.random() < 0.3:
        res = res.replace("\n", "\r\n")
    return res


# ---------------------------------------------------------------- fixtures

@pytest.mark.parametrize("name", sorted(SOURCES))
def test_snapshot(name, text_snapshot):
    assert fmt_ok(SOURCES[name]) == text_snapshot


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_fixture_formats_cleanly(name):
    src = SOURCES[name]
    check_formatted(src, fmt_ok(src))


def test_fixtures_exist():
    assert {"sales_pov.corpus", "messy.corpus"} <= set(SOURCES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SOURCES)), seed=st.integers(0, 2**32 - 1))
def test_variation_keeps_meaning_and_is_idempotent(name, seed):
    src = SOURCES[name]
    var = vary(src, random.Random(seed))
    assert ast_of(var) == ast_of(src), "the generator changed the meaning"
    out = fmt_ok(var)
    check_formatted(var, out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SOURCES)), seed=st.integers(0, 2**32 - 1))
def test_whitespace_variation_formats_identically(name, seed):
    src = SOURCES[name]
    assert fmt_ok(vary(src, random.Random(seed), pure=True)) == fmt_ok(src)


@pytest.mark.parametrize("path", REPO_SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_repo_specs_format_idempotently(path):
    src = path.read_text(encoding="utf-8")
    out, diags = fmt.format_text(src, str(path))
    assert out is not None, [f"{d.code} {d.message} {d.span.start}" for d in diags]
    check_formatted(src, out)


# ---------------------------------------------------------------- refusing

def test_refuses_a_file_with_a_syntax_error():
    src = 'corpus c {\n  seed 1\n}\n\naccount a {\n  size\n  call x on day {\n  }\n}\n'
    out, diags = fmt.format_text(src, "bad.corpus")
    assert out is None
    assert diags and all(d.severity == "error" for d in diags)
    assert diags[0].code == "E0001"
    assert diags[0].span.file == "bad.corpus"
    assert diags[0].span.start.line == 7


def test_reports_every_broken_block():
    src = "account a {\n  call x on day {\n  }\n}\n\naccount b {\n  size ]\n}\n"
    out, diags = fmt.format_text(src, "bad.corpus")
    assert out is None
    assert [d.span.start.line for d in diags] == [2, 7]


def test_refuses_unclosed_block_and_bad_characters():
    out, diags = fmt.format_text('corpus c {\n  seed 1\n', "x.corpus")
    assert out is None and diags[0].code == "E0001"
    out, diags = fmt.format_text('corpus c {\n  seed $1\n}\n', "x.corpus")
    assert out is None and diags[0].code == "E0002"
    out, diags = fmt.format_text('corpus c {\n  title "open\n}\n', "x.corpus")
    assert out is None and diags[0].code == "E0002"


def test_refuses_too_deep_nesting():
    src = "emit x " + "{ a " * 40 + "}" * 40 + "\n"
    out, diags = fmt.format_text(src)
    assert out is None and diags[0].code == "E0006"


# ---------------------------------------------------------------- layout rules

@pytest.mark.parametrize("src, expected", [
    # blocks
    ('rep jordan "J" { title "AE" }\n', 'rep jordan "J" {\n  title "AE"\n}\n'),
    ("emit x {}\n", "emit x {}\n"),
    ("emit x{ }\n", "emit x {}\n"),
    ("emit x {\n\n}\n", "emit x {}\n"),
    ("emit x { a { b { c 1 } } }\n", "emit x {\n  a {\n    b {\n      c 1\n    }\n  }\n}\n"),
    ("emit x {\n  a 1\n  b 2 }\n", "emit x {\n  a 1\n  b 2\n}\n"),
    ("emit x { a 1 b 2\n c 3 }\n", "emit x {\n  a 1 b 2\n  c 3\n}\n"),
    # spacing
    ("use stdlib . personas\n", "use stdlib.personas\n"),
    ("emit x {\n  t 5 min 2.1s 10 ms 3hours\n}\n", "emit x {\n  t 5 min 2.1s 10 ms 3hours\n}\n"),
    ("emit x {\n  r 1 .. 5\n  h 07:00 ..21:00\n}\n", "emit x {\n  r 1..5\n  h 07:00..21:00\n}\n"),
    ("emit x {\n  n -3 -2.5 30% 2.5%\n}\n", "emit x {\n  n -3 -2.5 30% 2.5%\n}\n"),
    ("emit x {\n  l [ a ,b,c , ]\n  e [ ]\n}\n", "emit x {\n  l [a, b, c]\n  e []\n}\n"),
    ("emit x {\n  w a,b , c\n}\n", "emit x {\n  w a, b, c\n}\n"),
    ("population p {\n  field d:lognormal ( median 1s ,sigma 0.4 )clamp 1s..2s\n  field e=d\n}\n",
     "population p {\n  field d: lognormal(median 1s, sigma 0.4) clamp 1s..2s\n  field e = d\n}\n"),
    ("require count( calls where x>=2 and y!=z )<3\n", "require count(calls where x >= 2 and y != z) < 3\n"),
    ("require distinct(a)by(b,c)==1\n", "require distinct(a) by (b, c) == 1\n"),
    ("require all calls where(a or b):c\n", "require all calls where (a or b): c\n"),
    ("account a {\n  arc p by d:raised at x->resolved\n}\n",
     "account a {\n  arc p by d: raised at x -> resolved\n}\n"),
    # comments
    ("emit x {  # c\n  a 1 # d\n} # e\n", "emit x {  # c\n  a 1  # d\n}  # e\n"),
    ("emit x {\n# c\n      # d\n  a 1\n    # e\n}\n", "emit x {\n  # c\n  # d\n  a 1\n  # e\n}\n"),
    ("emit x { # only\n}\n", "emit x {  # only\n}\n"),
    ("# c   \n", "# c\n"),
    # blank lines
    ("\n\n\nuse a\n\n\n\nuse b\nuse c\n\n\n", "use a\n\nuse b\nuse c\n"),
    ("emit x {\n\n\n  a 1\n\n\n\n  b 2\n\n}\n", "emit x {\n  a 1\n\n  b 2\n}\n"),
    ("use a\nemit x {\n  a 1\n}\nuse b\n", "use a\n\nemit x {\n  a 1\n}\n\nuse b\n"),
    ("use a\n# about x\nemit x {\n  a 1\n}\n# after\nuse b\n",
     "use a\n\n# about x\nemit x {\n  a 1\n}\n\n# after\nuse b\n"),
    ("use a\n# detached\n\n# about x\nemit x {\n  a 1\n}\n",
     "use a\n# detached\n\n# about x\nemit x {\n  a 1\n}\n"),
    ("emit x { a 1 }\nemit y { b 2 }\n", "emit x {\n  a 1\n}\n\nemit y {\n  b 2\n}\n"),
    ("emit x {}\nemit y {}\n", "emit x {}\nemit y {}\n"),
    # file ends
    ("", ""),
    ("\n \n\t\n", ""),
    ("use a", "use a\n"),
    ("# just a comment", "# just a comment\n"),
    ("\ufeffuse a\n", "use a\n"),
    ("use a\r\nuse b\r\n\r\n\r\nuse c\r\n", "use a\nuse b\n\nuse c\n"),
    ("emit x {\r\n  a 1  # c\r\n}\r\n", "emit x {\r\n  a 1  # c\r\n}\r\n".replace("\r", "")),
])
def test_layout(src, expected):
    out = fmt_ok(src)
    assert out == expected
    check_formatted(src, out)


def test_long_list_is_exploded_with_trailing_comma():
    items = ", ".join(f"item_{i:02d}" for i in range(12))
    src = f"emit x {{\n  tags [{items}]\n}}\n"
    assert fmt_ok(src) == "emit x {\n  tags [\n" + "".join(
        f"    item_{i:02d},\n" for i in range(12)) + "  ]\n}\n"


def test_width_limit_is_100_columns():
    def spec(n: int) -> str:
        # `  tags [` (8) + `, `-joined words + `]` (1) -> exactly n columns
        words, width = [], 9
        while width < n:
            w = "w" * min(10, n - width - (2 if words else 0))
            if not w:
                w = "w"
            words.append(w)
            width = 9 + len(", ".join(words))
        return "emit x {\n  tags [" + ", ".join(words) + "]\n}\n"

    assert max(len(ln) for ln in spec(100).split("\n")) == 100
    assert fmt_ok(spec(100)) == spec(100)
    long = fmt_ok(spec(101))
    assert long != spec(101) and "  tags [\n" in long and long.count(",\n") > 1


def test_nested_groups_explode_from_the_outside():
    inner = ", ".join(f"v{i}" for i in range(5))
    lists = ", ".join(f"[{inner}]" for _ in range(4))
    src = f"emit x {{\n  m [{lists}, [{', '.join(f'long_name_{i}' for i in range(12))}]]\n}}\n"
    out = fmt_ok(src)
    lines = out.split("\n")
    assert lines[1] == "  m ["
    assert lines[2] == f"    [{inner}],"
    assert lines[6] == "    ["
    assert lines[7] == "      long_name_0,"
    assert lines[-4] == "    ],"
    assert lines[-3] == "  ]"
    check_formatted(src, out)


def test_exploded_parentheses_get_no_trailing_comma():
    args = ", ".join(f"arg_{i} {i}s" for i in range(12))
    src = f"population p {{\n  field d: custom({args}) clamp 1s..2s\n}}\n"
    out = fmt_ok(src)
    assert "  field d: custom(\n    arg_0 0s,\n" in out
    assert "    arg_11 11s\n  ) clamp 1s..2s\n" in out
    check_formatted(src, out)


def test_comments_inside_brackets_force_one_item_per_line():
    src = ("emit x {\n  tags [  # the tags\n    a, # first\n    # before b\n    b\n"
           "    # at the end\n  ]\n  pair [c, d # why d\n  ]\n}\n")
    out = fmt_ok(src)
    assert out == ("emit x {\n  tags [  # the tags\n    a,  # first\n    # before b\n    b,\n"
                   "    # at the end\n  ]\n  pair [\n    c,\n    d,  # why d\n  ]\n}\n")
    check_formatted(src, out)


def test_comment_inside_parentheses():
    src = ("population p {\n  field t: lognormal(median 130s, # typical\n      sigma 0.4) clamp 1s..9s\n"
           "  when (a # first\n  or b) {\n    x 1\n  }\n}\n")
    out = fmt_ok(src)
    assert out == ("population p {\n  field t: lognormal(\n    median 130s,  # typical\n    sigma 0.4\n"
                   "  ) clamp 1s..9s\n  when (\n    a or b  # first\n  ) {\n    x 1\n  }\n}\n")
    check_formatted(src, out)


def test_number_unit_spacing_is_kept_as_written():
    out = fmt_ok("population p {\n  window 60 days\n  sla 2.1s\n  clamp 20s..900s\n  x 5 min..10min\n}\n")
    assert "  window 60 days\n  sla 2.1s\n  clamp 20s..900s\n  x 5 min..10min\n" in out


def test_trailing_comment_alignment_is_two_spaces():
    out = fmt_ok("use a            # far away\nuse bb\t# tabbed\n")
    assert out == "use a  # far away\nuse bb  # tabbed\n"


def test_format_is_deterministic_and_never_changes_strings():
    src = 'emit x {\n  s "  spaced\\t \\"quoted\\"  #not a comment  "   \n}\n'
    out = fmt_ok(src)
    assert '"  spaced\\t \\"quoted\\"  #not a comment  "' in out
    assert fmt_ok(src) == out


# ---------------------------------------------------------------- tokens and diff

def test_tokenizer_agrees_with_the_grammar_terminals():
    toks = fmt.tokenize('x en-US 2026-01-05 07:00 30% 2.5% -3 -2.5 2.1s 1..5 a->b >= <= == != > < = '
                        '"a\\"b" # c\n{}[](),:.')
    assert [(t.kind, t.text) for t in toks] == [
        ("NAME", "x"), ("NAME", "en-US"), ("DATE", "2026-01-05"), ("TIME", "07:00"),
        ("PERCENT", "30%"), ("PERCENT", "2.5%"), ("INT", "-3"), ("NUMBER", "-2.5"),
        ("NUMBER", "2.1"), ("NAME", "s"), ("INT", "1"), ("OP", ".."), ("INT", "5"),
        ("NAME", "a"), ("OP", "->"), ("NAME", "b"), ("OP", ">="), ("OP", "<="), ("OP", "=="),
        ("OP", "!="), ("OP", ">"), ("OP", "<"), ("OP", "="), ("STRING", '"a\\"b"'),
        ("COMMENT", "# c"), ("NL", "\n"), ("OP", "{"), ("OP", "}"), ("OP", "["), ("OP", "]"),
        ("OP", "("), ("OP", ")"), ("OP", ","), ("OP", ":"), ("OP", "."),
    ]
    assert [t.space for t in toks[8:10]] == [True, False]


def test_signature_ignores_layout_only():
    a = "emit x { a [1, 2,] }\n"
    b = "emit x {\n  a [\n    1,\n    2\n  ]\n}\n"
    assert fmt.signature(a) == fmt.signature(b)
    assert fmt.signature("use a\nuse b\n") != fmt.signature("use a use b\n")


def test_unified_diff():
    old = "use a\nuse   b\n"
    new = fmt_ok(old)
    d = fmt.unified_diff(old, new, "specs/x.corpus")
    assert d.startswith("--- a/specs/x.corpus\n+++ b/specs/x.corpus\n@@ ")
    assert "-use   b\n+use b\n" in d
    assert fmt.unified_diff(new, new, "x.corpus") == ""


def test_unified_diff_marks_a_missing_final_newline():
    d = fmt.unified_diff("use a", "use a\n", "x.corpus")
    assert d == ("--- a/x.corpus\n+++ b/x.corpus\n@@ -1 +1 @@\n-use a\n"
                 "\\ No newline at end of file\n+use a\n")
