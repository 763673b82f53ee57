#!/usr/bin/env bash
# build-kernel.sh NAME FRAGMENT...: configure build/obj/NAME as tinyconfig
# plus the given Kconfig fragments, check that every option of the
# fragments survived olddefconfig, and build bzImage with ccache.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: $0 NAME FRAGMENT..."
name=$1
shift
obj=$BUILD/obj/$name
[ -d "$LINUX_DIR/.git" ] || die "no work tree at $LINUX_DIR (run: make tree)"
mkdir -p "$obj"

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Same timestamp, user and host in every build, so that ccache hits and
# two builds of the same tree are comparable.
export KBUILD_BUILD_TIMESTAMP="$BASE_DATE" KBUILD_BUILD_USER=spm-devpriv \
	KBUILD_BUILD_HOST=qemu
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
kmake() {
	make -s -C "$LINUX_DIR" O="$obj" ARCH=x86_64 CC="$cc" HOSTCC="$cc" -j"$(nproc)" "$@"
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
done < <(cat "$@")
[ "$missing" -eq 0 ] || die "the fragments ask for options their dependencies do not allow"

t0=$(date +%s)
kmake bzImage
t=$(( $(date +%s) - t0 ))
printf 'build-kernel: %s built in %dm%02ds (%s)\n' "$name" $((t / 60)) $((t % 60)) \
	"$(ccache -s 2>/dev/null | grep -iE 'hits|Hits:' | head -n 1 | tr -s ' ' || echo 'no ccache')"
ln -sf "arch/x86/boot/bzImage" "$obj/bzImage.link" 2>/dev/null || true
