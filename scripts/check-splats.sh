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
	# at the start of a line: a program's own "WARNING:" in its output is none
	'^(\[ *[0-9.]+\] )?WARNING: '
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
	'kmemleak: Kernel memory leak detector disabled'
	'unreferenced object 0x'
)
regex=$(IFS='|'; printf '%s' "${patterns[*]}")

# While the guest injects allocation failures (guest/stress-lib.sh marks
# the time in the kernel log: "spm-devpriv: fault injection armed" ...
# "disarmed"), the allocator reports some of them itself (warn_alloc:
# "page allocation failure", "vmalloc error", "vmemmap alloc failure"),
# with a stack dump. Those stacks are the expected answer to the
# injection, not a splat; everything else still is, a WARNING or a KASAN
# report in an error path first of all. Likewise kmemleak's report of
# the leaks found before a stress run ("kmemleak baseline" ... "done",
# guest/stress.sh), which the run lists and clears: only a leak found
# after it is a splat. And the stack dump of an OOM kill that a test
# brings about on purpose and marks ("spm-devpriv: OOM expected" ...
# "done"): the report starts with "invoked oom-killer".
export SPLAT_REGEX=$regex
found=0
for log in "$@"; do
	[ -r "$log" ] || { echo "$0: cannot read $log" >&2; exit 2; }
	# Console lines can carry CRs from the serial port.
	if tr -d '\r' <"$log" | awk -v file="$log" '
		/spm-devpriv: fault injection armed/ { armed = 1 }
		/spm-devpriv: fault injection disarmed/ { armed = 0 }
		/spm-devpriv: kmemleak baseline$/ { baseline = 1 }
		/spm-devpriv: kmemleak baseline done/ { baseline = 0 }
		/spm-devpriv: OOM expected$/ { oom = 1 }
		/spm-devpriv: OOM expected done/ { oom = 0 }
		armed && /page allocation failure: order:|vmalloc error: size|vmemmap alloc failure: order:/ { warn = NR }
		oom && /invoked oom-killer: / { warn = NR }
		$0 ~ ENVIRON["SPLAT_REGEX"] {
			if ((armed || oom) && warn && NR - warn <= 8 && /Call Trace:/)
				next
			if (baseline && /kmemleak: [0-9]+ new suspected memory leaks/)
				next
			print file ":" NR ":" $0
			hit = 1
			warn = 0
		}
		END { exit !hit }'; then
		found=1
	fi
done
exit "$found"
