"""Generate a large, valid spec (many accounts and calls) for benchmarks.

    python benchmarks/gen_spec.py 5000 > /tmp/big.corpus   # about 5,000 lines
    python benchmarks/gen_spec.py --calls 1000 --seed 7 > /tmp/s.corpus  # 1,002 sales calls, seed 7
"""

from __future__ import annotations

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
INDUSTRIES = ["logistics", "healthcare", "fintech", "retail", "manufacturing", "saas", "education", "insurance"]
SIZES = ["startup", "smb", "mid_market", "enterprise"]
PERSONAS = ["analytical_evaluator", "executive_champion", "reluctant_adopter", "technical_gatekeeper",
            "budget_guardian", "busy_skeptic", "status_quo_defender"]


def account(i: int) -> str:
    p1, p2 = PERSONAS[i % 7], PERSONAS[(i + 3) % 7]
    return f'''
account acct{i} "Account {i}" {{
  size {SIZES[i % 4]}
  industry {INDUSTRIES[i % 8]}
  outcome won
  competitors ["Parley"]
  stakeholder a{i} "Avery {i}" {{
    role "CFO"
    persona {p1}
    decision_maker
  }}
  stakeholder b{i} "Blake {i}" {{
    role "VP Sales"
    persona {p2}
  }}
  call intro on day 0 {{
    stage discovery
    length medium
    with jordan, a{i}
    mentions competitor "Parley"
  }}
  call review on day 9 {{
    stage evaluation
    length long
    with jordan, a{i}, b{i}
    paralinguistics on
    buying_signal by b{i} "asks about rollout"
  }}
  call signoff on day 30 {{
    stage close
    length 5 min
    with jordan, a{i}
  }}
  arc pricing by a{i}: raised at review -> addressed at review -> resolved at signoff
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


def header(seed: int = 1) -> str:
    return HEADER.replace("  seed 1\n", f"  seed {seed}\n", 1)


def sales_spec(calls: int, seed: int = 1) -> str:
    """About `calls` sales calls (three per account) with txt+json transcripts and ground truth."""
    return header(seed) + "".join(account(i) for i in range(-(-calls // 3))) + EMIT


def population_spec(count: int, *, emit: bool = False, name: str = "gen", seed: int = 11) -> str:
    """The seed-002 HVAC population of `count` calls, optionally with txt+json+ground truth."""
    return POPULATION.format(name=name, seed=seed, count=count) + (EMIT if emit else "")


def main() -> None:
    import argparse
    ap = argparse.ArgumentParser(description="a generated sales spec on stdout")
    ap.add_argument("lines", nargs="?", type=int, default=5000, help="about this many lines (no emit block)")
    ap.add_argument("--calls", type=int, help="instead: about this many calls, with txt+json and ground truth")
    ap.add_argument("--seed", type=int, default=1, help="the corpus seed (default 1)")
    a = ap.parse_args()
    if a.calls:
        sys.stdout.write(sales_spec(a.calls, a.seed))
        return
    lines = a.lines
    out = [header(a.seed)]
    n = out[0].count("\n")
    i = 0
    while n < lines:
        a = account(i)
        out.append(a)
        n += a.count("\n")
        i += 1
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
