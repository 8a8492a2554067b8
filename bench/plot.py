#!/usr/bin/env python3
"""Render wasock benchmark results as a self-contained SVG bar chart.

Usage: python3 bench/plot.py RESULTS_JSON OUT_SVG

RESULTS_JSON looks like:

    {"machine": "text",
     "variants": ["native Rust", "CPython", "wasock sync", ...],
     "rows": [{"workload": "ping-pong 1 B", "unit": "µs/round trip",
               "lower_is_better": true,
               "medians": {"native Rust": 12.3, "CPython": 20.1, ...}}, ...]}

Every bar is a variant's cost relative to "native Rust", oriented so that a
ratio above 1 always means slower: value/native for lower-is-better rows,
native/value for higher-is-better rows. Bars are capped at 5x (the label keeps
the true ratio); missing (null) medians get no bar and the label "n/a".
Stdlib only; the SVG is written by hand.
"""

import html
import json
import math
import re
import sys

BASELINE = "native Rust"
CAP = 5.0
TITLE = "wasock benchmarks: cost relative to native Rust (lower is better)"

# Okabe-Ito colour-blind-safe palette; the baseline gets the neutral grey.
BASELINE_COLOUR = "#5f5f5f"
PALETTE = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9",
           "#D55E00", "#F0E442", "#000000"]

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
WIDTH = 900
MARGIN_L = 24          # outer left margin
LABEL_W = 190          # column for workload names
PLOT_X0 = MARGIN_L + LABEL_W   # x of ratio 0
PLOT_W = 520           # width of 0..CAP
PLOT_X1 = PLOT_X0 + PLOT_W
BAR_H = 14
BAR_GAP = 4
GROUP_PAD = 12

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(text):
    """Escape arbitrary text for use in XML content or attribute values."""
    return html.escape(_INVALID_XML.sub("", str(text)), quote=True)


def num(v):
    """A finite float, or None."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def ratio(value, native, lower_is_better):
    value, native = num(value), num(native)
    if value is None or native is None or value <= 0 or native <= 0:
        return None
    r = value / native if lower_is_better else native / value
    return r if math.isfinite(r) else None


def fmt_ratio(r):
    if r < 10:
        return "%.2fx" % r
    if r < 100:
        return "%.1fx" % r
    return "%.0fx" % r


def fmt_value(v):
    a = abs(v)
    if a >= 1000:
        return "{:,.0f}".format(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 0.01 or a == 0:
        return "%.2f" % v
    return "%.3g" % v


def xr(r):
    """x coordinate of a ratio on the (capped) axis."""
    return PLOT_X0 + PLOT_W * min(r, CAP) / CAP


def wrap(text, width):
    words, lines, cur = str(text).split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = (cur + " " + w) if cur else w
    if cur:
        lines.append(cur)
    return lines


def text_w(s, size):
    """Rough rendered width of s in px (average glyph ~0.6 em)."""
    return len(s) * size * 0.6


def render(data):
    variants = [str(v) for v in data.get("variants") or []]
    rows = data.get("rows") or []
    machine = data.get("machine") or ""

    colours, k = {}, 0
    for v in variants:
        if v == BASELINE:
            colours[v] = BASELINE_COLOUR
        else:
            colours[v] = PALETTE[k % len(PALETTE)]
            k += 1

    out = []
    add = out.append
    y = 34

    # Title and subtitle.
    body = []
    b = body.append
    b('<text x="%d" y="%d" class="title">%s</text>' % (MARGIN_L, y, esc(TITLE)))
    y += 22
    for line in wrap(machine, 125)[:4] or [""]:
        b('<text x="%d" y="%d" class="sub">%s</text>' % (MARGIN_L, y, esc(line)))
        y += 16
    y += 10

    # Legend, wrapped to the available width.
    lx = MARGIN_L
    for v in variants:
        w = 14 + 6 + text_w(v, 12) + 22
        if lx + w > WIDTH - MARGIN_L and lx > MARGIN_L:
            lx = MARGIN_L
            y += 20
        b('<rect x="%d" y="%d" width="14" height="14" rx="2" fill="%s"/>'
          % (lx, y - 11, colours[v]))
        b('<text x="%d" y="%d" class="legend">%s</text>' % (lx + 20, y, esc(v)))
        lx += int(w)
    y += 22

    # Axis header (tick labels above the plot).
    plot_top = y + 8
    y = plot_top

    # Row groups.
    n = max(len(variants), 1)
    group_h = n * BAR_H + (n - 1) * BAR_GAP + 2 * GROUP_PAD
    groups, bgs = [], []
    g = groups.append
    for i, row in enumerate(rows):
        gy = y + i * group_h
        if i % 2 == 0:
            bgs.append('<rect x="%d" y="%d" width="%d" height="%d" fill="#f4f5f7"/>'
              % (MARGIN_L - 8, gy, WIDTH - 2 * MARGIN_L + 16, group_h))
        name = str(row.get("workload", ""))
        unit = str(row.get("unit", ""))
        lib = row.get("lower_is_better", True)
        lib = True if lib is None else bool(lib)
        medians = row.get("medians") or {}
        native = medians.get(BASELINE)

        cy = gy + group_h / 2
        name_lines = wrap(name, 21) or [""]
        if len(name_lines) > 3:
            name_lines = name_lines[:3]
            name_lines[2] = name_lines[2][:20] + "\u2026"
        name_lines = [ln if len(ln) <= 22 else ln[:21] + "\u2026"
                      for ln in name_lines]
        unit_line = (unit + (", lower is better" if lib else ", higher is better")
                     if unit else ("lower is better" if lib else "higher is better"))
        unit_lines = wrap(unit_line, 30)[:2]
        total = len(name_lines) * 16 + len(unit_lines) * 14
        ty = cy - total / 2 + 12
        for line in name_lines:
            g('<text x="%d" y="%.1f" class="wl">%s</text>' % (MARGIN_L, ty, esc(line)))
            ty += 16
        for line in unit_lines:
            g('<text x="%d" y="%.1f" class="unit">%s</text>' % (MARGIN_L, ty, esc(line)))
            ty += 14

        for j, v in enumerate(variants):
            by = gy + GROUP_PAD + j * (BAR_H + BAR_GAP)
            ly = by + BAR_H - 3
            val = num(medians.get(v))
            r = ratio(val, native, lib)
            if r is None:
                g('<rect x="%d" y="%d" width="6" height="%d" fill="%s" '
                  'fill-opacity="0.5"><title>%s</title></rect>'
                  % (PLOT_X0, by + 2, BAR_H - 4, colours[v],
                     esc("%s / %s: n/a" % (name, v))))
                g('<text x="%d" y="%.1f" class="na">n/a</text>' % (PLOT_X0 + 10, ly))
                continue
            x1 = xr(r)
            w = max(x1 - PLOT_X0, 1.5)
            tip = "%s / %s: %s %s (%s vs native)" % (
                name, v, fmt_value(val), unit, fmt_ratio(r))
            g('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s">'
              '<title>%s</title></rect>'
              % (PLOT_X0, by, w, BAR_H, colours[v], esc(tip)))
            if r > CAP:
                # Break marker: two white slashes near the capped end.
                for dx in (14, 9):
                    g('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" '
                      'stroke="#fff" stroke-width="2"/>'
                      % (x1 - dx - 3, by + BAR_H, x1 - dx + 3, by))
            label = fmt_ratio(r) + (" \u25b8" if r > CAP else "")
            g('<text x="%.1f" y="%.1f" class="ratio">%s'
              '<tspan class="raw" dx="6">%s</tspan></text>'
              % (x1 + 5, ly, esc(label), esc(fmt_value(val))))
    y += group_h * len(rows)
    plot_bot = y

    # Grid, ticks and the 1.0x reference line.
    grid = []
    for t in range(0, int(CAP) + 1):
        x = xr(t)
        if t != 1:
            grid.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="grid"/>'
                        % (x, plot_top, x, plot_bot))
        lab = "%dx" % t if t < CAP else "\u2265%dx" % t
        for ty in (plot_top - 6, plot_bot + 16):
            grid.append('<text x="%.1f" y="%d" class="tick">%s</text>'
                        % (x, ty, esc(lab)))
    ref = ('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="ref"/>'
           % (xr(1), plot_top - 2, xr(1), plot_bot + 2))

    y = plot_bot + 40
    notes = ("Bars: time-like metrics as value / native, throughput as "
             "native / value, so >1x is always slower. Bars capped at %gx "
             "(label keeps the true ratio); grey number = raw median in the "
             "row's unit." % CAP)
    foot = []
    for line in wrap(notes, 130):
        foot.append('<text x="%d" y="%d" class="note">%s</text>'
                    % (MARGIN_L, y, esc(line)))
        y += 14
    height = y + 14

    add('<?xml version="1.0" encoding="UTF-8"?>')
    add('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        'viewBox="0 0 %d %d" font-family="%s">'
        % (WIDTH, height, WIDTH, height, esc(FONT)))
    add('<title>%s</title>' % esc(TITLE))
    add('<style>'
        '.title{font-size:18px;font-weight:bold;fill:#222}'
        '.sub{font-size:12px;fill:#666}'
        '.legend{font-size:12px;fill:#333}'
        '.wl{font-size:13px;font-weight:bold;fill:#222}'
        '.unit{font-size:11px;fill:#777}'
        '.ratio{font-size:11px;fill:#222;paint-order:stroke;stroke:#fff;'
        'stroke-width:3px;stroke-opacity:0.85;stroke-linejoin:round}'
        '.raw{font-size:10px;fill:#999}'
        '.na{font-size:11px;fill:#999;font-style:italic}'
        '.tick{font-size:11px;fill:#666;text-anchor:middle}'
        '.note{font-size:11px;fill:#777}'
        '.grid{stroke:#d9dce1;stroke-width:1}'
        '.ref{stroke:#c0392b;stroke-width:1.5;stroke-dasharray:5 3}'
        '</style>')
    add('<rect width="100%" height="100%" fill="#ffffff"/>')
    out.extend(body)
    out.extend(bgs)
    out.extend(grid)
    out.extend(groups)
    out.append(ref)
    out.extend(foot)
    add('</svg>')
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        print("usage: %s RESULTS_JSON OUT_SVG" % argv[0], file=sys.stderr)
        return 1
    with open(argv[1], encoding="utf-8") as f:
        data = json.load(f)
    svg = render(data)
    with open(argv[2], "w", encoding="utf-8") as f:
        f.write(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
