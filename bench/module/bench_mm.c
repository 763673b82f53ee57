// SPDX-License-Identifier: GPL-2.0
/*
 * bench_mm: the in-kernel workloads of make bench, run once at load time.
 * Results go to the kernel log as "bench: NAME VALUE UNIT" lines; the
 * times come from ktime_get_ns(), which under QEMU's -icount counts guest
 * instructions.
 *
 * - order-0 and order-3 alloc_pages()/__free_pages() in batches, the
 *   per-CPU list fast path of the page allocator;
 * - with spm_nid and sysram_nid: order-0 allocations bound to one node,
 *   from an SPM node with __GFP_SPM_NODE against a SysRAM node;
 * - 1 GiB of device-private memory: the memory its struct pages take, and
 *   lookups of its pages, by offset with device_private_offset_to_page()
 *   on kernels that have it (also with 1000 and 16000 pagemaps, whose
 *   removal is timed too), by PFN with pfn_to_page() on the others.
 *   The memory stays mapped until the module is removed, so that the
 *   guest can read /proc/iomem meanwhile.
 */
#define pr_fmt(fmt) "bench: " fmt

#include <linux/gfp.h>
#include <linux/ioport.h>
#include <linux/ktime.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>

/* Kernels without series A have no such flag: bind to the node alone. */
#ifndef __GFP_SPM_NODE
#define __GFP_SPM_NODE	((__force gfp_t)0)
#endif

#define BATCH		16
#define DEVMEM_SIZE	SZ_1G
#define DEVMEM_PAGES	(DEVMEM_SIZE >> PAGE_SHIFT)

static unsigned int loops = 20000;
module_param(loops, uint, 0444);
MODULE_PARM_DESC(loops, "batches of allocations per workload");

static unsigned int lookups = 4000000;
module_param(lookups, uint, 0444);
MODULE_PARM_DESC(lookups, "page lookups per lookup workload");

static int spm_nid = NUMA_NO_NODE;
module_param(spm_nid, int, 0444);
MODULE_PARM_DESC(spm_nid, "SPM node to allocate from with __GFP_SPM_NODE");

static int sysram_nid = NUMA_NO_NODE;
module_param(sysram_nid, int, 0444);
MODULE_PARM_DESC(sysram_nid, "SysRAM node to compare spm_nid with");

static struct dev_pagemap devmem;
/* Where the lookup loops leave their results, so that they are not dropped */
static unsigned long lookup_sink;
static bool devmem_mapped;

/* Print @ns / @ops with two decimals: one op is often a few ns. */
static void report(const char *name, u64 ns, u64 ops)
{
	u64 centi = div64_u64(ns * 100, ops);

	pr_info("%s %llu.%02llu ns/op %llu ops %llu ns\n", name,
		centi / 100, centi % 100, ops, ns);
}

/*
 * Allocate BATCH blocks, then free them, @loops times: batches rather than
 * alloc/free pairs so that the per-CPU lists are taken from and refilled
 * the way a burst of faults does it.
 */
static int bench_alloc(const char *name, int nid, gfp_t gfp,
		       unsigned int order)
{
	struct page *pages[BATCH];
	unsigned int i, j;
	u64 t0, t;

	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++) {
		for (j = 0; j < BATCH; j++) {
			pages[j] = alloc_pages_node(nid, gfp, order);
			if (!pages[j])
				goto fail;
		}
		for (j = 0; j < BATCH; j++)
			__free_pages(pages[j], order);
		cond_resched();
	}
	t = ktime_get_ns() - t0;
	report(name, t, (u64)loops * BATCH);
	return 0;

fail:
	while (j--)
		__free_pages(pages[j], order);
	pr_err("%s: allocation failed on node %d\n", name, nid);
	return -ENOMEM;
}

static void devmem_page_free(struct page *page)
{
}

/* No page of the module's device memory is ever handed out. */
static vm_fault_t devmem_migrate_to_ram(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct dev_pagemap_ops devmem_ops = {
	.page_free	= devmem_page_free,
	.migrate_to_ram	= devmem_migrate_to_ram,
};

/*
 * Visit the pages in a scattered order (a large odd stride), as the
 * swap entries of a real workload name them, not in address order.
 */
#define LOOKUP_STRIDE	7919UL

static void bench_pfn_lookups(unsigned long start)
{
	unsigned long idx = 0, sink = 0, i;
	u64 t0, t;

	t0 = ktime_get_ns();
	for (i = 0; i < lookups; i++) {
		idx = (idx + LOOKUP_STRIDE) & (DEVMEM_PAGES - 1);
		/* Keep the compiler from folding the loop into a formula. */
		OPTIMIZER_HIDE_VAR(idx);
		sink ^= (unsigned long)pfn_to_page(start + idx);
	}
	t = ktime_get_ns() - t0;
	WRITE_ONCE(lookup_sink, sink);
	report("pfn_to_page", t, lookups);
}

/*
 * With series B, device-private memory gets offsets in a private address
 * space and a plain array of struct pages; before it, a free range of the
 * physical address space and a section of the vmemmap.
 */
#ifdef HAVE_DEVICE_PRIVATE_OFFSETS
static int devmem_map(void)
{
	devmem.nr_pages = DEVMEM_PAGES;
	return memremap_device_private_pagemap(&devmem, numa_node_id());
}

static void devmem_unmap(void)
{
	memunmap_device_private_pagemap(&devmem);
}

static void bench_dp_lookups(const char *name)
{
	unsigned long start = PHYS_PFN(devmem.range.start);
	unsigned long idx = 0, sink = 0, i;
	u64 t0, t;

	t0 = ktime_get_ns();
	for (i = 0; i < lookups; i++) {
		idx = (idx + LOOKUP_STRIDE) & (DEVMEM_PAGES - 1);
		OPTIMIZER_HIDE_VAR(idx);
		sink ^= (unsigned long)device_private_offset_to_page(start + idx);
	}
	t = ktime_get_ns() - t0;
	WRITE_ONCE(lookup_sink, sink);
	report(name, t, lookups);
}

/*
 * Many small pagemaps next to the GiB, as a driver that registers its
 * memory in 2 MiB chunks has (nouveau): the lookup with 1000 and 16000 of
 * them, then their removal, one at a time and in a batch. Each has one
 * page of struct pages.
 */
#define MANY_PGMAPS	16000
#define MANY_SINGLY	100
static struct dev_pagemap *many;
static unsigned int many_mapped;

static void bench_many_pgmaps(void)
{
	static const unsigned int steps[] = { 1000, MANY_PGMAPS };
	static const char * const names[] = {
		"dp_offset_to_page_1000", "dp_offset_to_page_16000",
	};
	struct dev_pagemap **batch;
	unsigned int s, i;
	u64 t0, t;

	many = kvcalloc(MANY_PGMAPS, sizeof(*many), GFP_KERNEL);
	batch = kvcalloc(MANY_PGMAPS, sizeof(*batch), GFP_KERNEL);
	if (!many || !batch)
		goto out;
	for (s = 0; s < ARRAY_SIZE(steps); s++) {
		/* The GiB is one of them */
		for (; many_mapped + 1 < steps[s]; many_mapped++) {
			struct dev_pagemap *pgmap = &many[many_mapped];

			pgmap->type = MEMORY_DEVICE_PRIVATE;
			pgmap->ops = &devmem_ops;
			pgmap->owner = &devmem;
			pgmap->nr_pages = PAGE_SIZE / sizeof(struct page);
			if (memremap_device_private_pagemap(pgmap, numa_node_id())) {
				pr_err("%u pagemaps: registration failed\n",
				       many_mapped + 1);
				goto out;
			}
		}
		bench_dp_lookups(names[s]);
	}

	t0 = ktime_get_ns();
	for (i = 0; i < MANY_SINGLY; i++)
		memunmap_device_private_pagemap(&many[i]);
	t = ktime_get_ns() - t0;
	report("dp_unmap_singly", t, MANY_SINGLY);

	for (i = MANY_SINGLY; i < many_mapped; i++)
		batch[i - MANY_SINGLY] = &many[i];
	t0 = ktime_get_ns();
	memunmap_device_private_pagemaps(batch, many_mapped - MANY_SINGLY);
	t = ktime_get_ns() - t0;
	report("dp_unmap_batch", t, many_mapped - MANY_SINGLY);
	many_mapped = 0;
out:
	kvfree(batch);
	for (i = 0; i < many_mapped; i++)
		memunmap_device_private_pagemap(&many[i]);
	kvfree(many);
	many = NULL;
}

static void bench_lookups(void)
{
	/*
	 * The pages have no PFNs: time pfn_to_page() on as many RAM pages
	 * of node 0, which costs the same arithmetic as on the base.
	 */
	bench_pfn_lookups(node_start_pfn(first_memory_node));
	bench_dp_lookups("dp_offset_to_page");
	bench_many_pgmaps();
}
#else
static int devmem_map(void)
{
	struct resource *res;
	void *addr;

	res = request_free_mem_region(&iomem_resource, DEVMEM_SIZE,
				      "bench_mm");
	if (IS_ERR(res))
		return PTR_ERR(res);
	devmem.range.start = res->start;
	devmem.range.end = res->end;
	devmem.nr_range = 1;
	addr = memremap_pages(&devmem, numa_node_id());
	if (IS_ERR(addr)) {
		release_mem_region(res->start, resource_size(res));
		return PTR_ERR(addr);
	}
	return 0;
}

static void devmem_unmap(void)
{
	memunmap_pages(&devmem);
	release_mem_region(devmem.range.start, range_len(&devmem.range));
}

/* The pages' own PFNs: what the base looks device-private pages up by. */
static void bench_lookups(void)
{
	bench_pfn_lookups(PHYS_PFN(devmem.range.start));
}
#endif

static int bench_devmem(void)
{
	int ret;

	devmem.type = MEMORY_DEVICE_PRIVATE;
	devmem.ops = &devmem_ops;
	devmem.owner = &devmem;
	ret = devmem_map();
	if (ret) {
		pr_err("device-private memory: error %d\n", ret);
		return ret;
	}
	devmem_mapped = true;
	/*
	 * One struct page per page of the GiB, in a section of the vmemmap
	 * on the base and in the device-private window with series B. The free
	 * page count cannot show it: the array may come from pages that
	 * sit on the per-CPU lists, which the count leaves out.
	 */
	pr_info("devpriv_struct_page_bytes_per_gib %lu bytes\n",
		DEVMEM_PAGES * sizeof(struct page));
	bench_lookups();
	return 0;
}

static int __init bench_mm_init(void)
{
	int ret;

	ret = bench_alloc("order0", NUMA_NO_NODE, GFP_KERNEL, 0);
	if (!ret)
		ret = bench_alloc("order3", NUMA_NO_NODE, GFP_KERNEL, 3);
	if (!ret && spm_nid != NUMA_NO_NODE && sysram_nid != NUMA_NO_NODE) {
		/* User-page allocations: hot-added memory may be movable. */
		ret = bench_alloc("node_sysram", sysram_nid,
				  GFP_HIGHUSER_MOVABLE | __GFP_THISNODE, 0);
		if (!ret)
			ret = bench_alloc("node_spm", spm_nid,
					  GFP_HIGHUSER_MOVABLE |
					  __GFP_THISNODE | __GFP_SPM_NODE, 0);
	}
	if (!ret)
		ret = bench_devmem();
	return ret;
}

static void __exit bench_mm_exit(void)
{
	if (devmem_mapped)
		devmem_unmap();
}

module_init(bench_mm_init);
module_exit(bench_mm_exit);
MODULE_DESCRIPTION("Page allocator and device-private lookup benchmarks");
MODULE_LICENSE("GPL");
