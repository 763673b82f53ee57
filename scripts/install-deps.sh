#!/usr/bin/env bash
# install-deps.sh [check|bench|source|regress]: install the Debian packages
# the pipeline needs, if any is missing; with "check", also those of make
# check (sparse and the cross compilers), with "bench" those of make bench
# (gnuplot), with "source" and "regress" those of Debian source packages
# and of make regress.
# The base source package is installed by prepare-tree.sh, which pins its
# version.
#
# QEMU: Debian 12's qemu-system-x86 is 7.2. The cxl topology needs QEMU 8
# or later (volatile CXL memory), and under TCG 7.2 sometimes runs a vCPU
# into a breakpoint the kernel's text patching has already removed
# (docs/status.md): when the installed one is older than 8, the script
# unpacks QEMU 10.0 from the backports suite of the machine's own Debian
# mirror into build/qemu-backports, and run-qemu.sh boots every topology
# on it, through an apt state of its own under build/apt-backports: the
# machine's apt configuration is left as it was, and Debian's QEMU stays
# installed (Debian installs one QEMU at a time). If the backports suite
# cannot be reached, the script says so, the guests boot on 7.2, and the
# CXL boot of make test is skipped.
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

# installed_version PACKAGE: its installed version, nothing when it is not.
installed_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true
}

# at_least_8 QEMU: the qemu-system-x86_64 QEMU runs and is version 8 or later.
at_least_8() {
	local version
	version=$(qemu_version "$1")
	[ -n "$version" ] && [ "${version%%.*}" -ge 8 ]
}

codename=$(sed -n "s/^VERSION_CODENAME=//p" /etc/os-release)

# An earlier version of this script installed QEMU 10.0 from the backports
# suite in place of Debian's, through build/apt-backports: put the
# release's back.
if [ "$(id -u)" -eq 0 ] && [ -d "$BUILD/apt-backports" ] && [ -n "$codename" ] &&
	[[ $(installed_version qemu-system-x86) == *~bpo* ]]; then
	note "replacing QEMU $(installed_version qemu-system-x86), installed from $codename-backports" \
		"by an earlier version of this script, by $codename's"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		--allow-downgrades "qemu-system-x86/$codename" "qemu-system-common/$codename" \
		"qemu-system-data/$codename" "seabios/$codename" ||
		die "apt-get could not install $codename's QEMU; see apt's message above"
fi

# backports_qemu: unpack qemu-system-x86 of the backports suite, with the
# firmware and modules of its version, into $QEMU_BACKPORTS; says why not
# and fails when it cannot. The libraries it needs are those of Debian's
# qemu-system-x86, installed above.
backports_qemu() {
	local apt_dir=$BUILD/apt-backports new=$QEMU_BACKPORTS.new deb p
	[ -n "$codename" ] || { note "no release codename in /etc/os-release"; return 1; }
	apt_private "$apt_dir"
	apt_backports_entries "$codename" >"$apt_dir/sources.list"
	grep -q " $codename-backports " "$apt_dir/sources.list" || {
		note "no Debian entry for $codename in /etc/apt to derive $codename-backports from"
		return 1
	}
	note "unpacking qemu-system-x86 of $codename-backports into $QEMU_BACKPORTS"
	# An unreachable suite should cost seconds, not apt's minutes of retries.
	apt-get "${APT_PRIVATE[@]}" -o Acquire::Retries=0 -o Acquire::http::Timeout=30 \
		-q update >/dev/null || {
		note "apt-get update of $codename-backports failed (sources: $apt_dir/sources.list)"
		return 1
	}
	rm -rf "$apt_dir/debs" "$new"
	mkdir -p "$apt_dir/debs" "$new"
	(cd "$apt_dir/debs" && for p in qemu-system-x86 qemu-system-common qemu-system-data seabios; do
		apt-get "${APT_PRIVATE[@]}" -q download "$p/$codename-backports" >/dev/null || exit 1
	done) || {
		note "apt-get could not download qemu-system-x86 and its data from $codename-backports"
		return 1
	}
	for deb in "$apt_dir/debs"/*.deb; do
		dpkg-deb -x "$deb" "$new"
	done
	at_least_8 "$new/usr/bin/qemu-system-x86_64" || {
		note "the qemu-system-x86_64 of $codename-backports does not run here or is older than 8"
		return 1
	}
	rm -rf "$QEMU_BACKPORTS"
	mv "$new" "$QEMU_BACKPORTS"
}

if ! at_least_8 qemu-system-x86_64 && ! at_least_8 "$QEMU_BACKPORTS/usr/bin/qemu-system-x86_64"; then
	if [ "$(id -u)" -ne 0 ] || ! backports_qemu; then
		version=$(installed_version qemu-system-x86)
		note "WARNING: QEMU is ${version:-missing}," \
			"older than 8, and QEMU 10.0 could not be unpacked from Debian's backports suite" \
			"$([ "$(id -u)" -eq 0 ] || echo '(not root)')"
		note "WARNING: every topology but cxl works with it; make test skips the CXL boot"
	fi
fi
