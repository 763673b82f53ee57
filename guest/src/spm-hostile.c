// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile placement test for Specific Purpose Memory (SPM) nodes.
 *
 * Every route by which a task can name a node is tried as root and again
 * in a child that dropped to uid/gid 65534 (and with it CAP_SYS_NICE):
 * set_mempolicy(2) and mbind(2) with every mode, every combination of
 * mode flags and nodemasks of every shape, mbind(2) with MPOL_MF_MOVE,
 * move_pages(2), migrate_pages(2), set_mempolicy_home_node(2), tmpfs
 * mpol= mounts, hugetlb mappings, policies inherited across fork and exec,
 * and cpuset.mems writes. Each case checks the errno against the rules of
 * mm/mempolicy.c (sanitize_mpol_flags(), mpol_check_spm_flag(), mpol_new(),
 * get_nodes()), that a failed call leaves the policy of before, and where
 * the pages of a successful one land: with move_pages(2) queries and the
 * mapping's per-node counts in /proc/self/numa_maps.
 *
 * The invariant: a policy without MPOL_F_SPM_NODE, and any call of a task
 * without CAP_SYS_NICE, gets no page on an SPM node; hugetlb pages come
 * from one only when its own pool file filled it, and only to a flagged
 * policy. The positive controls, a
 * privileged flagged static policy that names only the SPM node, must get
 * every page there, so that a test which cannot see SPM pages fails.
 *
 * Then the routes the kernel takes on its own, once, from root: cpuset
 * memory migration when a cpuset's nodes change or a task moves to
 * another cpuset, on cgroup2 or (--cpuset-v1, that route alone) on a v1
 * hierarchy (its pages, a root task's and an unprivileged one's, must
 * not follow onto an SPM node the cpuset was granted, and a flagged task's
 * pages on the SPM node must not leave it), KSM merging
 * identical pages of a flagged task on the SPM node and of an
 * unprivileged task elsewhere (neither may end up on the other's node),
 * the hugetlb pools (a global or mempolicy-driven pool size never
 * takes an SPM node's memory; the SPM node's own pool file does), and
 * direct reclaim and compaction for an allocation that may not use the
 * SPM node (they must not swap out or move a flagged task's pages
 * there), and what a flagged
 * task allocates that is not its own memory: the page cache of the files
 * it writes and reads, zswap's and zram's compressed copies of its pages,
 * and the shmem it swaps back in (its shared anonymous memory is its own, the
 * files of a tmpfs mount are not), and the other tasks' pages that swap
 * readahead reads around its own. Then
 * the OOM of a flagged request to the SPM node, which may not kill a task
 * that holds no memory there, the OOM of a SysRAM node, which may not
 * kill a task for the memory it holds on the SPM node, and the kernel
 * moving a flagged task's
 * pages: THP collapse, memory offline, a FOLL_LONGTERM pin and soft
 * offline keep them on the SPM node.
 *
 * One TAP test per route and credential; the cases of a failed route are
 * listed as comments. --no-node-fill leaves out the kernel routes that
 * fill a node (kernel_routes[]); --cpuset-v1 runs the v1 cpuset
 * migration route only; --exec-child is the program's own exec
 * target.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <linux/kernel-page-flags.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <dirent.h>

#include "mm/gup_test.h"
#include "spm-util.h"

#define CGROUP2		"/sys/fs/cgroup"
#define HUGEPAGES	"/proc/sys/vm/nr_hugepages"
#define NR_ROUTES	11
#define NR_KERNEL_ROUTES	16
#define MAX_COMMENTS	20

#define STATIC		MPOL_F_STATIC_NODES
#define RELATIVE	MPOL_F_RELATIVE_NODES
#define SPM		MPOL_F_SPM_NODE
#define BALANCING	MPOL_F_NUMA_BALANCING

struct ctx {
	struct nodes n;
	unsigned long mems;	/* the cpuset's nodes */
	bool priv;
	const char *who;
	int failures;		/* of the current route */
	int skipped;
	long huge_size;
};

struct shape {
	const char *name;
	unsigned long bits[MASK_WORDS];
	unsigned long maxnode;
	bool null;
	bool beyond;		/* sets a bit at or above MAX_NUMNODES */
};

static const int modes[] = {
	MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE, MPOL_LOCAL,
	MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE,
};
static const char * const mode_names[] = {
	"default", "preferred", "bind", "interleave", "local",
	"preferred-many", "weighted-interleave", "MPOL_MAX",
};
static const int flag_sets[] = {
	0, STATIC, RELATIVE, SPM, SPM | STATIC, SPM | RELATIVE,
	STATIC | RELATIVE, BALANCING,
};

enum { S_EMPTY, S_NULL, S_SPM, S_SYSRAM, S_MIXED, S_ALL, S_PAST_NR, S_PAST_MAX,
	NR_SHAPES };
static struct shape shapes[NR_SHAPES];

static void fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failures++ >= MAX_COMMENTS)
		return;
	printf("# %s: ", c->who);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static const char *flags_name(int flags)
{
	static char buf[64];

	if (!flags)
		return "none";
	snprintf(buf, sizeof(buf), "%s%s%s%s", flags & STATIC ? "|static" : "",
		 flags & RELATIVE ? "|relative" : "", flags & SPM ? "|spm" : "",
		 flags & BALANCING ? "|balancing" : "");
	return buf + 1;
}

static void build_shapes(const struct nodes *n)
{
	struct shape *s;
	int bit;

	memset(shapes, 0, sizeof(shapes));
	for (s = shapes; s < shapes + NR_SHAPES; s++)
		s->maxnode = MASK_BITS + 1;
	shapes[S_EMPTY].name = "empty";
	shapes[S_NULL].name = "NULL";
	shapes[S_NULL].null = true;
	shapes[S_NULL].maxnode = 0;
	shapes[S_SPM].name = "SPM only";
	shapes[S_SPM].bits[0] = 1UL << n->spm;
	shapes[S_SYSRAM].name = "SysRAM only";
	shapes[S_SYSRAM].bits[0] = n->sysram;
	shapes[S_MIXED].name = "SysRAM and SPM";
	shapes[S_MIXED].bits[0] = n->sysram | 1UL << n->spm;
	/* Every bit maxnode allows, which the kernel accepts. */
	shapes[S_ALL].name = "all bits of maxnode";
	shapes[S_ALL].maxnode = n->max_numnodes + 1;
	for (bit = 0; bit < n->max_numnodes; bit++)
		shapes[S_ALL].bits[bit / 64] |= 1UL << (bit % 64);
	/* Nodes that cannot exist, below MAX_NUMNODES: accepted, ignored. */
	shapes[S_PAST_NR].name = "bits beyond nr_node_ids";
	for (bit = n->nr_node_ids; bit < n->max_numnodes; bit++)
		shapes[S_PAST_NR].bits[bit / 64] |= 1UL << (bit % 64);
	shapes[S_PAST_MAX].name = "SysRAM and a bit beyond MAX_NUMNODES";
	shapes[S_PAST_MAX].bits[0] = n->sysram;
	shapes[S_PAST_MAX].bits[n->max_numnodes / 64] |=
		1UL << (n->max_numnodes % 64);
	shapes[S_PAST_MAX].maxnode = n->max_numnodes + 2;
	shapes[S_PAST_MAX].beyond = true;
}

static const unsigned long *shape_mask(const struct shape *s)
{
	return s->null ? NULL : s->bits;
}

static bool shape_empty(const struct shape *s)
{
	int i;

	for (i = 0; i < MASK_WORDS; i++)
		if (s->bits[i])
			return false;
	return true;
}

/* The nodes a valid policy may allocate from, SPM only when it opens it. */
static unsigned long allowed_nodes(const struct ctx *c, int flags)
{
	unsigned long allowed = c->mems & c->n.memory;

	if (!(flags & SPM))
		allowed &= ~c->n.spm_mask;
	return allowed;
}

/*
 * The errno set_mempolicy(2) or mbind(2) must fail with, 0 when the call
 * must succeed: the checks of sanitize_mpol_flags() (with
 * mpol_check_spm_flag()), get_nodes(), mpol_new() and mpol_set_nodemask(),
 * in that order.
 */
static int policy_errno(const struct ctx *c, int mode, int flags,
			const struct shape *s)
{
	bool empty = shape_empty(s);
	unsigned long allowed;

	if (mode >= MPOL_MAX)
		return EINVAL;
	if ((flags & STATIC) && (flags & RELATIVE))
		return EINVAL;
	if (flags & SPM) {
		if (!(flags & STATIC))
			return EINVAL;
		if (!c->priv)
			return EPERM;
	}
	if ((flags & BALANCING) && mode != MPOL_BIND &&
	    mode != MPOL_PREFERRED_MANY)
		return EINVAL;
	if (s->beyond)
		return EINVAL;
	if (mode == MPOL_DEFAULT)
		return empty ? 0 : EINVAL;
	if (mode == MPOL_PREFERRED && empty)
		return flags & (STATIC | RELATIVE) ? EINVAL : 0;
	if (mode == MPOL_LOCAL)
		return !empty || (flags & (STATIC | RELATIVE)) ? EINVAL : 0;
	if (empty)
		return EINVAL;
	allowed = allowed_nodes(c, flags);
	if (flags & RELATIVE)
		return allowed ? 0 : EINVAL;
	return s->bits[0] & allowed ? 0 : EINVAL;
}

/* The mode get_mempolicy(2) reports for a policy set successfully. */
static int reported_mode(int mode, int flags, const struct shape *s)
{
	if (mode == MPOL_DEFAULT)
		return MPOL_DEFAULT;
	if (mode == MPOL_PREFERRED && shape_empty(s))
		return MPOL_LOCAL;
	return mode | flags;
}

/*
 * The nodes a policy's pages must stay on, 0 for no bound: bind and
 * interleave policies keep to their nodes; preferred ones fall back.
 */
static unsigned long policy_bound(const struct ctx *c, int mode, int flags,
				  const struct shape *s)
{
	if (mode != MPOL_BIND && mode != MPOL_INTERLEAVE &&
	    mode != MPOL_WEIGHTED_INTERLEAVE)
		return 0;
	if (flags & RELATIVE)
		return allowed_nodes(c, flags);
	return s->bits[0] & allowed_nodes(c, flags);
}

struct expect {
	bool spm_ok;		/* pages may be on the SPM node */
	bool control;		/* every page must be on the SPM node */
	unsigned long bound;	/* nodes the pages must be on; 0: any */
};

static struct expect expect_policy(const struct ctx *c, int mode, int flags,
				   const struct shape *s)
{
	struct expect e = { 0 };

	e.spm_ok = c->priv && (flags & SPM);
	e.bound = policy_bound(c, mode, flags, s);
	e.control = e.spm_ok && mode != MPOL_DEFAULT && mode != MPOL_LOCAL &&
		    (s->bits[0] & allowed_nodes(c, flags)) == 1UL << c->n.spm;
	return e;
}

/*
 * Check where the @n pages of @step bytes at @buf, the start of a mapping,
 * are. @numa_maps: also check the mapping's count in numa_maps.
 */
static void check_pages(struct ctx *c, const char *what, char *buf, int n,
			size_t step, const struct expect *e, bool numa_maps)
{
	int where[NPAGES], i, wrong = 0, first = -1, on_spm = 0;
	long counted;

	if (query_nodes(buf, n, step, where)) {
		fail(c, "%s: move_pages query: %s", what, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		bool bad = where[i] < 0 ||
			   (where[i] == c->n.spm && !e->spm_ok) ||
			   (e->bound && !node_in(e->bound, where[i])) ||
			   (e->control && where[i] != c->n.spm);

		on_spm += where[i] == c->n.spm;
		if (bad && first < 0)
			first = where[i];
		wrong += bad;
	}
	fig->wrong += wrong;
	if (wrong)
		fail(c, "%s: %d of %d pages on a wrong node (first: %d)", what,
		     wrong, n, first);
	else if (e->control)
		fig->controls++;
	if (!numa_maps)
		return;
	counted = numa_maps_pages(buf, c->n.spm);
	if (counted != on_spm) {
		fig->wrong += counted > on_spm ? counted - on_spm : 0;
		fail(c, "%s: numa_maps counts %ld pages on node %d, move_pages %d",
		     what, counted, c->n.spm, on_spm);
	}
}

static char *map_anon(size_t len)
{
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return buf == MAP_FAILED ? NULL : buf;
}

/* A mapping of a new memfd: shmem, with a shared policy of its own. */
static char *map_shmem(size_t len)
{
	int fd = memfd_create("spm-hostile", 0);
	char *buf = MAP_FAILED;

	if (fd < 0)
		return NULL;
	if (!ftruncate(fd, len))
		buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return buf == MAP_FAILED ? NULL : buf;
}

/* Fault in a new mapping under the task's policy and check it. */
static void fault_and_check(struct ctx *c, const char *what,
			    const struct expect *e)
{
	size_t len = NPAGES * page_size;
	char *buf = map_anon(len);
	int err;

	if (!buf) {
		fail(c, "%s: mmap: %s", what, strerror(errno));
		return;
	}
	err = populate(buf, len);
	if (err)
		fail(c, "%s: fault: %s", what, strerror(-err));
	else
		check_pages(c, what, buf, NPAGES, page_size, e, true);
	munmap(buf, len);
}

static bool same_policy(int m0, const unsigned long *a, int m1,
			const unsigned long *b)
{
	return m0 == m1 && !memcmp(a, b, MASK_WORDS * sizeof(long));
}

/* Compare the result of a call with the expected errno; true if equal. */
static bool check_errno(struct ctx *c, const char *what, long ret, int want)
{
	int got = ret < 0 ? errno : 0;

	fig->calls++;
	fig->cases++;
	if (got == want)
		return true;
	fail(c, "%s: got %s, expected %s", what, got ? strerror(got) : "success",
	     want ? strerror(want) : "success");
	return false;
}

static void describe(char *buf, size_t len, const char *call, int mode,
		     int flags, const struct shape *s)
{
	snprintf(buf, len, "%s %s flags %s mask %s", call,
		 mode_names[mode], flags_name(flags), s->name);
}

/*
 * The policy at @addr (NULL: the task's) after a call that returned @ret:
 * a failed call must have left @m0 and @before, a successful one must
 * report the mode it asked for. Fills @after; false on a failure.
 */
static bool check_policy_after(struct ctx *c, const char *what, long ret,
			       void *addr, int m0, const unsigned long *before,
			       int mode, int flags, const struct shape *s,
			       unsigned long *after)
{
	int m1;

	if (get_policy(&m1, after, addr)) {
		fail(c, "%s: get_mempolicy: %s", what, strerror(errno));
		return false;
	}
	if (ret && !same_policy(m0, before, m1, after)) {
		fail(c, "%s: failed but changed the policy to %#x %#lx", what,
		     m1, after[0]);
		return false;
	}
	if (!ret && m1 != reported_mode(mode, flags, s)) {
		fail(c, "%s: reports mode %#x", what, m1);
		return false;
	}
	return true;
}

/* set_mempolicy(2) from a sentinel policy, then a fault under the result. */
static void policy_case(struct ctx *c, int mode, int flags,
			const struct shape *s)
{
	unsigned long sentinel = c->n.sysram, before[MASK_WORDS],
		      after[MASK_WORDS];
	int want = policy_errno(c, mode, flags, s), m0;
	struct expect e = expect_policy(c, mode, flags, s);
	char what[160];
	long ret;

	describe(what, sizeof(what), "set_mempolicy", mode, flags, s);
	if (sys_set_mempolicy(MPOL_INTERLEAVE, &sentinel, 65) ||
	    get_policy(&m0, before, NULL)) {
		fail(c, "%s: sentinel policy: %s", what, strerror(errno));
		return;
	}
	ret = sys_set_mempolicy(mode | flags, shape_mask(s), s->maxnode);
	check_errno(c, what, ret, want);
	/*
	 * The kernel reports the mask it was given for relative and NUMA
	 * balancing policies; the others must not name an SPM node they
	 * ignore.
	 */
	if (check_policy_after(c, what, ret, NULL, m0, before, mode, flags, s,
			       after) &&
	    !ret && !(flags & (RELATIVE | BALANCING | SPM)) &&
	    node_in(after[0], c->n.spm))
		fail(c, "%s: reports the SPM node in %#lx", what, after[0]);
	if (!ret)
		fault_and_check(c, what, &e);
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
}

static void route_set_mempolicy(struct ctx *c)
{
	unsigned int m, f, s;

	for (m = 0; m < ARRAY_SIZE(modes); m++)
		for (f = 0; f < ARRAY_SIZE(flag_sets); f++)
			for (s = 0; s < NR_SHAPES; s++)
				policy_case(c, modes[m], flag_sets[f], &shapes[s]);
	/* A mode past the last one. */
	policy_case(c, MPOL_MAX, 0, &shapes[S_SYSRAM]);
}

enum mbind_kind { MB_ANON, MB_SHMEM, MB_MOVE };

/*
 * mbind(2) on a new mapping from a sentinel VMA policy. MB_MOVE faults the
 * pages in first and asks for MPOL_MF_MOVE: the pages checked are the
 * moved ones, not new faults.
 */
static void mbind_case(struct ctx *c, enum mbind_kind kind, int mode,
		       int flags, const struct shape *s)
{
	static const char * const calls[] = {
		"mbind anon", "mbind shmem", "mbind(MPOL_MF_MOVE)",
	};
	unsigned long sentinel = c->n.sysram, before[MASK_WORDS],
		      after[MASK_WORDS];
	int want = policy_errno(c, mode, flags, s), m0, err;
	struct expect e = expect_policy(c, mode, flags, s);
	size_t len = NPAGES * page_size;
	char what[160], *buf;
	long ret;

	describe(what, sizeof(what), calls[kind], mode, flags, s);
	buf = kind == MB_SHMEM ? map_shmem(len) : map_anon(len);
	if (!buf) {
		fail(c, "%s: mmap: %s", what, strerror(errno));
		return;
	}
	if (sys_mbind(buf, len, MPOL_INTERLEAVE, &sentinel, 65, 0) ||
	    get_policy(&m0, before, buf) ||
	    (kind == MB_MOVE && populate(buf, len))) {
		fail(c, "%s: setup: %s", what, strerror(errno));
		goto out;
	}
	ret = sys_mbind(buf, len, mode | flags, shape_mask(s), s->maxnode,
			kind == MB_MOVE ? MPOL_MF_MOVE : 0);
	check_errno(c, what, ret, want);
	check_policy_after(c, what, ret, buf, m0, before, mode, flags, s, after);
	if (kind == MB_MOVE) {
		/* What did not move stays where the sentinel put it. */
		if (ret || mode == MPOL_DEFAULT || mode == MPOL_LOCAL)
			e = (struct expect){ .bound = sentinel };
		check_pages(c, what, buf, NPAGES, page_size, &e, true);
		goto out;
	}
	if (ret)
		e = (struct expect){ .bound = sentinel };
	else if (mode == MPOL_DEFAULT)
		e = (struct expect){ 0 };
	err = populate(buf, len);
	if (err)
		fail(c, "%s: fault: %s", what, strerror(-err));
	else
		check_pages(c, what, buf, NPAGES, page_size, &e, true);
out:
	munmap(buf, len);
}

static void route_mbind(struct ctx *c, enum mbind_kind kind)
{
	unsigned int m, f, s;

	for (m = 0; m < ARRAY_SIZE(modes); m++)
		for (f = 0; f < ARRAY_SIZE(flag_sets); f++)
			for (s = 0; s < NR_SHAPES; s++)
				mbind_case(c, kind, modes[m], flag_sets[f],
					   &shapes[s]);
}

static void route_mbind_anon(struct ctx *c) { route_mbind(c, MB_ANON); }
static void route_mbind_shmem(struct ctx *c) { route_mbind(c, MB_SHMEM); }
static void route_mbind_move(struct ctx *c) { route_mbind(c, MB_MOVE); }

/* The task policies under which pages are moved. */
static const struct {
	const char *name;
	int mode, flags, shape;
} task_policies[] = {
	{ "default policy", MPOL_DEFAULT, 0, S_EMPTY },
	{ "unflagged bind=static SysRAM+SPM", MPOL_BIND, STATIC, S_MIXED },
	{ "unflagged interleave all bits", MPOL_INTERLEAVE, 0, S_ALL },
	{ "flagged bind SysRAM+SPM", MPOL_BIND, STATIC | SPM, S_MIXED },
	{ "flagged preferred-many SPM", MPOL_PREFERRED_MANY, STATIC | SPM,
	  S_SPM },
};

/*
 * Set task policy @i; true when it opens the SPM node (it carries the flag
 * and names the node), which is what mpol_spm_node_allowed() asks.
 */
static bool set_task_policy(struct ctx *c, unsigned int i, const char *what)
{
	const struct shape *s = &shapes[task_policies[i].shape];
	int mode = task_policies[i].mode, flags = task_policies[i].flags;
	long ret = sys_set_mempolicy(mode | flags, shape_mask(s), s->maxnode);

	check_errno(c, what, ret, policy_errno(c, mode, flags, s));
	return !ret && (flags & SPM) &&
	       node_in(s->bits[0] & allowed_nodes(c, flags), c->n.spm);
}

/* A mapping whose pages were faulted on SysRAM node sys0. */
static char *map_on_sys0(struct ctx *c, size_t len)
{
	unsigned long sys0 = 1UL << c->n.sys0;
	char *buf = map_anon(len);

	if (!buf)
		return NULL;
	if (sys_mbind(buf, len, MPOL_BIND, &sys0, 65, 0) || populate(buf, len) ||
	    sys_mbind(buf, len, MPOL_DEFAULT, NULL, 0, 0)) {
		munmap(buf, len);
		return NULL;
	}
	return buf;
}

static void route_move_pages(struct ctx *c)
{
	int targets[64 + 3], nr_targets = 0, status[NPAGES], nodes[NPAGES];
	size_t len = NPAGES * page_size;
	void *pages[NPAGES];
	unsigned int p;
	int t, i, want;
	char what[160];

	for (t = 0; t < c->n.nr_node_ids; t++)
		targets[nr_targets++] = t;
	targets[nr_targets++] = -1;
	targets[nr_targets++] = c->n.nr_node_ids;
	targets[nr_targets++] = c->n.max_numnodes;
	for (p = 0; p < ARRAY_SIZE(task_policies); p++) {
		for (t = 0; t < nr_targets; t++) {
			int node = targets[t];
			struct expect e = { .bound = 1UL << c->n.sys0 };
			char *buf = map_on_sys0(c, len);
			bool open;

			snprintf(what, sizeof(what), "move_pages to node %d, %s",
				 node, task_policies[p].name);
			if (!buf) {
				fail(c, "%s: setup: %s", what, strerror(errno));
				continue;
			}
			open = set_task_policy(c, p, what);
			for (i = 0; i < NPAGES; i++) {
				pages[i] = buf + i * page_size;
				nodes[i] = node;
			}
			if (node < 0 || node >= c->n.max_numnodes ||
			    !node_in(c->n.memory, node))
				want = ENODEV;
			else if (!node_in(c->mems, node) ||
				 (node == c->n.spm && !open))
				want = EACCES;
			else
				want = 0;
			check_errno(c, what, sys_move_pages(0, NPAGES, pages,
							    nodes, status, 0),
				    want);
			if (!want) {
				e.bound = 1UL << node;
				e.spm_ok = e.control = node == c->n.spm;
			}
			check_pages(c, what, buf, NPAGES, page_size, &e, true);
			sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
			munmap(buf, len);
		}
	}
	if (!c->priv) {
		/* Another user's process: not even a query. */
		pages[0] = &status;
		check_errno(c, "move_pages query of pid 1",
			    sys_move_pages(1, 1, pages, NULL, status, 0), EPERM);
		check_errno(c, "move_pages of pid 1 to the SPM node",
			    sys_move_pages(1, 1, pages, &c->n.spm, status, 0),
			    EPERM);
	}
}

static void route_migrate_pages(struct ctx *c)
{
	static const int targets[] = { S_SPM, S_MIXED, S_SYSRAM, S_ALL, S_PAST_MAX };
	size_t len = NPAGES * page_size;
	unsigned long from[MASK_WORDS] = { 1UL << c->n.sys0 };
	unsigned int p, t;
	char what[160];

	for (p = 0; p < ARRAY_SIZE(task_policies); p++) {
		for (t = 0; t < ARRAY_SIZE(targets); t++) {
			const struct shape *s = &shapes[targets[t]];
			unsigned long to = s->bits[0] & c->mems;
			struct expect e = { .bound = from[0] };
			char *buf = map_on_sys0(c, len);
			bool open;
			int want;

			snprintf(what, sizeof(what), "migrate_pages to %s, %s",
				 s->name, task_policies[p].name);
			if (!buf) {
				fail(c, "%s: setup: %s", what, strerror(errno));
				continue;
			}
			open = set_task_policy(c, p, what);
			if (!open)
				to &= ~c->n.spm_mask;
			/* kernel_migrate_pages(), check by check. */
			if (s->beyond)
				want = EINVAL;
			else if (!c->priv && (s->bits[0] & ~c->mems ||
					      s->bits[1]))
				want = EPERM;
			else
				want = to ? 0 : EINVAL;
			check_errno(c, what, sys_migrate_pages(0, s->maxnode,
							       from, s->bits),
				    want);
			if (!want) {
				e.bound |= to;
				e.spm_ok = node_in(to, c->n.spm);
				e.control = to == 1UL << c->n.spm;
			}
			check_pages(c, what, buf, NPAGES, page_size, &e, true);
			sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
			munmap(buf, len);
		}
	}
	if (!c->priv)
		check_errno(c, "migrate_pages of pid 1",
			    sys_migrate_pages(1, 65, from, shapes[S_SPM].bits),
			    EPERM);
	else if (leave_spm_nodes(&c->n) < 0)
		fail(c, "migrate_pages back to SysRAM: %s", strerror(errno));
}

static void route_home_node(struct ctx *c)
{
	static const struct {
		const char *name;
		int mode, flags;
	} vma[] = {
		{ "no VMA policy", -1, 0 },
		{ "bind", MPOL_BIND, 0 },
		{ "preferred-many", MPOL_PREFERRED_MANY, 0 },
		{ "interleave", MPOL_INTERLEAVE, 0 },
		{ "flagged bind", MPOL_BIND, STATIC | SPM },
		{ "flagged preferred-many", MPOL_PREFERRED_MANY, STATIC | SPM },
	};
	const struct shape *mixed = &shapes[S_MIXED];
	size_t len = NPAGES * page_size;
	long homes[64 + 3];
	int nr_homes = 0, h, want, err;
	unsigned int v;
	char what[160];

	for (h = 0; h < c->n.nr_node_ids; h++)
		homes[nr_homes++] = h;
	homes[nr_homes++] = c->n.max_numnodes;
	homes[nr_homes++] = -1;
	for (v = 0; v < ARRAY_SIZE(vma); v++) {
		for (h = 0; h < nr_homes; h++) {
			struct expect e = { 0 };
			char *buf = map_anon(len);
			bool applied = false;
			long home = homes[h];

			snprintf(what, sizeof(what), "home node %ld, %s SysRAM+SPM",
				 home, vma[v].name);
			if (!buf) {
				fail(c, "%s: mmap: %s", what, strerror(errno));
				continue;
			}
			if (vma[v].mode >= 0) {
				want = policy_errno(c, vma[v].mode, vma[v].flags, mixed);
				applied = check_errno(c, what,
						      sys_mbind(buf, len,
								vma[v].mode | vma[v].flags,
								mixed->bits,
								mixed->maxnode, 0),
						      want) && !want;
			}
			if (home < 0 || home >= c->n.max_numnodes ||
			    !node_in(c->n.online, home))
				want = EINVAL;
			else if (!applied)
				/* Only VMAs with a policy take a home node. */
				want = ENOENT;
			else if (vma[v].mode == MPOL_INTERLEAVE)
				want = EOPNOTSUPP;
			else
				want = 0;
			check_errno(c, what, sys_home_node(buf, len, home, 0), want);
			if (applied) {
				e = expect_policy(c, vma[v].mode, vma[v].flags, mixed);
				/* The home node leads only a flagged policy to SPM. */
				e.control = e.spm_ok && !want && home == c->n.spm &&
					    vma[v].mode != MPOL_INTERLEAVE;
			}
			err = populate(buf, len);
			if (err)
				fail(c, "%s: fault: %s", what, strerror(-err));
			else
				check_pages(c, what, buf, NPAGES, page_size, &e, true);
			munmap(buf, len);
		}
	}
}

/* Pages of a new file in the tmpfs at @dir, faulted through a mapping. */
static void tmpfs_check(struct ctx *c, const char *what, const char *dir,
			const struct expect *e)
{
	size_t len = NPAGES * page_size;
	char path[256], *buf;
	int fd, err;

	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, len)) {
		fail(c, "%s: file: %s", what, strerror(errno));
		goto out;
	}
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED) {
		fail(c, "%s: mmap: %s", what, strerror(errno));
		goto out;
	}
	err = populate(buf, len);
	if (err)
		fail(c, "%s: fault: %s", what, strerror(-err));
	else
		check_pages(c, what, buf, NPAGES, page_size, e, true);
	munmap(buf, len);
out:
	if (fd >= 0)
		close(fd);
	unlink(path);
}

static void route_tmpfs(struct ctx *c)
{
	enum { NONE, SPM_NODE, SYSRAM, MIXED, NO_NODE };
	static const struct {
		const char *mpol;
		int nodes;
		int err;
		bool spm_ok, control;
	} cases[] = {
		{ "interleave", MIXED },
		{ "bind", SPM_NODE },
		{ "prefer", SPM_NODE },
		{ "bind=static", SPM_NODE },
		{ "bind=relative", SPM_NODE },
		{ "interleave=static", MIXED },
		{ "default=static|spm", NONE },
		{ "bind=static|spm", SYSRAM },
		{ "bind=static|spm", SPM_NODE, 0, true, true },
		{ "prefer=static|spm", SPM_NODE, 0, true, true },
		{ "interleave=static|spm", MIXED, 0, true },
		{ "bind=relative|spm", SPM_NODE, EINVAL },
		{ "bind=spm", SPM_NODE, EINVAL },
		{ "bind=static|relative", SPM_NODE, EINVAL },
		{ "local=static|spm", NONE, EINVAL },
		{ "bind", NO_NODE, EINVAL },
		{ "bind=static|spm", NO_NODE, EINVAL },
	};
	char dir[] = "/tmp/spm-hostile.XXXXXX", opts[96], what[160];
	unsigned int i;
	long ret;
	int want;

	if (!mkdtemp(dir)) {
		fail(c, "mkdtemp: %s", strerror(errno));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct expect e = {
			.spm_ok = cases[i].spm_ok, .control = cases[i].control,
		};

		int n = snprintf(opts, sizeof(opts), "mpol=%s", cases[i].mpol);

		/* NO_NODE: a node that cannot exist, nr_node_ids. */
		if (cases[i].nodes == SPM_NODE)
			snprintf(opts + n, sizeof(opts) - n, ":%d", c->n.spm);
		else if (cases[i].nodes == SYSRAM)
			snprintf(opts + n, sizeof(opts) - n, ":%d", c->n.sys0);
		else if (cases[i].nodes == MIXED)
			snprintf(opts + n, sizeof(opts) - n, ":%d,%d", c->n.sys0,
				 c->n.spm);
		else if (cases[i].nodes == NO_NODE)
			snprintf(opts + n, sizeof(opts) - n, ":%d",
				 c->n.nr_node_ids);
		snprintf(what, sizeof(what), "tmpfs %s", opts);
		ret = mount("none", dir, "tmpfs", 0, opts);
		/* Without CAP_SYS_ADMIN no mount gets as far as mpol=. */
		want = EPERM;
		if (c->priv)
			want = cases[i].err;
		if (!check_errno(c, what, ret, want) || ret)
			continue;
		tmpfs_check(c, what, dir, &e);
		if (umount(dir))
			fail(c, "%s: umount: %s", what, strerror(errno));
	}
	rmdir(dir);
}

/*
 * The first line of @path, without its newline, in @buf of @size ("" if
 * the file is empty or unreadable); false if @path cannot be opened.
 */
static bool read_line(const char *path, char *buf, int size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return false;
	if (!fgets(buf, size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

static long read_long(const char *path)
{
	char buf[32];

	return read_line(path, buf, sizeof(buf)) ? strtol(buf, NULL, 10) : -1;
}

static long free_huge_pages(long size)
{
	char path[128];

	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-%ldkB/free_hugepages",
		 size >> 10);
	return read_long(path);
}

/* A hugetlb mapping of two huge pages under a VMA policy. */
static void hugetlb_case(struct ctx *c, int mode, int flags,
			 const struct shape *s)
{
	struct expect e = expect_policy(c, mode, flags, s);
	size_t len = 2 * c->huge_size;
	char what[160], *buf;
	long ret;

	describe(what, sizeof(what), "hugetlb mbind", mode, flags, s);
	if (c->huge_size <= 0 || free_huge_pages(c->huge_size) < 2) {
		c->skipped++;
		return;
	}
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (buf == MAP_FAILED) {
		c->skipped++;
		return;
	}
	ret = sys_mbind(buf, len, mode | flags, s->bits, s->maxnode, 0);
	if (check_errno(c, what, ret, policy_errno(c, mode, flags, s)) && !ret) {
		/*
		 * The SPM node's pool is empty here (route_hugetlb_pool()
		 * fills it): a flagged policy gets huge pages of its SysRAM
		 * nodes, or none when it names only the SPM node.
		 */
		e.spm_ok = false;
		e.control = false;
		if (flags & SPM)
			e.bound = 0;
		/* No huge page on the policy's nodes is not an error. */
		if (!populate(buf, len))
			check_pages(c, what, buf, 2, c->huge_size, &e, true);
	}
	munmap(buf, len);
}

/*
 * hugetlb pages under every node-naming policy: none on the SPM node,
 * flagged or not, since the SPM node's pool is empty (only its own
 * nr_hugepages file fills it).
 */
static void route_hugetlb(struct ctx *c)
{
	static const int hmodes[] = {
		MPOL_BIND, MPOL_PREFERRED, MPOL_INTERLEAVE, MPOL_PREFERRED_MANY,
		MPOL_WEIGHTED_INTERLEAVE,
	};
	static const int hflags[] = { 0, STATIC, STATIC | SPM };
	static const int hshapes[] = { S_SPM, S_MIXED, S_SYSRAM };
	unsigned int m, f, s;

	for (m = 0; m < ARRAY_SIZE(hmodes); m++)
		for (f = 0; f < ARRAY_SIZE(hflags); f++)
			for (s = 0; s < ARRAY_SIZE(hshapes); s++)
				hugetlb_case(c, hmodes[m], hflags[f],
					     &shapes[hshapes[s]]);
}

/* Fault in NPAGES pages; the number on the SPM node, or -1. */
static int spm_pages_of_new_fault(int spm)
{
	size_t len = NPAGES * page_size;
	int where[NPAGES], i, count = 0;
	char *buf = map_anon(len);

	if (!buf || populate(buf, len) || query_nodes(buf, NPAGES, page_size,
						      where))
		return -1;
	for (i = 0; i < NPAGES; i++)
		count += where[i] == spm;
	munmap(buf, len);
	return count;
}

/*
 * Fault in pages in a child, dropped to uid 65534 (@drop) or in the program
 * it execs (@exec); returns how many landed on the SPM node, or -1.
 */
static int child_spm_pages(struct ctx *c, bool exec, bool drop)
{
	char spm[16];
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (drop && become_nobody())
			_exit(255);
		if (exec) {
			snprintf(spm, sizeof(spm), "%d", c->n.spm);
			execl("/proc/self/exe", "spm-hostile", "--exec-child", spm,
			      (char *)NULL);
			_exit(255);
		}
		_exit(spm_pages_of_new_fault(c->n.spm) & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	fig->pages += NPAGES;
	return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

static void route_fork_exec(struct ctx *c)
{
	static const struct {
		const char *name;
		int mode, flags, shape;
	} pols[] = {
		{ "interleave=static SysRAM+SPM", MPOL_INTERLEAVE, STATIC, S_MIXED },
		{ "bind SysRAM+SPM", MPOL_BIND, 0, S_MIXED },
		{ "interleave=relative all bits", MPOL_INTERLEAVE, RELATIVE, S_ALL },
		{ "flagged bind SPM", MPOL_BIND, STATIC | SPM, S_SPM },
	};
	unsigned int p;
	char what[160];
	int got, want;

	for (p = 0; p < ARRAY_SIZE(pols); p++) {
		const struct shape *s = &shapes[pols[p].shape];
		bool open;

		snprintf(what, sizeof(what), "inherited %s", pols[p].name);
		if (!check_errno(c, what, sys_set_mempolicy(pols[p].mode | pols[p].flags,
							    s->bits, s->maxnode),
				 policy_errno(c, pols[p].mode, pols[p].flags, s)))
			continue;
		open = c->priv && (pols[p].flags & SPM);
		want = open ? NPAGES : 0;
		got = child_spm_pages(c, false, false);
		if (got != want) {
			fig->wrong += got < 0 ? 0 : abs(got - want);
			fail(c, "%s, fork: %d pages on the SPM node, expected %d",
			     what, got, want);
		} else if (open) {
			fig->controls++;
		}
		got = child_spm_pages(c, true, false);
		if (got != want) {
			fig->wrong += got < 0 ? 0 : abs(got - want);
			fail(c, "%s, exec: %d pages on the SPM node, expected %d",
			     what, got, want);
		} else if (open) {
			fig->controls++;
		}
		/*
		 * The capability is checked when a policy is set: a child that
		 * drops it keeps what it inherited. Shown, not judged.
		 */
		if (open)
			printf("# note: %s, child dropped to uid 65534: %d of %d pages on the SPM node\n",
			       what, child_spm_pages(c, false, true), NPAGES);
		sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	}
}

static void nodelist(char *buf, size_t len, unsigned long mask)
{
	int nid, n = 0;

	buf[0] = '\0';
	for (nid = 0; nid < 64 && n < (int)len; nid++)
		if (node_in(mask, nid))
			n += snprintf(buf + n, len - n, "%s%d", n ? "," : "", nid);
}

/*
 * The policies of a task in a cpuset: unflagged ones never reach the SPM
 * node, a flagged one only when the cpuset grants it. Leaves a relative
 * interleave policy over every node behind, which the next cpuset.mems
 * write rebinds; @rebound: check the placement under it first.
 */
static void cpuset_sweep(struct ctx *c, bool rebound)
{
	static const int cmodes[] = {
		MPOL_BIND, MPOL_PREFERRED, MPOL_INTERLEAVE, MPOL_PREFERRED_MANY,
		MPOL_WEIGHTED_INTERLEAVE,
	};
	static const int cflags[] = { 0, STATIC, RELATIVE, STATIC | SPM };
	static const int cshapes[] = { S_SPM, S_MIXED, S_ALL };
	const struct shape *all = &shapes[S_ALL];
	struct expect none = { 0 };
	unsigned int m, f, s;

	c->mems = mems_allowed();
	if (rebound)
		fault_and_check(c, "cpuset rebind of interleave=relative", &none);
	for (m = 0; m < ARRAY_SIZE(cmodes); m++)
		for (f = 0; f < ARRAY_SIZE(cflags); f++)
			for (s = 0; s < ARRAY_SIZE(cshapes); s++)
				policy_case(c, cmodes[m], cflags[f],
					    &shapes[cshapes[s]]);
	fault_and_check(c, "cpuset, default policy", &none);
	sys_set_mempolicy(MPOL_INTERLEAVE | RELATIVE, all->bits, all->maxnode);
}

/* Write @val to the file @name of the cgroup @cg. */
static int cg_write(const char *cg, const char *name, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", cg, name);
	return write_file(path, val);
}

/* Move the task @pid into the cgroup @cg. */
static int cg_move(const char *cg, pid_t pid)
{
	char val[16];

	snprintf(val, sizeof(val), "%d", pid);
	return cg_write(cg, "cgroup.procs", val);
}

/* In a child: enter the cgroup @cg, write cpuset.mems, sweep. */
static int cpuset_child(struct ctx *c, const char *cg)
{
	const struct {
		const char *name;
		unsigned long mems;
		int err;
	} writes[] = {
		{ "SPM only", 1UL << c->n.spm, EINVAL },
		{ "SysRAM and SPM", 1UL << c->n.sys0 | 1UL << c->n.spm, 0 },
		{ "another SysRAM node and SPM", 1UL << c->n.sys1 | 1UL << c->n.spm, 0 },
		{ "SysRAM only", c->n.sysram, 0 },
		{ "every node with memory", c->n.memory, 0 },
		/* cgroup v2 accepts every possible node. */
		{ "every possible node", (1UL << c->n.nr_node_ids) - 1, 0 },
	};
	char path[160], list[64], what[160];
	bool rebound = false;
	unsigned int i;
	int status, err;
	pid_t pid;

	if (cg_move(cg, getpid())) {
		fail(c, "cannot enter %s", cg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/cpuset.mems", cg);
	for (i = 0; i < ARRAY_SIZE(writes); i++) {
		nodelist(list, sizeof(list), writes[i].mems);
		snprintf(what, sizeof(what), "cpuset.mems %s (%s)", list,
			 writes[i].name);
		err = -write_file(path, list);
		errno = err;
		if (!check_errno(c, what, err ? -1 : 0, writes[i].err) || err)
			continue;
		cpuset_sweep(c, rebound);
		rebound = true;
		/* The same, in the cpuset, without the capability. */
		fflush(stdout);
		pid = fork();
		if (!pid) {
			c->priv = false;
			c->who = "uid 65534 in a cpuset";
			if (become_nobody())
				_exit(1);
			cpuset_sweep(c, false);
			_exit(!!c->failures);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			fail(c, "%s: the unprivileged child failed", what);
	}
	return !!c->failures;
}

/* Enable the cpuset controller on cgroup2; *enabled if this did it. */
static bool cpuset_controller(struct ctx *c, bool *enabled)
{
	char subtree[128];

	*enabled = false;
	if (!read_line(CGROUP2 "/cgroup.subtree_control", subtree,
		       sizeof(subtree)))
		return false;
	if (strstr(subtree, "cpuset"))
		return true;
	if (write_file(CGROUP2 "/cgroup.subtree_control", "+cpuset")) {
		fail(c, "cannot enable the cpuset controller");
		return false;
	}
	*enabled = true;
	return true;
}

static void route_cpuset(struct ctx *c)
{
	char cg[64];
	bool enabled;
	int status, err;
	pid_t pid;

	if (!c->priv) {
		check_errno(c, "mkdir in the cgroup2 root",
			    mkdir(CGROUP2 "/spm-hostile-nobody", 0755), EACCES);
		err = -write_file(CGROUP2 "/cgroup.subtree_control", "+cpuset");
		errno = err;
		check_errno(c, "cgroup2 root subtree_control", err ? -1 : 0,
			    EACCES);
		return;
	}
	if (!cpuset_controller(c, &enabled)) {
		c->skipped++;
		return;
	}
	snprintf(cg, sizeof(cg), CGROUP2 "/spm-hostile.%d", getpid());
	if (mkdir(cg, 0755)) {
		fail(c, "mkdir %s: %s", cg, strerror(errno));
		goto out;
	}
	fflush(stdout);
	pid = fork();
	if (!pid)
		_exit(cpuset_child(c, cg));
	/* The child printed its failures; its exit status tells of them. */
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fail(c, "the cpuset child failed");
	rmdir(cg);
out:
	if (enabled)
		write_file(CGROUP2 "/cgroup.subtree_control", "-cpuset");
}

static const struct {
	const char *name;
	void (*run)(struct ctx *c);
} routes[NR_ROUTES] = {
	{ "set_mempolicy: every mode x flag set x mask shape", route_set_mempolicy },
	{ "mbind on anonymous memory: the same matrix", route_mbind_anon },
	{ "mbind on shmem (memfd): the same matrix", route_mbind_shmem },
	{ "mbind with MPOL_MF_MOVE: the same matrix", route_mbind_move },
	{ "move_pages to every node under five task policies", route_move_pages },
	{ "migrate_pages to five node sets under five task policies",
	  route_migrate_pages },
	{ "set_mempolicy_home_node under six VMA policies", route_home_node },
	{ "tmpfs mpol= mounts", route_tmpfs },
	{ "hugetlb mappings under every node-naming policy", route_hugetlb },
	{ "policies inherited across fork and exec", route_fork_exec },
	{ "cpuset.mems writes, policies in the cpuset", route_cpuset },
};

/* ---- Routes the kernel takes on its own ---- */

/* What a holder child puts in its pages, and under which policy. */
enum holder_kind {
	H_ON_NODE,	/* faulted on @node, then the default policy */
	H_KSM,		/* like H_ON_NODE, identical pages, MADV_MERGEABLE */
	H_KSM_FLAGGED,	/* a flagged static bind policy of the SPM node */
	H_FLAGGED,	/* like H_KSM_FLAGGED, without MADV_MERGEABLE */
};

/*
 * A child that holds NPAGES pages of anonymous memory and tells its
 * parent where they are: it writes one byte once its pages are in place,
 * waits for a byte, then answers with the number of its pages on the SPM
 * node (255: an error) and exits. It enters the cgroup @cg first, if any,
 * and drops to uid 65534 unless @priv.
 */
struct holder {
	pid_t pid;
	int rfd, wfd;
};

static void holder_child(struct ctx *c, enum holder_kind kind, int node,
			 const char *cg, bool priv, int rfd, int wfd)
{
	unsigned long mask[MASK_WORDS] = { 0 };
	size_t len = NPAGES * page_size;
	int where[NPAGES], i, on_spm = 0;
	char *buf, b = 0;

	if (cg && cg_move(cg, getpid()))
		_exit(1);
	if (!priv && become_nobody())
		_exit(1);
	mask[0] = 1UL << node;
	if (kind == H_KSM_FLAGGED || kind == H_FLAGGED) {
		if (sys_set_mempolicy(MPOL_BIND | STATIC | SPM, mask, MASK_BITS))
			_exit(1);
	} else if (sys_set_mempolicy(MPOL_BIND, mask, MASK_BITS)) {
		_exit(1);
	}
	buf = map_anon(len);
	if (!buf || populate(buf, len))
		_exit(1);
	if (kind == H_KSM || kind == H_KSM_FLAGGED) {
		memset(buf, 0x5a, len);
		if (madvise(buf, len, MADV_MERGEABLE))
			_exit(1);
	}
	if (kind == H_ON_NODE || kind == H_KSM)
		sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
	if (write(wfd, &b, 1) != 1 || read(rfd, &b, 1) != 1)
		_exit(1);
	if (query_nodes(buf, NPAGES, page_size, where))
		on_spm = 255;
	for (i = 0; i < NPAGES && on_spm != 255; i++)
		if (where[i] < 0)
			on_spm = 255;
		else
			on_spm += where[i] == c->n.spm;
	b = on_spm;
	_exit(write(wfd, &b, 1) != 1);
}

/* Start a holder; false (with a failure) when it could not be set up. */
static bool holder_start(struct ctx *c, struct holder *h, enum holder_kind kind,
			 int node, const char *cg, bool priv)
{
	int to[2], from[2];
	char b;

	if (pipe(to) || pipe(from)) {
		fail(c, "pipe: %s", strerror(errno));
		return false;
	}
	fflush(stdout);
	h->pid = fork();
	if (!h->pid) {
		close(to[1]);
		close(from[0]);
		holder_child(c, kind, node, cg, priv, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	h->wfd = to[1];
	h->rfd = from[0];
	if (h->pid < 0 || read(h->rfd, &b, 1) != 1) {
		fail(c, "a %s holder of pages on node %d did not start",
		     priv ? "root" : "uid 65534", node);
		return false;
	}
	return true;
}

/* The holder's pages on the SPM node now, or -1; the holder is done. */
static int holder_spm_pages(struct holder *h)
{
	unsigned char b = 255;
	int status;

	if (write(h->wfd, &b, 1) != 1 || read(h->rfd, &b, 1) != 1)
		b = 255;
	close(h->wfd);
	close(h->rfd);
	waitpid(h->pid, &status, 0);
	return b == 255 ? -1 : b;
}

/* Record that @what left @got pages on the SPM node where @want belong. */
static void expect_spm_pages(struct ctx *c, const char *what, int got, int want)
{
	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fig->pages, NPAGES, __ATOMIC_RELAXED);
	if (got < 0) {
		fail(c, "%s: the holder failed", what);
	} else if (got != want) {
		fig->wrong += got > want ? got - want : want - got;
		fail(c, "%s: %d of %d pages on the SPM node, expected %d", what,
		     got, NPAGES, want);
	} else if (want) {
		fig->controls++;
	}
}

static int cg_set_mems(const char *cg, unsigned long mems)
{
	char list[64];

	nodelist(list, sizeof(list), mems);
	return cg_write(cg, "cpuset.mems", list);
}

/*
 * cpuset memory migration (on by default on cgroup2, cpuset.memory_migrate
 * on v1): a task's pages on SysRAM node sys1, in a cpuset of sys0 and
 * sys1, must not move onto the SPM node when the cpuset's nodes become
 * sys0 and the SPM node, nor when the task moves to a cpuset of those
 * nodes. For a root task and an unprivileged one: neither has a flagged
 * policy. And the pages a flagged task keeps on the SPM node stay there
 * when its cpuset's nodes go from sys0, sys1 and the SPM node to sys0 and
 * the SPM node, and when it moves to a cpuset of those nodes. The
 * cpusets are made under @root; on v1 (@v1) they get the root's CPUs and
 * memory_migrate.
 */
static void cpuset_migration(struct ctx *c, const char *root, bool v1)
{
	unsigned long old_mems = 1UL << c->n.sys0 | 1UL << c->n.sys1;
	unsigned long new_mems = 1UL << c->n.sys0 | 1UL << c->n.spm;
	char a[96], b[96], what[160], path[160], cpus[64];
	const char *v = v1 ? "v1 " : "", *cg[] = { a, b };
	struct holder h;
	int priv, i;

	snprintf(a, sizeof(a), "%s/spm-hostile-a.%d", root, getpid());
	snprintf(b, sizeof(b), "%s/spm-hostile-b.%d", root, getpid());
	if (mkdir(a, 0755) || mkdir(b, 0755)) {
		fail(c, "cannot make the cpusets: %s", strerror(errno));
		goto out;
	}
	if (v1) {
		snprintf(path, sizeof(path), "%s/cpuset.cpus", root);
		read_line(path, cpus, sizeof(cpus));
		for (i = 0; i < 2; i++) {
			if (!cpus[0] || cg_write(cg[i], "cpuset.cpus", cpus) ||
			    cg_write(cg[i], "cpuset.memory_migrate", "1")) {
				fail(c, "cannot give %s the CPUs '%s' and memory_migrate: %s",
				     cg[i], cpus, strerror(errno));
				goto out;
			}
		}
	}
	if (cg_set_mems(b, new_mems)) {
		fail(c, "cannot set up the cpusets: %s", strerror(errno));
		goto out;
	}
	for (priv = 1; priv >= 0; priv--) {
		const char *who = priv ? "root task" : "uid 65534 task";

		/* The cpuset's nodes change under the task. */
		if (cg_set_mems(a, old_mems)) {
			fail(c, "cannot set %s's nodes", a);
			break;
		}
		if (!holder_start(c, &h, H_ON_NODE, c->n.sys1, a, priv))
			continue;
		snprintf(what, sizeof(what), "%s: %scpuset.mems %d,%d -> %d,%d", who, v,
			 c->n.sys0, c->n.sys1, c->n.sys0, c->n.spm);
		if (cg_set_mems(a, new_mems))
			fail(c, "%s: the write failed", what);
		expect_spm_pages(c, what, holder_spm_pages(&h), 0);

		/* The task moves to another cpuset. */
		if (cg_set_mems(a, old_mems)) {
			fail(c, "cannot set %s's nodes back", a);
			break;
		}
		if (!holder_start(c, &h, H_ON_NODE, c->n.sys1, a, priv))
			continue;
		snprintf(what, sizeof(what), "%s: moved to a %scpuset of %d,%d", who, v,
			 c->n.sys0, c->n.spm);
		if (cg_move(b, h.pid))
			fail(c, "%s: the move failed", what);
		expect_spm_pages(c, what, holder_spm_pages(&h), 0);
	}

	/* A flagged root task's pages on the SPM node stay there. */
	if (cg_set_mems(a, old_mems | 1UL << c->n.spm)) {
		fail(c, "cannot set %s's nodes", a);
	} else if (holder_start(c, &h, H_FLAGGED, c->n.spm, a, true)) {
		snprintf(what, sizeof(what), "flagged root task: %scpuset.mems %d,%d,%d -> %d,%d",
			 v, c->n.sys0, c->n.sys1, c->n.spm, c->n.sys0, c->n.spm);
		if (cg_set_mems(a, new_mems))
			fail(c, "%s: the write failed", what);
		expect_spm_pages(c, what, holder_spm_pages(&h), NPAGES);
	}
	if (cg_set_mems(a, old_mems | 1UL << c->n.spm)) {
		fail(c, "cannot set %s's nodes back", a);
	} else if (holder_start(c, &h, H_FLAGGED, c->n.spm, a, true)) {
		snprintf(what, sizeof(what), "flagged root task: moved from a %scpuset of %d,%d,%d to one of %d,%d",
			 v, c->n.sys0, c->n.sys1, c->n.spm, c->n.sys0, c->n.spm);
		if (cg_move(b, h.pid))
			fail(c, "%s: the move failed", what);
		expect_spm_pages(c, what, holder_spm_pages(&h), NPAGES);
	}
out:
	rmdir(a);
	rmdir(b);
}

static void route_cpuset_migration(struct ctx *c)
{
	bool enabled;

	if (c->n.sys1 == c->n.sys0 || !cpuset_controller(c, &enabled)) {
		c->skipped++;
		return;
	}
	cpuset_migration(c, CGROUP2, false);
	if (enabled)
		write_file(CGROUP2 "/cgroup.subtree_control", "-cpuset");
}

/*
 * Write @val to cgroup2's subtree_control, retrying for up to 5 s while a
 * v1 hierarchy still holds the cpuset controller (it lets it go lazily);
 * 0 or -errno.
 */
static int cgroup2_subtree(const char *val)
{
	int ret = 0, i;

	for (i = 0; i < 50; i++) {
		ret = write_file(CGROUP2 "/cgroup.subtree_control", val);
		if (ret != -ENOENT && ret != -EBUSY)
			break;
		usleep(100000);
	}
	return ret;
}

/*
 * The same on a cpuset v1 hierarchy (CONFIG_CPUSETS_V1), whose
 * memory_migrate is off by default: the cpusets turn it on. The
 * controller leaves cgroup2 while the hierarchy is mounted, and goes
 * back there as it was.
 */
static void route_cpuset_v1_migration(struct ctx *c)
{
	char dir[] = "/tmp/spm-hostile-cpuset1.XXXXXX", subtree[128];
	bool was_on;
	int ret;

	read_line(CGROUP2 "/cgroup.subtree_control", subtree, sizeof(subtree));
	was_on = strstr(subtree, "cpuset");
	if (c->n.sys1 == c->n.sys0 || !mkdtemp(dir)) {
		c->skipped++;
		return;
	}
	if (was_on)
		cgroup2_subtree("-cpuset");
	ret = mount("none", dir, "cgroup", 0, "cpuset");
	if (ret && errno == EINVAL) {
		printf("# no cpuset controller on cgroup v1 (CONFIG_CPUSETS_V1=n)\n");
		c->skipped++;
	} else if (ret) {
		fail(c, "mount -t cgroup -o cpuset: %s", strerror(errno));
	} else {
		cpuset_migration(c, dir, true);
		if (umount(dir))
			fail(c, "umount of the v1 hierarchy: %s", strerror(errno));
	}
	rmdir(dir);
	if (was_on && cgroup2_subtree("+cpuset"))
		fail(c, "cannot give the cpuset controller back to cgroup2");
}

#define KSM	"/sys/kernel/mm/ksm/"

/*
 * KSM with merge_across_nodes (the default): a root task whose flagged
 * policy holds identical pages on the SPM node and an unprivileged task
 * with the same pages elsewhere. Whichever ksmd scans first, neither may
 * end up sharing a page on the other's side.
 */
static void route_ksm(struct ctx *c)
{
	long run = read_long(KSM "run"), scan = read_long(KSM "pages_to_scan");
	long sleep_ms = read_long(KSM "sleep_millisecs"), full, t;
	struct holder flagged, plain;
	char val[32];

	if (run < 0) {
		c->skipped++;
		return;
	}
	if (!holder_start(c, &flagged, H_KSM_FLAGGED, c->n.spm, NULL, true))
		return;
	if (!holder_start(c, &plain, H_KSM, c->n.sys0, NULL, false)) {
		holder_spm_pages(&flagged);
		return;
	}
	write_file(KSM "pages_to_scan", "1000");
	write_file(KSM "sleep_millisecs", "0");
	write_file(KSM "run", "1");
	/* Two full scans: the second merges what the first saw. */
	full = read_long(KSM "full_scans");
	for (t = 0; t < 600 && read_long(KSM "full_scans") < full + 3; t++)
		usleep(100000);
	if (read_long(KSM "pages_sharing") <= 0)
		fail(c, "KSM merged nothing in %ld ms", t * 100);
	expect_spm_pages(c, "KSM: the flagged root task's pages", holder_spm_pages(&flagged),
			 NPAGES);
	expect_spm_pages(c, "KSM: the uid 65534 task's identical pages",
			 holder_spm_pages(&plain), 0);
	write_file(KSM "run", "2");
	snprintf(val, sizeof(val), "%ld", scan);
	write_file(KSM "pages_to_scan", val);
	snprintf(val, sizeof(val), "%ld", sleep_ms);
	write_file(KSM "sleep_millisecs", val);
	snprintf(val, sizeof(val), "%ld", run);
	write_file(KSM "run", val);
}

/* The huge pages of @nid's pool, or -1. */
static long node_huge_pages(struct ctx *c, int nid)
{
	char path[160];

	snprintf(path, sizeof(path), NODE_DIR "/node%d/hugepages/hugepages-%ldkB/nr_hugepages",
		 nid, c->huge_size >> 10);
	return read_long(path);
}

static int set_node_huge_pages(struct ctx *c, int nid, long n)
{
	char path[160], val[32];

	snprintf(path, sizeof(path), NODE_DIR "/node%d/hugepages/hugepages-%ldkB/nr_hugepages",
		 nid, c->huge_size >> 10);
	snprintf(val, sizeof(val), "%ld", n);
	return write_file(path, val);
}

static void spm_pool_users(struct ctx *c);

/*
 * The hugetlb pools: growing the global pool, or the pool of a task's
 * policy that names the SPM node without the flag, takes nothing from
 * the SPM node; writing the SPM node's own pool size (an administrator
 * naming the node) does, and those huge pages serve flagged policies only.
 */
static void route_hugetlb_pool(struct ctx *c)
{
	long global = read_long(HUGEPAGES), spm_before;
	const struct shape *mixed = &shapes[S_MIXED];
	char val[32];

	if (c->huge_size <= 0 || global < 0) {
		c->skipped++;
		return;
	}
	spm_before = node_huge_pages(c, c->n.spm);
	snprintf(val, sizeof(val), "%ld", global + 8);
	write_file(HUGEPAGES, val);
	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	if (node_huge_pages(c, c->n.spm) != spm_before) {
		fig->wrong += node_huge_pages(c, c->n.spm) - spm_before;
		fail(c, "nr_hugepages +8: the SPM node's pool went from %ld to %ld",
		     spm_before, node_huge_pages(c, c->n.spm));
	}
	snprintf(val, sizeof(val), "%ld", global);
	write_file(HUGEPAGES, val);

	if (!sys_set_mempolicy(MPOL_BIND, mixed->bits, mixed->maxnode)) {
		snprintf(val, sizeof(val), "%ld", read_long(HUGEPAGES) + 4);
		write_file(HUGEPAGES "_mempolicy", val);
		sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
		__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
		if (node_huge_pages(c, c->n.spm) != spm_before)
			fail(c, "nr_hugepages_mempolicy +4 under bind {SysRAM, SPM}: the SPM node's pool went from %ld to %ld",
			     spm_before, node_huge_pages(c, c->n.spm));
		snprintf(val, sizeof(val), "%ld", global);
		write_file(HUGEPAGES, val);
	}

	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	if (set_node_huge_pages(c, c->n.spm, spm_before + 2) ||
	    node_huge_pages(c, c->n.spm) != spm_before + 2) {
		fail(c, "the SPM node's nr_hugepages +2: its pool has %ld",
		     node_huge_pages(c, c->n.spm));
	} else {
		fig->controls++;
		spm_pool_users(c);
	}
	set_node_huge_pages(c, c->n.spm, spm_before);
}

/* The value of the line that starts with @key in @path, a meminfo file. */
static long meminfo_value(const char *path, const char *key)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			kb = strtol(line + strlen(key), NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* The @field line of node @nid's meminfo, in kB, or -1. */
static long node_meminfo_kb(int nid, const char *field)
{
	char path[96], key[48];

	snprintf(path, sizeof(path), NODE_DIR "/node%d/meminfo", nid);
	snprintf(key, sizeof(key), "Node %d %s:", nid, field);
	return meminfo_value(path, key);
}

/* Free memory of node @nid in kB, or -1. */
static long node_free_kb(int nid)
{
	return node_meminfo_kb(nid, "MemFree");
}

/* Is there any swap space? */
static bool swap_present(void)
{
	char line[256];
	int lines = 0;
	FILE *f = fopen("/proc/swaps", "r");

	while (f && fgets(line, sizeof(line), f))
		lines++;
	if (f)
		fclose(f);
	return lines > 1;
}

#define RECLAIM_FLAGGED_MB	64
#define RECLAIM_HEADROOM_MB	48
#define RECLAIM_PRESSURE_MB	160

/*
 * Direct reclaim: a uid 65534 task in a cpuset of a SysRAM node and the
 * SPM node, with the default policy, allocates more than its SysRAM node
 * has free (the node's free memory is first taken by huge pages, so that
 * the pressure stays small). Its allocations may not use the SPM node, so
 * its reclaim must not take the SPM node's pages either: a flagged root
 * task's anonymous pages there must all stay resident, none swapped out.
 */
static void route_reclaim(struct ctx *c)
{
	int sys = c->n.sys1 != c->n.sys0 ? c->n.sys1 : c->n.sys0;
	unsigned long mask[MASK_WORDS] = { 0 };
	size_t len = (size_t)RECLAIM_FLAGGED_MB << 20;
	long want = len / page_size, before, after, free_kb, huge;
	char cg[64];
	bool enabled;
	char *buf;
	int status;
	pid_t child;

	if (c->huge_size <= 0 || !swap_present() ||
	    !cpuset_controller(c, &enabled)) {
		c->skipped++;
		return;
	}
	snprintf(cg, sizeof(cg), CGROUP2 "/spm-hostile-r.%d", getpid());
	if (mkdir(cg, 0755) || cg_set_mems(cg, 1UL << sys | 1UL << c->n.spm)) {
		fail(c, "cannot set up the cpuset: %s", strerror(errno));
		goto out_cg;
	}
	buf = map_anon(len);
	mask[0] = 1UL << c->n.spm;
	if (!buf || sys_mbind(buf, len, MPOL_BIND | STATIC | SPM, mask, MASK_BITS, 0) ||
	    populate(buf, len)) {
		fail(c, "the flagged pages on the SPM node: %s", strerror(errno));
		goto out_buf;
	}
	/*
	 * Not shared with the child: its cpuset's memory migration would
	 * then move them.
	 */
	madvise(buf, len, MADV_DONTFORK);
	before = numa_maps_pages(buf, c->n.spm);
	huge = node_huge_pages(c, sys);
	free_kb = node_free_kb(sys);
	if (huge < 0 || free_kb < 0 ||
	    set_node_huge_pages(c, sys, huge + ((free_kb >> 10) - RECLAIM_HEADROOM_MB) /
				(c->huge_size >> 20))) {
		fail(c, "cannot take node %d's free memory with huge pages", sys);
		goto out_huge;
	}
	printf("# node %d: %ld MB free, %ld MB after its pool grew\n", sys,
	       free_kb >> 10, node_free_kb(sys) >> 10);
	fflush(stdout);
	child = fork();
	if (!child) {
		size_t plen = (size_t)RECLAIM_PRESSURE_MB << 20;
		char *p;

		if (cg_move(cg, getpid()) || become_nobody())
			_exit(1);
		p = map_anon(plen);
		_exit(!p || populate(p, plen));
	}
	if (child < 0 || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		fail(c, "the uid 65534 task could not allocate %d MB on node %d",
		     RECLAIM_PRESSURE_MB, sys);
	after = numa_maps_pages(buf, c->n.spm);
	printf("# flagged pages on the SPM node: %ld before, %ld after\n", before,
	       after);
	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fig->pages, want, __ATOMIC_RELAXED);
	if (before != want)
		fail(c, "the flagged task has %ld of %ld pages on the SPM node", before, want);
	else if (after != before) {
		fig->wrong += before - after;
		fail(c, "reclaim for a task that may not use the SPM node took %ld of the flagged task's %ld pages there",
		     before - after, before);
	} else
		fig->controls++;
out_huge:
	if (huge >= 0)
		set_node_huge_pages(c, sys, huge);
out_buf:
	if (buf)
		munmap(buf, len);
out_cg:
	rmdir(cg);
	if (enabled)
		write_file(CGROUP2 "/cgroup.subtree_control", "-cpuset");
}

#define COMPACT_REGION_MB	256
/* isolate_freepages()'s largest stride: COMPACT_CLUSTER_MAX, SWAP_CLUSTER_MAX */
#define COMPACT_FREE_STRIDE	32
#define COMPACT_PRESSURE_MB	64
#define FILL_ROUNDS		4
#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"

/*
 * The free blocks of node @nid that can hold a huge page of @order, by
 * /proc/buddyinfo (each zone line: "Node N, zone NAME" and the free block
 * counts of orders 0 and up), or -1.
 */
static long node_free_huge_blocks(int nid, int order)
{
	char line[512], zone[32];
	long blocks = -1, count;
	int node, pos, o;
	FILE *f = fopen("/proc/buddyinfo", "r");
	const char *p;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %31s%n", &node, zone, &pos) != 2 ||
		    node != nid)
			continue;
		if (blocks < 0)
			blocks = 0;
		for (p = line + pos, o = 0; sscanf(p, "%ld%n", &count, &pos) == 1;
		     p += pos, o++)
			if (o >= order)
				blocks += count << (o - order);
	}
	if (f)
		fclose(f);
	return blocks;
}

/*
 * Grow node @nid's hugetlb pool by the huge pages its free blocks hold,
 * until it has none left (pages freed meanwhile may form new ones), so
 * that the node keeps its fragments only; returns the pool's size
 * before, or -1.
 */
static long take_free_huge_blocks(struct ctx *c, int nid)
{
	int order = __builtin_ctzl(c->huge_size / page_size), tries;
	long pool = node_huge_pages(c, nid), now = pool, blocks;

	for (tries = 0; pool >= 0 && tries < 5; tries++) {
		blocks = node_free_huge_blocks(nid, order);
		if (blocks < 0 || set_node_huge_pages(c, nid, now + blocks))
			return -1;
		now = node_huge_pages(c, nid);
		if (!blocks)
			break;
	}
	return pool;
}

/* The pages of @pfn[@n] that are present. */
static long pfns_present(const uint64_t *pfn, long n)
{
	long i, present = 0;

	for (i = 0; i < n; i++)
		present += !!pfn[i];
	return present;
}

/* The PFNs of the @n pages at @buf (0 for a page that is not present). */
static int read_pfns(char *buf, long n, uint64_t *pfn)
{
	off_t off = (uintptr_t)buf / page_size * sizeof(uint64_t);
	size_t len = n * sizeof(uint64_t);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t got;
	long i;

	if (fd < 0)
		return -1;
	got = pread(fd, pfn, len, off);
	close(fd);
	if (got != (ssize_t)len)
		return -1;
	for (i = 0; i < n; i++)
		pfn[i] = pfn[i] >> 63 ? pfn[i] & ((1ULL << 55) - 1) : 0;
	return 0;
}

/*
 * Of the present pages of @pfn[@n], how many have a free page next to
 * them (one the buddy allocator holds, by /proc/kpageflags) at a PFN
 * that is a multiple of @align, or -1.
 */
static long free_neighbours(const uint64_t *pfn, long n, uint64_t align)
{
	int fd = open("/proc/kpageflags", O_RDONLY);
	uint64_t flags[3];
	long i, count = 0;
	bool before, after;

	if (fd < 0)
		return -1;
	/* The flags of the page before, the page itself and the page after */
	for (i = 0; i < n; i++) {
		if (!pfn[i] || pread(fd, flags, sizeof(flags),
				     (pfn[i] - 1) * sizeof(uint64_t)) != sizeof(flags))
			continue;
		before = (flags[0] >> KPF_BUDDY) & 1 && !((pfn[i] - 1) % align);
		after = (flags[2] >> KPF_BUDDY) & 1 && !((pfn[i] + 1) % align);
		count += before || after;
	}
	close(fd);
	return count;
}

/* Of the pages present in both @a and @b, how many changed their PFN. */
static long pfns_moved(const uint64_t *a, const uint64_t *b, long n, long *both)
{
	long i, moved = 0;

	for (*both = 0, i = 0; i < n; i++) {
		if (!a[i] || !b[i])
			continue;
		(*both)++;
		moved += a[i] != b[i];
	}
	return moved;
}

/* In a child: join @cg as uid 65534 and fault in memory THP may back. */
static int compaction_pressure(const char *cg)
{
	size_t len = (size_t)COMPACT_PRESSURE_MB << 20;
	char *p;

	if (cg_move(cg, getpid()) || become_nobody())
		return -1;
	p = map_anon(len);
	if (!p || madvise(p, len, MADV_HUGEPAGE))
		return -1;
	return populate(p, len) ? -1 : 0;
}

/* THP's defrag setting, the bracketed word of its file, into @mode. */
static bool thp_defrag(char *mode, size_t size)
{
	char line[128], *br;
	FILE *f = fopen(THP_DIR "/defrag", "r");
	bool ok = false;

	if (f && fgets(line, sizeof(line), f)) {
		br = strchr(line, '[');
		if (br && strchr(br, ']')) {
			*strchr(br, ']') = '\0';
			snprintf(mode, size, "%s", br + 1);
			ok = true;
		}
	}
	if (f)
		fclose(f);
	return ok;
}

/* The counters of /proc/vmstat a failed control prints. */
static const char *const compact_counters[] = {
	"compact_migrate_scanned", "compact_free_scanned", "compact_isolated",
	"pgmigrate_success", "pgmigrate_fail",
};
#define NR_COMPACT_COUNTERS	ARRAY_SIZE(compact_counters)

/* compact_counters from /proc/vmstat into @val (-1 for one not there). */
static void read_compact_counters(long *val)
{
	char name[64];
	size_t i;
	long v;
	FILE *f = fopen("/proc/vmstat", "r");

	for (i = 0; i < NR_COMPACT_COUNTERS; i++)
		val[i] = -1;
	while (f && fscanf(f, "%63s %ld", name, &v) == 2)
		for (i = 0; i < NR_COMPACT_COUNTERS; i++)
			if (!strcmp(name, compact_counters[i]))
				val[i] = v;
	if (f)
		fclose(f);
}

/*
 * What a compaction that moved nothing leaves to explain it: the counters'
 * changes since @before, and the free pages and watermarks of node @nid's
 * zones (/proc/zoneinfo).
 */
static void print_compaction_state(int nid, const long *before)
{
	static const char *const keys[] = {
		"pages", "min", "low", "high", "managed", "nr_free_pages",
		"nr_zone_active_anon", "nr_zone_inactive_anon", "start_pfn:",
	};
	long after[NR_COMPACT_COUNTERS];
	char line[256], word[32];
	bool in = false;
	size_t i;
	int node;
	FILE *f;

	read_compact_counters(after);
	for (i = 0; i < NR_COMPACT_COUNTERS; i++)
		printf("# %s +%ld\n", compact_counters[i], after[i] - before[i]);
	f = fopen("/proc/zoneinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d,", &node) == 1)
			in = node == nid;
		if (!in || sscanf(line, "%31s", word) != 1)
			continue;
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (!strcmp(word, keys[i]))
				break;
		if (i < ARRAY_SIZE(keys) || !strcmp(word, "Node"))
			printf("# %s", line);
	}
	if (f)
		fclose(f);
}

/*
 * Map @count transparent huge pages of a flagged policy of SPM node @nid,
 * to fill its free blocks; THP's defrag "never" keeps the faults from
 * reclaiming or compacting (a fault without a free block takes small
 * pages). Returns the mapping, @count huge pages from a huge page
 * boundary, which the caller unmaps, or NULL.
 */
static char *fill_free_huge_blocks(struct ctx *c, int nid, long count)
{
	unsigned long mask[MASK_WORDS] = { 0 };
	size_t len = count * c->huge_size;
	char *map = map_anon(len + c->huge_size), *p;

	if (!map)
		return NULL;
	p = (char *)(((uintptr_t)map + c->huge_size - 1) & ~(c->huge_size - 1));
	if (p != map)
		munmap(map, p - map);
	munmap(p + len, map + c->huge_size - p);
	mask[0] = 1UL << nid;
	write_file(THP_DIR "/defrag", "never");
	if (madvise(p, len, MADV_HUGEPAGE) ||
	    sys_mbind(p, len, MPOL_BIND | STATIC | SPM, mask, MASK_BITS, 0) ||
	    madvise(p, len, MADV_DONTFORK) || populate(p, len)) {
		munmap(p, len);
		p = NULL;
	}
	write_file(THP_DIR "/defrag", "madvise");
	return p;
}

/*
 * Compaction: a uid 65534 task in a cpuset of a SysRAM node and the SPM
 * node faults in memory for transparent huge pages, with direct
 * compaction allowed (MADV_HUGEPAGE, defrag "madvise"), while neither
 * node has a free block for a huge page: the SysRAM node's hugetlb pool
 * took them, and a flagged task's huge pages those of the SPM node, where
 * the holes it left in a range, every page at an even PFN, keep enough
 * memory free for kswapd to stay asleep. The uid 65534 task's
 * allocations may not use the SPM node, so neither its direct compaction
 * nor the kswapd and kcompactd it wakes may compact or reclaim the SPM
 * node: the flagged task's pages there stay present and keep their PFNs.
 * The control compacts the SPM node through its sysfs file, which must
 * move some of them.
 */
static void route_compaction(struct ctx *c)
{
	int sys = c->n.sys1 != c->n.sys0 ? c->n.sys1 : c->n.sys0;
	int order = c->huge_size > 0 ? __builtin_ctzl(c->huge_size / page_size) : 0;
	long proactive = read_long("/proc/sys/vm/compaction_proactiveness");
	long n = ((long)COMPACT_REGION_MB << 20) / page_size, held = 0;
	long i, moved, both, present, blocks, holes, pool_sys = -1, fill_pages[FILL_ROUNDS];
	long counters[NR_COMPACT_COUNTERS];
	char cg[64], defrag[32], val[32], path[96], *fill[FILL_ROUNDS] = { NULL };
	unsigned long mask[MASK_WORDS] = { 0 };
	uint64_t *pfn = NULL, *now = NULL;
	size_t len = n * page_size;
	char *buf = NULL;
	bool enabled;
	int status, r;
	pid_t child;

	if (c->huge_size <= 0 || proactive < 0 || !swap_present() ||
	    !thp_defrag(defrag, sizeof(defrag)) || !cpuset_controller(c, &enabled)) {
		c->skipped++;
		return;
	}
	/* No compaction of its own by kcompactd while the route looks. */
	write_file("/proc/sys/vm/compaction_proactiveness", "0");
	write_file(THP_DIR "/defrag", "madvise");
	snprintf(cg, sizeof(cg), CGROUP2 "/spm-hostile-c.%d", getpid());
	if (mkdir(cg, 0755) || cg_set_mems(cg, 1UL << sys | 1UL << c->n.spm)) {
		fail(c, "cannot set up the cpuset: %s", strerror(errno));
		goto out_cg;
	}
	buf = map_anon(len);
	pfn = calloc(n, sizeof(*pfn));
	now = calloc(n, sizeof(*now));
	mask[0] = 1UL << c->n.spm;
	/* Not shared with the child, whose cpuset would migrate them. */
	if (!buf || !pfn || !now || madvise(buf, len, MADV_NOHUGEPAGE) ||
	    madvise(buf, len, MADV_DONTFORK) ||
	    sys_mbind(buf, len, MPOL_BIND | STATIC | SPM, mask, MASK_BITS, 0) ||
	    populate(buf, len)) {
		fail(c, "the flagged pages on the SPM node: %s", strerror(errno));
		goto out;
	}
	/*
	 * Free the pages at even PFNs. After pageblocks that gave it nothing
	 * (the flagged huge pages above), compaction's free scanner looks at
	 * PFNs that are multiples of COMPACT_FREE_STRIDE only: holes at odd
	 * PFNs alone would leave the control nowhere to move pages to.
	 */
	if (read_pfns(buf, n, pfn)) {
		fail(c, "cannot read the flagged task's PFNs");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (pfn[i] % 2)
			held++;
		else
			madvise(buf + i * page_size, page_size, MADV_DONTNEED);
	pool_sys = take_free_huge_blocks(c, sys);
	/*
	 * Pages freed earlier reach the free lists late (from the per-CPU
	 * lists), so fill what free blocks they form too; the first round
	 * takes a few small pages more than the blocks hold.
	 */
	for (r = 0; r < FILL_ROUNDS; r++) {
		blocks = node_free_huge_blocks(c->n.spm, order);
		if (blocks <= 0)
			break;
		fill_pages[r] = blocks + (r ? 0 : 4);
		fill[r] = fill_free_huge_blocks(c, c->n.spm, fill_pages[r]);
		if (!fill[r]) {
			fail(c, "cannot fill the SPM node's free huge blocks: %s",
			     strerror(errno));
			goto out;
		}
		sleep(2);
	}
	blocks = node_free_huge_blocks(c->n.spm, order);
	if (blocks < 0 || pool_sys < 0 || read_pfns(buf, n, pfn)) {
		fail(c, "cannot take node %d's free huge blocks or read the PFNs", sys);
		goto out;
	}
	present = pfns_present(pfn, n);
	holes = free_neighbours(pfn, n, 1);
	/* And the holes the free scanner finds at its largest stride (above) */
	printf("# SPM node %d: %ld MB free, %ld free huge blocks, %ld of the flagged task's %ld pages present, %ld next to a free page (%ld next to one at a multiple of %d); node %d: %ld MB free, %ld free huge blocks\n",
	       c->n.spm, node_free_kb(c->n.spm) >> 10, blocks, present, held, holes,
	       free_neighbours(pfn, n, COMPACT_FREE_STRIDE), COMPACT_FREE_STRIDE,
	       sys, node_free_kb(sys) >> 10, node_free_huge_blocks(sys, order));
	if (blocks || present != held || holes < held / 2) {
		fail(c, "the SPM node could not be fragmented without reclaim or compaction: the route is not tested");
		goto out;
	}
	fflush(stdout);
	child = fork();
	if (!child)
		_exit(compaction_pressure(cg) ? 1 : 0);
	if (child < 0 || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		fail(c, "the uid 65534 task could not fault in %d MB", COMPACT_PRESSURE_MB);
	/* The kswapd and kcompactd it woke may still be at work. */
	sleep(3);
	if (read_pfns(buf, n, now)) {
		fail(c, "cannot read the flagged task's PFNs");
		goto out;
	}
	moved = pfns_moved(pfn, now, n, &both);
	printf("# after the uid 65534 task: %ld of those %ld present, %ld of them moved\n",
	       both, held, moved);
	__atomic_fetch_add(&fig->cases, 2, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fig->pages, held, __ATOMIC_RELAXED);
	if (both != held || moved) {
		fig->wrong += held - both + moved;
		fail(c, "for a task that may not use the SPM node, %ld of the flagged task's pages there were swapped out and %ld moved",
		     held - both, moved);
	}
	snprintf(path, sizeof(path), NODE_DIR "/node%d/compact", c->n.spm);
	read_compact_counters(counters);
	if (write_file(path, "1") || read_pfns(buf, n, pfn)) {
		fail(c, "cannot compact the SPM node through %s", path);
		goto out;
	}
	moved = pfns_moved(now, pfn, n, &both);
	printf("# compacting the SPM node through its sysfs file moved %ld of them\n", moved);
	if (!moved) {
		print_compaction_state(c->n.spm, counters);
		fail(c, "the control: compacting the SPM node moved none of the flagged task's pages");
	} else
		fig->controls++;
out:
	if (pool_sys >= 0)
		set_node_huge_pages(c, sys, pool_sys);
	for (r = 0; r < FILL_ROUNDS; r++)
		if (fill[r])
			munmap(fill[r], fill_pages[r] * c->huge_size);
	if (buf)
		munmap(buf, len);
	free(pfn);
	free(now);
out_cg:
	rmdir(cg);
	if (enabled)
		write_file(CGROUP2 "/cgroup.subtree_control", "-cpuset");
	write_file(THP_DIR "/defrag", defrag);
	snprintf(val, sizeof(val), "%ld", proactive);
	write_file("/proc/sys/vm/compaction_proactiveness", val);
}

/*
 * The pages of the @n pages at @buf that are on node @nid, or -1; with
 * @present, also how many are there at all.
 */
static long pages_on_node(char *buf, long n, int nid, long *present)
{
	int where[NPAGES], i, k;
	long done, count = 0;

	if (present)
		*present = 0;
	for (done = 0; done < n; done += k) {
		k = n - done < NPAGES ? n - done : NPAGES;
		if (query_nodes(buf + done * page_size, k, page_size, where))
			return -1;
		for (i = 0; i < k; i++) {
			count += where[i] == nid;
			if (present)
				*present += where[i] >= 0;
		}
	}
	return count;
}

/* Make the calling task's policy a flagged static bind to the SPM node. */
static int bind_flagged(struct ctx *c)
{
	unsigned long mask[MASK_WORDS] = { 0 };

	mask[0] = 1UL << c->n.spm;
	return sys_set_mempolicy(MPOL_BIND | STATIC | SPM, mask, MASK_BITS) ? -1 : 0;
}

/* A flagged task's anonymous pages on the SPM node (the control), or -1. */
static long flagged_anon_on_spm(struct ctx *c)
{
	size_t len = NPAGES * page_size;
	char *buf = map_anon(len);
	long n = -1;

	if (buf && !populate(buf, len))
		n = pages_on_node(buf, NPAGES, c->n.spm, NULL);
	if (buf)
		munmap(buf, len);
	return n;
}

#define MAX_RESULTS	8

/*
 * Run @fn in a child, which fills up to MAX_RESULTS results (each -1
 * until then) in memory shared with the parent; a child that fails fails
 * the route with @what. Returns the results, for free_results(), or NULL
 * (and a failure) when no memory could be shared.
 */
static long *child_results(struct ctx *c, int (*fn)(struct ctx *c, long *res),
			   const char *what)
{
	long *res = mmap(NULL, MAX_RESULTS * sizeof(long), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status;
	pid_t pid;

	if (res == MAP_FAILED) {
		fail(c, "mmap: %s", strerror(errno));
		return NULL;
	}
	memset(res, 0xff, MAX_RESULTS * sizeof(long));
	fflush(stdout);
	pid = fork();
	if (!pid)
		_exit(fn(c, res) ? 1 : 0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fail(c, "%s", what);
	return res;
}

static void free_results(long *res)
{
	munmap(res, MAX_RESULTS * sizeof(long));
}

/* Two huge pages of a new hugetlb mapping: how many on the SPM node, or -1. */
static long huge_pages_on_spm(struct ctx *c)
{
	size_t len = 2 * c->huge_size;
	int where[2], i;
	long n = -1;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (buf == MAP_FAILED)
		return -1;
	if (!populate(buf, len) && !query_nodes(buf, 2, c->huge_size, where))
		for (n = 0, i = 0; i < 2; i++)
			n += where[i] == c->n.spm;
	munmap(buf, len);
	return n;
}

/* In a child: a mapping under the default policy, then a flagged one. */
static int spm_pool_child(struct ctx *c, long *res)
{
	res[0] = huge_pages_on_spm(c);
	if (bind_flagged(c))
		return -1;
	res[1] = huge_pages_on_spm(c);
	return 0;
}

/*
 * With two huge pages in the SPM node's pool: a mapping under the default
 * policy gets none of them, one under a flagged policy of the SPM node
 * gets both.
 */
static void spm_pool_users(struct ctx *c)
{
	long *res;

	__atomic_fetch_add(&fig->cases, 2, __ATOMIC_RELAXED);
	res = child_results(c, spm_pool_child,
			    "the hugetlb mappings of the SPM node's pool failed");
	if (!res)
		return;
	printf("# huge pages from the SPM node's pool: %ld of 2 under the default policy, %ld of 2 under a flagged one\n",
	       res[0], res[1]);
	if (res[0]) {
		fig->wrong += res[0] > 0 ? res[0] : 0;
		fail(c, "the default policy got %ld huge pages of the SPM node", res[0]);
	}
	if (res[1] != 2)
		fail(c, "a flagged policy of the SPM node got %ld of 2 huge pages from its pool",
		     res[1]);
	else
		fig->controls++;
	free_results(res);
}

#define RAMDISK		"/dev/ram0"
#define FILE_PAGES	256

enum { R_CONTROL, R_WRITTEN, R_READ, R_PRESENT };

/*
 * In a child with a flagged policy: write a file of FILE_PAGES pages, map
 * it and count its page cache on the SPM node; drop the page cache, read
 * the file again and count once more.
 */
static int pagecache_child(struct ctx *c, long *res)
{
	size_t len = FILE_PAGES * page_size;
	unsigned char vec[FILE_PAGES];
	char path[96], *data, *map;
	long i, resident = 0;
	int fd;

	snprintf(path, sizeof(path), "/tmp/spm-hostile-ext2.%d/file", getppid());
	data = map_anon(len);
	if (bind_flagged(c) || !data)
		return -1;
	res[R_CONTROL] = flagged_anon_on_spm(c);
	memset(data, 0x3c, len);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		return -1;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED || madvise(map, len, MADV_POPULATE_READ))
		return -1;
	res[R_WRITTEN] = pages_on_node(map, FILE_PAGES, c->n.spm, NULL);
	munmap(map, len);

	if (fsync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		return -1;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED || mincore(map, len, vec))
		return -1;
	for (i = 0; i < FILE_PAGES; i++)
		resident += vec[i] & 1;
	if (resident) {
		printf("# %ld of %d pages of the file stayed cached\n", resident,
		       FILE_PAGES);
		return -1;
	}
	if (pread(fd, data, len, 0) != (ssize_t)len)
		return -1;
	if (madvise(map, len, MADV_POPULATE_READ))
		return -1;
	res[R_READ] = pages_on_node(map, FILE_PAGES, c->n.spm, &res[R_PRESENT]);
	return 0;
}

/*
 * Page cache: a file that a task with a flagged policy of the SPM node
 * writes, and reads after its cache was dropped, is anybody's; its page
 * cache stays off the SPM node, while the task's anonymous memory goes
 * there. The file lives on ext2 on a RAM disk: page cache of a disk file
 * system is movable, unlike that of ramfs, tmpfs (shmem, which a flagged
 * policy does place) or a block device.
 */
static void route_pagecache(struct ctx *c)
{
	char dir[64], path[96];
	int status;
	long *res;
	pid_t pid;

	if (access(RAMDISK, F_OK)) {
		c->skipped++;
		return;
	}
	snprintf(dir, sizeof(dir), "/tmp/spm-hostile-ext2.%d", getpid());
	snprintf(path, sizeof(path), "%s/file", dir);
	fflush(stdout);
	pid = fork();
	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execl("/bin/busybox", "mke2fs", "-F", RAMDISK, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || mkdir(dir, 0755) ||
	    mount(RAMDISK, dir, "ext2", 0, NULL)) {
		fail(c, "cannot make and mount ext2 on " RAMDISK ": %s", strerror(errno));
		goto out;
	}
	__atomic_fetch_add(&fig->cases, 2, __ATOMIC_RELAXED);
	res = child_results(c, pagecache_child,
			    "the flagged task could not write, drop and read its file");
	if (!res)
		goto out_umount;
	printf("# flagged task: %ld of %d anonymous pages on the SPM node; of its file's %d pages, %ld there after writing, %ld after reading (%ld read)\n",
	       res[R_CONTROL], NPAGES, FILE_PAGES, res[R_WRITTEN], res[R_READ],
	       res[R_PRESENT]);
	if (res[R_CONTROL] != NPAGES)
		fail(c, "the flagged policy put %ld of %d anonymous pages on the SPM node",
		     res[R_CONTROL], NPAGES);
	else
		fig->controls++;
	if (res[R_WRITTEN] != 0 || res[R_READ] != 0 || res[R_PRESENT] != FILE_PAGES) {
		fig->wrong += (res[R_WRITTEN] > 0 ? res[R_WRITTEN] : 0) +
			      (res[R_READ] > 0 ? res[R_READ] : 0);
		fail(c, "page cache of the flagged task on the SPM node: %ld written, %ld read",
		     res[R_WRITTEN], res[R_READ]);
	}
	free_results(res);
out_umount:
	unlink(path);
	umount(dir);
out:
	rmdir(dir);
}

#define ZSWAP_PAGES	1024

/* A counter of /proc/vmstat, or -1. */
static long vmstat(const char *name)
{
	char line[128], key[64];
	long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	snprintf(key, sizeof(key), "%s %%ld", name);
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, key, &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* The zsmalloc pages of node @nid's zones, from /proc/zoneinfo, or -1. */
static long node_zspages(int nid)
{
	char line[256];
	long sum = -1, v;
	int node = -1;
	FILE *f = fopen("/proc/zoneinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone", &node) == 1)
			continue;
		if (node == nid && sscanf(line, " nr_zspages %ld", &v) == 1)
			sum = (sum < 0 ? 0 : sum) + v;
	}
	if (f)
		fclose(f);
	return sum;
}

enum { Z_CONTROL, Z_STORED, Z_ZSPAGES };

/*
 * In a child with a flagged policy: ZSWAP_PAGES pages on the SPM node,
 * compressible but not all the same byte (zram keeps a page of one byte
 * without zsmalloc), paged out. Counts the pages @stored() says zswap or
 * zram took, and the zsmalloc pages the SPM node gained.
 */
static int pageout_child(struct ctx *c, long *res, long (*stored)(void))
{
	size_t len = ZSWAP_PAGES * page_size;
	long out, zs, i;
	char *buf;

	buf = map_anon(len);
	if (bind_flagged(c) || !buf || populate(buf, len))
		return -1;
	for (i = 0; i < (long)len; i++)
		buf[i] = (i / page_size + i % 64) & 0xff;
	res[Z_CONTROL] = pages_on_node(buf, ZSWAP_PAGES, c->n.spm, NULL);
	out = stored();
	zs = node_zspages(c->n.spm);
	if (out < 0 || zs < 0 || madvise(buf, len, MADV_PAGEOUT))
		return -1;
	res[Z_STORED] = stored() - out;
	res[Z_ZSPAGES] = node_zspages(c->n.spm) - zs;
	return 0;
}

static long zswap_stored(void)
{
	return vmstat("zswpout");
}

static int zswap_child(struct ctx *c, long *res)
{
	return pageout_child(c, res, zswap_stored);
}

/* The zram device route_zram() added. */
static char zram_id[16];

/* The pages the zram device holds (mm_stat's orig_data_size), or -1. */
static long zram_stored(void)
{
	char path[64];
	long bytes = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/zram%s/mm_stat", zram_id);
	f = fopen(path, "r");
	if (f && fscanf(f, "%ld", &bytes) != 1)
		bytes = -1;
	if (f)
		fclose(f);
	return bytes < 0 ? -1 : bytes / page_size;
}

static int zram_child(struct ctx *c, long *res)
{
	return pageout_child(c, res, zram_stored);
}

/*
 * Page a flagged task's pages on the SPM node out through @child into
 * @by, which compresses them into zsmalloc pages: the control wants them
 * stored, and none of the zsmalloc pages on the SPM node.
 */
static void pageout_route(struct ctx *c, int (*child)(struct ctx *c, long *res),
			  const char *by)
{
	char what[96];
	long *res;

	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	snprintf(what, sizeof(what), "the flagged task could not page out into %s", by);
	res = child_results(c, child, what);
	if (!res)
		return;
	printf("# flagged task: %ld of %d pages on the SPM node, %ld stored by %s, %ld zsmalloc pages more on the SPM node\n",
	       res[Z_CONTROL], ZSWAP_PAGES, res[Z_STORED], by, res[Z_ZSPAGES]);
	if (res[Z_CONTROL] != ZSWAP_PAGES || res[Z_STORED] < ZSWAP_PAGES / 2)
		fail(c, "the control: %ld of %d pages on the SPM node, %ld stored by %s",
		     res[Z_CONTROL], ZSWAP_PAGES, res[Z_STORED], by);
	else
		fig->controls++;
	if (res[Z_ZSPAGES] != 0) {
		fig->wrong += res[Z_ZSPAGES] > 0 ? res[Z_ZSPAGES] : 0;
		fail(c, "zsmalloc took %ld pages of the SPM node", res[Z_ZSPAGES]);
	}
	free_results(res);
}

#define ZSWAP_ENABLED	"/sys/module/zswap/parameters/enabled"

/* zswap's enabled parameter: 'Y', 'N', or 0 without zswap. */
static char zswap_enabled(void)
{
	char on[8];

	read_line(ZSWAP_ENABLED, on, sizeof(on));
	return on[0];
}

/*
 * zswap: the compressed copies of a flagged task's pages on the SPM node
 * are the kernel's memory, allocated by zsmalloc in the task's own
 * reclaim; they stay off the SPM node.
 */
static void route_zswap(struct ctx *c)
{
	if (!swap_present() || zswap_enabled() != 'Y') {
		c->skipped++;
		return;
	}
	pageout_route(c, zswap_child, "zswap");
}

#define ZRAM_CONTROL	"/sys/class/zram-control/"

/*
 * Write a swap header (version 1, no bad pages) over the first page of
 * the block device @dev of @bytes; 0 or -1.
 */
static int write_swap_header(const char *dev, long bytes)
{
	char *page = calloc(1, page_size);
	unsigned int *word;
	int fd, ret = -1;

	fd = open(dev, O_WRONLY);
	if (page && fd >= 0) {
		/* After the 1024 bytes of boot block: version, last page. */
		word = (unsigned int *)(page + 1024);
		word[0] = 1;
		word[1] = bytes / page_size - 1;
		memcpy(page + page_size - 10, "SWAPSPACE2", 10);
		ret = pwrite(fd, page, page_size, 0) == (ssize_t)page_size &&
		      !fsync(fd) ? 0 : -1;
	}
	if (fd >= 0)
		close(fd);
	free(page);
	return ret;
}

/*
 * zram: a flagged task's pages on the SPM node paged out to a zram swap
 * device of the highest priority (zswap off, so that they reach it), in
 * the task's own reclaim: zram's zsmalloc pages stay off the SPM node.
 * The device is hot-added and removed again.
 */
static void route_zram(struct ctx *c)
{
	char dev[32], path[96], size[32], *id = zram_id;
	char zswap = zswap_enabled();
	long bytes = 4L * ZSWAP_PAGES * page_size;

	/* Reading hot_add adds a device and gives its number. */
	read_line(ZRAM_CONTROL "hot_add", id, sizeof(zram_id));
	if (!id[0]) {
		printf("# no zram (CONFIG_ZRAM=n)\n");
		c->skipped++;
		return;
	}
	snprintf(dev, sizeof(dev), "/dev/zram%s", id);
	snprintf(path, sizeof(path), "/sys/block/zram%s/disksize", id);
	snprintf(size, sizeof(size), "%ld", bytes);
	if (write_file(path, size) || write_swap_header(dev, bytes)) {
		fail(c, "cannot set up %s as swap: %s", dev, strerror(errno));
		goto out;
	}
	if (zswap == 'Y')
		write_file(ZSWAP_ENABLED, "N");
	if (swapon(dev, SWAP_FLAG_PREFER | SWAP_FLAG_PRIO_MASK)) {
		fail(c, "swapon %s: %s", dev, strerror(errno));
	} else {
		pageout_route(c, zram_child, "zram");
		if (swapoff(dev))
			fail(c, "swapoff %s: %s", dev, strerror(errno));
	}
	if (zswap == 'Y')
		write_file(ZSWAP_ENABLED, "Y");
out:
	if (write_file(ZRAM_CONTROL "hot_remove", id))
		fail(c, "cannot remove %s", dev);
}

#define PAGE_CLUSTER	"/proc/sys/vm/page-cluster"

/*
 * Page out the @n pages of the shared mapping @map (shmem), trying up to
 * ten times, 20 ms apart: a page written to the swap disk rather than to
 * zswap stays in the swap cache until its write ends, and the next try
 * frees it. Returns how many are still resident (0: all in swap), or -1.
 */
static long shmem_pageout(char *map, long n)
{
	unsigned char vec[FILE_PAGES];
	long i, resident = -1;
	int try;

	for (try = 0; try < 10 && resident; try++) {
		if (try)
			usleep(20000);
		if (madvise(map, n * page_size, MADV_PAGEOUT) ||
		    mincore(map, n * page_size, vec))
			return -1;
		for (resident = 0, i = 0; i < n; i++)
			resident += vec[i] & 1;
	}
	return resident;
}

enum { W_ANON, W_ANON_IN, W_WRITTEN, W_READ, W_FAULTED, W_HOLE, W_RESIDENT };

/*
 * In a child with a flagged policy: FILE_PAGES pages of shared anonymous
 * memory, and a file of as many pages on a tmpfs mount without a policy,
 * written with write(2) and followed by as many pages of hole. Counts
 * their pages on the SPM node: the anonymous ones when faulted and when
 * faulted back from swap; the file's when written, when swapped back in by
 * pread(2), and by a fault of its mapping, and the hole's when a write to
 * the mapping fills it. W_RESIDENT: the pages that no page-out got out.
 */
static int shmem_swap_child(struct ctx *c, long *res)
{
	size_t len = FILE_PAGES * page_size;
	char path[96], *anon, *data, *map;
	long i, left = 0;
	int fd;

	snprintf(path, sizeof(path), "/tmp/spm-hostile-tmpfs.%d/file", getppid());
	anon = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		    -1, 0);
	data = map_anon(len);
	if (bind_flagged(c) || anon == MAP_FAILED || !data)
		return -1;
	for (i = 0; i < (long)len; i++)
		anon[i] = data[i] = (i / page_size + i % 64) & 0xff;
	res[W_ANON] = pages_on_node(anon, FILE_PAGES, c->n.spm, NULL);
	left += shmem_pageout(anon, FILE_PAGES);
	if (madvise(anon, len, MADV_POPULATE_READ))
		return -1;
	res[W_ANON_IN] = pages_on_node(anon, FILE_PAGES, c->n.spm, NULL);

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len ||
	    ftruncate(fd, 2 * len))
		return -1;
	map = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED || madvise(map, len, MADV_POPULATE_READ))
		return -1;
	res[W_WRITTEN] = pages_on_node(map, FILE_PAGES, c->n.spm, NULL);
	left += shmem_pageout(map, FILE_PAGES);
	if (pread(fd, data, len, 0) != (ssize_t)len ||
	    madvise(map, len, MADV_POPULATE_READ))
		return -1;
	res[W_READ] = pages_on_node(map, FILE_PAGES, c->n.spm, NULL);
	left += shmem_pageout(map, FILE_PAGES);
	if (madvise(map, len, MADV_POPULATE_READ))
		return -1;
	res[W_FAULTED] = pages_on_node(map, FILE_PAGES, c->n.spm, NULL);
	if (madvise(map + len, len, MADV_POPULATE_WRITE))
		return -1;
	res[W_HOLE] = pages_on_node(map + len, FILE_PAGES, c->n.spm, NULL);
	res[W_RESIDENT] = left;
	return 0;
}

/*
 * shmem swap-in: a flagged task's shared anonymous memory (MAP_SHARED |
 * MAP_ANONYMOUS, like memfd and SysV shm an object of the kernel's
 * internal mount) is its own, on the SPM node when faulted and when
 * faulted back from swap. A file of a tmpfs mount without a policy is page
 * cache, anybody's: its pages stay off the SPM node when the flagged task
 * writes them, swaps them back in by read(2) or a fault of its mapping,
 * or fills a hole of the file through the mapping. Swap readahead is off
 * (page-cluster 0), so that every page comes in as the faulting entry,
 * under the task's policy.
 */
static void route_shmem_swap(struct ctx *c)
{
	char dir[64], path[96], cluster[16];
	long *res, wrong;

	read_line(PAGE_CLUSTER, cluster, sizeof(cluster));
	if (!swap_present() || !cluster[0]) {
		c->skipped++;
		return;
	}
	snprintf(dir, sizeof(dir), "/tmp/spm-hostile-tmpfs.%d", getpid());
	snprintf(path, sizeof(path), "%s/file", dir);
	if (mkdir(dir, 0755) || mount("none", dir, "tmpfs", 0, NULL) ||
	    write_file(PAGE_CLUSTER, "0")) {
		fail(c, "cannot mount tmpfs or set page-cluster: %s", strerror(errno));
		goto out;
	}
	__atomic_fetch_add(&fig->cases, 6, __ATOMIC_RELAXED);
	res = child_results(c, shmem_swap_child,
			    "the flagged task could not swap out and in its shmem");
	if (!res)
		goto out_umount;
	printf("# flagged task: of %d pages, shared anonymous memory: %ld on the SPM node faulted, %ld swapped in; tmpfs file: %ld written, %ld swapped in by read(2), %ld by a fault, %ld of its hole filled; %ld not paged out\n",
	       FILE_PAGES, res[W_ANON], res[W_ANON_IN], res[W_WRITTEN],
	       res[W_READ], res[W_FAULTED], res[W_HOLE], res[W_RESIDENT]);
	/*
	 * A page the swap disk still writes stays resident where it is: off
	 * the SPM node for the file, which the checks below count anyway.
	 * Most must go for the route to be taken.
	 */
	if (res[W_ANON] != FILE_PAGES || res[W_ANON_IN] != FILE_PAGES ||
	    res[W_RESIDENT] < 0 || res[W_RESIDENT] > FILE_PAGES / 8)
		fail(c, "the control: %ld and %ld of %d shared anonymous pages on the SPM node, %ld not paged out",
		     res[W_ANON], res[W_ANON_IN], FILE_PAGES, res[W_RESIDENT]);
	else
		fig->controls += 2;
	wrong = (res[W_WRITTEN] > 0 ? res[W_WRITTEN] : 0) +
		(res[W_READ] > 0 ? res[W_READ] : 0) +
		(res[W_FAULTED] > 0 ? res[W_FAULTED] : 0) +
		(res[W_HOLE] > 0 ? res[W_HOLE] : 0);
	if (wrong || res[W_HOLE] < 0) {
		fig->wrong += wrong;
		fail(c, "tmpfs pages of the flagged task on the SPM node: %ld written, %ld read, %ld faulted, %ld filled",
		     res[W_WRITTEN], res[W_READ], res[W_FAULTED], res[W_HOLE]);
	}
	free_results(res);
out_umount:
	unlink(path);
	umount(dir);
out:
	if (cluster[0])
		write_file(PAGE_CLUSTER, cluster);
	rmdir(dir);
}

#define RA_PAGES	64
#define RA_GROUP	4

/*
 * A child of route_swap_readahead(): RA_PAGES pages of shared anonymous
 * memory, under a flagged policy of the SPM node if @flagged, on CPU 0.
 * It answers each command byte of @cmd on @reply with a long: 'o' pages
 * out its next page (1: it went to swap), 'c' counts its pages in the
 * swap cache, 'f' faults them all in and counts those on the SPM node;
 * 'q' ends it.
 */
static void ra_child(struct ctx *c, bool flagged, int cmd, int reply)
{
	size_t len = RA_PAGES * page_size;
	unsigned char vec[RA_PAGES];
	long i, next = 0, n;
	cpu_set_t cpu;
	char *buf, op;

	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	if (!flagged && become_nobody())
		_exit(1);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (buf == MAP_FAILED || sched_setaffinity(0, sizeof(cpu), &cpu) ||
	    (flagged && bind_flagged(c)))
		_exit(1);
	for (i = 0; i < (long)len; i++)
		buf[i] = (i / page_size * 7 + i % 64 + flagged) & 0xff;
	if (write(reply, "r", 1) != 1)
		_exit(1);
	while (read(cmd, &op, 1) == 1) {
		n = -1;
		if (op == 'o') {
			if (!madvise(buf + next * page_size, page_size, MADV_PAGEOUT) &&
			    !mincore(buf + next * page_size, page_size, vec))
				n = !(vec[0] & 1);
			next++;
		} else if (op == 'c') {
			if (!mincore(buf, len, vec))
				for (n = 0, i = 0; i < RA_PAGES; i++)
					n += vec[i] & 1;
		} else if (op == 'f') {
			if (!madvise(buf, len, MADV_POPULATE_READ))
				n = pages_on_node(buf, RA_PAGES, c->n.spm, NULL);
		} else if (op == 'q') {
			break;
		}
		if (write(reply, &n, sizeof(n)) != sizeof(n))
			_exit(1);
	}
	_exit(0);
}

/* Send @op to the child on @cmd; its answer from @reply, or -1. */
static long ra_ask(int cmd, int reply, char op)
{
	long n = -1;

	if (write(cmd, &op, 1) != 1 || read(reply, &n, sizeof(n)) != sizeof(n))
		return -1;
	return n;
}

/*
 * Swap readahead of other tasks' slots: a flagged task's shared anonymous
 * pages and a uid 65534 task's are paged out in turn, RA_GROUP pages at a
 * time, so that their swap slots alternate in groups; shmem swap-in reads
 * ahead the aligned window of slots around the faulting one, which grows
 * with the readahead hits up to 8 slots (page-cluster 3). When the
 * flagged task faults its pages back in order, the readahead reads the
 * other task's pages under the flagged task's policy: those are not its
 * own, and must stay off the SPM node. The control: some of the other
 * task's pages were in the swap cache, read ahead, before it faulted
 * them.
 */
static void route_swap_readahead(struct ctx *c)
{
	int cmd[2][2], reply[2][2], i, status;
	char cluster[16], b;
	long out = 0, ahead, wrong, own;
	pid_t pid[2] = { -1, -1 };
	void (*pipe_handler)(int);

	read_line(PAGE_CLUSTER, cluster, sizeof(cluster));
	if (!swap_present() || !cluster[0]) {
		c->skipped++;
		return;
	}
	if (write_file(PAGE_CLUSTER, "3")) {
		fail(c, "cannot set page-cluster: %s", strerror(errno));
		return;
	}
	/* A child that died makes a command fail with EPIPE, not kill us. */
	pipe_handler = signal(SIGPIPE, SIG_IGN);
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		if (pipe(cmd[i]) || pipe(reply[i])) {
			fail(c, "pipe: %s", strerror(errno));
			goto out;
		}
		pid[i] = fork();
		if (!pid[i]) {
			close(cmd[i][1]);
			close(reply[i][0]);
			ra_child(c, i == 0, cmd[i][0], reply[i][1]);
		}
		close(cmd[i][0]);
		close(reply[i][1]);
		if (pid[i] < 0 || read(reply[i][0], &b, 1) != 1) {
			fail(c, "the %s task did not start", i ? "uid 65534" : "flagged");
			goto out;
		}
	}
	/* Groups of RA_GROUP pages, in turn. */
	for (i = 0; i < 2 * RA_PAGES; i++)
		out += ra_ask(cmd[i / RA_GROUP % 2][1], reply[i / RA_GROUP % 2][0],
			      'o') == 1;
	own = ra_ask(cmd[0][1], reply[0][0], 'f');
	ahead = ra_ask(cmd[1][1], reply[1][0], 'c');
	wrong = ra_ask(cmd[1][1], reply[1][0], 'f');
	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	printf("# %ld of %d pages paged out in turn; the flagged task faulted its pages back, %ld of them on the SPM node; the uid 65534 task then had %ld of %d in the swap cache, and %ld on the SPM node\n",
	       out, 2 * RA_PAGES, own, ahead, RA_PAGES, wrong);
	if (out != 2 * RA_PAGES || own < 1 || ahead < 1)
		fail(c, "the control: %ld of %d pages paged out, %ld of the flagged task's on the SPM node, %ld of the other's read ahead",
		     out, 2 * RA_PAGES, own, ahead);
	else
		fig->controls++;
	if (wrong) {
		fig->wrong += wrong > 0 ? wrong : 0;
		fail(c, "readahead put %ld pages of the uid 65534 task on the SPM node", wrong);
	}
out:
	/*
	 * 'q', not the end of the pipe: the second child holds a copy of
	 * the first one's command pipe.
	 */
	for (i = 0; i < 2; i++) {
		if (pid[i] <= 0)
			continue;
		if (write(cmd[i][1], "q", 1) != 1)
			kill(pid[i], SIGKILL);
		close(cmd[i][1]);
		close(reply[i][0]);
		waitpid(pid[i], &status, 0);
	}
	signal(SIGPIPE, pipe_handler);
	write_file(PAGE_CLUSTER, cluster);
}

#define OOM_FREE_MB	32
#define OOM_LOCKED_MB	64
#define OOM_HOG_MB	96
/*
 * What the SysRAM route leaves free on the node: its locker must hold more
 * there than any other task when the OOM comes (the test runner holds
 * about 2 MB). With 32 MB free, the locker held 384 kB when the OOM came
 * in one boot, and the OOM killed the runner.
 */
#define OOM_SYSRAM_FREE_MB	128

/* Write @val to /proc/@pid/oom_score_adj (0: the caller); 0 or -errno. */
static int set_oom_score_adj(pid_t pid, const char *val)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid ? pid : getpid());
	return write_file(path, val);
}

/*
 * Fork a task that runs @setup(@c, @arg), which places its memory, and
 * then waits to be killed. Returns its pid once @setup succeeded, or -1
 * (reaped) if it failed.
 */
static pid_t oom_holder(struct ctx *c, int (*setup)(struct ctx *c, long arg),
			long arg)
{
	int sync[2], status;
	pid_t pid;
	char b = 0;

	if (pipe(sync))
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		close(sync[0]);
		if (setup(c, arg) || write(sync[1], &b, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(sync[1]);
	if (pid > 0 && read(sync[0], &b, 1) != 1) {
		waitpid(pid, &status, 0);
		pid = -1;
	}
	close(sync[0]);
	return pid;
}

/*
 * Fork a task with oom_score_adj 0 (not the test's -1000) that sets its
 * policy with @policy(@c, @arg) and locks @mb MB, inside the kernel log's
 * marks of an expected OOM. Returns its wait status, or -1.
 */
static int oom_locker(struct ctx *c, int (*policy)(struct ctx *c, long arg),
		      long arg, long mb)
{
	int status = -1;
	pid_t pid;

	write_file("/dev/kmsg", "spm-devpriv: OOM expected");
	fflush(stdout);
	pid = fork();
	if (!pid) {
		size_t len = (size_t)mb << 20;
		char *p = map_anon(len);

		if (set_oom_score_adj(0, "0") || policy(c, arg) || !p)
			_exit(2);
		_exit(mlock(p, len) ? 3 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	write_file("/dev/kmsg", "spm-devpriv: OOM expected done");
	return status;
}

/* "signal N" or "exit N" for a wait status, "exit -1" for none. */
static const char *status_name(int status)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%s %d",
		 status != -1 && WIFSIGNALED(status) ? "signal" : "exit",
		 status == -1 ? -1 : WIFSIGNALED(status) ? WTERMSIG(status) :
		 WEXITSTATUS(status));
	return buf;
}

static bool killed(int status)
{
	return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* A uid 65534 task with oom_score_adj 1000 and @mb MB on SysRAM. */
static int hog_setup(struct ctx *c, long mb)
{
	size_t len = (size_t)mb << 20;
	char *p;

	if (set_oom_score_adj(0, "1000") || become_nobody())
		return -1;
	p = map_anon(len);
	return !p || populate(p, len) ? -1 : 0;
}

/* A task with @mb MB locked on the SPM node under a flagged VMA policy. */
static int spm_holder_setup(struct ctx *c, long mb)
{
	unsigned long spm[MASK_WORDS] = { 0 };
	size_t len = (size_t)mb << 20;
	char *p = map_anon(len);

	spm[0] = 1UL << c->n.spm;
	if (set_oom_score_adj(0, "0") || !p ||
	    sys_mbind(p, len, MPOL_BIND | STATIC | SPM, spm, MASK_BITS, 0) ||
	    populate(p, len) || mlock(p, len))
		return -1;
	return 0;
}

static int flagged_policy(struct ctx *c, long unused)
{
	return bind_flagged(c);
}

/* A bind policy of node @nid, without the flag. */
static int bind_policy(struct ctx *c, long nid)
{
	unsigned long mask[MASK_WORDS] = { 0 };

	mask[0] = 1UL << nid;
	return sys_set_mempolicy(MPOL_BIND, mask, MASK_BITS) ? -1 : 0;
}

/*
 * OOM: a flagged root task bound to the SPM node locks more memory than
 * the node has free (the node's huge page pool took the rest first). The
 * OOM killer this calls may only pick a task that can hold the SPM
 * node's memory, the allocating task first: not a uid 65534 task that
 * holds more memory, all of it on SysRAM, with oom_score_adj 1000, which
 * is the first victim of any OOM it is eligible for. The kernel log
 * marks the OOM as expected, so that its stack dump is no splat.
 */
static void route_oom(struct ctx *c)
{
	long free_kb = node_free_kb(c->n.spm), huge = node_huge_pages(c, c->n.spm);
	int status, hog_status = 0;
	pid_t hog = -1, reaped;

	if (c->huge_size <= 0 || free_kb < 0 || huge < 0) {
		c->skipped++;
		return;
	}
	if (set_oom_score_adj(0, "-1000") ||
	    set_node_huge_pages(c, c->n.spm, huge + ((free_kb >> 10) - OOM_FREE_MB) /
				(c->huge_size >> 20))) {
		fail(c, "cannot protect the test or fill the SPM node with huge pages");
		goto out;
	}
	printf("# SPM node: %ld MB free, %ld MB after its pool grew\n", free_kb >> 10,
	       node_free_kb(c->n.spm) >> 10);
	hog = oom_holder(c, hog_setup, OOM_HOG_MB);
	if (hog < 0) {
		fail(c, "the uid 65534 task on SysRAM did not start");
		goto out;
	}
	status = oom_locker(c, flagged_policy, 0, OOM_LOCKED_MB);
	reaped = waitpid(hog, &hog_status, WNOHANG);
	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	printf("# the flagged task: %s; the uid 65534 task on SysRAM: %s\n",
	       status_name(status), reaped == hog ? "killed" : "alive");
	if (reaped == hog) {
		fig->wrong += OOM_HOG_MB << 20 >> 12;
		fail(c, "the OOM of a flagged request to the SPM node killed a uid 65534 task that has no memory there");
		hog = -1;
	}
	if (!killed(status))
		fail(c, "the flagged task locked %d MB with %d MB free on the SPM node and was not killed",
		     OOM_LOCKED_MB, OOM_FREE_MB);
	else
		fig->controls++;
out:
	if (hog > 0) {
		kill(hog, SIGKILL);
		waitpid(hog, &hog_status, 0);
	}
	set_node_huge_pages(c, c->n.spm, huge);
	set_oom_score_adj(0, "0");
}

/*
 * /proc/<pid>/oom_score is the badness of the OOM a task without a flagged
 * policy meets, which SPM memory cannot relieve: the @spm_mb MB @pid holds
 * on the SPM node, and little else, must not raise it. Half of them would
 * raise it above the limit: 2/3 of 1000 plus the thousandths of
 * MemTotal + SwapTotal that the task's memory takes.
 */
static void check_oom_score(struct ctx *c, pid_t pid, long spm_mb)
{
	long total_kb = meminfo_value("/proc/meminfo", "MemTotal:") +
			meminfo_value("/proc/meminfo", "SwapTotal:");
	long limit = (1000 + (spm_mb << 10) / 2 * 1000 / total_kb) * 2 / 3;
	char path[64];
	long score;

	snprintf(path, sizeof(path), "/proc/%d/oom_score", pid);
	score = read_long(path);
	printf("# oom_score of the task with %ld MB on the SPM node: %ld (half of them would make it %ld)\n",
	       spm_mb, score, limit);
	if (score < 0 || score >= limit)
		fail(c, "/proc/%d/oom_score counts the memory the task holds on the SPM node",
		     pid);
}

/*
 * OOM of a SysRAM node: a task bound to SysRAM node sys1 locks more
 * memory than the node has outside its huge page pool, which took all but
 * OOM_SYSRAM_FREE_MB of the node's free memory first. SPM memory cannot
 * relieve this OOM, so it does not count in a victim's badness: a task
 * that holds more on the SPM node, under a flagged VMA policy, and little
 * else must not be killed for it, while the allocating task, which holds
 * less in all, is.
 */
static void route_oom_sysram(struct ctx *c)
{
	int sys = c->n.sys1, status, holder_status = 0;
	long free_kb = node_free_kb(sys), huge = node_huge_pages(c, sys);
	long lock_mb, spm_mb;
	pid_t holder = -1, reaped;

	if (c->huge_size <= 0 || sys == c->n.sys0 || free_kb < 0 || huge < 0) {
		c->skipped++;
		return;
	}
	if (set_oom_score_adj(0, "-1000") ||
	    set_node_huge_pages(c, sys, huge + ((free_kb >> 10) - OOM_SYSRAM_FREE_MB) /
				(c->huge_size >> 20))) {
		fail(c, "cannot protect the test or fill node %d with huge pages", sys);
		goto out;
	}
	/* All of the node outside its pool, and 16 MB more. */
	lock_mb = ((node_meminfo_kb(sys, "MemTotal") >> 10) -
		   node_huge_pages(c, sys) * (c->huge_size >> 20)) + 16;
	spm_mb = lock_mb + 128 > 256 ? lock_mb + 128 : 256;
	printf("# node %d: %ld MB free, %ld MB after its pool grew; %ld MB to lock there, %ld MB on the SPM node (%ld MB free)\n",
	       sys, free_kb >> 10, node_free_kb(sys) >> 10, lock_mb, spm_mb,
	       node_free_kb(c->n.spm) >> 10);
	if (spm_mb + 64 > node_free_kb(c->n.spm) >> 10) {
		printf("# the SPM node has too little free memory for this topology\n");
		c->skipped++;
		goto out;
	}
	holder = oom_holder(c, spm_holder_setup, spm_mb);
	if (holder < 0) {
		fail(c, "the task with memory on the SPM node did not start");
		goto out;
	}
	check_oom_score(c, holder, spm_mb);
	status = oom_locker(c, bind_policy, sys, lock_mb);
	reaped = waitpid(holder, &holder_status, WNOHANG);
	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	printf("# the task allocating on node %d: %s; the task with %ld MB on the SPM node: %s\n",
	       sys, status_name(status), spm_mb, reaped == holder ? "killed" : "alive");
	if (reaped == holder) {
		fig->wrong += spm_mb << 20 >> 12;
		fail(c, "the OOM of node %d killed the task whose memory is on the SPM node",
		     sys);
		holder = -1;
	}
	if (!killed(status))
		fail(c, "the task that locked %ld MB with %d MB free on node %d was not killed",
		     lock_mb, OOM_SYSRAM_FREE_MB, sys);
	else
		fig->controls++;
out:
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, &holder_status, 0);
	}
	set_node_huge_pages(c, sys, huge);
	set_oom_score_adj(0, "0");
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE	101
#endif
#define PMD_SIZE_2M	(2UL << 20)

/* An anonymous mapping of one 2 MiB-aligned PMD range, or NULL. */
static char *map_pmd_range(void)
{
	char *p = mmap(NULL, 2 * PMD_SIZE_2M, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((unsigned long)p + PMD_SIZE_2M - 1) & ~(PMD_SIZE_2M - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + PMD_SIZE_2M, p + PMD_SIZE_2M - a);
	return a;
}

/* AnonHugePages of the mapping that starts at @addr, in kB, or -1. */
static long anon_huge_kb(void *addr)
{
	char line[256], want[32];
	bool in = false;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (f && fgets(line, sizeof(line), f)) {
		/* A mapping's first line starts with its address in lower case. */
		if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f'))
			in = !strncmp(line, want, strlen(want));
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	if (f)
		fclose(f);
	return kb;
}

enum { C_ALL_ERR, C_ALL_SPM, C_ALL_HUGE, C_MIXED_ERR, C_MIXED_SPM };

/*
 * In a child: one PMD range with all its pages on the SPM node under a
 * flagged policy, and one with half of them there and half on SysRAM
 * (the VMA's policy changed in between); MADV_COLLAPSE on each.
 */
static int collapse_child(struct ctx *c, long *res)
{
	unsigned long spm[MASK_WORDS] = { 0 }, sys[MASK_WORDS] = { 0 };
	long n = PMD_SIZE_2M / page_size, half = PMD_SIZE_2M / 2;
	char *all = map_pmd_range(), *mixed = map_pmd_range();

	spm[0] = 1UL << c->n.spm;
	sys[0] = 1UL << c->n.sys0;
	if (!all || !mixed || madvise(all, PMD_SIZE_2M, MADV_NOHUGEPAGE) ||
	    madvise(mixed, PMD_SIZE_2M, MADV_NOHUGEPAGE) ||
	    sys_mbind(all, PMD_SIZE_2M, MPOL_BIND | STATIC | SPM, spm, MASK_BITS, 0) ||
	    populate(all, PMD_SIZE_2M) ||
	    sys_mbind(mixed, PMD_SIZE_2M, MPOL_BIND | STATIC | SPM, spm, MASK_BITS, 0) ||
	    populate(mixed, half) ||
	    sys_mbind(mixed, PMD_SIZE_2M, MPOL_BIND, sys, MASK_BITS, 0) ||
	    populate(mixed + half, half) ||
	    madvise(all, PMD_SIZE_2M, MADV_HUGEPAGE) ||
	    madvise(mixed, PMD_SIZE_2M, MADV_HUGEPAGE))
		return -1;
	res[C_ALL_ERR] = madvise(all, PMD_SIZE_2M, MADV_COLLAPSE) ? errno : 0;
	res[C_ALL_SPM] = pages_on_node(all, n, c->n.spm, NULL);
	res[C_ALL_HUGE] = anon_huge_kb(all);
	res[C_MIXED_ERR] = madvise(mixed, PMD_SIZE_2M, MADV_COLLAPSE) ? errno : 0;
	res[C_MIXED_SPM] = pages_on_node(mixed, n, c->n.spm, NULL);
	return 0;
}

/*
 * THP collapse (MADV_COLLAPSE, khugepaged's code): a range whose pages are
 * all on the SPM node, under a flagged policy, becomes a huge page there;
 * a range with half of its pages there and half on SysRAM is left alone:
 * collapsing it on the SysRAM node of the tie would move a flagged
 * policy's pages off the SPM node, and on the SPM node would bring pages
 * the policy did not place there onto it.
 */
static void route_collapse(struct ctx *c)
{
	long n = PMD_SIZE_2M / page_size;
	long *res;

	__atomic_fetch_add(&fig->cases, 2, __ATOMIC_RELAXED);
	res = child_results(c, collapse_child,
			    "the flagged task could not set up its two ranges");
	if (!res)
		return;
	printf("# all %ld pages on the SPM node: MADV_COLLAPSE %s, %ld pages there after, %ld kB in huge pages\n",
	       n, res[C_ALL_ERR] ? strerror(res[C_ALL_ERR]) : "done",
	       res[C_ALL_SPM], res[C_ALL_HUGE]);
	printf("# half of them there, half on SysRAM: MADV_COLLAPSE %s, %ld pages there after\n",
	       res[C_MIXED_ERR] ? strerror(res[C_MIXED_ERR]) : "done",
	       res[C_MIXED_SPM]);
	if (res[C_ALL_ERR] || res[C_ALL_SPM] != n || res[C_ALL_HUGE] != 2048)
		fail(c, "the range on the SPM node did not become a huge page there");
	else
		fig->controls++;
	if (res[C_MIXED_SPM] != n / 2) {
		fig->wrong += res[C_MIXED_SPM] >= 0 ? labs(res[C_MIXED_SPM] - n / 2) : 0;
		fail(c, "the collapse of the mixed range left %ld of its %ld pages on the SPM node",
		     res[C_MIXED_SPM], n / 2);
	}
	free_results(res);
}

enum { S_BEFORE, S_ERR, S_AFTER };

/*
 * A flagged task had @before pages on the SPM node before the kernel's
 * @what moved them, and has @after there now: it must have all of them.
 */
static void expect_kept(struct ctx *c, const char *what, long before, long after)
{
	if (after == before)
		return;
	fig->wrong += before - after;
	fail(c, "%s moved %ld of the flagged task's pages off the SPM node", what,
	     before - after);
}

static int soft_offline_child(struct ctx *c, long *res)
{
	size_t len = NPAGES * page_size;
	char *buf = map_anon(len);

	if (bind_flagged(c) || !buf || populate(buf, len))
		return -1;
	res[S_BEFORE] = pages_on_node(buf, NPAGES, c->n.spm, NULL);
	res[S_ERR] = madvise(buf, 4 * page_size, MADV_SOFT_OFFLINE) ? errno : 0;
	res[S_AFTER] = pages_on_node(buf, NPAGES, c->n.spm, NULL);
	return 0;
}

/*
 * Soft offline (MADV_SOFT_OFFLINE, what a corrected memory error does):
 * the kernel moves the data of four of a flagged task's pages on the SPM
 * node to new pages, which must be on the SPM node too.
 */
static void route_soft_offline(struct ctx *c)
{
	long *res;

	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	res = child_results(c, soft_offline_child,
			    "the flagged task could not map its pages");
	if (!res)
		return;
	printf("# flagged task: %ld of %d pages on the SPM node; soft offline of 4: %s; %ld there after\n",
	       res[S_BEFORE], NPAGES, res[S_ERR] ? strerror(res[S_ERR]) : "done",
	       res[S_AFTER]);
	if (res[S_BEFORE] != NPAGES || res[S_ERR])
		fail(c, "the control: %ld of %d pages on the SPM node, soft offline %s",
		     res[S_BEFORE], NPAGES, strerror(res[S_ERR]));
	else
		fig->controls++;
	expect_kept(c, "soft offline", res[S_BEFORE], res[S_AFTER]);
	free_results(res);
}

enum { O_BEFORE, O_IN_BLOCK, O_ERR, O_AFTER, O_BACK };

#define MEMORY_SYSFS	"/sys/devices/system/memory"

/* The memory block of the page mapped at @addr (needs root), or -1. */
static long block_of(void *addr, long block_bytes)
{
	uint64_t pfn;

	if (read_pfns(addr, 1, &pfn) || !pfn)
		return -1;
	return pfn * page_size / block_bytes;
}

/* The size of a memory block, or -1. */
static long memory_block_bytes(void)
{
	char buf[32];

	if (!read_line(MEMORY_SYSFS "/block_size_bytes", buf, sizeof(buf)) ||
	    !buf[0])
		return -1;
	return strtol(buf, NULL, 16);
}

/* How many of the NPAGES pages at @buf are in memory block @block. */
static long pages_in_block(char *buf, long block_bytes, long block)
{
	long n = 0;
	int i;

	for (i = 0; i < NPAGES; i++)
		n += block_of(buf + i * page_size, block_bytes) == block;
	return n;
}

/* The zone memory block @block is in while online ("Normal", ...): 0 or -1. */
static int block_zone(long block, char *zone, int size)
{
	char path[96];

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%ld/valid_zones", block);
	if (!read_line(path, zone, size))
		return -1;
	zone[strcspn(zone, " ")] = '\0';
	return zone[0] ? 0 : -1;
}

/* Write @state ("offline", "online_movable", ...) to @block's state. */
static int block_state(long block, const char *state)
{
	char path[96];

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%ld/state", block);
	return write_file(path, state);
}

static int offline_child(struct ctx *c, long *res)
{
	size_t len = NPAGES * page_size;
	char *buf = map_anon(len);
	long block_bytes = memory_block_bytes(), block;
	char zone[32];

	if (block_bytes <= 0 || bind_flagged(c) || !buf || populate(buf, len))
		return -1;
	block = block_of(buf, block_bytes);
	if (block < 0)
		return -1;
	res[O_BEFORE] = pages_on_node(buf, NPAGES, c->n.spm, NULL);
	res[O_IN_BLOCK] = pages_in_block(buf, block_bytes, block);
	if (block_zone(block, zone, sizeof(zone)))
		return -1;
	res[O_ERR] = -block_state(block, "offline");
	res[O_AFTER] = pages_on_node(buf, NPAGES, c->n.spm, NULL);
	if (!res[O_ERR])
		res[O_BACK] = -block_state(block, strcmp(zone, "Movable") ?
					   "online_kernel" : "online_movable");
	return 0;
}

/*
 * Memory offline (what removing a device's memory does, block by block):
 * the kernel moves the pages of the block to be offlined elsewhere. A
 * flagged task's pages on the SPM node must stay on that node, in its
 * other blocks; where they do not fit, offlining fails. It runs before
 * the soft offline route: a block with the hardware-poisoned pages soft
 * offline leaves cannot come online again (EHWPOISON).
 */
static void route_memory_offline(struct ctx *c)
{
	long *res;

	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	res = child_results(c, offline_child,
			    "the flagged task could not map its pages or find their memory block");
	if (!res)
		return;
	printf("# flagged task: %ld of %d pages on the SPM node, %ld in the block offlined: %s; %ld there after; online again: %s\n",
	       res[O_BEFORE], NPAGES, res[O_IN_BLOCK],
	       res[O_ERR] ? strerror(res[O_ERR]) : "done", res[O_AFTER],
	       res[O_ERR] ? "-" : res[O_BACK] ? strerror(res[O_BACK]) : "done");
	if (res[O_BEFORE] != NPAGES || res[O_IN_BLOCK] <= 0 || res[O_ERR] || res[O_BACK])
		fail(c, "the control: %ld of %d pages on the SPM node, %ld in the block, offline %s, online %s",
		     res[O_BEFORE], NPAGES, res[O_IN_BLOCK], strerror(res[O_ERR]),
		     strerror(res[O_BACK]));
	else
		fig->controls++;
	expect_kept(c, "memory offline", res[O_BEFORE], res[O_AFTER]);
	free_results(res);
}

enum { L_BEFORE, L_MOVABLE, L_ERR, L_AFTER, L_MOVABLE_AFTER };

#define GUP_TEST	"/sys/kernel/debug/gup_test"

/*
 * An online memory block of the SPM node in ZONE_MOVABLE: one that is
 * there already, or the first that can go offline and come online
 * movable. *@moved is set for the latter, which block_state() puts back
 * with "online_kernel". Returns the block, or -1.
 */
static long spm_movable_block(struct ctx *c, bool *moved)
{
	char path[64], zone[32];
	struct dirent *d;
	long block, found = -1;
	DIR *dir;

	*moved = false;
	snprintf(path, sizeof(path), NODE_DIR "/node%d", c->n.spm);
	dir = opendir(path);
	while (dir && found < 0 && (d = readdir(dir))) {
		if (sscanf(d->d_name, "memory%ld", &block) != 1 ||
		    block_zone(block, zone, sizeof(zone)))
			continue;
		if (!strcmp(zone, "Movable")) {
			found = block;
		} else if (!block_state(block, "offline")) {
			if (!block_state(block, "online_movable")) {
				found = block;
				*moved = true;
			} else {
				block_state(block, "online_kernel");
			}
		}
	}
	if (dir)
		closedir(dir);
	return found;
}

/* How many of the NPAGES pages at @buf are in ZONE_MOVABLE. */
static long pages_in_movable(char *buf, long block_bytes)
{
	char zone[32];
	long n = 0;
	int i;

	for (i = 0; i < NPAGES; i++)
		n += !block_zone(block_of(buf + i * page_size, block_bytes),
				 zone, sizeof(zone)) && !strcmp(zone, "Movable");
	return n;
}

static int longterm_child(struct ctx *c, long *res)
{
	struct pin_longterm_test pin = {
		.size = NPAGES * page_size,
		.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE,
	};
	char *buf = map_anon(pin.size);
	long block_bytes = memory_block_bytes();
	int fd = open(GUP_TEST, O_RDWR);

	if (fd < 0 || block_bytes <= 0 || bind_flagged(c) || !buf ||
	    populate(buf, pin.size))
		return -1;
	res[L_BEFORE] = pages_on_node(buf, NPAGES, c->n.spm, NULL);
	res[L_MOVABLE] = pages_in_movable(buf, block_bytes);
	pin.addr = (uintptr_t)buf;
	res[L_ERR] = ioctl(fd, PIN_LONGTERM_TEST_START, &pin) ? errno : 0;
	res[L_AFTER] = pages_on_node(buf, NPAGES, c->n.spm, NULL);
	res[L_MOVABLE_AFTER] = pages_in_movable(buf, block_bytes);
	if (!res[L_ERR])
		ioctl(fd, PIN_LONGTERM_TEST_STOP);
	close(fd);
	return 0;
}

/*
 * A FOLL_LONGTERM pin (what RDMA, VFIO and io_uring's registered buffers
 * take; here the gup_test device's) of pages in ZONE_MOVABLE: the kernel
 * first moves them out of that zone. A flagged task's pages in the SPM
 * node's movable block must land in the node's other memory, or the pin
 * fail; never on SysRAM. The control: the pages were in ZONE_MOVABLE
 * and, when the pin succeeded, left it.
 */
static void route_longterm_pin(struct ctx *c)
{
	long movable_block, *res;
	bool moved;

	if (access(GUP_TEST, R_OK)) {
		printf("# no %s (CONFIG_GUP_TEST=n)\n", GUP_TEST);
		c->skipped++;
		return;
	}
	__atomic_fetch_add(&fig->cases, 1, __ATOMIC_RELAXED);
	movable_block = spm_movable_block(c, &moved);
	if (movable_block < 0) {
		fail(c, "no memory block of node %d can be onlined movable", c->n.spm);
		return;
	}
	res = child_results(c, longterm_child,
			    "the flagged task could not map its pages or open " GUP_TEST);
	if (moved && (block_state(movable_block, "offline") ||
		      block_state(movable_block, "online_kernel")))
		fail(c, "memory block %ld did not go back to a kernel zone: %s",
		     movable_block, strerror(errno));
	if (!res)
		return;
	printf("# flagged task: %ld of %d pages on the SPM node, %ld in ZONE_MOVABLE (block %ld%s); FOLL_LONGTERM pin: %s; %ld there after, %ld in ZONE_MOVABLE\n",
	       res[L_BEFORE], NPAGES, res[L_MOVABLE], movable_block,
	       moved ? " onlined movable" : "",
	       res[L_ERR] ? strerror(res[L_ERR]) : "done", res[L_AFTER],
	       res[L_MOVABLE_AFTER]);
	if (res[L_BEFORE] != NPAGES || res[L_MOVABLE] <= 0 ||
	    (!res[L_ERR] && res[L_MOVABLE_AFTER]))
		fail(c, "the control: %ld of %d pages on the SPM node, %ld in ZONE_MOVABLE, %ld there after the pin (%s)",
		     res[L_BEFORE], NPAGES, res[L_MOVABLE], res[L_MOVABLE_AFTER],
		     strerror(res[L_ERR]));
	else
		fig->controls++;
	expect_kept(c, "the FOLL_LONGTERM pin", res[L_BEFORE], res[L_AFTER]);
	free_results(res);
}

/*
 * The kernel routes marked "fills" fill a whole node (the SPM node with
 * huge pages, or a node to its OOM). --no-node-fill leaves them out:
 * the cxl boot, where QEMU emulates the CXL window's memory access by
 * access and they took 484 s against the spm boot's 195 s, runs the
 * others, and the spm boot runs them all against the same kind of node.
 */
static const struct {
	const char *name;
	void (*run)(struct ctx *c);
	bool fills;
} kernel_routes[NR_KERNEL_ROUTES] = {
	{ "cpuset memory migration of a root and a uid 65534 task",
	  route_cpuset_migration },
	{ "KSM merging a flagged task's SPM pages with a uid 65534 task's",
	  route_ksm },
	{ "hugetlb pool sizes: global, mempolicy, the SPM node's own",
	  route_hugetlb_pool },
	{ "direct reclaim of a uid 65534 task in a cpuset with the SPM node",
	  route_reclaim },
	{ "compaction for a uid 65534 task in a cpuset with the SPM node",
	  route_compaction, true },
	{ "page cache a flagged task writes and reads", route_pagecache },
	{ "zswap of a flagged task's pages on the SPM node", route_zswap },
	{ "shmem a flagged task swaps in: its shared memory, a tmpfs file",
	  route_shmem_swap },
	{ "swap readahead of a uid 65534 task's slots by a flagged task",
	  route_swap_readahead },
	{ "OOM of a flagged request to the SPM node", route_oom, true },
	{ "OOM of a SysRAM node: SPM memory is no victim's badness",
	  route_oom_sysram, true },
	{ "THP collapse of a flagged task's pages", route_collapse },
	{ "memory offline of the block of a flagged task's pages",
	  route_memory_offline },
	{ "FOLL_LONGTERM pin of a flagged task's pages in ZONE_MOVABLE",
	  route_longterm_pin },
	{ "soft offline of a flagged task's pages", route_soft_offline },
	/*
	 * Last: it adds a swap device and turns zswap off for a while,
	 * which the swap routes above do not expect.
	 */
	{ "zram swap of a flagged task's pages on the SPM node", route_zram },
};

/* Run every route; the case count is shared with the routes' children. */
static void run_routes(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < NR_ROUTES; i++) {
		long wrong = fig->wrong, cases = fig->cases;

		c->failures = c->skipped = 0;
		c->mems = mems_allowed();
		routes[i].run(c);
		cases = fig->cases - cases;
		if (!cases && c->skipped && !c->failures)
			tap_result(true, "%s: %s # SKIP no huge pages or cgroup2",
				   c->who, routes[i].name);
		else
			tap_result(!c->failures && fig->wrong == wrong,
				   "%s: %s (%ld cases, %d skipped)", c->who,
				   routes[i].name, cases, c->skipped);
	}
}

/* Whether kernel route @i runs, given --no-node-fill. */
static bool kernel_route_runs(unsigned int i, bool no_fill)
{
	return !(no_fill && kernel_routes[i].fills);
}

/* Run the kernel route @name, one TAP result. */
static void run_kernel_route(struct ctx *c, const char *name,
			     void (*run)(struct ctx *c))
{
	long wrong = fig->wrong, cases = fig->cases;

	c->failures = c->skipped = 0;
	run(c);
	cases = fig->cases - cases;
	if (!cases && c->skipped && !c->failures)
		tap_result(true, "kernel: %s # SKIP not in this kernel or topology", name);
	else
		tap_result(!c->failures && fig->wrong == wrong,
			   "kernel: %s (%ld cases)", name, cases);
}

static void run_kernel_routes(struct ctx *c, bool no_fill)
{
	unsigned int i;

	for (i = 0; i < NR_KERNEL_ROUTES; i++)
		if (kernel_route_runs(i, no_fill))
			run_kernel_route(c, kernel_routes[i].name, kernel_routes[i].run);
}

/* Add @n huge pages to the pool; returns the size before, or -1. */
static long reserve_huge_pages(struct ctx *c, int n)
{
	long before = read_long(HUGEPAGES);
	char val[32];
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %ld kB", &c->huge_size) == 1)
			c->huge_size <<= 10;
	if (f)
		fclose(f);
	if (before < 0 || c->huge_size <= 0)
		return -1;
	snprintf(val, sizeof(val), "%ld", before + n);
	write_file(HUGEPAGES, val);
	return before;
}

static int exec_child(const char *spm)
{
	figures_init();
	return spm_pages_of_new_fault(atoi(spm)) & 0xff;
}

int main(int argc, char **argv)
{
	struct ctx c = { .who = "root", .priv = true };
	unsigned int i, kernel = 0;
	bool no_fill = false, cpuset_v1 = false;
	const char *why;
	long huge_before;
	char val[32];
	int status;
	pid_t pid;

	if (argc == 3 && !strcmp(argv[1], "--exec-child"))
		return exec_child(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "--no-node-fill"))
		no_fill = true;
	else if (argc == 2 && !strcmp(argv[1], "--cpuset-v1"))
		cpuset_v1 = true;
	else if (argc > 1) {
		fprintf(stderr, "usage: %s [--no-node-fill | --cpuset-v1]\n", argv[0]);
		return 2;
	}
	printf("TAP version 13\n");
	if (geteuid()) {
		printf("1..0 # SKIP must run as root\n");
		return 0;
	}
	figures_init();
	if (!read_nodes(&c.n, &why)) {
		printf("1..0 # SKIP %s\n", why);
		return 0;
	}
	if (cpuset_v1) {
		printf("1..1\n");
		run_kernel_route(&c, "cpuset v1 memory migration of a root and a uid 65534 task",
				 route_cpuset_v1_migration);
		goto figures;
	}
	for (i = 0; i < NR_KERNEL_ROUTES; i++)
		kernel += kernel_route_runs(i, no_fill);
	printf("1..%u\n", 2 * NR_ROUTES + kernel);
	if (kernel < NR_KERNEL_ROUTES)
		printf("# --no-node-fill: %u kernel routes that fill a node left out\n",
		       NR_KERNEL_ROUTES - kernel);
	printf("# SPM node %d, SysRAM nodes %#lx, nr_node_ids %d, MAX_NUMNODES %d\n",
	       c.n.spm, c.n.sysram, c.n.nr_node_ids, c.n.max_numnodes);
	build_shapes(&c.n);
	huge_before = reserve_huge_pages(&c, 8);
	run_routes(&c);

	fflush(stdout);
	pid = fork();
	if (!pid) {
		c.who = "uid 65534";
		c.priv = false;
		if (become_nobody())
			_exit(1);
		run_routes(&c);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	while (fig->tap_n < 2 * NR_ROUTES)
		tap_result(false, "uid 65534: the unprivileged child died");
	c.who = "root";
	c.priv = true;
	run_kernel_routes(&c, no_fill);

	if (huge_before >= 0) {
		snprintf(val, sizeof(val), "%ld", huge_before);
		write_file(HUGEPAGES, val);
	}
figures:
	printf("# calls tried: %ld\n", fig->calls);
	printf("# pages checked: %ld\n", fig->pages);
	printf("# pages on the wrong node: %ld\n", fig->wrong);
	printf("# positive controls on the SPM node: %ld\n", fig->controls);
	return fig->tap_failed;
}
