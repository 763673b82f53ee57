# shellcheck shell=sh
# TAP helpers for the shell tests in tests.d, sourced by them.
#   check DESCRIPTION COMMAND...  one test: ok when COMMAND succeeds, else
#                                 not ok with COMMAND's output as comments
#   skip DESCRIPTION REASON       one test, skipped for REASON
#   is GOT EXPECTED               succeeds when the two strings are equal
#   tap_exit                      exit 0 when every check passed, else 1
#   shmem_kb NODE                 the node's Shmem in kB
#   need_spm_node_attr DAX        skip the whole test (1..0, exit) when
#                                 dax device DAX has no spm_node

tap_n=0
tap_failed=0
check() {
	desc=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@" >/tmp/tap-check.out 2>&1; then
		echo "ok $tap_n $desc"
	else
		echo "not ok $tap_n $desc"
		sed 's/^/# /' /tmp/tap-check.out
		tap_failed=1
	fi
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1 # SKIP $2"
}

# The spm_node attribute comes with a later patch than the SPM node
# state: the boot walk's commits in between skip the tests that use it.
need_spm_node_attr() {
	[ -e "/sys/bus/dax/devices/$1/spm_node" ] && return
	echo "1..0 # SKIP the dax devices have no spm_node attribute in this kernel"
	exit 0
}

is() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }

tap_exit() { exit "$tap_failed"; }

# Per-node counters are batched per CPU: fold the batches in before reading.
shmem_kb() {
	echo 1 >/proc/sys/vm/stat_refresh
	sed -n 's/.*Shmem: *\([0-9]*\) kB/\1/p' "/sys/devices/system/node/node$1/meminfo"
}
