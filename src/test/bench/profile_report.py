#!/usr/bin/env python3
"""The start-up breakdown from what profile.sh recorded, as Markdown tables.

Usage: profile_report.py LAUNCHES_DIR COLLAPSED EVENT [PEER_JSON]
1. Wall clock, median (min-max) of the launches: each launch-N.log (-Xlog:startuptime and the
   JSON log) placed on the clock of its launch-N.json (launch time, first 200).
2. Where the CPU went in the profiled launch (EVENT samples, 1 ms each), by thread.
3. The main thread's part by Quarkus start-up step: the generated io.quarkus.deployment.steps
   class a sample is under, named for the build step (and so the extension) that recorded it.
4. The floor with no compiler competing: JVM creation, the main thread's CPU and the first
   request; against the peer's cold starts (coldstart.py's JSON), when given.
"""
import os
import datetime
import glob
import json
import re
import statistics
import sys

launches_dir, collapsed, event = sys.argv[1:4]
peer_json = sys.argv[4] if len(sys.argv) > 4 and os.path.exists(sys.argv[4]) else None


def phases(log_path, launch):
    text = open(log_path, encoding="utf-8", errors="replace").read()
    create_vm = float(re.search(r"^\[([\d.]+)s\]\[info\]\[startuptime\] Create VM", text, re.M).group(1)) * 1000
    started = next(json.loads(line) for line in text.splitlines()
                   if line.startswith("{") and "started in" in line)
    started_in = float(re.search(r"started in ([\d.]+)s", started["message"]).group(1)) * 1000
    # Nanosecond timestamps: datetime keeps microseconds.
    stamp = re.sub(r"(\.\d{6})\d*Z$", r"\1+00:00", started["timestamp"])
    started_at = (datetime.datetime.fromisoformat(stamp).timestamp() - launch["launched_at"]) * 1000
    first = launch["first_200_ms"]
    return {"vm": create_vm, "launcher": started_at - started_in - create_vm, "boot": started_in,
            "first_request": first - started_at, "total": first}


PHASES = {
    "vm": "launch to JVM created (`Create VM`: maps the AOT cache, loads the classes it links)",
    "launcher": "JVM created to Quarkus' boot (launcher, main class)",
    "boot": "Quarkus' boot (its own `started in`: static init, runtime config, recorders, HTTP listening)",
    # The socket opens before Quarkus logs "started", so a first answer can precede the line.
    "first_request": "first request (the `started` line to the first 200 of `/greeting`: Redis connection, first call)",
    "total": "**launch to the first 200**",
}
rows = [phases(path[:-5] + ".log", json.load(open(path)))
        for path in sorted(glob.glob(f"{launches_dir}/launch-*.json"))]
medians = {phase: statistics.median(r[phase] for r in rows) for phase in PHASES}
print(f"Wall clock, {len(rows)} cold starts with the AOT cache, median (min to max), ms:\n")
print("| phase | ms | min to max |")
print("|---|---|---|")
for phase, label in PHASES.items():
    values = [r[phase] for r in rows]
    print(f"| {label} | {medians[phase]:.0f} | {min(values):.0f} to {max(values):.0f} |")

stacks = []
for line in open(collapsed):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    stacks.append((stack.split(";"), int(count)))
total = sum(n for _, n in stacks)


def thread_group(thread):
    name = thread.strip("[]")
    for prefix, group in (("C2 Compiler", "JIT: C2 compiler"), ("C1 Compiler", "JIT: C1 compiler"),
                          ("Training replay", "JIT: AOT training replay (queues the trained methods' compiles)"),
                          ("main", "main: Quarkus boot"), ("vert.x-eventloop", "Vert.x event loops: HTTP, Redis"),
                          ("executor-thread", "worker: Funqy's call"), ("pre-init", "Quarkus pre-init threads"),
                          ("VM Thread", "JVM: VM thread (safepoints, GC)")):
        if name.startswith(prefix):
            return group
    return "other threads"


def table(title, counts):
    """counts in the order given, largest first; a share is of all the profile's samples."""
    print(f"\n{title}\n")
    print("| part | ms | share of all samples |")
    print("|---|---|---|")
    for key, n in counts.items():
        print(f"| {key} | {n} | {100 * n / total:.0f}% |")
    print(f"| all | {sum(counts.values())} | {100 * sum(counts.values()) / total:.0f}% |")


by_thread = {}
for frames, n in stacks:
    group = thread_group(frames[0])
    by_thread[group] = by_thread.get(group, 0) + n
table(f"The profiled cold start, {event} samples of 1 ms ({total} in all), by thread:",
      dict(sorted(by_thread.items(), key=lambda kv: -kv[1])))

STEP = re.compile(r"io[/.]quarkus[/.](?:deployment[/.]steps|runner[/.]recorded)[/.](\w+?)\$(\w+?)\d*\.deploy")
by_step = {}
for frames, n in stacks:
    if not frames[0].startswith("[main"):
        continue
    step = next((m for m in map(STEP.search, frames) if m), None)
    if step:
        key = f"step {step.group(1)}.{step.group(2)}"
    elif any("SmallRyeConfigBuilder.build" in f or "Config.runtimeConfig" in f for f in frames):
        key = "runtime config (SmallRye Config), outside the steps"
    elif any("ApplicationImpl.<clinit>" in f for f in frames):
        key = "static init, outside the steps"
    elif any("ApplicationImpl.doStart" in f for f in frames):
        key = "runtime init, outside the steps"
    elif any("QuarkusEntryPoint" in f or "LauncherHelper" in f for f in frames):
        key = "launcher and main class"
    else:
        key = "JVM on the main thread (class loading, init)"
    by_step[key] = by_step.get(key, 0) + n
top = dict(sorted(by_step.items(), key=lambda kv: -kv[1])[:15])
rest = sum(by_step.values()) - sum(top.values())
if rest:
    top["the other steps and parts, together"] = rest
table("The main thread, by Quarkus start-up step (the build step that recorded it) or part:", top)

main_cpu = sum(by_step.values())
first_request = max(medians["first_request"], 0)
floor = medians["vm"] + main_cpu + first_request
print(f"\nThe floor, were the main thread alone on a core: JVM creation {medians['vm']:.0f} ms + the main "
      f"thread's CPU {main_cpu} ms + the first request {first_request:.0f} ms = {floor:.0f} ms, "
      f"against {medians['total']:.0f} ms measured.")
if peer_json:
    peer_ms = json.load(open(peer_json))["ms"]
    peer = statistics.median(peer_ms)
    print(f"The peer in the same run: {peer:.0f} ms (median of {len(peer_ms)}); "
          f"ours measured {medians['total'] / peer:.2f}x, the floor {floor / peer:.2f}x, the target 2x = {2 * peer:.0f} ms.")
