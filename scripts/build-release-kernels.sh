#!/usr/bin/env bash
# build-release-kernels.sh [base|tip]...: the release kernels of make bench
# and make regress, build/obj/release-base and build/obj/release-tip (both
# by default). The base is the root commit of the kernel repository, the
# tip the top of the series stack; each builds in a work tree of its own
# (build/check/release-*), so that neither depends on what build/linux has
# checked out. Both take the same fragments: configs/guest.config,
# configs/distro-mm.config, the series' options the tree knows, and
# configs/release.config, which turns off what the others turn on for the
# test kernel (KUnit) and sets what the release kernels need.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

lock=${KBUILD_LOCK:-/tmp/kbuild.lock}
fragments=("$TOP/configs/guest.config" "$TOP/configs/distro-mm.config")
release=$TOP/configs/release.config
out=$BUILD/release
mkdir -p "$out"

# release_tree KERNEL: the work tree of base or tip; prints its path.
release_tree() {
	case "$1" in
	base) check_worktree release-base "$(ktree_git rev-list --max-parents=0 HEAD)" ;;
	tip) check_worktree release-tip "$(series_ref "${SERIES_LIST##* }")" ;;
	*) die "unknown release kernel '$1' (base, tip)" ;;
	esac
}

[ $# -gt 0 ] || set -- base tip
for k in "$@"; do
	tree=$(release_tree "$k")
	series=$out/$k.series.config
	series_options "$tree" "$series"
	# Check every option of the other fragments that release.config
	# leaves alone, and all of its own.
	check=$out/$k.check.config
	overridden=$(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' "$release" | paste -sd'|')
	cat "${fragments[@]}" "$series" | grep -vE "^($overridden)=" >"$check" || true
	cat "$release" >>"$check"
	# Every kernel build on the machine takes the build lock.
	LINUX_DIR=$tree CHECK_FRAGMENTS=$check KBUILD_TARGETS="bzImage modules" \
		flock "$lock" "$TOP/scripts/build-kernel.sh" "release-$k" \
		"${fragments[@]}" "$series" "$release"
done
