# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are used by the scripts sourcing this
# Common settings and helpers for the spm-devpriv scripts. Source it; do not
# run it. Every path can be overridden from the environment so that the
# harness self-tests can point the scripts at a scratch repository.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
# QEMU 10.0 of Debian's backports suite, unpacked by install-deps.sh for the
# cxl topology when the installed QEMU is older than 8.
QEMU_BACKPORTS=$BUILD/qemu-backports

# qemu_version PROGRAM: MAJOR.MINOR of the qemu-system-x86_64 PROGRAM,
# nothing when it does not run.
qemu_version() {
	"$1" --version 2>/dev/null |
		sed -n '1s/^QEMU emulator version \([0-9]*\.[0-9]*\).*/\1/p' || true
}
LINUX_DIR=${LINUX_DIR:-$BUILD/linux}
PATCHES_DIR=${PATCHES_DIR:-$TOP/patches}
# Series in the order they are stacked in the work tree.
SERIES_LIST=${SERIES_LIST:-"spm devpriv"}

# The pinned base: Debian's linux-source-6.12 package. Only the tarball's
# path and the version can be overridden (the self-tests check the errors
# for a changed tarball and a version the archive lacks); the checksum not.
BASE_PKG=linux-source-6.12
BASE_VERSION=${BASE_VERSION:-6.12.117-1~deb12u1}
BASE_TARBALL=${BASE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
BASE_SHA256=585a4a074597aefa2b1a68ada83a3184ba351c127544dea80618bbcceaa3961f

# The identity that authors, commits and signs off every patch.
IDENT_NAME="spm-devpriv developers"
IDENT_EMAIL="spm-devpriv@example.org"
# Fixed dates make the base commit id the same on every machine; git am
# then reuses each patch's own date for the committer so that applying
# the same patches always yields the same commit ids.
BASE_DATE="2025-01-01T00:00:00Z"

# A command that fails under "set -e" ends the script: say which one, so
# that no phase ever stops without a word. Only the script's own shell
# reports; a failing command substitution is reported by the line using it.
set -E
report_failure() {
	[ "$BASH_SUBSHELL" -eq 0 ] || return 0
	printf '%s: error: line %s: %s failed with status %s\n' "${0##*/}" "$2" "$3" "$1" >&2
}
trap 'report_failure $? $LINENO "$BASH_COMMAND"' ERR

die() {
	printf '%s: error: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

note() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# git in the kernel work tree, with the project identity and no influence
# from the user's configuration on what gets written.
ktree_git() {
	GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent \
	GIT_AUTHOR_NAME="$IDENT_NAME" GIT_AUTHOR_EMAIL="$IDENT_EMAIL" \
	GIT_COMMITTER_NAME="$IDENT_NAME" GIT_COMMITTER_EMAIL="$IDENT_EMAIL" \
		git -C "$LINUX_DIR" "$@"
}

# Each series is a branch named after it, stacked in SERIES_LIST order:
# branch spm holds base..series A, branch devpriv holds spm..series B.
series_ref() {
	printf 'refs/heads/%s\n' "$1"
}

# The patch files of one series, in quilt order, one path per line.
series_patches() {
	local dir=$PATCHES_DIR/$1 line
	[ -f "$dir/series" ] || die "$dir/series is missing"
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		line=${line//[[:space:]]/}
		[ -n "$line" ] || continue
		[ -f "$dir/$line" ] || die "$dir/series names $line, which does not exist"
		printf '%s\n' "$dir/$line"
	done <"$dir/series"
}

# The refs that describe the work tree's series stack, one per line. The
# snapshot is saved after every apply and export: a tree whose refs still
# match it holds nothing that patches/ lacks.
stack_state() {
	local name
	for name in $SERIES_LIST; do
		printf '%s %s\n' "$name" "$(ktree_git rev-parse -q --verify "$(series_ref "$name")" || true)"
	done
	ktree_git rev-parse base HEAD
}

STATE_FILE_NAME=spm-devpriv-synced

save_stack_state() {
	stack_state >"$LINUX_DIR/.git/$STATE_FILE_NAME"
}

# Debian's top-level .gitignore ignores every path outside debian/ (the
# packaging repository tracks only debian/), which would hide every new
# file of a patch from git status and git add. The work tree checks out a
# copy without that rule and marks it skip-worktree, so that git neither
# sees the edit nor loses new files. Patches must not touch .gitignore.
show_new_files() {
	local gi=$LINUX_DIR/.gitignore
	restore_gitignore
	if [ -f "$gi" ] && grep -qx '/\*' "$gi"; then
		sed -i '/^\/\*$/d; /^!\/debian\/$/d' "$gi"
		ktree_git update-index --skip-worktree .gitignore
	fi
}

restore_gitignore() {
	ktree_git ls-files --error-unmatch .gitignore >/dev/null 2>&1 || return 0
	ktree_git update-index --no-skip-worktree .gitignore
	ktree_git checkout -q -- .gitignore
}

# Tracked or untracked changes in the work tree (build output lives in
# build/, never in the source tree).
tree_is_dirty() {
	[ -n "$(ktree_git status --porcelain)" ] ||
		[ -d "$LINUX_DIR/.git/rebase-apply" ] || [ -d "$LINUX_DIR/.git/rebase-merge" ]
}

# copy_with_libs ROOT PROGRAM: PROGRAM into the same path under ROOT, with
# every shared library ld.so loads for it.
copy_with_libs() {
	[ -x "$2" ] || die "$2 is missing (run: make deps)"
	install -D "$2" "$1$2"
	copy_libs_of "$1" "$2"
}

# copy_libs_of ROOT FILE: the shared libraries FILE needs (none for a
# script or a static program), into their paths under ROOT.
copy_libs_of() {
	local lib
	for lib in $(ldd "$2" 2>/dev/null | grep -oE '/[^ ]+' || true); do
		[ -e "$1$lib" ] || install -D "$lib" "$1$lib"
	done
}

# apt_deb_entries: the machine's "deb" package sources in the one-line
# format ("deb [OPTIONS] URI SUITE COMPONENT..."), from both the one-line
# and the deb822 files of APT_ETC (default /etc/apt).
apt_deb_entries() {
	local etc=${APT_ETC:-/etc/apt} f
	for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^deb[[:space:]]\+/deb /p' "$f"
	done
	for f in "$etc"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && uris != "") {
				n = split(uris, u, " "); m = split(suites, s, " ")
				for (i = 1; i <= n; i++)
					for (j = 1; j <= m; j++)
						printf "deb %s%s %s %s\n", opts, u[i], s[j], comps
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

# apt_backports_entries CODENAME: the machine's Debian sources of the release
# (CODENAME, CODENAME-updates, CODENAME-security), which the backports
# packages depend on, and CODENAME-backports on the mirror, options and
# components of the release's own entry; each once.
apt_backports_entries() {
	apt_deb_entries | awk -v rel="$1" '
	{
		i = $2 ~ /^\[/ ? 3 : 2
		while (i > 2 && $(i - 1) !~ /\]$/)
			i++
		if ($(i + 1) !~ "^" rel "(-|$)")
			next
		if (!seen[$0]++)
			print
		if ($(i + 1) == rel) {
			$(i + 1) = rel "-backports"
			if (!seen[$0]++)
				print
		}
	}'
}

# apt_private DIR: an apt state of its own in DIR (sources list
# DIR/sources.list, package lists, download cache), so that a script can
# use package sources the machine's apt configuration lacks without
# changing it. Sets APT_PRIVATE, the apt-get options that select it;
# packages installed through it are installed on the machine as usual.
apt_private() {
	mkdir -p "$1/lists/partial" "$1/cache/archives/partial" "$1/parts"
	APT_PRIVATE=(-o "Dir::Etc::SourceList=$1/sources.list"
		-o "Dir::Etc::SourceParts=$1/parts"
		-o "Dir::State::Lists=$1/lists" -o "Dir::Cache=$1/cache"
		-o APT::Sandbox::User=root)
}

# series_options TREE OUT: write to OUT the lines of the series' config
# fragments whose option TREE's Kconfig knows, so that one fragment list
# configures the base, every commit of the walk and the tip alike.
SERIES_CONFIGS=${SERIES_CONFIGS:-"$TOP/configs/spm.config $TOP/configs/devpriv.config"}
series_options() {
	local tree=$1 out=$2 f line sym
	: >"$out"
	for f in $SERIES_CONFIGS; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*)
				sym=${line%%=*}
				sym=${sym#CONFIG_}
				if grep -rqs --include='Kconfig*' -E "^(menu)?config $sym\$" "$tree"; then
					echo "$line" >>"$out"
				fi
				;;
			esac
		done <"$f"
	done
}

# matrix_what FRAGMENT: what a matrix fragment builds, from its comment
# lines "# arch: ARCH CROSS_COMPILE" (x86_64 without one) and "# targets:"
# (bzImage without one; MATRIX_TARGETS replaces them), as one line
# "ARCH CROSS TARGETS" (CROSS is - for none).
matrix_what() {
	local arch cross targets
	read -r arch cross < <(sed -n 's/^# arch: //p' "$1"; echo)
	targets=${MATRIX_TARGETS:-$(sed -n 's/^# targets: //p' "$1")}
	printf '%s %s %s\n' "${arch:-x86_64}" "${cross:--}" "${targets:-bzImage}"
}

# build_matrix TREE NAME FRAGMENT SERIES_CONFIG: build what the matrix
# FRAGMENT names (matrix_what) from TREE into build/obj/NAME, with
# SERIES_CONFIG (the series' options TREE knows). x86_64 fragments start
# from the guest configuration with Debian's mm options, the others from
# tinyconfig.
build_matrix() {
	local tree=$1 name=$2 frag=$3 series_cfg=$4 arch cross targets
	local fragments=("$series_cfg" "$frag")
	read -r arch cross targets < <(matrix_what "$frag")
	[ "$arch" != x86_64 ] || fragments=("$TOP/configs/guest.config"
		"$TOP/configs/distro-mm.config" "${fragments[@]}")
	[ "$cross" != - ] || cross=
	KARCH=$arch CROSS_COMPILE=$cross KBUILD_TARGETS=$targets \
		CHECK_FRAGMENTS=$frag LINUX_DIR=$tree \
		"$TOP/scripts/build-kernel.sh" "$name" "${fragments[@]}"
}

# planted_commit PARENT PATH SED-EXPRESSION: a commit on top of PARENT
# whose PATH is PARENT's filtered through the sed expression; prints its
# id. It changes no branch and no work tree: the commit exists only as
# objects, for the checks' tests to plant defects in.
planted_commit() {
	local parent=$1 path=$2 expr=$3 index blob tree
	index=$(mktemp)
	GIT_INDEX_FILE=$index ktree_git read-tree "$parent"
	blob=$(ktree_git show "$parent:$path" | sed "$expr" | ktree_git hash-object -w --stdin)
	GIT_INDEX_FILE=$index ktree_git update-index --cacheinfo "100644,$blob,$path"
	tree=$(GIT_INDEX_FILE=$index ktree_git write-tree)
	rm -f "$index"
	ktree_git commit-tree -p "$parent" -m "planted: $path" "$tree"
}

# check_worktree NAME REF: a detached work tree of the kernel repository
# at REF in $BUILD/check/NAME, for checks that must not depend on what
# the main work tree has checked out. Prints its path.
check_worktree() {
	local dir=$BUILD/check/$1
	if [ ! -d "$dir" ]; then
		mkdir -p "$BUILD/check"
		ktree_git worktree add -q --detach "$dir" "$2" >&2
	else
		LINUX_DIR=$dir ktree_git checkout -q --detach "$2" >&2
	fi
	printf '%s\n' "$dir"
}

# TAP for the test and check scripts. The plan goes first (kunit.py, which
# folds the results, loops on a trailing plan), so results are collected
# and printed at the end:
#   tap_begin
#   tap_t DESCRIPTION COMMAND...      one test: the command's status, and
#                                     its output as diagnostics on failure
#   tap_result DESCRIPTION FAILURES   one test that fails when FAILURES
#                                     (shown as diagnostics) is not empty
#   tap_skip DESCRIPTION REASON
#   tap_end                           print; fail if any test failed
tap_begin() {
	TAP_N=0
	TAP_FAILED=0
	TAP_BUF=$(mktemp)
	TAP_OUT=$(mktemp)
}

tap_record() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" = ok ]; then
		echo "ok $TAP_N $2" >>"$TAP_BUF"
		return
	fi
	echo "not ok $TAP_N $2" >>"$TAP_BUF"
	[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /' >>"$TAP_BUF"
	TAP_FAILED=1
}

tap_t() {
	# TAP reads " # " as the start of a directive: keep '#' out of names.
	local desc=${1//#/}
	shift
	if "$@" >"$TAP_OUT" 2>&1; then
		tap_record ok "$desc"
	else
		tap_record fail "$desc" "$(cat "$TAP_OUT")"
	fi
}

tap_result() {
	if [ -z "$2" ]; then
		tap_record ok "$1"
	else
		tap_record fail "$1" "$2"
	fi
}

tap_skip() {
	tap_record ok "${1//#/} # SKIP $2"
}

tap_end() {
	printf 'TAP version 13\n1..%d\n' "$TAP_N"
	cat "$TAP_BUF"
	rm -f "$TAP_BUF" "$TAP_OUT"
	return "$TAP_FAILED"
}
