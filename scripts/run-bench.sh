#!/usr/bin/env bash
# run-bench.sh [PHASE...]: the A/B benchmark of make bench. Builds the base
# and the tip (branch devpriv) from the same non-debug fragments, builds
# the workloads against each, boots the two kernels alternately on the
# flat and spm topologies and writes bench/results/results.md and
# bench/results/bench.png. Phases, in order (default: all of them):
#
#   kernels    base and tip in build/obj/bench-{base,tip} (under the build lock)
#   programs   bench/src statically, bench/module against each kernel
#   initramfs  busybox, guest/init and the bench files, one per kernel
#   boots      BENCH_ROUNDS rounds (default 5) of base, tip on each topology
#   report     the table and the plot from the boots' logs
#
#   BENCH_ROUNDS    rounds of boots (at least 5 for the published numbers)
#   BENCH_ICOUNT    QEMU -icount shift (default 0: one instruction per ns)
#   BENCH_TOPOLOGIES  topologies to boot (default "flat spm")
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

rounds=${BENCH_ROUNDS:-5}
icount=${BENCH_ICOUNT:-0}
topologies=${BENCH_TOPOLOGIES:-"flat spm"}
kernels="base tip"
out=$BUILD/bench
results=$TOP/bench/results
lock=${KBUILD_LOCK:-/tmp/kbuild.lock}
fragments=("$TOP/configs/guest.config" "$TOP/configs/bench.config")

# The base is the root commit of the kernel repository, the tip the top of
# the series stack; each builds in a work tree of its own, so that
# neither depends on what build/linux has checked out.
tree_of() {
	case "$1" in
	base) check_worktree bench-base "$(ktree_git rev-list --max-parents=0 HEAD)" ;;
	tip) check_worktree bench-tip "$(series_ref "${SERIES_LIST##* }")" ;;
	esac
}

phase_kernels() {
	local k tree series check overridden
	mkdir -p "$out"
	for k in $kernels; do
		tree=$(tree_of "$k")
		series=$out/$k.series.config
		series_options "$tree" "$series"
		# bench.config turns off what the earlier fragments turn on
		# (KUnit): check every option of the others that it leaves
		# alone, and all of its own.
		check=$out/$k.check.config
		overridden=$(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' "${fragments[1]}" |
			paste -sd'|')
		cat "${fragments[0]}" "$series" | grep -vE "^($overridden)=" >"$check" || true
		cat "${fragments[1]}" >>"$check"
		# Every kernel build on the machine takes the build lock.
		LINUX_DIR=$tree CHECK_FRAGMENTS=$check KBUILD_TARGETS="bzImage modules" \
			flock "$lock" "$TOP/scripts/build-kernel.sh" "bench-$k" \
			"${fragments[0]}" "$series" "${fragments[1]}"
	done
}

kernel_obj() {
	printf '%s/obj/bench-%s\n' "$BUILD" "$1"
}

phase_programs() {
	local k mod
	mkdir -p "$out/bin"
	gcc -O2 -Wall -Wextra -Werror -static -pthread -o "$out/bin/pagefault" \
		"$TOP/bench/src/pagefault.c"
	# test_hmm's ioctls are the same on the base and the tip.
	gcc -O2 -Wall -Wextra -Werror -static -I "$(tree_of base)/lib" \
		-o "$out/bin/hmm-roundtrip" "$TOP/bench/src/hmm-roundtrip.c"
	for k in $kernels; do
		[ -f "$(kernel_obj "$k")/Module.symvers" ] ||
			die "no bench-$k kernel (run: $0 kernels)"
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
