"""The contact-center renderer's shortcuts (render/template/service.py) answer
exactly as the plain code they replace: a cache shared across calls renders
what a fresh one renders. Speed itself is measured in benchmarks/, never here."""

from __future__ import annotations

from corpusc.render.template import service

from .test_engine import EXAMPLES, plan_of, render_all


def _fresh_each(h, calls, clear) -> list[str]:
    out = []
    for c in calls:
        clear()
        out += [rc.model_dump_json() for rc in render_all(h, [c])]
    return out


def test_text_scans_shared_across_calls_render_as_fresh_ones():
    """`service._scans` (per text: what `_contradicts` finds in it) kept across
    calls, phone and chat, with and without a transfer, renders byte for byte
    what a table emptied before each call renders."""
    h, calls = plan_of(EXAMPLES / "contact_center.corpus", n=60)
    assert len({str((c.metadata or {}).get("channel")) for c in calls}) > 1  # phone and chat calls both
    service._SCANS.clear()
    shared = [rc.model_dump_json() for rc in render_all(h, calls)]
    assert sum(len(t) for _, t in service._SCANS.values()) > 100
    again = [rc.model_dump_json() for rc in render_all(h, calls)]  # every text read from the table
    assert again == shared
    assert _fresh_each(h, calls, service._SCANS.clear) == shared


def test_text_scans_one_table_per_locale_domain_chat_and_transfers():
    """Two bank variants never share a table (a chat's phone-only phrases, a call
    without a transfer's transfer talk: the same text, another answer)."""
    keys = [(loc, "banking", chat, tr) for loc in ("en-US", "de-DE") for chat in (False, True) for tr in (False, True)]
    tables = [service._scans(*k) for k in keys]
    assert len({id(t) for t in tables}) == len(keys)
    assert all(service._scans(*k) is t for k, t in zip(keys, tables))  # and each is kept
