"""Contact-center caller numbers (the metadata's `ANI`) against the rest of
the call's metadata: reader13 #9 found a "mobile" caller with a landline
number in 96/200 calls, an area code outside the stated region in 146/160,
a US +1 number with a German region in 36/40. The expected blocks are written
out here from their sources (Bundesnetzagentur Mitteilung 148/2021, NANPA's
555-0100..0199), not read from stdlib/numbers.json."""

from __future__ import annotations

import json
import re

from corpusc.compiler.paths import STDLIB

from .conftest import EXAMPLES

# the Bundesnetzagentur's drama numbers: five local networks, by the Bundesland of their area code
DE_LANDLINE = {"3023125": "berlin", "6990009": "hessen", "4066969": "hamburg", "2214710": "nordrhein_westfalen",
               "8999998": "bayern"}
DE_MOBILE = re.compile(r"^\+49(?:17139200|176040690)\d\d$")
DE_FIXED = re.compile(r"^\+49(" + "|".join(DE_LANDLINE) + r")\d{3}$")
US = re.compile(r"^\+1\d{3}55501\d\d$")


def _plan(cli, spec) -> list[dict]:
    status, out = cli("plan", str(spec), "--json")
    assert status == 0, out
    return json.loads(out)["calls"]


def test_a_callers_number_follows_device_region_and_country(cli):
    """Every number is reserved for fiction; a German number's kind is the
    device's (a mobile or tablet calls from a mobile number, a landline from a
    landline, a computer from either); a landline's area code lies in the
    call's region (`other`: none of the regions the spec names); a US number
    only for a caller outside every German region."""
    calls = _plan(cli, EXAMPLES / "contact_center.corpus")
    named = {c["metadata"]["region"] for c in calls} - {"other"}
    kinds = {"mobile": 0, "landline": 0, "us": 0}
    for c in calls:
        m = c["metadata"]
        ani, device, region = m["ANI"], m["device_type"], m["region"]
        if US.match(ani):
            assert region == "other", (c["id"], ani, region)
            kinds["us"] += 1
            continue
        fixed = DE_FIXED.match(ani)
        assert fixed or DE_MOBILE.match(ani), (c["id"], ani)
        if device in ("mobile", "tablet"):
            assert not fixed, (c["id"], device, ani)
        if device == "landline":
            assert fixed, (c["id"], device, ani)
        if fixed:
            where = DE_LANDLINE[fixed.group(1)]
            assert where == region or (region == "other" and where not in named), (c["id"], ani, region)
        kinds["landline" if fixed else "mobile"] += 1
    assert all(kinds.values()), kinds


def test_every_landline_region_of_the_joint_rule_has_a_reserved_block():
    """The planner moves landline callers to regions with a reserved landline
    block (stdlib/domains/joint.json): those regions are exactly the blocks'
    (stdlib/numbers.json), and `other`."""
    rule = json.loads((STDLIB / "domains" / "joint.json").read_text(encoding="utf-8"))["banking"]["region"]
    numbers = json.loads((STDLIB / "numbers.json").read_text(encoding="utf-8"))
    blocks = {b[5] for c in numbers["countries"].values() for b in c["landline"] if b[5]}
    assert rule["lead"] == "device_type" and set(rule["allowed"]["landline"]) == blocks | {"other"}
    assert blocks == set(DE_LANDLINE.values())


def test_two_callers_share_a_number_only_when_the_numbers_run_out(cli):
    """Session 28's outside reader: the example's 200 calls used 151 numbers, 37 of them shared by 86
    different people (another name, another birth date), which breaks any repeat-caller analysis keyed
    on the number: each was drawn at random from the reserved blocks (two blocks of 100 German mobile
    numbers). Now a population's callers of one kind go through the numbers before any is said again:
    the example has fewer callers of each kind than numbers, so sharing is rare (across kinds only).
    A caller who calls again (`repeat_of`: docs/ground_truth.md, repeat contacts) is one caller, one
    `customer_id`: their calls share their number."""
    calls = _plan(cli, EXAMPLES / "contact_center.corpus")
    by_number: dict[str, set] = {}
    for c in calls:
        by_number.setdefault(c["metadata"]["ANI"], set()).add(c["metadata"]["customer_id"])
    shared = sum(len(v) for v in by_number.values() if len(v) > 1)
    assert len(calls) == 200
    assert shared <= 0.1 * len(calls), (shared, len(by_number))
    mobile = [c for c in calls if DE_MOBILE.match(c["metadata"]["ANI"])]
    assert len(mobile) >= 40
    callers = {c["metadata"]["customer_id"] for c in mobile}  # (a repeat caller's calls are one caller's)
    assert len({c["metadata"]["ANI"] for c in mobile}) >= 0.9 * len(callers)  # 200 numbers, fewer callers
