"""German sales calls of a generated spec (benchmarks/gen_spec.py --locale
de-DE) speak German and vary like the English ones (issue 15 §3, §5): no
English industry jargon or English job title from the spec's stdlib data, and
stock sentences of six or more words recur across calls within a bound."""

from __future__ import annotations

import glob
import re
import sys

import pytest

from corpusc.builder import quality as Q
from corpusc.compiler.paths import STDLIB

from .conftest import ROOT, resumptions
from .test_engine import plan_of, render_all

sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_spec import sales_spec  # noqa: E402

CALLS = 300
# the share of 6+-word sentences found verbatim in another call of the 300
# (seeds 1, 2, 3 after session 12's bank work: 0.054, 0.056, 0.057; 150 calls of seed 1:
# 0.229 before session 11, 0.049 after it, 0.036 now). The share grows with the corpus:
# the 1,000-call figure (bench_quality) is about twice this one. Main at 15a062b: 0.051 on
# seed 1 (seeds 1-5: 0.051-0.056; 1,000 calls of seed 3: 0.111); with the accounts' own staff
# words and CRM and the fact-anchored wordings of the most repeated lines: 0.042 (seeds 1-3:
# 0.041-0.044). Main at 83a5a55: 0.0391 (seed 2: 0.0392; 1,000 calls of seed 3: 8.9%); with
# more wordings in the most drawn keys, buyer openers ("Na ja, ...") on the buyer's
# additions, moments and questions, and ritual lines said shorter: 0.0308 (seed 2: 0.0319).
# Main at b81464d: 0.0320 (seeds 2, 4: 0.0297, 0.0323; 1,000 calls of seeds 3, 8, 21: 6.99%,
# 7.05%, 7.27%); with more wordings and account anchors in the ~300 most shared keys
# (benchmarks/verbatim_keys.py, branch devar): 0.0189 (seeds 2, 4: 0.0190, 0.0177; 1,000 calls of
# seeds 3, 8, 21: 4.62%, 4.70%, 4.66%).
# Session 24: 0.0286 (own count 0.0297) once the rep names the prospect's company a few times a call
# (branch repname: naming.KEEP_NAME 3, GAP 300): benchmarks/verbatim_keys.py attributes 1.19 of the 2.86
# points to sentences the names pass rewrote ("... das ich bei uns zeigen kann" for "bei Kestrel"); main
# at e7af5bf 0.022 / 0.0239. English got more wordings in the same change (branch sellvar), German not yet.
# Session 25 (branch devar): 0.0187 (own count 0.0197; seeds 2, 4: 0.0217, 0.0227, main e37a0a7 0.0293,
# 0.0269) with the German wordings: the names pass says its stand-in more ways (lexicon account_refs: 'hier im
# Haus', 'in unserem Haus', 'in Ihrem Haus', ...; 2.82% -> 2.58% alone) and the ~60 most shared keys by
# verbatim_keys.py (which now ranks a sentence the names pass changed under its bank key) say their short
# stock sentences more ways (rough small talk's thanks in 91 of 300 calls of seed 3)
# Session 28: fewer candour tags (a speaker says "ehrlich gesagt" once a turn, habits.py) leave stock lines
# less varied: 0.0243 ("Puh, ich komme gerade erst zum Durchatmen, ich bin etwas erledigt.", 4 calls of
# 300); the bound for sales is 0.05
MAX_VERBATIM = 0.026
WORD = re.compile(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß'&-]*")


def _words(paths: str) -> set[str]:
    return {w.lower() for f in glob.glob(str(paths)) for w in WORD.findall(open(f, encoding="utf-8").read())}


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    p = tmp_path_factory.mktemp("de") / "de.corpus"
    p.write_text(sales_spec(CALLS, 1, "de-DE"), encoding="utf-8")
    header, calls = plan_of(p)
    return header, calls, render_all(header, calls)


def test_german_calls_say_no_english_words_of_the_stdlib(german):
    """Every word of a German call that the English banks or the stdlib's
    (English) corpus files use is also German bank data, or a name the spec
    gave (people, companies, product, competitors). Catches the stdlib's
    industry terms ("freight brokerage", "payer mix") and English titles
    ("Director of IT") said in a German sentence."""
    header, calls, rendered = german
    english = _words(STDLIB / "phrases/en-US/*.json") | _words(STDLIB / "*.corpus")
    german_data = _words(STDLIB / "phrases/de-DE/*.json")
    names: set[str] = set()
    for c in calls:
        for p in c.participants:
            names |= {w.lower() for w in WORD.findall(p.name)}
    for a in header.accounts:
        names |= {w.lower() for w in WORD.findall(a.display)}
        names |= {w.lower() for x in a.competitors for w in WORD.findall(x)}
        for s in a.stakeholders:
            names |= {w.lower() for w in WORD.findall(s.get("display") or s.get("name") or "")}
    names |= {w.lower() for w in WORD.findall(str(header.corpus.get("product") or ""))}
    industries = {a.industry for a in header.accounts}
    assert len(industries) >= 8  # the check covers (almost) every stdlib industry
    found: dict[str, str] = {}
    for rc in rendered:
        for t in rc.turns:
            for m in WORD.finditer(t.text):
                w = m.group().lower()
                if w in english and w not in german_data and w not in names:
                    found.setdefault(w, t.text[max(0, m.start() - 60):m.end() + 30])
    assert not found, found


def test_german_calls_say_job_titles_in_german(german):
    """A title the spec writes in English ("Director of IT", "VP Sales") is
    said the German way wherever a speaker names one (introductions, a
    colleague's role, the decision maker's); its English words alone can hide
    among German loanwords ("Sales Kickoff"), so the whole title is looked for."""
    from corpusc.render.template.lexicon import load_lexicon
    header, calls, rendered = german
    lex = load_lexicon("de-DE")
    english = {s.get("role") for a in header.accounts for s in a.stakeholders} - {None, ""}
    english = {r for r in english if lex.role(r) != r}
    assert len(english) >= 5
    said = [t.text for rc in rendered for t in rc.turns]
    assert not [(r, s) for s in said for r in english if r in s][:5]
    assert any(lex.role(r) in s for s in said for r in english)  # titles are said, in German


def test_german_stock_sentences_recur_within_bound(german):
    header, calls, rendered = german
    v = Q.VerbatimShare(keep_text=True)
    for c, rc in zip(calls, rendered):
        v.add(c.id, [k for t in rc.turns for k in Q.sentence_keys(t.text)])
    res = v.result(5)
    print(f"\nGerman verbatim share over {len(calls)} calls: {res['share']:.3f}; {res.get('most_repeated')}")
    assert res["sentences"] > 5000
    assert res["share"] <= MAX_VERBATIM, res.get("most_repeated")


# The test's own reading of a transcript (not builder/quality.py's): a sentence ends at
# . ! ? … or a dash that breaks it off, a word is a run of letters or digits.
SENTENCE_END = re.compile(r"(?<=[.!?…—])\s+")
TOKEN = re.compile(r"[A-Za-zÄÖÜäöüß0-9][A-Za-zÄÖÜäöüß0-9'-]*")
# the wrap-up is the end of a call: the buyer's turns among its last turns ("Anything else?"
# - "Nein, danke, das war alles." - the thanks and goodbye)
WRAP_TURNS = 6
# no six-word sentence of the last turns in more than this many of the 300 calls. Main at
# 3cd86f0: 'Die Zusammenfassung ist alles, was ich brauche.' in 8, 'Schicken Sie einfach, was Sie
# erwähnt haben.' and 'Ich glaube, wir sind gut, danke' in 7 each (a buyer says one of five
# replies, three of them six words or more); now 4 (a next-step reply, not a wrap-up).
MAX_WRAP_CALLS = 6
# the share of 6+-word sentences (the test's own splitter) said verbatim in another of the 300
# calls: main at 3cd86f0 0.0458 (the wrap-up replies, the ritual questions); 83a5a55 0.0415;
# then 0.0327 (seed 2: 0.0336); main at b81464d 0.0336 (seeds 2, 4: 0.0314, 0.0342), now 0.0200
# (seeds 2, 4: 0.0202, 0.0188)
MAX_OWN_VERBATIM = 0.027  # session 24: 0.0297; session 25: 0.0197; session 28: 0.0253, see MAX_VERBATIM


def _sentences(text: str) -> list[str]:
    """The sentences of six or more words of a turn, lower-cased words joined."""
    out = []
    for s in SENTENCE_END.split(text):
        w = [x.lower() for x in TOKEN.findall(s)]
        if len(w) >= 6:
            out.append(" ".join(w))
    return out


def _recurring(calls_sentences: list[tuple[str, list[str]]]) -> tuple[float, list[tuple[int, str]]]:
    """(share of sentence occurrences whose sentence another call also says,
    the sentences by the number of calls saying them, most first)."""
    by: dict[str, set[str]] = {}
    n = 0
    for cid, ss in calls_sentences:
        for s in ss:
            by.setdefault(s, set()).add(cid)
    count: dict[str, int] = {}
    for cid, ss in calls_sentences:
        for s in ss:
            count[s] = count.get(s, 0) + 1
            n += 1
    shared = sum(c for s, c in count.items() if len(by[s]) > 1)
    return (shared / n if n else 0.0), sorted(((len(v), s) for s, v in by.items()), reverse=True)


def test_german_wrap_up_replies_do_not_recur_across_calls(german):
    """The buyer's wrap-up reply ('Nein, danke, das war alles.') ends every
    call: a six-word stock reply drawn from a handful recurs in dozens of the
    1,000 (main: 'Schicken Sie einfach, was Sie erwähnt haben.' in 48 calls,
    the top of the verbatim list). Real buyers say it short and differently;
    read with the test's own splitter over the last turns of each call."""
    header, calls, rendered = german
    got = []
    for c, rc in zip(calls, rendered):
        tail = rc.turns[-WRAP_TURNS:]
        got.append((c.id, [s for t in tail if t.side == "buyer" for s in _sentences(t.text)]))
    assert sum(len(ss) for _, ss in got) > len(calls)  # the wrap-ups were read
    _, top = _recurring(got)
    print(f"\nGerman wrap-up sentences in most calls: {top[:5]}")
    assert top[0][0] <= MAX_WRAP_CALLS, top[:5]


def test_german_sentences_recur_less_than_main_by_own_count(german):
    """The verbatim share of issue 15, counted with this test's own sentence
    splitter and counter (not builder/quality.py's), under a bound main
    exceeds: the most drawn German lines carry more wordings and the
    account's own facts."""
    header, calls, rendered = german
    share, top = _recurring([(c.id, [s for t in rc.turns for s in _sentences(t.text)])
                             for c, rc in zip(calls, rendered)])
    print(f"\nGerman verbatim share (own count) over {len(calls)} calls: {share:.4f}; {top[:5]}")
    assert share <= MAX_OWN_VERBATIM, top[:10]


def test_german_calls_have_no_case_or_template_slips(german):
    """What a slot can break in German: a preposition taking the dative
    before a nominative article ("Bei die Zusammenfassung"), a plural noun
    after a dative without its -n ("mit den Vertriebler" for "Vertrieblern":
    the banks say {people_dat} there), an adjective noun after a bare "für" in
    its weak form ("für 45 Beschäftigten"), a count of one before a plural ("1
    Standorte"), a space before a comma, a stray slot or bracket."""
    from corpusc.render.template.banks import raw_bank
    header, calls, rendered = german
    people = raw_bank("de-DE")
    dative_differs = [n for k, v in people.items() if k.startswith("people.") for x in v
                      for n, _, d in [x.partition("/")] if d and d != n]
    assert dative_differs  # the data this check reads: "Vertriebler/Vertrieblern"
    pats = [r"\b(?:[Bb]ei|[Vv]on|[Mm]it|[Zz]u|[Aa]us) (?:die|das)\b(?! (?:es|wir|Sie|ich)\b)",
            r"\b(?:[Bb]ei|[Mm]it|[Zz]u|[Vv]on) den (?:" + "|".join(map(re.escape, dative_differs)) + r")\b(?!-)",
            r"\b1 (?:Standorte|Leute|Teams|Teamleiter)\b", r" ,", r"[{}\[\]]", r"\bund ist nichts\b",
            # an adjective noun after a bare "für" is strong: "für 45 Beschäftigte" (session 23: "für 45 Beschäftigten")
            r"\b[Ff]ür (?:rund |etwa |gut |knapp )?[\d.]+ (?:Mitarbeitenden|Beschäftigten|Angestellten)\b",
            # the polite "Sie" takes a plural verb (session 23: "Wenn Sie selbst heute wissen will")
            r"\bSie selbst (?:\w+ ){0,2}(?:will|kann|muss|hat|ist|weiß)\b"]
    bad = [(p, t.text[max(0, m.start() - 40):m.end() + 20]) for rc in rendered for t in rc.turns for p in pats
           for m in [re.search(p, re.sub(r"\[[A-Z ]+\]", "", t.text))] if m]
    assert not bad, bad[:8]


def test_german_industry_terms_never_read_as_a_signal():
    """A term is colour: said after an article or a preposition ("die
    Kostenübernahme" read as "die Kosten") it must not carry the locale's
    signal terms, or the audit finds an unlabelled pricing sentence."""
    from corpusc.render.template.banks import raw_bank
    from corpusc.render.template.signals import term_categories
    terms = {k: v for k, v in raw_bank("de-DE").items() if k.startswith("term.")}
    assert len(terms) == 10
    bad = [(k, c) for k, v in terms.items() for t in v for c in (t, f"die {t}", f"bei {t}", f"zu {t}")
           if term_categories("de-DE", c)]
    assert not bad, bad


def test_german_resumptions_come_from_the_speaker_cut_off(german):
    """test_dynamics' rule on a German corpus large enough to hold resumptions
    ("Wie gesagt", "Um da weiterzumachen"): only the speaker a backchannel cut
    off picks the thought back up, right after it."""
    header, calls, rendered = german
    assert resumptions(rendered) >= 5


def test_each_german_account_keeps_its_calls_in_its_own_crm(german):
    """The CRM is the account's own fact (crm.large / crm.small, drawn on the
    account's stream): every call of an account names the same one, and the
    accounts between them name most of the locale's (main named two, Salesforce
    and HubSpot, in every German call: one stock sentence per template)."""
    from corpusc.render.template.banks import raw_bank
    bank = raw_bank("de-DE")
    crms = set(bank["crm.large"]) | set(bank["crm.small"])
    assert len(crms) >= 4
    header, calls, rendered = german
    named: dict[str, set[str]] = {}
    for c, rc in zip(calls, rendered):
        text = " ".join(t.text for t in rc.turns)
        named.setdefault(c.account, set()).update(w for w in crms if re.search(rf"\b{re.escape(w)}\b", text))
    assert [a for a, ws in named.items() if len(ws) > 1] == []
    assert len(set().union(*named.values())) >= 4


# a German reader's rule, not the lexicon's genders: nouns ending so are feminine
# (but for the few masculine ones: "Schwung", "Sprung")
FEMININE = re.compile(r"(?<!schw)(?<!Schw)(?<!spr)(?<!Spr)(?:ung|ion|ität|heit|keit|schaft|rate|quote)$")
# a masculine or neuter article before a noun (dative "zum", "beim", "am", "dem"; accusative "den")
NOT_FEMININE = re.compile(r"\b(?:zum|beim|am|vom|im|dem|den)\s+([A-ZÄÖÜ][\w-]*)")
THEMA = re.compile(r"\bThemas? ")


def test_a_german_topic_term_takes_its_own_article(german):
    """reader17 counted "Thema X" 2,605 times in 300 German calls ("rund um das
    Thema Frachtvermittlung", "zum Thema Rampenplanung"): the banks said
    "Thema" before every industry term to avoid its gender. A term of known
    gender is now said with its own article ("zur Frachtvermittlung", "beim
    Standgeld"). Checked with a reader's rule (a noun ending in -ung, -ion,
    -ität … is feminine, so never after "zum", "beim", "dem", "den") and by the
    count of "Thema" per call: main at c7b62eb says it 9.8 times a call in
    seed 11's 300 calls, and 10.3 in this seed; now 3.5 and under 5."""
    header, calls, rendered = german
    wrong, themas, n = [], 0, 0
    for rc in rendered:
        n += 1
        for t in rc.turns:
            themas += len(THEMA.findall(t.text))
            for m in NOT_FEMININE.finditer(t.text):
                if FEMININE.search(m.group(1)) and not m.group(1).endswith(("ungen", "ionen")):
                    wrong.append(t.text[max(0, m.start() - 40):m.end() + 20])
    assert not wrong, wrong[:10]
    assert themas / n < 5.0, themas / n
