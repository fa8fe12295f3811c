"""One voice per person, stable across a whole thread: a rep keeps the same voice
in every account, a stakeholder in every call of their account, an agent on
every call of the population; callers get one per call. Voices are assigned
by probing a fixed pool from a stable hash, so people who can meet never share one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from corpusc.plan.model import Call, Header, Participant
from corpusc.plan.rng import stable_hash

# espeak-ng variants (espeak-ng-data/voices/!v) and base pitches per gender.
# f3 and f5 are left out: with them the same text does not always give the
# same samples (their breath noise is not a function of the input), which
# would break byte-identical builds.
ESPEAK_VARIANTS = {"male": ("m1", "m2", "m3", "m4", "m5", "m6", "m7"), "female": ("f1", "f2", "f4")}
BASE_PITCH = {"male": (36, 44, 52), "female": (56, 63, 70, 77)}
# OpenAI TTS voices by the gender they are usually heard as
OPENAI_VOICES = {"male": ("onyx", "echo", "ash", "fable"), "female": ("nova", "shimmer", "coral", "sage"),
                 "neutral": ("alloy",)}
ESPEAK_LANG = {"en-us": "en-us", "en-gb": "en-gb", "en": "en-us", "de": "de", "he": "he", "iw": "he"}


@dataclass(frozen=True)
class Voice:
    key: str  # who this is across the thread
    gender: str  # female | male (the .wav.json stype)
    variant: str  # espeak-ng variant
    pitch: int  # espeak base pitch 0..100
    rate: int  # espeak words per minute
    openai: str  # OpenAI TTS voice


def espeak_language(locale: str) -> str:
    loc = (locale or "en-US").lower().replace("_", "-")
    return ESPEAK_LANG.get(loc) or ESPEAK_LANG.get(loc.split("-")[0]) or loc.split("-")[0]


def _rep(h: Header, name: str) -> dict | None:
    return next((r for r in h.reps if r.get("name") == name), None)


def _gender(p: Participant, rep: dict | None, key: str) -> str:
    g = (rep or {}).get("gender") or p.gender
    if g in ("male", "female"):
        return g
    return ("male", "female")[stable_hash("gender", key) % 2]


def person_key(call: Call, p: Participant, h: Header) -> tuple[str, dict | None]:
    """Who a participant is beyond this call, and their rep entry if they are one."""
    if p.side == "seller":
        rep = _rep(h, p.id) or _rep(h, p.name)
        if rep:
            return f"rep/{rep['name']}", rep
    if call.account:
        return f"account/{call.account}/{p.id}", None
    return f"call/{call.id}/{p.id}", None


def _slots(gender: str) -> list[tuple[str, int]]:
    return [(v, pitch) for pitch in BASE_PITCH[gender] for v in ESPEAK_VARIANTS[gender]]


def _probe(key: str, gender: str, taken: set) -> tuple[str, int]:
    slots = _slots(gender)
    i = stable_hash("voice", key) % len(slots)
    for k in range(len(slots)):
        s = slots[(i + k) % len(slots)]
        if s not in taken:
            return s
    return slots[i]


@lru_cache(maxsize=64)
def _rep_slots(reps_key: tuple) -> dict[str, tuple[str, int]]:
    """Reps get their voices first, in roster order, distinct from each other."""
    out: dict[str, tuple[str, int]] = {}
    for name, gender in reps_key:
        out[name] = _probe(f"rep/{name}", gender, set(out.values()))
    return out


def _make(key: str, gender: str, slot: tuple[str, int], wpm: float, rep: dict | None) -> Voice:
    jitter = 0.94 + 0.12 * ((stable_hash("rate", key) % 1000) / 1000)
    pool = OPENAI_VOICES[gender]
    oa = (rep or {}).get("voice") or pool[stable_hash("openai", key) % len(pool)]
    return Voice(key=key, gender=gender, variant=slot[0], pitch=slot[1], rate=int(round(wpm * jitter)), openai=oa)


def voices(call: Call, h: Header, rates: dict[str, float]) -> dict[str, Voice]:
    """Participant id -> Voice. `rates` are the speakers' words per minute."""
    reps_key = tuple((r["name"], r.get("gender") if r.get("gender") in ("male", "female")
                      else ("male", "female")[stable_hash("gender", f"rep/{r['name']}") % 2]) for r in h.reps)
    rep_slots = _rep_slots(reps_key)
    taken = set(rep_slots.values())
    # everyone who can share a call with these participants: the account's whole cast
    acct = h.account(call.account)
    order: list[str] = [s.get("name") for s in (acct.stakeholders if acct else [])]
    out: dict[str, Voice] = {}
    for pid in order:
        key = f"account/{call.account}/{pid}"
        p = next((x for x in call.participants if x.id == pid), None)
        g = p.gender if p is not None else next((s.get("gender") for s in acct.stakeholders
                                                 if s.get("name") == pid), "neutral")
        gender = g if g in ("male", "female") else ("male", "female")[stable_hash("gender", key) % 2]
        slot = _probe(key, gender, taken)
        taken.add(slot)
        if p is not None:
            out[p.id] = _make(key, gender, slot, rates.get(p.id, 150.0), None)
    for p in call.participants:
        if p.id in out:
            continue
        key, rep = person_key(call, p, h)
        gender = _gender(p, rep, key)
        slot = rep_slots.get(rep["name"]) if rep else None
        if slot is None or slot[0] not in ESPEAK_VARIANTS[gender]:
            slot = _probe(key, gender, taken)
        taken.add(slot)
        out[p.id] = _make(key, gender, slot, rates.get(p.id, 150.0), rep)
    return out
