# spm-devpriv: the single entry point. "make help" lists the targets.

SHELL := /bin/bash
BUILD := build
RESULTS := $(BUILD)/results
KERNEL := $(BUILD)/obj/test/arch/x86/boot/bzImage
INITRD := $(BUILD)/initramfs.cpio
# The test kernel: trimmed guest config plus the debug options.
TEST_FRAGMENTS := configs/guest.config configs/debug.config configs/spm.config
TOPOLOGY ?= spm
TIMED := scripts/timed.sh
export PHASE_TIMES := $(CURDIR)/$(RESULTS)/phase-times

.PHONY: help deps tree export export-check kernel selftests initramfs \
	harness-test boot-test test demo shell walk clean

help:
	@echo "make test          the whole pipeline: deps, tree, kernel, boot, every test"
	@echo "make demo          boot the patched kernel on the spm topology and show it"
	@echo "make tree          base tree + series in build/linux (FORCE=1, ALLOW_NEWER_BASE=1)"
	@echo "make export        write patches/ from the commits in build/linux"
	@echo "make export-check  fail when build/linux holds work not in patches/"
	@echo "make kernel        build the test kernel (ccache, prints the build time)"
	@echo "make initramfs     build the guest root file system and test programs"
	@echo "make harness-test  the harness's own tests (no kernel needed)"
	@echo "make boot-test     boot the built kernel and run the guest tests"
	@echo "make shell         boot the built kernel to a shell (TOPOLOGY=$(TOPOLOGY))"
	@echo "make walk          build, boot and test every patch on its own (SERIES=...)"
	@echo "make clean         remove build output, keep build/linux"

deps:
	@$(TIMED) deps scripts/install-deps.sh

tree: deps
	@$(TIMED) tree scripts/prepare-tree.sh

export:
	@scripts/export-series.sh

export-check:
	@scripts/export-series.sh --check

kernel: tree
	@$(TIMED) kernel scripts/build-kernel.sh test $(TEST_FRAGMENTS)

selftests: tree
	@$(TIMED) selftests scripts/build-selftests.sh

initramfs: selftests
	@$(TIMED) initramfs scripts/build-initramfs.sh $(INITRD)

harness-test:
	@mkdir -p $(RESULTS)
	@$(TIMED) harness bash -c 'scripts/test-harness.sh >$(RESULTS)/harness.tap' || true

boot-test:
	@mkdir -p $(RESULTS)
	@QEMU_CONSOLE=none $(TIMED) guest-tests scripts/run-qemu.sh -t spm -m test \
		-l $(RESULTS)/test-spm.log || true

test:
	@mkdir -p $(RESULTS) && : >$(PHASE_TIMES)
	@$(MAKE) -s kernel initramfs harness-test boot-test
	@scripts/summarize.py --tap harness=$(RESULTS)/harness.tap \
		--console $(RESULTS)/test-spm.log --expected tests/expected-failures \
		--times $(PHASE_TIMES) --cases $(RESULTS)/cases.txt

demo:
	@mkdir -p $(RESULTS) && : >$(PHASE_TIMES)
	@$(MAKE) -s kernel initramfs
	@QEMU_CONSOLE=userspace $(TIMED) demo scripts/run-qemu.sh -t spm -m demo \
		-l $(RESULTS)/demo-spm.log
	@cat $(PHASE_TIMES)

shell:
	@scripts/run-qemu.sh -t $(TOPOLOGY) -m shell -T 0

walk: tree
	@$(TIMED) walk scripts/walk-series.sh $(SERIES)

clean:
	rm -rf $(BUILD)/obj $(BUILD)/initramfs-root $(BUILD)/guest-bin $(INITRD) \
		$(BUILD)/logs $(RESULTS) $(BUILD)/kvm-probe
