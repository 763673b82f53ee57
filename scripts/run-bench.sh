#!/usr/bin/env bash
# run-bench.sh [PHASE...]: the A/B benchmark of make bench. Builds the base
# and the tip (branch devpriv) from the same non-debug fragments, builds
# the workloads against each, boots the two kernels alternately on the
# flat, spm and spm8 topologies and writes bench/results/results.md and
# bench/results/bench.png. Phases, in order (default: all of them):
#
#   kernels    the release kernels, build/obj/release-{base,tip}
#   programs   bench/src statically, bench/module against each kernel
#   initramfs  busybox, guest/init and the bench files, one per kernel
#   boots      BENCH_ROUNDS rounds (default 5) of base, tip on each topology
#   report     the table and the plot from the boots' logs
#
#   BENCH_ROUNDS    rounds of boots (at least 5 for the published numbers)
#   BENCH_ICOUNT    QEMU -icount shift (default 0: one instruction per ns)
#   BENCH_TOPOLOGIES  topologies to boot (default "flat spm spm8": no SPM
#                     node, one, eight)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

rounds=${BENCH_ROUNDS:-5}
icount=${BENCH_ICOUNT:-0}
topologies=${BENCH_TOPOLOGIES:-"flat spm spm8"}
kernels="base tip"
out=$BUILD/bench
results=$TOP/bench/results
lock=${KBUILD_LOCK:-/tmp/kbuild.lock}

# The kernels are the release kernels that make regress boots too
# (scripts/build-release-kernels.sh); the workloads build against them.
phase_kernels() {
	"$TOP/scripts/build-release-kernels.sh" base tip
}

kernel_obj() {
	printf '%s/obj/release-%s\n' "$BUILD" "$1"
}

phase_programs() {
	local k mod
	mkdir -p "$out/bin"
	gcc -O2 -Wall -Wextra -Werror -static -pthread -o "$out/bin/pagefault" \
		"$TOP/bench/src/pagefault.c"
	# test_hmm's ioctls are the same on the base and the tip.
	gcc -O2 -Wall -Wextra -Werror -static -I "$BUILD/check/release-base/lib" \
		-o "$out/bin/hmm-roundtrip" "$TOP/bench/src/hmm-roundtrip.c"
	for k in $kernels; do
		[ -f "$(kernel_obj "$k")/Module.symvers" ] ||
			die "no release-$k kernel (run: $0 kernels)"
		# Out of tree, in a copy: kbuild writes its objects next to
		# the sources.
		mod=$out/module-$k
		rm -rf "$mod"
		cp -r "$TOP/bench/module" "$mod"
		flock "$lock" make -s -C "$(kernel_obj "$k")" M="$mod" W=1 modules
	done
}

# The guest: busybox, guest/init and the bench files; nothing of the test
# initramfs is needed, and each kernel gets the module built against it.
phase_initramfs() {
	local k root
	for k in $kernels; do
		root=$out/root-$k
		rm -rf "$root"
		mkdir -p "$root/bin" "$root/spm-devpriv/bin"
		install -m 0755 /bin/busybox "$root/bin/busybox"
		install -m 0755 "$TOP/guest/init" "$root/init"
		install -m 0755 "$TOP/guest/bench.sh" "$root/spm-devpriv/bench.sh"
		install -m 0755 "$out/bin/pagefault" "$out/bin/hmm-roundtrip" \
			"$root/spm-devpriv/bin/"
		install -m 0644 "$out/module-$k/bench_mm.ko" "$root/spm-devpriv/"
		(cd "$root" && find . -print0 | LC_ALL=C sort -z |
			cpio --quiet --null -o -H newc --reproducible) >"$out/initramfs-$k.cpio"
	done
}

# Rounds of base, tip, base, tip...: a drift of the host over the run hits
# both kernels alike instead of whichever ran last.
phase_boots() {
	local round topo k log t0 t rc
	# The report reads every log there: none may be left from a run with
	# more rounds or other topologies.
	rm -rf "$out/logs"
	mkdir -p "$out/logs"
	: >"$out/boots.txt"
	for round in $(seq 1 "$rounds"); do
		for topo in $topologies; do
			for k in $kernels; do
				log=$out/logs/$round-$topo-$k.log
				t0=$(date +%s.%N)
				rc=0
				ICOUNT=$icount QEMU_CONSOLE=none "$TOP/scripts/run-qemu.sh" \
					-k "$(kernel_obj "$k")/arch/x86/boot/bzImage" \
					-i "$out/initramfs-$k.cpio" -t "$topo" -m bench \
					-l "$log" -T 1800 -a loglevel=5 || rc=$?
				t=$(echo "$(date +%s.%N) - $t0" | bc)
				printf '%s %s %s %.1f %s\n' "$round" "$topo" "$k" "$t" "$rc" |
					tee -a "$out/boots.txt"
				[ "$rc" -eq 0 ] || die "round $round, $topo, $k failed: see $log"
			done
		done
	done
}

phase_report() {
	mkdir -p "$results"
	"$TOP/scripts/bench-report.py" --logs "$out/logs" --boots "$out/boots.txt" \
		--icount "$icount" --out "$results"
}

if [ "${1:-}" = --phase ]; then
	"phase_$2"
	exit
fi
# Each phase in a process of its own, timed like the other make targets.
[ $# -gt 0 ] || set -- kernels programs initramfs boots report
for phase in "$@"; do
	case "$phase" in
	kernels | programs | initramfs | boots | report) ;;
	*) die "unknown phase '$phase'; see the comment at the top of $0" ;;
	esac
	"$TOP/scripts/timed.sh" "bench-$phase" "$0" --phase "$phase"
done
