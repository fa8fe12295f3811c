"""reader17's label defects counted over built corpora with the patterns of
tests/test_reader17_labels.py (read from that file, so the figures and the
test cannot drift apart).

    python benchmarks/reader17_counts.py SALES_DIR... [--cc CONTACT_CENTER_DIR]

SALES_DIR: a build of a generated sales spec (`gen_spec.py --calls 300 --seed 11`);
CONTACT_CENTER_DIR: a build of examples/contact_center.corpus."""
import glob
import json
import re
import sys
from pathlib import Path

src = (Path(__file__).resolve().parents[1] / "tests" / "test_reader17_labels.py").read_text(encoding="utf-8")
head = src[:src.index("@pytest.fixture")].replace("from .test_labels_and_personas import _build", "")
head = head.replace("import pytest", "")
ns = {}; exec(head, ns)
exec(src[src.index("MISFITS = "):src.index("@pytest.mark.parametrize", src.index("MISFITS = "))], ns)
exec(src[src.index("AMOUNT = "):src.index("def test_a_service_amount")], ns)
g = lambda d: [json.loads(Path(f).read_text()) for f in sorted(glob.glob(f"{d}/ground_truth/*.json"))]
args = sys.argv[1:]
cc = args[args.index("--cc") + 1] if "--cc" in args else None
for d in [a for a in args if a != "--cc" and a != cc]:
    gts = g(d)
    peer = sum(1 for gt in gts for s in gt["signals"]["surface"] if s["type"] == "authority"
               and ns["PEER_CURIOUS"].search(s["quote"]) and not ns["EXEC"].search(s["quote"]))
    raised = {s["arc"]: s["quote"] for gt in gts for s in gt["objection_steps"] if s["step"] == "raised"}
    build = sum(1 for gt in gts for s in gt["objection_steps"] if s["step"] == "addressed" and s["objection"] == "competition"
                and ns["BUILD"].search(s["quote"]) and not ns["BUILD"].search(raised.get(s["arc"], "")))
    misfit = sum(1 for gt in gts for s in gt["objection_steps"] if s["step"] == "addressed" and s["arc"] in raised
                 for kind, asked, mf in ns["MISFITS"] if s["objection"] == kind
                 and re.search(asked, raised[s["arc"]], re.I) and re.search(mf, s["quote"], re.I))
    close = 0
    for gt in gts:
        done = {t["objection"]: t["resolution"]["turn"] for t in gt["objection_triples"]
                if t["outcome_in_call"] in ("resolved", "addressed") and t["resolution"]}
        for m in gt["moments"] + gt["colour"]:
            if m.get("side") == "buyer" and ns["CLOSE_OPEN"].search(m.get("quote", "")):
                close += sum(1 for k, turn in done.items() if m["turn"] > turn and k in ns["OBJECTION_WORDS"]
                             and re.search(ns["OBJECTION_WORDS"][k], m["quote"], re.I))
    feat = sum(1 for gt in gts for m in gt["moments"] if m["side"] == "buyer" and m["polarity"] == "negative"
               and ns["FEATURES"].search(m["quote"]))
    print(f"{d}: peer-authority {peer}, competition-by-build {build}, off-facet answers {misfit}, "
          f"close-calls-answered-open {close}, feature-as-concern {feat}")
if cc:
    gts = g(cc)
    pr = [s["quote"] for gt in gts for s in gt["signals"]["surface"] if s["type"] == "pricing"]
    amt = sum(1 for q in pr if ns["AMOUNT"].search(q) and not ns["PRICE_WORD"].search(q))
    fixed = 0
    for gt in gts:
        if gt["metadata"]["scenario"] == "resolved_first_contact":
            continue
        agents = {p["name"] for p in gt["participants"] if p["side"] == "seller"}
        for line in (Path(cc) / gt["transcript"]).read_text().split("\n"):
            name, _, text = line.partition(": ")
            fixed += name in agents and bool(ns["FIXED"].search(text))
    card = sum(1 for q in pr if ns["CARD"].search(q))
    print(f"{cc}: pricing labels {len(pr)}, on an amount with no price word {amt}, on a card payment or 'in charge' "
          f"{card}, agent lines fixing an escalated/transferred request {fixed}")
