#!/usr/bin/env python3
"""bench-report.py: fold the console logs of make bench into a table and a
plot. Each log is ROUND-TOPOLOGY-KERNEL.log and holds lines
"bench: NAME VALUE UNIT ..." (guest/bench.sh). Writes OUT/results.md,
OUT/results.csv (one row per value) and OUT/bench.png (tip/base ratios,
drawn by gnuplot)."""

import argparse
import collections
import os
import re
import statistics
import subprocess
import sys

LINE = re.compile(r"bench: (\w+) ([0-9.]+) (ns/op|bytes)\b")
LOG = re.compile(r"(\d+)-(\w+)-(base|tip)\.log$")

# Targets of the issue, measured and reported, never asserted.
FAST_PATH = ["pf1", "pf2", "order0", "order3"]


def parse(logdir):
    """{(workload, kernel): [values]} and {workload: unit}."""
    values = collections.defaultdict(list)
    units = {}
    for name in sorted(os.listdir(logdir)):
        m = LOG.match(name)
        if not m:
            continue
        _, topo, kernel = m.groups()
        with open(os.path.join(logdir, name), errors="replace") as f:
            for line in f:
                hit = LINE.search(line)
                if hit:
                    key = f"{topo}/{hit.group(1)}"
                    values[(key, kernel)].append(float(hit.group(2)))
                    units[key] = hit.group(3)
    return values, units


def fmt(v, unit="ns/op"):
    if unit == "bytes":
        return f"{v / (1 << 20):.1f} MiB" if v else "0"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.2f}"


def summary(vals):
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def cell(s, unit):
    if s is None:
        return "–"
    if s[1] == s[2]:
        return fmt(s[0], unit)
    return f"{fmt(s[0], unit)} ({fmt(s[1], unit)}–{fmt(s[2], unit)})"


def ratio(a, b):
    if a is None or b is None or b[0] == 0:
        return None
    return a[0] / b[0]


def target_rows(med):
    """(target, measured, verdict) for the issue's targets."""
    rows = []

    def check(what, value, limit, text):
        if value is None:
            rows.append((what, "not measured", ""))
            return
        verdict = "met" if value <= limit else \
            f"missed by {(value / limit - 1) * 100:.1f}%" if limit else "missed"
        rows.append((what, text.format(value), verdict))

    # Issue 15: no SPM node (flat) 1.003, SPM nodes online (one on spm,
    # eight on spm8) 1.005, whatever their number.
    for topo, limit in (("flat", 1.003), ("spm", 1.005), ("spm8", 1.005)):
        for w in FAST_PATH:
            key = f"{topo}/{w}"
            check(f"{key}: tip/base ≤ {limit}",
                  ratio(med.get((key, "tip")), med.get((key, "base"))),
                  limit, "{:.4f}")
    for topo in ("spm", "spm8"):
        spm, sysram = med.get((f"{topo}/node_spm", "tip")), \
            med.get((f"{topo}/node_sysram", "tip"))
        check(f"{topo}, tip, SPM node with __GFP_SPM_NODE / SysRAM node ≤ 1.005",
              ratio(spm, sysram), 1.005, "{:.4f}")
    # Issue 16: device-private pages cost what a PFN costs.
    for w in ("hmm_roundtrip", "hmm_to_dev", "hmm_fault_back"):
        check(f"flat/{w}: tip/base ≤ 1.01",
              ratio(med.get((f"flat/{w}", "tip")),
                    med.get((f"flat/{w}", "base"))), 1.01, "{:.4f}")
    check("tip, device_private_offset_to_page / pfn_to_page ≤ 1.5",
          ratio(med.get(("flat/dp_offset_to_page", "tip")),
                med.get(("flat/pfn_to_page", "tip"))), 1.5, "{:.2f}×")
    check("tip, dp_offset_to_page / the base's pfn_to_page ≤ 1.5",
          ratio(med.get(("flat/dp_offset_to_page", "tip")),
                med.get(("flat/pfn_to_page", "base"))), 1.5, "{:.2f}×")
    for n in (1000, 16000):
        check(f"tip, lookup with {n} pagemaps / with 1 ≤ 1.05",
              ratio(med.get((f"flat/dp_offset_to_page_{n}", "tip")),
                    med.get(("flat/dp_offset_to_page", "tip"))), 1.05,
              "{:.4f}")
    batch = med.get(("flat/dp_unmap_batch", "tip"))
    check("tip, removing 16000 pagemaps in a batch: seconds (≤ 10 s)",
          batch and batch[0] * 16000 / 1e9, 10, "{:.2f} s")
    single = med.get(("flat/dp_unmap_singly", "tip"))
    rows.append(("tip, removing 16000 pagemaps one at a time (for comparison)",
                 "not measured" if single is None else
                 f"{single[0] * 16000 / 1e9:.0f} s", ""))
    for key in ("flat/devpriv_phys_bytes_per_gib", "flat/hmm_phys_bytes"):
        v = med.get((key, "tip"))
        check(f"tip, {key}: 0 bytes", v and v[0], 0, "{:.0f} bytes")
    return rows


def boots_table(path):
    walls = collections.defaultdict(list)
    with open(path) as f:
        for line in f:
            _, topo, kernel, secs, _ = line.split()
            walls[(topo, kernel)].append(float(secs))
    lines = ["| boot | kernel | boots | wall time median (min–max) |",
             "| --- | --- | ---: | --- |"]
    for (topo, kernel), v in sorted(walls.items()):
        s = summary(v)
        lines.append(f"| {topo} | {kernel} | {len(v)} | "
                     f"{s[0]:.1f} s ({s[1]:.1f}–{s[2]:.1f}) |")
    return lines


def plot(out, workloads, med, values):
    data = os.path.join(out, "bench.dat")
    with open(data, "w") as f:
        for i, key in enumerate(workloads):
            b, t = med.get((key, "base")), med.get((key, "tip"))
            lo = min(values[(key, "tip")]) / max(values[(key, "base")])
            hi = max(values[(key, "tip")]) / min(values[(key, "base")])
            f.write(f"{i} {ratio(t, b):.5f} {lo:.5f} {hi:.5f} "
                    f"\"{key}\"\n")
    script = f"""
set terminal pngcairo size 1100,600 font ",10" noenhanced
set output "{os.path.join(out, 'bench.png')}"
set title "tip/base, guest time under -icount (median; bars: min/max of all pairs)"
set ylabel "tip / base"
set xtics rotate by -40
set grid ytics
set key off
set rmargin 10
set offsets 0.5, 0.5, 0, 0
plot "{data}" using 1:2:3:4:xtic(5) with yerrorbars lc rgb "#2050a0" pt 7, \\
     1 with lines lc rgb "red" dt 2
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.remove(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--logs", required=True)
    ap.add_argument("--boots", required=True)
    ap.add_argument("--icount", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    values, units = parse(args.logs)
    if not values:
        sys.exit(f"{sys.argv[0]}: no bench lines in {args.logs}")
    med = {k: summary(v) for k, v in values.items()}
    workloads = sorted(units)

    with open(os.path.join(args.out, "results.csv"), "w") as f:
        f.write("workload,unit,kernel,value\n")
        for (key, kernel), vals in sorted(values.items()):
            for v in vals:
                f.write(f"{key},{units[key]},{kernel},{v}\n")

    rounds = max(len(v) for v in values.values())
    md = ["# make bench results", "",
          f"{rounds} rounds; each round boots the base, then the tip, on "
          "each topology. Times are guest time: QEMU runs with "
          f"`-icount shift={args.icount},sleep=off`, so the guest clock "
          f"counts executed instructions ({1 << int(args.icount)} ns each) "
          "and does not follow the host's load; they compare code paths, "
          "not real hardware speed. Values: median (min–max) over the "
          "rounds; lower is better.", "",
          "| workload | unit | base | tip | tip/base |",
          "| --- | --- | --- | --- | ---: |"]
    timed = []
    for key in workloads:
        b, t = med.get((key, "base")), med.get((key, "tip"))
        r = ratio(t, b)
        md.append(f"| {key} | {units[key]} | {cell(b, units[key])} | {cell(t, units[key])} | "
                  f"{'–' if r is None else f'{r:.4f}'} |")
        if r is not None and units[key] == "ns/op":
            timed.append(key)
    md += ["", "## Targets", "", "| target | measured | |",
           "| --- | --- | --- |"]
    md += [f"| {a} | {b} | {c} |" for a, b, c in target_rows(med)]
    md += ["", "## Wall time of the boots (host, seconds)", ""]
    md += boots_table(args.boots)
    md += ["", "![tip/base ratios](bench.png)", ""]
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(md))
    plot(args.out, timed, med, values)
    print("\n".join(md))


if __name__ == "__main__":
    main()
