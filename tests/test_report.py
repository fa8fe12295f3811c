"""Renderers of diagnostics: snapshots of each format, plus the properties the
snapshots would not make obvious (byte offsets, escaping, rule indices)."""

from __future__ import annotations

import json

import click
import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from corpusc.diagnostics import report
from corpusc.diagnostics.model import Diagnostic, Pos, Sink, Span

FILE = "examples/demo.corpus"
TEXT = (
    "corpus demo {\n"
    "  seed 1\n"
    "}\n"
    "\n"
    'account northwind "Northwind Tráding" {\n'
    '\tstakeholder zoë "Zoë Ågren" { role "CFO" persona reluctnt }\n'
    '  stakeholder dana "Dana Whitfield" { role "VP" persona skeptic }\n'
    "  call review on day 3 {\n"
    "    with jordan, dnaa\n"
    "    stage\n"
    "  }\n"
)
SOURCES = {FILE: TEXT}


def pos(text: str, offset: int) -> Pos:
    line = text.count("\n", 0, offset) + 1
    return Pos(line=line, column=offset - (text.rfind("\n", 0, offset) + 1) + 1, offset=offset)


def span(needle: str, length: int | None = None, *, after: bool = False, text: str = TEXT,
         file: str = FILE) -> Span:
    """Span of `needle` in `text` (or the empty span just after it)."""
    off = text.index(needle) + (len(needle) if after else 0)
    n = 0 if after else (len(needle) if length is None else length)
    return Span(file=file, start=pos(text, off), end=pos(text, off + n))


def eof(text: str = TEXT, file: str = FILE) -> Span:
    return Span(file=file, start=pos(text, len(text)), end=pos(text, len(text)))


@pytest.fixture
def diags() -> list[Diagnostic]:
    sink = Sink()
    sink.add("E0201", "unknown persona `reluctnt`", span("reluctnt"),
             label="no persona of this name", help="did you mean `reluctant_adopter`?")
    sink.add("E0310", "stakeholder `zoë` takes part in no call", span("zoë"),
             label="declared here", notes=("it is kept in the plan but will never speak",))
    sink.add("E0204", "unknown stakeholder `dnaa` in call `review`", span("dnaa"),
             label="not declared in account `northwind`", help="did you mean `dana`?")
    sink.add("E0001", "unexpected end of line", span("    stage", after=True),
             label="expected a stage name", help="for example `stage discovery`")
    sink.add("E0001", "unexpected end of file: a block is not closed", eof(),
             label="file ends here", notes=("the `{` of account `northwind` on line 5 has no `}`",))
    return sink.sorted()


# --- snapshots ---------------------------------------------------------------------
# One plain file per format under __snapshots__/test_report/, so a reviewer reads
# exactly what a user (or CI) would get.

class TextSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "txt"


class JSONTextSnapshot(TextSnapshot):
    file_extension = "json"


class SARIFTextSnapshot(TextSnapshot):
    file_extension = "sarif"


def test_text_snapshot(diags, snapshot):
    out = report.render_text(diags, SOURCES) + report.summary_line(diags) + "\n"
    assert out == snapshot(extension_class=TextSnapshot)


def test_text_color_snapshot(diags, snapshot):
    assert report.render_text(diags, SOURCES, color=True) == snapshot(extension_class=TextSnapshot)


def test_json_snapshot(diags, snapshot):
    assert report.render_json(diags, SOURCES) == snapshot(extension_class=JSONTextSnapshot)


def test_sarif_snapshot(diags, snapshot):
    out = report.render_sarif(diags, SOURCES, "0.1.0")
    assert out == snapshot(extension_class=SARIFTextSnapshot)


def test_github_snapshot(diags, snapshot):
    assert report.render_github(diags) == snapshot(extension_class=TextSnapshot)


# --- text --------------------------------------------------------------------------

def test_text_matches_the_design_example():
    text = "\n" * 30 + "    with jordan, dnaa\n"
    d = Sink().add("E0204", "unknown stakeholder `dnaa` in call `review`",
                   span("dnaa", text=text, file="examples/sales_pov.corpus"),
                   label="not declared in account `northwind`", help="did you mean `dana`?")
    assert report.render_text([d], {"examples/sales_pov.corpus": text}) == (
        "error[E0204]: unknown stakeholder `dnaa` in call `review`\n"
        "  --> examples/sales_pov.corpus:31:18\n"
        "   |\n"
        "31 |     with jordan, dnaa\n"
        "   |                  ^^^^ not declared in account `northwind`\n"
        "   = help: did you mean `dana`?\n"
        "\n"
    )


def _source_and_carets(out: str) -> tuple[str, str]:
    lines = out.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.lstrip()[:1].isdigit())
    return lines[i], lines[i + 1]


@pytest.mark.parametrize("prefix", ["\t", "  \t", "\tZoë\t", "会議 ", "e\u0301\t"])
def test_carets_align_after_tabs_and_wide_characters(prefix):
    text = f"{prefix}persona reluctnt\n"
    d = Sink().add("E0201", "unknown persona", span("reluctnt", text=text))
    src, carets = _source_and_carets(report.render_text([d], {FILE: text}))
    assert "\t" not in src and "\t" not in carets
    col = carets.index("^")

    def width(s: str) -> int:
        return sum(report._char_width(c) for c in s)

    assert width(src[:src.index("reluctnt")]) == width(carets[:col])
    assert carets[col:] == "^" * len("reluctnt")


def test_empty_span_gets_one_caret_and_eof_shows_the_empty_last_line(diags):
    out = report.render_text([d for d in diags if d.code == "E0001"], SOURCES)
    assert "   |          ^ expected a stage name\n" in out
    assert "12 |\n   | ^ file ends here\n" in out


def test_span_past_the_line_end_is_cut_at_the_line_end():
    text = "call x {\n  a\n}\n"
    d = Diagnostic(code="E0001", severity="error", message="m",
                   span=Span(file=FILE, start=pos(text, 5), end=pos(text, len(text))))
    _, carets = _source_and_carets(report.render_text([d], {FILE: text}))
    assert carets == "  |      ^^^"


def test_gutter_widens_with_the_line_number():
    text = "\n" * 1233 + "seed x\n"
    d = Sink().add("E0207", "bad seed", span("x", text=text))
    out = report.render_text([d], {FILE: text})
    assert out.splitlines()[1:4] == ["    --> examples/demo.corpus:1234:6", "     |", "1234 | seed x"]


def test_missing_source_keeps_the_location_line(diags):
    out = report.render_text([d for d in diags if d.message == "unexpected end of line"], {})
    assert out == ("error[E0001]: unexpected end of line\n"
                   "  --> examples/demo.corpus:10:10\n"
                   "   = help: for example `stage discovery`\n\n")


def test_multiline_help_and_notes_are_indented():
    d = Sink().add("E0201", "m", span("seed"), help="first\nsecond", notes=["n1\nn2"])
    out = report.render_text([d], SOURCES)
    assert "  = note: n1\n          n2\n  = help: first\n          second\n" in out


def test_color_is_ansi_and_only_decoration(diags):
    plain = report.render_text(diags, SOURCES)
    colored = report.render_text(diags, SOURCES, color=True)
    assert "\x1b[31m" in colored and "\x1b[33m" in colored and "\x1b[34m" in colored
    assert click.unstyle(colored) == plain
    assert click.unstyle(report.summary_line(diags, color=True)) == report.summary_line(diags)


def test_summary_line(diags):
    warning = [d for d in diags if d.severity == "warning"]
    assert report.summary_line(diags) == "error: 4 errors, 1 warning emitted"
    assert report.summary_line(warning) == "check passed: 0 errors, 1 warning"
    assert report.summary_line(warning * 2) == "check passed: 0 errors, 2 warnings"
    assert report.summary_line([]) == "check passed: 0 errors, 0 warnings"
    assert report.summary_line(diags[1:2]) == "error: 1 error, 0 warnings emitted"


def test_nothing_to_render():
    assert report.render_text([], SOURCES) == ""
    assert report.render_github([]) == ""
    assert json.loads(report.render_json([], SOURCES))["valid"] is True


# --- json --------------------------------------------------------------------------

def test_json_byte_offsets_count_utf8_bytes(diags):
    doc = json.loads(report.render_json(diags, SOURCES))
    data = TEXT.encode("utf-8")
    for jd, d in zip(doc["diagnostics"], diags):
        for key in ("start", "end"):
            p = getattr(d.span, key)
            assert jd["range"][key]["byte"] == len(TEXT[:p.offset].encode("utf-8"))
            assert (jd["range"][key]["line"], jd["range"][key]["column"]) == (p.line, p.column)
        sn = jd["snippet"]
        code = sn["code"].encode("utf-8")
        highlighted = code[sn["highlight_start_offset"]:sn["highlight_end_offset"]]
        r = jd["range"]
        assert highlighted == data[r["start"]["byte"]:r["end"]["byte"]]

    persona = next(jd for jd in doc["diagnostics"] if jd["code"] == "E0201")
    start = persona["range"]["start"]
    off = TEXT.index("reluctnt")
    assert start["byte"] == off + 4  # á, ë, ë, Å: four 2-byte characters before it
    assert start["column"] == 51 and start["line"] == 6
    assert data[start["byte"]:start["byte"] + 8] == b"reluctnt"


def test_json_shape(diags):
    out = report.render_json(diags, SOURCES)
    assert out.endswith("}\n") and out.startswith('{\n  "format_version": "1.0",')
    doc = json.loads(out)
    assert list(doc) == ["format_version", "valid", "error_count", "warning_count", "diagnostics"]
    assert (doc["valid"], doc["error_count"], doc["warning_count"]) == (False, 4, 1)
    first = doc["diagnostics"][0]
    assert list(first) == ["severity", "code", "summary", "detail", "range", "snippet"]
    assert list(first["snippet"]) == ["context", "code", "start_line",
                                      "highlight_start_offset", "highlight_end_offset"]
    e0204 = next(d for d in doc["diagnostics"] if d["code"] == "E0204")
    assert e0204["detail"] == "not declared in account `northwind`\nhelp: did you mean `dana`?"


def test_json_without_source_uses_character_offsets(diags):
    doc = json.loads(report.render_json(diags, {}))
    for jd, d in zip(doc["diagnostics"], diags):
        assert jd["range"]["start"]["byte"] == d.span.start.offset
        assert jd["snippet"] is None


# --- sarif -------------------------------------------------------------------------

# The parts of the SARIF 2.1.0 schema that GitHub code scanning relies on.
SARIF_MINIMAL_SCHEMA = {
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool", "results"],
            "properties": {
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object",
                    "required": ["name", "version", "informationUri", "rules"],
                    "properties": {
                        "name": {"type": "string"},
                        "informationUri": {"type": "string", "format": "uri"},
                        "rules": {"type": "array", "items": {
                            "type": "object",
                            "required": ["id", "name", "shortDescription", "fullDescription",
                                         "help", "defaultConfiguration"],
                            "properties": {
                                "id": {"type": "string"},
                                "shortDescription": {"$ref": "#/$defs/message"},
                                "fullDescription": {"$ref": "#/$defs/message"},
                                "help": {"$ref": "#/$defs/message"},
                                "defaultConfiguration": {
                                    "type": "object", "required": ["level"],
                                    "properties": {"level": {"$ref": "#/$defs/level"}}},
                            }}},
                    }}}},
                "results": {"type": "array", "items": {
                    "type": "object",
                    "required": ["ruleId", "ruleIndex", "level", "message", "locations",
                                 "partialFingerprints"],
                    "properties": {
                        "ruleIndex": {"type": "integer", "minimum": 0},
                        "level": {"$ref": "#/$defs/level"},
                        "message": {"$ref": "#/$defs/message"},
                        "partialFingerprints": {
                            "type": "object", "required": ["primaryLocationLineHash"],
                            "additionalProperties": {"type": "string"}},
                        "locations": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "required": ["physicalLocation"],
                            "properties": {"physicalLocation": {
                                "type": "object", "required": ["artifactLocation", "region"],
                                "properties": {
                                    "artifactLocation": {
                                        "type": "object", "required": ["uri"],
                                        "properties": {"uri": {"type": "string"},
                                                       "uriBaseId": {"type": "string"}}},
                                    "region": {
                                        "type": "object",
                                        "required": ["startLine", "startColumn", "endLine",
                                                     "endColumn"],
                                        "additionalProperties": {"type": "integer",
                                                                 "minimum": 1}},
                                }}}}},
                    }}},
            }}},
    },
    "$defs": {
        "message": {"type": "object", "required": ["text"],
                    "properties": {"text": {"type": "string", "minLength": 1}}},
        "level": {"enum": ["none", "note", "warning", "error"]},
    },
}


def test_sarif_is_structurally_valid(diags):
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(report.render_sarif(diags, SOURCES, "0.1.0"))
    jsonschema.validate(doc, SARIF_MINIMAL_SCHEMA)
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"


def test_sarif_rules_and_indices_agree(diags):
    run = json.loads(report.render_sarif(diags, SOURCES, "9.9.9"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["version"] == "9.9.9"
    assert [r["id"] for r in rules] == ["E0001", "E0201", "E0204", "E0310"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    e0310 = rules[3]
    assert e0310["name"] == "DeclaredButNeverUsed"
    assert e0310["defaultConfiguration"]["level"] == "warning"
    assert e0310["fullDescription"]["text"].startswith("A stakeholder takes part in no call")


def test_sarif_regions(diags):
    run = json.loads(report.render_sarif(diags, SOURCES, "0.1.0"))["runs"][0]
    for res, d in zip(run["results"], diags):
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": FILE, "uriBaseId": "%SRCROOT%"}
        r = loc["region"]
        assert (r["startLine"], r["startColumn"]) == (d.span.start.line, d.span.start.column)
        width = d.span.end.offset - d.span.start.offset
        assert r["endLine"] == r["startLine"]
        assert r["endColumn"] == r["startColumn"] + max(width, 1)
    assert {r["message"]["text"] for r in run["results"]} >= {
        "unexpected end of line. help: for example `stage discovery`",
        "stakeholder `zoë` takes part in no call. note: it is kept in the plan but will never speak",
    }


def test_sarif_fingerprints_are_stable_and_distinct(diags):
    def prints(ds, text):
        run = json.loads(report.render_sarif(ds, {FILE: text}, "0.1.0"))["runs"][0]
        return [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]

    before = prints(diags, TEXT)
    assert len(set(before)) == len(before)
    # a line inserted above moves every diagnostic but changes no fingerprint
    shifted = [d.model_copy(update={"span": Span(
        file=d.span.file,
        start=pos("\n" + TEXT, d.span.start.offset + 1),
        end=pos("\n" + TEXT, d.span.end.offset + 1))}) for d in diags]
    assert prints(shifted, "\n" + TEXT) == before
    # the same finding twice on identical lines gets a different occurrence number
    twice = prints([diags[2], diags[2]], TEXT)
    assert twice[0].split(":")[0] == twice[1].split(":")[0] and twice[0] != twice[1]


def test_sarif_uri_is_relative_with_forward_slashes():
    d = Sink().add("E0201", "m", span("seed", file=".\\specs\\my spec.corpus"))
    loc = json.loads(report.render_sarif([d], {}, "0"))["runs"][0]["results"][0]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "specs/my%20spec.corpus"


# --- github ------------------------------------------------------------------------

def test_github_escaping():
    d = Sink().add("E0401", "weights sum to 90%\r\nnot 100%: fix, please",
                   span("seed", file="dir,a/b:c.corpus"), help="add 10%")
    assert report.render_github([d]) == (
        "::error file=dir%2Ca/b%3Ac.corpus,line=2,col=3,endLine=2,endColumn=6,"
        "title=E0401 weights do not sum to 100%25::"
        "weights sum to 90%25%0D%0Anot 100%25: fix, please. help: add 10%25\n"
    )


def test_github_severities_and_multiline_ranges(diags):
    lines = report.render_github(diags).splitlines()
    assert len(lines) == len(diags)
    assert [ln.split(" ", 1)[0] for ln in lines] == \
        ["::warning", "::error", "::error", "::error", "::error"]
    multi = Diagnostic(code="E0001", severity="note", message="m",
                       span=Span(file=FILE, start=pos(TEXT, 0), end=pos(TEXT, 20)))
    assert report.render_github([multi]) == \
        "::notice file=examples/demo.corpus,line=1,endLine=2,title=E0001 syntax error::m\n"


def test_absolute_paths_inside_the_checkout_become_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside = str(tmp_path / "specs" / "a.corpus")
    d = Sink().add("E0201", "m", span("seed", file=inside))
    sarif = json.loads(report.render_sarif([d], {}, "0"))
    loc = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "specs/a.corpus", "uriBaseId": "%SRCROOT%"}
    assert report.render_github([d]).startswith("::error file=specs/a.corpus,")
    outside = str(tmp_path.parent / "elsewhere.corpus")
    d = Sink().add("E0201", "m", span("seed", file=outside))
    loc = json.loads(report.render_sarif([d], {}, "0"))["runs"][0]["results"][0]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"].startswith("file:///")
    assert "uriBaseId" not in loc["physicalLocation"]["artifactLocation"]


def test_module_is_import_light():
    import subprocess
    import sys
    code = ("import sys, corpusc.diagnostics.report; "
            "print(any(m in sys.modules for m in ('rich', 'jsonschema')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
