"""backends.jsonout writes what json.dumps writes, byte for byte (orjson
differs on floats below 1e-4 and in exponent form, on integers beyond 64
bits, on non-string keys and lone surrogates: those fall back)."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from corpusc.backends import jsonout

LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
DOC = st.recursive(LEAF, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                   max_leaves=12)


def reference(doc, pretty: bool) -> bytes:
    text = json.dumps(doc, indent=2, ensure_ascii=False) if pretty else \
        json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8", "surrogatepass")


@settings(max_examples=400, deadline=None)
@given(doc=DOC, pretty=st.booleans())
def test_same_bytes_as_json_dumps(doc, pretty):
    assert jsonout.dumps(doc, pretty) == reference(doc, pretty)


def test_the_cases_orjson_writes_otherwise():
    for doc in ({"a": 1e-05, "b": 5e-05, "c": 1e16, "d": -2.5e-7}, [2 ** 70], {1: "x"}, {"sha": "ab3e5f", "n": 0.5},
                {"id": "5f7-6e3a", "x": [1e-7, -3e20, 0.5e-3], "y": "2e5"}, 1e-05, [1E+30]):
        assert jsonout.dumps(doc) == reference(doc, True)
        assert jsonout.dumps(doc, False) == reference(doc, False)
