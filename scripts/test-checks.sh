#!/usr/bin/env bash
# test-checks.sh: tests of make check's build checks, as TAP. Each plants
# a defect in a commit on top of the stack (objects only, no branch
# moves) and runs the check on it:
#  - check-warnings on a function without a prototype: a new W=1
#    warning (-Wmissing-prototypes) and a new sparse warning (should it
#    be static?);
#  - the bisect walk on two commits, the first of which does not build
#    and the second of which repairs it: the walk fails the first only.
# The cheap checks' planted defects are in test-harness.sh.
# shellcheck disable=SC2317 # the test functions are called through tap_t()
# shellcheck disable=SC2016 # sed scripts, not shell expansions
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX_DIR/.git" ] || die "no work tree at $LINUX_DIR (run: make tree)"
top=$(series_ref "${SERIES_LIST##* }")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

new_warnings_found() {
	local ref rc=0
	ref=$(planted_commit "$top" mm/page_alloc.c \
		'$a\\nint spm_planted_no_prototype(void)\n{\n\treturn 0;\n}')
	"$TOP/scripts/check-warnings.sh" "$ref" >"$scratch/warnings.tap" || rc=$?
	cat "$scratch/warnings.tap"
	[ "$rc" -ne 0 ] &&
		grep -q "^not ok [0-9]* .* mm/page_alloc.c" "$scratch/warnings.tap" &&
		grep -q "no previous prototype for .spm_planted_no_prototype." "$scratch/warnings.tap" &&
		grep -q "'spm_planted_no_prototype' was not declared. Should it be static" \
			"$scratch/warnings.tap"
}

unbuildable_patch_found() {
	local broken fixed rc=0
	broken=$(planted_commit "$top" mm/page_alloc.c '$a\\nstatic int spm_planted_broken = ;')
	fixed=$(ktree_git commit-tree -p "$broken" -m "planted: repair" "$top^{tree}")
	WALK_BUILD_ONLY=1 WALK_RANGE="$top..$fixed" "$TOP/scripts/walk-series.sh" \
		>"$scratch/walk.tap" || rc=$?
	cat "$scratch/walk.tap"
	[ "$rc" -ne 0 ] &&
		grep -q "^not ok [0-9]* ${broken:0:12} .*(test config)" "$scratch/walk.tap" &&
		grep -q "^ok [0-9]* ${fixed:0:12} .*(test config)" "$scratch/walk.tap"
}

tap_begin
tap_t "check-warnings: a new W=1 and sparse warning fail" new_warnings_found
tap_t "bisect walk: a patch that does not build alone fails" unbuildable_patch_found
tap_end
