"""reader14 #11: a seller met scepticism with gladness. "Our reps are tired,
we've been through rollouts that didn't go well." was answered "Excellent.",
"Every vendor claims it'll transform spec sheet these days." "Love that.", a
new stakeholder's concern "Perfect, we'll make sure we cover that." A seller
answers doubt, pain or a condition evenly ("Understood.", "Got it."); glad
words answer good news only. Read from the text as an outside reader would,
with this test's own words per locale, on sales_pov and generated specs in
English and German."""

from __future__ import annotations

import re

import pytest

from .conftest import sales_spec_path
from .test_engine import plan_of, render_all

CALLS = 240
# the reader's words: a buyer turn voicing doubt, trouble or a condition, and a seller's glad opener
DOUBT = {
    "en-US": re.compile(r"\b(tired of|are tired|wary|convinc|not worth|need(?:s)? time|they need time|prove|heard this|(?<!not )"
                        r"skeptic|go slow|rather be careful|careful than|concern|don't need another|come and go|"
                        r"didn't go well|never really took|went nowhere|every vendor|promise[sd]? the same|"
                        r"not rip|sideways|pushback|push back|nags at me|worr(?:y|ied))", re.I),
    "de-DE": re.compile(r"(skeptisch|vorsichtig|Bedenken|müde|überzeug|Risiko|nicht noch ein|kommen und gehen|"
                        r"nicht gut gelaufen|nie richtig|jeder Anbieter|versprochen|(?<!keine )Sorgen?\b(?! dafür)|wehren|Widerstand|"
                        r"nicht lohnt|beweisen|zuerst sehen)", re.I),
}
TURN = {"en-US": re.compile(r"\bbut now\b|no longer|not any more", re.I),
        "de-DE": re.compile(r"aber jetzt|nicht mehr", re.I)}
GLAD = {
    "en-US": re.compile(r"^(?:(?:uh|um|so|okay), )?(love that(?![—-]* *(?:love that )?question)|love it|excellent|awesome|perfect|great(?! to meet| question)|"
                        r"nice(?! to meet)|wonderful|fantastic|that sounds terrific)\b", re.I),
    "de-DE": re.compile(r"^(?:(?:äh|ähm|also), )?(super|ausgezeichnet|prima|sehr gut|schön|wunderbar|großartig)\b", re.I),
}


@pytest.fixture(scope="module", params=["pov", "en", "de"])
def rendered(request, tmp_path_factory):
    h, calls = plan_of(sales_spec_path(request.param, tmp_path_factory, CALLS, {"en": 8, "de": 9}))
    return render_all(h, calls)


def glad_after_doubt(rendered) -> tuple[int, list[tuple[str, str, str]]]:
    """(seller replies to a buyer, those opening glad right after doubt)."""
    n, bad = 0, []
    for rc in rendered:
        loc = "de-DE" if rc.locale.startswith("de") else "en-US"
        for a, b in zip(rc.turns, rc.turns[1:]):
            if a.side == "seller" or b.side != "seller":
                continue
            n += 1
            # what the seller answers: the buyer's last two sentences (one that turns round, "I was
            # sceptical, but now it works", is no doubt)
            last = " ".join(re.split(r"(?<=[.!?])\s+", a.text.strip())[-2:])
            if GLAD[loc].search(b.text) and DOUBT[loc].search(last) and not TURN[loc].search(last):
                bad.append((rc.call_id, a.text[-100:], b.text[:50]))
    return n, bad


def test_a_seller_does_not_meet_doubt_with_gladness(rendered):
    """On main at 15a062b: 2 of 238 (sales_pov), 30 of 3,369 (English, seed 8) and 12 of 3,376
    (German, seed 9) seller replies opened glad right after a buyer's doubt; now 0, 3 and 3."""
    n, bad = glad_after_doubt(rendered)
    assert n > 50
    assert len(bad) <= n // 500, (len(bad), n, bad[:6])

