"""Generate a large, valid spec (many accounts and calls) for benchmarks.

    python benchmarks/gen_spec.py 5000 > /tmp/big.corpus   # about 5,000 lines
    python benchmarks/gen_spec.py --calls 1000 --seed 7 > /tmp/s.corpus  # 1,002 sales calls, seed 7
    python benchmarks/gen_spec.py --calls 1000 --locale de-DE > /tmp/d.corpus  # the same calls in German
"""

from __future__ import annotations

import random
import sys

HEADER = '''corpus big {
  seed 1
  starts 2026-01-05
  timezone "America/New_York"
  divergence 30%
}

use stdlib.personas
use stdlib.objections
use stdlib.industries

rep jordan "Jordan Reyes" {
  title "Account Executive"
}
'''
INDUSTRIES = ["logistics", "healthcare", "fintech", "retail", "manufacturing", "saas", "education", "insurance",
              "telecom", "professional_services"]
SIZES = ["startup", "smb", "mid_market", "enterprise"]
EMPLOYEES = {"startup": (8, 50), "smb": (51, 500), "mid_market": (501, 2000), "enterprise": (2001, 15000)}
PERSONAS = ["analytical_evaluator", "executive_champion", "reluctant_adopter", "technical_gatekeeper",
            "budget_guardian", "busy_skeptic", "status_quo_defender"]
OBJECTIONS = ["pricing", "implementation", "competition", "risk", "timeline", "authority", "need"]
# what a real user's spec varies from account to account: fictional names (no real
# people or companies), the buyers' roles, competitors, outcomes and signals
FIRST = ["Avery", "Blake", "Morgan", "Riley", "Casey", "Dana", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonas",
         "Keiko", "Lena", "Mateo", "Nadia", "Omar", "Priscila", "Quinn", "Rosa", "Soren", "Tamsin", "Ulla", "Viktor",
         "Wren", "Xiomara", "Yusuf", "Zara", "Anders", "Bianca", "Caleb", "Delia", "Emeka", "Fiona", "Gideon",
         "Hana", "Ivo", "Jada", "Kofi", "Lucia", "Milo", "Noor", "Otto", "Paloma", "Ravi", "Sina", "Tobias",
         "Uma", "Vera", "Wes", "Yara", "Zeno", "Aditi", "Bruno", "Cleo", "Dmitri", "Esme", "Felix", "Greta",
         "Hector", "Ines", "Jasper", "Kira", "Leon", "Maren", "Nico", "Odile", "Pavel", "Rhea", "Stellan"]
LAST = ["Abernathy", "Brandvold", "Castellano", "Dunmore", "Eklund", "Fairweather", "Galloway", "Holmquist",
        "Ibarra", "Jessup", "Kowalczyk", "Lindqvist", "Marchetti", "Northcott", "Okonkwo", "Pemberton",
        "Quintero", "Ravensworth", "Saltonstall", "Thistlewood", "Underhill", "Vasquez-Roy", "Whitcombe",
        "Yardley", "Zelenko", "Ashdown", "Birchfield", "Crowther", "Delacroix-Ng", "Ellery", "Fenwick",
        "Greaves", "Hollingsworth", "Ilves", "Jarrow", "Kettering", "Lachance", "Moravec", "Nightingale",
        "Oyelaran", "Pritchard", "Rosenquist", "Stanhope", "Trevisan", "Umberfield", "Voss-Ireland"]
CO_A = ["North", "Blue", "Cedar", "Harbor", "Iron", "Maple", "Summit", "Silver", "Granite", "Copper", "Pine",
        "Bright", "Clear", "Red", "Stone", "River", "Lake", "Oak", "Falcon", "Beacon", "Meridian", "Juniper",
        "Alder", "Kestrel", "Tidewater", "Prairie", "Lantern", "Orchard", "Basalt", "Willow"]
CO_B = ["wind", "field", "bridge", "gate", "line", "point", "crest", "way", "brook", "ridge", "hollow", "mark",
        "view", "haven", "port", "fold", "works", "well"]
CO_C = {"logistics": ["Freight", "Logistics", "Transport"], "healthcare": ["Health", "Care", "Medical"],
        "fintech": ["Pay", "Financial", "Capital"], "retail": ["Goods", "Retail", "Outfitters"],
        "manufacturing": ["Industries", "Manufacturing", "Components"], "saas": ["Software", "Labs", "Cloud"],
        "education": ["Learning", "Academy", "Education"], "insurance": ["Insurance", "Mutual", "Assurance"],
        "telecom": ["Telecom", "Networks", "Connect"], "professional_services": ["Partners", "Advisory", "Group"]}
DM_ROLES = ["CFO", "VP Sales", "COO", "Chief Revenue Officer", "VP Finance", "Head of Sales", "CEO",
            "VP Customer Success", "Director of Sales"]
OTHER_ROLES = ["VP Sales", "Director of IT", "CISO", "Sales Enablement Manager", "Revenue Operations Manager",
               "Head of Security", "Sales Manager", "IT Manager", "Controller", "Team Lead", "Director of Operations"]
COMPETITORS = ["Parley", "Callgrid", "Voxwell", "Tallyline", "Echolane", "Gongly", "Chorusly", "Recapify"]
SIGNALS = ["asks about rollout", "asks how fast the team could be onboarded",
           "asks for the security questionnaire", "asks whether an annual prepay would change the price",
           "asks how many seats the first phase would need", "asks for two customer references",
           "asks whether the CRM integration could be live this quarter", "asks what a pilot would look like",
           "asks for the order form", "asks when the contract could start"]
OUTCOMES = ["won"] * 6 + ["lost"] * 2 + ["stalled"] * 2
PRODUCTS = [("Lumen", "conversation intelligence platform"), ("Cadence", "revenue intelligence platform"),
            ("Relay", "call coaching platform")]


def _r(i: int, seed: int) -> random.Random:
    return random.Random(f"gen_spec:{seed}:{i}")


def account(i: int, seed: int = 1) -> str:
    """One account of three calls; what varies (names, industry, size, roles,
    personas, competitors, outcome, the objection arc, the buying signal) is
    drawn from the seed, as a real user's spec would vary them."""
    r = _r(i, seed)
    ind = r.choice(INDUSTRIES)
    size = r.choice(SIZES)
    lo, hi = EMPLOYEES[size]
    emp = r.randint(lo, hi)
    p1, p2 = r.sample(PERSONAS, 2)
    f1, f2 = r.sample(FIRST, 2)
    l1, l2 = r.sample(LAST, 2)
    dm = r.choice(DM_ROLES)
    other = r.choice([x for x in OTHER_ROLES if x != dm])
    comps = r.sample(COMPETITORS, r.choice((1, 1, 2)))
    company = f"{r.choice(CO_A)}{r.choice(CO_B)} {r.choice(CO_C[ind])}"
    outcome = r.choice(OUTCOMES)
    obj = r.choice(OBJECTIONS)
    by = "a"  # on every call of the account, so each step has a speaker
    sig = r.choice(SIGNALS)
    review, close = r.randint(5, 14), r.randint(21, 40)
    close_stage = "close" if outcome == "won" else r.choice(("negotiation", "close"))
    length = r.choice(("medium", "long"))
    if outcome == "won":
        arc = r.choice(("raised at review -> addressed at review -> resolved at signoff",
                        "raised at intro -> addressed at review -> resolved at signoff"))
    else:
        arc = "raised at review -> unaddressed at signoff -> stalled"
    mention = f'\n    mentions competitor "{comps[0]}"' if r.random() < 0.7 else ""
    return f'''
account acct{i} "{company}" {{
  size {size}
  employees {emp}
  industry {ind}
  outcome {outcome}
  competitors [{", ".join(f'"{c}"' for c in comps)}]
  stakeholder a{i} "{f1} {l1}" {{
    role "{dm}"
    persona {p1}
    decision_maker
  }}
  stakeholder b{i} "{f2} {l2}" {{
    role "{other}"
    persona {p2}
  }}
  call intro on day 0 {{
    stage discovery
    length medium
    with jordan, a{i}{mention}
  }}
  call review on day {review} {{
    stage evaluation
    length {length}
    with jordan, a{i}, b{i}
    paralinguistics on
    buying_signal by b{i} "{sig}"
  }}
  call signoff on day {close} {{
    stage {close_stage}
    length 5 min
    with jordan, a{i}
  }}
  arc {obj} by {by}{i}: {arc}
}}
'''


POPULATION = '''corpus {name} {{
  seed {seed}
  timezone "America/Chicago"
}}
population inbound {{
  count {count}
  window 60 days ending 2026-11-20
  hours 07:00..21:00 peak 10:00
  scenario weights {{
    booked_service 28%
    scheduled_callback 18%
    live_transfer 14%
    spam_filtered 13%
    quote_requested 11%
    out_of_service_area 9%
    emergency_service 7%
  }}
  provider uniform [retell, vapi, bland]
  field duration_sec: lognormal(median 130s, sigma 0.4) clamp 20s..900s
  when scenario == spam_filtered {{
    field duration_sec: uniform(5s, 30s)
  }}
  field aht_sec = duration_sec
}}
'''
EMIT = "emit transcripts {\n  formats [txt, json]\n}\nemit ground_truth\n"


def header(seed: int = 1, locale: str | None = None) -> str:
    """The corpus block; `locale` (e.g. de-DE) is the calls' language, else the
    compiler's default (en-US), as before."""
    name, tagline = PRODUCTS[seed % len(PRODUCTS)]  # the product being sold, as a spec declares it
    out = HEADER.replace("  seed 1\n", f'  seed {seed}\n  product "{name}" "{tagline}"\n', 1)
    return out.replace("  divergence 30%\n", f"  divergence 30%\n  locale {locale}\n", 1) if locale else out


def sales_spec(calls: int, seed: int = 1, locale: str | None = None) -> str:
    """About `calls` sales calls (three per account) with txt+json transcripts and ground truth."""
    return header(seed, locale) + "".join(account(i, seed) for i in range(-(-calls // 3))) + EMIT


def population_spec(count: int, *, emit: bool = False, name: str = "gen", seed: int = 11) -> str:
    """The seed-002 HVAC population of `count` calls, optionally with txt+json+ground truth."""
    return POPULATION.format(name=name, seed=seed, count=count) + (EMIT if emit else "")


def main() -> None:
    import argparse
    ap = argparse.ArgumentParser(description="a generated sales spec on stdout")
    ap.add_argument("lines", nargs="?", type=int, default=5000, help="about this many lines (no emit block)")
    ap.add_argument("--calls", type=int, help="instead: about this many calls, with txt+json and ground truth")
    ap.add_argument("--seed", type=int, default=1, help="the corpus seed (default 1)")
    ap.add_argument("--locale", help="the calls' locale (default: the compiler's, en-US), e.g. de-DE")
    a = ap.parse_args()
    if a.calls:
        sys.stdout.write(sales_spec(a.calls, a.seed, a.locale))
        return
    lines = a.lines
    a_seed = a.seed
    out = [header(a.seed, a.locale)]
    n = out[0].count("\n")
    i = 0
    while n < lines:
        a = account(i, a_seed)
        out.append(a)
        n += a.count("\n")
        i += 1
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
