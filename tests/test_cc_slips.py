"""Issue 15 §5/§6 on the contact-center example, session 13: slips where a
template's pieces meet, a phone phrase two alternatives make in a chat, and
an upset caller thanking for every offer. Each test fails on main at 4a358f7
(its counts are in the docstrings)."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest

from corpusc.render.template.banks import load_bank
from corpusc.render.template.language import ALT, SLOT

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("en-US", "de-DE")
TOK = re.compile(r"[\w']+|[^\w\s]")


def _calls(out: Path):
    for f in sorted((out / "ground_truth").glob("*.json")):
        g = json.loads(f.read_text(encoding="utf-8"))
        t = json.loads((out / "transcripts" / f.name).read_text(encoding="utf-8"))
        yield g, t


def _adjacent(nodes, pairs: set) -> tuple[set, set, bool]:
    """(first tokens, last tokens, may be empty) of a compiled template; `pairs`
    gets every (token, next token) any reading says, across alternatives."""
    if isinstance(nodes, str):
        nodes = (nodes,)
    firsts: set = set()
    lasts: set = set()
    empty = True
    for n in nodes:
        if isinstance(n, str):
            toks = TOK.findall(n)
            if not toks:
                continue
            pairs.update(zip(toks, toks[1:]))
            f, la, e = {toks[0]}, {toks[-1]}, False
        elif n[0] == SLOT:
            f = la = {"{" + n[1] + "}"}
            e = False
        else:
            f, la, e = set(), set(), False
            for a in n[1]:
                af, al, ae = _adjacent(a, pairs)
                f, la, e = f | af, la | al, e or ae
        pairs.update((a, b) for a in lasts for b in f)
        firsts |= f if empty else set()
        lasts = la | (lasts if e else set())
        empty = empty and e
    return firsts, lasts, empty


def _pop_templates(loc: str):
    for k, v in load_bank(loc).items():
        if k.startswith("pop.") and isinstance(v, list) and v and not isinstance(v[0], (dict, list)):
            for t in v:
                yield k, t


# words before which "this afternoon" / "heute Nachmittag" is no phrase ("have a lovely this afternoon")
NOUN_MAKERS = {"en-US": {"a", "an", "the", "this", "that", "your", "my", "our", "good", "lovely", "nice", "great",
                         "quiet", "calm", "whole", "of"},
               "de-DE": {"der", "die", "das", "den", "dem", "ein", "eine", "einen", "einem", "ihr", "ihren", "ihrem",
                         "guten", "schönen", "angenehmen", "diesen", "diesem"}}


@pytest.mark.parametrize("loc", LOCALES)
def test_the_daypart_is_said_where_it_reads(loc):
    """`{daypart}` is an adverb of its own ("this afternoon", "heute
    Nachmittag"); after an article, a possessive or an adjective the bare
    noun is said (`{daypart_noun}`). Before: 'Good this morning', 'enjoy the
    rest of your this afternoon', 'what brings you to us this this morning',
    'a quiet this afternoon' (14 templates, en-US)."""
    assert all(v.split()[0].lower() in ("this", "heute") for v in load_bank(loc)["cal.dayparts"])
    bad = []
    for k, t in _pop_templates(loc):
        pairs: set = set()
        _adjacent(t, pairs)
        bad += [(k, a) for a, b in pairs if b == "{daypart}" and a.lower() in NOUN_MAKERS[loc]]
        bad += [(k, "start") for a, b in pairs if b == "{daypart_noun}" and not re.match(r"\w", a)]
    assert not bad, bad


def test_a_doubled_word_is_drawn_again():
    from corpusc.render.template.service import _doubled
    assert _doubled("en-US", "Is there anything small I might look at at the same time?")
    assert _doubled("de-DE", "Ich rufe die Buchungsdetails auf auf meinem anderen Bildschirm auf.")
    assert _doubled("de-DE", "Ihnen noch noch einen schönen Tag.")
    assert not _doubled("de-DE", "Vielleicht ist das das Problem; können Sie sie sperren?")
    assert not _doubled("en-US", "I know that that fee was new. Um— um, sorry.")


def test_no_word_said_twice_where_pieces_meet(cc_text_build):
    """Two alternatives, a paraphrase and its template, or a separable verb
    and a preposition meet as one word twice. Before: 'this this morning'
    (7), 'today today', 'look at at the same time', 'My my mother' (3),
    'rufe die Buchungsdetails auf auf meinem', 'kommt die App mit mit einem',
    'Ihnen noch noch' (17 in 200 calls)."""
    bad = []
    for g, t in _calls(cc_text_build):
        ok = {str(w).lower() for w in load_bank(t["locale"]).get("pop.generic.doubled_ok") or ()}
        for tr in t["turns"]:
            for m in re.finditer(r"(?<![\w'-])([\w']+)\s+\1(?![\w'-])", tr["text"], re.I):
                if m.group(1).lower() not in ok:
                    bad.append((g["call_id"], tr["index"], m.group()))
    assert not bad, bad


def test_a_chat_says_no_phone_phrase_even_where_alternatives_meet(cc_text_build):
    """The renderer prunes a chat's banks alternative by alternative; 'I even
    [restarted|turned off and on] [the phone|my phone]' still wrote 'turned off
    and on the phone' in chat 00167 (an evaluator's phone-only lexicon,
    builder/quality_lexicon.json, and the renderer's own `voice_only`)."""
    from corpusc.builder import quality as Q
    from corpusc.render.template.service import _voice_only
    chats = 0
    for g, t in _calls(cc_text_build):
        if g["metadata"]["channel"] != "text":
            continue
        chats += 1
        texts = [tr["text"] for tr in t["turns"]]
        assert not Q.mentions(texts, t["locale"], "phone_only"), (g["call_id"], texts)
        rx = _voice_only(t["locale"], "banking")
        assert not [x for x in texts if rx.search(x)], g["call_id"]
    assert chats >= 20


def test_an_upset_caller_thanks_as_the_call_ends(cc_text_build):
    """An upset caller (the metadata's negative sentiment, or an escalation)
    thanks only in the close: before, the 52 upset callers said 'danke' or
    'thank you' 106 times before it ('Nein, danke, das behalte ich lieber für
    mich', 'herzlichen Dank für den Hinweis'), which is what pulled the
    sentiment-words correlation (test_cc_metadata) to 0.434."""
    from corpusc.plan.population import MOOD_NEGATIVE
    plan = json.loads((cc_text_build / "plan.json").read_text(encoding="utf-8"))
    close = {c["id"]: next(b["turn"] for b in c["beats"] if b["kind"] == "close") for c in plan["calls"]}
    rx = re.compile(r"\b(?:thank you|thanks|danke|dankeschön|vielen dank|herzlichen dank|besten dank)\b", re.I)
    upset = 0
    for g, t in _calls(cc_text_build):
        m = g["metadata"]
        if not (m["sentiment_score"] < MOOD_NEGATIVE or m["scenario"].startswith("escalation")):
            continue
        upset += 1
        said = [tr["index"] for tr in t["turns"] if tr["role"] == "buyer" and rx.search(tr["text"])]
        assert all(i >= close[g["call_id"]] for i in said), (g["call_id"], said, close[g["call_id"]])
    assert upset >= 30


def test_sentiment_words_follow_the_plan_in_each_language(cc_text_build):
    """The caller lexicon of test_cc_metadata, per language: the planned
    sentiment shows in each locale's words, not only in the pooled corpus
    (before: en-US 0.41, de-DE 0.43)."""
    from .test_cc_metadata import LEXICON
    for lang in ("en", "de"):
        xs, ys = [], []
        for g, t in _calls(cc_text_build):
            if g["locale"][:2] != lang:
                continue
            said = " ".join(tr["text"] for tr in t["turns"] if tr["role"] == "buyer").lower()
            n, p = len(re.findall(LEXICON["neg"][lang], said)), len(re.findall(LEXICON["pos"][lang], said))
            xs.append((p - n) / (p + n + 1))
            ys.append(g["metadata"]["sentiment_score"])
        assert statistics.correlation(xs, ys) >= 0.45, lang


def test_what_a_call_is_pruned_of_is_not_said_where_alternatives_meet(cc_text_build):
    """A call's banks hold no hold talk outside its hold, no transfer talk
    without a transfer and, in a chat, no phone phrase, alternative by
    alternative; checked again as written. Before: "[Gut|In Ordnung], ich
    [warte|bin gespannt] auf die Antwort" said "ich warte" (hold talk) in
    00161, a call without a hold (an evaluator hears a hold the metadata
    lacks), and "dass Sie dranbleiben" in 00010 and 00120."""
    from corpusc.render.template.service import _hold_words, _unsaid
    bad = []
    for g, t in _calls(cc_text_build):
        m = g["metadata"]
        rx = _unsaid(t["locale"], "banking", m["channel"] == "text", m["Transfers_count"] > 0)
        hw = _hold_words(t["locale"], "banking")
        for tr in t["turns"]:
            for x in rx.finditer(tr["text"]):
                if m["Hold_time"] > 0 and hw.fullmatch(x.group()):
                    continue  # the hold's own words, in a call with a hold
                bad.append((g["call_id"], tr["index"], x.group()))
    assert not bad, bad


# reader18's patterns: a paraphrase swapped inside a longer phrase ("if that's helpful" -> "if good to
# know", "nothing else stands out" -> "that covers it stands out", "a little case" -> "a bit case",
# "a little while" -> "slightly while") and two templates whose alternatives met badly
READER18 = {
    "is there else": r"\bis there else\b|\banything something else\b",
    "if good to know": r"\bif good to know\b",
    "garbled answer": r"\b(?:that covers it|I'm all set|that was it|that's everything) (?:stands out|catches my eye|"
                      r"changed|is needed)\b",
    "a bit + noun": r"\b(?:a bit|slightly) (?:case|ritual|notebook|card|corner|sticker|while|time|warning|info)\b",
    "appreciate you your": r"\bappreciate you your\b",
}


def test_a_paraphrase_does_not_break_the_phrase_it_sits_in(cc_text_build):
    """reader18 counted 'is there else I can do' (4), 'if good to know' (6),
    'that covers it stands out' (2), 'a bit case' / 'slightly while' (12) and
    'I appreciate you your patience' (2) in two builds of the example; session 23 read "Geben Sie mir bitte,
    wenn das zu viel auf einmal ist" (the paraphrase of "Sagen Sie mir bitte" that takes an object, before a
    clause)."""
    bad = []
    for g, t in _calls(cc_text_build):
        for tr in t["turns"]:
            for name, pat in READER18.items():
                if re.search(pat, tr["text"], re.I):
                    bad.append((g["call_id"], tr["index"], name, tr["text"][:100]))
            m = re.search(r"\b(?:Geben|Nennen|Verraten) Sie mir bitte, wenn\b|\bGeben Sie mir bitte, (?:ob|was|welche\w*|"
                          r"wie)\b", tr["text"])
            if m:
                bad.append((g["call_id"], tr["index"], "object verb before a clause", tr["text"][:100]))
    assert not bad, bad[:10]


# session 26's outside reader, German: a paraphrase group's member found inside a longer phrase ("mache ich meine
# Buchhaltung" read as the filler "ich meine", "bis jetzt" as the adverb "jetzt", "einen Rückruf versprochen" as the
# interjection "versprochen", "das sage ich ganz ehrlich" as the hedge "ganz ehrlich"), and templates whose
# alternatives met badly (a date with no article, a singular login with a plural verb); written from the reader's
# counts (cc2 of session 26), not from the banks
READER26_DE = {
    "possessive read as a filler": r"\bich (?:glaube|denke) (?:Buchhaltung|Karte|Karten|Konto|Geld)\b",
    "'bis nun'": r"\bbis nun\b",
    "a promise's participle swapped": r"\bRückruf (?:ganz bestimmt|das verspreche ich)\b",
    "a hedge swapped inside 'das sage ich …'": r"\bsage ich (?:ehrlich gesagt|offen gesagt|um ehrlich zu sein)\b",
    "a date with no article": r"\b(?:Geburtstag ist|geboren bin ich) \d",
    "'Ihr Login bleiben'": r"\bIhr Login (?:bleiben|ändern)\b",
    "a complaint called a trifle": r"\bklingt nach einer Kleinigkeit\b",
    "'ist es die 20 Euro'": r"\bist es die \d",
}


def test_a_german_paraphrase_does_not_swap_a_word_inside_a_phrase(cc_text_build):
    """Session 26's reader counted, in the example's German calls: 'mache ich glaube Buchhaltung selbst' (8 turns),
    'bis nun' (8), 'einen Rückruf ganz bestimmt' (4), 'das sage ich ehrlich gesagt' (4), 'mein Geburtstag ist
    11. Oktober' (36), 'Ihr Login bleiben gleich' (4), an agent answering a complaint with 'das klingt nach einer
    Kleinigkeit' (8) and 'ist es die 20 Euro' (2)."""
    bad = []
    for g, t in _calls(cc_text_build):
        for tr in t["turns"]:
            for name, pat in READER26_DE.items():
                if re.search(pat, tr["text"]):
                    bad.append((g["call_id"], tr["index"], name, tr["text"][:100]))
    assert not bad, bad[:10]


# everyday words that hold a phone-only word inside them (written here, not taken from the banks): a chat
# that prunes them loses its billing sentences ("invoice" holds "voice"; "lautet" holds "laut")
INSIDE_WORDS = {"en-US": ["Your invoice is ready.", "The invoices went out.", "My commute was long.",
                          "It's in the cloud.", "That was cordial.", "It's a radial tyre."],
                "de-DE": ["Die Nummer lautet 4711.", "Wie lautet Ihre Adresse?", "Das ist selbstverständlich."]}


@pytest.mark.parametrize("loc", sorted(INSIDE_WORDS))
def test_a_chat_keeps_words_that_hold_a_phone_word_inside(loc):
    """`voice_only` words match at a word's start: before, every chat sentence with 'invoice' was pruned
    as phone talk ('voice'), 'Wie lautet Ihre Adresse?' as loud background ('laut')."""
    from corpusc.render.template.service import _unsaid, _voice_only
    for dom in ("generic", "banking"):
        rx, pruned = _voice_only(loc, dom), _unsaid(loc, dom, True, True)
        for s in INSIDE_WORDS[loc]:
            assert rx.search(s) is None and pruned.search(s) is None, (loc, dom, s)
    # and the phone words themselves still are
    said = {"en-US": "Can you hear me? Your voice is breaking up.", "de-DE": "Hier ist es gerade so laut hier."}[loc]
    assert _voice_only(loc, "generic").search(said) and _unsaid(loc, "generic", True, True).search(said)
