"""The render hot path's shortcuts answer exactly as the plain code they
replace (issue 14: faster, byte-identical). Speed itself is measured in
benchmarks/, never here."""

from __future__ import annotations

import random
import re

from corpusc.plan.model import fast
from corpusc.render.model import Evidence, Turn
from corpusc.render.template import banks, signals
from corpusc.render.template.language import _MESSY, tidy

from .test_engine import EXAMPLES, plan_of, render_all

# characters whose case-insensitive match differs from a match of str.lower(): ſ ~ s, ı ~ i, K (Kelvin) ~ k,
# İ lower-cases to two characters, Σ to a final sigma
CASEFIX = "ſıKİΣσςµß"


def _texts(locale: str) -> list[str]:
    """Every bank template spelled out once, in several cases, plus fragments."""
    from corpusc.render.template.sales import _plain
    out = []
    for v in banks.load_bank(locale).values():
        for t in v if isinstance(v, list) else ():
            if isinstance(t, (str, tuple)):
                s = _plain(t)
                out += [s, s.upper(), s.title(), s[len(s) // 3:]]
    return out


def test_signal_term_gate_matches_the_exact_pattern():
    """`_says_any` (a lower-cased prefix trie) finds a term exactly when the
    IGNORECASE pattern of every term does: on every bank template of each
    locale, with the case-fold exceptions mixed in."""
    rnd = random.Random(14)
    for loc in banks.supported_locales():
        exact = signals._any_term(loc)
        words = sorted({k for row in signals.load_lexicon(loc).classify.signal_terms for k in row.get("keywords") or ()})
        texts = _texts(loc)
        for w in words:  # each term said, at a word start and inside a word, in odd cases
            texts += [f"we {w} now", f"x{w}", f"-{w}", w.upper(), w.swapcase()]
        for s in texts[:4000]:
            i = rnd.randrange(len(s) + 1)
            texts.append(s[:i] + rnd.choice(CASEFIX) + s[i:])
        found = 0
        for s in texts:
            want = exact.search(s) is not None
            assert signals._says_any(loc, s) == want, (loc, s)
            found += want
        assert 0 < found < len(texts)  # both answers occur: the test can fail either way


def test_tidy_prefilter_misses_no_stray_punctuation():
    """The one search `tidy` makes first finds something wherever one of the
    nine substring tests it spares would (a text it passes needs no fixing)."""
    rnd = random.Random(7)
    nine = (" ,", " .", " ?", " !", " ;", ",,", "..", ",.", ".,")
    hit = 0
    for _ in range(20000):
        s = "".join(rnd.choice(" ,.?!;aB") for _ in range(rnd.randrange(1, 14)))
        messy = any(x in s for x in nine)
        assert messy <= (_MESSY(s) is not None), s
        hit += messy
    assert 0 < hit < 20000
    assert tidy("we looked at it , and it works .") == "We looked at it, and it works."


def test_turns_and_evidence_built_whole_are_the_models_pydantic_builds():
    """`whole` builds a Turn or an Evidence with every field in declaration
    order: equal to `fast` and to pydantic's own validation of the same data."""
    h, calls = plan_of(EXAMPLES / "sales_pov.corpus", n=3)
    for rc in render_all(h, calls):
        for t in rc.turns:
            assert list(t.__dict__) == list(Turn.model_fields)
            assert t == fast(Turn, **t.__dict__) == Turn.model_validate(t.model_dump())
            assert t.model_dump_json() == Turn.model_validate(t.model_dump()).model_dump_json()
        for e in rc.evidence:
            assert list(e.__dict__) == list(Evidence.model_fields)
            assert e == Evidence.model_validate(e.model_dump())


def _spoken_texts(n: int = 6) -> list[str]:
    """Finished turns of both example corpora (fillers, cues' words, names, numbers) and bank text."""
    out = []
    for spec in ("sales_pov.corpus", "contact_center.corpus"):
        h, calls = plan_of(EXAMPLES / spec, n=n)
        out += [t.text for rc in render_all(h, calls) for t in rc.turns]
    return out + _texts("en-US")[:3000] + _texts("de-DE")[:3000]


def test_sentence_capitals_prefilter_skips_only_texts_the_substitution_leaves_alone():
    """`tidy` runs its capitalising substitution only where `_LOWER_START` finds
    a lower-case letter after a stop: elsewhere the substitution changes nothing."""
    from corpusc.render.template.language import _LOWER_START, _SENTENCE_START, _upper_after
    rnd = random.Random(3)
    texts = _spoken_texts(3)
    texts += ["".join(rnd.choice(" .?!aZé") for _ in range(rnd.randrange(1, 12))) for _ in range(20000)]
    changed = 0
    for s in texts:
        subbed = _SENTENCE_START.sub(_upper_after, s)
        if _LOWER_START(s) is None:
            assert subbed == s, s
        changed += subbed != s
    assert changed  # the substitution does change some: the test can fail


def test_sentence_and_comma_starts_by_lead_in_are_the_lookbehind_positions():
    """`_first` with a consuming lead-in (`lead=True`) returns the position the
    plain lookbehind patterns give, from every starting point and with any
    `ok`, so the dynamics insert at the same places."""
    import re

    from corpusc.render.template import dynamics as D
    plain = {D._SENT: re.compile(r"(?:^|(?<=[.?!] ))(?=\w)"), D._COMMA: re.compile(r"(?<=, )(?=[^\W\d_])")}

    def first_plain(pat, text, at, ok):
        for m in pat.finditer(text, at):
            if ok(m.start()):
                return m.start()
        for m in pat.finditer(text, 0, at):
            if ok(m.start()):
                return m.start()
        return None

    class Fixed:  # the random point `_first` draws, set
        def __init__(self, at, n):
            self.v = (at + 0.5) / n

        def random(self):
            return self.v
    rnd = random.Random(5)
    texts = _spoken_texts(2)[:400] + ["".join(rnd.choice(" ,.?!a1_") for _ in range(rnd.randrange(1, 15)))
                                      for _ in range(3000)]
    for text in texts:
        n = len(text)
        for at in sorted({0, 1, 2, 3, n // 2, max(0, n - 1)} & set(range(max(n, 1)))):
            for odd in (0, 1):
                def ok(p):
                    return p % 2 == odd or p < 3
                for fast_pat, slow in plain.items():
                    assert D._first(fast_pat, text, Fixed(at, n), ok, True) == first_plain(slow, text, at, ok), \
                        (text, at, slow.pattern)


def test_a_words_end_found_backwards_is_the_word_the_search_finds():
    """`_ends_phrase` reads the word ending at a position as `[\\w'’-]+$`
    searched over the 40 characters before it does, binds and digits alike."""
    from corpusc.render.template import dynamics as D
    binds = frozenset({"the", "of", "to"})
    rnd = random.Random(11)

    def plain(text, pos):
        m = D._WORD.search(text, max(0, pos - 40), pos)
        return m is not None and m.group(0).lower() not in binds and not any(ch.isdigit() for ch in m.group(0))
    texts = _spoken_texts(2)[:300] + ["".join(rnd.choice(" ,a'’-1\nTo") for _ in range(rnd.randrange(1, 60)))
                                      for _ in range(3000)]
    seen = set()
    for text in texts:
        for pos in range(len(text) + 1):
            got = D._ends_phrase(text, pos, binds)
            assert got == plain(text, pos), (text, pos)
            seen.add(got)
    assert seen == {True, False}


def test_alternations_factored_by_prefix_match_as_the_plain_ones():
    """`alternation` (a prefix trie, longest first) finds the same matches,
    spans and words included, as the plain alternation longest first: the
    dynamics' `dyn.before` words and the service caller's fact forms of each
    locale, and words that are prefixes of each other or differ in case,
    with a lookahead that makes the longest fail over to a shorter one."""
    import re

    from corpusc.render.template import service
    from corpusc.render.template.language import alternation
    word_lists = [[str(w) for w in banks.load_bank(loc).get("dyn.before") or ()] for loc in banks.supported_locales()]
    for loc in banks.supported_locales():
        for dom in ("generic", "banking", "telecom"):
            got = service._caller_facts(loc, dom)
            if got is not None:
                word_lists.append(sorted({*got[1], *got[2], *got[3]}))
    word_lists.append(["so", "so that", "son", "s", "and", "an", "and then", "AND", "Äh", "äh m"])
    word_lists.append(["sſ", "ss", "s"])  # letters IGNORECASE pairs: the plain alternation
    assert alternation(word_lists[-1]) == "|".join(re.escape(w) for w in sorted(word_lists[-1], key=len, reverse=True))
    rnd = random.Random(2)
    texts = _spoken_texts(3)[:800]
    for words in word_lists:
        plain = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        fact = alternation(words)
        extra = [" ".join(rnd.choice(words + ["x", "Then", "1", "-"]) for _ in range(rnd.randrange(1, 12)))
                 for _ in range(2000)]
        extra += [t.upper() for t in extra[:300]]
        for wrap in (r" (?:{}) (?=[^\W\d_]+ )", r"(?<![\w-])(?:{})(?![\w-])"):
            a_rx, b_rx = re.compile(wrap.format(plain), re.I), re.compile(wrap.format(fact), re.I)
            hits = 0
            for text in texts + extra:
                a = [(m.span(), m.group()) for m in a_rx.finditer(text)]
                assert [(m.span(), m.group()) for m in b_rx.finditer(text)] == a, (words, text)
                hits += bool(a)
            assert hits


def test_shares_on_lower_cased_ascii_is_the_word_by_word_reading():
    from corpusc.render.template.habits import _W, _shares
    rnd = random.Random(4)

    def plain(phrase, text):
        p = [w.lower() for w in _W.findall(phrase)]
        t = " " + " ".join(w.lower() for w in _W.findall(text)) + " "
        if len(p) < 3:
            return bool(p) and f" {' '.join(p)} " in t
        return any(f" {p[i]} {p[i + 1]} {p[i + 2]} " in t for i in range(len(p) - 2))
    texts = _spoken_texts(2)[:600]
    both = set()
    for text in texts:
        ws = text.split()
        for phrase in (" ".join(ws[i:i + k]) for k in (1, 2, 3, 4) for i in (0, len(ws) // 2)):
            for ph in (phrase, phrase.upper(), "In my " + phrase.swapcase(), rnd.choice(texts)[:30]):
                got = _shares(ph, text)
                assert got == plain(ph, text), (ph, text)
                both.add(got)
    assert both == {True, False}


def test_questions_in_one_pass_are_the_pattern_s():
    """`service._questions` (one pass over a text's sentences) finds what
    `_QUESTION.findall` finds, on bank text and on random strings of the marks."""
    from corpusc.render.template import service
    rnd = random.Random(15)
    texts = [s for loc in banks.supported_locales() for s in _texts(loc)[:3000]]
    texts += ["".join(rnd.choice("ab .?!\n…") for _ in range(rnd.randrange(12))) for _ in range(20000)]
    asked = 0
    for s in texts:
        want = service._QUESTION.findall(s)
        assert service._questions(s) == want, s
        asked += bool(want)
    assert 0 < asked < len(texts)


def test_usable_templates_memo_is_keyed_by_list_and_missing_slots():
    """The service call's memo of usable templates answers for the list and
    the missing slots it was asked about: equal lists that are not the same
    object, another set of missing slots each get their own."""
    from corpusc.render.template import service
    from corpusc.render.template.language import compile_template
    a = [compile_template("Your {amount} is due."), compile_template("All done."), "Thanks."]
    b = list(a)
    assert service._usable(a, frozenset({"amount"})) == [1, 2]
    assert service._usable(a, frozenset({"dob"})) == [0, 1, 2]
    assert service._usable(b, frozenset({"amount"})) == [1, 2]
    c = [a[0], compile_template("The {amount} again."), a[2]]  # another bank list: its own answer
    assert service._usable(c, frozenset({"amount"})) == [2]


def test_service_forms_pattern_matches_the_plain_alternation():
    """`service._forms_rx` (factored by common prefix) finds the same spans as
    the plain alternation of the forms longest first, for every form list the
    service banks hold (upbeat words, answered-by forms), on bank text and on
    each form said at a word edge, inside a word and in other cases."""
    from corpusc.render.template import service
    for loc in banks.supported_locales():
        bank = banks.load_bank(loc)
        lists = [[str(w) for w in v] for k, v in bank.items() if k.endswith(".upbeat") and v]
        lists += [[str(x) for x in row[key]] for k, v in bank.items() if k.endswith(".answered_by")
                  for row in v if isinstance(row, dict) for key in ("asks", "says") if row.get(key)]
        assert lists, loc
        texts = _texts(loc)[:1500]
        hits = 0
        for forms in lists:
            extra = [x for w in forms for x in (w, w.upper(), f"x{w}", f"{w}-y", f"a {w}s b", f"Ein {w.title()}.")]
            fast_rx, plain = service._forms_rx(forms), service._forms_rx_plain(forms)
            for s in texts + extra:
                got = [(m.span(), m.group()) for m in fast_rx.finditer(s)]
                assert got == [(m.span(), m.group()) for m in plain.finditer(s)], (forms, s)
                hits += bool(got)
        assert hits


def test_unsaid_words_factored_by_prefix_are_found_where_the_plain_alternation_finds_them():
    """`service._unsaid` (searched in every drafted sentence of a service call)
    finds something in exactly the texts its plain alternation does, for every
    locale, domain, medium and transfer setting: bank text, spoken turns, each
    pruned word in odd cases and inside other words, the case-fold exceptions mixed in."""
    from corpusc.render.template import service
    rnd = random.Random(16)
    texts = _spoken_texts(3)[:1500]
    for loc in banks.supported_locales():
        base = texts + _texts(loc)[:3000]
        for dom in ("generic", "banking", "telecom"):
            for chat in (False, True):
                for transfers in (False, True):
                    fast_rx = service._unsaid(loc, dom, chat, transfers)
                    plain = service._unsaid_plain(loc, dom, chat, transfers)
                    assert (fast_rx is None) == (plain is None)
                    if plain is None:
                        continue
                    assert fast_rx.pattern != plain.pattern  # the factored form is the one searched
                    words = [w.replace("\\", "") for w in plain.pattern.split("|")]
                    extra = []
                    for w in words:
                        extra += [f"ok {w} now", f"x{w.upper()}y", w.swapcase(), w[:-1]]
                    for s in extra[:]:
                        i = rnd.randrange(len(s) + 1)
                        extra.append(s[:i] + rnd.choice(CASEFIX) + s[i:])
                    found = 0
                    for s in base + extra:
                        want = plain.search(s) is not None
                        assert (fast_rx.search(s) is not None) == want, (loc, dom, chat, transfers, s)
                        found += want
                    assert 0 < found < len(base + extra)


def test_case_simple_letters_match_under_ignorecase_exactly_as_lower_cased():
    """`service.CASE_SIMPLE` and ASCII: two of these characters match each other
    under IGNORECASE exactly when their lower cases are equal, and each lower-cases
    to one character, so searching the lower-cased text finds what IGNORECASE does."""
    import re

    from corpusc.render.template import service
    chars = [chr(i) for i in range(128)] + list(service.CASE_SIMPLE)
    assert service._NOT_SIMPLE("".join(chars)) is None
    # the case-fold exceptions go the IGNORECASE way (ß: only ẞ, not listed, folds to it)
    assert all(service._NOT_SIMPLE(c) is not None for c in CASEFIX if c != "ß" and not c.isascii())
    assert service._NOT_SIMPLE("\u212a") is not None  # the Kelvin sign (k under IGNORECASE)
    for c in chars:
        assert len(c.lower()) == 1, c
        for y in chars:
            assert (re.fullmatch(re.escape(y), c, re.I) is not None) == (c.lower() == y.lower()), (c, y)


def test_a_call_drafted_with_the_collector_paused_is_the_call_drafted_with_it_running():
    """`render_call` pauses the cyclic collector while it drafts and leaves it
    as it found it: the same words whether a collection runs before each call
    or never, and a collector switched off by the caller stays off."""
    import gc

    from corpusc.render.template import engine
    for spec in ("sales_pov.corpus", "contact_center.corpus"):
        h, calls = plan_of(EXAMPLES / spec, n=4)
        want = [rc.model_dump_json() for rc in render_all(h, calls)]
        assert gc.isenabled()
        got = []
        for c in calls:
            gc.collect()
            got.append(engine.render_call(c, h).model_dump_json())
            assert gc.isenabled()
        assert got == want
        gc.disable()
        try:
            assert [engine.render_call(c, h).model_dump_json() for c in calls] == want
            assert not gc.isenabled()
        finally:
            gc.enable()


def test_lowered_fact_patterns_find_the_matches_of_the_ignorecase_ones():
    """The service caller's fact forms (`_caller_facts`) and fact values, searched
    through `_lowered`, give the same matches (span, and the words lower-cased)
    as their IGNORECASE patterns: spoken turns and bank text of both locales,
    each form in odd cases, the case-fold exceptions mixed in."""
    import re

    from corpusc.render.template import service
    from corpusc.render.template.banks import with_prefix
    from corpusc.render.template.language import trie
    rnd = random.Random(9)
    texts = _spoken_texts(3)[:1200]
    checked = 0
    for loc in banks.supported_locales():
        bank = banks.load_bank(loc)
        base = texts + _texts(loc)[:2000]
        for dom in ("generic", "banking", "telecom"):
            got = service._caller_facts(loc, dom)
            rxs = [got[0]] if got is not None else []
            prefix = f"pop.{dom}.fact."
            values = sorted({v.lower() for k in with_prefix(loc, prefix) for v in bank.get(k) or ()
                             if isinstance(v, str) and "[" not in v and "{" not in v})
            if values:
                rxs.append(service._lowered(re.compile(r"(?<![\w-])(?:" + trie(values) + r")(?![\w-])", re.I)))
            for fast_rx in rxs:
                assert isinstance(fast_rx, service._Lowered)
                words = [*(got[1] if got else ()), *values]
                extra = []
                for w in words:
                    extra += [f"so {w} then", w.upper(), f"{w.title()}.", f"x{w}"]
                for s in extra[:]:
                    i = rnd.randrange(len(s) + 1)
                    extra.append(s[:i] + rnd.choice(CASEFIX) + s[i:])
                hits = 0
                for s in base + extra:
                    want = [(m.span(), m.group().lower()) for m in fast_rx.rx.finditer(s)]
                    assert [(m.span(), m.group().lower()) for m in fast_rx.finditer(s)] == want, (loc, dom, s)
                    assert (fast_rx.search(s) is not None) == bool(want)
                    hits += bool(want)
                assert 0 < hits
                checked += 1
    assert checked >= 6


def test_a_replacement_parsed_once_expands_as_the_match_does():
    """`naming._expand` gives `Match.expand` for every replacement of the
    locales' `account_refs` and for odd ones (an escape, a two-digit or a
    missing group, a group that took no part)."""
    import re

    from corpusc.render.template import naming
    from corpusc.render.template.lexicon import load_lexicon
    reps = {"\\1", "our \\1", "x\\1y\\2", "\\2 and \\1", "\\12", "a\\nb", "\\g<1>!", "plain", "", "\\3"}
    for loc in banks.supported_locales():
        for rows in (load_lexicon(loc).account_refs or {}).values():
            for _, r in rows:
                reps.update(r.split("|"))
    rx = re.compile(r"\b(?:(over )?here|(the)) at (\w+)\b")
    texts = ["We work here at Redfold.", "over here at Redfold and the at Lanternmark", "the at X"]
    fast_path = 0
    for rep in sorted(reps):
        fast_path += naming._template(rep) is not None
        for text in texts:
            for m in rx.finditer(text):
                try:
                    want = m.expand(rep)
                except (re.error, IndexError) as e:
                    want = type(e)
                try:
                    got = naming._expand(m, rep)
                except (re.error, IndexError) as e:
                    got = type(e)
                assert got == want, (rep, text)
    assert fast_path >= 5 and naming._template("\\12") is None and naming._template("a\\nb") is None


def _naming_rule_sets():
    """Every rule set naming.py compiles, for odd account names and head counts:
    (locale, kind, rules, said, texts with the name or figure said in them)."""
    import re

    from corpusc.render.template import naming
    from corpusc.render.template.lexicon import load_lexicon
    out = []
    for loc in banks.supported_locales():
        lex = load_lexicon(loc)
        texts = [s for s in _texts(loc) if len(s) < 400][:3000]
        for company, short in (("Redfold Logistics", "Redfold"), ("A.B. & Co (Nord)", "A.B."), ("O'Neil", "O'Neil"),
                               ("Stonewind", "Stonewind")):
            said = re.compile(rf"\b(?:{'|'.join(re.escape(x) for x in dict.fromkeys((company, short)))})\b")
            for side, refs in (lex.account_refs or {}).items():
                rules = naming._rules(company, short, tuple(tuple(x) for x in refs))
                lits = [w for p, r in refs for w in re.findall(r"[A-Za-z]+", p + " " + r) if len(w) > 1]
                said_in = []
                for k, s in enumerate(texts[:600]):
                    ws = s.split(" ")
                    i = k % (len(ws) + 1)
                    name = (company, short, short + "'s", company + "'s")[k % 4]
                    said_in.append(" ".join(ws[:i] + [lits[k % len(lits)], name] + ws[i:]))
                    said_in.append(" ".join(ws[:i] + [name] + ws[i:]))
                out.append((loc, f"name/{side}/{short}", rules, said, said_in))
        data = lex.headcount_refs or {}
        if data:
            nouns = list(data.get("nouns", ()))
            for n in (naming._FIGURE,):  # the figure as the rules see it (its stand-in)
                noun = "|".join(re.escape(x) for x in sorted(nouns, key=len, reverse=True))
                said = re.compile(rf"\b{re.escape(n)} (?:{noun})\b")
                for side in ("buyer", "seller"):
                    for rows in (data.get(side, ()), (data.get("keep_figure") or {}).get(side, ())):
                        rules = naming._count_rules(naming._rows(rows), noun)
                        said_in = []
                        for k, s in enumerate(texts[:600]):
                            ws = s.split(" ")
                            i = k % (len(ws) + 1)
                            lead = ("all of our", "our", "the", "for", "with", "across", "all", "those", "of")[k % 9]
                            said_in.append(" ".join(ws[:i] + [lead, n, nouns[k % len(nouns)]] + ws[i:]))
                        out.append((loc, f"count/{side}/{n}", rules, said, said_in))
    return out


def test_naming_rule_gates_pass_by_only_texts_without_a_match():
    """`naming._needs`: a rule whose literal runs a text lacks has no match in
    it (so `_plain` and `_count_sub` may pass it by); on every rule of every
    locale, for names with regex characters, on bank texts with the name or
    head count said at each position. Both answers occur."""
    checked = gated = matched = 0
    for loc, kind, rules, _, texts in _naming_rule_sets():
        for pat, _, need in rules:
            assert need or pat.flags & re.IGNORECASE or kind.startswith("count"), (loc, kind, pat.pattern)
            for t in texts:
                has = all(x in t for x in need)
                hit = pat.search(t) is not None
                assert has or not hit, (loc, kind, pat.pattern, need, t)
                checked += 1
                gated += not has
                matched += hit
    assert checked and 0 < gated < checked and matched


def test_naming_rewrites_with_gates_are_the_rewrites_without():
    """`_plain` and `_count_sub` with their gates give the text and the random
    draws the plain loop over every rule gives (the same stream state after)."""
    import random
    from types import SimpleNamespace

    from corpusc.render.template import naming
    changed = 0
    for loc, kind, rules, said, texts in _naming_rule_sets():
        plain = tuple((p, reps, ()) for p, reps, _ in rules)
        for k, t in enumerate(texts):
            a, b = SimpleNamespace(r=random.Random(k)), SimpleNamespace(r=random.Random(k))
            if kind.startswith("name"):
                got, want = naming._plain(a, t, rules, said, {}), naming._plain(b, t, plain, said, {})
            else:
                got, want = naming._count_sub(a, rules, t), naming._count_sub(b, plain, t)
            assert got == want and a.r.random() == b.r.random(), (loc, kind, t)
            changed += got != t
    assert changed > 100


def test_rules_compiled_once_under_stand_ins_rewrite_as_rules_compiled_for_the_name():
    """naming.py compiles the locale's rules once and runs them on the text
    with the account's names (and a head count's figure) said by stand-ins:
    on bank texts with the name or figure said at each position, the text
    and the random draws are those of the rules compiled for the name or
    figure itself (the test's own compile for figures), for names with and
    without capitals, one word or two, and with edges no stand-in covers."""
    import random
    from types import SimpleNamespace

    from corpusc.render.template import naming
    from corpusc.render.template.lexicon import load_lexicon
    changed = stood = 0
    for loc in banks.supported_locales():
        lex = load_lexicon(loc)
        texts = [s for s in _texts(loc) if len(s) < 400][:400]
        for company, short in (("Redfold Logistics", "Redfold"), ("Stonewind", "Stonewind"), ("eSola Care", "eSola"),
                               ("O'Neil Bau", "O'Neil"), ("A.B. & Co (Nord)", "A.B."), ("Nordwerk 24", "Nordwerk")):
            names = tuple(dict.fromkeys((company, short)))
            said = re.compile(rf"\b(?:{'|'.join(re.escape(x) for x in names)})\b")
            stood += bool(naming._stand_ins(names))
            for side, refs in (lex.account_refs or {}).items():
                if side == "_":
                    continue
                refs = tuple(tuple(x) for x in refs)
                own = naming._rules(company, short, refs)
                lits = [w for p, r in refs for w in re.findall(r"[A-Za-z]+", p + " " + r) if len(w) > 1]
                for k, s in enumerate(texts):
                    ws = s.split(" ")
                    i = k % (len(ws) + 1)
                    name = (company, short, short + "'s", company + "'s")[k % 4]
                    t = " ".join(ws[:i] + [lits[k % len(lits)], name, "and", name] + ws[i:])
                    if k % 3 == 0:  # the name first in a sentence (`_cap` keeps its capital or its lower case)
                        t = name + " " + t if k % 2 else t.rstrip(".") + ". " + name + " " + s
                    a, b = SimpleNamespace(r=random.Random(k)), SimpleNamespace(r=random.Random(k))
                    got, want = naming._plain_named(a, t, refs, names, said, {}), naming._plain(b, t, own, said, {})
                    assert got == want and a.r.random() == b.r.random(), (loc, company, t, got, want)
                    changed += got != t
        data = lex.headcount_refs or {}
        nouns = list(data.get("nouns", ()))
        noun = "|".join(re.escape(x) for x in sorted(nouns, key=len, reverse=True))
        for n in ("25", "zwei", "1,200", "40"):
            token = re.compile(rf"(?<!\w){re.escape(n)}(?!\w)")
            for side in ("buyer", "seller"):
                for rows in (data.get(side, ()), (data.get("keep_figure") or {}).get(side, ())):
                    own = tuple((re.compile(p.replace("{n}", re.escape(n)).replace("{noun}", noun)),
                                 tuple(r.replace("{n}", n).split("|")), ()) for p, r in rows)
                    rules = naming._count_rules(naming._rows(rows), noun)
                    for k, s in enumerate(texts):
                        ws = s.split(" ")
                        i = k % (len(ws) + 1)
                        lead = ("all of our", "our", "the", "for", "with", "across", "all", "those", "of", "1")[k % 10]
                        t = " ".join(ws[:i] + [lead, n, nouns[k % len(nouns)], "and", n + "0", nouns[0]] + ws[i:])
                        a, b = SimpleNamespace(r=random.Random(k)), SimpleNamespace(r=random.Random(k))
                        got = naming._count_sub(a, rules, token.sub(naming._FIGURE, t)).replace(naming._FIGURE, n)
                        want = naming._count_sub(b, own, t)
                        assert got == want and a.r.random() == b.r.random(), (loc, n, t, got, want)
                        changed += got != t
    assert changed > 1000 and stood == 10  # five of six accounts per locale said by stand-ins ("A.B." ends in a dot)


def test_a_literal_run_of_a_pattern_is_in_every_match():
    """`_needs` on patterns of every shape it reads (groups, flags, branches,
    lookarounds, repeats): each run it names is in every match found."""
    from corpusc.render.template import naming
    rnd = random.Random(5)
    pats = [r"\bab(c|d)e\b", r"x(?:yz)+w", r"(?i:ab)cd", r"(?<!q )foo (bar|baz) qux", r"a?bc", r"(ab|ac)d",
            r"(?=abc)ab", r"(?:(?:ab)c)d", r"a\.b", r"[ab]cd", r"ab{2}c", r"(?P<x>ab)\1c", r"\d+ items"]
    pieces = ["ab", "c", "d", "e", "x", "yz", "w", "foo ", "bar", "baz", " qux", "q ", "a", "b", "cd", ".", "12 ",
              "items", "ababc", " ", "A", "B"]
    hits = 0
    for p in pats:
        rx = re.compile(p)
        need = naming._needs(rx)
        for _ in range(4000):
            s = "".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 9)))
            for m in rx.finditer(s):
                hits += 1
                assert all(x in m.group(0) for x in need), (p, need, s)
        for lit in need:
            for m in rx.finditer(" ".join(["abcde", "xyzw", "abcd", "foo bar qux", "bc", "acd", "abc", "a.b",
                                           "acd", "abbc", "ababc", "12 items"])):
                assert lit in m.group(0)
    assert hits > 1000
    assert naming._needs(re.compile("abc", re.I)) == ()
    # the parser factors a branch's common prefix out: "ba" is in every match too
    assert naming._needs(re.compile(r"\bfoo (bar|baz) qux")) == (" qux", "foo ", "ba")


def test_a_doubled_word_found_possessively_is_the_one_the_plain_pattern_finds():
    """`service._DOUBLE` (possessive quantifiers) finds the matches, groups
    and spans of `_DOUBLE_PLAIN` on every bank text of each locale, each with
    a word of it said twice in odd cases and spacings, and the case-fold letters mixed in."""
    from corpusc.render.template import service
    rnd = random.Random(11)
    texts = []
    for loc in banks.supported_locales():
        for s in _texts(loc)[:5000]:
            ws = s.split(" ")
            i = rnd.randrange(len(ws))
            w = ws[i]
            texts += [s, " ".join(ws[:i + 1] + [rnd.choice([w, w.upper(), w.title(), w + "s", w[:-1] or w])] + ws[i + 1:]),
                      " ".join(ws[:i + 1] + [rnd.choice(["\t", "  ", "\n"]) + w] + ws[i + 1:]),
                      s[:rnd.randrange(len(s) + 1)] + rnd.choice(CASEFIX) + " " + rnd.choice(CASEFIX.lower())]
    found = 0
    for s in texts:
        got = [(m.span(), m.group(1)) for m in service._DOUBLE.finditer(s)]
        assert got == [(m.span(), m.group(1)) for m in service._DOUBLE_PLAIN.finditer(s)], s
        found += bool(got)
    assert 0 < found < len(texts)


def test_lowered_once_searches_as_each_pattern_does():
    """`service._search` and `_finditer` with the text lower-cased once give
    what each pattern's own `search`/`finditer` gives (a `_Lowered`, a plain pattern)."""
    from corpusc.render.template import service
    rnd = random.Random(12)
    pats = [service._lowered(re.compile(r"(?<![\w-])(?:after work|kitchen|pin)(?![\w-])", re.I)),
            re.compile(r"(?<![\w-])(?:After Work|PIN)(?![\w-])", re.I)]
    assert pats[0].__class__ is service._Lowered
    hits = 0
    for s in ["Right after work, the PIN.", "AFTER WORK in the kitchen", "ſafter work", "pinned", "Kitchen-pin"] + \
            [t + rnd.choice([" after work", " PIN", " Kıtchen", ""]) for t in _texts("en-US")[:3000]]:
        low = service._lower_simple(s)
        for rx in pats:
            a, b = service._search(rx, s, low), rx.search(s)
            assert (a and (a.span(), a.group())) == (b and (b.span(), b.group())), s
            assert [(m.span(), m.group()) for m in service._finditer(rx, s, low)] == \
                [(m.span(), m.group()) for m in rx.finditer(s)], s
            hits += b is not None
    assert hits > 100


def test_a_term_named_where_one_of_the_term_patterns_finds_it():
    """`sales._names_a_term` (the lower-cased words looked up in ASCII text,
    one combined pattern in other text) answers as searching each of the
    locale's `_term_words` patterns: on every bank template of each locale,
    with the term words put in, in several cases, and the case-fold
    exceptions mixed in."""
    from corpusc.render.template.sales import _any_term, _names_a_term, _term_words
    rnd = random.Random(15)
    fast_path = found = 0
    for loc in banks.supported_locales():
        terms, got = _term_words(loc), _any_term(loc)
        assert (got is None) == (not terms)
        if got is None:
            continue
        fast_path += got[0] is not None
        words = [w for _, rx in terms for w in rx.pattern.replace("\\", "").split("|")]
        texts = _texts(loc)[:3000]
        for k, s in enumerate(list(texts)):
            w = words[k % len(words)]
            w = (w, w.upper(), w.title(), w.replace("s", "ſ"), w.replace("i", "ı"), w.replace("k", "K"))[k % 6]
            i = rnd.randrange(len(s) + 1)
            texts.append(s[:i] + w + s[i:])
            texts.append(s[:i] + rnd.choice(CASEFIX) + s[i:])
        for t in texts:
            want = any(rx.search(t) for _, rx in terms)
            assert _names_a_term(got, t) == want, (loc, t)
            found += want
    assert fast_path >= 1 and found > 1000


def test_head_count_needs_parsed_once_are_needs_of_every_account():
    """`naming._count_needs` (a rule's literal runs with the account's nouns
    left out, parsed once) asks no run that the rule compiled for an
    account's nouns (`_needs` of it) does not: passing a rule by on them
    passes by only rules that could not match."""
    from corpusc.render.template import naming
    from corpusc.render.template.lexicon import load_lexicon
    checked = 0
    for loc in banks.supported_locales():
        data = load_lexicon(loc).headcount_refs or {}
        bank = banks.load_bank(loc)
        people = [str(w).split("/") for k in banks.with_prefix(loc, "people.") for w in bank.get(k) or ()]
        for words in people + [["Teamleiter", "Teamleitern"], ["x"], ["reps"]]:
            nouns = sorted(dict.fromkeys(list(words) + list(data.get("nouns", ()))), key=len, reverse=True)
            for noun in ("|".join(map(re.escape, nouns)), re.escape(words[0])):
                for side in ("buyer", "seller"):
                    for p, _ in list(data.get(side, ())) + list((data.get("keep_figure") or {}).get(side, ())):
                        real = naming._needs(re.compile(p.replace("{n}", naming._FIGURE).replace("{noun}", noun)))
                        assert set(naming._count_needs(p)) <= set(real), (loc, p, noun)
                        checked += 1
    assert checked > 100


def test_account_caches_of_the_sales_renderer_are_keyed_by_their_account():
    """The caches made once per account (`naming._count_plan`, `sales._staff_rx`,
    `naming._stand_ins`) and per locale (`sales._any_term`) give each call
    what it would get with every cache empty: the five accounts of
    sales_pov rendered in reverse order, each call after the caches are
    cleared, say what they say in plan order with the caches shared."""
    from corpusc.render.template import naming, sales as sales_mod
    h, calls = plan_of(EXAMPLES / "sales_pov.corpus")
    shared = [c.model_dump_json() for c in render_all(h, calls)]
    assert naming._COUNT_PLANS and sales_mod._staff_rx.cache_info().currsize
    for k in reversed(range(len(calls))):
        naming._COUNT_PLANS.clear()
        naming._stand_ins.cache_clear()
        sales_mod._staff_rx.cache_clear()
        sales_mod._ANY_TERM.clear()
        assert render_all(h, [calls[k]])[0].model_dump_json() == shared[k], calls[k].id
    # and a cache made by another account is not taken: each call once more, the caches full of the others
    for k in reversed(range(len(calls))):
        assert render_all(h, [calls[k]])[0].model_dump_json() == shared[k], calls[k].id


def test_not_theirs_passes_by_a_sentence_without_the_peer_as_the_pattern_does():
    """`Sales._not_theirs` (the pattern of the peer and the CRM searched only
    where the text says both) answers as the plain search does, for peers and
    CRMs of odd characters said glued, odd-cased, or not at all."""
    from types import SimpleNamespace

    from corpusc.render.template.classify import not_claims
    from corpusc.render.template.lexicon import load_lexicon
    from corpusc.render.template.sales import PEER_TITLE, Sales
    rnd = random.Random(41)
    hits = 0
    for loc in banks.supported_locales():
        lex = load_lexicon(loc)
        verbs = (lex.classify.role_claims.get("crm") or {}).get("verbs") or ()
        assert verbs, loc
        texts = [t for t in _texts(loc) if t][:2000]
        for peer, crm in [("Blake", "HubSpot"), ("Zoë", "Sales.force"), ("O'Neil", "Zoho (CRM)"), ("Jo", "HubSpot")]:
            S = SimpleNamespace(R=SimpleNamespace(loc=loc, lex=lex, slots={"crm": crm}))
            for _ in range(800):
                ws = rnd.choice(texts).split(" ")
                for _ in range(rnd.randrange(0, 3)):
                    w = rnd.choice([peer, crm, f"{peer} {rnd.choice(verbs)}", peer.lower(), crm.upper(), peer + "x"])
                    ws.insert(rnd.randrange(len(ws) + 1), w)
                if rnd.random() < 0.4:
                    ws += [peer, rnd.choice(verbs)] + ws[:rnd.randrange(3)] + [crm]
                t = " ".join(ws)
                kw = {"peer": peer, PEER_TITLE: rnd.choice(["CFO", "CISO", "VP of Sales"])}
                plain = "crm" in not_claims(loc, kw[PEER_TITLE]) and crm in t and re.search(
                    r"\b" + re.escape(peer) + r" (?:" + "|".join(map(re.escape, verbs)) + r") (?:\S+ ){0,2}"
                    + re.escape(crm), t) is not None
                assert Sales._not_theirs(S, t, kw) == plain, (loc, peer, t)
                hits += plain
    assert hits > 200


def test_a_sentence_without_a_possessive_has_no_match_of_the_staff_pattern():
    """`Sales._recast` compiles and runs an account's staff pattern only on a
    sentence where `_staff_own` (the possessives it opens with) finds one:
    on bank texts with possessives, staff words and counts said in every
    case, the pattern finds nothing where `_staff_own` finds nothing."""
    from corpusc.render.template.lexicon import load_lexicon
    from corpusc.render.template.sales import _staff_own, _staff_rx
    rnd = random.Random(42)
    gated = matched = 0
    for loc in banks.supported_locales():
        c = load_lexicon(loc).classify.role_claims.get("staff") or {}
        mine = tuple(str(k).lower() for k in c.get("mine") or ())
        assert mine, loc
        texts = [t for t in _texts(loc) if t][:3000]
        for people, counts in [(("patient access reps", ""), ("25", "three", "1,400")), (("Leute", "Leuten"), ("", "", "")),
                               (("x",), ("zwei", "12", "7"))]:
            words = tuple(str(w) for w in c.get("words") or ()) + people
            rx = _staff_rx(mine, words, counts, tuple(c.get("counted") or ()))
            own = _staff_own(mine)
            said = list(mine) + list(words) + [x for x in counts if x] + list(c.get("counted") or ())
            for t in _said_in_any_case(rnd, texts, said, 1500):
                if own.search(t) is None:
                    gated += 1
                    assert rx.search(t) is None, (loc, t)
                matched += rx.search(t) is not None
    assert gated > 1000 and matched > 200


def _said_in_any_case(rnd: random.Random, texts: list[str], words: list[str], n: int) -> list[str]:
    out = []
    for _ in range(n):
        ws = rnd.choice(texts).split(" ")
        k = rnd.randrange(len(ws) + 1)
        for _ in range(rnd.randrange(0, 4)):
            w = rnd.choice(words)
            ws.insert(k, rnd.choice([w, w.upper(), w.title(), w + rnd.choice(CASEFIX)]))
            k += 1
        out.append(" ".join(ws))
    return out
