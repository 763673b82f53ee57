#!/usr/bin/env bash
# build-numactl.sh [COMMAND]: numactl and libnuma with patches/numactl, the
# userspace side of SPM nodes. The series is kept like the kernel's: a git
# work tree, build/numactl, holds Debian's numactl source package as the
# commit tagged "base" and the series as branch "numactl" on top of it.
# Commands:
#
#   tree      fetch the source package, make the work tree if it is
#             missing, and apply patches/numactl to it with git am (no
#             fuzz, no 3-way merge; scripts/apply-series.sh, which refuses
#             to reset a tree that holds unexported commits)
#   export    write patches/numactl from the work tree's commits
#             (scripts/export-series.sh)
#   export-check  fail when the work tree holds commits or changes that
#             patches/numactl does not
#   build     (default) tree, then build static programs and the test
#             programs from the work tree in build/numactl-obj, and stage
#             what the guest gets in build/numactl-guest: usr/bin/numactl,
#             numastat, migratepages, memhog, and numactl/ with the
#             programs and scripts of numactl's own test suite
#   check     TAP on stdout: the patch files (identity, subjects, messages,
#             cover letter, series file), a strict apply on a fresh base,
#             whitespace, a build with no warning that the base lacks, and
#             the test suite on this machine, where a test that finds too
#             few nodes is reported skipped (most of it needs several nodes: the
#             guest test 36-spm-numactl runs it on the spm topology)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

NUMACTL_VERSION=2.0.16-1
src=$BUILD/src/numactl
tree=$BUILD/numactl
obj=$BUILD/numactl-obj
stage=$BUILD/numactl-guest

# The queue scripts of the kernel series, pointed at this one.
queue() {
	LINUX_DIR=$1 SERIES_LIST=numactl PATCHES_DIR=$PATCHES_DIR "$TOP/scripts/$2" "${@:3}"
}

# make_base DIR: DIR as a git repository whose one commit, tagged base,
# is the source package as Debian ships it (dpkg-source's quilt state
# left out: Debian's numactl 2.0.16-1 carries no patches).
make_base() {
	local dir=$1
	"$TOP/scripts/fetch-source.sh" numactl "$NUMACTL_VERSION" "$src"
	rm -rf "$dir.new"
	mkdir -p "$dir.new"
	tar -C "$src" --exclude=./.pc --exclude=./.fetched -cf - . | tar -C "$dir.new" -xf -
	(
		LINUX_DIR=$dir.new
		ktree_git init -q -b numactl
		ktree_git add -A -f .
		GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
			ktree_git commit -q -m "Debian numactl $NUMACTL_VERSION" \
			-m "Unpacked by apt-get source, Debian's numactl source package."
		ktree_git tag base
	)
	mv "$dir.new" "$dir"
}

cmd_tree() {
	[ -d "$tree/.git" ] || make_base "$tree"
	queue "$tree" apply-series.sh
}

# build_in DIR OUT [CFLAGS]: configure and build the sources of DIR (a work
# tree: its files, not its history) in OUT, with static programs (libtool's
# wrapper scripts for shared builds name this machine's paths), and the
# test programs.
build_in() {
	local dir=$1 out=$2 cflags=${3:--O2 -g}
	# autogen.sh needs autoconf, automake and libtool, which make regress
	# installs for the same build.
	if ! command -v autoreconf >/dev/null || ! command -v libtoolize >/dev/null ||
		! command -v automake >/dev/null; then
		"$TOP/scripts/install-deps.sh" regress
	fi
	rm -rf "$out"
	mkdir -p "$out"
	tar -C "$dir" --exclude=./.git -cf - . | tar -C "$out" -xf -
	(
		cd "$out"
		./autogen.sh >autogen.log 2>&1 || { cat autogen.log; exit 1; }
		./configure -q --disable-shared CFLAGS="$cflags" >configure.log 2>&1 ||
			{ cat configure.log; exit 1; }
		if ! make -s -j"$(nproc)" >make.log 2>&1 ||
			! make -s -j"$(nproc)" check TESTS= >>make.log 2>&1; then
			cat make.log
			exit 1
		fi
	)
}

# stage_guest: what the guest needs from build/numactl-obj. The test
# suite runs from numactl/ as numactl's "make check" runs it from the
# build directory (its scripts take the programs from there).
stage_guest() {
	local t
	rm -rf "$stage"
	mkdir -p "$stage/usr/bin" "$stage/numactl/test"
	for t in numactl numastat migratepages memhog; do
		install -m 0755 "$obj/$t" "$stage/usr/bin/$t"
	done
	for t in numactl numastat numademo memhog migratepages migspeed; do
		install -m 0755 "$obj/$t" "$stage/numactl/$t"
	done
	find "$obj/test" -maxdepth 1 -type f -perm -u+x -exec cp {} "$stage/numactl/test/" \;
	suite_tests >"$stage/numactl/tests"
}

# suite_tests: the programs of numactl's "make check" (TESTS in
# Makefile.am), one name per line.
suite_tests() {
	sed -n '/^TESTS = /,/^$/p' "$obj/Makefile.am" |
		sed -n 's|^[[:space:]]*test/\([A-Za-z0-9_-]*\).*|\1|p'
}

cmd_build() {
	cmd_tree
	build_in "$tree" "$obj" || die "numactl did not build in $obj (log above)"
	stage_guest
	note "numactl $NUMACTL_VERSION + $(grep -c . "$PATCHES_DIR/numactl/series") patches: $stage"
}

# ---- check ----

# warnings LOG: the compiler's warnings in a build log, without their
# line and column numbers, sorted.
warnings() {
	sed -n 's/^\(\.\/\)\{0,1\}\([^:]*\):[0-9]*:[0-9]*: warning: /\2: /p' "$1" | LC_ALL=C sort -u
}

# builds_without_new_warnings DIR: the work tree DIR builds, and gives no
# warning that its base does not (numactl 2.0.16 has warnings of its own).
builds_without_new_warnings() {
	local dir=$1 base=$BUILD/check/numactl-base
	rm -rf "$base"
	mkdir -p "$base"
	git -C "$dir" archive base | tar -C "$base" -xf -
	build_in "$base" "$BUILD/check/numactl-base-obj" || return 1
	build_in "$dir" "$BUILD/check/numactl-obj" || return 1
	LC_ALL=C comm -13 <(warnings "$BUILD/check/numactl-base-obj/make.log") \
		<(warnings "$BUILD/check/numactl-obj/make.log") >"$BUILD/check/numactl-new-warnings"
	cat "$BUILD/check/numactl-new-warnings"
	[ ! -s "$BUILD/check/numactl-new-warnings" ]
}

# suite_test NAME: one program of numactl's test suite, run in the build
# directory as "make check" runs it; its output in test/NAME.log.
suite_test() {
	(cd "$BUILD/check/numactl-obj" && builddir=. srcdir=. "./test/$1" >"test/$1.log" 2>&1)
}

cmd_check() {
	local scratch=$BUILD/check/numactl rc=0
	mkdir -p "$BUILD/check"
	rm -rf "$scratch"
	make_base "$scratch"
	CHECKPATCH=0 queue "$scratch" check-patches.sh >"$BUILD/check/numactl-patches.tap" || rc=$?
	tap_begin
	while IFS= read -r line; do
		case "$line" in
		"ok "*) tap_record ok "${line#ok [0-9]* }" ;;
		"not ok "*) tap_record fail "${line#not ok [0-9]* }" ;;
		esac
	done < <(grep -E '^(not )?ok ' "$BUILD/check/numactl-patches.tap")
	tap_t "numactl: applies with git am, no fuzz, on a fresh base" queue "$scratch" apply-series.sh
	tap_t "numactl: no whitespace errors (git diff --check)" \
		git -C "$scratch" diff --check base HEAD
	tap_t "numactl: builds, no new warning" builds_without_new_warnings "$scratch"
	# The suite on this machine, as far as it has the nodes for it: a
	# test that finds too few nodes exits 77, and is reported skipped.
	while IFS= read -r t; do
		rc=0
		suite_test "$t" || rc=$?
		case "$rc" in
		0) tap_record ok "numactl/$t on this machine" ;;
		77) tap_skip "numactl/$t on this machine" "too few NUMA nodes here" ;;
		*) tap_record fail "numactl/$t on this machine" \
			"$(echo "exit status $rc"; tail -n 5 "$BUILD/check/numactl-obj/test/$t.log")" ;;
		esac
	done < <(obj=$BUILD/check/numactl-obj suite_tests)
	tap_t "numactl: the work tree holds no unexported work" queue "$tree" export-series.sh --check
	tap_end || rc=1
	return "$rc"
}

case "${1:-build}" in
tree) cmd_tree ;;
export)
	if [ -d "$tree/.git" ]; then
		queue "$tree" export-series.sh
	else
		note "no work tree at $tree: nothing to export"
	fi
	;;
export-check) queue "$tree" export-series.sh --check ;;
build) cmd_build ;;
check) cmd_check ;;
*) die "usage: $0 [tree|export|export-check|build|check]" ;;
esac
