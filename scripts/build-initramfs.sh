#!/usr/bin/env bash
# build-initramfs.sh OUTPUT KERNEL_OBJ: the guest's root file system as a
# cpio archive: busybox-static, bash, daxctl, cxl and stress-ng from Debian
# with the shared libraries they need, numactl with patches/numactl and its
# test suite (scripts/build-numactl.sh), guest/ from this repository, the
# test programs from build/guest-bin, and the index of the built-in modules
# of the kernel built in KERNEL_OBJ.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: $0 OUTPUT KERNEL_OBJ"
output=$1
kobj=$2
[ -f "$kobj/modules.builtin" ] || die "no built kernel in $kobj (run: make kernel)"
# The tree is assembled in INITRAMFS_ROOT (default build/initramfs-root).
root=${INITRAMFS_ROOT:-$BUILD/initramfs-root}
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root}

busybox=/bin/busybox
ldd "$busybox" >/dev/null 2>&1 &&
	die "$busybox is dynamically linked: install busybox-static"
install -m 0755 "$busybox" "$root/bin/busybox"
# bash runs numactl's test scripts.
for prog in /usr/bin/daxctl /usr/bin/cxl /usr/bin/stress-ng /bin/bash; do
	copy_with_libs "$root" "$prog"
done
# numactl, numastat, migratepages and memhog with patches/numactl, and
# numactl's test suite (scripts/build-numactl.sh).
numactl=$BUILD/numactl-guest
[ -x "$numactl/usr/bin/numactl" ] ||
	die "no numactl with patches/numactl in $numactl (run: scripts/build-numactl.sh)"
for prog in "$numactl"/usr/bin/*; do
	install -m 0755 "$prog" "$root/usr/bin/"
	copy_libs_of "$root" "$prog"
done

install -m 0755 "$TOP/guest/init" "$root/init"
mkdir -p "$root/spm-devpriv/bin"
cp -r "$TOP/guest/run-tests.sh" "$TOP/guest/demo.sh" "$TOP/guest/tap.sh" "$TOP/guest/cxl.sh" \
	"$TOP/guest/tests.d" \
	"$TOP/guest/demo.d" "$TOP/guest/stress.sh" "$TOP/guest/stress-lib.sh" \
	"$TOP/guest/stress.d" "$root/spm-devpriv/"
cp "$BUILD"/guest-bin/* "$root/spm-devpriv/bin/"
cp -r "$numactl/numactl" "$root/spm-devpriv/"
# The suite's bind_range finds its nodes with grep -P, which busybox lacks:
# 39-spm-numactl-flag puts GNU grep first in the suite's PATH.
install -D -m 0755 /bin/grep "$root/spm-devpriv/numactl/gnu/grep"
while IFS= read -r prog; do
	copy_libs_of "$root" "$prog"
done < <(find "$root/spm-devpriv/numactl" -type f -perm -u+x)
# daxctl asks libkmod whether the dax drivers are built in before it
# loads them: libkmod reads that from the index depmod makes.
release=$(cat "$kobj/include/config/kernel.release")
mkdir -p "$root/lib/modules/$release"
cp "$kobj/modules.builtin" "$kobj/modules.builtin.modinfo" "$root/lib/modules/$release/"
: >"$root/lib/modules/$release/modules.order"
depmod -b "$root" "$release"

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

mkdir -p "$(dirname "$output")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet --null -o -H newc --reproducible) >"$output.new"
mv "$output.new" "$output"
note "wrote $output ($(du -h "$output" | cut -f1))"
