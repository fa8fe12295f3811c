"""A contact-center call that does not resolve the request says so
consistently (issue 15 §6, metadata consistent with the call): the agent of a
call handed on (transferred, called back, escalated, redirected to the app)
never says the request is done ("your new address applies from today"), the
handoff names what is left to do for this request (the card is blocked at
once, as a bank does; the express replacement is the card team's; an address
change waits for the proof of address), and a redirect to the app guides to
the request's own menu, never to the Cards menu for an address change.
Read with this file's own word lists, written apart from the banks.

Main before the change, on this file's two builds (seeds 12345 and 404):
237 agent sentences saying the new address is in place in address-change
calls handed on or redirected; 125 of 146 handoffs of card-block or
address-change calls not naming what is left to do; 11 app-redirect
sentences sending another request to the Cards menu. After: 0, 0 of 146, 0."""

from __future__ import annotations

import re

import pytest

from .conftest import EXAMPLES
from .test_engine import plan_of, render_all

SEEDS = (12345, 404)
UNRESOLVED = ("transfer_to_specialist", "callback_scheduled", "escalation_to_supervisor", "self_service_redirect")
HANDED_ON = ("transfer_to_specialist", "callback_scheduled")

# the contact-center example, most calls address changes and card blocks, half English, few resolved
SPEC_EDITS = (("volume 40 per day", "volume 30 per day"), ("de-DE 80% en-US 20%", "de-DE 50% en-US 50%"),
              ("card_block 12%", "card_block 38%"), ("transfer_status 16%", "transfer_status 5%"),
              ("billing_question 18%", "billing_question 5%"), ("online_banking_login 17%", "online_banking_login 5%"),
              ("address_change 8%", "address_change 38%"), ("loan_inquiry 10%", "loan_inquiry 3%"),
              ("complaint 11%", "complaint 3%"), ("account_closure 8%", "account_closure 3%"),
              ("resolved_first_contact 60%", "resolved_first_contact 10%"),
              ("self_service_redirect 10%", "self_service_redirect 22%"),
              ("transfer_to_specialist 14%", "transfer_to_specialist 30%"),
              ("callback_scheduled 10%", "callback_scheduled 32%"))

# the agent saying the new address is in place
ADDRESS_DONE = {"en": re.compile(r"appl(?:y|ies) (?:right away|from today|immediately)|address(?: in [A-Z]\w+)? is (?:saved|updated|changed|in the system)"
                                 r"|(?:address|it) (?:is used|changes) (?:from today|immediately|automatically)|"
                                 r"from (?:now on|today) (?:go|will be sent)|(?:this part|the bank side) is (?:done|off)|"
                                 r"confirmation(?: letter)? (?:to|at) (?:the new address|your new address|\w+)|"
                                 r"(?:updated|changed) (?:your|the) address|address is updated", re.I),
                "de": re.compile(r"gilt (?:sofort|ab (?:sofort|heute))|(?:gehen|geht) (?:ab sofort|ab heute) an|"
                                 r"wird (?:ab sofort|ab heute) verwendet|(?:Bestätigung|Bestätigungsschreiben) an (?:die|Ihre)|"
                                 r"(?:Adresse|Anschrift) (?:ist )?(?:geändert|aktualisiert|gespeichert|hinterlegt)\b(?! ist)|"
                                 r"habe (?:die|Ihre) (?:Adresse|Anschrift) (?:geändert|aktualisiert)", re.I)}
# what is left to do, named: the express replacement card; the proof of address or identity check
LEFT = {("en", "card_block"): re.compile(r"express|courier", re.I),
        ("de", "card_block"): re.compile(r"Express|Kurier", re.I),
        ("en", "address_change"): re.compile(r"proof of address|registration certificate|identity|it's (?:really )?you|"
                                             r"master data", re.I),
        ("de", "address_change"): re.compile(r"Melde(?:bestätigung|bescheinigung)|Identität|Stammdaten|dass Sie es sind", re.I)}
CARDS_MENU = {"en": re.compile(r"(?:open|go to|then|and then) (?:Cards|the Cards tab)\b"),
              "de": re.compile(r"auf Karten\b|(?:den Reiter|Öffnen Sie|Gehen Sie auf) Karten\b")}
# a sentence about the change once it is made ("Once the address is updated, new cards go there") says nothing done
CONDITIONAL = re.compile(r"\b(?:once|when|as soon as|sobald|wenn|nach der Prüfung)\b", re.I)
_SENT = re.compile(r"(?<=[.!?])\s+")


@pytest.fixture(scope="module")
def calls():
    """(call id, language, intent, scenario, agent sentences) of every call of two builds."""
    text = (EXAMPLES / "contact_center.corpus").read_text(encoding="utf-8")
    for old, new in SPEC_EDITS:
        assert old in text, old
        text = text.replace(old, new)
    out = []
    for seed in SEEDS:
        h, planned = plan_of(EXAMPLES / "contact_center.corpus", text=text.replace("seed 12345", f"seed {seed}"))
        for c, rc in zip(planned, render_all(h, planned)):
            said = [s for t in rc.turns if t.side == "seller" for s in _SENT.split(re.sub(r"\[[^\]]*\]", "", t.text))]
            out.append((f"{seed}/{c.id}", c.locale[:2], c.metadata.get("intent"), c.metadata.get("scenario"), said))
    return out


def test_the_spec_builds_enough_calls_of_each_kind(calls):
    n = {}
    for _, lang, intent, scen, _ in calls:
        n[(lang, intent, scen in HANDED_ON)] = n.get((lang, intent, scen in HANDED_ON), 0) + 1
    assert all(n.get((lang, i, True), 0) >= 15 for lang in ("en", "de") for i in ("card_block", "address_change")), n


def test_an_unresolved_address_change_is_not_said_to_be_done(calls):
    """The agent of an address change handed on says nothing of the new
    address being in place (main: "Your new address applies from today" before
    "I'm passing you over to a specialist")."""
    bad = [f"{cid} {scen}: {s}" for cid, lang, intent, scen, said in calls
           if intent == "address_change" and scen in UNRESOLVED for s in said
           if ADDRESS_DONE[lang].search(s) and not CONDITIONAL.search(s)]
    assert not bad, f"{len(bad)} sentences: {bad[:8]}"
    done = sum(1 for _, lang, intent, scen, said in calls if intent == "address_change" and scen == "resolved_first_contact"
               and any(ADDRESS_DONE[lang].search(s) for s in said))
    assert done >= 5  # the word list hears it where the call does change the address


def test_a_handoff_names_what_is_left_to_do(calls):
    """A card block or address change transferred or called back names what
    the next team does for this request (main: "the back office has to review
    several things in the system" after the card was blocked)."""
    handed = [(cid, lang, intent, said) for cid, lang, intent, scen, said in calls
              if intent in ("card_block", "address_change") and scen in HANDED_ON]
    missing = [f"{cid} {intent}" for cid, lang, intent, said in handed if not any(LEFT[lang, intent].search(s) for s in said)]
    assert not missing, f"{len(missing)} of {len(handed)} handoffs: {missing[:8]}"


def test_an_app_redirect_guides_to_the_requests_own_menu(calls):
    """Only a card block is sent to the Cards menu of the app."""
    bad = [f"{cid} {intent}: {s}" for cid, lang, intent, scen, said in calls
           if scen == "self_service_redirect" and intent != "card_block" for s in said if CARDS_MENU[lang].search(s)]
    assert not bad, f"{len(bad)} sentences: {bad[:8]}"
    cards = sum(1 for _, lang, intent, scen, said in calls if scen == "self_service_redirect" and intent == "card_block"
                and any(CARDS_MENU[lang].search(s) for s in said))
    assert cards >= 3  # the pattern hears the Cards menu where it belongs
