#!/usr/bin/env bash
# check-configs.sh [REF|-] [MATRIX-FRAGMENT...]: build REF (default or -:
# the top of the stack) in every configuration of the matrix
# (configs/matrix/*.config by default), as TAP: one test per
# configuration, which passes when the configuration's own options hold
# after olddefconfig and its targets build. Builds only, no boot.
#
# A matrix fragment says what it builds and for which architecture in
# comment lines:
#   # targets: bzImage          (make targets; objects or directories)
#   # arch: arm64 aarch64-linux-gnu-   (ARCH and CROSS_COMPILE; x86_64
#                                       by default)
# x86_64 entries start from the guest configuration with Debian's mm options
# (distro-mm.config), the others from
# tinyconfig; both get the series' options that REF has. MATRIX_TARGETS
# replaces every fragment's targets (make test builds mm/ only).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX_DIR/.git" ] || die "no work tree at $LINUX_DIR (run: make tree)"
tip=${1:--}
[ "$tip" != - ] || tip=$(series_ref "${SERIES_LIST##* }")
shift || true
if [ $# -gt 0 ]; then
	matrix=("$@")
else
	matrix=("$TOP"/configs/matrix/*.config)
fi
out=$BUILD/results/check-configs
mkdir -p "$out"

dir=$(check_worktree tip "$tip")
series_cfg=$BUILD/check/configs.series.config
series_options "$dir" "$series_cfg"

n=0
failed=0
echo "TAP version 13"
echo "1..${#matrix[@]}"
for frag in "${matrix[@]}"; do
	name=$(basename "$frag" .config)
	n=$((n + 1))
	t0=$(date +%s)
	if build_matrix "$dir" "matrix-$name" "$frag" "$series_cfg" >"$out/$name.log" 2>&1; then
		echo "ok $n $name: $(matrix_what "$frag") builds ($(($(date +%s) - t0)) s)"
	else
		echo "not ok $n $name: $(matrix_what "$frag") does not build"
		tail -n 20 "$out/$name.log" | sed 's/^/# /'
		failed=1
	fi
done
exit "$failed"
