"""Which surface signals a sentence the renderer writes carries, as data.

`stdlib/phrases/signal_keys.json` declares, once for every locale (bank keys
are the same in all of them), which phrase-bank keys, which template slots and
which planned beats carry which signal categories (pricing, timeline,
competitor, ...). The Drafter asks `key_categories` for every template it draws
and `slot_categories` for every slot it fills, so a sentence is labelled with
the union of what went into it, colour included. Text the renderer did not
draw from a bank (the spec's own prose: objection phrasings, a persona's
questions and wants) is classified by the locale's `signal_terms` (the
`classify` section of its lexicon), the same table `corpusc verify` scans
transcripts with to find a signal sentence nobody labelled."""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from corpusc.render.template.lexicon import PHRASES, load_lexicon

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


@lru_cache(maxsize=None)
def declaration() -> Declaration:
    raw = json.loads((PHRASES / SIGNAL_FILE).read_text(encoding="utf-8"))
    return Declaration(**{k: {n: v for n, v in raw.get(k, {}).items() if not n.startswith("_")}
                          for k in ("categories", "keys", "slots", "beats", "templates")})


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
def template_categories(locale: str) -> dict[int, frozenset[str]]:
    """The categories of every compiled template of a locale's banks (by
    identity, so a rendered text knows them however it was drawn): its key's,
    and its own where `templates` singles it out."""
    from corpusc.render.template.banks import load_bank, raw_bank
    own = declaration().templates.get(locale, {})
    raw, compiled = raw_bank(locale), load_bank(locale)
    out: dict[int, frozenset[str]] = {}
    for k, lst in compiled.items():
        if not isinstance(lst, list):
            continue
        base = key_categories(k)
        sel = own.get(k, {})
        for t, src in zip(lst, raw[k]):
            pairs = [(x, y) for x, y in zip(t.get("say") or (), src.get("say") or ())] if isinstance(t, dict) \
                else [(t, src)]
            for ct, text in pairs:
                cats = base | {c for c, phrases in sel.items() if any(ph in text for ph in phrases)}
                if cats:
                    out[id(ct)] = frozenset(cats)
    return out


@lru_cache(maxsize=None)
def slot_categories(slot: str) -> frozenset[str]:
    """The categories a sentence carries because it says slot `{slot}`."""
    return _match(declaration().slots, slot)


@lru_cache(maxsize=None)
def beat_categories(kind: str, key: str | None) -> frozenset[str]:
    """The categories of the sentence that realizes a planned beat."""
    table = declaration().beats
    return _match(table, kind) | (_match(table, f"{kind}:{key}") if key else NONE)


@lru_cache(maxsize=None)
def _terms(locale: str) -> tuple[tuple[str, re.Pattern], ...]:
    rows = load_lexicon(locale).classify.signal_terms
    return tuple((row["category"], re.compile(r"(?<![\w-])(?:" + "|".join(
        re.escape(k) for k in sorted(row["keywords"], key=len, reverse=True)) + ")", re.IGNORECASE))
                 for row in rows if row.get("keywords"))


def term_categories(locale: str, text: str, extra: dict[str, re.Pattern] | None = None) -> frozenset[str]:
    """The categories whose signal terms occur in `text` (the audit's reading, and
    the classification of the spec's prose when the renderer inserts it)."""
    out = {cat for cat, rx in _terms(locale) if rx.search(text)}
    for cat, rx in (extra or {}).items():
        if rx.search(text):
            out.add(cat)
    return frozenset(out) if out else NONE


def names_pattern(names) -> re.Pattern | None:
    """A pattern matching any of `names` as whole words (competitor names of a spec)."""
    names = sorted({n for n in names if n}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


SENTENCE = re.compile(r"[^.!?;]+[.!?;]*")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a turn, for the audit."""
    return [(m.start(), m.end()) for m in SENTENCE.finditer(text) if m.group().strip()]


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
        for t in lst:
            for src in ((t.get("say") or ()) if isinstance(t, dict) else (t,)):
                if not isinstance(src, str):
                    continue
                for cat, rx in _terms(locale):
                    if cat in base or any(ph in src for ph in own.get(k, {}).get(cat, ())):
                        continue
                    for m in rx.finditer(src):
                        found = out.setdefault(k, {}).setdefault(cat, [])
                        if m.group(0) not in found:
                            found.append(m.group(0))
    return out


def _main(argv: list[str]) -> int:
    from corpusc.render.template.banks import supported_locales
    found = {loc: undeclared(loc) for loc in supported_locales()}
    found = {loc: x for loc, x in found.items() if x}
    if "--write" in argv and found:
        path = PHRASES / SIGNAL_FILE
        doc = json.loads(path.read_text(encoding="utf-8"))
        for loc, keys in found.items():
            mine = doc.setdefault("templates", {}).setdefault(loc, {})
            for k, cats in keys.items():
                for cat, phrases in cats.items():
                    lst = mine.setdefault(k, {}).setdefault(cat, [])
                    lst += [p for p in phrases if p not in lst]
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(found, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    import sys
    raise SystemExit(_main(sys.argv[1:]))
