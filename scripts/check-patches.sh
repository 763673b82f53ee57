#!/usr/bin/env bash
# check-patches.sh [SERIES...]: the mechanical review of the patch files,
# as TAP on stdout. For every patch of the series (all by default):
#  - scripts/checkpatch.pl --strict of the base tree reports nothing; a
#    line "Checkpatch-exception: TYPE reason" in the commit message lets a
#    justified TYPE through;
#  - From: and Signed-off-by: are the project identity, and the subject
#    has a subsystem prefix ("mm/page_alloc: ...") and at most 75 columns;
#  - the commit message has a body that explains (3 lines, 40 words);
# for every series: the series file and the patch files agree, the cover
# letter names the base, the testing and the review points and lists
# every patch; and the series applies (git apply, exact context) on the
# pinned base, stacked in order, and each series also alone on the base.
# CHECKPATCH=0 leaves checkpatch out, for the series of another project
# whose style is not the kernel's (patches/numactl: build-numactl.sh).
# shellcheck disable=SC2317 # the check functions are called through tap_t()
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX_DIR/.git" ] || die "no work tree at $LINUX_DIR (run: make tree)"
names=${*:-$SERIES_LIST}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

ident="$IDENT_NAME <$IDENT_EMAIL>"
CHECKPATCH=${CHECKPATCH:-1}

# The commit message: from the first empty line after the headers to the
# "---" line.
message() {
	awk '/^---$/ { exit } body { print } /^$/ { body = 1 }' "$1"
}

checkpatch_clean() {
	local p=$1 ignore
	ignore=$(message "$p" | sed -n 's/^Checkpatch-exception: \([A-Z_]*\) ..*/\1/p' |
		paste -sd, -)
	# spdxcheck.py needs Debian's python3 with python3-git and -ply.
	local out
	out=$(PATH=/usr/bin:$PATH perl "$LINUX_DIR/scripts/checkpatch.pl" \
		--root="$LINUX_DIR" --strict --terse --no-summary --show-types \
		${ignore:+--ignore "$ignore"} "$p" 2>&1) || true
	printf '%s\n' "$out"
	[ -z "$out" ]
}

headers_ok() {
	local p=$1 subject summary ok=0
	grep -qxF "From: $ident" "$p" || { echo "From: is not '$ident'"; ok=1; }
	grep -qxF "Signed-off-by: $ident" <<<"$(message "$p")" ||
		{ echo "no 'Signed-off-by: $ident'"; ok=1; }
	subject=$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$p" | head -n 1)
	summary=$subject
	if ! [[ $subject =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9_.-]+)*:\ [^\ ] ]]; then
		echo "subject '$subject' lacks a prefix such as 'mm/page_alloc: '"
		ok=1
	fi
	if [ "${#summary}" -gt 75 ]; then
		echo "subject is ${#summary} columns, more than 75"
		ok=1
	fi
	case "$summary" in *.) echo "subject ends with a period"; ok=1 ;; esac
	return "$ok"
}

message_explains() {
	local body lines words
	body=$(message "$1" | grep -vE '^[A-Za-z-]+: ' | grep -v '^[[:space:]]*$' || true)
	lines=$(printf '%s\n' "$body" | grep -c . || true)
	words=$(printf '%s\n' "$body" | wc -w)
	echo "commit message body: $lines lines, $words words"
	[ "$lines" -ge 3 ] && [ "$words" -ge 40 ]
}

series_file_complete() {
	local dir=$PATCHES_DIR/$1 f ok=0 listed
	listed=$(series_patches "$1") || return 1
	for f in "$dir"/[0-9]*.patch; do
		[ -e "$f" ] || continue
		case "$f" in */0000-cover-letter.patch) continue ;; esac
		grep -qxF "$f" <<<"$listed" || { echo "${f##*/} is not in the series file"; ok=1; }
	done
	return "$ok"
}

cover_letter_complete() {
	local name=$1 cover=$PATCHES_DIR/$1/0000-cover-letter.patch ok=0 p subject
	[ -f "$cover" ] || { echo "no cover letter"; return 1; }
	for section in Base Testing "Review points"; do
		grep -q "^$section" "$cover" || { echo "no '$section' section"; ok=1; }
	done
	while IFS= read -r p; do
		subject=$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$p" | head -n 1)
		grep -qF "  $subject" "$cover" || { echo "does not list '$subject'"; ok=1; }
	done < <(series_patches "$name")
	return "$ok"
}

# applies ONTO SERIES...: apply the series in order on ONTO with exact
# context, in a scratch index (no checkout needed).
applies() {
	local onto=$1 index=$scratch/index name p
	shift
	rm -f "$index"
	GIT_INDEX_FILE=$index ktree_git read-tree "$onto"
	for name in "$@"; do
		while IFS= read -r p; do
			GIT_INDEX_FILE=$index ktree_git apply --cached "$p" ||
				{ echo "${p#"$PATCHES_DIR"/} does not apply"; return 1; }
		done < <(series_patches "$name")
	done
}

tap_begin
stack=()
for name in $names; do
	npatches=$(series_patches "$name" | grep -c . || true)
	tap_t "$name: the series file lists every patch file" series_file_complete "$name"
	if [ "$npatches" -eq 0 ]; then
		tap_skip "$name: cover letter" "the series has no patches yet"
	else
		tap_t "$name: the cover letter has base, testing, review points and every patch" \
			cover_letter_complete "$name"
	fi
	while IFS= read -r p; do
		base=${p##*/}
		[ "$CHECKPATCH" = 0 ] ||
			tap_t "$name/$base: checkpatch --strict" checkpatch_clean "$p"
		tap_t "$name/$base: identity and subject" headers_ok "$p"
		tap_t "$name/$base: the commit message explains" message_explains "$p"
	done < <(series_patches "$name")
	stack+=("$name")
	tap_t "$name: applies on the base stacked as ${stack[*]}" applies base "${stack[@]}"
	if [ "${#stack[@]}" -gt 1 ]; then
		tap_t "$name: applies alone on the base" applies base "$name"
	fi
done
tap_end
