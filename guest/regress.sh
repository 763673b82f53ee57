#!/bin/sh
# Mode regress (make regress): the kernel's own selftests of what the series
# change, and numactl's test suite, on the base and on the tip alike. Each
# run is a section between marker lines that scripts/regress-report.py
# reads:
#   spm-devpriv-regress-begin: NAME
#   ... the program's output (TAP where it prints TAP) ...
#   spm-devpriv-regress-end: NAME STATUS SECONDS
# /regress holds mm/ and cgroup/ (the selftests built from the booted
# kernel's tree) and numactl/ (Debian's numactl built with its tests).
# REGRESS_MM in /regress/settings names the run_vmtests.sh categories and
# the seconds each may take.

R=/regress
# shellcheck source=/dev/null
. "$R/settings"
export PATH="$PATH:$R/numactl"

now() { read -r up _ </proc/uptime; echo "${up%.*}"; }

# section NAME LIMIT COMMAND...: run COMMAND for at most LIMIT seconds.
section() {
	name=$1 limit=$2
	shift 2
	echo "spm-devpriv-regress-begin: $name"
	t0=$(now)
	timeout -s KILL "$limit" "$@" </dev/null 2>&1
	rc=$?
	echo "spm-devpriv-regress-end: $name $rc $(($(now) - t0))"
}

echo 1 >/proc/sys/vm/mem_profiling 2>/dev/null

cd "$R/mm" || exit 1
for entry in $REGRESS_MM; do
	section "mm/${entry%:*}" "${entry#*:}" bash ./run_vmtests.sh -t "${entry%:*}"
done
# run_vmtests.sh's own hmm entry loads test_hmm as a module, which this
# kernel has built in: hmm-tests runs by itself.
echo 8 >/proc/sys/vm/nr_hugepages
section mm/hmm-tests 900 ./hmm-tests
echo 0 >/proc/sys/vm/nr_hugepages

cd "$R/cgroup" || exit 1
for t in test_cpuset test_memcontrol test_kmem; do
	section "cgroup/$t" 900 "./$t"
done
section cgroup/test_cpuset_prs.sh 1200 bash ./test_cpuset_prs.sh

# numactl's "make check" (its TESTS list), run where it was built.
cd "$R/numactl" || exit 1
export builddir=. srcdir=.
for t in bind_range checkaffinity checktopology distance move_pages nodemap \
	numademo regress tbitmap; do
	section "numactl/$t" 900 "./test/$t"
done
echo "spm-devpriv-regress-done"
