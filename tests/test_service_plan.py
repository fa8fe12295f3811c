"""Issue 15 §5/§6, as an outside reader of examples/contact_center.corpus
found them: the SA flags are said in the call (and only then), the identity
check is labelled as what it is and comes before any account detail, the
product is planned with the intent (rules as data), one fact set per call.
Rendered in-process as the transcripts backend would, all 200 calls."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from corpusc.compiler.paths import STDLIB

from .conftest import EXAMPLES
from .test_engine import plan_of, render_all


@pytest.fixture(scope="module")
def contact():
    h, calls = plan_of(EXAMPLES / "contact_center.corpus")
    return h, calls, render_all(h, calls)


# contact data an evaluator's PII detector finds: a phone number, an e-mail address
PII = re.compile(r"\+\d[\d ()/-]{7,}\d|(?<![\d ])0\d{2,4}[ /-]?\d{5,}|[\w.+-]+@[\w-]+\.[\w.]*\w")
# reserved for fiction: 555-01xx (NANP), the Bundesnetzagentur's drama blocks, Ofcom's; RFC 2606's domain
FICTIONAL = re.compile(r"^\+1\d{3}55501\d\d$|^\+49(?:3023125|6990009|4066969|2214710|8999998)\d{3}$|"
                       r"^\+49(?:17139200|176040690)\d\d$|@example\.com$")
ENGLISH = {"the", "i", "it", "my", "is", "to", "this", "and", "you", "in", "of", "for", "when", "with", "what",
           "me", "at", "so", "wrong", "just", "need", "want", "should", "have", "been", "has"}
GERMAN = {"ich", "das", "ist", "die", "der", "nicht", "und", "es", "zu", "mir", "wir", "sie", "wenn", "mich",
          "auf", "schon", "sollte", "noch", "mal", "falsche", "sprache", "geht", "will", "bin", "sag's"}


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\w']+", text)}


def test_the_flags_are_said_exactly_when_the_metadata_sets_them(contact):
    """`language_switch`: a caller sentence in the other language, labelled
    with that language; `pii_disclosure_flag`: the caller reads out contact
    data, fictional only, labelled. An unflagged call has no sentence in the
    other language and no contact data at all (main: flags set, nothing said)."""
    _, calls, rendered = contact
    switched = disclosed = 0
    for c, rc in zip(calls, rendered):
        m = c.metadata
        sw = [e for e in rc.evidence if e.kind == "language_switch"]
        pii = [e for e in rc.evidence if e.kind == "pii_disclosure"]
        found = [x for t in rc.turns for x in PII.findall(t.text)]
        if m.get("pii_disclosure_flag") is True:
            assert len(pii) == 1, c.id
            e = pii[0]
            span = rc.turns[e.turn].text[e.start:e.end]
            assert rc.turns[e.turn].side == "buyer" and len(PII.findall(span)) == 2, (c.id, span)
            assert found == PII.findall(span), (c.id, found)  # no contact data outside the labelled span
            assert all(FICTIONAL.search(x.replace(" ", "")) for x in found), (c.id, found)
            disclosed += 1
        else:
            assert not pii and not found, (c.id, found)
        mine, other = (GERMAN, ENGLISH) if c.locale.startswith("de") else (ENGLISH, GERMAN)
        if m.get("language_switch") is True:
            assert len(sw) == 1 and sw[0].key != c.locale, c.id
            e = sw[0]
            span = rc.turns[e.turn].text[e.start:e.end]
            assert len(_words(span) & other) >= 2 and len(_words(span) & other) > len(_words(span) & mine), span
            switched += 1
        else:
            assert not sw, c.id
    assert switched >= 2 and disclosed >= 2, (switched, disclosed)


def test_a_planned_flag_is_a_labelled_event_in_the_ground_truth():
    from corpusc.backends.ground_truth import EVENT_KINDS
    assert {"identity", "language_switch", "pii_disclosure"} <= set(EVENT_KINDS)


def test_the_identity_check_is_labelled_as_identity_not_as_a_signal(contact):
    """The caller's name, birthday and customer number answer the identity
    check: labelled `identity` (request and statement), never a surface signal
    (main: `next_step`, e.g. call 00001 turn 3, because the birthday was drawn
    with a slot named `day`)."""
    _, calls, rendered = contact
    for c, rc in zip(calls, rendered):
        ids = [e for e in rc.evidence if e.kind == "identity"]
        assert [e.key for e in ids] == ["request", "statement"], c.id
        req, st = ids
        assert rc.turns[req.turn].side == "seller" and rc.turns[st.turn].side == "buyer" and st.turn > req.turn
        sig = [e for e in rc.evidence if e.kind == "signal" and e.turn == st.turn and e.start < st.end
               and st.start < e.end]
        assert not sig, (c.id, rc.turns[st.turn].text)


# what an agent only knows from the open account
DETAIL = re.compile(r"\bI (?:can )?see\b|\bich sehe\b|ending in|endet auf|Endziffern|in Ihrem Konto|on your account", re.I)


def test_the_identity_check_comes_before_any_account_detail(contact):
    """Greet, intent, verify, details: the agent's identity request is its
    first turn after the caller's reason, and nothing the agent says before
    the caller has answered it reads from the account."""
    _, calls, rendered = contact
    for c, rc in zip(calls, rendered):
        req, st = [e for e in rc.evidence if e.kind == "identity"]
        first_agent = next(t.index for t in rc.turns[2:] if t.side == "seller")
        assert req.turn == first_agent, c.id
        before = [t.text for t in rc.turns[:st.turn] if t.side == "seller"]
        assert not [x for x in before if DETAIL.search(x)], (c.id, before)
        assert not [e for e in rc.evidence if e.kind == "hold" and e.turn < st.turn], c.id


def test_the_product_is_planned_with_the_intent_from_data(contact):
    """The domain's joint rules are data (stdlib/domains/joint.json), and
    every call's product is one its intent allows, quotas exact (main: a card
    block on a loan, a login problem on a savings account)."""
    _, calls, _ = contact
    rules = json.loads((STDLIB / "domains" / "joint.json").read_text(encoding="utf-8"))
    product = rules["banking"]["product"]
    assert product["lead"] == "intent"
    bad = [(c.id, c.metadata["intent"], c.metadata["product"]) for c in calls
           if c.metadata["intent"] in product["allowed"]
           and c.metadata["product"] not in product["allowed"][c.metadata["intent"]]]
    assert not bad, bad[:5]
    got = Counter(c.metadata["product"] for c in calls)
    assert got == Counter(current_account=70, credit_card=50, online_banking=40, loan=24, savings=16), got
    # each intent that allows several products gets more than one of them (not all on the first)
    per = Counter((c.metadata["intent"], c.metadata["product"]) for c in calls)
    for intent in ("card_block", "account_closure", "transfer_status"):
        assert len([p for (i, p) in per if i == intent]) >= 2, per


def test_the_planner_keeps_no_domain_rule_in_code():
    import corpusc.plan.population as pop
    assert not hasattr(pop, "JOINT")
    assert "product" in pop.joint_rules("banking") and "product" not in pop.joint_rules("hvac_services")


def _facts(locale: str) -> dict[str, list[str]]:
    """Each fact of the banking banks and the values it may take (any product or intent)."""
    bank = json.loads((STDLIB / "phrases" / locale / "pop_banking.json").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for name, v in bank["pop"]["banking"]["fact"].items():
        if isinstance(v, dict) and name != "card":
            continue  # a product's own words: test_the_product_said_is_the_planned_one
        out[name] = sorted({x for xs in (v.values() if isinstance(v, dict) else [v]) for x in xs if "{" not in x})
    return out


def test_the_product_said_is_the_planned_one(contact):
    """A closure names the product the metadata plans (main: "close my current
    account" in a call planned on a savings account, then "you also have a
    savings account")."""
    _, calls, rendered = contact
    said = 0
    for c, rc in zip(calls, rendered):
        if c.metadata["intent"] != "account_closure":
            continue
        bank = json.loads((STDLIB / "phrases" / c.locale / "pop_banking.json").read_text(encoding="utf-8"))
        mine = bank["pop"]["banking"]["fact"]["my_product"]
        text = " ".join(t.text for t in rc.turns)
        named = {p for p, (v,) in mine.items() if p != "default" and re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text)}
        assert named <= {c.metadata["product"]}, (c.id, c.metadata["product"], named)
        said += bool(named)
    assert said >= 2


def test_one_fact_set_per_call(contact):
    """The card, the day a transfer went out, whom it went to, a loan's sum,
    term and purpose, the fee, since when a login fails: drawn once per call
    and said alike in every turn (main: "my debit card" then "the credit
    card", "on Monday" then "three days ago", ten then twenty thousand
    euros). The card is the planned product's."""
    _, calls, rendered = contact
    facts = {loc: _facts(loc) for loc in ("en-US", "de-DE")}
    drift, said = [], Counter()
    for c, rc in zip(calls, rendered):
        text = " ".join(t.text for t in rc.turns)
        for name, values in facts[c.locale].items():
            found = {v for v in values if re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", text, re.I)}
            said[name] += bool(found)
            if len(found) > 1:
                drift.append((c.id, name, sorted(found)))
        if c.metadata["intent"] == "card_block":
            card = {"credit_card": "credit", "current_account": "debit"}[c.metadata["product"]]
            kinds = {"credit" if k.lower() in ("credit", "kreditkarte") else "debit" for pair in
                     re.findall(r"\b(debit|credit)(?= card)|\b(Girocard|Kreditkarte)\b", text, re.I) for k in pair if k}
            assert kinds <= {card}, (c.id, c.metadata["product"], kinds)
    assert not drift, drift[:8]
    assert min(said[n] for n in ("card", "sent", "loan_sum", "fee_name", "since")) >= 3, said


def test_every_flagged_call_says_its_flags_even_when_short():
    """By construction, not by luck: with both flags on every call and calls
    as short as the spec allows, each call still says the switch and the
    disclosure, each once and labelled."""
    text = (EXAMPLES / "contact_center.corpus").read_text(encoding="utf-8")
    text = text.replace("volume 40 per day", "count 40", 1)
    text = text.replace("field language_switch: bool(p 3%)", "field language_switch: bool(p 100%)")
    text = text.replace("field pii_disclosure_flag: bool(p 2%)", "field pii_disclosure_flag: bool(p 100%)")
    text = text.replace("lognormal(median 290s, sigma 0.5) clamp 45s..2400s", "lognormal(median 60s, sigma 0.3) clamp 45s..90s")
    assert text.count("p 100%") == 2 and "median 60s" in text
    h, calls = plan_of(EXAMPLES / "contact_center.corpus", text=text)
    for c, rc in zip(calls, render_all(h, calls)):
        kinds = Counter(e.kind for e in rc.evidence)
        assert kinds["language_switch"] == 1 and kinds["pii_disclosure"] == 1, (c.id, len(rc.turns), kinds)


def test_the_plot_rules_are_data_and_validated(tmp_path, monkeypatch):
    """FCR per scenario, hold shares per intent and the intents' routes are
    data (stdlib/domains/plot.json), per domain over `*`, read through a
    validating model: a share outside 0..1, an intent routed to no team or a
    misspelt key fails when read (main: three tables in plan/population.py)."""
    import pydantic
    import corpusc.plan.population as pop
    for name in ("FCR_OF_SCENARIO", "HOLD_SHARE", "ROUTES", "TEAMS"):
        assert not hasattr(pop, name), name
    bank = pop.plot_rules("banking")
    assert bank.routes["complaint"] == {"retention", "billing"} and bank.hold_share["address_change"] == 0.2
    assert bank.fcr_of_scenario["callback_scheduled"] is False  # `*`'s entries reach every domain
    assert pop.plot_rules("hvac_services").routes == {} and pop.plot_rules(None).hold_share == {}
    data = json.loads(pop.PLOT_FILE.read_text(encoding="utf-8"))
    for bad in ({"hold_share": {"card_block": 1.5}}, {"routes": {"complaint": []}}, {"hold_shares": {}}):
        broken = dict(data, banking=dict(data["banking"], **bad))
        f = tmp_path / "plot.json"
        f.write_text(json.dumps(broken), encoding="utf-8")
        monkeypatch.setattr(pop, "PLOT_FILE", f)
        pop.plot_rules.cache_clear()
        try:
            with pytest.raises(pydantic.ValidationError):
                pop.plot_rules("banking")
        finally:
            monkeypatch.undo()
            pop.plot_rules.cache_clear()
