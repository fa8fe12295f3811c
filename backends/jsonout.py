"""JSON documents as the json module writes them (`json.dumps(doc, indent=2,
ensure_ascii=False)`, or compact with separators (",", ":")), plus a
newline, as UTF-8: written by orjson, five to ten times faster, byte for
byte the same. Where the two differ, the json module writes: a value orjson
refuses (an integer beyond 64 bits, a key that is not a string, a lone
surrogate) and floats below 1e-4 or in exponent form (json writes `1e-05`,
orjson `0.00001` or `1e-5`), found by a scan of orjson's output that may
also hit a string holding such digits (then only time is lost). A float
that is not a number (json writes NaN, orjson null) is never in a
document: every figure written is a measured, finite one."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# a number (never after a word character, a dot or a quote: those are in
# strings, e.g. hex digests) in exponent form or below 1e-4
_DIFFERS = re.compile(rb'(?<![\w."])-?(?:[0-9]+(?:\.[0-9]+)?[eE]|0\.0000)')


def dumps(doc: Any, pretty: bool = True) -> bytes:
    try:
        data = orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0))
    except (TypeError, orjson.JSONEncodeError):
        data = None
    if data is None or _DIFFERS.search(data):
        text = json.dumps(doc, indent=2, ensure_ascii=False) if pretty else \
            json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        data = (text + "\n").encode("utf-8")
    return data
