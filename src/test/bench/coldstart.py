#!/usr/bin/env python3
"""Launches a command N times and measures the time from launch to the first 200 of a URL.

Usage: coldstart.py [--logs DIR] RUNS URL -- COMMAND...
Prints one JSON object: the times in milliseconds and the RSS (KiB) after the first 200.
With --logs, each launch's output goes to DIR/launch-N.log, and DIR/launch-N.json holds the wall
clock time of its launch (epoch seconds) and its time to the first 200, so that the log's own
timestamps can be placed on the same clock (profile.sh's breakdown).
Every launch is stopped with SIGTERM before the next; the port must be free again each time.
"""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request


def first_ok(url, deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return response.read()
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.002)
    raise SystemExit(f"no 200 from {url} within the deadline")


def stop(process):
    """SIGTERM, as Kubernetes stops a pod, then a pause so that the port is free for the next launch."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    time.sleep(0.3)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def main():
    args = sys.argv[1:]
    logs = None
    if args[0] == "--logs":
        logs, args = args[1], args[2:]
    runs, url = int(args[0]), args[1]
    command = args[args.index("--") + 1:]
    times, rss, bodies = [], [], []
    for n in range(1, runs + 1):
        output = open(f"{logs}/launch-{n}.log", "wb") if logs else subprocess.DEVNULL
        launched_at = time.time()
        start = time.monotonic()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            bodies.append(first_ok(url, start + 60).decode())
            times.append((time.monotonic() - start) * 1000)
            if logs:
                with open(f"{logs}/launch-{n}.json", "w") as launch:
                    json.dump({"launched_at": launched_at, "first_200_ms": times[-1]}, launch)
            # For a container this is podman's RSS, not the JVM's; the script reports it as such.
            rss.append(rss_kib(process.pid))
        finally:
            stop(process)
            if logs:
                output.close()
    print(json.dumps({"ms": times, "rss_kib": rss, "last_body": bodies[-1]}))


if __name__ == "__main__":
    main()
