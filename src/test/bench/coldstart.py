#!/usr/bin/env python3
"""Launches a command N times and measures the time from launch to the first 200 of a URL.

Usage: coldstart.py RUNS URL -- COMMAND...
Prints one JSON object: the times in milliseconds and the RSS (KiB) after the first 200.
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


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def main():
    runs, url = int(sys.argv[1]), sys.argv[2]
    command = sys.argv[sys.argv.index("--") + 1:]
    times, rss, bodies = [], [], []
    for _ in range(runs):
        start = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            bodies.append(first_ok(url, start + 60).decode())
            times.append((time.monotonic() - start) * 1000)
            # For a container this is podman's RSS, not the JVM's; the script reports it as such.
            rss.append(rss_kib(process.pid))
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        time.sleep(0.3)
    print(json.dumps({"ms": times, "rss_kib": rss, "last_body": bodies[-1]}))


if __name__ == "__main__":
    main()
