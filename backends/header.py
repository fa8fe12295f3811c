"""A call's metadata as one flat, typed mapping: the header of the dialogue
transcript, the C1 keys of the `.wav.json` timeline and the `custom.*` fields
of the speech-analytics upload all come from here, so they cannot disagree."""

from __future__ import annotations

from typing import Any

from corpusc.plan.model import Call


def call_header(call: Call) -> dict[str, Any]:
    """`call_id`, `date`, `time`, `weekday`, `start_utc`, `timezone`, then the plan's metadata in its
    order (population fields, agent, team, shift, ANI...). Values keep their
    types: int, float, bool, str, or a dict of those (compliance_flags)."""
    head: dict[str, Any] = {"call_id": call.id, "date": call.date, "time": call.time, "weekday": call.weekday,
                            "start_utc": call.start_utc, "timezone": call.timezone}
    if call.account:
        head["account"] = call.account
    if call.stage:
        head["stage"] = call.stage
    for k, v in call.metadata.items():
        head.setdefault(k, v)
    return head
