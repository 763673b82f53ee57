/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the SPM placement tests in guest/src: raw system calls, the
 * node sets the kernel exports in sysfs, placement queries, TAP output,
 * and the figures, which live in memory shared with the tests' child
 * processes so that the parent can print the totals of all of them.
 */
#ifndef SPM_UTIL_H
#define SPM_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/mempolicy.h>

#define NODE_DIR	"/sys/devices/system/node"
/*
 * Node masks handed to the kernel have room for MAX_NUMNODES of the
 * largest configuration (NODES_SHIFT 10) plus one word, so that a test can
 * set bits the kernel must refuse.
 */
#define MASK_WORDS	17
#define MASK_BITS	(MASK_WORDS * 64)
#define NPAGES		16
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct nodes {
	unsigned long memory;	/* has_memory */
	unsigned long spm_mask;	/* has_spm */
	unsigned long online;
	unsigned long sysram;	/* nodes with memory that are not SPM */
	int nr_node_ids;	/* one more than the highest possible node */
	int max_numnodes;	/* MAX_NUMNODES, probed */
	int spm;		/* an SPM node with memory */
	int sys0;		/* the first SysRAM node */
	int sys1;		/* another SysRAM node, or sys0 */
};

/* Figures of a test run, shared with every child process. */
struct figures {
	long calls;		/* system calls tried */
	long cases;		/* system calls whose result was checked */
	long pages;		/* page placements checked */
	long wrong;		/* pages found on a node they must not be on */
	long controls;		/* positive controls that reached the SPM node */
	int tap_n;		/* the last TAP test number printed */
	int tap_failed;
	long tap_last_ms;	/* when the last TAP line (or the plan) was printed */
};

static struct figures *fig;
static long page_size;

static inline long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void figures_init(void)
{
	fig = mmap(NULL, sizeof(*fig), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fig == MAP_FAILED) {
		printf("1..0 # SKIP no shared memory: %s\n", strerror(errno));
		exit(0);
	}
	page_size = sysconf(_SC_PAGESIZE);
	fig->tap_last_ms = monotonic_ms();
}

static inline void tap_result(bool ok, const char *fmt, ...)
{
	long now = monotonic_ms();
	va_list ap;

	/* Where a run's time goes: the seconds since the last result. */
	printf("# %.1f s\n", (now - fig->tap_last_ms) / 1000.0);
	fig->tap_last_ms = now;
	printf("%sok %d ", ok ? "" : "not ", ++fig->tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		fig->tap_failed = 1;
}

static inline bool node_in(unsigned long mask, int nid)
{
	return nid >= 0 && nid < 64 && (mask & (1UL << nid));
}

/* The nodes of a node list ("0-2,5") as a mask. */
static inline unsigned long parse_nodelist(const char *p)
{
	unsigned long mask = 0;
	char *end;

	while (*p && *p != '\n') {
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			break;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			p = end;
		}
		for (; lo <= hi && lo < 64; lo++)
			mask |= 1UL << lo;
		if (*p == ',')
			p++;
	}
	return mask;
}

/* The mask of a node list file; 0 when it cannot be read. */
static inline unsigned long read_nodelist(const char *path)
{
	char list[256] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(list, sizeof(list), f))
		list[0] = '\0';
	fclose(f);
	return parse_nodelist(list);
}

static inline int first_node(unsigned long mask)
{
	return mask ? __builtin_ctzl(mask) : -1;
}

static inline long sys_set_mempolicy(int mode, const unsigned long *mask,
				     unsigned long maxnode)
{
	return syscall(SYS_set_mempolicy, mode, mask, maxnode);
}

static inline long sys_mbind(void *addr, unsigned long len, int mode,
			     const unsigned long *mask, unsigned long maxnode,
			     unsigned int flags)
{
	return syscall(SYS_mbind, addr, len, mode, mask, maxnode, flags);
}

/* The policy of the task (@addr NULL) or of the VMA at @addr. */
static inline long get_policy(int *mode, unsigned long *mask, void *addr)
{
	memset(mask, 0, MASK_WORDS * sizeof(long));
	return syscall(SYS_get_mempolicy, mode, mask, MASK_BITS, addr,
		       addr ? MPOL_F_ADDR : 0);
}

static inline long sys_move_pages(int pid, unsigned long n, void **pages,
				  const int *nodes, int *status, int flags)
{
	return syscall(SYS_move_pages, pid, n, pages, nodes, status, flags);
}

static inline long sys_migrate_pages(int pid, unsigned long maxnode,
				     const unsigned long *from,
				     const unsigned long *to)
{
	return syscall(SYS_migrate_pages, pid, maxnode, from, to);
}

/*
 * Move the pages this process maps on SPM nodes back to SysRAM. As root
 * with a policy that opens an SPM node, migrate_pages(2) and move_pages(2)
 * with MPOL_MF_MOVE_ALL move the pages the process shares too, the
 * program's own text in the page cache among them. Those stay on the node
 * after the process exits, and memory offline keeps an SPM node's pages
 * on it: a test that made such a call leaves the node as it found it.
 */
static inline long leave_spm_nodes(const struct nodes *n)
{
	return sys_migrate_pages(0, 65, &n->spm_mask, &n->sysram);
}

static inline long sys_home_node(void *addr, unsigned long len,
				 unsigned long node, unsigned long flags)
{
	return syscall(__NR_set_mempolicy_home_node, addr, len, node, flags);
}

/*
 * MAX_NUMNODES: the kernel accepts a nodemask bit below it, ignoring
 * nodes that do not exist, and refuses one at or above it. It is a power
 * of two no smaller than nr_node_ids.
 */
static inline int probe_max_numnodes(const struct nodes *n)
{
	unsigned long mask[MASK_WORDS];
	int bit;

	for (bit = 1; bit < MASK_BITS - 64; bit *= 2) {
		if (bit < n->nr_node_ids)
			continue;
		memset(mask, 0, sizeof(mask));
		mask[0] = 1UL << n->sys0;
		mask[bit / 64] |= 1UL << (bit % 64);
		if (sys_set_mempolicy(MPOL_BIND, mask, bit + 2) && errno == EINVAL)
			break;
	}
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	return bit;
}

/*
 * Read the node sets. Returns false when there is no SPM node with memory
 * and a SysRAM node, with the reason in @why.
 */
static inline bool read_nodes(struct nodes *n, const char **why)
{
	unsigned long possible;

	memset(n, 0, sizeof(*n));
	if (access(NODE_DIR "/has_spm", R_OK)) {
		*why = "this kernel has no SPM nodes";
		return false;
	}
	n->memory = read_nodelist(NODE_DIR "/has_memory");
	n->spm_mask = read_nodelist(NODE_DIR "/has_spm");
	n->online = read_nodelist(NODE_DIR "/online");
	possible = read_nodelist(NODE_DIR "/possible");
	n->nr_node_ids = 64 - __builtin_clzl(possible | 1);
	n->sysram = n->memory & ~n->spm_mask;
	n->spm = first_node(n->memory & n->spm_mask);
	n->sys0 = first_node(n->sysram);
	n->sys1 = first_node(n->sysram & ~(1UL << n->sys0));
	if (n->sys1 < 0)
		n->sys1 = n->sys0;
	if (n->spm < 0) {
		*why = "no SPM node with memory";
		return false;
	}
	if (n->sys0 < 0) {
		*why = "no SysRAM node";
		return false;
	}
	n->max_numnodes = probe_max_numnodes(n);
	return true;
}

/* The nodes the calling task's cpuset grants. */
static inline unsigned long mems_allowed(void)
{
	unsigned long mask[MASK_WORDS] = { 0 };

	syscall(SYS_get_mempolicy, NULL, mask, MASK_BITS, NULL,
		MPOL_F_MEMS_ALLOWED);
	return mask[0];
}

/* Fault in @len bytes at @buf for writing; 0 or -errno. */
static inline int populate(void *buf, size_t len)
{
	return madvise(buf, len, MADV_POPULATE_WRITE) ? -errno : 0;
}

/*
 * The nodes of the @n pages of size @step at @buf, by a move_pages(2)
 * query, into @where (a negative errno for a page that is not there).
 * A page under migration, which NUMA balancing may start at any time, has
 * a migration entry in place of its PTE, and the query answers -ENOENT
 * for it until the migration ends: a query with -ENOENT is asked again,
 * up to three times 10 ms later. Returns 0 or -errno of the query.
 */
static inline int query_nodes(char *buf, int n, size_t step, int *where)
{
	void *pages[NPAGES];
	int i, try, absent;

	for (i = 0; i < n; i++)
		pages[i] = buf + i * step;
	for (try = 0; try < 4; try++) {
		if (try)
			usleep(10000);
		if (sys_move_pages(0, n, pages, NULL, where, 0))
			return -errno;
		for (absent = 0, i = 0; i < n; i++)
			absent += where[i] == -ENOENT;
		if (!absent)
			break;
	}
	__atomic_fetch_add(&fig->pages, n, __ATOMIC_RELAXED);
	return 0;
}

/*
 * The pages on node @nid of the VMA that starts at @addr, from
 * /proc/self/numa_maps (the kernel's own per-node count of the mapping).
 */
static inline long numa_maps_pages(void *addr, int nid)
{
	char line[1024], key[24], want[32];
	long count = 0;
	char *p;
	FILE *f = fopen("/proc/self/numa_maps", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lx ", (unsigned long)addr);
	snprintf(key, sizeof(key), " N%d=", nid);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		p = strstr(line, key);
		if (p)
			count = strtol(p + strlen(key), NULL, 10);
		break;
	}
	fclose(f);
	return count;
}

/* Write @val to the file @path; 0 or -errno. */
static inline int write_file(const char *path, const char *val)
{
	ssize_t ret;
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val));
	ret = ret < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/* Drop to uid/gid 65534, which clears every capability; 0 on success. */
static inline int become_nobody(void)
{
	return setgroups(0, NULL) || setgid(65534) || setuid(65534) ? -1 : 0;
}

#endif /* SPM_UTIL_H */
