"""The score as text (a terminal table), json (the whole result), html (one
self-contained page) or github (workflow annotations for the categories
below the bar and the worst calls)."""

from __future__ import annotations

import html
import json
from typing import Any


def _ci(x) -> str:
    return f" [{x[0]:.2f}, {x[1]:.2f}]" if x else ""


def _row(name: str, m: dict[str, Any], width: int) -> str:
    return (f"  {name:<{width}} {m['tp']:>6} {m['fp']:>6} {m['fn']:>6}   {m['precision']:.3f}  {m['recall']:.3f}"
            f"  {m['f1']:.3f}{_ci(m.get('ci95'))}")


def text(r: dict[str, Any], by: str) -> str:
    out = [f"corpusc score: {r['corpus']} · {r['calls']} calls, {r['predicted_calls']} predicted"
           + (f" · bootstrap {r['settings']['bootstrap']}" if r['settings']['bootstrap'] else "")]
    head = lambda w: f"  {'':<{w}} {'tp':>6} {'fp':>6} {'fn':>6}   prec   rec    F1 [95% CI]"
    if "signals" in r:
        s = r["signals"]
        rows = s["by"][by]
        w = max([len(k) for k in rows] + [12])
        out += ["", f"signals by {by}", head(w)]
        out += [_row(k, m, w) for k, m in rows.items()]
        out.append(_row("all (micro)", s["micro"], w))
        if s["macro_f1"] is not None:
            out.append(f"  {'macro F1':<{w}} {s['macro_f1']:.3f}")
    if "divergence" in r:
        out += ["", "divergence", head(12), _row("divergence", r["divergence"], 12)]
    if "objections" in r:
        o = r["objections"]
        out += ["", "objection-resolution-outcome triples", head(12), _row("exact", o["exact"], 12),
                _row("partial", o["partial"], 12)]
    if "personas" in r and r["personas"]["n"]:
        p = r["personas"]
        out += ["", f"personas: accuracy {p['accuracy']:.3f} over {p['n']} stakeholder-calls"]
        labels = sorted({g for row in p["confusion"].values() for g in row} | set(p["confusion"]))
        w = max(len(x) for x in labels)
        out.append("  " + " " * w + "  " + " ".join(f"{x[:10]:>10}" for x in labels) + "   <- predicted")
        for t, row in p["confusion"].items():
            out.append(f"  {t:<{w}}  " + " ".join(f"{row.get(x, 0):>10}" for x in labels))
    if "deal_outcome" in r and r["deal_outcome"]["accounts"]:
        d = r["deal_outcome"]
        out += ["", f"deal outcome: accuracy {d['accuracy']:.3f} over {d['accounts']} accounts"]
        out += [f"  {a}: truth {v['truth']}, predicted {v['predicted'] or '(none)'}" for a, v in d["wrong"].items()]
    if r.get("fields"):
        out += ["", "fields"]
        for name, f in r["fields"].items():
            acc = "-" if f["accuracy"] is None else f"{f['accuracy']:.3f}"
            mae = f", mean abs error {f['mean_abs_error']:.3f}" if "mean_abs_error" in f else ""
            out.append(f"  {name}: accuracy {acc} over {f['n']} calls ({f['missing']} not predicted){mae}")
    if r["worst_calls"]:
        out += ["", "worst calls"]
        for w in r["worst_calls"]:
            out.append(f"  {w['call_id']}: {w['errors']} errors")
            for m in w["misses"][:5]:
                said = m["quote"] or w["context"].get(str(m["turn"]), "")
                out.append(f"    missed {m['category']} (turn {m['turn']}, {m['speaker']}): {said[:90]!r}")
            for e in w["false_positives"][:5]:
                line = w["context"].get(str(e["turns"][0]), "") if e["turns"][0] is not None else ""
                where = "unplaced" if e["turns"][0] is None else f"turn {e['turns'][0]}"
                out.append(f"    false {e['category']} ({where}, {e['speaker']}): {line[:90]!r}")
    return "\n".join(out) + "\n"


def as_json(r: dict[str, Any]) -> str:
    return json.dumps(r, indent=2, ensure_ascii=False) + "\n"


def as_html(r: dict[str, Any], by: str) -> str:
    e = html.escape
    rows = []
    if "signals" in r:
        for k, m in list(r["signals"]["by"][by].items()) + [("all (micro)", r["signals"]["micro"])]:
            rows.append((k, m))
    if "divergence" in r:
        rows.append(("divergence", r["divergence"]))
    body = "".join(f"<tr><td>{e(k)}</td><td>{m['tp']}</td><td>{m['fp']}</td><td>{m['fn']}</td>"
                   f"<td>{m['precision']:.3f}</td><td>{m['recall']:.3f}</td><td>{m['f1']:.3f}</td>"
                   f"<td>{e(_ci(m.get('ci95')).strip())}</td></tr>" for k, m in rows)
    rest = e(text(r, by))
    return ("<!doctype html><meta charset=utf-8><title>corpusc score</title>"
            "<style>body{font:14px system-ui;margin:2em}td,th{padding:2px 8px;text-align:right}"
            "td:first-child{text-align:left}pre{background:#f6f6f6;padding:1em}</style>"
            f"<h1>corpusc score</h1><p>{e(r['corpus'])}: {r['calls']} calls, {r['predicted_calls']} predicted</p>"
            f"<table><tr><th></th><th>tp</th><th>fp</th><th>fn</th><th>precision</th><th>recall</th><th>F1</th>"
            f"<th>95% CI</th></tr>{body}</table><h2>Full report</h2><pre>{rest}</pre>\n")


def github(r: dict[str, Any], worst: int = 3) -> str:
    """The text report, then a workflow annotation for each of the `worst`
    categories below F1 1.0 (bars not met are E1108 errors, printed apart)."""
    rows = []
    if "signals" in r:
        rows += [(m["f1"], k, m) for k, m in r["signals"]["by"]["category"].items() if m["tp"] + m["fn"]]
    if "divergence" in r:
        rows.append((r["divergence"]["f1"], "divergence", r["divergence"]))
    notes = [f"::warning title=corpusc score: {k}::{k} F1 {f:.3f} (precision {m['precision']:.3f}, "
             f"recall {m['recall']:.3f}; tp {m['tp']}, fp {m['fp']}, fn {m['fn']})"
             for f, k, m in sorted(rows)[:worst] if f < 1.0]
    return text(r, "category") + "".join(n + "\n" for n in notes)
