#!/usr/bin/env bash
# install-deps.sh [check|bench|source|regress]: install the Debian packages
# the pipeline needs, if any is missing; with "check", also those of make
# check (sparse and the cross compilers), with "bench" those of make bench
# (gnuplot), with "source" and "regress" those of Debian source packages
# and of make regress.
# The base source package is installed by prepare-tree.sh, which pins its
# version.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

packages=(
	# kernel build
	gcc make flex bison bc libelf-dev libssl-dev cpio xz-utils kmod ccache git
	python3 python3-ply python3-git
	# guest
	qemu-system-x86 busybox-static numactl libnuma-dev daxctl stress-ng
	# checks
	shellcheck
)
case "${1:-}" in
check) packages+=(sparse gcc-aarch64-linux-gnu gcc-powerpc64le-linux-gnu) ;;
bench) packages+=(gnuplot-nox) ;;
# Debian source packages (scripts/fetch-source.sh) and what make regress
# builds from them and from the kernel's selftests.
source) packages+=(dpkg-dev) ;;
regress) packages+=(dpkg-dev autoconf automake libtool libcap-dev procps) ;;
"") ;;
*) die "unknown set of packages '$1' (check, bench, source, regress)" ;;
esac

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	note "all ${#packages[@]} packages present"
	exit 0
fi
[ "$(id -u)" -eq 0 ] ||
	die "missing packages: ${missing[*]}; install them as root (apt-get install ...) or run make as root"
note "installing: ${missing[*]}"
apt-get update -q ||
	die "apt-get update failed: check the network and the sources in /etc/apt, then run: make deps"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
	die "apt-get could not install ${missing[*]}; see apt's message above, then run: make deps"
