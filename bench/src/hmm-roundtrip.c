// SPDX-License-Identifier: GPL-2.0
/*
 * hmm-roundtrip: the device-private round trip of hmm-tests' migrate_fault
 * case, timed. 64 MiB of anonymous memory are migrated to the device
 * memory of lib/test_hmm's /dev/hmm_dmirror0 (HMM_DMIRROR_MIGRATE_TO_DEV)
 * and then faulted back by the CPU, one write per page, which makes the
 * kernel migrate every page back to system memory through the
 * device-private swap entries the series changes.
 *
 * Usage: hmm-roundtrip ITERATIONS
 *
 * Prints "bench: hmm_to_dev", "bench: hmm_fault_back" and
 * "bench: hmm_roundtrip" lines with ns per page. The first round trip
 * also makes test_hmm allocate its device memory and is not counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "test_hmm_uapi.h"

#define BUFFER_SIZE	(64UL << 20)

static long page_size;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void touch(char *buf, char value)
{
	unsigned long off;

	for (off = 0; off < BUFFER_SIZE; off += page_size)
		buf[off] = value;
}

/* One round trip; adds its two halves to @to_dev and @back. */
static void round_trip(int fd, char *buf, char *mirror,
		       unsigned long long *to_dev, unsigned long long *back)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)buf,
		.ptr = (uintptr_t)mirror,
		.npages = BUFFER_SIZE / page_size,
	};
	unsigned long long t0, t1, t2;
	int ret;

	touch(buf, 1);
	t0 = now_ns();
	do {
		ret = ioctl(fd, HMM_DMIRROR_MIGRATE_TO_DEV, &cmd);
	} while (ret && errno == EINTR);
	t1 = now_ns();
	if (ret || cmd.cpages != cmd.npages) {
		fprintf(stderr, "migrate to device: %d, %llu of %llu pages\n",
			ret ? errno : 0, (unsigned long long)cmd.cpages,
			(unsigned long long)cmd.npages);
		exit(1);
	}
	touch(buf, 2);
	t2 = now_ns();
	*to_dev += t1 - t0;
	*back += t2 - t1;
}

int main(int argc, char **argv)
{
	unsigned long long to_dev = 0, back = 0, ignored = 0;
	unsigned long i, iterations, pages;
	char *buf, *mirror;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s ITERATIONS\n", argv[0]);
		return 2;
	}
	iterations = strtoul(argv[1], NULL, 0);
	if (!iterations) {
		fprintf(stderr, "%s: at least one iteration\n", argv[0]);
		return 2;
	}
	page_size = sysconf(_SC_PAGESIZE);
	fd = open("/dev/hmm_dmirror0", O_RDWR);
	if (fd < 0) {
		perror("/dev/hmm_dmirror0");
		return 1;
	}
	buf = mmap(NULL, BUFFER_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mirror = malloc(BUFFER_SIZE);
	if (buf == MAP_FAILED || !mirror) {
		perror("buffers");
		return 1;
	}
	/* test_hmm migrates order-0 pages only; keep the source the same. */
	if (madvise(buf, BUFFER_SIZE, MADV_NOHUGEPAGE)) {
		perror("madvise");
		return 1;
	}
	round_trip(fd, buf, mirror, &ignored, &ignored);
	for (i = 0; i < iterations; i++)
		round_trip(fd, buf, mirror, &to_dev, &back);

	pages = iterations * (BUFFER_SIZE / page_size);
	printf("bench: hmm_to_dev %.2f ns/op %lu ops %llu ns\n",
	       (double)to_dev / pages, pages, to_dev);
	printf("bench: hmm_fault_back %.2f ns/op %lu ops %llu ns\n",
	       (double)back / pages, pages, back);
	printf("bench: hmm_roundtrip %.2f ns/op %lu ops %llu ns\n",
	       (double)(to_dev + back) / pages, pages, to_dev + back);
	close(fd);
	return 0;
}
