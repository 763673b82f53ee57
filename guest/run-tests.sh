#!/bin/sh
# Runs every test program in /spm-devpriv/tests.d in order. Each program
# prints TAP (or KTAP) on stdout; its output is shown between marker lines
# that the host (scripts/summarize.py) cuts the console log at, so that
# kernel messages printed while the test runs never land inside its TAP;
# a line after the end marker says how many seconds the program took.
# A program runs on the topologies its "# topology: NAME..." line names,
# or on spm only when it has none; spmdev.tests=NAME,... on the kernel
# command line runs only the programs it names, spmdev.skip=NAME,... all
# but those.
# The exit status is 0 only when every program exited 0.
# SPMDEV_ROOT, SPMDEV_CMDLINE and TMPDIR stand in for /spm-devpriv,
# /proc/cmdline and /tmp in the harness's test of this selection.

root=${SPMDEV_ROOT:-/spm-devpriv}
cmdline=${SPMDEV_CMDLINE:-/proc/cmdline}
out=${TMPDIR:-/tmp}
topology=$(sed -n 's/.*spmdev.topology=\([^ ]*\).*/\1/p' "$cmdline")
only=$(sed -n 's/.*spmdev.tests=\([^ ]*\).*/\1/p' "$cmdline")
skip=$(sed -n 's/.*spmdev.skip=\([^ ]*\).*/\1/p' "$cmdline")
rc=0
for t in "$root"/tests.d/*; do
	[ -x "$t" ] || continue
	want=$(sed -n 's/^# topology: //p' "$t")
	case " ${want:-spm} " in
	*" ${topology:-spm} "*) ;;
	*) continue ;;
	esac
	name=${t##*/}
	case ",${only:-$name}," in
	*",$name,"*) ;;
	*) continue ;;
	esac
	case ",$skip," in
	*",$name,"*) continue ;;
	esac
	echo "spm-devpriv: running $name"
	read -r t0 _ </proc/uptime
	"$t" >"$out/$name.out" 2>&1
	status=$?
	read -r t1 _ </proc/uptime
	echo "spm-devpriv-test-begin: $name"
	cat "$out/$name.out"
	echo "spm-devpriv-test-end: $name $status"
	echo "spm-devpriv: $name took $((${t1%.*} - ${t0%.*})) s"
	[ "$status" -eq 0 ] || rc=1
done
exit "$rc"
