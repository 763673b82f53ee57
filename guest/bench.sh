#!/bin/sh
# The workloads of make bench (scripts/run-bench.sh), run once per boot.
# Every result is one console line "bench: NAME VALUE UNIT ..." that the
# runner collects; the module's lines come from the kernel log, which the
# runner keeps off the console (loglevel=5) so that lines never interleave.
# Times are guest time: under -icount they count executed instructions.

topology=flat
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	spmdev.topology=*) topology=${arg#spmdev.topology=} ;;
	esac
done
bin=/spm-devpriv/bin

# iomem_bytes NAME: the bytes of the physical address space that the
# resources called NAME take in /proc/iomem.
iomem_bytes() {
	total=0
	while read -r range _ name; do
		[ "$name" = "$1" ] || continue
		total=$((total + 0x${range#*-} - 0x${range%-*} + 1))
	done </proc/iomem
	echo "$total"
}

# The device-private memory test_hmm created, in bytes: one resource per
# chunk on the base, one line per pagemap in debugfs with series B (its
# are the only pagemaps before bench_mm is loaded).
hmm_devmem_bytes() {
	pgmaps=/sys/kernel/debug/device_private_pgmaps
	if [ -e "$pgmaps" ]; then
		awk '!/^#/ { n += $2 } END { print n * 4096 }' "$pgmaps"
	else
		iomem_bytes hmm_dmirror
	fi
}

echo "bench: kernel $(uname -r) topology $topology"
rc=0
"$bin/pagefault" 1 8 || rc=1
"$bin/pagefault" 2 8 || rc=1
if [ "$topology" = flat ]; then
	"$bin/hmm-roundtrip" 6 || rc=1
	echo "bench: hmm_devmem_bytes $(hmm_devmem_bytes) bytes"
	echo "bench: hmm_phys_bytes $(iomem_bytes hmm_dmirror) bytes"
	[ ! -e /sys/kernel/debug/device_private_pgmaps ] ||
		sed 's/^/device_private_pgmaps: /' /sys/kernel/debug/device_private_pgmaps
fi

# The SPM node of the spm topology is node 2 (the first of eight on spm8),
# and node 1 a SysRAM node without CPUs like it; flat has no second node.
params=
case "$topology" in
spm | spm8) params="spm_nid=2 sysram_nid=1" ;;
esac
dmesg -c >/dev/null
# shellcheck disable=SC2086 # the module parameters are separate words
if insmod /spm-devpriv/bench_mm.ko $params; then
	dmesg | grep -o 'bench: .*'
	echo "bench: devpriv_phys_bytes_per_gib $(iomem_bytes bench_mm) bytes"
	rmmod bench_mm || rc=1
else
	dmesg | tail -n 20
	rc=1
fi
exit "$rc"
