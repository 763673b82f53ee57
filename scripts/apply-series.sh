#!/usr/bin/env bash
# apply-series.sh: bring the work tree in line with patches/: reset it to
# the base commit and apply every series with git am, strictly (no fuzz,
# no 3-way merge). Each series is a branch named after it, stacked on the
# one before (spm on base, devpriv on spm); the last one is checked out.
#
# Nothing unexported is ever lost: the tree is only reset when it already
# matches patches/ (then nothing is done), when it has not moved since the
# last apply or export, or when it holds nothing but the base. Otherwise
# the script refuses; FORCE=1 resets anyway and keeps the old commits on a
# backup/ branch.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$LINUX_DIR/.git" ] || die "no work tree at $LINUX_DIR (run: make tree)"
ktree_git rev-parse -q --verify refs/tags/base >/dev/null ||
	die "$LINUX_DIR has no 'base' tag"

FORCE=${FORCE:-0}

if tree_is_dirty; then
	ktree_git status --short | head -n 20 >&2
	die "$LINUX_DIR has uncommitted changes or an unfinished git am/rebase: finish and commit them, then 'make export'"
fi
saved=$LINUX_DIR/.git/$STATE_FILE_NAME
if [ "$(ktree_git rev-parse HEAD)" = "$(ktree_git rev-parse base)" ] &&
		[ "$(ktree_git for-each-ref refs/heads/ | wc -l)" -le 1 ]; then
	: # only the base: nothing to lose
elif "$TOP/scripts/export-series.sh" --check 2>/dev/null; then
	show_new_files
	note "$LINUX_DIR is up to date with patches/"
	exit 0
elif [ -f "$saved" ] && [ "$(stack_state)" = "$(cat "$saved")" ]; then
	note "patches/ changed since the work tree was made: re-applying"
elif [ "$FORCE" = 1 ]; then
	backup=backup/$(date -u +%Y%m%d-%H%M%S)
	ktree_git branch "$backup" HEAD
	note "FORCE=1: the old commits stay on branch $backup of $LINUX_DIR"
else
	die "$LINUX_DIR holds commits that are not in patches/; refusing to reset it.
  Run 'make export' to save them into patches/, or 'make tree FORCE=1' to
  re-apply patches/ (the old commits are kept on a backup/ branch)."
fi

restore_gitignore
ktree_git checkout -q --detach base
ktree_git reset -q --hard base
ktree_git clean -q -fd
# Let "git rebase -i --update-refs" carry the series/* markers along.
ktree_git config rebase.updateRefs true
ktree_git config user.name "$IDENT_NAME"
ktree_git config user.email "$IDENT_EMAIL"

total=0
for name in $SERIES_LIST; do
	ktree_git checkout -q -B "$name"
	mapfile -t files < <(series_patches "$name")
	if [ "${#files[@]}" -gt 0 ]; then
		if ! ktree_git am -q --no-3way --committer-date-is-author-date \
				"${files[@]}"; then
			failed=$(ktree_git am --show-current-patch=raw 2>/dev/null |
				sed -n 's/^Subject: //p' | head -n 1)
			ktree_git am --abort || true
			die "series $name does not apply on the base: $failed"
		fi
	fi
	note "applied series $name: ${#files[@]} patches"
	total=$((total + ${#files[@]}))
done
save_stack_state
show_new_files
note "work tree at $LINUX_DIR: base + $total patches"
