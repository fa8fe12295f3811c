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

from .conftest import EXAMPLES, ROOT
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
                # lower-case where the lexicon lowers the word going on a sentence (a listed word, or a verb
                # before its pronoun: "Achten— achten Sie"), else as said the first time
                rest = a + t.text[m.end(2):]
                want = a.lower() if de.lower_first(rest)[:1].islower() else a
                if b != want:
                    bad.append(m.group(0))
    assert seen >= 5
    assert not bad, bad[:10]


# a preposition the de-DE sales banks might put straight before the industry-term slot
_BARE_TERM = re.compile(r"(?<![\w-])(?:bei|zu|um|auf|für|mit|über|wegen|neben|trotz|ohne|in|an)(?:\] | )\{term(?:\.[a-z.]+)?\}",
                        re.IGNORECASE)


def test_no_german_bank_puts_an_industry_term_bare_after_a_preposition():
    """Reader defect 8: "gerade bei Lizenzmodell", "dazu zu Kreditprüfung". The
    industry terms (industry.json `term`) are bare nouns of any gender; a
    template says one as an apposition to a noun with its article ("beim
    Thema Lizenzmodell", "im Bereich Kreditprüfung"), never bare after a
    preposition. On main at 4a358f7: 485 such places in the de-DE banks."""
    bad = [t for k, v in raw_bank("de-DE").items() if isinstance(v, list) and not k.startswith("pop")
           for t in v if isinstance(t, str) and _BARE_TERM.search(t)]
    assert not bad, bad[:5]
    assert all(not t.split()[0].lower() in ("der", "die", "das") for t in raw_bank("de-DE")["fallback.term"])


def test_german_sales_calls_say_industry_terms_with_an_article():
    """The rendered check of the reader's pattern: a term noun of the
    German industry lists right after a preposition, in generated calls."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from gen_spec import sales_spec
    import tempfile
    bank = raw_bank("de-DE")
    terms = sorted({t for k, v in bank.items() if k.startswith("term.") for t in v}, key=len, reverse=True)
    after = re.compile(r"\b(?:bei|zu|um|auf|für|mit|über|wegen|neben|Bei|Zu|Mit) (?:"
                       + "|".join(re.escape(t) for t in terms) + r")\b")
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "de.corpus"
        p.write_text(sales_spec(30, 3, "de-DE"))
        header, calls = plan_of(p)
        rendered = render_all(header, calls)
    said = [t.text for rc in rendered for t in rc.turns]
    assert sum(" Thema " in s or "Bereich " in s for s in said) >= 10  # terms were said
    # a bank's own words may say a mass noun bare ("in dem es um Standgeld geht"): only a slot's term counts
    literal = " ".join(t for k, v in bank.items() if isinstance(v, list) and not k.startswith("term.")
                       for t in v if isinstance(t, str))
    bad = [m.group(0) for s in said for m in after.finditer(s) if m.group(0).split(" ", 1)[1] not in literal]
    assert not bad, bad[:10]


# written here, apart from the lexicon: German adverbs and adjectives a sentence may start with, and the
# leads and fillers said before a sentence; after one, the word is lower-case ("Na ja, üblicherweise ...")
ADVERBS = set("""anders außerdem eigentlich übrigens selbstverständlich normalerweise üblicherweise tatsächlich
natürlich meistens hoffentlich neulich womöglich damals vermutlich manchmal endlich künftig früher fairerweise
idealerweise typischerweise diesmal jedenfalls eher wahrscheinlich völlig bisher immerhin keinesfalls wenigstens
häufig vorher ziemlich letztlich ehrlich ehrlicherweise leider vielleicht sicher gerade eben schon noch bereits
bald sofort gleich dann danach jetzt heute gestern wichtig richtig zeitlich preislich jährlich persönlich
lediglich hauptsächlich ursprünglich gelegentlich erstmals nochmals bestens woher wohin zweimal dreimal
komischerweise seltsam abends ärgerlich kurz""".split())
HEADS = ["Na ja", "Naja", "Also", "Tja", "Äh", "Ähm", "Hm", "Gut", "Okay", "Ja", "Nun", "Ach", "Genau", "Klar",
         "Stimmt", "Mhm", "Oh", "Ok", "Sorry", "Ehrlich gesagt"]


@pytest.fixture(scope="module")
def german_sales(tmp_path_factory):
    from .conftest import generated_spec
    header, calls = plan_of(generated_spec(tmp_path_factory.mktemp("de_sales") / "g.corpus", "--calls", 200,
                                           "--seed", 3, "--locale", "de-DE"))
    return render_all(header, calls)


def test_an_adverb_after_a_lead_or_filler_is_lower_case(german_service, german_sales):
    """Own word lists: "Na ja, Üblicherweise", "Also, Anders gesagt" read as typos; before the lexicon
    listed these adverbs, the generated German sales calls said such a capital after a filler."""
    after = re.compile(r"(?:^|[.?!] )(?:" + "|".join(map(re.escape, sorted(HEADS, key=len, reverse=True)))
                       + r")[,—] ([A-ZÄÖÜ]\w+)")
    import sys
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from gen_spec import FIRST  # the generated spec's first names: "Ja, Anders, ..." addresses someone
    finally:
        sys.path.pop(0)
    capital, seen = [], 0
    for rc in german_service + german_sales:
        for t in rc.turns:
            for m in after.finditer(t.text):
                seen += 1
                if m.group(1).lower() in ADVERBS and m.group(1) not in FIRST:
                    capital.append(m.group(0))
    assert seen >= 50  # leads and fillers were said before capitalised words (nouns, names, "Sie"); (200 sales calls:
    # session 32's wordings left 48 such in 150, under this floor by the draws)
    assert not capital, capital[:10]
