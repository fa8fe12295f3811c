"""How often a call says the account's name. The banks write `{co}` wherever
a sentence is about the account ("the agents at {co}", "{co}'s process"),
which drawn turn after turn makes some 25 mentions per 1,000 words: nobody
talks like that. People name the company once or twice and then say "here",
"our", "your team". So, after the call is drafted, the name stays where it
carries something (the first mentions, then once in a long while) and
elsewhere the locale's `account_refs` (lexicon.json, per side: a buyer says
"here" and "our", the seller "on your side" and "your") take its place. A
stock sentence whose only fact of the account was its name keeps the name:
said without it, it would be one sentence heard in call after call. A locale
without rules keeps every mention. A changed sentence keeps its original's
signal labels, and a change that would read as a signal ("{co}'s board" ->
"our board") is not made."""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from re import _constants as _sre, _parser
from typing import Any, Callable

from corpusc.plan import rng
from corpusc.render.template.drafting import Draft, first_name
from corpusc.render.template.signals import text_categories

FIRST = 2  # mentions said with the name, from the start of the call
# the sides whose stock lines keep the account's name to stay their own: a rep says the prospect's name, a buyer
# seldom says its own company's (1,000 generated calls, seed 1: 17 times a call while buyers' lines kept it)
NAME_KEEPERS = frozenset({"seller"})
GAP = 300  # words after a mention said with the name before the name is said again (the call's, both sides)
# times a call keeps the name in a rep's stock line it would leave out (the line without it said in call after
# call): beyond that the stock line is said. Unbounded, a rep said the prospect's name 14 times a call (median,
# 300 generated calls, seed 3; 52 at most: "at Alderbrook's size", "the Alderbrook team", "Alderbrook's agents")
KEEP_NAME = 3
SHORT = 6  # a sentence this short after the change is no stock line of the banks (quality.MIN_SENTENCE)
# the name's "'s" before these is "is" or "has" ("Redfold's doing well", "Redfold's been good"), no possessive
_NOT_POSS = r"(?!\s+(?:\w+ing|been|got|a|an|the|not|still|also|always|just|really|pretty|very|quite|in|on|at|" \
    r"back|up|over|under|about|all|so|too|more|less|already|now|here|there|had|done|seen|made|known)\b)"
_WORDS = re.compile(r"[\w'’]+")
_WORDS_ASCII = re.compile(r"[A-Za-z0-9_']+")  # _WORDS on an ASCII text (\w says no other ASCII character), faster
# a sentence: up to its stop, a point between digits ("11.900", "3.5") being none
_SENT = re.compile(r"(?:[^.!?]|(?<=\d)\.(?=\d))+(?:[.!?]+|$)\s*")
# slots whose words are facts of this account or call (a head count, a colleague, the rival)
FACT_SLOTS = ("reps", "calls", "seats", "annual", "dm", "buyer")
# the patterns of an account's name and head counts, compiled once per account: `re`'s own cache
# (512 patterns) overflows after a few dozen accounts, and a compile costs a hundred searches
_rx = lru_cache(maxsize=4096)(re.compile)


def _needs(pat: re.Pattern) -> tuple[str, ...]:
    """Literal runs every match of `pat` says (its top-level words, and those
    of its plain groups): a text without one of them has no match, so the
    substitution is passed by (tests/test_render_speed.py); () when unknown."""
    return _runs(pat.pattern, pat.flags)


def _runs(pattern: str, flags: int = 0) -> tuple[str, ...]:
    """`_needs` of the pattern `pattern` compiled with `flags`."""
    if flags & re.IGNORECASE:
        return ()
    try:
        tree = _parser.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - no gate: every text is searched
        return ()
    runs: list[str] = []

    def walk(seq) -> None:
        cur: list[str] = []
        for op, av in seq:
            if op is _sre.LITERAL:
                cur.append(chr(av))
                continue
            if cur:
                runs.append("".join(cur))
                cur = []
            if op is _sre.SUBPATTERN and not av[1] and not av[2]:  # a group without flags: said whole
                walk(av[3])
        if cur:
            runs.append("".join(cur))
    walk(tree)
    return tuple(sorted(set(runs), key=lambda x: (-len(x), x)))  # the longest (rarest) first


@lru_cache(maxsize=256)
def _rules(name: str, short: str, refs: tuple) -> tuple:
    """The locale's rules for one side, compiled for this account's name
    (its full display name or its first word)."""
    # the short name never as the first part of the full one ("bei Redfold" in "bei Redfold Logistics's"):
    # under stand-ins (`_plain_named`) the full name is one word
    rest = name[len(short):] if short and name != short and name.startswith(short) else ""
    alt = "|".join(re.escape(x) + (f"(?!{re.escape(rest)})" if x == short and rest else "")
                   for x in dict.fromkeys((name, short)) if x)
    out = []
    for p, r in refs:
        if "{co}'s" in p:  # a possessive: not "Redfold's doing well"
            p = p.replace("{co}'s\\b", "{co}'s\\b" + _NOT_POSS)
        else:  # the name alone: not the first half of "Redfold's" ("like yours's")
            p = p.replace("{co}\\b", "{co}\\b(?!['’]s\\b)")
        p = p.replace("{co}", f"(?:{alt})")
        out.append((_rx(_literal_first(p)), tuple(r.split("|")), _runs(p)))
    return tuple(out)


# a pattern opening with `\b` (after lookbehinds, if any) and a word, or a group of words one of which it
# says ("\b(?:at|inside) ", "(?<!\bon )\b(for|with) "), not repeated: (lookbehinds, word, "?:", words)
_OPENS = re.compile(r"((?:\(\?<[!=](?:[^()\\]|\\[^()])*\))*)\\b"
                    r"(?:([A-Za-z]+)|\((\?:)?([A-Za-z ]+(?:\|[A-Za-z ]+)*)\))(?![?*+{])")


def _literal_first(p: str) -> str:
    r"""The pattern `p` with the `\b` it opens with (and the lookbehinds before
    it) checked after the word that follows, as `_lead` writes a name: the
    same matches (assertions of one position, checked there from after the
    word), found as fast as a word is found (`re` skips to the possible first
    letters where it tries `\b` at every position: "\bwith {co}" 6x faster).
    `p` itself when it opens otherwise (tests/test_naming_speed.py)."""
    m = _OPENS.match(p)
    if m is None:
        return p
    behind, word, plain, words = m.groups()
    rest = p[m.end():]
    if word:
        return rf"{word}(?<={behind}\b{word}){rest}"
    return ("(?:" if plain else "(") + "|".join(rf"{w}(?<={behind}\b{w})" for w in words.split("|")) + ")" + rest


def name_less(S: Any, drafts: list[Draft]) -> None:
    """The account's name said where it carries something, plain words elsewhere."""
    R = S.R
    refs = R.lex.account_refs
    company = str(R.slots.get("company") or "")
    short = str(R.slots.get("co") or "")
    if not refs or not short:
        return
    names = tuple(dict.fromkeys(x for x in (company, short) if x))  # a mention says one of these
    said = _said(names)
    rows: dict[str, tuple] = {}  # each side's rules and their compiled form (`_prepared`), made once a call
    facts = _facts(S)
    kept = [0]  # stock lines that kept the name beyond the first mentions (KEEP_NAME)

    def plain(s: str, side: str, d: Draft) -> str:
        hit = rows.get(side)
        if hit is None:
            rs = tuple(tuple(x) for x in refs.get(side, ()))
            hit = rows[side] = (rs, _prepared(names, rs))
        new = _plain_named(R, s, hit[0], names, said, d.slots, hit[1])
        if new == s or _adds_signal(R.loc, new, s) or _twice_more(new, s) or _placed_more(R, new, s):
            # words that read as a signal ("our board"), or the stand-in said twice ("nobody owned it on our
            # side, ... at least on our side"): as it was
            return s
        if side in NAME_KEEPERS and kept[0] < KEEP_NAME and _stock(new, facts):
            kept[0] += 1
            return s  # a rep's stock line without the name: as it was, a few times a call
        return new
    _rewrite(S, drafts, said, GAP, plain, names)


def _placed_more(R: Any, new: str, old: str) -> bool:
    """Whether `new` says where the speaker stands twice where `old` did not
    ("For us, ... at Kestrel" -> "For us, ... here"): the name stays."""
    n = R.lex.places_in(new)
    return n > 1 and n > R.lex.places_in(old)


_STAND = ("Qzxvfirmaqz", "Qzxvkurzqz")  # word characters no bank says


@lru_cache(maxsize=1024)
def _stand_ins(names: tuple[str, ...]) -> tuple[str, ...]:
    """Stand-ins for an account's names under which the locale's rules, compiled
    once, match where the rules compiled for the names would (compiled per
    account, they were a fifth of the sales renderer's time): each name begins
    and ends with a word character, and the stand-in begins with a capital
    where the name does (a sentence's first word keeps its capital, `_cap`).
    () for a name of other edges: its own rules are compiled."""
    if not names or any(not (n[0].isalnum() or n[0] == "_") or not (n[-1].isalnum() or n[-1] == "_") for n in names):
        return ()
    up = names[0][0].isupper()
    if any(n[0].isupper() != up for n in names):
        return ()
    return tuple(x if up else x.lower() for x in _STAND[:len(names)])


def _prepared(names: tuple[str, ...], refs: tuple) -> tuple:
    """What `_plain_named` runs for these names and rules: (stand-ins, name ->
    stand-in, the compiled rules, the stand-ins' pattern), or (), None, the
    rules compiled for the names themselves, None for a name of other edges."""
    stand = _stand_ins(names)
    if not stand:
        return (), None, _rules(*(names + ("",))[:2], refs), None
    return stand, dict(zip(names, stand)), _rules(*(stand + ("",))[:2], refs), _said(stand)


def _lead(lit: str) -> str:
    r"""`\b` and then the literal `lit`, written as the literal and a lookbehind
    that checks the `\b` before it: the same matches, but `re` finds a pattern
    that opens with a literal by skipping to the literal's first character,
    where it tries a pattern that opens with `\b` at every position (3 to 7
    times slower on a sentence; tests/test_naming_speed.py compares the two)."""
    x = re.escape(lit)
    return rf"{x}(?<=\b{x})"


@lru_cache(maxsize=4096)
def _said(names: tuple[str, ...]) -> re.Pattern:
    r"""`\b(?:name|short)\b`: a mention of one of `names` (the first tried
    first). The names' common start is written once ("Redfold(?<=\bRedfold)
    (?:\ Logistics|)\b"): the same matches (the `\b` before each name is the
    one before their start), compiled in half the time (one per account)."""
    common = os.path.commonprefix(names) if len(names) > 1 else ""
    if common:
        return _rx(_lead(common) + "(?:" + "|".join(re.escape(x[len(common):]) for x in names) + r")\b")
    return _rx("(?:" + "|".join(_lead(x) for x in names) + r")\b")


def _plain_named(R: Any, text: str, refs: tuple, names: tuple[str, ...], said: re.Pattern, kw: dict[str, Any],
                 prepared: tuple | None = None) -> str:
    """`_plain` by the side's rules (`refs`) for an account's names (`said`
    finds them): compiled once for every account and run on the text with
    the names said by their stand-ins, or, for a name of other edges,
    compiled for the name itself. `prepared`: `_prepared(names, refs)`, made
    once by the caller."""
    stand, to, rules, stand_said = prepared or _prepared(names, refs)
    if not stand:
        return _plain(R, text, rules, said, kw)
    out = _plain(R, said.sub(lambda m: to[m.group(0)], text), rules, stand_said, kw)
    for k, v in zip(stand, names):
        out = out.replace(k, v)
    return out


def _walk(drafts: list[Draft]) -> tuple[list[list], list[str]]:
    """The parts of a call's drafts in order (the four parts of each draft in
    turn) and their texts in order, as `_rewrite` walks them."""
    parts = [p for d in drafts for p in (d.head, d.core, d.body, d.tail)]
    return parts, [seg[0] for p in parts for seg in p]


def _rewrite(S: Any, drafts: list[Draft], said: re.Pattern | Callable[[], re.Pattern], gap: int,
             change: Callable[[str, str, Draft], str], needs: tuple[str, ...] = (),
             walk: tuple[list[list], list[str]] | None = None, first: int = FIRST) -> None:
    """Walk the call's sentences in order and let `change` say again each one
    that mentions `said` after its first `first` mentions and within `gap`
    words of the last mention kept; a changed text keeps its labels.
    `needs`: one or two strings one of which every match of `said` contains
    (a text holding neither is passed by without the search). `said` may be
    a function that makes the pattern: called at the first text saying a need
    (a pattern of the account's compiled only in a call that needs it).
    `walk`: `_walk(drafts)`, made by the caller for several rewrites of the
    same drafts (a text changed here is changed in it too)."""
    if len(needs) > 2:
        raise ValueError("_rewrite: at most two strings a match needs")
    # the call's texts in order (the four parts of each draft in turn): only a text saying a need (or, without
    # needs, any text) is searched; the words of the texts between two mentions are counted at once (`_words`)
    parts, texts = walk or _walk(drafts)
    hits = _saying(texts, needs)
    if not hits:
        return
    R = S.R
    keep = S.keep
    kept = 0
    ends = list(accumulate(map(len, parts)))  # the index after each part's last text
    since = gap  # words since the thing was last said
    done = 0  # texts before this one have their words in `since`
    findall = search = None
    for i in hits:
        text = texts[i]
        if findall is None:
            if callable(said):  # (a pattern is not)
                said = said()
            findall, search = said.findall, said.search
        if _one_sentence(text):  # its mentions are the text's, and it has one where it has any match
            found = findall(text)
            if not found:
                continue  # its words are counted with the next text that says it
            if i > done:
                since += _words(texts, done, i)
            done = i + 1
            new = text
            if kept >= first and since < gap:
                j = bisect_right(ends, i)  # the part it is in
                d = drafts[j >> 2]
                new = change(text, "seller" if d.side == "seller" else "buyer", d)
                if new != text:
                    found = findall(new)
            if found:
                kept += len(found)
                since = 0
            since += new.count(" ") + 1
            if new == text:
                continue
        else:
            if not search(text):
                continue  # its words are counted with the next text that says it
            if i > done:
                since += _words(texts, done, i)
            done = i + 1
            j = bisect_right(ends, i)  # the part it is in
            d = drafts[j >> 2]
            side = "seller" if d.side == "seller" else "buyer"
            out = []
            pieces = _SENT.findall(text)
            if "".join(pieces) != text:  # not plain sentences ("…and so"): as it is
                pieces = [text]
            for s in pieces:
                found = findall(s)
                if found and kept >= first and since < gap:
                    new = change(s, side, d)
                    if new != s:
                        s, found = new, findall(new)
                left = len(found)
                if left:
                    kept += left
                    since = 0
                since += s.count(" ") + 1
                out.append(s)
            new = "".join(out)
            if new == text:
                continue
        j = bisect_right(ends, i)  # the part it is in
        part, k, d = parts[j], i - (ends[j - 1] if j else 0), drafts[j >> 2]
        _, tags, opt = part[k]
        R.carry(text, new)  # its labels, each on the sentence that carries it
        if text in keep:
            keep.add(new)
        d.words += new.count(" ") - text.count(" ")
        part[k] = (new, tags, opt)
        texts[i] = new


def _one_sentence(text: str) -> bool:
    """Whether `_SENT.findall(text)` is `[text]` by the shape `_rewrite` reads
    it from: words without a stop, then at most a run of stops and spaces.
    The words (at least one character, none of ".!?") are taken whole by the
    pattern's repeat, a point after them being no point between digits (what
    follows it is a stop, a space or the end); the run of stops and the
    spaces after it close the match at the text's end."""
    u = text.rstrip().rstrip(".!?")
    return bool(u) and "." not in u and "?" not in u and "!" not in u


def _saying(texts: list[str], needs: tuple[str, ...]) -> list[int] | range:
    """The indices of the texts that say one of `needs` (at most two; all
    texts without needs), in order."""
    if not needs:
        return range(len(texts))
    need0, need1 = needs[0], needs[-1]
    if need1 in need0:  # a text saying need0 says need1 ("Redfold" of "Redfold Inc")
        return [i for i, t in enumerate(texts) if need1 in t]
    if need0 in need1:
        return [i for i, t in enumerate(texts) if need0 in t]
    return [i for i, t in enumerate(texts) if need0 in t or need1 in t]


def _words(texts: list[str], a: int, b: int) -> int:
    """The words of `texts[a:b]` as `_rewrite` counts them (each text's spaces
    and one): the spaces of the texts joined by one, and one."""
    return " ".join(texts[a:b]).count(" ") + 1


def _facts(S: Any) -> frozenset[str]:
    """The lower-cased names and figures of the call's own facts: a sentence
    saying one of them is this account's sentence with or without its name
    (made once a call: `name_less` and `count_less` run after the call is
    drafted, on its settled slots)."""
    hit = S.__dict__.get("_naming_facts")
    if hit is not None:
        return hit
    S._naming_facts = out = _call_facts(S)
    return out


def _call_facts(S: Any) -> frozenset[str]:
    R = S.R
    out = {w.lower() for p in S.P for w in _WORDS.findall(first_name(p.name))}
    for k in FACT_SLOTS:
        v = R.slots.get(k)
        if isinstance(v, str):
            out.update(w.lower() for w in _WORDS.findall(v) if w[:1].isupper() or w[:1].isdigit())
    return frozenset(out)


def _stock(sentence: str, facts: frozenset[str]) -> bool:
    """Whether a sentence said without the name would be a stock line: long
    enough to count, and no fact of the account in it."""
    low = sentence.lower()
    w = (_WORDS_ASCII if low.isascii() else _WORDS).findall(low)
    return len(w) >= SHORT and facts.isdisjoint(w)


def _adds_signal(loc: str, new: str, old: str) -> bool:
    """Whether `new` reads as a signal `old` did not: the categories of `old`
    are looked up only when `new` has any (most sentences have none)."""
    cats = text_categories(loc, new)
    return bool(cats) and bool(cats - text_categories(loc, old))


def _plain(R: Any, text: str, rules: tuple, said: re.Pattern, kw: dict[str, Any]) -> str:
    """`text` with each mention a rule covers said in plain words, one of the
    rule's alternatives (a sentence's first word keeps its capital). A rule
    is tried while the text still says the name; one whose words the text
    lacks (`_needs`) could not match and is passed by."""
    live = said.search(text) is not None
    for pat, reps, need in rules:
        if not live:
            break
        if need:
            for x in need:
                if x not in text:
                    break
            else:
                need = ()
            if need:
                continue
        new = pat.sub(lambda m: _cap(m, rng.pick(R.r, reps) if len(reps) > 1 else reps[0], text), text)
        if new != text:
            text = new
            live = said.search(text) is not None
    return text


_REF = re.compile(r"\\([1-9])(?![0-9])")
_REFS_ONLY = re.compile(r"(?:[^\\]|\\[1-9](?![0-9]))*")


@lru_cache(maxsize=None)
def _template(rep: str) -> tuple | None:
    """A replacement of literal words and group references (`\\1 us`) as its
    pieces (a group's number in place of each reference); None for any other."""
    if _REFS_ONLY.fullmatch(rep) is None:
        return None
    return tuple(int(p) if i % 2 else p for i, p in enumerate(_REF.split(rep)))


@lru_cache(maxsize=None)
def _pieces(rep: str) -> tuple | None:
    """`_template(rep)` and the highest group it refers to (0: none, `rep` is
    its own expansion); None for a replacement of any other kind."""
    t = _template(rep)
    return None if t is None else (t, max((p for p in t if p.__class__ is int), default=0))


def _expand(m: re.Match, rep: str) -> str:
    """`m.expand(rep)` (which parses `rep` again at each call), from `rep`'s pieces
    parsed once: a group that took no part says "" (tests/test_render_speed.py)."""
    t = _pieces(rep)
    if t is None or t[1] > m.re.groups:
        return m.expand(rep)
    if not t[1]:
        return rep
    return "".join(p if p.__class__ is str else (m.group(p) or "") for p in t[0])


def _cap(m: re.Match, rep: str, text: str) -> str:
    out = _expand(m, rep)
    if out and m.group(0)[:1].isupper():  # a capital kept where the mention opens a sentence
        before = text[:m.start()].rstrip()
        if not before or before[-1] in ".?!:—":
            out = out[0].upper() + out[1:]
    return out


COUNT_GAP = 1200  # words after a head count said with its figure before the figure is said again
# times a call keeps a figure it would leave out, because the line without it would be a stock line (its
# words varied instead: "our 85 staff"): beyond that the stock line is said. Unbounded, a long call kept it
# in most long sentences (sales_pov brightpath.demo: "85 staff" 9 times, "85 folks" 8, "85 patient access
# reps" 8)
KEEP_FIGURE = 2
# the same for a figure that is not the team's (the managers'): kept, it is said word for word ("our nine
# managers"; the team's keep varies its noun), so once. With two, sales_pov said "nine managers" 6 times in
# brightpath.demo and "forty-four managers" 6 times in northwind.review once the banks' new wordings moved the
# draws (two first mentions, two sentences with both figures, two stock lines kept)
KEEP_OWN_FIGURE = 1


def count_less(S: Any, drafts: list[Draft]) -> None:
    """The account's head counts ("25 patient access reps", "zwei Teamleiter")
    said with their figure in the first mentions and once in a long while,
    elsewhere without it ("our reps", "unsere Teamleiter"), by the locale's
    `headcount_refs` (reader14: one head-count phrase said 6 times or more in
    98 of 201 calls, "25 patient access reps" 22 times in one). The same
    guards as the name's: a line that would be a stock line, or words that
    would read as a signal, keep the figure."""
    R = S.R
    data = R.lex.headcount_refs
    if not data:
        return
    facts = _facts(S)
    figures = [R.slots.get(k) for k in ("reps", "managers")]
    figures = tuple(n for n in figures if isinstance(n, str) and n)
    both, plans = _count_plan(data, str(R.slots.get("people") or ""), str(R.slots.get("people_dat") or ""), figures)
    heads = tuple(dict.fromkeys(n + " " for n in figures))  # what each match of `both` begins with
    team = str(R.slots.get("reps") or "")
    # the call's texts, read once for every figure (each rewrite keeps them as it leaves them)
    walk = _walk(drafts) if plans else None
    for n, said, token, rules, same in plans:
        kept = [0]  # figures kept so a line would not be a stock one
        limit = KEEP_FIGURE
        if n != team:
            # the managers' figure keeps its own noun: "our two folks" reads as the whole team (reader19: "your
            # six folks" for the six team leads of 55 agents), and so does "a team your size"
            limit = KEEP_OWN_FIGURE
            same = _KEEP_AS_SAID
            rules = _BySide(lambda side, base=rules: _own_noun(base[side]))  # (compiled when a side first asks)

        def without(s: str, side: str, d: Draft, rules=rules, same=same, n=n, token=token, kept=kept,
                    limit=limit) -> str:
            if _says_two(s, both, heads):
                return s
            t = token.sub(_FIGURE, s)
            new = _count_sub(R, rules[side], t)
            if new != t and kept[0] < limit and _stock(new.replace(_FIGURE, n), facts):
                kept[0] += 1
                new = _count_sub(R, same[side], t)
            new = new.replace(_FIGURE, n) if new != t else s
            if new != s and (_adds_signal(R.loc, new, s) or _twice_more(new, s)):
                new = s  # a signal it did not carry, or words the sentence already says ("bei Teams Ihrer Größe" twice)
            return new
        _rewrite(S, drafts, said, COUNT_GAP, without, (n + " ",), walk)


# times a call keeps its volume's figure because the line without it would be a stock line: a volume said
# again reads as news ("Bei 210 Gesprächen pro Woche ..." seven times in a call), a stock line once more is less
KEEP_VOLUME = 1


def volume_less(S: Any, drafts: list[Draft]) -> None:
    """The account's weekly call volume ("700 calls a week", "700 Gesprächen
    pro Woche") said with its figure in the first mentions and once in a long
    while, elsewhere as the volume it is ("at that volume", "bei diesem
    Volumen"), by the locale's `volume_refs` (reader19: "700 Gespräche pro
    Woche" twelve times in one German call, each time as if new). The head
    count's guards: a line that would be a stock line, a signal it did not
    carry, or words said twice keep the figure."""
    R = S.R
    data = R.lex.volume_refs
    n = R.slots.get("calls")
    if not data or not isinstance(n, str) or not n:
        return
    facts = _facts(S)
    figure = re.escape(n)
    # the patterns are the figure's, compiled when first needed: `said` at the first text saying the figure
    # (a call in two says none), a side's rules at its first rewrite (most calls make none)
    said = lambda: _rx(data["said"].replace("{n}", figure), re.IGNORECASE)  # noqa: E731
    rules: dict[str, tuple] = {}

    kept = [0]  # figures kept so a line would not be a stock one, at most KEEP_VOLUME

    def without(s: str, side: str, d: Draft) -> str:
        rs = rules.get(side)
        if rs is None:
            rs = rules[side] = tuple((_rx(p.replace("{n}", figure)), tuple(r.split("|"))) for p, r in data.get(side, ()))
        new = s
        for pat, reps in rs:
            if n in new:
                new = pat.sub(lambda m: _expand(m, rng.pick(R.r, reps) if len(reps) > 1 else reps[0]), new)
        return _guarded(R, facts, kept, s, new)
    _rewrite(S, drafts, said, COUNT_GAP, without, (n + " ",))


def _guarded(R: Any, facts: frozenset[str], kept: list[int], s: str, new: str) -> str:
    """`new` in place of `s`, unless it carries a signal `s` did not or says
    words twice; or, `kept[0]` below KEEP_VOLUME, would be a stock line (then
    counted in `kept`). The guards of `volume_less` and `people_less`."""
    if new == s or _adds_signal(R.loc, new, s) or _twice_more(new, s):
        return s
    if kept[0] < KEEP_VOLUME and _stock(new, facts):
        kept[0] += 1
        return s
    return new


PEOPLE_GAP = 500  # words after the people word said in full before it is said in full again


def people_less(S: Any, drafts: list[Draft]) -> None:
    """The account's people word, when it is several words ("patient access
    reps"), said in full in the first mentions and once in a long while,
    elsewhere by its short form ("reps") from the locale's `people_short`
    (reader19: "patient access reps" 66 times in one demo). Both of its forms
    where the locale has two (the dative: "Leuten in der Disposition" ->
    "Leuten"), counted as one word: 34 "Mitarbeitenden im Patientenservice"
    in one German demo. The head count's guards: a signal the line did not
    carry or words said twice keep it; a line that would be a stock line
    keeps it once a call."""
    R = S.R
    table = R.lex.people_short
    forms = {w: table[w.lower()] for w in dict.fromkeys(str(R.slots.get(k) or "") for k in ("people", "people_dat"))
             if w and w.lower() in table}
    if not forms:
        return
    facts = _facts(S)
    longs = sorted(forms, key=len, reverse=True)  # the longer form first where one begins the other
    said = _rx(r"(?<![\w-])(?:" + "|".join(map(re.escape, longs)) + r")(?![\w-])", re.IGNORECASE)
    short = {w.lower(): v for w, v in forms.items()}
    kept = [0]

    def sub(m: re.Match) -> str:
        v = short.get(m.group(0).lower())
        if v is None:  # a case-folded match whose lower case is another string ("İ"): as said
            return m.group(0)
        return v[0].upper() + v[1:] if m.group(0)[:1].isupper() else v

    def without(s: str, side: str, d: Draft) -> str:
        return _guarded(R, facts, kept, s, said.sub(sub, s))
    # the pre-check is a plain substring test of what every form begins with (the word opening a sentence,
    # "Patient access reps are ...", too)
    stem = os.path.commonprefix(longs)
    _rewrite(S, drafts, said, PEOPLE_GAP, without, (stem, stem[:1].upper() + stem[1:]) if stem else ())


VOC_FIRST = 1  # a person's name said to them after a comma: the first time in the call is kept
_EVERY = 1 << 40  # a gap no call reaches: every mention is put to the rewrite


@lru_cache(maxsize=1024)
def _vocative(name: str) -> re.Pattern:
    """A name said to its bearer inside or at the end of a sentence, after a comma
    (", Cleo." ", Cleo?" ", Cleo, would that fit"): the comma and the name."""
    return re.compile(r", " + re.escape(name) + r"(?=[.?!;,—-])")


def vocatives_less(S: Any, drafts: list[Draft]) -> None:
    """Each person's name said to them after a comma ("Thanks, Cleo.") the
    first time, and again once in a while (the lexicon's `vocative_gap` words), elsewhere left
    out ("Thanks."). In a call of three or more a question keeps the name:
    it says whom the question is for; the last two turns (the goodbyes) keep theirs."""
    gap = S.R.lex.vocative_gap  # the locale's (its lexicon): words between two kept
    # a locale without a gap (its banks' stock lines still lean on the names to differ) says a name to its
    # bearer at most once a turn: "Ich höre Sie klar, Tamsin ... Wie läuft Ihr Montag, Tamsin?" said it two or
    # three times in one turn in 16% of German turns (985 of 6,029, 200 generated calls)
    turnwise = not gap
    many = len(S.P) > 2
    last = len(drafts) - 2  # the goodbyes keep theirs ("Thanks, Jordan. Bye now.")
    names = dict.fromkeys(first_name(p.name) for p in S.P if p.name)
    walk = _walk(drafts)  # one walk for every name's rewrite (each keeps it in step)
    for name in names:
        if not name or not name[0].isalpha():
            continue
        rx = _vocative(name)
        # the turn that last said the name (turnwise): the first mention, which `_rewrite` keeps without asking,
        # found here
        turn = [next((d.i for d in drafts if any(rx.search(seg[0]) for p in (d.head, d.core, d.body, d.tail)
                                                 for seg in p)), -1) if turnwise else -1]

        def without(s: str, side: str, d: Draft, rx=rx, turn=turn) -> str:
            if (many and s.rstrip()[-1:] == "?") or d.i >= last or (turnwise and d.i != turn[0]):
                turn[0] = d.i
                return s
            new = rx.sub("", s)
            return new if new.strip(" ,.?!;") else s
        _rewrite(S, drafts, rx, gap or _EVERY, without, (", " + name,), walk, first=VOC_FIRST)


@lru_cache(maxsize=1024)
def _own_noun(rules: tuple) -> tuple:
    """The head-count rules' alternatives that keep the counted noun (the
    rule's last group: "for your team leads"), for a figure that is not the
    team's ("for a team your size" would say the whole team)."""
    out = []
    for pat, reps, need in rules:
        keep = tuple(r for r in reps if f"\\{pat.groups}" in r)
        if keep:
            out.append((pat, keep, need))
    return tuple(out)


_KEEP_AS_SAID = {"buyer": (), "seller": ()}  # no keep-figure rule: the sentence keeps its figure and its noun

# `_count_plan`'s plans, keyed by the lexicon's head-count rules (their identity: the entry holds them, so the
# id is not reused while it lives) and the account's people words and figures, all a plan is made of
_COUNT_PLANS: dict[tuple, tuple] = {}


def _count_plan(data: dict, people: str, people_dat: str, figures: tuple[str, ...]) -> tuple:
    """The patterns `count_less` runs for an account (made once per account,
    not once per call): two figures in one sentence (`both`), and per figure
    (the figure, its mentions, its token, each side's rules and the rules
    that keep it)."""
    key = (id(data), people, people_dat, figures)
    hit = _COUNT_PLANS.get(key)
    if hit is not None and hit[0] is data:
        return hit[1]
    nouns = [people, people_dat] + list(data.get("nouns", ()))
    noun = "|".join(re.escape(x) for x in sorted(dict.fromkeys(n for n in nouns if n), key=len, reverse=True))
    plans = []
    for n in figures:
        said = _rx(rf"{_lead(n)} (?:{noun})\b")  # `\b{n} (?:{noun})\b`
        # the rules compiled once for every figure, the figure said by a stand-in while they run: each
        # rule has a space before {n} and after it, so the figure it matches is a word of its own
        token = _rx(rf"{re.escape(n)}(?<!\w{re.escape(n)})(?!\w)")  # `(?<!\w){n}(?!\w)`, the literal first (`_lead`)
        rules = _BySide(lambda side: _count_rules(_rows(data.get(side, ())), noun))
        # where the line without its figure would be a stock line: the figure kept, the words it counts varied
        same = _BySide(lambda side: _count_rules(_rows((data.get("keep_figure") or {}).get(side, ())), noun))
        plans.append((n, said, token, rules, same))
    # a sentence with two of the figures is arithmetic ("with 40 people and five leads, each…"): as it is;
    # found by the figures' patterns in turn (`_says_two`), not by a pattern of their alternation
    both = tuple(x[1] for x in plans)
    if len(_COUNT_PLANS) >= 4096:  # a bound on a long build's accounts
        _COUNT_PLANS.clear()
    out = _COUNT_PLANS[key] = (data, (both, tuple(plans)))
    return out[1]


class _BySide(dict):
    """Each side's head-count rules, compiled when a call first rewrites that
    side's counts (a compile costs some hundred searches; many accounts'
    calls never need one side's rules, or the rules that keep the figure)."""
    __slots__ = ("make",)

    def __init__(self, make: Callable[[str], tuple]):
        super().__init__()
        self.make = make

    def __missing__(self, side: str) -> tuple:
        out = self[side] = self.make(side)
        return out


def _says_two(s: str, both: tuple[re.Pattern, ...], heads: tuple[str, ...]) -> bool:
    """Whether the alternation of the patterns `both` (each a head count of
    the account) finds two matches in `s`: searched only where `s` has two
    places one may begin (one of `heads`, a figure and a space, which every
    match begins with), and then by `_two_of` (tests/test_naming_speed.py)."""
    seen = 0
    for x in heads:
        i = s.find(x)
        while i >= 0:
            seen += 1
            if seen == 2:
                return _two_of(s, both)
            i = s.find(x, i + 1)
    return False


def _two_of(s: str, pats: tuple[re.Pattern, ...]) -> bool:
    """Whether `re.compile("|".join(p.pattern for p in pats)).findall(s)`
    finds two matches (of patterns that match no empty text), without that
    pattern (a compile per account): from each position on, the alternation
    matches where the first of its patterns does, the earlier of `pats` where
    two begin at once, and goes on after that match."""
    pos = 0
    for _ in range(2):
        best = None
        for p in pats:
            m = p.search(s, pos)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            return False
        pos = best.end()
    return True


_W3 = re.compile(r"[^\s,.;:!?]+")


def _said_twice(s: str) -> int:
    """How many of a sentence's three-word runs it says again."""
    w = _W3.findall(s.lower())  # "…for your agents, for your agents?": the "?" is no word of its own
    n = len(w) - 2  # its runs: (w[i], w[i + 1], w[i + 2]) for each i below n
    return n - len(set(zip(w, w[1:], w[2:]))) if n > 1 else 0  # (one run or none: none said again)


def _twice_more(new: str, old: str) -> bool:
    """`_said_twice(new) > _said_twice(old)`, `old` read only where `new` says
    a run again (most sentences say none: nothing can be more than 0)."""
    n = _said_twice(new)
    return n > 0 and n > _said_twice(old)


def _rows(rows) -> tuple:
    return tuple(tuple(x) for x in rows)


_FIGURE = "Zqxvzahlqz"  # a word no bank says: the figure's stand-in in the head-count rules


@lru_cache(maxsize=1024)
def _count_rules(rows: tuple, noun: str) -> tuple:
    """The locale's head-count rules for the nouns an account counts, compiled
    (once per people slot, the figure said by `_FIGURE`)."""
    out = []
    for p, r in rows:
        pat = _rx(_literal_first(p.replace("{n}", _FIGURE).replace("{noun}", noun)))
        out.append((pat, tuple(r.replace("{n}", _FIGURE).split("|")), _count_needs(p)))
    return tuple(out)


_NO_NOUN = "Qa|Zb"  # an alternation with no literal run (`_needs`): the account's nouns' place in `_count_needs`


@lru_cache(maxsize=256)
def _count_needs(p: str) -> tuple[str, ...]:
    """`_needs` of a head-count rule, the same for every account (the rule
    parsed once, not once per account): the runs of its words around
    `{noun}`, which every match says whatever the nouns; a run the nouns
    themselves may add (their common start) is not needed to pass a rule
    by, only to pass it by sooner."""
    return _needs(re.compile(p.replace("{n}", _FIGURE).replace("{noun}", _NO_NOUN)))


def _count_sub(R: Any, rules: tuple, s: str) -> str:
    for pat, reps, need in rules:
        for x in need:
            if x not in s:
                break  # no match possible (`_needs`)
        else:
            s = pat.sub(lambda m: _expand(m, rng.pick(R.r, reps) if len(reps) > 1 else reps[0]), s)
    return s
