#!/usr/bin/env python3
"""Cold starts of several commands, interleaved: round after round, each command launched once per
round, the order rotated every round so that none always goes first. Each launch is timed from
launch to the first 200 of its URL, then stopped with SIGTERM before the next.

Usage: coldstart_interleaved.py SPEC.jsonl ROUNDS [BURST] > OUT.json
SPEC holds one variant per line, {"name", "cwd", "url", "command": [...]} (spec_entry and
jar_spec_entry in src/test/shell/common.sh write them). Prints one JSON object: for each name,
its times in milliseconds ("ms") and RSS in KiB after the first 200 ("rss_kib"), in launch order.
With BURST, each launch then answers BURST more requests of its URL at concurrency 50 (hey), and
"burst_ms" holds how long they took: what a start-up setting costs the requests that follow the
first. A burst with any answer but 200 stops the run.
Interleaving is what makes the figures comparable: this machine's speed drifts within minutes,
and a drift then shifts every command alike instead of whichever ran in that minute.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coldstart import first_ok, rss_kib, stop  # noqa: E402


def burst(url, requests):
    """Milliseconds that hey takes for REQUESTS requests at concurrency 50, all of which must be 200s."""
    out = subprocess.run(["hey", "-n", str(requests), "-c", "50", url], capture_output=True, text=True,
                         check=True).stdout
    statuses = re.findall(r"\[(\d+)\]\s+(\d+) responses", out)
    if statuses != [("200", str(requests))]:
        sys.exit(f"{url}: answers by status {statuses} in a burst of {requests}")
    return float(re.search(r"Total:\s+([\d.]+) secs", out).group(1)) * 1000


def launch(variant, requests):
    start = time.monotonic()
    process = subprocess.Popen(variant["command"], cwd=variant["cwd"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        first_ok(variant["url"], start + 60)
        elapsed = (time.monotonic() - start) * 1000
        rss = rss_kib(process.pid)
        return elapsed, rss, burst(variant["url"], requests) if requests else None
    finally:
        stop(process)


def main():
    spec = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    rounds = int(sys.argv[2])
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    figures = {v["name"]: {"ms": [], "rss_kib": []} | ({"burst_ms": []} if requests else {}) for v in spec}
    for r in range(rounds):
        for i in range(len(spec)):
            variant = spec[(r + i) % len(spec)]
            ms, rss, burst_ms = launch(variant, requests)
            figures[variant["name"]]["ms"].append(ms)
            figures[variant["name"]]["rss_kib"].append(rss)
            if requests:
                figures[variant["name"]]["burst_ms"].append(burst_ms)
        print(f"round {r + 1}/{rounds}: " + ", ".join(f"{n} {f['ms'][-1]:.0f} ms" for n, f in figures.items()),
              file=sys.stderr)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
