"""German capitalisation where a sentence goes on after something put before
it (issue 15): a lead or a filler ("Tja, ich habe…", never "Tja, Ich habe…"),
a false start ("Ich— ich habe…"). German capitalises its nouns and the polite
"Sie", so only the words the de-DE lexicon lists (`lowers`: pronouns,
articles, function words) lose their capital; English lower-cases any word
but "I" and acronyms."""

from __future__ import annotations

import itertools
import re

import pytest

from corpusc.render.template.banks import raw_bank
from corpusc.render.template.lexicon import load_lexicon

from .conftest import EXAMPLES
from .test_engine import plan_of, render_all

DE_CALLS = 60


def test_lower_first_follows_the_locale_data():
    de, en = load_lexicon("de-DE"), load_lexicon("en-US")
    assert de.lowers and not en.lowers
    assert de.lower_first("Ich habe das notiert.") == "ich habe das notiert."
    assert de.lower_first("Die Karte ist gesperrt.") == "die Karte ist gesperrt."
    assert de.lower_first("Wir können das prüfen.") == "wir können das prüfen."
    for keep in ("Sie haben recht.", "Ihre Karte ist da.", "Rechnungen kommen monatlich.", "SEPA läuft.",
                 "Überweisungen dauern."):
        assert de.lower_first(keep) == keep  # the polite address, a noun, an acronym keep their capital
    assert en.lower_first("We looked at it.") == "we looked at it."
    assert en.lower_first("I think so.") == "I think so."


def test_no_listed_word_in_lowers_is_a_noun_or_the_polite_address():
    """The list is function words: none is written capitalised inside a
    German bank sentence (where a noun or "Sie" always is)."""
    de = load_lexicon("de-DE")
    assert not {"sie", "ihr", "ihre", "ihnen", "ihrem", "ihren", "ihrer"} & de.lowers
    inside = re.compile(r"(?<=[a-zäöüß,] )([A-ZÄÖÜ][a-zäöüß]+)\b(?!-)")  # not "Ein- und Austritte"
    capital = {m.group(1).lower() for v in raw_bank("de-DE").values() if isinstance(v, list) for t in v if isinstance(t, str)
               for m in inside.finditer(t)}
    assert not de.lowers & capital, sorted(de.lowers & capital)


@pytest.fixture(scope="module")
def german_service():
    header, calls = plan_of(EXAMPLES / "contact_center.corpus")
    de = list(itertools.islice((c for c in calls if c.locale == "de-DE"), DE_CALLS))
    assert len(de) == DE_CALLS
    return render_all(header, de)


def test_a_german_sentence_after_a_lead_or_filler_keeps_german_case(german_service):
    """After "Tja," / "Also," / "Äh," (the leads and fillers the service
    banks put before a sentence) a listed word is lower-case and any other
    word keeps its capital. On the renderer before this rule: 51 "Also, Ich",
    "Tja, Ich", "Äh, Ich", "Na ja, Ich" in the example's German calls."""
    de = load_lexicon("de-DE")
    bank = raw_bank("de-DE")
    heads = {h.rstrip(",") for k in ("pop.generic.lead.agent", "pop.generic.lead.caller", "pop.generic.dyn.filler_open")
             for h in bank[k] if h.endswith(",")}
    assert {"Tja", "Also", "Äh"} <= heads, sorted(heads)
    after = re.compile(r"(?:^|[.?!] )(" + "|".join(map(re.escape, sorted(heads, key=len, reverse=True)))
                       + r"), (\w+)")
    capital, lowered = [], 0
    for rc in german_service:
        for t in rc.turns:
            for m in after.finditer(t.text):
                w = m.group(2)
                if w[:1].isupper() and w.lower() in de.lowers:
                    capital.append(m.group(0))
                lowered += w[:1].islower() and w in de.lowers
    assert lowered >= 10  # the rule was exercised: leads and fillers stood before listed words
    assert not capital, capital[:10]


def test_a_german_false_start_repeats_the_word_in_its_case(german_service):
    """"Ich— ich habe": the word said again goes on the sentence lower-case
    when it is a listed word, and a noun keeps its capital both times."""
    de = load_lexicon("de-DE")
    again = re.compile(r"\b(\w+)— (\w+)\b")
    seen, bad = 0, []
    for rc in german_service:
        for t in rc.turns:
            for m in again.finditer(t.text):
                a, b = m.groups()
                if a.lower() != b.lower():
                    continue
                seen += 1
                want = a.lower() if a.lower() in de.lowers else a
                if b != want:
                    bad.append(m.group(0))
    assert seen >= 5
    assert not bad, bad[:10]
