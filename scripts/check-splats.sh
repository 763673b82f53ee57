#!/usr/bin/env bash
# check-splats.sh LOG...: print every kernel splat in console logs, one
# line each ("LOG:LINE: text"), and exit 1 if there is any. A splat is
# anything the kernel prints when it finds itself broken: BUG, WARNING,
# KASAN/KFENCE/UBSAN reports, lockdep, RCU stalls, hung tasks, soft
# lockups, Oops, panics, kmemleak reports and call traces.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 LOG..." >&2; exit 2; }

patterns=(
	'BUG: '
	'BUG [^ ]+ \((Not tainted|Tainted)'
	'kernel BUG at'
	'WARNING: '
	'KASAN: '
	'KFENCE: '
	'UBSAN: '
	'possible (circular|recursive) locking'
	'inconsistent lock state'
	'suspicious RCU usage'
	'rcu: INFO: '
	'self-detected stall'
	'INFO: task .* blocked for more than'
	'soft lockup'
	'hard LOCKUP'
	'Oops'
	'general protection fault'
	'Kernel panic'
	'Call Trace:'
	'kmemleak: .*(suspected memory leak|new suspected)'
	'unreferenced object 0x'
)
regex=$(IFS='|'; printf '%s' "${patterns[*]}")

found=0
for log in "$@"; do
	[ -r "$log" ] || { echo "$0: cannot read $log" >&2; exit 2; }
	# Console lines can carry CRs from the serial port.
	if tr -d '\r' <"$log" | grep -nE -- "$regex" | sed "s|^|$log:|"; then
		found=1
	fi
done
exit "$found"
