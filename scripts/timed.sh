#!/usr/bin/env bash
# timed.sh NAME COMMAND...: run one phase of the pipeline and print how
# long it took and its exit status. With PHASE_TIMES set, also append a
# line to that file for the final summary.
set -euo pipefail

name=$1
shift
t0=$(date +%s)
printf '=== %s: start (%s)\n' "$name" "$(date -u +%H:%M:%S)"
rc=0
"$@" || rc=$?
t=$(( $(date +%s) - t0 ))
if [ "$rc" -eq 0 ]; then
	status="done"
else
	status="exit $rc"
fi
printf '=== %s: %s in %dm%02ds\n' "$name" "$status" $((t / 60)) $((t % 60))
if [ -n "${PHASE_TIMES:-}" ]; then
	printf '%-12s %4dm%02ds  %s\n' "$name" $((t / 60)) $((t % 60)) "$status" >>"$PHASE_TIMES"
fi
exit "$rc"
