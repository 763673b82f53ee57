// SPDX-License-Identifier: GPL-2.0
/*
 * Randomised system call test for Specific Purpose Memory (SPM) nodes.
 *
 *	spm-fuzz [-t SECONDS] [-s SEED] [-p PROCESSES]
 *
 * Several processes, every second one dropped to uid/gid 65534 (without
 * CAP_SYS_NICE), call set_mempolicy(2), mbind(2), move_pages(2),
 * migrate_pages(2), set_mempolicy_home_node(2) and get_mempolicy(2) with
 * random modes, flags, node masks, maxnode values, addresses and lengths,
 * invalid ones included, for a fixed time. The seed is printed; the same
 * seed replays the same sequence of calls in every process.
 *
 * After every call that succeeds, the process checks its two buffers (one
 * anonymous, one shmem): an unprivileged process must have no page on an
 * SPM node, by move_pages(2) query and by numa_maps. Then it faults every
 * page in again and checks each page against the policy that governs it
 * (its VMA's or shared policy, else the task's): a page on an SPM node
 * needs a privileged process and a policy with MPOL_F_SPM_NODE. A failed
 * set_mempolicy(2), and an mbind(2) refused with EINVAL or EPERM, must
 * leave the policy as it was. Kernel splats are caught by the host from
 * the console log.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <time.h>
#include <sys/wait.h>

#include "spm-util.h"

#define SPM		MPOL_F_SPM_NODE
#define MAX_ERRNO	134
#define BIG_MASK	(4096 / sizeof(long))	/* what maxnode may reach */

struct counts {
	long errnos[MAX_ERRNO + 2];	/* [0]: success, [MAX_ERRNO + 1]: other */
	long partial;			/* failed calls that changed a policy */
	long spm_flag_unprivileged;	/* successes with the flag, unprivileged */
	long spm_pages_flagged;		/* pages on SPM under flagged policies */
	long controls_failed;
};

static struct counts *cnt;
static struct nodes nodes;
static unsigned long long rng;
static bool priv;
static char *anon, *shm, *hole;
static int shm_fd;

static void add(long *counter, long n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static unsigned long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long below(unsigned long n)
{
	return rnd() % n;
}

static int random_node(void)
{
	static const int odd[] = { -1, -1000, 64, 1023, 1024, 65536 };

	switch (below(4)) {
	case 0:
		return nodes.spm;
	case 1:
		return odd[below(ARRAY_SIZE(odd))];
	default:
		return below(nodes.nr_node_ids + 1);
	}
}

/* A random node mask in @mask; returns a maxnode to go with it. */
static unsigned long random_mask(unsigned long *mask)
{
	static const unsigned long maxnodes[] = {
		0, 1, 2, 3, 4, 63, 64, 65, 66, 128, 129, 1024, 1025, 1088,
		1089, 4096 * 8, 4096 * 8 + 1, 4096 * 8 + 2, ~0UL,
	};
	unsigned long spm = 1UL << nodes.spm;
	int bit;

	memset(mask, 0, BIG_MASK * sizeof(long));
	switch (below(7)) {
	case 0:
		break;
	case 1:
		mask[0] = spm;
		break;
	case 2:
		mask[0] = nodes.sysram;
		break;
	case 3:
		mask[0] = nodes.sysram | spm;
		break;
	case 4:
		mask[0] = ~0UL;
		break;
	case 5:
		mask[0] = rnd();
		break;
	default:
		bit = below(BIG_MASK * 64);
		mask[0] = below(2) ? spm : nodes.sysram;
		mask[bit / 64] |= 1UL << (bit % 64);
		break;
	}
	return below(4) ? 65 + 64 * below(2) : maxnodes[below(ARRAY_SIZE(maxnodes))];
}

static int random_mode(void)
{
	static const int flags[] = {
		MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES, SPM,
		MPOL_F_NUMA_BALANCING,
	};
	int mode = below(MPOL_MAX + 2), i;

	if (!below(16))
		return (int)rnd();
	for (i = 0; i < (int)ARRAY_SIZE(flags); i++)
		if (below(3) == 0)
			mode |= flags[i];
	if (!below(8))
		mode |= 1 << below(16);
	return mode;
}

/* A random range: mostly within the buffers, some unaligned or unmapped. */
static void random_range(char **addr, unsigned long *len)
{
	size_t size = NPAGES * page_size;
	char *base = below(2) ? anon : shm;

	*addr = base + below(NPAGES) * page_size;
	*len = (below(NPAGES) + 1) * page_size;
	switch (below(10)) {
	case 0:
		*addr += below(page_size);
		break;
	case 1:
		*addr = hole;
		break;
	case 2:
		*addr = NULL;
		break;
	case 3:
		*addr = (char *)0xffff888000000000UL;
		break;
	case 4:
		*len = below(2) ? 0 : ~0UL - below(page_size);
		break;
	case 5:
		*addr = base;
		*len = size + below(3) * page_size;
		break;
	}
}

static void random_pages(void **pages, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char *base = below(2) ? anon : shm;

		pages[i] = base + below(NPAGES) * page_size;
		if (!below(16))
			pages[i] = below(2) ? hole : (void *)rnd();
	}
}

/*
 * Does [@addr, @addr + @len) lie within one buffer? mbind(2) changes VMA by
 * VMA: a range that reaches a VMA it cannot split (the vDSO's) is refused
 * with EINVAL after the VMAs before it changed, on any kernel.
 */
static bool in_one_buffer(char *addr, unsigned long len)
{
	size_t size = NPAGES * page_size;
	char *base = addr >= anon && addr < anon + size ? anon : shm;

	return addr >= base && addr < base + size && len <= size &&
	       addr + len <= base + size;
}

/* Whether the policy at @addr (NULL: the task's) is no longer @m0/@before. */
static bool policy_changed(int m0, const unsigned long *before, void *addr)
{
	unsigned long after[MASK_WORDS];
	int m1;

	return get_policy(&m1, after, addr) || m0 != m1 ||
	       memcmp(before, after, sizeof(after));
}

static void count_errno(long ret)
{
	int e = ret < 0 ? errno : 0;

	add(&fig->calls, 1);
	add(&cnt->errnos[e >= 0 && e <= MAX_ERRNO ? e : MAX_ERRNO + 1], 1);
}

/* The policy that governs the page at @addr: its VMA's, else the task's. */
static int governing_mode(char *addr)
{
	unsigned long mask[MASK_WORDS];
	int mode = 0;

	if (get_policy(&mode, mask, addr) || mode == MPOL_DEFAULT)
		get_policy(&mode, mask, NULL);
	return mode;
}

/*
 * Check the @n pages of @buf where they are; @refault: fault them in
 * again and judge each by its governing policy. Returns the wrong pages.
 */
static long check_buffer(char *buf, bool refault)
{
	size_t len = NPAGES * page_size;
	int where[NPAGES], i;
	long wrong = 0, mapped;

	if (refault) {
		if (buf == shm)
			fallocate(shm_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				  0, len);
		else
			madvise(buf, len, MADV_DONTNEED);
	}
	/* A policy may leave no node to fault from; nothing to check then. */
	if (populate(buf, len) || query_nodes(buf, NPAGES, page_size, where))
		return 0;
	for (i = 0; i < NPAGES; i++) {
		bool flagged;

		if (where[i] != nodes.spm)
			continue;
		if (!priv || !refault) {
			wrong += !priv;
			continue;
		}
		flagged = governing_mode(buf + i * page_size) & SPM;
		if (flagged)
			add(&cnt->spm_pages_flagged, 1);
		else
			wrong++;
	}
	mapped = priv ? 0 : numa_maps_pages(buf, nodes.spm);
	if (mapped > 0)
		wrong += mapped;
	return wrong;
}

static void check_after_success(const char *call, long args)
{
	long wrong = check_buffer(anon, false) + check_buffer(shm, false) +
		     check_buffer(anon, true) + check_buffer(shm, true);

	if (!wrong)
		return;
	add(&fig->wrong, wrong);
	printf("# pid %d (%s): %ld pages on SPM node %d after %s (%#lx)\n",
	       getpid(), priv ? "root" : "uid 65534", wrong, nodes.spm, call,
	       args);
	fflush(stdout);
}

/* A failed call changed the policy it was refused to set. */
static void partial(const char *call, int mode)
{
	add(&cnt->partial, 1);
	printf("# pid %d: %s(%#x) failed (%s) but changed the policy\n",
	       getpid(), call, mode, strerror(errno));
	fflush(stdout);
}

static void one_call(void)
{
	static unsigned long mask[BIG_MASK], mask2[BIG_MASK];
	unsigned long before[MASK_WORDS], maxnode, len;
	int mode, m0 = -1, m1, status[NPAGES], tnodes[NPAGES], n, i, e;
	void *pages[NPAGES];
	const char *call;
	char *addr;
	long ret;

	switch (below(6)) {
	case 0:
		call = "set_mempolicy";
		mode = random_mode();
		maxnode = random_mask(mask);
		get_policy(&m0, before, NULL);
		ret = sys_set_mempolicy(mode, below(16) ? mask : NULL, maxnode);
		e = errno;
		if (ret && policy_changed(m0, before, NULL)) {
			errno = e;
			partial(call, mode);
		}
		errno = e;
		break;
	case 1:
		call = "mbind";
		mode = random_mode();
		maxnode = random_mask(mask);
		random_range(&addr, &len);
		get_policy(&m0, before, addr);
		ret = sys_mbind(addr, len, mode, mask, maxnode,
				below(4) ? 0 : below(2) ? MPOL_MF_MOVE :
				(unsigned int)rnd() & 0x1f);
		e = errno;
		if (ret && (e == EINVAL || e == EPERM) && m0 >= 0 &&
		    in_one_buffer(addr, len) && policy_changed(m0, before, addr)) {
			errno = e;
			partial(call, mode);
		}
		errno = e;
		break;
	case 2:
		call = "move_pages";
		mode = 0;
		n = below(NPAGES) + 1;
		random_pages(pages, n);
		for (i = 0; i < n; i++)
			tnodes[i] = random_node();
		ret = sys_move_pages(0, n, pages, below(4) ? tnodes : NULL, status,
				     below(4) ? 0 : below(2) ? MPOL_MF_MOVE_ALL :
				     (int)rnd());
		break;
	case 3:
		call = "migrate_pages";
		mode = 0;
		maxnode = random_mask(mask);
		random_mask(mask2);
		ret = sys_migrate_pages(0, maxnode, mask, mask2);
		break;
	case 4:
		call = "set_mempolicy_home_node";
		random_range(&addr, &len);
		mode = random_node();
		ret = sys_home_node(addr, len, mode, below(8) ? 0 : rnd());
		break;
	default:
		call = "get_mempolicy";
		random_range(&addr, &len);
		mode = below(8);
		ret = syscall(SYS_get_mempolicy, &m1, mask, random_mask(mask2),
			      addr, mode);
		break;
	}
	count_errno(ret);
	if (ret < 0)
		return;
	if (!priv && (mode & SPM) && (!strcmp(call, "set_mempolicy") ||
				     !strcmp(call, "mbind"))) {
		add(&cnt->spm_flag_unprivileged, 1);
		printf("# pid %d: unprivileged %s(%#x) succeeded\n", getpid(),
		       call, mode);
	}
	check_after_success(call, mode);
}

/*
 * The positive control: a privileged flagged static bind policy of the
 * SPM node puts every page there, so the checks can see SPM pages.
 */
static void control(void)
{
	unsigned long spm = 1UL << nodes.spm;
	int where[NPAGES], i, on_spm = 0;

	if (!sys_set_mempolicy(MPOL_BIND | MPOL_F_STATIC_NODES | SPM, &spm, 65) &&
	    !populate(anon, NPAGES * page_size) &&
	    !query_nodes(anon, NPAGES, page_size, where))
		for (i = 0; i < NPAGES; i++)
			on_spm += where[i] == nodes.spm;
	add(on_spm == NPAGES ? &fig->controls : &cnt->controls_failed, 1);
	sys_set_mempolicy(MPOL_DEFAULT, NULL, 0);
}

static int worker(int index, unsigned long seed, time_t deadline)
{
	size_t len = NPAGES * page_size;

	rng = seed * 1000003 + index + 1;
	priv = !(index & 1);
	if (!priv && become_nobody())
		return 1;
	anon = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shm_fd = memfd_create("spm-fuzz", 0);
	if (anon == MAP_FAILED || shm_fd < 0 || ftruncate(shm_fd, len))
		return 1;
	shm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd, 0);
	/* An address range that is certainly not mapped. */
	hole = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED || hole == MAP_FAILED || munmap(hole, len))
		return 1;
	if (priv && index == 0)
		control();
	while (time(NULL) < deadline)
		one_call();
	return leave_spm_nodes(&nodes) < 0;
}

int main(int argc, char **argv)
{
	unsigned long seed = 1;
	int seconds = 60, procs = 4, opt, i, status, died = 0;
	const char *why;
	time_t deadline;
	pid_t pid;

	while ((opt = getopt(argc, argv, "t:s:p:")) != -1) {
		switch (opt) {
		case 't':
			seconds = atoi(optarg);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			procs = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS] [-s SEED] [-p PROCESSES]\n",
				argv[0]);
			return 2;
		}
	}
	printf("TAP version 13\n");
	if (geteuid()) {
		printf("1..0 # SKIP must run as root\n");
		return 0;
	}
	figures_init();
	if (!read_nodes(&nodes, &why)) {
		printf("1..0 # SKIP %s\n", why);
		return 0;
	}
	cnt = mmap(NULL, sizeof(*cnt), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cnt == MAP_FAILED) {
		printf("1..0 # SKIP no shared memory\n");
		return 0;
	}
	printf("1..5\n");
	printf("# seed %lu, %d s, %d processes (odd ones uid 65534), SPM node %d\n",
	       seed, seconds, procs, nodes.spm);
	fflush(stdout);
	deadline = time(NULL) + seconds;
	for (i = 0; i < procs; i++) {
		pid = fork();
		if (!pid)
			_exit(worker(i, seed, deadline));
		if (pid < 0)
			died++;
	}
	while ((pid = wait(&status)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			died++;

	tap_result(!died, "%d processes ran for %d s", procs, seconds);
	tap_result(!fig->wrong,
		   "no page on an SPM node for an unprivileged task or an unflagged policy");
	tap_result(!cnt->partial, "no failed call changed the policy");
	tap_result(!cnt->spm_flag_unprivileged,
		   "no unprivileged call with MPOL_F_SPM_NODE succeeded");
	tap_result(fig->controls && !cnt->controls_failed,
		   "positive control: a flagged policy reaches the SPM node");
	printf("# calls tried: %ld\n", fig->calls);
	printf("# pages checked: %ld\n", fig->pages);
	printf("# pages on the wrong node: %ld\n", fig->wrong);
	printf("# pages on the SPM node under flagged policies: %ld\n",
	       cnt->spm_pages_flagged);
	printf("# errno histogram:");
	for (i = 0; i <= MAX_ERRNO + 1; i++)
		if (cnt->errnos[i])
			printf(" %s=%ld", i == 0 ? "success" :
			       i > MAX_ERRNO ? "other" : strerrorname_np(i),
			       cnt->errnos[i]);
	printf("\n");
	return fig->tap_failed;
}
