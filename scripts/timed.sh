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
# A guest that ran its tests and reports status 1 had a test fail; the
# summary judges that (expected failures included), the phase did its job.
tests_failed=false
case "$name:$rc" in
guest-*:1) tests_failed=true ;;
esac
if [ "$rc" -eq 0 ]; then
	status="done"
elif $tests_failed; then
	status="tests failed"
else
	status="exit $rc"
fi
printf '=== %s: %s in %dm%02ds\n' "$name" "$status" $((t / 60)) $((t % 60))
if [ "$rc" -ne 0 ] && ! $tests_failed; then
	case "$name" in
	deps*) hint="install the packages named above as root, then: make deps" ;;
	tree) hint="fix what the error above says, then: make tree" ;;
	kernel) hint="the build error is above; after fixing it: make kernel" ;;
	selftests | initramfs) hint="the error is above; after fixing it: make initramfs" ;;
	*) hint="the messages above and the logs in build/results say why" ;;
	esac
	printf '=== %s FAILED: %s\n' "$name" "$hint"
fi
if [ -n "${PHASE_TIMES:-}" ]; then
	mkdir -p "$(dirname "$PHASE_TIMES")"
	printf '%-12s %4dm%02ds  %s\n' "$name" $((t / 60)) $((t % 60)) "$status" >>"$PHASE_TIMES"
fi
exit "$rc"
