"""`delivery_report.json` (written atomically) and the closing summary: what
was sent, retried and failed and why, latency percentiles, achieved rate."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

from corpusc.plan.atomic import write_text

from corpusc.deliver.send import Stats

REPORT = "delivery_report.json"


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    k = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[k - 1]


def achieved_rps(stats: Stats) -> float | None:
    """Requests per second between the first and the last request sent: the
    rate the --rps cap governs (not diluted by the wait for the last answer)."""
    if stats.requests < 2 or stats.first_send is None or stats.last_send is None:
        return None
    span = stats.last_send - stats.first_send
    return (stats.requests - 1) / span if span > 0 else None


def build(*, kind: str, url: str, settings: dict[str, Any], stats: Stats, total: int, already: int,
          not_attempted: int, warnings: list[str], started_at: float) -> dict[str, Any]:
    lat = sorted(stats.latencies_ms)
    rnd = (lambda x: None if x is None else round(x, 2))
    failed = len(stats.failures)
    return {
        "kind": kind,
        "url": url,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started_at)),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "elapsed_sec": round((stats.finished or stats.started) - stats.started, 3),
        "settings": settings,
        "payloads": total,
        "already_confirmed": already,
        "sent": stats.delivered,
        "failed": failed,
        "not_attempted": not_attempted,
        "confirmed": already + stats.delivered,
        "complete": already + stats.delivered == total,
        "requests": stats.requests,
        "retried": stats.retried,
        "status_counts": {str(k): v for k, v in sorted(stats.status_counts.items())},
        "errors": dict(sorted(stats.error_counts.items())),
        "latency_ms": {"p50": rnd(percentile(lat, 50)), "p95": rnd(percentile(lat, 95)),
                       "p99": rnd(percentile(lat, 99)), "max": rnd(lat[-1] if lat else None)},
        "achieved_rps": rnd(achieved_rps(stats)),
        "failures": [{"call_id": f.call_id, "idempotency_key": f.key, "code": f.code, "http_status": f.http_status,
                      "attempts": f.attempts, "reason": f.reason} for f in stats.failures],
        "warnings": warnings,
    }


def write(out: Path, doc: dict[str, Any]) -> Path:
    path = out / REPORT
    write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return path


def summary(doc: dict[str, Any]) -> str:
    def ms(x):
        return "-" if x is None else f"{x:.0f} ms" if x >= 10 else f"{x:.1f} ms"
    lat = doc["latency_ms"]
    rps = doc["achieved_rps"]
    limit = doc["settings"].get("rps")
    state = "delivered" if doc["complete"] else "incomplete"
    lines = [
        f"{state}: {doc['confirmed']}/{doc['payloads']} {doc['kind']} payloads confirmed at {doc['url']} "
        f"({doc['sent']} sent now, {doc['already_confirmed']} confirmed before, {doc['failed']} failed"
        + (f", {doc['not_attempted']} not attempted" if doc["not_attempted"] else "") + ")",
        f"  {doc['requests']} requests, {doc['retried']} retries in {doc['elapsed_sec']:.2f} s; "
        f"latency p50 {ms(lat['p50'])}, p95 {ms(lat['p95'])}, p99 {ms(lat['p99'])}; "
        f"achieved {'-' if rps is None else f'{rps:.2f}'} requests/s"
        + (f" (limit {limit:g})" if limit else " (no limit)"),
    ]
    return "\n".join(lines)
