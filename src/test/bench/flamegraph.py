#!/usr/bin/env python3
"""Draws a flame graph (SVG) from collapsed stacks, as async-profiler writes them.

Usage: flamegraph.py COLLAPSED OUT.svg TITLE
One line per stack: frames from the root, separated by ';', then a space and the sample count.
Each frame is a box as wide as its share of the samples; hover a box for its name, samples and
share. Colours: threads grey, Java green, JVM and native C++ yellow, kernel orange.
"""
import html
import sys

WIDTH, ROW, FONT_PX, MIN_PX = 1200, 16, 11, 2.0


def tree(lines):
    root = {"n": 0, "kids": {}}
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        node = root
        node["n"] += int(count)
        for frame in stack.split(";"):
            node = node["kids"].setdefault(frame, {"n": 0, "kids": {}})
            node["n"] += int(count)
    return root


def colour(frame):
    if frame.startswith("["):
        return "#bbbbbb"
    if frame.endswith("_[k]"):
        return "#f0a050"
    if "/" in frame:  # async-profiler names Java classes with slashes: java/lang/Thread.run
        return "#7cc47c"
    return "#e8d44d"


def main():
    collapsed, out, title = sys.argv[1:4]
    root = tree(open(collapsed))
    total = root["n"] or 1
    boxes, depth_max = [], 0

    def walk(node, x, depth):
        nonlocal depth_max
        for frame, kid in sorted(node["kids"].items()):
            w = kid["n"] / total * (WIDTH - 20)
            if w >= MIN_PX:
                boxes.append((x, depth, w, frame, kid["n"]))
                depth_max = max(depth_max, depth)
                walk(kid, x, depth + 1)
            x += w

    walk(root, 10, 0)
    height = (depth_max + 1) * ROW + 60
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="monospace" font-size="{FONT_PX}">',
           f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-family="sans-serif">'
           f'{html.escape(title)} ({total} samples)</text>']
    for x, depth, w, frame, n in boxes:
        y = height - 20 - (depth + 1) * ROW
        name = html.escape(frame)
        svg.append(f'<g><title>{name}: {n} samples, {100 * n / total:.1f}%</title>'
                   f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW - 1}" fill="{colour(frame)}"/>')
        chars = int(w / (FONT_PX * 0.6)) - 1
        if chars >= 3:
            label = frame if len(frame) <= chars else frame[:chars - 2] + ".."
            svg.append(f'<text x="{x + 2:.1f}" y="{y + ROW - 4}">{html.escape(label)}</text>')
        svg.append('</g>')
    svg.append("</svg>")
    open(out, "w").write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
