// SPDX-License-Identifier: GPL-2.0
/*
 * pagefault: the page-fault and page-allocator fast path from user space,
 * in the style of will-it-scale's page_fault1. Each thread maps 128 MiB of
 * anonymous memory, writes one byte per page and unmaps it, in a loop.
 *
 * Usage: pagefault THREADS ITERATIONS
 *
 * Prints "bench: pf<THREADS> <ns per fault> ns/op <faults> ops <ns> ns":
 * the time from the first thread's start to the last one's end, measured
 * with CLOCK_MONOTONIC, over all threads' faults. Thread i runs on CPU i,
 * so two threads fault in parallel on two CPUs. The first iteration of
 * each thread warms the per-CPU page lists and is not counted.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define REGION_SIZE	(128UL << 20)
#define MAX_THREADS	8

static long page_size;
static unsigned long iterations;
static pthread_barrier_t start_line;
static unsigned long long start_ns[MAX_THREADS], end_ns[MAX_THREADS];

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void fault_region(void)
{
	char *p;
	unsigned long off;

	p = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	/*
	 * page_fault1 measures order-0 faults: a THP-enabled kernel would
	 * fill the region with 512 times fewer huge-page faults.
	 */
	if (madvise(p, REGION_SIZE, MADV_NOHUGEPAGE)) {
		perror("madvise");
		exit(1);
	}
	for (off = 0; off < REGION_SIZE; off += page_size)
		p[off] = 1;
	if (munmap(p, REGION_SIZE)) {
		perror("munmap");
		exit(1);
	}
}

static void *worker(void *arg)
{
	long cpu = (long)arg;
	cpu_set_t set;
	unsigned long i;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(1);
	}
	fault_region();
	pthread_barrier_wait(&start_line);
	/*
	 * Each thread takes its own times: the main thread may share a CPU
	 * with a worker and see it only when the worker is done.
	 */
	start_ns[cpu] = now_ns();
	for (i = 0; i < iterations; i++)
		fault_region();
	end_ns[cpu] = now_ns();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t threads[MAX_THREADS];
	unsigned long long first = -1ULL, last = 0, t;
	unsigned long faults;
	long i, nr;

	if (argc != 3) {
		fprintf(stderr, "usage: %s THREADS ITERATIONS\n", argv[0]);
		return 2;
	}
	nr = atol(argv[1]);
	iterations = strtoul(argv[2], NULL, 0);
	if (nr < 1 || nr > MAX_THREADS || !iterations) {
		fprintf(stderr, "%s: 1 to %d threads, at least one iteration\n",
			argv[0], MAX_THREADS);
		return 2;
	}
	page_size = sysconf(_SC_PAGESIZE);
	pthread_barrier_init(&start_line, NULL, nr);
	for (i = 0; i < nr; i++) {
		if (pthread_create(&threads[i], NULL, worker, (void *)i)) {
			fprintf(stderr, "%s: pthread_create failed\n", argv[0]);
			return 1;
		}
	}
	for (i = 0; i < nr; i++) {
		pthread_join(threads[i], NULL);
		if (start_ns[i] < first)
			first = start_ns[i];
		if (end_ns[i] > last)
			last = end_ns[i];
	}
	t = last - first;

	faults = nr * iterations * (REGION_SIZE / page_size);
	printf("bench: pf%ld %.2f ns/op %lu ops %llu ns\n", nr,
	       (double)t / faults, faults, t);
	return 0;
}
