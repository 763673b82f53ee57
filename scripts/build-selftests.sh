#!/usr/bin/env bash
# build-selftests.sh: build the guest's test programs from the work tree
# and from guest/src, statically, against the tree's own UAPI headers, into
# build/guest-bin.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX_DIR/.git" ] || die "no work tree at $LINUX_DIR (run: make tree)"
out=$BUILD/guest-bin
hdr=$BUILD/obj/headers
mkdir -p "$out" "$hdr"

make -s -C "$LINUX_DIR" O="$hdr" headers_install INSTALL_HDR_PATH="$hdr/usr"

selftests=$LINUX_DIR/tools/testing/selftests
cflags=(-static -O2 -Wall -I"$LINUX_DIR" -isystem "$hdr/usr/include"
	-isystem "$LINUX_DIR/tools/include/uapi")

# build_test NAME SOURCE...
build_test() {
	local name=$1
	shift
	gcc "${cflags[@]}" -o "$out/$name.new" "$@" -lpthread
	mv "$out/$name.new" "$out/$name"
}

# hmm-tests with a longer alarm per case, for the emulator (see the header).
build_test hmm-tests -I"$selftests" -include "$TOP/guest/src/hmm-tests-timeout.h" \
	"$selftests/mm/hmm-tests.c"
# The kernel's own cpuset and page migration tests, which the series must
# keep passing. libnuma is linked statically; the linker's warning about
# its getaddrinfo() does not concern this program.
build_test test_cpuset "$selftests/cgroup/test_cpuset.c" "$selftests/cgroup/cgroup_util.c"
build_test migration "$selftests/mm/migration.c" "$selftests/mm/thp_settings.c" \
	"$selftests/mm/vm_util.c" -lnuma -Wl,--no-warnings
# Tests of the series, where the tree has them.
for name in spm-tests spm-mempolicy; do
	if [ -f "$selftests/mm/$name.c" ]; then
		build_test "$name" "$selftests/mm/$name.c"
	else
		rm -f "$out/$name"
	fi
done
# The guest's own test programs, one per source file in guest/src. They
# test the series' memory policy flag: a tree without it in its UAPI (a
# walk of the commits before the patch that adds it) gets none, and their
# tests.d scripts report them skipped.
has_flag=
grep -q MPOL_F_SPM_NODE "$hdr/usr/include/linux/mempolicy.h" && has_flag=1
for src in "$TOP"/guest/src/*.c; do
	if [ -n "$has_flag" ]; then
		build_test "$(basename "$src" .c)" "$src"
	else
		rm -f "$out/$(basename "$src" .c)"
	fi
done
note "built into $out: $(cd "$out" && echo *)"
