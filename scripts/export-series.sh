#!/usr/bin/env bash
# export-series.sh [--check]: write patches/<series>/ from the commits in
# the work tree (git format-patch with stable output: zero commit ids, no
# signature, fixed abbreviation), keeping each cover letter's title and
# text and refreshing its shortlog and diffstat.
#
# With --check, write nothing and exit non-zero when the work tree holds
# commits or changes that patches/ does not.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

check=false
case "${1:-}" in
--check) check=true ;;
"") ;;
*) die "usage: $0 [--check]" ;;
esac

if [ ! -d "$LINUX_DIR/.git" ]; then
	$check || die "no work tree at $LINUX_DIR (run: make tree)"
	note "no work tree at $LINUX_DIR: nothing to export"
	exit 0
fi

if tree_is_dirty; then
	ktree_git status --short | head -n 20 >&2
	die "$LINUX_DIR has uncommitted changes or an unfinished git am/rebase: finish and commit first"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# merge_cover OLD NEW END: give the generated cover letter NEW the title
# and text of the kept cover letter OLD and a date that only changes with
# the series (that of its last commit).
merge_cover() {
	local old=$1 new=$2 end=$3 merged=$out/cover.tmp
	COVER_TITLE=$(sed -n '/^Subject: /{s/^Subject: \(\[[^]]*\] \)\{0,1\}//p;q;}' "$old")
	COVER_DATE=$(ktree_git log -1 --format=%aD "$end")
	export COVER_TITLE COVER_DATE
	# The text runs from the end of the mail headers to the shortlog.
	awk -v stop="^$IDENT_NAME [(][0-9]+[)]:\$" '
		body && $0 ~ stop { exit }
		body { lines[++n] = $0 }
		!body && /^$/ { body = 1 }
		END { while (n > 0 && lines[n] == "") n--
		      for (i = 1; i <= n; i++) print lines[i] }' \
		"$old" >"$out/blurb"
	awk -v blurb="$out/blurb" '
		!hdr && /^Date: / { print "Date: " ENVIRON["COVER_DATE"]; next }
		!hdr && /^Subject: / {
			sub(/[*][*][*] SUBJECT HERE [*][*][*]/, ENVIRON["COVER_TITLE"])
			print; next }
		/^$/ { hdr = 1 }
		/^[*][*][*] BLURB HERE [*][*][*]$/ {
			while ((getline line < blurb) > 0) print line
			next }
		{ print }' "$new" >"$merged"
	mv "$merged" "$new"
}

# export_one NAME FROM TO DIR
export_one() {
	local name=$1 from=$2 to=$3 dir=$4 cover=$PATCHES_DIR/$1/0000-cover-letter.patch
	local count prefix=PATCH
	mkdir -p "$dir"
	# The version the cover letter gives ("[PATCH v2 00/16]") is every
	# patch's: write it into the cover letter's subject to start one.
	[ -f "$cover" ] &&
		prefix=$(sed -n '/^Subject: /{s/^Subject: \[\(PATCH\( v[0-9]*\)\{0,1\}\) .*/\1/p;q;}' "$cover")
	prefix=${prefix:-PATCH}
	count=$(ktree_git rev-list --count "$from..$to")
	if [ "$count" -eq 0 ]; then
		[ -f "$cover" ] && cp "$cover" "$dir/"
		: >"$dir/series"
		return
	fi
	ktree_git -c core.abbrev=12 -c diff.renames=true -c diff.noprefix=false \
		format-patch -q --zero-commit --no-signature --abbrev=12 \
		--numbered --cover-letter --subject-prefix="$prefix" \
		-o "$dir" "$from..$to"
	if [ -f "$cover" ]; then
		merge_cover "$cover" "$dir/0000-cover-letter.patch" "$to"
	else
		note "$name: no cover letter yet; wrote the git template, fill it in"
	fi
	local patch
	for patch in "$dir"/[0-9][0-9][0-9][0-9]-*.patch; do
		case "${patch##*/}" in
		0000-*) ;;
		*) printf '%s\n' "${patch##*/}" ;;
		esac
	done >"$dir/series"
}

prev=refs/tags/base
for name in $SERIES_LIST; do
	end=$(series_ref "$name")
	ktree_git rev-parse -q --verify "$end" >/dev/null ||
		die "$LINUX_DIR has no branch $name: was it made by 'make tree'?"
	ktree_git merge-base --is-ancestor "$prev" "$end" ||
		die "branch $name is not stacked on ${prev#refs/*/}: git -C $LINUX_DIR rebase ${prev#refs/*/} $name"
	export_one "$name" "$prev" "$end" "$out/$name"
	prev=$end
done

if $check; then
	rc=0
	for name in $SERIES_LIST; do
		if ! diff -r -q "$PATCHES_DIR/$name" "$out/$name" >"$out/diff" 2>&1; then
			note "patches/$name differs from the work tree:"
			sed "s|$out/|work tree: |; s|$PATCHES_DIR/|patches/|" "$out/diff" >&2
			rc=1
		fi
	done
	[ "$rc" -eq 0 ] || die "the work tree holds changes not in patches/ (run: make export)"
	note "patches/ matches the work tree"
	exit 0
fi

for name in $SERIES_LIST; do
	mkdir -p "$PATCHES_DIR/$name"
	find "$PATCHES_DIR/$name" -maxdepth 1 \( -name '*.patch' -o -name series \) -delete
	cp "$out/$name"/* "$PATCHES_DIR/$name/"
	note "exported series $name: $(grep -c . "$PATCHES_DIR/$name/series" || true) patches"
done
save_stack_state
