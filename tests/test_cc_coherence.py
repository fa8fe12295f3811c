"""Reader s21, finding 6: coherence inside one contact-center call, on the
example (200 calls, 80% German) and on a German-only and an English-only
bank population with other seeds (tests/test_cc_population_facts.py's). The
calls are rendered in process and read with tests/cc_coherence.py's word
lists, written apart from the banks. Main at 250d019, the example alone
(`python benchmarks/cc_coherence.py OUT`): dates 8 sentences in 6 calls, fit
21 in 21, aside 10 in 10, order 5 in 5."""

from __future__ import annotations

import pytest

from . import cc_coherence as C
from .conftest import EXAMPLES
from .test_cc_population_facts import _render, _spec


def _calls(rendered):
    for meta, rc in rendered:
        turns = [("caller" if t.side != "seller" else "staff", t.text) for t in rc.turns]
        yield rc.call_id, str(meta.get("intent") or ""), str(meta.get("language") or rc.locale), turns


@pytest.fixture(scope="module")
def found(tmp_path_factory) -> dict[str, list]:
    tmp = tmp_path_factory.mktemp("cccoh")
    calls = list(_calls(_render(EXAMPLES / "contact_center.corpus")))
    for name, seed, lang in (("de", 31, "de-DE"), ("en", 47, "en-US")):
        spec = tmp / f"cc_{name}.corpus"
        spec.write_text(_spec(seed, lang), encoding="utf-8")
        calls += [(f"{name}/{c[0]}", *c[1:]) for c in _calls(_render(spec))]
    assert len(calls) >= 500
    return C.defects(calls)


def test_one_date_per_fee(found):
    """The fee a caller asks about is dated one way in the whole call: not
    "vor zwei Wochen", then "von letzter Woche", then "die vom Ersten"."""
    assert found["dates"] == []


def test_replies_fit_the_turn_they_answer(found):
    """A yes-or-no question gets a yes or a no; an offer of video
    appointments is not answered "the branch closed last year"; no promise to
    read out numbers without numbers after it; no answer to a question the
    caller did not ask."""
    assert found["fit"] == []


def test_asides_fit_the_calls_intent(found):
    """The caller's colour is their own call's story: no "new phone, every
    app wants a new login" in an address change, no "my application is under
    review" in a fee complaint."""
    assert found["aside"] == []


def test_request_said_done_after_the_caller_gave_it(found):
    """"Statements go to your new address from today" is said after the
    caller has said the new address, never in the turn asking for it."""
    assert found["order"] == []


def test_an_agents_aside_asks_the_caller_nothing():
    """An aside (`more.*.agent*`) is laid into a turn wherever the call has
    room for it (drafting's `fit`), with no reply paired to it, so a question
    in one went unanswered: "Darf ich fragen, was den Ausschlag gegeben hat?
    ..." answered "Vielleicht in ein paar Jahren, dafür sind sie noch zu
    jung" (the children's account asked in the same turn), "... war das noch
    Ihre Zahlung?" answered about the caller's grown-up children (session 23,
    the example's bank_service.00048 and .00155). An aside says; a question
    the caller must answer is a step with its replies (`step.*`)."""
    import json
    from corpusc.render.template import banks
    asked = []
    for loc in banks.supported_locales():
        for f in sorted((banks.PHRASES / loc).glob("pop_*.json")):
            def walk(x, path):
                if isinstance(x, dict):
                    for k, v in x.items():
                        walk(v, path + (k,))
                elif isinstance(x, list) and "more" in path and path[-1].startswith("agent"):
                    asked.extend((loc, ".".join(path), s) for s in x if isinstance(s, str) and "?" in s)
            walk(json.loads(f.read_text(encoding="utf-8")), ())
    assert not asked, asked[:5]
