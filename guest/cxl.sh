# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # the settings are for the tests sourcing
# this, and $root, $ep and $region are theirs
# Helpers of the CXL tests in tests.d (topology "cxl": one type-3 device
# with 1 GiB of volatile memory, mem0, behind one fixed memory window),
# sourced by them after tap.sh. 29-cxl-spm-region creates the region and
# writes what it found to $CXL_STATE; the SPM tests then run against its
# node; 39-cxl-spm-teardown reads the state back and takes it all down.

CXL=/sys/bus/cxl/devices
NODES=/sys/devices/system/node
CXL_STATE=/tmp/cxl-state
GIB=1073741824

# The root decoder that takes ram regions (its create_ram_region file).
cxl_root_decoder() {
	for d in "$CXL"/decoder0.*; do
		[ -e "$d/create_ram_region" ] && { echo "${d##*/}"; return; }
	done
}

# The first decoder of mem0's endpoint port.
cxl_endpoint_decoder() {
	for e in "$CXL"/endpoint*; do
		[ "$(basename "$(readlink -f "$e/uport")")" = mem0 ] || continue
		for d in "$e"/decoder*.0; do
			[ -e "$d" ] && { echo "${d##*/}"; return; }
		done
	done
}

# The regions under the root decoder $1, one per line.
cxl_regions() {
	for r in "$CXL/$1"/region*; do
		[ -e "$r" ] && echo "${r##*/}"
	done
}

# The dax device of region $1 (daxX.Y), if it has one.
cxl_dax_of() {
	for d in "$CXL/$1"/dax_region*/dax*; do
		[ -e "$d" ] && { echo "${d##*/}"; return; }
	done
}

# Is node $2 in the node list $1 ("0-2,4")?
in_list() {
	for part in $(echo "$1" | tr ',' ' '); do
		lo=${part%-*}
		hi=${part#*-}
		[ "$2" -ge "$lo" ] && [ "$2" -le "$hi" ] && return 0
	done
	return 1
}
# Is node $2 in the node list file $1 of $NODES (has_memory, has_spm)?
in_nodes() { in_list "$(cat "$NODES/$1")" "$2"; }
# The nodes a task allocates from by default (Mems_allowed_list).
default_nodes() { sed -n 's/^Mems_allowed_list:\t*//p' /proc/self/status; }

# Bytes of memory blocks of node $1 that are online.
node_online_bytes() {
	block=$(printf '%d' "0x$(cat /sys/devices/system/memory/block_size_bytes)")
	n=0
	for m in "$NODES/node$1"/memory*; do
		[ -e "$m/state" ] && [ "$(cat "$m/state")" = online ] && n=$((n + 1))
	done
	echo $((n * block))
}

# A write to a sysfs attribute: write_attr FILE VALUE.
write_attr() { echo "$2" >"$1"; }

# fails_with ERROR COMMAND...: the command fails and says ERROR.
fails_with() {
	want=$1
	shift
	if "$@" 2>/tmp/cxl.err; then
		echo "succeeded, expected: $want"
		return 1
	fi
	cat /tmp/cxl.err
	grep -q "$want" /tmp/cxl.err
}

# What must be as it was before any region existed (a line per fact):
# nodes with memory, the SPM nodes, memory blocks, memory in kB, kmem
# ranges, dax devices, the endpoint decoder's DPA.
cxl_snapshot() {
	echo "has_memory $(cat "$NODES/has_memory")"
	echo "memory blocks $(find /sys/devices/system/memory -maxdepth 1 -name 'memory*' | wc -l)"
	grep MemTotal /proc/meminfo
	echo "kmem ranges $(grep -c 'System RAM (kmem)' /proc/iomem)"
	echo "dax devices $(find /sys/bus/dax/devices -mindepth 1 | wc -l)"
	echo "regions $(cxl_regions "$1" | tr '\n' ' ')"
	echo "endpoint dpa_size $(cat "$CXL/$2/dpa_size")"
}

# Creating a ram region, step by step, through sysfs: ndctl 76's "cxl
# create-region" knows pmem regions only ("region type 'ram' not
# supported yet"). Each step uses $root (the root decoder), $ep (mem0's
# endpoint decoder) and $region.
region_new() {
	region=$(cat "$CXL/$root/create_ram_region") &&
		write_attr "$CXL/$root/create_ram_region" "$region" &&
		[ -d "$CXL/$region" ] && echo "$region"
}
region_interleave() {
	write_attr "$CXL/$region/interleave_granularity" \
		"$(cat "$CXL/$root/interleave_granularity")" &&
		write_attr "$CXL/$region/interleave_ways" 1
}
region_dpa() { write_attr "$CXL/$ep/mode" ram && write_attr "$CXL/$ep/dpa_size" "$GIB"; }
region_size() { write_attr "$CXL/$region/size" "$GIB"; }
region_target() { write_attr "$CXL/$region/target0" "$ep"; }
region_commit() { write_attr "$CXL/$region/commit" 1; }
# The region driver creates the dax device, which kmem takes.
region_bind() {
	write_attr /sys/bus/cxl/drivers/cxl_region/bind "$region" &&
		dax=$(cxl_dax_of "$region") && [ -n "$dax" ] &&
		[ "$(basename "$(readlink -f "/sys/bus/dax/devices/$dax/driver")")" = kmem ] &&
		echo "$dax bound to kmem"
}
# All of it, for a region with spm_node $1 (0 or 1).
cxl_ram_region() {
	region_new && write_attr "$CXL/$region/spm_node" "$1" && region_interleave &&
		region_dpa && region_size && region_target && region_commit && region_bind
}

# Take region $1 down the way an administrator does: its memory offline
# (daxctl), then the region disabled, which removes the memory, and
# destroyed (cxl). Each step prints what it did. Not "daxctl
# reconfigure-device -m devdax": daxctl binds device_dax by writing the
# device's name to the driver's new_id, which outlives the region, so that
# the next region's dax device (the same name) goes to device_dax instead
# of kmem.
cxl_offline() {
	dax=$(cxl_dax_of "$1")
	[ -n "$dax" ] || { echo "region $1 has no dax device"; return 1; }
	daxctl offline-memory "$dax"
}
cxl_disable() { cxl disable-region "$1"; }
cxl_destroy() { cxl destroy-region "$1"; }
