#!/usr/bin/env bash
# run-regress.sh [PHASE...]: make regress. The kernel's own selftests of
# what the series change, and numactl's test suite, on the base and on the
# tip, built from the same configuration (the release kernels of
# scripts/build-release-kernels.sh: guest, distro-mm, no debug options) and
# booted on the spm topology. A regression is a test that passes on the
# base and fails on the tip. Phases, in order (default: all of them):
#
#   kernels    build/obj/release-{base,tip}
#   selftests  tools/testing/selftests/{mm,cgroup} of each tree, against
#              its own UAPI headers, into build/regress/{base,tip}
#   numactl    Debian's numactl source package, built with its tests
#   initramfs  one per kernel: busybox, bash, guest/regress.sh, the tests
#   boots      base, then tip (8 vCPUs: test_cpuset_prs.sh wants them)
#   report     build/results/regress.md, regressions first, and the
#              summary line (scripts/regress-report.py)
#
#   REGRESS_MM  run_vmtests.sh categories as CATEGORY:SECONDS (default
#               below: the categories that fit under TCG, with limits
#               about three times what they took here)
#   REGRESS_KERNELS  which sides the phases before the report work on
#               (default "base tip"; "tip" after a change to the series,
#               which keeps the base's results)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernels=${REGRESS_KERNELS:-base tip}
out=$BUILD/regress
NUMACTL_VERSION=2.0.16-1
# Left out: hugevm and vmalloc (hours under TCG), pkey (no protection
# keys on QEMU's CPU model), and "hmm", whose script loads test_hmm as a
# module (hmm-tests runs by itself instead).
REGRESS_MM=${REGRESS_MM:-"mmap:600 gup_test:1800 userfaultfd:1200 compaction:900
	mlock:600 mremap:900 madv_populate:300 memfd_secret:300 process_mrelease:300
	ksm:900 ksm_numa:600 soft_dirty:300 pagemap:600 cow:1800 thp:1200
	hugetlb:1200 migration:600 mkdirty:300 mdwe:300"}

tree_of() {
	printf '%s/check/release-%s\n' "$BUILD" "$1"
}

phase_kernels() {
	# shellcheck disable=SC2086 # a list of words
	"$TOP/scripts/build-release-kernels.sh" $kernels
}

phase_selftests() {
	local k tree dir hdr st
	for k in $kernels; do
		tree=$(tree_of "$k")
		[ -d "$tree" ] || die "no release-$k tree (run: $0 kernels)"
		dir=$out/$k
		hdr=$dir/headers
		st=$tree/tools/testing/selftests
		rm -rf "$dir"
		mkdir -p "$dir/mm" "$dir/cgroup" "$hdr"
		make -s -C "$tree" O="$hdr" headers_install INSTALL_HDR_PATH="$hdr/usr"
		# -k: a test that does not build on a tree is missing from
		# its results, and the report shows it missing.
		for suite in mm cgroup; do
			make -k -s -C "$st/$suite" OUTPUT="$dir/$suite" -j"$(nproc)" \
				KHDR_INCLUDES="-isystem $hdr/usr/include" >"$dir/$suite.log" 2>&1 ||
				note "$k: some $suite selftests do not build: $(grep -c 'Error ' "$dir/$suite.log") (see $dir/$suite.log)"
			cp "$st/$suite"/*.sh "$dir/$suite/"
		done
		rm -rf "$hdr"
	done
}

phase_numactl() {
	local src=$BUILD/src/numactl dir=$out/numactl
	"$TOP/scripts/fetch-source.sh" numactl "$NUMACTL_VERSION" "$src"
	rm -rf "$dir"
	cp -r "$src" "$dir"
	# Static programs: libtool's wrapper scripts for shared builds name
	# this machine's paths, which the guest does not have.
	(cd "$dir" && ./autogen.sh >/dev/null 2>&1 &&
		./configure -q --disable-shared >/dev/null &&
		make -s -j"$(nproc)" >/dev/null 2>&1 &&
		make -s check TESTS= >/dev/null 2>&1) ||
		die "numactl $NUMACTL_VERSION did not build in $dir"
}

phase_initramfs() {
	local k root f
	for k in $kernels; do
		root=$out/root-$k
		rm -rf "$root"
		mkdir -p "$root"/{bin,etc,tmp,spm-devpriv,regress}
		install -m 0755 /bin/busybox "$root/bin/busybox"
		install -m 0755 "$TOP/guest/init" "$root/init"
		install -m 0755 "$TOP/guest/regress.sh" "$root/spm-devpriv/regress.sh"
		install -m 0755 "$TOP/guest/sudo" "$root/bin/sudo"
		printf 'REGRESS_MM="%s"\n' "$(tr -s ' \t\n' ' ' <<<"$REGRESS_MM")" >"$root/regress/settings"
		cp -r "$out/$k/mm" "$out/$k/cgroup" "$out/numactl" "$root/regress/"
		printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
			>"$root/etc/passwd"
		printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
		# bash for the scripts, lscpu (test_cpuset_prs.sh) and pgrep
		# (charge_reserved_hugetlb.sh), which busybox lacks, and the
		# library pthread_cancel() loads (uffd-stress).
		for f in /bin/bash /usr/bin/lscpu /usr/bin/pgrep /usr/bin/pkill; do
			copy_with_libs "$root" "$f"
		done
		gcc_s=$(ldconfig -p | sed -n 's/.*libgcc_s.so.1 (libc6,x86-64) => //p' | head -n 1)
		[ -n "$gcc_s" ] || die "no libgcc_s.so.1 on this machine"
		install -D "$gcc_s" "$root$gcc_s"
		while IFS= read -r f; do
			copy_libs_of "$root" "$f"
		done < <(find "$root/regress" -type f -perm -u+x)
		(cd "$root" && find . -print0 | LC_ALL=C sort -z |
			cpio --quiet --null -o -H newc --reproducible) >"$out/initramfs-$k.cpio"
		note "$out/initramfs-$k.cpio: $(du -h "$out/initramfs-$k.cpio" | cut -f1)"
	done
}

phase_boots() {
	local k rc
	mkdir -p "$BUILD/results"
	for k in $kernels; do
		rc=0
		QEMU_CONSOLE=none "$TOP/scripts/run-qemu.sh" \
			-k "$BUILD/obj/release-$k/arch/x86/boot/bzImage" -i "$out/initramfs-$k.cpio" \
			-t spm -c 8 -m regress -l "$BUILD/results/regress-$k.log" -T 14400 || rc=$?
		grep -q '^spm-devpriv-regress-done' "$BUILD/results/regress-$k.log" ||
			die "the $k boot did not finish its tests (exit $rc): see build/results/regress-$k.log"
	done
}

phase_report() {
	"$TOP/scripts/regress-report.py" --base "$BUILD/results/regress-base.log" \
		--tip "$BUILD/results/regress-tip.log" --known "$TOP/tests/regress-known" \
		--out "$BUILD/results/regress.md"
}

if [ "${1:-}" = --phase ]; then
	"phase_$2"
	exit
fi
# Each phase in a process of its own, timed like the other make targets.
[ $# -gt 0 ] || set -- kernels selftests numactl initramfs boots report
for phase in "$@"; do
	case "$phase" in
	kernels | selftests | numactl | initramfs | boots | report) ;;
	*) die "unknown phase '$phase'; see the comment at the top of $0" ;;
	esac
	"$TOP/scripts/timed.sh" "regress-$phase" "$0" --phase "$phase"
done
