#!/usr/bin/env bash
# stress-figures.sh LOG: the figures of a stress run's console log. Each
# stress program (guest/stress.d) prints "# figure: NAME VALUE" lines;
# this adds them up by name, over every program and round, in the order
# they first appear, and adds the number of kernel splats in the log
# (scripts/check-splats.sh), which must be 0 like wrong-node-pages.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 LOG" >&2; exit 2; }
log=$1
[ -r "$log" ] || { echo "$0: cannot read $log" >&2; exit 2; }
echo "==== stress figures ===="
tr -d '\r' <"$log" | awk '
	$1 == "#" && $2 == "figure:" && $4 ~ /^[0-9]+$/ {
		if (!($3 in sum)) order[n++] = $3
		sum[$3] += $4
	}
	END { for (i = 0; i < n; i++) printf "  %-26s %d\n", order[i], sum[order[i]] }'
# Counted as scripts/summarize.py counts them: a stack dump is part of
# the splat its header line names, and counts alone only when headless.
found=$("$(dirname "$0")/check-splats.sh" "$log" || true)
splats=0
if [ -n "$found" ]; then
	splats=$(grep -vc 'Call Trace:' <<<"$found" || true)
	[ "$splats" -gt 0 ] || splats=$(grep -c 'Call Trace:' <<<"$found")
fi
printf '  %-26s %d\n' splats "$splats"
