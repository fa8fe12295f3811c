"""The offline template renderer: a planned call in, a `RenderedCall` out.

Everything the plan decided (who speaks at each turn, which beat lands where,
which turns carry annotated moments and with which cues) is followed exactly;
the renderer only chooses words, from the phrase banks of the call's locale
(`stdlib/phrases/<locale>/`). This module composes the parts, each a module of
its own job:

* `language`: the template mini-language of the banks (`[a|b]`, `{slot}`);
* `banks`: loading the banks, the keys every locale must hold, supported locales;
* `lexicon`, `morphology`, `english`: how a locale writes numbers, money and
  capitals (data), and the rules restating the spec's English prose (code,
  registered by locale tag);
* `classify`, `voices`: keyword classifiers of spec text, persona voices;
* `drafting`: per-call choices, turn drafts, the fit to the planned length;
* `sales`, `service`: the sales dialogue and the service-call generator;
* `corpusc.render.timing`: the timing model (shared with the audio backend).

Determinism: the only source of choices is `rng.stream(seed, "render", call.id)`.
Speed: banks are parsed and compiled once per locale, header-derived data once
per header; a call is rendered with plain string operations.
"""

from __future__ import annotations

import gc

from corpusc.plan.model import Call, Header
from corpusc.render.model import RenderedCall
from corpusc.render.template.banks import load_bank
from corpusc.render.template.drafting import Drafter
from corpusc.render.template.language import compile_template, template_slots
from corpusc.render.template.sales import Sales
from corpusc.render.template.service import Service
from corpusc.render.timing import speaker_rates, timing

__all__ = ["render_call", "STRICT", "load_bank", "compile_template", "template_slots", "speaker_rates", "timing"]

STRICT = False  # tests switch this on: a missing slot or bank key raises instead of rendering ""


def render_call(call: Call, header: Header) -> RenderedCall:
    """Words for one planned call; deterministic in (call, header).

    The cyclic garbage collector is paused while a call is drafted: a call
    allocates some hundred thousand short-lived objects, each few hundred of
    which start a collection that also walks the long-lived ones (the banks,
    the prepared templates, the planned calls), a fifth of the CPU of a
    generated sales call. What a call leaves behind is collected once after
    it; the words do not depend on it (tests/test_render_speed.py)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        r = Drafter(call, header, strict=STRICT)
        if call.kind == "population" or (call.beats and call.beats[0].kind == "greeting"):
            drafts = Service(r).run()
        else:
            drafts = Sales(r).run()
        return r.finish(drafts)
    finally:
        if paused:
            gc.enable()
