#!/usr/bin/env python3
"""Cold starts of several commands, interleaved: round after round, each command launched once per
round, the order rotated every round so that none always goes first. Each launch is timed from
launch to the first 200 of its URL, then stopped with SIGTERM before the next.

Usage: coldstart_interleaved.py SPEC.json ROUNDS > OUT.json
SPEC is a list of {"name", "cwd", "url", "command": [...]}. Prints one JSON object: for each name,
its times in milliseconds ("ms") and RSS in KiB after the first 200 ("rss_kib"), in launch order.
Interleaving is what makes the figures comparable: this machine's speed drifts within minutes,
and a drift then shifts every command alike instead of whichever ran in that minute.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from coldstart import first_ok, rss_kib, stop  # noqa: E402


def launch(variant):
    start = time.monotonic()
    process = subprocess.Popen(variant["command"], cwd=variant["cwd"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        first_ok(variant["url"], start + 60)
        elapsed = (time.monotonic() - start) * 1000
        return elapsed, rss_kib(process.pid)
    finally:
        stop(process)


def main():
    spec, rounds = json.load(open(sys.argv[1])), int(sys.argv[2])
    figures = {v["name"]: {"ms": [], "rss_kib": []} for v in spec}
    for r in range(rounds):
        for i in range(len(spec)):
            variant = spec[(r + i) % len(spec)]
            ms, rss = launch(variant)
            figures[variant["name"]]["ms"].append(ms)
            figures[variant["name"]]["rss_kib"].append(rss)
        print(f"round {r + 1}/{rounds}: " + ", ".join(f"{n} {f['ms'][-1]:.0f} ms" for n, f in figures.items()),
              file=sys.stderr)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
