#!/usr/bin/env bash
# build-kernel.sh NAME FRAGMENT...: configure build/obj/NAME as tinyconfig
# plus the given Kconfig fragments, check that every option of the
# fragments survived olddefconfig, and build bzImage with ccache.
#
#   KBUILD_TARGETS   what to build instead of bzImage (e.g. objects)
#   KBUILD_EXTRA     extra make arguments (e.g. "W=1 C=2")
#   CHECK_FRAGMENTS  the fragments whose options must survive (default:
#                    all; a later fragment may turn off what an earlier
#                    one needs)
#   KARCH, CROSS_COMPILE  another architecture (default x86_64)
#   KBUILD_SEED      an object directory to start from when build/obj/NAME
#                    does not exist yet: kbuild then rebuilds only what the
#                    options that differ touch (a cold ccache misses every
#                    object of a configuration it has not seen)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: $0 NAME FRAGMENT..."
name=$1
shift
obj=$BUILD/obj/$name
[ -e "$LINUX_DIR/.git" ] || die "no work tree at $LINUX_DIR (run: make tree)"
if [ ! -e "$obj" ] && [ -n "${KBUILD_SEED:-}" ] && [ -e "$KBUILD_SEED/.config" ]; then
	note "starting from $KBUILD_SEED"
	cp -a "$KBUILD_SEED" "$obj"
fi
mkdir -p "$obj"

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Same timestamp, user and host in every build, so that ccache hits and
# two builds of the same tree are comparable.
export KBUILD_BUILD_TIMESTAMP="$BASE_DATE" KBUILD_BUILD_USER=spm-devpriv \
	KBUILD_BUILD_HOST=qemu
arch=${KARCH:-x86_64}
cross=${CROSS_COMPILE:-}
hostcc=gcc cc=${cross}gcc
if command -v ccache >/dev/null; then
	hostcc="ccache gcc"
	cc="ccache $cc"
fi
kmake() {
	make -s -C "$LINUX_DIR" O="$obj" ARCH="$arch" CROSS_COMPILE="$cross" \
		CC="$cc" HOSTCC="$hostcc" -j"$(nproc)" "$@"
}

# A fresh config every time: make only rebuilds what a changed option
# touches, and a fragment edit can never be shadowed by an old .config.
kmake tinyconfig >/dev/null
"$LINUX_DIR/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$@" \
	>"$obj/merge_config.log" 2>&1 || {
	cat "$obj/merge_config.log" >&2
	die "merge_config.sh failed"
}
kmake olddefconfig >/dev/null

check=("$@")
[ -z "${CHECK_FRAGMENTS:-}" ] || read -ra check <<<"$CHECK_FRAGMENTS"
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n)
		opt=${line%%=*}
		if grep -q "^$opt=" "$obj/.config"; then
			note "$opt is set although a fragment says n"
			missing=1
		fi
		;;
	CONFIG_*=*)
		if ! grep -qxF "$line" "$obj/.config"; then
			note "$line did not survive olddefconfig (have: $(grep "^${line%%=*}=" "$obj/.config" || echo unset))"
			missing=1
		fi
		;;
	esac
done < <(cat "${check[@]}")
[ "$missing" -eq 0 ] || die "the fragments ask for options their dependencies do not allow"

t0=$(date +%s)
# shellcheck disable=SC2086 # lists of make arguments
kmake ${KBUILD_EXTRA:-} ${KBUILD_TARGETS:-bzImage}
t=$(( $(date +%s) - t0 ))
printf 'build-kernel: %s built in %dm%02ds (%s)\n' "$name" $((t / 60)) $((t % 60)) \
	"$(ccache -s 2>/dev/null | grep -iE 'hits|Hits:' | head -n 1 | tr -s ' ' || echo 'no ccache')"
ln -sf "arch/x86/boot/bzImage" "$obj/bzImage.link" 2>/dev/null || true
