#!/usr/bin/env bash
# walk-series.sh [SERIES...]: check that every patch stands on its own.
# For each commit from the base up to the end of the given series (all by
# default), in order: check it out, build the test kernel incrementally
# (ccache), build the guest, boot it on the spm topology, and fold the
# results. Prints one line per commit and exits non-zero if any commit
# fails to build or has a failing test. The work tree must be clean; the
# branch that was checked out is restored at the end.
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
fragments=("$TOP/configs/guest.config" "$TOP/configs/debug.config")
series_configs=("$TOP/configs/spm.config")
failed=0
while read -r commit subject; do
	restore_gitignore
	ktree_git checkout -q "$commit"
	show_new_files
	# Series options this commit has: keep the lines whose symbol exists.
	frag=$results/series.config
	: >"$frag"
	for f in "${series_configs[@]}"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*)
				sym=${line%%=*}
				sym=${sym#CONFIG_}
				if grep -rqs --include='Kconfig*' -E "^(menu)?config $sym\$" "$LINUX_DIR"; then
					echo "$line" >>"$frag"
				fi
				;;
			esac
		done <"$f"
	done
	log=$results/${commit:0:12}.log
	status=ok
	if ! "$TOP/scripts/build-kernel.sh" walk "${fragments[@]}" "$frag" >"$log.build" 2>&1; then
		status="BUILD FAILED (see $log.build)"
	elif ! { "$TOP/scripts/build-selftests.sh" && "$TOP/scripts/build-initramfs.sh" "$BUILD/walk.cpio"; } >>"$log.build" 2>&1; then
		status="GUEST BUILD FAILED (see $log.build)"
	else
		QEMU_CONSOLE=none "$TOP/scripts/run-qemu.sh" -k "$BUILD/obj/walk/arch/x86/boot/bzImage" \
			-i "$BUILD/walk.cpio" -l "$log" -T 900 >/dev/null 2>&1 || true
		summary=$(python3 "$TOP/scripts/summarize.py" --console "$log" \
			--expected "$TOP/tests/expected-failures" | tail -n 1 || true)
		case "$summary" in
		*" 0 failed"*) status="ok: $summary" ;;
		*) status="TESTS FAILED: $summary (see $log)" ;;
		esac
	fi
	case "$status" in ok*) ;; *) failed=1 ;; esac
	printf '%s %-60.60s %s\n' "${commit:0:12}" "$subject" "$status"
done < <(ktree_git log --reverse --format='%H %s' "refs/tags/base..$end")
exit "$failed"
