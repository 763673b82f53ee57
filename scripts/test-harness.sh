#!/usr/bin/env bash
# test-harness.sh: tests of the harness itself, as TAP on stdout.
#  - splat detection: a clean log passes, each kind of splat planted in it
#    fails it;
#  - result folding: fixed console logs give the exact summary expected;
#  - the patch queue: export, export-check, strict apply and the refusal to
#    lose unexported commits, on a small scratch repository standing in
#    for build/linux (the scripts take their paths from the environment),
#    and the round trip tree -> patches -> fresh tree giving the same
#    commit ids.
# shellcheck disable=SC2317 # the test functions are called through tap_t()
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
fixtures=$TOP/tests/harness
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

fails() { ! "$@"; }

shellcheck_clean() {
	cd "$TOP" && shellcheck scripts/*.sh .ci/run guest/init guest/*.sh \
		guest/demo.d/* guest/tests.d/* guest/stress.d/*
}

# ---- splat detection ----
splat_planted() {
	local line=$1 log=$scratch/planted.log
	sed "20a\\$line" "$fixtures/console-sample.log" >"$log"
	local out
	out=$("$TOP/scripts/check-splats.sh" "$log") && return 1
	grep -qF -- "${line#*] }" <<<"$out"
}

# fault_splats: in console-faults.log, the stack dump of an allocation
# failure reported while faults are injected is no splat, nor is the
# kmemleak report of a stress run's baseline, nor the stack of an OOM
# kill a test marks as expected; the WARNING after the first, its stack,
# an allocation failure's stack after the injection ended, a leak found
# after the baseline and an OOM's stack after the mark are (lines 6, 7,
# 10, 14 and 21).
fault_splats() {
	local out
	out=$("$TOP/scripts/check-splats.sh" "$fixtures/console-faults.log") && return 1
	[ "$(cut -d: -f2 <<<"$out" | tr '\n' ' ')" = "6 7 10 14 21 " ]
}

# hmm_tests_alarm: a case of a program built the way build-selftests.sh
# builds hmm-tests gets the harness alarm of guest/src/hmm-tests-timeout.h
# (120 s), not kselftest_harness.h's 30 s.
hmm_tests_alarm() {
	printf '%s\n' 'TEST(probe) {}' \
		'int main(void) { return _probe_object.timeout != 120; }' >"$scratch/alarm.c"
	gcc -I"$real_tree/tools/testing/selftests" \
		-include "$TOP/guest/src/hmm-tests-timeout.h" \
		-o "$scratch/alarm" "$scratch/alarm.c" && "$scratch/alarm"
}

# ---- result folding ----
summary_is() {
	local want=$1 want_rc=$2
	shift 2
	local rc=0
	LINUX_DIR=${KUNIT_TREE:-$TOP/build/linux} \
		python3 "$TOP/scripts/summarize.py" "$@" >"$scratch/summary" || rc=$?
	cat "$scratch/summary"
	[ "$(tail -n 1 "$scratch/summary")" = "$want" ] && [ "$rc" -eq "$want_rc" ]
}

# The sample log with a driver's message printed inside the KUnit KTAP.
ktap_interrupted() {
	sed '5a\[    0.812346] input: ImExPS/2 Generic Explorer Mouse as /devices/platform/i8042/serio1/input/input3' \
		"$fixtures/console-sample.log" >"$scratch/interrupted.log"
	summary_is "4 passed, 3 failed, 3 skipped" 1 --console "$scratch/interrupted.log" \
		--expected "$fixtures/expected-sample"
}

# ---- check-patches: series A's first patch, clean and with planted defects ----
real_tree=${KUNIT_TREE:-$TOP/build/linux}
first_patch=$(echo "$TOP"/patches/spm/0001-*.patch)

# planted_check CHECK COMMAND...: a one-patch series A whose patch is the
# first patch filtered through COMMAND; check-patches must fail CHECK (or
# pass everything when CHECK is "clean").
planted_check() {
	local want=$1 dir=$scratch/planted/spm
	shift
	rm -rf "$scratch/planted"
	mkdir -p "$dir"
	cp "$TOP/patches/spm/0000-cover-letter.patch" "$dir/"
	"$@" <"$first_patch" >"$dir/${first_patch##*/}"
	echo "${first_patch##*/}" >"$dir/series"
	[ -z "${PLANT_UNLISTED:-}" ] || cp "$TOP"/patches/spm/0002-*.patch "$dir/"
	local rc=0
	PATCHES_DIR=$scratch/planted SERIES_LIST=spm LINUX_DIR=$real_tree \
		"$TOP/scripts/check-patches.sh" >"$scratch/check.tap" || rc=$?
	cat "$scratch/check.tap"
	if [ "$want" = clean ]; then
		[ "$rc" -eq 0 ] && ! grep -q '^not ok' "$scratch/check.tap"
	else
		[ "$rc" -ne 0 ] && grep -q "^not ok [0-9]* .*$want" "$scratch/check.tap"
	fi
}

# Trailing whitespace on the first added line of the diff.
add_trailing_space() { perl -pe 'if (!$d && /^\+[^+]/) { s/$/ /; $d = 1 }'; }
# A context line the base does not have.
break_context() { perl -pe 'if (/^@@/) { $h = 1 } elsif ($h && !$d && /^ \S/) { s/^ / X/; $d = 1 }'; }
# A second patch file that the series file does not name.
unlisted_patch() { PLANT_UNLISTED=1 planted_check "$1" cat; }
# A commit message of one line.
short_message() { perl -0pe 's/\n\n.*?\nSigned-off-by/\n\nAdd it.\n\nSigned-off-by/s'; }

# planted_docs CHECK PATH SED-EXPRESSION: check-docs on a commit that
# plants a defect on top of the stack fails CHECK.
planted_docs() {
	local want=$1 ref rc=0
	ref=$(LINUX_DIR=$real_tree planted_commit "refs/heads/${SERIES_LIST##* }" "$2" "$3")
	LINUX_DIR=$real_tree "$TOP/scripts/check-docs.sh" "$ref" >"$scratch/docs.tap" || rc=$?
	cat "$scratch/docs.tap"
	[ "$rc" -ne 0 ] && grep -q "^not ok [0-9]* $want" "$scratch/docs.tap"
}

# ---- patch queue, on a scratch tree ----
export BUILD=$scratch/build LINUX_DIR=$scratch/build/linux PATCHES_DIR=$scratch/patches
# shellcheck source=scripts/lib.sh
. "$TOP/scripts/lib.sh"

make_scratch_tree() {
	local dir=$1
	mkdir -p "$dir"
	LINUX_DIR=$dir ktree_git init -q -b "${SERIES_LIST%% *}"
	printf 'one\ntwo\nthree\n' >"$dir/file"
	mkdir -p "$dir/mm"
	printf 'int x;\n' >"$dir/mm/a.c"
	# Debian's top-level rule, which hides every new file outside debian/.
	printf '/*\n!/debian/\n*.o\n' >"$dir/.gitignore"
	LINUX_DIR=$dir ktree_git add -A -f
	GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
		LINUX_DIR=$dir ktree_git commit -q -m base
	LINUX_DIR=$dir ktree_git tag base
}

# commit_change FILE TEXT SUBJECT DATE: one commit whose committer date is
# its author date, as git am --committer-date-is-author-date makes them.
commit_change() {
	printf '%s\n' "$2" >>"$LINUX_DIR/$1"
	ktree_git add -A -f "$1"
	GIT_AUTHOR_DATE=$4 GIT_COMMITTER_DATE=$4 ktree_git commit -q -s -m "$3" \
		-m "Why: the harness self-test needs a commit touching $1."
}

setup_queue() {
	mkdir -p "$PATCHES_DIR/spm" "$PATCHES_DIR/devpriv"
	for s in spm devpriv; do
		printf 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: %s <%s>\nDate: Wed, 1 Jan 2025 00:00:00 +0000\nSubject: [PATCH 0/0] %s: the %s title\n\nThe %s blurb,\nkept across exports.\n' \
			"$IDENT_NAME" "$IDENT_EMAIL" "$s" "$s" "$s" >"$PATCHES_DIR/$s/0000-cover-letter.patch"
		: >"$PATCHES_DIR/$s/series"
	done
	make_scratch_tree "$LINUX_DIR"
	"$TOP/scripts/apply-series.sh"
	ktree_git checkout -q spm
	commit_change mm/a.c 'int y;' 'mm/a: add y' '2025-02-01T10:00:00Z'
	commit_change file 'four' 'file: add four' '2025-02-02T10:00:00Z'
	ktree_git checkout -q devpriv
	ktree_git reset -q --hard spm
	commit_change mm/a.c 'int z;' 'mm/a: add z for device memory' '2025-02-03T10:00:00Z'
}

exported_as_expected() {
	ls "$PATCHES_DIR/spm" "$PATCHES_DIR/devpriv"
	[ "$(cat "$PATCHES_DIR/spm/series")" = "$(printf '0001-mm-a-add-y.patch\n0002-file-add-four.patch')" ] &&
	[ "$(cat "$PATCHES_DIR/devpriv/series")" = "0001-mm-a-add-z-for-device-memory.patch" ] &&
	grep -q '^From 0000000000000000000000000000000000000000 ' "$PATCHES_DIR/spm/0001-mm-a-add-y.patch" &&
	! grep -q '^-- $' "$PATCHES_DIR"/*/*.patch &&
	grep -q '^Subject: \[PATCH 0/2\] spm: the spm title$' "$PATCHES_DIR/spm/0000-cover-letter.patch" &&
	grep -q '^The spm blurb,$' "$PATCHES_DIR/spm/0000-cover-letter.patch" &&
	grep -q '^  file: add four$' "$PATCHES_DIR/spm/0000-cover-letter.patch" &&
	grep -q '^Subject: \[PATCH 1/1\] mm/a: add z for device memory$' "$PATCHES_DIR/devpriv/0001-mm-a-add-z-for-device-memory.patch"
}

export_is_stable() {
	cp -r "$PATCHES_DIR" "$scratch/first"
	"$TOP/scripts/export-series.sh"
	diff -r "$scratch/first" "$PATCHES_DIR"
}

round_trip() {
	local fresh=$scratch/fresh
	make_scratch_tree "$fresh"
	LINUX_DIR=$fresh "$TOP/scripts/apply-series.sh"
	for ref in refs/heads/spm refs/heads/devpriv; do
		[ "$(git -C "$fresh" rev-parse "$ref")" = "$(git -C "$LINUX_DIR" rev-parse "$ref")" ] ||
			{ echo "$ref differs"; return 1; }
	done
}

refuses_unexported() {
	commit_change file 'five' 'file: add five' '2025-02-04T10:00:00Z'
	local head
	head=$(ktree_git rev-parse HEAD)
	! "$TOP/scripts/apply-series.sh" 2>"$scratch/err" || return 1
	cat "$scratch/err"
	grep -q 'refusing to reset' "$scratch/err" &&
		[ "$(ktree_git rev-parse HEAD)" = "$head" ]
}

force_keeps_backup() {
	local head
	head=$(ktree_git rev-parse HEAD)
	FORCE=1 "$TOP/scripts/apply-series.sh" &&
	ktree_git for-each-ref --format='%(objectname)' 'refs/heads/backup/' | grep -qx "$head" &&
	"$TOP/scripts/export-series.sh" --check
}

reapplies_changed_patches() {
	# patches/ gains a patch (as after a pull): the unchanged tree follows.
	local before
	before=$(ktree_git rev-parse HEAD)
	sed -i 's/^+int z;$/+int zz;/' "$PATCHES_DIR/devpriv/0001-mm-a-add-z-for-device-memory.patch"
	"$TOP/scripts/apply-series.sh" &&
	[ "$(ktree_git rev-parse HEAD)" != "$before" ] &&
	grep -q '^int zz;$' "$LINUX_DIR/mm/a.c"
}

unstacked_is_refused() {
	ktree_git checkout -q spm
	commit_change file 'late' 'file: add late' '2025-02-05T10:00:00Z'
	! "$TOP/scripts/export-series.sh" 2>"$scratch/err" || return 1
	cat "$scratch/err"
	grep -q "branch devpriv is not stacked on spm" "$scratch/err" &&
		ktree_git rebase -q spm devpriv && "$TOP/scripts/export-series.sh" &&
		grep -qx '0003-file-add-late.patch' "$PATCHES_DIR/spm/series"
}

new_files_count() {
	printf 'int fresh;\n' >"$LINUX_DIR/mm/fresh.c"
	ktree_git status --porcelain | grep -qx '?? mm/fresh.c' &&
		! "$TOP/scripts/export-series.sh" --check &&
		rm "$LINUX_DIR/mm/fresh.c" &&
		"$TOP/scripts/export-series.sh" --check
}

# ---- the pinned base ----
rejects_changed_tarball() {
	printf 'not the kernel\n' >"$scratch/fake.tar.xz"
	! BASE_TARBALL=$scratch/fake.tar.xz LINUX_DIR=$scratch/never \
		"$TOP/scripts/prepare-tree.sh" 2>"$scratch/err" || return 1
	cat "$scratch/err"
	grep -q "sha256 .*, expected $BASE_SHA256" "$scratch/err" && [ ! -e "$scratch/never" ]
}

rejects_missing_version() {
	! BASE_VERSION=6.12.0-0~missing LINUX_DIR=$scratch/never \
		"$TOP/scripts/prepare-tree.sh" 2>"$scratch/err" || return 1
	cat "$scratch/err"
	grep -q "cannot be installed: the archive may have dropped it" "$scratch/err" &&
		grep -q "ALLOW_NEWER_BASE=1" "$scratch/err" && [ ! -e "$scratch/never" ]
}

# ---- a fresh machine: nothing installed ----
# fresh_machine: shims first on PATH stand for a machine where no package
# was ever installed. dpkg-query answers as it does for a package it does
# not know (exit 1), until the apt-get shim has "installed" it; apt-get
# records what it was asked and, for the base package, puts a stand-in
# tarball where the real one would be; id says root.
fresh_machine() {
	local bin=$scratch/fresh-bin
	rm -rf "$bin" "$scratch/installed" "$scratch/apt.log" "$scratch/asked.log" \
		"$scratch/fake-base.tar.xz"
	mkdir -p "$bin" "$scratch/installed"
	cat >"$bin/dpkg-query" <<-EOF
	#!/bin/sh
	for p; do :; done
	echo "\$p" >>"$scratch/asked.log"
	if [ -e "$scratch/installed/\$p" ]; then
		v=\$(cat "$scratch/installed/\$p")
		echo "install ok installed\${v:+ \$v}"
		exit 0
	fi
	echo "dpkg-query: no packages found matching \$p" >&2
	exit 1
	EOF
	cat >"$bin/apt-get" <<-EOF
	#!/bin/sh
	echo "apt-get \$*" >>"$scratch/apt.log"
	[ "\$1" = install ] || exit 0
	for arg; do
		case "\$arg" in
		-*|install) ;;
		*=*) echo "\${arg#*=}" >"$scratch/installed/\${arg%%=*}"
		     echo "not the kernel" >"$scratch/fake-base.tar.xz" ;;
		*) : >"$scratch/installed/\$arg" ;;
		esac
	done
	EOF
	printf '#!/bin/sh\necho 0\n' >"$bin/id"
	chmod +x "$bin"/*
	printf '%s\n' "$bin"
}

# On a machine without the base package, prepare-tree.sh installs the
# pinned version, then checks the tarball it got (here a stand-in, so the
# checksum fails: the install step ran, and the error says what to do).
fresh_tree_installs_base() {
	local bin
	bin=$(fresh_machine)
	! PATH=$bin:$PATH BASE_TARBALL=$scratch/fake-base.tar.xz LINUX_DIR=$scratch/never \
		"$TOP/scripts/prepare-tree.sh" 2>"$scratch/err" || return 1
	cat "$scratch/err" "$scratch/apt.log"
	grep -q "installing $BASE_PKG=$BASE_VERSION (have: none)" "$scratch/err" &&
		grep -qx "apt-get install -y -q --allow-downgrades $BASE_PKG=$BASE_VERSION" \
			"$scratch/apt.log" &&
		grep -q "sha256 .*, expected $BASE_SHA256" "$scratch/err"
}

# install-deps.sh asks apt-get, after an update, for every package it
# found missing: here all it asked dpkg-query about, make check's among them.
fresh_deps_installs_all() {
	local bin
	bin=$(fresh_machine)
	PATH=$bin:$PATH "$TOP/scripts/install-deps.sh" check >/dev/null 2>"$scratch/err" ||
		{ cat "$scratch/err"; return 1; }
	cat "$scratch/apt.log"
	grep -qx sparse "$scratch/asked.log" &&
		[ "$(sed -n 1p "$scratch/apt.log")" = "apt-get update -q" ] &&
		[ "$(sed -n '2s/^apt-get install -y -q --no-install-recommends //p' "$scratch/apt.log" |
			tr ' ' '\n' | sort)" = "$(sort -u "$scratch/asked.log")" ]
}

# A machine's apt sources of release $1, one-line and deb822, with a
# third-party entry and options in brackets; file: URIs, so that no host
# is named.
apt_fixture() {
	local etc=$scratch/apt-etc rel=$1
	rm -rf "$etc"
	mkdir -p "$etc/sources.list.d"
	printf '%s\n' '# deb file:/srv/old bookworm main' \
		"deb [arch=amd64 signed-by=/k.gpg] file:/srv/debian $rel main contrib" \
		"deb-src file:/srv/debian $rel main" >"$etc/sources.list"
	printf '%s\n' 'Types: deb' 'URIs: file:/srv/debian-security' "Suites: $rel-security" \
		'Components: main' 'Signed-By: /k.gpg' '' 'Types: deb' 'URIs: file:/srv/other' \
		'Suites: nodistro' 'Components: main' >"$etc/sources.list.d/debian.sources"
	printf '%s\n' "$etc"
}

# install-deps.sh takes QEMU from the backports suite of the machine's own
# Debian entry, and leaves out the sources of other projects.
backports_derived() {
	local got want
	got=$(APT_ETC=$(apt_fixture bookworm) apt_backports_entries bookworm)
	want='deb [arch=amd64 signed-by=/k.gpg] file:/srv/debian bookworm main contrib
deb [arch=amd64 signed-by=/k.gpg] file:/srv/debian bookworm-backports main contrib
deb [signed-by=/k.gpg] file:/srv/debian-security bookworm-security main'
	printf '%s\n' "$got"
	[ "$got" = "$want" ]
}

# With QEMU 7.2 and the backports suite out of reach, install-deps.sh
# says so and what follows, and succeeds: every topology but cxl works.
deps_without_backports() {
	local bin rel
	rel=$(sed -n "s/^VERSION_CODENAME=//p" /etc/os-release)
	bin=$(fresh_machine)
	printf '#!/bin/sh\ncase "$*" in *Dir::State::Lists*update*) exit 100 ;; esac\n' \
		>"$bin/apt-get.new"
	cat "$bin/apt-get" >>"$bin/apt-get.new"
	mv "$bin/apt-get.new" "$bin/apt-get"
	printf '#!/bin/sh\necho "QEMU emulator version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u18+b3)"\n' \
		>"$bin/qemu-system-x86_64"
	chmod +x "$bin/apt-get" "$bin/qemu-system-x86_64"
	rm -rf "$scratch/build"
	PATH=$bin:$PATH APT_ETC=$(apt_fixture "$rel") BUILD=$scratch/build \
		"$TOP/scripts/install-deps.sh" >/dev/null 2>"$scratch/err" || { cat "$scratch/err"; return 1; }
	cat "$scratch/err"
	grep -q "apt-get update of $rel-backports failed" "$scratch/err" &&
		grep -q 'WARNING: .*QEMU 10.0 could not be unpacked' "$scratch/err" &&
		grep -q 'WARNING: .*make test skips the CXL boot' "$scratch/err"
}

# With QEMU 7.2 in PATH, run-qemu.sh boots every topology on the QEMU
# 10.0 that install-deps.sh unpacked (each stand-in notes that it ran);
# without the unpacked one, it boots all but cxl on 7.2 and says why it
# cannot boot cxl.
qemu_10_first() {
	local bin=$scratch/qemu-bin q=$scratch/build/qemu-backports/usr/bin topo stand_in
	rm -rf "$bin" "$scratch/build"
	mkdir -p "$bin" "$q"
	for stand_in in "$bin/qemu-system-x86_64:7.2.19" "$q/qemu-system-x86_64:10.0.2"; do
		printf '#!/bin/sh\n: >"%s.ran"\necho "QEMU emulator version %s"\n' \
			"${stand_in%:*}" "${stand_in##*:}" >"${stand_in%:*}"
		chmod +x "${stand_in%:*}"
	done
	for topo in spm cxl smallphys; do
		rm -f "$bin/qemu-system-x86_64.ran" "$q/qemu-system-x86_64.ran"
		PATH=$bin:$PATH BUILD=$scratch/build "$TOP/scripts/run-qemu.sh" -t $topo -n || return 1
		[ -e "$q/qemu-system-x86_64.ran" ] || { echo "$topo: QEMU 10.0 did not run"; return 1; }
	done
	rm -rf "$scratch/build/qemu-backports"
	! PATH=$bin:$PATH BUILD=$scratch/build "$TOP/scripts/run-qemu.sh" -t cxl -n >"$scratch/out" || return 1
	cat "$scratch/out"
	grep -q 'needs QEMU 8 or later.*is 7.2.*(run: make deps)' "$scratch/out" &&
		PATH=$bin:$PATH BUILD=$scratch/build "$TOP/scripts/run-qemu.sh" -t spm -n
}

# A boot that QEMU aborted on an assertion before the guest's userspace
# started is booted once more; the first log is kept beside the second.
qemu_abort_boots_again() {
	local q=$scratch/qemu-abort log=$scratch/abort.log
	rm -rf "$q" "$log" "$log.qemu-abort"
	mkdir -p "$q" "$scratch/build"
	cat >"$q/qemu" <<-EOF
	#!/bin/sh
	[ "\$1" = --version ] && { echo "QEMU emulator version 7.2.19"; exit 0; }
	if [ ! -e "$q/booted" ]; then
		: >"$q/booted"
		echo "qemu-system-x86_64: hw/pci/msix.c:228: msix_table_mmio_write: Assertion \\\`x' failed."
		exit 134
	fi
	echo "spm-devpriv: userspace started, mode test"
	echo "spm-devpriv-exit: 0"
	EOF
	chmod +x "$q/qemu"
	: >"$q/bzImage"
	: >"$q/initrd"
	QEMU=$q/qemu ACCEL=tcg BUILD=$scratch/build QEMU_CONSOLE=none "$TOP/scripts/run-qemu.sh" \
		-k "$q/bzImage" -i "$q/initrd" -l "$log" 2>"$scratch/err" || return 1
	cat "$scratch/err"
	grep -q 'Assertion' "$log.qemu-abort" && grep -q '^spm-devpriv-exit: 0' "$log" &&
		grep -q 'QEMU aborted before the guest.s userspace started' "$scratch/err"
}

# make test's spm boot leaves out the programs the cxl boot runs, and
# only when QEMU can boot cxl (here a stand-in QEMU 10.0, then 7.2).
spm_boot_skips_cxl_programs() {
	local q=$scratch/qemu-skip boot=$scratch/build/obj/test/arch/x86/boot version
	for version in 10.0.2 7.2.19; do
		rm -rf "$q"
		mkdir -p "$q" "$boot"
		: >"$boot/bzImage"
		: >"$scratch/build/initramfs.cpio"
		cat >"$q/qemu" <<-EOF
		#!/bin/sh
		[ "\$1" = --version ] && { echo "QEMU emulator version $version"; exit 0; }
		echo "\$*" >"$q/args"
		echo "spm-devpriv-exit: 0"
		EOF
		chmod +x "$q/qemu"
		QEMU=$q/qemu ACCEL=tcg make -s -C "$TOP" boot-spm BUILD="$scratch/build" \
			PHASE_TIMES="$scratch/phase-times" >/dev/null 2>&1 || return 1
		grep -o 'spmdev.skip=[^ ]*' "$q/args"
		case $version in
		10.*) grep -qE 'spmdev.skip=16-numa-balancing,65-mm-migration( |$)' "$q/args" || return 1 ;;
		*) grep -qE 'spmdev.skip=( |$)' "$q/args" || return 1 ;;
		esac
	done
}

# A phase that fails says in one line what failed and what to do: make
# tree on the fresh machine, whose deps phase "installs" everything and
# whose tree phase then meets the stand-in tarball.
fresh_make_tree_says_why() {
	local bin rc=0
	bin=$(fresh_machine)
	PATH=$bin:$PATH BASE_TARBALL=$scratch/fake-base.tar.xz LINUX_DIR=$scratch/never \
		make -s -C "$TOP" tree PHASE_TIMES="$scratch/phase-times" >"$scratch/out" 2>&1 || rc=$?
	cat "$scratch/out"
	[ "$rc" -ne 0 ] && grep -qx '=== tree FAILED: fix what the error above says, then: make tree' \
		"$scratch/out"
}

# A script that stops on a failing command names it, even when the
# command was an assignment from a failing pipeline.
# shellcheck disable=SC2016 # the script's own text, expanded when it runs
silent_exit_is_named() {
	local script=$scratch/silent.sh
	printf '#!/usr/bin/env bash\nset -euo pipefail\n. "%s/scripts/lib.sh"\nv=$(false | cat)\necho "$v"\n' \
		"$TOP" >"$script"
	! bash "$script" 2>"$scratch/err" || return 1
	cat "$scratch/err"
	grep -q '^silent.sh: error: line 4: v=$(false | cat) failed with status 1$' "$scratch/err"
}

rejects_fuzz() {
	sed -i 's/^ int y;$/ int w;/' "$PATCHES_DIR/devpriv/0001-mm-a-add-z-for-device-memory.patch"
	! "$TOP/scripts/apply-series.sh" 2>"$scratch/err" || return 1
	cat "$scratch/err"
	grep -q 'does not apply' "$scratch/err" &&
		[ -z "$(ktree_git status --porcelain)" ]
}

# run_tests_picks CMDLINE NAME...: guest/run-tests.sh, given the kernel
# command line CMDLINE, runs the programs NAME... of a stand-in tests.d,
# in order, and no other: "a" has no topology line, "b" runs on spm and
# cxl, "c" on cxl.
run_tests_picks() {
	local root=$scratch/run-tests cmdline=$1 ran
	shift
	mkdir -p "$root/tests.d"
	printf '#!/bin/sh\necho ok\n' >"$root/tests.d/a"
	printf '#!/bin/sh\n# topology: spm cxl\necho ok\n' >"$root/tests.d/b"
	printf '#!/bin/sh\n# topology: cxl\necho ok\n' >"$root/tests.d/c"
	chmod +x "$root"/tests.d/*
	echo "$cmdline" >"$root/cmdline"
	SPMDEV_ROOT=$root SPMDEV_CMDLINE=$root/cmdline TMPDIR=$root \
		sh "$TOP/guest/run-tests.sh" >"$root/out"
	ran=$(sed -n 's/^spm-devpriv: running //p' "$root/out" | tr '\n' ' ')
	echo "ran: $ran"
	[ "$ran" = "$* " ]
}

tap_begin
tap_t "shellcheck: the repository's shell scripts are clean" shellcheck_clean
tap_t "check-splats: a clean console log passes" "$TOP/scripts/check-splats.sh" "$fixtures/console-sample.log"
while IFS= read -r line; do
	tap_t "check-splats: finds '${line#*] }'" splat_planted "$line"
done <"$fixtures/splats.txt"
tap_t "hmm-tests: each case gets 120 s before the harness's alarm" hmm_tests_alarm
tap_t "check-splats: allocation failures under fault injection, a stress baseline's leaks and an expected OOM are no splats" fault_splats
tap_t "summarize: KTAP and TAP sections fold into one summary" \
	summary_is "4 passed, 3 failed, 3 skipped" 1 \
	--console "$fixtures/console-sample.log" --expected "$fixtures/expected-sample"
tap_t "summarize: a kernel message inside the KUnit KTAP is not KTAP" ktap_interrupted
tap_t "summarize: a crashed guest and a splat count as failures" \
	summary_is "1 passed, 5 failed, 0 skipped" 1 --console "$fixtures/console-crash.log"
setup_queue >"$scratch/setup.log" 2>&1
tap_t "export: writes both series with stable names and cover letters" \
	"$TOP/scripts/export-series.sh"
tap_t "export: output as expected" exported_as_expected
tap_t "export: a second export changes nothing" export_is_stable
tap_t "export-check: passes on an exported tree" "$TOP/scripts/export-series.sh" --check
tap_t "round trip: patches applied to a fresh base give the same commits" round_trip
tap_t "work tree: a new file is seen despite Debian's .gitignore" new_files_count
tap_t "apply: refuses to reset a tree with unexported commits" refuses_unexported
tap_t "export-check: fails on an unexported commit" fails "$TOP/scripts/export-series.sh" --check
tap_t "apply: FORCE=1 re-applies and keeps the old commits on a backup branch" force_keeps_backup
tap_t "apply: follows changed patches when the tree has not moved" reapplies_changed_patches
tap_t "export: a series branch not stacked on the one before is refused" unstacked_is_refused
tap_t "apply: a patch that needs fuzz fails cleanly" rejects_fuzz
tap_t "tree: a tarball with another checksum is a clear error" rejects_changed_tarball
tap_t "tree: a pinned version the archive lacks is a clear error" rejects_missing_version
tap_t "fresh machine: tree installs the pinned base package" fresh_tree_installs_base
tap_t "fresh machine: deps asks apt-get for every package" fresh_deps_installs_all
tap_t "fresh machine: a failed phase says what to do" fresh_make_tree_says_why
tap_t "deps: the backports suite comes from the machine's Debian entry" backports_derived
tap_t "deps: without the backports suite QEMU 7.2 stays, and deps says so" deps_without_backports
tap_t "run-qemu: every topology boots on the unpacked QEMU 10.0; without it cxl says why not" qemu_10_first
tap_t "run-qemu: a boot QEMU aborted before userspace is booted once more" qemu_abort_boots_again
tap_t "make test: the spm boot leaves out cxl's programs only when cxl boots" spm_boot_skips_cxl_programs
tap_t "a script stopped by a failing command names it" silent_exit_is_named
tap_t "run-tests: a program without a topology line runs on spm" run_tests_picks "spmdev.topology=spm" a b
tap_t "run-tests: a program runs on each topology its line names" run_tests_picks "spmdev.topology=cxl" b c
tap_t "run-tests: spmdev.tests runs only the programs it names" \
	run_tests_picks "spmdev.topology=spm spmdev.tests=b,c" b
tap_t "run-tests: spmdev.skip leaves out the programs it names" \
	run_tests_picks "spmdev.topology=spm spmdev.skip=a" b
tap_t "check-patches: the first patch of series A passes" planted_check clean cat
tap_t "check-patches: trailing whitespace fails checkpatch" \
	planted_check "checkpatch --strict" add_trailing_space
tap_t "check-patches: a subject without a subsystem prefix fails" \
	planted_check "identity and subject" sed 's/^\(Subject: \[PATCH[^]]*\]\) [^ :]*: /\1 /'
tap_t "check-patches: a missing Signed-off-by fails" \
	planted_check "identity and subject" sed '/^Signed-off-by:/d'
tap_t "check-patches: a one-line commit message fails" \
	planted_check "the commit message explains" short_message
tap_t "check-patches: a patch that does not apply on the base fails" \
	planted_check "applies on the base" break_context
tap_t "check-patches: a patch file missing from the series file fails" \
	unlisted_patch "the series file lists every patch file"
tap_t "check-docs: the series has no new kernel-doc or ABI warning" \
	env LINUX_DIR="$real_tree" "$TOP/scripts/check-docs.sh"
tap_t "check-docs: an undocumented parameter fails" \
	planted_docs "kernel-doc: no new warning in mm/memory-tiers.c" mm/memory-tiers.c \
	'/^ \* @has_memory: @nid holds memory now, online or not$/d'
# shellcheck disable=SC2016 # a sed script, not a shell expansion
tap_t "check-docs: a file documented twice in Documentation/ABI fails" \
	planted_docs "get_abi.pl validate" Documentation/ABI/stable/sysfs-devices-node \
	'$a\\nWhat:\t\t/sys/devices/system/node/has_spm\nDescription:\n\t\tAgain.'
tap_end
