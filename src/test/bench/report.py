#!/usr/bin/env python3
"""Turns the files benchmark.sh wrote into target/bench/results.md and coldstart.svg.

Usage: report.py OUT_DIR REDIS_BEFORE REDIS_AFTER RSS_FIRST_KIB RSS_LOAD_KIB CONCURRENCY
Exits 1 when the counter check fails: Redis must have risen by exactly the number of 200s.
"""
import datetime
import json
import os
import platform
import re
import statistics
import sys

out, before, after, rss_first, rss_load, concurrency = sys.argv[1:7]
modes = [m for m in ("fast-jar", "aot-cache", "container", "container-aot") if os.path.exists(f"{out}/coldstart-{m}.json")]
cold = {m: json.load(open(f"{out}/coldstart-{m}.json")) for m in modes}


def read(name):
    return open(os.path.join(out, name)).read()


wrk = read("wrk.txt")
requests = int(re.search(r"(\d+) requests in", wrk).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))


def latency(pct):
    value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", wrk).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", wrk) or [0, 0])[1])
socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", wrk))
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
lines += [
    "",
    f"| load (wrk, concurrency {concurrency}, 20 s, AOT-started) | value |",
    "|---|---|",
    f"| requests/s | {rps:,.0f} |",
    f"| p50 latency | {latency(50):.2f} ms |",
    f"| p99 latency | {latency(99):.2f} ms |",
    f"| responses | {requests:,} ({non2xx} non-2xx, {socket_errors} socket errors) |",
    f"| RSS after the first request / after the load | {int(rss_first) / 1024:.0f} MiB / {int(rss_load) / 1024:.0f} MiB |",
    f"| Redis ceiling: redis-benchmark -t incr -c {concurrency} | {float(incr.group(1)):,.0f} INCR/s |" if incr else "| Redis ceiling | not measured |",
    f"| counter check (hey, 20,000 requests): Redis rose by | {counted:,} for {ok:,} responses 200 |",
]
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
