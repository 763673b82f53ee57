#!/usr/bin/env bash
# check-warnings.sh [REF]: the compiler and sparse warnings a series adds,
# as TAP. Builds every kernel C file the series touches with W=1 and
# sparse (C=2), on the base and on REF (default: the top of the stack), in
# the test configuration (with the series' options where the tree has
# them) plus the CXL fragment of the matrix, which the guest does not
# build but the series touches, in work trees of their own under
# build/check. A warning counts
# as new when REF has it and the base does not, ignoring line and column
# numbers, so that moved code is not new. One test per touched file, and
# one for warnings in any other file (the headers those files include).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX_DIR/.git" ] || die "no work tree at $LINUX_DIR (run: make tree)"
tip=${1:-$(series_ref "${SERIES_LIST##* }")}
out=$BUILD/results/check-warnings
mkdir -p "$out"

mapfile -t files < <(ktree_git diff --name-only --diff-filter=AM "base..$tip" -- \
	'*.c' ':!tools/' ':!scripts/' ':!Documentation/' ':!samples/')
[ "${#files[@]}" -gt 0 ] || {
	echo "1..0 # SKIP the series touches no kernel C file"
	exit 0
}

# warnings NAME REF: build the touched files that exist at REF; print the
# warnings, normalized, one per line. Fails when the build fails.
warnings() {
	local name=$1 ref=$2 dir objs=() f cfg rc=0
	dir=$(check_worktree "$name" "$ref")
	for f in "${files[@]}"; do
		[ -f "$dir/$f" ] || continue
		objs+=("${f%.c}.o")
		# Compile them again every time: warnings come only from a compile.
		rm -f "$BUILD/obj/check-$name/${f%.c}.o"
	done
	cfg=$BUILD/check/$name.series.config
	series_options "$dir" "$cfg"
	LC_ALL=C LINUX_DIR=$dir KBUILD_TARGETS="${objs[*]}" KBUILD_EXTRA="W=1 C=2" \
		"$TOP/scripts/build-kernel.sh" "check-$name" "$TOP/configs/guest.config" \
		"$TOP/configs/debug.config" "$TOP/configs/matrix/cxl.config" "$cfg" \
		>"$out/$name.log" 2>&1 || rc=$?
	grep -E '(warning|error):' "$out/$name.log" |
		sed -E "s|$dir/||g; s|$BUILD/obj/check-$name/||g; s/:[0-9]+:[0-9]+:/:/; s/:[0-9]+:/:/" |
		sort -u
	return "$rc"
}

note "building ${#files[@]} touched files with W=1 C=2 on the base"
warnings base base >"$out/base.warnings" || {
	tail -n 20 "$out/base.log" >&2
	die "the base does not build: see $out/base.log"
}
note "building them on $tip"
tip_ok=0
warnings tip "$tip" >"$out/tip.warnings" || tip_ok=$?
comm -13 "$out/base.warnings" "$out/tip.warnings" >"$out/new.warnings"

tap_begin
if [ "$tip_ok" -ne 0 ]; then
	tap_result "the touched files build at $tip" "$(tail -n 20 "$out/tip.log")"
fi
for f in "${files[@]}"; do
	tap_result "W=1 and sparse: no new warning in $f" \
		"$(grep -F "$f:" "$out/new.warnings" || true)"
done
others=$(grep -vF -f <(printf '%s:\n' "${files[@]}") "$out/new.warnings" || true)
tap_result "W=1 and sparse: no new warning in other files" "$others"
tap_end
