#!/usr/bin/env python3
"""Turns the files benchmark.sh wrote into target/bench/results.md and coldstart.svg.

Usage: report.py OUT_DIR REDIS_BEFORE REDIS_AFTER RSS_FIRST_KIB RSS_LOAD_KIB CONCURRENCY
With the peer's files (coldstart-peer.json, wrk-peer-N.txt, peer-rss-load.txt) it adds the peer's
column and the ratios, ours / peer, against the targets.
Exits 1 when the counter check fails: Redis must have risen by exactly the number of 200s.
"""
import datetime
import json
import os
import platform
import re
import statistics
import sys

import wrk_report

out, before, after, rss_first, rss_load, concurrency = sys.argv[1:7]
modes = [m for m in ("fast-jar", "aot-cache", "peer", "container", "container-aot") if os.path.exists(f"{out}/coldstart-{m}.json")]
cold = {m: json.load(open(f"{out}/coldstart-{m}.json")) for m in modes}


def read(name):
    return open(os.path.join(out, name)).read()


def wrk_rounds(name):
    """The figures of each round, wrk-NAME-1.txt, wrk-NAME-2.txt, ..."""
    rounds, n = [], 1
    while os.path.exists(f"{out}/wrk-{name}-{n}.txt"):
        rounds.append(wrk_report.figures(read(f"wrk-{name}-{n}.txt")))
        n += 1
    return rounds


def load_summary(rounds):
    return {"rounds": len(rounds), "rps": statistics.median(r["rps"] for r in rounds),
            "p50": statistics.median(r["p50"] for r in rounds), "p99": statistics.median(r["p99"] for r in rounds),
            "p99_max": max(r["p99"] for r in rounds), "requests": sum(r["requests"] for r in rounds),
            "non2xx": sum(r["non2xx"] for r in rounds), "sockets": sum(r["sockets"] for r in rounds)}


ours = load_summary(wrk_rounds("ours"))
peer_rounds = wrk_rounds("peer")
peer = load_summary(peer_rounds) if peer_rounds else None
hey = read("hey-count.txt")
ok = int((re.search(r"\[200\]\s+(\d+) responses", hey) or [0, 0])[1])
counted = int(after) - int(before)
redis_bench = read("redis-benchmark.txt")
incr = re.search(r"INCR: ([\d.]+) requests per second", redis_bench)

lines = [
    f"Measured {datetime.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
    f"{platform.system()} {platform.release()}; load generator and Redis on the same machine.",
    "",
    "| start-up mode | launches | median to first 200 (ms) | min | max | RSS after first request (MiB) |",
    "|---|---|---|---|---|---|",
]
for m in modes:
    ms = cold[m]["ms"]
    rss = [r for r in cold[m]["rss_kib"] if r]
    rss_text = f"{statistics.median(rss) / 1024:.0f}" if not m.startswith("container") else "(podman's, not the JVM's)"
    lines.append(f"| {m} | {len(ms)} | {statistics.median(ms):.0f} | {min(ms):.0f} | {max(ms):.0f} | {rss_text} |")


def load_row(label, fn):
    return f"| {label} | {fn(ours)} |" + (f" {fn(peer)} |" if peer else "")


lines += [
    "",
    f"| load (wrk, concurrency {concurrency}, {ours['rounds']} rounds of 10 s, medians) | ours, AOT-started |" + (" peer |" if peer else ""),
    "|---|---|" + ("---|" if peer else ""),
    load_row("requests/s", lambda x: f"{x['rps']:,.0f}"),
    load_row("p50 latency", lambda x: f"{x['p50']:.2f} ms"),
    load_row("p99 latency (worst round)", lambda x: f"{x['p99']:.2f} ms ({x['p99_max']:.2f} ms)"),
    load_row("responses", lambda x: f"{x['requests']:,} ({x['non2xx']} non-2xx, {x['sockets']} socket errors)"),
    f"| RSS after the first request / after the load | {int(rss_first) / 1024:.0f} MiB / {int(rss_load) / 1024:.0f} MiB |"
    + (f" {statistics.median(r for r in cold['peer']['rss_kib'] if r) / 1024:.0f} MiB / {int(read('peer-rss-load.txt')) / 1024:.0f} MiB |" if peer else ""),
    f"| Redis ceiling: redis-benchmark -t incr -c {concurrency} | {float(incr.group(1)):,.0f} INCR/s |" if incr else "| Redis ceiling | not measured |",
    f"| counter check (hey, 20,000 requests): Redis rose by | {counted:,} for {ok:,} responses 200 |",
]
if peer:
    cold_ratio = statistics.median(cold["aot-cache"]["ms"]) / statistics.median(cold["peer"]["ms"])
    rps_ratio = ours["rps"] / peer["rps"]
    errors = ours["non2xx"] + ours["sockets"]
    lines += [
        "",
        "| against the peer, same run | ours / peer | target | met |",
        "|---|---|---|---|",
        f"| cold start to first 200, aot-cache vs peer, medians | {cold_ratio:.2f}x | at most 2x | {'yes' if cold_ratio <= 2 else 'no'} |",
        f"| throughput, medians of the rounds | {rps_ratio:.2f}x | at least 5x | {'yes' if rps_ratio >= 5 else 'no'} |",
        f"| our p99, median of the rounds | {ours['p99']:.2f} ms | at most 10 ms | {'yes' if ours['p99'] <= 10 else 'no'} |",
        f"| our errors under load | {errors} | 0 | {'yes' if errors == 0 else 'no'} |",
        f"| our RSS after load | {int(rss_load) / 1024:.0f} MiB | within 256 MiB | {'yes' if int(rss_load) <= 256 * 1024 else 'no'} |",
    ]
if os.path.exists(f"{out}/coldstart-floor.json"):
    floor = json.load(open(f"{out}/coldstart-floor.json"))
    med = {name: statistics.median(f["ms"]) for name, f in floor.items()}
    spread = abs(med["ours"] / med["ours-copy"] - 1)
    lines += [
        "",
        f"| the framework floor, interleaved rounds, each trained on the same greetings | launches | median to first 200 (ms) | min | max |",
        "|---|---|---|---|---|",
    ] + [f"| {name} | {len(f['ms'])} | {med[name]:.0f} | {min(f['ms']):.0f} | {max(f['ms']):.0f} |" for name, f in floor.items()] + [
        "",
        "| same run | ratio | target |",
        "|---|---|---|",
        f"| ours / floor | {med['ours'] / med['floor']:.2f}x | at most 1.10x |",
        f"| spread, \\|ours / ours' copy - 1\\| | {spread:.1%} | below 5% (else more rounds: FLOOR_ROUNDS) |",
    ]
    if "peer" in med:
        lines.append(f"| ours / peer | {med['ours'] / med['peer']:.2f}x | |")
table = "\n".join(lines) + "\n"
open(f"{out}/results.md", "w").write(table)
print(table)

# The chart: median bar with a min-max whisker per start-up mode.
bar, gap, top = 90, 50, 40
width = 100 + len(modes) * (bar + gap)
scale_max = max(max(c["ms"]) for c in cold.values()) * 1.15
height = 300
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 70}" font-family="sans-serif" font-size="13">',
       f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">Cold start to first 200 of /greeting (ms)</text>',
       f'<line x1="50" y1="{top + height - 40}" x2="{width - 20}" y2="{top + height - 40}" stroke="#333"/>']
for i, m in enumerate(modes):
    ms = cold[m]["ms"]
    x = 80 + i * (bar + gap)
    y = lambda v: top + (height - 40) * (1 - v / scale_max)
    med = statistics.median(ms)
    svg.append(f'<rect x="{x}" y="{y(med):.1f}" width="{bar}" height="{top + height - 40 - y(med):.1f}" fill="#4477aa"/>')
    svg.append(f'<line x1="{x + bar / 2}" y1="{y(max(ms)):.1f}" x2="{x + bar / 2}" y2="{y(min(ms)):.1f}" stroke="#222" stroke-width="2"/>')
    svg.append(f'<text x="{x + bar / 2}" y="{y(med) - 6:.1f}" text-anchor="middle">{med:.0f}</text>')
    svg.append(f'<text x="{x + bar / 2}" y="{top + height - 20}" text-anchor="middle">{m}</text>')
svg.append(f'<text x="{width / 2}" y="{top + height + 10}" text-anchor="middle" font-size="11">median bars, min-max whiskers, '
           f'{len(next(iter(cold.values()))["ms"])} launches each, {datetime.date.today().isoformat()}</text>')
svg.append("</svg>")
open(f"{out}/coldstart.svg", "w").write("\n".join(svg) + "\n")

if counted != ok:
    print(f"COUNTER CHECK FAILED: Redis rose by {counted}, but {ok} responses were 200", file=sys.stderr)
    sys.exit(1)
print("counter check passed")
