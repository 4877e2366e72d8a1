#!/usr/bin/env python3
"""Reads one `wrk --latency` report: the one parser of wrk's output for the scripts here.

As a script, `wrk_report.py FILE` prints "req/s p50_ms p99_ms non_2xx socket_errors" (common.sh's
wrk_figures); report.py imports figures().
"""
import re
import sys


def figures(text):
    """requests, rps, p50 and p99 (ms), non2xx and sockets (errors of every kind) of a report."""
    def ms(pct):
        value, unit = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % pct, text, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": ms(50), "p99": ms(99),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "sockets": sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text)),
    }


if __name__ == "__main__":
    f = figures(open(sys.argv[1]).read())
    print("%.0f %.2f %.2f %d %d" % (f["rps"], f["p50"], f["p99"], f["non2xx"], f["sockets"]))
