#!/usr/bin/env bash
# check-docs.sh [REF]: documentation checks of the series, as TAP: for
# every C file and header the series touches, scripts/kernel-doc -none
# -Wall reports no warning that the same file on the base lacks; and
# scripts/get_abi.pl validate reports nothing new for Documentation/ABI.
# REF is the top of the stack (default: the last series' branch). Reads
# the files from git, so the checked-out state of the tree is irrelevant.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX_DIR/.git" ] || die "no work tree at $LINUX_DIR (run: make tree)"
tip=${1:-$(series_ref "${SERIES_LIST##* }")}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Tools from the tip, so that base and tip are judged by the same rules.
ktree_git archive "$tip" scripts/kernel-doc scripts/get_abi.pl | tar -x -C "$scratch"

# Warnings of one run, without line numbers, sorted: what a change adds
# is then the lines only the tip has.
normalize() {
	sed -E 's/:[0-9]+:/:/; s/#[0-9]+:/:/; s/:[0-9]+( |$)/\1/g' | sort
}

kerneldoc_warnings() {
	local ref=$1 path=$2 file
	file=$scratch/$(tr '/:' '__' <<<"$ref:$path")
	ktree_git show "$ref:$path" >"$file" 2>/dev/null || return 0
	perl "$scratch/scripts/kernel-doc" -none -Wall "$file" 2>&1 |
		sed "s|$file|$path|" | normalize
}

abi_warnings() {
	local ref=$1 dir
	dir=$scratch/abi-$(tr '/' '_' <<<"$ref")
	mkdir -p "$dir"
	ktree_git archive "$ref" Documentation/ABI | tar -x -C "$dir"
	(cd "$dir" && perl "$scratch/scripts/get_abi.pl" --dir Documentation/ABI validate 2>&1) |
		tr '\t' ' ' | normalize
}

tap_begin
while IFS= read -r path; do
	new=$(comm -13 <(kerneldoc_warnings base "$path") <(kerneldoc_warnings "$tip" "$path"))
	tap_result "kernel-doc: no new warning in $path" "$new"
done < <(ktree_git diff --name-only --diff-filter=AM "base..$tip" -- '*.c' '*.h')
new=$(comm -13 <(abi_warnings base) <(abi_warnings "$tip"))
tap_result "get_abi.pl validate: no new warning in Documentation/ABI" "$new"
tap_end
