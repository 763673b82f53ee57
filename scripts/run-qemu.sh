#!/usr/bin/env bash
# run-qemu.sh [options]: boot a built kernel with the test initramfs on a
# named NUMA topology, save the whole console log, and exit with the
# guest's status (0, or 1 when a test failed). A guest that stopped
# without a status, or a log that shows a kernel splat, exits 2 (even
# when the guest reported success); one that ran out of time, 124.
#
#   -k KERNEL     bzImage (default: build/obj/test/arch/x86/boot/bzImage)
#   -i INITRD     initramfs (default: build/initramfs.cpio)
#   -t TOPOLOGY   spm (default) | spm8 | flat | bigmem | smallphys | cxl
#   -m MODE       test (default) | demo | shell | probe
#   -l LOG        console log (default: build/logs/MODE-TOPOLOGY.log)
#   -T SECONDS    time limit (default: 2700 on "spm" and "cxl", whose
#                 boots run the whole guest suite in about 25 and 20
#                 minutes on 2 cores, a slow host more; 1500 on the others)
#   -a ARGS       extra kernel command line
#   -c CPUS       CPUs of node 0 on "spm" and "cxl" (default 3)
#   -n            boot nothing: exit 0 if this QEMU can boot the topology,
#                 else print why not and exit 1
#
# QEMU=PROGRAM runs another qemu-system-x86_64 than the one in PATH. When
# the one in PATH is older than 8, the default is the QEMU 10.0 that
# install-deps.sh unpacked from the backports suite, with its own firmware
# and modules: the cxl topology needs it, and under TCG QEMU 7.2 sometimes
# runs a CPU into a breakpoint the kernel's text patching has just removed
# (docs/status.md). Without it, every topology but cxl boots on 7.2.
# ACCEL=tcg|kvm|auto (default auto: KVM only when a short probe boot
# under it succeeds on this machine; the answer is cached in build/).
# ICOUNT=SHIFT runs TCG with -icount shift=SHIFT,sleep=off: the guest's
# clock then counts executed instructions (2^SHIFT ns each) instead of
# following the host's, so timings do not depend on the host's load.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=$BUILD/obj/test/arch/x86/boot/bzImage
initrd=$BUILD/initramfs.cpio
topology=spm
mode="test"
log=
limit=
extra=
cpus=3
dry=
while getopts k:i:t:m:l:T:a:c:n opt; do
	case "$opt" in
	k) kernel=$OPTARG ;;
	i) initrd=$OPTARG ;;
	t) topology=$OPTARG ;;
	m) mode=$OPTARG ;;
	l) log=$OPTARG ;;
	T) limit=$OPTARG ;;
	a) extra=$OPTARG ;;
	c) cpus=$OPTARG ;;
	n) dry=1 ;;
	*) die "unknown option; see the comment at the top of $0" ;;
	esac
done
case "$limit:$topology" in
:spm | :cxl) limit=2700 ;;
:*) limit=1500 ;;
esac
qemu_dirs=()
path_major=$(qemu_version qemu-system-x86_64)
path_major=${path_major%%.*}
if [ -z "${QEMU:-}" ] && [ "${path_major:-0}" -lt 8 ] &&
	[ -x "$QEMU_BACKPORTS/usr/bin/qemu-system-x86_64" ]; then
	QEMU=$QEMU_BACKPORTS/usr/bin/qemu-system-x86_64
	qemu_dirs=(-L "$QEMU_BACKPORTS/usr/share/qemu" -L "$QEMU_BACKPORTS/usr/share/seabios")
	QEMU_MODULE_DIR=$(echo "$QEMU_BACKPORTS"/usr/lib/*/qemu)
	export QEMU_MODULE_DIR
fi
QEMU=${QEMU:-qemu-system-x86_64}

# Topologies. spm: node 0 = 3 CPUs + 2 GiB (the kernel's migration selftest wants 3), node 1 = 1 GiB memory-only,
# node 2 = 1 GiB at 0x100000000 (above the PCI hole) that the memmap=
# parameter retypes to Soft Reserved, so that node 2 is possible but empty
# at boot and gets memory only when dax_hmem + dax/kmem hot-add it;
# spm_nodes=2 reserves it for SPM on kernels that have the option. Node 3
# has neither CPUs nor memory: the firmware gives it the hotplug range, so
# it is possible but empty, a node for drivers to type before memory
# arrives. A 256 MiB pc-dimm sits in that range at 0x140000000, where no
# driver of the guest config adds it: tests hot-add it themselves, into
# node 2 or 3 (spmdev.hotplug=START,SIZE,NODE tells them where). 128 MiB
# of node 1 at 0xb0000000 are Soft Reserved too: a dax device on a SysRAM
# node, which dax/kmem adds to node 1 at boot, for the dax spm_node tests.
# shellcheck disable=SC2054 # QEMU's own arguments contain commas
case "$topology" in
spm)
	machine=(-smp "$cpus" -m 4G,slots=2,maxmem=5G
		-object memory-backend-ram,id=m0,size=2G
		-object memory-backend-ram,id=m1,size=1G
		-object memory-backend-ram,id=m2,size=1G
		-numa node,nodeid=0,cpus=0-$((cpus - 1)),memdev=m0
		-numa node,nodeid=1,memdev=m1
		-numa node,nodeid=2,memdev=m2
		-numa node,nodeid=3
		-object memory-backend-ram,id=hp0,size=256M
		-device pc-dimm,id=dimm0,memdev=hp0,node=3)
	topo_args="memmap=1G%0x100000000-1+0xefffffff"
	topo_args+=" memmap=128M%0xb0000000-1+0xefffffff spm_nodes=2"
	topo_args+=" spmdev.hotplug=0x140000000,0x10000000,2"
	# Memory hot-added while a node has kernel memory goes to
	# ZONE_MOVABLE, as far as the node's kernel memory can carry it:
	# node 1's dax range is then movable, and no unmovable allocation
	# (KASAN's shadow of the next block, say) pins it where the dax
	# tests take it back. Node 2, SPM with no boot memory, still gets
	# kernel zones.
	topo_args+=" memory_hotplug.online_policy=auto-movable"
	# Device-coherent memory for test_hmm's devices 2 and 3: 2 x 256 MiB
	# of node 0 that the firmware map marks reserved, so that neither
	# the page allocator nor dax_hmem takes it before test_hmm does.
	topo_args+=" memmap=512M\$0x40000000"
	topo_args+=" test_hmm.spm_addr_dev0=0x40000000 test_hmm.spm_addr_dev1=0x50000000"
	;;
spm8)
	# "spm" with eight SPM nodes of 128 MiB (nodes 2 to 9) in place of
	# its one of 1 GiB, each a Soft Reserved range of its own that
	# dax_hmem and dax/kmem bring online at boot; for make bench, to
	# show what the number of SPM nodes costs.
	machine=(-smp "$cpus" -m 4G
		-object memory-backend-ram,id=m0,size=2G
		-object memory-backend-ram,id=m1,size=1G
		-numa node,nodeid=0,cpus=0-$((cpus - 1)),memdev=m0
		-numa node,nodeid=1,memdev=m1)
	topo_args=
	for n in 2 3 4 5 6 7 8 9; do
		machine+=(-object "memory-backend-ram,id=m$n,size=128M"
			-numa "node,nodeid=$n,memdev=m$n")
		topo_args+=" memmap=128M%$(printf '%#x' $((0x100000000 + (n - 2) * 0x8000000)))-1+0xefffffff"
	done
	topo_args+=" memmap=128M%0xb0000000-1+0xefffffff spm_nodes=2-9"
	topo_args+=" memory_hotplug.online_policy=auto-movable memmap=512M\$0x40000000"
	;;
flat)
	machine=(-smp 2 -m 2G)
	topo_args=
	;;
bigmem)
	# One node with room for the struct pages of a device-private
	# pagemap over 128 GiB (2 GiB of them) next to KASAN's shadow.
	machine=(-smp 2 -m 6G)
	topo_args=
	;;
smallphys)
	# 32 physical address bits: the PCI window leaves no free physical
	# address space for device-private memory on the base kernel. No
	# 64-bit PCI window: it could not be addressed anyway, and QEMU 8.1
	# and later refuse a machine whose address space ends above what
	# phys-bits reach (7.2 let it be).
	machine=(-smp 2 -m 1G -cpu qemu64,phys-bits=32
		-global i440FX-pcihost.pci-hole64-size=0)
	topo_args=
	;;
cxl)
	# The SysRAM nodes of "spm" (node 0 with the CPUs, node 1 memory
	# only) and CXL memory: a CXL host bridge (pxb-cxl, which needs the
	# q35 machine) with one root port and a type-3 device holding 1 GiB
	# of volatile memory, and a fixed memory window (CFMWS) of 4 GiB
	# decoding to that host bridge. No memory of the device is mapped at boot: an administrator
	# (or the test) creates a ram region in the window, and its dax
	# device brings the memory online into the node the kernel gives the
	# window (the first free one, 2 here). Hot-added memory is onlined as
	# on "spm".
	machine=(-machine q35,cxl=on -smp "$cpus" -m 3G
		-object memory-backend-ram,id=m0,size=2G
		-object memory-backend-ram,id=m1,size=1G
		-numa node,nodeid=0,cpus=0-$((cpus - 1)),memdev=m0
		-numa node,nodeid=1,memdev=m1
		-object memory-backend-ram,id=cxl-vmem0,size=1G
		-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.0
		-device cxl-rp,port=0,bus=cxl.0,id=cxl-rp0,chassis=0,slot=0
		-device cxl-type3,bus=cxl-rp0,volatile-memdev=cxl-vmem0,id=cxl-mem0
		-machine cxl-fmw.0.targets.0=cxl.0,cxl-fmw.0.size=4G)
	topo_args="memory_hotplug.online_policy=auto-movable"
	;;
*) die "unknown topology '$topology' (spm, spm8, flat, bigmem, smallphys, cxl)" ;;
esac

# Why $QEMU cannot boot the topology; nothing when it can.
cannot_boot() {
	local version
	version=$(qemu_version "$QEMU")
	if [ -z "$version" ]; then
		echo "$QEMU does not run (run: make deps)"
	elif [ "$topology" = cxl ] && [ "${version%%.*}" -lt 8 ]; then
		echo "topology cxl needs QEMU 8 or later (volatile CXL memory), $QEMU is $version," \
			"and scripts/install-deps.sh could not unpack QEMU 10.0 from Debian's backports suite" \
			"(run: make deps)"
	fi
}
why=$(cannot_boot)
if [ -n "$dry" ]; then
	[ -z "$why" ] || { echo "$why"; exit 1; }
	exit 0
fi
[ -z "$why" ] || die "$why"
[ -f "$kernel" ] || die "no kernel at $kernel (run: make kernel)"
[ -f "$initrd" ] || die "no initramfs at $initrd (run: make initramfs)"
log=${log:-$BUILD/logs/$mode-$topology.log}
mkdir -p "$(dirname "$log")"

# What a distribution's users turn on at boot, in every boot but the
# benchmark's: page_owner and page table checks (allocation profiling is
# on by default where it is built in), and zswap in front of the swap
# disk, a sparse file of its own per boot on the first virtio disk. The
# disk's interrupt is routed from QEMU's PIRQ table (acpi=noirq): the
# ACPI _PRT method that would route it runs so slowly in the debug kernel
# that its AML loop times out and the boot CPU reports a soft lockup.
distro_args=
disk=()
if [ "$mode" != bench ] && [ "$mode" != probe ]; then
	distro_args="page_owner=on page_table_check=on zswap.enabled=1 acpi=noirq"
	swap_img=$(mktemp "$BUILD/swap-XXXXXX.img")
	trap 'rm -f "$swap_img"' EXIT
	truncate -s 1G "$swap_img"
	disk=(-drive "file=$swap_img,if=virtio,format=raw,cache=unsafe")
	# if=virtio plugs into the last PCI bus, on "cxl" the CXL host bridge,
	# which takes bridges only.
	# shellcheck disable=SC2054 # QEMU's own arguments contain commas
	[ "$topology" != cxl ] || disk=(-drive "file=$swap_img,if=none,id=swap,format=raw,cache=unsafe"
		-device virtio-blk-pci,drive=swap,bus=pcie.0)
fi

cmdline="console=ttyS0 panic=-1 spmdev.mode=$mode spmdev.topology=$topology $topo_args"
cmdline+=" $distro_args $extra"

qemu_cmd() {
	local accel=$1
	printf '%s\0' "$QEMU" "${qemu_dirs[@]}" -accel "$accel" -nodefaults -display none \
		-no-reboot -kernel "$kernel" -initrd "$initrd" "${machine[@]}" \
		"${icount_args[@]}" "${disk[@]}"
}

probe_kvm() {
	local cache=$BUILD/kvm-probe
	if [ -f "$cache" ]; then
		cat "$cache"
		return
	fi
	local answer=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		if timeout -k 5 20 "$QEMU" "${qemu_dirs[@]}" -accel kvm -nodefaults -display none \
			-no-reboot -kernel "$kernel" -initrd "$initrd" -smp 1 -m 512M \
			-serial stdio -append "console=ttyS0 panic=-1 spmdev.mode=probe" \
			</dev/null 2>/dev/null | grep -q '^spm-devpriv-exit: 0'; then
			answer=kvm
		fi
	fi
	echo "$answer" >"$cache"
	echo "$answer"
}

accel=${ACCEL:-auto}
icount_args=()
if [ -n "${ICOUNT:-}" ]; then
	# KVM cannot count instructions, and icount needs one TCG thread.
	[ "$accel" != kvm ] || die "ICOUNT needs ACCEL=tcg"
	accel=tcg-icount
	icount_args=(-icount "shift=$ICOUNT,sleep=off")
fi
[ "$accel" = auto ] && accel=$(probe_kvm)
case "$accel" in
tcg-icount) accel_arg=tcg,thread=single ;;
tcg) accel_arg=tcg,thread=multi ;;
kvm) accel_arg=kvm ;;
*) die "ACCEL must be tcg, kvm or auto" ;;
esac

mapfile -d '' cmd < <(qemu_cmd "$accel_arg")
note "booting $kernel: topology $topology, mode $mode, $accel, QEMU $(qemu_version "$QEMU"), limit ${limit}s"
note "console log: $log"
rc=0
if [ "$mode" = shell ]; then
	"${cmd[@]}" -serial mon:stdio -append "$cmdline" 2>&1 | tee "$log" || rc=$?
	exit "$rc"
fi
# The terminal gets the whole console, or with QEMU_CONSOLE=userspace only
# what the guest's programs print (and kernel messages from then on), or
# nothing with QEMU_CONSOLE=none. The log file always gets everything.
show() {
	case "${QEMU_CONSOLE:-all}" in
	all) cat ;;
	userspace) sed -n '/^spm-devpriv: userspace started/,$p' ;;
	none) cat >/dev/null ;;
	*) die "QEMU_CONSOLE must be all, userspace or none" ;;
	esac
}
boot() {
	rc=0
	timeout -k 10 "$limit" "${cmd[@]}" -serial stdio -append "$cmdline" </dev/null 2>&1 |
		tee "$log" | show || rc=$?
}
boot
# QEMU 10.0.2 aborted once on "cxl" (2026-12-07), an assertion of its
# MSI-X table emulation failing while the kernel enumerated the CXL root
# port. A boot that QEMU itself ended that way before the guest's
# userspace started is booted once more; the first log is kept.
if grep -q '^[^ ]*qemu-system-[^ ]*: .*Assertion .* failed' "$log" &&
	! grep -q '^spm-devpriv: userspace started' "$log"; then
	grep 'Assertion' "$log" >&2
	mv "$log" "$log.qemu-abort"
	note "QEMU aborted before the guest's userspace started (log: $log.qemu-abort): booting again"
	boot
fi

status=$(sed -n 's/^spm-devpriv-exit: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ "$rc" -eq 124 ]; then
	tail -n 30 "$log" >&2
	note "FAILED: the guest did not finish within ${limit}s"
	exit 124
elif [ -z "$status" ]; then
	tail -n 30 "$log" >&2
	note "FAILED: the guest stopped without reporting a status (qemu exit $rc)"
	exit 2
fi
if ! "$TOP/scripts/check-splats.sh" "$log" >&2; then
	note "FAILED: kernel splat in $log"
	exit 2
fi
[ "$status" -eq 0 ] || note "the guest reported status $status"
exit "$status"
