# spm-devpriv: the single entry point. "make help" lists the targets.

SHELL := /bin/bash
BUILD := build
RESULTS := $(BUILD)/results
KERNEL := $(BUILD)/obj/test/arch/x86/boot/bzImage
INITRD := $(BUILD)/initramfs.cpio
# The test kernel: trimmed guest config, a distribution's mm options, the
# debug options and the series' own.
TEST_FRAGMENTS := configs/guest.config configs/distro-mm.config configs/debug.config \
	configs/spm.config configs/devpriv.config configs/cxl.config
TOPOLOGY ?= spm
TIMED := scripts/timed.sh
export PHASE_TIMES := $(CURDIR)/$(RESULTS)/phase-times

.PHONY: help deps tree export export-check kernel kernel-v1 selftests numactl initramfs \
	harness-test check-quick boot-test boot-spm boot-others test demo shell walk check clean
.PHONY: bench regress
.PHONY: stress

help:
	@echo "make test          the whole pipeline: deps, tree, kernel, boot, every test"
	@echo "make demo          boot the patched kernel on the spm topology and show it"
	@echo "make tree          base tree + series in build/linux (FORCE=1, ALLOW_NEWER_BASE=1)"
	@echo "make export        write patches/ from the commits in build/linux"
	@echo "make export-check  fail when build/linux holds work not in patches/"
	@echo "make kernel        build the test kernel (ccache, prints the build time)"
	@echo "make numactl       numactl with patches/numactl (scripts/build-numactl.sh)"
	@echo "make initramfs     build the guest root file system and test programs"
	@echo "make harness-test  the harness's own tests (no kernel needed)"
	@echo "make boot-test     boot the built kernel and run the guest tests"
	@echo "make shell         boot the built kernel to a shell (TOPOLOGY=$(TOPOLOGY))"
	@echo "make walk          build, boot and test every patch on its own (SERIES=...)"
	@echo "make check         the review gate: patches, docs, W=1/sparse, matrix, bisect, drivers per patch"
	@echo "make check-quick   its cheap part (patches, docs, mm/ without SPM), also run by make test"
	@echo "make bench         A/B benchmark, base vs tip, -icount guests (BENCH_ROUNDS=5)"
	@echo "make regress       the kernel's selftests and numactl's tests, base vs tip"
	@echo "make stress        boot the debug kernel for STRESS_SECONDS=$(STRESS_SECONDS) of stress and fault injection"
	@echo "make clean         remove build output, keep build/linux"

deps:
	@$(TIMED) deps scripts/install-deps.sh

tree: deps
	@$(TIMED) tree scripts/prepare-tree.sh

export:
	@scripts/export-series.sh
	@scripts/build-numactl.sh export

export-check:
	@scripts/export-series.sh --check
	@scripts/build-numactl.sh export-check

kernel: tree
	@$(TIMED) kernel scripts/build-kernel.sh test $(TEST_FRAGMENTS)

# The same kernel with cpuset v1, for the boot that tests the v1 files and
# memory migration on a v1 hierarchy (every option but distro-mm.config's
# CPUSETS_V1=n must hold). Its first build starts from the test kernel's
# objects.
kernel-v1: kernel
	@CHECK_FRAGMENTS="$(filter-out configs/distro-mm.config,$(TEST_FRAGMENTS)) \
		configs/cpuset-v1.config" KBUILD_SEED=$(BUILD)/obj/test \
		$(TIMED) kernel-v1 scripts/build-kernel.sh test-v1 \
		$(TEST_FRAGMENTS) configs/cpuset-v1.config

selftests: tree
	@$(TIMED) selftests scripts/build-selftests.sh

numactl: deps
	@$(TIMED) numactl scripts/build-numactl.sh

initramfs: kernel selftests numactl
	@$(TIMED) initramfs scripts/build-initramfs.sh $(INITRD) $(BUILD)/obj/test

harness-test:
	@mkdir -p $(RESULTS)
	@$(TIMED) harness bash -c 'scripts/test-harness.sh >$(RESULTS)/harness.tap' || true

# The guest boots (docs/guest.md), in two lanes side by side: the spm
# boot, and the other boots one after the other. Most guest tests keep
# one vCPU busy, or sleep: on two cores the lanes take about as long as
# the spm boot alone. The cxl boot needs QEMU 8 or later: without it the
# summary counts it as skipped, with the reason.
boot-test:
	@mkdir -p $(RESULTS)
	@$(TIMED) guest-boots $(MAKE) -s -j2 boot-spm boot-others

# Programs of both spm and cxl that make test runs on cxl only, where
# they use the same two SysRAM nodes: that evens the two lanes. When
# QEMU cannot boot cxl, they run on spm.
CXL_ONLY := 16-numa-balancing,65-mm-migration
boot-spm:
	@if scripts/run-qemu.sh -t cxl -n >/dev/null; then skip=$(CXL_ONLY); else skip=; fi; \
	QEMU_CONSOLE=none $(TIMED) guest-tests scripts/run-qemu.sh -t spm -m test \
		-a spmdev.skip=$$skip -l $(RESULTS)/test-spm.log || true

boot-others:
	@QEMU_CONSOLE=none $(TIMED) guest-smallphys scripts/run-qemu.sh -t smallphys \
		-m test -l $(RESULTS)/test-smallphys.log || true
	@QEMU_CONSOLE=none $(TIMED) guest-cpuset-v1 scripts/run-qemu.sh -t spm -m test \
		-k $(BUILD)/obj/test-v1/arch/x86/boot/bzImage \
		-a "spmdev.tests=35-spm-mempolicy,37-spm-hostile spmdev.cpuset=v1" \
		-l $(RESULTS)/test-cpuset-v1.log || true
	@QEMU_CONSOLE=none $(TIMED) guest-bigmem scripts/run-qemu.sh -t bigmem -m test \
		-a spmdev.tests=57-devpriv-large -l $(RESULTS)/test-bigmem.log || true
	@rm -f $(RESULTS)/cxl-skipped.tap
	@if why=$$(scripts/run-qemu.sh -t cxl -n); then \
		QEMU_CONSOLE=none $(TIMED) guest-cxl scripts/run-qemu.sh -t cxl -m test \
			-l $(RESULTS)/test-cxl.log || true; \
	else \
		echo "=== guest-cxl: SKIPPED: $$why"; \
		printf '%-12s %4dm%02ds  %s\n' guest-cxl 0 0 skipped >>$(PHASE_TIMES); \
		printf 'TAP version 13\n1..0 # SKIP %s\n' "$$why" >$(RESULTS)/cxl-skipped.tap; \
	fi

# The cheap part of make check: patch hygiene and apply, documentation,
# and mm/ with the series' options off.
check-quick: tree
	@mkdir -p $(RESULTS)
	@$(TIMED) check-patches bash -c 'scripts/check-patches.sh >$(RESULTS)/check-patches.tap' || true
	@$(TIMED) check-docs bash -c 'scripts/check-docs.sh >$(RESULTS)/check-docs.tap' || true
	@$(TIMED) check-nospm-mm bash -c 'MATRIX_TARGETS=mm/ scripts/check-configs.sh - \
		configs/matrix/nospm.config >$(RESULTS)/check-nospm-mm.tap' || true
	@$(TIMED) check-numactl bash -c 'scripts/build-numactl.sh check >$(RESULTS)/check-numactl.tap' || true

test:
	@mkdir -p $(RESULTS) && : >$(PHASE_TIMES)
	@$(MAKE) -s kernel kernel-v1 initramfs harness-test check-quick boot-test
	@scripts/summarize.py --tap harness=$(RESULTS)/harness.tap \
		--tap patches=$(RESULTS)/check-patches.tap --tap docs=$(RESULTS)/check-docs.tap \
		--tap nospm-mm=$(RESULTS)/check-nospm-mm.tap --tap numactl=$(RESULTS)/check-numactl.tap \
		--console $(RESULTS)/test-spm.log --guest $(RESULTS)/test-smallphys.log \
		--guest cpuset-v1=$(RESULTS)/test-cpuset-v1.log --guest bigmem=$(RESULTS)/test-bigmem.log \
		$$(if [ -f $(RESULTS)/cxl-skipped.tap ]; then echo --tap cxl=$(RESULTS)/cxl-skipped.tap; \
		else echo --guest cxl=$(RESULTS)/test-cxl.log; fi) \
		--expected tests/expected-failures \
		--times $(PHASE_TIMES) --cases $(RESULTS)/cases.txt

demo:
	@mkdir -p $(RESULTS) && : >$(PHASE_TIMES)
	@$(MAKE) -s kernel initramfs
	@QEMU_CONSOLE=userspace $(TIMED) demo scripts/run-qemu.sh -t spm -m demo \
		-l $(RESULTS)/demo-spm.log
	@if why=$$(scripts/run-qemu.sh -t cxl -n); then \
		QEMU_CONSOLE=userspace $(TIMED) demo-cxl scripts/run-qemu.sh -t cxl -m demo \
			-l $(RESULTS)/demo-cxl.log; \
	else \
		echo "=== demo-cxl: SKIPPED: $$why"; \
	fi
	@cat $(PHASE_TIMES)

shell:
	@scripts/run-qemu.sh -t $(TOPOLOGY) -m shell -T 0

walk: tree
	@$(TIMED) walk scripts/walk-series.sh $(SERIES)

# The review gate. Each step writes TAP to $(RESULTS)/check-*.tap; the
# summary fails the target if any test failed.
CHECK_STEPS := patches docs warnings configs bisect drivers checks
check: tree
	@mkdir -p $(RESULTS) && : >$(PHASE_TIMES)
	@$(TIMED) deps-check scripts/install-deps.sh check
	@$(MAKE) -s harness-test
	@$(TIMED) check-patches bash -c 'scripts/check-patches.sh >$(RESULTS)/check-patches.tap' || true
	@$(TIMED) check-docs bash -c 'scripts/check-docs.sh >$(RESULTS)/check-docs.tap' || true
	@$(TIMED) check-warnings bash -c 'scripts/check-warnings.sh >$(RESULTS)/check-warnings.tap' || true
	@$(TIMED) check-configs bash -c 'scripts/check-configs.sh >$(RESULTS)/check-configs.tap' || true
	@$(TIMED) check-bisect bash -c 'WALK_BUILD_ONLY=1 scripts/walk-series.sh \
		>$(RESULTS)/check-bisect.tap' || true
	@$(TIMED) check-drivers bash -c 'WALK_BUILD_ONLY=1 WALK_VARIANTS="gpu ppc64le" \
		WALK_RANGE=refs/heads/spm..refs/heads/devpriv scripts/walk-series.sh \
		>$(RESULTS)/check-drivers.tap' || true
	@$(TIMED) check-selftests bash -c 'scripts/test-checks.sh >$(RESULTS)/check-checks.tap' || true
	@scripts/summarize.py --tap harness=$(RESULTS)/harness.tap \
		$(foreach s,$(CHECK_STEPS),--tap $(s)=$(RESULTS)/check-$(s).tap) \
		--times $(PHASE_TIMES)

# Base against tip from the same non-debug config, booted alternately;
# the table and plot go to bench/results/ (scripts/run-bench.sh).
bench: tree
	@mkdir -p $(RESULTS) && : >$(PHASE_TIMES)
	@$(TIMED) deps-bench scripts/install-deps.sh bench
	@scripts/run-bench.sh
	@cat $(PHASE_TIMES)

# The kernel's own selftests of what the series change, and numactl's test
# suite, on the base and the tip (scripts/run-regress.sh); a regression is
# a test that passes on the base and fails on the tip.
regress: tree
	@mkdir -p $(RESULTS) && : >$(PHASE_TIMES)
	@$(TIMED) deps-regress scripts/install-deps.sh regress
	@scripts/run-regress.sh
	@cat $(PHASE_TIMES)

# The long form of the stress and fault tests (guest/stress.d; make test
# runs a 2-minute slice of them): STRESS_SECONDS of stress on the debug
# kernel, then the figures and the summary of every test.
STRESS_SECONDS ?= 1500
stress:
	@mkdir -p $(RESULTS) && : >$(PHASE_TIMES)
	@$(MAKE) -s kernel initramfs
	@QEMU_CONSOLE=none $(TIMED) stress scripts/run-qemu.sh -t spm -m stress \
		-a spmdev.stress=$(STRESS_SECONDS) -T $$(($(STRESS_SECONDS) + 1500)) \
		-l $(RESULTS)/stress-spm.log || true
	@scripts/stress-figures.sh $(RESULTS)/stress-spm.log
	@scripts/summarize.py --console $(RESULTS)/stress-spm.log \
		--expected tests/expected-failures --times $(PHASE_TIMES)

clean:
	rm -rf $(BUILD)/obj $(BUILD)/initramfs-root $(BUILD)/guest-bin $(INITRD) \
		$(BUILD)/logs $(RESULTS) $(BUILD)/kvm-probe
