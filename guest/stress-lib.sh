# shellcheck shell=dash
# Helpers of the stress programs in stress.d, sourced after tap.sh.
#   STRESS_SECONDS     the program's time budget in seconds (stress.sh sets it)
#   time_left          seconds left of the budget
#   figure NAME VALUE  one figure as a TAP comment: "# figure: NAME VALUE";
#                      the host adds them up over the run (make stress)
#   kmsg TEXT          TEXT in the kernel log, so that the console shows
#                      it in order with the kernel's own messages
#   fault_arm / fault_disarm / faults_injected / fail_nth
#                      fault injection, see below

uptime_s() { read -r up _ </proc/uptime; echo "${up%.*}"; }
stress_end=$(($(uptime_s) + ${STRESS_SECONDS:-60}))
time_left() { echo $((stress_end - $(uptime_s))); }
figure() { echo "# figure: $1 $2"; }
kmsg() { echo "spm-devpriv: $*" >/dev/kmsg; }

# node_kb NODE FIELD: a field of the node's meminfo, in kB; 0 when the
# node has no directory (a node without memory or CPUs goes away).
node_kb() {
	f=/sys/devices/system/node/node$1/meminfo
	if [ -e "$f" ]; then
		sed -n "s/^Node $1 $2: *\([0-9]*\) kB/\1/p" "$f"
	else
		echo 0
	fi
}
# dax_of NODE: the dax device whose target is NODE.
dax_of() {
	for d in /sys/bus/dax/devices/dax*; do
		[ "$(cat "$d/target_node")" = "$1" ] && { echo "${d##*/}"; return; }
	done
}
# pages_on_node NODE PID...: pages the processes have on NODE, from
# numa_maps (processes that exit meanwhile count nothing).
pages_on_node() {
	node=$1
	shift
	n=0
	for p in "$@"; do
		c=$(sed -n "s/.* N$node=\([0-9]*\).*/\1/p" "/proc/$p/numa_maps" 2>/dev/null |
			awk '{ n += $1 } END { print n + 0 }')
		n=$((n + ${c:-0}))
	done
	echo "$n"
}

# Fault injection. failslab and fail_page_alloc fail every kind of
# allocation (the defaults skip those that may sleep and order 0 pages,
# which is nearly everything the code under test allocates). They are
# armed with probability 0: nothing fails until a task asks for it, with
# /proc/thread-self/fail-nth (the Nth allocation of this thread fails) or
# with /proc/self/make-it-fail and a probability (task-filter). "times"
# counts down every injected fault, which is how they are counted.
# Each failure prints one FAULT_INJECTION line (verbose 1, no stack);
# the kmsg markers around the armed time let scripts/check-splats.sh
# tell the allocator's own failure reports (warn_alloc) from splats.
fault_dbg=/sys/kernel/debug
# fault_any_stack ATTR: no call chain filter. The filter applies to
# fail-nth too, and its "none" is require-start 0, require-end ~0UL.
fault_any_stack() {
	echo 0 >"$fault_dbg/$1/require-start"
	echo 0xffffffffffffffff >"$fault_dbg/$1/require-end"
}
fault_times=1000000
fault_arm() {
	for a in failslab fail_page_alloc; do
		echo 0 >"$fault_dbg/$a/probability"
		echo 1 >"$fault_dbg/$a/interval"
		echo "$fault_times" >"$fault_dbg/$a/times"
		echo 1 >"$fault_dbg/$a/verbose"
		echo N >"$fault_dbg/$a/ignore-gfp-wait"
		echo N >"$fault_dbg/$a/task-filter"
		fault_any_stack "$a"
	done
	echo N >"$fault_dbg/fail_page_alloc/ignore-gfp-highmem"
	echo 0 >"$fault_dbg/fail_page_alloc/min-order"
	kmsg "fault injection armed"
}
fault_disarm() {
	for a in failslab fail_page_alloc; do
		echo 0 >"$fault_dbg/$a/probability"
		fault_any_stack "$a"
	done
	kmsg "fault injection disarmed"
}
# faults_injected: faults injected since fault_arm.
faults_injected() {
	echo $((2 * fault_times - $(cat "$fault_dbg/failslab/times") -
		$(cat "$fault_dbg/fail_page_alloc/times")))
}
# fail_nth N FILE VALUE: write VALUE to FILE with the Nth allocation of
# the writing thread failing; prints "RC LEFT": the write's exit status
# and what is left of N (0: the fault was injected). FILE and the
# fail-nth file are opened before N is set, so that only the write
# itself counts.
fail_nth() {
	(
		exec 3>"$2" 4<>/proc/thread-self/fail-nth 2>/dev/null || exit 1
		echo "$1" >&4
		rc=0
		echo "$3" >&3 || rc=1
		read -r left <&4
		echo 0 >&4
		echo "$rc $left"
	)
}
