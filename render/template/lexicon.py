"""How words behave in a locale, as data: digit grouping, small numbers as
words, money, which titles lower-case mid-sentence, which words keep their
capital, the keywords that classify a spec's free text. Read from
`stdlib/phrases/<locale>/lexicon.json` (the banks say what is said; the lexicon
says how a value is written in that language)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from corpusc.compiler.paths import STDLIB

PHRASES = STDLIB / "phrases"
LEXICON_FILE = "lexicon.json"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Numbers(_Frozen):
    group: str  # the thousands separator
    words: dict[int, str]  # counts written as words
    tens: dict[int, str] = {}  # 20..90 as words, joined to a unit word by `tens_join` (21 -> twenty-one)
    tens_join: str = ""


class Keywords(_Frozen):
    """Keywords classifying a spec's free text, first match wins (classify.py)."""
    question_topics: tuple[dict[str, Any], ...]  # {"topic": ..., "keywords": [...]}
    signal_categories: tuple[dict[str, Any], ...]  # {"category": ..., "keywords": [...]}
    placeholder_names: tuple[str, ...]  # a participant named so ("agent") is not addressed by name
    role_topics: tuple[dict[str, Any], ...] = ()  # {"topics": [...], "keywords": [...]}: what a role asks about
    signal_terms: tuple[dict[str, Any], ...] = ()  # {"category": ..., "keywords": [...]}: signals.py, the audit
    # words that make a role someone else's ("our", "my"): a speaker saying one before their own role
    # speaks of themselves in the third person ("our CFO" from the CFO), which the Drafter never writes
    possessives: tuple[str, ...] = ()
    # what a line claims as the speaker's own, and how a role that does not own it says it instead
    # (`role_topics` rows' `not_claims`): `staff`, the front line as "my 25 reps" ({"mine": first-person
    # possessive -> the company's, "words": staff nouns, "counted": nouns that are staff after a head
    # count}); `crm`, running the CRM ({"verbs": [...]}); classify.role_claims, sales.Sales._recast
    role_claims: dict[str, Any] = {}
    # figures an account's description states ("400 brokers across six offices", "3,000 calls a day"):
    # {"people": nouns of a head count, "sites": ..., "calls": ..., "per_day": ..., "per_week": ...,
    #  "days_per_week": n, "number_words": {"six": 6}} (classify.stated_figures)
    figures: dict[str, Any] = {}
    # how a sentence opens when it already hedges ("honestly", "ehrlich gesagt"): no second opener before it
    hedges: tuple[str, ...] = ()
    # words of a question that asks for a figure ("how many", "wie lange"), lower case: only such a question
    # takes a tag of `habit.tail.qn` (", roughly", ", im Schnitt"; habits.py), never "Does that answer it, roughly?"
    asks_figure: tuple[str, ...] = ()
    # how a sentence opens that says what the speaker does next ("let me", "I'll", "here's"; "lassen Sie mich"),
    # lower case: it takes no opinion tag ("Let me pull up my screen, more or less."; habits.py)
    announces: tuple[str, ...] = ()
    # words by which a speaker says they are being frank ("honest", "frankly"; "ehrlich", "offen gesagt"),
    # lower case, found inside words too: a turn says so once (habits.py adds no second: "Honestly, ...,
    # if I'm honest.")
    candour: tuple[str, ...] = ()
    # the same said as a sentence's tag (", honestly."): dropped where the turn said so before (habits.py)
    candour_tails: tuple[str, ...] = ()
    # how a sentence opens when it goes on from the one before ("and ", "und "): no opener before it
    # ("Realistisch betrachtet: Und …", "Honestly, and …"; habits.py)
    joins: tuple[str, ...] = ()
    # words that open an embedded question ("how", "whether"; "wie", "ob"): a spec's topic so opened
    # is a clause ("how calls are reviewed"), else a noun phrase ("pricing and rollout") (classify.prose_form)
    clause_openers: tuple[str, ...] = ()
    # a clause opener, then one of these verbs, is a question said without its "?" ("how is the team
    # structured"), unless the opener is the clause's subject ("what is missing", "was fehlt")
    question_verbs: tuple[str, ...] = ()
    subject_openers: tuple[str, ...] = ()
    # words that open a question asking for content ("how long", "who", "wann"), not for a yes or no:
    # "Maybe." or "Not yet." answers none of them (classify.question_form)
    open_questions: tuple[str, ...] = ()
    # a bare answer to a yes-or-no question ("maybe", "ja"): never the whole reply to an open one
    closed_answers: tuple[str, ...] = ()
    # how an answer to "how are you" opens ("pretty good", "danke"): not said to "anything new?"
    greeting_answers: tuple[str, ...] = ()


class Fillers(_Frozen):
    """Words that are fillers however a sentence came to say them: put in by
    the dynamics, or drawn with the sentence (a contact-center caller's lead
    "Tja,", a persona's "Hm, let me think"). `words` are fillers wherever they
    stand ("um", "äh"; never inside a hyphenated backchannel, "Mm-hm");
    `openers` where they open a sentence or a comma sets them off ("Well,",
    "Also,"); `stated` like openers, but only in a sentence that asks nothing
    ("You know, it works", never "Wissen Sie, ob Sie gekündigt haben?");
    `tags` where a comma sets them off (", you know,", ", wissen Sie.")."""
    words: tuple[str, ...] = ()
    openers: tuple[str, ...] = ()
    stated: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


class Lexicon(_Frozen):
    locale: str
    numbers: Numbers
    money: str  # `{n}` is the grouped amount: "${n}", "{n} Euro"
    lowercase_titles: bool  # an industry's title reads lower-case inside a sentence
    # the start of a word before which the indefinite article "a" is said "an" (English: a vowel, but not
    # "one", "use", "uni"...): a slot's value or an alternative can follow a template's "a" ("a {industry}
    # company" with "insurance"); "" for a locale without that rule (`an_rx`)
    an_before: str = ""
    keep_capital: tuple[str, ...]  # words that keep a capital where a sentence part is lower-cased ("I")
    # a locale that capitalises its nouns (German) lists the words that DO lose their capital when a sentence
    # goes on after a lead or a filler ("Tja, ich habe…", never "Tja, rechnungen…" nor "Tja, sie…" for "Sie");
    # empty: every word but `keep_capital` and acronyms loses it (English)
    lowers: frozenset[str] = frozenset()
    # words a sentence opens with that lose their capital only as a word of their own, a comma or stop after
    # them ("Na ja, ja, das passt"; "ein klares Nein" keeps its noun)
    lowers_alone: frozenset[str] = frozenset()
    # words that, second in a sentence, make its first a verb (a verb-first sentence: "Also, versuchen wir
    # es", "Tja, können Sie ..."): a German sentence's first word before a pronoun is no noun
    lowers_before: frozenset[str] = frozenset()
    classify: Keywords
    restate: dict[str, Any] = {}  # data of the locale's rules restating the spec's prose (morphology.py)
    # how the locale says a job title the stdlib and the generated specs write in English ("Director of IT")
    role_titles: dict[str, str] = {}
    # a participant known only by its role (a population call's caller): its name in the transcripts, per role,
    # by gender ("*": any other); plan/population.py reads it from the file, the plan holds the name
    participants: dict[str, dict[str, str]] = {}
    # a population call's roles as the txt header writes them after a name, per role, by gender (render/text.py)
    roles: dict[str, dict[str, str]] = {}
    # how a speaker refers to the account without its name, per side ("buyer", "seller"): [pattern,
    # replacement] pairs, `{co}` the account's name ("at {co}" -> "here" / "on your side"); naming.py
    # says the name where it carries something (the first mentions) and these words elsewhere
    account_refs: dict[str, tuple[tuple[str, str], ...]] = {}
    # the same for the account's head counts ("our 25 reps" -> "our reps"), per side: `{n}` the count as
    # said, `{noun}` the words it counts (the people slot, the locale's `nouns`); naming.count_less
    headcount_refs: dict[str, Any] = {}
    # a people word of several words said short once the call has said it in full ("patient access reps" ->
    # "reps"), where the short form names no other group (naming.people_less)
    people_short: dict[str, str] = {}
    # phrases that say where the speaker (or the one spoken to) stands: "here", "on our side", "for us"; a
    # sentence says one (habits' openers and tails, naming's stand-ins for the account's name consult it)
    places: tuple[str, ...] = ()
    # words after a person's name said to them ("Thanks, Cleo.") before it is said to them again
    # (naming.vocatives_less); 0: the locale's calls keep every one
    vocative_gap: int = 0
    # the same for the account's weekly call volume ("at 700 calls a week" -> "at that volume"): `said`, what a
    # mention is (`{n}` the figure); per side, [pattern, replacements] pairs; naming.volume_less
    volume_refs: dict[str, Any] = {}
    # a topic term with its article where its gender is known ("zur Frachtvermittlung"), else after a
    # word that has one ("zum Thema KYC"): {"frames": {frame: {gender or "": words before}}, "genders":
    # {term: gender}}; the banks say {term_FRAME} (sales.py)
    term_frames: dict[str, Any] = {}
    # what each industry term is ("kinds": {term: kind}: a process, a metric, a system, a role, ...) and what a
    # frame that says one fits ("fits": {fit: [kinds]}): a template writes {term.FIT} (or {term_FRAME.FIT};
    # dotted fits and kinds add up: {term.process.metric}) and is filled only with a term of a kind the fit
    # names ("an alert about lead time", never "an alert about ERP"); {term} takes any. A term the table
    # does not know (a spec's own industry) fits every frame (sales.py, `term_pools`)
    term_kinds: dict[str, Any] = {}
    fillers: Fillers = Fillers()  # the renderer labels each as a disfluency; `corpusc verify` finds any it did not

    def places_in(self, text: str) -> int:
        """How many of the locale's place phrases `text` says (the longer first: "around here" is one)."""
        if not self.places:
            return 0
        return len(_places_rx(self.places).findall(text))

    def framed(self, frame: str, term: str) -> str:
        """`term` after the words `frame` puts before it, by the term's gender."""
        before = self.term_frames["frames"][frame]
        return f"{before.get(self.term_frames['genders'].get(term, ''), before[''])} {term}"

    def fit_kinds(self, fit: str) -> frozenset[str]:
        """The kinds of term a frame's fit ("topic", or dotted: "process.metric") takes: each part a fit
        of the locale's `term_kinds.fits` or a kind itself."""
        fits = self.term_kinds.get("fits") or {}
        return frozenset(k for part in fit.split(".") for k in fits.get(part, (part,)))

    def number(self, x: int) -> str:
        return f"{x:,}".replace(",", self.numbers.group)

    def money_of(self, x: float) -> str:
        return self.money.replace("{n}", f"{round(x):,.0f}".replace(",", self.numbers.group))

    def word(self, x: int) -> str:
        """Small numbers as words, as a transcriber writes them."""
        nums = self.numbers
        w = nums.words.get(x)
        if w is not None:
            return w
        if nums.tens and 20 <= x < 100:
            t, u = divmod(x, 10)
            return nums.tens[t] + (nums.tens_join + nums.words[u] if u else "")
        return self.number(x)

    def role(self, s: str) -> str:
        """A speaker's job title as the locale says it (unknown titles as the spec wrote them)."""
        return self.role_titles.get(s, s)

    def title(self, s: str) -> str:
        """An industry's title as said inside a sentence: lower-case where the
        locale writes it so ("Healthcare" -> "healthcare"), but a word with a
        capital after its first letter is an acronym or a brand and keeps its
        spelling ("SaaS", "HVAC", "B2B")."""
        if not self.lowercase_titles:
            return s
        return " ".join(w if any(c.isupper() for c in w[1:]) else w.lower() for w in s.split(" "))

    def lower_first(self, s: str) -> str:
        """Lower-case the first letter unless the first word is an acronym or
        one of `keep_capital`; where the locale lists `lowers`, only a word
        listed there (German nouns and "Sie" keep their capital)."""
        if not s:
            return s
        w = s.split(" ", 1)[0]
        if len(w) > 1 and (w[1].isupper() or w[1].isdigit()) or w in self.keep_capital:
            return s
        if self.lowers and w.rstrip(",.;:?!—…").lower() not in self.lowers and not self._not_a_noun(s, w):
            return s
        return s[0].lower() + s[1:]

    def _not_a_noun(self, s: str, w: str) -> bool:
        """Whether the first word `w` of `s`, not in `lowers`, is all the same no noun: an answer word
        said on its own (`lowers_alone` with a comma or stop after it) or the verb of a verb-first
        sentence (the word after it one of `lowers_before`)."""
        bare = w.rstrip(",.;:?!—…")
        if bare != w:
            return bare.lower() in self.lowers_alone
        nxt = s[len(w) + 1:].split(" ", 1)[0].rstrip(",.;:?!—…")
        return bool(nxt) and nxt in self.lowers_before and s[len(w):len(w) + 1] == " "


@lru_cache(maxsize=8)
def an_rx(before: str) -> re.Pattern | None:
    """"a" before a word that `before` (the lexicon's `an_before`) says takes "an"; None without the rule."""
    # a capital A only where it opens a sentence ("option A is" stays). Written to open with the letter, the
    # lookbehinds after it: `re` then skips to each "a" in C (a pattern opening with a lookbehind is tried at
    # every position, seven times slower on a sentence)
    return re.compile(rf"(a(?<![\w'’-]a)|A(?<![^\s]A)(?<![^.!?] A)) (?={before})") if before else None


@lru_cache(maxsize=16)
def _places_rx(places: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(places, key=len, reverse=True)) +
                      r")(?![\w-])", re.IGNORECASE)


def _data(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _data(v) for k, v in node.items() if not k.startswith("_")}
    if isinstance(node, list):
        return [_data(v) for v in node]
    return node


@lru_cache(maxsize=None)
def load_lexicon(locale: str) -> Lexicon:
    path = PHRASES / locale / LEXICON_FILE
    return Lexicon(locale=locale, **_data(json.loads(path.read_text(encoding="utf-8"))))


def _alternatives(words: tuple[str, ...]) -> str:
    # longest first (a word and its longer form: "hmm" before "hm"), then alphabetical: the same pattern text
    # in every process (a set's order follows PYTHONHASHSEED)
    return "|".join(re.escape(w).replace(r"\ ", r"\s") for w in sorted(set(words), key=lambda w: (-len(w), w)))


@lru_cache(maxsize=None)
def filler_start(locale: str):
    """`match(text, pos)` of words opening with one of the locale's filler phrases ("Wissen Sie", "You know"):
    a filler set before them with a comma would make them read as one (dynamics); None without any."""
    f = load_lexicon(locale).fillers
    every = f.openers + f.stated + f.tags
    return re.compile(rf"(?i:{_alternatives(every)})\b").match if every else None


@lru_cache(maxsize=None)
def filler_pattern(locale: str) -> FillerScan | None:
    """The locale's `fillers` as one pattern (None: the locale lists none)."""
    f = load_lexicon(locale).fillers
    parts = []
    if f.words:
        parts.append(rf"(?<![\w'’-])(?:{_alternatives(f.words)})(?![\w'’-])")
    opens = r"(?:^|(?<=[.!?…] )|(?<=, )|(?<=\] )|(?<=— ))"  # a sentence's first words (after a cue too), or between commas
    if f.openers:
        parts.append(rf"{opens}(?:{_alternatives(f.openers)})(?=[,.!?…])")
    if f.stated:
        parts.append(rf"{opens}(?:{_alternatives(f.stated)})(?=,[^.!?…]*(?:[.!…]|$))")
    if f.tags:
        parts.append(rf"(?<=, )(?:{_alternatives(f.tags)})(?=[,.!?…])")
    if not parts:
        return None
    every = f.words + f.openers + f.stated + f.tags
    # every match starts with one of the fillers' first letters: the lookahead turns away the other places
    # before the branches and their lookbehinds are tried (half the pattern's time)
    firsts = "".join(sorted({re.escape(w[0]) for w in every}))
    pattern = re.compile(rf"(?=[{firsts}])(?:{'|'.join(parts)})", re.IGNORECASE)
    singles = frozenset(w.lower() for w in f.words + f.openers + f.stated if " " not in w)
    phrases = tuple(sorted({w.lower() for w in f.words + f.openers + f.stated if " " in w}
                           | {", " + w.lower() for w in f.tags}))
    # a single's lookbehind follows its letters: the literals first let the engine skip to the places they start
    alts = "|".join(rf"{re.escape(w)}(?<!{_WORD}{re.escape(w)})" for w in sorted(singles, key=lambda w: (-len(w), w)))
    words = re.compile(rf"(?:{alts})(?!{_WORD})" if singles else r"(?!)")
    # how far a filler word (with a character either side) or a phrase reaches: `may_besides` looks this far
    # around each place a text changed
    reach = max(len(w) for w in (*singles, *phrases)) + 3
    return FillerScan(pattern, words, phrases, _unsure("".join(every)), reach)


_NO_MATCHES: tuple = ()
_WORD = "[\\w'’-]"  # a word's character, as the pattern bounds a filler


class FillerScan:
    """The fillers a text says: `finditer` gives exactly what `pattern.finditer`
    gives. Most texts say none (about one in six does), and their words show
    it for a fifth of the pattern's cost: a filler of `words`, `openers` or
    `stated` stands as a whole word (`singles`, searched in lower case) or as a
    phrase, a tag after ", " (`phrases`). Only a text with one of those runs the pattern;
    a text whose lower case could hide a match (`unsure`: a character that
    lowers to another length, folds like a filler's letter without lowering to
    it, or lowers in or out of a word; whitespace the phrases' one space does
    not show) always does. Scanning every text with the pattern was 30% of a
    render."""

    __slots__ = ("pattern", "singles", "phrases", "unsure", "reach", "some_phrase", "least")

    def __init__(self, pattern: re.Pattern, singles: re.Pattern, phrases: tuple[str, ...],
                 unsure: re.Pattern, reach: int) -> None:
        self.pattern, self.singles, self.phrases, self.unsure = pattern, singles, phrases, unsure
        self.reach = reach
        # whether any phrase occurs in a stretch of a text: one look, before the look for each
        self.some_phrase = re.compile("|".join(map(re.escape, phrases)) or "(?!)").search
        # the phrases holding none of the others (", i mean" holds "i mean"): a text says one of them
        # exactly when it says one of the phrases (`may`)
        self.least = tuple(p for p in phrases if not any(q != p and q in p for q in phrases))

    def finditer(self, text: str):
        return self.pattern.finditer(text) if self.may(text) else iter(_NO_MATCHES)

    def may(self, text: str) -> bool:
        """False: the text says no filler (True: it may)."""
        low = text.lower()
        if self.singles.search(low) is not None:
            return True
        for p in self.least:  # a loop, not `any` over a generator: asked of every turn
            if p in low:
                return True
        return self.unsure.search(text) is not None

    def may_besides(self, text: str, taken: list[tuple[int, int]], near: list[list[int]] | None = None) -> bool:
        """False: every filler the text says overlaps one of the `taken`
        (start, end) spans (True: one may lie outside them). The dynamics ask
        it of a turn they put fillers in, which `may` cannot rule out. A match
        [s, e) of the pattern is, as `may` reasons, a hit of `singles` at
        [s, e) of the lower case (a whole word of word characters: hits never
        overlap, so `finditer` sees each) or an occurrence of a phrase whose
        filler is [s, e) (a tag's ", " just before s); and the pattern matches
        at s. So only a hit or phrase outside `taken` where the pattern matches
        is a candidate (an `unsure` text may hide one: True).

        `near`: the [start, end] spans where the text changed since a text
        `may` ruled out (an empty one where words were cut before it). A hit,
        its characters either side, or a phrase none of whose characters
        changed was in that text, so each lies within `reach` of a change:
        only there is looked."""
        if near is None:
            if self.unsure.search(text) is not None:
                return True
            windows: list = [(0, len(text))]
        else:  # the stretches within `reach` of a change, overlapping ones merged
            k = self.reach
            windows = []
            for a, b in sorted(near):
                lo, hi = (a - k if a > k else 0), b + k
                if windows and lo <= windows[-1][1]:
                    if hi > windows[-1][1]:
                        windows[-1] = (windows[-1][0], hi)
                else:
                    windows.append((lo, hi))
            for lo, hi in windows:  # the text `may` ruled out had none: a new one is a changed character
                if self.unsure.search(text, lo, hi) is not None:
                    return True
        low = text.lower()
        at = self.pattern.match
        # a hit that is a taken span itself (the dynamics' own fillers: nearly every hit) overlaps it: one look
        same = set(taken)
        for lo, hi in windows:
            # a hit ending at `hi` may be one only of the cut text: a candidate too many, never one too few
            for m in self.singles.finditer(low, lo, hi):
                s, e = m.span()
                if (s, e) not in same and not any(a < e and s < b for a, b in taken) and at(text, s) is not None:
                    return True
            if self.some_phrase(low, lo, hi) is None:
                continue
            for p in self.phrases:
                i = low.find(p, lo, hi)
                if i < 0:
                    continue
                lead, n = (2 if p[:2] == ", " else 0), len(p)
                while i >= 0:
                    s, e = i + lead, i + n
                    if (s, e) not in same and not any(a < e and s < b for a, b in taken) and at(text, s) is not None:
                        return True
                    i = low.find(p, i + 1, hi)
        return False


@lru_cache(maxsize=None)
def _unsure(letters: str) -> re.Pattern:
    """The characters in whose presence a text's lower case may not show a
    filler the pattern finds (FillerScan): found once per set of letters by
    asking the regular-expression engine itself, over the Basic Multilingual
    Plane (case folding outside it concerns no letter of a filler)."""
    folds = re.compile(f"[{re.escape(letters)}]", re.IGNORECASE)
    low = set(letters.lower())
    word = re.compile(_WORD)
    odd = []
    for c in map(chr, range(0x10000)):
        lc = c.lower()
        if lc == c and c.upper() == c:  # uncased: nothing folds to it; only whitespace other than a space counts
            if c.isspace() and c != " ":
                odd.append(c)
        elif len(lc) != 1 or (lc not in low and folds.match(c)) or (word.match(c) is None) != (word.match(lc) is None):
            odd.append(c)
    return re.compile("[" + "".join(re.escape(c) for c in odd) + "]")
