"""Phrase banks: every JSON file of `stdlib/phrases/<locale>/` (but the
lexicon) flattened to dotted keys, templates compiled once per locale; which
locale's banks a call speaks from; and the keys a locale's banks must hold,
declared in `stdlib/phrases/keys.json` so a new locale knows what to write and
a locale missing a key is refused before any call renders."""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from corpusc.render.template.language import compile_template, template_slots, template_words, words
from corpusc.render.template.lexicon import LEXICON_FILE, PHRASES
from corpusc.render.template.memo import kept

KEYS_FILE = "keys.json"


class UnsupportedLocale(LookupError):
    """A call's locale has no complete phrase banks (`supported_locales()`)."""


@lru_cache(maxsize=None)
def load_bank(locale: str) -> dict[str, Any]:
    """All JSON files of one locale, flattened to dotted keys; lists of strings
    are compiled templates, other lists stay data. Keys starting with `_` are
    comments. Kept compiled between processes (render/template/memo.py)."""
    return kept("bank", locale, lambda: _load(locale, compile_template))


@lru_cache(maxsize=None)
def raw_bank(locale: str) -> dict[str, Any]:
    """`load_bank` with the templates left as written: what `missing_keys`
    needs, at a fraction of the cost (`corpusc check` asks it of every locale;
    compiling every template took 0.1 s a locale)."""
    return _load(locale, None)


def _load(locale: str, compile) -> dict[str, Any]:
    out: dict[str, Any] = {}
    d = PHRASES / locale
    for f in sorted(d.glob("*.json")):
        if f.name != LEXICON_FILE:
            _flatten(json.loads(f.read_text(encoding="utf-8")), "", out, f.name, compile)
    return out


def _flatten(node: Any, prefix: str, out: dict, source: str, compile=compile_template) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k.startswith("_"):
                continue
            _flatten(v, f"{prefix}.{k}" if prefix else k, out, source, compile)
        return
    if prefix in out:
        raise ValueError(f"{source}: phrase bank key `{prefix}` is defined twice")
    if compile is None:
        out[prefix] = node
    elif isinstance(node, list) and all(isinstance(x, str) for x in node):
        out[prefix] = [compile_template(x) for x in node]
    elif isinstance(node, list) and all(isinstance(x, dict) for x in node):
        out[prefix] = [{k: ([compile_template(s) for s in v] if isinstance(v, list) and k == "say" else v)
                        for k, v in x.items()} for x in node]
    else:
        out[prefix] = node


@lru_cache(maxsize=None)
def bank_folders() -> tuple[str, ...]:
    """Locale folders under stdlib/phrases (complete or not)."""
    return tuple(sorted(d.name for d in PHRASES.iterdir() if d.is_dir() and (d / LEXICON_FILE).is_file()))


@lru_cache(maxsize=None)
def supported_locales() -> list[str]:
    """The locale folders whose banks hold every declared key."""
    return [loc for loc in bank_folders() if _complete(loc)]


@lru_cache(maxsize=None)
def _complete(locale: str) -> bool:
    return not missing_keys(locale)


@lru_cache(maxsize=256)
def bank_locale(locale: str) -> str:
    """The banks a call in `locale` speaks from: its own folder, else the
    supported folder of the same language (en-GB speaks en-US)."""
    folders = bank_folders()
    lang = (locale or "").split("-")[0].lower()
    # its own folder first, then the others of its language; only these
    # candidates' banks are read (`corpusc check` asks for each spec locale)
    for loc in sorted(folders, key=lambda f: f != locale):
        if (loc == locale or loc.split("-")[0].lower() == lang) and _complete(loc):
            return loc
    ok = supported_locales()
    raise UnsupportedLocale(f"no phrase banks for locale `{locale}`; supported: {', '.join(ok)}")


@lru_cache(maxsize=4096)
def closest(locale: str, key: str, text: str) -> int | None:
    """Index of the template of `key` whose words overlap `text` most."""
    lst = load_bank(locale).get(key) or []
    ws = words(text)
    best, bi = 0, None
    for i, t in enumerate(lst):
        sc = len(ws & template_words(t))
        if sc > best:
            best, bi = sc, i
    return bi


@lru_cache(maxsize=None)
def topics(locale: str, prefix: str, suffix: str) -> tuple[str, ...]:
    """The `x` of every key `<prefix>x<suffix>` (one dotted name) in a locale's banks."""
    depth = prefix.count(".") + suffix.count(".")
    return tuple(sorted({k[len(prefix):-len(suffix)] for k in load_bank(locale)
                         if k.startswith(prefix) and k.endswith(suffix) and k.count(".") == depth}))


@lru_cache(maxsize=None)
def with_prefix(locale: str, prefix: str) -> tuple[str, ...]:
    """Every key of a locale's banks starting with `prefix`, in bank order."""
    return tuple(k for k in load_bank(locale) if k.startswith(prefix))


# ---- the declared keys ------------------------------------------------------------------

_VAR = re.compile(r"\{([a-z_*]+)\}")


@lru_cache(maxsize=None)
def declaration() -> dict[str, Any]:
    """`stdlib/phrases/keys.json` without its comments."""
    return _uncommented(json.loads((PHRASES / KEYS_FILE).read_text(encoding="utf-8")))


def asks() -> dict[str, str]:
    """Question keys and the slot each asks for (keys.json `asks`)."""
    return declaration().get("asks") or {}


def _uncommented(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _uncommented(v) for k, v in node.items() if not k.startswith("_")}
    if isinstance(node, list):
        return [_uncommented(v) for v in node]
    return node


def expand(pattern: str, sets: dict[str, list[str]] | None = None) -> list[str]:
    """`voice.more.{voice}` -> one key per member of the set `voice`."""
    sets = declaration()["sets"] if sets is None else sets
    out = [""]
    pos = 0
    for m in _VAR.finditer(pattern):
        lit = pattern[pos:m.start()]
        out = [o + lit + v for o in out for v in sets[m.group(1)]]
        pos = m.end()
    return [o + pattern[pos:] for o in out]


def _regex(pattern: str) -> re.Pattern:
    """An optional pattern (before any ` -> fallback`): `{x}` one dotted name, `{*}` any rest."""
    pattern = pattern.split(" -> ", 1)[0]
    parts, pos = [], 0
    for m in _VAR.finditer(pattern):
        parts.append(re.escape(pattern[pos:m.start()]))
        parts.append(".*" if m.group(1) == "*" else "[^.]*")
        pos = m.end()
    parts.append(re.escape(pattern[pos:]))
    return re.compile("".join(parts))


@lru_cache(maxsize=None)
def required_keys() -> tuple[str, ...]:
    """Every key each locale's banks must hold (the `required` patterns expanded)."""
    return tuple(sorted({k for p in declaration()["required"] for k in expand(p)}))


@lru_cache(maxsize=None)
def _optional() -> re.Pattern:
    d = declaration()
    pats = [p for group in d["optional"].values() for p in group]
    pats += [e["scan"] for e in d["each"]] + [n for e in d["each"] for n in e["needs"]]
    return re.compile("|".join(f"(?:{_regex(p).pattern})" for p in pats))


@lru_cache(maxsize=None)
def told(key: str) -> bool:
    """Whether bank `key` tells what an account's calls tell once between them
    (keys.json `told`: an anecdote, a customer story, a small-talk topic): its
    templates are dealt out over the account's calls (`Drafter.remember`)."""
    return any(fnmatchcase(key, p) for p in (declaration().get("told") or {}).get("keys", ()))


def declared(key: str) -> bool:
    """Whether `key` is one the renderer may read: required, one of a group, a
    restating rule's, or matching an optional pattern."""
    d = declaration()
    return (key in required_keys() or any(key in g for g in d["one_of"]) or key in d["restate"]
            or _optional().fullmatch(key) is not None)


def missing_keys(locale: str) -> list[str]:
    """What the banks of `locale` lack of the declaration (empty: complete)."""
    from corpusc.render.template.lexicon import load_lexicon
    from corpusc.render.template.morphology import RESTATE
    try:
        load_lexicon(locale)
    except (OSError, ValueError) as e:
        return [f"{LEXICON_FILE}: {str(e).splitlines()[0]}"]
    d = declaration()
    bank = raw_bank(locale)
    out = [k for k in required_keys() if not bank.get(k)]
    if locale in RESTATE:
        out += [k for k in d["restate"] if not bank.get(k)]
    out += [" | ".join(g) for g in d["one_of"] if not any(bank.get(k) for k in g)]
    for e in d["each"]:
        scan = _regex(e["scan"])
        prefix, _, suffix = e["scan"].partition("{x}")
        found = [k[len(prefix):len(k) - len(suffix)] for k in bank if scan.fullmatch(k)]
        if len(found) < e["min"]:
            out.append(f"at least {e['min']} of {e['scan']}")
        out += [n.replace("{x}", x) for x in found for n in e["needs"] if not bank.get(n.replace("{x}", x))]
    out += [f"{{@{k}}}" for k in sorted(composed_keys(bank)) if not bank.get(k)]
    return out


_COMPOSE = re.compile(r"\{@([A-Za-z_][A-Za-z0-9_.]*)\}")


def composed_keys(bank: dict[str, Any]) -> set[str]:
    """Every key a template composes in place (`{@bank.key}`), in a compiled
    bank (`load_bank`) or as written (`raw_bank`): a template as written is a
    str, found with the language's own token; a compiled one with a slot is a
    tuple (a compiled str holds no token)."""
    out: set[str] = set()
    for v in bank.values():
        if not isinstance(v, list):
            continue
        for t in v:
            for x in (t.get("say") or [] if isinstance(t, dict) else [t]):
                if isinstance(x, str):
                    out.update(_COMPOSE.findall(x))
                else:
                    out |= {s[1:] for s in template_slots(x) if s.startswith("@")}
    return out
