#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fold every test result of a run into one summary.

Inputs:
  --console LOG    a guest console log: the KUnit KTAP printed at boot
                   (everything before the guest's "userspace started"
                   line) and the TAP of each test program, which the guest
                   prints between "spm-devpriv-test-begin/end" markers.
  --guest [NAME=]LOG  another boot's console log: its test programs and
                   splats only (the KUnit results come from --console);
                   with NAME, its suites are named NAME/SUITE.
  --tap NAME=FILE  TAP from the host (the harness self-tests).
  --expected FILE  expected failures: "SUITE:TEST  reason" per line.

All (K)TAP is parsed by the kernel tree's own tools/testing/kunit/kunit.py
("parse --json"); this script only folds the results, applies the expected
failures, adds one failure per kernel splat, and prints a summary whose
last line is "N passed, N failed, N skipped". Exit status 1 when anything
failed (or nothing ran at all).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

USERSPACE = 'spm-devpriv: userspace started'
KTAP_LINE = re.compile(r'^(\[ *[0-9.]+\] )?\s*(KTAP version|TAP version|[0-9]+\.\.[0-9]+|ok |not ok |#)')
BEGIN = re.compile(r'^spm-devpriv-test-begin: (\S+)$')
END = re.compile(r'^spm-devpriv-test-end: (\S+) (\d+)$')
EXIT = re.compile(r'^spm-devpriv-exit: (\d+)')
SPLAT = re.compile(r'^(.*):(\d+):(.*)$')
EMPTY_PLAN = re.compile(r'^1\.\.0\b(.*)$', re.M)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Results:
    def __init__(self):
        self.cases = []         # (suite, test, status, detail)
        self.expected = {}      # "suite:test" -> reason
        self.used_expected = set()

    def add(self, suite, test, status, detail=''):
        key = f'{suite}:{test}'
        if key in self.expected:
            self.used_expected.add(key)
            if status == 'FAIL':
                status, detail = 'XFAIL', self.expected[key]
            elif status == 'PASS':
                status = 'FAIL'
                detail = 'passed but is listed as an expected failure: ' \
                         'remove it from the list'
        self.cases.append((suite, test, status, detail))

    def count(self, status, suite=None):
        return sum(1 for c in self.cases
                   if c[2] == status and (suite is None or c[0] == suite))


def load_expected(path):
    expected = {}
    if not path:
        return expected
    with open(path, encoding='utf-8') as f:
        for num, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = line.split(None, 1)
            if len(parts) < 2 or ':' not in parts[0]:
                sys.exit(f'{path}:{num}: want "SUITE:TEST reason"')
            expected[parts[0]] = parts[1]
    return expected


def leaves(group, prefix=''):
    """Yield (name, status) for every test case of a kunit.py JSON tree."""
    for case in group.get('test_cases', []):
        yield prefix + case['name'], case['status']
    for sub in group.get('sub_groups', []):
        yield from leaves(sub, prefix + sub['name'] + '.')


def kunit_parse(kunit_py, text):
    """Parse (K)TAP with kunit.py; None when it holds no results."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'input.log')
        out = os.path.join(tmp, 'results.json')
        with open(src, 'w', encoding='utf-8') as f:
            f.write(text)
        # kunit.py of 6.12 loops, eating memory, on TAP whose plan comes
        # last: a parse that takes this long has gone wrong.
        try:
            subprocess.run([sys.executable, kunit_py, 'parse',
                            '--json=' + out, src],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False,
                           timeout=60)
        except subprocess.TimeoutExpired:
            return None
        if not os.path.exists(out):
            return None
        with open(out, encoding='utf-8') as f:
            tree = json.load(f)
    return list(leaves(tree))


def fold_tap(results, kunit_py, suite, text, status=None):
    """Fold one program's TAP; status is its exit code when known."""
    plan = EMPTY_PLAN.search(text)
    if plan and 'ok ' not in text:
        results.add(suite, '(all)', 'SKIP', plan.group(1).strip(' #'))
        return
    cases = kunit_parse(kunit_py, text)
    if not cases:
        results.add(suite, '(all)', 'FAIL', 'no TAP results')
        return
    for name, st in cases:
        if not name:
            results.add(suite, '(missing)', 'FAIL',
                        'planned but never reported')
            continue
        if st not in ('PASS', 'SKIP'):
            st = 'FAIL'
        results.add(suite, name, st)
    if status and not any(c[0] == suite and c[2] in ('FAIL', 'XFAIL')
                          for c in results.cases):
        results.add(suite, '(exit status)', 'FAIL',
                    f'exited {status} although every case passed')


def fold_console(results, kunit_py, log, kunit=True, prefix=''):
    with open(log, encoding='utf-8', errors='replace') as f:
        lines = [l.rstrip('\r\n').replace('\r', '') for l in f]
    try:
        userspace = next(i for i, l in enumerate(lines) if USERSPACE in l)
    except StopIteration:
        results.add(prefix + 'guest', 'boot', 'FAIL', 'never reached userspace')
        userspace = len(lines)

    # KUnit runs while drivers still probe: drop the kernel messages that
    # land between its KTAP lines, which kunit.py would take for KTAP.
    boot = '\n'.join(l for l in lines[:userspace] if KTAP_LINE.match(l)) + '\n'
    cases = kunit_parse(kunit_py, boot) if kunit else []
    if kunit and not cases:
        results.add('kunit', '(all)', 'FAIL', 'no KUnit KTAP in the boot log')
    for name, st in cases or []:
        results.add('kunit', name, st if st in ('PASS', 'SKIP') else 'FAIL')

    current, body = None, []
    for line in lines[userspace:]:
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            current, body = begin.group(1), []
        elif end and current == end.group(1):
            suite = prefix + re.sub(r'^[0-9]+-', '', current)
            fold_tap(results, kunit_py, suite, '\n'.join(body) + '\n',
                     int(end.group(2)))
            current = None
        elif current:
            body.append(line)
    if current:
        suite = prefix + re.sub(r'^[0-9]+-', '', current)
        if body:
            fold_tap(results, kunit_py, suite, '\n'.join(body) + '\n')
        if not any(c[0] == suite and c[1] == '(missing)'
                   for c in results.cases):
            results.add(suite, '(rest)', 'FAIL',
                        'output cut off: the guest died or timed out')
    if not any(EXIT.match(l) for l in lines):
        results.add(prefix + 'guest', 'exit', 'FAIL', 'no exit status: the guest '
                    'crashed or timed out')

    splats = subprocess.run([os.path.join(TOP, 'scripts', 'check-splats.sh'),
                             log], capture_output=True, text=True, check=False)
    found = splats.stdout.splitlines()
    headers = [s for s in found if 'Call Trace:' not in s] or found
    for splat in headers:
        where, line, text = SPLAT.match(splat).groups()
        results.add(prefix + 'kernel', 'splat', 'FAIL',
                    f'{text.strip()} ({os.path.basename(where)}:{line})')


def report(results, times, cases_file):
    suites = []
    for case in results.cases:
        if case[0] not in suites:
            suites.append(case[0])
    print('==== test results ====')
    for suite in suites:
        parts = [f'{results.count(s, suite)} {w}' for s, w in
                 (('PASS', 'passed'), ('FAIL', 'failed'),
                  ('XFAIL', 'expected failures'), ('SKIP', 'skipped'))
                 if results.count(s, suite)]
        print(f'  {suite:<12} {", ".join(parts)}')
    for title, status in (('failed', 'FAIL'), ('expected failures', 'XFAIL')):
        chosen = [c for c in results.cases if c[2] == status]
        if not chosen:
            continue
        print(f'---- {title} ----')
        for suite, test, _, detail in chosen:
            print(f'  {suite}:{test}' + (f'  ({detail})' if detail else ''))
    if cases_file:
        with open(cases_file, 'w', encoding='utf-8') as f:
            for suite, test, status, detail in results.cases:
                f.write(f'{status:<5} {suite}:{test}' +
                        (f'  ({detail})' if detail else '') + '\n')
        print(f'---- every case, skipped ones too: {cases_file}')
    unused = sorted(set(results.expected) - results.used_expected)
    if unused:
        print('---- listed as expected failures but not run ----')
        for key in unused:
            print(f'  {key}')
    if times and os.path.exists(times):
        print('---- phase times ----')
        with open(times, encoding='utf-8') as f:
            sys.stdout.write(f.read())
    xfail = results.count('XFAIL')
    if xfail:
        print(f'{xfail} expected failures (listed with reasons above)')
    print(f'{results.count("PASS")} passed, {results.count("FAIL")} failed, '
          f'{results.count("SKIP")} skipped')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--console', action='append', default=[])
    parser.add_argument('--guest', action='append', default=[],
                        help='a console log whose KUnit results are '
                        'already counted from another boot of the same '
                        'kernel: only its guest tests and splats')
    parser.add_argument('--tap', action='append', default=[],
                        metavar='NAME=FILE')
    parser.add_argument('--expected')
    parser.add_argument('--times', help='phase times to print')
    parser.add_argument('--cases', help='write every case and its status here')
    parser.add_argument('--kunit', default=os.path.join(
        os.environ.get('LINUX_DIR', os.path.join(TOP, 'build', 'linux')),
        'tools', 'testing', 'kunit', 'kunit.py'))
    args = parser.parse_args()

    results = Results()
    results.expected = load_expected(args.expected)
    for spec in args.tap:
        name, _, path = spec.partition('=')
        if not os.path.exists(path):
            results.add(name, '(all)', 'FAIL', f'{path} is missing')
            continue
        with open(path, encoding='utf-8', errors='replace') as f:
            fold_tap(results, args.kunit, name, f.read())
    guests = []
    for spec in args.guest:
        name, sep, path = spec.partition('=')
        guests.append((path, False, name + '/') if sep else (spec, False, ''))
    for log, kunit, prefix in [(l, True, '') for l in args.console] + guests:
        if not os.path.exists(log):
            results.add(prefix + 'guest', 'console', 'FAIL', f'{log} is missing')
            continue
        fold_console(results, args.kunit, log, kunit, prefix)

    report(results, args.times, args.cases)
    ran = results.count('PASS') + results.count('FAIL') + \
        results.count('XFAIL')
    return 1 if results.count('FAIL') or not ran else 0


if __name__ == '__main__':
    sys.exit(main())
