#!/usr/bin/env bash
# prepare-tree.sh: make build/linux the pinned base plus every series.
#
#  1. Install Debian's linux-source-6.12 at the pinned version and check
#     the tarball's sha256 (ALLOW_NEWER_BASE=1 takes the newest 6.12 the
#     archive has instead, loudly, without the checksum).
#  2. Unpack it once into build/linux and commit it as tag "base".
#  3. Apply the series (scripts/apply-series.sh: a tree with unexported
#     commits is never reset).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ALLOW_NEWER_BASE=${ALLOW_NEWER_BASE:-0}

# The installed version of the base package, or nothing. dpkg-query exits 1
# for a package that was never installed: that is an answer, not an error.
installed_version() {
	local status
	status=$(dpkg-query -W -f='${Status} ${Version}\n' "$BASE_PKG" 2>/dev/null) || return 0
	printf '%s\n' "$status" | sed -n 's/^install ok installed //p'
}

apt_install() {
	[ "$(id -u)" -eq 0 ] || die "installing $* needs root (or install it by hand)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades "$@" ||
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --allow-downgrades "$@"; }
}

ensure_source() {
	local have
	have=$(installed_version)
	if [ "$have" != "$BASE_VERSION" ] && [ "$ALLOW_NEWER_BASE" != 1 ]; then
		note "installing $BASE_PKG=$BASE_VERSION (have: ${have:-none})"
		apt_install "$BASE_PKG=$BASE_VERSION" >&2 ||
			die "$BASE_PKG $BASE_VERSION cannot be installed: the archive may have dropped it.
  ALLOW_NEWER_BASE=1 uses the newest 6.12 instead (results are then not
  comparable with the measured baseline, and the series may not apply)."
		have=$(installed_version)
	elif [ "$ALLOW_NEWER_BASE" = 1 ]; then
		note "ALLOW_NEWER_BASE=1: using the newest $BASE_PKG, not the pinned $BASE_VERSION"
		apt_install "$BASE_PKG" >&2 || die "cannot install $BASE_PKG"
		have=$(installed_version)
	fi
	[ -f "$BASE_TARBALL" ] || die "$BASE_TARBALL is missing although $BASE_PKG $have is installed"
	if [ "$have" = "$BASE_VERSION" ]; then
		local sum
		sum=$(sha256sum "$BASE_TARBALL" | cut -d' ' -f1)
		[ "$sum" = "$BASE_SHA256" ] ||
			die "$BASE_TARBALL: sha256 $sum, expected $BASE_SHA256 (changed package?)"
	else
		note "WARNING: base is $BASE_PKG $have, not the pinned $BASE_VERSION; checksum not checked"
	fi
	BASE_HAVE=$have
}

create_base() {
	local tmp=$LINUX_DIR.new
	note "unpacking $BASE_TARBALL into $LINUX_DIR"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$BASE_TARBALL" -C "$tmp" --strip-components=1
	LINUX_DIR=$tmp
	ktree_git init -q -b "${SERIES_LIST%% *}"
	# Commit exactly what the tarball holds, whatever .gitignore says.
	ktree_git add -A -f .
	GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
		ktree_git commit -q -m "Debian $BASE_PKG $BASE_HAVE" \
		-m "Unpacked from $BASE_TARBALL, Debian's patched 6.12 source."
	ktree_git tag base
	printf '%s\n' "$BASE_HAVE" >"$tmp/.git/spm-devpriv-base-version"
	mv "$tmp" "${tmp%.new}"
	LINUX_DIR=${tmp%.new}
	note "base commit $(ktree_git rev-parse --short=12 base)"
}

ensure_source
if [ ! -d "$LINUX_DIR/.git" ]; then
	create_base
else
	recorded=$(cat "$LINUX_DIR/.git/spm-devpriv-base-version" 2>/dev/null || echo unknown)
	[ "$recorded" = "$BASE_HAVE" ] ||
		die "$LINUX_DIR was made from $BASE_PKG $recorded, not $BASE_HAVE; export your work and remove $LINUX_DIR"
fi
"$TOP/scripts/apply-series.sh"
