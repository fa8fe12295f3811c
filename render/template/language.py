"""The phrase-template mini-language of the banks: `[a|b|c]` picks one
alternative (nested; `[|x]` makes `x` optional), `{slot}` fills in a value,
`{@bank.key}` composes a phrase of another bank in place. Templates compile
once to plain tuples so a call renders with plain string operations."""

from __future__ import annotations

import re
from typing import Callable

TOKEN = re.compile(r"\[|\]|\||\{@?[A-Za-z_][A-Za-z0-9_.]*\}")
SLOT = 0
ALT = 1
_WORD = re.compile(r"[a-zäöüß]+")


def compile_template(s: str):
    """`[a|b]` alternatives and `{slot}`s -> a plain str or a tuple of nodes:
    str, (SLOT, name), (ALT, (alternative, ...)). `{@bank.key}` composes a
    phrase from another bank in place."""
    stack: list[list[list]] = [[[]]]
    pos = 0
    for m in TOKEN.finditer(s):
        if m.start() > pos:
            stack[-1][-1].append(s[pos:m.start()])
        tok = m.group()
        if tok == "[":
            stack.append([[]])
        elif tok == "|":
            if len(stack) == 1:
                stack[-1][-1].append("|")
            else:
                stack[-1].append([])
        elif tok == "]":
            if len(stack) == 1:
                raise ValueError(f"unbalanced `]` in template: {s!r}")
            alts = stack.pop()
            stack[-1][-1].append((ALT, tuple(seal(a) for a in alts)))
        else:
            stack[-1][-1].append((SLOT, tok[1:-1]))
        pos = m.end()
    if len(stack) != 1:
        raise ValueError(f"unbalanced `[` in template: {s!r}")
    if pos < len(s):
        stack[0][0].append(s[pos:])
    return seal(stack[0][0])


def seal(nodes: list):
    """Adjacent literals merged; a lone literal as a plain string (a compiled template's shape)."""
    merged: list = []
    for n in nodes:
        if isinstance(n, str) and merged and isinstance(merged[-1], str):
            merged[-1] += n
        else:
            merged.append(n)
    if not merged:
        return ""
    if len(merged) == 1 and isinstance(merged[0], str):
        return merged[0]
    return tuple(merged)


def words(text: str) -> set[str]:
    """The lower-case words of a text, as `template_words` counts them."""
    return set(_WORD.findall(text.lower()))


def template_words(t) -> set[str]:
    """Every literal word a template can produce (for matching texts to templates)."""
    out: set[str] = set()
    if isinstance(t, str):
        return words(t)
    for n in t:
        if isinstance(n, str):
            out |= template_words(n)
        elif n[0] == ALT:
            for a in n[1]:
                out |= template_words(a)
    return out


def template_slots(t) -> set[str]:
    out: set[str] = set()
    if isinstance(t, str):
        return out
    for n in t:
        if isinstance(n, tuple):
            if n[0] == SLOT:
                out.add(n[1])
            else:
                for a in n[1]:
                    out |= template_slots(a)
    return out


def alternation(words: list[str]) -> str:
    """A regex alternation of `words` for an IGNORECASE pattern, matching as
    the plain one longest first does, factored by common prefix (the engine
    then tries a letter at each position instead of every word): at each
    letter the longer words come first, so the first match found is the
    longest that fits, and the match with what follows it fails over to the
    shorter ones in the same order. The plain alternation when lower-casing
    could change a word's length, or two of its letters match each other
    under IGNORECASE (ſ and s): a letter's branches would then not be one."""
    words = sorted(words, key=len, reverse=True)
    plain = "|".join(re.escape(w) for w in words)
    if any(len(w.lower()) != len(w) for w in words):
        return plain
    low = [w.lower() for w in words]
    letters = sorted({c for w in low for c in w})
    for i, a in enumerate(letters):
        for b in letters[i + 1:]:
            if re.fullmatch(re.escape(a), b, re.IGNORECASE) or re.fullmatch(re.escape(b), a, re.IGNORECASE):
                return plain
    return trie(low) if words else ""


def trie(words, shortest: bool = False) -> str:
    """`words` as one regex branching letter by letter (a plain alternation
    tries every word at every position). A word's continuations are tried
    before its end, so the longest match wins; `shortest`: a word is enough
    where it ends (only whether one occurs is asked)."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def rx(node: dict) -> str:
        if shortest and "" in node:
            return ""
        alts = [re.escape(ch) + rx(node[ch]) for ch in sorted(node) if ch]
        if "" in node:
            alts.append("")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return rx(root)


def emit(nodes, r, get: Callable[[str], str], out: list) -> None:
    """Append the pieces of compiled template `nodes` to `out`: alternatives
    drawn from the random stream `r`, slots filled by `get(name)`."""
    rand = r.random
    append = out.append
    for n in nodes:
        if n.__class__ is str:
            append(n)
        elif n[0] == SLOT:
            append(get(n[1]))
        else:
            alts = n[1]
            k = len(alts)
            i = int(rand() * k)  # rng.below, inlined
            a = alts[i if i < k else k - 1]
            if a.__class__ is str:
                append(a)
            else:
                emit(a, r, get, out)


# no capital after an abbreviation's full stop ("four a.m. was", "z. B. die")
_SENTENCE_START = re.compile(r"(?<=[.?!] )(?<!a\.m\. )(?<!p\.m\. )(?<!e\.g\. )(?<!i\.e\. )(?<!z\. B\. )"
                             r"(?<!u\. a\. )([a-z])")


_MESSY = re.compile(r"[ ,.][,.?!;:]").search
_LOWER_START = re.compile(r"[.?!] [a-z]").search  # what `_SENTENCE_START` needs: most sentences hold none
# either of the two above, in one scan: a sentence that holds neither (most) is looked at once, not twice.
# Written from the punctuation mark on (`[ ,.][,.?!;:]` as the mark with `[ ,.]` before it, `[.?!] [a-z]` as
# a mark of `.?!` with " [a-z]" after it): a pattern that starts with a character set lets `re` skip to the
# next mark in C (one starting with alternatives of sets tries every position), three times as fast
_EITHER = re.compile(r"[,.?!;:](?:(?<=[ ,.].)|(?<=[.?!]) [a-z])").search
_EITHER_PLAIN = re.compile(r"[ ,.][,.?!;:]|[.?!] [a-z]").search  # what `_EITHER` finds (tests compare the two)


def _upper_after(m: re.Match) -> str:
    return m.group(1).upper()


def tidy(s: str, cap: bool = True) -> str:
    """Spaces and punctuation of a sentence assembled from parts; a capital at
    the start (unless `cap` is off) and after each full stop."""
    if "  " in s or s[:1] == " " or s[-1:] == " ":
        s = " ".join(s.split())
    if _EITHER(s) is not None:
        # one search for what the ten tests below look for (and a little more): most sentences hold none
        if _MESSY(s) is not None and (" ," in s or " ." in s or " ?" in s or " !" in s or " ;" in s or ",," in s
                                      or ".." in s or ",." in s or ".," in s or " :" in s):
            s = (s.replace(" ,", ",").replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ;", ";")
                 .replace(" :", ":").replace(",,", ",").replace(",.", ".").replace(".,", ",").replace("?.", "?"))
            if ".." in s and "..." not in s:
                s = s.replace("..", ".")
        if _LOWER_START(s) is not None:  # a sentence composed of parts: capitals after a full stop
            s = _SENTENCE_START.sub(_upper_after, s)
    if cap and s and s[0].islower():
        s = s[0].upper() + s[1:]
    return s
