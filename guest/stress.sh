#!/bin/sh
# stress.sh [-t] SECONDS: runs every program of /spm-devpriv/stress.d in
# turn, each for its share of SECONDS (its "# share: PERCENT" line). The
# programs run one after the other, not together: each checks the state
# it leaves (node 2 online, the device-private address space, kmemleak),
# which another program changing the same state at the same time would
# blur.
# Each program's TAP is printed between the same marker lines as
# run-tests.sh prints, so that scripts/summarize.py folds both the same
# way; with -t (the short slice in tests.d) they are nested instead, as
# the subtests of one TAP stream.
# Exit status 0 only when every program exited 0.

nested=
[ "${1:-}" = -t ] && { nested=1; shift; }
total=${1:-1200}
kml=/sys/kernel/debug/kmemleak

# kmemleak's baseline: what it suspects now (from the boot and from
# earlier tests; the boot's KUnit slub_test leaks one object on purpose)
# is shown here and cleared, so that the final scan (90-leaks) reports
# only what the stress itself leaked. Two scans: an object is reported
# once its contents stayed the same over a whole scan. The kmsg markers
# tell scripts/check-splats.sh that these reports are the baseline's
# (and the list printed here does not say "unreferenced object", which
# would count as a leak report).
if [ -e "$kml" ]; then
	echo "spm-devpriv: kmemleak baseline" >/dev/kmsg
	echo scan >"$kml"
	echo scan >"$kml"
	echo "# kmemleak baseline: $(grep -c '^unreferenced object' "$kml") suspects from before the stress, cleared:"
	grep -A12 '^unreferenced object' "$kml" | grep -e '^unreferenced' -e '^    [a-z_]' |
		grep -v -e kmemleak_alloc -e 'kmem_cache_alloc\|kmalloc' | head -n 40 |
		sed -e 's/^unreferenced object/suspect/' -e 's/^/#   /'
	echo clear >"$kml"
	echo "spm-devpriv: kmemleak baseline done" >/dev/kmsg
fi

# The programs run in a memory cgroup whose memory.high is below what they
# use, so that their memory keeps going to swap (zswap and the disk) and
# coming back while they work; the last test says how much did.
cg=/sys/fs/cgroup/stress
vm() { sed -n "s/^$1 //p" /proc/vmstat; }
swapped() { echo $(($(vm pswpout) + $(vm zswpout))); }
swap=
if grep -q '^/dev/vda ' /proc/swaps; then
	swap=$(swapped)
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p "$cg"
	echo 96M >"$cg/memory.high"
	echo $$ >"$cg/cgroup.procs"
fi

rc=0 n=0 worked=
progs=$(for t in /spm-devpriv/stress.d/*; do [ -x "$t" ] && echo "$t"; done)
[ -n "$nested" ] && printf 'TAP version 13\n1..%s\n' "$(($(echo "$progs" | wc -l) + 1))"
for t in $progs; do
	share=$(sed -n 's/^# share: //p' "$t")
	name=${t##*/}
	n=$((n + 1))
	seconds=$((total * ${share:-0} / 100))
	echo "spm-devpriv: running $name for ${seconds}s" >/dev/kmsg
	STRESS_SECONDS=$seconds "$t" >/tmp/"$name".out 2>&1
	status=$?
	skip=$(sed -n 's/^1\.\.0 # SKIP //p' /tmp/"$name".out)
	# A program that ran for a share of the time used memory.
	[ -z "$skip" ] && [ "$seconds" -gt 0 ] && worked=1
	if [ -n "$nested" ]; then
		if [ -n "$skip" ] && [ "$status" -eq 0 ]; then
			# kunit.py takes a subtest without cases for a failure
			echo "ok $n $name # SKIP $skip"
			continue
		fi
		sed 's/^/    /' /tmp/"$name".out
		if [ "$status" -eq 0 ]; then echo "ok $n $name"; else echo "not ok $n $name"; fi
	else
		echo "spm-devpriv-test-begin: $name"
		cat /tmp/"$name".out
		echo "spm-devpriv-test-end: $name $status"
	fi
	[ "$status" -eq 0 ] || rc=1
done

result="ok" desc="swapping # SKIP no swap device" pages=0
if [ -n "$swap" ]; then
	echo $$ >/sys/fs/cgroup/cgroup.procs
	rmdir "$cg"
	pages=$(($(swapped) - swap))
	if [ -z "$worked" ]; then
		desc="swapping # SKIP every program that uses memory skipped"
	else
		desc="the programs' memory went to swap: $pages pages"
		[ "$pages" -gt 0 ] || { result="not ok"; rc=1; }
	fi
fi
if [ -n "$nested" ]; then
	echo "$result $((n + 1)) $desc"
else
	echo "spm-devpriv-test-begin: swapping"
	printf 'TAP version 13\n1..1\n%s 1 %s\n' "$result" "$desc"
	echo "# figure: swapped-pages $pages"
	echo "spm-devpriv-test-end: swapping $([ "$result" = ok ] && echo 0 || echo 1)"
fi
exit "$rc"
