"""Which surface signals a sentence the renderer writes carries, as data.

`stdlib/phrases/signal_keys.json` declares, once for every locale (bank keys
are the same in all of them), which phrase-bank keys, which templates of a key
(by a phrase of the locale's own words), which template slots and which planned
beats carry which signal categories (pricing, timeline, competitor, ...).
`marked_templates` compiles the key and template declarations into the
templates as `{#category}` marker slots; the Drafter collects the markers, the
declared slots and the categories of slot values it rendered itself, so a
sentence is labelled with the union of what went into it, colour included,
and a text of several sentences on the sentence that carries each category
(`bounds`, `carriers`; Drafter._sentences).
Text the renderer did not draw from a bank (the spec's own prose: objection
phrasings, a persona's questions and wants) is classified by the locale's
`signal_terms` (the `classify` section of its lexicon), the same table
`corpusc verify` scans transcripts with to find a signal sentence nobody
labelled, and `undeclared` scans the banks with before anything renders."""

from __future__ import annotations

import json
import re
import sys
from fnmatch import fnmatchcase
from functools import lru_cache

from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict

from corpusc.render.template.language import ALT, SLOT, alternation, compile_template, trie
from corpusc.render.template.lexicon import PHRASES, load_lexicon
from corpusc.render.template.memo import memo

SIGNAL_FILE = "signal_keys.json"
NONE: frozenset[str] = frozenset()


class Declaration(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    categories: dict[str, str]  # category -> what it means (docs/ground_truth.md)
    keys: dict[str, list[str]]  # bank key or fnmatch pattern -> categories
    slots: dict[str, list[str]]  # template slot name -> categories of the value it says
    beats: dict[str, list[str]]  # "beat_kind" or "beat_kind:key" (patterns) -> categories
    # locale -> bank key -> category -> phrases: the templates of that key whose text holds one of
    # the phrases carry the category (a key whose templates differ in what they signal)
    templates: dict[str, dict[str, dict[str, list[str]]]] = {}
    sides: dict[str, list[str]] = {}  # category -> the only sides whose sentences carry it
    colour: dict[str, list[str]] = {}  # "keys": bank keys (patterns) whose sentences are colour, never a signal


@lru_cache(maxsize=None)
def declaration() -> Declaration:
    raw = json.loads((PHRASES / SIGNAL_FILE).read_text(encoding="utf-8"))
    return Declaration(**{k: {n: v for n, v in raw.get(k, {}).items() if not n.startswith("_")}
                          for k in ("categories", "keys", "slots", "beats", "templates", "sides", "colour")})


def categories() -> tuple[str, ...]:
    return tuple(declaration().categories)


def _match(table: dict[str, list[str]], name: str) -> frozenset[str]:
    out: set[str] = set()
    for pat, cats in table.items():
        if pat == name or (("*" in pat or "?" in pat or "[" in pat) and fnmatchcase(name, pat)):
            out.update(cats)
    return frozenset(out) if out else NONE


@lru_cache(maxsize=None)
def key_categories(key: str) -> frozenset[str]:
    """The categories every template of bank `key` carries."""
    return _match(declaration().keys, key)


@lru_cache(maxsize=None)
def colour_key(key: str) -> bool:
    """Whether bank `key` says colour (a product tour, a story, small talk),
    never a deal signal: its sentences are drawn again until they say none of
    the locale's signal terms, so they need no label."""
    return any(fnmatchcase(key, pat) for pat in declaration().colour.get("keys", ()))


MARK = "#"  # a slot `{#pricing}` says nothing and labels the sentence it is in


_MARKED: dict[str, tuple[Any, dict]] = {}


def marked_templates(locale: str) -> dict[int, tuple[Any, Any]]:
    """The declaration compiled into the locale's templates, keyed by the
    identity of the bank's own template: a template of a declared key starts
    with a `{#category}` marker slot, and a `templates` phrase gets a marker
    right after the literal that holds it, inside the alternative that says it,
    so a sentence is labelled only when that alternative was drawn. The
    Drafter renders the marked template wherever it draws the plain one:
    `id(template) -> (template, marked)`."""
    from corpusc.render.template.banks import load_bank
    bank = load_bank(locale)
    hit = _MARKED.get(locale)
    if hit is not None and hit[0] is bank:  # computed for these very templates
        return hit[1]
    own = declaration().templates.get(locale, {})
    todo: dict[int, tuple] = {}
    for k, lst in bank.items():
        base, sel = key_categories(k), own.get(k) or {}
        if not isinstance(lst, list) or not (base or sel):
            continue
        for t in lst:
            for x in (t.get("say") or ()) if isinstance(t, dict) else (t,):
                todo[id(x)] = (x, base, sel)
    out = Prepared(todo, _marked, memo=memo("marked", locale))
    _MARKED[locale] = (bank, out)
    # the locale's signal terms compiled with its banks, once a process (as its templates are), not
    # inside the first call that classifies a spec's phrase (re.compile is a few ms of Python)
    if _any_lower(locale) is not None:
        _terms(locale)
    return out


class Prepared(dict):
    """`id(template) -> (template, prepared)`, each template prepared the first
    time it is looked up (a process draws a few hundred of the thousands a
    locale holds); `get` is the way in. `make(job)` gives the value, or None
    when there is nothing to prepare (then `fallback` answers). The original
    is kept in the value so its id cannot be reused by another object."""

    NONE_CAP = 1 << 16  # ids remembered as having nothing to prepare (the set starts over past this)

    def __init__(self, jobs: dict[int, tuple], make, fallback: dict | None = None, memo=None):
        super().__init__()
        self.jobs, self.make, self.fallback = jobs, make, fallback
        # `memo` (render/template/memo.py) keeps what `make` gives between processes, by the job's position
        self.memo, self.order = memo, ({k: i for i, k in enumerate(jobs)} if memo is not None else None)
        # ids with nothing to prepare, here or in `fallback`: most templates, looked up on every render
        # (`Drafter.render`). An id of a live template with a job never lands here, and no object made later
        # can take the id of one, so the answer stays right for any object that later has the id.
        self.none: set[int] = set()

    def get(self, k, default=None):
        hit = dict.get(self, k)
        if hit is None:
            job = self.jobs.pop(k, None)
            if job is None:
                hit = None
            elif self.memo is not None:
                hit = self.memo.make(self.order[k], job, self.make)
            else:
                hit = self.make(job)
            if hit is None:
                hit = self.fallback.get(k) if self.fallback is not None else None
                if hit is None:
                    none = self.none
                    if len(none) >= self.NONE_CAP:
                        none.clear()
                    none.add(k)
                    return default
                return hit
            self[k] = hit
        return hit


def _marked(job: tuple) -> tuple[Any, Any] | None:
    m = _mark(*job)
    return None if m is job[0] else (job[0], m)


# a template of at most this many wordings is spelled out whole to find a phrase (the same answer as `can_say`,
# which a template's preparation would otherwise compute per phrase: a cold sales build spent a third of its time)
SPELL_OUT = 2048


def _mark(t, base: frozenset[str], sel: dict[str, list[str]]):
    nodes = _seq(t)
    marked = _mark_nodes(nodes, sel) if sel else nodes
    # a phrase no literal holds spans alternatives ("legal] [review"): the whole template carries it
    said: list[str] = []  # a small template's wordings, spelled out once for all its phrases

    def says(ph: str) -> bool:
        if _count(t) > SPELL_OUT:
            return can_say(t, ph)  # read block by block
        if not said:
            said.extend(every_saying(t))
        return any(ph in x for x in said)
    whole = {c for c, phrases in sel.items() for ph in phrases if not _in_literal(nodes, ph) and says(ph)}
    if base or whole:
        marked = tuple((SLOT, MARK + c) for c in sorted(base | whole)) + tuple(marked)
    return t if marked == nodes else marked


def _in_literal(nodes, phrase: str) -> bool:
    for n in nodes:
        if isinstance(n, str):
            if phrase in n:
                return True
        elif n[0] == ALT and any(_in_literal((a,) if isinstance(a, str) else a, phrase) for a in n[1]):
            return True
    return False


def _mark_nodes(nodes, sel: dict[str, list[str]]) -> tuple:
    out: list = []
    for n in nodes:
        if isinstance(n, str):
            # the marker goes right after the phrase, inside the sentence that says it (a literal may
            # hold two sentences: "Great question. I'll send it over."), so the label is that sentence's
            cuts = sorted({(min(n.index(ph) + len(ph) for ph in phrases if ph in n), c)
                           for c, phrases in sel.items() if any(ph in n for ph in phrases)})
            at = 0
            for end, c in cuts:
                if end > at:
                    out.append(n[at:end])
                    at = end
                out.append((SLOT, MARK + c))
            if at < len(n) or not cuts:
                out.append(n[at:])
        elif n[0] == SLOT:
            out.append(n)
        else:
            alts = []
            for a in n[1]:
                m = _mark_nodes((a,) if isinstance(a, str) else a, sel)
                alts.append(a if isinstance(a, str) and len(m) == 1 else m)
            out.append((ALT, tuple(alts)))
    return tuple(out)


def slot_categories(slot: str) -> frozenset[str]:
    """The categories a sentence carries because it says slot `{slot}` (slot names are exact)."""
    return frozenset(declaration().slots.get(slot, ()))


@lru_cache(maxsize=None)
def beat_categories(kind: str, key: str | None) -> frozenset[str]:
    """The categories of the sentence that realizes a planned beat."""
    table = declaration().beats
    return _match(table, kind) | (_match(table, f"{kind}:{key}") if key else NONE)


def scope_of(call) -> str:
    """The lexicon scope of a call's words: `service` for a contact-center
    (population) call, else `sales`. A term row with a `scope` reads as a
    signal in that scope only: an amount ("zweitausend Euro") is a sales price,
    while a service call's card limit or loan sum is no price (its fees are)."""
    return "service" if getattr(call, "population", None) else "sales"


@lru_cache(maxsize=None)
def _rows(locale: str, scope: str = "sales") -> tuple[dict, ...]:
    return tuple(r for r in load_lexicon(locale).classify.signal_terms if r.get("scope", scope) == scope)


@lru_cache(maxsize=None)
def _terms(locale: str, scope: str = "sales") -> tuple[tuple[str, re.Pattern], ...]:
    rows = _rows(locale, scope)
    # a term ending in an acronym ends there: "our CRO" is not "our cross-docking" (the others match
    # as prefixes, "approval" in "approvals")
    return tuple((row["category"], re.compile(r"(?<![\w-])(?:" + "|".join(
        re.escape(k) + (r"(?![\w-])" if k[-1:].isupper() else "")
        for k in sorted(row["keywords"], key=len, reverse=True)) + ")", re.IGNORECASE))
                 for row in rows if row.get("keywords"))


@lru_cache(maxsize=None)
def _excepts(locale: str, scope: str = "sales") -> dict[str, re.Pattern]:
    """category -> a pattern of the phrases its row lists under `except`: a
    term said inside one of them is not that category's ("costs us real
    money" is the cost of a pain, no price; "cost per acquisition" a KPI)."""
    out: dict[str, list[str]] = {}
    for row in _rows(locale, scope):
        out.setdefault(row["category"], []).extend(row.get("except") or ())
    # factored by common prefix (`alternation`: the same matches as the phrases longest first, a letter
    # tried at each position instead of every phrase)
    return {cat: re.compile(alternation(sorted(set(ps))), re.IGNORECASE) for cat, ps in out.items() if ps}


def _excepted(locale: str, scope: str, cat: str, text: str) -> bool:
    """Whether every term of `cat` in `text` is said inside one of its `except` phrases."""
    rx = _excepts(locale, scope).get(cat)
    if rx is None or not rx.search(text):
        return False
    spans = [m.span() for m in rx.finditer(text)]
    return all(any(a <= m.start() and m.end() <= b for a, b in spans)
               for c, trx in _terms(locale, scope) if c == cat for m in trx.finditer(text))


@lru_cache(maxsize=None)
def _any_term(locale: str, scope: str = "sales") -> re.Pattern:
    """Every category's terms in one pattern: most sentences hold none, and one
    search says so instead of one per category."""
    rows = _rows(locale, scope)
    words = sorted({k for row in rows for k in row.get("keywords") or ()}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(k) for k in words) + ")" if words else r"(?!)",
                      re.IGNORECASE)


def _casefix() -> frozenset[str]:
    """Characters whose case-insensitive match differs from a match of their
    `str.lower()`: the regex engine's extra case pairs (ſ ~ s, ı ~ i, Greek
    letters), İ (lower-cases to two characters) and Σ (a final sigma)."""
    out = {"\u0130", "\u03a3"}
    try:
        from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found]
    except ImportError:  # another Python: every non-ASCII text takes the exact pattern
        return frozenset()
    for k, vs in _EXTRA_CASES.items():
        out.update(chr(c) for c in (k, *vs) if c > 127)
    return frozenset(out)


_CASEFIX = _casefix()


@lru_cache(maxsize=None)
def _any_lower(locale: str, scope: str = "sales") -> re.Pattern | None:
    """`_any_term` for lower-cased text, as a prefix trie without IGNORECASE
    (a fifth of its time); None when a keyword holds a `_CASEFIX` character
    (the exact pattern answers)."""
    rows = _rows(locale, scope)
    words = {k for row in rows for k in row.get("keywords") or ()}
    if not _CASEFIX or any(not _CASEFIX.isdisjoint(w) or len(w.lower()) != len(w) for w in words):
        return None
    return re.compile(r"(?<![\w-])" + (trie({w.lower() for w in words}, shortest=True) if words else "(?!)"))


def _found_trie(words: dict[str, bool]) -> str:
    """A pattern for lower-cased text that finds a match where one of `words`
    (lower-cased; True: it ends in an acronym, so no word character may follow
    it) starts a word: letter by letter, a word's end is enough where it ends
    (only whether one occurs is asked). The look behind for a word's start
    comes after its first letter, so the pattern starts with a letter and `re`
    skips in C to the next place where one of the first letters stands (a
    pattern that starts with a look-behind is tried at every position)."""
    root: dict = {}
    for w, acronym in words.items():
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = node.get("", True) and acronym  # a plain word's end: enough whatever follows

    def rx(node: dict, first: bool) -> str:
        end = node.get("")
        if end is False:
            return ""
        alts = [re.escape(ch) + (r"(?<![\w-].)" if first else "") + rx(node[ch], False) for ch in sorted(node) if ch]
        if end:
            alts.append(r"(?![\w-])")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return rx(root, True) if root else "(?!)"


@lru_cache(maxsize=None)
def _terms_lower(locale: str, scope: str = "sales") -> tuple[tuple[str, re.Pattern], ...] | None:
    """`_terms` for lower-cased text: a category's terms as one prefix trie
    without IGNORECASE (`_found_trie`), found where its pattern finds one;
    None where `_any_lower` is (a keyword with a `_CASEFIX` character)."""
    if _any_lower(locale, scope) is None:
        return None
    out = []
    for row in _rows(locale, scope):
        if row.get("keywords"):
            words: dict[str, bool] = {}
            for k in row["keywords"]:
                words[k.lower()] = words.get(k.lower(), True) and k[-1:].isupper()
            out.append((row["category"], re.compile(_found_trie(words))))
    return tuple(out)


def _says_any(locale: str, text: str, scope: str = "sales") -> bool:
    """`_any_term(locale).search(text)`, faster: on the lower-cased text when
    that is the same match (no `_CASEFIX` character in it)."""
    fast = _any_lower(locale, scope)
    if fast is not None and (text.isascii() or _CASEFIX.isdisjoint(text)):
        return fast.search(text.lower()) is not None
    return _any_term(locale, scope).search(text) is not None


@lru_cache(maxsize=1 << 15)
def says_a_term(locale: str, text: str, scope: str = "sales") -> bool:
    """Whether `text` says any signal term of the locale (a colour sentence
    must not; the same sentences recur across calls, hence the cache)."""
    return _says_any(locale, text, scope)


def term_categories(locale: str, text: str, extra: dict[str, re.Pattern] | None = None,
                    scope: str = "sales", rows: frozenset[int] | None = None) -> frozenset[str]:
    """The categories whose signal terms occur in `text` (the audit's reading, and
    the classification of the spec's prose when the renderer inserts it), in the
    lexicon `scope` of the call that says it (`scope_of`). `rows`: only those
    rows' terms are looked for (`_may_rows` of the template the text is a wording of)."""
    fast = _terms_lower(locale, scope)
    if fast is not None and (text.isascii() or _CASEFIX.isdisjoint(text)):
        # lower-cased, each pattern finds what the exact one finds (as `_says_any`'s), three times as fast
        low = text.lower()
        if rows is not None:
            fast = tuple(fast[i] for i in sorted(rows))
        out = {cat for cat, rx in fast if rx.search(low)} if _any_lower(locale, scope).search(low) else set()
    else:
        exact = _terms(locale, scope) if rows is None else tuple(_terms(locale, scope)[i] for i in sorted(rows))
        out = {cat for cat, rx in exact if rx.search(text)} if _says_any(locale, text, scope) else set()
    if out and _excepts(locale, scope):
        out = {cat for cat in out if not _excepted(locale, scope, cat, text)}
    for cat, rx in (extra or {}).items():
        if rx.search(text):
            out.add(cat)
    return frozenset(out) if out else NONE


@lru_cache(maxsize=1 << 15)
def text_categories(locale: str, text: str, scope: str = "sales") -> frozenset[str]:
    """`term_categories(locale, text)`, remembered: the renderer classifies the
    same slot values and prose phrasings in call after call."""
    return term_categories(locale, text, scope=scope)


def competitor_names(header, call) -> list[str]:
    """The competitor names a call's words may say: its account's and its planned mentions."""
    acct = header.account(call.account) if call.account else None
    return list(acct.competitors if acct else []) + [b.key for b in call.beats
                                                     if b.kind == "competitor_mention" and b.key]


def read_signals(locale: str, text: str, side: str | None, extra: dict[str, re.Pattern] | None = None,
                 scope: str = "sales") -> list[tuple[str, int, int]]:
    """(category, start, end) of each sentence of `text` that reads as a signal
    of `side` by the locale's terms (a rep saying "pilot" is not buying intent):
    the audit's reading, and the labels of words no bank template declared."""
    sides = declaration().sides
    return [(cat, a, b) for a, b in sentences(text) for cat in sorted(term_categories(locale, text[a:b], extra, scope))
            if side in sides.get(cat, (side,))]


def names_pattern(names) -> re.Pattern | None:
    """A pattern matching any of `names` as whole words (competitor names of a spec)."""
    names = sorted({n for n in names if n}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


_STOP = re.compile(r"[.?!]+[)\"»“”’]?\s+")


def bounds(text: str) -> list[int]:
    """Where each sentence after the first begins: after a full stop, question
    or exclamation mark and its space, but not after a number ("am 3. März") or
    an abbreviation ("a.m.", "z. B."). The renderer finds with it the sentence
    ends its templates wrote (in the words it put together, before `tidy`), and
    the same ends in the finished text."""
    out = []
    for m in _STOP.finditer(text):
        i = m.start()
        if i == 0 or m.end() >= len(text) or text[i - 1].isdigit():
            continue
        word = text[text.rfind(" ", 0, i) + 1:i]
        if len(word) <= 1 or "." in word:
            continue
        out.append(m.end())
    return out


def slight(text: str) -> bool:
    """A sentence too slight to carry a signal a template declared for all its
    sentences: an acknowledgement, a thanks, a closing or a check question
    ("Great question.", "Sounds good, Jordan.", "Take care.", "What do you
    think, Nico?")."""
    n = text.count(" ") + 1
    return n <= 3 or (n <= 5 and text.rstrip()[-1:] == "?")


def carriers(locale: str, cat: str, sents: list[tuple[str, set[str]]]) -> list[int]:
    """Which sentences of a text carry category `cat` that was declared for the
    whole text (a bank key's every template, a planned beat): the sentences
    that carry it by their own words (a declared phrase, a slot, a term of
    the category), else the first that is not `slight` (a template leads with
    what it declares: "Great question. Typically six weeks ..."), else the
    last (an acknowledgement comes first: "Great plan. Forwarding it on.").
    The same sentence of a template is then labelled alike in every call."""
    hit = [j for j, (t, c) in enumerate(sents) if cat in c or cat in text_categories(locale, t)]
    if not hit:
        hit = [j for j, (t, _) in enumerate(sents) if not slight(t)][:1]
    return hit or [len(sents) - 1]


SENTENCE = re.compile(r"[^.!?;\s][^.!?;]*[.!?;]*")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a turn, for the audit: from its first
    word, not the space before it (a mid-turn cue stands in that space, and a
    span that starts there would take the cue in)."""
    return [(m.start(), m.end()) for m in SENTENCE.finditer(text)]


def key_scope(key: str) -> str:
    """The lexicon scope a bank key's templates are said in: a service call's
    banks (`pop.*`) in `service`, every other key in `sales`."""
    return "service" if key.startswith("pop.") else "sales"


@lru_cache(maxsize=None)
def _term_pairs(locale: str, scope: str, skip: frozenset[str]) -> tuple[tuple[str, re.Pattern, re.Pattern | None], ...]:
    """`_terms(locale, scope)` but the categories in `skip`, each pattern with
    its `_terms_lower` twin (None where there is none): (category, exact, lower)."""
    terms = _terms(locale, scope)
    fast = _terms_lower(locale, scope)
    if fast is None or [c for c, _ in fast] != [c for c, _ in terms]:  # (both are the rows with keywords)
        fast = tuple((c, None) for c, _ in terms)
    return tuple((cat, rx, low) for (cat, rx), (_, low) in zip(terms, fast) if cat not in skip)


def _finding(pairs, text: str) -> tuple:
    """The `_term_pairs` whose exact pattern finds a term in `text`, each asked
    by its lower-case twin where that is the same answer (`term_categories`)."""
    if text.isascii() or _CASEFIX.isdisjoint(text):
        low = text.lower()
        return tuple(p for p in pairs if (p[1].search(text) if p[2] is None else p[2].search(low)) is not None)
    return tuple(p for p in pairs if p[1].search(text) is not None)


def _sources(lst: list) -> Iterator[str]:
    """The template strings of a bank key's list, in order: a string, or each of a dict template's `say`."""
    for t in lst:
        for src in ((t.get("say") or ()) if isinstance(t, dict) else (t,)):
            if isinstance(src, str):
                yield src


def dead_declarations(locale: str) -> dict[str, dict[str, list[str]]]:
    """Declared phrases (`templates` of the signal file) that no wording of
    their key's templates says any more, or whose key is gone: key -> category
    -> phrases ({} for a gone key, all of it dead). They label nothing (a
    phrase marks only the wordings that say it, `_mark`), but they read as a
    label the banks carry; `--write` removes them with the new ones it adds."""
    from corpusc.render.template.banks import raw_bank
    bank = raw_bank(locale)
    out: dict[str, dict[str, list[str]]] = {}
    for k, cats in declaration().templates.get(locale, {}).items():
        lst = bank.get(k)
        if not isinstance(lst, list):
            out[k] = {}
            continue
        compiled = []
        for src in _sources(lst):
            try:
                compiled.append((src, compile_template(src)))
            except ValueError:
                continue
        for cat, phrases in cats.items():
            # a literal holding the phrase says it; else it may span alternatives: every wording read
            gone = [ph for ph in phrases if not any(ph in src or can_say(c, ph) for src, c in compiled)]
            if gone:
                out.setdefault(k, {})[cat] = gone
    return out


def undeclared(locale: str) -> dict[str, dict[str, list[str]]]:
    """Templates of a locale's banks that say a signal term of a category their
    key and `templates` entries do not declare: key -> category -> the phrases
    found. What a bank author adds to `templates` (or rewrites, when the
    sentence is not the signal it reads as). `python -m
    corpusc.render.template.signals [--write]` prints (or merges) them."""
    from corpusc.render.template.banks import raw_bank
    own = declaration().templates.get(locale, {})
    out: dict[str, dict[str, list[str]]] = {}
    for k, lst in raw_bank(locale).items():
        if not isinstance(lst, list):
            continue
        base = key_categories(k)
        if colour_key(k):  # never said with a signal term (Drafter.say draws again)
            continue
        scope = key_scope(k)
        mine, excepts = own.get(k, {}), _excepts(locale, scope)
        for src in _sources(lst):
            if not _may_say_a_term(locale, src, scope):
                continue
            for cat, terms in _template_undeclared(locale, scope, base, mine, excepts, compile_template(src)):
                found = out.setdefault(k, {}).setdefault(cat, [])
                found += [x for x in terms if x not in found]
    return out


def _template_undeclared(locale: str, scope: str, base: frozenset[str], mine: dict[str, list[str]],
                         excepts: dict[str, re.Pattern], c) -> list[tuple[str, list[str]]]:
    """(category, terms) a compiled template says in some wording that neither its key (`base`) nor a
    declared phrase of the category (`mine`, anywhere in that wording) labels, a term said inside an
    `except` phrase of its category not counted. Every wording is read: block by block (`blocks`), a
    term of one block counted where the block's wording holds no phrase of its category and every other
    block has a wording without one."""
    pairs = _term_pairs(locale, scope, base)
    found: list[dict[str, list[str]]] = []  # block -> category -> terms, in the order said
    said_of: list[list[str]] = []
    for b in blocks(c, locale):
        said = every_saying(b)
        said_of.append(said)
        got: dict[str, list[str]] = {}
        found.append(got)
        # the categories whose pattern finds a term in one of the sayings, asked of them all at once
        # (joined by line breaks, `_finds_a_term`; an acronym's look-ahead reads a break as it reads
        # a text's end): a category whose pattern finds none there finds none in any of them
        joined = "\n".join(said)
        if not _finds_a_term(locale, joined, scope):
            continue
        live = _finding(pairs, joined)
        for text in said:
            for cat, rx, _ in _finding(live, text) if live else ():
                if any(ph in text for ph in mine.get(cat, ())):
                    continue  # said by a declared phrase: each of its terms is
                excepted = excepts.get(cat)
                spans = None
                for m in rx.finditer(text):
                    if spans is None:
                        spans = [x.span() for x in excepted.finditer(text)] if excepted is not None else ()
                    if any(a <= m.start() and m.end() <= b for a, b in spans):
                        continue  # said inside an `except` phrase: not this category's
                    terms = got.setdefault(cat, [])
                    if m.group(0) not in terms:
                        terms.append(m.group(0))
    out: list[tuple[str, list[str]]] = []
    for i, got in enumerate(found):
        for cat, terms in got.items():
            phrases = mine.get(cat, ())
            # another block whose every wording holds a declared phrase of the category labels them all
            if all(j == i or not phrases or any(not any(ph in x for ph in phrases) for x in said)
                   for j, said in enumerate(said_of)):
                out.append((cat, terms))
    return out


def readings(t, limit: int = 4096) -> list[tuple[str, frozenset[str]]]:
    """`sayings` of a compiled template, each with the `{#category}` markers it
    says (left out of its text; other slots as `{name}`), at most `limit`."""
    outs: list[tuple[str, frozenset[str]]] = [("", NONE)]
    for n in _seq(t):
        if isinstance(n, str):
            outs = [(o + n, m) for o, m in outs]
        elif n[0] == SLOT:
            if n[1][:1] == MARK:
                outs = [(o, m | {n[1][1:]}) for o, m in outs]
            else:
                outs = [(o + "{" + n[1] + "}", m) for o, m in outs]
        else:
            tails = [x for a in n[1] for x in readings(a, limit)]
            outs = [(o + x, m | mm) for o, m in outs for x, mm in tails][:limit]
    return outs


_SLOT_NAME = re.compile(r"\{([^{}]+)\}")


def uneven(locale: str, limit: int = 4096) -> dict[str, dict[int, dict[str, tuple[str, str]]]]:
    """Templates some of whose wordings carry a category and others not: the
    categories each saying gets by its own words (the locale's terms, in its
    key's scope) and by the markers the declaration puts in it (`templates`
    phrases), beyond what its key declares for every template. key -> index
    of the template (of the key's list; a dict template's `say` entries count
    one by one) -> category -> (a saying that carries it, one that does not).
    Where the two say the same act in other words, the template is labelled
    by the wording drawn, not by what it says: declare the category for every
    wording (a key, or a phrase of each alternative). Where the wording that
    does not carry it says something else, the label is right to differ.
    `python -m corpusc.render.template.signals --uneven` prints them."""
    from corpusc.render.template.banks import raw_bank
    own = declaration().templates.get(locale, {})
    out: dict[str, dict[int, dict[str, tuple[str, str]]]] = {}
    for k, lst in raw_bank(locale).items():
        if not isinstance(lst, list) or colour_key(k):
            continue
        base, sel, scope = key_categories(k), own.get(k) or {}, key_scope(k)
        phrases = [ph for phs in sel.values() for ph in phs]
        for at, src in enumerate(_sources(lst)):
            rows = _may_rows(locale, src, scope)
            if rows is not None and not rows and not any(ph in src for ph in phrases):
                continue  # no term and no declared phrase: every wording carries what its key declares
            c = compile_template(src)
            m = _mark(c, NONE, sel) if sel else c
            said = []
            for text, marks in readings(m, limit):
                slots = _SLOT_NAME.findall(text)
                text = _SLOT_NAME.sub("{}", text)
                # only the terms the template's words can say are looked for
                cats = (term_categories(locale, text, scope=scope, rows=rows) | marks) - base
                said.append((text, cats, cats.union(*(slot_categories(x) for x in slots))))
            for cat in sorted(set().union(*(cs for _, cs, _ in said))):
                yes = next(x for x, cs, _ in said if cat in cs)
                # a wording that carries it by a declared slot ({annual}, {event}) carries it too
                no = next((x for x, _, every in said if cat not in every), None)
                if no is not None:
                    out.setdefault(k, {}).setdefault(at, {})[cat] = (yes, no)
    return out


@lru_cache(maxsize=None)
def _any_found(locale: str, scope: str = "sales") -> re.Pattern | None:
    """`_any_term` for lower-cased text as a `_found_trie` (it starts with a
    letter, so `re` skips in C to where a term can start, where `_any_lower`
    tries its look-behind at every position): it finds a match where
    `_any_term` finds one; None where `_any_lower` is (a keyword with a
    `_CASEFIX` character)."""
    if _any_lower(locale, scope) is None:
        return None
    words = {k.lower() for row in _rows(locale, scope) for k in row.get("keywords") or ()}
    return re.compile(_found_trie(dict.fromkeys(words, False)))


def _finds_a_term(locale: str, text: str, scope: str = "sales") -> bool:
    """`_any_term(locale, scope).search(text) is not None`, on the lower-cased
    text where that is the same match (`_says_any`). The bank checks ask it
    first of a template's sayings joined by line breaks, one search for
    thousands of texts: a term found in one text is found in the joined
    text (`_any_term` has no look-ahead, and its look-behind reads a line
    break as it reads a text's start: neither a word character nor a
    hyphen), so where the joined text holds none, no text does; a match
    across a break could only make the answer yes, and the text-by-text
    search that follows a yes is the exact one."""
    fast = _any_found(locale, scope)
    if fast is not None and (text.isascii() or _CASEFIX.isdisjoint(text)):
        return fast.search(text.lower()) is not None
    return _any_term(locale, scope).search(text) is not None


def template_terms(locale: str, src: str) -> list[str]:
    """The signal terms template `src` can say by its own words (every
    expansion of its alternatives, a slot's value not counted): a colour
    template must say none (tests/test_banks.py), so the Drafter only checks
    what a slot's value brings."""
    rx = _any_term(locale)
    found: list[str] = []
    for b in blocks(compile_template(src), locale):  # every wording, block by block
        said = every_saying(b)
        # most templates hold no term: one search of all their sayings says so (the same "{}" -> "\x00" of
        # each, as a "{}" cannot span the line break between two)
        if not _finds_a_term(locale, "\n".join(said).replace("{}", "\x00")):
            continue
        for text in said:
            for m in rx.finditer(text.replace("{}", "\x00")):
                if m.group(0) not in found:
                    found.append(m.group(0))
    return found


def colour_terms(locale: str) -> dict[str, dict[str, list[str]]]:
    """Colour templates of a locale that can say a signal term by their own
    words: key -> template -> the terms."""
    from corpusc.render.template.banks import raw_bank
    out: dict[str, dict[str, list[str]]] = {}
    for k, lst in raw_bank(locale).items():
        if not isinstance(lst, list) or not colour_key(k):
            continue
        for src in _sources(lst):
            got = template_terms(locale, src)
            if got:
                out.setdefault(k, {})[src] = got
    return out


_WORDS = re.compile(r"[\w$€-]+")


@lru_cache(maxsize=None)
def _term_words(locale: str, scope: str = "sales") -> tuple[frozenset[str], ...]:
    rows = _rows(locale, scope)
    return tuple(frozenset(_WORDS.findall(k.lower())) for row in rows for k in row.get("keywords", ()))


@lru_cache(maxsize=None)
def _term_index(locale: str, scope: str = "sales") -> tuple[bool, dict[str, tuple[tuple[frozenset[str], int], ...]]]:
    """The locale's terms by one word of each (its longest), each term's words with its row (the
    position of its category's pattern in `_terms` and `_terms_lower`): a term can be said only where
    that word opens a word of the template. First: whether some term has no word (any template may)."""
    idx: dict[str, list[tuple[frozenset[str], int]]] = {}
    empty = False
    for i, row in enumerate(r for r in _rows(locale, scope) if r.get("keywords")):
        for k in row["keywords"]:
            ws = frozenset(_WORDS.findall(k.lower()))
            if not ws:
                empty = True
            else:
                idx.setdefault(max(ws, key=lambda w: (len(w), w)), []).append((ws, i))
    return empty, {k: tuple(v) for k, v in idx.items()}


def _may_rows(locale: str, src: str, scope: str = "sales") -> frozenset[int] | None:
    """The rows (`_term_index`) of the signal terms every word of which opens
    a word of the template (cheap, before expanding it: a term matches the
    start of a word, as "entgelt" in "Entgelte", `_terms`): the words the
    template's words open are their prefixes, and only the terms indexed
    under one of them are asked. None: every row (a term with no word)."""
    empty, idx = _term_index(locale, scope)
    if empty:
        return None
    have = set(_WORDS.findall(src.lower())) | {c for c in "$€" if c in src}
    opened = {w[:i] for w in have for i in range(1, len(w) + 1)}
    return frozenset(i for p in opened.intersection(idx) for ws, i in idx[p] if ws <= opened)


def _may_say_a_term(locale: str, src: str, scope: str = "sales") -> bool:
    """Whether every word of some signal term opens a word of the template (`_may_rows`)."""
    rows = _may_rows(locale, src, scope)
    return rows is None or bool(rows)


def sayings(t, limit: int = 2048) -> list[str]:
    """The texts a compiled template can say (slots as `{}`), at most `limit`
    (the bank tests read every reading of a template through it too)."""
    outs = [""]
    for n in _seq(t):
        if isinstance(n, str):
            outs = [o + n for o in outs]
        elif n[0] == SLOT:
            outs = [o + "{}" for o in outs]
        else:
            tails = [x for a in n[1] for x in sayings(a, limit)]
            outs = [o + x for o in outs for x in tails][:limit]
    return outs


def _main(argv: list[str]) -> int:
    from corpusc.render.template.banks import supported_locales
    if "--uneven" in argv:
        rep = {loc: {k: {str(i): {c: list(p) for c, p in cs.items()} for i, cs in x.items()}
                     for k, x in uneven(loc).items()} for loc in supported_locales()}
        print(json.dumps({loc: x for loc, x in rep.items() if x}, indent=2, ensure_ascii=False))
        return 0
    found = {loc: undeclared(loc) for loc in supported_locales()}
    found = {loc: x for loc, x in found.items() if x}
    dead = {loc: dead_declarations(loc) for loc in supported_locales()}
    dead = {loc: x for loc, x in dead.items() if x}
    if "--write" in argv and (found or dead):
        path = PHRASES / SIGNAL_FILE
        doc = json.loads(path.read_text(encoding="utf-8"))
        for loc, keys in dead.items():  # what no wording says any more goes first: a phrase found again stays
            mine = doc["templates"][loc]
            for k, cats in keys.items():
                for cat, phrases in (cats.items() if cats else [(c, list(v)) for c, v in mine[k].items()]):
                    mine[k][cat] = [p for p in mine[k][cat] if p not in phrases]
                    if not mine[k][cat]:
                        del mine[k][cat]
                if not mine[k]:
                    del mine[k]
        for loc, keys in found.items():
            mine = doc.setdefault("templates", {}).setdefault(loc, {})
            for k, cats in keys.items():
                for cat, phrases in cats.items():
                    lst = mine.setdefault(k, {}).setdefault(cat, [])
                    lst += [p for p in phrases if p not in lst]
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if dead:  # printed apart, so a clean run still prints {} alone
        print(json.dumps({"dead": dead}, indent=2, ensure_ascii=False), file=sys.stderr)
    print(json.dumps(found, indent=2, ensure_ascii=False))
    return 0



# ---- a template's sayings, block by block -----------------------------------------------------------
# A template's alternatives multiply: a big one says hundreds of thousands of wordings, too many to spell
# out. Where nothing a check looks for (a signal term, an `except` phrase, a declared phrase: a "needle")
# can stand across the point between two of its top-level parts, or touch it (a term's look-around reads
# the character on the other side), whatever is found in a saying is found in one part of it or another:
# the template splits there into blocks, each spelled out on its own, and a saying is any one saying of
# each block in turn. Exact, not a sample: every wording of every block is read.


@lru_cache(maxsize=None)
def _needles(locale: str) -> tuple[re.Pattern, int, frozenset[str]]:
    """Every needle of the locale (its terms in both scopes, their `except` phrases, its declared
    `templates` phrases) as one pattern that matches the longest needle a text starts with; the length
    of the longest; and every start of one, lower-cased ("" too)."""
    rows = load_lexicon(locale).classify.signal_terms
    words = {k for row in rows for k in row.get("keywords") or ()}
    words |= {p for row in rows for p in row.get("except") or ()}
    words |= {p for cats in declaration().templates.get(locale, {}).values() for ps in cats.values() for p in ps}
    return _needle_set(frozenset(w for w in words if w))


@lru_cache(maxsize=256)
def _needle_set(words: frozenset[str]) -> tuple[re.Pattern, int, frozenset[str]]:
    """`_needles` of any words."""
    starts = frozenset(w.lower()[:i] for w in words for i in range(len(w) + 1))
    return (re.compile(alternation(sorted(words)) or "(?!)", re.IGNORECASE),
            max(map(len, words), default=0), starts)


def _seq(t) -> tuple:
    return (t,) if isinstance(t, str) else t


@lru_cache(maxsize=1 << 14)
def _ends(t, w: int, head: bool) -> frozenset[str]:
    """The first (`head`) or last `w` characters of each saying of template `t` (slots as `{}`)."""
    out = {""}
    nodes = _seq(t)
    for n in (reversed(nodes) if head else nodes):
        xs = _node_ends(n, w, head)
        if head:
            out = {(x + o)[:w] if len(x) < w else x[:w] for x in xs for o in out}
        else:
            out = {(o + x)[-w:] if len(x) < w else x[-w:] for x in xs for o in out} if w else {""}
    return frozenset(out)


def _node_ends(n, w: int, head: bool):
    """`_ends` of one part of a template (a literal, a slot, alternatives)."""
    if isinstance(n, str):
        return (n,)
    if n[0] == SLOT:
        return ("{}",)
    return frozenset().union(*(_ends(a, w, head) for a in n[1]))


def _count(t) -> int:
    """How many sayings template `t` has (alternatives multiplied out)."""
    p = 1
    for n in _seq(t):
        if not isinstance(n, str) and n[0] == ALT:
            p *= sum(_count(a) for a in n[1])
    return p


def blocks(t, locale: str) -> list[tuple]:
    """Template `t` cut where no needle of the locale (`_needles`) can stand across or touch the point
    between two of its top-level parts, in any saying: the parts of each block, in order. What a check
    finds in a saying (a term, an `except` phrase around it, a declared phrase) it finds in the saying's
    part of one block, and finds the same there (a term's look-around never reaches past a cut), so the
    blocks are read one by one: the sayings of the template are every choice of a saying of each."""
    return _blocks(t, _needles(locale))


def _blocks(t, needles: tuple[re.Pattern, int, frozenset[str]]) -> list[tuple]:
    """`blocks` for any needles (`_needle_set`)."""
    nodes = _seq(t)
    w = needles[1]
    if len(nodes) < 2 or not w:
        return [nodes]
    heads = [frozenset({""})] * (len(nodes) + 1)
    for i in range(len(nodes) - 1, -1, -1):
        heads[i] = frozenset((x + o)[:w] for x in _node_ends(nodes[i], w, True) for o in heads[i + 1])
    out: list[tuple] = []
    cur: list = []
    tails = frozenset({""})
    for i, n in enumerate(nodes):
        cur.append(n)
        tails = frozenset((o + x)[-w:] for x in _node_ends(n, w, False) for o in tails)
        if i + 1 < len(nodes) and _clean_cut(needles, tails, heads[i + 1]):
            out.append(tuple(cur))
            cur = []
    out.append(tuple(cur))
    return out


def _clean_cut(needles: tuple[re.Pattern, int, frozenset[str]], tails, heads) -> bool:
    """Whether no needle stands across or touches the point between any of `tails` and any of `heads`:
    none starts with the end of a tail (or at its end) and goes on into, or ends at, the head."""
    rx, _, starts = needles
    frags = {a[i:] for a in tails for i in range(len(a) + 1) if a[i:].lower() in starts}
    for f in frags:
        for b in heads:
            m = rx.match(f + b)
            if m is not None and m.end() >= len(f):
                return False
    return True


def can_say(t, phrase: str) -> bool:
    """Whether some wording of compiled template `t` says `phrase` (slots as `{}`): every wording read,
    block by block (`blocks`, the phrase the only needle)."""
    return any(phrase in x for b in _blocks(t, _needle_set(frozenset((phrase,)))) for x in every_saying(b))


def every_saying(t, limit: int | None = None) -> list[str]:
    """`sayings(t)` without a cap (or with `limit`)."""
    return sayings(t, limit if limit is not None else 1 << 62)


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
