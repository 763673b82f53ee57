#!/usr/bin/env bash
# walk-series.sh [SERIES...]: check that every patch stands on its own.
# For each commit from the base up to the end of the given series (all by
# default), in order: check it out, build the test kernel incrementally
# (ccache), build the guest, boot it on the spm topology (two guests side
# by side, each running part of the test programs; WALK_LANE_B names the
# second's), and fold the results. Prints one line per commit and exits
# non-zero if any commit fails to build or has a failing test. A commit
# whose kernel and test programs are, byte for byte, those of the last
# commit that booted and passed (documentation, a driver the test
# configuration leaves out) takes that result without a boot. Each line
# names the commit and its tree: a rebase that changes messages only
# keeps the trees, and so the results. The work
# tree must be clean; the branch that was checked out is restored at the
# end.
#
# WALK_BUILD_ONLY=1 builds each commit instead, no boot, in each
# configuration WALK_VARIANTS names (default "test nospm": the test
# configuration and the same with the series' options off,
# configs/matrix/nospm.config; any other name is a fragment of
# configs/matrix, built for the targets and architecture it names, as
# check-configs.sh does), and prints TAP. WALK_RANGE=A..B walks those
# commits instead of the series.
#
# Options by the CONFIG_* names each commit knows: a fragment line for an
# option the commit does not have yet is dropped for that commit.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX_DIR/.git" ] || die "no work tree at $LINUX_DIR (run: make tree)"
tree_is_dirty && die "$LINUX_DIR has uncommitted changes: commit or export them first"
names=${*:-$SERIES_LIST}
last=${names##* }
end=$(series_ref "$last")
ktree_git rev-parse -q --verify "$end" >/dev/null || die "no branch $last"

orig=$(ktree_git symbolic-ref -q --short HEAD || ktree_git rev-parse HEAD)
# shellcheck disable=SC2317 # called by the trap
restore() { restore_gitignore; ktree_git checkout -q "$orig"; show_new_files; }
trap restore EXIT

results=$BUILD/results/walk
mkdir -p "$results"
# The test kernel's fragments (TEST_FRAGMENTS in the Makefile) before the
# series' options, which each commit gets as it knows them.
fragments=("$TOP/configs/guest.config" "$TOP/configs/distro-mm.config"
	"$TOP/configs/debug.config")
# build_variant VARIANT: build the checked-out commit in one configuration
# of WALK_VARIANTS, with the series' options $frag.
build_variant() {
	local nospm=$TOP/configs/matrix/nospm.config
	case "$1" in
	test) "$TOP/scripts/build-kernel.sh" walk-test "${fragments[@]}" "$frag" ;;
	nospm) CHECK_FRAGMENTS=$nospm "$TOP/scripts/build-kernel.sh" walk-nospm \
		"${fragments[@]}" "$frag" "$nospm" ;;
	*) build_matrix "$LINUX_DIR" "walk-$1" "$TOP/configs/matrix/$1.config" "$frag" ;;
	esac
}
for variant in ${WALK_VARIANTS:-}; do
	case "$variant" in
	test | nospm) ;;
	*) [ -f "$TOP/configs/matrix/$variant.config" ] ||
		die "WALK_VARIANTS: no configs/matrix/$variant.config" ;;
	esac
done
# The second guest's programs: the longest, about half of the spm
# topology's time (docs/timings.md); every other program runs in the
# first, so a new one is never left out.
lane_b=${WALK_LANE_B:-16-numa-balancing,38-spm-fuzz,40-spm-dax,50-hmm-tests,51-hmm-exclusive-nothp,55-devpriv,60-cgroup-cpuset,65-mm-migration,70-stress-slice}
lane_a=$(cd "$TOP/guest/tests.d" && for t in *; do
	case ",$lane_b," in *",$t,"*) ;; *) printf '%s,' "$t" ;; esac
done)
lane_a=${lane_a%,}
failed=0
n=0
ok_key=
# Build-only TAP: the plan goes first, so collect the results.
[ -z "${WALK_BUILD_ONLY:-}" ] || exec 3>&1 >"$results/bisect.tap"
while read -r commit subject; do
	restore_gitignore
	ktree_git checkout -q "$commit"
	show_new_files
	frag=$results/series.config
	series_options "$LINUX_DIR" "$frag"
	log=$results/${commit:0:12}.log
	if [ -n "${WALK_BUILD_ONLY:-}" ]; then
		for variant in ${WALK_VARIANTS:-test nospm}; do
			n=$((n + 1))
			what="$variant config"
			[ "$variant" = test ] || [ "$variant" = nospm ] ||
				what="$variant: $(matrix_what "$TOP/configs/matrix/$variant.config")"
			if build_variant "$variant" >"$log.$variant" 2>&1; then
				echo "ok $n ${commit:0:12} $subject: builds ($what)"
			else
				echo "not ok $n ${commit:0:12} $subject: does not build ($what)"
				tail -n 20 "$log.$variant" | sed 's/^/# /'
				failed=1
			fi
		done
		continue
	fi
	status=ok
	if ! "$TOP/scripts/build-kernel.sh" walk "${fragments[@]}" "$frag" >"$log.build" 2>&1; then
		status="BUILD FAILED (see $log.build)"
	elif ! { "$TOP/scripts/build-selftests.sh" && "$TOP/scripts/build-initramfs.sh" "$BUILD/walk.cpio" "$BUILD/obj/walk"; } >>"$log.build" 2>&1; then
		status="GUEST BUILD FAILED (see $log.build)"
	elif key=$(cat "$BUILD/obj/walk/arch/x86/boot/bzImage" "$BUILD"/guest-bin/* | sha256sum) &&
		[ "$key" = "$ok_key" ]; then
		# The same kernel and test programs as the commit before,
		# which passed (documentation, or a driver the test
		# configuration does not build): a boot would test the same
		# bytes again.
		status="ok: the same kernel and programs as ${ok_commit:0:12}, not booted again"
	else
		# Two guests side by side, each with part of the programs:
		# the second takes $lane_b without KUnit, the first the rest
		# and KUnit at boot.
		pids=()
		for lane in a b; do
			if [ "$lane" = a ]; then
				args="spmdev.tests=$lane_a"
			else
				args="kunit.enable=0 spmdev.tests=$lane_b"
			fi
			QEMU_CONSOLE=none "$TOP/scripts/run-qemu.sh" \
				-k "$BUILD/obj/walk/arch/x86/boot/bzImage" -i "$BUILD/walk.cpio" \
				-a "$args" -l "$log.$lane" >/dev/null 2>&1 &
			pids+=($!)
		done
		wait "${pids[@]}" || true
		summary=$(python3 "$TOP/scripts/summarize.py" --console "$log.a" \
			--guest "$log.b" \
			--expected "$TOP/tests/expected-failures" | tail -n 1 || true)
		case "$summary" in
		*" 0 failed"*) status="ok: $summary" ok_key=$key ok_commit=$commit ;;
		*) status="TESTS FAILED: $summary (see $log.a, $log.b)" ;;
		esac
	fi
	case "$status" in ok*) ;; *) failed=1 ok_key= ;; esac
	# The tree too: a commit whose message alone changed since keeps it,
	# and with it this result.
	printf '%s tree %s %-60.60s %s\n' "${commit:0:12}" \
		"$(ktree_git rev-parse --short=12 "$commit^{tree}")" "$subject" "$status"
done < <(ktree_git log --reverse --format='%H %s' "${WALK_RANGE:-refs/tags/base..$end}")
if [ -n "${WALK_BUILD_ONLY:-}" ]; then
	exec >&3
	printf 'TAP version 13\n1..%d\n' "$n"
	cat "$results/bisect.tap"
fi
exit "$failed"
