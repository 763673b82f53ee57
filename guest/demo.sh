#!/bin/sh
# The demo: runs every script in /spm-devpriv/demo.d in order. Each one
# shows one thing at work, in words a reader of the console can follow.
rc=0
for d in /spm-devpriv/demo.d/*; do
	[ -x "$d" ] || continue
	"$d" || rc=1
	echo
done
exit "$rc"
