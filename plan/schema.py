"""Generates specs/plan.schema.json from the plan models, so the contract and
the code cannot drift (a test compares the committed file with this output).

    python -m corpusc.plan.schema > specs/plan.schema.json
"""

from __future__ import annotations

import json


from corpusc.plan.model import Call, Header, Summary


class _Plan(Header):
    calls: list[Call]
    summary: Summary


def schema() -> dict:
    s = _Plan.model_json_schema(mode="serialization")
    s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    s["$id"] = "https://corpusc.dev/schemas/plan.schema.json"
    s["title"] = "corpusc execution plan"
    s["description"] = ("The fully resolved execution plan printed by `corpusc plan --json`: "
                        "one entry per call with everything a backend needs to render it.")
    _close(s)
    return s


def _close(node) -> None:
    """Forbid unknown keys everywhere except free-form metadata maps."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        for v in node.values():
            _close(v)
    elif isinstance(node, list):
        for v in node:
            _close(v)


def text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(text(), end="")
