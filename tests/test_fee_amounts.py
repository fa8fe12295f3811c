"""A fee is fee-sized: a billing question is about a charge under a hundred
(reader19 heard "you're charging me 435 euros as an account fee now" and
"eine Überziehungsgebühr von 655 Euro"). The plan deals billing questions
only the `lt_100` amount bucket (stdlib/domains/joint.json), and the
banking bank's fee range (`amount_range.billing_question.lt_100`) keeps a fee
a fee. Amounts are read from the words with this file's own pattern.

Main before the change, on the example built with seeds 12345 and 404:
billing-question calls naming an amount of 100 or more: 39 of 72; after: 0."""

from __future__ import annotations

import re

from .conftest import EXAMPLES
from .test_engine import plan_of, render_all

SEEDS = (12345, 404)
MONEY = re.compile(r"(\d[\d.,]*)\s?(?:euros?\b|Euro\b|€)|€\s?(\d[\d.,]*)", re.I)


def _amounts(text: str) -> list[int]:
    return [int(re.sub(r"[.,]\d{2}$", "", a or b).replace(".", "").replace(",", "")) for a, b in MONEY.findall(text)]


def test_a_billing_question_is_about_a_fee_sized_amount():
    text = (EXAMPLES / "contact_center.corpus").read_text(encoding="utf-8")
    big, billing, named = [], 0, 0
    for seed in SEEDS:
        h, calls = plan_of(EXAMPLES / "contact_center.corpus", text=text.replace("seed 12345", f"seed {seed}"))
        bills = [c for c in calls if c.metadata.get("intent") == "billing_question"]
        for c, rc in zip(bills, render_all(h, bills)):
            billing += 1
            said = [a for t in rc.turns for a in _amounts(t.text)]
            named += bool(said)
            if any(a >= 100 for a in said):
                big.append(f"{seed}/{c.id} {c.metadata.get('amount_bucket')}: {said}")
    assert billing >= 50 and named >= billing // 2  # the pattern hears the amounts these calls name
    assert not big, f"{len(big)} of {billing} billing questions: {big[:8]}"
