"""The contact-center dialogue text (seed 004): localized `key: value` header
lines, `---- DIALOGUE ----`, then `Agent:` / `Customer:` (`Kunde:` in German)
turns, with `[hold Ns]` and `[silence Ns]` on lines of their own where the
call holds or goes quiet (a chat's are time between its typed messages: no line). The header's keys and typed values are the call's
metadata (backends/header.py), so the dialogue, the `.wav.json` timeline and
the SA upload agree. `profile spitch` (`spitch_dialogue`) writes the Spitch
generator's own header and file name instead (docs/formats.md)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from corpusc.plan.model import Call

from corpusc.backends.base import Artifact, Context
from corpusc.backends.header import call_header, generator_path, spitch_flat, spitch_header, spitch_stem
from corpusc.render.model import RenderedCall
from corpusc.render.text import inline, typed

MARK = "---- DIALOGUE ----"

@lru_cache(maxsize=None)
def _words(lang: str) -> dict[str, Any]:
    """The dialogue's words in `lang` (backends/transcripts/locale/LANG.json: header labels, localized values,
    speakers, decimal mark): language knowledge is data, a language is added with a file."""
    doc = json.loads(files("corpusc.backends.transcripts").joinpath(f"locale/{lang}.json").read_text(encoding="utf-8"))
    doc["values"] = {True if k == "true" else False if k == "false" else k: v for k, v in doc["values"].items()}
    doc.setdefault("enums", {})
    return doc


@lru_cache(maxsize=None)
def _languages() -> frozenset[str]:
    return frozenset(p.name[:-5] for p in files("corpusc.backends.transcripts").joinpath("locale").iterdir()
                     if p.name.endswith(".json"))


def _lang(locale: str) -> str:
    lang = locale.split("-")[0].lower()
    return lang if lang in _languages() else "en"


ENUM_OF = {"previous_contact_intent": "intent"}  # a key whose values are another key's (their words are that key's)


def _value(key: str, v: Any, lang: str) -> str:
    words = _words(lang)
    values = words["values"]
    if isinstance(v, bool):
        return values[v]
    if isinstance(v, dict):
        return ", ".join(f"{k}={_value(k, x, lang)}" for k, x in v.items())
    key = ENUM_OF.get(key, key)
    if isinstance(v, str) and v in words["enums"].get(key, ()):
        return words["enums"][key][v]  # the value in the call's language (a value not listed: as planned)
    if isinstance(v, float) and _words(lang)["decimal"] != ".":
        return f"{v:g}".replace(".", _words(lang)["decimal"])
    return "" if v is None else str(v)


def _line(text: str) -> str:
    return " ".join(text.split())


def dialogue(call: Call, rc: RenderedCall) -> str:
    lang = _lang(call.locale)
    labels = _words(lang)["labels"]
    out = [f"{labels.get(k, k)}: {_value(k, v, lang)}" for k, v in call_header(call).items()]
    out.append(MARK)
    agent, customer = _words(lang)["speakers"]["agent"], _words(lang)["speakers"]["customer"]
    chat = call.medium == "chat"
    for t in rc.turns:
        if chat:  # typed: the waits are time between messages, no line of their own (render/text.typed)
            t = typed(call, t)
        out += [f"[{c}]" for c in t.cues if c.startswith(("hold ", "silence "))]
        spoken = t.model_copy(update={"cues": [c for c, _ in t.placed() if not c.startswith(("hold ", "silence "))],
                                      "cue_at": [a for c, a in t.placed() if not c.startswith(("hold ", "silence "))]})
        head, text = inline(spoken)  # mid-turn cues stay where they apply
        who = agent if t.side == "seller" else customer
        out.append(f"{who}: {head}{_line(text)}")
    return "\n".join(out) + "\n"


def _spitch_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "None" if v is None else str(v)  # floats keep `.`: `17.884`


def spitch_dialogue(call: Call, rc: RenderedCall, generator: str) -> str:
    """`profile spitch`: the header as the Spitch generator's audio step reads it
    for every language (its English field names, `true`/`false`, numbers with
    `.`, `None` for no value), a blank line, the mark, then the turns with only the
    `[hold Ns]` / `[silence Ns]` tags its audio step reads."""
    head = spitch_flat(spitch_header(call), generator)
    # `key:value` with no space: the audio step keeps what follows the colon as the string value
    out = [f"{k}:{_spitch_value(v)}" for k, v in head.items()]
    out += ["", MARK]
    speakers = _words(_lang(call.locale))["speakers"]
    agent, customer = speakers["agent"], speakers["customer"]
    for t in rc.turns:
        out += [f"[{c}]" for c in t.cues if c.startswith(("hold ", "silence "))]
        out.append(f"{agent if t.side == 'seller' else customer}: {_line(t.text)}")
    return "\n".join(out) + "\n"


SPITCH_FOLDER = "transcripts/spitch"


def spitch_artifact(call: Call, rc: RenderedCall, ctx: Context) -> Artifact:
    """`transcripts/spitch/{Agent_Name}_{YYYYMMDDHHMMSS}_{ANI}.txt`, the name the
    generator gives it, in a folder of its own: the generator's audio step
    reads every `*.txt` of its `--in_dir` as a dialogue, and the plain `txt`
    transcripts (where the ground truth is located) are `.txt` files too."""
    text = spitch_dialogue(call, rc, generator_path(ctx))
    return Artifact(f"{SPITCH_FOLDER}/{spitch_stem(call)}.txt", text.encode("utf-8"))
