#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the selftest results of the base and the tip (make regress).

Reads the console logs of the two regress boots (guest/regress.sh), where
every test program ran between "spm-devpriv-regress-begin: NAME" and
"spm-devpriv-regress-end: NAME STATUS SECONDS". A program that prints TAP
gives one result per top-level TAP line ("NAME: test"); run_vmtests.sh
prints one such line per program it runs, and indents the programs' own
output with "# ", which stays inside. A program without TAP gives one
result from its exit status (0 pass, 4 or 77 skip, killed: timeout).

A regression is a test that passes on the base and does not on the tip.
The table (markdown, --out) lists regressions first, then the other
differences, then the rest; the last line printed is
"N passed, N failed, N skipped", where a regression not listed in --known
is a failure, a tip result that is not a pass but no regression either
(it fails on the base too) is skipped, and every count is of tip results.
Exit status 1 when a regression is not listed, or a listed one is gone.
"""

import argparse
import os
import re
import subprocess
import sys

BEGIN = re.compile(r'^spm-devpriv-regress-begin: (\S+)$')
END = re.compile(r'^spm-devpriv-regress-end: (\S+) (\d+) (\d+)$')
TAP = re.compile(r'^(not )?ok \d+ (.*?)(?:\s+#\s*(SKIP|skip|TODO|exit=\d+).*)?$')
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse(log):
    """{test: status} and {section: seconds} of one boot's log."""
    results, times = {}, {}
    section, tap, lines = None, {}, []
    with open(log, encoding='utf-8', errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            m = BEGIN.match(line)
            if m:
                section, tap, lines = m.group(1), {}, []
                continue
            m = END.match(line)
            if m and section == m.group(1):
                status, seconds = int(m.group(2)), int(m.group(3))
                times[section] = seconds
                if tap:
                    results.update(tap)
                    if status == 137:
                        results[f'{section}: (rest)'] = 'TIMEOUT'
                elif status == 0:
                    results[section] = 'PASS'
                elif status in (4, 77):
                    results[section] = 'SKIP'
                elif status == 137:
                    results[section] = 'TIMEOUT'
                else:
                    results[section] = 'FAIL'
                section = None
                continue
            if section is None:
                continue
            m = TAP.match(line)
            if m:
                name = f'{section}: {m.group(2).strip()}'
                if m.group(3) and m.group(3).lower() == 'skip':
                    tap[name] = 'SKIP'
                else:
                    tap[name] = 'FAIL' if m.group(1) else 'PASS'
    if section is not None:
        results[f'{section}: (rest)'] = 'CRASH'
    splats = subprocess.run([os.path.join(TOP, 'scripts', 'check-splats.sh'), log],
                            capture_output=True, text=True, check=False)
    found = [s for s in splats.stdout.splitlines() if 'Call Trace:' not in s]
    results['kernel: no splat'] = 'FAIL' if splats.returncode else 'PASS'
    return results, times, found


def load_known(path):
    known = {}
    if path and os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            for num, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                name, sep, reason = line.partition('  ')
                if not sep:
                    sys.exit(f'{path}:{num}: want "TEST  reason" (two spaces)')
                known[name.strip()] = reason.strip()
    return known


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--base', required=True)
    parser.add_argument('--tip', required=True)
    parser.add_argument('--known')
    parser.add_argument('--out')
    args = parser.parse_args()

    base, base_times, base_splats = parse(args.base)
    tip, tip_times, tip_splats = parse(args.tip)
    known = load_known(args.known)

    rows = []
    for name in sorted(set(base) | set(tip)):
        b, t = base.get(name, 'MISSING'), tip.get(name, 'MISSING')
        if b == 'PASS' and t != 'PASS':
            kind = 'known' if name in known else 'regression'
        elif name in known:
            kind = 'gone'
        elif t == 'PASS':
            kind = 'pass'
        elif t == 'SKIP' or t == 'MISSING' and b == 'MISSING':
            kind = 'skip'
        else:
            kind = 'unchanged'
        rows.append((name, b, t, kind))
    order = {'regression': 0, 'gone': 1, 'known': 2, 'unchanged': 3, 'skip': 4,
             'pass': 5}
    rows.sort(key=lambda r: (order[r[3]], r[1] == r[2], r[0]))
    notes = {'regression': 'REGRESSION', 'gone': 'listed as known, no regression',
             'known': 'known: ' + '{reason}', 'unchanged': 'fails on the base too',
             'skip': '', 'pass': ''}

    table = ['| test | base | tip | note |', '| --- | --- | --- | --- |']
    for name, b, t, kind in rows:
        note = notes[kind].format(reason=known.get(name, ''))
        if kind == 'pass' and b != 'PASS':
            note = 'passes on the tip only'
        table.append(f'| {name} | {b} | {t} | {note} |')
    table += ['', '| section | base (s) | tip (s) |', '| --- | ---: | ---: |']
    for section in sorted(set(base_times) | set(tip_times)):
        table.append(f'| {section} | {base_times.get(section, "-")} | '
                     f'{tip_times.get(section, "-")} |')
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as f:
            f.write('\n'.join(table) + '\n')

    count = {k: sum(1 for r in rows if r[3] == k) for k in order}
    for title, kind in (('regressions', 'regression'),
                        ('listed as known regressions, but not one now', 'gone'),
                        ('known regressions', 'known'),
                        ('failing on the base too', 'unchanged')):
        chosen = [r for r in rows if r[3] == kind]
        if chosen:
            print(f'---- {title} ----')
            for name, b, t, _ in chosen:
                print(f'  {name}: base {b}, tip {t}' +
                      (f'  ({known[name]})' if name in known else ''))
    for which, splats in (('base', base_splats), ('tip', tip_splats)):
        for splat in splats:
            print(f'  splat on the {which}: {splat}')
    if args.out:
        print(f'---- the whole table: {args.out}')
    if count['known']:
        print(f'{count["known"]} known regressions (listed with reasons above)')
    failed = count['regression'] + count['gone']
    print(f'{count["pass"]} passed, {failed} failed, '
          f'{count["skip"] + count["unchanged"]} skipped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
