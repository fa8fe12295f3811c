"""The service-call generator (contact centers, inbound service lines): a
short call where the agent greets, the caller says why they call (the scenario
beat), a few exchanges that depend on the scenario and intent, and the agent
closes; the metadata's hold time and silences become timed gaps. A domain with
its own banks (`pop.<domain>.*`) speaks from them, any other from
`pop.generic.*`."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from corpusc.plan import rng
from corpusc.plan.model import Beat
from corpusc.plan.population import SILENCE_FILL, SILENCE_MAX_SEC, SILENCE_SHARE
from corpusc.render.cues import SILENCE_DETECTED_SEC
from corpusc.render.template.banks import load_bank, with_prefix
from corpusc.render.template.classify import placeholder_name
from corpusc.render.template.drafting import WEEKDAYS, Draft, Drafter, first_name, whole_words
from corpusc.render.template.dynamics import acks_of
from corpusc.render.template.language import ALT, SLOT, alternation, seal, template_slots, trie
from corpusc.render.template.lexicon import load_lexicon
from corpusc.render.template import memo as prepared_memo
from corpusc.render.template.signals import Prepared, marked_templates, term_categories
from corpusc.render.timing import CHAT_WORDS_PER_SEC, WORDS_PER_SEC


def _seconds(v: Any) -> float:
    return round(float(v), 1) if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 else 0.0


def _groups(bank: dict, dom: str, name: str) -> list[list[str]]:
    """The phrase groups of `pop.generic.<name>` and `pop.<dom>.<name>` (lists of lists: data)."""
    out: list[list[str]] = []
    for d in ("generic", dom) if dom != "generic" else ("generic",):
        v = bank.get(f"pop.{d}.{name}")
        if isinstance(v, list):
            out += [[str(x) for x in g] for g in v if isinstance(g, list)]
    return out


# a word said twice in a row; its quantifiers possessive: a word's letters are never a space, so no
# shorter word and no fewer spaces can match where the whole run did not (`_DOUBLE_PLAIN`, the
# pattern as first written: tests/test_render_speed.py), and the engine gives nothing back to try
_DOUBLE = re.compile(r"(?<![\w'-])([\w']++)\s++\1(?![\w'-])", re.I)
_DOUBLE_PLAIN = re.compile(r"(?<![\w'-])([\w']+)\s+\1(?![\w'-])", re.I)


def _doubled(loc: str, text: str) -> bool:
    """Whether a drafted sentence says a word twice in a row where two of its
    pieces meet ("look at" + "at the same time", "Ihnen noch" + a paraphrase's
    "noch einen schönen Tag"), other than a word the locale may double
    (`pop.generic.doubled_ok`: "ist das das Problem"). A hesitation's
    repetition is added after drafting (dynamics), so it is never vetoed."""
    if _DOUBLE.search(text) is None:
        return False
    ok = _doubled_ok(loc)
    return any(m.group(1).lower() not in ok for m in _DOUBLE.finditer(text))


@lru_cache(maxsize=None)
def _doubled_ok(loc: str) -> frozenset[str]:
    return frozenset(str(w).lower() for w in load_bank(loc).get("pop.generic.doubled_ok") or ())


@lru_cache(maxsize=None)
def _reactions(loc: str, dom: str) -> re.Pattern | None:
    """`pop.<dom>.reactions` (the domain's own list, no other's): the words of a thanks or an apology."""
    words = [str(w) for w in load_bank(loc).get(f"pop.{dom}.reactions") or ()]
    return _forms_rx(words) if words else None


@lru_cache(maxsize=None)
def _scenario_kind(loc: str, scen: str) -> str:
    """The kind of outcome a scenario of a population without a domain has, as the generic banks
    name it (`pop.generic.scenario_kinds`: rows [kind, word ...]; the first row one of whose words
    the scenario's name holds, else the first row's): its outcome steps, close and asides are
    `osteps.<kind>`, `close.<kind>`, `more.<kind>.<side>`. The scenario itself when the bank has no table."""
    rows = [r for r in load_bank(loc).get("pop.generic.scenario_kinds") or () if isinstance(r, list) and r]
    low = scen.lower()
    for row in rows:
        if any(str(w).lower() in low for w in row[1:]):
            return str(row[0])
    return str(rows[0][0]) if rows else scen


@lru_cache(maxsize=None)
def _voice_only(loc: str, dom: str) -> re.Pattern | None:
    """What only a phone call says (`pop.*.voice_only`): never written in a chat."""
    words = [w for g in _groups(load_bank(loc), dom, "voice_only") for w in g]
    # at a word's start only ("voice" is no part of "invoice", "mute" none of "commute"): a word's
    # other forms still follow it ("telefonier" in "telefonieren")
    return re.compile(_at_word_start("|".join(sorted(words, key=len, reverse=True))), re.I) if words else None


def _at_word_start(alternatives: str) -> str:
    """A pattern of `alternatives` matched only where a word starts."""
    return r"(?<!\w)(?:" + alternatives + ")"


@lru_cache(maxsize=None)
def _unsaid(loc: str, dom: str, chat: bool, transfers: bool) -> re.Pattern | _Lowered | None:
    """What a call's banks are pruned of (`_service_bank`), as one regex,
    searched in every sentence a service call drafts: factored by common
    prefix (`alternation`) when every word is plain text, since the plain
    alternation under IGNORECASE tries each word at each position (a third
    of a service call's time); `_unsaid_plain` is the same words as written."""
    if all(x is None for x in _unsaid_parts(loc, dom, chat, transfers)):
        return None  # (as `_unsaid_plain` is: its pattern compiled only where it is searched)
    bank = load_bank(loc)
    voice = [w for g in _groups(bank, dom, "voice_only") for w in g] if chat else []
    if any(ch in _REGEX_SYNTAX for w in voice for ch in w):
        return _unsaid_plain(loc, dom, chat, transfers)  # a voice-only entry written as a regex: searched as written
    held = [w for name in ("hold_words",) + (() if transfers else ("transfer_words",))
            for g in _groups(bank, dom, name) for w in g]  # (escaped in `_hold_words`: plain text)
    # a voice-only word at a word's start only (`_voice_only`), hold talk anywhere
    rx = "|".join(x for x in (voice and _at_word_start(alternation(voice)), held and alternation(held)) if x)
    if _NOT_SIMPLE("".join(voice + held)) is not None:
        return re.compile(rx, re.I)
    low = "|".join(x for x in (voice and _at_word_start(trie(sorted({w.lower() for w in voice}))),
                               held and trie(sorted({w.lower() for w in held}))) if x)
    # (the IGNORECASE pattern compiled when a text first needs it: most variants' texts never do)
    return _Lowered(rx, re.compile(low))


_REGEX_SYNTAX = frozenset(".^$*+?{}[]\\|()")
# letters an IGNORECASE match pairs with exactly the characters of the same lower case (and nothing
# else: no "ſ" ~ "s", no final sigma), pairwise among themselves and ASCII (tests/test_render_speed.py)
CASE_SIMPLE = "äöüÄÖÜßéÉèÈàÀáÁâÂêÊçÇñÑ’‘“”„‚–—…€«»"
_NOT_SIMPLE = re.compile(f"[^\\x00-\\x7f{CASE_SIMPLE}]").search


class _Lowered:
    """An IGNORECASE search of plain words answered, for a text of `CASE_SIMPLE`
    letters and ASCII, by a case-sensitive search of the lower-cased text (some
    six times faster); other texts by the IGNORECASE pattern itself (`rx`: given
    compiled, or as its text, compiled with IGNORECASE the first time it is searched)."""
    __slots__ = ("_rx", "low", "pattern")

    def __init__(self, rx: re.Pattern | str, low: re.Pattern):
        if isinstance(rx, str):
            self._rx, self.pattern = None, rx
        else:
            self._rx, self.pattern = rx, rx.pattern
        self.low = low

    @property
    def rx(self) -> re.Pattern:
        if self._rx is None:
            self._rx = re.compile(self.pattern, re.I)
        return self._rx

    def search(self, text: str):
        if text.isascii() or _NOT_SIMPLE(text) is None:
            return self.low.search(text.lower())
        return self.rx.search(text)

    def finditer(self, text: str):
        """The matches, lower-cased where the text was (same spans: each letter lower-cases to one)."""
        if text.isascii() or _NOT_SIMPLE(text) is None:
            return self.low.finditer(text.lower())
        return self.rx.finditer(text)


def _lower_simple(text: str) -> str | None:
    """`text` lower-cased when a `_Lowered` would search it so, else None."""
    return text.lower() if text.isascii() or _NOT_SIMPLE(text) is None else None


def _search(rx, text: str, low: str | None):
    """`rx.search(text)`, a `_Lowered` searching `low` (`_lower_simple(text)`) lower-cased once for several."""
    if low is not None and rx.__class__ is _Lowered:
        return rx.low.search(low)
    return rx.search(text)


def _finditer(rx, text: str, low: str | None):
    """`rx.finditer(text)`, as `_search`."""
    if low is not None and rx.__class__ is _Lowered:
        return rx.low.finditer(low)
    return rx.finditer(text)


class _Scan:
    """What `Service._contradicts` finds in one text that depends only on the
    text and the call's banks (`_scans`): worked out once per text, each part
    the first time a check asks for it (None: not yet). A text its table's
    `gate` finds nothing in has no setting form, fact value or caller-fact
    form: those parts are known at once (three texts in four of the contact center's)."""
    __slots__ = ("low", "unsaid", "doubled", "upbeat", "downbeat", "thanks", "settings", "values", "facts")

    def __init__(self, text: str, gate: re.Pattern | None):
        self.low = low = _lower_simple(text)  # for the `_Lowered` patterns, lower-cased once
        self.unsaid = self.doubled = self.upbeat = self.downbeat = self.thanks = None
        if gate is not None and low is not None and gate.search(low) is None:
            self.settings, self.values, self.facts = (), (), ()
        else:
            self.settings = self.values = self.facts = None


class _Scans(dict):
    """Text -> its `_Scan`, and the one search (`gate`, or None) that rules out
    every match of the setting forms, fact values and caller-fact forms in a
    lower-cased text (`_gate`)."""
    __slots__ = ("gate",)


SCANS_MAX = 1 << 13  # texts kept per bank variant (~300 bytes each: at most ~2.4 MB a variant; a call drafts some 80)
_SCANS: dict[tuple[str, str, bool, bool], tuple[tuple, _Scans]] = {}


def _scans(loc: str, dom: str, chat: bool, transfers: bool) -> _Scans:
    """Text -> its `_Scan`, one table per locale, domain, chat and transfers:
    every pattern a scan reads (`_unsaid`, `_doubled_ok`, `_upbeat`, `_settings`,
    `_fact_values`, `_caller_facts`) is a function of these alone; a table is
    made anew when one of them was made anew (the banks loaded again)."""
    prefix = f"pop.{dom}.fact."
    pats = (_unsaid(loc, dom, chat, transfers), _doubled_ok(loc), _settings(loc, dom), _caller_facts(loc, dom),
            _FACT_VALUES.get((loc, prefix)), _FACT_FORMS.get((loc, prefix)), _upbeat(loc, dom),
            _upbeat(loc, dom, "downbeat"), _upbeat(loc, dom, "thanks"))
    hit = _SCANS.get((loc, dom, chat, transfers))
    if hit is None or len(hit[0]) != len(pats) or any(a is not b for a, b in zip(hit[0], pats)):
        table = _Scans()
        table.gate = _gate(*pats[2:6])
        hit = _SCANS[loc, dom, chat, transfers] = (pats, table)
    return hit[1]


_GATES: dict[tuple[int, ...], tuple[tuple, re.Pattern | None]] = {}


def _gate(settings, facts, values, value_forms) -> re.Pattern | None:
    """One pattern that finds something in a lower-cased text wherever one of
    the `_Lowered` patterns `settings[0]`, `facts[0]` and `values` would: each
    of them a whole-word alternation of lower-case forms, this one of all
    their forms (a form matching there matches here, at the same place). None
    unless all are `_Lowered` (or absent); one per locale and domain (the
    tables of its chat and transfer variants share it)."""
    key = (id(settings), id(facts), id(values), id(value_forms))
    hit = _GATES.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], (settings, facts, values, value_forms))):
        return hit[1]
    rxs = [settings[0] if settings else None, facts[0] if facts else None, values]
    if facts is None or any(x is not None and x.__class__ is not _Lowered for x in rxs) or \
            (values is not None and value_forms is None):
        gate = None
    else:
        forms = {*facts[1], *facts[2], *facts[3], *(settings[1] if settings else ()), *(value_forms or ())}
        gate = re.compile(r"(?<![\w-])(?:" + trie(sorted(forms)) + r")(?![\w-])")
    _GATES[key] = ((settings, facts, values, value_forms), gate)
    return gate


def _lowered(rx: re.Pattern) -> re.Pattern | _Lowered:
    """`rx` (IGNORECASE, over lower-case words of ASCII and `CASE_SIMPLE` letters)
    as a `_Lowered`; any other pattern as it is."""
    p = rx.pattern
    if p != p.lower() or _NOT_SIMPLE(p) is not None:
        return rx
    return _Lowered(rx, re.compile(p))


@lru_cache(maxsize=None)
def _unsaid_plain(loc: str, dom: str, chat: bool, transfers: bool) -> re.Pattern | None:
    rxs = [x for x in _unsaid_parts(loc, dom, chat, transfers) if x is not None]
    return re.compile("|".join(x.pattern for x in rxs), re.I) if rxs else None


def _unsaid_parts(loc: str, dom: str, chat: bool, transfers: bool) -> tuple[re.Pattern | None, ...]:
    """The patterns of what a call's banks are pruned of (`_service_bank`): a chat's phone-only
    phrases, hold talk, and without a transfer transfer talk (None: none, or not pruned of)."""
    return (_voice_only(loc, dom) if chat else None, _hold_words(loc, dom),
            None if transfers else _hold_words(loc, dom, "transfer_words"))


_PRUNED: dict[tuple[int, int], tuple[Any, Any, Any]] = {}


def _pruned(t, rx: re.Pattern):
    """`_prune(t, rx)`, once per template and pattern (a hold's announcements, pruned in every call
    with a hold): keyed by both objects' ids, kept with them so neither id is taken by another."""
    hit = _PRUNED.get((id(t), id(rx)))
    if hit is None or hit[0] is not t or hit[1] is not rx:
        if len(_PRUNED) > 4096:
            _PRUNED.clear()
        hit = _PRUNED[id(t), id(rx)] = (t, rx, _prune(t, rx))
    return hit[2]


def _prune(t, rx: re.Pattern):
    """Template `t` without the alternatives that say something only a phone
    call says; None when no clean reading is left."""
    if isinstance(t, str):
        return None if rx.search(t) else t
    out = []
    for n in t:
        if isinstance(n, str):
            if rx.search(n):
                return None
            out.append(n)
        elif n[0] == SLOT:
            out.append(n)
        else:
            alts = tuple(a for a in (_prune(x, rx) for x in n[1]) if a is not None)
            if not alts:
                return None
            out.append((ALT, alts))
    return tuple(out)


PREFIXES = ("pop.", "dyn.")  # the banks a service call draws its sentences from (names and calendars are data)


_SERVICE: dict[tuple[str, str, bool, bool], tuple[dict, tuple]] = {}


def service_bank(loc: str, dom: str, chat: bool, transfers: bool = True) -> tuple[dict[str, Any], dict[int, tuple[Any, Any]]]:
    """`_service_bank`, prepared again when the locale's bank was loaded anew
    (its templates, and so their identities, are new)."""
    bank = load_bank(loc)
    key = (loc, dom, chat, transfers)
    hit = _SERVICE.get(key)
    if hit is None or hit[0] is not bank:
        hit = _SERVICE[key] = (bank, _service_bank(loc, dom, chat, transfers))
    return hit[1]


def _service_bank(loc: str, dom: str, chat: bool, transfers: bool) -> tuple[dict[str, Any], dict[int, tuple[Any, Any]]]:
    """The locale's banks as a service call speaks them: (bank, templates as
    rendered). The population banks' templates are rendered with their signal
    markers (`marked_templates`) and their paraphrase groups
    (`pop.*.paraphrase`) compiled in as alternatives, so a paraphrased
    sentence is drawn like any other and keeps the labels its template
    declares; each is prepared the first time a call draws it (`Prepared`).
    Every call's banks hold only readings free of hold talk (`pop.*.hold_words`:
    said only by the planned hold's own banks, `pop.*.hold.*`, which are never
    paraphrased), in a call without a transfer free of transfer talk too
    (`transfer_words`), and in a chat free of phone-only phrases (`_prune`); a
    bank is left empty when none survives (its `_text` sibling or another bank
    speaks instead)."""
    bank = load_bank(loc)
    marked = marked_templates(loc)
    rxs = [x for x in (_voice_only(loc, dom) if chat else None, _hold_words(loc, dom),
                       None if transfers else _hold_words(loc, dom, "transfer_words")) if x is not None]
    rx = re.compile("|".join(x.pattern for x in rxs), re.I) if rxs else None
    said = _says(loc)

    def clean(t) -> bool:  # no component pattern finds a literal of `t` (each tested once per template)
        return not any(said(t, x) for x in rxs)
    dyn = [k for k in bank if k.startswith(("pop.generic.dyn.", f"pop.{dom}.dyn."))]
    out = dict(bank) if rx is not None or dyn else bank
    pending: dict[int, tuple[Any, bool]] = {}
    pruned: list[tuple[str, list]] = []
    for k, v in bank.items():
        if not k.startswith(PREFIXES) or not isinstance(v, list) or not v or isinstance(v[0], (dict, list)):
            continue
        # the hold's own words, a language switch's (another language), a fact's (said alike each
        # time), the fillers and cut-ins (the dynamics' labelled words): kept as written
        own = k.split(".")[2:3] in (["hold"], ["switch"], ["fact"], ["dyn"])
        for t in v:
            pending[id(t)] = (t, k.startswith("pop.") and not own, None if own else rx)
        if rx is not None and not own:
            pruned.append((k, v))
    # which templates survive, by position (kept between processes: render/template/memo.py)
    keep = prepared_memo.kept("service.keep", loc, lambda: [
        [i for i, t in enumerate(v) if clean(t) or _prune(t, rx) is not None] for _, v in pruned],
        (dom, chat, transfers))
    for (k, v), idx in zip(pruned, keep):
        out[k] = [v[i] for i in idx]
    for d in ("generic", dom):  # the service call's own hesitations and cut-ins over the locale's (`pop.*.dyn.*`)
        for k in dyn:
            if k.startswith(f"pop.{d}.dyn.") and out.get(k):
                out["dyn." + k[len(f"pop.{d}.dyn."):]] = out[k]
    para: list = []  # the paraphrase tables, made when a template is first prepared here
    caps = tuple(load_lexicon(loc).keep_capital)

    def make(t, paraphrase: bool, prune: re.Pattern | None):
        m = marked.get(id(t))
        x = m[1] if m is not None and m[0] is t else t
        if prune is not None and not clean(t):
            x = _prune(x, prune)
        if not para:
            para.append(_paraphraser(loc, dom, chat))
        if para[0] is not None and paraphrase and x is not None:
            x = _paraphrased(_spelled_out(x), para[0], caps, True)
        return t if x is None else x
    # a population template is prepared the first time a call draws it; the other banks' as marked
    return out, Prepared(pending, lambda p: (p[0], make(*p)), marked,
                         memo=prepared_memo.memo("service", loc, dom, chat, transfers))


_SAYS: dict[str, tuple[dict, dict[tuple[int, int], bool]]] = {}


def _says(loc: str):
    """Whether a pattern finds any literal of a template, memoised per
    template and pattern of the locale's bank: `_prune` tests each literal
    alone, so a template no pattern finds stays as it is (most), and the
    bank's variants (chat, transfers) share the answers."""
    bank = load_bank(loc)
    hit = _SAYS.get(loc)
    if hit is None or hit[0] is not bank:
        hit = _SAYS[loc] = (bank, {})
    memo = hit[1]

    def says(t, rx: re.Pattern) -> bool:
        key = (id(t), id(rx))
        got = memo.get(key)
        if got is None:
            got = memo[key] = rx.search("\0".join(_walk_literals(t, []))) is not None
        return got
    return says


def _walk_literals(t, out: list[str]) -> list[str]:
    if isinstance(t, str):
        out.append(t)
        return out
    for n in t:
        if isinstance(n, str):
            out.append(n)
        elif n[0] != SLOT:
            for x in n[1]:
                _walk_literals(x, out)
    return out


SPELL_OUT = 48  # readings up to which a template's alternatives are spelled out before paraphrasing


def _spelled_out(t):
    """A template of few readings as one alternative over its readings, so a
    paraphrase phrase that spans an alternative and the words around it
    ("[Vielen Dank|Danke] fürs Warten") is found in each reading; drawing a
    reading uniformly is drawing each alternative uniformly."""
    if isinstance(t, str):
        return t
    outs: list[list] = [[]]
    for n in t:
        if isinstance(n, str) or n[0] == SLOT:
            for o in outs:
                o.append(n)
            continue
        tails = [_spelled_out(a) for a in n[1]]
        if len(outs) * len(tails) > SPELL_OUT or any(isinstance(x, tuple) and any(
                isinstance(y, tuple) and y[0] == ALT for y in x) for x in tails):
            return t
        outs = [o + ([x] if isinstance(x, str) else list(x)) for o in outs for x in tails]
    readings = tuple(seal(o) for o in outs)
    return readings[0] if len(readings) == 1 else ((ALT, readings),)


def _paraphrased(t, para: tuple, caps: tuple[str, ...], start: bool):
    """Template `t` with every paraphrase phrase in its literals turned into an
    alternative of its group (capitalized as the phrase was); a phrase that
    only opens a sentence only where a sentence opens (`start`: the template's
    own start)."""
    if isinstance(t, str):
        return seal(_para_literal(t, para, caps, start))
    out: list = []
    for i, n in enumerate(t):
        # a sentence opens at the template's start and after a literal's full stop
        opens = start if i == 0 else isinstance(t[i - 1], str) and t[i - 1][-2:] in (". ", "? ", "! ")
        if isinstance(n, str):
            out += _para_literal(n, para, caps, opens)
        elif n[0] == SLOT:
            out.append(n)
        else:
            out.append((ALT, tuple(_paraphrased(a, para, caps, opens) for a in n[1])))
    return seal(out)


_PARA_MEMO: dict[tuple, tuple] = {}


def _para_literal(s: str, para: tuple, caps: tuple[str, ...], start: bool) -> tuple:
    """One literal's nodes with its paraphrase phrases as alternatives; the
    same literal recurs across templates and readings, so it is worked out once
    per paraphrase table (`para` is one cached object per locale, domain and chat)."""
    key = (id(para), s, start)
    got = _PARA_MEMO.get(key)
    if got is None:
        got = _PARA_MEMO[key] = tuple(_para_nodes(s, para, caps, start))
    return got


def _para_nodes(s: str, para: tuple, caps: tuple[str, ...], start: bool) -> list:
    rx, tables, opening, fixed = para
    out: list = []
    pos = 0
    # a fixed phrase ("ab sofort", "zu viel auf einmal") is said as written: no paraphrase inside it
    kept = [m.span() for m in fixed.finditer(s)] if fixed is not None else []
    for m in rx.finditer(s):
        if any(a < m.end() and m.start() < b for a, b in kept):
            continue
        table = m.lastindex - 1
        if m.start() == 0 and table in opening and not start:
            continue  # a sentence opener, but here the literal continues a sentence
        found = m.group()
        group = tables[table][found.lower()]
        # a member written with a closing `$` ("give me a shout$") only where a clause ends after it
        ends = m.end() < len(s) and s[m.end()] in ",.!?;:"
        alts = [w.rstrip("$") for w in group if ends or not w.endswith("$")] or [found]
        # a group written as sentence openers is said lower-case mid-sentence; one of mixed case as written
        # (a German noun keeps its capital: "jeden Monat" -> "Monat für Monat")
        lower = all(w[:1].isupper() for w in group)
        out.append(s[pos:m.start()])
        out.append((ALT, tuple(_cased(found, w, caps, lower) for w in alts)))
        pos = m.end()
    out.append(s[pos:])
    return [x for x in out if x != ""]


@lru_cache(maxsize=None)
def _hold_words(loc: str, dom: str, name: str = "hold_words") -> re.Pattern | None:
    """What speaks of a hold (`pop.*.hold_words`): said only by the hold the
    call plans (`pop.*.hold.*`), never elsewhere, so a call without a hold
    never mentions one and a call with one mentions it where it happens.
    `transfer_words`: what implies a transfer, never said in a call without one."""
    words = [w for g in _groups(load_bank(loc), dom, name) for w in g]
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I) if words else None


def _paraphraser(loc: str, dom: str, chat: bool) -> tuple[re.Pattern, list[dict[str, list[str]]], set[int],
                                                          re.Pattern | None] | None:
    """`pop.*.paraphrase`: groups of phrases that say the same in the same
    place of a sentence; any member found is replaced by one of its group. A
    group written with a leading `^` only opens a sentence; a member written
    with a closing `$` is said only where a clause ends after it. A chat never
    gets a member that only a phone call says (a member found keeps its
    place when no other is left). One regex, a group per kind: the match's
    `lastindex` says which table it belongs to."""
    found = _paraphrase_rx(loc, dom)
    if found is None or not chat:
        return found
    rx = _voice_only(loc, dom)
    if rx is None:
        return found
    tables = [{w: [x for x in g if not rx.search(x)] or [w] for w, g in of.items()} for of in found[1]]
    return found[0], tables, *found[2:]


@lru_cache(maxsize=None)
def _paraphrase_rx(loc: str, dom: str) -> tuple[re.Pattern, list[dict[str, list[str]]], set[int],
                                                  re.Pattern | None] | None:
    """The phone call's paraphrase tables and their one regex (a chat's tables
    narrow the same groups), and the fixed phrases no paraphrase reaches into
    (`pop.*.paraphrase_fixed`: "ab sofort" never "ab unverzüglich"). A group
    whose members read as different signals (`term_categories`) is left out:
    a paraphrase never changes what a sentence is labelled."""
    parts, tables, opening = [], [], set()
    held = _hold_words(loc, dom)
    for start in (True, False):
        of: dict[str, list[str]] = {}
        # a domain-less call speaks the generic banks alone: their own groups (`pop.generic.paraphrase_own`)
        # vary it further without touching what a domain's calls say
        own = _groups(load_bank(loc), "generic", "paraphrase_own") if dom == "generic" else []
        for g in _groups(load_bank(loc), dom, "paraphrase") + own:
            if g and g[0].startswith("^") == start:
                g = [w.lstrip("^") for w in g]
                g = [w for w in g if not (held and held.search(w))]  # a paraphrase never turns a sentence into hold talk
                if len({term_categories(loc, w.rstrip("$"), scope="service") for w in g}) > 1:
                    continue
                for w in g if len(g) > 1 else ():
                    of.setdefault(w.rstrip("$").lower(), g)
        if of:
            # a sentence opener is one when punctuation closes it ("Gut," "Good." but not "Gut zu wissen")
            lead, end = (r"(?:^|(?<=[.!?] ))", r"(?:(?<=[,.!?:])|(?=[,.!?:;]))") if start else \
                (r"(?<![\w-])", r"(?![\w-])")
            parts.append(rf"({lead}(?:{trie(of)}){end})")
            if start:
                opening.add(len(tables))
            tables.append(of)
    fixed = [str(w) for d in ("generic", dom) for w in load_bank(loc).get(f"pop.{d}.paraphrase_fixed") or ()]
    kept = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(set(fixed), key=len, reverse=True)) +
                      r")(?![\w-])", re.I) if fixed else None
    return (re.compile("|".join(parts), re.I), tables, opening, kept) if parts else None


def _forms_rx(forms) -> re.Pattern:
    # factored by common prefix (`alternation`): the matches of the forms longest first, fewer tries a character
    return re.compile(r"(?<![\w-])(?:" + alternation(list(forms)) + r")(?![\w-])", re.I)


def _forms_rx_plain(forms) -> re.Pattern:
    """`_forms_rx` as a plain alternation (tests/test_render_speed.py holds the two alike)."""
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(forms, key=len, reverse=True))) + r")(?![\w-])",
                      re.I)


@lru_cache(maxsize=None)
def _answers(loc: str, dom: str) -> tuple[re.Pattern, dict[str, set[str]], dict[str, re.Pattern]] | None:
    """`pop.*.answered_by` ({step, asks, says}: a caller's question saying a
    form of `asks` is answered by the agent's `step`, in a sentence saying a
    form of `says`) as one regex over the questions' forms, the steps that
    answer each, and what each step's answer says."""
    steps: dict[str, set[str]] = {}
    says: dict[str, list[str]] = {}
    for d in ("generic", dom) if dom != "generic" else ("generic",):
        for row in load_bank(loc).get(f"pop.{d}.answered_by") or ():
            for f in row["asks"]:
                steps.setdefault(str(f).lower(), set()).add(str(row["step"]))
            says.setdefault(str(row["step"]), []).extend(str(f) for f in row.get("says") or ())
    if not steps:
        return None
    return _forms_rx(steps), steps, {k: _forms_rx(v) for k, v in says.items() if v}


@lru_cache(maxsize=None)
def _asks(loc: str, dom: str) -> tuple[re.Pattern, dict[str, str], dict[str, re.Pattern]] | None:
    """`pop.*.asks` ({kind, asks, says}: a caller's question saying a form of
    `asks` asks a question of that kind; an agent sentence saying a form of
    `says` answers it) as one regex over the questions' forms, the kind of
    each form, and what an answer of each kind says."""
    kinds: dict[str, str] = {}
    says: dict[str, list[str]] = {}
    for d in ("generic", dom) if dom != "generic" else ("generic",):
        for row in load_bank(loc).get(f"pop.{d}.asks") or ():
            for f in row["asks"]:
                kinds[str(f).lower()] = str(row["kind"])
            says.setdefault(str(row["kind"]), []).extend(str(f) for f in row.get("says") or ())
    if not kinds:
        return None
    return _forms_rx(kinds), kinds, {k: _forms_rx(v) for k, v in says.items() if v}


_SLOTS: dict[int, tuple[Any, set[str]]] = {}


def _slots_of(t) -> set[str]:
    """`template_slots`, once per compiled template (they live as long as their bank)."""
    hit = _SLOTS.get(id(t))
    if hit is None or hit[0] is not t:
        hit = _SLOTS[id(t)] = (t, template_slots(t))
    return hit[1]


_KEYS: dict[tuple[int, str], tuple[dict, dict[tuple[str, ...], str | None]]] = {}


def _k_table(bank: dict, dom: str) -> dict[tuple[str, ...], str | None]:
    """`Service.k`'s answers, one table per bank and domain (an answer reads
    only the bank and the domain): shared by every call of them; a bank
    loaded anew gets a table of its own."""
    hit = _KEYS.get((id(bank), dom))
    if hit is None or hit[0] is not bank:
        if len(_KEYS) > 64:
            _KEYS.clear()
        hit = _KEYS[id(bank), dom] = (bank, {})
    return hit[1]


_USABLE: dict[tuple[int, frozenset[str]], tuple[list, list[int]]] = {}


def _usable(lst: list, missing: frozenset[str]) -> list[int]:
    """The positions of `lst`'s templates that use none of the `missing` slots,
    once per bank list and set of missing slots (a call has one of a few)."""
    key = (id(lst), missing)
    hit = _USABLE.get(key)
    if hit is None or hit[0] is not lst:
        if len(_USABLE) > 4096:
            _USABLE.clear()
        hit = _USABLE[key] = (lst, [i for i, t in enumerate(lst) if not (_slots_of(t) & missing)])
    return hit[1]


_WORDS: dict[int, tuple[Any, float]] = {}


def _words_of(t) -> float:
    """The words a template says on average (a slot as one word), once per compiled template."""
    hit = _WORDS.get(id(t))
    if hit is None or hit[0] is not t:
        hit = _WORDS[id(t)] = (t, _mean_words(t))
    return hit[1]


def _mean_words(t) -> float:
    if isinstance(t, str):
        return len(t.split())
    n = 0.0
    for x in t:
        if isinstance(x, str):
            n += len(x.split())
        elif x[0] == SLOT:
            n += 0 if x[1][:1] == "#" else 1
        else:
            n += sum(_mean_words(a) for a in x[1]) / len(x[1])
    return n


def once_keys(locale: str, dom: str, side: str) -> tuple[str, ...]:
    """Banks `pop.<dom>.once.<side>.*`: asides used at most once per call
    (names ending `_voice` only on the phone, `_text` only in chats)."""
    return with_prefix(locale, f"pop.{dom}.once.{side}.")


REPEAT = "_repeat"  # a bank said only in a repeat contact (`Service.repeat`)
AGENT = "@agent"  # the mark of an agent turn's slots (`Service._agent_slots`)
PII_SLOTS = frozenset({"phone", "new_phone", "email"})  # contact data: said only in a planned disclosure
# the slots that hold personal data and their category (`pii` events; an address is its street and house number)
PII_VALUES = (("name", "caller_full"), ("name", "caller"), ("name", "last"), ("name", "last_spelled"),
              ("date_of_birth", "dob"),
              ("customer_number", "custno"), ("card_digits", "last4"), ("phone", "phone"), ("phone", "new_phone"),
              ("phone", "phone4"), ("email", "email"))
SWITCH_FLAG, PII_FLAG = "language_switch", "pii_disclosure_flag"  # the metadata's flags a call realizes


def _ascii(name: str) -> str:
    """A name as an e-mail address's local part (letters only, accents dropped)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name.lower()) if ch.isascii() and ch.isalpha())


@lru_cache(maxsize=None)
def _fact_names(loc: str, prefix: str) -> tuple[str, ...]:
    """The facts a domain's calls draw once each (`pop.<dom>.fact.<name>[.<product or intent>]`)."""
    return tuple(sorted({k[len(prefix):].split(".")[0] for k in with_prefix(loc, prefix)}))


@lru_cache(maxsize=None)
def _facts_by(loc: str, dom: str) -> tuple[tuple[str, str, str], ...]:
    """(key, fact, the fact it follows) of `pop.<dom>.fact_by.<fact>.<of>`."""
    by = f"pop.{dom}.fact_by."
    return tuple((k, *k[len(by):].partition(".")[::2]) for k in with_prefix(loc, by))


_FACT_VALUES: dict[tuple[str, str], re.Pattern | None] = {}
_FACT_FORMS: dict[tuple[str, str], frozenset[str]] = {}  # the lower-case values `_FACT_VALUES`' pattern finds
PRODUCT_FACTS = frozenset({"card", "my_product", "other_account", "other_account_def"})


def _fact_values(R: Any, prefix: str) -> re.Pattern | None:
    """Every value the domain's facts (`pop.<dom>.fact.<name>[.<x>]`, plain
    phrases; not the product's own words) can take, as one whole-word
    pattern: one per locale and domain, whatever the number of calls."""
    got = _FACT_VALUES.get((R.loc, prefix), False)
    if got is not False:
        return got
    values = {v.lower() for k in with_prefix(R.loc, prefix) if k[len(prefix):].split(".")[0] not in PRODUCT_FACTS
              for v in R.bank.get(k) or () if isinstance(v, str) and "[" not in v and "{" not in v}
    _FACT_FORMS[R.loc, prefix] = frozenset(values)
    got = _FACT_VALUES[R.loc, prefix] = (
        _lowered(re.compile(r"(?<![\w-])(?:" + trie(sorted(values)) + r")(?![\w-])", re.I)) if values else None)
    return got


_FIRST = re.compile(r"[^.!?]*[.!?]*")  # a text's first sentence
_QUESTION = re.compile(r"[^.!?]+\?")  # the questions of a text
_RUN = re.compile(r"[^.!?]+[.!?]?")  # a text's sentences with their end marks (`_questions`)
_LONG_WORD = re.compile(r"\w{5,}")  # the words that say what a question is about (in any locale: the longer ones)
LEAD_CHANCE = {"agent": 0.15, "caller": 0.3}
REACT_CHANCE = {"agent": 0.45, "caller": 0.4}
GENERIC_FILLS = 2  # asides `fit` adds to a turn of a call without a domain (its outcome said 5 after it)  # turns that open with a reaction to the turn before (`_react`)  # a sentence opened by a lead ("Also," "Well,"), by side
RECORDING_CHANCE = 0.1  # phone calls whose agent says the recording notice at the opening
HOLD_TRIES = 12  # draws of a hold announcement whose words claim no length the hold does not have
# a turn's opening acknowledgement: up to seven words, no question, ended by a stop or semicolon ("Gern.",
# "Okay, das schauen wir uns zusammen an;"), read before the recording notice (`Service._recording`)
_ACK_LEAD = re.compile(r"(?:[^\s.;?!]+[ ,]+){0,6}[^\s.;?!]+[.;!](?= )")
_LEAD_WORD = re.compile(r"\w+")
TAILS_PER_CALL = 8  # closing asides (", by the way") a side says in one call: each at most once (the bank cycles)


def _letters(name: str) -> str:
    """A surname spelled out letter by letter ("Wolf" -> "W-O-L-F")."""
    return "-".join(ch.upper() for ch in name if ch.isalpha())


def _says_a_word_of(lead: str, text: str) -> bool:
    """Whether a word of `lead` (`_LEAD_WORD`) is a word of `text`:
    `set(_LEAD_WORD.findall(lead)) & set(_LEAD_WORD.findall(text))`, as a
    look for the lead's few words in `text` (`whole_words`: where no word
    character touches one), not a list of all of the turn's words."""
    return any(w in text and next(whole_words(w, text), None) is not None for w in _lead_words(lead))


@lru_cache(maxsize=1024)
def _lead_words(lead: str) -> tuple[str, ...]:
    """The words of a lead (a bank phrase: some hundred of them), once each."""
    return tuple(sorted(set(_LEAD_WORD.findall(lead))))


def _questions(text: str) -> list[str]:
    """`_QUESTION.findall(text)` in one pass over the text (the pattern tries
    again at each character of a sentence that ends with no question mark):
    the sentences that end with one."""
    if "?" not in text:
        return []
    return [q for q in _RUN.findall(text) if q[-1] == "?"]


@lru_cache(maxsize=None)
def _upbeat(loc: str, dom: str, name: str = "upbeat") -> re.Pattern | None:
    """`pop.*.upbeat`: the words of delight an upset caller does not say ("perfect", "wonderful");
    `pop.*.downbeat`: the words of anger a content caller does not say;
    `pop.*.thanks`: the thanks an upset caller says only as the call ends."""
    words = [str(w) for d in ("generic", dom) for w in load_bank(loc).get(f"pop.{d}.{name}") or ()]
    return _forms_rx(words) if words else None


@lru_cache(maxsize=None)
def _upbeat_lowered(loc: str, dom: str, name: str = "upbeat") -> re.Pattern | _Lowered | None:
    """`_upbeat` as `_lowered` reads it: a text lower-cased once (`_Scan.low`) searched case-sensitively."""
    rx = _upbeat(loc, dom, name)
    return _lowered(rx) if rx is not None else None


@lru_cache(maxsize=None)
def _tail_not(loc: str, dom: str) -> re.Pattern | None:
    """`pop.*.tail_not`: the words of a sentence that takes no closing aside (a thanks, a goodbye)."""
    words = [str(w) for d in ("generic", dom) for w in load_bank(loc).get(f"pop.{d}.tail_not") or ()]
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + ")", re.I) if words else None


@lru_cache(maxsize=None)
def _word_set(loc: str, key: str) -> frozenset[str]:
    return frozenset(str(w).lower() for g in load_bank(loc).get(key) or () for w in (g if isinstance(g, list) else [g]))


@lru_cache(maxsize=None)
def _caller_facts(loc: str, dom: str) -> tuple[re.Pattern, dict[str, list[tuple[int, int]]],
                                               dict[str, list[tuple[int, int]]], dict[str, list[tuple[int, int]]]] | None:
    """What a call says of its caller (pop_caller.json), as one regex over
    the forms and what each form says: `pop.*.exclusive`, (group, member) of a
    fact a call states once (the one person who usually helps, a new number or
    the old one still correct, the device that still works, where the caller
    is, whether the new card keeps its PIN); `pop.*.said_between`, the hours
    [from, to) in which a call may start for the form to be said ("after
    work"); `pop.*.said_aged`, the caller's ages [from, to] in years for it
    to be said ("my pension", a youth account that ended with a birthday)."""
    bank = load_bank(loc)
    facts: dict[str, list[tuple[int, int]]] = {}
    hours: dict[str, list[tuple[int, int]]] = {}
    ages: dict[str, list[tuple[int, int]]] = {}
    n = 0
    for d in ("generic", dom) if dom != "generic" else ("generic",):
        for g in bank.get(f"pop.{d}.exclusive") or ():
            for m, forms in enumerate(g):
                for f in forms:
                    facts.setdefault(str(f).lower(), []).append((n, m))
            n += 1
        for row in bank.get(f"pop.{d}.said_between") or ():
            for f in row[2:]:
                hours.setdefault(str(f).lower(), []).append((int(row[0]), int(row[1])))
        for row in bank.get(f"pop.{d}.said_aged") or ():
            for f in row[2:]:
                ages.setdefault(str(f).lower(), []).append((int(row[0]), int(row[1])))
    forms = sorted({*facts, *hours, *ages}, key=len, reverse=True)
    if not forms:
        return None
    # the regex finds the longest form: it says what each form inside it says too
    # ("dinner on the stove" is "dinner", said only in the evening)
    for table in (facts, hours, ages):
        for f in forms:
            # (a form inside `f` is a substring of it first: the regex only where it can match)
            inner = [x for g in table.items() if g[0] != f and g[0] in f and
                     re.search(r"(?<![\w-])" + re.escape(g[0]) + r"(?![\w-])", f) for x in g[1]]
            if inner:
                table[f] = table.get(f, []) + [x for x in inner if x not in table.get(f, [])]
    # factored by common prefix: the same matches as the forms longest first (a fifth of a call's time)
    return _lowered(re.compile(r"(?<![\w-])(?:" + alternation(forms) + r")(?![\w-])", re.I)), facts, hours, ages




@lru_cache(maxsize=None)
def _settings(loc: str, dom: str) -> tuple[Any, dict[str, frozenset[str]], tuple[str, ...]] | None:
    """Where a caller may be as they call (`pop.*.setting`: rows ["home", form ...], a
    row's value "work|away" for forms said in either): one regex over the forms, the
    values each form allows, and the values in bank order; None when the banks have none."""
    allowed: dict[str, frozenset[str]] = {}
    values: list[str] = []
    for d in ("generic", dom) if dom != "generic" else ("generic",):
        for row in load_bank(loc).get(f"pop.{d}.setting") or ():
            vals = str(row[0]).split("|")
            values += [v for v in vals if v not in values]
            for f in row[1:]:
                allowed[str(f).lower()] = frozenset(vals)
    if not allowed:
        return None
    rx = re.compile(r"(?<![\w-])(?:" + alternation(sorted(allowed, key=len, reverse=True)) + r")(?![\w-])", re.I)
    return _lowered(rx), allowed, tuple(values)


@lru_cache(maxsize=None)
def _second_person(loc: str, dom: str) -> tuple[frozenset[str], Any] | None:
    """(the slots and composed parts that are the caller's own, `pop.<dom>.pov_caller`;
    the function saying such words in the second person, `pop.*.pov_swap`: pairs
    [first person, second person] of whole words, "my" -> "your", "meinen" -> "Ihren"),
    or None when the domain or locale has neither."""
    bank = load_bank(loc)
    mine = frozenset(str(x) for d in ("generic", dom) for x in bank.get(f"pop.{d}.pov_caller") or ())
    pairs = {str(a).lower(): str(b) for d in ("generic", dom) for a, b in bank.get(f"pop.{d}.pov_swap") or ()}
    if not mine or not pairs:
        return None
    rx = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(pairs, key=len, reverse=True))) + r")(?![\w-])",
                    re.I)

    def swap(m: re.Match) -> str:
        to = pairs[m.group().lower()]
        return to[:1].upper() + to[1:] if m.group()[:1].isupper() else to

    return mine, lambda text: rx.sub(swap, text)


class Service:
    """A short service call: the agent greets, the caller says why they call
    (the scenario beat), a few exchanges that depend on the scenario, the agent
    closes. Domains with their own banks: `pop.<domain>.*`; others use
    `pop.generic.*`."""

    fact_values: re.Pattern | None = None  # every value a fact of the domain can take (`_fact_values`)
    drawn: frozenset[str] | set[str] = frozenset()  # the values this call's facts took
    setting: str = ""  # where the caller is as they call (`_settings`), drawn once a call

    def __init__(self, R: Drafter):
        self.R = R
        self._k: dict[tuple, str | None] = {}
        c = self.call = R.call
        self.n = len(c.speakers)
        self.sp = [c.participants[k] for k in c.speakers]
        self.meta = c.metadata or {}
        pop = R.hx.pops.get(c.population or "")
        dom = (pop.domain if pop else None) or str(self.meta.get("domain") or "")
        self.dom = dom if R.has(f"pop.{dom}.greeting") else "generic"
        self.beats_at: dict[int, list[Beat]] = {}
        for b in c.beats:
            self.beats_at.setdefault(b.turn, []).append(b)
        scen = next((b.key for b in c.beats if b.kind == "scenario" and b.key), None)
        self.scen = str(scen or self.meta.get("scenario") or "")
        # the scenario as the banks name it: a domain's own scenarios by their keys; a population without a
        # domain names its scenarios as it likes, and the generic banks speak of what kind of outcome each
        # is (`pop.generic.scenario_kinds`: [kind, word ...], the first kind one of whose words the
        # scenario's name holds; else the first row's kind): "callback_scheduled" ends with a callback
        self.scen_as = self.scen if self.dom != "generic" else _scenario_kind(R.loc, self.scen)
        self.intent = str(self.meta.get("intent") or "")
        self.close_turn = next((b.turn for b in c.beats if b.kind == "close"), self.n - 1)
        # the colleague who picks up after the agent's hand-over (plan.model.HANDOVER), if any
        seller = next((p for p in c.participants if p.side == "seller"), None)
        self.colleague = next((p for p in c.participants if p.side == "seller" and p is not seller), None)
        # holds and silences take their seconds out of the talking time (a chat's hold is a wait in the chat)
        self.hold = _seconds(self.meta.get("Hold_time"))
        self.silence = _seconds(self.meta.get("Silence_total_seconds"))
        talk = max(c.target_duration_sec * 0.3, c.target_duration_sec - self.hold - self.silence)
        self.chat = str(self.meta.get("channel") or "") == "text"
        # a chat is typed and read (render/timing.py): far fewer words than a phone call of the same length
        self.target = round(talk * (CHAT_WORDS_PER_SEC if self.chat else WORDS_PER_SEC))
        self.tight = self.target / max(1, self.n) < 16 or self.n <= 5
        # paraphrases compiled in; a chat is typed: no phrase only a phone call says; no hold
        # talk but the planned hold's, no transfer talk in a call without a transfer
        count = self.meta.get("Transfers_count")
        transfers = not isinstance(count, (int, float)) or isinstance(count, bool) or count > 0
        R.bank, R.marked = service_bank(R.loc, self.dom, self.chat, transfers)
        # the same, of a sentence as written (two alternatives side by side: "ich [warte|bin gespannt] auf")
        self.unsaid = _unsaid(R.loc, self.dom, self.chat, transfers)
        self.scans: _Scans | None = None  # (set once the call's facts are drawn: `_scans` reads their pattern)
        self.holding = False  # the planned hold's own lines are being drawn (`_hold_exchange`)
        self._k = _k_table(R.bank, self.dom)
        # a call that hands over plays its outcome as the hand-over itself
        self.handing_over = self.colleague is not None and bool(self.k(f"handover.announce.{self.colleague.role}"))
        # the caller's mood is the metadata's sentiment, so the words agree with it
        mood = self.meta.get("sentiment_score")
        mood = float(mood) if isinstance(mood, (int, float)) and not isinstance(mood, bool) else 0.0
        self.mood = -1 if mood < -0.3 or self.scen.startswith("escalation") else 1 if mood > 0.3 else 0
        self.missing: frozenset[str] = frozenset()  # slots this call has no value for: templates using them are skipped
        # slots the call must say, each a group any one of which will do (`_say`): its amount, the
        # back office it is escalated to
        self.owed: list[frozenset[str]] = []
        self.age: int | None = None  # the caller's age, from the birth date they give (`_slots`)
        self.callers: set[int] = set()  # the caller turns' slot dicts (`Draft.slots`): whose questions are kept
        self.questions: list[tuple[frozenset[str], str]] = []  # the caller's questions so far (`_asked_before`)
        self.turn_of: dict[int, int] = {}  # a turn's slot dict -> its turn
        self.answer_at: dict[int, re.Pattern] = {}  # agent turns that answer a caller's question: what they say
        self.step_at: dict[int, str] = {}  # the agent's step per turn (run)
        self.asked: dict[str, int | None] = {}  # the question (template, in bank order) the agent's step asked (`_reply`)
        self.spoke: Any = None  # the template `say` spoke last
        self.acked = False  # whether the agent's turn that may see an earlier contact has come (`_recontact`)
        # a repeat contact (the plan links the call to an earlier contact of its caller: the days since it are
        # the plan's): only then does the caller speak of that contact -- banks named `<name>_repeat` are said
        # in a repeat alone, and in it besides their plain bank `<name>` (`_repeat_banks`); an unflagged call
        # never says "I called earlier" (session 30: 17 of 170 unflagged calls of the example did)
        days = self.meta.get("days_since_previous_contact")
        self.repeat = isinstance(days, int) and not isinstance(days, bool)
        self.at = 0
        self.drafts: list[Draft] = []
        self.cause = self._cause()
        # a caller who complains (the metadata's complaint category, said in the caller's words: `complaint.<cat>`)
        # is offered no tip and no product on the way (`extra_complaint`, `offers_once`)
        cat = str(self.meta.get("complaint_category") or "")
        self.complains = bool(cat) and self.k(f"complaint.{cat}") is not None
        self._slots()
        # the caller's facts, stated once and kept (`_contradicts`): the first statement of each fixes it
        self.hour = int(c.time[:2]) if c.time[:2].isdigit() else 10
        self.facts: dict[int, int] = {}
        # the parts of a caller's story said alike all call long (`pop.<dom>.kept`: when the trouble began)
        kept = self.k("kept")
        R.keep([g for g in R.bank.get(kept) or () if isinstance(g, list)] if kept else [])
        # the caller's own words ("my landlord") said by the agent: in the second person ("your landlord")
        pov = _second_person(R.loc, self.dom)
        if pov is not None:
            R.second = (self._agent_slots, *pov)
        R.veto = self._contradicts if _caller_facts(R.loc, self.dom) is not None else None
        # a domain whose bank lists the words of a thanks or an apology (`pop.<dom>.reactions`, its own)
        # says at most one a turn: `fit`'s elaborations add none to a turn that says one already
        self.reacts = R.reacts = _reactions(R.loc, self.dom)
        R.fill_say = self._fill if self.reacts is not None else self._without_missing
        # the generic banks' asides are said at most once a call: a short call stays short rather than say a
        # used aside again in other words ("The last bill was higher than expected" twice; a domain's own
        # banks, many times larger, are drawn again when the call is still short)
        R.refill = self.dom != "generic"
        self.scans = _scans(R.loc, self.dom, self.chat, transfers)

    @staticmethod
    def _agent_slots(kw: dict) -> bool:
        """Whether a turn's slots are the agent's, or a copy of them (`Drafter.second`)."""
        return AGENT in kw

    def k(self, *names: str) -> str | None:
        """The first existing key among pop.<domain>.<name> and pop.generic.<name>."""
        hit = self._k.get(names)
        if hit is not None or names in self._k:
            return hit
        if len(self._k) > 4096:
            self._k.clear()
        self._k[names] = found = self._k_scan(names)
        return found

    def _k_scan(self, names) -> str | None:
        R = self.R
        for name in names:
            for dom in (self.dom, "generic"):
                key = f"pop.{dom}.{name}"
                if R.bank.get(key):
                    return key
        return None

    def _slots(self) -> None:
        R, c, m = self.R, self.call, self.meta
        lex = R.lex
        agent = next((p for p in c.participants if p.side == "seller"), c.participants[0])
        rep = R.hx.reps.get(agent.name) or R.hx.reps.get(agent.id) or {}
        if rep.get("display"):
            agent_name = first_name(rep["display"])
        elif agent.name and not placeholder_name(R.loc, agent.name):
            agent_name = first_name(agent.name)
            agent_name = agent_name[:1].upper() + agent_name[1:]
        else:
            agent_name = R.say_any([f"pop.{self.dom}.agent_names", "pop.generic.agent_names"])
        product = R.header.corpus.get("product") or ""
        # (said inside sentences: "you've reached customer service", no capital; a name keeps its own)
        biz_key = R.first_key(f"pop.{self.dom}.biz", "pop.generic.biz")
        biz = R.phrase(biz_key) if biz_key else R.say_any([f"pop.{self.dom}.biz", "pop.generic.biz"])
        value = m.get("estimated_value_usd") or m.get("amount") or 0
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = 0.0
        # the caller's name and title from the gender the plan gave them (the voice's: backends/audio/voices.py)
        fem = R.chance(0.5)
        gender = next((p.gender for p in c.participants if p.side == "buyer"), "")
        fem = gender == "female" if gender in ("female", "male") else fem
        first = R.phrase(R.first_key("names.first_f" if fem else "names.first_m", "names.first") or "names.first")
        sal = R.phrase(R.first_key("names.sal_f" if fem else "names.sal_m") or "names.last") if \
            R.has("names.sal_f") else ""
        last = R.phrase("names.last")
        wd = WEEKDAYS.index(c.weekday) if c.weekday in WEEKDAYS else 0
        weekdays = R.bank.get("cal.weekdays") or [""] * 7
        hour = int(c.time[:2]) if c.time[:2].isdigit() else 10
        # the caller's own number (the metadata's ANI) and, when they give a new one, another of the same block
        ani = str(m.get("ANI") or "")
        phone = ani if len(ani) > 6 else f"555-01{rng.below(R.r, 90) + 10}"
        new_phone = phone[:-2] + f"{(int(phone[-2:]) + 1 + rng.below(R.r, 90)) % 100:02d}" if phone[-2:].isdigit() \
            else phone
        R.slots.update(
            agent=agent_name, biz=biz, product=product if product and product != "Product" else biz,
            caller=first, caller_full=f"{first} {last}", last=last, sal=sal,
            last_spelled=_letters(last),
            phone=phone, new_phone=new_phone, phone4=re.sub(r"\D", "", phone)[-4:],
            custno=f"{rng.below(R.r, 9000) + 1000} {rng.below(R.r, 9000) + 1000}",
            old_ref=f"{rng.below(R.r, 900) + 100}-{rng.below(R.r, 9000) + 1000}", street=R.say_any(["names.street"]),
            house=self._house(), town=R.say_any([f"pop.{self.dom}.towns", "names.town"]),
            far_town=R.say_any([f"pop.{self.dom}.far_towns", "names.town"]),
            price=lex.money_of(value) if value else lex.money_of(89 + 10 * rng.below(R.r, 20)),
            weekday=weekdays[wd], tomorrow=weekdays[(wd + 1) % 7],
            past_day=weekdays[(wd + 5) % 7],  # two days before the call: when something happened ("since Saturday")
            later=weekdays[(wd + 2) % 7 if (wd + 2) % 7 < 5 else 0],
            window=R.say_any([f"pop.{self.dom}.windows", "pop.generic.windows"]),
            tech=R.say_any(["names.first"]), age=lex.word(4 + rng.below(R.r, 16)),
            ref=f"{rng.below(R.r, 900) + 100}-{rng.below(R.r, 9000) + 1000}",
            daypart=(R.bank.get("cal.dayparts") or ["", "", ""])[0 if hour < 12 else 1 if hour < 17 else 2],
            # the bare noun ("afternoon") where a word before it makes the phrase: "good {daypart_noun}",
            # "the rest of your {daypart_noun}" ({daypart} is "this afternoon", an adverb of its own)
            daypart_noun=(R.bank.get("pop.generic.dayparts") or ["", "", ""])[0 if hour < 12 else 1 if hour < 17 else 2],
            hold=lex.word(2 + rng.below(R.r, 3)),
            product_line=R.say_any([f"pop.{self.dom}.product.{m.get('product')}", f"pop.{self.dom}.product.default",
                                    "pop.generic.product.default"]),
            amount=self._amount(str(m.get("amount_bucket") or "")),
            last4=str(1000 + rng.below(R.r, 9000)),
        )
        for _ in range(5):  # the technician is someone else: never the caller's or the agent's first name ("Priya is
            if R.slots["tech"] not in (first, agent_name):  # heading your way" to a caller named Priya)
                break
            R.slots["tech"] = R.say_any(["names.first"])
        # one fact set per call (`pop.<dom>.fact.<name>`, for the call's cause, product or intent when the
        # bank has one: a billing question about an overdraft names the overdraft fee): the card, the day a transfer was sent, a loan's sum are drawn once and said alike
        # in every turn
        prefix = f"pop.{self.dom}.fact."
        for name in _fact_names(R.loc, prefix):
            key = next((k for k in (f"{prefix}{name}.{self.cause}", f"{prefix}{name}.{m.get('product')}",
                                    f"{prefix}{name}.{self.intent}",
                                    f"{prefix}{name}", f"{prefix}{name}.default") if R.bank.get(k)), None)
            if key:
                R.slots[name] = R.phrase(key)  # said inside sentences: no capital added
        # a fact that follows another's value (`pop.<dom>.fact_by.<name>.<of>`: rows [value of <of>, value ...]):
        # what the money was for follows whom it went to (the rent for the landlord, never the electrician's bill)
        for key, name, of in _facts_by(R.loc, self.dom):
            said = str(R.slots.get(of) or "").lower()
            row = next((r for r in R.bank.get(key) or () if isinstance(r, list) and str(r[0]).lower() == said), None)
            if row and len(row) > 1:
                R.slots[name] = str(row[1 + rng.below(R.r, len(row) - 1)])
        # the other values of each fact are never said ("my landlord" in an aside of a call whose payee
        # is "the car dealer" reads as a second payee)
        # (the product's own words, "Kreditkarte" or "Girocard", follow the planned product: not vetoed here)
        self.fact_values = _fact_values(R, prefix)
        self.drawn = {str(R.slots.get(n) or "").lower() for n in _fact_names(R.loc, prefix)}
        months = R.bank.get(f"pop.{self.dom}.months")
        dob = self.k("dob")
        if months and dob:  # the caller's birthday, the same wherever it is said
            # (its own slot names: a `day` slot would label the birthday a next step, signal_keys.json)
            bday, month, year = str(1 + rng.below(R.r, 28)), months[0][rng.below(R.r, 12)], 1940 + rng.below(R.r, 63)
            R.slots["dob"] = R.say(dob, {"bday": bday, "month": month, "year": str(year)})
            # the caller's age, for what only some ages say (`pop.*.said_aged`)
            self.age = int(c.date[:4]) - year if c.date[:4].isdigit() else None
        cid = str(m.get("customer_id") or "")
        if cid and (m.get("repeat_of") or m.get("repeated_by")):  # one customer in two calls (`_customer`)
            first, last = self._customer(cid, fem, bool(months and dob))
        elif len(cid) == 8:  # a caller of one call: the customer number the metadata says
            R.slots["custno"] = f"{cid[:4]} {cid[4:]}"
        R.slots["email"] = f"{_ascii(first)}.{_ascii(last)}@example.com"  # a reserved domain (RFC 2606)
        # the team the agent hands to or asks: the back office only in a call escalated to it (the
        # `escalation` field), else the domain's specialists (reader18: 'back office' said in 23
        # no_escalation calls); {team} as a subject, {team_at} after "ask"/"check with"
        # (drawn from the call's own stream: the words of the rest of the call do not depend on them)
        esc = str(m.get("escalation") or "")
        main_r, R.r = R.r, rng.stream(R.header.corpus.get("seed", 0), "render.team", c.id)
        try:
            for name in ("team", "team_at"):
                key = self.k(f"{name}.{esc}", f"{name}.default") if esc else self.k(f"{name}.default")
                if key:
                    R.slots[name] = R.phrase(key)  # said inside a sentence: no capital ("während ich bei einer Kollegin")
        finally:
            R.r = main_r
        # the caller's own facts (`pop.<dom>.caller_fact.<name>`: when and why they moved), one each a call,
        # said by every sentence that says them; and where the caller is as they call (`pop.*.setting`:
        # at home, at work, out): drawn from the call's own stream, so no other draw shifts
        main_r, R.r = R.r, rng.stream(R.header.corpus.get("seed", 0), "render.caller", c.id)
        try:
            cprefix = f"pop.{self.dom}.caller_fact."
            for name in _fact_names(R.loc, cprefix):
                R.slots[name] = R.phrase(cprefix + name)
            table = _settings(R.loc, self.dom)
            self.setting = table[2][rng.below(R.r, len(table[2]))] if table is not None else ""
        finally:
            R.r = main_r
        if esc == "back_office" and R.slots.get("team"):  # (reader18: 13 such calls never said it)
            self.owed.append(frozenset({"team", "team_at"}))
        # (a domain without teams has no {team}: its templates are skipped like an amount's)
        # (a frozenset: fixed for the call once drawn, and hashed once as `_usable`'s key)
        self.missing = frozenset(k for k in ("amount", "dob", "team", "team_at") if not R.slots.get(k))
        # a call with an amount says it: the first bank offering a template with it says one of those
        # (reader18: 171 of 220 calls with an amount bucket named no amount)
        if R.slots.get("amount"):
            self.owed.append(frozenset({"amount"}))
        # contact data (a phone number, an e-mail address) is said only where the metadata plans a
        # disclosure (`pii_disclosure_flag`), in the one sentence labelled as it (`_flags`)
        self.missing |= PII_SLOTS
        # every personal value the call's words may say, labelled where said (`pii` events: reviewer cc19
        # found birth dates, customer numbers and card digits with no span)
        sl = R.slots
        self.colleague_name = ""
        if self.colleague is not None:  # a colleague the roster does not name is named like an agent it doesn't
            self.colleague_name = first_name(self.colleague.name)
            if placeholder_name(R.loc, self.colleague.name):
                names = [x for x in R.bank.get(self.k("agent_names") or "") or () if isinstance(x, str) and x != agent_name]
                if names:
                    self.colleague_name = names[rng.below(R.r, len(names))]
        people = [agent_name] + ([self.colleague_name] if self.colleague is not None else [])
        pii = [(cat, str(sl.get(name) or "")) for cat, name in PII_VALUES] + \
            [("address", f"{sl.get('street')} {sl.get('house')}"), ("address", f"{sl.get('house')} {sl.get('street')}"),
             ("address", str(sl.get("street") or ""))] + [("name", x) for x in people] + \
            [(str(row[0]), str(v)) for d in ("generic", self.dom) for row in R.bank.get(f"pop.{d}.pii_literals") or ()
             for v in row[1:]]  # personal data a template writes as its own words (a payee's IBAN)
        R.pii = tuple(sorted({x for x in pii if len(x[1]) >= 2}, key=lambda x: (-len(x[1]), x)))
        # the caller's own names: the agent says them only once the caller has (`_heard`); a first name the
        # agent or a colleague shares is theirs to say ("hier ist Anna" to a caller named Anna Schwarz)
        own = sorted({str(sl.get(x) or "") for x in ("caller", "last")} - {""} - set(people), key=len, reverse=True)
        self.heard_rx = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, own)) + r")(?![\w-])") if own else None

    def _customer(self, cid: str, fem: bool, born: bool) -> tuple[str, str]:
        """The caller as the customer the plan names (`customer_id`, plan/population.py `_Repeats`): their
        names, title, address, birth date and customer number drawn from the customer's own stream, so a
        repeat caller is the caller of the call they repeat, and the number they give is the metadata's.
        The slots are drawn as ever first (no other draw of the call moves), then these replace them."""
        R, sl = self.R, self.R.slots
        main_r, R.r = R.r, rng.stream(R.header.corpus.get("seed", 0), "render.customer", cid)
        try:
            def one(*keys: str) -> str:
                key = R.first_key(*keys)
                lst = [x for x in R.bank.get(key) or () if isinstance(x, str)] if key else []
                return R.render(lst[rng.below(R.r, len(lst))], cap=False) if lst else ""
            first = one("names.first_f" if fem else "names.first_m", "names.first") or str(sl.get("caller") or "")
            last = one("names.last") or str(sl.get("last") or "")
            if sl.get("sal"):
                sl["sal"] = one("names.sal_f" if fem else "names.sal_m") or sl["sal"]
            sl.update(caller=first, caller_full=f"{first} {last}", last=last,
                      last_spelled=_letters(last),
                      custno=f"{cid[:4]} {cid[4:]}" if len(cid) == 8 else cid,
                      street=one("names.street") or sl.get("street"), house=self._house(),
                      town=one(f"pop.{self.dom}.towns", "names.town") or sl.get("town"))
            if born:  # the birthday, as `_slots` draws it
                months = R.bank.get(f"pop.{self.dom}.months")
                bday, month, year = str(1 + rng.below(R.r, 28)), months[0][rng.below(R.r, 12)], 1940 + rng.below(R.r, 63)
                forms = R.bank[self.k("dob")]
                sl["dob"] = R.render(forms[rng.below(R.r, len(forms))], {"bday": bday, "month": month, "year": str(year)})
                c = self.call
                self.age = int(c.date[:4]) - year if c.date[:4].isdigit() else None
        finally:
            R.r = main_r
        for _ in range(5):  # the technician is someone else (as `_slots` draws them)
            if sl["tech"] not in (first, sl.get("agent")):
                break
            sl["tech"] = R.say_any(["names.first"])
        return first, last

    def _house(self) -> str:
        """A house number in the locale's range (`pop.*.house`: [lowest, highest]; a German street has no
        house 1234, an American one may)."""
        key = self.k("house")
        lo, hi = (self.R.bank[key][0] if key else (100, 8999))[:2]
        return str(lo + rng.below(self.R.r, hi - lo + 1))

    def _cause(self) -> str:
        """What lies behind this caller's request, drawn per call from
        `pop.<dom>.causes.<intent>` (rows `[cause, field, value, ...]`: a cause
        only for calls whose metadata has those values, so a fee complaint is
        about a fee; a value may be a list, any of whose values will do, and
        `null` in it stands for a call whose metadata lacks the field: a
        monthly-fee complaint only where the amount bucket, if any, is
        fee-sized). A cause brings its own opener (`intent.<cause>`), its own
        middle (`path.<cause>`: the steps the agent works through), its own
        outcome (`step.resolve_<cause>`), asides (`more.<cause>.<side>`) and
        facts (`fact.<name>.<cause>`: the fee a billing question is about):
        calls of one intent differ in what happened, not only in wording."""
        key = self.k(f"causes.{self.intent}") if self.intent else None
        if key is None and self.dom == "generic":
            key = self.k("causes.default")  # a population without a domain: what goes wrong in any service line
        rows = [r for r in (self.R.bank.get(key) or ()) if isinstance(r, list) and r] if key else []
        ok = [str(r[0]) for r in rows if all(_holds(self.meta, r[j], r[j + 1]) for j in range(1, len(r) - 1, 2))]
        if not ok:
            return ""
        i = rng.below(self.R.r, len(ok))
        cid = str(self.meta.get("customer_id") or "")
        if cid and (self.meta.get("repeat_of") or self.meta.get("repeated_by")):
            # the customer's own cause of the intent: a repeat about the same matter is about the same trouble
            i = rng.below(rng.stream(self.R.header.corpus.get("seed", 0), "render.cause", cid, self.intent), len(ok))
        return ok[i]

    def _contradicts(self, text: str, kw: dict | None) -> bool:
        """Whether a sentence (the caller's or the agent's) says a fact other
        than the one the call stated before (`pop.*.exclusive`: a second person
        who "usually does this", a new number after "still correct", the laptop
        that works after "same message on the computer", a new PIN after "the
        PIN stays"), a time of day the call's start hour rules out ("after
        work" at 9 am) or an age the caller's birth date rules out; when not,
        its facts are the call's from now on. Drawn from the banks, checked as
        drawn: one set of facts per call. What the call's banks are pruned of
        (`_service_bank`: a chat's phone phrases, hold talk outside the hold,
        transfer talk without a transfer) is checked again as written: pruned
        alternative by alternative, two alternatives side by side may still say
        it ("turned off and on" + " the phone", "ich" + "warte" + " auf")."""
        scans = self.scans
        scan = scans.get(text)
        if scan is None:
            if len(scans) >= SCANS_MAX:
                scans.clear()
            scan = scans[text] = _Scan(text, scans.gate)
        low = scan.low
        if self.unsaid is not None and not self.holding:
            if scan.unsaid is None:
                scan.unsaid = _search(self.unsaid, text, low) is not None
            if scan.unsaid:
                return True
        if scan.doubled is None:
            scan.doubled = _doubled(self.R.loc, text)
        if scan.doubled:
            return True  # "look at" + "at the same time", a paraphrase's "today" + the template's "today"
        if kw is None:
            return False
        caller = id(kw) in self.callers
        if caller:
            if self._asked_before(text) or not self._answered_next(text, kw):
                return True
            mood = self.mood
            if mood < 0:
                if scan.upbeat is None:
                    up = _upbeat_lowered(self.R.loc, self.dom)
                    scan.upbeat = up is not None and _search(up, text, low) is not None
                if scan.upbeat:
                    return True  # an upset caller (the metadata's sentiment) is not delighted
            elif mood > 0:
                if scan.downbeat is None:
                    dn = _upbeat_lowered(self.R.loc, self.dom, "downbeat")
                    scan.downbeat = dn is not None and _search(dn, text, low) is not None
                if scan.downbeat:
                    return True  # a content caller (the metadata's positive sentiment) is not angry or ashamed
            if mood < 0 and self.turn_of.get(id(kw), 0) < self.close_turn:
                if scan.thanks is None:
                    th = _upbeat_lowered(self.R.loc, self.dom, "thanks")
                    scan.thanks = th is not None and _search(th, text, low) is not None
                if scan.thanks:
                    return True  # an upset caller thanks as the call ends, not for each offer on the way
            if self.setting and (table := _settings(self.R.loc, self.dom)) is not None:
                if scan.settings is None:
                    scan.settings = tuple(m.group().lower() for m in _finditer(table[0], text, low))
                for f in scan.settings:
                    if self.setting not in table[1][f]:
                        return True  # the caller is where the call drew them (at work: never "the pot on the stove")
        else:
            at = self.turn_of.get(id(kw), -1)
            says = self.answer_at.get(at)
            if says is not None and not self.holding and not says.search(text):
                return True  # the agent's answer to the caller's question says what it answers (the hold's words aside)
            if at > 0 and self.heard_rx is not None and self.heard_rx.search(text) and not self._heard(at):
                # the caller's name before the caller said it (the audit: "..., Jennifer." before "Your name?");
                # a chat's greeting may know it (the customer is logged in: "Hi Aisha, Sophie here")
                return True
        if self.fact_values is not None:
            if scan.values is None:
                scan.values = tuple(m.group().lower() for m in _finditer(self.fact_values, text, low))
            drawn = self.drawn
            for f in scan.values:
                if f not in drawn:
                    return True  # another value of one of the call's facts: two payees
        rx, facts, hours, ages = _caller_facts(self.R.loc, self.dom)
        if scan.facts is None:
            scan.facts = tuple(m.group().lower() for m in _finditer(rx, text, low))
        new: dict[int, int] = {}
        for f in scan.facts:
            if caller and any(not lo <= self.hour < hi for lo, hi in hours.get(f, ())):
                return True  # (the caller's own day: the agent's "heute Mittag" is a callback's time)
            if f in ages and (self.age is None or not any(lo <= self.age <= hi for lo, hi in ages[f])):
                return True
            for g, member in facts.get(f, ()):
                if self.facts.get(g, new.get(g, member)) != member:
                    return True
                new[g] = member
        self.facts.update(new)
        return False

    def _heard(self, i: int) -> bool:
        """Whether a caller turn before turn `i` says the caller's name (their first or last name): the
        agent knows it from then on (the audit found "...look that up, Jennifer." two turns before the agent
        asked "Could I get your name?", in calls without a domain)."""
        rx = self.heard_rx
        return rx is not None and any(rx.search(t) for d in self.drafts[:i] if d.side != "seller"
                                      for part in (d.head, d.core, d.body, d.tail) for t, _, _ in part)

    def _asked_before(self, text: str) -> bool:
        """Whether a caller's sentence asks again what the caller asked before
        in other words ("Kann ich vorzeitig zurückzahlen ...?" after "Darf ich
        vorzeitig zurückzahlen ...?"): its longer words mostly those of an
        earlier question. When not, its questions are the caller's from now on
        (the same text vetted twice is the same question, not a second one)."""
        mine = []
        for q in _questions(text):
            words = frozenset(w.lower() for w in _LONG_WORD.findall(q))
            if len(words) < 2:
                continue
            for earlier, said in self.questions:
                common = len(words & earlier)
                if said != text and common >= 2 and common * 2 >= min(len(words), len(earlier)):
                    return True
            mine.append((words, text))
        self.questions += mine
        return False

    def _answered_next(self, text: str, kw: dict) -> bool:
        """Whether the agent's next turn answers what a caller's sentence asks
        (`pop.*.answered_by`: [step, form ...], a question saying a form is
        answered by one of the steps before the form): it does when that
        turn's step is one of them, or is made so while the turns after it
        are still to be drawn (a later turn's step, moved up); a question no
        coming turn answers is not asked."""
        if "?" not in text:
            return True
        i = self.turn_of.get(id(kw), -1)
        if i + 1 >= self.close_turn and not self.beats_at.get(i) and _questions(text):
            return False  # the agent's close comes next: nothing answers it ("and how long this time?" before goodbye)
        table = _answers(self.R.loc, self.dom)
        if table is None:
            return True
        rx, steps, says = table
        want: set[str] = set()
        for q in _questions(text):
            for m in rx.finditer(q):
                want |= steps[m.group().lower()]
        if not want:
            return True
        i = self.turn_of.get(id(kw), -1)
        j = i + 1
        at = self.step_at
        if j >= self.close_turn or self.sp[j].side != "seller":
            return False
        if at.get(j) in want:
            if j <= self.at and at[j] in says and j < len(self.drafts):  # drawn already: does it say the answer?
                return any(says[at[j]].search(t) for t, _, _ in self.drafts[j].core)
            self._answer(j, at[j], says)
            return True
        plain = lambda st: st is not None and st != "hold" and st[:1] != "=" and st not in self.identity \
            and st != self.outcome  # noqa: E731
        if j <= self.at or not plain(at.get(j)):
            return False  # the next turn is drawn already, or says what must stay where it is
        later = [k for k in sorted(at) if k > j and at[k] in want and plain(at[k])]
        if not later:
            return False
        k = later[0]
        # the caller's replies move with the steps they reply to ("Nee, das nutze ich nicht" answers the
        # question about mobile payments, not the police advice moved up in its place)
        # (the step's reply may come after a request to repeat: the first caller turn of the step)
        a, b = (next((x for x in range(y + 1, self.n) if self.sp[x].side != "seller" and at.get(x) == at[y]), None)
                for y in (j, k))
        if a is not None and b is not None:
            at[a], at[b] = at[b], at[a]
        at[j], at[k] = at[k], at[j]
        self._answer(j, at[j], says)
        return True

    def _answer(self, j: int, step: str, says: dict[str, re.Pattern]) -> None:
        """The agent's turn `j` answers with its step: a sentence that says the answer (when it is still to be drawn)."""
        if j > self.at and step in says:
            self.answer_at[j] = says[step]

    def _amount(self, bucket: str) -> str:
        """An amount inside the call's `amount_bucket` (`pop.<dom>.amount_range.<bucket>`:
        [[low, high, step]]; the cause's own range first, `amount_range.<cause>.<bucket>`
        (a returned-debit fee is a few euros, a year's fees a few hundred), then the
        intent's, `amount_range.<intent>.<bucket>`: a fee is fee-sized), said in the
        locale's way (`pop.<dom>.currency`, `{n}`); "" when the bucket has no range
        (no amount is named in the call)."""
        R = self.R
        own = [f"amount_range.{self.cause}.{bucket}"] if self.cause else []
        key = self.k(*own, f"amount_range.{self.intent}.{bucket}", f"amount_range.{bucket}") if bucket else None
        spec = R.bank.get(key) if key else None
        if not spec or not isinstance(spec[0], list):
            return ""
        lo, hi, step = (list(spec[rng.below(R.r, len(spec))]) + [1])[:3]
        n = lo + step * rng.below(R.r, max(1, (hi - lo) // step + 1))
        cur = self.k("currency")
        return R.say(cur, {"n": R.lex.number(int(n))}) if cur else R.lex.money_of(n)

    def say(self, key: str | None, kw: dict | None = None) -> str:
        """A template of `key` that uses no slot this call lacks (an amount in a call without one)."""
        R = self.R
        if not key:
            return ""
        lst = R.bank.get(key) or []
        text = self._say(key, kw)
        if text and isinstance(R.last, int) and 0 <= R.last < len(lst):
            self.spoke = lst[R.last]  # which template spoke (a question whose answers are its own: `_reply`)
        return text

    def _say(self, key: str, kw: dict | None) -> str:
        R = self.R
        for owed in self.owed:
            lst = R.bank.get(key) or []
            ok = [i for i in _usable(lst, self.missing) if owed & _slots_of(lst[i])]
            text = self._among(key, ok, kw)
            if text:
                self.owed.remove(owed)
                return text
        return self._without_missing(key, kw)

    def _without_missing(self, key: str, kw: dict | None) -> str:
        """A template of `key` that uses none of the slots this call lacks
        (also how `Drafter.fit` draws this call's elaborations)."""
        R = self.R
        if self.missing:
            lst = R.bank.get(key) or []
            ok = _usable(lst, self.missing)
            if len(ok) < len(lst):
                used = R.used.setdefault(key, set())
                return self._among(key, [i for i in ok if i not in used] or ok, kw)
        return R.say(key, kw)

    def _fill(self, key: str, kw: dict | None) -> str:
        """An elaboration `Drafter.fit` adds to a turn (`_without_missing`), but no thanks or apology
        (`pop.<dom>.reactions`) in a turn that says one already: one reaction a turn (the generic banks
        stacked "Thank you for the help. Pardon me, it's been a long day. I appreciate it." in 300 of
        555 turns). "" when it would be a second."""
        text = self._without_missing(key, kw)
        rx = self.reacts
        if not text or rx is None or rx.search(text) is None or kw is None:
            return text
        i = self.turn_of.get(id(kw))
        d = self.drafts[i] if i is not None and i < len(self.drafts) else None
        if d is not None and any(rx.search(t) for part in (d.head, d.core, d.body, d.tail) for t, _, _ in part):
            return ""
        return text

    def _among(self, key: str, idx: list[int], kw: dict | None) -> str:
        """A template of `key` at one of the positions `idx` that agrees with what
        the call said before (`_contradicts`), four draws at most; "" when none does."""
        R = self.R
        tried = set()
        for _ in range(4 if idx else 0):
            R.last = idx[rng.below(R.r, len(idx))]
            tried.add(R.last)
            text = R.say_at(key, R.last, kw)
            if not (R.veto and R.veto(text, kw)):
                return text
        if R.veto is not None:
            # every draw disagreed: the others in bank order, so a bank with one that fits never says nothing
            # (hvac's emergency close, drawn four times with the caller's name before the caller had said it)
            for j in idx:
                if j not in tried:
                    R.last = j
                    text = R.say_at(key, j, kw)
                    if not R.veto(text, kw):
                        return text
        return ""

    def _answers_asked(self, s: str) -> bool:
        """Whether the caller's line drawn last (`spoke`) is one that answers the
        question step `s`'s agent line asked (`answers.<s>`)."""
        R = self.R
        table = R.bank.get(self.k(f"answers.{s}") or "") or []
        q = self.asked.get(s)
        if q is None or q >= len(table):
            return True
        orig = load_bank(R.loc).get(self.k(f"step.{s}.caller") or "") or []
        return any(self.spoke is orig[j] for j in table[q] if isinstance(j, int) and j < len(orig))

    def _reply(self, s: str, kw: dict) -> str:
        """The caller's reply to the question the agent's line of step `s`
        asked (`pop.<dom>.answers.<s>`: per agent template, in bank order,
        the caller templates that answer it): 'Did anyone ask you to make
        this payment?' is answered 'No, nobody asked me', never 'The first
        payment, yes'. "" when none is usable (the caller's line drawn as usual)."""
        R = self.R
        table = R.bank.get(self.k(f"answers.{s}") or "") or []
        q = self.asked.get(s)
        key = self.k(f"step.{s}.caller")
        if key is None or q is None or q >= len(table):
            return ""
        orig = load_bank(R.loc).get(key) or []
        want = {id(orig[j]) for j in table[q] if isinstance(j, int) and j < len(orig)}
        lst = R.bank.get(key) or []
        ok = [j for j, t in enumerate(lst) if id(t) in want and not (self.missing and _slots_of(t) & self.missing)]
        for _ in range(4 if ok else 0):
            text = R.say_at(key, ok[rng.below(R.r, len(ok))], kw)
            if text and not (R.veto and R.veto(text, kw)):
                self.spent += text.count(" ") + 1
                return text
        return ""

    def line(self, names: list[str], kw: dict, i: int) -> str:
        """One line from the first existing bank among `names`; in a very short
        call, the candidate (short banks included) closest to the words left."""
        R = self.R
        if not self.tight:
            names = [n for n in names if not n.endswith("_short")] or names
            text = self.say(self.k(*names), kw)
        else:
            want = max(2.0, (self.target - self.spent) / max(1, self.n - i))
            keys = [k for k in (self.k(n) for n in names) if k]
            # every template of the short banks and of the first other bank (not its fallbacks), once
            keys = [k for k in keys if k.endswith("_short")] + [k for k in keys if not k.endswith("_short")][:1]
            best, gap = None, None
            for key in keys:
                for t in R.bank[key]:
                    if self.missing and _slots_of(t) & self.missing:
                        continue
                    g = abs(_words_of(t) - want)  # its expected length: only the one chosen is rendered
                    if gap is None or g < gap:
                        best, gap = t, g
            text = R.render(best, kw) if best is not None else ""
            self.spoke = best
            if text and R.veto and R.veto(text, kw):
                text = self.say(keys[0], kw)  # contradicts the caller: drawn (and vetted) as usual
        self.spent += text.count(" ") + 1 if text else 0
        return text

    def _steps(self, k: int) -> list[str]:
        """The middle of the call: `k` exchanges (agent line + caller reply)."""
        R = self.R
        # the cause's own path (`path.<cause>`) in place of the intent's steps, and its own outcome
        path = self.k(f"path.{self.cause}") if self.cause else None
        middle = path or (self.k(f"isteps.{self.intent}") if self.intent else None)
        outcome = self.k(f"osteps.{self.scen_as}")
        if self.dom == "generic" and self.handing_over:
            outcome = None  # the hand-over is the outcome: no team passed on to first, no "anything else?" before it
        steps = self.k(f"steps.{self.scen_as}")
        if self.dom == "generic":  # (a domain's calls never take the generic banks' steps for their own)
            steps = steps or self.k("steps.default")
        parts = [[str(s) for s in R.bank[key]] if key else [] for key in (steps, middle, outcome)]
        # the identity check is the call's own domain's (`pop.<dom>.steps.always`): a domain without one
        # has none, the generic banks' is for calls without a domain
        always = [str(s) for s in R.bank.get(f"pop.{self.dom}.steps.always") or ()]
        parts = [always] + parts
        parts = [[self._step_name(s) for s in p] for p in parts]
        parts = [[s for s in p if self.k(f"step.{s}.agent")] for p in parts]
        # what the caller came for, said in every call of the intent (`pop.<dom>.must.<intent>[.<scenario>]`):
        # the card blocked, the new address given (reader19: 11 of 48 card blocks never said done)
        mk = self.k(f"must.{self.intent}.{self.scen}", f"must.{self.intent}") if self.intent else None
        must = [s for s in (str(x) for x in R.bank[mk]) if self.k(f"step.{s}.agent")] if mk else []
        new = [s for s in must if not any(s in p for p in parts)]
        if new:  # a step of its own: after the middle's first question ("Which card is it?")
            parts[2] = parts[2][:1] + new + parts[2][1:]
        req = [s for p in parts for s in p]
        always = [s for s in parts[0] if s in req][:1]
        self.identity = frozenset(always)
        # the scenario's outcome (`osteps.<scenario>`): its first step is what the call's outcome is
        # (the request resolved, redirected, passed on), labelled as it (`outcome`, run)
        outs = list(parts[3])  # the cause's own outcome where its bank has one (`_step_name`)
        self.outcome = outs[0] if outs else None
        self.after = frozenset(outs[1:])  # what follows the outcome (the hand-over, "anything else?"): no aside
        if k == 1 and self.dom == "generic" and outs:
            return outs[:1]  # one exchange without a domain: the request dealt with, not only the caller's name
        if k <= len(req):
            # the identity check (`steps.always`) stays first: no account detail is read before it; the
            # outcome last; the middle's steps that fit are drawn per call, kept in their order
            head = req[:1] if k >= 1 and req[:1] == always else []
            rest = k - len(head)
            if self.dom == "generic" and 2 <= rest <= len(outs):
                # a short call without a domain: a step of its own path before the outcome, rather than the
                # "anything else?" that follows it (identity, outcome, "anything else?" said nothing of the call)
                outs = outs[:1]
            must = [s for s in must if s not in head and s not in outs][:max(0, rest - 1)]  # the outcome stays
            if 0 < rest - len(must) < len(outs):  # too few turns for all of the outcome: what it is first, never what follows
                return head + must + outs[:rest - len(must)]
            mid = [s for p in parts[:3] for s in p if s not in head]
            room = rest - len(outs)
            # the must steps kept, the others drawn for the room left
            fixed = [j for j, s in enumerate(mid) if s in must]
            free = [j for j in range(len(mid)) if j not in fixed]
            left = room - len(fixed)
            keep = sorted(fixed + (rng.sample(R.r, free, left) if 0 < left < len(free) else free[:max(0, left)]))
            return head + [mid[j] for j in keep] + (outs if rest > 0 else [])
        # the steps said while the agent works: a complaining caller's are the complaint's own and the admin
        # (`extra_complaint`), never a tip or an offer (an outside reader counted 29 tips and upsells in 11 of 30
        # German complaint calls: travel notices, savings plans, wallets, youth accounts)
        # a complaint the agent settles on the call says none of the complaint's hand-on admin ("your complaint
        # goes to our complaints team", "how should we get back to you": `extra_resolved_complaint`)
        settled = self.complains and self.scen == "resolved_first_contact"
        ek = self.k(f"extra.{self.scen_as}", *(("extra_resolved_complaint",) if settled else ()),
                    *(("extra_complaint",) if self.complains else ()), "extra")
        extras = [str(s) for s in R.bank[ek]] if ek else []
        extras = [s for s in extras if s not in req and self.k(f"step.{s}.agent")]
        rng.shuffle(R.r, extras)
        need = k - len(req)
        mid = extras[:need]
        while len(mid) < need:
            mid.append("hold")
        # the scenario's own questions first, small talk and admin while the agent works, the outcome last
        cut = max(1, len(req) - len(outs))
        return req[:cut] + mid + req[cut:]

    def _step_name(self, s: str) -> str:
        """A step as this call plays it: `INTENT` named, the cause's own variant
        (`resolve_<cause>` for `resolve_INTENT`) where its bank has one, else
        the intent's; a step whose bank has neither but has the plain step
        (`callback_explain` for `callback_explain_INTENT`: the handoff says
        what is left to do where the bank says it for the request) plays that."""
        if "INTENT" in s:
            own = s.replace("INTENT", self.cause) if self.cause else ""
            if own and self.k(f"step.{own}.agent"):
                return own
            named = s.replace("INTENT", self.intent)
            plain = s.replace("_INTENT", "")
            return plain if plain != s and not self.k(f"step.{named}.agent") and self.k(f"step.{plain}.agent") \
                else named
        return s

    def run(self) -> list[Draft]:
        R, n, sp = self.R, self.n, self.sp
        agent_turns = [i for i in range(2, self.close_turn) if sp[i].side == "seller"]
        # a caller who asks the agent to say that again gets it said again: on the
        # phone, in some calls, one agent question is asked twice (`=repeat`)
        # (with a hold, only when the call has room for both after the identity check)
        repeat = not self.chat and not self.tight and len(agent_turns) >= (6 if self.hold > 0 else 4) and bool(
            self.k("repeat.caller") and self.k("repeat.agent")) and R.chance(0.3)
        steps = self._steps(len(agent_turns) - repeat)
        if "spelling" in steps[1:] and steps[0] in self.identity:
            # the surname spelled right after the caller gives it, before the agent says it (session 29's
            # reader: 15 of 16 spelling requests came after the agent had called the caller by it)
            steps.remove("spelling")
            steps.insert(1, "spelling")
        if repeat:
            at = [j for j, st in enumerate(steps[:-1]) if st != "hold" and j + 1 < len(agent_turns)]
            if at:
                j = at[rng.below(R.r, len(at))]
                steps.insert(j + 1, "=repeat")
            else:
                steps.append("hold")
        step_at: dict[int, str] = {}
        cur = None
        it = iter(steps)
        for i in range(2, self.close_turn):
            if sp[i].side == "seller":
                nxt = next(it, "hold")
                if nxt == "=repeat":
                    for back in range(i - 1, 1, -1):  # the caller's turn before asks; theirs after answers
                        if sp[back].side == "seller":
                            break
                        step_at[back] = "=ask"
                    step_at[i] = "=repeat"
                    continue
                cur = nxt
            step_at[i] = cur or "hold"
        # greet, intent, verify, details: the turn after the caller's identity statement is the first
        # that may speak of the account
        self.verified = 1 + max((i for i, st in step_at.items() if st in self.identity), default=-1)
        drafts = []
        scen_key = self.k(f"scenario.{self.scen_as}", f"intent.{self.intent}", "scenario.default")
        if self.k(f"intent.{self.intent}") and self.dom != "generic":
            scen_key = self.k(f"intent.{self.cause}", f"intent.{self.intent}") if self.cause else \
                self.k(f"intent.{self.intent}")
        elif self.dom == "generic" and self.cause and self.k(f"intent.{self.cause}"):
            scen_key = self.k(f"intent.{self.cause}")  # the generic cause's own opener (`causes.default`)
        self.spent = 0
        fills = {}
        for side in ("agent", "caller"):
            # asides that happen once in a call (the train, the hold queue), in a per-call order
            once = [k for k in once_keys(R.loc, self.dom, side)
                    if not k.endswith("_text" if not self.chat else "_voice")
                    and (self.repeat or not k.endswith(REPEAT))] if not self.tight else []
            if side == "caller" and self.mood < 0:  # an upset caller praises no one (`pop.*.upbeat_once`)
                glad = {str(x) for d in ("generic", self.dom) for x in R.bank.get(f"pop.{d}.upbeat_once") or ()}
                once = [k for k in once if k.rsplit(".", 1)[-1] not in glad]
            if side == "agent" and self.complains:  # a complaining caller is given no tip (`pop.*.offers_once`)
                tips = {str(x) for d in ("generic", self.dom) for x in R.bank.get(f"pop.{d}.offers_once") or ()}
                once = [k for k in once if k.rsplit(".", 1)[-1] not in tips]
            rng.shuffle(R.r, once)
            if side == "caller":
                once = self._private_capped(once)
            fills[side] = [k for k in [self.k(f"more.{self.scen_as}.{side}"), *once[:2],
                                       # the cause's asides; an upset caller's only from an upset caller
                                       self.k(f"more.{self.cause}.caller_upset") if self.cause and side == "caller"
                                       and self.mood < 0 else None,
                                       self.k(f"more.{self.cause}.{side}") if self.cause else None,
                                       self.k(f"more.{self.intent}.{side}") if self.intent else None,
                                       # the agent fixing the request on the way ("I've reset your login")
                                       # only where the call resolves it: an escalated, transferred, called
                                       # back or redirected request was not fixed by this agent
                                       self.k(f"more.{self.intent}.{side}_fixed") if self.intent
                                       and self.scen == "resolved_first_contact" else None,
                                       # and passing the request on ("it goes straight to our complaints team",
                                       # "I'll call you back once it's done") only where the call does not
                                       self.k(f"more.{self.intent}.{side}_open") if self.intent
                                       and self.scen != "resolved_first_contact" else None, *once[2:],
                                       self.k(f"more.{side}_text") if self.chat else None,
                                       self.k(f"more.{side}") if not self.tight else None] if k]
            if side == "caller" and self.mood < 0 and self.k("more.caller_upset"):
                # an upset caller (escalation, negative sentiment) does not say "that's a relief"
                plain = self.k("more.caller")
                fills[side] = [self.k("more.caller_upset") if k == plain else k for k in fills[side]]
            fills[side] = self._repeat_banks(fills[side])
        self.step_at = step_at
        self.drafts = drafts
        fixed = self.k(f"more.{self.intent}.agent_fixed") if self.intent else None
        for i in range(n):
            self.at = i  # the turn being drawn: the agent turns after it may still change their step (`_answers`)
            p = sp[i]
            d = Draft(i, p)
            beats = self.beats_at.get(i, [])
            d.beats = [b.kind for b in beats]
            kw: dict[str, Any] = {}
            d.slots = kw
            side = "agent" if p.side == "seller" else "caller"
            self.turn_of[id(kw)] = i
            if side == "caller":
                self.callers.add(id(kw))
            else:
                kw[AGENT] = True  # (no slot has this name: `{@...}` composes, it is never looked up)
            d.weight = 1.0 if side == "caller" else 0.9
            d.fills = list(fills[side])
            if side == "agent" and i < self.verified + 2 and fixed:
                # the request done on the way ("statements go to your new address") only once the caller has
                # answered the first question after the identity check: never in the turn asking where they moved
                d.fills = [f for f in d.fills if f != fixed]
            # one reaction, one aside, one detail: never two of a kind in a turn, however short the call
            # runs of its words (`Drafter.fit` refills a used bank, never into the same turn: the generic
            # banks' one reaction bank said "Thank you. Sorry, long day. I appreciate it." in 300 of 555 turns)
            d.rep = None if self.dom == "generic" else False
            if self.dom == "generic":
                d.max_fills = GENERIC_FILLS  # the generic banks' asides: a turn says a few, never a monologue
            if self.chat:
                d.cap, d.grow = 28, False  # typed: short messages, never a monologue
            if side == "caller" and self.mood < 0 and 1 <= i < self.close_turn:
                d.pol = -1
            elif side == "caller" and self.mood > 0 and i >= self.close_turn - 1:
                d.pol = 1
            for b in beats:
                tag = ((b.kind, b.key),)
                if b.kind == "greeting":
                    names = (["greeting_text"] if self.chat else []) + ["greeting_short", "greeting"]
                    d.add(d.core, self.line(names, kw, i), tag)
                    d.fills = []
                elif b.kind == "scenario":
                    names = [scen_key[len(f"pop.{self.dom}."):] if scen_key.startswith(f"pop.{self.dom}.") else
                             scen_key[len("pop.generic."):]]
                    said = self.line([f"scenario.{self.scen_as}_short"] + names, kw, i)
                    # the cause behind the request (`_cause`), labelled where the caller's words state it: the
                    # cause's own opener (a very short call's short opener may not say it)
                    told = bool(self.cause) and scen_key.endswith(f".intent.{self.cause}") and \
                        (not self.tight or self.spoke in (R.bank.get(scen_key) or ()))
                    d.add(d.core, said, tag + ((("cause", self.cause),) if told else ()))
                    # the transfers before this call, labelled (a filler never splits "passed me on")
                    d.add(d.core, self._transferred_in(kw), (("handover", "earlier"),))
                    # a repeat contact: the caller says they were in touch before (`_recontact`)
                    d.add(d.core, self._recontact("caller", kw), (("repeat_contact", "statement"),))
                    cat = str(self.meta.get("complaint_category") or "")
                    if cat:  # the planned complaint, in the caller's words (none for `no_complaint`: no bank);
                        # in a repeat contact its words about that contact where the bank has them
                        said = self.say(self.k(f"complaint.{cat}{REPEAT}") if self.repeat else None, kw) or \
                            self.say(self.k(f"complaint.{cat}"), kw)
                        d.add(d.core, said, (("complaint", cat),))
                    generic = (self.k(f"more.{side}"), self.k(f"more.{side}_text"))
                    d.fills = [f for f in d.fills if f not in generic]  # nothing to react to yet
                elif b.kind == "close" and self.handing_over:
                    # the agent hands over, saying to whom: the scenario's outcome, said once (reviewer cc19: the
                    # outcome was an apology or "the team must answer that", the hand-over announced twice)
                    d.add(d.core, self.say(self.k(f"handover.announce.{self.colleague.role}"), kw),
                          tag + (("handover", "announce"), ("outcome", self.scen)))  # the colleague picks up next
                    d.fills = []
                elif b.kind == "close":
                    d.add(d.core, self.line([f"close.{self.scen_as}_short", f"close.{self.scen_as}", "close.default"], kw, i),
                          tag)
                    # a goodbye after a close that said one already is a second farewell (`pop.*.farewells`)
                    bye = "" if _said_farewell(R.loc, self.dom, d) else self.say(self.k("goodbye"), kw)
                    if bye and (not self.tight or self.spent + bye.count(" ") + 1 <= self.target * 0.95):
                        d.add(d.core, bye, (), True)
                        self.spent += bye.count(" ") + 1
                    d.fills = []
                else:
                    d.add(d.core, self.say(self.k("filler." + side), kw), tag)
            if not beats:
                if self.colleague is not None and i > self.close_turn:
                    self._handover(d, i, kw)
                elif i > self.close_turn or (i == n - 1 and side == "caller"):
                    d.add(d.core, self.line([f"bye.{self.scen_as}", "bye"], kw, i))
                    d.fills = []
                elif step_at.get(i) == "=ask":
                    d.add(d.core, self.say(self.k("repeat.caller"), kw))
                    d.fills = []
                elif step_at.get(i) == "=repeat":
                    d.add(d.core, self.say(self.k("repeat.agent"), kw))
                    d.fills = []
                elif i in step_at:
                    s = step_at[i]
                    # the identity check is labelled as what it is: the agent's request, the caller's statement;
                    # the agent's outcome (the request resolved, redirected, passed on) as the scenario's
                    self.spoke = None
                    checked = side == "caller" and self.asked.get(s) is not None
                    said = self._reply(s, kw) if checked and s not in self.identity else ""
                    replied = bool(said)
                    said = said or self.line([f"step.{s}.{side}", f"step.hold.{side}"], kw, i)
                    if checked and not replied and s not in self.identity and said and not self._answers_asked(s) \
                            and self.k("filler.caller"):
                        # every line that answers the agent's would contradict what the caller said (the veto):
                        # an acknowledgement, not the answer to another offer ("Beratung per Video" -- "Die
                        # Filiale hat vor einer Weile zugemacht")
                        self.spent -= said.count(" ") + 1
                        said = self.line(["filler.caller"], kw, i)
                    if checked and s in self.identity and said and not self._answers_asked(s):
                        # the identity statement gives what the request asked for (`answers.<step>`: the customer
                        # number asked, a number said; session 28's reader: 19 of 49 gave name and birth date
                        # only): drawn as ever, then, when it does not, again from the call's own stream, so
                        # no other draw of the call moves
                        main, R.r = R.r, rng.stream(R.header.corpus.get("seed", 0), "render.identity", R.call.id)
                        again = self._reply(s, kw)
                        R.r = main
                        if again:
                            self.spent -= said.count(" ") + 1
                            said = again
                    if side == "agent" and said and self.k(f"answers.{s}"):
                        orig = load_bank(R.loc).get(self.k(f"step.{s}.agent") or "") or []
                        self.asked[s] = next((j for j, t in enumerate(orig) if t is self.spoke), None)
                    if not said and self.answer_at.pop(i, None) is not None:  # no template says the answer: any
                        said = self.line([f"step.{s}.{side}", f"step.hold.{side}"], kw, i)
                    if not said and side == "agent":  # every reading vetoed: the step said as drawn, never an empty turn
                        veto, R.veto = R.veto, None
                        said = self.line([f"step.{s}.{side}", f"step.hold.{side}"], kw, i) or \
                            self.line([f"step.hold.{side}"], kw, i)  # (no reading without a slot the call lacks)
                        R.veto = veto
                    elif not said:  # every reply vetoed (an upset caller's thanks): a plain "Okay.", never an empty turn
                        said = self.line(["filler.caller"], kw, i)
                    d.add(d.core, said,
                          (("identity", "request" if side == "agent" else "statement"),) if s in self.identity else
                          (("outcome", self.scen),) if s == self.outcome and side == "agent" and not self.handing_over
                          else ())
                    if side == "agent" and i >= self.verified and not self.acked and s not in ("spelling", "hold"):
                        # the account open (and the name spelled): the agent may see the earlier contact, said
                        # before the step's question when the step asks one (the caller answers the question)
                        self.acked = True
                        seen = self._recontact("agent", kw)
                        if seen:
                            at = len(d.core) - 1 if said.rstrip().endswith("?") and d.core else len(d.core)
                            d.core.insert(at, (seen, (("repeat_contact", "acknowledgement"),), False))
                            d.words += seen.count(" ") + 1
                    if i < self.verified and side == "agent":
                        d.fills = []  # nothing of the account is said before the caller is verified
                    if side == "agent" and s in self.after:
                        d.fills = []  # the agent hands over or closes: no tip after the caller asked for a supervisor
                    elif s in self.after and self.dom == "generic":
                        d.fills = []  # "No, that's all, thanks." is not followed by the caller's story
                    if self.dom == "generic" and side == "agent" and said.rstrip().endswith("?"):
                        # the agent's question ends the turn: the caller answers it, not the asides said after it
                        # (the generic banks' calls asked for the customer number, then talked of a slow system)
                        d.fills = []
                    if step_at.get(i + 1) == "=ask":
                        d.fills = []  # what the caller asks to hear again is the last thing said
                else:
                    d.add(d.core, self.line(["filler." + side], kw, i))
            drafts.append(d)
        self.at = n  # every turn drawn: the steps stay where they are
        self._acknowledge_complaint(drafts)
        self._recording(drafts)
        self.hold_at = self._hold_exchange(drafts, step_at)
        self._react(drafts, step_at)
        R.fit(drafts, self.target)
        self._polish(drafts, step_at)
        for d in drafts:  # the repeat: the agent's last words before the request, word for word
            if step_at.get(d.i) == "=repeat":
                src = next((x for x in reversed(drafts[:d.i]) if x.side == "seller" and step_at.get(x.i) != "=ask"),
                           None)
                for text, _, _ in (src.core if src is not None else []):
                    d.add(d.core, text)
        self._replies(drafts, step_at)
        self._flags(drafts, step_at)
        self._answered(drafts, step_at)
        self._gaps(drafts, step_at)
        return drafts

    def _react(self, drafts: list[Draft], step_at: dict[int, str]) -> None:
        """A turn's reaction to the turn before ("Okay, got it.", "Ah, that makes sense."), said first in
        some turns, where the call's own domain has a bank of them (`pop.<dom>.react.<side>`, the generic
        banks'): never in a turn that thanks or apologizes already (`pop.<dom>.reactions`: one reaction a
        turn), nor after a question (the answer starts the turn: no "Okay. Sure, it's ..."), nor in the
        opening, the close, a hold's return or a repeat."""
        R = self.R
        banks = {side: R.bank.get(f"pop.{self.dom}.react.{side}") and f"pop.{self.dom}.react.{side}"
                 for side in ("agent", "caller")}
        if not any(banks.values()):
            return
        rx = self.reacts
        for d in drafts[2:self.close_turn]:
            side = "agent" if d.side == "seller" else "caller"
            key, prev = banks[side], drafts[d.i - 1]
            if not key or d.head or d.gaps or prev.side == d.side or d.i == self.hold_at or \
                    step_at.get(d.i, "")[:1] == "=" or step_at.get(d.i - 1, "")[:1] == "=":
                continue
            said = [t for part in (d.core, d.body, d.tail) for t, _, _ in part]
            if not said or (rx is not None and any(rx.search(t) for t in said)):
                continue
            if any("?" in t for part in (prev.core, prev.body, prev.tail) for t, _, _ in part):
                continue  # the turn answers a question: it starts with the answer
            if R.chance(REACT_CHANCE[side]):
                text = self._without_missing(key, d.slots)
                if text:
                    d.add(d.head, text, (), True)

    def _replies(self, drafts: list[Draft], step_at: dict[int, str]) -> None:
        """Each question the caller asked (`pop.*.asks`: what kind it is, from
        the sentences this call drew for the caller) is answered by the
        agent's next turn: when that turn does not already say the answer
        (`says`), it opens with one from `reply.<kind>` (the cause's, the
        scenario's or the intent's own where the bank has one), drawn like
        every sentence against what the call said before (a new PIN after
        "the PIN stays" is not said). The caller's opening request is the
        call's whole path to answer, not the next turn's."""
        table = _asks(self.R.loc, self.dom)
        if table is None:
            return
        rx, kinds, says = table
        for d in drafts[1:-1]:
            nxt = drafts[d.i + 1]
            if d.side == "seller" or nxt.side != "seller" or nxt.i > self.close_turn or \
                    {step_at.get(d.i), step_at.get(nxt.i)} & {"=ask", "=repeat"}:
                continue
            asked: list[str] = []
            for lst in ((d.body,) if "scenario" in d.beats else (d.head, d.core, d.body, d.tail)):
                for text, _, _ in lst:
                    for q in _QUESTION.findall(text) if "?" in text else ():
                        for m in rx.finditer(q):
                            kind = kinds[m.group().lower()]
                            if kind not in asked:
                                asked.append(kind)
            then = [t for lst in (nxt.head, nxt.core, nxt.body, nxt.tail) for t, _, _ in lst]
            at = 0  # after the head (a return from a hold), before what the turn says: not in the head, which a
            # cut-in drops as an acknowledgment of what it cut off (dynamics)
            for kind in asked:
                if kind in says and any(says[kind].search(t) for t in then):
                    # the turn answers it already: the answer first (not after the turn's own question and news)
                    for lst in (nxt.core, nxt.body):
                        j = next((j for j, seg in enumerate(lst) if says[kind].search(seg[0])), None)
                        if j is not None:
                            if lst is nxt.body or j > at:
                                seg = lst.pop(j)
                                nxt.core.insert(at, seg)
                            at += 1
                            break
                    continue
                names = [f"reply.{kind}.{x}" for x in (self.cause, self.scen, self.intent) if x]
                key = self.k(*names, f"reply.{kind}", f"reply.{kind}.default")
                text = self.say(key, dict(nxt.slots)) if key else ""  # (vetted as the agent's, not the turn's step)
                if text:
                    nxt.core.insert(at, (text, (), False))
                    nxt.words += text.count(" ") + 1
                    at += 1
                    then.append(text)

    def _answered(self, drafts: list[Draft], step_at: dict[int, str]) -> None:
        """A caller's question is not met with the agent's next question: the
        agent says first that they will come to it (`defer.agent`)."""
        key = self.k("defer.agent")
        if not key:
            return
        for d in drafts[1:-1]:
            nxt = drafts[d.i + 1]
            if d.side == "seller" or nxt.side != "seller" or step_at.get(d.i) == "=ask":
                continue
            said, then = d.head + d.core + d.body + d.tail, nxt.head + nxt.core + nxt.body + nxt.tail
            if said and then and said[-1][0].endswith("?") and _FIRST.match(then[0][0]).group().endswith("?"):
                text = self.say(key, nxt.slots)
                if text:
                    nxt.head.insert(0, (text, (), False))
                    nxt.words += text.count(" ") + 1

    def _flags(self, drafts: list[Draft], step_at: dict[int, str]) -> None:
        """The metadata's flags, said where the call can carry them and
        labelled: `language_switch`, the caller says a sentence in the other
        language (`switch.caller`, key: that language) and the agent carries on
        in the call's (`switch.agent`); `pii_disclosure_flag`, the caller reads
        out their contact data (fictional: the reserved-range ANI, an
        example.com address; `pii.caller`) and the agent says it is not needed
        (`pii.agent`). A call without the flag says neither (contact-data slots
        are `PII_SLOTS`, missing elsewhere)."""
        R = self.R
        room = [d.i for d in drafts if d.side != "seller" and self.verified <= d.i and d.i + 1 < self.close_turn
                and drafts[d.i + 1].side == "seller" and d.i + 1 != self.hold_at
                and not {step_at.get(d.i), step_at.get(d.i + 1)} & {"=ask", "=repeat"}]
        # a call too short for an exchange still says what its metadata flags: in a caller turn, unanswered
        spare = [d.i for d in drafts if d.side != "seller" and d.i >= max(1, self.verified)] or \
            [d.i for d in drafts if d.side != "seller"]
        for flag, name, key in ((SWITCH_FLAG, "switch", self._other_language()), (PII_FLAG, "pii", "contact")):
            if self.meta.get(flag) is not True or not key or not (room or spare):
                continue
            said = R.say(self.k(f"{name}.caller"), {})
            if not said:
                continue
            if room:
                i = room.pop(rng.below(R.r, len(room)) if len(room) > 1 else 0)
            else:
                i = spare[-1]
            drafts[i].add(drafts[i].core, said, (("pii_disclosure" if name == "pii" else "language_switch", key),))
            reply = R.say(self.k(f"{name}.agent"), {}) if i in spare and i + 1 < len(drafts) and \
                drafts[i + 1].side == "seller" and i + 1 != self.hold_at else ""
            if reply:
                nxt = drafts[i + 1]
                if self.reacts is not None and self.reacts.search(reply):
                    # the reply thanks the caller: it is the turn's one reaction (`_react`'s is left out)
                    nxt.head[:] = [x for x in nxt.head if not self.reacts.search(x[0])]
                nxt.add(nxt.head, reply)
            room = [j for j in room if abs(j - i) > 1]
            spare = [j for j in spare if j != i] or spare

    def _other_language(self) -> str:
        """The language the bank's switching caller speaks (`switch.to`: one locale tag, as data)."""
        key = self.k("switch.to")
        v = self.R.bank.get(key) if key else None
        return str(v[0][0]) if v and isinstance(v[0], list) and v[0] else ""

    def _handover(self, d: Draft, i: int, kw: dict) -> None:
        """A turn after the agent's hand-over: the caller agrees, the colleague
        picks up (`handover.pickup.<role>`), the caller answers, the colleague
        takes it from there and says goodbye (`handover.close.<role>`)."""
        role = self.colleague.role
        kw["new_agent"] = self.colleague_name
        for slot in ("colleague", "colleague_of"):  # the agent who handed over, in their gender (data)
            key = self.k(f"handover.{slot}.{self.sp[0].gender}", f"handover.{slot}.neutral")
            if key:
                kw[slot] = self.R.phrase(key)
        if d.p is self.colleague:
            first = all(p is not self.colleague for p in self.sp[self.close_turn + 1:i])
            key = self.k(f"handover.pickup.{role}" if first else f"handover.close.{role}")
            d.add(d.core, self.say(key, kw) or self.say(self.k("goodbye"), kw),
                  (("handover", "pickup" if first else "close"),))
        else:
            picked = any(p is self.colleague for p in self.sp[self.close_turn + 1:i])
            d.add(d.core, self.say(self.k("handover.reply" if picked else "handover.ok"), kw) or
                  self.say(self.k("filler.caller"), kw))  # (every reply vetoed: a plain word, never an empty turn)
        d.fills = []

    def _hold_exchange(self, drafts: list[Draft], step_at: dict[int, str]) -> int | None:
        """The planned hold, said where it happens: the agent announces it
        (`hold.announce`), the caller agrees (`hold.ok`), the hold's seconds
        pass before the agent's next turn, which opens with the return
        (`hold.back`); `_text` banks in a chat. The turn that returns, or None
        (no hold, or no room for the exchange)."""
        if self.hold <= 0:
            return None
        sp, n = self.sp, self.n
        last = min(self.close_turn, n - 1)
        room = [a for a in range(2, last - 1) if sp[a].side == "seller" and sp[a + 1].side != "seller"
                and sp[a + 2].side == "seller" and not {step_at.get(a), step_at.get(a + 1), step_at.get(a + 2)}
                & {"=ask", "=repeat"}]
        if not room:
            return None
        # mid-call, before the outcome: not returning on the close when there is room elsewhere; after
        # the identity check (the agent looks something up in an account they may open)
        room = [a for a in room if a + 2 < self.close_turn] or room
        room = [a for a in room if a >= self.verified] or room
        # the announcement ("Can I put you on hold?") is not said after a question of the same turn: the caller
        # would answer two questions at once
        room = [a for a in room if not _turn_asks(drafts[a], True)] or room
        room = [a for a in room if not _turn_asks(drafts[a])] or room
        held = [a for a in room if step_at.get(a + 2) == "hold"]
        a = held[0] if held else room[(len(room) - 1) // 2]
        kw = drafts[a].slots
        text = "_text" if self.chat else ""
        say = self._shortest if self.tight else self.say  # a very short call says it in the fewest words
        self.holding = True  # the hold's own words
        # announced as long as it lasts: "a moment" never before five minutes on hold (`_fitting`)
        announce = self._fitting(self.k(f"hold.announce{text}", "hold.announce"), kw)
        back = say(self.k(f"hold.back{text}", "hold.back"), kw)
        ok = say(self.k("hold.ok"), kw)
        self.holding = False
        if not (announce and back):
            return None
        d = drafts[a]
        for part in (d.head, d.core, d.body, d.tail):  # an aside's question ("Anything to improve?") is left out
            for seg in [x for x in part if x[2] and not x[1] and x[0].rstrip().endswith("?")]:
                part.remove(seg)
                d.words -= seg[0].count(" ") + 1
        drafts[a].add(drafts[a].tail, announce, (("hold", "announce"),))
        drafts[a].fills = [k for k in drafts[a].fills if k and not _asking_bank(self.R, k)]  # nothing asked before it
        drafts[a + 1].add(drafts[a + 1].tail, ok, (("hold", "ok"),))
        drafts[a + 2].add(drafts[a + 2].head, back, (("hold", "back"),))
        return a + 2

    def _acknowledge_complaint(self, drafts: list[Draft]) -> None:
        """The agent's turn after the caller's complaint (the `complaint` the
        caller's words state) opens by taking it in: an apology or an
        acknowledgement (`react.complaint`), as its one reaction (the turn's
        "Okay, got it." is left out). Session 28's reader: 21 of 36 complaint
        calls had none in the agent's next two turns ("Die Wartezeit ... ist
        inakzeptabel" -> "Alles klar, das schauen wir uns zusammen an")."""
        key = self.k("react.complaint") if self.complains else None
        if not key:
            return
        d = next((x for x in drafts if any(tag[0] == "complaint" for part in (x.head, x.core, x.body, x.tail)
                                             for _, tags, _ in part for tag in tags)), None)
        nxt = next((x for x in drafts[d.i + 1:self.close_turn] if x.side == "seller"), None) if d else None
        if nxt is None or nxt.gaps:
            return
        text = self.say(key, nxt.slots)
        if text:
            nxt.head[:] = [x for x in nxt.head if self.reacts is None or not self.reacts.search(x[0])]
            nxt.add(nxt.head, text)

    def _recording(self, drafts: list[Draft]) -> None:
        """The recording notice (`recording_voice`), on the phone in some calls:
        said at the opening, first in the agent's turn after the caller's reason,
        never mid-call (reviewer cc19: 15 notices said mid-call as an aside)."""
        key = self.k("recording_voice")
        if self.chat or not key or not self.R.chance(RECORDING_CHANCE):
            return
        d = next((x for x in drafts[2:self.close_turn] if x.side == "seller"), None)
        text = self.say(key, d.slots) if d is not None else ""
        if not text:
            return
        d.words += text.count(" ") + 1
        # after the turn's acknowledgement of the caller's reason ("Gern.", "Okay, das schauen wir uns zusammen
        # an;"), not before it (session 28 reader: 7 of 14 notices were followed by the agent's "Okay"): the
        # turn's first words up to a stop or semicolon, when they are a short statement, stay first
        first = d.core[0] if d.core else None
        m = _ACK_LEAD.match(first[0]) if first is not None else None
        acks = acks_of(self.R.bank)
        if m is None and first is not None and acks is not None:
            m = acks.match(first[0])  # "Okay, ich hole mir Ihre Daten ..."
        if m is None or m.end() >= len(first[0]):
            d.core.insert(0, (text, (), False))
            return
        ack, rest = first[0][:m.end()].rstrip()[:-1].rstrip() + ".", first[0][m.end():].lstrip()
        d.core[0:1] = [(ack, (), False), (text, (), False), (rest[:1].upper() + rest[1:], first[1], first[2])]

    def _fitting(self, key: str | None, kw: dict) -> str:
        """A hold's announcement that claims no length the hold does not have
        (`hold.said_for`: rows [from, to, phrase ...], a phrase said only of a
        hold of from..to seconds; reviewer cc19: 14 holds announced as "one
        moment" lasted minutes): the templates' readings saying another are
        pruned (`_prune`); the shortest in a very short call."""
        R = self.R
        lst = [t for t in (R.bank.get(key) or ()) if not (self.missing and _slots_of(t) & self.missing)] if key else []
        rx = _unfit_claims(R.loc, self.dom, self.hold)
        fit = [x for x in (_pruned(t, rx) for t in lst) if x is not None] if rx is not None else lst
        fit = fit or lst
        if not fit:
            return ""
        # pruned alternative by alternative, a claim made of two ("[ein paar|einige] Minuten", "[a few|several]
        # minutes") is still said: the readings are checked as said (session 28 reader: 13 of 94 holds claimed
        # minutes before six seconds, "ein, zwei Minuten" before eight, "ich prüfe das direkt" before 150)
        if self.tight:
            said = [R.render(t, kw) for t in fit]
            ok = [x for x in said if rx is None or not rx.search(x)] or said
            return min(ok, key=lambda x: (x.count(" "), x))
        text = ""
        for _ in range(HOLD_TRIES):
            text = R.render(fit[rng.below(R.r, len(fit))], kw)
            if rx is None or not rx.search(text):
                break
        return text

    def _shortest(self, key: str | None, kw: dict) -> str:
        """The shortest rendering of `key`'s templates."""
        texts = [self.R.render(t, kw) for t in (self.R.bank.get(key) or ())] if key else []
        return min(texts, key=lambda x: (x.count(" "), x)) if texts else ""

    def _recontact(self, side: str, kw: dict) -> str:
        """A repeat contact in `side`'s words (`pop.*.recontact`): the caller says when they were in touch
        before and, when the earlier contact was about another matter, what about; the agent, in some
        calls, that they see it. The day is the plan's (`days_since_previous_contact`: 0 the same day, 1
        yesterday, 2 or 3 a weekday's name). Drawn from the call's own stream: no other draw moves."""
        R, m = self.R, self.meta
        days = m.get("days_since_previous_contact")
        if not isinstance(days, int) or isinstance(days, bool) or not self.k(f"recontact.when.{days}"):
            return ""
        main, R.r = R.r, rng.stream(R.header.corpus.get("seed", 0), "render.recontact", side, R.call.id)
        veto, R.veto = R.veto, None  # said whatever the story said before: the flag is the plan's
        spoke = self.spoke  # (the step's template stays the one whose answers the caller gives)
        try:
            if "prev_when" not in R.slots:
                wd = WEEKDAYS.index(self.call.weekday) if self.call.weekday in WEEKDAYS else 0
                weekdays = R.bank.get("cal.weekdays") or [""] * 7
                R.slots["prev_weekday"] = weekdays[(wd - days) % 7]
                R.slots["prev_when"] = when = R.phrase(self.k(f"recontact.when.{days}"))
                R.slots["prev_when_cap"] = when[:1].upper() + when[1:]  # (opening a sentence)
            if side == "agent":
                return self.say(self.k("recontact.agent"), kw) if R.chance(0.6) else ""
            before = str(m.get("previous_contact_intent") or self.intent)
            if before == self.intent:
                return self.say(self.k("recontact.caller_same"), kw)
            R.slots["prev_topic"] = R.phrase(self.k(f"recontact.topic.{before}", "recontact.topic.default"))
            return self.say(self.k("recontact.caller_other"), kw)
        finally:
            R.r, R.veto, self.spoke = main, veto, spoke

    def _repeat_banks(self, keys: list[str]) -> list[str]:
        """Fill banks with their repeat-contact siblings: in a repeat contact each bank `<key>_repeat` the
        locale has goes after its `<key>` (what the caller says of the earlier contact: "that's what your
        colleague said too"); in any other call none (a `_repeat` bank is never drawn there)."""
        if not self.repeat:
            return [k for k in keys if not k.endswith(REPEAT)]
        bank = self.R.bank
        return [x for k in keys for x in (k, k + REPEAT) if x is k or (x in bank and x not in keys)]

    def _transferred_in(self, kw: dict) -> str:
        """Transfers the metadata counts that the call does not play (the
        scenario's own hand-over is played): the caller says they were put
        through before."""
        shown = any(self.scen in g for g in _groups(self.R.bank, self.dom, "transfers_shown"))
        n = self.meta.get("Transfers_count")
        earlier = (int(n) if isinstance(n, (int, float)) and not isinstance(n, bool) else 0) - int(shown)
        if earlier <= 0:
            return ""
        key = self.k("transferred.caller_once" if earlier == 1 else "transferred.caller_many")
        return self.say(key, dict(kw, times=self.R.lex.word(earlier)))

    def _polish(self, drafts: list[Draft], step_at: dict[int, str]) -> None:
        """The customer's name now and then, a closing aside; drop a removable
        sentence the call has already said (a refilled bank's second draw).
        (Paraphrases are drawn with the templates: `service_bank`.) A closing
        aside (", by the way", ", to be honest") goes only where it reads as
        said: on the agent's explanations of a step of the request and the
        asides of either side, never on a greeting, a thanks, the hold, the
        identity check, the outcome or the goodbye, nor on a fact the caller
        states (their name, their income)."""
        R = self.R
        said: set[str] = set()
        named = 0
        banks = {side: (None, None, None) if self.tight else
                 (self.k(f"tail.{side}"), self.k(f"address.{side}"), self.k(f"lead.{side}")) for side in ("agent", "caller")}
        lead_words = self._lead_words()
        acks = acks_of(R.bank)
        no_tail = _tail_not(R.loc, self.dom)  # a thanks, a goodbye: said as they are
        # an aside is a habit, not a tic: at most so many a side says in a call (`pop.*.tails_per_call.<side>`)
        tails_left = {side: self._tails_per_call(side) for side in ("agent", "caller")}
        # the agent knows the caller's name once the caller has said it (`_heard`): the address never before
        heard_rx = self.heard_rx
        heard = False
        for d in drafts:
            addressed = False  # the name at most once a turn
            side = "agent" if d.side == "seller" else "caller"
            tails, address, lead = banks[side]
            if d.i < 1:
                lead = None
            st = step_at.get(d.i)
            step = side == "agent" and d.i >= self.verified and st is not None and st != self.outcome and \
                st not in self.identity and st[:1] != "=" and st != "hold" and d.i != self.hold_at
            for lst in (d.head, d.core, d.body, d.tail):
                if not lst:
                    continue
                aside = lst is d.body or (step and lst is d.core)  # where a closing aside may go
                keep = []
                for text, tags, opt in lst:
                    spaces = text.count(" ")
                    if spaces >= 5 and text[-1:] in ".?":
                        # how people talk: the customer's name now and then, a closing aside
                        # (the agent knows the caller's name once they have given it, at the identity check)
                        if address and named < 7 and not addressed and d.i >= (4 if side == "agent" else 1) and \
                                R.chance(0.3 if side == "agent" else 0.05) and self._names_none(text, side):
                            if side == "caller" or heard:  # (drawn alike either way: the rest of the call stays)
                                text = self._joined(text, R.phrase(address), text[-1])
                                named += 1
                                addressed = True
                        elif tails and aside and tails_left[side] > 0 and text[-1] == "." and "," not in text[-25:] and \
                                not (no_tail and no_tail.search(text)) and R.chance(0.25):
                            text = self._joined(text, R.phrase(tails), ".")
                            tails_left[side] -= 1
                    if lead and spaces >= 4 and R.chance(LEAD_CHANCE[side]):
                        # how people start a sentence ("Also, ich ...", "So, I ..."): before a word that may follow one
                        w = text[:text.find(" ")]
                        if w[-1:].isalpha() and w.lower() in lead_words:
                            said_lead = R.phrase(lead)
                            # never a lead whose word the turn says anyway ("Also, ... also ..."), nor one that
                            # acknowledges in a turn that opened acknowledging ("Sehr gern. Vorab noch: ... Alles
                            # klar, ich brauche ...")
                            turn = " ".join(x[0] for part in (d.head, d.core, d.body, d.tail) for x in part)
                            if not _says_a_word_of(said_lead.lower(), turn.lower()) and not (
                                    acks is not None and acks.match(said_lead) and not turn.startswith(text)
                                    and (acks.match(turn) or _ACK_LEAD.match(turn))):
                                text = self._led(said_lead, text)
                    if opt and text in said:
                        d.words -= text.count(" ") + 1
                        continue
                    said.add(text)
                    keep.append((text, tags, opt))
                    if side == "caller" and not heard and heard_rx is not None and heard_rx.search(text):
                        heard = True
                lst[:] = keep

    def _private_capped(self, once: list[str]) -> list[str]:
        """The caller's once-a-call asides with at most `pop.*.private_per_call`
        of those about their own life (`pop.*.private_once`: the dog, the garden,
        the fridge), the first in the call's order: a long call filled its
        caller's turns with a dozen of them (reader30: 27 of 160 German calls said
        five or more)."""
        key = self.k("private_per_call")
        names = {str(x) for d in ("generic", self.dom) for x in self.R.bank.get(f"pop.{d}.private_once") or ()}
        if not key or not names:
            return once
        left = int(str(self.R.bank[key][0]))
        out = []
        for k in once:
            if k.rsplit(".", 1)[-1] in names:
                if left <= 0:
                    continue
                left -= 1
            out.append(k)
        return out

    def _tails_per_call(self, side: str) -> int:
        """How many closing asides `side` says in one call (`pop.*.tails_per_call.<side>`, else TAILS_PER_CALL)."""
        key = self.k(f"tails_per_call.{side}")
        return int(str(self.R.bank[key][0])) if key else TAILS_PER_CALL

    def _names_none(self, text: str, side: str) -> bool:
        """Whether `text` does not already name whom `side` addresses (no "Herr Klein, Herr Klein")."""
        name = self.R.slots.get("last" if side == "agent" else "agent")
        return not name or name not in text

    def _lead_words(self) -> frozenset[str]:
        """`pop.*.lead_words`: the first words a sentence may have for a lead to stand before it."""
        key = self.k("lead_words")
        return _word_set(self.R.loc, key) if key else frozenset()

    def _led(self, lead: str, text: str) -> str:
        """`lead` said before `text`: labelled with what both were drawn with."""
        R = self.R
        out = lead + " " + R.lex.lower_first(text)
        R.signals[out] = R.categories_of(text) | R.categories_of(lead)
        R.carry(text, out)  # the lead joins the first sentence
        return out

    def _joined(self, text: str, part: str, end: str) -> str:
        """`text` with `part` said before its final mark: labelled with what both were drawn with."""
        R = self.R
        out = text[:-1] + part + end
        R.signals[out] = R.categories_of(text) | R.categories_of(part)
        R.carry(text, out)  # the part joins the last sentence
        return out

    def _gaps(self, drafts: list[Draft], step_at: dict[int, str]) -> None:
        """The metadata's hold time as one `[hold Ns]` before an agent turn
        (the agent's "thanks for holding"), its silence split over up to two
        caller turns, so the transcript adds up to the metadata."""
        middle = [d for d in drafts if 2 <= d.i < self.close_turn]
        if self.hold > 0 and self.hold_at is not None:
            drafts[self.hold_at].gaps.append(f"hold {self.hold:.1f}s")
        elif self.hold > 0:
            agents = [d for d in middle if d.side == "seller"] or [d for d in drafts[1:] if d.side == "seller"]
            if agents:
                held = [d for d in agents if step_at.get(d.i) == "hold"]
                d = held[0] if held else agents[len(agents) // 2]
                d.gaps.append(f"hold {self.hold:.1f}s")
        if self.silence > 0:
            callers = [d for d in middle if d.side != "seller" and d.i + 1 != self.hold_at] or \
                [d for d in drafts[1:] if d.side != "seller"]
            if callers:
                # pauses before caller turns, of unequal lengths drawn per call, none longer than
                # SILENCE_MAX_SEC (the plan leaves no more silence than the caller turns can hold)
                tenths = round(self.silence * 10)
                cap = int(SILENCE_MAX_SEC * 10)
                need = -(-tenths // int(cap * SILENCE_FILL))  # room to spare: the pauses can differ
                # a few pauses, never before more than SILENCE_SHARE of the caller turns unless the silence needs it
                few = min(1 + rng.below(self.R.r, 3), max(1, int(len(callers) * SILENCE_SHARE)))
                # each pause long enough to be heard as silence (SILENCE_DETECTED_SEC: the metadata counts
                # the dead air a reading of the audio finds, backends/header.py `realized`)
                least = round(SILENCE_DETECTED_SEC * 10)
                fits = 1  # pauses of that least length that can still differ from each other (a tenth apart)
                while (fits + 1) * least + fits * (fits + 1) // 2 <= tenths:
                    fits += 1
                k = 1 if need <= 1 and (self.silence < 2.0 or len(callers) < 2) else \
                    min(len(callers), fits, max(need, few))
                picks = sorted(rng.sample(self.R.r, callers, k), key=lambda d: d.i) if k > 1 else \
                    [callers[rng.below(self.R.r, len(callers))]]
                parts = _pauses(tenths, [0.6 + 0.4 * self.R.r.random() for _ in picks], cap, least)
                for d, part in zip(picks, parts):
                    d.gaps.append(f"silence {part / 10:.1f}s")


def _holds(meta: dict, field: Any, want: Any) -> bool:
    """Whether a call's metadata meets one condition of a cause's row (`Service._cause`):
    its value is `want`, or one of `want` when that is a list (`None` in it: the field absent)."""
    have = meta.get(field)
    if isinstance(want, list):
        return (have is None and None in want) or (have is not None and str(have) in {str(w) for w in want
                                                                                        if w is not None})
    return str(have) == str(want)


@lru_cache(maxsize=None)
def _farewells(loc: str, dom: str) -> re.Pattern | None:
    """`pop.*.farewells`: the words that take leave ("Auf Wiederhören", "have a good one")."""
    words = [str(w) for d in ("generic", dom) for w in load_bank(loc).get(f"pop.{d}.farewells") or ()]
    return _forms_rx(words) if words else None


def _unfit_claims(loc: str, dom: str, seconds: float) -> re.Pattern | None:
    """The phrases of `pop.*.hold.said_for` a hold of `seconds` may not be announced with, as one pattern."""
    words = [str(w) for d in ("generic", dom) for row in load_bank(loc).get(f"pop.{d}.hold.said_for") or ()
             if isinstance(row, list) and len(row) > 2 and not float(row[0]) <= seconds <= float(row[1])
             for w in row[2:]]
    return _claims_rx(tuple(sorted(set(words)))) if words else None


@lru_cache(maxsize=None)
def _claims_rx(words: tuple[str, ...]) -> re.Pattern:
    return _forms_rx_plain(words)


def _said_farewell(loc: str, dom: str, d: Draft) -> bool:
    """Whether a sentence turn `d` drew takes leave already (the close's own "have a good day")."""
    rx = _farewells(loc, dom)
    return rx is not None and any(rx.search(seg[0]) for part in (d.head, d.core, d.body, d.tail) for seg in part)


def _turn_asks(d: Draft, kept: bool = False) -> bool:
    """Whether a sentence of turn `d` asks something (`kept`: a sentence the
    turn keeps, not an optional aside's)."""
    return any(seg[0].rstrip().endswith("?") and not (kept and seg[2] and not seg[1])
               for part in (d.head, d.core, d.body, d.tail) for seg in part)


_ASKING: dict[int, tuple[list, bool]] = {}


def _asking_bank(R, key: str) -> bool:
    """Whether a template of bank `key` asks something (a fill that may be a question);
    once per bank list (keyed by the list itself: a bank loaded anew is asked anew)."""
    lst = R.bank.get(key) or ()
    hit = _ASKING.get(id(lst))
    if hit is None or hit[0] is not lst:
        if len(_ASKING) > 4096:
            _ASKING.clear()
        hit = _ASKING[id(lst)] = (lst, any("?" in str(t) for t in lst))
    return hit[1]


def _pauses(tenths: int, weights: list[float], cap: int, least: int = 1) -> list[int]:
    """`tenths` split over len(`weights`) pauses in proportion to the weights:
    each at least `least` tenths where the total allows (else one) and, when the pauses can hold it, at most `cap`;
    no two of one length where the total allows: the pauses in the order of
    their shares get 1, 2, 3... tenths more than their shares of the rest, so
    each is longer than the one before."""
    n = len(weights)
    base = n * (n + 1) // 2
    if tenths >= base:
        share = rng.apportion(tenths - base, weights)
        parts = [0] * n
        for rank, i in enumerate(sorted(range(n), key=lambda i: (share[i], i))):
            parts[i] = share[i] + rank + 1
    else:
        parts = rng.apportion(tenths, weights)
    least = least if tenths >= least * n else 1
    for _ in range(4 * n + 4 * tenths):
        lo, hi = parts.index(min(parts)), parts.index(max(parts))
        if parts[lo] < least and parts[hi] > least:
            parts[lo] += 1
            parts[hi] -= 1
        elif parts[hi] > cap and parts[lo] < cap:
            move = min(parts[hi] - cap, cap - parts[lo])
            parts[hi] -= move
            parts[lo] += move
        else:
            break
    top = max(cap, max(parts))
    for _ in range(4 * n * n):  # no two silences of one length
        seen: dict[int, int] = {}
        dup = None
        for i, v in enumerate(parts):
            if v in seen:
                dup = i
                break
            seen[v] = i
        if dup is None:
            break
        moved = False
        for d in (1, -1):  # the duplicate a tenth longer or shorter, another pause the opposite
            for j in sorted(range(n), key=lambda j: -parts[j] if d > 0 else parts[j]):
                x, y = parts[dup] + d, parts[j] - d
                if j != dup and least <= x <= top and least <= y <= top and x not in parts and \
                        (y not in parts or y == x):
                    if y == x:
                        continue
                    parts[dup], parts[j] = x, y
                    moved = True
                    break
            if moved:
                break
        if not moved:
            break
    return parts


def _cased(found: str, w: str, keep: tuple[str, ...], lower: bool = True) -> str:
    """Paraphrase `w` capitalized as `found` was (`lower`: may lose a capital it is written with)."""
    if found[:1].isupper() and w[:1].islower() and found.split(" ", 1)[0].rstrip(",.'’") not in keep:
        return w[:1].upper() + w[1:]  # ("I didn't know that" opens no sentence: its capital is the word's)
    if lower and found[:1].islower() and w[:1].isupper() and w.split(" ", 1)[0].rstrip(",.'’") not in keep:
        return w[:1].lower() + w[1:]
    return w
