#!/usr/bin/env bash
# install-deps.sh [check|bench|source|regress]: install the Debian packages
# the pipeline needs, if any is missing; with "check", also those of make
# check (sparse and the cross compilers), with "bench" those of make bench
# (gnuplot), with "source" and "regress" those of Debian source packages
# and of make regress.
# The base source package is installed by prepare-tree.sh, which pins its
# version.
#
# QEMU: the cxl topology needs QEMU 8 or later (volatile CXL memory);
# Debian 12 has 7.2, its backports suite 10.0. When the installed QEMU is
# older than 8, the script installs qemu-system-x86 from the backports
# suite of the machine's own Debian mirror, through an apt state of its
# own under build/apt-backports (the machine's apt configuration is left
# as it was). If the backports suite cannot be reached, QEMU 7.2 stays,
# the script says so, and the CXL boot of make test is skipped.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

packages=(
	# kernel build
	gcc make flex bison bc libelf-dev libssl-dev cpio xz-utils kmod ccache git
	python3 python3-ply python3-git
	# guest
	qemu-system-x86 busybox-static numactl libnuma-dev daxctl ndctl stress-ng
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
else
	[ "$(id -u)" -eq 0 ] ||
		die "missing packages: ${missing[*]}; install them as root (apt-get install ...) or run make as root"
	note "installing: ${missing[*]}"
	apt-get update -q ||
		die "apt-get update failed: check the network and the sources in /etc/apt, then run: make deps"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		die "apt-get could not install ${missing[*]}; see apt's message above, then run: make deps"
fi

# qemu_is_new: the installed qemu-system-x86 is version 8 or later.
qemu_is_new() {
	local version
	version=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null) || return 1
	dpkg --compare-versions "$version" ge 1:8 2>/dev/null
}

# backports_qemu: install qemu-system-x86 from the backports suite; says
# why not and fails when it cannot.
backports_qemu() {
	local codename apt_dir=$BUILD/apt-backports
	codename=$(sed -n "s/^VERSION_CODENAME=//p" /etc/os-release)
	[ -n "$codename" ] || { note "no release codename in /etc/os-release"; return 1; }
	apt_private "$apt_dir"
	apt_backports_entries "$codename" >"$apt_dir/sources.list"
	grep -q " $codename-backports " "$apt_dir/sources.list" || {
		note "no Debian entry for $codename in /etc/apt to derive $codename-backports from"
		return 1
	}
	note "installing qemu-system-x86 from $codename-backports"
	# An unreachable suite should cost seconds, not apt's minutes of retries.
	apt-get "${APT_PRIVATE[@]}" -o Acquire::Retries=0 -o Acquire::http::Timeout=30 \
		-q update >/dev/null || {
		note "apt-get update of $codename-backports failed (sources: $apt_dir/sources.list)"
		return 1
	}
	DEBIAN_FRONTEND=noninteractive apt-get "${APT_PRIVATE[@]}" install -y -q \
		--no-install-recommends -t "$codename-backports" qemu-system-x86 || {
		note "apt-get could not install qemu-system-x86 from $codename-backports"
		return 1
	}
	qemu_is_new || { note "$codename-backports has no QEMU 8 or later"; return 1; }
}

if ! qemu_is_new; then
	if [ "$(id -u)" -ne 0 ] || ! backports_qemu; then
		note "WARNING: QEMU is $(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || echo missing)," \
			"older than 8, and QEMU 10.0 could not be installed from Debian's backports suite" \
			"$([ "$(id -u)" -eq 0 ] || echo '(not root)')"
		note "WARNING: every topology but cxl works with it; make test skips the CXL boot"
	fi
fi
