"""The prompts, as jinja2 templates shipped in `prompts/` and overridable
file by file from a folder the spec names (`prompts "my_prompts"`). The
system message is the stable prefix (rules, glossary, catalogs: the same for
every call of a corpus), the user message puts the account before the call's
outline, so a provider's prompt cache reuses the longest possible prefix."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpusc.plan.model import Call, Header
from corpusc.render.llm import outline as O
from corpusc.render.llm.lexicon import load

SHIPPED = Path(__file__).parent / "prompts"
NAMES = ("system.j2", "call.j2", "repair.j2", "judge.j2")
_SYSTEM: dict[tuple, str] = {}


def files(override: str | None) -> dict[str, Path]:
    """Each template's file: the override folder's when it has one, else the shipped one."""
    out = {}
    for name in NAMES:
        p = Path(override) / name if override else None
        out[name] = p if p is not None and p.is_file() else SHIPPED / name
    return out


def digest(override: str | None) -> str:
    """sha256 over the templates in use (names and bytes): part of every request's cache key."""
    h = hashlib.sha256()
    for name, p in sorted(files(override).items()):
        data = p.read_bytes()
        h.update(name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


@lru_cache(maxsize=8)
def environment(override: str | None):
    import jinja2
    loaders = [jinja2.FileSystemLoader(str(SHIPPED))]
    if override:
        loaders.insert(0, jinja2.FileSystemLoader(override))
    # prompts are plain text: no HTML escaping; an undefined name is an error, not ""
    return jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=False, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, trim_blocks=False)


def render(name: str, override: str | None, **values: Any) -> str:
    return environment(override).get_template(name).render(**values)


def messages(call: Call, header: Header, seg: O.Segment, previous: list[dict], strict: bool,
             override: str | None) -> list[dict[str, str]]:
    """The system and user messages of one segment's first request."""
    lex = load(call.locale)
    ctx = O.context(call, header)
    f = files(override)["system.j2"]
    k = (header.spec_hash, lex.locale, str(f), f.stat().st_mtime_ns)
    system = _SYSTEM.get(k)
    if system is None:  # the same for every call of a spec and locale: rendered once
        if len(_SYSTEM) > 32:
            _SYSTEM.clear()
        system = _SYSTEM[k] = render("system.j2", override, language=lex.language,
                                     fictional_phones=lex.phone_examples, **ctx)
    turns = O.turn_outline(call, seg)
    doc = {"call": call.id, "segment": seg.index, "locale": call.locale, "words": O.target_words(call, seg),
           "turns": turns}
    user = render("call.j2", override, call=call.model_dump(mode="json"), account=ctx["account"],
                  personas=header.personas, segment={"start": seg.start, "end": seg.end}, n_turns=len(call.speakers),
                  words=O.target_words(call, seg), turns=turns, previous=previous,
                  outline_json=json.dumps(doc, ensure_ascii=False, sort_keys=True),
                  schema_json="" if strict else json.dumps(O.schema(call, seg), ensure_ascii=False, sort_keys=True))
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def repair(seg: O.Segment, violations: list[str], override: str | None) -> str:
    return render("repair.j2", override, segment={"start": seg.start, "end": seg.end}, violations=violations)


def judge(questions: list[dict[str, str]], override: str | None) -> str:
    return render("judge.j2", override, questions=questions)
