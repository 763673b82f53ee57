#!/usr/bin/env bash
# fetch-source.sh PACKAGE VERSION DIR: Debian's source package PACKAGE at
# VERSION, unpacked with Debian's own patches applied, in DIR (replaced).
#
# The machine's apt sources usually carry no deb-src entries. The script
# derives them from its Debian entries (the same mirrors, suites and
# keys) into an apt state of its own under build/apt, so that the
# machine's configuration is left as it was.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: $0 PACKAGE VERSION DIR"
pkg=$1 version=$2 dir=$3
apt_dir=$BUILD/apt

if [ -f "$dir/.fetched" ] && [ "$(cat "$dir/.fetched")" = "$pkg=$version" ]; then
	exit 0
fi

apt_private "$apt_dir"
apt_deb_entries | sed 's/^deb /deb-src /' >"$apt_dir/sources.list"
[ -s "$apt_dir/sources.list" ] ||
	die "no Debian package source on this machine to derive deb-src entries from (see /etc/apt)"
apt_opts=("${APT_PRIVATE[@]}")
command -v dpkg-source >/dev/null || "$TOP/scripts/install-deps.sh" source
apt-get "${apt_opts[@]}" -q update >/dev/null ||
	die "apt-get update of the source index failed: check the network and $apt_dir/sources.list"
work=$(mktemp -d "$BUILD/fetch-XXXXXX")
(cd "$work" && apt-get "${apt_opts[@]}" -q source --only-source "$pkg=$version" >/dev/null) ||
	{ rm -rf "$work"; die "Debian's archive has no source package $pkg=$version"; }
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$src" ] || die "apt-get source $pkg=$version unpacked nothing"
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$src" "$dir"
rm -rf "$work"
printf '%s=%s\n' "$pkg" "$version" >"$dir/.fetched"
note "$pkg $version in $dir"
