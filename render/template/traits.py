"""What shows a persona in behaviour, per voice (voices.py): the question
topics, signal categories, objection types and beats that are the persona's
traits, and the manners (hesitating, keeping turns short). The renderer makes
at least MIN_SHOWN of a persona's turns show one (sales.py asks a question of
the persona's own topics when too few would), and the ground truth cites
those turns and says what each showed (backends/ground_truth.py), so a persona
label is evidenced by what the participant did, never by a random turn."""

from __future__ import annotations

from typing import Any, NamedTuple

from corpusc.render.template.signals import beat_categories
from corpusc.render.template.voices import voice_of

MIN_SHOWN = 2  # turns of a persona's participant that show its traits: fewer and it is not classified
# how far from the median of the call's buyer turns a turn's length must be to show a persona that shows by
# length (a turn of 27 words against a median of 24 shows nothing)
SHORT_FACTOR = 2 / 3
LONG_FACTOR = 1.5
# beats of turns that never show a persona (greetings, small talk, the agenda, the goodbye)
NOT_SHOWN = frozenset({"opening", "small_talk", "introduce_stakeholder", "agenda", "close", "reference"})


def beat_ritual(beats) -> set[int]:
    """The turns carrying a beat of NOT_SHOWN: what the buyers' median turn
    length, against which a persona's short or long turns are told, leaves out."""
    return {b.turn for b in beats if b.kind in NOT_SHOWN}


def ritual_turns(beats, n: int) -> set[int]:
    """The turns of a call of `n` turns that show no persona: those carrying
    a beat of NOT_SHOWN, every turn up to the agenda and every turn from the
    reply to the next steps or the close on (reader17: a busy skeptic "kept it to 5 words" citing "Cheers,
    Jordan. Catch you later."). The ground truth cites none, `verify` holds it to that."""
    agenda = min((b.turn for b in beats if b.kind == "agenda"), default=-1)
    # the reply to the next steps and on: the goodbye ("Great, speak next week. Take care.")
    close = min((b.turn + (b.kind == "next_steps") for b in beats if b.kind in ("close", "next_steps")), default=n)
    return beat_ritual(beats) | {i for i in range(n) if i <= agenda or i >= close}


class Trait(NamedTuple):
    topics: tuple[str, ...] = ()  # `bq.<topic>` questions the persona asks
    signals: tuple[str, ...] = ()  # surface-signal categories of its sentences
    objections: tuple[str, ...] = ()  # objection types it raises, holds or accepts
    beats: tuple[str, ...] = ()  # planned beat kinds it carries
    hesitant: bool = False  # a hesitation cue on its turn
    short: bool = False  # its turns are shorter than the call's buyers' median
    pauses: bool = False  # a long pause before its turn
    long: bool = False  # its turns are longer than the call's buyers' median
    asks: bool = False  # it asks questions (any topic)

    @property
    def manner(self) -> bool:
        """Whether the persona shows in how long it talks (and hesitates)
        rather than in what about: the renderer adds no line for it."""
        return self.short or self.long


TRAITS = {
    "budget": Trait(topics=("pricing_model", "roi", "contract"), signals=("pricing", "budget"),
                    objections=("pricing",)),
    "technical": Trait(topics=("security", "crm", "retention", "api")),
    "skeptic": Trait(topics=("roi", "accuracy"), short=True),
    "champion": Trait(topics=("onboarding", "references", "roadmap"), signals=("authority", "buying_intent"),
                      beats=("buying_signal",), long=True),
    "analytical": Trait(topics=("accuracy", "crm", "references", "reporting", "pricing_model"), asks=True),
    "reluctant": Trait(topics=("adoption", "support", "contract"), objections=("risk",), hesitant=True, short=True,
                       pauses=True),
    "defender": Trait(topics=("adoption", "crm", "support"), objections=("need",), beats=("competitor_mention",),
                      long=True),
    "neutral": Trait(),
}

# how a rationale says what a turn showed
TOPIC_WORDS = {"pricing_model": "the pricing model", "roi": "the payback", "contract": "the contract terms",
               "security": "security", "crm": "the CRM integration", "retention": "data retention",
               "api": "the API", "accuracy": "accuracy", "references": "reference customers",
               "reporting": "reporting", "onboarding": "how fast the team can start", "adoption": "adoption",
               "support": "support", "roadmap": "the roadmap"}
SIGNAL_WORDS = {"pricing": "talked cost", "budget": "talked budget", "authority": "spoke to who signs off",
                "buying_intent": "said they want it"}
# a line of the persona's own voice (sales.py `_trait_line`): what it shows
LINE_WORDS = {"budget": "held the spend to a payback", "technical": "set the technical bar",
              "analytical": "brought their own numbers", "champion": "pushed for a visible win",
              "defender": "defended how things work today", "reluctant": "doubted the change",
              "skeptic": "pressed for proof"}
BEAT_WORDS = {"buying_signal": "gave a buying signal", "competitor_mention": "held up {key}"}


def trait_of(side: str, persona_name: str | None, persona: dict[str, Any]) -> Trait:
    """The traits of a participant's persona (none for a seller or no persona)."""
    if side == "seller" or not persona_name:
        return TRAITS["neutral"]
    return TRAITS.get(voice_of(side, persona_name, persona), TRAITS["neutral"])


def beat_shows(trait: Trait, kind: str, key: str | None) -> bool:
    """Whether a planned beat the participant carries shows the persona (its
    sentence carries one of the persona's signal categories, too)."""
    if kind.startswith("objection_"):  # holding an objection shows it; accepting the answer does not
        return key in trait.objections and kind.split("_", 1)[1] in ("raised", "reopened", "stalled")
    return kind in trait.beats or bool(beat_categories(kind, key) & set(trait.signals))
