#!/bin/sh
# The demo: runs every script in /spm-devpriv/demo.d in order. Each one
# shows one thing at work, in words a reader of the console can follow.
# A script runs on the topologies its "# topology: NAME..." line names,
# or on spm only when it has none.
topology=$(sed -n 's/.*spmdev.topology=\([^ ]*\).*/\1/p' /proc/cmdline)
rc=0
for d in /spm-devpriv/demo.d/*; do
	[ -x "$d" ] || continue
	want=$(sed -n 's/^# topology: //p' "$d")
	case " ${want:-spm} " in
	*" ${topology:-spm} "*) ;;
	*) continue ;;
	esac
	"$d" || rc=1
	echo
done
exit "$rc"
