"""One call, end to end: for each segment, ask, verify, and send the
specific failures back for that segment only, at most `max_repairs` times;
then assemble the RenderedCall, or render the call with the template
renderer (flagged: `provenance.fallback`) or fail the build with the reason.
Never a placeholder, never a dropped call."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from corpusc.plan.model import Call, Header
from corpusc.render.llm import outline as O
from corpusc.render.llm import cost, prompt, verify
from corpusc.render.llm.assemble import assemble
from corpusc.render.llm.client import Answer, Client
from corpusc.render.llm.errors import LlmError
from corpusc.render.llm.options import LlmOptions
from corpusc.render.model import RenderedCall

FINISH = {"length": "the answer was cut off at the token limit: write the same turns more briefly",
          "content_filter": "the server's content filter stopped the answer: keep to ordinary business talk"}


@dataclass
class Tally:
    """What producing one call took; recorded in its provenance and the journal."""
    requests: int = 0  # answers used, whether fetched now or replayed from the cache
    repairs: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    caught: list[str] = field(default_factory=list)  # kinds of violation found, in order
    usd: float | None = 0.0  # None: the model has no price
    batch: bool = False  # some answer came through the Batch API

    def add(self, a: Answer, price: dict[str, float] | None) -> None:
        self.requests += 1
        self.prompt_tokens += a.prompt_tokens
        self.completion_tokens += a.completion_tokens
        self.cached_tokens += a.cached_tokens
        self.batch = self.batch or a.batch
        spent = cost.usd(price, a.prompt_tokens, a.cached_tokens, a.completion_tokens, batch=a.batch)
        self.usd = None if spent is None or self.usd is None else self.usd + spent

    def record(self, call: Call, fallback: bool) -> dict:
        """The call's line in manifest.json's `llm` section (cost.manifest_section)."""
        return {"call": call.id, "requests": self.requests, "repairs": self.repairs,
                "prompt_tokens": self.prompt_tokens, "cached_tokens": self.cached_tokens,
                "completion_tokens": self.completion_tokens, "fallback": fallback, "batch": self.batch,
                "usd": None if self.usd is None else round(self.usd, 8)}


def seed(call: Call, header: Header) -> int:
    h = hashlib.sha256(f"{header.corpus.get('seed', 0)}:{call.id}".encode()).digest()
    return int.from_bytes(h[:4], "big") & 0x7FFFFFFF


async def render_call(call: Call, header: Header, opts: LlmOptions, client: Client) -> RenderedCall:
    tally = Tally()
    texts: dict[int, str] = {}
    spans: dict[str, tuple[int, int, int]] = {}
    previous: list[dict[str, str]] = []
    failure: list[verify.Violation] = []
    for seg in O.segments(call, opts.segments):
        checked, failure = await _segment(call, header, seg, previous, opts, client, tally)
        if checked is None:
            break
        texts.update(checked.texts)
        spans.update(checked.spans)
        previous += [{"name": call.participants[call.speakers[i]].name, "text": checked.texts[i]} for i in seg.turns]
    common = {"model": opts.model, "requests": tally.requests, "repairs": tally.repairs,
              "tokens": {"prompt": tally.prompt_tokens, "completion": tally.completion_tokens,
                         "cached": tally.cached_tokens}}
    if not failure:
        rc = assemble(call, header, texts, spans, {"renderer": "llm", **common})
        client.note({"call": call.id, "outcome": "repaired" if tally.repairs else "ok", "caught": tally.caught})
        client.record(tally.record(call, False))
        return rc
    reason = "; ".join(v.message for v in failure[:3]) + (f" (+{len(failure) - 3} more)" if len(failure) > 3 else "")
    client.note({"call": call.id, "outcome": "fallback" if opts.fallback == "template" else "failed",
                          "caught": tally.caught, "reason": reason})
    if opts.fallback == "template":
        client.record(tally.record(call, True))
    if opts.fallback == "fail":
        raise LlmError("E0733", f"call {call.id} does not follow its plan after {opts.max_repairs} repair round(s): "
                       f"{reason}", help="raise `max_repairs`, try another `model`, or set `fallback template` to "
                                         "render such calls from the phrase banks (flagged in the ground truth)")
    from corpusc.render.template.renderer import Template
    rc = Template().render(call, header, {})
    return rc.model_copy(update={"provenance": {"renderer": "template", "fallback": True, "reason": reason, **common}})


def _body(call: Call, header: Header, seg: O.Segment, previous: list[dict], opts: LlmOptions) -> dict[str, Any]:
    strict = opts.structured == "strict"
    body: dict[str, Any] = {"model": opts.model, "temperature": opts.temperature, "max_tokens": opts.max_tokens,
                            "seed": seed(call, header),
                            "messages": prompt.messages(call, header, seg, previous, strict, opts.prompts)}
    if strict:
        body["response_format"] = {"type": "json_schema", "json_schema": {
            "name": "turns", "strict": True, "schema": O.schema(call, seg)}}
    return body


async def _segment(call: Call, header: Header, seg: O.Segment, previous: list[dict], opts: LlmOptions,
                   client: Client, tally: Tally) -> tuple[verify.Checked | None, list[verify.Violation]]:
    body = _body(call, header, seg, previous, opts)
    violations: list[verify.Violation] = []
    for attempt in range(opts.max_repairs + 1):
        tag = {"call": call.id, "segment": seg.index, "attempt": attempt}
        ans = await client.complete(body, tag)
        tally.add(ans, cost.price(opts))
        checked = None
        if ans.finish_reason in FINISH:
            violations = [verify.Violation(f"finish_{ans.finish_reason}", FINISH[ans.finish_reason])]
        else:
            doc, bad = verify.parse(ans.content)
            if bad is not None:
                violations = [bad]
            else:
                checked = verify.check(call, header, seg, doc, enforced=opts.structured == "strict")
                violations = checked.violations or await _judge(checked, opts, client, tag, tally)
        if not violations:
            return checked, []
        tally.caught += sorted({v.kind for v in violations})
        if attempt == opts.max_repairs:
            break
        tally.repairs += 1
        body = {**body, "messages": [*body["messages"], {"role": "assistant", "content": ans.content},
                                     {"role": "user", "content": prompt.repair(seg, [v.message for v in violations],
                                                                              opts.prompts)}]}
    return None, violations


async def _judge(checked: verify.Checked, opts: LlmOptions, client: Client, tag: dict,
                 tally: Tally) -> list[verify.Violation]:
    """What the lexicon could not decide: confirmed or flagged by the judge
    model; without one, a moment with no polar word at all is a failure (its
    polarity is a label), anything else stands on its located quote."""
    if not checked.undecided:
        return []
    if opts.judge is None:
        return [verify.Violation("polarity", f"[{q['id']}]: {q['claim']}, but the turn has no word of that polarity")
                for q in checked.undecided if q["moment"]]
    body = {"model": opts.judge, "temperature": 0.0, "max_tokens": 1000,
            "messages": [{"role": "user", "content": prompt.judge(checked.undecided, opts.prompts)}]}
    ans = await client.complete(body, {**tag, "judge": True})
    tally.add(ans, cost.price(LlmOptions(model=opts.judge)))
    doc, bad = verify.parse(ans.content)
    verdicts = {}
    if bad is None:
        for v in doc.get("verdicts") or []:
            if isinstance(v, dict) and isinstance(v.get("id"), str):
                verdicts[v["id"]] = v
    out = []
    for q in checked.undecided:
        v = verdicts.get(q["id"])
        if v is None or v.get("ok") is not True:
            why = str(v.get("why", "")) if v else "no verdict"
            out.append(verify.Violation("judge", f"[{q['id']}]: a reviewing model does not confirm that {q['claim']} "
                                                 f"({why[:120]})"))
    return out

