"""The shortcuts of naming.py and habits.py answer exactly as the plain code
they replace (issue 14/15: faster, byte-identical): each is compared here with
that plain code, kept in this file, on many texts built to defeat it. Speed
itself is measured in benchmarks/, never here."""

from __future__ import annotations

import copy
import random
import re
from types import SimpleNamespace

from corpusc.render.template import banks, habits, naming
from corpusc.render.template.drafting import Draft
from corpusc.render.template.lexicon import load_lexicon
from corpusc.render.template.signals import text_categories

from .test_render_speed import CASEFIX, _texts

# account names with every edge a pattern may trip on: a short name inside the full one or not, regex
# characters, non-word first or last characters, digits, non-ASCII letters, one name the prefix of the other
NAMES = [("Redfold Logistics", "Redfold"), ("A.B. & Co (Nord)", "A.B."), ("O'Neil", "O'Neil"), (".io Labs", ".io"),
         ("Zoë Care", "Zoë"), ("Nordwerk 24", "Nordwerk"), ("_x_", "_x_"), ("Co-op Plus", "Co-op"), ("Abc", "Ab"),
         ("a+b (c)", "a+b"), ("Σίγμα", "Σίγμα"), ("Stonewind", "Stonewind"), ("24/7 Care", "24/7"), ("Ab", "Abc"),
         ("Northwell Group", "Acme")]
FIGURES = ["25", "zwei", "1,200", "40", "$5", "5%", ".5", "two hundred", "_7", "١٢"]


def _said_in(rnd: random.Random, texts: list[str], words: list[str], n: int) -> list[str]:
    """`n` texts, each a bank text with `words` said in it at random places:
    alone, glued to letters, digits, dots or apostrophes, doubled, odd-cased."""
    glue = ["", "", " ", "x", "9", ".", "'s", "’s", "_", "-", "(", ")", "é", "Σ", rnd.choice(CASEFIX)]
    out = []
    for _ in range(n):
        ws = rnd.choice(texts).split(" ")
        for _ in range(rnd.randrange(1, 4)):
            w = rnd.choice(words)
            w = rnd.choice([w, w, w, w.lower(), w.upper(), w + w, w[:-1] or w, w[1:] or w])
            ws.insert(rnd.randrange(len(ws) + 1), rnd.choice(glue) + w + rnd.choice(glue))
        out.append(" ".join(ws) if rnd.random() < 0.8 else "".join(ws))
    return out


def _same_matches(old: re.Pattern, new: re.Pattern, texts: list[str]) -> int:
    """Assert both patterns find the same matches (spans and groups) in every text; the texts with one."""
    hit = 0
    for t in texts:
        want = [(m.span(), m.groups()) for m in old.finditer(t)]
        assert [(m.span(), m.groups()) for m in new.finditer(t)] == want, (old.pattern, new.pattern, t)
        assert (new.search(t) is None) == (old.search(t) is None) and new.findall(t) == old.findall(t)
        hit += bool(want)
    return hit


def test_a_mention_pattern_opening_with_its_literal_finds_what_the_boundary_pattern_finds():
    """`naming._said` (each name first, the `\\b` before it checked by a
    lookbehind) finds the matches `\\b(?:name|short)\\b` finds, for names of
    every edge, in bank texts with the names said glued to letters, digits
    and punctuation; so do the stand-ins' pattern and a rule set's."""
    rnd = random.Random(20)
    texts = [s for loc in banks.supported_locales() for s in _texts(loc)[:3000]]
    hits = checked = 0
    for company, short in NAMES + [naming._STAND]:
        names = tuple(dict.fromkeys(x for x in (company, short) if x))
        old = re.compile(rf"\b(?:{'|'.join(re.escape(x) for x in names)})\b")
        said_in = _said_in(rnd, texts, list(names), 1500)
        hits += _same_matches(old, naming._said(names), said_in)
        checked += len(said_in)
    assert 0.1 * checked < hits < checked  # texts with and without a mention


def test_head_count_patterns_opening_with_their_figure_find_what_the_boundary_patterns_find():
    """`naming._count_plan`'s patterns (the figure first) find the matches of
    `\\b{n} (?:{noun})\\b`, of the two figures' alternation and of
    `(?<!\\w){n}(?!\\w)`, for odd figures and people words, in each locale."""
    rnd = random.Random(21)
    hits = 0
    for loc in banks.supported_locales():
        data = load_lexicon(loc).headcount_refs or {}
        if not data:
            continue
        texts = _texts(loc)[:3000]
        for k, n in enumerate(FIGURES):
            m = FIGURES[(k + 3) % len(FIGURES)]
            people, people_dat = ("patient access reps", "") if k % 2 else ("Leute (Nord)", "Leuten")
            both, plans = naming._count_plan(data, people, people_dat, (n, m))
            nouns = [people, people_dat] + list(data.get("nouns", ()))
            noun = "|".join(re.escape(x) for x in sorted(dict.fromkeys(x for x in nouns if x), key=len, reverse=True))
            words = [f"{x} {rnd.choice([y for y in nouns if y])}" for x in (n, m) for _ in range(3)] + [n, m]
            said_in = _said_in(rnd, texts, words, 800)
            old_both = re.compile("|".join(rf"\b{re.escape(x)} (?:{noun})\b" for x in (n, m)))
            hits += _same_matches(old_both, re.compile("|".join(p.pattern for p in both)), said_in)
            for x, said, token, _, _ in plans:
                hits += _same_matches(re.compile(rf"\b{re.escape(x)} (?:{noun})\b"), said, said_in)
                hits += _same_matches(re.compile(rf"(?<!\w){re.escape(x)}(?!\w)"), token, said_in)
                assert [token.sub(naming._FIGURE, t) for t in said_in] == \
                    [re.sub(rf"(?<!\w){re.escape(x)}(?!\w)", naming._FIGURE, t) for t in said_in]
    assert hits > 5000


def test_two_head_counts_are_found_where_the_pattern_finds_two():
    """`naming._says_two` (the pattern of both figures searched only where a
    text has two places a figure and a space begin) answers as two matches
    of that pattern do, for figures that overlap themselves ("a a"), each
    other ("5", "25", "5 5") or are the same, in texts saying them often."""
    rnd = random.Random(29)
    data = load_lexicon("en-US").headcount_refs
    texts = _texts("en-US")[:2000]
    two = 0
    # ("5", "5 reps 5"): both begin at once in "5 reps 5 reps", the first ends sooner and a second match follows
    for figures in [("25", "5"), ("a a", "a"), ("5 5", "5"), ("zwei", "zwei"), ("40",), ("1,200", "12"), ("$5", "5%"),
                    ("5", "5 reps 5")]:
        both, _ = naming._count_plan(data, "patient access reps", "", figures)
        nouns = ["patient access reps"] + list(data.get("nouns", ()))
        noun = "|".join(re.escape(x) for x in sorted(dict.fromkeys(nouns), key=len, reverse=True))
        plain = re.compile("|".join(rf"\b{re.escape(n)} (?:{noun})\b" for n in figures))  # the pattern as it was
        heads = tuple(dict.fromkeys(n + " " for n in figures))
        words = [f"{n} {x}" for n in figures for x in ("reps", "people", "patient access reps", "a a", "5")]
        for t in _said_in(rnd, texts, words + list(figures), 1500):
            want = len(plain.findall(t)) >= 2
            assert naming._says_two(t, both, heads) == want, (figures, t)
            assert naming._two_of(t, both) == want, (figures, t)  # and without the gate
            two += want
    assert two > 100


def _rewrite_plain(S, drafts, said, gap, change, needs=()) -> None:
    """naming._rewrite as it was (d46492f): every segment searched in turn."""
    R = S.R
    keep = S.keep
    kept = 0
    need0 = needs[0] if needs else ""
    need1 = needs[-1] if needs else ""
    since = gap
    for d in drafts:
        side = "seller" if d.side == "seller" else "buyer"
        for part in (d.head, d.core, d.body, d.tail):
            for k, (text, tags, opt) in enumerate(part):
                if (needs and need0 not in text and need1 not in text) or not said.search(text):
                    since += text.count(" ") + 1
                    continue
                out = []
                pieces = naming._SENT.findall(text)
                if "".join(pieces) != text:
                    pieces = [text]
                for s in pieces:
                    found = said.findall(s)
                    if found and kept >= naming.FIRST and since < gap:
                        new = change(s, side, d)
                        if new != s:
                            s, found = new, said.findall(new)
                    left = len(found)
                    if left:
                        kept += left
                        since = 0
                    since += s.count(" ") + 1
                    out.append(s)
                new = "".join(out)
                if new != text:
                    R.carry(text, new)
                    if text in keep:
                        keep.add(new)
                    d.words += new.count(" ") - text.count(" ")
                    part[k] = (new, tags, opt)


def _call(rnd: random.Random, texts: list[str], names: tuple[str, ...]):
    """A call's drafts (turns of both sides, some parts empty) with the names said now and then."""
    drafts = []
    for i in range(rnd.randrange(0, 40)):
        d = Draft(i, SimpleNamespace(id=f"p{i % 3}", side=rnd.choice(["seller", "buyer", "buyer_2"])))
        for part in (d.head, d.core, d.body, d.tail):
            for _ in range(rnd.choice([0, 0, 1, 1, 2, 4])):
                t = rnd.choice(texts)
                if rnd.random() < 0.4:
                    ws = t.split(" ")
                    for _ in range(rnd.randrange(1, 3)):
                        ws.insert(rnd.randrange(len(ws) + 1), rnd.choice(names) + rnd.choice(["", "", "'s", ".", "x"]))
                    t = " ".join(ws)
                part.append((t, (("tag", i),) if rnd.random() < 0.2 else (), rnd.random() < 0.5))
        d.words = sum(seg[0].count(" ") + 1 for p in (d.head, d.core, d.body, d.tail) for seg in p)
        drafts.append(d)
    return drafts


def test_the_walk_over_a_calls_sentences_is_the_walk_over_each_segment():
    """`naming._rewrite` (only the texts saying a need searched, the words in
    between counted at once) asks `change` the same sentences in the same
    order, with the same side and turn, and leaves the same segments, word
    counts, carried labels and kept texts as the segment-by-segment walk;
    for needs of either order, one inside the other or not, and none."""
    rnd = random.Random(22)
    texts = [s for s in _texts("en-US") if len(s) < 300][:4000]
    asked = changed = 0
    for k in range(400):
        company, short = NAMES[k % len(NAMES)]
        names = tuple(dict.fromkeys((company, short)))
        needs = [names, names[::-1], (), (names[-1],)][k % 4]
        said = naming._said(names)
        gap = rnd.choice([5, 40, 120, 10_000])
        base = _call(rnd, texts, names)
        runs = []
        for walk in (_rewrite_plain, naming._rewrite):
            drafts = copy.deepcopy(base)
            log: list = []
            keep = {seg[0] for d in drafts for p in (d.head, d.core) for seg in p}
            S = SimpleNamespace(R=SimpleNamespace(carry=lambda a, b, log=log: log.append(("carry", a, b))), keep=keep)
            r = random.Random(k)

            def change(s, side, d, r=r, log=log):
                log.append(("change", s, side, d.i))
                return said.sub("us", s) if r.random() < 0.6 else s
            # naming._rewrite also takes the pattern's maker (called at the first text saying a need)
            walk(S, drafts, said if walk is _rewrite_plain or k % 2 else (lambda: said), gap, change, needs)
            runs.append((log, [(d.words, d.head, d.core, d.body, d.tail) for d in drafts], sorted(keep)))
        assert runs[0] == runs[1], (company, needs, gap)
        asked += sum(x[0] == "change" for x in runs[0][0])
        changed += sum(x[0] == "carry" for x in runs[0][0])
    assert asked > 500 and changed > 300


def test_texts_saying_a_need_are_the_texts_with_either_need():
    """`naming._saying`: the texts holding the first or the last need, in
    order, whichever holds the other (a short name inside the full one)."""
    rnd = random.Random(23)
    texts = _texts("en-US")[:2000]
    for k in range(300):
        company, short = NAMES[k % len(NAMES)]
        needs = [(company, short), (short, company), (short,), (company + " ", short), ("25 ",), ("ab", "b")][k % 6]
        said_in = _said_in(rnd, texts, [company, short, "25 ", "ab"], rnd.randrange(0, 60))
        assert naming._saying(said_in, needs) == \
            [i for i, t in enumerate(said_in) if needs[0] in t or needs[-1] in t]
    assert list(naming._saying(["a", "b"], ())) == [0, 1]


def test_a_new_signal_is_found_as_the_two_readings_find_it():
    """`naming._adds_signal(new, old)` (old read only when new reads as a
    signal) is `text_categories(new) - text_categories(old)`, on bank texts
    with signal words said in, left out and swapped."""
    rnd = random.Random(24)
    both = 0
    for loc in banks.supported_locales():
        lex = load_lexicon(loc)
        words = sorted({k for row in lex.classify.signal_terms for k in row.get("keywords") or ()})
        texts = _texts(loc)[:1500]
        for t in texts:
            new = _said_in(rnd, [t], words, 1)[0] if rnd.random() < 0.5 else t
            old = _said_in(rnd, [t], words, 1)[0] if rnd.random() < 0.5 else rnd.choice(texts)
            want = bool(text_categories(loc, new) - text_categories(loc, old))
            assert naming._adds_signal(loc, new, old) == want, (loc, new, old)
            both += want
    assert 50 < both < 2000


def _shares_plain(phrase: str, text: str, proper: frozenset[str] = frozenset()) -> bool:
    """habits._shares as it was (d46492f): the phrase read again for each text."""
    W, base = habits._W, habits._base
    p = W.findall(phrase.lower()) if phrase.isascii() else [w.lower() for w in W.findall(phrase)]
    tw = W.findall(text.lower()) if text.isascii() else [w.lower() for w in W.findall(text)]
    if proper:
        mine = {base(w) for w in p} & proper
        if mine and mine & {base(w) for w in tw}:
            return True
    t = " " + " ".join(tw) + " "
    if len(p) < 3:
        return bool(p) and f" {' '.join(p)} " in t
    return any(f" {p[i]} {p[i + 1]} {p[i + 2]} " in t for i in range(len(p) - 2))


def test_a_habit_phrase_read_once_shares_what_it_shared_read_each_time():
    """`habits._shares`, `_stays` and `names` with a phrase's words, word count
    and an account's name words made once answer as the code reading them
    for each sentence: on the habit banks' phrases (and short, empty and
    non-ASCII ones) against bank texts saying some of their words, for
    several accounts' proper names in turn (one account's entry never
    answers for another's)."""
    rnd = random.Random(25)
    yes = no = 0
    for loc in banks.supported_locales():
        bank = banks.load_bank(loc)
        phrases = ["", "Out", "at least", "Here at Redfold", "Σ Straße ÄÖ, ja", "here at Zoë's", "...", "Ab's"]
        for key, v in bank.items():
            if key.startswith("habit.") and isinstance(v, list):
                phrases += [" ".join(str(x) for x in t) if isinstance(t, (list, tuple)) else str(t) for t in v]
        texts = _texts(loc)[:2000]
        for k in range(6000):
            phrase = rnd.choice(phrases).replace("{co}", rnd.choice(["Redfold", "Zoë", "Ab"]))
            words = habits._W.findall(phrase) or ["x"]
            text = _said_in(rnd, texts, [" ".join(words[i:i + 3]) for i in range(len(words))], 1)[0]
            values = tuple(rnd.choice(["", "Redfold Logistics", "Zoë Care", "Ab", "Nordwerk 24", "Graniteline"])
                           for _ in habits.NAME_SLOTS)
            R = SimpleNamespace(slots=dict(zip(habits.NAME_SLOTS, values)))
            proper = frozenset(w.lower() for v in values for w in habits._W.findall(v)
                               if len(w) > 2 and not w.isdigit())
            assert habits.names(R) == proper, values
            want = _shares_plain(phrase, text, proper)
            assert habits._shares(phrase, text, proper) == want, (phrase, text, proper)
            assert habits._shares(phrase, text) == _shares_plain(phrase, text)
            yes += want
            no += not want
            n = len(habits._WORDS.findall(text))
            stays = n >= habits.WHOLE_WORDS or n + len(habits._WORDS.findall(phrase)) < habits.WHOLE_WORDS
            assert habits._stays(text, phrase) == stays
            short = " ".join(text.split(" ")[:rnd.randrange(1, 6)])
            n = len(habits._WORDS.findall(short))
            assert habits._stays(short, phrase) == \
                (n >= habits.WHOLE_WORDS or n + len(habits._WORDS.findall(phrase)) < habits.WHOLE_WORDS)
    assert yes > 1000 and no > 1000


def _rule_patterns() -> list[str]:
    """Every rule pattern naming.py compiles from the locales' lexicons (name
    rules for stand-ins and for names of odd edges, head-count rules for odd
    nouns), and patterns of shapes `_literal_first` must leave as they are or
    split with care (a repeated word or group, a top-level branch, escaped
    parentheses in a lookbehind, flags)."""
    out = [r"\bfoos? x", r"\b(a|b)? x", r"\bfoo|bar", r"(?<=a\)b)\bx", r"\bab{2}c", r"\b(?:ab|a)b\b", r"(?i)\bab",
           r"\b(?:a b|b) c", r"(?<!x )(?<=\w )\b(ab|b) c", r"\bab*", r"\b(ab|cd)+", r"\bab(?=c)", r"\b(ab|cd) \1?",
           r"\b(ab)\1", r"(?<![ab]c)\bab", r"\b[ab]c", r"\ba\.b", r"\bQzxvfirmaqz's\b"]
    for loc in banks.supported_locales():
        lex = load_lexicon(loc)
        for refs in (lex.account_refs or {}).values():
            if isinstance(refs, str):
                continue
            refs = tuple(tuple(x) for x in refs)
            for company, short in [naming._STAND, ("qzxvfirmaqz", ""), ("A.B. & Co (Nord)", "A.B."), ("Redfold", "")]:
                out += [p.pattern for p, _, _ in naming._rules(company, short, refs)]
                alt = "|".join(re.escape(x) for x in (company, short) if x)
                out += [p.replace("{co}", f"(?:{alt})") for p, _ in refs]
        data = lex.headcount_refs or {}
        for rows in [data.get("buyer", ()), data.get("seller", ())] + list((data.get("keep_figure") or {}).values()):
            for noun in ("people|reps", "patient\\ access\\ reps|Leute", "a\\(b\\)"):
                out += [p.replace("{n}", naming._FIGURE).replace("{noun}", noun) for p, _ in rows]
    return list(dict.fromkeys(out))


def _sample(p: str, rnd: random.Random) -> str:
    """A text `p` may match: drawn from its parsed form (lookbehinds and
    negative lookaheads left out, what a lookahead wants said next)."""
    from re import _constants as C, _parser
    letters = "abcdefghijklmnopqrstuvwxyzAZäß"
    groups: dict[int, str] = {}

    def draw(seq) -> str:
        out = []
        for op, av in seq:
            if op is C.LITERAL:
                out.append(chr(av))
            elif op is C.NOT_LITERAL or op is C.ANY:
                out.append(rnd.choice("x .'"))
            elif op is C.IN:
                opts = []
                for o, a in av:
                    if o is C.LITERAL:
                        opts.append(chr(a))
                    elif o is C.RANGE:
                        opts.append(chr(rnd.randrange(a[0], a[1] + 1)))
                    elif o is C.CATEGORY:
                        opts.append({C.CATEGORY_SPACE: " ", C.CATEGORY_DIGIT: "7"}.get(a, rnd.choice(letters)))
                out.append(rnd.choice(opts or ["x"]))
            elif op is C.BRANCH:
                out.append(draw(rnd.choice(av[1])))
            elif op is C.SUBPATTERN:
                t = draw(av[3])
                if av[0]:
                    groups[av[0]] = t
                out.append(t)
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                lo, hi, sub = av
                out += [draw(sub) for _ in range(rnd.randint(lo, min(hi, lo + 2)))]
            elif op is C.ASSERT and av[0] == 1:  # what a lookahead wants next
                out.append(draw(av[1]))
            elif op is C.GROUPREF:
                out.append(groups.get(av, ""))
            elif op is C.CATEGORY:
                out.append({C.CATEGORY_SPACE: " ", C.CATEGORY_DIGIT: "7"}.get(av, rnd.choice(letters)))
        return "".join(out)
    return draw(_parser.parse(p))


def test_a_rule_checking_its_opening_boundary_after_its_first_word_matches_as_the_rule():
    """`naming._literal_first(p)` (the opening `\\b` and lookbehinds checked
    after the first word) finds every match, span and group `p` finds, and
    substitutes alike, for every rule of the lexicons and for odd shapes, on
    bank texts with the rules' words and the names said in and around;
    patterns of other shapes come back as they are."""
    rnd = random.Random(26)
    pats = _rule_patterns()
    texts = [s for loc in banks.supported_locales() for s in _texts(loc)[:1500]]
    changed = hits = 0
    for p in pats:
        old, fast = re.compile(p), naming._literal_first(p)
        if fast == p:
            continue
        changed += 1
        new = re.compile(fast)
        assert new.groups == old.groups, (p, fast)
        # texts the pattern matches (drawn from it), said in bank texts after words its lookbehinds refuse
        phrases = [_sample(p, rnd) for _ in range(60)] + ["on", "teams", "A.B.", "Qzxvfirmaqz's"]
        said_in = _said_in(rnd, texts, phrases, 400) + ["ab", "abb c", "xab", "a b c", "b c", "ab ab c", "Ab", "AB"]
        h = _same_matches(old, new, said_in)
        assert h >= 20, (p, h)  # enough matches to compare (the count moves with the bank texts sampled: 30-40)
        hits += h
        assert [new.sub(r"<\g<0>>", t) for t in said_in] == [old.sub(r"<\g<0>>", t) for t in said_in]
    assert changed >= 15 and hits > 2000
    for p in (r"\b(a|b)? x", r"(?<=a\)b)\bx", r"(?i)\bab", r"\b[ab]c", r"\b(ab|cd)+", r"\ba\.b"):
        assert naming._literal_first(p) in (p,) or re.compile(naming._literal_first(p)).groups == re.compile(p).groups


def test_the_words_of_a_stock_line_are_the_words_of_the_pattern():
    """`naming._stock` (an ASCII text's words found by an ASCII pattern) is the
    plain reading by `_WORDS`, on bank texts with case-fold letters, curly
    apostrophes and the account's facts said in."""
    rnd = random.Random(27)
    facts = frozenset({"jordan", "25", "k", "redfold", "i̇"})
    texts = _said_in(rnd, [s for loc in banks.supported_locales() for s in _texts(loc)[:2000]],
                     ["Jordan", "25", "K", "Redfold’s", "İ", "x_y", "O'Neil"], 8000)
    stock = 0
    for t in texts + [t[:25] for t in texts[:2000]]:
        w = naming._WORDS.findall(t.lower())
        want = len(w) >= naming.SHORT and not facts.intersection(w)
        assert naming._stock(t, facts) == want, t
        stock += want
    assert 1000 < stock < len(texts)


def _cap_plain(m: re.Match, rep: str, text: str) -> str:
    """naming._cap as it was (d46492f)."""
    out = m.expand(rep)
    before = text[:m.start()].rstrip()
    if out and (not before or before[-1] in ".?!:—") and m.group(0)[:1].isupper():
        out = out[0].upper() + out[1:]
    return out


def test_a_mention_said_in_plain_words_keeps_its_capital_as_before():
    """`naming._cap` (the text before the mention read only when the mention
    opens with a capital) gives what it gave, for the replacements of the
    lexicons at each position of bank texts."""
    rnd = random.Random(28)
    reps = ["our \\1", "\\1 us", "here", "", "Unsere \\2", "\\2", " here ", "x\\1 "]
    rx = re.compile(r"\b((?i:here|for)) (Redfold|redfold)\b")
    n = 0
    for s in [s for loc in banks.supported_locales() for s in _texts(loc)[:3000]]:
        ws = s.split(" ")
        i = rnd.randrange(len(ws) + 1)
        lead = rnd.choice(["", "", "—", "—", ":", ".", "?", "!", ",", "-"])
        said = [rnd.choice(["Here", "here", "For", "for"]), rnd.choice(["Redfold", "redfold"])]
        t = " ".join(ws[:i] + ([lead] if lead else []) + said + ws[i:])
        for m in rx.finditer(t):
            rep = rnd.choice(reps)
            assert naming._cap(m, rep, t) == _cap_plain(m, rep, t), (t, rep)
            n += 1
    assert n > 3000


def test_head_count_rules_compiled_when_first_needed_are_the_rules_of_that_side():
    """A plan's rules per side (compiled when a call first asks) are
    `_count_rules` of that side's rows and the account's nouns, and two
    accounts counting other people do not share them."""
    data = load_lexicon("en-US").headcount_refs
    _, plans = naming._count_plan(data, "patient access reps", "", ("25",))
    _, others = naming._count_plan(data, "nurses", "", ("25",))
    nouns = ["patient access reps"] + list(data["nouns"])
    noun = "|".join(re.escape(x) for x in sorted(dict.fromkeys(nouns), key=len, reverse=True))
    for side in ("seller", "buyer"):
        assert plans[0][3][side] == naming._count_rules(naming._rows(data[side]), noun)
        assert plans[0][4][side] == naming._count_rules(naming._rows(data["keep_figure"][side]), noun)
        assert plans[0][3][side] != others[0][3][side] and plans[0][4][side] != others[0][4][side]


def _said_twice_plain(s: str) -> int:
    """naming._said_twice as it was (41bcbfc): every three-word run listed."""
    w = naming._W3.findall(s.lower())
    runs = [tuple(w[i:i + 3]) for i in range(len(w) - 2)]
    return len(runs) - len(set(runs))


def test_runs_said_twice_are_counted_as_the_list_of_runs_counts_them():
    """`naming._said_twice` (runs zipped, none for fewer than four words) and
    `naming._twice_more` (the old sentence read only when the new one says a
    run again) answer as the plain count, on bank texts with runs repeated,
    cut short and punctuated, of every length down to none."""
    rnd = random.Random(30)
    texts = [s for loc in banks.supported_locales() for s in _texts(loc)[:2000]]
    said = []
    for t in texts:
        ws = t.split(" ")
        i = rnd.randrange(len(ws) + 1)
        k = rnd.randrange(2, 6)
        said.append(" ".join(ws[:i] + ws[i:i + k] + [rnd.choice(["", ",", "—", "?"])] + ws[i:]))
        said.append(" ".join(ws[:rnd.randrange(0, 6)]))
    said += ["", "a", "a a", "a a a", "a a a a", "a b c a b c", "A, b. c; a b c!", "x y z x y", "a  a  a  a"]
    counts = [_said_twice_plain(s) for s in said]
    assert [naming._said_twice(s) for s in said] == counts
    assert sum(c > 0 for c in counts) > 1000 and sum(c == 0 for c in counts) > 1000
    pairs = [(rnd.choice(said), rnd.choice(said)) for _ in range(20_000)] + [(s, s) for s in said[:500]]
    more = [naming._twice_more(a, b) for a, b in pairs]
    assert more == [_said_twice_plain(a) > _said_twice_plain(b) for a, b in pairs]
    assert 500 < sum(more) < len(pairs) - 500


def test_a_text_read_as_one_sentence_is_one_piece_of_the_sentence_pattern():
    """`naming._one_sentence(t)` (no stop before the closing run of stops and
    spaces) says `_rewrite` may take `t` whole: `_SENT.findall(t)` is `[t]`
    there, on bank texts cut anywhere and closed by stops, spaces, line
    breaks, points between digits and ellipses."""
    rnd = random.Random(31)
    texts = [s for loc in banks.supported_locales() for s in _texts(loc)[:3000]]
    ends = ["", ".", "?", "!", "?!", "...", " ", ". ", ".\n", "\n", " .", "3.5", ". 3.5", "…", "\t!", "  "]
    one = many = 0
    for t in texts:
        for s in (t, t[:rnd.randrange(len(t) + 1)] + rnd.choice(ends), rnd.choice(ends) + t, rnd.choice(ends)):
            pieces = naming._SENT.findall(s)
            if naming._one_sentence(s):
                assert pieces == [s], s
                one += 1
            else:
                many += pieces != [s]
    assert one > 5000 and many > 1000


def test_rewrites_sharing_a_walk_leave_what_rewrites_reading_the_drafts_again_leave():
    """`naming._rewrite` given `_walk(drafts)` made once for several rewrites
    (count_less: one per figure) asks and leaves what each rewrite reading
    the drafts anew does: the texts a rewrite changed are the next one's."""
    rnd = random.Random(32)
    texts = [s for s in _texts("en-US") if len(s) < 300][:4000]
    changed = 0
    for k in range(300):
        names = [tuple(dict.fromkeys(NAMES[(k + j) % len(NAMES)])) for j in range(rnd.randrange(2, 4))]
        base = _call(rnd, texts, tuple(x for n in names for x in n))
        gap = rnd.choice([5, 40, 10_000])
        runs = []
        for shared in (False, True):
            drafts = copy.deepcopy(base)
            log: list = []
            keep = {seg[0] for d in drafts for p in (d.head, d.core) for seg in p}
            S = SimpleNamespace(R=SimpleNamespace(carry=lambda a, b, log=log: log.append(("carry", a, b))), keep=keep)
            walk = naming._walk(drafts) if shared else None
            r = random.Random(k)
            for j, n in enumerate(names):
                said = naming._said(n)
                # a mention said as the next rewrite's name: what the shared texts must carry over
                other = names[(j + 1) % len(names)][0]

                def change(s, side, d, r=r, log=log, said=said, other=other):
                    log.append(("change", s, side, d.i))
                    return said.sub(other, s) if r.random() < 0.7 else s
                naming._rewrite(S, drafts, said, gap, change, n, walk)
            runs.append((log, [(d.words, d.head, d.core, d.body, d.tail) for d in drafts], sorted(keep)))
            if shared:
                assert walk == naming._walk(drafts)  # the walk is the drafts' as they were left
        assert runs[0] == runs[1], (names, gap)
        changed += sum(x[0] == "carry" for x in runs[0][0])
    assert changed > 300
