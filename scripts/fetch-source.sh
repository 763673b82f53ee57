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

# deb_src_entries: the machine's "deb" sources as "deb-src" ones, in the
# one-line format, from both the one-line and the deb822 files.
deb_src_entries() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^deb \(\[[^]]*\] \)\?\(.*\)$/deb-src \1\2/p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && uris != "") {
				n = split(uris, u, " "); m = split(suites, s, " ")
				for (i = 1; i <= n; i++)
					for (j = 1; j <= m; j++)
						printf "deb-src %s%s %s %s\n", opts, u[i], s[j], comps
			}
			types = uris = suites = comps = opts = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^#/ { next }
		/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
		/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
		/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
		/^Components:/ { sub(/^Components:[ \t]*/, ""); comps = $0 }
		/^Signed-By:/ { sub(/^Signed-By:[ \t]*/, ""); opts = "[signed-by=" $0 "] " }
		END { flush() }' "$f"
	done
}

mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/parts"
deb_src_entries >"$apt_dir/sources.list"
[ -s "$apt_dir/sources.list" ] ||
	die "no Debian package source on this machine to derive deb-src entries from (see /etc/apt)"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
	-o "Dir::Etc::SourceParts=$apt_dir/parts"
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o APT::Sandbox::User=root)
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
