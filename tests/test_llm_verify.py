"""The LLM renderer's verification on its own: every kind of violation the
stub can inject into a real plan's calls is caught (the confusion table the
issue asks for, here as an assertion over every call of sales_pov), correct
answers pass, and the checks that read locale data (polarity, personal data)
behave the same in every shipped locale."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest

from corpusc.plan.model import Call, Header
from corpusc.render.llm import lexicon, outline as O, verify

from .llm_stub import EXPECTED, damage, write


@lru_cache(maxsize=1)
def sales_pov() -> tuple[Header, list[Call]]:
    from corpusc.builder.compile import compile_spec
    from corpusc.diagnostics.model import Sink
    from corpusc.plan import planner
    from .conftest import EXAMPLES
    compiled = compile_spec(str(EXAMPLES / "sales_pov.corpus"), Sink())
    return planner.header(compiled.program, compiled.spec_hash), list(planner.sales_calls(compiled.program))


def answers(call: Call, seg: O.Segment, mode: str, recital: str) -> tuple[str | None, str]:
    """The stub's answer to one segment's request in `mode` (content, finish reason)."""
    from corpusc.render.llm import prompt
    user = prompt.messages(call, sales_pov()[0], seg, [], True, None)[1]["content"]
    outline = json.loads(user.split("<outline>")[1].split("</outline>")[0])
    finish = {"length": "length", "content_filter": "content_filter"}.get(mode, "stop")
    return damage(write(outline), outline, mode, recital), finish


def caught(call: Call, seg: O.Segment, content: str, finish: str) -> set[str]:
    """The violation kinds the renderer would report for this answer (generate._segment's order)."""
    if finish != "stop":
        return {f"finish_{finish}"}
    doc, bad = verify.parse(content)
    if bad is not None:
        return {bad.kind}
    return {v.kind for v in verify.check(call, sales_pov()[0], seg, doc).violations}


def test_correct_answers_pass_for_every_call():
    header, calls = sales_pov()
    for call in calls:
        for seg in O.segments(call, "whole"):
            content, finish = answers(call, seg, "ok", "")
            assert caught(call, seg, content, finish) == set(), call.id


def test_every_injected_violation_is_caught():
    """The confusion table (injected kind x caught/missed) over every call of
    sales_pov: nothing is missed, and each is caught as its own kind."""
    header, calls = sales_pov()
    recital = header.objections["pricing"]["phrasings"][0]
    table = {mode: [0, 0] for mode in EXPECTED}
    for call in calls:
        seg = O.segments(call, "whole")[0]
        for mode, kinds in EXPECTED.items():
            if mode == "wrong_polarity" and not call.moments:
                continue
            content, finish = answers(call, seg, mode, recital)
            found = caught(call, seg, content, finish)
            assert found <= kinds, (call.id, mode, found)  # reported as what it is, nothing else
            table[mode][0 if found & kinds else 1] += 1
    assert all(missed == 0 and found > 0 for found, missed in table.values()), table


def test_polarity_counts_words_and_flips_after_a_negator():
    en = lexicon.load("en-US")
    assert verify.polarity("This is great, I really like it.", en) == (2, 0)
    assert verify.polarity("That is not great, honestly.", en) == (0, 1)
    assert verify.polarity("I'm worried, this looks difficult.", en) == (0, 2)
    de = lexicon.load("de-DE")
    assert verify.polarity("Das ist wirklich super, das gefällt mir.", de) == (2, 0)
    assert verify.polarity("Das ist nicht gut.", de) == (0, 1)


@pytest.mark.parametrize("text,found", [
    ("Mail me at dana@example.com or call 312-555-0142.", ""),
    ("Mail me at dana.whitfield@gmail.com.", "email"),
    ("Call me on 312-867-5309.", "phone"),
    ("My SSN is 123-45-6789.", "social security"),
    ("The card is 4111 1111 1111 1111.", "card"),
    ("We signed on 2026-01-14 for 1,400,000 dollars.", ""),
])
def test_personal_data_outside_the_fictional_ranges_is_found(text, found):
    got = verify.personal_data(text, lexicon.load("en-US"), "en-US")
    assert (found in got) if found else got == ""


def test_german_personal_data_ranges():
    de = lexicon.load("de-DE")
    assert verify.personal_data("Rufen Sie 030 23125 123 an, oder max@example.de.", de, "de-DE") == ""
    assert "phone" in verify.personal_data("Rufen Sie 0171 9876543 an.", de, "de-DE")
    assert "IBAN" in verify.personal_data("IBAN DE89 3704 0044 0532 0130 00", de, "de-DE")
    assert verify.personal_data("Wir reden über 1.400.000 Euro am 14.01.2026.", de, "de-DE") == ""


def test_every_locale_has_the_same_lexicon_shape():
    """A locale is a data file with every key the checks read, and the same objection types."""
    shipped = lexicon.locales()
    assert {"en-US", "de-DE"} <= set(shipped)
    types = {loc: set(lexicon.load(loc).beats.objection) for loc in shipped}
    assert len({frozenset(t) for t in types.values()}) == 1, types
    for loc in shipped:
        lx = lexicon.load(loc)
        assert lx.positive and lx.negative and lx.negators and lx.beats.reference and lx.beats.next_steps
    assert lexicon.data_locale("en-GB") == "en-US" and lexicon.data_locale("xx-YY") is None


def test_the_schema_is_strict_mode_shaped():
    """Every object closed and fully required, no tuple arrays: what OpenAI's strict mode accepts."""
    _, calls = sales_pov()
    call = calls[1]
    schema = O.schema(call, O.segments(call, "whole")[0])

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node["additionalProperties"] is False and node["required"] == list(node["properties"])
            assert "prefixItems" not in node and "minItems" not in node
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(schema)
    import jsonschema
    jsonschema.Draft202012Validator.check_schema(schema)


def test_quotes_are_located_verbatim_or_ignoring_case():
    assert verify.locate("Well. The price is high. Okay.", "The price is high.") == (6, 24)
    assert verify.locate("Well. the price is high. Okay.", "The price is high.") == (6, 24)
    assert verify.locate("Well. The cost is high.", "The price is high.") is None


def test_request_budget_waits_for_the_minute_window(monkeypatch):
    """requests_per_minute 2: the third request waits until the first leaves the 60 s window (a fake clock)."""
    import asyncio

    from corpusc.render.llm import client as C
    from corpusc.render.llm.cache import Cache
    now = [1000.0]
    slept: list[float] = []

    async def sleep(s):
        slept.append(s)
        now[0] += s
    monkeypatch.setattr(C.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(C.asyncio, "sleep", sleep)
    cl = C.Client(C.LlmOptions(requests_per_minute=2), Cache(None))
    cl._budget = asyncio.Lock()

    async def three():
        for _ in range(3):
            await cl._admit(10)
            now[0] += 1.0
    asyncio.run(three())
    assert len(slept) == 1 and abs(slept[0] - 58.0) < 1e-6  # sent at 1000 and 1001; the third at 1060


def test_retry_after_in_seconds_milliseconds_or_a_date():
    import email.utils
    import time as t

    from corpusc.render.llm.client import retry_after

    class R:
        def __init__(self, h):
            self.headers = h
    assert retry_after(R({"retry-after": "3"})) == 3.0
    assert retry_after(R({"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    later = email.utils.formatdate(t.time() + 30, usegmt=True)
    assert 25 <= retry_after(R({"retry-after": later})) <= 31
    assert retry_after(R({})) is None and retry_after(None) is None


def test_a_bracketed_cue_in_the_words_is_refused():
    header, calls = sales_pov()
    call = calls[0]
    seg = O.segments(call, "whole")[0]
    content, _ = answers(call, seg, "ok", "")
    doc = json.loads(content)
    doc["t3"]["text"] = "[hesitant] " + doc["t3"]["text"]
    found = verify.check(call, header, seg, doc).violations
    assert [v.turn for v in found if "bracketed" in v.message] == [3]


def test_rate_limit_reset_durations():
    from corpusc.render.llm.client import reset_seconds
    assert reset_seconds("6m0s") == 360.0 and reset_seconds("20ms") == 0.02
    assert reset_seconds("1h2m3.5s") == 3723.5 and reset_seconds("") is None
